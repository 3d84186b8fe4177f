"""The private-bucket builder, run alone under the same mocks: what each option declares.

Every bucket of every stack file is checked in tests/stacks/test_edge.py
(`test_every_bucket_is_fully_private_encrypted_and_tls_only`); these cover the options no stack
file uses yet (SSE-KMS) and the combinations the builder refuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.buckets import (
    LifecycleRule,
    ObjectOwnership,
    PolicyStatement,
    SseKms,
    private_bucket,
)
from plan.harness import Plan, RecordedResource, run_program
from tests.conftest import STACKFILES

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
EXPIRE = [LifecycleRule(id="expire", expiration_days=30)]


def no_statements(bucket_arn: pulumi.Output[str]) -> list[PolicyStatement]:
    return []


def build(declare: Callable[[pulumi.ComponentResource], object]) -> Plan:
    def program() -> None:
        declare(pulumi.ComponentResource("golive:test:Owner", "owner"))

    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


def test_the_defaults_declare_the_private_recipe_under_the_callers_component() -> None:
    plan = build(
        lambda owner: private_bucket(
            "files", parent=owner, lifecycle=EXPIRE, policy_statements=no_statements
        )
    )
    owner = plan.one("golive:test:Owner")
    names = {r.name: r for r in plan.resources if r.parent == owner.urn}
    assert sorted(names) == [
        "files",
        "files-lifecycle",
        "files-ownership",
        "files-pab",
        "files-policy",
        "files-sse",
    ]
    bucket = names["files"]
    assert bucket.inputs == {"forceDestroy": False}
    assert bucket.protect is False
    assert names["files-ownership"].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert names["files-sse"].inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert names["files-lifecycle"].inputs["rules"] == [
        {
            "id": "expire",
            "status": "Enabled",
            "filter": {},
            "expiration": {"days": 30},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        }
    ]
    policy = json.loads(names["files-policy"].inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]


def test_sse_kms_uses_the_key_with_a_bucket_key_and_options_reach_every_resource() -> None:
    def statements(bucket_arn: pulumi.Output[str]) -> list[PolicyStatement]:
        read = pulumi.Output.concat(bucket_arn, "/*")
        return [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "s3:GetObject",
                "Resource": read,
            }
        ]

    plan = build(
        lambda owner: private_bucket(
            "files",
            parent=owner,
            region="eu-west-1",
            protect=True,
            versioning=True,
            encryption=SseKms(key_arn=KEY_ARN),
            lifecycle=[LifecycleRule(id="old-versions", noncurrent_days=14)],
            policy_statements=statements,
        )
    )
    bucket = plan.named("files")
    assert bucket.protect is True
    assert plan.named("files-sse").inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": KEY_ARN,
            },
            "bucketKeyEnabled": True,
        }
    ]
    assert plan.named("files-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = plan.named("files-lifecycle").inputs["rules"]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 14}
    assert "expiration" not in rule
    for resource in plan.resources:
        if resource.type.startswith("aws:s3/"):
            assert resource.inputs["region"] == "eu-west-1", resource.name
    policy = json.loads(plan.named("files-policy").inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport", "Read"]
    assert policy["Statement"][1]["Resource"] == bucket.outputs["arn"] + "/*"


def test_an_acl_grant_is_written_after_ownership_allows_acls() -> None:
    grant = {
        "owner": {"id": "a" * 64},
        "grants": [
            {"grantee": {"type": "CanonicalUser", "id": "a" * 64}, "permission": "FULL_CONTROL"}
        ],
    }
    plan = build(
        lambda owner: private_bucket(
            "logs",
            parent=owner,
            ownership=ObjectOwnership.BUCKET_OWNER_PREFERRED,
            acl=grant,
            lifecycle=EXPIRE,
            policy_statements=no_statements,
        )
    )
    acl = plan.named("logs-acl")
    assert plan.named("logs-ownership").urn in acl.dependencies
    assert acl.inputs["accessControlPolicy"]["grants"][0]["permission"] == "FULL_CONTROL"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"acl": {"owner": {"id": "a" * 64}, "grants": []}},
            "files: an ACL grant needs ACLs enabled",
        ),
        ({"lifecycle": []}, "files: a bucket needs at least one lifecycle rule"),
    ],
)
def test_refused_combinations_fail_before_anything_is_declared(
    changes: dict[str, Any], message: str
) -> None:
    declared: list[RecordedResource] = []

    def program() -> None:
        owner = pulumi.ComponentResource("golive:test:Owner", "owner")
        arguments: dict[str, Any] = {"lifecycle": EXPIRE, **changes}
        private_bucket("files", parent=owner, policy_statements=no_statements, **arguments)

    with pytest.raises(ValueError, match=message):
        run_program(
            "trial",
            stack_file=STACKFILES / "Pulumi.trial.yaml",
            program=program,
            registered=declared,
        )
    assert [r.type for r in declared] == ["golive:test:Owner"]
