"""The data tier's stack-file keys (database, secrets, cache): invalid files fail naming the key."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ops.cli import app
from plan.harness import RecordedResource, run_program
from policies.report import evaluate
from stacks.config import ConfigError, parse, secret_env_names
from tests.stacks.config.stack_files import (
    DELETE,
    as_cli,
    assert_names_key,
    mutated,
)

CACHE_ON = {"nodeType": "cache.t4g.micro"}
RESTORE = "golive:database.restoreFromSnapshot"
WITH_RDS_25 = {"RDS.25": "read replicas need a golive-owned master password"}
"""Staging's own exceptions with replicas (its others come from its profile)."""

# (id, stack, changes, the key path the message must name, a phrase the message must hold)
INVALID: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("class-typo", "staging", {"golive:database.instanceClass": "db.t4.micro"}, "database.instanceClass", "did you mean 'db.t4g.micro'"),
    ("class-unknown", "staging", {"golive:database.instanceClass": "db.x9.huge"}, "database.instanceClass", "is not an RDS instance class"),
    ("engine-minor", "staging", {"golive:database.engineVersion": "17.2"}, "database.engineVersion", "major only ('17')"),
    ("engine-out-of-support", "staging", {"golive:database.engineVersion": 13}, "database.engineVersion", "14, 15, 16, 17, 18"),
    ("storage-below-20", "staging", {"golive:database.allocatedStorage": 10}, "database.allocatedStorage", "greater than or equal to 20"),
    ("storage-above-65536", "staging", {"golive:database.allocatedStorage": 70000}, "database.allocatedStorage", "less than or equal to 65536"),
    ("max-storage-below-allocated", "staging", {"golive:database.allocatedStorage": 100, "golive:database.maxAllocatedStorage": 50}, "database.maxAllocatedStorage", "below allocatedStorage 100 GB"),
    ("max-storage-without-headroom", "staging", {"golive:database.maxAllocatedStorage": 21}, "database.maxAllocatedStorage", "at least 10% above"),
    ("backups-36-days", "staging", {"golive:database.backupRetentionDays": 36}, "database.backupRetentionDays", "less than or equal to 35"),
    ("backups-negative", "staging", {"golive:database.backupRetentionDays": -1}, "database.backupRetentionDays", "greater than or equal to 0"),
    ("backup-window-format", "staging", {"golive:database.backupWindow": "3:00-3:30"}, "database.backupWindow", "hh24:mi-hh24:mi"),
    ("backup-window-short", "staging", {"golive:database.backupWindow": "03:00-03:10"}, "database.backupWindow", "lasts 10 minutes"),
    ("maintenance-window-format", "staging", {"golive:database.maintenanceWindow": "sunday 04:00"}, "database.maintenanceWindow", "ddd:hh24:mi-ddd:hh24:mi"),
    ("maintenance-window-day", "staging", {"golive:database.maintenanceWindow": "sux:04:00-sun:05:00"}, "database.maintenanceWindow", "did you mean 'sun'"),
    ("maintenance-window-hour", "staging", {"golive:database.maintenanceWindow": "sun:25:00-mon:01:00"}, "database.maintenanceWindow", "00:00 to 23:59"),
    ("windows-overlap", "staging", {"golive:database.backupWindow": "04:15-04:45"}, "database.backupWindow", "overlaps maintenanceWindow"),
    ("windows-overlap-past-midnight", "staging", {"golive:database.backupWindow": "23:45-00:15", "golive:database.maintenanceWindow": "mon:00:00-mon:01:00"}, "database.backupWindow", "(on mon)"),
    ("master-postgres", "staging", {"golive:database.masterUsername": "postgres"}, "database.masterUsername", "RDS.25"),
    ("master-bad-characters", "staging", {"golive:database.masterUsername": "Admin-User"}, "database.masterUsername", "not a role name"),
    ("database-name-reserved", "staging", {"golive:database.name": "template1"}, "database.name", "reserved"),
    ("monitoring-interval", "staging", {"golive:database.monitoringInterval": 45}, "database.monitoringInterval", "[0, 1, 5, 10, 15, 30, 60]"),
    ("insights-retention", "staging", {"golive:database.performanceInsightsRetentionDays": 100}, "database.performanceInsightsRetentionDays", "multiple of 31"),
    ("database-key-typo", "staging", {"golive:database.multiAZ": True}, "database.multiAZ", "did you mean 'multiAz'"),
    ("log-statement", "staging", {"golive:database.logging.statement": "everything"}, "database.logging.statement", "'ddl'"),
    ("prod-short-backups", "prod", {"golive:database.backupRetentionDays": 3}, "database.backupRetentionDays", "protect on"),
    ("prod-no-final-snapshot", "prod", {"golive:database.finalSnapshot": False}, "database.finalSnapshot", "protect on"),
    ("secret-name-digit", "staging", {"golive:secrets.1TOKEN": {"source": "generated"}}, "secrets.1TOKEN", "not an environment variable name"),
    ("secret-name-aws-prefix", "staging", {"golive:secrets.AWS_TOKEN": {"source": "generated"}}, "secrets.AWS_TOKEN", "set by AWS"),
    ("secret-source-unknown", "staging", {"golive:secrets.JWT_SECRET.source": "random"}, "secrets.JWT_SECRET.source", "'generated'"),
    ("secret-length-short", "staging", {"golive:secrets.JWT_SECRET.length": 8}, "secrets.JWT_SECRET.length", "greater than or equal to 16"),
    ("secret-length-on-external", "staging", {"golive:secrets.SMTP.length": 20}, "secrets.SMTP.length", "does not apply to source 'external'"),
    ("secret-json-key-colon", "staging", {"golive:secrets.SMTP.keys.SMTP_USER": "user:name"}, "secrets.SMTP.keys.SMTP_USER", "no ':'"),
    ("secret-env-name-in-keys", "staging", {"golive:secrets.SMTP.keys.smtp-user": "user"}, "secrets.SMTP.keys.smtp-user", "not an environment variable name"),
    ("secret-variable-twice", "staging", {"golive:secrets.SMTP_USER": {"source": "generated"}}, "secrets.SMTP_USER", "also a key of SMTP"),
    ("secret-recovery-window", "staging", {"golive:secrets.JWT_SECRET.recoveryWindowDays": 3}, "secrets.JWT_SECRET.recoveryWindowDays", "7 to 30"),
    ("secret-special-without-special", "staging", {"golive:secrets.JWT_SECRET.specialCharacters": "!#"}, "secrets.JWT_SECRET.specialCharacters", "only with special: true"),
    ("secret-special-letters", "staging", {"golive:secrets.JWT_SECRET.special": True, "golive:secrets.JWT_SECRET.specialCharacters": "ab!"}, "secrets.JWT_SECRET.specialCharacters", "ASCII punctuation"),
    ("secret-config-key-namespace", "staging", {"golive:secrets.JWT_SECRET": {"source": "config", "configKey": "golive:jwt"}}, "secrets.JWT_SECRET.configKey", "namespace"),
    ("database-secret-keys", "staging", {"golive:secrets.DATABASE.keys": {"DB_USER": "user", "DB_PASSWORD": "password"}}, "secrets.DATABASE.keys.DB_USER", "'user' is not a key of a database secret (did you mean 'username'?)"),
    ("database-secret-no-keys", "staging", {"golive:secrets.DATABASE.keys": DELETE}, "secrets.DATABASE.keys", "e.g. {DATABASE_URL: url}"),
    ("database-secret-reader-without-replicas", "staging", {"golive:secrets.DATABASE.keys": {"DATABASE_URL": "url", "READER_URL": "readerUrl"}}, "secrets.DATABASE.keys.READER_URL", "names read replica 1, but database.readReplicas.count is 0"),
    ("database-secret-second-reader", "staging", {"golive:database.readReplicas": {"count": 1}, "golive:policy.exceptions": WITH_RDS_25, "golive:secrets.DATABASE.keys": {"READER_URL": "reader2Url"}}, "secrets.DATABASE.keys.READER_URL", "names read replica 2, but database.readReplicas.count is 1"),
    ("cache-secret-without-cache", "staging", {"golive:secrets.REDIS": {"source": "cache", "keys": {"REDIS_URL": "url"}}}, "secrets.REDIS.source", "'cache' needs a cache"),
    ("cache-secret-unknown-key", "staging", {"golive:cache": CACHE_ON, "golive:secrets.REDIS": {"source": "cache", "keys": {"REDIS_URL": "uri"}}}, "secrets.REDIS.keys.REDIS_URL", "'uri' is not a key of a cache secret (did you mean 'url'?)"),
    ("cache-secret-length", "staging", {"golive:cache": CACHE_ON, "golive:secrets.REDIS": {"source": "cache", "length": 20, "keys": {"REDIS_URL": "url"}}}, "secrets.REDIS.length", "does not apply to source 'cache'"),
    ("replicas-need-rds-25", "staging", {"golive:database.readReplicas": {"count": 1}}, "policy.exceptions.RDS.25", "is required with database.readReplicas"),
    ("rds-25-without-replicas", "staging", {"golive:policy.exceptions": WITH_RDS_25}, "policy.exceptions.RDS.25", "applies only with database.readReplicas"),
    ("replicas-need-backups", "staging", {"golive:database.readReplicas": {"count": 1}, "golive:policy.exceptions": WITH_RDS_25, "golive:database.backupRetentionDays": 0}, "database.backupRetentionDays", "automatic backups"),
    ("replicas-count", "staging", {"golive:database.readReplicas": {"count": 16}}, "database.readReplicas.count", "less than or equal to 15"),
    ("replicas-class", "staging", {"golive:database.readReplicas": {"count": 1, "instanceClass": "db.t4g.tiny"}}, "database.readReplicas.instanceClass", "not an RDS instance class"),
    ("database-secret-is-master", "staging", {"golive:secrets.DATABASE.username": "auction_admin"}, "secrets.DATABASE.username", "is database.masterUsername"),
    ("database-secret-no-username", "staging", {"golive:secrets.DATABASE.username": DELETE}, "secrets.DATABASE.username", "application role's name"),
    ("database-secret-no-database", "staging", {"golive:database": DELETE}, "secrets.DATABASE.source", "needs a database"),
    ("database-secret-twice", "staging", {"golive:secrets.DB2": {"source": "database", "username": "other_app", "keys": {"DB2_USER": "username", "DB2_PASSWORD": "password"}}}, "secrets.DB2.source", "one 'database' secret"),
    ("cache-node-typo", "staging", {"golive:cache": {"nodeType": "cache.t4g.mirco"}}, "cache.nodeType", "did you mean 'cache.t4g.micro'"),
    ("cache-engine-unknown", "staging", {"golive:cache": {"engine": "memcached"}}, "cache.engine", "'valkey'"),
    ("cache-engine-version", "staging", {"golive:cache": {"engine": "redis", "engineVersion": "7.2"}}, "cache.engineVersion", "6.2, 7.0, 7.1"),
    ("cache-multi-az-one-node", "staging", {"golive:cache": {"multiAz": True}}, "cache.multiAz", "nodes to 2"),
    ("cache-too-many-nodes", "staging", {"golive:cache": {"nodes": 7}}, "cache.nodes", "less than or equal to 6"),
    ("cache-token-too-long", "staging", {"golive:cache": {"authToken": {"length": 200}}}, "cache.authToken.length", "less than or equal to 128"),
    ("cache-token-env-taken", "staging", {"golive:cache": {"authToken": {"envName": "JWT_SECRET"}}}, "cache.authToken.envName", "also secret JWT_SECRET"),
    ("cache-snapshot-window-short", "staging", {"golive:cache": {"snapshotWindow": "05:00-05:30"}}, "cache.snapshotWindow", "60 minutes"),
    ("cache-windows-overlap", "staging", {"golive:cache": {"snapshotWindow": "06:30-07:30"}}, "cache.snapshotWindow", "overlaps maintenanceWindow"),
    ("snapshot-empty", "staging", {RESTORE: ""}, "database.restoreFromSnapshot", "is empty"),
    ("snapshot-digit-first", "staging", {RESTORE: "1pre-v1"}, "database.restoreFromSnapshot", "must start with a letter"),
    ("snapshot-underscore", "staging", {RESTORE: "pre_v1"}, "database.restoreFromSnapshot", "only letters, digits and hyphens"),
    ("snapshot-double-hyphen", "staging", {RESTORE: "pre--v1"}, "database.restoreFromSnapshot", "two hyphens in a row"),
    ("snapshot-trailing-hyphen", "prod", {RESTORE: "pre-v1-"}, "database.restoreFromSnapshot", "end with a hyphen"),
    ("snapshot-too-long", "staging", {RESTORE: "a" * 256}, "database.restoreFromSnapshot", "256 characters (at most 255)"),
    ("snapshot-backup-prefix", "staging", {RESTORE: "awsbackup:job-1a2b"}, "database.restoreFromSnapshot", "only automated snapshots have a prefix, 'rds:'"),
    ("snapshot-automated-digit", "staging", {RESTORE: "rds:9-2026-01-01"}, "database.restoreFromSnapshot", "must start with a letter"),
    ("snapshot-arn-cluster", "staging", {RESTORE: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:pre-v1"}, "database.restoreFromSnapshot", "is not a DB snapshot ARN"),
    ("snapshot-arn-account", "staging", {RESTORE: "arn:aws:rds:us-east-1:1234:snapshot:pre-v1"}, "database.restoreFromSnapshot", "arn:aws:rds:REGION:ACCOUNT:snapshot:IDENTIFIER"),
    ("snapshot-arn-bad-name", "prod", {RESTORE: "arn:aws:rds:us-east-1:123456789012:snapshot:pre--v1"}, "database.restoreFromSnapshot", "two hyphens in a row"),
    ("snapshot-arn-other-region", "staging", {RESTORE: "arn:aws:rds:eu-west-1:123456789012:snapshot:pre-v1"}, "database.restoreFromSnapshot", "in eu-west-1, but the stack is in us-east-1"),
    ("snapshot-without-final-snapshot", "staging", {RESTORE: "pre-v1", "golive:database.finalSnapshot": False}, "database.restoreFromSnapshot", "finalSnapshot is false"),
]  # fmt: skip


def test_there_are_many_distinct_invalid_data_tier_files() -> None:
    assert len({case[0] for case in INVALID}) >= 40


@pytest.mark.parametrize(
    ("case", "stack", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID]
)
def test_invalid_data_tier_names_the_key_and_what_is_allowed(
    case: str, stack: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase, stack)


def _stack_file(config: dict[str, Any]) -> Path:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump({"config": config}, handle)
    return Path(handle.name)


@pytest.mark.parametrize(
    ("case", "stack", "changes", "key", "phrase"), INVALID[::8], ids=[c[0] for c in INVALID[::8]]
)
def test_invalid_data_tier_registers_no_resource(
    case: str, stack: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case, phrase
    registered: list[RecordedResource] = []
    with pytest.raises(ConfigError, match=key.split(".", maxsplit=1)[0]):
        run_program(stack, stack_file=_stack_file(mutated(changes, stack)), registered=registered)
    assert registered == []


def test_data_tier_problems_are_listed_together() -> None:
    config = mutated(
        {
            "golive:database.instanceClass": "db.t4.micro",
            "golive:database.backupRetentionDays": 40,
            "golive:secrets.JWT_SECRET.length": 4,
            "golive:cache": {"nodeType": "cache.huge"},
        }
    )
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(config))
    paths = {p.path for p in raised.value.problems}
    assert {
        "database.instanceClass",
        "database.backupRetentionDays",
        "secrets.JWT_SECRET.length",
        "cache.nodeType",
    } <= paths


def test_an_identifier_aws_refuses_is_caught_from_the_stack_name() -> None:
    # The stack's name is in every AWS name, the database identifier among them: it is checked
    # once, as the name it is, before any identifier built from it.
    config = mutated({"aws:defaultTags.tags.golive:stack": "qa_1"})
    with pytest.raises(ConfigError) as raised:
        parse("qa_1", as_cli(config))
    (problem,) = raised.value.problems
    assert problem.path == "stack"
    assert "'qa_1'" in problem.message
    assert "lowercase letters, digits and single hyphens" in problem.message


# ----------------------------------------------------------------------------- config secrets


def _with_config_secret(keys: dict[str, str] | None = None) -> dict[str, Any]:
    secret: dict[str, Any] = {"source": "config"}
    if keys is not None:
        secret["keys"] = keys
    return mutated({"golive:secrets.JWT_SECRET": secret})


def test_a_config_secret_must_be_set() -> None:
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(_with_config_secret()), secret_keys=[])
    (problem,) = raised.value.problems
    assert problem.path == "secrets.JWT_SECRET"
    assert "pulumi config set --secret secrets:JWT_SECRET VALUE -s staging" in problem.message


