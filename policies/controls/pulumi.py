"""Pulumi resource option controls: stateful resources protected and retained."""

from __future__ import annotations

from collections.abc import Sequence

from policies import aws
from policies.aws import of_type, referenced
from policies.model import Controls, Resource, Severity, Violation, fail, unknown

controls = Controls("Pulumi resource options")


STATEFUL_TYPES = (
    aws.RDS_INSTANCE,
    aws.KMS_KEY,
    *aws.BUCKETS,
    aws.SECRET,
    aws.ROUTE53_ZONE,
    aws.ELASTICACHE_REPLICATION_GROUP,
)


@controls.stack_rule(
    id="PUL.1",
    title="Stateful resources protected",
    severity=Severity.HIGH,
    source="PUL, WA REL09",
    applies_to=STATEFUL_TYPES,
    exception_allowed=True,
    exception_never_covers=(
        "retaining the database's KMS key on delete, so its snapshots stay restorable"
    ),
    description="protect on DB, keys, buckets, secrets; the DB and its key retained on delete.",
    why=(
        "A `pulumi up` that would delete or replace a database, key, bucket or secret fails "
        "instead; the database and the key of its snapshots outlive even a stack teardown."
    ),
)
def stateful_protected(resources: Sequence[Resource]) -> list[Violation]:
    """PUL.1: stateful resources are `protect`ed; the database is also retained on delete.

    The key that encrypts the database (and so its snapshots) is retained on delete in every
    stack, so snapshots stay restorable after a teardown: that part is never waivable.
    """
    found: list[Violation] = []
    for resource in of_type(resources, *STATEFUL_TYPES):
        found += _option(resource, "protect", "is not protected (a delete or replace would run)")
        if resource.type == aws.RDS_INSTANCE:
            found += _option(resource, "retainOnDelete", "is not retained on delete")
    keys = of_type(resources, aws.KMS_KEY)
    for db in of_type(resources, aws.RDS_INSTANCE):
        matched, uncertain = referenced(db.get("kmsKeyId"), keys, "arn", "keyId")
        if uncertain and not matched:
            found.append(
                unknown(f"{db.name}: its KMS key is not known yet", urn=db.urn, waivable=False)
            )
        for key in matched:
            found += _option(
                key,
                "retainOnDelete",
                "encrypts the database's snapshots but is not retained on delete",
                waivable=False,
            )
    return found


def _option(
    resource: Resource, option: str, message: str, *, waivable: bool = True
) -> list[Violation]:
    if option not in resource.options:
        # The policy engine does not pass every option (retainOnDelete): undecidable there.
        return [
            unknown(
                f"{resource.name}: option {option} not visible here",
                urn=resource.urn,
                waivable=waivable,
            )
        ]
    if resource.options.get(option) is True:
        return []
    return [fail(f"{resource.name} {message}", urn=resource.urn, waivable=waivable)]
