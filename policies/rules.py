"""Every control golive checks, in report order, and lookup by ID.

The controls report, the policy pack, the config model (which exceptions a stack file may
declare) and docs/controls.md read `CONTROLS` from here. Each control is declared, with its
metadata, beside its rule in `policies/controls/<service>.py`; this module only fixes the order
of the areas, which the report, the pack and the docs keep.
"""

from __future__ import annotations

from collections.abc import Mapping

from policies.controls import (
    acm,
    cloudfront,
    cloudwatch,
    ec2,
    ecs,
    elb,
    iam,
    kms,
    pulumi,
    rds,
    route53,
    s3,
    secretsmanager,
    sns,
)
from policies.model import Control, Controls

AREAS: tuple[Controls, ...] = (
    ec2.controls,
    ecs.controls,
    elb.controls,
    rds.controls,
    cloudfront.controls,
    acm.controls,
    route53.controls,
    secretsmanager.controls,
    kms.controls,
    sns.controls,
    s3.controls,
    cloudwatch.controls,
    iam.controls,
    pulumi.controls,
)

CONTROLS: tuple[Control, ...] = tuple(item for area in AREAS for item in area)

BY_ID: Mapping[str, Control] = {item.id: item for item in CONTROLS}


def control(control_id: str) -> Control:
    """A control by its ID or by an ID it covers (e.g. "SecretsManager.4")."""
    if control_id in BY_ID:
        return BY_ID[control_id]
    for candidate in CONTROLS:
        if control_id in candidate.covers:
            return candidate
    raise KeyError(control_id)
