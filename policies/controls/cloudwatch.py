"""CloudWatch controls: log groups' retention and encryption, and where alarms notify."""

from __future__ import annotations

from collections.abc import Sequence

from policies import aws
from policies.aws import of_type, refers_to
from policies.checks import equals, is_set, not_equal, number_at_least, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, any3, as_list, get

controls = Controls("CloudWatch")


@controls.resource_rule(
    id="CKV_AWS_66",
    title="Log retention and KMS",
    severity=Severity.MEDIUM,
    source="CKV_AWS_66/158",
    covers=("CKV_AWS_158",),
    applies_to=(aws.LOG_GROUP,),
    exception_allowed=False,
    description="Log groups set retentionInDays and kmsKeyId.",
    why=(
        "Logs expire instead of costing money (and holding personal data) forever, and are "
        "encrypted with the stack's key."
    ),
)
def log_group_retention(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_66/158: log groups expire (cost, privacy) and are encrypted with a CMK.

    Not CKV_AWS_338 (a year's retention at least): golive keeps logs as long as each stack file
    says (staging a month), so it does not claim that check."""
    return require(
        number_at_least(get(props, "retentionInDays"), 1),
        "retentionInDays is not set (logs are kept forever)",
    ) + require(is_set(get(props, "kmsKeyId")), "kmsKeyId is not set")


@controls.stack_rule(
    id="CKV_AWS_319",
    title="Alarm actions",
    severity=Severity.MEDIUM,
    source="CKV_AWS_319",
    applies_to=(aws.METRIC_ALARM,),
    exception_allowed=False,
    description="Alarms are enabled and notify SNS topics on ALARM and OK.",
    why=(
        "An alarm that notifies no one is silent; the OK notification tells the on-call person "
        "that the incident is over."
    ),
)
def alarm_actions(resources: Sequence[Resource]) -> list[Violation]:
    """CKV_AWS_319: every alarm is enabled and notifies an SNS topic on ALARM and on OK."""
    found: list[Violation] = []
    topics = of_type(resources, aws.SNS_TOPIC)
    for alarm in of_type(resources, aws.METRIC_ALARM):
        for v in require(not_equal(alarm.get("actionsEnabled"), False), "actionsEnabled is false"):
            found.append(Violation(f"{alarm.name}: {v.message}", v.outcome, alarm.urn))
        for key in ("alarmActions", "okActions"):
            actions = as_list(alarm.get(key))
            if actions is UNKNOWN:
                found.append(unknown(f"{alarm.name}: {key} not known yet", urn=alarm.urn))
                continue
            if not actions:
                found.append(fail(f"{alarm.name}: {key} is empty", urn=alarm.urn))
            for action in actions:
                is_topic = any3(
                    [
                        equals(aws.arn_service(action), "sns")
                        if action is not UNKNOWN
                        else UNKNOWN,
                        *(refers_to(action, t, "arn") for t in topics),
                    ]
                )
                for v in require(is_topic, f"{key} target {action!r} is not an SNS topic"):
                    found.append(Violation(f"{alarm.name}: {v.message}", v.outcome, alarm.urn))
    return found
