"""`golive status`: released images, task definitions, deployments, alarms, recent releases."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ops import services, ui
from ops.aws import Aws
from ops.errors import OpsError, explain_client_error
from ops.outputs import StackOutputs
from ops.releases import ImageRecord, ReleaseStore
from ops.verify import firing_alarms

RECENT_RELEASES = 8


def _firing_alarms(aws: Aws, outputs: StackOutputs) -> list[str]:
    if not outputs.alarm_topic_arn:
        return []
    return [
        f"{alarm['AlarmName']}: {alarm.get('StateReason', '')}"
        for alarm in firing_alarms(aws, outputs.alarm_topic_arn)
    ]


def show_status(aws: Aws, outputs: StackOutputs, store: ReleaseStore) -> None:
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
    try:
        log = store.load()
    except OpsError as exc:
        ui.warn(f"release log unavailable: {exc.what}")
        return
    except ClientError as exc:
        ui.warn(f"release log unavailable: {explain_client_error(exc).what}")
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
