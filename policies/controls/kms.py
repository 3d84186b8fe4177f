"""KMS controls: rotation and policy of the stack's customer keys."""

from __future__ import annotations

from policies import aws
from policies.checks import negate, require
from policies.model import Controls, Options, Props, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, get, is_true, parse_json, truthy, unwrap

controls = Controls("KMS")


@controls.resource_rule(
    id="KMS.4",
    title="KMS key rotation",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_7, AG, PCP",
    covers=("CKV_AWS_7",),
    applies_to=(aws.KMS_KEY,),
    exception_allowed=False,
    description="enableKeyRotation is true on symmetric keys.",
    why=(
        "AWS rotates the key material every year, limiting how much data one key version protects."
    ),
)
def kms_rotation(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """KMS.4 (CKV_AWS_7): symmetric customer keys rotate yearly."""
    spec = unwrap(get(props, "keySpec"))
    if spec is None:
        spec = unwrap(get(props, "customerMasterKeySpec"))
    if spec is not UNKNOWN and spec not in (None, "SYMMETRIC_DEFAULT"):
        return []  # AWS rotates only symmetric encryption keys
    return require(is_true(get(props, "enableKeyRotation")), "enableKeyRotation is not true")


@controls.resource_rule(
    id="KMS.3",
    title="Key policy explicit and not public",
    severity=Severity.CRITICAL,
    source="FSBP KMS.3/5, CKV_AWS_33, CKV2_AWS_64",
    covers=("KMS.5", "CKV_AWS_33", "CKV2_AWS_64"),
    applies_to=(aws.KMS_KEY,),
    exception_allowed=False,
    description="Explicit key policy, no bare * principal; lockout check not bypassed.",
    why=(
        "Without an explicit policy no one can tell who may use the key; a bare `*` principal "
        "would open it to any AWS account; the lockout check keeps the key manageable."
    ),
)
def kms_key_policy(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """KMS.3/5: an explicit key policy with no public principal; lockout check not bypassed."""
    found = require(
        negate(truthy(get(props, "bypassPolicyLockoutSafetyCheck"))),
        "bypassPolicyLockoutSafetyCheck is true",
    )
    document = parse_json(get(props, "policy"))
    if document is None:
        return [*found, fail("no explicit key policy")]
    public = aws.public_statements(document)
    if public is UNKNOWN:
        found.append(unknown("cannot check yet: key policy not known"))
    elif public:
        found.append(fail('key policy allows the bare "*" principal'))
    return found
