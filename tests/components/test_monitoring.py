"""The monitoring component, built standalone under the same mocks from plain inputs.

Two layouts: a stack outside us-east-1 with everything (a second topic and key in us-east-1 for
the CloudFront alarm), and a us-east-1 stack where the CloudFront alarm shares the stack topic.
The whole-stack wiring is asserted in tests/stacks/test_monitoring_stack.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.monitoring import (
    ROLLBACK_ALARM_ROLES,
    Monitoring,
    MonitoringArgs,
    Thresholds,
    rollback_alarm_names,
)
from stacks.harness import Plan, RecordedResource, SecretValue, run_program
from tests.conftest import STACKFILES

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ACCOUNT = "123456789012"
PREFIX = "transit-trial"
LB = "app/transit-trial-alb/50dc6c495c0c9188"
TG = {"web": "targetgroup/transit-trial-web/73e2d6bc24d8a067"}
CLUSTER = "transit-trial-cluster-1a2b3c4"
CLUSTER_ARN = f"arn:aws:ecs:ap-southeast-2:{ACCOUNT}:cluster/{CLUSTER}"
SERVICES = {"web": "transit-trial-web-9f8e7d6", "feed": "transit-trial-feed-5c4b3a2"}
DB = "transit-trial-db"
CACHE_GROUP = "transit-trial-redis"
CACHE_MEMBERS = [f"{CACHE_GROUP}-001", f"{CACHE_GROUP}-002"]
DISTRIBUTION = "E2QWRUHAPOMQZL"
KEY_ARN = f"arn:aws:kms:ap-southeast-2:{ACCOUNT}:key/0f8e2c4a-1111-4222-8333-944455556666"
EMAILS = ["ops@example.com", "Oncall@Example.com"]
WEBHOOK = "https://events.pagerduty.com/integration/abc123/enqueue"


def full_args(**changes: Any) -> MonitoringArgs:
    args = MonitoringArgs(
        account_id=ACCOUNT,
        region="ap-southeast-2",
        alarm_prefix=PREFIX,
        kms_key_arn=KEY_ARN,
        emails=EMAILS,
        webhook_url=WEBHOOK,
        thresholds=Thresholds(rds_free_storage_gb=5, rds_read_latency_ms=25),
        load_balancer_arn_suffix=LB,
        target_groups=TG,
        cluster_name=CLUSTER,
        cluster_arn=CLUSTER_ARN,
        services=SERVICES,
        db_instance_identifier=DB,
        cache_replication_group_id=CACHE_GROUP,
        cache_member_cluster_ids=CACHE_MEMBERS,
        cloudfront_distribution_id=DISTRIBUTION,
        budget_monthly_usd=100,
        cost_tag_value="trial",
    )
    return dataclasses.replace(args, **changes)


def build(args: MonitoringArgs, stack: str = "trial") -> Plan:
    def program() -> None:
        Monitoring(args.alarm_prefix, args)

    if stack == "trial":
        return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)
    return run_program(stack, program=program)


@pytest.fixture(scope="module")
def full() -> Plan:
    return build(full_args())


@pytest.fixture(scope="module")
def us_east() -> Plan:
    """A us-east-1 stack (the repository's staging file) with a distribution: one topic."""
    return build(
        full_args(
            region="us-east-1",
            alarm_prefix="auction-staging",
            kms_key_arn=KEY_ARN.replace("ap-southeast-2", "us-east-1"),
            cluster_arn=CLUSTER_ARN.replace("ap-southeast-2", "us-east-1"),
            cost_tag_value="staging",
            webhook_url=None,
        ),
        stack="staging",
    )


def stack_topic(plan: Plan) -> RecordedResource:
    (topic,) = [t for t in plan.of_type(TOPIC) if "region" not in t.inputs]
    return topic


def us_east_topic(plan: Plan) -> RecordedResource:
    (topic,) = [t for t in plan.of_type(TOPIC) if t.inputs.get("region") == "us-east-1"]
    return topic


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def alarm_region(plan: Plan, alarm: RecordedResource) -> str:
    return alarm.inputs.get("region") or plan.config["aws:region"]


def metrics_of(alarm: RecordedResource) -> list[dict[str, Any]]:
    """The alarm's metrics as {namespace, metricName, dimensions, period, stat}."""
    inputs = alarm.inputs
    if "metricQueries" in inputs:
        return [
            {**q["metric"], "stat": q["metric"]["stat"]}
            for q in inputs["metricQueries"]
            if "metric" in q
        ]
    return [
        {
            "namespace": inputs["namespace"],
            "metricName": inputs["metricName"],
            "dimensions": inputs["dimensions"],
            "period": inputs["period"],
            "stat": inputs.get("statistic") or inputs["extendedStatistic"],
        }
    ]


# ---------------------------------------------------------------------- pure parts


def test_rollback_alarm_names_are_pure_and_per_service() -> None:
    assert rollback_alarm_names("auction-prod", "api") == [
        "auction-prod-api-target-5xx",
        "auction-prod-api-unhealthy-hosts",
    ]
    assert rollback_alarm_names("auction-prod", "api") == rollback_alarm_names(
        "auction-prod", "api"
    )
    assert len(ROLLBACK_ALARM_ROLES) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"load_balancer_arn_suffix": None}, "needs load_balancer_arn_suffix"),
        ({"cluster_name": None}, "needs cluster_name"),
        ({"cost_tag_value": ""}, "needs cost_tag_value"),
        ({"services": {"rds": "x"}}, r"services named \['rds'\]"),
    ],
)
def test_inconsistent_args_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(full_args(**changes))


