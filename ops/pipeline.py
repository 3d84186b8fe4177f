"""What CI runs around releases: the infrastructure apply, the images of a version, and the
cleanup after a cancelled run. Each reads the stack file (`ops.builds.stack_config`), so it
works before a stack's first `pulumi up` too, when the stack has no outputs yet.

- `apply_infrastructure` (`golive up STACK`): `pulumi up` under the stack's release lease
  (`ops.lease`), so it never runs beside a release or rollback of the same stack, with the
  release's signal handling (`ops.pulumi_step`: Ctrl-C or the runner's SIGTERM asks Pulumi to
  cancel and waits for it).
- `version_images` (`golive images STACK REF`): one `SERVICE=REPOSITORY@sha256:...` line per
  image the project builds, for a commit SHA (short or full), a release tag or a tag, read from
  the stack's ECR repositories: what the deploy workflow promotes, by digest.
- `clean_up` (`golive cleanup STACK`): after a cancelled CI run, give back the lease the run
  held, close the release log entries it left `in-progress`, and report Pulumi state locks
  left in the state bucket (a killed `pulumi up` leaves one; only a person can tell it is
  safe to remove).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from components import naming
from ops import ui
from ops.aws import Aws
from ops.errors import ExitCode, OpsError, error_code
from ops.lease import StackLease, ci_run_url
from ops.promotion import EcrRepository, Promotion
from ops.pulumi_step import PulumiError, PulumiStep
from ops.releases import ReleaseStore
from ops.versions import pin
from stacks.config import StackConfig

PULUMI_LOCKS = ".pulumi/locks/"
"""Where Pulumi's S3 (DIY) backend keeps a stack's update lock: `<id>.json` under
`organization/<project>/<stack>/` (project-scoped layout) or `<stack>/` (the legacy one)
(pulumi/pulumi pkg/backend/diy/lock.go, `stackLockDir`)."""


def apply_infrastructure(
    pulumi: PulumiStep, lease: StackLease, stack: str, *, timeout: float
) -> None:
    """`pulumi up` of `stack` while holding its lease."""
    lease.acquire(f"golive up {stack}")
    with lease.keeping():
        lease.ensure_held()
        ui.step(f"pulumi up -s {stack}")
        try:
            pulumi.up(stack, timeout=timeout)
        except PulumiError as exc:
            raise OpsError(
                f"pulumi up failed: {exc}",
                f"read Pulumi's output above, fix the cause and run `golive up {stack}` again",
            ) from None
    ui.done(f"{stack}'s infrastructure is up to date")


@dataclass(frozen=True)
class BuiltImage:
    repository: EcrRepository
    digest: str
    tag: str | None
    """The tag `ref` resolved to (a commit SHA), or the image's first tag for a digest."""

    @property
    def reference(self) -> str:
        return f"{self.repository.url}@{self.digest}"


def built_images(
    aws: Aws, cfg: StackConfig, ref: str, project_dir: Path | None, *, account: str | None = None
) -> dict[str, BuiltImage]:
    """Service -> the image `ref` names in `cfg`'s repositories (in `account`, default the
    caller's), for every service the project builds."""
    account = account or aws.account_id()
    ecr = aws.client("ecr", cfg.region)
    found: dict[str, BuiltImage] = {}
    for name, service in cfg.services.items():
        if service.own_build is None:
            continue
        repository = EcrRepository(ecr, account, naming.repository(cfg.app, cfg.stack, name))
        version = pin(aws, repository.url, ref, project_dir)
        image_id = (
            {"imageDigest": version} if version.startswith("sha256:") else {"imageTag": version}
        )
        try:
            described = ecr.describe_images(**repository.ids, imageIds=[image_id])
        except ClientError as exc:
            if error_code(exc) not in {"ImageNotFoundException", "RepositoryNotFoundException"}:
                raise
            raise OpsError(
                f"{repository.name} has no image {version}",
                "build it first (the deploy workflow on main), or check the version",
                exit_code=ExitCode.NOTHING_CHANGED,
            ) from None
        detail = described["imageDetails"][0]
        tags = [str(tag) for tag in detail.get("imageTags", [])]
        tag = version if "imageTag" in image_id else next(iter(sorted(tags)), None)
        found[name] = BuiltImage(repository, str(detail["imageDigest"]), tag)
    if not found:
        raise OpsError(
            f"stack {cfg.stack} runs no image this project builds (every service has `image`)",
            "nothing to promote: release the services' images by reference",
            exit_code=ExitCode.USAGE,
        )
    return found


def version_images(
    aws: Aws, cfg: StackConfig, ref: str, project_dir: Path | None
) -> dict[str, str]:
    """Service -> `REPOSITORY@sha256:...` of the image `ref` names, for every built service."""
    images = built_images(aws, cfg, ref, project_dir)
    return {name: image.reference for name, image in images.items()}


