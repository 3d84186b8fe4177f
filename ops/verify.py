"""`golive verify`: does the stack serve what was released, healthily?

For each service: rollout COMPLETED, running == desired, on a task definition running the
released image (the SSM record); for web services, every registered target healthy. Then the
public health URL answers 2xx, no alarm routed to the stack's topic is in ALARM, and the
database is available. Alarm e-mail subscriptions still pending confirmation are reported as
warnings (alarms would go nowhere), not failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ops import services, ui
from ops.aws import Aws
from ops.outputs import StackOutputs

HEALTH_TIMEOUT = 5.0
HEALTH_ATTEMPTS = 10
HEALTH_DELAY = 6.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning_only: bool = False


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str, *, warning_only: bool = False) -> None:
        self.checks.append(Check(name, ok, detail, warning_only))

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok and not check.warning_only]

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return "; ".join(f"{check.name}: {check.detail}" for check in self.failures)

    def show(self, title: str) -> None:
        rows = []
        for check in self.checks:
            result = "ok" if check.ok else ("WARN" if check.warning_only else "FAIL")
            rows.append([check.name, result, check.detail])
        ui.table(title, ["check", "result", "detail"], rows)


def _check_services(
    aws: Aws, outputs: StackOutputs, expected: dict[str, str | None], report: VerifyReport
) -> None:
    states = services.describe(aws, outputs, list(expected))
    for name, state in states.items():
        problem = services.judge(state, expected[name])
        detail = problem or (
            f"{state.running}/{state.desired} running {state.image or '(no image)'} "
            f"({state.task_definition.rsplit('/', 1)[-1]})"
        )
        report.add(f"service {name}", problem is None, detail)
        target_group = outputs.services[name].target_group_arn
        if target_group and state.desired > 0:
            _check_targets(aws, name, target_group, report)


def _check_targets(aws: Aws, name: str, target_group: str, report: VerifyReport) -> None:
    health = aws.client("elbv2").describe_target_health(TargetGroupArn=target_group)
    states = [
        item["TargetHealth"]["State"]
        for item in health.get("TargetHealthDescriptions", [])
        if item["TargetHealth"]["State"] != "draining"
    ]
    healthy = states.count("healthy")
    ok = healthy > 0 and healthy == len(states)
    report.add(f"targets {name}", ok, f"{healthy}/{len(states)} healthy")


def _check_health_url(aws: Aws, outputs: StackOutputs, report: VerifyReport) -> None:
    url = outputs.health_url
    if not url:
        return
    status = 0
    attempts = aws.poll_attempts(HEALTH_ATTEMPTS)
    # A fresh deployment can answer 502/503 for a few seconds while the ALB shifts traffic.
    for attempt in range(attempts):
        status = aws.runtime.http_probe(url, HEALTH_TIMEOUT)
        if 200 <= status < 300:
            break
        if attempt + 1 < attempts:
            aws.runtime.sleep(aws.poll_delay(HEALTH_DELAY))
    answer = f"HTTP {status}" if status else "no answer (timeout or connection refused)"
    report.add("health URL", 200 <= status < 300, f"{url} -> {answer}")


def firing_alarms(aws: Aws, topic: str) -> list[dict[str, Any]]:
    """The stack's alarms (metric and composite) in ALARM: those that notify its topic."""
    firing: list[dict[str, Any]] = []
    paginator = aws.client("cloudwatch").get_paginator("describe_alarms")
    for page in paginator.paginate(StateValue="ALARM"):
        for alarm in page.get("MetricAlarms", []) + page.get("CompositeAlarms", []):
            if topic in alarm.get("AlarmActions", []):
                firing.append(alarm)
    return firing


def _check_alarms(aws: Aws, outputs: StackOutputs, report: VerifyReport) -> None:
    topic = outputs.alarm_topic_arn
    if not topic:
        return
    firing = [str(alarm["AlarmName"]) for alarm in firing_alarms(aws, topic)]
    report.add("alarms", not firing, ", ".join(firing) + " in ALARM" if firing else "none firing")
    pending = []
    paginator = aws.client("sns").get_paginator("list_subscriptions_by_topic")
    for page in paginator.paginate(TopicArn=topic):
        for subscription in page.get("Subscriptions", []):
            if subscription.get("SubscriptionArn") == "PendingConfirmation":
                pending.append(str(subscription.get("Endpoint")))
    if pending:
        report.add(
            "alarm e-mails",
            False,
            f"unconfirmed: {', '.join(pending)} (click the link in the AWS e-mail)",
            warning_only=True,
        )


def _check_database(aws: Aws, outputs: StackOutputs, report: VerifyReport) -> None:
    if outputs.database is None:
        return
    instance = aws.client("rds").describe_db_instances(
        DBInstanceIdentifier=outputs.database.identifier
    )["DBInstances"][0]
    status = str(instance.get("DBInstanceStatus"))
    report.add("database", status == "available", f"{outputs.database.identifier} {status}")


def verify_stack(aws: Aws, outputs: StackOutputs, expected: dict[str, str | None]) -> VerifyReport:
    """Run every check; `expected` maps each service to the image it should run."""
    report = VerifyReport()
    _check_services(aws, outputs, expected, report)
    _check_health_url(aws, outputs, report)
    _check_alarms(aws, outputs, report)
    _check_database(aws, outputs, report)
    return report