# ---------------------------------------------------------------------- alarms


EXPECTED_ALARMS = [
    "alb-5xx",
    "web-target-5xx",
    "web-unhealthy-hosts",
    "web-no-healthy-hosts",
    "web-p95-latency",
    "web-cpu",
    "web-memory",
    "web-tasks-below-desired",
    "feed-cpu",
    "feed-memory",
    "feed-tasks-below-desired",
    "rds-cpu",
    "rds-free-storage",
    "rds-freeable-memory",
    "rds-connections",
    "rds-read-latency",
    "rds-write-latency",
    "cache-1-cpu",
    "cache-1-memory",
    "cache-1-evictions",
    "cache-2-cpu",
    "cache-2-memory",
    "cache-2-evictions",
    "cloudfront-5xx",
]


def test_the_alarm_set_covers_every_component(full: Plan) -> None:
    names = sorted(a.inputs["name"] for a in full.of_type(ALARM))
    assert names == sorted(f"{PREFIX}-{suffix}" for suffix in EXPECTED_ALARMS)
    assert all(a.name == a.inputs["name"] for a in full.of_type(ALARM))


def test_alarmed_metrics_are_the_documented_ones(full: Plan) -> None:
    alarmed = {
        (m["namespace"], m["metricName"]) for a in full.of_type(ALARM) for m in metrics_of(a)
    }
    assert alarmed == {
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "RequestCount"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/ApplicationELB", "HealthyHostCount"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("ECS/ContainerInsights", "RunningTaskCount"),
        ("ECS/ContainerInsights", "DesiredTaskCount"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/RDS", "FreeableMemory"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/RDS", "ReadLatency"),
        ("AWS/RDS", "WriteLatency"),
        ("AWS/ElastiCache", "EngineCPUUtilization"),
        ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
        ("AWS/ElastiCache", "Evictions"),
        ("AWS/CloudFront", "5xxErrorRate"),
    }


def test_dimensions_name_only_the_resources_handed_in(full: Plan) -> None:
    allowed = {
        "LoadBalancer": {LB},
        "TargetGroup": set(TG.values()),
        "ClusterName": {CLUSTER},
        "ServiceName": set(SERVICES.values()),
        "DBInstanceIdentifier": {DB},
        "CacheClusterId": set(CACHE_MEMBERS),
        "DistributionId": {DISTRIBUTION},
        "Region": {"Global"},
    }
    for alarm in full.of_type(ALARM):
        for metric in metrics_of(alarm):
            for key, value in metric["dimensions"].items():
                assert value in allowed[key], f"{alarm.name}: {key}={value!r}"


