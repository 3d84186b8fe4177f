"""The SNS controls (`policies/controls/sns.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import FAIL, UNK, Case, Mutation, check, params, policy_json
from tests.policies.fixtures import DELETE, TOPIC_ARN, UNKNOWN, mutate

CASES: list[Case] = [
    ("SNS.1", "aws/sns key", mutate("alarms", kmsMasterKeyId="alias/aws/sns"), FAIL),
    ("SNS.1", "unencrypted", mutate("alarms", kmsMasterKeyId=DELETE), FAIL),
    ("SNS.1", "public topic policy", mutate("alarms-policy", policy=policy_json(
        {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC_ARN})),
     FAIL),
    ("SNS.1", "key unknown", mutate("alarms", kmsMasterKeyId=UNKNOWN), UNK),
]  # fmt: skip

PASSING_VARIANTS: list[Case] = []


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
