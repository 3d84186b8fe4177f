"""The provider-call table covers every AWS resource type a stack file can declare."""

from __future__ import annotations

import re

import pytest

from aws_facts.provider_calls import PROVIDER_CALLS
from plan.harness import Plan
from tests.components.data_stackfiles import stackfile_plan
from tests.conftest import STACKFILES, STACKS, cached_plan

EXTRA = sorted(p.name.split(".")[1] for p in STACKFILES.glob("Pulumi.*.yaml"))
ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")


def plans() -> list[Plan]:
    return [cached_plan(stack) for stack in STACKS] + [stackfile_plan(s) for s in EXTRA]


def test_every_aws_resource_type_declared_has_its_calls_listed() -> None:
    declared = {r.type for plan in plans() for r in plan.resources if r.type.startswith("aws:")}
    assert declared - PROVIDER_CALLS.keys() == set(), "add them to aws_facts/provider_calls.py"


@pytest.mark.parametrize("token", sorted(PROVIDER_CALLS))
def test_every_row_names_iam_actions(token: str) -> None:
    calls = PROVIDER_CALLS[token]
    assert calls.read and calls.source
    for action in (*calls.read, *calls.tag, *calls.untag):
        assert ACTION.match(action), action
    assert bool(calls.tag) == bool(calls.untag)


def test_the_budget_reads_its_tags_on_every_refresh() -> None:
    budget = PROVIDER_CALLS["aws:budgets/budget:Budget"]
    assert "budgets:ListTagsForResource" in budget.read
    assert (budget.tag, budget.untag) == (("budgets:TagResource",), ("budgets:UntagResource",))