def test_a_config_secret_must_be_encrypted() -> None:
    raw = {**as_cli(_with_config_secret()), "secrets:JWT_SECRET": "hunter2-plaintext"}
    with pytest.raises(ConfigError) as raised:
        parse("staging", raw, secret_keys=[])
    (problem,) = raised.value.problems
    assert "stored in plain text" in problem.message
    assert "hunter2" not in str(raised.value)
    assert parse("staging", raw, secret_keys=["secrets:JWT_SECRET"]).secrets["JWT_SECRET"]


def test_a_json_config_secret_must_hold_its_keys_without_echoing_the_value() -> None:
    keys = {"JWT_KEY": "key", "JWT_ISSUER": "issuer"}
    base = as_cli(_with_config_secret(keys))
    for value, phrase in (
        ('{"key": "s3cr3t-value"}', "JSON without the keys ['issuer']"),
        ("s3cr3t-value", "must hold a JSON object"),
    ):
        with pytest.raises(ConfigError) as raised:
            parse("staging", {**base, "secrets:JWT_SECRET": value}, ["secrets:JWT_SECRET"])
        assert phrase in str(raised.value)
        assert "s3cr3t" not in str(raised.value)
    ok = {**base, "secrets:JWT_SECRET": '{"key": "a", "issuer": "b"}'}
    assert parse("staging", ok, ["secrets:JWT_SECRET"]).secrets["JWT_SECRET"].keys == keys


