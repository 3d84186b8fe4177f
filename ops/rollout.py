"""What a release and a rollback share: write the image record, deploy, verify, put back.

`Rollout` holds one stack's session, Pulumi step, release log and lease, and the steps both
flows of `ops.release` run after their preflight: record the images (all or nothing), the
Pulumi step and the rollout within the deploy limit, verify, and `_restore` (record, deploy and
verify the images to go back to). A step that fails after the record raises `DeployFailed`,
which the caller turns into a rollback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from ops import services, site, ui
from ops.aws import Aws
from ops.errors import ExitCode, OpsError, explain_botocore_error, explain_client_error
from ops.lease import StackLease
from ops.outputs import StackOutputs
from ops.pulumi_step import PulumiError, PulumiStep
from ops.releases import (
    ImageRecord,
    RecordError,
    ReleaseEntry,
    ReleaseLog,
    ReleaseStore,
    Status,
    now,
)
from ops.smoke import run_smoke_tests
from ops.verify import VerifyReport, verify_stack
from ops.waiting import Limits

FAILURES = (OpsError, ClientError, BotoCoreError)


class DeployFailed(Exception):
    """A step after the image record failed; the release must be rolled back."""

    def __init__(self, what: str, report: VerifyReport | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.report = report


@dataclass
class Restored:
    """How putting images back went: `problem` None when it verified."""

    problem: str | None = None
    alarms_only: bool = False
    record: dict[str, str | None] | None = field(default=None)


def as_text(exc: BaseException) -> str:
    if isinstance(exc, OpsError):
        return exc.what
    if isinstance(exc, ClientError):
        return explain_client_error(exc).what
    if isinstance(exc, BotoCoreError):
        return explain_botocore_error(exc).what
    return str(exc)


@contextlib.contextmanager
def before_any_change() -> Iterator[None]:
    """Whatever fails here changed nothing: exit code 3 (a usage error stays 2)."""
    try:
        yield
    except OpsError as exc:
        if exc.exit_code != ExitCode.USAGE:
            exc.exit_code = ExitCode.NOTHING_CHANGED
        raise
    except (ClientError, BotoCoreError) as exc:
        error = (
            explain_client_error(exc)
            if isinstance(exc, ClientError)
            else explain_botocore_error(exc)
        )
        raise OpsError(error.what, error.next_step, exit_code=ExitCode.NOTHING_CHANGED) from None


def images_text(images: dict[str, str | None]) -> str:
    return ", ".join(f"{name}={image or '(not released)'}" for name, image in images.items())


def site_at(log: ReleaseLog, source: ReleaseEntry) -> dict[str, str] | None:
    """The site version that served while `source` was the live release, if the log knows it.

    The newest site a successful entry up to `source` left; else the site the first later
    entry that touched the site found (its `previous_site_version`), which had served since.
    """
    index = log.releases.index(source)
    for entry in reversed(log.releases[: index + 1]):
        if entry.status == "succeeded" and entry.site_version is not None:
            return entry.site_version
    for entry in log.releases[index + 1 :]:
        if entry.previous_site_version is not None:
            return entry.previous_site_version
    return None


class Rollout:
    """The steps a release and a rollback of one stack share."""

    def __init__(
        self,
        aws: Aws,
        outputs: StackOutputs,
        pulumi: PulumiStep,
        store: ReleaseStore,
        *,
        lease: StackLease,
        limits: Limits | None = None,
        project_dir: Path | None = None,
    ) -> None:
        self.aws = aws
        self.outputs = outputs
        self.pulumi = pulumi
        self.store = store
        self.lease = lease
        self.limits = limits or Limits()
        self.project_dir = project_dir
        """The repository (git, for versions and commit order); None: the current directory."""
        self.images = ImageRecord(aws, outputs)
        self.stack = outputs.stack

    # ------------------------------------------------------------------ shared steps

    def _save(self, log: ReleaseLog) -> None:
        self.store.save(log)

    def _save_quietly(self, log: ReleaseLog) -> None:
        # While reporting a failure, a second failure (writing the log) must not hide the first.
        try:
            self.store.save(log)
        except FAILURES as exc:
            ui.warn(f"could not update the release log: {as_text(exc)}")

    def _load(self) -> ReleaseLog:
        """The log, with entries a dead run left `in-progress` closed (we hold the lease)."""
        log = self.store.load()
        stale = log.close_stale(now())
        if stale:
            ui.warn(
                "closed as interrupted (their run stopped without finishing): "
                + ", ".join(entry.id for entry in stale)
            )
            self._save(log)
        return log

    def _record(self, images: dict[str, str | None], previous: dict[str, str | None]) -> None:
        """Write the record all or nothing; a failure is a DeployFailed naming what it holds."""
        self.lease.ensure_held()
        try:
            self.images.replace(images, previous)
        except RecordError as exc:
            if exc.record is None:
                holds = "it could not be read back"
            else:
                holds = f"it holds {images_text(exc.record)}"
            undone = "the images already written were put back; " if exc.undone else ""
            raise DeployFailed(
                f"recording the images failed ({exc.why}); {undone}{holds}"
            ) from None

    def _deploy(self, expected: dict[str, str | None]) -> None:
        """The Pulumi step and the rollout checks, within the deploy limit; raises DeployFailed."""
        self.lease.ensure_held()
        start = self.aws.runtime.clock()
        ui.step(f"pulumi up -s {self.stack}")
        try:
            self.pulumi.up(self.stack, timeout=self.limits.deploy)
        except PulumiError as exc:
            raise DeployFailed(f"pulumi up failed: {exc}") from None
        except FAILURES as exc:
            raise DeployFailed(f"pulumi up failed: {as_text(exc)}") from None
        left = max(self.limits.deploy - (self.aws.runtime.clock() - start), 0.0)
        ui.step("wait for the services to roll out")
        try:
            problems = services.wait_for_rollout(self.aws, self.outputs, expected, timeout=left)
        except FAILURES as exc:
            raise DeployFailed(f"could not confirm the rollout: {as_text(exc)}") from None
        if problems:
            raise DeployFailed("; ".join(problems))
        ui.done("services rolled out")

    def _smoke(self) -> None:
        """The stack file's smoke tests (`ops.smoke`); a failure is a DeployFailed."""
        try:
            problems = run_smoke_tests(self.aws, self.outputs)
        except FAILURES as exc:
            raise DeployFailed(f"smoke tests could not run: {as_text(exc)}") from None
        if problems:
            raise DeployFailed("smoke tests failed: " + "; ".join(problems))

    def _verify(
        self, expected: dict[str, str | None], title: str, tolerated: set[str]
    ) -> VerifyReport:
        try:
            report = verify_stack(
                self.aws, self.outputs, expected, limits=self.limits, tolerated_alarms=tolerated
            )
        except FAILURES as exc:
            raise DeployFailed(f"verify could not run: {as_text(exc)}") from None
        report.show(title)
        if not report.ok:
            raise DeployFailed(f"verify failed: {report.summary()}", report)
        return report

    def _show_outcome(self, names: list[str], intended: dict[str, str | None]) -> None:
        """The record read back, beside what ECS runs: the truth after any failure."""
        record = self.images.read_back(names)
        try:
            states = services.describe(self.aws, self.outputs, names)
            running = {name: states[name].image or "-" for name in names}
        except FAILURES as exc:
            running = dict.fromkeys(names, f"(unknown: {as_text(exc)})")
        rows = [
            [
                name,
                (record[name] or "(none)") if record is not None else "(could not be read)",
                running[name],
                intended.get(name) or "(none)",
            ]
            for name in names
        ]
        ui.table(f"{self.stack} now", ["service", "image record", "ECS runs", "should run"], rows)

    def _go_back(self, log: ReleaseLog, images: dict[str, str | None]) -> str:
        """How to deploy `images` again, by release id when one matches; a release of a
        known-good image when they were never released."""
        for entry in reversed(log.releases):
            if (
                entry.verified
                and any(name in entry.images for name in images)
                and all(entry.images.get(n) == i for n, i in images.items() if i)
            ):
                return f"`golive rollback {self.stack} --to {entry.id}` deploys them again"
        named = " ".join(f"--to {name}={image}" for name, image in images.items() if image)
        if not named:
            return (
                "nothing was released before: get to a working state by releasing a known-good "
                f"image (`golive release {self.stack} --image REF`)"
            )
        return f"`golive rollback {self.stack} {named}` deploys them again"

    def _close(self, log: ReleaseLog, entry: ReleaseEntry, status: Status, message: str) -> None:
        entry.status = status
        entry.finished_at = now()
        entry.message = message
        self._save_quietly(log)

    def _restore(
        self,
        images: dict[str, str | None],
        replaced: dict[str, str | None],
        site_version: dict[str, str] | None,
        tolerated: set[str],
    ) -> Restored:
        """Record and deploy `images` (in place of `replaced`), verify; how it went."""
        try:
            ui.step("record the previous images")
            self._record(images, replaced)
            self._deploy(images)
            if site_version is not None and self.outputs.static_site is not None:
                self.lease.ensure_held()
                site.restore(self.aws, self.outputs.static_site, site_version)
            self._smoke()
            self._verify(images, f"verify {self.stack} after the rollback", tolerated)
        except DeployFailed as exc:
            alarms_only = exc.report is not None and exc.report.alarms_only
            problem = exc.report.summary() if exc.report is not None and alarms_only else exc.what
            return Restored(problem, alarms_only)
        except FAILURES as exc:
            return Restored(as_text(exc))
        return Restored()

    # ------------------------------------------------------------------ rollback
