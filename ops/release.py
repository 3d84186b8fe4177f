"""`golive release` and `golive rollback`: ship an image, and take it back, the same way.

Release, in order (each step prints progress; a failure says what to do next):

1. preflight: with `--site DIR`, the stack has a static site, its bucket is versioned and DIR
   is a site build (exists, not empty, `index.html` at its top); outputs readable, every
   external secret has a value, services stable now, `pulumi preview` shows no pending
   infrastructure change (unless `--with-infra`);
2. backup: a `pre-<release>` RDS snapshot, waited for (when the stack asks for it, which it
   does whenever it protects its data, or with `--backup`);
3. `db-init` (first release only) and `migrate`, with the new image, waited, exit code
   checked. A failure stops here: nothing else was touched, the old version is serving;
4. record the new images in SSM (the stack's one source of truth for images);
5. the Pulumi step (`pulumi up`), then every service must reach `rolloutState == COMPLETED`
   on the new image: a circuit-breaker rollback is a failure even when ECS says "stable";
6. the static site (`--site DIR`) is uploaded and CloudFront invalidated;
7. verify (`ops.verify`).

If 5-7 fail, the previous images are recorded again and the Pulumi step runs again (the same
way a release deploys), the previous site version is restored once the upload has begun (a
half-done upload or an invalidation that never completes included), and the stack is verified
again. The exit is non-zero either way, with the snapshot id and the next step. `rollback`
restores the site that served with the release it goes back to (`_site_at`).

Re-running is safe: a release is identified by its images, so a re-run of an interrupted or
failed release resumes it (the existing snapshot is reused, completed migrations are skipped)
and a re-run of a successful one only verifies (unless `--site` holds another build than the
bucket serves: that is released as a new release of the same images).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from ops import services, site, tasks, ui
from ops.aws import Aws
from ops.backup import take_snapshot
from ops.errors import OpsError, explain_botocore_error, explain_client_error
from ops.external_secrets import require_all_set
from ops.images import resolve
from ops.outputs import StackOutputs
from ops.pulumi_step import PendingChange, PulumiError, PulumiStep
from ops.releases import (
    ImageRecord,
    ReleaseEntry,
    ReleaseLog,
    ReleaseStore,
    now,
    release_id,
    snapshot_name,
)
from ops.verify import verify_stack


@dataclass(frozen=True)
class ReleaseRequest:
    images: dict[str, str]
    """Service -> the tag, digest or reference to release (`ops.images.parse_images`); the
    services not named keep their image."""
    site: Path | None = None
    with_infra: bool = False
    backup: bool = False
    db_init: bool = False


class _DeployFailed(Exception):
    """A step after the image record failed; the release must be rolled back."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _as_text(exc: BaseException) -> str:
    if isinstance(exc, OpsError):
        return exc.what
    if isinstance(exc, ClientError):
        return explain_client_error(exc).what
    if isinstance(exc, BotoCoreError):
        return explain_botocore_error(exc).what
    return str(exc)


def _site_at(log: ReleaseLog, source: ReleaseEntry) -> dict[str, str] | None:
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


