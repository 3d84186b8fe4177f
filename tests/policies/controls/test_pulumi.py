"""The Pulumi resource option controls (`policies/controls/pulumi.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import FAIL, UNK, Case, Mutation, check, params
from tests.policies.fixtures import UNKNOWN, chain, drop_option, mutate, set_options, unknown_id

CASES: list[Case] = [
    ("PUL.1", "database not protected", set_options("db", protect=False), FAIL),
    ("PUL.1", "bucket not protected", set_options("site", protect=False), FAIL),
    ("PUL.1", "database not retained", set_options("db", retainOnDelete=False), FAIL),
    ("PUL.1", "database key not retained", set_options("key", retainOnDelete=False), FAIL),
    ("PUL.1", "retainOnDelete not visible (policy engine)", drop_option("db", "retainOnDelete"),
     UNK),
    ("PUL.1", "database key not created yet", chain(unknown_id("key"),
                                                    mutate("db", kmsKeyId=UNKNOWN)), UNK),
]  # fmt: skip

PASSING_VARIANTS: list[Case] = []


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
