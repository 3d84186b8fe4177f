"""How long a stack takes to deploy from nothing, and how long a release takes, before either runs.

**Cold deploy** (`cold_deploy`): the recorded plan's dependency graph, scheduled the way Pulumi
schedules it. `pulumi up` runs with unbounded parallelism by default, and the SDK sends a
resource's registration only once every resource it depends on is created: those its inputs
reference and those in `depends_on` (the SDK expands a component there to the custom resources
under it; the harness records the expanded list). A resource also waits for its parent: a
custom parent's create, or a component's registration, which itself waits for the component's
own dependencies and parent. So a resource starts when the last of these is done, and is done
`aws_facts.durations.create_minutes` later; the cold deploy ends with the last resource, and its
critical chain is the path of latest predecessors that leads there. Data-source lookups and the
engine's own work take seconds and are left out.

**Release** (`release`): the steps `golive release` runs (ops/release.py), in order, each timed
from the stack file (`release_settings`) and the CLI's own waits: preflight (`pulumi preview`),
the pre-release snapshot when the stack takes one, the tasks marked `runOnRelease`, the
deploy (`pulumi up` and every service's rolling deployment, with the configured health checks,
deregistration delay, stop timeout and ECS's alarm bake time), smoke tests, the verify window
and the bake time. `db-init` (first release only) and the static site (`--site`) are shown but
not counted.

`python -m plan.estimate` prints docs/deploy-time.md (the figures and their sources); a test
keeps the file in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_facts import durations
from aws_facts.durations import Minutes, create_minutes
from components.alarms import TARGET_GROUP_ALARMS
from components.load_balancer import HEALTH_CHECK_INTERVAL, HEALTHY_THRESHOLD
from ops.backup import SNAPSHOT_WAIT_DELAY
from ops.site import INVALIDATION_DELAY
from ops.tasks import TASK_POLL_DELAY
from ops.waiting import WATCH_WINDOW
from plan.harness import Plan, RecordedResource
from stacks.config import StackConfig, backup_before_release
from stacks.config.data import SecretSource

PULUMI_PREVIEW = Minutes(
    0.5,
    1.5,
    "estimate: the program run (2-3 s offline), the AWS plugin's start and a diff of each "
    "resource against the state, without refresh",
)
PULUMI_UP = Minutes(
    0.5,
    1.5,
    "estimate: the preview's work, the updates themselves (registering task definitions: "
    "seconds) and a state write per step; the rollouts are counted apart",
)
APP_EXIT = 0.05
"""Minutes a stopping task typically takes after SIGTERM (a web server closes at once); the
upper figure is the service's `stopTimeoutSeconds`."""
"""The one-off task `golive release` runs before every deploy when the stack defines it."""


# ----------------------------------------------------------------------------- cold deploy


@dataclass(frozen=True)
class Link:
    """One resource of the critical chain."""

    type: str
    name: str
    minutes: Minutes
    """Its create time."""
    done_at: float
    """The typical minute it is created at, counted from the start of `pulumi up`."""


@dataclass(frozen=True)
class ColdDeploy:
    typical: float
    upper: float
    """Every resource at its upper figure."""
    chain: tuple[Link, ...]
    """The resources the typical cold deploy waits on, first to last."""

    def to_json(self) -> dict[str, Any]:
        return {
            "typicalMinutes": round(self.typical, 2),
            "upperMinutes": round(self.upper, 2),
            "chain": [
                {
                    "type": link.type,
                    "name": link.name,
                    "minutes": link.minutes.typical,
                    "upperMinutes": link.minutes.upper,
                    "doneAtMinute": round(link.done_at, 2),
                }
                for link in self.chain
            ],
        }


def _create(resource: RecordedResource) -> Minutes:
    if not resource.custom:
        return durations.NOTHING
    return create_minutes(resource.type, resource.plain_inputs())


def _waits_for(resource: RecordedResource, known: Mapping[str, RecordedResource]) -> list[str]:
    """The resources whose completion this one's creation waits for: dependencies and parent."""
    found = [urn for urn in resource.dependencies if urn in known]
    parent = resource.parent
    if parent is not None and parent in known:
        found.append(parent)
    return found


