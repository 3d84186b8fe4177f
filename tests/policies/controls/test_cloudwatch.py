"""The CloudWatch controls (`policies/controls/cloudwatch.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import FAIL, UNK, Case, Mutation, check, params
from tests.policies.fixtures import DELETE, ENGINE_UNKNOWN, UNKNOWN, chain, mutate, unknown_id

CASES: list[Case] = [
    ("CKV_AWS_66", "kept forever", mutate("web-logs", retentionInDays=DELETE), FAIL),
    ("CKV_AWS_66", "unencrypted", mutate("web-logs", kmsKeyId=DELETE), FAIL),
    ("CKV_AWS_66", "key unknown", mutate("web-logs", kmsKeyId=ENGINE_UNKNOWN), UNK),
    ("CKV_AWS_319", "no OK action", mutate("web-5xx", okActions=[]), FAIL),
    ("CKV_AWS_319", "actions disabled", mutate("web-5xx", actionsEnabled=False), FAIL),
    ("CKV_AWS_319", "action is not SNS", mutate("web-5xx", alarmActions=[
        "arn:aws:automate:us-east-1:ec2:stop"]), FAIL),
    ("CKV_AWS_319", "topic not created yet", chain(unknown_id("alarms"), mutate("web-5xx",
        alarmActions=[UNKNOWN])), UNK),
]  # fmt: skip

PASSING_VARIANTS: list[Case] = []


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
