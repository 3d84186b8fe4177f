"""Monitoring: the alarm topic, alarms per component, dashboard, budget and task-failure events.

Creates: an SNS topic encrypted with the stack's customer KMS key (whose policy admits
CloudWatch, AWS Budgets and EventBridge: none of them can publish to a topic under the
AWS-managed `aws/sns` key), a topic policy allowing Publish only to those three services acting
for this account, email subscriptions and an optional HTTPS webhook; CloudWatch alarms with ALARM
and OK actions for the load balancer and each web service's target group, each ECS service,
the database, the cache's member clusters and the CloudFront distribution; a dashboard of the
same metrics; a monthly AWS Budget filtered on the stack's cost-allocation tag; an EventBridge
rule that reports one-off and scheduled tasks of this stack's cluster stopping with a non-zero
exit code (or failing to start).

CloudFront publishes its metrics only in us-east-1 (dimension `Region=Global`), and an alarm can
only notify a topic in its own region: a stack elsewhere gets a second topic in us-east-1, under
a us-east-1 customer key (keys are regional), with the same subscribers.

Deployment rollback: the ECS service of each web service names its alarms before they exist,
with `rollback_alarm_names(prefix, service)`, and this component creates alarms with exactly
those names (1-minute periods, so a release's bake time stays short). No dependency cycle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_facts.regions import GLOBAL_SERVICES_REGION
from components.keys import StackKey, StackKeyArgs

ROLLBACK_ALARM_ROLES = ("target-5xx", "unhealthy-hosts")
"""The per-web-service alarms that roll a deployment back (their names end with these)."""

CLOUDFRONT_METRICS_REGION = GLOBAL_SERVICES_REGION
"""CloudFront's metrics, and so its alarms and the topic they notify, live here."""

RESERVED_ALARM_SCOPES = ("alb", "rds", "cache", "cloudfront")
"""Name parts of the stack-wide alarms (`<prefix>-rds-cpu`); a service must not be named so."""

GIB = 1024**3
MIB = 1024**2
DASHBOARD_WIDTH = 24
ALARM_WIDGET_MAX = 100
"""An alarm-status widget shows at most 100 alarms."""


def rollback_alarm_names(prefix: str, service: str) -> list[str]:
    """The CloudWatch alarm names that roll back `service`'s deployments.

    Pure and known before any alarm exists, so the ECS service can name its deployment alarms
    while the monitoring component (composed last) creates alarms with exactly these names:
    no dependency cycle between the service and its alarms.
    """
    return [f"{prefix}-{service}-{role}" for role in ROLLBACK_ALARM_ROLES]


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """Alarm thresholds; the defaults are those of `golive:alarms.thresholds` (a test holds
    them equal)."""

    target_5xx_percent: float = 1.0
    """Target 5xx as % of requests per minute (control list: >1%)."""
    target_5xx_min_requests: int = 10
    """Requests a minute below which the 5xx rate counts as 0."""
    elb_5xx_per_minute: int = 0
    """ALB-generated 5xx per minute (control list: >0)."""
    response_time_p95_seconds: float = 1.0
    """p95 target response time in seconds."""
    ecs_cpu_percent: float = 80
    """ECS service average CPU (control list: >80% for 5 minutes)."""
    ecs_memory_percent: float = 80
    """ECS service average memory (control list: >80% for 5 minutes)."""
    rds_cpu_percent: float = 80
    """Database CPU (AWS guidance: >80% for 3 x 5 minutes)."""
    rds_free_storage_gb: float = 2
    """Free storage floor in GiB (cloudposse default: 2 GB)."""
    rds_freeable_memory_mb: float = 64
    """Freeable memory floor in MiB (cloudposse default: 64 MB)."""
    rds_connections: int = 70
    """Connections ceiling (~80% of a db.t4g.micro's max_connections, about 85)."""
    rds_read_latency_ms: float = 20
    """Average read latency ceiling in milliseconds."""
    rds_write_latency_ms: float = 20
    """Average write latency ceiling in milliseconds."""
    cache_cpu_percent: float = 80
    """Cache (Valkey or Redis) engine CPU."""
    cache_memory_percent: float = 80
    """Cache memory used, % of maxmemory."""
    cache_evictions: int = 0
    """Evictions per 5 minutes."""
    cloudfront_5xx_percent: float = 1.0
    """CloudFront 5xx error rate in % (control list: >1%)."""


