"""The database component: exact inputs over both stack files, and the component on its own."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any

import pulumi
import pytest

from aws_facts.input_rules import refusals
from components.database import (
    Database,
    DatabaseArgs,
    PostgresLogging,
    allow_from,
    instance_identifier,
)
from plan.harness import Plan, RecordedResource, SecretValue, run_program
from tests.components.data_stackfiles import stackfile_plan
from tests.conftest import STACKFILES, STACKS, cached_plan, raw_config, stack_values

INSTANCE = "aws:rds/instance:Instance"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
RANDOM_ID = "random:index/randomId:RandomId"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def database_config(plan: Plan) -> dict[str, Any]:
    return stack_values(plan.stack, plan.config)["database"]


def protect(plan: Plan) -> bool:
    return bool(json.loads(raw_config(plan.stack)["golive:protect"]))


def db_children(plan: Plan) -> dict[str, RecordedResource]:
    (component,) = plan.of_type("golive:aws:Database")
    return {r.name: r for r in plan.children(component.urn)}


def db_security_group(plan: Plan) -> RecordedResource:
    (group,) = [g for g in plan.of_type(SECURITY_GROUP) if g.name.endswith("-db-sg")]
    return group


@pytest.fixture(scope="module")
def pool() -> Plan:
    return stackfile_plan("pool")


@pytest.fixture(scope="module")
def trading() -> Plan:
    return stackfile_plan("trading")


# ----------------------------------------------------------------------------- the instance


def test_instance_inputs_are_exactly_what_the_stack_file_asks(stack_plan: Plan) -> None:
    config = database_config(stack_plan)
    instance = stack_plan.one(INSTANCE)
    key = stack_plan.outputs["kmsKeyArn"]
    identifier = f"auction-{stack_plan.stack}-db"
    final = instance.inputs["finalSnapshotIdentifier"]
    suffix = stack_plan.one("random:index/randomId:RandomId").outputs["hex"]
    assert final == f"{identifier}-final-{suffix}"
    monitoring = config["monitoringInterval"]
    expected: dict[str, Any] = {
        "identifier": identifier,
        "engine": "postgres",
        "engineVersion": "17",
        "autoMinorVersionUpgrade": True,
        "allowMajorVersionUpgrade": True,
        "engineLifecycleSupport": "open-source-rds-extended-support-disabled",
        "instanceClass": config["instanceClass"],
        "dbName": "auction",
        "port": 5432,
        "username": "auction_admin",
        "manageMasterUserPassword": True,
        "masterUserSecretKmsKeyId": key,
        "iamDatabaseAuthenticationEnabled": True,
        "storageType": "gp3",
        "allocatedStorage": config["allocatedStorage"],
        "maxAllocatedStorage": config["maxAllocatedStorage"],
        "storageEncrypted": True,
        "kmsKeyId": key,
        "dbSubnetGroupName": stack_plan.one(SUBNET_GROUP).outputs["name"],
        "vpcSecurityGroupIds": [db_security_group(stack_plan).outputs["id"]],
        "publiclyAccessible": False,
        "multiAz": config["multiAz"],
        "parameterGroupName": stack_plan.one(PARAMETER_GROUP).outputs["name"],
        "caCertIdentifier": "rds-ca-rsa2048-g1",
        "backupRetentionPeriod": config["backupRetentionDays"],
        "backupWindow": "03:00-03:30",
        "maintenanceWindow": "sun:04:00-sun:05:00",
        "copyTagsToSnapshot": True,
        "deleteAutomatedBackups": False,
        "deletionProtection": config["deletionProtection"],
        "skipFinalSnapshot": False,
        "finalSnapshotIdentifier": final,
        "performanceInsightsEnabled": True,
        "performanceInsightsKmsKeyId": key,
        "performanceInsightsRetentionPeriod": 7,
        "monitoringInterval": monitoring,
        "enabledCloudwatchLogsExports": ["postgresql", "upgrade", "iam-db-auth-error"],
        "applyImmediately": not protect(stack_plan),
        "tags": {"Name": identifier},
    }
    if monitoring:
        role = next(r for r in stack_plan.of_type("aws:iam/role:Role") if "db-monitoring" in r.name)
        expected["monitoringRoleArn"] = role.outputs["arn"]
    assert instance.inputs == expected


def test_staging_is_small_single_az_short_backups_unprotected_with_a_final_snapshot() -> None:
    instance = cached_plan("staging").one(INSTANCE)
    assert instance.inputs["instanceClass"] == "db.t4g.micro"
    assert instance.inputs["multiAz"] is False
    assert instance.inputs["backupRetentionPeriod"] == 7
    assert instance.inputs["deletionProtection"] is False
    assert instance.inputs["skipFinalSnapshot"] is False
    assert instance.inputs["finalSnapshotIdentifier"]
    assert (instance.protect, instance.retain_on_delete) == (False, False)


def test_prod_is_multi_az_protected_with_long_backups_insights_and_monitoring() -> None:
    plan = cached_plan("prod")
    instance = plan.one(INSTANCE)
    assert instance.inputs["instanceClass"] == "db.t4g.small"
    assert instance.inputs["multiAz"] is True
    assert instance.inputs["deletionProtection"] is True
    assert instance.inputs["skipFinalSnapshot"] is False
    assert instance.inputs["backupRetentionPeriod"] >= 14
    assert instance.inputs["performanceInsightsEnabled"] is True
    assert instance.inputs["monitoringInterval"] == 60
    assert instance.inputs["applyImmediately"] is False
    assert (instance.protect, instance.retain_on_delete) == (True, True)
    key = plan.one("aws:kms/key:Key")
    assert (key.protect, key.retain_on_delete) == (True, True)
    assert plan.outputs["backupBeforeRelease"] is True


def test_a_minimal_stack_file_turns_the_optional_extras_off(pool: Plan) -> None:
    instance = pool.one(INSTANCE)
    inputs = instance.inputs
    assert inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in inputs
    assert pool.of_type("random:index/randomId:RandomId") == []
    assert (inputs["performanceInsightsEnabled"], inputs["monitoringInterval"]) == (False, 0)
    assert "performanceInsightsKmsKeyId" not in inputs
    assert "monitoringRoleArn" not in inputs
    assert not [r for r in pool.of_type("aws:iam/role:Role") if "db-monitoring" in r.name]
    assert inputs["iamDatabaseAuthenticationEnabled"] is False
    assert (inputs["engineVersion"], inputs["dbName"], inputs["username"]) == (
        "18",
        "app",
        "pool_admin",
    )
    assert pool.outputs["backupBeforeRelease"] is False
    # PostgreSQL 18 logs connections as a list of stages, no longer a boolean.
    group = pool.one(PARAMETER_GROUP)
    parameters = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert group.inputs["family"] == "postgres18"
    assert parameters["log_connections"] == "receipt,authentication,authorization"
    assert parameters["log_disconnections"] == "1"


def test_no_password_is_an_input_of_the_instance(stack_plan: Plan) -> None:
    inputs = stack_plan.one(INSTANCE).inputs
    assert not {"password", "passwordWo"} & set(inputs)
    assert inputs["username"] not in ("postgres", "admin")


# ----------------------------------------------------------------------------- around it


def test_subnet_group_holds_exactly_the_isolated_subnets(stack_plan: Plan) -> None:
    group = stack_plan.one(SUBNET_GROUP)
    assert group.inputs["subnetIds"] == stack_plan.outputs["isolatedSubnetIds"]
    assert len(set(stack_plan.outputs["availabilityZones"])) >= 2


def test_parameter_group_forces_tls_and_sets_logging(stack_plan: Plan) -> None:
    logging = database_config(stack_plan)["logging"]
    group = stack_plan.one(PARAMETER_GROUP)
    assert group.inputs["family"] == "postgres17"
    assert group.inputs["parameters"] == [
        {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"},
        {
            "name": "log_min_duration_statement",
            "value": str(logging["minDurationMs"]),
            "applyMethod": "immediate",
        },
        {"name": "log_statement", "value": "ddl", "applyMethod": "immediate"},
        {"name": "log_connections", "value": "1", "applyMethod": "immediate"},
        {"name": "log_disconnections", "value": "1", "applyMethod": "immediate"},
        {"name": "log_lock_waits", "value": "1", "applyMethod": "immediate"},
    ]


def test_exported_log_groups_exist_first_with_retention_and_the_stack_key(
    stack_plan: Plan,
) -> None:
    retention = database_config(stack_plan)["logging"]["retentionDays"]
    instance = stack_plan.one(INSTANCE)
    groups = [g for g in stack_plan.of_type(LOG_GROUP) if "-db-log-" in g.name]
    identifier = instance.inputs["identifier"]
    assert sorted(g.inputs["name"] for g in groups) == [
        f"/aws/rds/instance/{identifier}/iam-db-auth-error",
        f"/aws/rds/instance/{identifier}/postgresql",
        f"/aws/rds/instance/{identifier}/upgrade",
    ]
    for group in groups:
        assert group.inputs["retentionInDays"] == retention
        assert group.inputs["kmsKeyId"] == stack_plan.outputs["kmsKeyArn"]
        assert group.urn in instance.dependencies


def test_iam_authentication_failures_are_exported_only_with_it_on(
    stack_plan: Plan, pool: Plan
) -> None:
    # With IAM authentication on, RDS writes why a token was refused to this log alone.
    assert database_config(stack_plan)["iamAuthentication"] is True
    exports = stack_plan.one(INSTANCE).inputs["enabledCloudwatchLogsExports"]
    assert "iam-db-auth-error" in exports
    assert json.loads(pool.config["golive:database"])["iamAuthentication"] is False
    assert pool.one(INSTANCE).inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = [g.inputs["name"] for g in pool.of_type(LOG_GROUP) if "-db-log-" in g.name]
    assert not [name for name in groups if name.endswith("/iam-db-auth-error")]


def test_security_group_has_no_rules_of_its_own(stack_plan: Plan) -> None:
    group = db_security_group(stack_plan)
    assert group.inputs["vpcId"] == stack_plan.outputs["vpcId"]
    assert group.inputs["description"]
    assert "ingress" not in group.inputs
    assert "egress" not in group.inputs


def test_security_group_description_is_one_ec2_accepts(stack_plan: Plan) -> None:
    # EC2 refuses an apostrophe in a description: `pulumi up` used to fail here, after the VPC.
    group = db_security_group(stack_plan)
    identifier = stack_plan.one(INSTANCE).inputs["identifier"]
    assert group.inputs["description"] == (
        f"{identifier}: PostgreSQL from the app security groups only"
    )
    assert refusals(SECURITY_GROUP, group.inputs) == []


def test_database_security_group_admits_only_groups_never_a_cidr(stack_plan: Plan) -> None:
    group_id = db_security_group(stack_plan).outputs["id"]
    groups = {g.outputs["id"] for g in stack_plan.of_type(SECURITY_GROUP)}
    rules = [r for r in stack_plan.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id]
    assert rules, "the Auction app's API and db-init reach the database"
    for rule in rules:
        assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(rule.inputs), rule.name
        assert rule.inputs["referencedSecurityGroupId"] in groups - {group_id}
        assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (
            "tcp",
            5432,
            5432,
        )
        assert rule.inputs["description"]
        # Owned by the consumer (a service or task), not by the database.
        assert rule.parent not in {r.urn for r in stack_plan.of_type("golive:aws:Database")}


def test_monitoring_role_trusts_only_rds_monitoring_of_this_account() -> None:
    plan = cached_plan("prod")
    (role,) = [r for r in plan.of_type("aws:iam/role:Role") if "db-monitoring" in r.name]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ]
    (attachment,) = [
        a
        for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.outputs["name"]
    ]
    assert attachment.inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    )
    # Without enhanced monitoring (monitoringInterval 0), no role.
    assert database_config(stackfile_plan("pool"))["monitoringInterval"] == 0
    pool_roles = stackfile_plan("pool").of_type("aws:iam/role:Role")
    assert not [r for r in pool_roles if "db-monitoring" in r.name]


def test_every_database_resource_is_a_child_of_the_component(stack_plan: Plan) -> None:
    children = db_children(stack_plan)
    prefix = f"auction-{stack_plan.stack}"
    expected = {
        f"{prefix}-db",
        f"{prefix}-db-sg",
        f"{prefix}-db-subnets",
        f"{prefix}-db-params",
        f"{prefix}-db-log-postgresql",
        f"{prefix}-db-log-upgrade",
        f"{prefix}-db-log-iam-db-auth-error",
        f"{prefix}-db-final-snapshot",
    }
    if database_config(stack_plan)["monitoringInterval"]:
        expected.add(f"{prefix}-db-monitoring")  # the role and its attachment share the name
    assert set(children) == expected
    counts = {t: len(stack_plan.of_type(t)) for t in (INSTANCE, SUBNET_GROUP, PARAMETER_GROUP)}
    assert counts == {INSTANCE: 1, SUBNET_GROUP: 1, PARAMETER_GROUP: 1}


def test_exports_name_the_database_but_never_a_credential(stack_plan: Plan) -> None:
    instance = stack_plan.one(INSTANCE)
    exported = stack_plan.outputs["database"]
    assert exported == {
        "identifier": instance.inputs["identifier"],
        "endpoint": instance.outputs["address"],
        "port": 5432,
        "name": "auction",
        "masterSecretArn": instance.outputs["masterUserSecrets"][0]["secretArn"],
    }
    assert re.fullmatch(
        r"arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-[0-9a-f-]{36}-\w{6}",
        exported["masterSecretArn"],
    )
    assert stack_plan.outputs["backupBeforeRelease"] is protect(stack_plan)


def test_a_stack_without_a_database_exports_null() -> None:
    plan = run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")
    assert plan.of_type(INSTANCE) == []
    assert plan.of_type("golive:aws:Database") == []
    assert plan.outputs["database"] is None
    assert plan.outputs["backupBeforeRelease"] is False


def test_a_prod_like_stack_file_maps_every_setting(trading: Plan) -> None:
    inputs = trading.one(INSTANCE).inputs
    assert (inputs["engineVersion"], inputs["instanceClass"]) == ("16", "db.m7g.large")
    assert (inputs["backupWindow"], inputs["maintenanceWindow"]) == (
        "22:00-23:00",
        "sat:23:30-sun:00:30",
    )
    assert (inputs["performanceInsightsRetentionPeriod"], inputs["monitoringInterval"]) == (31, 30)
    assert trading.one(PARAMETER_GROUP).inputs["family"] == "postgres16"
    parameters = {p["name"]: p["value"] for p in trading.one(PARAMETER_GROUP).inputs["parameters"]}
    assert (parameters["log_statement"], parameters["log_min_duration_statement"]) == ("mod", "250")


# ----------------------------------------------------------------------------- the component alone


class Consumer(pulumi.ComponentResource):
    """Stands in for a service: the consumer owns its ingress rule."""

    def __init__(self, name: str) -> None:
        super().__init__("golive:test:Consumer", name)
        self.security_group = pulumi.Output.from_input("sg-0consumer000000001")


def _database_with_a_consumer() -> None:
    db = Database(
        "unit",
        DatabaseArgs(
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=["subnet-a", "subnet-b"],
            kms_key_arn=KEY_ARN,
            identifier="unit-db",
            account_id="123456789012",
            multi_az=False,
            monitoring_interval=0,
        ),
    )
    api = Consumer("api")
    allow_from(
        "api-to-db",
        security_group_id=db.security_group_id,
        source_security_group_id=api.security_group,
        port=db.port,
        description="api to PostgreSQL",
        parent=api,
    )
    pulumi.export("masterSecretArn", db.master_secret_arn)
    pulumi.export("endpoint", db.endpoint)


def test_connection_logging_off_on_postgres_18_leaves_the_list_parameter_out() -> None:
    def program() -> None:
        Database(
            "unit",
            DatabaseArgs(
                vpc_id="vpc-1",
                subnet_ids=["subnet-a", "subnet-b"],
                kms_key_arn=KEY_ARN,
                identifier="unit-db",
                account_id="123456789012",
                engine_major="18",
                logging=PostgresLogging(connections=False, statement="none"),
            ),
        )

    names = {
        p["name"]: p["value"]
        for p in run_program("staging", program=program).one(PARAMETER_GROUP).inputs["parameters"]
    }
    assert "log_connections" not in names
    assert (names["rds.force_ssl"], names["log_statement"]) == ("1", "none")


def test_allow_from_adds_a_security_group_rule_owned_by_the_consumer() -> None:
    plan = run_program("staging", program=_database_with_a_consumer)
    (rule,) = plan.of_type(INGRESS)
    (consumer,) = plan.of_type("golive:test:Consumer")
    assert rule.parent == consumer.urn
    assert rule.inputs == {
        "securityGroupId": db_security_group(plan).outputs["id"],
        "referencedSecurityGroupId": "sg-0consumer000000001",
        "ipProtocol": "tcp",
        "fromPort": 5432,
        "toPort": 5432,
        "description": "api to PostgreSQL",
    }
    assert plan.outputs["endpoint"] == plan.one(INSTANCE).outputs["endpoint"]
    assert plan.outputs["endpoint"].endswith(".us-east-1.rds.amazonaws.com:5432")
    assert plan.outputs["masterSecretArn"].startswith("arn:aws:secretsmanager:")
    assert not isinstance(plan.outputs["masterSecretArn"], SecretValue)


@pytest.mark.parametrize(
    ("port", "description", "message"),
    [(0, "x", "port 0"), (70000, "x", "port 70000"), (5432, " ", "description")],
)
def test_allow_from_refuses_a_bad_port_or_no_description(
    port: int, description: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        allow_from(
            "bad",
            security_group_id="sg-1",
            source_security_group_id="sg-2",
            port=port,
            description=description,
            parent=None,  # type: ignore[arg-type]  # rejected before any resource exists
        )


# ----------------------------------------------------------------------------- restoring


SNAPSHOT = "pre-v1-4-2"
"""A `golive release` pre-release snapshot of the stack's own database."""
TRADING_SNAPSHOT = (
    "arn:aws:rds:ap-southeast-2:123456789012:snapshot:rds:dashboard-trading-db-2026-03-01-22-10"
)
"""An automated snapshot, by ARN, in the trading stack file's region."""