def _done_times(plan: Plan, minutes: Mapping[str, float]) -> dict[str, float]:
    """When each resource is done (components: registered), in minutes from the start."""
    known = plan.by_urn()
    done: dict[str, float] = {}
    for resource in plan.resources:
        pending = [resource.urn]
        while pending:
            urn = pending[-1]
            if urn in done:
                pending.pop()
                continue
            waits = [u for u in _waits_for(known[urn], known) if u not in done]
            if waits:
                pending.extend(waits)
                continue
            start = max((done[u] for u in _waits_for(known[urn], known)), default=0.0)
            # Rounded so that equal paths summed in another order tie exactly.
            done[urn] = round(start + minutes[urn], 6)
            pending.pop()
    return done


def cold_deploy(plan: Plan) -> ColdDeploy:
    """The cold deploy of the plan: its typical and upper length and its critical chain."""
    if not plan.resources:
        return ColdDeploy(0.0, 0.0, ())
    creates = {r.urn: _create(r) for r in plan.resources}
    typical = _done_times(plan, {urn: m.typical for urn, m in creates.items()})
    upper = _done_times(plan, {urn: m.upper for urn, m in creates.items()})
    known = plan.by_urn()
    # The latest resource ends the chain; ties go to the smallest URN (stable between runs).
    urn: str | None = min(typical, key=lambda u: (-typical[u], u))
    chain: list[Link] = []
    while urn is not None:
        resource = known[urn]
        if resource.custom:
            chain.append(Link(resource.type, resource.name, creates[urn], typical[urn]))
        waits = _waits_for(resource, known)
        urn = min(waits, key=lambda u: (-typical[u], u)) if waits else None
    return ColdDeploy(max(typical.values()), max(upper.values()), tuple(reversed(chain)))


# ----------------------------------------------------------------------------- release


@dataclass(frozen=True, kw_only=True)
class Rollout:
    """How one service's rolling deployment goes (ECS: 100% healthy, 200% at most)."""

    service: str
    web: bool
    """Behind the load balancer: health checks, draining and the rollback alarms' bake."""
    grace_seconds: int
    """Health check grace period: the longest the app may take to boot."""
    deregistration_delay_seconds: int
    stop_timeout_seconds: int


@dataclass(frozen=True, kw_only=True)
class ReleaseSettings:
    """What one release of a stack runs, read from its stack file (`release_settings`)."""

    rollouts: tuple[Rollout, ...]
    snapshot: bool
    """A pre-release snapshot (`protect`, or `database.backupBeforeRelease`)."""
    migrate: bool
    """The stack has tasks marked `runOnRelease` (e.g. `migrate`): every release runs them first."""
    db_init: bool
    """The stack has `db-init`: its first release runs it."""
    static_site: bool
    """The stack serves a static site: a release with `--site` uploads and invalidates it."""
    smoke_urls: int = 0
    """`release.smoke.urls`: each asked once after the deploy."""
    smoke_task: bool = False
    """`release.smoke.task`: a one-off task run with the new image after the deploy."""
    bake_seconds: float = 0.0
    """`release.bakeMinutes` beyond verify's own watch window (the bake replaces that window)."""


def release_settings(cfg: StackConfig) -> ReleaseSettings:
    """The release terms of a stack file; a new release setting is read here and only here."""
    return ReleaseSettings(
        rollouts=tuple(
            Rollout(
                service=name,
                web=service.is_web,
                grace_seconds=service.health_check.grace_period_seconds,
                deregistration_delay_seconds=service.deregistration_delay_seconds,
                stop_timeout_seconds=service.stop_timeout_seconds,
            )
            for name, service in cfg.services.items()
        ),
        snapshot=backup_before_release(cfg),
        migrate=any(task.run_on_release for task in cfg.tasks.values()),
        db_init=cfg.database is not None
        and any(s.source is SecretSource.DATABASE for s in cfg.secrets.values()),
        static_site=cfg.frontend.enabled,
        smoke_urls=len(cfg.release.smoke.urls),
        smoke_task=cfg.release.smoke.task is not None,
        bake_seconds=max(0, (cfg.release.bake_minutes or 0) * 60 - WATCH_WINDOW),
    )


