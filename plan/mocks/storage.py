# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""S3 answers (components/buckets.py): buckets, their side resources and the account's
canonical user id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plan.mocks.context import Answers, Ctx, digest

if TYPE_CHECKING:
    from plan.mocks import AwsMocks

answers = Answers()


@answers.builder("aws:s3/bucket:Bucket")
def _bucket(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name("bucket", lowercase_autoname=True)
    return name, {
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{c.region}.amazonaws.com",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
        "region": c.region,
    }


def _side_resource(c: Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("bucket", c.logical)), {}


for _type in [
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketAcl:BucketAcl",
]:
    answers.builders[_type] = _side_resource


@answers.invoke("aws:s3/getCanonicalUserId:getCanonicalUserId")
def _get_canonical_user_id(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del args
    return {"id": digest("canonical-user", m.account), "displayName": ""}
