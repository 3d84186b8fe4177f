"""The commands the delivery workflows call beside `release` and `rollback`: `builds`, `up`,
`images`, `cleanup`, `approvers` and `approve`, registered on the app by `register()` (see
`ops.builds`, `ops.pipeline` and `ops.approval` for what each does). They read the stack file,
not the stack outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ops import ui
from ops.approval import approval, approvers
from ops.aws import connect
from ops.builds import builds, stack_config
from ops.commands import Profile, ProjectDir, StateBucket
from ops.errors import command_boundary
from ops.lease import StackLease
from ops.pipeline import (
    apply_infrastructure,
    clean_up,
    project_name,
    promote_images,
    version_images,
)
from ops.releases import default_state_bucket
from ops.stack_session import pulumi_step, runtime_of

INFRA_TIMEOUT = 60 * 60
"""`golive up` of a new stack waits on Multi-AZ RDS (14-20 min) and a VPC origin (~15 min)."""


@command_boundary
def builds_command(
    *,
    stacks: Annotated[
        list[str], typer.Argument(help="The stacks one build is released to (staging prod).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for CI.")] = False,
    project_dir: ProjectDir = None,
) -> None:
    """What CI builds for these stacks: each image (context, Dockerfile, target, platforms,
    repositories) and the static site, from the stack files."""
    found = builds(stacks, project_dir or Path.cwd())
    if as_json:
        typer.echo(json.dumps(found.to_json(), indent=2))
        return
    rows = [
        [i.service, i.context, i.dockerfile, i.target or "(last stage)", ", ".join(i.platforms)]
        for i in found.images
    ]
    ui.table("images", ["service", "context", "dockerfile", "target", "platforms"], rows)
    if found.site is not None:
        ui.info(f"site: {' '.join(found.site.command)} -> {found.site.output}")


@command_boundary
def up_command(
    ctx: typer.Context,
    *,
    stack: Annotated[str, typer.Argument(help="Stack name (staging, prod).")],
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds `pulumi up` may take.")
    ] = INFRA_TIMEOUT,
    state_bucket: StateBucket = None,
    project_dir: ProjectDir = None,
    profile: Profile = None,
) -> None:
    """Apply the stack's infrastructure (`pulumi up`) under its release lease."""
    runtime = runtime_of(ctx)
    cfg = stack_config(stack, project_dir or Path.cwd())
    aws = connect(runtime, region=cfg.region, profile=profile)
    lease = StackLease(aws, state_bucket or default_state_bucket(aws, cfg.region), cfg)
    apply_infrastructure(pulumi_step(runtime, project_dir), lease, stack, timeout=timeout)


@command_boundary
def images_command(
    ctx: typer.Context,
    *,
    stack: Annotated[str, typer.Argument(help="The stack whose repositories hold the images.")],
    version: Annotated[
        str, typer.Argument(help="Commit SHA (short or full), release tag (v1.2.0) or digest.")
    ],
    into: Annotated[
        str | None,
        typer.Option(
            "--into",
            help="Copy the images, by digest, into this stack's own repositories first "
            "(promotion) and print those.",
        ),
    ] = None,
    project_dir: ProjectDir = None,
    profile: Profile = None,
) -> None:
    """Print SERVICE=REPOSITORY@sha256:... for each image built from VERSION."""
    directory = project_dir or Path.cwd()
    cfg = stack_config(stack, directory)
    target = stack_config(into, directory) if into else None
    aws = connect(runtime_of(ctx), region=(target or cfg).region, profile=profile)
    images = (
        promote_images(aws, cfg, target, version, project_dir)
        if target is not None
        else version_images(aws, cfg, version, project_dir)
    )
    for name, reference in images.items():
        typer.echo(f"{name}={reference}")


@command_boundary
def cleanup_command(
    ctx: typer.Context,
    *,
    stack: Annotated[str, typer.Argument(help="Stack name (staging, prod).")],
    state_bucket: StateBucket = None,
    project_dir: ProjectDir = None,
    profile: Profile = None,
) -> None:
    """After a cancelled run: give back its lease, close its release entry, report a Pulumi
    state lock left behind (exit 5)."""
    directory = project_dir or Path.cwd()
    cfg = stack_config(stack, directory)
    aws = connect(runtime_of(ctx), region=cfg.region, profile=profile)
    bucket = state_bucket or default_state_bucket(aws, cfg.region)
    code = clean_up(aws, cfg, bucket, project_name(directory))
    if code:
        raise typer.Exit(code)


@command_boundary
def approvers_command(
    *,
    stack: Annotated[str, typer.Argument(help="Stack name (prod).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list for CI.")] = False,
    project_dir: ProjectDir = None,
) -> None:
    """Who approves the stack's releases (`ci.approvers`); none: its GitHub environment."""
    names = approvers(stack_config(stack, project_dir or Path.cwd()))
    if as_json:
        typer.echo(json.dumps(names))
    else:
        ui.info(", ".join(names) or f"none: the `{stack}` GitHub environment approves")


@command_boundary
def approve_command(
    *,
    stack: Annotated[str, typer.Argument(help="Stack name (prod).")],
    actor: Annotated[
        str,
        typer.Option("--actor", help="GitHub login that started the run (triggering_actor)."),
    ],
    project_dir: ProjectDir = None,
) -> None:
    """Go on only if ACTOR is one of the stack's `ci.approvers` (exit 1 otherwise); a stack
    without approvers leaves the approval to its GitHub environment."""
    ui.done(approval(stack_config(stack, project_dir or Path.cwd()), actor))


def register(app: typer.Typer) -> None:
    app.command("builds")(builds_command)
    app.command("up")(up_command)
    app.command("images")(images_command)
    app.command("cleanup")(cleanup_command)
    app.command("approvers")(approvers_command)
    app.command("approve")(approve_command)