def promote_images(
    aws: Aws,
    source: StackConfig,
    target: StackConfig,
    ref: str,
    project_dir: Path | None,
) -> dict[str, str]:
    """Copy the images `ref` names from `source`'s repositories into `target`'s, by digest
    (`ops.promotion`); service -> `TARGET_REPOSITORY@sha256:...` (the same digest)."""
    if source.app != target.app or source.stack == target.stack:
        raise OpsError(
            f"cannot promote from {source.app}/{source.stack} to {target.app}/{target.stack}",
            "promote between two stacks of the same app (staging into prod)",
            exit_code=ExitCode.USAGE,
        )
    images = built_images(
        aws, source, ref, project_dir, account=target.ci.images_from_account or None
    )
    account, ecr = aws.account_id(), aws.client("ecr", target.region)
    promoted: dict[str, str] = {}
    for name, image in images.items():
        own = target.services.get(name)
        if own is None or own.own_build is None:
            continue  # the target runs another image for it (or no such service)
        if image.tag is None:
            raise OpsError(
                f"{image.repository.name}@{image.digest} has no tag: prod would hold it under "
                "none, and releases and rollbacks find a version's image by its tag",
                "promote by the commit SHA or release tag it was built from",
                exit_code=ExitCode.USAGE,
            )
        into = EcrRepository(ecr, account, naming.repository(target.app, target.stack, name))
        promotion = Promotion(image.repository, into)
        promotion.copy(image.digest, image.tag)
        report = promotion.report
        ui.progress(
            f"{name}: {image.digest[:19]} in {into.name} ({report.manifests_copied} manifests, "
            f"{report.blobs_copied} blobs, {report.bytes_copied} bytes copied; "
            f"{report.blobs_present} blobs already there)"
        )
        promoted[name] = BuiltImage(into, image.digest, image.tag).reference
    if not promoted:
        raise OpsError(
            f"stack {target.stack} builds none of {', '.join(images)} (they run `image`)",
            "nothing to promote into it",
            exit_code=ExitCode.USAGE,
        )
    return promoted


@dataclass(frozen=True)
class StateLock:
    key: str
    holder: dict[str, Any]


def project_name(project_dir: Path) -> str:
    document = yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}
    return str(document.get("name", ""))


def state_locks(aws: Aws, bucket: str, project: str, stack: str) -> list[StateLock]:
    """Pulumi's update locks of `stack` in the state bucket (both layouts)."""
    s3 = aws.client("s3")
    found: list[StateLock] = []
    for prefix in (f"{PULUMI_LOCKS}organization/{project}/{stack}/", f"{PULUMI_LOCKS}{stack}/"):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key = str(item["Key"])
                if "/" in key.removeprefix(prefix):
                    continue  # a deeper path: another stack's
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                try:
                    holder = dict(json.loads(body))
                except (ValueError, TypeError):
                    holder = {}
                found.append(StateLock(key, holder))
    return found


def clean_up(aws: Aws, cfg: StackConfig, bucket: str, project: str) -> int:
    """After a cancelled run: free what it held, report what only a person may free. Returns
    the exit code (5 when a Pulumi state lock is left)."""
    lease = StackLease(aws, bucket, cfg)
    record, _ = lease.read()
    run = ci_run_url()
    now = aws.runtime.now()
    others = record is not None and record.live(now) and not (run and run in record.holder)
    if record is not None and record.live(now) and not others:
        lease.unlock(record.id)
        ui.done(f"gave back the lease this run held ({record.command})")
    if others and record is not None:
        ui.warn(f"{cfg.stack} is held by another run, left alone: {record.describe()}")
    else:
        store = ReleaseStore(aws, bucket, cfg)
        log = store.load()
        closed = log.close_stale(now)
        if closed:
            store.save(log)
            ui.done("closed as interrupted: " + ", ".join(entry.id for entry in closed))
        else:
            ui.done(f"no release of {cfg.stack} was left in progress")
    locks = state_locks(aws, bucket, project, cfg.stack)
    for lock in locks:
        who = ", ".join(f"{k} {v}" for k, v in lock.holder.items()) or "unreadable"
        ui.failure(
            f"Pulumi's state of {cfg.stack} is still locked: s3://{bucket}/{lock.key} ({who})",
            "make sure no `pulumi` runs for this stack any more (a cancelled CI job is gone "
            f"once it shows as cancelled), then `aws s3 rm s3://{bucket}/{lock.key}` and "
            f"check `pulumi stack export -s {cfg.stack}` before the next deploy",
        )
    if not locks:
        ui.done(f"no Pulumi state lock left for {cfg.stack}")
    return ExitCode.NEEDS_A_PERSON if locks else ExitCode.OK