@dataclass(frozen=True)
class ReleaseStep:
    name: str
    minutes: Minutes
    detail: str
    counted: bool = True
    """False: not part of every release (first release only, or only with an option)."""


@dataclass(frozen=True)
class Release:
    steps: tuple[ReleaseStep, ...]

    @property
    def typical(self) -> float:
        return sum(s.minutes.typical for s in self.steps if s.counted)

    @property
    def upper(self) -> float:
        return sum(s.minutes.upper for s in self.steps if s.counted)

    def to_json(self) -> dict[str, Any]:
        return {
            "typicalMinutes": round(self.typical, 2),
            "upperMinutes": round(self.upper, 2),
            "steps": [
                {
                    "name": step.name,
                    "minutes": round(step.minutes.typical, 2),
                    "upperMinutes": round(step.minutes.upper, 2),
                    "detail": step.detail,
                    "everyRelease": step.counted,
                }
                for step in self.steps
            ],
        }


def _seconds(typical: float, upper: float | None = None) -> Minutes:
    return Minutes(typical / 60, (typical if upper is None else upper) / 60, "")


def _polled(minutes: Minutes, delay_seconds: float) -> Minutes:
    """A wait golive polls every `delay_seconds`: half a poll late on average, a whole at most."""
    return minutes + _seconds(delay_seconds / 2, delay_seconds)


def alarm_bake_seconds() -> int:
    """ECS's bake time for a web service: the longest window of its rollback alarms."""
    return max(s.period * s.evaluation_periods for s in TARGET_GROUP_ALARMS if s.rolls_back)


def rollout_parts(rollout: Rollout) -> list[tuple[str, Minutes]]:
    """New tasks start and turn healthy, old ones drain and stop, then ECS bakes."""
    parts = [("start", durations.FARGATE_TASK_START)]
    if rollout.web:
        healthy = HEALTHY_THRESHOLD * HEALTH_CHECK_INTERVAL
        parts += [
            ("healthy", _seconds(healthy, rollout.grace_seconds + healthy)),
            ("drain", _seconds(rollout.deregistration_delay_seconds)),
        ]
    parts.append(("stop", _seconds(APP_EXIT * 60, rollout.stop_timeout_seconds)))
    if rollout.web:
        parts.append(("ECS bake", _seconds(alarm_bake_seconds())))
    return parts


def _total(parts: Iterable[tuple[str, Minutes]]) -> Minutes:
    return sum((minutes for _, minutes in parts), Minutes(0.0, 0.0, ""))


def _slowest(rollouts: Iterable[Rollout]) -> Rollout | None:
    """Services roll out side by side: the one that takes longest (typical, then upper)."""

    def key(rollout: Rollout) -> tuple[float, float]:
        total = _total(rollout_parts(rollout))
        return (total.typical, total.upper)

    return max(rollouts, key=key, default=None)


def _one_off(name: str, detail: str, counted: bool = True) -> ReleaseStep:
    task = _polled(durations.FARGATE_TASK_START, TASK_POLL_DELAY)
    return ReleaseStep(name, task, detail, counted)


SMOKE_URL_SECONDS = 2.0
"""One smoke URL asked once: a request through CloudFront to a warm service (our estimate)."""


def _smoke(settings: ReleaseSettings) -> ReleaseStep:
    minutes = _seconds(settings.smoke_urls * SMOKE_URL_SECONDS)
    what = [f"{settings.smoke_urls} URL(s)"] if settings.smoke_urls else []
    if settings.smoke_task:
        minutes = minutes + _polled(durations.FARGATE_TASK_START, TASK_POLL_DELAY)
        what.append("the smoke task")
    return ReleaseStep("smoke tests", minutes, ", ".join(what) or "none configured")


