"""What every answer is made of: ARNs in the stack's account and region, Pulumi's auto-names."""

from __future__ import annotations

import re

from plan.harness import Plan

ARN = re.compile(r"^arn:aws:[a-z0-9-]+:([a-z0-9-]*):(\d{12})?:.+")


def test_every_arn_is_well_formed_and_in_the_stacks_region(stack_plan: Plan) -> None:
    region = stack_plan.outputs["region"]
    for resource in stack_plan.resources:
        arn = resource.outputs.get("arn")
        if isinstance(arn, str):
            match = ARN.match(arn)
            assert match, f"{resource.name}: {arn}"
            assert match.group(1) in ("", region), f"{resource.name}: {arn}"


def test_auto_names_follow_pulumis_pattern(staging: Plan) -> None:
    role = staging.named("auction-staging-flow-logs-role")
    assert re.fullmatch(r"auction-staging-flow-logs-role-[0-9a-f]{7}", role.outputs["name"])
