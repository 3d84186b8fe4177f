"""`golive bootstrap`: the account-level pieces every stack relies on but must not own.

- the Pulumi state bucket `<name>-state-<account>-<region>`: versioning, SSE-KMS with a bucket
  key, all four public access blocks, ACLs disabled, a TLS-only policy, and a lifecycle that
  expires noncurrent versions after 90 days and aborts incomplete uploads after 7;
- the KMS key `alias/<name>-state` (rotation on) that encrypts the bucket, tagged
  `golive:stack=shared:state` so no stack's CI role can claim it (their boundary refuses acting on
  anything tagged as another stack; a stack name never holds a colon);
- one secrets-provider key per stack, `alias/<name>-secrets-<stack>` (rotation on, tagged
  `golive:stack=<stack>`): a stack's roles decrypt only their own stack's secrets;
- optionally the public hosted zone of `--zone DOMAIN`: prints the name servers to delegate to,
  then waits until public DNS answers with them;
- the service-linked roles the stacks rely on (`SERVICE_LINKED_ROLES`), so that no stack's
  first `pulumi up` waits on a service making one (ECS makes its own asynchronously, and the
  call right after CreateCluster fails) and CI roles never need `iam:CreateServiceLinkedRole`;
- optionally the account's single GitHub OIDC provider (`--github-oidc`).

Each piece is read first and written only when it differs, so a second run changes nothing.
It ends by printing the exact `pulumi login` and `pulumi stack init` commands.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ops import ui
from ops.aws import Aws
from ops.errors import OpsError, error_code

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"
# AWS no longer checks these for GitHub (it trusts GitHub's CA), but older API callers and
# some partitions still require a thumbprint list: GitHub's two published intermediates.
GITHUB_THUMBPRINTS = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
]
SERVICE_LINKED_ROLES: dict[str, str] = {
    # NOTE: CreateCluster creates AWSServiceRoleForECS asynchronously and the provider retries
    # only CreateCluster, so the capacity providers right after it fail "Unable to assume the
    # service linked role" (terraform-provider-aws ecs/cluster.go, cluster_capacity_providers.go).
    "ecs.amazonaws.com": "ECS: task networking, capacity providers",
    "elasticloadbalancing.amazonaws.com": "the shared ALB",
    "rds.amazonaws.com": "the database",
    "elasticache.amazonaws.com": "the cache",
    "ecs.application-autoscaling.amazonaws.com": "service autoscaling",
}
"""Service principal -> what needs its role (IAM `CreateServiceLinkedRole.AWSServiceName`)."""

SHARED_TAG = "shared:state"
"""`golive:stack` of the bucket's key: no stack's, so every boundary keeps it out of reach."""
STACKS = ("staging", "prod")
NONCURRENT_DAYS = 90
ABORT_UPLOAD_DAYS = 7
DELEGATION_DELAY = 30
DELEGATION_ATTEMPTS = 120  # an hour: registrars publish NS changes within minutes to hours


@dataclass
class BootstrapResult:
    bucket: str
    key_arn: str
    key_alias: str
    region: str
    secrets_keys: dict[str, str]
    """Stack -> alias of its secrets-provider key."""
    zone_id: str | None = None
    name_servers: list[str] | None = None
    oidc_provider_arn: str | None = None


def _changed(what: str) -> None:
    ui.done(what)


def ensure_key(aws: Aws, alias: str, *, purpose: str, stack: str) -> str:
    """The key behind `alias`, created if missing, with rotation on and `golive:stack=stack`."""
    kms = aws.client("kms")
    tags = [
        {"TagKey": "golive:purpose", "TagValue": purpose},
        {"TagKey": "golive:stack", "TagValue": stack},
    ]
    try:
        key = kms.describe_key(KeyId=alias)["KeyMetadata"]
        ui.info(f"KMS key {alias} exists")
    except ClientError as exc:
        if error_code(exc) != "NotFoundException":
            raise
        key = kms.create_key(
            Description=f"golive: {purpose}", KeyUsage="ENCRYPT_DECRYPT", Tags=tags
        )["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        _changed(f"created KMS key {alias}")
    found = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
    if not all(tag in found for tag in tags):
        kms.tag_resource(KeyId=key["KeyId"], Tags=tags)
        _changed(f"tagged {alias} golive:stack={stack}")
    if not kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled"):
        kms.enable_key_rotation(KeyId=key["KeyId"])
        _changed(f"enabled rotation of {alias}")
    return str(key["Arn"])


def _bucket_exists(aws: Aws, bucket: str) -> bool:
    try:
        aws.client("s3").head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = error_code(exc)
        if code in {"404", "NoSuchBucket", "NotFound"}:
            return False
        if code in {"403", "AccessDenied"}:
            raise OpsError(
                f"the bucket name {bucket} is taken by another account (or you may not read it)",
                "pass another --name",
            ) from None
        raise
    return True


def _policy(partition: str, bucket: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _lifecycle_rules() -> list[dict[str, Any]]:
    return [
        {
            "ID": "golive-expire-noncurrent-versions",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS},
        },
        {
            "ID": "golive-abort-incomplete-uploads",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_UPLOAD_DAYS},
        },
    ]


def _read(call: Any, missing: set[str], **params: Any) -> dict[str, Any] | None:
    try:
        return call(**params)
    except ClientError as exc:
        if error_code(exc) in missing:
            return None
        raise


def _ensure_versioning(aws: Aws, bucket: str) -> None:
    s3 = aws.client("s3")
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        _changed("enabled versioning")


def _ensure_encryption(aws: Aws, bucket: str, key_arn: str) -> None:
    s3 = aws.client("s3")
    wanted = {
        "ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": key_arn,
        },
        "BucketKeyEnabled": True,
    }
    found = _read(
        s3.get_bucket_encryption, {"ServerSideEncryptionConfigurationNotFoundError"}, Bucket=bucket
    )
    rules = (found or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    if not any(
        rule.get("ApplyServerSideEncryptionByDefault")
        == wanted["ApplyServerSideEncryptionByDefault"]
        and rule.get("BucketKeyEnabled") is True
        for rule in rules
    ):
        s3.put_bucket_encryption(
            Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [wanted]}
        )
        _changed("set SSE-KMS with a bucket key")


def _ensure_public_access_block(aws: Aws, bucket: str) -> None:
    s3 = aws.client("s3")
    wanted = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    found = _read(
        s3.get_public_access_block, {"NoSuchPublicAccessBlockConfiguration"}, Bucket=bucket
    )
    if (found or {}).get("PublicAccessBlockConfiguration") != wanted:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=wanted)
        _changed("blocked all public access")


def _ensure_ownership(aws: Aws, bucket: str) -> None:
    s3 = aws.client("s3")
    found = _read(
        s3.get_bucket_ownership_controls, {"OwnershipControlsNotFoundError"}, Bucket=bucket
    )
    rules = (found or {}).get("OwnershipControls", {}).get("Rules", [])
    if rules != [{"ObjectOwnership": "BucketOwnerEnforced"}]:
        s3.put_bucket_ownership_controls(
            Bucket=bucket,
            OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        )
        _changed("disabled ACLs (bucket owner enforced)")


def _ensure_policy(aws: Aws, bucket: str) -> None:
    s3 = aws.client("s3")
    statement = _policy(aws.session.get_partition_for_region(aws.region), bucket)
    found = _read(s3.get_bucket_policy, {"NoSuchBucketPolicy"}, Bucket=bucket)
    policy = json.loads(found["Policy"]) if found else {"Version": "2012-10-17", "Statement": []}
    statements = [s for s in policy.get("Statement", []) if s.get("Sid") != statement["Sid"]]
    if statement in policy.get("Statement", []):
        return
    # Other statements someone added are kept; only ours is (re)written.
    policy["Statement"] = [*statements, statement]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    _changed("set the TLS-only bucket policy")


def _rule_matches(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    keys = set(wanted) - {"Filter"}
    return all(found.get(key) == wanted[key] for key in keys)


def _ensure_lifecycle(aws: Aws, bucket: str) -> None:
    s3 = aws.client("s3")
    found = _read(
        s3.get_bucket_lifecycle_configuration, {"NoSuchLifecycleConfiguration"}, Bucket=bucket
    )
    rules = (found or {}).get("Rules", [])
    wanted = _lifecycle_rules()
    if all(any(_rule_matches(rule, want) for rule in rules) for want in wanted):
        return
    kept = [rule for rule in rules if rule.get("ID") not in {want["ID"] for want in wanted}]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [*kept, *wanted]}
    )
    _changed("set the lifecycle (noncurrent versions, incomplete uploads)")


def ensure_state_bucket(aws: Aws, bucket: str, key_arn: str) -> None:
    if _bucket_exists(aws, bucket):
        ui.info(f"bucket {bucket} exists")
    else:
        params: dict[str, Any] = {"Bucket": bucket}
        if aws.region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
            params["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
        aws.client("s3").create_bucket(**params)
        _changed(f"created bucket {bucket}")
    _ensure_public_access_block(aws, bucket)
    _ensure_ownership(aws, bucket)
    _ensure_versioning(aws, bucket)
    _ensure_encryption(aws, bucket, key_arn)
    _ensure_policy(aws, bucket)
    _ensure_lifecycle(aws, bucket)


def _normalize(names: list[str] | set[str]) -> set[str]:
    return {name.rstrip(".").lower() for name in names}


def ensure_zone(aws: Aws, domain: str) -> tuple[str, list[str]]:
    route53 = aws.client("route53")
    fqdn = domain.rstrip(".") + "."
    zones = route53.list_hosted_zones_by_name(DNSName=fqdn, MaxItems="10")["HostedZones"]
    zone = next(
        (z for z in zones if z["Name"] == fqdn and not z.get("Config", {}).get("PrivateZone")), None
    )
    if zone is None:
        zone = route53.create_hosted_zone(
            Name=fqdn,
            CallerReference=f"golive-{domain}-{time.time_ns()}",
            HostedZoneConfig={"Comment": "golive", "PrivateZone": False},
        )["HostedZone"]
        _changed(f"created hosted zone {domain}")
    else:
        ui.info(f"hosted zone {domain} exists")
    zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
    name_servers = list(route53.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"])
    return zone_id, name_servers


def wait_for_delegation(aws: Aws, domain: str, name_servers: list[str]) -> None:
    wanted = _normalize(name_servers)
    ui.step(f"delegate {domain} at its registrar (or parent zone) to these name servers:")
    for server in name_servers:
        ui.info(server)
    ui.step(f"waiting until public DNS answers for {domain} with them")
    delay = aws.poll_delay(DELEGATION_DELAY)
    for _ in range(aws.poll_attempts(DELEGATION_ATTEMPTS)):
        if _normalize(aws.runtime.dns_name_servers(domain)) == wanted:
            ui.done(f"{domain} is delegated to Route 53")
            return
        aws.runtime.sleep(delay)
    raise OpsError(
        f"public DNS does not yet answer for {domain} with the zone's name servers",
        "set the NS records above at the registrar, then run the same bootstrap again (it "
        "changes nothing else and resumes waiting)",
    )


def _role_taken(exc: ClientError) -> bool:
    """IAM's answer to creating a service-linked role that exists (a listing can lag)."""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return error_code(exc) == "InvalidInput" and "has been taken" in message


