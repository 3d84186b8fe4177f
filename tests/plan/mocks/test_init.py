"""The mocks' tables: every resource type and invoke answered by exactly one tier, or loudly not."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime.mocks import MockResourceArgs

from plan.harness import Plan, RecordedResource, run_program, to_jsonable
from plan.mocks import TIERS, AwsMocks, Lookups, RefusedInputs


def test_unknown_resource_types_fail_loudly() -> None:
    mocks = AwsMocks("us-east-1", Lookups())
    with pytest.raises(NotImplementedError, match="no outputs for aws:foo/bar:Bar"):
        mocks.new_resource(
            MockResourceArgs(
                typ="aws:foo/bar:Bar", name="x", inputs={}, provider="", resource_id=""
            )
        )


def test_no_recorded_input_is_the_string_none(stack_plan: Plan) -> None:
    """A missing mock output shows up as 'None' inside interpolated strings."""
    for resource in stack_plan.resources:
        assert "None" not in json.dumps(to_jsonable(resource.inputs)), resource.name


def test_every_type_and_invoke_is_answered_by_exactly_one_tier() -> None:
    builders = Counter(t for tier in TIERS for t in tier.builders)
    invokes = Counter(t for tier in TIERS for t in tier.invokes)
    assert [t for t, n in (builders + invokes).items() if n > 1] == []


def _register(mocks: AwsMocks, typ: str, name: str, inputs: dict[str, Any]) -> None:
    mocks.new_resource(
        MockResourceArgs(typ=typ, name=name, inputs=inputs, provider="", resource_id="")
    )


@pytest.mark.parametrize("preview", [False, True])
def test_the_mocks_keep_every_input_aws_would_refuse(preview: bool) -> None:
    mocks = AwsMocks("us-east-1", Lookups(), preview=preview)
    group = "aws:ec2/securityGroup:SecurityGroup"
    _register(mocks, group, "db-sg", {"description": "from the app's groups", "vpcId": "vpc-1"})
    _register(mocks, group, "web-sg", {"description": "from the load balancer"})
    assert len(mocks.refused) == 1
    assert mocks.refused[0].startswith(
        f'{group} db-sg: description "from the app\'s groups": "\'" not allowed'
    )
    assert "botocore ec2 CreateSecurityGroupRequest.Description" in mocks.refused[0]


def test_the_name_a_resource_gets_is_judged_too() -> None:
    mocks = AwsMocks("us-east-1", Lookups())
    _register(mocks, "aws:lb/loadBalancer:LoadBalancer", "internal-staging-alb", {})
    (refusal,) = mocks.refused
    assert refusal.startswith(
        "aws:lb/loadBalancer:LoadBalancer internal-staging-alb: name 'internal-staging-alb-"
    )
    assert "must not start with 'internal-'" in refusal


def _refused_program() -> None:
    aws.ec2.SecurityGroup("db-sg", description="PostgreSQL from the app's groups only")
    aws.s3.Bucket("site", bucket="Auction_Site")
    aws.ec2.SecurityGroup("fine-sg", description="HTTPS from the VPC")
    pulumi.export("done", True)


def test_a_run_with_refused_inputs_fails_with_every_one_of_them() -> None:
    registered: list[RecordedResource] = []
    with pytest.raises(RefusedInputs) as failure:
        run_program("staging", program=_refused_program, registered=registered)
    assert [line.split(":", 2)[:2] for line in failure.value.refused] == [
        ["aws", "ec2/securityGroup"],
        ["aws", "s3/bucket"],
    ]
    message = str(failure.value)
    assert message.startswith("2 inputs AWS would refuse at create time")
    assert "SecurityGroup db-sg: description" in message
    assert "Bucket site: bucket 'Auction_Site'" in message
    assert "S3 User Guide" in message
    # The whole program ran: what it declared is there to inspect.
    assert {r.name for r in registered} >= {"db-sg", "site", "fine-sg"}
