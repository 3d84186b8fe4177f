"""The mocks harness: realistic values, recorded options, secrets, preview mode."""

from __future__ import annotations

import json
import re

import pytest

from stacks.harness import (
    Plan,
    SecretValue,
    is_unknown,
    load_stack_config,
    run_program,
    to_jsonable,
)
from stacks.mock_aws import AwsMocks, Lookups
from tests.conftest import cached_plan

ARN = re.compile(r"^arn:aws:[a-z0-9-]+:([a-z0-9-]*):(\d{12})?:.+")


def test_staging_and_prod_run_in_one_process_without_leaking(staging: Plan, prod: Plan) -> None:
    assert staging.outputs["stack"] == "staging"
    assert prod.outputs["stack"] == "prod"
    assert {r.urn.split("::")[0] for r in staging.resources} == {"urn:pulumi:staging"}
    assert {r.urn.split("::")[0] for r in prod.resources} == {"urn:pulumi:prod"}
    again = run_program("staging")
    assert sorted(r.urn for r in again.resources) == sorted(r.urn for r in staging.resources)


def test_every_arn_is_well_formed_and_in_the_stacks_region(stack_plan: Plan) -> None:
    region = stack_plan.outputs["region"]
    for resource in stack_plan.resources:
        arn = resource.outputs.get("arn")
        if isinstance(arn, str):
            match = ARN.match(arn)
            assert match, f"{resource.name}: {arn}"
            assert match.group(1) in ("", region), f"{resource.name}: {arn}"


def test_no_recorded_input_is_the_string_none(stack_plan: Plan) -> None:
    """A missing mock output shows up as 'None' inside interpolated strings."""
    for resource in stack_plan.resources:
        assert "None" not in json.dumps(to_jsonable(resource.inputs)), resource.name


def test_auto_names_follow_pulumis_pattern(staging: Plan) -> None:
    role = staging.named("auction-staging-flow-logs-role")
    assert re.fullmatch(r"auction-staging-flow-logs-role-[0-9a-f]{7}", role.outputs["name"])


def test_options_are_recorded(prod: Plan) -> None:
    key = prod.one("aws:kms/key:Key")
    assert key.options["protect"] is True
    assert key.options["retainOnDelete"] is True
    nat = prod.of_type("aws:ec2/natGateway:NatGateway")[0]
    igw = prod.one("aws:ec2/internetGateway:InternetGateway")
    assert igw.urn in nat.dependencies


def test_stack_file_values_are_strings_like_the_cli_passes_them() -> None:
    config, secret_keys = load_stack_config("prod")
    assert config["golive:protect"] == "true"
    assert json.loads(config["golive:network"])["azCount"] == 2
    assert secret_keys == []


def test_secure_values_get_a_secret_stand_in(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "Pulumi.s.yaml"
    path.write_text("config:\n  golive:app: x\n  golive:token:\n    secure: AAABAx==\n")
    config, secret_keys = load_stack_config("s", stack_file=path)
    assert secret_keys == ["golive:token"]
    assert config["golive:token"] != "AAABAx=="


def test_secret_values_are_masked_in_json() -> None:
    assert to_jsonable({"a": SecretValue("hunter2"), "b": [SecretValue(1)]}) == {
        "a": "[secret]",
        "b": ["[secret]"],
    }


def test_preview_mode_leaves_computed_outputs_unknown() -> None:
    plan = run_program("staging", preview=True)
    flow = plan.one("aws:ec2/flowLog:FlowLog")
    assert is_unknown(flow.inputs["vpcId"])
    assert flow.inputs["trafficType"] == "REJECT"
    assert to_jsonable(flow.inputs)["vpcId"] == "[unknown]"
    assert plan.one("aws:ec2/vpc:Vpc").outputs.get("arn") is None


def test_unknown_resource_types_fail_loudly() -> None:
    from pulumi.runtime.mocks import MockResourceArgs

    mocks = AwsMocks("us-east-1", Lookups())
    with pytest.raises(NotImplementedError, match="no outputs for aws:foo/bar:Bar"):
        mocks.new_resource(
            MockResourceArgs(
                typ="aws:foo/bar:Bar", name="x", inputs={}, provider="", resource_id=""
            )
        )


def test_missing_hosted_zone_is_an_aws_like_error() -> None:
    from pulumi.runtime.mocks import MockCallArgs

    mocks = AwsMocks("us-east-1", Lookups(zones={"example.com": "Z1"}))
    answer, failures = mocks.call(
        MockCallArgs(token="aws:route53/getZone:getZone", args={"name": "other.org"}, provider="")
    )
    assert answer == {}
    assert "golive bootstrap --zone" in failures[0][1]


def test_released_images_are_answered_by_path() -> None:
    from pulumi.runtime.mocks import MockCallArgs

    mocks = AwsMocks(
        "us-east-1", Lookups(released_images={"/golive/a/s/images/api": "repo@sha256:1"})
    )
    answer, _ = mocks.call(
        MockCallArgs(
            token="aws:ssm/getParametersByPath:getParametersByPath",
            args={"path": "/golive/a/s/images/"},
            provider="",
        )
    )
    assert answer["names"] == ["/golive/a/s/images/api"]
    assert answer["values"] == ["repo@sha256:1"]


def test_the_plan_is_json_serializable(prod: Plan) -> None:
    document = json.loads(json.dumps(prod.to_json()))
    assert len(document["resources"]) == len(prod.resources)
    assert document["outputs"]["stack"] == "prod"


def test_session_cache_returns_the_same_plan() -> None:
    assert cached_plan("prod") is cached_plan("prod")