def release(settings: ReleaseSettings) -> Release:
    """The steps of one release, as `golive release` runs them."""
    steps = [
        ReleaseStep(
            "preflight",
            PULUMI_PREVIEW,
            "`pulumi preview` (no pending change), external secrets, services stable, alarms",
        )
    ]
    if settings.snapshot:
        steps.append(
            ReleaseStep(
                "snapshot",
                _polled(durations.RDS_SNAPSHOT, SNAPSHOT_WAIT_DELAY),
                f"pre-release RDS snapshot, waited (polled every {SNAPSHOT_WAIT_DELAY} s)",
            )
        )
    if settings.db_init:
        steps.append(_one_off("db-init", "first release only: creates the app's role", False))
    if settings.migrate:
        steps.append(_one_off("migrate", "the `migrate` task with the new image, waited"))
    steps.append(
        ReleaseStep(
            "deploy", PULUMI_UP, "record the images, `pulumi up` (task definitions, services)"
        )
    )
    slowest = _slowest(settings.rollouts)
    if slowest is not None:
        parts = rollout_parts(slowest)
        steps.append(
            ReleaseStep(
                "rollout",
                _total(parts),
                f"services side by side, the slowest {slowest.service}: "
                + " + ".join(f"{name} {minutes.typical:.2f}" for name, minutes in parts),
            )
        )
    if settings.static_site:
        steps.append(
            ReleaseStep(
                "site",
                _polled(durations.CLOUDFRONT_INVALIDATION, INVALIDATION_DELAY),
                "with --site: upload and a CloudFront invalidation, waited",
                counted=False,
            )
        )
    steps += [
        _smoke(settings),
        ReleaseStep(
            "verify",
            durations.QUICK_CREATE + _seconds(WATCH_WINDOW),
            f"targets healthy, health URL 200, then no alarm for {WATCH_WINDOW} s",
        ),
        ReleaseStep(
            "bake",
            _seconds(settings.bake_seconds),
            "none configured" if not settings.bake_seconds else "watching before done",
        ),
    ]
    return Release(tuple(steps))


# ----------------------------------------------------------------------------- both


@dataclass(frozen=True)
class DeployEstimate:
    cold_deploy: ColdDeploy
    release: Release

    def to_json(self) -> dict[str, Any]:
        return {"coldDeploy": self.cold_deploy.to_json(), "release": self.release.to_json()}


def estimate(plan: Plan, cfg: StackConfig) -> DeployEstimate:
    return DeployEstimate(cold_deploy(plan), release(release_settings(cfg)))


# ----------------------------------------------------------------------------- docs

DOC_INTRO = """# How long a deploy and a release take

<!-- Generated by `python -m plan.estimate > docs/deploy-time.md` from aws_facts/durations.py
and plan/estimate.py: edit the figures there, not this file. -->

`golive plan STACK` prints two estimates (`--json` carries both): the **cold deploy** (the
first `pulumi up` of an empty stack) with its critical chain of resources, and a **release**
(`golive release`) step by step. Each figure below is *typical* (the middle of the range the
source gives) and *upper* (its top); an estimate adds the typical figures along the graph and
shows the upper one beside it.

**Cold deploy.** `pulumi up` runs with unbounded parallelism, and a resource is created once
every resource it depends on exists: those its inputs reference, those in `depends_on` (a
component there stands for every resource under it), and its parent (a component's children
wait for whatever the component waits for). The estimate schedules the recorded plan that way;
the critical chain is the path of latest predecessors to the last resource. Data-source lookups
and the engine's own work (seconds) are left out.

**Release.** The steps of `golive release`, in order, timed from the stack file: preflight,
the pre-release snapshot (`protect` or `database.backupBeforeRelease`), `migrate` (when the
stack defines that task), the deploy (`pulumi up`; every service rolls out side by side), smoke
tests, verify and the bake time. `db-init` (first release) and the static site (`--site`) are
shown but not counted.
"""


def _minutes(value: float) -> str:
    return f"{value:g}"


