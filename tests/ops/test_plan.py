"""`golive plan` as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from ops.cli import app
from tests.conftest import STACKFILES

runner = CliRunner()


def test_plan_staging_shows_tree_counts_outputs_and_warnings() -> None:
    result = runner.invoke(app, ["plan", "staging"])
    assert result.exit_code == 0, result.output
    assert "Network auction-staging" in result.output
    assert "aws:ec2/subnet:Subnet" in result.output
    assert "vpcId" in result.output
    assert "network.nat is 'none'" in result.output  # Pulumi.staging.yaml: no NAT


def test_plan_prod_marks_protected_resources() -> None:
    result = runner.invoke(app, ["plan", "prod"])
    assert result.exit_code == 0, result.output
    assert "(protect, retain)" in result.output


def test_plan_against_shows_only_stack_file_differences() -> None:
    result = runner.invoke(app, ["plan", "staging", "--against", "prod"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "golive:network.nat" in out and "perAz" in out
    assert "Only in prod" in out and "{prefix}-nat-b" in out
    assert "vpc-" not in out and "subnet-" not in out, "raw ids leaked into the comparison"
    assert "retentionInDays" in out


def test_plan_against_itself_is_empty() -> None:
    result = runner.invoke(app, ["plan", "prod", "--against", "prod"])
    assert result.exit_code == 0
    assert "declare the same resources" in result.output


def test_plan_json_writes_the_recorded_plan(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", "prod", "--json", str(target), "-q"])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    types = {r["type"] for r in document["resources"]}
    assert "aws:ec2/natGateway:NatGateway" in types
    key = next(r for r in document["resources"] if r["type"] == "aws:kms/key:Key")
    assert key["options"]["protect"] is True
    assert isinstance(document["warnings"], list)
    assert not [w for w in document["warnings"] if w.startswith("network.")], "prod is HA"


def test_plan_with_a_bad_stack_file_exits_1_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (STACKFILES / "Pulumi.trial.yaml").read_text().replace("azCount: 3", "azCount: 7")
    )
    result = runner.invoke(app, ["plan", "trial", "--stack-file", str(bad)])
    assert result.exit_code == 1
    assert "network.azCount" in result.output
    assert "Traceback" not in result.output


def test_plan_of_an_unknown_stack_names_the_stacks_that_exist() -> None:
    result = runner.invoke(app, ["plan", "qa"])
    assert result.exit_code == 1
    assert "Pulumi.qa.yaml" in result.output and "prod, staging" in result.output


def test_plan_of_a_trial_stack_warns_about_public_ips() -> None:
    result = runner.invoke(
        app, ["plan", "trial", "--stack-file", str(STACKFILES / "Pulumi.trial.yaml"), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "public subnets with public IPs" in result.output
    assert "no domain" in result.output


def test_plan_prints_a_cost_estimate_that_follows_the_stack_file() -> None:
    result = runner.invoke(app, ["plan", "staging", "--against", "prod"])
    assert result.exit_code == 0, result.output
    assert "Fixed monthly cost: staging $" in result.output


def test_plan_prints_arns_verbatim() -> None:
    """rich would turn the ':secret:' of a Secrets Manager ARN into an emoji."""
    result = runner.invoke(app, ["plan", "staging", "-q"])
    assert ":secret:" in result.output
    assert "\u3299" not in result.output


def test_plan_controls_with_a_failed_lookup_is_an_error_not_a_traceback() -> None:
    from unittest import mock

    failure = Exception("invoke of aws:ec2/getVpc:getVpc failed: no matching VPC found (id)")
    with mock.patch("ops.plan.run_program", side_effect=failure):
        for extra in ([], ["--controls"]):
            result = runner.invoke(app, ["plan", "prod", *extra])
            assert result.exit_code == 1, result.output
            assert "no matching VPC found" in result.output
            assert "Traceback" not in result.output


def test_a_yaml_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.staging.yaml"
    bad.write_text("config:\n  aws:region: us-east-1\n  golive:network:\n    nat: none: single\n")
    result = runner.invoke(app, ["plan", "staging", "--stack-file", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4:14: not valid YAML: mapping values are not allowed here" in result.output
    assert "   4 |     nat: none: single\n" in result.output
    assert "Traceback" not in result.output


def test_an_unclosed_flow_mapping_points_where_it_ends(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.staging.yaml"
    bad.write_text("config:\n  golive:services:\n    api: {port: 80\n  golive:app: x\n")
    result = runner.invoke(app, ["plan", "staging", "--stack-file", str(bad)])
    assert result.exit_code == 1
    shown = result.output.replace("\n", "")  # rich wraps long lines at a space
    assert f"{bad}:4:13: not valid YAML: expected ',' or '}}', but got ':'" in shown
    assert "(while parsing a flow mapping)" in shown


def test_config_problems_name_the_stack_file_given(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.staging.yaml"
    bad.write_text(Path("Pulumi.staging.yaml").read_text().replace("auction_app", "Auction App"))
    result = runner.invoke(app, ["plan", "staging", "--stack-file", str(bad)])
    assert result.exit_code == 1
    assert re.search(rf"problems? in {re.escape(str(bad))}:", result.output.replace("\n", ""))
