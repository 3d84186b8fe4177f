"""SNS controls: encryption and policy of the alarm topics."""

from __future__ import annotations

from policies import aws
from policies.checks import not_aws_managed_key, require
from policies.model import Controls, Options, Props, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, get, parse_json

controls = Controls("SNS")


@controls.resource_rule(
    id="SNS.1",
    title="Topic with a CMK, not public",
    severity=Severity.MEDIUM,
    source="FSBP SNS.1/4, CKV_AWS_26/169",
    covers=("SNS.4", "CKV_AWS_26", "CKV_AWS_169"),
    applies_to=(aws.SNS_TOPIC, aws.SNS_TOPIC_POLICY),
    exception_allowed=False,
    description="kmsMasterKeyId is a customer key; topic policies have no bare * principal.",
    why=(
        "Alarm messages are encrypted with a key CloudWatch may use (it cannot publish to a topic "
        "under aws/sns), and no one outside the account may publish or subscribe."
    ),
)
def sns_encrypted_private(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """SNS.1/4: topics use a customer key (alarms cannot publish to aws/sns); no public policy."""
    if resource_type == aws.SNS_TOPIC_POLICY:
        public = aws.public_statements(parse_json(get(props, "policy")))
        if public is UNKNOWN:
            return [unknown("cannot check yet: topic policy not known")]
        return [fail('topic policy allows the bare "*" principal')] if public else []
    return require(
        not_aws_managed_key(get(props, "kmsMasterKeyId")),
        "kmsMasterKeyId is not a customer key (alarms cannot use aws/sns)",
    )
