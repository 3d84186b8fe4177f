"""Monitoring in the repository's stacks: topic, alarms, dashboard, budget, rollback.

Alarm dimensions must name resources of the same stack, so these tests read every resource's
outputs from the plan and check each dimension value is one of them (no placeholders).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aws_facts.rds import default_max_connections
from components.monitoring import rollback_alarm_names
from plan.harness import Plan, RecordedResource
from tests.conftest import stack_values

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"


# ---------------------------------------------------------------------- whole stacks


def app_of(plan: Plan) -> str:
    return str(json.loads(plan.config["aws:defaultTags"])["tags"]["golive:app"])


def stack_config(plan: Plan) -> dict[str, Any]:
    """The alarms and budget the stack file asks for, defaults filled in."""
    values = stack_values(plan.stack, plan.config)
    return {"alarms": values["alarms"], "budget": values["budget"]}


def test_alarm_topic_is_under_the_stack_key_whose_policy_admits_the_publishers(
    stack_plan: Plan,
) -> None:
    topics = stack_plan.of_type(TOPIC)
    regional = [t for t in topics if "region" not in t.inputs]
    (topic,) = regional
    key = next(
        k
        for k in stack_plan.of_type("aws:kms/key:Key")
        if k.outputs["arn"] == stack_plan.outputs["kmsKeyArn"]
    )
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert stack_plan.outputs["alarmTopicArn"] == topic.outputs["arn"]
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    publishers = statements["AlarmPublishersUseTopicKey"]
    assert {"cloudwatch.amazonaws.com", "budgets.amazonaws.com"} <= set(
        publishers["Principal"]["Service"]
    )
    assert set(publishers["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert publishers["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    # NOTE: EventBridge's KMS calls carry no aws:SourceAccount: its grant must be unconditioned.
    events = statements["EventBridgeUsesTopicKey"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert "Condition" not in events


def test_subscriptions_follow_the_stack_file(stack_plan: Plan) -> None:
    emails = stack_config(stack_plan)["alarms"]["emails"]
    subs = stack_plan.of_type("aws:sns/topicSubscription:TopicSubscription")
    topics = len(stack_plan.of_type(TOPIC))
    assert sorted(s.inputs["endpoint"] for s in subs) == sorted(emails * topics)
    assert {s.inputs["protocol"] for s in subs} == {"email"}


def test_budget_exists_with_both_notifications(stack_plan: Plan) -> None:
    budget = stack_plan.one("aws:budgets/budget:Budget")
    amount = stack_config(stack_plan)["budget"]["monthlyUsd"]
    assert budget.inputs["limitAmount"] == f"{amount:.2f}"
    assert budget.inputs["costFilters"] == [
        {"name": "TagKeyValue", "values": [f"user:golive:stack${stack_plan.stack}"]}
    ]
    kinds = [(n["notificationType"], n["threshold"]) for n in budget.inputs["notifications"]]
    assert kinds == [("ACTUAL", 80), ("FORECASTED", 100)]
    topic = stack_plan.outputs["alarmTopicArn"]
    assert all(n["subscriberSnsTopicArns"] == [topic] for n in budget.inputs["notifications"])


def _outputs_of_other_resources(plan: Plan) -> set[str]:
    values: set[str] = set()
    for resource in plan.resources:
        if resource.type.startswith(("aws:cloudwatch/", "aws:sns/", "aws:budgets/")):
            continue
        for value in resource.outputs.values():
            # Plain strings, and the strings of lists (a cache's `memberClusters`).
            items = value if isinstance(value, list) else [value]
            values.update(v for v in items if isinstance(v, str))
    return values


def _alarm_dimensions(alarm: RecordedResource) -> list[dict[str, str]]:
    if "metricQueries" in alarm.inputs:
        return [q["metric"]["dimensions"] for q in alarm.inputs["metricQueries"] if "metric" in q]
    return [alarm.inputs["dimensions"]]


def test_every_alarm_names_resources_of_its_own_stack(stack_plan: Plan) -> None:
    known = _outputs_of_other_resources(stack_plan) | {"Global"}
    for alarm in stack_plan.of_type(ALARM):
        for dimensions in _alarm_dimensions(alarm):
            assert dimensions, alarm.name
            for key, value in dimensions.items():
                assert value in known, f"{alarm.name}: {key}={value!r} is no resource of the stack"
        assert alarm.inputs["name"].startswith(f"{app_of(stack_plan)}-{stack_plan.stack}-")


def test_every_alarm_notifies_a_topic_of_its_own_region(stack_plan: Plan) -> None:
    topics = {
        t.outputs["arn"]: t.inputs.get("region") or stack_plan.config["aws:region"]
        for t in stack_plan.of_type(TOPIC)
    }
    for alarm in stack_plan.of_type(ALARM):
        region = alarm.inputs.get("region") or stack_plan.config["aws:region"]
        assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"]
        (topic,) = alarm.inputs["alarmActions"]
        assert topics[topic] == region, alarm.name
        assert alarm.inputs["treatMissingData"] in ("breaching", "notBreaching", "missing")


def test_dashboard_body_parses_and_names_only_resources_of_the_stack(stack_plan: Plan) -> None:
    dashboard = stack_plan.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == f"{app_of(stack_plan)}-{stack_plan.stack}"
    body = json.loads(dashboard.inputs["dashboardBody"])
    known = _outputs_of_other_resources(stack_plan) | {"Global"}
    alarm_arns = {a.outputs["arn"] for a in stack_plan.of_type(ALARM)}
    for widget in body["widgets"]:
        properties = widget["properties"]
        if widget["type"] == "alarm":
            assert set(properties["alarms"]) <= alarm_arns
        for row in properties.get("metrics", []):
            values = [v for v in row[2:] if isinstance(v, str)]
            for value in values[1::2]:
                assert value in known, f"{properties['title']}: {value!r}"


# ---------------------------------------------------------------------- repository stacks in detail


def expected_alarms(plan: Plan) -> list[str]:
    """The alarm set the stack file calls for, from the list in issue 6."""
    config = plan.config
    services: dict[str, Any] = json.loads(config.get("golive:services", "{}"))
    expected = ["alb-5xx"] if any("port" in s for s in services.values()) else []
    for name, service in services.items():
        if "port" in service:
            expected += [
                f"{name}-target-5xx",
                f"{name}-unhealthy-hosts",
                f"{name}-no-healthy-hosts",
                f"{name}-p95-latency",
            ]
        else:
            expected.append(f"{name}-tasks-missing")  # a worker's rollback alarm
        expected += [f"{name}-cpu", f"{name}-memory", f"{name}-tasks-below-desired"]
    if "golive:database" in config:
        rds = ("cpu", "free-storage", "freeable-memory", "connections", "read-latency")
        expected += [f"rds-{m}" for m in (*rds, "write-latency")]
    if "golive:cache" in config:
        nodes = json.loads(config["golive:cache"]).get("nodes", 1)
        expected += [
            f"cache-{n}-{m}"
            for n in range(1, nodes + 1)
            for m in ("cpu", "memory", "evictions", "connections", "hit-rate")
        ]
    if plan.of_type("aws:cloudfront/distribution:Distribution"):
        expected.append("cloudfront-5xx")
    return sorted(expected)


def alarm_suffixes(plan: Plan) -> list[str]:
    prefix = f"{app_of(plan)}-{plan.stack}-"
    return sorted(a.inputs["name"].removeprefix(prefix) for a in plan.of_type(ALARM))


def test_the_alarm_set_covers_the_list_for_every_stack_file(stack_plan: Plan) -> None:
    assert alarm_suffixes(stack_plan) == expected_alarms(stack_plan)


def test_both_stacks_alarm_the_same_metrics(staging: Plan, prod: Plan) -> None:
    assert alarm_suffixes(staging) == alarm_suffixes(prod)
    assert {"alb-5xx", "api-target-5xx", "rds-free-storage", "cloudfront-5xx"} <= set(
        alarm_suffixes(staging)
    )


def test_thresholds_come_from_the_stack_files(staging: Plan, prod: Plan) -> None:
    def threshold(plan: Plan, suffix: str) -> float:
        return plan.named(f"auction-{plan.stack}-{suffix}").inputs["threshold"]

    for plan in (staging, prod):
        wanted = stack_config(plan)["alarms"]["thresholds"]
        assert threshold(plan, "api-target-5xx") == wanted["target5xxPercent"]
        assert threshold(plan, "alb-5xx") == wanted["elb5xxPerMinute"]
        assert threshold(plan, "api-p95-latency") == wanted["responseTimeP95Seconds"]
        assert threshold(plan, "api-cpu") == wanted["ecsCpuPercent"]
        assert threshold(plan, "rds-cpu") == wanted["rdsCpuPercent"]
        assert threshold(plan, "rds-free-storage") == wanted["rdsFreeStorageGb"] * 1024**3
        database = json.loads(plan.config["golive:database"])
        limit = default_max_connections(database["instanceClass"])
        connections = round(wanted["rdsConnectionsPercent"] / 100 * limit)
        assert threshold(plan, "rds-connections") == connections
        # Keys a stack file leaves out keep their documented defaults.
        assert threshold(plan, "api-memory") == 80
        assert threshold(plan, "rds-read-latency") == pytest.approx(0.020)


def test_each_web_service_rolls_back_on_its_own_alarms(stack_plan: Plan) -> None:
    prefix = f"auction-{stack_plan.stack}"
    alarms = {a.inputs["name"]: a for a in stack_plan.of_type(ALARM)}
    target_groups = {
        tg.outputs["arn"]: tg.outputs["arnSuffix"]
        for tg in stack_plan.of_type("aws:lb/targetGroup:TargetGroup")
    }
    web_services = [
        s for s in stack_plan.of_type("aws:ecs/service:Service") if s.inputs.get("loadBalancers")
    ]
    assert web_services, "the repository stacks run a web service"
    for service in web_services:
        (balancer,) = service.inputs["loadBalancers"]
        name = balancer["containerName"]
        deployment = service.inputs["alarms"]
        assert deployment == {
            "enable": True,
            "rollback": True,
            "alarmNames": rollback_alarm_names(prefix, name),
        }
        own_target_group = target_groups[balancer["targetGroupArn"]]
        for alarm_name in deployment["alarmNames"]:
            dimensions = _alarm_dimensions(alarms[alarm_name])
            assert {d["TargetGroup"] for d in dimensions} == {own_target_group}
            for query in alarms[alarm_name].inputs.get("metricQueries", []):
                if "metric" in query:
                    assert query["metric"]["period"] == 60
            assert alarms[alarm_name].inputs.get("period", 60) == 60


def test_task_failures_of_this_cluster_reach_the_topic(stack_plan: Plan) -> None:
    cluster = stack_plan.one("aws:ecs/cluster:Cluster")
    rule = stack_plan.one("aws:cloudwatch/eventRule:EventRule")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["clusterArn"] == [cluster.outputs["arn"]]
    assert pattern["detail"]["lastStatus"] == ["STOPPED"]
    target = stack_plan.one("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["arn"] == stack_plan.outputs["alarmTopicArn"]


# ---------------------------------------------------------------------- a stack outside us-east-1


@pytest.fixture(scope="module")
def tracker() -> Plan:
    """The transit tracker (ap-southeast-2: a web service, a worker, a cache and CloudFront)
    with the notifications and the $100 budget its team asked for."""
    from tests.conftest import STACKFILES, plan_for

    return plan_for(
        "tracker",
        stack_file=STACKFILES / "Pulumi.tracker.yaml",
        alarms={
            "emails": ["oncall@transit.example"],
            "webhookUrl": "https://hooks.transit.example/sns",
        },
        budget={"monthlyUsd": 100},
    )


def test_outside_us_east_1_cloudfront_alarms_go_to_a_us_east_1_topic(tracker: Plan) -> None:
    topics = {t.outputs["arn"]: t for t in tracker.of_type(TOPIC)}
    assert sorted(region_of_arn(arn) for arn in topics) == ["ap-southeast-2", "us-east-1"]
    cloudfront = tracker.named("transit-tracker-cloudfront-5xx")
    (topic_arn,) = cloudfront.inputs["alarmActions"]
    assert region_of_arn(topic_arn) == cloudfront.inputs["region"] == "us-east-1"
    distribution = tracker.one("aws:cloudfront/distribution:Distribution")
    assert cloudfront.inputs["dimensions"] == {
        "DistributionId": distribution.outputs["id"],
        "Region": "Global",
    }
    keys = {k.outputs["arn"]: k for k in tracker.of_type("aws:kms/key:Key")}
    key = keys[topics[topic_arn].inputs["kmsMasterKeyId"]]
    assert key.inputs["region"] == "us-east-1"
    services = {
        s["Principal"]["Service"]
        if isinstance(s["Principal"]["Service"], str)
        else tuple(s["Principal"]["Service"])
        for s in json.loads(key.inputs["policy"])["Statement"]
        if "Service" in s["Principal"]
    }
    assert ("cloudwatch.amazonaws.com", "budgets.amazonaws.com") in services
    for alarm in tracker.of_type(ALARM):
        region = alarm.inputs.get("region") or "ap-southeast-2"
        assert [region_of_arn(a) for a in alarm.inputs["okActions"]] == [region], alarm.name


def test_both_topics_have_every_subscriber(tracker: Plan) -> None:
    subs = tracker.of_type("aws:sns/topicSubscription:TopicSubscription")
    for topic in tracker.of_type(TOPIC):
        mine = sorted(
            (s.inputs["protocol"], s.plain_inputs()["endpoint"])
            for s in subs
            if s.inputs["topic"] == topic.outputs["arn"]
        )
        assert mine == [
            ("email", "oncall@transit.example"),
            ("https", "https://hooks.transit.example/sns"),
        ]


def test_workers_get_service_alarms_and_their_own_rollback_alarm(tracker: Plan) -> None:
    suffixes = alarm_suffixes(tracker)
    assert suffixes == expected_alarms(tracker)
    assert [s for s in suffixes if s.startswith("feeds-")] == [
        "feeds-cpu",
        "feeds-memory",
        "feeds-tasks-below-desired",
        "feeds-tasks-missing",
    ]
    assert {s for s in suffixes if s.startswith("web-")} == {
        "web-target-5xx",
        "web-unhealthy-hosts",
        "web-no-healthy-hosts",
        "web-p95-latency",
        "web-cpu",
        "web-memory",
        "web-tasks-below-desired",
    }
    assert [s for s in suffixes if s.startswith("cache-")] == [
        "cache-1-connections",
        "cache-1-cpu",
        "cache-1-evictions",
        "cache-1-hit-rate",
        "cache-1-memory",
    ]
    group = tracker.one("aws:elasticache/replicationGroup:ReplicationGroup")
    cache_alarm = tracker.named("transit-tracker-cache-1-cpu")
    assert cache_alarm.inputs["dimensions"] == {
        "CacheClusterId": group.outputs["memberClusters"][0]
    }


def test_tracker_budget_and_dimensions(tracker: Plan) -> None:
    budget = tracker.one("aws:budgets/budget:Budget")
    assert budget.inputs["limitAmount"] == "100.00"
    assert budget.inputs["costFilters"][0]["values"] == ["user:golive:stack$tracker"]
    test_every_alarm_names_resources_of_its_own_stack(tracker)
    test_dashboard_body_parses_and_names_only_resources_of_the_stack(tracker)


def region_of_arn(arn: str) -> str:
    return arn.split(":")[3]
