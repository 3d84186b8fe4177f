"""The checks a release passes before it changes anything (step 1 of `ops.release`).

Each raises an `OpsError` saying what blocks the release and what to do; the release turns it
into exit code 3 (nothing changed). They read the stack and never write to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ops import services, site, ui
from ops.aws import Aws
from ops.errors import ExitCode, OpsError
from ops.git import ask_git
from ops.maintenance import held_for_window
from ops.outputs import StackOutputs
from ops.pulumi_step import PendingChange, PulumiError, PulumiStep
from ops.releases import ReleaseLog
from ops.verify import firing_alarms


def about_unreleased(alarm: dict[str, Any], outputs: StackOutputs, unreleased: set[str]) -> bool:
    """An alarm on a service with no release yet (it runs no task: `no-healthy-hosts`)."""
    values: set[str] = set()
    metrics = [
        alarm,
        *(m.get("MetricStat", {}).get("Metric", {}) for m in alarm.get("Metrics", [])),
    ]
    for metric in metrics:
        values |= {str(d.get("Value")) for d in metric.get("Dimensions", [])}
    for name in unreleased:
        service = outputs.services[name]
        target_group = service.target_group_arn or ""
        suffix = target_group[target_group.find("targetgroup/") :] if target_group else None
        if service.service_name in values or (suffix and suffix in values):
            return True
    return False


def show_changes(stack: str, changes: list[PendingChange], title: str = "") -> None:
    rows = [[change.op, change.type, change.name, ", ".join(change.keys)] for change in changes]
    ui.table(
        title or f"pending infrastructure changes in {stack}", ["op", "type", "name", "keys"], rows
    )


def check_infra(
    aws: Aws, pulumi: PulumiStep, stack: str, with_infra: bool, *, doing: str = "release"
) -> None:
    """No pending infrastructure change (`pulumi preview`), unless `with_infra` takes them. A
    change AWS already holds for the maintenance window is shown, not held against it."""
    ui.step(f"pulumi preview -s {stack}")
    try:
        changes = pulumi.preview(stack)
    except PulumiError as exc:
        raise OpsError(
            f"pulumi preview failed: {exc}",
            "fix the program or the login and re-run",
            exit_code=ExitCode.NOTHING_CHANGED,
        ) from None
    held = held_for_window(aws, changes)
    if held:
        show_changes(stack, held, "applied to AWS, waiting for the maintenance window")
        changes = [change for change in changes if change not in held]
    if changes and not with_infra:
        show_changes(stack, changes)
        if doing == "rollback":
            raise OpsError(
                f"{len(changes)} pending infrastructure change(s) in {stack}: this checkout's "
                "program is not what runs, and a rollback must not apply unreviewed "
                "infrastructure",
                "roll back from the commit that runs now (its `pulumi preview` shows no "
                f"change), or review and apply the changes first (`golive up {stack}`)",
                exit_code=ExitCode.NOTHING_CHANGED,
            )
        raise OpsError(
            f"{len(changes)} pending infrastructure change(s) in {stack}: a release must "
            "not carry unrelated infrastructure changes",
            f"review and apply them first (`golive up {stack}`), or pass --with-infra "
            "to release them together",
            exit_code=ExitCode.NOTHING_CHANGED,
        )
    if changes:
        show_changes(stack, changes)
        ui.warn("releasing these infrastructure changes too (--with-infra)")
    else:
        ui.done("no pending infrastructure change")


def tolerable_alarms(
    aws: Aws, outputs: StackOutputs, record: dict[str, str | None], allowed: tuple[str, ...]
) -> set[str]:
    """The alarms in ALARM now that the release may tolerate; refuses on any other."""
    topic = outputs.alarm_topic_arn
    if not topic:
        return set()
    unreleased = {name for name in outputs.services if record.get(name) is None}
    firing = firing_alarms(aws, topic)
    expected = {str(a["AlarmName"]) for a in firing if about_unreleased(a, outputs, unreleased)}
    blocking = sorted(
        str(a["AlarmName"]) for a in firing if str(a["AlarmName"]) not in expected | set(allowed)
    )
    if blocking:
        raise OpsError(
            f"alarm(s) in ALARM before the release: {', '.join(blocking)}; the release could "
            "not be told apart from what set them off",
            f"find the cause (`golive status {outputs.stack}`) and wait for them to clear; to "
            "release anyway (a fix for what they report), pass "
            + " ".join(f"--allow-alarm {name}" for name in blocking),
            exit_code=ExitCode.NOTHING_CHANGED,
        )
    tolerated = {str(a["AlarmName"]) for a in firing}
    if tolerated:
        ui.warn("in ALARM before the release, not held against it: " + ", ".join(sorted(tolerated)))
    return tolerated


def require_steady(stack: str, states: dict[str, services.ServiceState]) -> None:
    unsteady = [state for state in states.values() if not services.is_steady(state)]
    if unsteady:
        detail = "; ".join(
            f"{s.name}: {s.running}/{s.desired} running, rollout {s.rollout_state}, "
            f"{len(s.deployments)} deployments"
            for s in unsteady
        )
        raise OpsError(
            f"services not stable before the release: {detail}",
            f"wait for the current deployment to finish (`golive status {stack}`), then re-run",
        )


def check_site(aws: Aws, outputs: StackOutputs, directory: Path) -> None:
    """`--site DIR` fits: the stack has a static site, its bucket is versioned, DIR is a build."""
    if outputs.static_site is None:
        raise OpsError(
            f"--site given but stack {outputs.stack} has no static site (no `staticSite` in "
            "its outputs)",
            "enable `frontend` in the stack file and `pulumi up`, or drop --site",
            exit_code=ExitCode.USAGE,
        )
    site.site_files(directory)
    site.require_versioning(aws, outputs.static_site)


def site_matches(aws: Aws, outputs: StackOutputs, directory: Path) -> bool:
    """The bucket serves exactly the build in `directory` (said when it does not)."""
    if outputs.static_site is None:
        return False
    if site.matches(aws, outputs.static_site, directory):
        return True
    ui.info("the site differs from the one served: releasing it")
    return False


def _is_ancestor(older: str, newer: str, project_dir: Path | None) -> bool:
    """`git merge-base --is-ancestor`: exit 0 yes, 1 no, anything else: git cannot tell."""
    result = ask_git(
        ["merge-base", "--is-ancestor", older, newer],
        project_dir,
        asking=f"whether {older} is older than {newer}",
    )
    if result.returncode not in (0, 1):
        raise OpsError(
            f"git does not know commit {older} or {newer}: {result.stderr.strip()}",
            "fetch the whole history (in CI: actions/checkout with `fetch-depth: 0`)",
        )
    return result.returncode == 0


def check_commit_order(log: ReleaseLog, commit: str | None, project_dir: Path | None) -> None:
    """A release never puts an older commit in place of a newer one: when two merges' builds
    finish out of order, the later-finishing older one is refused. Going back is a rollback."""
    if commit is None:
        return
    released = next(
        (e for e in reversed(log.releases) if e.status == "succeeded" and e.commit), None
    )
    if released is None or released.commit is None or released.commit == commit:
        return
    if _is_ancestor(commit, released.commit, project_dir):
        raise OpsError(
            f"commit {commit[:12]} is older than {released.commit[:12]}, which {log.stack} "
            f"already runs ({released.id}): a later merge was released first",
            "nothing to do for this run; to go back on purpose, `golive rollback "
            f"{log.stack} --to {commit[:12]}`",
            exit_code=ExitCode.NOTHING_CHANGED,
        )
