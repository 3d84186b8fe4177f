"""What a command that acts on a deployed stack opens first: its runtime (real, or the tests'
stand-ins), the stack's outputs, the AWS session in the stack's region, the release store and
the Pulumi step. The lifecycle commands (`ops.commands`), `golive destroy` and the workflow
commands (`ops.ci_commands`) share these."""

from __future__ import annotations

from pathlib import Path

import typer

from ops.aws import Aws, Runtime, connect
from ops.errors import ExitCode, OpsError
from ops.outputs import StackOutputs, load_outputs
from ops.pulumi_step import PulumiCli, PulumiStep
from ops.releases import ReleaseStore, default_state_bucket


def runtime_of(ctx: typer.Context) -> Runtime:
    """The runtime the tests pass as the typer context object (`app(obj=runtime)`), else the
    real one."""
    return ctx.obj if isinstance(ctx.obj, Runtime) else Runtime()


def open_stack(
    ctx: typer.Context,
    stack: str,
    outputs_file: Path | None,
    region: str | None,
    profile: str | None,
) -> tuple[Runtime, StackOutputs, Aws]:
    """The runtime, the stack's outputs and a session in the stack's region (a `--region`
    that differs from it is a usage error)."""
    runtime = runtime_of(ctx)
    outputs = load_outputs(stack, outputs_file)
    if region is not None and region != outputs.region:
        raise OpsError(
            f"--region {region} differs from the region of stack {stack}, {outputs.region} "
            "(its outputs)",
            "drop --region (golive uses the stack's region), or pass the outputs of the stack "
            f"in {region}",
            exit_code=ExitCode.USAGE,
        )
    aws = connect(runtime, region=outputs.region, profile=profile)
    return runtime, outputs, aws


def release_store(aws: Aws, outputs: StackOutputs, bucket: str | None) -> ReleaseStore:
    """The stack's release log and image records, in `--state-bucket` or bootstrap's bucket."""
    return ReleaseStore(aws, bucket or default_state_bucket(aws, outputs.region), outputs)


def pulumi_step(runtime: Runtime, project_dir: Path | None) -> PulumiStep:
    """The runtime's Pulumi step (tests), else the pulumi CLI in `project_dir`."""
    if runtime.pulumi is not None:
        return runtime.pulumi
    return PulumiCli(project_dir, clock=runtime.clock)