def test_per_resource_dimension_sets(full: Plan) -> None:
    def dims(suffix: str) -> list[dict[str, str]]:
        return [m["dimensions"] for m in metrics_of(full.named(f"{PREFIX}-{suffix}"))]

    assert dims("alb-5xx") == [{"LoadBalancer": LB}]
    assert dims("web-unhealthy-hosts") == [{"LoadBalancer": LB, "TargetGroup": TG["web"]}]
    assert dims("feed-cpu") == [{"ClusterName": CLUSTER, "ServiceName": SERVICES["feed"]}]
    assert (
        dims("feed-tasks-below-desired")
        == [{"ClusterName": CLUSTER, "ServiceName": SERVICES["feed"]}] * 2
    )
    assert dims("rds-connections") == [{"DBInstanceIdentifier": DB}]
    assert dims("cache-2-evictions") == [{"CacheClusterId": CACHE_MEMBERS[1]}]
    assert dims("cloudfront-5xx") == [{"DistributionId": DISTRIBUTION, "Region": "Global"}]


def test_every_alarm_notifies_a_topic_in_its_own_region_on_alarm_and_ok(full: Plan) -> None:
    topics = {t.outputs["arn"]: t for t in full.of_type(TOPIC)}
    for alarm in full.of_type(ALARM):
        actions = alarm.inputs["alarmActions"]
        assert alarm.inputs["okActions"] == actions, alarm.name
        assert alarm.inputs["actionsEnabled"] is True
        (topic_arn,) = actions
        assert topic_arn in topics
        assert region_of(topic_arn) == alarm_region(full, alarm), alarm.name


def test_the_cloudfront_alarm_lives_in_us_east_1_with_its_own_topic(full: Plan) -> None:
    alarm = full.named(f"{PREFIX}-cloudfront-5xx")
    assert alarm.inputs["region"] == "us-east-1"
    (topic_arn,) = alarm.inputs["alarmActions"]
    topic = next(t for t in full.of_type(TOPIC) if t.outputs["arn"] == topic_arn)
    assert topic.inputs["region"] == "us-east-1"
    regional = [a for a in full.of_type(ALARM) if a is not alarm]
    assert all("region" not in a.inputs for a in regional)
    assert {a.inputs["alarmActions"][0] for a in regional} != {topic_arn}


def test_a_us_east_1_stack_needs_no_second_topic_or_key(us_east: Plan) -> None:
    (topic,) = us_east.of_type(TOPIC)
    assert us_east.of_type("aws:kms/key:Key") == []
    alarm = us_east.named("auction-staging-cloudfront-5xx")
    assert alarm.inputs["region"] == "us-east-1"
    assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]]


def test_every_alarm_treats_missing_data_deliberately(full: Plan) -> None:
    breaching = {"web-no-healthy-hosts", "rds-free-storage", "rds-freeable-memory"}
    for alarm in full.of_type(ALARM):
        suffix = alarm.name.removeprefix(f"{PREFIX}-")
        expected = "breaching" if suffix in breaching else "notBreaching"
        assert alarm.inputs["treatMissingData"] == expected, alarm.name


def test_rollback_alarms_use_one_minute_periods_and_the_agreed_names(full: Plan) -> None:
    for name in rollback_alarm_names(PREFIX, "web"):
        alarm = full.named(name)
        assert alarm.inputs["name"] == name
        assert {m["period"] for m in metrics_of(alarm)} == {60}
        assert alarm.inputs["evaluationPeriods"] == 2
    assert not any(
        a.name.startswith(f"{PREFIX}-feed-") and "5xx" in a.name for a in full.of_type(ALARM)
    )