@dataclass(frozen=True, kw_only=True)
class MonitoringArgs:
    account_id: str
    """The account: topic-policy conditions (`aws:SourceAccount`) and ARNs."""
    region: str
    """The stack's region: alarms, dashboard, topic and rule live here."""
    alarm_prefix: str
    """Prefix of every alarm name (`<app>-<stack>`); the same one compute passes to
    `rollback_alarm_names`."""
    kms_key_arn: pulumi.Input[str]
    """The stack's customer key for the topic; its policy must admit cloudwatch, budgets and
    events (`components.keys`)."""
    partition: str = "aws"
    """ARN partition."""
    protect: bool = False
    """Protect the us-east-1 topic key (only created for CloudFront alarms of a stack outside
    us-east-1)."""
    emails: Sequence[str] = ()
    """Email addresses subscribed to the alarm topics (each must confirm the subscription)."""
    webhook_url: str | None = None
    """Optional HTTPS endpoint subscribed to the alarm topics (kept secret in state: webhook
    URLs often carry a token)."""
    notifications_enabled: bool = True
    """False keeps every alarm (dashboard, deployment rollback) with its actions muted."""
    thresholds: Thresholds = Thresholds()
    """Alarm thresholds."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    """The shared ALB's ARN suffix (`app/<name>/<id>`), the `LoadBalancer` dimension."""
    target_groups: Mapping[str, pulumi.Input[str]] = field(
        default_factory=dict[str, pulumi.Input[str]]
    )
    """Web service name -> its target group's ARN suffix (`targetgroup/<name>/<id>`)."""
    cluster_name: pulumi.Input[str] | None = None
    """The ECS cluster's name, the `ClusterName` dimension."""
    cluster_arn: pulumi.Input[str] | None = None
    """The ECS cluster's ARN, for the task-failure rule."""
    services: Mapping[str, pulumi.Input[str]] = field(default_factory=dict[str, pulumi.Input[str]])
    """Service name in the stack file -> ECS service name (web services and workers)."""
    db_instance_identifier: pulumi.Input[str] | None = None
    """The RDS instance identifier, the `DBInstanceIdentifier` dimension."""
    cache_replication_group_id: pulumi.Input[str] | None = None
    """The cache replication group (dashboard title); None when the stack has no cache."""
    cache_member_cluster_ids: Sequence[pulumi.Input[str]] = ()
    """The replication group's member clusters (`<group>-001`...), the `CacheClusterId`
    dimension: cache metrics are per node."""
    cloudfront_distribution_id: pulumi.Input[str] | None = None
    """The CloudFront distribution, the `DistributionId` dimension (with `Region=Global`)."""
    budget_monthly_usd: float | None = None
    """Monthly budget in USD; None creates no budget."""
    cost_tag_key: str = "golive:stack"
    """The cost-allocation tag the budget filters on (in every resource's default tags)."""
    cost_tag_value: str = ""
    """This stack's value of that tag (the stack name)."""


@dataclass(frozen=True)
class _Metric:
    """One CloudWatch metric of this stack: namespace, name and dimensions."""

    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]

    def widget_row(self, **options: Any) -> list[Any]:
        row: list[Any] = [self.namespace, self.name]
        for key, value in self.dimensions.items():
            row += [key, value]
        return [*row, options] if options else row


