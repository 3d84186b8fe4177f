"""The alarm catalogue as data: what golive alarms on for each kind of resource it watches.

Not a component: `Monitoring` pairs each resource it is handed with its tier's specs (a
`Watched` resource plus a tuple of `AlarmSpec`) and calls `metric_alarm` once per pair, so every
alarm is declared the same way: its name, its notifications on ALARM and OK, its mute switch.

A spec says which metric (or metric math over several metrics of the same resource), with
which statistic and period, how many periods must breach, the comparison, where the threshold
comes from (a fixed number; a `Setting`: a field of `Thresholds`, `golive:alarms.thresholds`,
converted to the metric's unit; or a `ShareOfLimit`: such a field as a percentage of a limit of
the watched resource, e.g. the database's default max_connections) and what missing data means.
Descriptions are templates filled with the `Thresholds` fields, the watched resource's `subject`
and its `limits`.

Deployment rollback: the ECS service of each web service names the `rolls_back` alarms of its
target group, and each worker (no port, so no target group) its own `rolls_back` alarm on the
tasks it keeps running, before they exist, with `rollback_alarm_names`; these specs create
alarms with exactly those names (1-minute periods, so a release's bake time stays short).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

GIB = 1024**3
MIB = 1024**2
MAX_CONNECTIONS = "max_connections"
"""The database's limit its connections alarm is a share of (`Watched.limits`)."""

Comparison = Literal["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold"]
MissingData = Literal["breaching", "notBreaching", "missing"]


def unchanged(value: float) -> float:
    """The setting is in the metric's unit."""
    return value


def gib_to_bytes(gib: float) -> float:
    return gib * GIB


def mib_to_bytes(mib: float) -> float:
    return mib * MIB


def ms_to_seconds(ms: float) -> float:
    return ms / 1000


@dataclass(frozen=True)
class Setting:
    """A threshold read from the `Thresholds` field `field`, in the unit the stack file uses."""

    field: str
    to_metric_unit: Callable[[float], float] = unchanged
    """Converts the setting to the unit CloudWatch publishes the metric in."""


@dataclass(frozen=True, kw_only=True)
class ShareOfLimit(Setting):
    """A threshold given as a percentage (the `Thresholds` field `field`) of the watched
    resource's limit `limit` (`Watched.limits`): it follows the resource when it is resized."""

    limit: str

    def of(self, percent: float, limits: Mapping[str, float]) -> float:
        return round(percent / 100 * limits[self.limit])


@dataclass(frozen=True, kw_only=True)
class MetricMath:
    """An alarm on an expression over metrics of one resource (one namespace, statistic and
    period: the spec's), so a rate or a difference can breach where no single metric does."""

    queries: tuple[tuple[str, str], ...]
    """(query id, metric name) of each metric the expression reads."""
    id: str
    """The expression's query id (the one the alarm watches)."""
    expression: str
    """A template: `{<Thresholds field>}` is replaced by that setting."""
    label: str
    """A template: `{subject}` is replaced by the watched resource's subject."""


@dataclass(frozen=True, kw_only=True)
class AlarmSpec:
    """One alarm of a tier, for every resource of that tier."""

    role: str
    """The alarm name's last part: `<prefix>-<scope>-<role>` (a new role replaces the alarm)."""
    description: str
    """A template: `{subject}` and `{<Thresholds field>}` are filled in."""
    namespace: str
    metric: str | MetricMath
    """The metric's name, or metric math over several metrics of the namespace."""
    statistic: str
    """`Sum`, `Average`, `Minimum`, `Maximum`, or a percentile (`p95`: an extended statistic)."""
    period: int
    """Seconds per datapoint."""
    evaluation_periods: int
    datapoints_to_alarm: int | None = None
    """Breaching datapoints among `evaluation_periods` that raise the alarm (None: all)."""
    comparison: Comparison
    threshold: float | Setting
    missing_data: MissingData
    """What a period without data means: the reason is noted beside each spec."""
    rolls_back: bool = False
    """The watched service's deployment rolls back when this alarm fires (its description says
    so)."""

    def metric_names(self) -> list[str]:
        if isinstance(self.metric, MetricMath):
            return [name for _, name in self.metric.queries]
        return [self.metric]

    def threshold_value(self, thresholds: Mapping[str, float], of: Watched) -> float:
        if isinstance(self.threshold, ShareOfLimit):
            return self.threshold.of(thresholds[self.threshold.field], of.limits)
        if isinstance(self.threshold, Setting):
            return self.threshold.to_metric_unit(thresholds[self.threshold.field])
        return self.threshold