def ensure_service_linked_roles(aws: Aws) -> None:
    iam = aws.client("iam")
    for service in SERVICE_LINKED_ROLES:
        # Every service-linked role lives under this path (IAM user guide, "Using
        # service-linked roles"), whatever its name.
        if iam.list_roles(PathPrefix=f"/aws-service-role/{service}/")["Roles"]:
            ui.info(f"service-linked role of {service} exists")
            continue
        try:
            iam.create_service_linked_role(AWSServiceName=service)
        except ClientError as exc:
            if not _role_taken(exc):
                raise
            ui.info(f"service-linked role of {service} exists")
            continue
        _changed(f"created the service-linked role of {service}")


def ensure_github_oidc(aws: Aws) -> str:
    iam = aws.client("iam")
    host = GITHUB_OIDC_URL.removeprefix("https://")
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        arn = str(provider["Arn"])
        if arn.endswith(f":oidc-provider/{host}"):
            clients = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"]
            if GITHUB_OIDC_AUDIENCE not in clients:
                iam.add_client_id_to_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, ClientID=GITHUB_OIDC_AUDIENCE
                )
                _changed(f"added audience {GITHUB_OIDC_AUDIENCE}")
            ui.info("GitHub OIDC provider exists")
            return arn
    created = iam.create_open_id_connect_provider(
        Url=GITHUB_OIDC_URL, ClientIDList=[GITHUB_OIDC_AUDIENCE], ThumbprintList=GITHUB_THUMBPRINTS
    )
    _changed("created the GitHub OIDC provider")
    return str(created["OpenIDConnectProviderArn"])


