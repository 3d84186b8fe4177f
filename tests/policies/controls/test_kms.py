"""The KMS controls (`policies/controls/kms.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import (
    FAIL,
    PASS,
    UNK,
    Case,
    Mutation,
    check,
    params,
    policy_json,
)
from tests.policies.fixtures import DELETE, UNKNOWN, mutate

CASES: list[Case] = [
    ("KMS.4", "no rotation", mutate("key", enableKeyRotation=False), FAIL),
    ("KMS.4", "flag unknown", mutate("key", enableKeyRotation=UNKNOWN), UNK),
    ("KMS.3", "public key policy", mutate("key", policy=policy_json(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"})), FAIL),
    ("KMS.3", "default key policy", mutate("key", policy=DELETE), FAIL),
    ("KMS.3", "lockout check bypassed", mutate("key", bypassPolicyLockoutSafetyCheck=True), FAIL),
    ("KMS.3", "policy unknown", mutate("key", policy=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("KMS.4", "asymmetric keys cannot rotate", mutate("key", enableKeyRotation=False,
                                                      keySpec="RSA_2048"), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
