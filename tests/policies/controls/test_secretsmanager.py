"""The Secrets Manager controls (`policies/controls/secretsmanager.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import FAIL, PASS, UNK, Case, Mutation, check, params
from tests.policies.fixtures import DELETE, UNKNOWN, drop, mutate

CASES: list[Case] = [
    ("SecretsManager.1", "no rotation", drop("jwt-rotation"), FAIL),
    ("SecretsManager.1", "yearly rotation", mutate("jwt-rotation",
        rotationRules__automaticallyAfterDays=365), FAIL),
    ("SecretsManager.1", "rotation's secret unknown", mutate("jwt-rotation", secretId=UNKNOWN),
     UNK),
    ("CKV_AWS_149", "AWS-managed key", mutate("jwt", kmsKeyId=DELETE), FAIL),
    ("CKV_AWS_149", "key unknown", mutate("jwt", kmsKeyId=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("SecretsManager.1", "a schedule expression instead of days", mutate("jwt-rotation",
        rotationRules={"scheduleExpression": "rate(30 days)"}), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
