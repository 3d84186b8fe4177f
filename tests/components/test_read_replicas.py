"""Read replicas: a golive-owned master secret (AWS refuses a replica of an instance whose
password RDS manages), the RDS.25 exception, reader URLs, alarms and cost."""

from __future__ import annotations

import functools
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from plan.cost import estimate
from plan.harness import Plan, SecretValue, run_program, unwrap_secrets
from policies.model import Status
from policies.report import evaluate
from stacks.config import parse
from tests.conftest import raw_config

INSTANCE = "aws:rds/instance:Instance"
SECRET = "aws:secretsmanager/secret:Secret"
REASON = "reporting queries run on a replica; AWS needs a golive-owned master password for it"


def _changes() -> dict[str, Any]:
    config = raw_config("prod")
    database = json.loads(config["golive:database"])
    database["readReplicas"] = {"count": 2, "instanceClass": "db.t4g.small"}
    policy = json.loads(config["golive:policy"])
    policy.setdefault("exceptions", {})["RDS.25"] = REASON
    secrets = json.loads(config["golive:secrets"])
    secrets["DATABASE"]["keys"] = {"DATABASE_URL": "url", "REPORTS_URL": "reader2Url"}
    return {"database": database, "policy": policy, "secrets": secrets}


@functools.cache
def replicated() -> Plan:
    return run_program("prod", overrides=_changes())


def _config() -> Any:
    raw = dict(raw_config("prod"))
    raw.update({f"golive:{k}": json.dumps(v) for k, v in _changes().items()})
    return parse("prod", raw)


def _instances(plan: Plan) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in plan.of_type(INSTANCE)}


def test_without_replicas_rds_manages_the_master_password(stack_plan: Plan) -> None:
    (instance,) = stack_plan.of_type(INSTANCE)
    assert instance.inputs["manageMasterUserPassword"] is True
    assert "password" not in instance.inputs
    assert not [s for s in stack_plan.of_type(SECRET) if "master" in s.name]


def test_replicas_get_a_golive_owned_master_secret_never_plaintext() -> None:
    plan = replicated()
    primary = plan.named("auction-prod-db")
    assert "manageMasterUserPassword" not in primary.inputs
    assert "masterUserSecretKmsKeyId" not in primary.inputs
    assert isinstance(primary.inputs["password"], SecretValue)
    secret = plan.named("auction-prod-db-master-secret")
    assert secret.inputs["kmsKeyId"] == plan.outputs["kmsKeyArn"]
    assert secret.protect
    version = plan.named("auction-prod-db-master-secret-version")
    assert isinstance(version.inputs["secretString"], SecretValue)
    document = json.loads(unwrap_secrets(version.inputs["secretString"]))
    assert document == {
        "username": "auction_admin",
        "password": unwrap_secrets(primary.inputs["password"]),
    }
    assert 8 <= len(document["password"]) <= 128 and document["password"].isalnum()
    assert plan.outputs["database"]["masterSecretArn"] == secret.outputs["arn"]
    (db_init,) = [
        json.loads(unwrap_secrets(d.inputs["containerDefinitions"]))[0]
        for d in plan.of_type("aws:ecs/taskDefinition:TaskDefinition")
        if "db-init" in d.name
    ]
    master = {s["name"]: s["valueFrom"] for s in db_init["secrets"]}
    assert master["PGUSER"] == f"{secret.outputs['arn']}:username::"
    assert master["PGPASSWORD"] == f"{secret.outputs['arn']}:password::"


