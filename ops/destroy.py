"""`golive destroy STACK`: tear a stack down so that, created again, it starts unreleased.

`pulumi destroy` deletes what the program declares, not what `golive release` keeps beside it:
the image records (SSM parameters only this CLI writes) and the release log (state bucket).
Left behind, they make a re-created stack believe it is released, on images a force-deleted
repository no longer has, with `db-init` never run on its new database. So, in order:

1. protected data: a stack whose file sets `golive:protect` keeps its database, keys, secrets,
   buckets and repositories out of any `pulumi destroy`; golive refuses unless `--keep-data`
   says to destroy everything else and keep them (`pulumi destroy --exclude-protected`: they
   stay in the stack, still billed). A database with AWS deletion protection on refuses to be
   deleted: golive stops before anything changes and says how to turn it off;
2. the stack's name typed back (or `--yes`), and the stack's lease (no release meanwhile);
3. `pulumi destroy`, run the way a release runs `pulumi up` (`ops.pulumi_step`: Ctrl-C cancels
   gracefully, a time limit);
4. the image records and the release log are removed (the versioned state bucket keeps the
   log's earlier versions), so the next `pulumi up` runs every service at 0 tasks and the
   first release runs `db-init`;
5. what stays billed, with its monthly cost at list prices: the stack's KMS keys (kept on
   delete so snapshots stay restorable), the database's manual snapshots (the final one among
   them) and its retained automated backups, and with `--keep-data` the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from botocore.exceptions import ClientError

from aws_facts.prices import KMS_KEY_MONTH, PRICES, RDS_BACKUP_GB_MONTH
from aws_facts.regions import GLOBAL_SERVICES_REGION
from ops import ui
from ops.aws import Aws
from ops.commands import (
    OutputsFile,
    Profile,
    ProjectDir,
    Region,
    Stack,
    StateBucket,
)
from ops.errors import ExitCode, OpsError, command_boundary, error_code
from ops.lease import StackLease
from ops.outputs import StackOutputs
from ops.pulumi_step import PulumiCli, PulumiError
from ops.releases import ReleaseStore
from ops.stack_session import open_stack, release_store
from plan.cost import HOURS
from plan.harness import StackFileError, load_stack_config
from stacks.config import ConfigError, StackConfig, parse

DESTROY_TIMEOUT = 60 * 60.0
"""Seconds `pulumi destroy` may take: a distribution and its VPC origin take ~15 minutes each to
disable and delete, a database with its final snapshot 5-10."""
BILLED_KEY_STATES = frozenset({"Enabled", "Disabled"})
"""KMS bills a key in these states; one pending deletion is not billed."""


class PulumiDestroy(Protocol):
    def destroy(self, stack: str, *, keep_protected: bool, timeout: float) -> None: ...


@dataclass(frozen=True)
class Billed:
    """One thing that outlives the stack, and what it costs a month."""

    item: str
    detail: str
    monthly_usd: float | None
    """None: priced by use (storage), no fixed figure."""


@dataclass(frozen=True)
class DatabaseBefore:
    """The database as it was before the destroy (its snapshots outlive it)."""

    identifier: str
    instance_class: str
    multi_az: bool
    allocated_gb: int


def stack_config(stack: str, project_dir: Path | None) -> StackConfig:
    """The stack file's model: `protect` and the database's deletion protection live there."""
    try:
        config, _ = load_stack_config(stack, project_dir or Path.cwd())
        return parse(stack, config)
    except (StackFileError, ConfigError) as exc:
        raise OpsError(
            f"cannot read the stack file of {stack}: {exc}",
            "run golive destroy from the project directory (or pass --project-dir)",
            exit_code=ExitCode.USAGE,
        ) from None


def refuse_protected_data(cfg: StackConfig, *, keep_data: bool) -> None:
    """Stop before anything changes when the destroy would meet protected data unasked."""
    if cfg.protect and not keep_data:
        raise OpsError(
            f"stack {cfg.stack} protects its data (golive:protect): its database, keys, "
            "secrets, buckets and repositories cannot be destroyed",
            f"pass --keep-data to destroy everything else and keep them (still billed), or, to "
            f"delete the data too, set golive:protect: false (and database.deletionProtection: "
            f"false) in Pulumi.{cfg.stack}.yaml, run `pulumi up -s {cfg.stack}`, then destroy",
            exit_code=ExitCode.NOTHING_CHANGED,
        )
    database = cfg.database
    if database is not None and database.deletion_protection and not cfg.protect:
        raise OpsError(
            f"the database of {cfg.stack} has deletion protection on: AWS refuses to delete it",
            f"set database.deletionProtection: false in Pulumi.{cfg.stack}.yaml and run `pulumi "
            f"up -s {cfg.stack}` first (its final snapshot is still taken), then destroy",
            exit_code=ExitCode.NOTHING_CHANGED,
        )


def _keys(aws: Aws, outputs: StackOutputs) -> list[tuple[str, str]]:
    """(where, ARN) of the stack's keys, found before the destroy deletes their aliases."""
    keys = [(outputs.region, outputs.kms_key_arn)]
    if outputs.region != GLOBAL_SERVICES_REGION:
        alias = f"alias/golive/{outputs.app}-{outputs.stack}-global"
        kms = aws.client("kms", region=GLOBAL_SERVICES_REGION)
        try:
            found = kms.describe_key(KeyId=alias)["KeyMetadata"]
        except ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
        else:
            keys.append((GLOBAL_SERVICES_REGION, str(found["Arn"])))
    return keys


