"""The stack's CloudWatch dashboard: alarm status and graphs of every metric golive alarms on.

Not a component: `Monitoring` calls `create_dashboard` with the metrics its alarms read
(`components.alarms.metrics`), so the dashboard graphs exactly what is alarmed (plus CloudFront's
request count) and nothing of another stack. Widgets are placed left to right on CloudWatch's
24-column grid, one row per tier: load balancer, ECS services, database, cache, CloudFront.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.alarms import Metric

DASHBOARD_WIDTH = 24
ALARM_WIDGET_MAX = 100
"""An alarm-status widget shows at most 100 alarms."""


def create_dashboard(
    name: str,
    *,
    prefix: str,
    region: str,
    metrics: Sequence[Metric],
    alarm_arns: Sequence[pulumi.Output[str]],
    cache_group: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.Dashboard:
    """The dashboard `prefix` in `region`: a heading, the status of `alarm_arns` (the alarms of
    this region) and graphs of `metrics`; `cache_group` titles the cache's graphs."""
    board = _Board(region, metrics)
    board.heading(prefix)
    board.alarm_status(prefix, alarm_arns)
    board.load_balancer()
    board.services()
    board.database()
    board.cache(cache_group)
    board.cloudfront()
    return aws.cloudwatch.Dashboard(
        f"{name}-dashboard",
        dashboard_name=naming.dashboard(prefix),
        dashboard_body=pulumi.Output.json_dumps({"widgets": board.widgets}),
        opts=opts,
    )


def _row(metric: Metric, **options: Any) -> list[Any]:
    """A graph's metric row: namespace, name, dimension keys and values, then options."""
    row: list[Any] = [metric.namespace, metric.name]
    for key, value in metric.dimensions.items():
        row += [key, value]
    return [*row, options] if options else row


class _Layout:
    """Places widgets left to right on CloudWatch's 24-column grid, wrapping rows."""

    def __init__(self) -> None:
        self.widgets: list[dict[str, Any]] = []
        self._x = 0
        self._y = 0
        self._row_height = 0

    def new_row(self) -> None:
        self._y += self._row_height
        self._x = 0
        self._row_height = 0

    def add(self, widget: dict[str, Any], *, width: int, height: int) -> None:
        if self._x + width > DASHBOARD_WIDTH:
            self.new_row()
        self.widgets.append(
            {**widget, "x": self._x, "y": self._y, "width": width, "height": height}
        )
        self._x += width
        self._row_height = max(self._row_height, height)


