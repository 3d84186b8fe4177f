"""The release-lifecycle commands of the `golive` CLI, registered on the app by `register()`.

Each command is a thin typer wrapper: it reads the stack outputs, opens the shared AWS session
and calls the module that does the work. `command_boundary` turns every failure into "what
failed / what next" and a non-zero exit. Tests pass a `Runtime` as the typer context object
(`app(obj=runtime)`) to substitute the session, the Pulumi step, probes and sleeps.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ops import backup, bootstrap, external_secrets, releases, restore_drill, status, tasks, ui
from ops.aws import Aws, Runtime, connect
from ops.errors import ExitCode, OpsError, command_boundary
from ops.images import parse_images, resolve
from ops.interrupts import Interrupted
from ops.lease import StackLease
from ops.notify import Notifier
from ops.outputs import StackOutputs
from ops.release import Releaser, ReleaseRequest
from ops.releases import ReleaseEntry
from ops.stack_session import open_stack, pulumi_step, release_store, runtime_of
from ops.verify import check_record, verify_stack
from ops.waiting import DEPLOY_TIMEOUT, HEALTH_TIMEOUT, WATCH_WINDOW, Limits

Stack = Annotated[str, typer.Argument(help="Stack name (staging, prod).", show_default=False)]
OutputsFile = Annotated[
    Path | None,
    typer.Option(
        "--outputs",
        help="JSON of `pulumi stack output --json -s STACK`; default: ask the pulumi CLI.",
        envvar="GOLIVE_OUTPUTS",
        dir_okay=False,
    ),
]
Region = Annotated[
    str | None, typer.Option("--region", help="AWS region; default: the stack's region output.")
]
Profile = Annotated[
    str | None, typer.Option("--profile", help="AWS profile; default: the standard chain.")
]
StateBucket = Annotated[
    str | None,
    typer.Option(
        "--state-bucket",
        envvar="GOLIVE_STATE_BUCKET",
        help="Bucket holding the release log; default golive-state-ACCOUNT-REGION (bootstrap's).",
    ),
]
ProjectDir = Annotated[
    Path | None,
    typer.Option(
        "--project-dir",
        help="Pulumi project directory; default: the current one.",
        exists=True,
        file_okay=False,
    ),
]
HealthTimeout = Annotated[
    float,
    typer.Option(
        "--health-timeout",
        min=0,
        envvar="GOLIVE_HEALTH_TIMEOUT",
        help="Seconds the health URL has to answer 2xx (each try is shown).",
    ),
]
Watch = Annotated[
    float,
    typer.Option(
        "--watch",
        min=0,
        envvar="GOLIVE_WATCH",
        help="Seconds to watch the alarms after the rollout, so a late one is seen (0: once).",
    ),
]
BakeWatch = Annotated[
    float | None,
    typer.Option(
        "--watch",
        min=0,
        envvar="GOLIVE_WATCH",
        help="Seconds to watch the alarms after the rollout; one firing rolls back (0: once). "
        "Default: the stack's release.bakeMinutes, else 120.",
        show_default=False,
    ),
]
DeployTimeout = Annotated[
    float,
    typer.Option(
        "--deploy-timeout",
        min=1,
        envvar="GOLIVE_DEPLOY_TIMEOUT",
        help="Seconds `pulumi up` and the rollout may take together before the release fails.",
    ),
]
Services = Annotated[
    list[str] | None,
    typer.Option("--service", help="Only this service (repeatable); default: every service."),
]


def _releaser(
    runtime: Runtime,
    aws: Aws,
    outputs: StackOutputs,
    *,
    state_bucket: str | None,
    project_dir: Path | None,
    limits: Limits,
) -> Releaser:
    store = release_store(aws, outputs, state_bucket)
    return Releaser(
        aws,
        outputs,
        pulumi_step(runtime, project_dir),
        store,
        lease=StackLease(aws, store.bucket, outputs),
        limits=limits,
        project_dir=project_dir,
    )


def _limits(outputs: StackOutputs, deploy: float, health: float, watch: float | None) -> Limits:
    """`--watch` when given, else the stack's bake time, else golive's watch window."""
    bake = outputs.release.bake_seconds
    chosen = watch if watch is not None else (bake if bake is not None else WATCH_WINDOW)
    return Limits(deploy=deploy, health=health, watch=chosen)


def _notified(notifier: Notifier, images: dict[str, str], run: Callable[[], ReleaseEntry]) -> None:
    """Run a release or rollback, telling the notification channels how it started and ended."""
    notifier.started(images)
    try:
        entry = run()
    except OpsError as exc:
        notifier.finished(exc.exit_code, images, exc.what)
        raise
    except Interrupted as signal:
        notifier.finished(ExitCode.INTERRUPTED, images, f"interrupted ({signal.name})")
        raise
    notifier.finished(ExitCode.OK, dict(entry.images), entry.id)


@command_boundary
def bootstrap_command(
    ctx: typer.Context,
    *,
    region: Annotated[str, typer.Option("--region", help="Region of the state backend.")],
    name: Annotated[
        str, typer.Option("--name", help="Name prefix of the bucket and key.")
    ] = "golive",
    zone: Annotated[
        str | None, typer.Option("--zone", help="Create the public hosted zone of this domain.")
    ] = None,
    github_oidc: Annotated[
        bool, typer.Option("--github-oidc", help="Create the account's GitHub OIDC provider.")
    ] = False,
    stacks: Annotated[
        list[str] | None,
        typer.Option("--stack", help="A stack to create a secrets-provider key for (repeat)."),
    ] = None,
    profile: Profile = None,
) -> None:
    """Create the state bucket and keys (and optionally zone, GitHub OIDC): idempotent."""
    aws = connect(runtime_of(ctx), region=region, profile=profile)
    result = bootstrap.bootstrap(
        aws,
        name=name,
        zone=zone,
        github_oidc=github_oidc,
        stacks=tuple(stacks or bootstrap.STACKS),
    )
    bootstrap.print_next_steps(result)


@command_boundary
def secrets_set_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    name: Annotated[str, typer.Argument(help="External secret name (from the stack file).")],
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", dir_okay=False, help="Read the value from this file."),
    ] = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Set an external secret's value from stdin or --from-file (never an argument)."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    external_secrets.secret_arn(outputs, name)
    value = external_secrets.read_value(from_file, name)
    external_secrets.check_keys(outputs, name, value)
    version = external_secrets.set_secret(aws, outputs, name, value)
    ui.done(f"{name} set in {stack} (version {version}); running tasks see it at their next start")


@command_boundary
def secrets_check_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Check every external secret has a current value; exit 1 listing the missing ones."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    external_secrets.require_all_set(aws, outputs)
    ui.done(f"all {len(outputs.external_secrets)} external secrets of {stack} have a value")


@command_boundary
def backup_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    label: Annotated[
        str | None, typer.Option("--label", help="Snapshot label; default: the time.")
    ] = None,
    keep: Annotated[
        int, typer.Option("--keep", min=0, help="Keep this many golive backups (0: never prune).")
    ] = 10,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Take a manual RDS snapshot, wait for it, tag it, prune older golive backups."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    label = label or datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    identifier = releases.snapshot_name(outputs, f"backup-{label}")
    snapshot = backup.take_snapshot(aws, outputs, identifier, "backup")
    if keep:
        backup.prune_backups(aws, outputs, keep)
    ui.info(f"snapshot: {snapshot.identifier}")


@command_boundary
def run_task_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    task: Annotated[str, typer.Argument(help="One-off task: migrate, seed, create-admin, ...")],
    image: Annotated[
        str | None, typer.Option("--image", help="Run with this tag, digest or image instead.")
    ] = None,
    command: Annotated[
        str | None, typer.Option("--command", help="Override the container command.")
    ] = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Run a one-off task and stream its logs; exit 1 when its container fails (the output
    names the container's exit code)."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    definition = outputs.task(task)
    resolved = None
    if image is not None:
        known = None
        if definition.service is not None:
            known = releases.ImageRecord(aws, outputs).current([definition.service])[
                definition.service
            ]
        if known is None:
            from ops.services import TaskDefinitionImages

            known = TaskDefinitionImages(aws).image(
                definition.task_definition_arn, definition.container_name
            )
        resolved = resolve(image, task, known)
    started: list[str] = []
    try:
        result = tasks.run_task(
            aws,
            outputs,
            task,
            image=resolved,
            command=shlex.split(command) if command else None,
            on_started=started.append,
        )
    except Interrupted as signal:
        if not started:
            raise
        raise OpsError(
            f"interrupted ({signal.name}) while following task {task}: it keeps running in ECS "
            f"({started[0]})",
            f"follow its logs (`aws logs tail {definition.log_group_name} --follow`), or stop it "
            f"with `aws ecs stop-task --cluster {outputs.cluster_name} --task {started[0]}`",
            exit_code=ExitCode.INTERRUPTED,
        ) from None
    if not result.succeeded:
        raise OpsError(
            tasks.describe_failure(task, result),
            f"read its logs (`aws logs tail {definition.log_group_name}`), fix and re-run",
        )


@command_boundary
def verify_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    watch: Watch = 0,
    health_timeout: HealthTimeout = HEALTH_TIMEOUT,
    state_bucket: StateBucket = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Check the image record, services, targets, health URL, alarms and database; exit 1 if
    anything fails."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    record = releases.ImageRecord(aws, outputs).current()
    limits = Limits(health=health_timeout, watch=watch)
    report = verify_stack(aws, outputs, record, limits=limits)
    log = status.read_log(release_store(aws, outputs, state_bucket))
    good = log.last_good_entry() if log is not None else None
    check_record(
        report,
        record,
        log.last_good(list(record)) if log is not None else None,
        good.id if good else "(none)",
    )
    report.show(f"verify {stack}")
    if not report.ok:
        raise OpsError(
            f"{len(report.failures)} check(s) failed: {report.summary()}",
            _verify_advice(stack, report.alarms_only, good.id if good else None),
        )
    ui.done(f"{stack} verified")


def _verify_advice(stack: str, alarms_only: bool, last_good: str | None) -> str:
    if alarms_only:
        return (
            f"only alarms fail: see what they report (`golive status {stack}`). One that fired "
            "during a release or a rollback clears after its evaluation periods: wait and run "
            "`golive verify` again before rolling anything back"
        )
    back = f"`golive rollback {stack} --to {last_good}`" if last_good else "a release"
    return (
        f"see `golive status {stack}` (image record, what ECS runs, recent releases); if the "
        f"last release caused it, {back} redeploys the last successful release"
    )


@command_boundary
def release_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    image: Annotated[
        list[str],
        typer.Option(
            "--image",
            help="Tag, sha256 digest or full image reference for every service (or those of "
            "--service); or SERVICE=REF, repeated once per service to release.",
            show_default=False,
        ),
    ],
    service: Services = None,
    site: Annotated[
        Path | None,
        typer.Option("--site", file_okay=False, help="Upload this built static site too."),
    ] = None,
    with_infra: Annotated[
        bool,
        typer.Option("--with-infra", help="Also apply pending infrastructure changes."),
    ] = False,
    take_backup: Annotated[
        bool, typer.Option("--backup", help="Snapshot the database even if the stack does not ask.")
    ] = False,
    db_init: Annotated[
        bool, typer.Option("--db-init", help="Run db-init even if an earlier release did.")
    ] = False,
    allow_alarm: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-alarm",
            help="Release although this alarm is in ALARM now (repeatable): it is not held "
            "against the release.",
        ),
    ] = None,
    commit: Annotated[
        str | None,
        typer.Option(
            "--commit",
            help="The commit the images were built from (CI: $GITHUB_SHA): recorded, and an "
            "older commit than the one released last is refused.",
        ),
    ] = None,
    deploy_timeout: DeployTimeout = DEPLOY_TIMEOUT,
    health_timeout: HealthTimeout = HEALTH_TIMEOUT,
    watch: BakeWatch = None,
    state_bucket: StateBucket = None,
    project_dir: ProjectDir = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Release images: preflight, backup, migrate, deploy, smoke tests, verify and bake; roll
    back on failure."""
    choice = parse_images(image, option="--image", selected=service)
    runtime, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    images = outputs.with_shared_images(choice.by_service(list(outputs.services)))
    releaser = _releaser(
        runtime,
        aws,
        outputs,
        state_bucket=state_bucket,
        project_dir=project_dir,
        limits=_limits(outputs, deploy_timeout, health_timeout, watch),
    )
    request = ReleaseRequest(
        images=images,
        site=site,
        with_infra=with_infra,
        backup=take_backup,
        db_init=db_init,
        allow_alarms=tuple(allow_alarm or ()),
        commit=commit,
    )
    notifier = Notifier.for_command(aws, outputs, "release")
    _notified(notifier, images, lambda: releaser.release(request))