@dataclass(frozen=True)
class Watched:
    """One monitored resource: alarm names say its `scope`, descriptions and graphs its
    `subject`, and its metrics carry its `dimensions`."""

    scope: str
    """The alarm name's middle part: a service's name, `rds`, `cache-1`..."""
    subject: str
    """How people call it: the service's name, `node 1`..."""
    dimensions: Mapping[str, pulumi.Input[str]]
    region: str | None = None
    """Where its metrics (and so its alarms) live; None: the stack's region."""
    limits: Mapping[str, float] = field(default_factory=dict[str, float])
    """Limits of the resource a `ShareOfLimit` threshold is a percentage of (by name)."""


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric of a watched resource."""

    namespace: str
    name: str
    of: Watched

    @property
    def dimensions(self) -> Mapping[str, pulumi.Input[str]]:
        return self.of.dimensions


def metrics(spec: AlarmSpec, of: Watched) -> list[Metric]:
    """The metrics `spec`'s alarm reads on `of` (the dashboard graphs the same)."""
    return [Metric(spec.namespace, name, of) for name in spec.metric_names()]


# ---------------------------------------------------------------------- the catalogue

LOAD_BALANCER_ALARMS = (
    AlarmSpec(
        role="5xx",
        description=(
            "the load balancer itself answered more than {elb_5xx_per_minute} 5xx in a minute "
            "(no healthy target, target timeouts or connection errors)"
        ),
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_ELB_5XX_Count",
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        comparison="GreaterThanThreshold",
        threshold=Setting("elb_5xx_per_minute"),
        # ALB publishes 5xx counts only when there are some: no data means none.
        missing_data="notBreaching",
    ),
)
"""The shared load balancer (dimension `LoadBalancer`)."""

TARGET_GROUP_ALARMS = (
    # Rollback alarms: 1-minute periods so a release's bake time stays short.
    AlarmSpec(
        role="target-5xx",
        description=(
            "{subject}: more than {target_5xx_percent}% of requests answered 5xx for 2 minutes "
            "(at least {target_5xx_min_requests} requests a minute)."
        ),
        namespace="AWS/ApplicationELB",
        metric=MetricMath(
            queries=(("errors", "HTTPCode_Target_5XX_Count"), ("requests", "RequestCount")),
            id="rate",
            expression=(
                "IF(requests >= {target_5xx_min_requests}, 100 * FILL(errors, 0) / requests, 0)"
            ),
            label="{subject} target 5xx %",
        ),
        statistic="Sum",
        period=60,
        evaluation_periods=2,
        comparison="GreaterThanThreshold",
        threshold=Setting("target_5xx_percent"),
        # No requests, no rate: not an outage (the healthy-host alarm covers "nothing up").
        missing_data="notBreaching",
        rolls_back=True,
    ),
    AlarmSpec(
        role="unhealthy-hosts",
        description="{subject}: at least one target failed its health check for 2 minutes.",
        namespace="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        statistic="Maximum",
        period=60,
        evaluation_periods=2,
        comparison="GreaterThanOrEqualToThreshold",
        threshold=1,
        missing_data="notBreaching",
        rolls_back=True,
    ),
    AlarmSpec(
        role="no-healthy-hosts",
        description="{subject}: no healthy target for 2 minutes (the service is down)",
        namespace="AWS/ApplicationELB",
        metric="HealthyHostCount",
        statistic="Minimum",
        period=60,
        evaluation_periods=2,
        comparison="LessThanThreshold",
        threshold=1,
        # No data means no evidence that anything is up.
        missing_data="breaching",
    ),
    AlarmSpec(
        role="p95-latency",
        description=(
            "{subject}: p95 response time above {response_time_p95_seconds} s in 3 of the last "
            "5 minutes"
        ),
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        statistic="p95",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=3,
        comparison="GreaterThanThreshold",
        threshold=Setting("response_time_p95_seconds"),
        # Published only with requests: quiet is not slow.
        missing_data="notBreaching",
    ),
)
"""Each web service's target group (dimensions `LoadBalancer`, `TargetGroup`)."""