def test_a_custom_config_key_is_named_in_the_message() -> None:
    config = mutated({"golive:secrets.JWT_SECRET": {"source": "config", "configKey": "app:jwt"}})
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(config), secret_keys=[])
    (problem,) = raised.value.problems
    assert problem.path == "secrets.JWT_SECRET.configKey"
    assert "--secret app:jwt" in problem.message


# ----------------------------------------------------------------------------- valid files


def test_repository_stack_files_describe_the_auction_data_tier() -> None:
    staging = parse("staging", as_cli(mutated({})))
    prod = parse("prod", as_cli(mutated({}, "prod")))
    assert staging.database is not None and prod.database is not None
    assert (staging.database.multi_az, prod.database.multi_az) == (False, True)
    assert (staging.database.deletion_protection, prod.database.deletion_protection) == (
        False,
        True,
    )
    assert staging.database.backup_retention_days == 7
    assert prod.database.backup_retention_days >= 14
    assert (staging.cache, prod.cache) == (None, None)
    for cfg in (staging, prod):
        assert secret_env_names(cfg) == {
            "JWT_SECRET": "JWT_SECRET",
            "SMTP_USER": "SMTP",
            "SMTP_PASSWORD": "SMTP",
            "DB_USER": "DATABASE",
            "DB_PASSWORD": "DATABASE",
        }