@command_boundary
def rollback_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="A release id as `golive status` shows it (r0007-1a2b3c4d), or an image "
            "tag/digest/reference to roll back every service (or those of --service) to; or "
            "SERVICE=REF, repeated once per service. Default: the previous release.",
            show_default=False,
        ),
    ] = None,
    service: Services = None,
    deploy_timeout: DeployTimeout = DEPLOY_TIMEOUT,
    health_timeout: HealthTimeout = HEALTH_TIMEOUT,
    watch: BakeWatch = None,
    state_bucket: StateBucket = None,
    project_dir: ProjectDir = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Roll back to the previous successful release (or --to), the way a release deploys."""
    choice = parse_images(to, option="--to", selected=service) if to else None
    runtime, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    release_id = choice.every if choice and choice.every else None
    if release_id is not None and not releases.RELEASE_ID.match(release_id):
        release_id = None
    targets = (
        outputs.with_shared_images(choice.by_service(list(outputs.services)))
        if choice is not None and release_id is None
        else None
    )
    releaser = _releaser(
        runtime,
        aws,
        outputs,
        state_bucket=state_bucket,
        project_dir=project_dir,
        limits=_limits(outputs, deploy_timeout, health_timeout, watch),
    )
    asked = targets or {"every service": release_id or "the previous release"}
    notifier = Notifier.for_command(aws, outputs, "rollback")
    _notified(notifier, asked, lambda: releaser.rollback(targets, service, release_id))


@command_boundary
def status_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    state_bucket: StateBucket = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Show released images, task definitions, deployments, alarms and recent releases."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    store = release_store(aws, outputs, state_bucket)
    status.show_status(aws, outputs, store, StackLease(aws, store.bucket, outputs))


@command_boundary
def unlock_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    lease: Annotated[
        str | None,
        typer.Option("--lease", help="The lease id `golive status` shows (guards the release)."),
    ] = None,
    state_bucket: StateBucket = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Release the stack's lease when the run holding it is gone (killed, machine off)."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    store = release_store(aws, outputs, state_bucket)
    released = StackLease(aws, store.bucket, outputs).unlock(lease)
    if released is None:
        ui.done(f"{stack} is not locked (no live lease): nothing to do")
        return
    ui.done(f"released the lease of {released.holder} ({released.command})")
    ui.info(
        f"its release log entry is closed as interrupted by the next run; check `golive status "
        f"{stack}` and `golive verify {stack}` before releasing"
    )


@command_boundary
def restore_drill_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    task: Annotated[
        str, typer.Option("--task", help="One-off task that runs the check query (psql image).")
    ] = "db-init",
    query: Annotated[
        str, typer.Option("--query", help="SQL the check runs against the restored copy.")
    ] = "SELECT count(*) FROM pg_catalog.pg_tables",
    instance_class: Annotated[
        str | None, typer.Option("--instance-class", help="Class of the temporary instance.")
    ] = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Restore the latest snapshot into a temporary instance, query it, delete it."""
    _, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    result = restore_drill.restore_drill(
        aws, outputs, task=task, query=query, instance_class=instance_class
    )
    ui.table(
        f"restore drill {stack}",
        ["snapshot", "temporary instance", "restore time", "check"],
        [[result.snapshot, result.instance, f"{result.restore_seconds:.0f} s", result.detail]],
    )
    if not result.query_ok:
        raise OpsError(
            f"the restored copy of {result.snapshot} failed the check: {result.detail}",
            "the backup may not be usable: inspect the task logs and the snapshot now",
        )


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the `golive` app."""
    app.command("bootstrap")(bootstrap_command)
    secrets_app = typer.Typer(help="Values of the stack's external secrets.", no_args_is_help=True)
    secrets_app.command("set")(secrets_set_command)
    secrets_app.command("check")(secrets_check_command)
    app.add_typer(secrets_app, name="secrets")
    app.command("backup")(backup_command)
    app.command("run-task")(run_task_command)
    app.command("verify")(verify_command)
    app.command("release")(release_command)
    app.command("rollback")(rollback_command)
    app.command("status")(status_command)
    app.command("unlock")(unlock_command)
    app.command("restore-drill")(restore_drill_command)
