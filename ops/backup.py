"""`golive backup`: a manual RDS snapshot, waited for, tagged, and pruned beyond a kept count.

Snapshots this tool takes carry the tags `golive:stack` and `golive:kind` (`backup` for this
command, `pre-release` before a release). Pruning only ever considers `golive:kind=backup`
snapshots of the stack's own instance: pre-release snapshots and automated ones are left
alone. The tool never shares a snapshot (`ModifyDBSnapshotAttribute` is not called anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import ClientError

from ops import ui
from ops.aws import Aws
from ops.errors import OpsError, error_code, explain_client_error
from ops.outputs import StackOutputs
from stacks.exports import DatabaseExport

SNAPSHOT_WAIT_DELAY = 30
SNAPSHOT_WAIT_ATTEMPTS = 60  # 30 minutes, the DBSnapshotAvailable waiter's own default


@dataclass(frozen=True)
class Snapshot:
    identifier: str
    encrypted: bool
    reused: bool = False


def require_database(outputs: StackOutputs) -> DatabaseExport:
    if outputs.database is None:
        raise OpsError(
            f"stack {outputs.stack} has no database",
            "nothing to back up: add `database:` to the stack file if the app needs one",
        )
    return outputs.database


def _existing_snapshot(aws: Aws, identifier: str, instance: str) -> dict[str, object]:
    response = aws.client("rds").describe_db_snapshots(DBSnapshotIdentifier=identifier)
    snapshot = response["DBSnapshots"][0]
    if snapshot.get("DBInstanceIdentifier") != instance:
        raise OpsError(
            f"snapshot {identifier} already exists but belongs to "
            f"{snapshot.get('DBInstanceIdentifier')}, not {instance}",
            "pass another --label",
        )
    return snapshot


def take_snapshot(aws: Aws, outputs: StackOutputs, identifier: str, kind: str) -> Snapshot:
    """Create (or, on a re-run, reuse) a manual snapshot and wait until it is available."""
    database = require_database(outputs)
    rds = aws.client("rds")
    tags = [
        {"Key": "golive:stack", "Value": outputs.stack},
        {"Key": "golive:app", "Value": outputs.app},
        {"Key": "golive:kind", "Value": kind},
    ]
    ui.step(f"snapshot {identifier} of {database.identifier}")
    reused = False
    try:
        rds.create_db_snapshot(
            DBSnapshotIdentifier=identifier, DBInstanceIdentifier=database.identifier, Tags=tags
        )
    except ClientError as exc:
        if error_code(exc) not in {"DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault"}:
            raise explain_client_error(exc, f"creating snapshot {identifier}") from None
        # A re-run of the same release: the snapshot from the first attempt is the backup.
        _existing_snapshot(aws, identifier, database.identifier)
        reused = True
        ui.info(f"snapshot {identifier} already exists (re-run): reusing it")
    aws.wait(
        "rds",
        "db_snapshot_available",
        what=f"snapshot {identifier} did not become available",
        next_step="check the snapshot in the RDS console; nothing was deployed, re-run when "
        "it is available or delete it and re-run",
        delay=SNAPSHOT_WAIT_DELAY,
        max_attempts=SNAPSHOT_WAIT_ATTEMPTS,
        DBSnapshotIdentifier=identifier,
    )
    described = _existing_snapshot(aws, identifier, database.identifier)
    encrypted = bool(described.get("Encrypted"))
    if not encrypted:
        ui.warn(f"snapshot {identifier} is not encrypted: the database has no storage encryption")
    ui.done(f"snapshot {identifier} available")
    return Snapshot(identifier=identifier, encrypted=encrypted, reused=reused)


def prune_backups(aws: Aws, outputs: StackOutputs, keep: int) -> list[str]:
    """Delete this tool's `backup` snapshots of the stack's instance beyond the newest `keep`."""
    database = require_database(outputs)
    rds = aws.client("rds")
    ours: list[tuple[datetime, str]] = []
    paginator = rds.get_paginator("describe_db_snapshots")
    for page in paginator.paginate(DBInstanceIdentifier=database.identifier, SnapshotType="manual"):
        for snapshot in page["DBSnapshots"]:
            tags = {tag["Key"]: tag["Value"] for tag in snapshot.get("TagList", [])}
            if tags.get("golive:kind") == "backup" and tags.get("golive:stack") == outputs.stack:
                ours.append((snapshot["SnapshotCreateTime"], snapshot["DBSnapshotIdentifier"]))
    ours.sort(reverse=True)
    pruned = [identifier for _, identifier in ours[keep:]]
    for identifier in pruned:
        rds.delete_db_snapshot(DBSnapshotIdentifier=identifier)
        ui.info(f"pruned {identifier}")
    return pruned
