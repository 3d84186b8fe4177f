"""The controls report over both stack files: prod passes, staging shows only what it declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ops.cli import app
from ops.plan import exception_rows
from plan.harness import Plan, SecretValue, run_program, to_jsonable
from plan.mocks import Lookups
from policies.model import Status
from policies.report import ControlsReport, evaluate
from policies.values import SECRET_SIG, SECRET_SIG_KEY
from stacks.config import parse
from tests.conftest import raw_config

runner = CliRunner()


def released(stack: str) -> Lookups:
    """Every service of the stack released once (its image recorded by `golive release`)."""
    plan = run_program(stack)
    services = plan.outputs.get("services") or {}
    return Lookups(
        released_images={
            entry[
                "imageParameter"
            ]: f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}@sha256:{'a' * 64}"
            for name, entry in services.items()
        }
    )


def report_for(plan: Plan) -> ControlsReport:
    cfg = parse(plan.stack, raw_config(plan.stack))
    return evaluate(plan.resources, cfg.policy)


def _ids(report: ControlsReport, status: str) -> set[str]:
    return {r.control.id for r in report.results if r.status.value == status}


@pytest.mark.parametrize("stack", ["staging", "prod"])
@pytest.mark.parametrize("phase", ["before-first-release", "released"])
def test_no_control_fails_and_every_exception_is_declared_and_used(stack: str, phase: str) -> None:
    plan = run_program(stack, lookups=released(stack) if phase == "released" else None)
    report = report_for(plan)
    declared = set(parse(stack, raw_config(stack)).policy.declared_exceptions())
    assert _ids(report, "fail") == set(), report.to_json()
    # Task counts are judged on what a service keeps once released, before its release too.
    unneeded = {"staging": {"REL10.NAT", "RDS.6"}, "prod": set[str]()}[stack]
    assert _ids(report, "exception") == declared - unneeded
    assert set(report.unneeded_profile_exceptions) == unneeded  # listed, not findings
    assert report.unused_exceptions == ()
    assert not report.blocking


def test_prod_declares_only_the_exceptions_controls_md_allows_prod() -> None:
    policy = parse("prod", raw_config("prod")).policy
    assert policy.profiles == ["baseline"] and not policy.exceptions
    assert set(policy.declared_exceptions()) == {"EC2.10", "Route53.2", "SecretsManager.1"}


def test_a_control_that_fails_blocks_a_mandatory_stack() -> None:
    config = raw_config("prod")
    plan = run_program(
        "prod", overrides={"network": {**json.loads(config["golive:network"]), "nat": "single"}}
    )
    report = report_for(plan)
    assert "REL10.NAT" in _ids(report, "fail")
    assert report.blocking


@pytest.mark.parametrize("phase", ["before-first-release", "released"])
def test_a_one_task_prod_web_service_fails_rel10_tasks(phase: str) -> None:
    services = json.loads(raw_config("prod")["golive:services"])
    services["api"]["autoscaling"]["minCount"] = 1
    plan = run_program(
        "prod",
        overrides={"services": services},
        lookups=released("prod") if phase == "released" else None,
    )
    report = report_for(plan)
    assert {"REL10.TASKS", "REL07"} <= _ids(report, "fail")
    assert report.blocking


def test_plan_controls_cli_reports_and_sets_the_exit_code() -> None:
    ok = runner.invoke(app, ["plan", "staging", "--controls"])
    assert ok.exit_code == 0, ok.output
    report = report_for(run_program("staging"))
    excepted = len(report.with_status(Status.EXCEPTION))
    assert f"{excepted} exception" in ok.output and "0 fail" in ok.output
    assert "│ RDS.5            │ medium │ profile staging  │ a single-AZ database" in ok.output


def test_plan_controls_fails_on_an_undeclared_shortfall(tmp_path: Path) -> None:
    text = Path("Pulumi.staging.yaml").read_text()
    stack_file = tmp_path / "Pulumi.staging.yaml"
    keeps_rds5 = "{profiles: [staging], required: [RDS.5]}"
    stack_file.write_text(text.replace("{profiles: [staging]}", keeps_rds5))
    result = runner.invoke(app, ["plan", "staging", "--controls", "--stack-file", str(stack_file)])
    assert result.exit_code == 1
    assert "RDS.5" in result.output


def _encrypted(value: Any) -> Any:
    """Values as `pulumi stack export` writes them: a secret stays encrypted (`ciphertext`)."""
    if isinstance(value, SecretValue):
        return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:c2VjcmV0"}
    if isinstance(value, dict):
        return {k: _encrypted(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [_encrypted(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return to_jsonable(value)


def _export(plan: Plan) -> dict[str, Any]:
    """A `pulumi stack export` document of what the plan would deploy."""
    resources = [
        {
            "urn": r.urn,
            "type": r.type,
            "custom": r.custom,
            "id": r.id,
            "inputs": _encrypted(r.inputs),
            "outputs": _encrypted(r.outputs),
            "parent": r.parent,
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
        }
        for r in plan.resources
    ]
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}


def test_plan_controls_on_a_stack_export(tmp_path: Path) -> None:
    export = tmp_path / "state.json"
    export.write_text(json.dumps(_export(run_program("staging"))))
    result = runner.invoke(app, ["plan", "staging", "--controls", "--state", str(export)])
    assert result.exit_code == 0, result.output
    assert str(export) in result.output.replace("\n", "")


def test_state_needs_controls(tmp_path: Path) -> None:
    export = tmp_path / "state.json"
    export.write_text("{}")
    result = runner.invoke(app, ["plan", "staging", "--state", str(export)])
    assert result.exit_code == 1
    assert "--state needs --controls" in result.output


def test_against_lists_both_stacks_exceptions_one_by_one() -> None:
    staging, prod = (parse(s, raw_config(s)).policy for s in ("staging", "prod"))
    rows = {control_id: (a, b) for control_id, a, b in exception_rows(staging, prod)}
    assert set(rows) == set(staging.declared_exceptions()) | set(prod.declared_exceptions())
    for control_id, declared in staging.declared_exceptions().items():
        assert rows[control_id][0] == declared
    assert rows["RDS.5"][1] is None  # prod meets it
    result = runner.invoke(app, ["plan", "staging", "--against", "prod"])
    assert result.exit_code == 0, result.output
    assert "Control exceptions (staging vs prod)" in result.output
    shown = result.output.split("Control exceptions (staging vs prod)", 1)[1]
    for control_id in rows:
        assert f"│ {control_id} " in shown, control_id
    assert "required" in shown