def _create_rows() -> list[str]:
    rows = ["| resource type | typical min | upper min | source |", "|---|---|---|---|"]
    for token, minutes in durations.CREATES.items():
        rows.append(f"| `{token}` | {_minutes(minutes.typical)} | {_minutes(minutes.upper)} | "
                    f"{minutes.source} |")  # fmt: skip
    for token, (key, value, minutes) in durations.VARIANTS.items():
        shown = str(value).lower() if isinstance(value, bool) else value
        rows.append(f"| `{token}` with `{key}: {shown}` | {_minutes(minutes.typical)} | "
                    f"{_minutes(minutes.upper)} | {minutes.source} |")  # fmt: skip
    quick = durations.QUICK_CREATE
    rows.append(f"| any other type | {_minutes(quick.typical)} | {_minutes(quick.upper)} | "
                f"{quick.source} |")  # fmt: skip
    return rows


def _release_rows() -> list[str]:
    healthy = HEALTHY_THRESHOLD * HEALTH_CHECK_INTERVAL
    rows = [
        "| release step part | typical | upper | source |",
        "|---|---|---|---|",
        f"| preflight: `pulumi preview` | {_minutes(PULUMI_PREVIEW.typical)} min | "
        f"{_minutes(PULUMI_PREVIEW.upper)} min | {PULUMI_PREVIEW.source} |",
        f"| snapshot (waited, polled every {SNAPSHOT_WAIT_DELAY} s) | "
        f"{_minutes(durations.RDS_SNAPSHOT.typical)} min + half a poll | "
        f"{_minutes(durations.RDS_SNAPSHOT.upper)} min + a poll | "
        f"{durations.RDS_SNAPSHOT.source} |",
        f"| one-off task (`migrate`, `db-init`; polled every {TASK_POLL_DELAY} s) | "
        f"{_minutes(durations.FARGATE_TASK_START.typical)} min + half a poll | "
        f"{_minutes(durations.FARGATE_TASK_START.upper)} min + a poll | "
        f"{durations.FARGATE_TASK_START.source}; the command's own run time comes on top |",
        f"| deploy: `pulumi up` | {_minutes(PULUMI_UP.typical)} min | "
        f"{_minutes(PULUMI_UP.upper)} min | {PULUMI_UP.source} |",
        f"| rollout: new tasks start | {_minutes(durations.FARGATE_TASK_START.typical)} min | "
        f"{_minutes(durations.FARGATE_TASK_START.upper)} min | "
        f"{durations.FARGATE_TASK_START.source} |",
        f"| rollout: new tasks healthy | {healthy} s | grace period + {healthy} s | "
        f"{HEALTHY_THRESHOLD} checks {HEALTH_CHECK_INTERVAL} s apart (components/load_balancer.py);"
        " the grace period bounds the app's boot |",
        "| rollout: old targets drain | `deregistrationDelaySeconds` | the same | the target "
        "group waits that long |",
        f"| rollout: old tasks stop | {APP_EXIT * 60:g} s | `stopTimeoutSeconds` | SIGTERM, "
        "then SIGKILL after the stop timeout |",
        f"| rollout: ECS bake time | {alarm_bake_seconds()} s | the same | "
        f"{durations.ECS_ALARM_BAKE}: golive's rollback alarms, 1-minute periods |",
        f"| site (`--site`): CloudFront invalidation (polled every {INVALIDATION_DELAY} s) | "
        f"{_minutes(durations.CLOUDFRONT_INVALIDATION.typical)} min + half a poll | "
        f"{_minutes(durations.CLOUDFRONT_INVALIDATION.upper)} min + a poll | "
        f"{durations.CLOUDFRONT_INVALIDATION.source} |",
        f"| verify: watch window | {WATCH_WINDOW} s | the same | `golive release --watch` "
        "(ops/waiting.py) |",
        "| smoke tests, bake time | 0 | 0 | the stack file has no such setting yet |",
    ]
    return rows


def markdown() -> str:
    """The whole of docs/deploy-time.md."""
    lines = [
        DOC_INTRO,
        "## Creates",
        "",
        *_create_rows(),
        "",
        "## Release steps",
        "",
        *_release_rows(),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