def test_each_replica_copies_the_instance_where_a_replica_takes_it() -> None:
    plan = replicated()
    primary = plan.named("auction-prod-db")
    for number in (1, 2):
        replica = plan.named(f"auction-prod-db-replica{number}")
        inputs = replica.inputs
        assert inputs["identifier"] == f"auction-prod-db-replica{number}"
        assert inputs["replicateSourceDb"] == primary.outputs["arn"]
        assert inputs["instanceClass"] == "db.t4g.small"
        for same in ("kmsKeyId", "vpcSecurityGroupIds", "dbSubnetGroupName", "parameterGroupName",
                     "multiAz", "caCertIdentifier", "monitoringRoleArn", "deletionProtection"):  # fmt: skip
            assert inputs[same] == primary.inputs[same], same
        # A replica takes no engine, database, user or password, and no backups or final snapshot.
        for absent in ("engine", "dbName", "username", "password", "finalSnapshotIdentifier"):
            assert absent not in inputs, absent
        assert (inputs["backupRetentionPeriod"], inputs["skipFinalSnapshot"]) == (0, True)
        assert (replica.protect, inputs["publiclyAccessible"]) == (True, False)
        assert {
            f"/aws/rds/instance/auction-prod-db-replica{number}/{log}"
            for log in ("postgresql", "upgrade")
        } <= {g.inputs.get("name") for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")}


def test_the_mocks_refuse_a_replica_of_an_instance_whose_password_rds_manages() -> None:
    def program() -> None:
        source = aws.rds.Instance(
            "managed",
            identifier="managed",
            engine="postgres",
            instance_class="db.t4g.micro",
            allocated_storage=20,
            username="admin_user",
            manage_master_user_password=True,
        )
        aws.rds.Instance(
            "replica",
            identifier="managed-replica",
            instance_class="db.t4g.micro",
            replicate_source_db=source.arn,
        )
        pulumi.export("done", True)

    with pytest.raises(Exception, match="its master user password is managed by Secrets Manager"):
        run_program("staging", program=program)


def test_reader_urls_reach_the_replicas_as_the_app_role() -> None:
    plan = replicated()
    (version,) = [
        v
        for v in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
        if "DATABASE" in v.name
    ]
    document = json.loads(unwrap_secrets(version.inputs["secretString"]))
    second = plan.named("auction-prod-db-replica2").outputs["address"]
    assert document["reader2Url"].startswith("postgresql://auction_app:")
    assert f"@{second}:5432/auction?sslmode=require" in document["reader2Url"]
    first = plan.named("auction-prod-db-replica1").outputs["address"]
    assert f"@{first}:5432/" in document["readerVerifyFullUrl"]


def test_the_controls_report_shows_the_declared_rds_25_exception() -> None:
    report = evaluate(replicated().resources, _config().policy)
    by_id = {r.id: r for r in report.results}
    assert by_id["RDS.25"].status is Status.EXCEPTION
    assert by_id["RDS.25"].exception_reason == REASON
    failed = [r.id for r in report.results if r.status is Status.FAIL]
    assert failed == []


def test_replicas_are_alarmed_graphed_and_priced() -> None:
    plan = replicated()
    alarms = {a.inputs["name"] for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for number in (1, 2):
        scope = f"auction-prod-rds-replica{number}"
        assert {f"{scope}-replica-lag", f"{scope}-cpu", f"{scope}-free-storage"} <= alarms
    lag = plan.named("auction-prod-rds-replica2-replica-lag").inputs
    assert lag["metricName"] == "ReplicaLag"
    assert lag["dimensions"] == {"DBInstanceIdentifier": "auction-prod-db-replica2"}
    assert lag["threshold"] == 600
    body = plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]
    assert "Read replica lag (s)" in body and "auction-prod-db-replica2" in body
    items = {i.item: i for i in estimate(plan).items}
    replica = items["RDS db.t4g.small read replica Multi-AZ"]
    assert replica.monthly_usd == pytest.approx(2 * 0.032 * 730, abs=0.01)


def test_rds_25_allows_the_exception_but_never_for_the_admin_name() -> None:
    from policies.rules import BY_ID

    rule = BY_ID["RDS.25"]
    assert rule.exception_allowed
    plan = replicated()
    primary = plan.named("auction-prod-db")
    resource = dict(primary.inputs, username="postgres")
    found = rule.check([type(primary)(**{**primary.__dict__, "inputs": resource})]) or []
    assert [v.waivable for v in found if "engine default" in v.message] == [False]


def test_the_plan_says_who_owns_the_master_password_and_how_it_rotates() -> None:
    notes = _config().warnings()
    assert any(
        "golive owns it (control RDS.25 exception)" in n
        and "pulumi up --replace` on auction-prod-db-master-password" in n
        for n in notes
    )
    assert any(
        "the database's master secret" in n and "control SecretsManager.1: exception declared" in n
        for n in notes
    )