def _database(aws: Aws, outputs: StackOutputs) -> DatabaseBefore | None:
    if outputs.database is None:
        return None
    identifier = outputs.database.identifier
    try:
        found = aws.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)
    except ClientError as exc:
        if error_code(exc) != "DBInstanceNotFound":
            raise
        return None
    instance = found["DBInstances"][0]
    return DatabaseBefore(
        identifier=identifier,
        instance_class=str(instance["DBInstanceClass"]),
        multi_az=bool(instance.get("MultiAZ")),
        allocated_gb=int(instance.get("AllocatedStorage", 0)),
    )


def forget_releases(aws: Aws, outputs: StackOutputs, store: ReleaseStore) -> None:
    """Remove the image records and the release log: the stack starts unreleased again."""
    ssm = aws.client("ssm")
    names: list[str] = []
    for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path=outputs.image_parameter_prefix.rstrip("/"), Recursive=False
    ):
        names += [str(parameter["Name"]) for parameter in page["Parameters"]]
    for start in range(0, len(names), 10):  # DeleteParameters takes at most 10 names
        ssm.delete_parameters(Names=names[start : start + 10])
    ui.done(f"removed {len(names)} image record(s) under {outputs.image_parameter_prefix}")
    try:
        aws.client("s3").delete_object(Bucket=store.bucket, Key=store.key)
    except ClientError as exc:
        if error_code(exc) != "NoSuchBucket":
            raise
        ui.warn(f"no state bucket {store.bucket}: there was no release log to remove")
        return
    ui.done(f"removed the release log s3://{store.bucket}/{store.key} (earlier versions stay)")


def _billed_keys(aws: Aws, keys: list[tuple[str, str]]) -> list[Billed]:
    billed: list[Billed] = []
    for region, arn in keys:
        try:
            state = aws.client("kms", region=region).describe_key(KeyId=arn)["KeyMetadata"]
        except ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
            continue
        if state.get("KeyState") in BILLED_KEY_STATES:
            billed.append(
                Billed(
                    "KMS key (kept on delete: its snapshots stay restorable)",
                    f"{arn} ({region})",
                    KMS_KEY_MONTH,
                )
            )
    return billed


def _billed_backups(aws: Aws, database: DatabaseBefore) -> list[Billed]:
    rds = aws.client("rds")
    billed: list[Billed] = []
    pages = rds.get_paginator("describe_db_snapshots").paginate(
        DBInstanceIdentifier=database.identifier, SnapshotType="manual"
    )
    for page in pages:
        for snapshot in page["DBSnapshots"]:
            size = int(snapshot.get("AllocatedStorage", database.allocated_gb))
            billed.append(
                Billed(
                    "RDS snapshot",
                    f"{snapshot['DBSnapshotIdentifier']} ({size} GB)",
                    size * RDS_BACKUP_GB_MONTH,
                )
            )
    automated = rds.describe_db_instance_automated_backups(DBInstanceIdentifier=database.identifier)
    for backup in automated["DBInstanceAutomatedBackups"]:
        if backup.get("Status") != "retained":
            continue
        size = int(backup.get("AllocatedStorage", database.allocated_gb))
        billed.append(
            Billed(
                "RDS retained automated backups (until their retention ends)",
                f"{database.identifier} (up to {size} GB)",
                size * RDS_BACKUP_GB_MONTH,
            )
        )
    return billed


