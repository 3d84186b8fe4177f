"""Secrets Manager controls: rotation and encryption of the application's secrets."""

from __future__ import annotations

from collections.abc import Sequence

from policies import aws
from policies.aws import of_type, referrers
from policies.checks import not_aws_managed_key, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, as_number, get, unwrap

controls = Controls("Secrets Manager")


MAX_ROTATION_DAYS = 90.0


@controls.stack_rule(
    id="SecretsManager.1",
    title="Secret rotation <= 90 days",
    severity=Severity.MEDIUM,
    source="FSBP SecretsManager.1/4, CKV2_AWS_57, CKV_AWS_304",
    covers=("SecretsManager.4", "CKV2_AWS_57", "CKV_AWS_304"),
    applies_to=(aws.SECRET,),
    exception_allowed=True,
    description="Every secret has a SecretRotation every <= 90 days.",
    why="A leaked secret stops working within 90 days at the latest.",
)
def secret_rotation(resources: Sequence[Resource]) -> list[Violation]:
    """SecretsManager.1/4: every secret rotates automatically within 90 days."""
    found: list[Violation] = []
    rotations = of_type(resources, aws.SECRET_ROTATION)
    for secret in of_type(resources, aws.SECRET):
        mine, uncertain = referrers(secret, rotations, "secretId", "arn")
        if not mine:
            make = unknown if uncertain else fail
            found.append(make(f"{secret.name}: no rotation", urn=secret.urn))
            continue
        for rotation in mine:
            days = as_number(rotation.get("rotationRules.automaticallyAfterDays"))
            schedule = unwrap(rotation.get("rotationRules.scheduleExpression"))
            if days is UNKNOWN or schedule is UNKNOWN:
                found.append(
                    unknown(f"{secret.name}: rotation schedule not known yet", urn=secret.urn)
                )
            elif days is not None and days > MAX_ROTATION_DAYS:
                found.append(
                    fail(f"{secret.name}: rotates every {days:.0f} days (> 90)", urn=secret.urn)
                )
            elif days is None and not schedule:
                found.append(fail(f"{secret.name}: rotation has no schedule", urn=secret.urn))
    return found


@controls.resource_rule(
    id="CKV_AWS_149",
    title="Secrets use a CMK",
    severity=Severity.MEDIUM,
    source="CKV_AWS_149, PCP",
    applies_to=(aws.SECRET,),
    exception_allowed=False,
    description="kmsKeyId is a customer key.",
    why=(
        "Secrets are encrypted with the stack's key, whose policy (not only IAM) decides who may "
        "read them."
    ),
)
def secret_cmk(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_149: secrets are encrypted with a customer KMS key."""
    return require(not_aws_managed_key(get(props, "kmsKeyId")), "kmsKeyId is not a customer key")
