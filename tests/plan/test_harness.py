"""The mocks harness: stack files read like the CLI, recorded options, secrets, preview mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from plan.harness import (
    PROJECT_DIR,
    Plan,
    SecretValue,
    StackFileError,
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


def _initialized(tmp_path: Path, provider: str, alias: str) -> Path:
    """Pulumi.prod.yaml as `pulumi stack init --secrets-provider` leaves it (then committed)."""
    document = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    ci = json.loads(load_stack_config("prod")[0]["golive:ci"])
    document["config"]["golive:ci"] = {**ci, "secretsKeyAlias": alias}
    document = {"secretsprovider": provider, "encryptedkey": "AQICAHh...", **document}
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_secrets_provider_other_than_the_ci_key_is_refused_before_ci_meets_it(
    tmp_path: Path,
) -> None:
    """The CI roles may decrypt only with ci.secretsKeyAlias's key; a stack file initialized
    with another would fail in CI with AccessDenied, so the plan says so first."""
    path = _initialized(tmp_path, "awskms://alias/old-key?region=us-east-1", "golive-secrets-prod")
    with pytest.raises(StackFileError) as refused:
        load_stack_config("prod", stack_file=path)
    message = str(refused.value)
    assert "alias/old-key" in message and "ci.secretsKeyAlias" in message
    assert "golive-secrets-prod" in message and "change-secrets-provider" in message


@pytest.mark.parametrize(
    "provider",
    [
        "awskms://alias/golive-secrets-prod?region=us-east-1",
        "awskms:///alias/golive-secrets-prod?region=us-east-1",
        "passphrase",
    ],
)
def test_a_secrets_provider_of_the_ci_key_or_not_kms_is_read_as_before(
    tmp_path: Path, provider: str
) -> None:
    config, _ = load_stack_config(
        "prod", stack_file=_initialized(tmp_path, provider, "golive-secrets-prod")
    )
    assert json.loads(config["golive:ci"])["secretsKeyAlias"] == "golive-secrets-prod"