def restored_identifier(base: str, snapshot: str) -> str:
    """What the restored instance must be called (computed here, not by the component)."""
    return f"{base}-{hashlib.sha256(snapshot.encode()).hexdigest()[:8]}"


@functools.cache
def restored_plan(stack: str, snapshot: str = SNAPSHOT, protect: bool | None = None) -> Plan:
    """A repository stack file with `database.restoreFromSnapshot` set (and `protect`)."""
    database = {**json.loads(raw_config(stack)["golive:database"]), "restoreFromSnapshot": snapshot}
    overrides: dict[str, Any] = {"database": database}
    if protect is not None:
        overrides["protect"] = protect
    return run_program(stack, overrides=overrides)


@functools.cache
def restored_trading() -> Plan:
    """The prod-like test stack file during a restore: protect off in the same change."""
    raw = json.loads(stackfile_plan("trading").config["golive:database"])
    return run_program(
        "trading",
        stack_file=STACKFILES / "Pulumi.trading.yaml",
        overrides={"database": {**raw, "restoreFromSnapshot": TRADING_SNAPSHOT}, "protect": False},
    )


def _by_name(plan: Plan, token: str) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in plan.of_type(token)}


def test_no_stack_file_restores_and_the_identifier_is_the_base_one(stack_plan: Plan) -> None:
    assert database_config(stack_plan)["restoreFromSnapshot"] is None
    instance = stack_plan.one(INSTANCE)
    assert "snapshotIdentifier" not in instance.inputs
    assert instance.inputs["identifier"] == f"auction-{stack_plan.stack}-db"
    assert instance.delete_before_replace is False
    assert "keepers" not in stack_plan.one(RANDOM_ID).inputs


