"""The RDS controls (`policies/controls/rds.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from plan.harness import SecretValue
from policies.controls.rds import rds_encrypted, rds_master_credentials
from policies.model import Outcome, Status
from tests.policies.controls.cases import FAIL, PASS, UNK, Case, Mutation, check, params
from tests.policies.fixtures import DELETE, ENGINE_UNKNOWN, KEY_ARN, UNKNOWN, mutate

CASES: list[Case] = [
    ("RDS.2", "publicly accessible", mutate("db", publiclyAccessible=True), FAIL),
    ("RDS.2", "public subnet in the group", mutate("db-subnets",
                                                   subnetIds=["subnet-pub-a", "subnet-app-b"]), FAIL),
    ("RDS.2", "default subnet group", mutate("db", dbSubnetGroupName=DELETE), FAIL),
    ("RDS.2", "subnet group unknown", mutate("db", dbSubnetGroupName=UNKNOWN), UNK),
    ("RDS.3", "not encrypted", mutate("db", storageEncrypted=False), FAIL),
    ("RDS.3", "AWS-managed key", mutate("db", kmsKeyId="alias/aws/rds"), FAIL),
    ("RDS.3", "no key", mutate("db", kmsKeyId=DELETE), FAIL),
    ("RDS.3", "key not created yet (engine sentinel)", mutate("db", kmsKeyId=ENGINE_UNKNOWN), UNK),
    ("RDS.5", "single AZ", mutate("db", multiAz=False), FAIL),
    ("RDS.5", "flag unknown", mutate("db", multiAz=UNKNOWN), UNK),
    ("RDS.6", "no enhanced monitoring", mutate("db", monitoringInterval=0), FAIL),
    ("RDS.6", "no monitoring role", mutate("db", monitoringRoleArn=DELETE), FAIL),
    ("RDS.6", "role not created yet", mutate("db", monitoringRoleArn=UNKNOWN), UNK),
    ("RDS.8", "no deletion protection", mutate("db", deletionProtection=False), FAIL),
    ("RDS.8", "skips the final snapshot", mutate("db", skipFinalSnapshot=True), FAIL),
    ("RDS.8", "no final snapshot name", mutate("db", finalSnapshotIdentifier=DELETE), FAIL),
    ("RDS.8", "flag unknown", mutate("db", deletionProtection=UNKNOWN), UNK),
    ("RDS.9", "no postgresql log", mutate("db", enabledCloudwatchLogsExports=["upgrade"]), FAIL),
    ("RDS.9", "no exports", mutate("db", enabledCloudwatchLogsExports=DELETE), FAIL),
    ("RDS.9", "exports unknown", mutate("db", enabledCloudwatchLogsExports=UNKNOWN), UNK),
    ("RDS.10", "no IAM auth", mutate("db", iamDatabaseAuthenticationEnabled=False), FAIL),
    ("RDS.10", "flag unknown", mutate("db", iamDatabaseAuthenticationEnabled=UNKNOWN), UNK),
    ("RDS.11", "one day", mutate("db", backupRetentionPeriod=1), FAIL),
    ("RDS.11", "left to the API default", mutate("db", backupRetentionPeriod=DELETE), FAIL),
    ("RDS.11", "period unknown", mutate("db", backupRetentionPeriod=ENGINE_UNKNOWN), UNK),
    ("RDS.13", "minor upgrades off", mutate("db", autoMinorVersionUpgrade=False), FAIL),
    ("RDS.13", "flag unknown", mutate("db", autoMinorVersionUpgrade=UNKNOWN), UNK),
    ("RDS.17", "tags not copied", mutate("db", copyTagsToSnapshot=False), FAIL),
    ("RDS.17", "flag unknown", mutate("db", copyTagsToSnapshot=UNKNOWN), UNK),
    ("CKV2_AWS_69", "SSL not forced", mutate("db-params", parameters=[
        {"name": "rds.force_ssl", "value": "0"}]), FAIL),
    ("CKV2_AWS_69", "default parameter group", mutate("db", parameterGroupName=DELETE), FAIL),
    ("CKV2_AWS_69", "old CA", mutate("db", caCertIdentifier="rds-ca-2019"), FAIL),
    ("CKV2_AWS_69", "parameter group unknown", mutate("db", parameterGroupName=UNKNOWN), UNK),
    ("CKV_AWS_353", "no Performance Insights", mutate("db", performanceInsightsEnabled=False),
     FAIL),
    ("CKV_AWS_353", "AWS key for PI", mutate("db", performanceInsightsKmsKeyId=DELETE), FAIL),
    ("CKV_AWS_353", "PI key unknown", mutate("db", performanceInsightsKmsKeyId=UNKNOWN), UNK),
    ("RDS.25", "default admin name", mutate("db", username="postgres"), FAIL),
    ("RDS.25", "password in state", mutate("db", password="hunter2"), FAIL),
    ("RDS.25", "unmanaged password", mutate("db", manageMasterUserPassword=DELETE), FAIL),
    ("RDS.25", "username unknown", mutate("db", username=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("RDS.13", "flag left to its default (true)", mutate("db", autoMinorVersionUpgrade=DELETE),
     PASS),
    ("RDS.25", "replicas inherit credentials", mutate("db", username=DELETE,
        manageMasterUserPassword=DELETE, masterUserSecretKmsKeyId=DELETE,
        replicateSourceDb="auction-prod-primary"), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)


# ----------------------------------------------------------------------------- direct calls


def test_resource_rules_take_raw_recorded_props() -> None:
    """A resource rule called directly on harness-shaped props: secrets wrapped, floats."""
    props = {
        "username": "auction_admin",
        "manageMasterUserPassword": True,
        "masterUserSecretKmsKeyId": KEY_ARN,
        "backupRetentionPeriod": 14.0,
    }
    assert rds_master_credentials("aws:rds/instance:Instance", props, {}) == []
    leaked = {**props, "password": SecretValue("hunter2")}
    [violation] = rds_master_credentials("aws:rds/instance:Instance", leaked, {})
    assert violation.outcome is Outcome.FAIL and "state" in violation.message


def test_engine_sentinel_is_not_a_value() -> None:
    """The engine's unknown sentinel is a non-empty string: a naive `if kmsKeyId:` would pass."""
    props = {"storageEncrypted": True, "kmsKeyId": ENGINE_UNKNOWN}
    [violation] = rds_encrypted("aws:rds/instance:Instance", props, {})
    assert violation.outcome is Outcome.UNKNOWN
    assert rds_encrypted("aws:rds/instance:Instance", {**props, "kmsKeyId": KEY_ARN}, {}) == []