SERVICE_ALARMS = (
    AlarmSpec(
        role="cpu",
        description="{subject}: average cpu above {ecs_cpu_percent}% for 5 minutes",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        statistic="Average",
        period=60,
        evaluation_periods=5,
        comparison="GreaterThanThreshold",
        threshold=Setting("ecs_cpu_percent"),
        # No tasks, no utilization (before the first release).
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="memory",
        description="{subject}: average memory above {ecs_memory_percent}% for 5 minutes",
        namespace="AWS/ECS",
        metric="MemoryUtilization",
        statistic="Average",
        period=60,
        evaluation_periods=5,
        comparison="GreaterThanThreshold",
        threshold=Setting("ecs_memory_percent"),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="tasks-below-desired",
        description=(
            "{subject}: fewer tasks running than desired in 8 of the last 10 minutes "
            "(tasks crash, fail health checks or cannot be placed)"
        ),
        namespace="ECS/ContainerInsights",
        metric=MetricMath(
            queries=(("running", "RunningTaskCount"), ("desired", "DesiredTaskCount")),
            id="missing",
            expression="desired - FILL(running, 0)",
            label="{subject} tasks missing",
        ),
        statistic="Average",
        period=60,
        evaluation_periods=10,
        datapoints_to_alarm=8,
        comparison="GreaterThanThreshold",
        threshold=0,
        # Container Insights (ECS.12) reports both every minute; a gap is no evidence.
        missing_data="notBreaching",
    ),
)
"""Each ECS service, web or worker (dimensions `ClusterName`, `ServiceName`)."""

WORKER_ALARMS = (
    # A worker's rollback signal. The circuit breaker catches tasks that never reach RUNNING;
    # without a target group nothing else sees a new version whose tasks start and then crash
    # (ECS stops the old tasks once the new ones run, then restarts the crashing ones).
    AlarmSpec(
        role="tasks-missing",
        description=(
            "{subject}: fewer tasks running than desired for 3 minutes (tasks crash soon after "
            "they start, or cannot be placed)"
        ),
        namespace="ECS/ContainerInsights",
        metric=MetricMath(
            queries=(("running", "RunningTaskCount"), ("desired", "DesiredTaskCount")),
            id="missing",
            expression="desired - FILL(running, 0)",
            label="{subject} tasks missing",
        ),
        statistic="Average",
        period=60,
        evaluation_periods=3,
        comparison="GreaterThanThreshold",
        threshold=0,
        # Container Insights (ECS.12) reports both every minute; a gap is no evidence. A Spot
        # task's replacement takes about a minute: one interruption does not roll back.
        missing_data="notBreaching",
        rolls_back=True,
    ),
)
"""Each worker, on top of `SERVICE_ALARMS` (dimensions `ClusterName`, `ServiceName`)."""

DATABASE_ALARMS = (
    AlarmSpec(
        role="cpu",
        description="{subject} CPU above {rds_cpu_percent}% for 15 minutes",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        statistic="Average",
        period=300,
        evaluation_periods=3,
        comparison="GreaterThanThreshold",
        threshold=Setting("rds_cpu_percent"),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="free-storage",
        description="{subject} free storage below {rds_free_storage_gb} GiB",
        namespace="AWS/RDS",
        metric="FreeStorageSpace",
        statistic="Minimum",
        period=300,
        evaluation_periods=1,
        comparison="LessThanThreshold",
        threshold=Setting("rds_free_storage_gb", gib_to_bytes),
        # RDS publishes nothing until the instance is available, 10-20 minutes after `pulumi
        # up` creates it: no data is no verdict (breaching would page during every creation).
        missing_data="missing",
    ),
    AlarmSpec(
        role="freeable-memory",
        description="{subject} freeable memory below {rds_freeable_memory_mb} MiB for 15 min",
        namespace="AWS/RDS",
        metric="FreeableMemory",
        statistic="Average",
        period=300,
        evaluation_periods=3,
        comparison="LessThanThreshold",
        threshold=Setting("rds_freeable_memory_mb", mib_to_bytes),
        # As free storage: nothing is published while the instance is being created.
        missing_data="missing",
    ),
    AlarmSpec(
        role="connections",
        description=(
            "more than {rds_connections_percent}% of the {max_connections} connections the "
            "database class allows by default, for 10 minutes"
        ),
        namespace="AWS/RDS",
        metric="DatabaseConnections",
        statistic="Maximum",
        period=300,
        evaluation_periods=2,
        comparison="GreaterThanThreshold",
        threshold=ShareOfLimit("rds_connections_percent", limit=MAX_CONNECTIONS),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="read-latency",
        description="{subject} read latency above {rds_read_latency_ms} ms for 10 minutes",
        namespace="AWS/RDS",
        metric="ReadLatency",
        statistic="Average",
        period=300,
        evaluation_periods=2,
        comparison="GreaterThanThreshold",
        threshold=Setting("rds_read_latency_ms", ms_to_seconds),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="write-latency",
        description="{subject} write latency above {rds_write_latency_ms} ms for 10 minutes",
        namespace="AWS/RDS",
        metric="WriteLatency",
        statistic="Average",
        period=300,
        evaluation_periods=2,
        comparison="GreaterThanThreshold",
        threshold=Setting("rds_write_latency_ms", ms_to_seconds),
        missing_data="notBreaching",
    ),
)
"""The RDS instance (dimension `DBInstanceIdentifier`; limit `max_connections`)."""