def test_staging_warns_about_its_declared_exceptions_and_prod_does_not() -> None:
    staging = "\n".join(parse("staging", as_cli(mutated({}))).warnings())
    prod = "\n".join(parse("prod", as_cli(mutated({}, "prod"))).warnings())
    for phrase in ("control RDS.5: exception declared", "control RDS.8: exception declared"):
        assert phrase in staging
        assert phrase not in prod
    assert "RDS.6" not in staging + prod  # both keep enhanced monitoring (the default)
    unmonitored = parse("staging", as_cli(mutated({"golive:database.monitoringInterval": 0})))
    assert "no enhanced monitoring (control RDS.6)" in "\n".join(unmonitored.warnings())
    for text in (staging, prod):
        assert "secrets JWT_SECRET, SMTP, DATABASE: AWS cannot rotate them" in text
        assert "control SecretsManager.1: exception declared" in text


def test_a_warning_never_claims_an_exception_the_stack_does_not_declare() -> None:
    """Reproduces `golive plan` printing "(control RDS.5 exception)" for a single-AZ database
    whose stack file declared no such exception."""
    undeclared = parse(
        "staging", as_cli(mutated({"golive:policy": {"enforcement": "mandatory"}}))
    ).warnings()
    text = "\n".join(undeclared)
    assert not re.search(r"control [\w./]+ exception\)", text), text
    for control_id in ("RDS.5", "RDS.8", "SecretsManager.1", "ECS.2"):
        assert f"control {control_id} fails unless golive:policy declares an exception" in text


