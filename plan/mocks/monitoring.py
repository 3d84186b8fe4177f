# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""Monitoring answers (components/monitoring.py): log groups, alarm topics, subscriptions,
alarms, the dashboard, the budget and event rules."""

from __future__ import annotations

from typing import Any

from plan.mocks.context import Answers, Ctx, stable_uuid

answers = Answers()


@answers.builder("aws:cloudwatch/logGroup:LogGroup")
def _log_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {"name": name, "arn": c.arn("logs", f"log-group:{name}")}


@answers.builder("aws:sns/topic:Topic")
def _sns_topic(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    arn = c.arn("sns", name)
    # The id of a topic is its ARN; AWS fills in the default delivery attributes.
    return arn, {
        "arn": arn,
        "name": name,
        "owner": c.account,
        "signatureVersion": 1,
        "beginningArchiveTime": "",
        "fifoTopic": False,
    }


@answers.builder("aws:sns/topicPolicy:TopicPolicy")
def _sns_topic_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("arn", "")), {"owner": c.account}


# Protocols whose endpoint must confirm the subscription before SNS delivers anything.
_SNS_CONFIRMED_BY_ENDPOINT = {"email", "email-json", "http", "https"}


@answers.builder("aws:sns/topicSubscription:TopicSubscription")
def _sns_subscription(c: Ctx) -> tuple[str, dict[str, Any]]:
    topic = str(c.inputs.get("topic", ""))
    arn = f"{topic}:{stable_uuid(c.typ, c.logical)}"
    protocol = str(c.inputs.get("protocol", ""))
    pending = protocol in _SNS_CONFIRMED_BY_ENDPOINT and not c.inputs.get("endpointAutoConfirms")
    return arn, {
        "arn": arn,
        "ownerId": c.account,
        "pendingConfirmation": pending,
        "confirmationWasAuthenticated": False,
        "filterPolicyScope": "",
    }


@answers.builder("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {"name": name, "arn": c.arn("cloudwatch", f"alarm:{name}")}


@answers.builder("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = str(c.inputs.get("dashboardName", c.logical))
    # Dashboards are account-wide: their ARN has no region.
    return name, {"dashboardArn": c.arn("cloudwatch", f"dashboard/{name}", region=False)}


@answers.builder("aws:budgets/budget:Budget")
def _budget(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return f"{c.account}:{name}", {
        "name": name,
        "accountId": c.account,
        "arn": f"arn:aws:budgets::{c.account}:budget/{name}",
    }


@answers.builder("aws:cloudwatch/eventRule:EventRule")
def _event_rule(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    bus = str(c.inputs.get("eventBusName") or "default")
    path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return name, {"name": name, "arn": c.arn("events", path), "eventBusName": bus}


@answers.builder("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(c: Ctx) -> tuple[str, dict[str, Any]]:
    target_id = str(c.inputs.get("targetId") or f"terraform-{c.hex(20)}")
    return f"{c.inputs.get('rule', '')}-{target_id}", {
        "targetId": target_id,
        "eventBusName": "default",
    }


@answers.builder("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")
def _slack_channel(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = str(c.inputs.get("configurationName", c.logical))
    # A chat configuration is account-wide: its ARN has no region.
    arn = c.arn("chatbot", f"chat-configuration/slack-channel/{name}", region=False)
    return arn, {
        "chatConfigurationArn": arn,
        "slackChannelName": "alarms",
        "slackTeamName": "workspace",
    }