@pytest.mark.parametrize("stack", STACKS)
def test_a_restore_sets_the_snapshot_under_a_new_identifier_and_changes_nothing_else(
    stack: str,
) -> None:
    base = cached_plan(stack)
    plan = restored_plan(stack)
    instance = plan.one(INSTANCE)
    identifier = restored_identifier(f"auction-{stack}-db", SNAPSHOT)
    suffix = plan.one(RANDOM_ID).outputs["hex"]
    assert instance.inputs == {
        **base.one(INSTANCE).inputs,
        "snapshotIdentifier": SNAPSHOT,
        "identifier": identifier,
        "tags": {"Name": identifier},
        "finalSnapshotIdentifier": f"{identifier}-final-{suffix}",
    }
    # A new identifier, so Pulumi's default create-before-delete fits: the restored instance
    # exists before the old one is deleted (delete-first would leave no database meanwhile).
    assert instance.delete_before_replace is False
    assert (instance.protect, instance.retain_on_delete) == (base.one(INSTANCE).protect,) * 2
    # A new final-snapshot suffix per restore (restoring A, B, then A again cannot collide).
    assert plan.one(RANDOM_ID).inputs == {
        "byteLength": 4,
        "keepers": {"restoreFromSnapshot": SNAPSHOT},
    }
    assert plan.outputs["database"]["identifier"] == identifier


