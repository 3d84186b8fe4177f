"""The tests' memo of program runs (tests/plan_memo.py): same inputs, same plan, never shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from plan import harness
from tests import plan_memo
from tests.conftest import STACKFILES


def test_a_remembered_plan_is_equal_but_each_caller_owns_its_copy() -> None:
    first = harness.run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")
    second = harness.run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")
    assert first.to_json() == second.to_json()
    vpc = first.one("aws:ec2/vpc:Vpc")
    vpc.inputs["cidrBlock"] = "changed by a test"
    vpc.dependencies.append("changed by a test")
    first.resources.clear()
    first.outputs.clear()
    assert second.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"] != "changed by a test"
    assert "changed by a test" not in second.one("aws:ec2/vpc:Vpc").dependencies
    third = harness.run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")
    assert third.to_json() == second.to_json()


def test_a_stack_file_with_other_text_at_the_same_path_is_run_again(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.trial.yaml"
    text = (STACKFILES / "Pulumi.trial.yaml").read_text()
    path.write_text(text)
    before = harness.run_program("trial", stack_file=path)
    path.write_text(text.replace("azCount: 3", "azCount: 2"))
    after = harness.run_program("trial", stack_file=path)
    subnets = "aws:ec2/subnet:Subnet"
    assert len(after.of_type(subnets)) < len(before.of_type(subnets))


def test_overrides_and_lookups_are_part_of_the_key() -> None:
    plain = harness.run_program("staging")
    assert (
        harness.run_program("staging", overrides={"aws:region": "eu-west-1"}).config["aws:region"]
        == "eu-west-1"
    )
    assert harness.run_program("staging", preview=True).to_json() != plain.to_json()


def test_other_tests_remember_runs() -> None:
    assert plan_memo.enabled()


@pytest.mark.fresh_runs
def test_a_test_marked_fresh_runs_runs_the_program_every_time() -> None:
    assert not plan_memo.enabled()


def test_a_test_that_patches_runs_the_program_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    del monkeypatch
    assert not plan_memo.enabled()
