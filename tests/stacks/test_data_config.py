"""The data tier's stack-file keys (database, secrets, cache): invalid files fail naming the key."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import (
    ConfigError,
    data_tier_exceptions,
    parse,
    parse_window,
    secret_env_names,
)
from stacks.harness import RecordedResource, run_program
from tests.stacks.test_config import DELETE, as_cli, mutated

CACHE_ON = {"nodeType": "cache.t4g.micro"}

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
    ("database-secret-keys", "staging", {"golive:secrets.DATABASE.keys": {"DB_USER": "user", "DB_PASSWORD": "password"}}, "secrets.DATABASE.keys", "exactly 'username' and 'password'"),
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
    with pytest.raises(ConfigError) as raised:
        parse(stack, as_cli(mutated(changes, stack)))
    paths = [p.path for p in raised.value.problems]
    assert key in paths, f"{key} not among {paths}:\n{raised.value}"
    problem = next(p for p in raised.value.problems if p.path == key)
    assert phrase in problem.message, str(raised.value)


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
    config = mutated({"aws:defaultTags.tags.golive:stack": "qa_1"})
    with pytest.raises(ConfigError) as raised:
        parse("qa_1", as_cli(config))
    (problem,) = [p for p in raised.value.problems if p.path == "database"]
    assert "'auction-qa_1-db'" in problem.message
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
    for phrase in ("RDS.5 exception", "RDS.8 exception", "RDS.6"):
        assert phrase in staging
        assert phrase not in prod
    for text in (staging, prod):
        assert "secrets JWT_SECRET, SMTP, DATABASE: AWS cannot rotate them" in text


def test_a_cache_adds_its_token_to_the_secret_variables() -> None:
    cfg = parse("staging", as_cli(mutated({"golive:cache": CACHE_ON})))
    assert cfg.cache is not None
    assert (cfg.cache.engine.value, cfg.cache.engine_version) == ("valkey", "8.1")
    assert secret_env_names(cfg)["REDIS_AUTH_TOKEN"] == "cache"
    assert "cache.multiAz is false" in "\n".join(cfg.warnings())


def test_windows_cover_the_right_minutes() -> None:
    daily = parse_window("23:30-00:30", weekly=False)
    assert (daily.start, daily.minutes) == (23 * 60 + 30, 60)
    assert len(daily.minutes_of_week()) == 7 * 60
    weekly = parse_window("Sun:23:30-Mon:00:30", weekly=True)
    assert (weekly.start, weekly.minutes) == (6 * 1440 + 23 * 60 + 30, 60)
    assert 0 in weekly.minutes_of_week()  # wraps into Monday 00:00


def test_declared_exceptions_come_from_the_stack_files() -> None:
    staging = data_tier_exceptions(parse("staging", as_cli(mutated({}))))
    prod = data_tier_exceptions(parse("prod", as_cli(mutated({}, "prod"))))
    assert sorted(staging) == ["RDS.5", "RDS.6", "RDS.8", "SecretsManager.1"]
    assert sorted(prod) == ["SecretsManager.1"]
    assert prod["SecretsManager.1"].startswith("JWT_SECRET, SMTP, DATABASE: ")
