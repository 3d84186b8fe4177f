"""The ACM controls (`policies/controls/acm.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import FAIL, UNK, Case, Mutation, check, params
from tests.policies.fixtures import UNKNOWN, mutate, set_options

CASES: list[Case] = [
    ("ACM.2", "RSA 1024", mutate("cert", keyAlgorithm="RSA_1024"), FAIL),
    ("ACM.2", "email validation", mutate("cert", validationMethod="EMAIL"), FAIL),
    ("ACM.2", "delete before replace", set_options("cert", deleteBeforeReplace=True), FAIL),
    ("ACM.2", "algorithm unknown", mutate("cert", keyAlgorithm=UNKNOWN), UNK),
]  # fmt: skip

PASSING_VARIANTS: list[Case] = []


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