def test_the_target_5xx_alarm_is_a_rate_with_a_request_floor(full: Plan) -> None:
    alarm = full.named(f"{PREFIX}-web-target-5xx")
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["errors"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["requests"]["metric"]["metricName"] == "RequestCount"
    assert {q["metric"]["stat"] for q in (queries["errors"], queries["requests"])} == {"Sum"}
    assert (
        queries["rate"]["expression"] == "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)"
    )
    assert [q["id"] for q in alarm.inputs["metricQueries"] if q["returnData"]] == ["rate"]
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "GreaterThanThreshold",
        1.0,
    )
    for absent in ("metricName", "namespace", "period", "statistic"):
        assert absent not in alarm.inputs


def test_thresholds_are_converted_to_the_metrics_units(full: Plan) -> None:
    def threshold(suffix: str) -> float:
        return full.named(f"{PREFIX}-{suffix}").inputs["threshold"]

    assert threshold("rds-free-storage") == 5 * 1024**3
    assert threshold("rds-freeable-memory") == 64 * 1024**2
    assert threshold("rds-read-latency") == pytest.approx(0.025)
    assert threshold("rds-write-latency") == pytest.approx(0.020)
    assert threshold("web-p95-latency") == 1.0
    assert full.named(f"{PREFIX}-web-p95-latency").inputs["extendedStatistic"] == "p95"
    assert threshold("alb-5xx") == 0
    assert threshold("cache-1-evictions") == 0
    assert threshold("web-no-healthy-hosts") == 1
    assert full.named(f"{PREFIX}-web-no-healthy-hosts").inputs["comparisonOperator"] == (
        "LessThanThreshold"
    )


def test_muted_alarms_keep_their_actions_but_do_not_run_them() -> None:
    plan = build(full_args(notifications_enabled=False, cloudfront_distribution_id=None))
    alarms = plan.of_type(ALARM)
    assert len(alarms) == len(EXPECTED_ALARMS) - 1
    assert {a.inputs["actionsEnabled"] for a in alarms} == {False}
    assert all(a.inputs["alarmActions"] == a.inputs["okActions"] != [] for a in alarms)


# ---------------------------------------------------------------------- topic and subscribers


def statements_of(policy: RecordedResource) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}


def test_topics_use_customer_keys_in_their_region(full: Plan) -> None:
    regional, global_topic = stack_topic(full), us_east_topic(full)
    assert regional.inputs["kmsMasterKeyId"] == KEY_ARN
    assert "region" not in regional.inputs
    key = full.one("aws:kms/key:Key")
    assert key.inputs["region"] == "us-east-1"
    assert global_topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert region_of(key.outputs["arn"]) == "us-east-1"
    key_statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    assert (
        "cloudwatch.amazonaws.com"
        in key_statements["AlarmPublishersUseTopicKey"]["Principal"]["Service"]
    )
    alias = full.one("aws:kms/alias:Alias")
    assert (alias.inputs["name"], alias.inputs["region"]) == (
        f"alias/golive/{PREFIX}-global",
        "us-east-1",
    )


def test_topic_policy_admits_only_this_accounts_alarms_budget_and_rule(full: Plan) -> None:
    regional_topic = stack_topic(full).outputs["arn"]
    policy = next(p for p in full.of_type(TOPIC_POLICY) if p.inputs["arn"] == regional_topic)
    statements = statements_of(policy)
    rule = full.one("aws:cloudwatch/eventRule:EventRule")
    assert statements == {
        "CloudWatchAlarmsPublish": {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": regional_topic,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {
                    "aws:SourceArn": f"arn:aws:cloudwatch:ap-southeast-2:{ACCOUNT}:alarm:{PREFIX}-*"
                },
            },
        },
        "BudgetsPublish": {
            "Sid": "BudgetsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "budgets.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": regional_topic,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{ACCOUNT}:*"},
            },
        },
        "EventBridgeTaskFailuresPublish": {
            "Sid": "EventBridgeTaskFailuresPublish",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": regional_topic,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnEquals": {"aws:SourceArn": rule.outputs["arn"]},
            },
        },
    }


