"""How the control tests are written: every control, both ways.

Each case is a single mutation of `fixtures.compliant_stack()`; the expected result is the
control's tri-state result (`pass`, `fail`, `unknown`) on the mutated stack. "unknown" cases
replace a value by the forms "not known yet" takes: the harness's preview marker (`UNKNOWN`),
the engine's sentinel string a policy pack receives (`ENGINE_UNKNOWN`), or a resource that has
no id yet. Each area's test module (`test_ec2.py`, ...) lists its `CASES` (failing and unknown)
and `PASSING_VARIANTS` (stacks that differ from the compliant one and still pass);
`tests/policies/test_rules.py` checks them together: every control has both kinds, and a
failing mutation fails only its own control.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from policies.model import Resource, Status, result_of
from policies.rules import BY_ID
from tests.policies.fixtures import compliant_stack

PASS, FAIL, UNK = Status.PASS, Status.FAIL, Status.UNKNOWN
ALL = "0.0.0.0/0"

Mutation = Callable[[list[Resource]], list[Resource]]
Case = tuple[str, str, Mutation, Status]
"""(control ID, what the mutation does, the mutation, the control's expected result)."""


def policy_json(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def result(control_id: str, stack: list[Resource]) -> Status:
    violations = BY_ID[control_id].check(stack)
    assert violations is not None, f"{control_id} found nothing to check"
    return result_of(violations)


def params(cases: list[Case]) -> list[Any]:
    """`pytest.param`s of `(control_id, mutation, expected)`, named after each case."""
    return [pytest.param(c, m, e, id=f"{c}: {d} -> {e.value}") for c, d, m, e in cases]


def check(control_id: str, mutation: Mutation, expected: Status) -> None:
    stack = mutation(compliant_stack())
    assert result(control_id, stack) is expected, BY_ID[control_id].check(stack)