def bootstrap(
    aws: Aws,
    *,
    name: str = "golive",
    zone: str | None = None,
    github_oidc: bool = False,
    stacks: tuple[str, ...] = STACKS,
) -> BootstrapResult:
    region = aws.region
    bucket = f"{name}-state-{aws.account_id()}-{region}"
    alias = f"alias/{name}-state"
    ui.step(f"state backend in {region}")
    key_arn = ensure_key(aws, alias, purpose="pulumi-state", stack=SHARED_TAG)
    ensure_state_bucket(aws, bucket, key_arn)
    secrets_keys = {stack: f"alias/{name}-secrets-{stack}" for stack in stacks}
    for stack, secrets_alias in secrets_keys.items():
        ensure_key(aws, secrets_alias, purpose=f"secrets of stack {stack}", stack=stack)
    result = BootstrapResult(
        bucket=bucket, key_arn=key_arn, key_alias=alias, region=region, secrets_keys=secrets_keys
    )
    ui.step("service-linked roles")
    ensure_service_linked_roles(aws)
    if github_oidc:
        ui.step("GitHub OIDC provider")
        result.oidc_provider_arn = ensure_github_oidc(aws)
    if zone:
        ui.step(f"hosted zone {zone}")
        result.zone_id, result.name_servers = ensure_zone(aws, zone)
        wait_for_delegation(aws, zone, result.name_servers)
    return result


def print_next_steps(result: BootstrapResult) -> None:
    ui.done("bootstrap complete; next:")
    ui.info(f"pulumi login 's3://{result.bucket}?region={result.region}&awssdk=v2'")
    for stack, alias in result.secrets_keys.items():
        provider = f"'awskms://{alias}?region={result.region}'"
        ui.info(f"pulumi stack init {stack} --secrets-provider {provider}")
        ui.info(
            f"  (a stack that exists: pulumi stack change-secrets-provider --stack {stack} "
            f"{provider})"
        )
    ui.info("commit Pulumi.<stack>.yaml afterwards: it now holds secretsprovider and encryptedkey")
    aliases = ", ".join(a.removeprefix("alias/") for a in result.secrets_keys.values())
    ui.info(f"stack files: golive:ci.stateBucket {result.bucket}; secretsKeyAlias {aliases}")
    ui.info(f"export GOLIVE_STATE_BUCKET={result.bucket}   # where golive records releases")
