"""`golive plan` as a user runs it."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aws_facts import input_rules
from aws_facts.input_rules import Input, Rule, no_part
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
    raw_ids = re.findall(r"\b(?:vpc|subnet)-[0-9a-f]{8,}\b", out)
    assert not raw_ids, f"raw ids leaked into the comparison: {raw_ids}"
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


def test_plan_with_an_input_aws_would_refuse_exits_1_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Say AWS stopped taking colons in key descriptions: the plan must fail, not `pulumi up`.
    strict = Rule("a KMS key description", "a test's rule", (no_part(":"),))
    monkeypatch.setitem(input_rules.INPUT_RULES, "aws:kms/key:Key", (Input("description", strict),))
    result = runner.invoke(app, ["plan", "staging"])
    assert result.exit_code == 1
    assert "1 input AWS would refuse at create time" in result.output
    assert "aws:kms/key:Key auction-staging-key: description" in result.output
    assert "must not contain ':'" in result.output and "a test's rule" in result.output
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


EVERY_STACK_FILE = [
    ("staging", None),
    ("prod", None),
    *((p.name.split(".")[1], p) for p in sorted(STACKFILES.glob("Pulumi.*.yaml"))),
]


@pytest.mark.parametrize(
    ("stack", "stack_file"), EVERY_STACK_FILE, ids=[s for s, _ in EVERY_STACK_FILE]
)
def test_plan_shows_both_estimates_with_the_chain_for_every_stack_file(
    stack: str, stack_file: Path | None, tmp_path: Path
) -> None:
    target = tmp_path / "plan.json"
    args = ["plan", stack, "-q", "--json", str(target)]
    result = runner.invoke(app, args + (["--stack-file", str(stack_file)] if stack_file else []))
    assert result.exit_code == 0, result.output
    assert re.search(r"Cold deploy: ~\d+\.\d min typical, \d+\.\d at most", result.output)
    assert re.search(r"Release: ~\d+\.\d min typical, \d+\.\d at most", result.output)
    estimate = json.loads(target.read_text())["estimate"]
    cold, release = estimate["coldDeploy"], estimate["release"]
    chain = cold["chain"]
    assert chain and chain[-1]["doneAtMinute"] == cold["typicalMinutes"]
    assert all(a["doneAtMinute"] < b["doneAtMinute"] for a, b in itertools.pairwise(chain))
    assert cold["upperMinutes"] >= cold["typicalMinutes"] > 0
    counted = [s for s in release["steps"] if s["everyRelease"]]
    assert sum(s["minutes"] for s in counted) == pytest.approx(release["typicalMinutes"], abs=0.05)
    assert {"preflight", "deploy", "smoke tests", "verify", "bake"} <= {s["name"] for s in counted}


def test_plan_against_compares_both_estimates() -> None:
    result = runner.invoke(app, ["plan", "staging", "--against", "prod"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"Time: staging: cold deploy ~[\d.]+ min .*; prod: cold deploy ~", result.output
    )


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
