"""The one recipe for a private S3 bucket, shared by every component that stores objects.

Not a component: a plain builder that `Network` (flow logs), `LoadBalancer` (access logs) and
`Cdn` (static site, CloudFront logs) call from their constructors, so every bucket is private
the same way. A new parent would move every bucket's URN and replace it; the builder instead
declares its resources under the caller's component, with the logical names those components
have always used (`<name>`, `<name>-pab`, `-ownership`, `-acl`, `-sse`, `-versioning`,
`-lifecycle`, `-policy`).

`private_bucket(...)` creates: the bucket (auto-named); all four public access blocks (S3.1,
S3.8); object ownership (BucketOwnerEnforced, ACLs off (S3.12), unless the caller grants an ACL);
default encryption (SSE-S3, or SSE-KMS with a bucket key); optional versioning; a lifecycle
configuration whose every rule aborts incomplete multipart uploads after 7 days; and a bucket
policy that denies any request not made over TLS (S3.5) followed by the caller's statements.

Cost: S3 Standard $0.023/GB-month plus requests; SSE-S3 is free; SSE-KMS with a bucket key
cuts KMS requests (~$0.03 per 10,000) to about one per object batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pulumi
import pulumi_aws as aws

ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7
"""Parts of an abandoned multipart upload are billed until aborted; a week covers any retry."""

PolicyStatement = Mapping[str, Any]
"""One IAM policy statement; values may be `pulumi.Input`s (ARNs of other resources)."""


class ObjectOwnership(StrEnum):
    """Who owns uploaded objects, and so whether ACLs apply at all."""

    BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"
    """ACLs disabled: the bucket owner owns every object; access is the policy alone (S3.12)."""
    BUCKET_OWNER_PREFERRED = "BucketOwnerPreferred"
    """ACLs enabled, for writers that only speak ACLs (CloudFront standard logs); objects
    written with `bucket-owner-full-control` still belong to the bucket owner."""


@dataclass(frozen=True, kw_only=True)
class SseS3:
    """SSE-S3 (AES256): free, no key policy to manage. ALB log delivery accepts only this, and
    CloudFront (OAC, log delivery) reads and writes it without a KMS grant."""


@dataclass(frozen=True, kw_only=True)
class SseKms:
    """SSE-KMS with a customer key: its key policy must let every reader and writer use it."""

    key_arn: pulumi.Input[str]
    """The key objects are encrypted with (in the bucket's region)."""
    bucket_key: bool = True
    """S3 Bucket Keys: one data key per bucket and time window instead of a KMS call per
    object, ~99% fewer KMS requests. On by default."""


Encryption = SseS3 | SseKms

_SSE_S3 = SseS3()


@dataclass(frozen=True, kw_only=True)
class LifecycleRule:
    """One lifecycle rule on the whole bucket; it also aborts incomplete multipart uploads."""

    id: str
    """Rule id (shown in the console)."""
    expiration_days: int | None = None
    """Days before current objects expire (logs); None keeps them."""
    noncurrent_days: int | None = None
    """Days a replaced or deleted version is kept (versioned buckets); None keeps them."""


@dataclass(frozen=True)
class PrivateBucket:
    """What callers wire on: the bucket, its policy (to depend on) and its ACL, if any."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    """Services that check their write access when turned on (ALB logs) depend on this."""
    acl: aws.s3.BucketAcl | None
    """Present with an ACL grant: CloudFront checks it when logging is turned on."""


def private_bucket(
    name: str,
    *,
    parent: pulumi.Resource,
    lifecycle: Sequence[LifecycleRule],
    policy_statements: Callable[[pulumi.Output[str]], Sequence[PolicyStatement]],
    region: str | None = None,
    protect: bool | None = None,
    force_destroy: bool = False,
    ownership: ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
    acl: aws.s3.BucketAclAccessControlPolicyArgsDict | None = None,
    encryption: Encryption = _SSE_S3,
    versioning: bool = False,
) -> PrivateBucket:
    """Declare a private, encrypted, TLS-only bucket `name` and its settings under `parent`.

    `lifecycle`: the rules (at least one; each also aborts incomplete uploads).
    `policy_statements`: given the bucket's ARN, the statements after the TLS-only deny (who
    may write logs, who may read); values may be Inputs of resources declared later.
    `region`: the bucket's region when it differs from the provider's (CloudFront's buckets);
    None uses the provider's. `protect`: protect the bucket itself (None: as the parent is).
    `force_destroy`: empty the bucket on delete (off by default, so a delete keeps the data).
    `ownership` and `acl`: an ACL grant needs `BUCKET_OWNER_PREFERRED`.
    """
    if not lifecycle:
        raise ValueError(f"{name}: a bucket needs at least one lifecycle rule")
    if acl is not None and ownership is ObjectOwnership.BUCKET_OWNER_ENFORCED:
        raise ValueError(f"{name}: an ACL grant needs ACLs enabled (BucketOwnerPreferred)")
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        name,
        region=region,
        force_destroy=force_destroy,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=child,
    )
    owner = aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": ownership.value},
        region=region,
        opts=child,
    )
    grant = (
        aws.s3.BucketAcl(
            f"{name}-acl",
            bucket=bucket.id,
            access_control_policy=acl,
            region=region,
            # An ACL can only be written once the ownership setting allows ACLs.
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[owner]),
        )
        if acl is not None
        else None
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[_encryption_rule(encryption)],
        region=region,
        opts=child,
    )
    if versioning:
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            region=region,
            opts=child,
        )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[_lifecycle_rule(rule) for rule in lifecycle],
        region=region,
        opts=child,
    )
    policy = aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    deny_insecure_transport(bucket.arn),
                    *policy_statements(bucket.arn),
                ],
            }
        ),
        region=region,
        opts=child,
    )
    return PrivateBucket(bucket=bucket, policy=policy, acl=grant)


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The statement every bucket policy starts with: no request without TLS (control S3.5)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _encryption_rule(
    encryption: Encryption,
) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict:
    if isinstance(encryption, SseS3):
        return {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    return {
        "apply_server_side_encryption_by_default": {
            "sse_algorithm": "aws:kms",
            "kms_master_key_id": encryption.key_arn,
        },
        "bucket_key_enabled": encryption.bucket_key,
    }


def _lifecycle_rule(rule: LifecycleRule) -> aws.s3.BucketLifecycleConfigurationRuleArgsDict:
    rendered: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
        "id": rule.id,
        "status": "Enabled",
        "filter": {},
        "abort_incomplete_multipart_upload": {
            "days_after_initiation": ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS
        },
    }
    if rule.expiration_days is not None:
        rendered["expiration"] = {"days": rule.expiration_days}
    if rule.noncurrent_days is not None:
        rendered["noncurrent_version_expiration"] = {"noncurrent_days": rule.noncurrent_days}
    return rendered