def _billed_database(aws: Aws, database: DatabaseBefore) -> list[Billed]:
    """The database when `--keep-data` kept it running."""
    if not _database_exists(aws, database.identifier):
        return []
    copies = 2 if database.multi_az else 1
    prices = PRICES.get(aws.region)
    if prices is None:
        hourly, storage = None, 0.0
    else:
        hourly = prices.rds_hour.get(database.instance_class)
        storage = database.allocated_gb * prices.gp3_gb_month * copies
    return [
        Billed(
            "RDS instance (kept: protected data)",
            f"{database.identifier} {database.instance_class}"
            + (" Multi-AZ" if database.multi_az else ""),
            None if hourly is None else hourly * HOURS * copies + storage,
        )
    ]


def _database_exists(aws: Aws, identifier: str) -> bool:
    try:
        aws.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)
    except ClientError as exc:
        if error_code(exc) != "DBInstanceNotFound":
            raise
        return False
    return True


def show_billed(billed: list[Billed], stack: str) -> None:
    rows = [
        [b.item, b.detail, "by use" if b.monthly_usd is None else f"${b.monthly_usd:,.2f}"]
        for b in billed
    ]
    total = sum(b.monthly_usd or 0.0 for b in billed)
    rows.append(["total", "", f"${total:,.2f}"])
    ui.table(
        f"what stays billed after destroying {stack} (us-east-1 list prices, a month)",
        ["item", "what", "per month"],
        rows,
    )


def destroy(
    aws: Aws,
    outputs: StackOutputs,
    pulumi: PulumiDestroy,
    store: ReleaseStore,
    *,
    keep_data: bool,
    timeout: float = DESTROY_TIMEOUT,
) -> list[Billed]:
    """Steps 3-5 of the module docstring (the caller checked protection and holds the lease)."""
    keys = _keys(aws, outputs)
    database = _database(aws, outputs)
    ui.step(f"pulumi destroy -s {outputs.stack}" + (" --exclude-protected" if keep_data else ""))
    try:
        pulumi.destroy(outputs.stack, keep_protected=keep_data, timeout=timeout)
    except PulumiError as exc:
        raise OpsError(
            f"pulumi destroy failed: {exc}",
            f"fix the cause and run `golive destroy {outputs.stack}` again (what was deleted "
            "stays deleted; the image records and release log are kept until it succeeds)",
        ) from None
    ui.done(f"the resources of {outputs.stack} are destroyed")
    forget_releases(aws, outputs, store)
    billed = _billed_keys(aws, keys)
    if database is not None:
        if keep_data:
            billed += _billed_database(aws, database)
        billed += _billed_backups(aws, database)
    show_billed(billed, outputs.stack)
    return billed


@command_boundary
def destroy_command(
    ctx: typer.Context,
    *,
    stack: Stack,
    keep_data: Annotated[
        bool,
        typer.Option(
            "--keep-data",
            help="For a stack with golive:protect: destroy everything else and keep the "
            "protected data (still billed).",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for the stack's name to be typed.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds `pulumi destroy` may take.")
    ] = DESTROY_TIMEOUT,
    state_bucket: StateBucket = None,
    project_dir: ProjectDir = None,
    outputs_file: OutputsFile = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Destroy a stack, remove its image records and release log, show what stays billed."""
    cfg = stack_config(stack, project_dir)
    refuse_protected_data(cfg, keep_data=keep_data)
    runtime, outputs, aws = open_stack(ctx, stack, outputs_file, region, profile)
    if not yes and typer.prompt(f"Type {stack} to destroy it") != stack:
        raise OpsError(
            "the name typed is not the stack's: nothing was destroyed",
            f"type {stack} exactly, or pass --yes",
            exit_code=ExitCode.NOTHING_CHANGED,
        )
    store = release_store(aws, outputs, state_bucket)
    lease = StackLease(aws, store.bucket, outputs)
    lease.acquire(f"golive destroy {stack}")
    pulumi: Any = runtime.pulumi or PulumiCli(project_dir, clock=runtime.clock)
    with lease.keeping():
        destroy(aws, outputs, pulumi, store, keep_data=keep_data, timeout=timeout)
    ui.done(
        f"{stack} is destroyed: `pulumi up -s {stack}` creates it again, unreleased (its first "
        "`golive release` runs db-init)"
    )