REPLICA_ALARMS = (
    *DATABASE_ALARMS,
    AlarmSpec(
        role="replica-lag",
        description=(
            "{subject}: more than {rds_replica_lag_seconds} s behind the database for 10 minutes "
            "(its reads see old data)"
        ),
        namespace="AWS/RDS",
        metric="ReplicaLag",
        statistic="Maximum",
        period=300,
        evaluation_periods=2,
        comparison="GreaterThanThreshold",
        threshold=Setting("rds_replica_lag_seconds"),
        missing_data="notBreaching",
    ),
)
"""Each read replica (dimension `DBInstanceIdentifier`): the database's alarms and its lag."""

CACHE_NODE_ALARMS = (
    AlarmSpec(
        role="cpu",
        description="cache {subject}: engine CPU above {cache_cpu_percent}% for 15 minutes",
        namespace="AWS/ElastiCache",
        metric="EngineCPUUtilization",
        statistic="Average",
        period=300,
        evaluation_periods=3,
        comparison="GreaterThanThreshold",
        threshold=Setting("cache_cpu_percent"),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="memory",
        description="cache {subject}: memory above {cache_memory_percent}% of maxmemory",
        namespace="AWS/ElastiCache",
        metric="DatabaseMemoryUsagePercentage",
        statistic="Average",
        period=300,
        evaluation_periods=1,
        comparison="GreaterThanThreshold",
        threshold=Setting("cache_memory_percent"),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="evictions",
        description=(
            "cache {subject}: more than {cache_evictions} keys evicted in 5 minutes "
            "(memory pressure)"
        ),
        namespace="AWS/ElastiCache",
        metric="Evictions",
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        comparison="GreaterThanThreshold",
        threshold=Setting("cache_evictions"),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="connections",
        description=(
            "cache {subject}: more than {cache_connections} client connections for 10 minutes "
            "(a connection leak, or pools sized past what the node serves)"
        ),
        namespace="AWS/ElastiCache",
        metric="CurrConnections",
        statistic="Maximum",
        period=300,
        evaluation_periods=2,
        comparison="GreaterThanThreshold",
        threshold=Setting("cache_connections"),
        missing_data="notBreaching",
    ),
    AlarmSpec(
        role="hit-rate",
        description=(
            "cache {subject}: fewer than {cache_hit_rate_percent}% of lookups hit for 15 minutes "
            "(at least {cache_hit_rate_min_lookups} lookups in 5 minutes): keys expire or are "
            "evicted before they are read again"
        ),
        namespace="AWS/ElastiCache",
        # CacheHitRate itself has no floor: one miss in two lookups at night would fire it.
        metric=MetricMath(
            queries=(("hits", "CacheHits"), ("misses", "CacheMisses")),
            id="rate",
            expression=(
                "IF(FILL(hits, 0) + FILL(misses, 0) >= {cache_hit_rate_min_lookups}, "
                "100 * FILL(hits, 0) / (FILL(hits, 0) + FILL(misses, 0)), 100)"
            ),
            label="{subject} hit rate %",
        ),
        statistic="Sum",
        period=300,
        evaluation_periods=3,
        comparison="LessThanThreshold",
        threshold=Setting("cache_hit_rate_percent"),
        # No lookups, no rate: a quiet cache is not a cold one.
        missing_data="notBreaching",
    ),
)
"""Each member cluster (node) of the cache's replication group (dimension `CacheClusterId`):
ElastiCache publishes these metrics per node."""

