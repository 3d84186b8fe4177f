"""`golive approve` and `golive approvers`: prod's approval on every GitHub plan, read from the
stack file (in a copy of the project), offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ops.test_ci_commands import project, run

APPROVERS = ["alice", "Bob-2"]


def approve(path: Path, actor: str, stack: str = "prod") -> tuple[int, str]:
    result = run("approve", stack, "--actor", actor, "--project-dir", str(path))
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def with_approvers(tmp_path: Path) -> Path:
    return project(tmp_path, {"prod": {"golive:ci.approvers": APPROVERS}})


@pytest.mark.parametrize("actor", ["alice", "bob-2", "BOB-2"])
def test_an_approver_goes_on_whatever_the_case_of_the_login(
    with_approvers: Path, actor: str
) -> None:
    code, output = approve(with_approvers, actor)
    assert code == 0, output
    assert f"approved by {actor}, an approver of prod (alice, Bob-2)" in output


def test_anyone_else_is_refused_with_the_approvers_and_the_fix(with_approvers: Path) -> None:
    code, output = approve(with_approvers, "mallory")
    assert code == 1, output
    assert "mallory is not an approver of prod: Pulumi.prod.yaml names alice, Bob-2" in output
    assert "nothing was deployed" in output and "looks like a typo" not in output
    assert "ask one of them to run this workflow" in output
    assert "add the login to ci.approvers in Pulumi.prod.yaml through a reviewed merge" in output


def test_a_typo_in_the_stack_file_is_pointed_at(tmp_path: Path) -> None:
    path = project(tmp_path, {"prod": {"golive:ci.approvers": ["alcie", "bob"]}})
    code, output = approve(path, "alice")
    assert code == 1, output
    assert "('alcie' looks like a typo of 'alice')" in output


def test_a_login_that_is_no_login_stops_before_any_check(tmp_path: Path) -> None:
    path = project(tmp_path, {"prod": {"golive:ci.approvers": ["@alice"]}})
    code, output = approve(path, "alice")
    assert code == 2, output
    assert "ci.approvers[0]: '@alice': write the GitHub login without '@'" in output
    assert "fix Pulumi.prod.yaml" in output


def test_without_approvers_the_environment_approves_and_the_gate_lets_through(
    tmp_path: Path,
) -> None:
    """A stack without approvers behaves as before: its `prod` environment decides."""
    code, output = approve(project(tmp_path), "anyone")
    assert code == 0, output
    assert "names no ci.approvers: the `prod` GitHub environment's required reviewers" in output


def test_an_empty_actor_is_a_usage_error(with_approvers: Path) -> None:
    code, output = approve(with_approvers, "")
    assert code == 2, output
    assert "--actor is empty" in output


def test_approvers_prints_the_list_ci_decides_on(with_approvers: Path) -> None:
    listed = run("approvers", "prod", "--json", "--project-dir", str(with_approvers))
    assert listed.exit_code == 0 and json.loads(listed.output) == APPROVERS
    staging = run("approvers", "staging", "--json", "--project-dir", str(with_approvers))
    assert json.loads(staging.output) == []
    text = run("approvers", "staging", "--project-dir", str(with_approvers))
    assert "none: the `staging` GitHub environment approves" in text.output