class _Board(_Layout):
    """The dashboard's widgets, tier by tier, over the alarmed metrics."""

    def __init__(self, region: str, metrics: Sequence[Metric]) -> None:
        super().__init__()
        self._region = region
        self._metrics = metrics

    def _find(self, namespace: str, name: str) -> list[Metric]:
        return [m for m in self._metrics if (m.namespace, m.name) == (namespace, name)]

    def _graph(
        self,
        title: pulumi.Input[str],
        rows: list[list[Any]],
        *,
        stat: str,
        period: int = 60,
        region: str | None = None,
        width: int = 8,
    ) -> None:
        """A time-series graph of `rows`, in the stack's region unless the metrics live in
        another one (CloudFront's)."""
        self.add(
            {
                "type": "metric",
                "properties": {
                    "title": title,
                    "region": region or self._region,
                    "view": "timeSeries",
                    "stacked": False,
                    "stat": stat,
                    "period": period,
                    "metrics": rows,
                },
            },
            width=width,
            height=6,
        )

    def heading(self, prefix: str) -> None:
        """A heading (and a dashboard that is never empty, which PutDashboard refuses)."""
        self.add(
            {
                "type": "text",
                "properties": {
                    "markdown": (
                        f"# {prefix}\n"
                        f"golive stack in {self._region}: alarms notify the topic "
                        "`alarmTopicArn` (stack output). CloudFront metrics are in us-east-1."
                    )
                },
            },
            width=DASHBOARD_WIDTH,
            height=2,
        )
        self.new_row()

    def alarm_status(self, prefix: str, alarm_arns: Sequence[pulumi.Output[str]]) -> None:
        for start in range(0, len(alarm_arns), ALARM_WIDGET_MAX):
            chunk = alarm_arns[start : start + ALARM_WIDGET_MAX]
            self.add(
                {
                    "type": "alarm",
                    "properties": {
                        "title": f"{prefix} alarms",
                        "alarms": chunk,
                        "sortBy": "stateUpdatedTimestamp",
                    },
                },
                width=DASHBOARD_WIDTH,
                height=3 + len(chunk) // 8,
            )

    def load_balancer(self) -> None:
        elb = "AWS/ApplicationELB"
        if not self._find(elb, "HTTPCode_ELB_5XX_Count"):
            return

        def per_service(metric_name: str, **options: Any) -> list[list[Any]]:
            return [
                _row(m, label=f"{m.of.subject} {metric_name}", **options)
                for m in self._find(elb, metric_name)
            ]

        self.new_row()
        self._graph(
            "Requests and 5xx (per minute)",
            [
                *per_service("RequestCount"),
                *per_service("HTTPCode_Target_5XX_Count"),
                *[
                    _row(m, label="load balancer 5xx")
                    for m in self._find(elb, "HTTPCode_ELB_5XX_Count")
                ],
            ],
            stat="Sum",
        )
        self._graph("Response time p95 (s)", per_service("TargetResponseTime"), stat="p95")
        self._graph(
            "Healthy and unhealthy targets",
            [*per_service("HealthyHostCount"), *per_service("UnHealthyHostCount")],
            stat="Minimum",
        )

    def services(self) -> None:
        if not self._find("AWS/ECS", "CPUUtilization"):
            return

        def per_service(namespace: str, metric_name: str, what: str) -> list[list[Any]]:
            return [
                _row(m, label=f"{m.of.subject} {what}") for m in self._find(namespace, metric_name)
            ]

        self.new_row()
        self._graph("ECS CPU %", per_service("AWS/ECS", "CPUUtilization", "cpu"), stat="Average")
        self._graph(
            "ECS memory %", per_service("AWS/ECS", "MemoryUtilization", "memory"), stat="Average"
        )
        self._graph(
            "ECS tasks running / desired",
            [
                *per_service("ECS/ContainerInsights", "RunningTaskCount", "running"),
                *per_service("ECS/ContainerInsights", "DesiredTaskCount", "desired"),
            ],
            stat="Average",
        )

    def database(self) -> None:
        rds = "AWS/RDS"
        if not self._find(rds, "CPUUtilization"):
            return

        def rows(*names: str) -> list[list[Any]]:
            return [
                _row(m, label=f"{m.of.subject} {name}")
                for name in names
                for m in self._find(rds, name)
            ]

        self.new_row()
        for title, names, stat in (
            ("Database CPU %", ("CPUUtilization",), "Average"),
            ("Database connections", ("DatabaseConnections",), "Maximum"),
            (
                "Database free storage and memory (bytes)",
                ("FreeStorageSpace", "FreeableMemory"),
                "Minimum",
            ),
            ("Database latency (s)", ("ReadLatency", "WriteLatency"), "Average"),
        ):
            self._graph(title, rows(*names), stat=stat, period=300, width=6)
        if self._find(rds, "ReplicaLag"):
            self._graph("Read replica lag (s)", rows("ReplicaLag"), stat="Maximum", period=300)

    def cache(self, group: pulumi.Input[str] | None) -> None:
        cache = "AWS/ElastiCache"
        if not self._find(cache, "EngineCPUUtilization"):
            return

        def rows(name: str) -> list[list[Any]]:
            return [_row(m, label=m.of.subject) for m in self._find(cache, name)]

        title = pulumi.Output.concat("Cache ", group) if group is not None else "Cache"
        self.new_row()
        for what, name, stat in (
            ("engine CPU %", "EngineCPUUtilization", "Average"),
            ("memory % of maxmemory", "DatabaseMemoryUsagePercentage", "Average"),
            ("evictions", "Evictions", "Sum"),
            ("client connections", "CurrConnections", "Maximum"),
        ):
            self._graph(pulumi.Output.concat(title, " ", what), rows(name), stat=stat, period=300)
        self._graph(
            pulumi.Output.concat(title, " hits and misses"),
            [
                _row(m, label=f"{m.of.subject} {what}")
                for name, what in (("CacheHits", "hits"), ("CacheMisses", "misses"))
                for m in self._find(cache, name)
            ],
            stat="Sum",
            period=300,
        )

    def cloudfront(self) -> None:
        rates = self._find("AWS/CloudFront", "5xxErrorRate")
        if not rates:
            return
        (rate,) = rates
        requests = Metric("AWS/CloudFront", "Requests", rate.of)
        self.new_row()
        for title, metric, label, stat in (
            ("CloudFront requests", requests, "requests", "Sum"),
            ("CloudFront 5xx error rate %", rate, "5xx %", "Average"),
        ):
            self._graph(
                title,
                [_row(metric, label=label)],
                stat=stat,
                period=300,
                region=rate.of.region,
                width=12,
            )
