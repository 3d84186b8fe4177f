"""`golive restore-drill`: prove the latest snapshot restores and answers a query.

Restores the newest available snapshot of the stack's database (manual or automated) into a
temporary instance `golive-drill-<stack>-<time>` on the same subnet group and security groups,
runs a check query through a one-off task (default: `db-init`, the official Postgres image with
the master credentials, pointed at the temporary instance through libpq's PGHOST/PGPORT), reports
how long the restore took, and deletes the temporary instance.

That deletion is the only one this command makes, and `_delete_own_instance` refuses anything
but the instance this same run created and tagged (`golive:drill=<run id>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from ops import tasks, ui
from ops.aws import Aws
from ops.backup import require_database
from ops.errors import OpsError, explain_client_error
from ops.outputs import StackOutputs

RESTORE_WAIT_DELAY = 30
RESTORE_WAIT_ATTEMPTS = 120  # an hour: restores take 10-30 minutes, more for large volumes
DELETE_WAIT_ATTEMPTS = 60
DRILL_PREFIX = "golive-drill-"


@dataclass(frozen=True)
class DrillResult:
    snapshot: str
    instance: str
    restore_seconds: float
    query_ok: bool
    detail: str


def latest_snapshot(aws: Aws, identifier: str) -> dict[str, object]:
    snapshots = []
    paginator = aws.client("rds").get_paginator("describe_db_snapshots")
    for page in paginator.paginate(DBInstanceIdentifier=identifier):
        snapshots += [s for s in page["DBSnapshots"] if s.get("Status") == "available"]
    if not snapshots:
        raise OpsError(
            f"no available snapshot of {identifier} to restore",
            "take one with `golive backup STACK` (automated backups also count), then re-run",
        )
    return max(snapshots, key=lambda s: s["SnapshotCreateTime"])


def drill_identifier(stack: str, started: datetime) -> str:
    raw = f"{DRILL_PREFIX}{stack}-{started:%Y%m%d%H%M%S}".lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw))[:63].rstrip("-")


def _delete_own_instance(aws: Aws, identifier: str, run_tag: str) -> None:
    """Delete the drill's temporary instance, and nothing else."""
    if not identifier.startswith(DRILL_PREFIX):
        raise OpsError(f"refusing to delete {identifier}", "this is a bug: report it")
    rds = aws.client("rds")
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    tags = {tag["Key"]: tag["Value"] for tag in instance.get("TagList", [])}
    if tags.get("golive:drill") != run_tag:
        raise OpsError(
            f"refusing to delete {identifier}: it is not tagged as this drill's instance",
            "delete it by hand if it is a leftover drill instance",
        )
    rds.delete_db_instance(
        DBInstanceIdentifier=identifier, SkipFinalSnapshot=True, DeleteAutomatedBackups=True
    )
    aws.wait(
        "rds",
        "db_instance_deleted",
        what=f"the drill instance {identifier} was not deleted in time",
        next_step=f"check it in the RDS console; it is deleting (identifier {identifier})",
        delay=RESTORE_WAIT_DELAY,
        max_attempts=DELETE_WAIT_ATTEMPTS,
        DBInstanceIdentifier=identifier,
    )
    ui.done(f"deleted the drill instance {identifier}")


def restore_drill(
    aws: Aws,
    outputs: StackOutputs,
    *,
    task: str = "db-init",
    query: str = "SELECT count(*) FROM pg_catalog.pg_tables",
    instance_class: str | None = None,
) -> DrillResult:
    database = require_database(outputs)
    outputs.task(task)
    rds = aws.client("rds")
    snapshot = latest_snapshot(aws, database.identifier)
    snapshot_id = str(snapshot["DBSnapshotIdentifier"])
    source = rds.describe_db_instances(DBInstanceIdentifier=database.identifier)["DBInstances"][0]
    started = datetime.now(UTC)
    identifier = drill_identifier(outputs.stack, started)
    run_tag = started.strftime("%Y%m%dT%H%M%S")
    params: dict[str, object] = {
        "DBInstanceIdentifier": identifier,
        "DBSnapshotIdentifier": snapshot_id,
        "DBInstanceClass": instance_class or source["DBInstanceClass"],
        "VpcSecurityGroupIds": [
            g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups", [])
        ],
        "PubliclyAccessible": False,
        "MultiAZ": False,
        "DeletionProtection": False,
        "Tags": [
            {"Key": "golive:drill", "Value": run_tag},
            {"Key": "golive:stack", "Value": outputs.stack},
        ],
    }
    if (source.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"):
        params["DBSubnetGroupName"] = source["DBSubnetGroup"]["DBSubnetGroupName"]
    ui.step(f"restore {snapshot_id} into {identifier}")
    clock = aws.runtime.clock
    start = clock()
    try:
        rds.restore_db_instance_from_db_snapshot(**params)
    except ClientError as exc:
        raise explain_client_error(exc, f"restoring {snapshot_id}") from None
    try:
        aws.wait(
            "rds",
            "db_instance_available",
            what=f"the drill instance {identifier} did not become available",
            next_step="see the instance's events in the RDS console",
            delay=RESTORE_WAIT_DELAY,
            max_attempts=RESTORE_WAIT_ATTEMPTS,
            DBInstanceIdentifier=identifier,
        )
        seconds = clock() - start
        ui.done(f"restored in {seconds:.0f} s")
        restored = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        endpoint = restored.get("Endpoint") or {}
        result = tasks.run_task(
            aws,
            outputs,
            task,
            command=["psql", "-v", "ON_ERROR_STOP=1", "-c", query],
            environment={
                "PGHOST": str(endpoint.get("Address", "")),
                "PGPORT": str(endpoint.get("Port", database.port)),
                "PGDATABASE": database.name,
            },
        )
        ok = result.succeeded
        detail = "check query succeeded" if ok else tasks.describe_failure(task, result)
    finally:
        try:
            _delete_own_instance(aws, identifier, run_tag)
        except (OpsError, ClientError, BotoCoreError) as exc:
            ui.warn(
                f"the drill instance {identifier} could not be deleted ({exc}); delete it with "
                f"`aws rds delete-db-instance --db-instance-identifier {identifier} "
                "--skip-final-snapshot`"
            )
    return DrillResult(snapshot_id, identifier, seconds, ok, detail)
