"""`golive verify`: does the stack serve what was released, healthily?

For each service: rollout COMPLETED, running == desired, on a task definition running the
released image (the SSM record); for web services, every registered target healthy. Then the
public health URL answers 2xx (asked again for up to `Limits.health`, each try shown), no alarm
routed to the stack's topic is in ALARM, and the database is available. With a watch window
(`Limits.watch`, a release's default) the alarms are watched that long after the rollout, so one
that trips a minute later is still seen. Alarms already firing before a release that it was
told to tolerate are warnings, as are alarm e-mail subscriptions still pending confirmation.

`golive verify` also checks the record itself (`check_record`): the released images must be
those of the last successful release in the log, so a record left half-written is caught even
when ECS happens to run it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ops import services, ui
from ops.aws import Aws
from ops.outputs import StackOutputs
from ops.waiting import Limits, Poll, WaitTimedOut, clock_text, wait_until

HEALTH_PROBE_TIMEOUT = 5.0
HEALTH_DELAY = 5.0
ALARM_WATCH_DELAY = 15.0


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

    @property
    def alarms_only(self) -> bool:
        """Everything passed but alarms: the version serves and answers; alarms lag."""
        return bool(self.failures) and all(check.name == "alarms" for check in self.failures)

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


def _check_health_url(
    aws: Aws, outputs: StackOutputs, report: VerifyReport, timeout: float
) -> None:
    url = outputs.health_url
    if not url:
        return

    def probe() -> Poll[int]:
        # A fresh deployment can answer 502/503 for a few seconds while the ALB shifts traffic.
        status = aws.runtime.http_probe(url, HEALTH_PROBE_TIMEOUT)
        answer = f"HTTP {status}" if status else "no answer (timeout or connection refused)"
        return Poll(200 <= status < 300, answer, status)

    try:
        answered = wait_until(
            aws, f"{url} to answer 2xx", probe, timeout=timeout, delay=HEALTH_DELAY, next_step=""
        )
    except WaitTimedOut as exc:
        report.add("health URL", False, f"{url} -> {exc.detail} for {clock_text(timeout)}")
        return
    report.add("health URL", True, f"{url} -> {answered.detail}")


def firing_alarms(aws: Aws, topic: str) -> list[dict[str, Any]]:
    """The stack's alarms (metric and composite) in ALARM: those that notify its topic."""
    firing: list[dict[str, Any]] = []
    paginator = aws.client("cloudwatch").get_paginator("describe_alarms")
    for page in paginator.paginate(StateValue="ALARM"):
        for alarm in page.get("MetricAlarms", []) + page.get("CompositeAlarms", []):
            if topic in alarm.get("AlarmActions", []):
                firing.append(alarm)
    return firing


def _check_alarms(
    aws: Aws,
    outputs: StackOutputs,
    report: VerifyReport,
    *,
    tolerated: Collection[str],
    watch: float,
) -> None:
    topic = outputs.alarm_topic_arn
    if not topic:
        return

    def probe() -> Poll[list[str]]:
        firing = [str(alarm["AlarmName"]) for alarm in firing_alarms(aws, topic)]
        new = [name for name in firing if name not in tolerated]
        return Poll(bool(new), ", ".join(new) + " in ALARM" if new else "none firing", firing)

    seen = probe()
    if not seen.done and watch > 0:
        try:
            seen = wait_until(
                aws,
                "any alarm to trip after the rollout (watching)",
                probe,
                timeout=watch,
                delay=ALARM_WATCH_DELAY,
                next_step="",
            )
        except WaitTimedOut:
            seen = probe()  # quiet for the whole window: the verdict is the state at its end
    report.add("alarms", not seen.done, seen.detail)
    still = [name for name in seen.result or [] if name in tolerated]
    if still:
        report.add(
            "alarms before",
            False,
            f"{', '.join(still)} in ALARM since before this run (not held against it)",
            warning_only=True,
        )
    _check_subscriptions(aws, topic, report)


def _check_subscriptions(aws: Aws, topic: str, report: VerifyReport) -> None:
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


def check_record(
    report: VerifyReport,
    record: dict[str, str | None],
    last_good: dict[str, str | None] | None,
    source: str,
) -> None:
    """The image record must name what the last successful release (`source`) released."""
    if last_good is None:
        report.add("image record", False, "no release log to compare with", warning_only=True)
        return
    differ = [
        f"{name}: record {record[name] or '(none)'}, last successful release "
        f"{last_good[name] or '(none)'}"
        for name in record
        if record[name] != last_good[name]
    ]
    detail = "; ".join(differ) if differ else f"matches the last successful release {source}"
    report.add("image record", not differ, detail)


def verify_stack(
    aws: Aws,
    outputs: StackOutputs,
    expected: dict[str, str | None],
    *,
    limits: Limits | None = None,
    tolerated_alarms: Collection[str] = (),
) -> VerifyReport:
    """Run every check; `expected` maps each service to the image it should run."""
    limits = limits or Limits(watch=0)
    report = VerifyReport()
    _check_services(aws, outputs, expected, report)
    serving = any(outputs.services[n].target_group_arn and i for n, i in expected.items())
    if serving:  # no web service released: nothing answers there, by design
        _check_health_url(aws, outputs, report, limits.health)
    _check_alarms(aws, outputs, report, tolerated=tolerated_alarms, watch=limits.watch)
    _check_database(aws, outputs, report)
    return report
