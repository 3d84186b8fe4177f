"""The data tier of `stacks.environment.build`: config -> database, secrets and cache components.

Kept apart from the composition function so each tier's translation from the stack file to
component arguments reads in one place. Nothing here reads config or looks anything up: the
caller passes the validated `StackConfig`, the looked-up account facts, and the components the
data tier builds on (the stack key and the network).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components import naming
from components.cache import Cache, CacheArgs
from components.database import Database, DatabaseArgs, PostgresLogging
from components.keys import StackKey
from components.network import Network
from components.secrets import (
    AppSecrets,
    AppSecretsArgs,
    CacheEndpoints,
    DatabaseEndpoints,
    SecretSource,
    SecretSpec,
)
from stacks.config import StackConfig, backup_before_release, read_config_secrets
from stacks.exports import DatabaseExport, exported


def build_database(
    cfg: StackConfig, *, account_id: str, partition: str, key: StackKey, network: Network
) -> Database | None:
    """The stack's PostgreSQL instance, or None when the stack file has no `database`."""
    db = cfg.database
    if db is None:
        return None
    logging = db.logging
    return Database(
        cfg.prefix,
        DatabaseArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.isolated_subnet_ids,
            kms_key_arn=key.arn,
            identifier=db.identifier(cfg.prefix),
            account_id=account_id,
            partition=partition,
            engine_major=db.engine_version,
            instance_class=db.instance_class,
            db_name=db.name,
            master_username=db.master_username,
            allocated_storage=db.allocated_storage,
            max_allocated_storage=db.max_allocated_storage,
            multi_az=db.multi_az,
            backup_retention_days=db.backup_retention_days,
            backup_window=db.backup_window,
            maintenance_window=db.maintenance_window,
            deletion_protection=db.deletion_protection,
            final_snapshot=db.final_snapshot,
            performance_insights=db.performance_insights,
            performance_insights_retention_days=db.performance_insights_retention_days,
            monitoring_interval=db.monitoring_interval,
            iam_authentication=db.iam_authentication,
            extended_support=db.extended_support,
            logging=PostgresLogging(
                min_duration_ms=logging.min_duration_ms,
                statement=logging.statement.value,
                connections=logging.connections,
                disconnections=logging.disconnections,
                lock_waits=logging.lock_waits,
                retention_days=logging.retention_days,
            ),
            # Protected data changes in the maintenance window, never mid-day by surprise.
            apply_immediately=not cfg.protect,
            protect=cfg.protect,
            restore_from_snapshot=db.restore_from_snapshot,
            read_replicas=db.read_replicas.count if db.read_replicas else 0,
            replica_instance_class=db.read_replicas.instance_class if db.read_replicas else None,
        ),
    )


def secret_specs(
    cfg: StackConfig, config_values: Mapping[str, pulumi.Input[str]]
) -> dict[str, SecretSpec]:
    """The stack file's `secrets` as component specs (`config` values read by the caller)."""
    specs: dict[str, SecretSpec] = {}
    for name, secret in cfg.secrets.items():
        specs[name] = SecretSpec(
            source=secret.source,
            env_keys=dict(secret.keys) if secret.keys is not None else None,
            description=secret.description,
            length=secret.length,
            special=secret.special,
            special_characters=secret.special_characters,
            config_value=config_values.get(name) if secret.source is SecretSource.CONFIG else None,
            username=secret.username,
            recovery_window_days=secret.recovery_window_days,
        )
    return specs


def build_secrets(
    cfg: StackConfig, *, key: StackKey, database: Database | None, cache: Cache | None
) -> AppSecrets:
    """The application's secrets (an empty component when the stack file lists none); the
    `database` and `cache` secrets' URLs are built from those components' endpoints."""
    return AppSecrets(
        cfg.prefix,
        AppSecretsArgs(
            kms_key_arn=key.arn,
            name_prefix=naming.secret_path(cfg.app, cfg.stack),
            secrets=secret_specs(cfg, read_config_secrets(cfg)),
            protect=cfg.protect,
            database=(
                DatabaseEndpoints(
                    address=database.address,
                    port=database.port,
                    database=database.db_name,
                    replica_addresses=database.replica_addresses,
                )
                if database is not None
                else None
            ),
            cache=(
                CacheEndpoints(
                    token=cache.token,
                    address=cache.endpoint,
                    reader_address=cache.reader_endpoint,
                    port=cache.port,
                )
                if cache is not None
                else None
            ),
        ),
    )


def build_cache(cfg: StackConfig, *, key: StackKey, network: Network) -> Cache | None:
    """The stack's cache, or None when the stack file has no `cache`."""
    cache = cfg.cache
    if cache is None:
        return None
    return Cache(
        cfg.prefix,
        CacheArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.isolated_subnet_ids,
            availability_zones=network.availability_zones,
            kms_key_arn=key.arn,
            replication_group_id=cache.replication_group_id(cfg.prefix),
            secret_name_prefix=naming.secret_path(cfg.app, cfg.stack),
            auth_token_env=cache.auth_token.env_name,
            auth_token_length=cache.auth_token.length,
            auth_token_recovery_window_days=cache.auth_token.recovery_window_days,
            engine=cache.engine,
            engine_version=cache.engine_version,
            node_type=cache.node_type,
            nodes=cache.nodes,
            multi_az=cache.multi_az,
            snapshot_retention_days=cache.snapshot_retention_days,
            snapshot_window=cache.snapshot_window,
            maintenance_window=cache.maintenance_window,
            apply_immediately=not cfg.protect,
            protect=cfg.protect,
        ),
    )


def external_secret_keys(cfg: StackConfig) -> dict[str, list[str]]:
    """External secret name -> the JSON keys its value must hold (keyed secrets only), so
    `golive secrets set` can check a value before storing it."""
    return {
        name: sorted(secret.keys.values())
        for name, secret in cfg.secrets.items()
        if secret.source is SecretSource.EXTERNAL and secret.keys is not None
    }


def data_exports(
    cfg: StackConfig, database: Database | None, secrets: AppSecrets | None
) -> dict[str, object]:
    """The data tier's part of `StackExports`, by field name (stacks/exports.py): ARNs and
    names, never values."""
    return {
        "database": (
            None
            if database is None
            else exported(
                DatabaseExport,
                identifier=database.identifier,
                endpoint=database.address,
                port=database.port,
                name=database.db_name,
                master_secret_arn=database.master_secret_arn,
            )
        ),
        "external_secrets": dict(secrets.external_secret_arns) if secrets else {},
        "external_secret_keys": external_secret_keys(cfg),
        "backup_before_release": backup_before_release(cfg),
    }
