"""`golive status`: released images, task definitions, deployments, alarms, the stack's lease
(who is releasing it now) and recent releases with the ids `golive rollback --to` takes."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ops import services, ui
from ops.aws import Aws
from ops.errors import OpsError, explain_client_error
from ops.lease import StackLease
from ops.outputs import StackOutputs
from ops.releases import ImageRecord, ReleaseLog, ReleaseStore
from ops.verify import firing_alarms

RECENT_RELEASES = 8


def _firing_alarms(aws: Aws, outputs: StackOutputs) -> list[str]:
    if not outputs.alarm_topic_arn:
        return []
    return [
        f"{alarm['AlarmName']}: {alarm.get('StateReason', '')}"
        for alarm in firing_alarms(aws, outputs.alarm_topic_arn)
    ]


def read_log(store: ReleaseStore) -> ReleaseLog | None:
    """The release log, or None with a warning saying why it cannot be read."""
    try:
        return store.load()
    except OpsError as exc:
        ui.warn(f"release log unavailable: {exc.what}")
    except ClientError as exc:
        ui.warn(f"release log unavailable: {explain_client_error(exc).what}")
    return None


def _show_lease(aws: Aws, lease: StackLease) -> None:
    try:
        record, _ = lease.read()
    except OpsError as exc:
        ui.warn(f"lease unavailable: {exc.what}")
        return
    if record is not None and record.live(aws.runtime.now()):
        ui.info(f"locked: a release or rollback is running: {record.describe()}")
    elif record is not None and record.released_at is None:
        ui.info(f"not locked (the lease of {record.holder} expired: that run stopped unfinished)")
    else:
        ui.info("not locked: no release or rollback is running")


def show_status(aws: Aws, outputs: StackOutputs, store: ReleaseStore, lease: StackLease) -> None:
    names = list(outputs.services)
    released = ImageRecord(aws, outputs).current(names)
    states = services.describe(aws, outputs, names)
    rows = []
    for name in names:
        state = states[name]
        deployments = ", ".join(
            f"{d.get('status')}:{str(d.get('taskDefinition', '')).rsplit('/', 1)[-1]}:"
            f"{d.get('rolloutState', '?')}"
            for d in state.deployments
        )
        rows.append(
            [
                name,
                released[name] or "(never released: 0 tasks)",
                state.image or "-",
                state.task_definition.rsplit("/", 1)[-1],
                f"{state.running}/{state.desired}",
                deployments or "-",
            ]
        )
    ui.table(
        f"{outputs.app} / {outputs.stack} ({outputs.region})",
        ["service", "released image", "running image", "task definition", "running", "deployments"],
        rows,
    )
    firing = _firing_alarms(aws, outputs)
    if firing:
        ui.table("alarms in ALARM", ["alarm"], [[line] for line in firing])
    else:
        ui.info("no alarm in ALARM")
    _show_lease(aws, lease)
    log = read_log(store)
    if log is None:
        return
    recent = log.releases[-RECENT_RELEASES:]
    ui.table(
        "recent releases",
        ["id", "kind", "status", "images", "snapshot", "started"],
        [
            [
                entry.id,
                entry.kind,
                entry.status,
                ", ".join(f"{k}={v}" for k, v in entry.images.items()),
                entry.snapshot or "-",
                entry.started_at.strftime("%Y-%m-%d %H:%M UTC"),
            ]
            for entry in reversed(recent)
        ],
    )