@pytest.mark.parametrize("stack", STACKS)
def test_a_restore_keeps_the_groups_and_moves_the_log_groups(stack: str) -> None:
    base = cached_plan(stack)
    plan = restored_plan(stack)
    identifier = plan.one(INSTANCE).inputs["identifier"]
    # Same inputs: the security, subnet and parameter groups are neither replaced nor renamed
    # (a security group's description forces a replacement, which would also replace every
    # consumer's ingress rule and block on the old instance still using it).
    for token in (SECURITY_GROUP, INGRESS, SUBNET_GROUP, PARAMETER_GROUP):
        assert _by_name(plan, token) == _by_name(base, token), token
    groups = {g.name: g for g in plan.of_type(LOG_GROUP) if "-db-log-" in g.name}
    assert {g.inputs["name"] for g in groups.values()} == {
        f"/aws/rds/instance/{identifier}/postgresql",
        f"/aws/rds/instance/{identifier}/upgrade",
        f"/aws/rds/instance/{identifier}/iam-db-auth-error",
    }
    protect = base.one(INSTANCE).protect
    assert {g.retain_on_delete for g in groups.values()} == {protect}


@pytest.mark.parametrize("stack", STACKS)
def test_every_consumer_moves_to_the_restored_instance(stack: str) -> None:
    plan = restored_plan(stack)
    instance = plan.one(INSTANCE)
    address, identifier = instance.outputs["address"], instance.inputs["identifier"]
    assert address.startswith(f"{identifier}.")
    environments = {
        td.name: {
            e["name"]: e["value"]
            for container in json.loads(td.inputs["containerDefinitions"])
            for e in container.get("environment", [])
        }
        for td in plan.of_type("aws:ecs/taskDefinition:TaskDefinition")
    }
    prefix = f"auction-{stack}"
    for task in ("api", "seed", "create-admin"):
        assert environments[f"{prefix}-{task}-taskdef"]["DB_HOST"] == address
    assert environments[f"{prefix}-db-init-taskdef"]["PGHOST"] == address
    dimensions = [
        a.inputs["dimensions"]["DBInstanceIdentifier"]
        for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if "DBInstanceIdentifier" in (a.inputs.get("dimensions") or {})
    ]
    assert dimensions and set(dimensions) == {identifier}


