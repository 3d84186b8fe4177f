"""The mocks harness: stack files read like the CLI, recorded options, secrets, preview mode."""

from __future__ import annotations

import json

import pytest

from plan.harness import (
    Plan,
    SecretValue,
    is_unknown,
    load_stack_config,
    run_program,
    to_jsonable,
)
from tests.conftest import cached_plan


@pytest.mark.fresh_runs
def test_staging_and_prod_run_in_one_process_without_leaking(staging: Plan, prod: Plan) -> None:
    assert staging.outputs["stack"] == "staging"
    assert prod.outputs["stack"] == "prod"
    assert {r.urn.split("::")[0] for r in staging.resources} == {"urn:pulumi:staging"}
    assert {r.urn.split("::")[0] for r in prod.resources} == {"urn:pulumi:prod"}
    again = run_program("staging")
    assert sorted(r.urn for r in again.resources) == sorted(r.urn for r in staging.resources)


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
    assert json.loads(config["golive:network"])["nat"] == "perAz"
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


def test_the_plan_is_json_serializable(prod: Plan) -> None:
    document = json.loads(json.dumps(prod.to_json()))
    assert len(document["resources"]) == len(prod.resources)
    assert document["outputs"]["stack"] == "prod"


def test_session_cache_returns_the_same_plan() -> None:
    assert cached_plan("prod") is cached_plan("prod")