def test_the_us_east_1_topic_admits_only_us_east_1_alarms(full: Plan) -> None:
    global_topic = us_east_topic(full)
    policy = next(
        p for p in full.of_type(TOPIC_POLICY) if p.inputs["arn"] == global_topic.outputs["arn"]
    )
    assert policy.inputs["region"] == "us-east-1"
    (statement,) = statements_of(policy).values()
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{PREFIX}-*"
    )


def test_each_topic_has_the_email_and_webhook_subscribers(full: Plan) -> None:
    for topic in full.of_type(TOPIC):
        subs = [s for s in full.of_type(SUBSCRIPTION) if s.inputs["topic"] == topic.outputs["arn"]]
        assert sorted((s.inputs["protocol"], s.plain_inputs()["endpoint"]) for s in subs) == sorted(
            [("email", e) for e in EMAILS] + [("https", WEBHOOK)]
        )
        webhook = next(s for s in subs if s.inputs["protocol"] == "https")
        assert isinstance(webhook.inputs["endpoint"], SecretValue)
        assert all(s.inputs.get("region") == topic.inputs.get("region") for s in subs)
        # Nothing is delivered until each endpoint confirms (golive verify reports these).
        assert {s.outputs["pendingConfirmation"] for s in subs} == {True}


def test_subscriptions_are_keyed_by_address_so_reordering_replaces_nothing() -> None:
    names = {s.name for s in build(full_args(emails=list(reversed(EMAILS)))).of_type(SUBSCRIPTION)}
    assert f"{PREFIX}-alarms-email-oncall@example.com" in names
    assert names == {s.name for s in build(full_args()).of_type(SUBSCRIPTION)}


# ---------------------------------------------------------------------- events and budget