def test_a_cache_adds_its_token_to_the_secret_variables() -> None:
    cfg = parse("staging", as_cli(mutated({"golive:cache": CACHE_ON})))
    assert cfg.cache is not None
    assert (cfg.cache.engine.value, cfg.cache.engine_version) == ("valkey", "8.1")
    assert secret_env_names(cfg)["REDIS_AUTH_TOKEN"] == "cache"
    assert "cache.multiAz is false" in "\n".join(cfg.warnings())


# ----------------------------------------------------------------------------- restoring


@pytest.mark.parametrize(
    "snapshot",
    [
        "pre-v1-4-2",
        "auction-prod-backup-before-import",
        "Pre-V1",
        "rds:auction-prod-db-2026-01-31-03-05",
        "arn:aws:rds:us-east-1:123456789012:snapshot:pre-v1-4-2",
        "arn:aws:rds:us-east-1:123456789012:snapshot:rds:auction-prod-db-2026-01-31-03-05",
        "a" * 255,
    ],
)
def test_snapshot_identifiers_and_arns_aws_accepts_parse(snapshot: str) -> None:
    for stack in ("staging", "prod"):
        cfg = parse(stack, as_cli(mutated({RESTORE: snapshot}, stack)))
        assert cfg.database is not None
        assert cfg.database.restore_from_snapshot == snapshot