class Monitoring(pulumi.ComponentResource):
    """Alarms with notifications, a dashboard, a budget and task-failure events for one stack.

    Example::

        monitoring = Monitoring("auction-prod", MonitoringArgs(account_id=account,
            region="us-east-1", alarm_prefix="auction-prod", kms_key_arn=key.arn,
            emails=["ops@example.com"], load_balancer_arn_suffix=alb.arn_suffix,
            target_groups={"api": api.target_group_arn_suffix}, cluster_name=cluster.name,
            cluster_arn=cluster.arn, services={"api": api.service_name},
            db_instance_identifier=database.identifier, budget_monthly_usd=250,
            cost_tag_value="prod"))

    Cost: $0.10/month per alarm metric (the 5xx-rate and running-vs-desired alarms use two:
    $0.20; the first 10 are free), so ~$2-4/month for one web service, a database and a
    cache; the dashboard $3/month (3 free per account); email notifications free up to 1,000
    a month; the budget and the EventBridge rule free; outside us-east-1 one more KMS key
    ($1/month) for the CloudFront alarm's topic.
    """

    topic_arn: pulumi.Output[str]
    """The alarm topic in the stack's region (`alarmTopicArn`)."""
    global_topic_arn: pulumi.Output[str] | None
    """The us-east-1 topic for CloudFront alarms; None when the stack lives in us-east-1."""
    alarm_names: list[str]
    """Every alarm's name (plain strings, known at plan time)."""
    alarm_arns: list[pulumi.Output[str]]
    dashboard_name: pulumi.Output[str]
    budget_name: pulumi.Output[str] | None
    task_failure_rule_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Monitoring", name, None, opts)
        _check_args(args)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._alarms: list[aws.cloudwatch.MetricAlarm] = []
        self._names: list[str] = []
        self._topic_policies: list[aws.sns.TopicPolicy] = []
        self._regional_alarm_arns: list[pulumi.Output[str]] = []
        self._metrics: list[_Metric] = []

        self._rule = self._create_task_failure_rule()
        self._topic = self._create_topic(
            "alarms", key_arn=args.kms_key_arn, region=None, rule=self._rule
        )
        self._global_topic = self._create_global_topic()
        self._create_load_balancer_alarms()
        self._create_service_alarms()
        self._create_database_alarms()
        self._create_cache_alarms()
        self._create_cloudfront_alarms()
        if self._rule is not None:
            aws.cloudwatch.EventTarget(
                f"{name}-task-failures",
                rule=self._rule.name,
                arn=self._topic.arn,
                target_id="alarm-topic",
                opts=self._child,
            )
        budget = self._create_budget()
        dashboard = self._create_dashboard()

        self.topic_arn = self._topic.arn
        self.global_topic_arn = self._global_topic.arn if self._global_topic else None
        self.alarm_names = list(self._names)
        self.alarm_arns = [a.arn for a in self._alarms]
        self.dashboard_name = dashboard.dashboard_name
        self.budget_name = budget.name if budget else None
        self.task_failure_rule_arn = self._rule.arn if self._rule else None
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "globalTopicArn": self.global_topic_arn,
                "alarmNames": self.alarm_names,
                "dashboardName": self.dashboard_name,
                "budgetName": self.budget_name,
            }
        )

    # ------------------------------------------------------------------ notifications

    def _create_topic(
        self,
        role: str,
        *,
        key_arn: pulumi.Input[str],
        region: str | None,
        rule: aws.cloudwatch.EventRule | None,
    ) -> aws.sns.Topic:
        args = self._args
        name = self._name
        topic = aws.sns.Topic(
            f"{name}-{role}",
            display_name=f"golive {args.alarm_prefix}",
            # SNS.1: a customer key. NOTE: CloudWatch cannot publish to a topic under the
            # AWS-managed aws/sns key (its policy admits no service principal).
            kms_master_key_id=key_arn,
            region=region,
            opts=self._child,
        )
        alarm_region = region or args.region
        policy = topic.arn.apply(
            lambda arn: _topic_policy(
                arn,
                account_id=args.account_id,
                partition=args.partition,
                alarm_region=alarm_region,
                alarm_prefix=args.alarm_prefix,
                budgets=region is None and args.budget_monthly_usd is not None,
            )
        )
        if rule is not None:
            policy = pulumi.Output.all(policy, rule.arn).apply(
                lambda values: _with_event_rule(values[0], values[1], args.account_id)
            )
        self._topic_policies.append(
            aws.sns.TopicPolicy(
                f"{name}-{role}-policy",
                arn=topic.arn,
                policy=policy,
                region=region,
                opts=self._child,
            )
        )
        for email in args.emails:
            aws.sns.TopicSubscription(
                # Keyed by the address, so reordering the list never replaces a subscription
                # (a replaced subscription has to be confirmed again).
                f"{name}-{role}-email-{email.lower()}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                region=region,
                opts=self._child,
            )
        if args.webhook_url is not None:
            aws.sns.TopicSubscription(
                f"{name}-{role}-webhook",
                topic=topic.arn,
                protocol="https",
                endpoint=pulumi.Output.secret(args.webhook_url),
                region=region,
                opts=self._child,
            )
        return topic

    def _create_global_topic(self) -> aws.sns.Topic | None:
        args = self._args
        if args.cloudfront_distribution_id is None or args.region == CLOUDFRONT_METRICS_REGION:
            return None
        key = StackKey(
            f"{self._name}-global",
            StackKeyArgs(
                account_id=args.account_id,
                region=args.region,
                alias=f"golive/{args.alarm_prefix}-global",
                protect=args.protect,
                key_region=CLOUDFRONT_METRICS_REGION,
            ),
            opts=self._child,
        )
        return self._create_topic(
            "global-alarms", key_arn=key.arn, region=CLOUDFRONT_METRICS_REGION, rule=None
        )

    def _actions(self, region: str | None) -> list[pulumi.Output[str]]:
        """The topic in the alarm's own region (an alarm cannot notify another region)."""
        if region is not None and region != self._args.region:
            assert self._global_topic is not None
            return [self._global_topic.arn]
        return [self._topic.arn]

    # ------------------------------------------------------------------ alarms

    def _alarm(
        self,
        suffix: str,
        *,
        description: str,
        comparison: str,
        threshold: float,
        evaluation_periods: int,
        treat_missing_data: str,
        datapoints_to_alarm: int | None = None,
        metric: _Metric | None = None,
        period: int | None = None,
        statistic: str | None = None,
        extended_statistic: str | None = None,
        metric_queries: Sequence[aws.cloudwatch.MetricAlarmMetricQueryArgsDict] | None = None,
        region: str | None = None,
    ) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        alarm_name = f"{args.alarm_prefix}-{suffix}"
        actions = self._actions(region)
        alarm = aws.cloudwatch.MetricAlarm(
            f"{self._name}-{suffix}",
            name=alarm_name,
            alarm_description=f"golive {args.alarm_prefix}: {description}",
            comparison_operator=comparison,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm or evaluation_periods,
            treat_missing_data=treat_missing_data,
            namespace=metric.namespace if metric else None,
            metric_name=metric.name if metric else None,
            dimensions=dict(metric.dimensions) if metric else None,
            period=period,
            statistic=statistic,
            extended_statistic=extended_statistic,
            metric_queries=metric_queries,
            actions_enabled=args.notifications_enabled,
            # CKV_AWS_319: every state change reaches the topic, including recovery.
            alarm_actions=actions,
            ok_actions=actions,
            region=region,
            opts=self._child,
        )
        self._names.append(alarm_name)
        self._alarms.append(alarm)
        if region is None or region == args.region:
            self._regional_alarm_arns.append(alarm.arn)
        return alarm

    def _create_load_balancer_alarms(self) -> None:
        args = self._args
        t = args.thresholds
        if args.load_balancer_arn_suffix is None:
            return
        lb = {"LoadBalancer": args.load_balancer_arn_suffix}
        elb_5xx = _Metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb)
        self._alarm(
            "alb-5xx",
            description=(
                f"the load balancer itself answered more than {t.elb_5xx_per_minute} 5xx in a "
                "minute (no healthy target, target timeouts or connection errors)"
            ),
            metric=elb_5xx,
            statistic="Sum",
            period=60,
            evaluation_periods=1,
            comparison="GreaterThanThreshold",
            threshold=t.elb_5xx_per_minute,
            # ALB publishes 5xx counts only when there are some: no data means none.
            treat_missing_data="notBreaching",
        )
        self._metrics.append(elb_5xx)
        for service, suffix in args.target_groups.items():
            self._create_target_group_alarms(service, {**lb, "TargetGroup": suffix})

    def _create_target_group_alarms(
        self, service: str, dimensions: Mapping[str, pulumi.Input[str]]
    ) -> None:
        t = self._args.thresholds
        errors = _Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dimensions)
        requests = _Metric("AWS/ApplicationELB", "RequestCount", dimensions)
        unhealthy = _Metric("AWS/ApplicationELB", "UnHealthyHostCount", dimensions)
        healthy = _Metric("AWS/ApplicationELB", "HealthyHostCount", dimensions)
        latency = _Metric("AWS/ApplicationELB", "TargetResponseTime", dimensions)
        self._metrics += [requests, errors, latency, healthy, unhealthy]
        target_5xx, unhealthy_hosts = ROLLBACK_ALARM_ROLES
        # Rollback alarms: 1-minute periods so a release's bake time stays short.
        self._alarm(
            f"{service}-{target_5xx}",
            description=(
                f"{service}: more than {t.target_5xx_percent}% of requests answered 5xx for 2 "
                f"minutes (at least {t.target_5xx_min_requests} requests a minute). Rolls a "
                "deployment back."
            ),
            metric_queries=[
                _query("errors", errors, "Sum", 60),
                _query("requests", requests, "Sum", 60),
                {
                    "id": "rate",
                    "expression": (
                        f"IF(requests >= {t.target_5xx_min_requests}, "
                        "100 * FILL(errors, 0) / requests, 0)"
                    ),
                    "label": f"{service} target 5xx %",
                    "return_data": True,
                },
            ],
            evaluation_periods=2,
            comparison="GreaterThanThreshold",
            threshold=t.target_5xx_percent,
            # No requests, no rate: not an outage (the healthy-host alarm covers "nothing up").
            treat_missing_data="notBreaching",
        )
        self._alarm(
            f"{service}-{unhealthy_hosts}",
            description=(
                f"{service}: at least one target failed its health check for 2 minutes. "
                "Rolls a deployment back."
            ),
            metric=unhealthy,
            statistic="Maximum",
            period=60,
            evaluation_periods=2,
            comparison="GreaterThanOrEqualToThreshold",
            threshold=1,
            treat_missing_data="notBreaching",
        )
        self._alarm(
            f"{service}-no-healthy-hosts",
            description=f"{service}: no healthy target for 2 minutes (the service is down)",
            metric=healthy,
            statistic="Minimum",
            period=60,
            evaluation_periods=2,
            comparison="LessThanThreshold",
            threshold=1,
            # No data means no evidence that anything is up.
            treat_missing_data="breaching",
        )
        self._alarm(
            f"{service}-p95-latency",
            description=(
                f"{service}: p95 response time above {t.response_time_p95_seconds} s in 3 of "
                "the last 5 minutes"
            ),
            metric=latency,
            extended_statistic="p95",
            period=60,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            comparison="GreaterThanThreshold",
            threshold=t.response_time_p95_seconds,
            # Published only with requests: quiet is not slow.
            treat_missing_data="notBreaching",
        )

    def _create_service_alarms(self) -> None:
        args = self._args
        t = args.thresholds
        if args.cluster_name is None:
            return
        for service, service_name in args.services.items():
            dimensions = {"ClusterName": args.cluster_name, "ServiceName": service_name}
            cpu = _Metric("AWS/ECS", "CPUUtilization", dimensions)
            memory = _Metric("AWS/ECS", "MemoryUtilization", dimensions)
            running = _Metric("ECS/ContainerInsights", "RunningTaskCount", dimensions)
            desired = _Metric("ECS/ContainerInsights", "DesiredTaskCount", dimensions)
            self._metrics += [cpu, memory, running, desired]
            for what, metric, threshold in (
                ("cpu", cpu, t.ecs_cpu_percent),
                ("memory", memory, t.ecs_memory_percent),
            ):
                self._alarm(
                    f"{service}-{what}",
                    description=f"{service}: average {what} above {threshold}% for 5 minutes",
                    metric=metric,
                    statistic="Average",
                    period=60,
                    evaluation_periods=5,
                    comparison="GreaterThanThreshold",
                    threshold=threshold,
                    # No tasks, no utilization (before the first release).
                    treat_missing_data="notBreaching",
                )
            self._alarm(
                f"{service}-tasks-below-desired",
                description=(
                    f"{service}: fewer tasks running than desired in 8 of the last 10 minutes "
                    "(tasks crash, fail health checks or cannot be placed)"
                ),
                metric_queries=[
                    _query("running", running, "Average", 60),
                    _query("desired", desired, "Average", 60),
                    {
                        "id": "missing",
                        "expression": "desired - FILL(running, 0)",
                        "label": f"{service} tasks missing",
                        "return_data": True,
                    },
                ],
                evaluation_periods=10,
                datapoints_to_alarm=8,
                comparison="GreaterThanThreshold",
                threshold=0,
                # Container Insights (ECS.12) reports both every minute; a gap is no evidence.
                treat_missing_data="notBreaching",
            )

    def _create_database_alarms(self) -> None:
        args = self._args
        t = args.thresholds
        if args.db_instance_identifier is None:
            return
        db = {"DBInstanceIdentifier": args.db_instance_identifier}

        def metric(name: str) -> _Metric:
            found = _Metric("AWS/RDS", name, db)
            self._metrics.append(found)
            return found

        self._alarm(
            "rds-cpu",
            description=f"database CPU above {t.rds_cpu_percent}% for 15 minutes",
            metric=metric("CPUUtilization"),
            statistic="Average",
            period=300,
            evaluation_periods=3,
            comparison="GreaterThanThreshold",
            threshold=t.rds_cpu_percent,
            treat_missing_data="notBreaching",
        )
        self._alarm(
            "rds-free-storage",
            description=f"database free storage below {t.rds_free_storage_gb} GiB",
            metric=metric("FreeStorageSpace"),
            statistic="Minimum",
            period=300,
            evaluation_periods=1,
            comparison="LessThanThreshold",
            threshold=t.rds_free_storage_gb * GIB,
            # RDS reports storage every minute while the instance exists: silence is a problem.
            treat_missing_data="breaching",
        )
        self._alarm(
            "rds-freeable-memory",
            description=f"database freeable memory below {t.rds_freeable_memory_mb} MiB for 15 min",
            metric=metric("FreeableMemory"),
            statistic="Average",
            period=300,
            evaluation_periods=3,
            comparison="LessThanThreshold",
            threshold=t.rds_freeable_memory_mb * MIB,
            treat_missing_data="breaching",
        )
        self._alarm(
            "rds-connections",
            description=f"more than {t.rds_connections} database connections for 10 minutes",
            metric=metric("DatabaseConnections"),
            statistic="Maximum",
            period=300,
            evaluation_periods=2,
            comparison="GreaterThanThreshold",
            threshold=t.rds_connections,
            treat_missing_data="notBreaching",
        )
        for what, name, threshold_ms in (
            ("read", "ReadLatency", t.rds_read_latency_ms),
            ("write", "WriteLatency", t.rds_write_latency_ms),
        ):
            self._alarm(
                f"rds-{what}-latency",
                description=f"database {what} latency above {threshold_ms} ms for 10 minutes",
                metric=metric(name),
                statistic="Average",
                period=300,
                evaluation_periods=2,
                comparison="GreaterThanThreshold",
                threshold=threshold_ms / 1000,  # the metric is in seconds
                treat_missing_data="notBreaching",
            )

    def _create_cache_alarms(self) -> None:
        t = self._args.thresholds
        for number, cluster_id in enumerate(self._args.cache_member_cluster_ids, start=1):
            node = {"CacheClusterId": cluster_id}
            cpu = _Metric("AWS/ElastiCache", "EngineCPUUtilization", node)
            memory = _Metric("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", node)
            evictions = _Metric("AWS/ElastiCache", "Evictions", node)
            self._metrics += [cpu, memory, evictions]
            self._alarm(
                f"cache-{number}-cpu",
                description=(
                    f"cache node {number}: engine CPU above {t.cache_cpu_percent}% for 15 minutes"
                ),
                metric=cpu,
                statistic="Average",
                period=300,
                evaluation_periods=3,
                comparison="GreaterThanThreshold",
                threshold=t.cache_cpu_percent,
                treat_missing_data="notBreaching",
            )
            self._alarm(
                f"cache-{number}-memory",
                description=(
                    f"cache node {number}: memory above {t.cache_memory_percent}% of maxmemory"
                ),
                metric=memory,
                statistic="Average",
                period=300,
                evaluation_periods=1,
                comparison="GreaterThanThreshold",
                threshold=t.cache_memory_percent,
                treat_missing_data="notBreaching",
            )
            self._alarm(
                f"cache-{number}-evictions",
                description=(
                    f"cache node {number}: more than {t.cache_evictions} keys evicted in 5 "
                    "minutes (memory pressure)"
                ),
                metric=evictions,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                comparison="GreaterThanThreshold",
                threshold=t.cache_evictions,
                treat_missing_data="notBreaching",
            )

    def _create_cloudfront_alarms(self) -> None:
        args = self._args
        if args.cloudfront_distribution_id is None:
            return
        rate = _Metric(
            "AWS/CloudFront",
            "5xxErrorRate",
            {"DistributionId": args.cloudfront_distribution_id, "Region": "Global"},
        )
        self._metrics.append(rate)
        self._alarm(
            "cloudfront-5xx",
            description=(
                f"CloudFront answered more than {args.thresholds.cloudfront_5xx_percent}% 5xx "
                "over 5 minutes"
            ),
            metric=rate,
            statistic="Average",
            period=300,
            evaluation_periods=1,
            comparison="GreaterThanThreshold",
            threshold=args.thresholds.cloudfront_5xx_percent,
            treat_missing_data="notBreaching",
            # NOTE: CloudFront metrics exist only in us-east-1.
            region=CLOUDFRONT_METRICS_REGION,
        )

    # ------------------------------------------------------------------ events and budget

    def _create_task_failure_rule(self) -> aws.cloudwatch.EventRule | None:
        args = self._args
        if args.cluster_arn is None:
            return None
        pattern = pulumi.Output.json_dumps(
            {
                "source": ["aws.ecs"],
                "detail-type": ["ECS Task State Change"],
                "detail": {
                    "clusterArn": [args.cluster_arn],
                    "lastStatus": ["STOPPED"],
                    # Service tasks are stopped on every deployment and scale-in: their health
                    # is the alarms' job. One-off and scheduled tasks are grouped `family:...`.
                    "group": [{"anything-but": {"prefix": "service:"}}],
                    "$or": [
                        {"containers": {"exitCode": [{"anything-but": 0}]}},
                        # A task that never started (image pull, secrets) reports no exit code.
                        {"stopCode": ["TaskFailedToStart"]},
                    ],
                },
            }
        )
        return aws.cloudwatch.EventRule(
            f"{self._name}-task-failures",
            description=(
                f"golive {args.alarm_prefix}: a one-off or scheduled task stopped with a "
                "non-zero exit code or failed to start"
            ),
            event_pattern=pattern,
            opts=self._child,
        )

    def _create_budget(self) -> aws.budgets.Budget | None:
        args = self._args
        if args.budget_monthly_usd is None:
            return None
        notifications: list[aws.budgets.BudgetNotificationArgsDict] = [
            {
                "comparison_operator": "GREATER_THAN",
                "notification_type": kind,
                "threshold": percent,
                "threshold_type": "PERCENTAGE",
                "subscriber_sns_topic_arns": [self._topic.arn],
            }
            for kind, percent in (("ACTUAL", 80), ("FORECASTED", 100))
        ]
        return aws.budgets.Budget(
            f"{self._name}-budget",
            name=f"{args.alarm_prefix}-monthly",
            budget_type="COST",
            limit_amount=f"{args.budget_monthly_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            # NOTE: AWS counts a tag in budgets only once it is activated as a cost-allocation
            # tag (Billing console or `aws ce update-cost-allocation-tags-status`), which AWS
            # allows about a day after the tag is first used; costs before that are not counted.
            cost_filters=[
                {
                    "name": "TagKeyValue",
                    "values": [f"user:{args.cost_tag_key}${args.cost_tag_value}"],
                }
            ],
            notifications=notifications,
            # Budgets checks that it may publish to the topic when a notification is saved.
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._topic_policies[:1]),
        )

    # ------------------------------------------------------------------ dashboard

    def _create_dashboard(self) -> aws.cloudwatch.Dashboard:
        args = self._args
        widgets = _DashboardLayout()
        # A heading (and a dashboard that is never empty, which PutDashboard refuses).
        widgets.add(
            {
                "type": "text",
                "properties": {
                    "markdown": (
                        f"# {args.alarm_prefix}\n"
                        f"golive stack in {args.region}: alarms notify the topic "
                        "`alarmTopicArn` (stack output). CloudFront metrics are in us-east-1."
                    )
                },
            },
            width=DASHBOARD_WIDTH,
            height=2,
        )
        widgets.new_row()
        if self._regional_alarm_arns:
            for start in range(0, len(self._regional_alarm_arns), ALARM_WIDGET_MAX):
                chunk = self._regional_alarm_arns[start : start + ALARM_WIDGET_MAX]
                widgets.add(
                    {
                        "type": "alarm",
                        "properties": {
                            "title": f"{args.alarm_prefix} alarms",
                            "alarms": chunk,
                            "sortBy": "stateUpdatedTimestamp",
                        },
                    },
                    width=DASHBOARD_WIDTH,
                    height=3 + len(chunk) // 8,
                )
        self._load_balancer_widgets(widgets)
        self._service_widgets(widgets)
        self._database_widgets(widgets)
        self._cache_widgets(widgets)
        self._cloudfront_widgets(widgets)
        return aws.cloudwatch.Dashboard(
            f"{self._name}-dashboard",
            dashboard_name=args.alarm_prefix,
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets.widgets}),
            opts=self._child,
        )

    def _graph(
        self,
        widgets: _DashboardLayout,
        title: pulumi.Input[str],
        rows: list[list[Any]],
        *,
        stat: str,
        period: int = 60,
        region: str | None = None,
        width: int = 8,
    ) -> None:
        widgets.add(
            {
                "type": "metric",
                "properties": {
                    "title": title,
                    "region": region or self._args.region,
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

    def _find(self, namespace: str, name: str) -> list[_Metric]:
        return [m for m in self._metrics if (m.namespace, m.name) == (namespace, name)]

    def _load_balancer_widgets(self, widgets: _DashboardLayout) -> None:
        elb = "AWS/ApplicationELB"
        if not self._find(elb, "HTTPCode_ELB_5XX_Count"):
            return
        services = list(self._args.target_groups)

        def per_service(metric_name: str, **options: Any) -> list[list[Any]]:
            return [
                m.widget_row(label=f"{service} {metric_name}", **options)
                for service, m in zip(services, self._find(elb, metric_name), strict=True)
            ]

        widgets.new_row()
        self._graph(
            widgets,
            "Requests and 5xx (per minute)",
            [
                *per_service("RequestCount"),
                *per_service("HTTPCode_Target_5XX_Count"),
                *[
                    m.widget_row(label="load balancer 5xx")
                    for m in self._find(elb, "HTTPCode_ELB_5XX_Count")
                ],
            ],
            stat="Sum",
        )
        self._graph(widgets, "Response time p95 (s)", per_service("TargetResponseTime"), stat="p95")
        self._graph(
            widgets,
            "Healthy and unhealthy targets",
            [*per_service("HealthyHostCount"), *per_service("UnHealthyHostCount")],
            stat="Minimum",
        )

    def _service_widgets(self, widgets: _DashboardLayout) -> None:
        services = list(self._args.services)
        if not services or self._args.cluster_name is None:
            return

        def per_service(namespace: str, metric_name: str, what: str) -> list[list[Any]]:
            return [
                m.widget_row(label=f"{service} {what}")
                for service, m in zip(services, self._find(namespace, metric_name), strict=True)
            ]

        widgets.new_row()
        self._graph(
            widgets, "ECS CPU %", per_service("AWS/ECS", "CPUUtilization", "cpu"), stat="Average"
        )
        self._graph(
            widgets,
            "ECS memory %",
            per_service("AWS/ECS", "MemoryUtilization", "memory"),
            stat="Average",
        )
        self._graph(
            widgets,
            "ECS tasks running / desired",
            [
                *per_service("ECS/ContainerInsights", "RunningTaskCount", "running"),
                *per_service("ECS/ContainerInsights", "DesiredTaskCount", "desired"),
            ],
            stat="Average",
        )

    def _database_widgets(self, widgets: _DashboardLayout) -> None:
        rds = "AWS/RDS"
        if not self._find(rds, "CPUUtilization"):
            return

        def rows(*names: str) -> list[list[Any]]:
            return [m.widget_row(label=name) for name in names for m in self._find(rds, name)]

        widgets.new_row()
        self._graph(
            widgets, "Database CPU %", rows("CPUUtilization"), stat="Average", period=300, width=6
        )
        self._graph(
            widgets,
            "Database connections",
            rows("DatabaseConnections"),
            stat="Maximum",
            period=300,
            width=6,
        )
        self._graph(
            widgets,
            "Database free storage and memory (bytes)",
            rows("FreeStorageSpace", "FreeableMemory"),
            stat="Minimum",
            period=300,
            width=6,
        )
        self._graph(
            widgets,
            "Database latency (s)",
            rows("ReadLatency", "WriteLatency"),
            stat="Average",
            period=300,
            width=6,
        )

    def _cache_widgets(self, widgets: _DashboardLayout) -> None:
        cache = "AWS/ElastiCache"
        if not self._find(cache, "EngineCPUUtilization"):
            return
        group = self._args.cache_replication_group_id

        def rows(name: str) -> list[list[Any]]:
            return [
                m.widget_row(label=f"node {number}")
                for number, m in enumerate(self._find(cache, name), start=1)
            ]

        title = pulumi.Output.concat("Cache ", group) if group is not None else "Cache"
        widgets.new_row()
        for what, name, stat in (
            ("engine CPU %", "EngineCPUUtilization", "Average"),
            ("memory % of maxmemory", "DatabaseMemoryUsagePercentage", "Average"),
            ("evictions", "Evictions", "Sum"),
        ):
            self._graph(
                widgets, pulumi.Output.concat(title, " ", what), rows(name), stat=stat, period=300
            )

    def _cloudfront_widgets(self, widgets: _DashboardLayout) -> None:
        rates = self._find("AWS/CloudFront", "5xxErrorRate")
        if not rates:
            return
        (rate,) = rates
        requests = _Metric("AWS/CloudFront", "Requests", rate.dimensions)
        widgets.new_row()
        self._graph(
            widgets,
            "CloudFront requests",
            [requests.widget_row(label="requests")],
            stat="Sum",
            period=300,
            region=CLOUDFRONT_METRICS_REGION,
            width=12,
        )
        self._graph(
            widgets,
            "CloudFront 5xx error rate %",
            [rate.widget_row(label="5xx %")],
            stat="Average",
            period=300,
            region=CLOUDFRONT_METRICS_REGION,
            width=12,
        )


class _DashboardLayout:
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


def _query(
    query_id: str, metric: _Metric, stat: str, period: int
) -> aws.cloudwatch.MetricAlarmMetricQueryArgsDict:
    return {
        "id": query_id,
        "metric": {
            "namespace": metric.namespace,
            "metric_name": metric.name,
            "dimensions": dict(metric.dimensions),
            "stat": stat,
            "period": period,
        },
        "return_data": False,
    }


def _check_args(args: MonitoringArgs) -> None:
    if args.target_groups and args.load_balancer_arn_suffix is None:
        raise ValueError("MonitoringArgs.target_groups needs load_balancer_arn_suffix")
    if args.services and args.cluster_name is None:
        raise ValueError("MonitoringArgs.services needs cluster_name")
    if args.budget_monthly_usd is not None and not args.cost_tag_value:
        raise ValueError("MonitoringArgs.budget_monthly_usd needs cost_tag_value")
    reserved = sorted(set(args.services) & set(RESERVED_ALARM_SCOPES))
    if reserved:
        raise ValueError(
            f"services named {reserved} would share alarm names with the stack-wide alarms "
            f"({', '.join(RESERVED_ALARM_SCOPES)}): rename them"
        )


def _topic_policy(
    topic_arn: str,
    *,
    account_id: str,
    partition: str,
    alarm_region: str,
    alarm_prefix: str,
    budgets: bool,
) -> str:
    # SNS.4: no bare "*" principal; each service may publish only for this account's own
    # alarms (aws:SourceArn), so another account's alarm cannot use this topic.
    statements: list[dict[str, Any]] = [
        {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {
                    "aws:SourceArn": (
                        f"arn:{partition}:cloudwatch:{alarm_region}:{account_id}:alarm:"
                        f"{alarm_prefix}-*"
                    )
                },
            },
        }
    ]
    if budgets:
        statements.append(
            {
                "Sid": "BudgetsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "budgets.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:budgets::{account_id}:*"},
                },
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _with_event_rule(policy: str, rule_arn: str, account_id: str) -> str:
    document = json.loads(policy)
    document["Statement"].append(
        {
            "Sid": "EventBridgeTaskFailuresPublish",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": document["Statement"][0]["Resource"],
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnEquals": {"aws:SourceArn": rule_arn},
            },
        }
    )
    return json.dumps(document)
