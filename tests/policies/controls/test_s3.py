"""The S3 controls (`policies/controls/s3.py`), one mutation of the compliant stack
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
from tests.policies.fixtures import UNKNOWN, drop, mutate

CASES: list[Case] = [
    ("S3.1", "no public access block", drop("site-pab"), FAIL),
    ("S3.1", "public policies allowed", mutate("site-pab", blockPublicPolicy=False), FAIL),
    ("S3.1", "ACLs enabled", mutate("site-ownership", rule__objectOwnership="ObjectWriter"), FAIL),
    ("S3.1", "block's bucket unknown", mutate("site-pab", bucket=UNKNOWN), UNK),
    ("S3.5", "no TLS deny", mutate("site-policy", policy=policy_json(
        {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"})), FAIL),
    ("S3.5", "no bucket policy", drop("site-policy"), FAIL),
    ("S3.5", "policy unknown", mutate("site-policy", policy=UNKNOWN), UNK),
    ("S3.9", "no access logging", drop("site-logging"), FAIL),
    ("S3.9", "logging's bucket unknown", mutate("site-logging", bucket=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("S3.1", "the CloudFront log bucket keeps ACLs", mutate("cf-logs-ownership",
        rule__objectOwnership="ObjectWriter"), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
