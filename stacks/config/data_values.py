"""Checks of single values of the data tier (Postgres versions and names, instance classes,
snapshots, roles, monitoring and retention settings), each with the rule it holds: used as field
validators by the models in `stacks/config/data.py`.
"""

from __future__ import annotations

import re
from typing import Any

from aws_facts.ecs import RESERVED_ENV_PREFIXES
from aws_facts.elasticache import (
    CACHE_NODE_FAMILIES,
    CACHE_NODE_TYPES,
)
from aws_facts.limits import SECRET_RECOVERY_WINDOW_DAYS
from aws_facts.rds import (
    AUTOMATED_SNAPSHOT_PREFIX,
    DB_SNAPSHOT_ID_MAX,
    PERFORMANCE_INSIGHTS_RETENTION_DAYS,
    PG_RESERVED_DATABASES,
    PG_RESERVED_ROLES,
    POSTGRES_MAJORS,
    RDS_INSTANCE_CLASSES,
    RDS_INSTANCE_FAMILIES,
    RDS_MONITORING_INTERVALS,
)
from stacks.config.base import did_you_mean

_DB_SNAPSHOT_ARN = re.compile(
    r"^arn:aws:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):snapshot:(?P<name>.*)$"
)
READER_KEY = re.compile(r"^reader(?P<number>\d*)[A-Z]")
_PG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_SECRET_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
SECRET_JSON_KEY = re.compile(r"^[A-Za-z0-9_.@+=/-]{1,256}$")
CONFIG_KEY = re.compile(r"^(?P<namespace>[A-Za-z][A-Za-z0-9_.-]*):[A-Za-z0-9_.-]+$")
RDS_25 = "RDS.25"
"""The control an instance with read replicas cannot meet (RDS-managed master password)."""
SECRET_CONFIG_NAMESPACE = "secrets"
"""Namespace of `config` secrets by default: `pulumi config set --secret secrets:NAME`."""


