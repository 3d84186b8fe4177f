"""Infrastructure changes AWS already holds, to apply at the resource's maintenance window.

A stack that protects its data applies RDS and ElastiCache changes at the maintenance window
(`apply_immediately` false). AWS accepts such a change at once and keeps it as a pending
modification, but the provider reads back the values in force, so every `pulumi preview` until
the window shows the same update again (pulumi-aws `rds.Instance`, `apply_immediately`).
`golive release` must not refuse to run for days over it: `held_for_window` asks AWS, and an
update whose every changed key AWS already holds with the value the program wants is waiting
for the window, not an unapplied change. Anything else, or anything AWS cannot be asked about,
stays a pending change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ops import ui
from ops.aws import Aws
from ops.errors import explain_botocore_error, explain_client_error
from ops.pulumi_step import PendingChange

Pending = Mapping[str, Any]
"""One `PendingModifiedValues` as AWS reports it."""


@dataclass(frozen=True)
class _Holder:
    """A resource type whose changes AWS holds until the maintenance window."""

    keys: Mapping[str, str]
    """Pulumi input -> the key AWS reports it under while it waits."""
    read: Callable[[Aws, PendingChange], list[Pending]]
    """The pending modifications of each part of the resource (all must hold the change)."""


def _rds_instance(aws: Aws, change: PendingChange) -> list[Pending]:
    identifier = str(change.current.get("identifier") or "")
    if not identifier:
        return []
    found = aws.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)
    return [instance.get("PendingModifiedValues") or {} for instance in found["DBInstances"]]


def _cache_members(aws: Aws, change: PendingChange) -> list[Pending]:
    # ElastiCache holds a replication group's node type and engine changes on its member
    # clusters (botocore elasticache `CacheCluster.PendingModifiedValues`).
    group_id = str(change.current.get("replicationGroupId") or "")
    if not group_id:
        return []
    elasticache = aws.client("elasticache")
    groups = elasticache.describe_replication_groups(ReplicationGroupId=group_id)
    members = [m for group in groups["ReplicationGroups"] for m in group.get("MemberClusters", [])]
    return [
        cluster.get("PendingModifiedValues") or {}
        for member in members
        for cluster in elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"]
    ]


HOLDERS: dict[str, _Holder] = {
    # botocore rds `PendingModifiedValues`: what ModifyDBInstance leaves for the window.
    "aws:rds/instance:Instance": _Holder(
        keys={
            "instanceClass": "DBInstanceClass",
            "allocatedStorage": "AllocatedStorage",
            "storageType": "StorageType",
            "iops": "Iops",
            "storageThroughput": "StorageThroughput",
            "multiAz": "MultiAZ",
            "engineVersion": "EngineVersion",
            "port": "Port",
            "backupRetentionPeriod": "BackupRetentionPeriod",
            "caCertIdentifier": "CACertificateIdentifier",
            "dbSubnetGroupName": "DBSubnetGroupName",
            "iamDatabaseAuthenticationEnabled": "IAMDatabaseAuthenticationEnabled",
        },
        read=_rds_instance,
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": _Holder(
        keys={"nodeType": "CacheNodeType", "engineVersion": "EngineVersion"},
        read=_cache_members,
    ),
}


def _same(wanted: Any, pending: Any) -> bool:
    """The value AWS holds is the one the program asks for (a major-only engine version
    matches the minor AWS picked for it)."""
    if wanted is None or pending is None:
        return False
    if isinstance(wanted, bool) or isinstance(pending, bool):
        return wanted == pending
    if isinstance(pending, int | float):
        try:
            return float(wanted) == float(pending)
        except (TypeError, ValueError):
            return False
    return str(wanted) == str(pending) or str(pending).startswith(f"{wanted}.")


def _held(aws: Aws, change: PendingChange) -> bool:
    holder = HOLDERS.get(change.type)
    if holder is None or change.op != "update" or not change.keys:
        return False
    if not set(change.keys) <= holder.keys.keys():
        return False
    parts = holder.read(aws, change)
    return bool(parts) and all(
        _same(change.wanted.get(key), part.get(holder.keys[key]))
        for part in parts
        for key in change.keys
    )


def held_for_window(aws: Aws, changes: Sequence[PendingChange]) -> list[PendingChange]:
    """The changes AWS already holds for the maintenance window; the others are pending."""
    held: list[PendingChange] = []
    for change in changes:
        try:
            if _held(aws, change):
                held.append(change)
        except ClientError as exc:
            ui.warn(f"could not ask AWS about {change.name}: {explain_client_error(exc).what}")
        except BotoCoreError as exc:
            ui.warn(f"could not ask AWS about {change.name}: {explain_botocore_error(exc).what}")
    return held