def test_prod_keeps_its_protection_so_pulumi_refuses_the_replacement() -> None:
    # protect on is also the steady state after a restore (the value stays in the stack file),
    # so it is allowed; the engine refuses to replace a resource whose new goal is protected.
    instance = restored_plan("prod").one(INSTANCE)
    assert (instance.protect, instance.retain_on_delete) == (True, True)
    assert instance.inputs["deletionProtection"] is True


def test_prod_restores_with_protect_off_in_the_same_change() -> None:
    plan = restored_plan("prod", protect=False)
    instance = plan.one(INSTANCE)
    assert instance.inputs["snapshotIdentifier"] == SNAPSHOT
    assert (instance.protect, instance.retain_on_delete) == (False, False)
    # The restored instance is still deletion-protected; the old one is forgotten, not deleted
    # (its state says retain), so AWS never sees a delete for it.
    assert instance.inputs["deletionProtection"] is True
    assert instance.inputs["applyImmediately"] is True


def test_a_prod_like_stack_file_restores_an_automated_snapshot_by_arn() -> None:
    plan = restored_trading()
    instance = plan.one(INSTANCE)
    identifier = restored_identifier("dashboard-trading-db", TRADING_SNAPSHOT)
    assert instance.inputs["snapshotIdentifier"] == TRADING_SNAPSHOT
    assert instance.inputs["identifier"] == identifier
    assert instance.outputs["address"].endswith(".ap-southeast-2.rds.amazonaws.com")
    assert (instance.inputs["engineVersion"], instance.inputs["multiAz"]) == ("16", True)
    assert instance.delete_before_replace is False


def test_the_restored_identifier_is_derived_from_the_snapshot_alone() -> None:
    assert instance_identifier("auction-prod-db", None) == "auction-prod-db"
    first = instance_identifier("auction-prod-db", SNAPSHOT)
    assert first == restored_identifier("auction-prod-db", SNAPSHOT)
    assert instance_identifier("auction-prod-db", SNAPSHOT) == first
    assert instance_identifier("auction-prod-db", "pre-v1-4-3") != first
    assert re.fullmatch(r"auction-prod-db-[0-9a-f]{8}", first)