class Releaser:
    """Runs releases and rollbacks of one stack."""

    def __init__(
        self, aws: Aws, outputs: StackOutputs, pulumi: PulumiStep, store: ReleaseStore
    ) -> None:
        self.aws = aws
        self.outputs = outputs
        self.pulumi = pulumi
        self.store = store
        self.images = ImageRecord(aws, outputs)
        self.stack = outputs.stack

    # ------------------------------------------------------------------ shared steps

    def _save(self, log: ReleaseLog) -> None:
        self.store.save(log)

    def _save_quietly(self, log: ReleaseLog) -> None:
        # While reporting a failure, a second failure (writing the log) must not hide the first.
        try:
            self.store.save(log)
        except (OpsError, ClientError, BotoCoreError) as exc:
            ui.warn(f"could not update the release log: {_as_text(exc)}")

    def _show_changes(self, changes: list[PendingChange]) -> None:
        rows = [[change.op, change.type, change.name, ", ".join(change.keys)] for change in changes]
        ui.table(
            f"pending infrastructure changes in {self.stack}", ["op", "type", "name", "keys"], rows
        )

    def _preflight_infra(self, with_infra: bool) -> None:
        ui.step(f"pulumi preview -s {self.stack}")
        try:
            changes = self.pulumi.preview(self.stack)
        except PulumiError as exc:
            raise OpsError(
                f"pulumi preview failed: {exc}", "fix the program or the login and re-run"
            ) from None
        if changes and not with_infra:
            self._show_changes(changes)
            raise OpsError(
                f"{len(changes)} pending infrastructure change(s) in {self.stack}: a release must "
                "not carry unrelated infrastructure changes",
                f"review and apply them first (`pulumi up -s {self.stack}`), or pass --with-infra "
                "to release them together",
            )
        if changes:
            self._show_changes(changes)
            ui.warn("releasing these infrastructure changes too (--with-infra)")
        else:
            ui.done("no pending infrastructure change")

    def _deploy(self, expected: dict[str, str | None]) -> None:
        """The Pulumi step and the rollout checks; raises _DeployFailed."""
        ui.step(f"pulumi up -s {self.stack}")
        try:
            self.pulumi.up(self.stack)
        except PulumiError as exc:
            raise _DeployFailed(f"pulumi up failed: {exc}") from None
        except (OpsError, ClientError, BotoCoreError) as exc:
            raise _DeployFailed(f"pulumi up failed: {_as_text(exc)}") from None
        ui.step("wait for the services to roll out")
        try:
            problems = services.wait_for_rollout(self.aws, self.outputs, expected)
        except (OpsError, ClientError, BotoCoreError) as exc:
            raise _DeployFailed(f"could not confirm the rollout: {_as_text(exc)}") from None
        if problems:
            raise _DeployFailed("; ".join(problems))
        ui.done("services rolled out")

    def _verify(self, expected: dict[str, str | None], title: str) -> None:
        try:
            report = verify_stack(self.aws, self.outputs, expected)
        except (OpsError, ClientError, BotoCoreError) as exc:
            raise _DeployFailed(f"verify could not run: {_as_text(exc)}") from None
        report.show(title)
        if not report.ok:
            raise _DeployFailed(f"verify failed: {report.summary()}")

    # ------------------------------------------------------------------ release

    def release(self, request: ReleaseRequest) -> ReleaseEntry:
        names = list(request.images)
        for name in names:
            self.outputs.service(name)
        ui.step(f"preflight {self.stack}")
        if request.site is not None:
            # Before anything else, the verify-only shortcut included: it compares the site.
            self._preflight_site(request.site)
        current = self.images.current(names)
        states = services.describe(self.aws, self.outputs, names)
        target = {
            name: resolve(request.images[name], name, current[name] or states[name].image)
            for name in names
        }
        log = self.store.load()
        latest = log.latest()
        if (
            latest is not None
            and latest.status == "succeeded"
            and all(latest.images.get(name) == target[name] == current[name] for name in names)
            and (request.site is None or self._site_matches(request.site))
        ):
            ui.done(f"{latest.id} already released these images: verifying only")
            try:
                self._verify(dict(current), f"verify {self.stack}")
            except _DeployFailed as exc:
                raise OpsError(exc.what, f"inspect with `golive status {self.stack}`") from None
            return latest

        require_all_set(self.aws, self.outputs)
        unsteady = [state for state in states.values() if not services.is_steady(state)]
        if unsteady:
            detail = "; ".join(
                f"{s.name}: {s.running}/{s.desired} running, rollout {s.rollout_state}, "
                f"{len(s.deployments)} deployments"
                for s in unsteady
            )
            raise OpsError(
                f"services not stable before the release: {detail}",
                f"wait for the current deployment to finish (`golive status {self.stack}`), "
                "then re-run",
            )
        self._preflight_infra(request.with_infra)
        ui.done("preflight passed")

        entry = self._start_entry(log, target, current)
        try:
            self._before_deploy(log, entry, request, target)
        except (OpsError, ClientError, BotoCoreError) as exc:
            entry.status = "failed"
            entry.finished_at = now()
            entry.message = _as_text(exc)
            self._save_quietly(log)
            snapshot = f" The snapshot {entry.snapshot} was taken first." if entry.snapshot else ""
            next_step = exc.next_step if isinstance(exc, OpsError) else "fix the cause and re-run"
            raise OpsError(
                f"release {entry.id} stopped before deploying: {_as_text(exc)}",
                f"the previous version is still serving; nothing was deployed.{snapshot} "
                f"{next_step[:1].upper()}{next_step[1:]}; re-running resumes this release.",
            ) from None

        site_touched = False
        try:
            # Recorded after the migrations and inside the rollback's reach: from here on an
            # infrastructure-only `pulumi up` deploys the new images.
            ui.step("record the released images")
            self.images.write(dict(target))
            if "record" not in entry.steps_done:
                entry.steps_done.append("record")
            self._save(log)
            self._deploy(dict(target))
            if request.site is not None and self.outputs.static_site is not None:
                if entry.previous_site_version is None:
                    # A resumed release keeps the site from before its first attempt.
                    entry.previous_site_version = site.current_version(
                        self.aws, self.outputs.static_site
                    )
                    self._save(log)
                # From the first object written (not only after a complete upload and
                # invalidation), a failure must put the previous site back.
                site_touched = True
                entry.site_version = site.upload(self.aws, self.outputs.static_site, request.site)
                if "site" not in entry.steps_done:
                    entry.steps_done.append("site")
            self._verify(dict(target), f"verify {self.stack} after {entry.id}")
        except (_DeployFailed, OpsError, ClientError, BotoCoreError) as exc:
            self._roll_back_release(log, entry, _as_text(exc), restore_site=site_touched)
        entry.status = "succeeded"
        entry.finished_at = now()
        entry.steps_done.append("verify")
        self._save(log)
        ui.done(
            f"released {entry.id} to {self.stack}: "
            + ", ".join(f"{name}={image}" for name, image in target.items())
        )
        return entry

    def _preflight_site(self, directory: Path) -> None:
        if self.outputs.static_site is None:
            raise OpsError(
                f"--site given but stack {self.stack} has no static site (no `staticSite` in "
                "its outputs)",
                "enable `frontend` in the stack file and `pulumi up`, or drop --site",
            )
        site.site_files(directory)
        site.require_versioning(self.aws, self.outputs.static_site)

    def _site_matches(self, directory: Path) -> bool:
        if self.outputs.static_site is None:
            return False
        if site.matches(self.aws, self.outputs.static_site, directory):
            return True
        ui.info("the site differs from the one served: releasing it")
        return False

    def _start_entry(
        self, log: ReleaseLog, target: dict[str, str], current: dict[str, str | None]
    ) -> ReleaseEntry:
        latest = log.latest()
        if (
            latest is not None
            and latest.kind == "release"
            and latest.status in {"in-progress", "failed", "rolled-back"}
            and latest.images == target
        ):
            ui.info(f"resuming {latest.id} (steps done: {', '.join(latest.steps_done) or 'none'})")
            latest.status = "in-progress"
            self._save(log)
            return latest
        entry = ReleaseEntry(
            id=release_id(len(log.releases) + 1, target),
            images=dict(target),
            previous=dict(current),
            started_at=now(),
        )
        log.releases.append(entry)
        self._save(log)
        ui.info(f"release {entry.id}")
        return entry

    def _before_deploy(
        self, log: ReleaseLog, entry: ReleaseEntry, request: ReleaseRequest, target: dict[str, str]
    ) -> None:
        if (
            self.outputs.backup_before_release or request.backup
        ) and "backup" not in entry.steps_done:
            snapshot = take_snapshot(
                self.aws,
                self.outputs,
                snapshot_name(self.outputs, f"pre-{entry.id}"),
                "pre-release",
            )
            entry.snapshot = snapshot.identifier
            entry.steps_done.append("backup")
            self._save(log)
        if (
            "db-init" in self.outputs.tasks
            and (request.db_init or not log.db_initialized())
            and "db-init" not in entry.steps_done
        ):
            self._run_one_off(entry, "db-init", None)
            entry.steps_done.append("db-init")
            self._save(log)
        migrate = self.outputs.tasks.get("migrate")
        if migrate is not None and migrate.service in target:
            if "migrate" in entry.steps_done:
                ui.info("migrate already ran for this release: skipped")
            else:
                self._run_one_off(entry, "migrate", target[migrate.service])
                entry.steps_done.append("migrate")
                self._save(log)

    def _run_one_off(self, entry: ReleaseEntry, name: str, image: str | None) -> None:
        result = tasks.run_task(self.aws, self.outputs, name, image=image)
        if not result.succeeded:
            snapshot = (
                f"; snapshot {entry.snapshot} holds the data from before it (not restored "
                "automatically: see docs/runbook.md, 'Restore from a snapshot')"
                if entry.snapshot
                else ""
            )
            raise OpsError(
                tasks.describe_failure(name, result),
                f"read its logs (`aws logs tail {self.outputs.task(name).log_group_name}`), fix "
                f"the {name} step{snapshot}",
            )

    def _roll_back_release(
        self, log: ReleaseLog, entry: ReleaseEntry, why: str, *, restore_site: bool
    ) -> None:
        site_version = entry.previous_site_version if restore_site else None
        also = " and site" if site_version is not None else ""
        ui.failure(
            f"release {entry.id} failed: {why}", f"rolling back to the previous images{also}"
        )
        entry.message = why
        previous = {name: entry.previous.get(name) for name in entry.images}
        result = self._restore(previous, site_version)
        entry.status = "rolled-back" if result is None else "failed"
        entry.finished_at = now()
        self._save_quietly(log)
        snapshot = (
            f" Snapshot {entry.snapshot} holds the database from before the migration (not "
            "restored: the migration ran and the previous version runs against the migrated "
            "schema; restore only if data was damaged, see docs/runbook.md)."
            if entry.snapshot
            else ""
        )
        shown = ", ".join(f"{name}={image or '(not released)'}" for name, image in previous.items())
        if site_version is not None:
            shown += ", the previous site"
        if result is None:
            raise OpsError(
                f"release {entry.id} failed ({why}); rolled back and verified: {shown}",
                f"the previous version is serving.{snapshot} Fix the cause, then release again.",
            )
        raise OpsError(
            f"release {entry.id} failed ({why}) and the rollback did not verify: {result}",
            f"the image record points at the previous images ({shown}); check `golive status "
            f"{self.stack}`, then run `golive rollback {self.stack}` or `pulumi up -s "
            f"{self.stack}` once the cause is fixed.{snapshot}",
        )

    def _restore(
        self, previous: dict[str, str | None], site_version: dict[str, str] | None
    ) -> str | None:
        """Record and deploy `previous` again; None when it verified, else what failed."""
        try:
            ui.step("record the previous images")
            self.images.write(previous)
            self._deploy(previous)
            if site_version is not None and self.outputs.static_site is not None:
                site.restore(self.aws, self.outputs.static_site, site_version)
            self._verify(previous, f"verify {self.stack} after the rollback")
        except (_DeployFailed, OpsError, ClientError, BotoCoreError) as exc:
            return _as_text(exc)
        return None

    # ------------------------------------------------------------------ rollback

    def rollback(self, to: dict[str, str] | None, names: list[str] | None) -> ReleaseEntry:
        """Roll back `names` (default: every service) to the previous successful release, or
        the services of `to` (service -> tag, digest or reference) to those images."""
        names = list(to) if to is not None else names or list(self.outputs.services)
        current = self.images.current(names)
        log = self.store.load()
        source: ReleaseEntry | None = None
        if to is not None:
            states = services.describe(self.aws, self.outputs, names)
            target: dict[str, str | None] = {
                name: resolve(to[name], name, current[name] or states[name].image) for name in names
            }
        else:
            source = log.rollback_target(current)
            if source is None:
                raise OpsError(
                    f"no earlier successful release of {self.stack} is recorded to roll back to",
                    f"name the image: `golive rollback {self.stack} --to TAG` (or --to "
                    "SERVICE=TAG per service)",
                )
            target = {name: source.images.get(name, current[name]) for name in names}
        ui.step("roll back to " + ", ".join(f"{name}={image}" for name, image in target.items()))
        rolled_back = [
            entry
            for entry in log.releases
            if entry.status == "succeeded"
            # Only releases that touched a service being rolled back (a worker-only release
            # is not undone by rolling back the api).
            and any(name in entry.images for name in names)
            and all(entry.images.get(name, current[name]) == current[name] for name in names)
        ]
        entry = ReleaseEntry(
            id=release_id(len(log.releases) + 1, {k: v or "" for k, v in target.items()}),
            kind="rollback",
            images={name: image for name, image in target.items() if image is not None},
            previous=dict(current),
            started_at=now(),
        )
        site_version = _site_at(log, source) if source is not None else None
        if self.outputs.static_site is not None and site_version is None:
            why = "--to rolls back images only" if source is None else "no site version recorded"
            ui.warn(f"the static site is left as it is ({why})")
        entry.site_version = site_version
        log.releases.append(entry)
        self._save(log)
        result = self._restore(target, site_version)
        entry.finished_at = now()
        if result is not None:
            entry.status = "failed"
            entry.message = result
            self._save_quietly(log)
            raise OpsError(
                f"rollback of {self.stack} did not verify: {result}",
                f"check `golive status {self.stack}`; roll back further with `golive rollback "
                f"{self.stack} --to TAG` (a known-good image), or fix forward with a release",
            )
        entry.status = "succeeded"
        # Every release since the source is taken back (a re-release of the same images with
        # another site is a release of its own); with --to, the latest one.
        if source is not None:
            after = log.releases.index(source)
            undone = [e for e in rolled_back if log.releases.index(e) > after]
        else:
            undone = rolled_back[-1:]
        for undone_entry in undone:
            undone_entry.status = "rolled-back"
        self._save(log)
        snapshots = [e.snapshot for e in undone if e.snapshot][:1]
        ui.done(f"rolled back {self.stack} ({entry.id})")
        if snapshots:
            ui.info(
                f"the release rolled back took snapshot {snapshots[0]} before migrating; restore "
                "it only if that migration damaged data (docs/runbook.md)"
            )
        return entry