def test_no_repository_stack_file_restores() -> None:
    for stack in ("staging", "prod"):
        cfg = parse(stack, as_cli(mutated({}, stack)))
        assert cfg.database is not None and cfg.database.restore_from_snapshot is None
        assert cfg.database.instance_identifier(cfg.prefix) == f"auction-{stack}-db"
        assert "restoreFromSnapshot" not in "\n".join(cfg.warnings())


def test_a_restore_warns_what_the_replacement_does_and_that_db_init_runs_again() -> None:
    staging = parse("staging", as_cli(mutated({RESTORE: "pre-v1-4-2"})))
    assert staging.database is not None
    identifier = staging.database.instance_identifier(staging.prefix)
    (note,) = [w for w in staging.warnings() if w.startswith("database.restoreFromSnapshot")]
    for phrase in (
        f"the database instance is {identifier}",
        "REPLACES the database",
        "restores the new instance first",
        "new endpoint (DB_HOST)",
        "deletes the old instance with a final snapshot",
        "`golive run-task staging db-init`",
        "older password for the application role",
        "removing it replaces the database with an empty one",
    ):
        assert phrase in note, phrase
    prod = parse("prod", as_cli(mutated({RESTORE: "pre-v1-4-2"}, "prod"))).warnings()
    assert any("Pulumi refuses to replace a protected database" in w for w in prod)
    assert any("`golive run-task prod db-init`" in w for w in prod)
    guarded = parse(
        "staging",
        as_cli(mutated({RESTORE: "pre-v1-4-2", "golive:database.deletionProtection": True})),
    ).warnings()
    assert any("AWS refuses to delete the old instance" in w for w in guarded)


def test_golive_plan_shows_the_restore_warning(tmp_path: Path) -> None:
    stack_file = _stack_file(mutated({RESTORE: "pre-v1-4-2"}))
    target = tmp_path / "plan.json"
    result = CliRunner().invoke(
        app, ["plan", "staging", "--stack-file", str(stack_file), "-q", "--json", str(target)]
    )
    assert result.exit_code == 0, result.output
    warnings = json.loads(target.read_text())["warnings"]
    assert any(w.startswith("database.restoreFromSnapshot is 'pre-v1-4-2'") for w in warnings)
    assert "restoreFromSnapshot" in result.output


def test_the_runbooks_prod_restore_change_passes_every_control() -> None:
    # Step one of a protected stack's restore (docs/runbook.md): protect off, PUL.1 declared
    # for the duration, the snapshot set. The policy pack must not block it.
    exceptions = {"PUL.1": "restore from pre-v1-4-2 in progress; protect back on once verified"}
    document = mutated(
        {RESTORE: "pre-v1-4-2", "golive:protect": False, "golive:policy.exceptions": exceptions},
        "prod",
    )
    cfg = parse("prod", as_cli(document))
    plan = run_program("prod", stack_file=_stack_file(document))
    report = evaluate(plan.resources, cfg.policy)
    failed = {r.control.id for r in report.results if r.status.value == "fail"}
    assert failed == set(), report.to_json()
    assert "PUL.1" in {r.control.id for r in report.results if r.status.value == "exception"}
