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
the stack's us-east-1 customer key (keys are regional; the stack layer creates it, the WAF's logs
use it too), with the same subscribers.

What each alarm watches (metric, statistic, periods, threshold, missing data) is a table of
specs per tier in `components.alarms`; this component pairs every resource it is handed with its
tier's specs. The dashboard's widgets are laid out by `components.dashboard`.

Deployment rollback: the ECS service of each web service and each worker names its alarms
before they exist, with `rollback_alarm_names(prefix, service, web=...)`, and this component
creates alarms with exactly those names (1-minute periods, so a release's bake time stays
short). No dependency cycle.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_facts.rds import default_max_connections
from aws_facts.regions import GLOBAL_SERVICES_REGION
from components import naming
from components.alarms import (
    CACHE_NODE_ALARMS,
    CLOUDFRONT_ALARMS,
    DATABASE_ALARMS,
    LOAD_BALANCER_ALARMS,
    MAX_CONNECTIONS,
    REPLICA_ALARMS,
    ROLLBACK_ALARM_ROLES,
    SERVICE_ALARMS,
    TARGET_GROUP_ALARMS,
    WORKER_ALARMS,
    AlarmSpec,
    Watched,
    alarm_name,
    metric_alarm,
    metrics,
    rollback_alarm_names,
)
from components.dashboard import create_dashboard

__all__ = [
    "CLOUDFRONT_METRICS_REGION",
    "MONITORING_TYPE",
    "RESERVED_ALARM_SCOPES",
    "ROLLBACK_ALARM_ROLES",
    "Monitoring",
    "MonitoringArgs",
    "Thresholds",
    "rollback_alarm_names",
]

MONITORING_TYPE = "golive:aws:Monitoring"
CLOUDFRONT_METRICS_REGION = GLOBAL_SERVICES_REGION
"""CloudFront's metrics, and so its alarms and the topic they notify, live here."""

RESERVED_ALARM_SCOPES = ("alb", "rds", "cache", "cloudfront")
"""Name parts of the stack-wide alarms (`<prefix>-rds-cpu`); a service must not be named so."""


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
    rds_connections_percent: float = 70
    """Connections ceiling as % of the class's default max_connections (computed from its
    memory, which RDS reduces by what it keeps for itself: 70% stays below the real limit)."""
    rds_read_latency_ms: float = 20
    """Average read latency ceiling in milliseconds."""
    rds_write_latency_ms: float = 20
    """Average write latency ceiling in milliseconds."""
    rds_replica_lag_seconds: float = 600
    """Read replica lag ceiling in seconds: RDS for PostgreSQL writes a heartbeat only every 5
    minutes, so an idle database shows up to 300 s of lag on its replicas."""
    cache_cpu_percent: float = 80
    """Cache (Valkey or Redis) engine CPU."""
    cache_memory_percent: float = 80
    """Cache memory used, % of maxmemory."""
    cache_evictions: int = 0
    """Evictions per 5 minutes."""
    cache_connections: int = 1000
    """Client connections per node (ElastiCache's own limit, maxclients, is 65,000)."""
    cache_hit_rate_percent: float = 80
    """Cache hits as % of lookups (ElastiCache guide, CacheHitRate: below about 80% keys are
    evicted, expire or do not exist)."""
    cache_hit_rate_min_lookups: int = 100
    """Lookups per 5 minutes below which the hit rate is not judged."""
    cloudfront_5xx_percent: float = 1.0
    """CloudFront 5xx error rate in % (control list: >1%)."""


