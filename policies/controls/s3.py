"""S3 controls: public access, TLS-only policies and access logging of every bucket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies import aws
from policies.aws import of_type, referrers
from policies.checks import equals, require
from policies.model import Controls, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, Tri, any3, as_list, is_true, parse_json, unwrap

controls = Controls("S3")


def _buckets(resources: Sequence[Resource]) -> list[Resource]:
    return of_type(resources, *aws.BUCKETS)


def _bucket_side(
    bucket: Resource, resources: Sequence[Resource], *types: str
) -> tuple[list[Resource], bool]:
    """Side resources (`bucket` input) of one bucket: by id or name."""
    return referrers(bucket, of_type(resources, *types), "bucket", "bucket", "arn")


def _cloudfront_log_buckets(resources: Sequence[Resource]) -> tuple[list[Resource], bool]:
    """Buckets CloudFront writes standard logs to (`loggingConfig.bucket` is their domain)."""
    found: list[Resource] = []
    uncertain = False
    for distribution in of_type(resources, aws.DISTRIBUTION):
        target = unwrap(distribution.get("loggingConfig.bucket"))
        if target is UNKNOWN:
            uncertain = True
            continue
        if not isinstance(target, str):
            continue
        for bucket in _buckets(resources):
            names, missing = bucket.identifiers("bucket", "bucketDomainName")
            if target in names or target.split(".s3", 1)[0] in names:
                found.append(bucket)
            elif missing:
                uncertain = True
    return found, uncertain


@controls.stack_rule(
    id="S3.1",
    title="Block public access; ACLs disabled",
    severity=Severity.HIGH,
    source="FSBP S3.1/8/12, CKV_AWS_53-56",
    covers=("S3.8", "S3.12", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
    applies_to=aws.BUCKETS,
    exception_allowed=False,
    description="Every bucket has all four public-access blocks and BucketOwnerEnforced.",
    why=(
        "No bucket policy or ACL can make objects public by mistake, and the bucket owner owns "
        "every object."
    ),
)
def bucket_public_access(resources: Sequence[Resource]) -> list[Violation]:
    """S3.1/8/12: all four public-access blocks on every bucket; ACLs disabled (owner enforced).

    The CloudFront log bucket keeps ACLs: CloudFront standard logging writes through them.
    """
    found: list[Violation] = []
    log_buckets, logs_uncertain = _cloudfront_log_buckets(resources)
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in _buckets(resources):
        blocks, uncertain = _bucket_side(bucket, resources, aws.PUBLIC_ACCESS_BLOCK)
        if not blocks:
            make = unknown if uncertain else fail
            found.append(make(f"{bucket.name}: no BucketPublicAccessBlock", urn=bucket.urn))
        for block in blocks:
            for flag in flags:
                for v in require(is_true(block.get(flag)), f"{flag} is not true"):
                    found.append(Violation(f"{bucket.name}: {v.message}", v.outcome, bucket.urn))
        if bucket in log_buckets:
            continue
        ownership, uncertain = _bucket_side(bucket, resources, aws.OWNERSHIP_CONTROLS)
        enforced = any3(
            equals(c.get("rule.objectOwnership"), "BucketOwnerEnforced") for c in ownership
        )
        if enforced is False and (uncertain or logs_uncertain):
            enforced = UNKNOWN
        for v in require(enforced, "ACLs are not disabled (BucketOwnerEnforced)"):
            found.append(Violation(f"{bucket.name}: {v.message}", v.outcome, bucket.urn))
    return found


def _denies_insecure_transport(document: Any) -> Tri:
    found = aws.statements(document)
    if found is None:
        return UNKNOWN
    for statement in found:
        condition = statement.get("Condition")
        if statement.get("Effect") != "Deny" or not isinstance(condition, dict):
            continue
        for operator, clause in condition.items():  # pyright: ignore[reportUnknownVariableType]
            if operator != "Bool" or not isinstance(clause, dict):
                continue
            value = clause.get("aws:SecureTransport")  # pyright: ignore[reportUnknownMemberType]
            listed = as_list(value)
            if listed is not UNKNOWN and any(str(v).lower() == "false" for v in listed):
                return True
    return False


@controls.stack_rule(
    id="S3.5",
    title="SSL-only bucket policy",
    severity=Severity.MEDIUM,
    source="FSBP",
    applies_to=aws.BUCKETS,
    exception_allowed=False,
    description="A bucket policy denies requests with aws:SecureTransport=false.",
    why="Every request to the bucket is encrypted in transit.",
)
def bucket_ssl_only(resources: Sequence[Resource]) -> list[Violation]:
    """S3.5: every bucket policy denies requests without TLS (aws:SecureTransport=false)."""
    found: list[Violation] = []
    for bucket in _buckets(resources):
        policies, uncertain = _bucket_side(bucket, resources, aws.BUCKET_POLICY)
        verdict = any3(_denies_insecure_transport(parse_json(p.get("policy"))) for p in policies)
        if verdict is False and uncertain:
            verdict = UNKNOWN
        for v in require(verdict, "no bucket policy denies aws:SecureTransport=false"):
            found.append(Violation(f"{bucket.name}: {v.message}", v.outcome, bucket.urn))
    return found


@controls.stack_rule(
    id="S3.9",
    title="S3 server access logs",
    severity=Severity.MEDIUM,
    source="FSBP, AG, CKV_AWS_18",
    covers=("CKV_AWS_18",),
    applies_to=aws.BUCKETS,
    exception_allowed=True,
    description="Every bucket that is not itself a log bucket has BucketLogging.",
    why=("A record of every request to the bucket, for investigating access to its objects."),
)
def bucket_access_logging(resources: Sequence[Resource]) -> list[Violation]:
    """S3.9: buckets log requests to a log bucket (log buckets themselves excepted: no loops)."""
    found: list[Violation] = []
    targets: set[str] = set()
    for logging in of_type(resources, *aws.BUCKET_LOGGING):
        target = unwrap(logging.get("targetBucket"))
        if isinstance(target, str):
            targets.add(target)
    for lb in of_type(resources, aws.LOAD_BALANCER):
        target = unwrap(lb.get("accessLogs.bucket"))
        if isinstance(target, str):
            targets.add(target)
    for flow_log in of_type(resources, aws.FLOW_LOG):
        target = unwrap(flow_log.get("logDestination"))
        if isinstance(target, str) and target.startswith("arn:aws:s3:::"):
            targets.add(target.removeprefix("arn:aws:s3:::").split("/", 1)[0])
    cloudfront_logs, _ = _cloudfront_log_buckets(resources)
    for bucket in _buckets(resources):
        names, _ = bucket.identifiers("bucket")
        if names & targets or bucket in cloudfront_logs:
            continue
        logs, uncertain = _bucket_side(bucket, resources, *aws.BUCKET_LOGGING)
        if not logs:
            make = unknown if uncertain else fail
            found.append(make(f"{bucket.name}: no server access logging", urn=bucket.urn))
    return found