def as_text(value: Any) -> Any:
    """YAML turns `17` or `8.1` into numbers; versions are strings."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def check_postgres_major(version: str) -> str:
    major, dot, _ = version.partition(".")
    if dot and major in POSTGRES_MAJORS:
        raise ValueError(
            f"'{version}' pins a minor version; give the major only ('{major}'): RDS applies "
            "minor versions in the maintenance window (RDS.13), and a pinned one would fight it"
        )
    if version not in POSTGRES_MAJORS:
        raise ValueError(
            f"'{version}' is not a PostgreSQL major RDS supports in standard support; use one "
            f"of {', '.join(POSTGRES_MAJORS)}"
        )
    return version


def check_rds_instance_class(name: str) -> str:
    if name not in RDS_INSTANCE_CLASSES:
        families = ", ".join(sorted(RDS_INSTANCE_FAMILIES))
        raise ValueError(
            f"'{name}' is not an RDS instance class for PostgreSQL"
            f"{did_you_mean(name, RDS_INSTANCE_CLASSES)}; families: {families} "
            "(e.g. db.t4g.micro, db.m7g.large)"
        )
    return name


def check_cache_node_type(name: str) -> str:
    if name not in CACHE_NODE_TYPES:
        families = ", ".join(sorted(CACHE_NODE_FAMILIES))
        raise ValueError(
            f"'{name}' is not an ElastiCache node type{did_you_mean(name, CACHE_NODE_TYPES)}; "
            f"families: {families} (e.g. cache.t4g.micro)"
        )
    return name


def check_database_name(name: str) -> str:
    if not _PG_NAME.match(name):
        raise ValueError(
            f"'{name}' is not a database name: 1-63 lowercase letters, digits or underscores, "
            "starting with a letter"
        )
    if name in PG_RESERVED_DATABASES:
        raise ValueError(f"'{name}' is reserved by PostgreSQL or RDS; pick the app's own name")
    return name


def _snapshot_name_problem(name: str) -> str | None:
    """Why `name` (without an `rds:` prefix) is not a DB snapshot identifier, or None."""
    if not name:
        return "the snapshot identifier is empty"
    if ":" in name:
        return (
            f"'{name}' has a ':'; only automated snapshots have a prefix, "
            f"'{AUTOMATED_SNAPSHOT_PREFIX}' (copy an AWS Backup recovery point to a manual "
            "snapshot first)"
        )
    if not name[0].isascii() or not name[0].isalpha():
        return f"'{name}' must start with a letter"
    if any(not (c.isascii() and (c.isalnum() or c == "-")) for c in name):
        return f"'{name}' may hold only letters, digits and hyphens"
    if "--" in name or name.endswith("-"):
        return f"'{name}' may not hold two hyphens in a row or end with a hyphen"
    return None


def db_snapshot_problem(reference: str) -> str | None:
    """Why `reference` is neither a DB snapshot identifier nor a DB snapshot ARN, or None."""
    allowed = (
        "use a DB snapshot identifier (1-255 letters, digits and single hyphens, starting with "
        f"a letter; '{AUTOMATED_SNAPSHOT_PREFIX}' + identifier for an automated snapshot) or "
        "its ARN arn:aws:rds:REGION:ACCOUNT:snapshot:IDENTIFIER"
    )
    name = reference
    if reference.startswith("arn:"):
        match = _DB_SNAPSHOT_ARN.match(reference)
        if match is None:
            return f"'{reference}' is not a DB snapshot ARN: {allowed}"
        name = match["name"]
    if len(name) > DB_SNAPSHOT_ID_MAX:
        return f"the snapshot identifier has {len(name)} characters (at most {DB_SNAPSHOT_ID_MAX})"
    reason = _snapshot_name_problem(name.removeprefix(AUTOMATED_SNAPSHOT_PREFIX))
    return f"{reason}: {allowed}" if reason else None


def check_db_snapshot(reference: str) -> str:
    problem = db_snapshot_problem(reference)
    if problem:
        raise ValueError(problem)
    return reference


def db_snapshot_region(reference: str) -> str | None:
    """The region of a DB snapshot ARN (None for an identifier: the stack's own region)."""
    match = _DB_SNAPSHOT_ARN.match(reference)
    return match["region"] if match else None


def role_name_problem(name: str) -> str | None:
    """Why `name` cannot be a PostgreSQL role on RDS, or None."""
    if not _PG_NAME.match(name):
        return (
            f"'{name}' is not a role name: 1-63 lowercase letters, digits or underscores, "
            "starting with a letter"
        )
    if name in PG_RESERVED_ROLES or name.startswith(("pg_", "rds")):
        return (
            f"'{name}' is reserved (an engine default, or a pg_/rds prefix): use the app's own, "
            "e.g. auction_admin (control RDS.25)"
        )
    return None


def check_role_name(name: str) -> str:
    problem = role_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def check_monitoring_interval(seconds: int) -> int:
    if seconds not in RDS_MONITORING_INTERVALS:
        raise ValueError(
            f"{seconds} is not an enhanced monitoring interval; use one of "
            f"{list(RDS_MONITORING_INTERVALS)} (0 turns it off)"
        )
    return seconds


def check_performance_insights_retention(days: int) -> int:
    if days not in PERFORMANCE_INSIGHTS_RETENTION_DAYS:
        raise ValueError(
            f"{days} days is not a Performance Insights retention; use 7 (free), a multiple of "
            "31 up to 713, or 731"
        )
    return days


def check_recovery_window(days: int) -> int:
    shortest, longest = SECRET_RECOVERY_WINDOW_DAYS
    if days != 0 and not shortest <= days <= longest:
        raise ValueError(
            f"{days} days is not a Secrets Manager recovery window; use {shortest} to {longest}, "
            "or 0 to delete at once"
        )
    return days


def env_name_problem(name: str) -> str | None:
    """Why `name` cannot be a container environment variable fed from a secret, or None."""
    if not _SECRET_ENV_NAME.match(name):
        return (
            f"'{name}' is not an environment variable name: up to 255 letters, digits and "
            "underscores, not starting with a digit (e.g. JWT_SECRET)"
        )
    if name.upper().startswith(RESERVED_ENV_PREFIXES):
        return f"'{name}': names starting with AWS_ or ECS_ are set by AWS in every task"
    return None
