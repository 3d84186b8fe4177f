"""`golive bootstrap`: every setting of the state bucket and key, idempotence, zone, OIDC."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from typer.testing import CliRunner

from ops.aws import Runtime, WaitPolicy
from ops.cli import app
from tests.ops.world import ACCOUNT, aws_error, new_session

BUCKET = f"golive-state-{ACCOUNT}-eu-west-1"
MUTATING = ("Create", "Put", "Enable", "Add", "Update", "Modify", "Delete", "Tag")


class Harness:
    def __init__(self) -> None:
        self.session = new_session("eu-west-1")
        self.calls: list[str] = []
        self.dns_answers: list[set[str]] = []
        self.session.events.register(
            "before-parameter-build", lambda model, **_: self.calls.append(model.name)
        )

    def dns(self, domain: str) -> set[str]:
        return self.dns_answers.pop(0) if self.dns_answers else set()

    def run(self, *args: str) -> Any:
        runtime = Runtime(
            session_factory=lambda profile, region: self.session,
            dns_name_servers=self.dns,
            sleep=lambda seconds: None,
            wait=WaitPolicy(delay=0, max_attempts=4),
        )
        result = CliRunner().invoke(app, ["bootstrap", *args], obj=runtime, env={"COLUMNS": "250"})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(result.output) from result.exception
        return result


@pytest.fixture
def harness() -> Iterator[Harness]:
    with mock_aws():
        yield Harness()


def client(harness: Harness, name: str) -> Any:
    return harness.session.client(name)


def test_state_bucket_and_key_have_every_setting(harness: Harness) -> None:
    result = harness.run("--region", "eu-west-1")

    assert result.exit_code == 0, result.output
    s3 = client(harness, "s3")
    kms = client(harness, "kms")
    key = kms.describe_key(KeyId="alias/golive-state")["KeyMetadata"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "eu-west-1"
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": key["Arn"],
    }
    assert rule["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], True
    )
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    [statement] = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rules = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert {"NoncurrentDays": 90} in [r.get("NoncurrentVersionExpiration") for r in rules]
    assert {"DaysAfterInitiation": 7} in [r.get("AbortIncompleteMultipartUpload") for r in rules]
    assert f"pulumi login 's3://{BUCKET}?region=eu-west-1&awssdk=v2'" in result.output
    assert (
        "pulumi stack init prod --secrets-provider "
        "'awskms://alias/golive-secrets-prod?region=eu-west-1'" in result.output
    )
    assert "pulumi stack change-secrets-provider --stack staging" in result.output


def test_each_stack_gets_its_own_secrets_key_and_the_state_key_belongs_to_none(
    harness: Harness,
) -> None:
    """A stack's CI roles decrypt only keys tagged as their stack; the bucket's key is tagged as
    no stack, so no stack's roles can claim it by tagging it."""
    assert (
        harness.run("--region", "eu-west-1", "--stack", "staging", "--stack", "qa").exit_code == 0
    )
    kms = client(harness, "kms")

    def stack_tag(alias: str) -> str:
        key = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
        assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
        return tags["golive:stack"]

    assert stack_tag("alias/golive-secrets-staging") == "staging"
    assert stack_tag("alias/golive-secrets-qa") == "qa"
    assert stack_tag("alias/golive-state") == "shared:state"
    keys = {
        kms.describe_key(KeyId=a)["KeyMetadata"]["KeyId"]
        for a in ("alias/golive-secrets-staging", "alias/golive-secrets-qa", "alias/golive-state")
    }
    assert len(keys) == 3


def test_an_older_bootstraps_untagged_state_key_gets_its_tag(harness: Harness) -> None:
    kms = client(harness, "kms")
    key = kms.create_key(Description="golive: pulumi-state")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/golive-state", TargetKeyId=key)

    assert harness.run("--region", "eu-west-1").exit_code == 0

    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
    assert tags["golive:stack"] == "shared:state"


def test_second_run_changes_nothing(harness: Harness) -> None:
    assert harness.run("--region", "eu-west-1", "--github-oidc").exit_code == 0
    harness.calls.clear()

    again = harness.run("--region", "eu-west-1", "--github-oidc")

    assert again.exit_code == 0, again.output
    assert harness.calls  # it did look
    assert [call for call in harness.calls if call.startswith(MUTATING)] == []
    providers = client(harness, "iam").list_open_id_connect_providers()
    assert len(providers["OpenIDConnectProviderList"]) == 1


def test_zone_prints_name_servers_and_waits_for_the_delegation(harness: Harness) -> None:
    zone = client(harness, "route53").create_hosted_zone(
        Name="auction.example.com.", CallerReference="pre-existing"
    )
    servers = set(zone["DelegationSet"]["NameServers"])
    harness.dns_answers = [set(), {"ns-old.example.net"}, {s.upper() + "." for s in servers}]

    result = harness.run("--region", "eu-west-1", "--zone", "auction.example.com")

    assert result.exit_code == 0, result.output
    assert "auction.example.com is delegated to Route 53" in result.output
    for server in servers:
        assert server in result.output
    zones = client(harness, "route53").list_hosted_zones()["HostedZones"]
    assert len(zones) == 1  # reused, not duplicated


def test_zone_not_delegated_in_time_fails_with_next_step(harness: Harness) -> None:
    result = harness.run("--region", "eu-west-1", "--zone", "auction.example.com")
    assert result.exit_code == 1
    assert "public DNS does not yet answer for auction.example.com" in result.output
    assert "set the NS records above at the registrar" in result.output


# ---------------------------------------------------------------------- service-linked roles

LINKED = (
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "elasticache.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
)


def linked_services(harness: Harness) -> set[str]:
    roles = client(harness, "iam").list_roles(PathPrefix="/aws-service-role/")["Roles"]
    return {role["Path"].split("/")[2] for role in roles}


def test_a_fresh_account_gets_the_service_linked_roles_the_stacks_need(harness: Harness) -> None:
    # Without AWSServiceRoleForECS, CreateCluster makes it asynchronously and the capacity
    # providers call right after fails ("Unable to assume the service linked role").
    assert linked_services(harness) == set()

    result = harness.run("--region", "eu-west-1")

    assert result.exit_code == 0, result.output
    assert linked_services(harness) == set(LINKED)
    assert "created the service-linked role of ecs.amazonaws.com" in result.output


def test_service_linked_roles_that_exist_are_left_alone(harness: Harness) -> None:
    client(harness, "iam").create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    harness.calls.clear()

    result = harness.run("--region", "eu-west-1")

    assert result.exit_code == 0, result.output
    assert "service-linked role of ecs.amazonaws.com exists" in result.output
    assert harness.calls.count("CreateServiceLinkedRole") == len(LINKED) - 1


def test_a_role_taken_meanwhile_counts_as_there(harness: Harness) -> None:
    # IAM lists roles eventually consistently: a role made a moment ago may be missing from
    # the list, and creating it again answers InvalidInput "... has been taken".
    def taken(params: dict[str, Any], **_: Any) -> Any:
        if params["body"].get("AWSServiceName") != "rds.amazonaws.com":
            return None
        message = (
            "Service role name AWSServiceRoleForRDS has been taken in this account, please try "
            "a different suffix."
        )
        return aws_error("InvalidInput", message)

    harness.session.events.register("before-call.iam.CreateServiceLinkedRole", taken)

    result = harness.run("--region", "eu-west-1")

    assert result.exit_code == 0, result.output
    assert "service-linked role of rds.amazonaws.com exists" in result.output
    assert linked_services(harness) == set(LINKED) - {"rds.amazonaws.com"}
