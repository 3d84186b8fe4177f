"""The Route 53 controls (`policies/controls/route53.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import FAIL, UNK, Case, Mutation, check, params
from tests.policies.fixtures import UNKNOWN, drop, mutate

CASES: list[Case] = [
    ("Route53.2", "no query log", drop("query-log"), FAIL),
    ("Route53.2", "query log of another zone", mutate("query-log", zoneId="Z999"), FAIL),
    ("Route53.2", "zone unknown", mutate("apex", zoneId=UNKNOWN), UNK),
]  # fmt: skip

PASSING_VARIANTS: list[Case] = []


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