CLOUDFRONT_ALARMS = (
    AlarmSpec(
        role="5xx",
        description="CloudFront answered more than {cloudfront_5xx_percent}% 5xx over 5 minutes",
        namespace="AWS/CloudFront",
        metric="5xxErrorRate",
        statistic="Average",
        period=300,
        evaluation_periods=1,
        comparison="GreaterThanThreshold",
        threshold=Setting("cloudfront_5xx_percent"),
        missing_data="notBreaching",
    ),
)
"""The CloudFront distribution (dimensions `DistributionId`, `Region=Global`; NOTE: CloudFront
metrics exist only in us-east-1)."""

ROLLBACK_ALARM_ROLES = tuple(spec.role for spec in TARGET_GROUP_ALARMS if spec.rolls_back)
"""The per-web-service alarms that roll a deployment back (their names end with these)."""
WORKER_ROLLBACK_ALARM_ROLES = tuple(spec.role for spec in WORKER_ALARMS if spec.rolls_back)
"""The per-worker alarms that roll a deployment back."""

_ROLLS_BACK = " Rolls a deployment back."


def alarm_name(prefix: str, scope: str, role: str) -> str:
    """`<prefix>-<scope>-<role>`: the alarm's name in CloudWatch (with the component's name as
    prefix, its logical name)."""
    return f"{prefix}-{scope}-{role}"


def rollback_alarm_names(prefix: str, service: str, *, web: bool = True) -> list[str]:
    """The CloudWatch alarm names that roll back `service`'s deployments (a web service's, or
    with `web=False` a worker's).

    Pure and known before any alarm exists, so the ECS service can name its deployment alarms
    while the monitoring component (composed last) creates alarms with exactly these names:
    no dependency cycle between the service and its alarms.
    """
    roles = ROLLBACK_ALARM_ROLES if web else WORKER_ROLLBACK_ALARM_ROLES
    return [alarm_name(prefix, service, role) for role in roles]


# ---------------------------------------------------------------------- spec -> alarm


def metric_alarm(
    spec: AlarmSpec,
    of: Watched,
    *,
    component: str,
    prefix: str,
    thresholds: Mapping[str, float],
    actions: Sequence[pulumi.Input[str]],
    enabled: bool,
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """Declares `spec`'s alarm on `of`, notifying `actions` on ALARM and OK (muted unless
    `enabled`); `thresholds` are the `Thresholds` fields by name."""
    words = {**thresholds, **of.limits, "subject": of.subject}
    description = spec.description.format(**words) + (_ROLLS_BACK if spec.rolls_back else "")
    return aws.cloudwatch.MetricAlarm(
        alarm_name(component, of.scope, spec.role),
        name=alarm_name(prefix, of.scope, spec.role),
        alarm_description=f"golive {prefix}: {description}",
        comparison_operator=spec.comparison,
        threshold=spec.threshold_value(thresholds, of),
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm or spec.evaluation_periods,
        treat_missing_data=spec.missing_data,
        **_metric_inputs(spec, of, words),
        actions_enabled=enabled,
        # CKV_AWS_319: every state change reaches the topic, including recovery.
        alarm_actions=actions,
        ok_actions=actions,
        region=of.region,
        opts=opts,
    )


def _metric_inputs(spec: AlarmSpec, of: Watched, words: Mapping[str, Any]) -> dict[str, Any]:
    """The alarm's metric: one metric and statistic, or metric queries and an expression."""
    if isinstance(spec.metric, str):
        statistic = "extended_statistic" if spec.statistic.startswith("p") else "statistic"
        return {
            "namespace": spec.namespace,
            "metric_name": spec.metric,
            "dimensions": dict(of.dimensions),
            "period": spec.period,
            statistic: spec.statistic,
        }
    math = spec.metric
    queries: list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict] = [
        {
            "id": query_id,
            "metric": {
                "namespace": spec.namespace,
                "metric_name": name,
                "dimensions": dict(of.dimensions),
                "stat": spec.statistic,
                "period": spec.period,
            },
            "return_data": False,
        }
        for query_id, name in math.queries
    ]
    queries.append(
        {
            "id": math.id,
            "expression": math.expression.format(**words),
            "label": math.label.format(**words),
            "return_data": True,
        }
    )
    return {"metric_queries": queries}