@dataclass(frozen=True)
class SlackChannel:
    """A Slack channel that AWS's chat integration posts the alarm topics' messages to."""

    workspace_id: str
    """The authorized Slack workspace (team) id, e.g. `T07EA123LEP`."""
    channel_id: str
    """The channel id, e.g. `C07EZ1ABC23`."""


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
    global_kms_key_arn: pulumi.Input[str] | None = None
    """The stack's customer key in us-east-1, for the CloudFront alarm's topic there; needed
    only by a stack outside us-east-1 with a distribution."""
    emails: Sequence[str] = ()
    """Email addresses subscribed to the alarm topics (each must confirm the subscription)."""
    webhook_url: str | None = None
    """Optional HTTPS endpoint subscribed to the alarm topics (kept secret in state: webhook
    URLs often carry a token)."""
    slack: SlackChannel | None = None
    """Post the alarm topics' messages to this Slack channel (AWS's chat integration)."""
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
    db_instance_class: str | None = None
    """The RDS instance class (with `db_instance_identifier`): its memory sets the default
    max_connections the connections alarm is a share of."""
    db_replica_instance_class: str | None = None
    """The replicas' instance class when it is not the database's (their connections alarm)."""
    db_replica_identifiers: Sequence[pulumi.Input[str]] = ()
    """The database's read replicas' identifiers, in order."""
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
    a month; the budget and the EventBridge rule free.
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
        super().__init__(MONITORING_TYPE, name, None, opts)
        _check_args(args)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._topic_policies: list[aws.sns.TopicPolicy] = []

        self._rule = self._create_task_failure_rule()
        self._topic = self._create_topic(
            naming.alarm_topic(name), key_arn=args.kms_key_arn, region=None, rule=self._rule
        )
        self._global_topic = self._create_global_topic()
        alarmed = [(spec, of) for of, specs in _watched(args) for spec in specs]
        alarms = [self._alarm(spec, of) for spec, of in alarmed]
        if self._rule is not None:
            aws.cloudwatch.EventTarget(
                f"{name}-task-failures",
                rule=self._rule.name,
                arn=self._topic.arn,
                target_id="alarm-topic",
                opts=self._child,
            )
        budget = self._create_budget()
        dashboard = self._create_dashboard(alarmed, alarms)
        self._create_slack_channel()

        self.topic_arn = self._topic.arn
        self.global_topic_arn = self._global_topic.arn if self._global_topic else None
        self.alarm_names = [alarm_name(args.alarm_prefix, of.scope, s.role) for s, of in alarmed]
        self.alarm_arns = [a.arn for a in alarms]
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
        logical: str,
        *,
        key_arn: pulumi.Input[str],
        region: str | None,
        rule: aws.cloudwatch.EventRule | None,
    ) -> aws.sns.Topic:
        """The topic `logical` (auto-named), its policy and its subscriptions."""
        args = self._args
        topic = aws.sns.Topic(
            logical,
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
                f"{logical}-policy",
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
                f"{logical}-email-{email.lower()}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                region=region,
                opts=self._child,
            )
        if args.webhook_url is not None:
            aws.sns.TopicSubscription(
                f"{logical}-webhook",
                topic=topic.arn,
                protocol="https",
                endpoint=pulumi.Output.secret(args.webhook_url),
                region=region,
                opts=self._child,
            )
        return topic

    def _create_slack_channel(self) -> None:
        """AWS's chat integration subscribes to the topics itself (a Slack incoming webhook
        cannot confirm an SNS subscription). Notifications only: the role it assumes has no
        permission, and the channel's guardrail denies everything, so nobody in the channel
        can run AWS commands through it (without a guardrail AWS applies AdministratorAccess:
        botocore chatbot CreateSlackChannelConfiguration, GuardrailPolicyArns)."""
        args, name = self._args, self._name
        if args.slack is None:
            return
        role = aws.iam.Role(
            f"{name}-chat",
            name=naming.chat_role(args.alarm_prefix),
            description=f"AWS chat integration posts {args.alarm_prefix}'s alarms to Slack",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "chatbot.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
                        }
                    ],
                }
            ),
            opts=self._child,
        )
        topics = [self._topic.arn] + ([self._global_topic.arn] if self._global_topic else [])
        aws.chatbot.SlackChannelConfiguration(
            f"{name}-slack",
            # ConfigurationName: [A-Za-z0-9-_]+, at most 128 (botocore chatbot service model).
            configuration_name=naming.chat_configuration(args.alarm_prefix),
            iam_role_arn=role.arn,
            slack_team_id=args.slack.workspace_id,
            slack_channel_id=args.slack.channel_id,
            sns_topic_arns=topics,
            guardrail_policy_arns=[f"arn:{args.partition}:iam::aws:policy/AWSDenyAll"],
            logging_level="ERROR",
            opts=self._child,
        )

    def _create_global_topic(self) -> aws.sns.Topic | None:
        args = self._args
        if args.global_kms_key_arn is None or not _needs_global_topic(args):
            return None
        return self._create_topic(
            naming.global_alarm_topic(self._name),
            key_arn=args.global_kms_key_arn,
            region=CLOUDFRONT_METRICS_REGION,
            rule=None,
        )

    def _actions(self, region: str | None) -> list[pulumi.Output[str]]:
        """The topic in the alarm's own region (an alarm cannot notify another region)."""
        if region is not None and region != self._args.region:
            assert self._global_topic is not None
            return [self._global_topic.arn]
        return [self._topic.arn]

    # ------------------------------------------------------------------ alarms

    def _alarm(self, spec: AlarmSpec, of: Watched) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        return metric_alarm(
            spec,
            of,
            component=self._name,
            prefix=args.alarm_prefix,
            thresholds=dataclasses.asdict(args.thresholds),
            actions=self._actions(of.region),
            enabled=args.notifications_enabled,
            opts=self._child,
        )

    def _create_dashboard(
        self,
        alarmed: Sequence[tuple[AlarmSpec, Watched]],
        alarms: Sequence[aws.cloudwatch.MetricAlarm],
    ) -> aws.cloudwatch.Dashboard:
        args = self._args
        return create_dashboard(
            self._name,
            prefix=args.alarm_prefix,
            region=args.region,
            metrics=[metric for spec, of in alarmed for metric in metrics(spec, of)],
            # The alarm widget lists the alarms of the dashboard's own region.
            alarm_arns=[
                alarm.arn
                for alarm, (_, of) in zip(alarms, alarmed, strict=True)
                if of.region in (None, args.region)
            ],
            cache_group=args.cache_replication_group_id,
            opts=self._child,
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
            naming.task_failures_rule(self._name),
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
            name=naming.budget(args.alarm_prefix),
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


def _needs_global_topic(args: MonitoringArgs) -> bool:
    """CloudFront's alarm lives in us-east-1 and can notify only a topic there."""
    return args.cloudfront_distribution_id is not None and args.region != CLOUDFRONT_METRICS_REGION


def _check_args(args: MonitoringArgs) -> None:
    if _needs_global_topic(args) and args.global_kms_key_arn is None:
        raise ValueError(
            "MonitoringArgs.cloudfront_distribution_id outside us-east-1 needs global_kms_key_arn"
        )
    if args.target_groups and args.load_balancer_arn_suffix is None:
        raise ValueError("MonitoringArgs.target_groups needs load_balancer_arn_suffix")
    if args.services and args.cluster_name is None:
        raise ValueError("MonitoringArgs.services needs cluster_name")
    if args.db_instance_identifier is not None and args.db_instance_class is None:
        raise ValueError("MonitoringArgs.db_instance_identifier needs db_instance_class")
    if args.budget_monthly_usd is not None and not args.cost_tag_value:
        raise ValueError("MonitoringArgs.budget_monthly_usd needs cost_tag_value")
    reserved = sorted(set(args.services) & set(RESERVED_ALARM_SCOPES))
    if reserved:
        raise ValueError(
            f"services named {reserved} would share alarm names with the stack-wide alarms "
            f"({', '.join(RESERVED_ALARM_SCOPES)}): rename them"
        )


def _watched(args: MonitoringArgs) -> Iterator[tuple[Watched, Sequence[AlarmSpec]]]:
    """Every resource `args` hands in, with its tier's alarms, in a stable order (the alarm
    names output and the dashboard's alarm list follow it)."""
    alb, rds, cache, cloudfront = RESERVED_ALARM_SCOPES
    if args.load_balancer_arn_suffix is not None:
        lb = {"LoadBalancer": args.load_balancer_arn_suffix}
        yield Watched(alb, "the load balancer", lb), LOAD_BALANCER_ALARMS
        for service, suffix in args.target_groups.items():
            yield Watched(service, service, {**lb, "TargetGroup": suffix}), TARGET_GROUP_ALARMS
    if args.cluster_name is not None:
        for service, service_name in args.services.items():
            dimensions = {"ClusterName": args.cluster_name, "ServiceName": service_name}
            worker = service not in args.target_groups
            specs = SERVICE_ALARMS + WORKER_ALARMS if worker else SERVICE_ALARMS
            yield Watched(service, service, dimensions), specs
    if args.db_instance_identifier is not None and args.db_instance_class is not None:
        dimensions = {"DBInstanceIdentifier": args.db_instance_identifier}
        limits = {MAX_CONNECTIONS: default_max_connections(args.db_instance_class)}
        yield Watched(rds, "database", dimensions, limits=limits), DATABASE_ALARMS
    replica_class = args.db_replica_instance_class or args.db_instance_class
    replica_limits = (
        {MAX_CONNECTIONS: default_max_connections(replica_class)} if replica_class else {}
    )
    for number, replica in enumerate(args.db_replica_identifiers, start=1):
        replica_dimensions = {"DBInstanceIdentifier": replica}
        yield (
            Watched(
                f"{rds}-replica{number}",
                f"read replica {number}",
                replica_dimensions,
                limits=replica_limits,
            ),
            REPLICA_ALARMS,
        )
    for number, cluster_id in enumerate(args.cache_member_cluster_ids, start=1):
        node = {"CacheClusterId": cluster_id}
        yield Watched(f"{cache}-{number}", f"node {number}", node), CACHE_NODE_ALARMS
    if args.cloudfront_distribution_id is not None:
        distribution = {"DistributionId": args.cloudfront_distribution_id, "Region": "Global"}
        yield (
            Watched(cloudfront, "CloudFront", distribution, region=CLOUDFRONT_METRICS_REGION),
            CLOUDFRONT_ALARMS,
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