def test_failed_one_off_and_scheduled_tasks_reach_the_topic(full: Plan) -> None:
    rule = full.one("aws:cloudwatch/eventRule:EventRule")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": [CLUSTER_ARN],
            "lastStatus": ["STOPPED"],
            "group": [{"anything-but": {"prefix": "service:"}}],
            "$or": [
                {"containers": {"exitCode": [{"anything-but": 0}]}},
                {"stopCode": ["TaskFailedToStart"]},
            ],
        },
    }
    target = full.one("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["rule"] == rule.outputs["name"]
    assert target.inputs["arn"] == stack_topic(full).outputs["arn"]
    # SNS targets are authorized by the topic policy; a role would break KMS delivery.
    assert "roleArn" not in target.inputs


def test_the_budget_filters_on_the_stack_tag_and_notifies_twice(full: Plan) -> None:
    budget = full.one("aws:budgets/budget:Budget")
    topic = stack_topic(full).outputs["arn"]
    assert budget.inputs == {
        "name": f"{PREFIX}-monthly",
        "budgetType": "COST",
        "limitAmount": "100.00",
        "limitUnit": "USD",
        "timeUnit": "MONTHLY",
        "costFilters": [{"name": "TagKeyValue", "values": ["user:golive:stack$trial"]}],
        "notifications": [
            {
                "comparisonOperator": "GREATER_THAN",
                "notificationType": "ACTUAL",
                "threshold": 80.0,
                "thresholdType": "PERCENTAGE",
                "subscriberSnsTopicArns": [topic],
            },
            {
                "comparisonOperator": "GREATER_THAN",
                "notificationType": "FORECASTED",
                "threshold": 100.0,
                "thresholdType": "PERCENTAGE",
                "subscriberSnsTopicArns": [topic],
            },
        ],
    }
    policy = next(p for p in full.of_type(TOPIC_POLICY) if p.inputs["arn"] == topic)
    assert policy.urn in budget.dependencies


def test_without_budget_cluster_or_distribution_those_parts_are_absent() -> None:
    plan = build(
        full_args(
            budget_monthly_usd=None,
            cluster_arn=None,
            cloudfront_distribution_id=None,
        )
    )
    assert plan.of_type("aws:budgets/budget:Budget") == []
    assert plan.of_type("aws:cloudwatch/eventRule:EventRule") == []
    assert plan.of_type("aws:cloudwatch/eventTarget:EventTarget") == []
    (topic,) = plan.of_type(TOPIC)
    (policy,) = plan.of_type(TOPIC_POLICY)
    assert list(statements_of(policy)) == ["CloudWatchAlarmsPublish"]
    assert topic.inputs["kmsMasterKeyId"] == KEY_ARN


# ---------------------------------------------------------------------- dashboard


def dashboard_rows(plan: Plan) -> list[tuple[dict[str, Any], list[Any]]]:
    body = json.loads(plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    return [
        (widget, row)
        for widget in body["widgets"]
        if widget["type"] == "metric"
        for row in widget["properties"]["metrics"]
    ]


def test_dashboard_graphs_only_metrics_of_the_resources_handed_in(full: Plan) -> None:
    alarmed = {
        (m["namespace"], m["metricName"], tuple(sorted(m["dimensions"].items())))
        for a in full.of_type(ALARM)
        for m in metrics_of(a)
    }
    cloudfront_requests = (
        "AWS/CloudFront",
        "Requests",
        (("DistributionId", DISTRIBUTION), ("Region", "Global")),
    )
    graphed: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    for widget, row in dashboard_rows(full):
        namespace, name, *rest = row
        if rest and isinstance(rest[-1], dict):
            rest = rest[:-1]
        dims = tuple(sorted(zip(rest[::2], rest[1::2], strict=True)))
        graphed.add((namespace, name, dims))
        expected_region = "us-east-1" if namespace == "AWS/CloudFront" else "ap-southeast-2"
        assert widget["properties"]["region"] == expected_region
    # Everything alarmed is graphed, and nothing is graphed that is not a metric of the stack.
    assert graphed == alarmed | {cloudfront_requests}


def test_dashboard_is_named_for_the_stack_and_lists_the_regional_alarms(full: Plan) -> None:
    dashboard = full.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == PREFIX
    body = json.loads(dashboard.inputs["dashboardBody"])
    (status,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    regional = [a.outputs["arn"] for a in full.of_type(ALARM) if "region" not in a.inputs]
    assert sorted(status["properties"]["alarms"]) == sorted(regional)
    assert len(regional) == len(EXPECTED_ALARMS) - 1


def test_dashboard_widgets_tile_the_grid_without_overlap(full: Plan) -> None:
    body = json.loads(full.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    cells: set[tuple[int, int]] = set()
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24
        for x in range(widget["x"], widget["x"] + widget["width"]):
            for y in range(widget["y"], widget["y"] + widget["height"]):
                assert (x, y) not in cells, widget
                cells.add((x, y))
    titles = [w["properties"].get("title") for w in body["widgets"]]
    assert "Cache transit-trial-redis engine CPU %" in titles
    assert body["widgets"][0]["type"] == "text"


def test_a_stack_with_nothing_to_watch_still_gets_a_valid_dashboard() -> None:
    plan = build(
        MonitoringArgs(
            account_id=ACCOUNT, region="ap-southeast-2", alarm_prefix=PREFIX, kms_key_arn=KEY_ARN
        )
    )
    assert plan.of_type(ALARM) == []
    body = json.loads(plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    assert [w["type"] for w in body["widgets"]] == ["text"]


def test_every_child_is_parented_to_the_component(full: Plan) -> None:
    (component,) = full.of_type("golive:aws:Monitoring")
    descendants = {r.urn for r in full.descendants(component.urn)}
    assert {r.urn for r in full.resources if r.urn != component.urn} == descendants
    outputs: Callable[[str], Any] = component.outputs.get
    assert outputs("alarmNames") == [f"{PREFIX}-{s}" for s in EXPECTED_ALARMS]
    assert outputs("topicArn") == stack_topic(full).outputs["arn"]
