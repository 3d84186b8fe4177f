"""The data tier of the config model: the database, the application's secrets and the optional
cache (components/database.py, components/secrets.py, components/cache.py), and the rules across
them and the stack.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.alias_generators import to_camel

from aws_facts.elasticache import (
    CACHE_ENGINE_VERSIONS,
)
from aws_facts.rds import (
    MAX_READ_REPLICAS,
    STORAGE_AUTOSCALING_ADVISED,
    STORAGE_AUTOSCALING_HEADROOM,
)
from components import naming
from components.cache import CacheArgs, CacheEngine
from components.connection_urls import CACHE_KEYS, CREDENTIAL_KEYS, database_url_keys
from components.database import (
    DatabaseArgs,
    PostgresLogging,
    instance_identifier,
)
from components.secrets import SecretSource, SecretSpec
from stacks.config.base import NAMESPACE, LogRetentionDays, Model, default_of, did_you_mean
from stacks.config.data_values import (
    CONFIG_KEY,
    RDS_25,
    READER_KEY,
    SECRET_CONFIG_NAMESPACE,
    SECRET_JSON_KEY,
    as_text,
    check_cache_node_type,
    check_database_name,
    check_db_snapshot,
    check_monitoring_interval,
    check_performance_insights_retention,
    check_postgres_major,
    check_rds_instance_class,
    check_recovery_window,
    check_role_name,
    db_snapshot_region,
    env_name_problem,
    role_name_problem,
)
from stacks.config.windows import (
    CacheMaintenanceWindow,
    CacheSnapshotWindow,
    RdsBackupWindow,
    RdsMaintenanceWindow,
    overlap_problem,
)

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig


class PostgresLogStatement(StrEnum):
    """`log_statement`: which statements PostgreSQL logs."""

    NONE = "none"
    DDL = "ddl"
    MOD = "mod"
    ALL = "all"


class DatabaseLoggingConfig(Model):
    """What PostgreSQL logs; exported to CloudWatch Logs with the `upgrade` log, and the
    `iam-db-auth-error` log with `iamAuthentication` on (RDS.9)."""

    min_duration_ms: int = Field(
        default=default_of(PostgresLogging, "min_duration_ms"), ge=-1, le=2_147_483_647
    )
    """`log_min_duration_statement`: log statements slower than this many ms; -1 turns it off."""
    statement: PostgresLogStatement = PostgresLogStatement(default_of(PostgresLogging, "statement"))
    """`log_statement`: `none`, `ddl` (schema changes: an audit trail), `mod` or `all`."""
    connections: bool = default_of(PostgresLogging, "connections")
    """`log_connections`: who connected from where."""
    disconnections: bool = default_of(PostgresLogging, "disconnections")
    """`log_disconnections`: session lengths."""
    lock_waits: bool = default_of(PostgresLogging, "lock_waits")
    """`log_lock_waits`: lock waits longer than a second."""
    retention_days: LogRetentionDays = default_of(PostgresLogging, "retention_days")
    """Days CloudWatch keeps the exported logs (encrypted with the stack key)."""


class ReadReplicasConfig(Model):
    """Read replicas of the database in the stack's region, for read-only queries (reports).
    RDS then cannot manage the master password: golive owns it, and the stack declares the
    RDS.25 exception."""

    count: int = Field(ge=1, le=MAX_READ_REPLICAS)
    """Replicas, 1 to 15 (RDS for PostgreSQL's limit); each is priced like the instance,
    single-AZ."""
    instance_class: Annotated[str, AfterValidator(check_rds_instance_class)] | None = None
    """The replicas' instance class; default: the database's."""


class DatabaseConfig(Model):
    """PostgreSQL on RDS, on the isolated subnets, master password managed by RDS."""

    engine_version: Annotated[
        str, BeforeValidator(as_text), AfterValidator(check_postgres_major)
    ] = default_of(DatabaseArgs, "engine_major")
    """PostgreSQL major (`14` to `18`); minor versions upgrade automatically."""
    instance_class: Annotated[str, AfterValidator(check_rds_instance_class)] = default_of(
        DatabaseArgs, "instance_class"
    )
    """RDS instance class; db.t4g.micro is ~$12/month single-AZ in us-east-1."""
    name: Annotated[str, AfterValidator(check_database_name)] = default_of(DatabaseArgs, "db_name")
    """The database created with the instance (changing it replaces the instance)."""
    master_username: Annotated[str, AfterValidator(check_role_name)] = default_of(
        DatabaseArgs, "master_username"
    )
    """Master user, for administrative one-off tasks only (never `postgres`: RDS.25). RDS keeps
    its password in Secrets Manager; changing the name replaces the instance."""
    allocated_storage: int = Field(
        default=default_of(DatabaseArgs, "allocated_storage"), ge=20, le=65536
    )
    """gp3 GB at creation, 20 to 65536 ($0.115/GB-month, x2 with Multi-AZ)."""
    max_allocated_storage: int = Field(
        default=default_of(DatabaseArgs, "max_allocated_storage"), ge=20, le=65536
    )
    """Storage autoscaling ceiling in GB: at least 10% above `allocatedStorage`, at most 65536."""
    multi_az: bool = default_of(DatabaseArgs, "multi_az")
    """A standby in another AZ (RDS.5); doubles the price. Staging may turn it off."""
    backup_retention_days: int = Field(
        default=default_of(DatabaseArgs, "backup_retention_days"), ge=0, le=35
    )
    """Days of automated backups and point-in-time recovery, 0 to 35; 7 or more (RDS.11),
    required when `protect` is on."""
    backup_window: RdsBackupWindow = default_of(DatabaseArgs, "backup_window")
    """Daily UTC backup window `hh24:mi-hh24:mi`, at least 30 minutes."""
    maintenance_window: RdsMaintenanceWindow = default_of(DatabaseArgs, "maintenance_window")
    """Weekly UTC maintenance window `ddd:hh24:mi-ddd:hh24:mi`, 30 minutes or more, apart
    from the backup window."""
    deletion_protection: bool = default_of(DatabaseArgs, "deletion_protection")
    """AWS refuses to delete the instance (RDS.8)."""
    final_snapshot: bool = default_of(DatabaseArgs, "final_snapshot")
    """Take a named final snapshot on deletion (RDS.8); required when `protect` is on."""
    performance_insights: bool = default_of(DatabaseArgs, "performance_insights")
    """Performance Insights, encrypted with the stack key (7 days free)."""
    performance_insights_retention_days: Annotated[
        int, AfterValidator(check_performance_insights_retention)
    ] = default_of(DatabaseArgs, "performance_insights_retention_days")
    """7 (free), a multiple of 31 up to 713, or 731."""
    monitoring_interval: Annotated[int, AfterValidator(check_monitoring_interval)] = default_of(
        DatabaseArgs, "monitoring_interval"
    )
    """Enhanced monitoring every N seconds (RDS.6): 1, 5, 10, 15, 30, 60, or 0 for off."""
    iam_authentication: bool = default_of(DatabaseArgs, "iam_authentication")
    """Allow IAM database authentication (RDS.10); free, passwords keep working."""
    extended_support: bool = default_of(DatabaseArgs, "extended_support")
    """Keep a major past its end of standard support under RDS Extended Support (billed per
    vCPU-hour); false lets RDS upgrade it."""
    backup_before_release: bool = False
    """`golive release` snapshots the database before migrations (always when `protect`)."""
    logging: DatabaseLoggingConfig = Field(default_factory=DatabaseLoggingConfig)
    """PostgreSQL logging."""
    read_replicas: ReadReplicasConfig | None = None
    """Read replicas, with `readerUrl` keys in the `database` secret; omit for none."""
    restore_from_snapshot: Annotated[str, AfterValidator(check_db_snapshot)] | None = None
    """A DB snapshot to create the database from: its identifier (`rds:...` for an automated
    one) or ARN, in the stack's region. Setting or changing it replaces the database: the
    restored instance (`<app>-<stack>-db-<8 hex>`) first, then the old one is deleted with its
    final snapshot. The snapshot must hold this `engineVersion` major, `name` and
    `masterUsername`, be encrypted with this stack's key and fit `allocatedStorage`. Keep it
    afterwards: removing it replaces the database with an empty one. See docs/runbook.md."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        floor = math.ceil(self.allocated_storage * STORAGE_AUTOSCALING_HEADROOM)
        if self.max_allocated_storage < floor:
            problems.append(
                (
                    "maxAllocatedStorage",
                    f"{self.max_allocated_storage} GB is below allocatedStorage "
                    f"{self.allocated_storage} GB + 10% = {floor} GB: RDS storage autoscaling "
                    f"needs a ceiling at least 10% above the allocated storage (at most 65536)",
                )
            )
        problems += overlap_problem(
            ("backupWindow", self.backup_window),
            ("maintenanceWindow", self.maintenance_window),
            first_weekly=False,
            second_weekly=True,
        )
        return problems

    def identifier(self, prefix: str) -> str:
        """The database's base identifier: `<app>-<stack>-db` (names its groups)."""
        return naming.database(prefix)

    def instance_identifier(self, prefix: str) -> str:
        """The DB instance identifier: the base one, plus a suffix when restored."""
        return instance_identifier(self.identifier(prefix), self.restore_from_snapshot)

    @property
    def replica_count(self) -> int:
        return self.read_replicas.count if self.read_replicas else 0


class SecretConfig(Model):
    """One secret of `golive:secrets`, keyed by its name (an environment variable name)."""

    source: SecretSource
    """`generated` (pulumi-random), `config` (`pulumi config set --secret`), `external`
    (`golive secrets set`) or `database` (the application role's credentials)."""
    keys: dict[str, str] | None = None
    """A JSON secret: environment variable -> JSON key (one variable per key). Omit for a
    plain value whose variable is the secret's name. `database`: map to `username`/`password`."""
    description: str = Field(default=default_of(SecretSpec, "description"), max_length=2048)
    """Shown in the console; say who issues an external secret."""
    length: int = Field(default=default_of(SecretSpec, "length"), ge=16, le=4096)
    """`generated`/`database`: characters per generated value, 16 to 4096."""
    special: bool = default_of(SecretSpec, "special")
    """`generated`/`database`: include special characters."""
    special_characters: str = default_of(SecretSpec, "special_characters")
    """With `special`: the punctuation to draw from."""
    config_key: str | None = None
    """`config`: the secret config key (default `secrets:<NAME>`)."""
    username: str | None = None
    """`database`: the application role's name (never the master user)."""
    recovery_window_days: Annotated[int, AfterValidator(check_recovery_window)] = default_of(
        SecretSpec, "recovery_window_days"
    )
    """Days a deleted secret stays recoverable: 7 to 30, or 0 (deleted at once)."""

    def problems(self) -> list[tuple[str, str]]:
        problems = self._inapplicable_fields()
        if self.keys is not None:
            problems += self._key_problems(self.keys)
        if self.source is SecretSource.DATABASE:
            problems += self._database_problems()
        if self.source is SecretSource.CACHE:
            problems += self._json_key_problems(CACHE_KEYS, "cache")
        if "special_characters" in self.model_fields_set:
            problems += self._special_character_problems(self.special_characters)
        if self.config_key is not None:
            match = CONFIG_KEY.match(self.config_key)
            if match is None:
                problems.append(
                    (
                        "configKey",
                        f"'{self.config_key}' is not a config key 'namespace:name' "
                        f"(e.g. {SECRET_CONFIG_NAMESPACE}:SMTP_PASSWORD)",
                    )
                )
            elif match["namespace"] in (NAMESPACE, "aws"):
                problems.append(
                    (
                        "configKey",
                        f"'{self.config_key}' is in the '{match['namespace']}' namespace, which "
                        f"the stack file's model owns; use e.g. '{SECRET_CONFIG_NAMESPACE}:NAME'",
                    )
                )
        return problems

    def _inapplicable_fields(self) -> list[tuple[str, str]]:
        applies = {
            SecretSource.GENERATED: {"keys", "length", "special", "special_characters"},
            SecretSource.CONFIG: {"keys", "config_key"},
            SecretSource.EXTERNAL: {"keys"},
            SecretSource.DATABASE: {"keys", "length", "special", "special_characters", "username"},
            SecretSource.CACHE: {"keys"},
        }[self.source]
        given = {f for f in self.model_fields_set if getattr(self, f) is not None}
        problems: list[tuple[str, str]] = []
        for field_name in ("length", "special", "special_characters", "config_key", "username"):
            if field_name in given and field_name not in applies:
                allowed = ", ".join(sorted(to_camel(f) for f in applies))
                problems.append(
                    (
                        to_camel(field_name),
                        f"does not apply to source '{self.source.value}' (it takes: {allowed})",
                    )
                )
        return problems

    @staticmethod
    def _key_problems(keys: dict[str, str]) -> list[tuple[str, str]]:
        if not keys:
            return [
                (
                    "keys",
                    "is empty: omit it for a plain-value secret, or map each environment "
                    "variable to a JSON key",
                )
            ]
        problems: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for env, json_key in keys.items():
            reason = env_name_problem(env)
            if reason:
                problems.append((f"keys.{env}", reason))
            if not SECRET_JSON_KEY.match(json_key):
                problems.append(
                    (
                        f"keys.{env}",
                        f"'{json_key}' is not a usable JSON key: 1-256 letters, digits or "
                        "_.@+=/- (no ':', which separates the key in an ECS valueFrom)",
                    )
                )
            if json_key in seen:
                problems.append(
                    (f"keys.{env}", f"JSON key '{json_key}' is also {seen[json_key]}'s; one each")
                )
            seen.setdefault(json_key, env)
        return problems

    def _database_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.username is None:
            problems.append(
                (
                    "username",
                    "source 'database' needs the application role's name, e.g. auction_app",
                )
            )
        else:
            reason = role_name_problem(self.username)
            if reason:
                problems.append(("username", reason))
        known = [*CREDENTIAL_KEYS, *database_url_keys(MAX_READ_REPLICAS)]
        return problems + self._json_key_problems(known, "database")

    def _json_key_problems(self, known: Sequence[str], source: str) -> list[tuple[str, str]]:
        """A `database` or `cache` secret maps environment variables to the JSON keys golive
        writes into it, and to nothing else."""
        examples = {
            "database": "e.g. {DATABASE_URL: url} or {DB_USER: username, DB_PASSWORD: password}",
            "cache": "e.g. {REDIS_URL: url}",
        }
        if self.keys is None:
            return [
                (
                    "keys",
                    f"source '{source}' needs keys mapping environment variables to the JSON keys "
                    f"it holds, {examples[source]}; keys: {', '.join(known[:8])}, ...",
                )
            ]
        problems: list[tuple[str, str]] = []
        for env, json_key in self.keys.items():
            if json_key not in known:
                problems.append(
                    (
                        f"keys.{env}",
                        f"'{json_key}' is not a key of a {source} secret"
                        f"{did_you_mean(json_key, known)}; it holds {', '.join(known[:8])}, ...",
                    )
                )
        return problems

    def _special_character_problems(self, characters: str) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.special:
            problems.append(("specialCharacters", "takes effect only with special: true"))
        bad = sorted({c for c in characters if c not in string.punctuation})
        if bad or not characters:
            problems.append(
                (
                    "specialCharacters",
                    f"{characters!r} must be ASCII punctuation only (no letters, digits or "
                    f"spaces); not allowed: {bad}",
                )
            )
        return problems

    def env_names(self, name: str) -> list[str]:
        """The environment variables this secret feeds (its keys', or its own name)."""
        return list(self.keys) if self.keys is not None else [name]

    def resolved_config_key(self, name: str) -> str:
        """`config` source: the fully qualified config key holding the value."""
        return self.config_key or f"{SECRET_CONFIG_NAMESPACE}:{name}"


class CacheAuthTokenConfig(Model):
    """The cache's AUTH token: generated, kept in Secrets Manager, injected as a secret."""

    env_name: str = default_of(CacheArgs, "auth_token_env")
    """Environment variable that receives the token in services with `cache: true`."""
    length: int = Field(default=default_of(CacheArgs, "auth_token_length"), ge=16, le=128)
    """Characters, 16 to 128 (ElastiCache's limits)."""
    recovery_window_days: Annotated[int, AfterValidator(check_recovery_window)] = default_of(
        CacheArgs, "auth_token_recovery_window_days"
    )
    """Recovery window of the token's secret: 7 to 30, or 0."""


class CacheConfig(Model):
    """An ElastiCache replication group (Valkey or Redis OSS) on the isolated subnets."""

    engine: CacheEngine = default_of(CacheArgs, "engine")
    """`valkey` (about 20% cheaper) or `redis`."""
    engine_version: Annotated[str, BeforeValidator(as_text)] = default_of(
        CacheArgs, "engine_version"
    )
    """Major.minor: valkey 7.2-9.0, redis 6.2-7.1; patches apply automatically."""
    node_type: Annotated[str, AfterValidator(check_cache_node_type)] = default_of(
        CacheArgs, "node_type"
    )
    """Node type; cache.t4g.micro is ~$9/month (Valkey) in us-east-1."""
    nodes: int = Field(default=default_of(CacheArgs, "nodes"), ge=1, le=6)
    """Primary plus replicas, 1 to 6."""
    multi_az: bool = default_of(CacheArgs, "multi_az")
    """Automatic failover to a replica in another AZ; needs 2 or more nodes."""
    snapshot_retention_days: int = Field(
        default=default_of(CacheArgs, "snapshot_retention_days"), ge=0, le=35
    )
    """Days of daily snapshots, 0 (none) to 35."""
    snapshot_window: CacheSnapshotWindow = default_of(CacheArgs, "snapshot_window")
    """Daily UTC snapshot window, 60 minutes or more."""
    maintenance_window: CacheMaintenanceWindow = default_of(CacheArgs, "maintenance_window")
    """Weekly UTC maintenance window, 60 minutes or more, apart from the snapshot window."""
    auth_token: CacheAuthTokenConfig = Field(default_factory=CacheAuthTokenConfig)
    """The AUTH token clients must send (transit encryption is always on)."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        versions = CACHE_ENGINE_VERSIONS[self.engine]
        if self.engine_version not in versions:
            problems.append(
                (
                    "engineVersion",
                    f"'{self.engine_version}' is not a {self.engine.value} version ElastiCache "
                    f"offers{did_you_mean(self.engine_version, versions)}; use one of "
                    f"{', '.join(versions)}",
                )
            )
        if self.multi_az and self.nodes < 2:
            problems.append(
                (
                    "multiAz",
                    f"needs a replica to fail over to: set nodes to 2 or more (it is {self.nodes})",
                )
            )
        reason = env_name_problem(self.auth_token.env_name)
        if reason:
            problems.append(("authToken.envName", reason))
        problems += overlap_problem(
            ("snapshotWindow", self.snapshot_window),
            ("maintenanceWindow", self.maintenance_window),
            first_weekly=False,
            second_weekly=True,
        )
        return problems

    def replication_group_id(self, prefix: str) -> str:
        """`<app>-<stack>-cache`."""
        return naming.cache(prefix)


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Cross-field rules of the database, secrets and cache (paths relative to the stack)."""
    problems: list[tuple[str, str]] = []
    database = cfg.database
    if database is not None:
        if database.restore_from_snapshot is not None:
            problems += _restore_problems(cfg, database.restore_from_snapshot, database)
        if cfg.protect and database.backup_retention_days < 7:
            problems.append(
                (
                    "database.backupRetentionDays",
                    f"{database.backup_retention_days} days with protect on: protected data "
                    "keeps at least 7 days of backups (control RDS.11, no exception allowed)",
                )
            )
        problems += _replica_problems(cfg, database)
        if cfg.protect and not database.final_snapshot:
            problems.append(
                (
                    "database.finalSnapshot",
                    "is false with protect on: a protected database takes a final snapshot "
                    "when deleted (control RDS.8)",
                )
            )
    problems += _secret_name_problems(cfg)
    problems += _cache_secret_problems(cfg)
    return problems


def _replica_problems(cfg: StackConfig, database: DatabaseConfig) -> list[tuple[str, str]]:
    """Read replicas: RDS's own rules, and the RDS.25 exception they make necessary."""
    problems: list[tuple[str, str]] = []
    declared = RDS_25 in cfg.policy.declared_exceptions()
    if database.read_replicas is None:
        if declared:
            problems.append(
                (
                    f"policy.exceptions.{RDS_25}",
                    "applies only with database.readReplicas: without replicas RDS manages the "
                    "master password, and the control passes; remove the exception",
                )
            )
        return problems
    if not declared:
        problems.append(
            (
                f"policy.exceptions.{RDS_25}",
                "is required with database.readReplicas: AWS refuses a read replica of an "
                "instance whose master password RDS manages, so golive owns it (generated, "
                "stack key, rotated as a release step); declare it, e.g. "
                f"'{RDS_25}: read replicas need a golive-owned master password'",
            )
        )
    if database.backup_retention_days == 0:
        problems.append(
            (
                "database.backupRetentionDays",
                "is 0 with readReplicas: RDS creates a read replica only of an instance with "
                "automatic backups (retention above 0)",
            )
        )
    return problems


def _restore_problems(
    cfg: StackConfig, snapshot: str, database: DatabaseConfig
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    region = db_snapshot_region(snapshot)
    if region is not None and region != cfg.region:
        problems.append(
            (
                "database.restoreFromSnapshot",
                f"'{snapshot}' is a snapshot in {region}, but the stack is in {cfg.region}: RDS "
                "restores only from a snapshot in the instance's region. Copy it here first "
                f"(`aws rds copy-db-snapshot --region {cfg.region} --source-region {region} "
                "--source-db-snapshot-identifier ARN --target-db-snapshot-identifier NAME "
                "--kms-key-id <this stack's kmsKeyArn>`) and restore from NAME",
            )
        )
    if not database.final_snapshot:
        problems.append(
            (
                "database.restoreFromSnapshot",
                "is set while database.finalSnapshot is false: a restore replaces the database, "
                "and the replaced instance must leave a final snapshot (what was written since "
                "the restored snapshot lives only there); set finalSnapshot: true",
            )
        )
    return problems


def _secret_name_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    # Secret names and the variables they feed share one namespace: services list either.
    owners: dict[str, str] = {}
    database_secret: str | None = None
    for name, secret in cfg.secrets.items():
        reason = env_name_problem(name)
        if reason:
            problems.append((f"secrets.{name}", reason))
        for ident in dict.fromkeys([name, *secret.env_names(name)]):
            where = f"secrets.{name}" if ident == name else f"secrets.{name}.keys.{ident}"
            if ident in owners:
                problems.append(
                    (where, f"'{ident}' is also {owners[ident]}: each name must be unique")
                )
            owners.setdefault(ident, f"secret {name}" if ident == name else f"a key of {name}")
        if secret.source is SecretSource.DATABASE:
            problems += _database_secret_problems(cfg, name, secret, database_secret)
            database_secret = database_secret or name
    if cfg.cache is not None:
        token = cfg.cache.auth_token.env_name
        if token in owners:
            problems.append(
                (
                    "cache.authToken.envName",
                    f"'{token}' is also {owners[token]}: each environment variable comes from "
                    "one secret",
                )
            )
    return problems


def _database_secret_problems(
    cfg: StackConfig, name: str, secret: SecretConfig, first: str | None
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if first is not None:
        problems.append(
            (
                f"secrets.{name}.source",
                f"secret {first} already holds the application role's credentials; one "
                "'database' secret per stack",
            )
        )
    if cfg.database is None:
        problems.append(
            (
                f"secrets.{name}.source",
                "'database' needs a database: add golive:database to the stack file",
            )
        )
    else:
        problems += _reader_key_problems(name, secret, cfg.database.replica_count)
    if cfg.database is not None and secret.username == cfg.database.master_username:
        problems.append(
            (
                f"secrets.{name}.username",
                f"'{secret.username}' is database.masterUsername: the application role must be "
                "another user (the master password rotates every 7 days)",
            )
        )
    return problems


def _reader_key_problems(name: str, secret: SecretConfig, replicas: int) -> list[tuple[str, str]]:
    available = set(database_url_keys(replicas))
    problems: list[tuple[str, str]] = []
    for env, json_key in (secret.keys or {}).items():
        match = READER_KEY.match(json_key)
        if match and json_key not in available:
            wanted = int(match["number"] or 1)
            problems.append(
                (
                    f"secrets.{name}.keys.{env}",
                    f"'{json_key}' names read replica {wanted}, but database.readReplicas.count "
                    f"is {replicas}",
                )
            )
    return problems


def _cache_secret_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    return [
        (f"secrets.{name}.source", "'cache' needs a cache: add golive:cache to the stack file")
        for name, secret in cfg.secrets.items()
        if secret.source is SecretSource.CACHE and cfg.cache is None
    ]


def warnings(cfg: StackConfig) -> list[str]:
    """Data at risk, backups short of the guidance, secrets AWS does not rotate."""
    notes: list[str] = []
    database = cfg.database
    if database is not None:
        notes += _database_warnings(cfg, database)
    exceptions = list(cfg.secrets)
    if cfg.cache is not None:
        exceptions.append(cfg.cache.auth_token.env_name)
    if database is not None and database.read_replicas is not None:
        exceptions.append("the database's master secret")
        notes.append(
            f"database.readReplicas: RDS cannot manage the master password of an instance with "
            f"replicas, so golive owns it (control RDS.25 exception); rotate it as a release "
            f"step with `pulumi up --replace` on {cfg.prefix}-db-master-password"
        )
    if exceptions:
        notes.append(
            f"secrets {', '.join(exceptions)}: AWS cannot rotate them by itself; rotate them as "
            f"a release step ({cfg.policy.note('SecretsManager.1')})"
        )
    for name, secret in cfg.secrets.items():
        if secret.recovery_window_days == 0:
            notes.append(
                f"secrets.{name}.recoveryWindowDays is 0: deleting the secret destroys it at once"
            )
    if cfg.cache is not None:
        if not cfg.cache.multi_az:
            notes.append(
                "cache.multiAz is false: a node or AZ failure empties the cache until it is "
                "replaced"
            )
        if cfg.cache.snapshot_retention_days == 0:
            notes.append("cache.snapshotRetentionDays is 0: the cache is never backed up")
    return notes


def _database_warnings(cfg: StackConfig, database: DatabaseConfig) -> list[str]:
    notes: list[str] = []
    if not database.multi_az:
        notes.append(
            "database.multiAz is false: an AZ outage or instance failure stops the database "
            f"until AWS replaces it ({cfg.policy.note('RDS.5')})"
        )
    if not database.deletion_protection:
        notes.append(
            "database.deletionProtection is false: a `pulumi destroy` deletes the database "
            f"({cfg.policy.note('RDS.8')})"
        )
    if not database.final_snapshot:
        notes.append(
            "database.finalSnapshot is false: deleting the database keeps no final snapshot "
            "(control RDS.8 fails)"
        )
    if database.backup_retention_days < 7:
        notes.append(
            f"database.backupRetentionDays is {database.backup_retention_days}: fewer than 7 "
            "days of backups (control RDS.11 fails)"
        )
    elif cfg.protect and database.backup_retention_days < 14:
        notes.append(
            f"database.backupRetentionDays is {database.backup_retention_days} with protect on: "
            "14 to 35 days is the guidance for protected data"
        )
    if database.monitoring_interval == 0:
        notes.append("database.monitoringInterval is 0: no enhanced monitoring (control RDS.6)")
    if not database.performance_insights:
        notes.append("database.performanceInsights is false (CKV_AWS_353)")
    if not database.iam_authentication:
        notes.append(
            "database.iamAuthentication is false: IAM database authentication off "
            f"({cfg.policy.note('RDS.10')})"
        )
    if database.max_allocated_storage < database.allocated_storage * STORAGE_AUTOSCALING_ADVISED:
        notes.append(
            f"database.maxAllocatedStorage {database.max_allocated_storage} GB is less than 26% "
            f"above allocatedStorage {database.allocated_storage} GB: RDS sends 'maximum storage "
            "threshold' events as it nears the ceiling"
        )
    if database.extended_support:
        notes.append(
            "database.extendedSupport is true: a major past standard support is billed RDS "
            "Extended Support per vCPU-hour"
        )
    if database.restore_from_snapshot is not None:
        notes += _restore_warnings(cfg, database, database.restore_from_snapshot)
    return notes


def _restore_warnings(cfg: StackConfig, database: DatabaseConfig, snapshot: str) -> list[str]:
    instance = database.instance_identifier(cfg.prefix)
    notes = [
        f"database.restoreFromSnapshot is '{snapshot}': the database instance is {instance}, "
        "restored from it. If this value is new or changed, `pulumi up` REPLACES the database: "
        "it restores the new instance first, redeploys every service with its new endpoint "
        "(DB_HOST), then deletes the old instance with a final snapshot (a protected one is "
        "only dropped from the stack and keeps running). Afterwards run `golive run-task "
        f"{cfg.stack} db-init`: the snapshot may hold an older password for the application "
        "role. Keep the value afterwards: removing it replaces the database with an empty one "
        "(docs/runbook.md, 'Restoring from a snapshot')"
    ]
    if cfg.protect:
        notes.append(
            "database.restoreFromSnapshot with protect on: Pulumi refuses to replace a protected "
            "database, so a new or changed snapshot fails `pulumi preview`; restore with "
            "protect: false in the same reviewed change, then turn it back on (runbook)"
        )
    elif database.deletion_protection:
        notes.append(
            "database.restoreFromSnapshot with deletionProtection on: after a restore AWS "
            "refuses to delete the old instance, so `pulumi up` ends with that error until you "
            "turn its deletion protection off by hand and run it again (runbook)"
        )
    return notes


def secret_env_names(cfg: StackConfig) -> dict[str, str]:
    """Every environment variable fed from a secret -> the secret's name (the cache's token
    maps to `cache`)."""
    names = {env: name for name, s in cfg.secrets.items() for env in s.env_names(name)}
    if cfg.cache is not None:
        names[cfg.cache.auth_token.env_name] = "cache"
    return names


def backup_before_release(cfg: StackConfig) -> bool:
    """Whether `golive release` snapshots the database first (always when data is protected)."""
    return cfg.database is not None and (cfg.protect or cfg.database.backup_before_release)
