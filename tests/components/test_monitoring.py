"""The monitoring component (components/monitoring.py), built standalone under the same mocks
from plain inputs (tests/components/monitoring_plans.py): which resources it watches, the topics
its alarms notify, subscribers, task-failure events and the budget. The alarm catalogue is
asserted in tests/components/test_alarms.py, the dashboard in tests/components/test_dashboard.py.

Two layouts: a stack outside us-east-1 with everything (a second topic and key in us-east-1 for
the CloudFront alarm), and a us-east-1 stack where the CloudFront alarm shares the stack topic.
The whole-stack wiring is asserted in tests/stacks/test_environment.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.monitoring import SlackChannel
from plan.harness import Plan, RecordedResource, SecretValue
from tests.components.monitoring_plans import (
    ACCOUNT,
    ALARM,
    CLUSTER_ARN,
    EMAILS,
    EXPECTED_ALARMS,
    GLOBAL_KEY_ARN,
    KEY_ARN,
    PREFIX,
    TOPIC,
    WEBHOOK,
    build,
    full_args,
    full_plan,
)

TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


@pytest.fixture(scope="module")
def full() -> Plan:
    return full_plan()


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


# ---------------------------------------------------------------------- args


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


# ---------------------------------------------------------------------- alarm topics


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


# ---------------------------------------------------------------------- topic and subscribers


def statements_of(policy: RecordedResource) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}


def test_topics_use_the_stacks_customer_keys_in_their_region(full: Plan) -> None:
    regional, global_topic = stack_topic(full), us_east_topic(full)
    assert regional.inputs["kmsMasterKeyId"] == KEY_ARN
    assert "region" not in regional.inputs
    # The stack layer owns its us-east-1 key (the WAF's logs share it: tests/stacks/test_edge.py).
    assert global_topic.inputs["kmsMasterKeyId"] == GLOBAL_KEY_ARN
    assert full.of_type("aws:kms/key:Key") == []


def test_a_cloudfront_alarm_outside_us_east_1_needs_the_key_there() -> None:
    with pytest.raises(ValueError, match="needs global_kms_key_arn"):
        build(full_args(global_kms_key_arn=None))


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


# ---------------------------------------------------------------------- Slack


def test_alarms_reach_slack_through_the_chat_integration_with_no_permission() -> None:
    plan = build(full_args(slack=SlackChannel("T07EA123LEP", "C07EZ1ABC23")))
    (channel,) = plan.of_type("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")
    inputs = channel.inputs
    assert (inputs["slackTeamId"], inputs["slackChannelId"]) == ("T07EA123LEP", "C07EZ1ABC23")
    assert inputs["configurationName"] == f"{PREFIX}-alarms"
    # Both topics: the stack's and the us-east-1 one of the CloudFront alarm.
    assert sorted(inputs["snsTopicArns"]) == sorted(t.outputs["arn"] for t in plan.of_type(TOPIC))
    # Without a guardrail AWS applies AdministratorAccess to what the channel may run.
    assert inputs["guardrailPolicyArns"] == ["arn:aws:iam::aws:policy/AWSDenyAll"]
    role = next(r for r in plan.of_type("aws:iam/role:Role") if r.name == f"{PREFIX}-chat")
    assert inputs["iamRoleArn"] == role.outputs["arn"]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "chatbot.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    attached = [r for r in plan.resources if r.type.startswith("aws:iam/rolePolicy")]
    assert attached == []  # notifications only: the role may do nothing
    assert (
        build(full_args()).of_type(
            "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
        )
        == []
    )


# ---------------------------------------------------------------------- parenting


def test_every_child_is_parented_to_the_component(full: Plan) -> None:
    (component,) = full.of_type("golive:aws:Monitoring")
    descendants = {r.urn for r in full.descendants(component.urn)}
    assert {r.urn for r in full.resources if r.urn != component.urn} == descendants
    outputs: Callable[[str], Any] = component.outputs.get
    assert outputs("alarmNames") == [f"{PREFIX}-{s}" for s in EXPECTED_ALARMS]
    assert outputs("topicArn") == stack_topic(full).outputs["arn"]
