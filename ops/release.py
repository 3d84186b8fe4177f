"""`golive release` and `golive rollback`: ship an image, and take it back, the same way.

Release, in order (each step prints progress; a failure says what to do next; the checks of
step 1 are in `ops.preflight`, the steps 4-7 share with a rollback in `ops.rollout`):

0. input: the images are valid references (`ops.images`) and exist (`ops.registry`), before
   anything else; then the stack's lease is taken (`ops.lease`): one release or rollback per
   stack at a time. An entry an earlier run left `in-progress` is closed as `interrupted`;
1. preflight: with `--site DIR`, the stack has a static site, its bucket is versioned and DIR
   is a site build; every external secret has a value, services stable now, no alarm in ALARM
   (except those of services never released, which have no task yet, and those `--allow-alarm`
   names: neither is held against the release), `pulumi preview` shows no pending
   infrastructure change (unless `--with-infra`; a change AWS already holds for the maintenance
   window is shown, not held against it: `ops.maintenance`);
2. backup: a `pre-<release>` RDS snapshot, waited for (when the stack asks for it, which it
   does whenever it protects its data, or with `--backup`);
3. `db-init` (first release only) and the tasks the stack file marks `runOnRelease`
   (`releaseTasks`: migrations), with the new image, waited, exit code checked. A failure
   stops here: nothing else was touched, the old version is serving;
4. record the new images in SSM (the stack's one source of truth for images), all or nothing;
5. the Pulumi step (`pulumi up`), then every service must reach `rolloutState == COMPLETED`
   on the new image: both within `--deploy-timeout` (15 minutes);
6. the static site (`--site DIR`) is uploaded and CloudFront invalidated;
7. verify (`ops.verify`), watching the alarms for `--watch` seconds after the rollout.

If 4-7 fail, the previous images are recorded again and the Pulumi step runs again (the same
way a release deploys), the previous site version is restored once the upload has begun, and
the stack is verified again. Whatever the outcome, the image record is read back and shown
beside what ECS runs, and the exit code says which case it is (`ExitCode`): stopped before any
change (3), rolled back (4), rollback failed (5), interrupted (130). Advice never makes things
worse: after a rollback that only waits on alarms it says to wait and verify, and it names the
release to go back to by id, never "roll back" again (which would take the healthy previous
release away too).

Ctrl-C or SIGTERM: Pulumi is asked to cancel and waited for (`ops.pulumi_step`), the record is
put back, the entry is marked `interrupted`, and the message says what runs. A one-off task
keeps running in ECS; the entry remembers it, and the re-run waits for it.

Re-running is safe: a release is identified by its images, so a re-run of an interrupted or
failed release resumes it (the existing snapshot is reused, completed migrations are skipped,
a migration still running is waited for) and a re-run of a successful one only verifies
(unless `--site` holds another build than the bucket serves: that is released as a new release
of the same images).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from ops import preflight, services, site, tasks, ui
from ops.backup import take_snapshot
from ops.errors import ExitCode, OpsError
from ops.external_secrets import require_all_set
from ops.images import resolve_all
from ops.interrupts import Interrupted
from ops.registry import require_images
from ops.releases import RecordError, ReleaseEntry, ReleaseLog, now, release_id, snapshot_name
from ops.rollout import (
    FAILURES,
    DeployFailed,
    Rollout,
    as_text,
    before_any_change,
    images_text,
    site_at,
)
from ops.verify import firing_alarms
from ops.versions import pin_all


@dataclass(frozen=True)
class ReleaseRequest:
    images: dict[str, str]
    """Service -> the tag, digest or reference to release (`ops.images.parse_images`); the
    services not named keep their image."""
    site: Path | None = None
    with_infra: bool = False
    backup: bool = False
    db_init: bool = False
    allow_alarms: tuple[str, ...] = ()
    """Alarms in ALARM before the release that it may go ahead despite (not held against it)."""
    commit: str | None = None
    """The commit the images were built from (CI's `GITHUB_SHA`): recorded, and a release of
    an older commit than the one released last is refused (`preflight.check_commit_order`)."""


class Releaser(Rollout):
    """Runs releases and rollbacks of one stack."""

    # ------------------------------------------------------------------ release

    def release(self, request: ReleaseRequest) -> ReleaseEntry:
        names = list(request.images)
        with before_any_change():
            for name in names:
                self.outputs.service(name)
            ui.step(f"check the input for {self.stack}")
            if request.site is not None:
                # Before anything else, the verify-only shortcut included: it compares the site.
                preflight.check_site(self.aws, self.outputs, request.site)
            current = self.images.current(names)
            states = services.describe(self.aws, self.outputs, names)
            known = {name: current[name] or states[name].image for name in names}
            asked = pin_all(self.aws, request.images, known, self.project_dir)
            target = resolve_all(asked, known)
            require_images(self.aws, dict(target), "release")
            self.lease.acquire(f"golive release {self.stack} {images_text(dict(target))}")
        with self.lease.keeping():
            return self._release(request, names, current, states, target)

    def _release(
        self,
        request: ReleaseRequest,
        names: list[str],
        current: dict[str, str | None],
        states: dict[str, services.ServiceState],
        target: dict[str, str],
    ) -> ReleaseEntry:
        with before_any_change():
            log = self._load()
        latest = log.latest()
        if (
            latest is not None
            and latest.status == "succeeded"
            and all(latest.images.get(name) == target[name] == current[name] for name in names)
            and (request.site is None or self._serves(request.site))
        ):
            ui.done(f"{latest.id} already released these images: verifying only")
            try:
                self._verify(dict(current), f"verify {self.stack}", set(request.allow_alarms))
            except DeployFailed as exc:
                raise OpsError(exc.what, f"inspect with `golive status {self.stack}`") from None
            return latest

        ui.step(f"preflight {self.stack}")
        with before_any_change():
            preflight.check_commit_order(log, request.commit, self.project_dir)
            require_all_set(self.aws, self.outputs)
            preflight.require_steady(self.stack, states)
            tolerated = preflight.tolerable_alarms(
                self.aws,
                self.outputs,
                self.images.current(list(self.outputs.services)),
                request.allow_alarms,
            )
            preflight.check_infra(self.aws, self.pulumi, self.stack, request.with_infra)
        ui.done("preflight passed")

        entry = self._start_entry(log, target, current, request.commit)
        try:
            self._before_deploy(log, entry, request, target)
        except Interrupted as signal:
            self._close(log, entry, "interrupted", f"interrupted ({signal.name})")
            raise self._stopped_before_deploy(entry, f"interrupted ({signal.name})") from None
        except FAILURES as exc:
            self._close(log, entry, "failed", as_text(exc))
            raise self._stopped_before_deploy(entry, as_text(exc), exc) from None

        site_touched = False
        try:
            # Recorded after the migrations and inside the rollback's reach: from here on an
            # infrastructure-only `pulumi up` deploys the new images.
            ui.step("record the released images")
            self._record(dict(target), current)
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
                self.lease.ensure_held()
                entry.site_version = site.upload(self.aws, self.outputs.static_site, request.site)
                if "site" not in entry.steps_done:
                    entry.steps_done.append("site")
            self._smoke()
            self._verify(dict(target), f"verify {self.stack} after {entry.id}", tolerated)
        except Interrupted as signal:
            self._interrupted(log, entry, current, signal)
        except (DeployFailed, *FAILURES) as exc:
            why = exc.what if isinstance(exc, DeployFailed | OpsError) else as_text(exc)
            self._roll_back_release(log, entry, why, restore_site=site_touched, tolerated=tolerated)
        entry.status = "succeeded"
        entry.finished_at = now()
        entry.steps_done.append("verify")
        self._save(log)
        ui.done(f"released {entry.id} to {self.stack}: {images_text(dict(target))}")
        return entry

    def _serves(self, directory: Path) -> bool:
        return preflight.site_matches(self.aws, self.outputs, directory)

    def _stopped_before_deploy(
        self, entry: ReleaseEntry, why: str, exc: BaseException | None = None
    ) -> OpsError:
        """The release stopped before the record (exc None: interrupted)."""
        snapshot = f" The snapshot {entry.snapshot} was taken first." if entry.snapshot else ""
        running = ""
        if entry.running_task:
            running = (
                f" Task {entry.running_task['name']} ({entry.running_task['arn']}) is still "
                "running in ECS: re-running waits for it instead of starting another."
            )
        if exc is None:
            then, code = "Re-run the same command to resume this release.", ExitCode.INTERRUPTED
        else:
            step = exc.next_step if isinstance(exc, OpsError) else "fix the cause and re-run"
            then = f"{step[:1].upper()}{step[1:]}; re-running resumes this release."
            code = ExitCode.NOTHING_CHANGED
        return OpsError(
            f"release {entry.id} stopped before deploying: {why}",
            "the previous version is still serving; nothing was deployed and the image record "
            f"is unchanged.{snapshot}{running} {then}",
            exit_code=code,
        )

    def _start_entry(
        self,
        log: ReleaseLog,
        target: dict[str, str],
        current: dict[str, str | None],
        commit: str | None,
    ) -> ReleaseEntry:
        latest = log.latest()
        if (
            latest is not None
            and latest.kind == "release"
            and latest.status in {"failed", "rolled-back", "interrupted"}
            and latest.images == target
        ):
            ui.info(f"resuming {latest.id} (steps done: {', '.join(latest.steps_done) or 'none'})")
            latest.status = "in-progress"
            latest.finished_at = None
            self._save(log)
            return latest
        entry = ReleaseEntry(
            id=release_id(len(log.releases) + 1, target),
            images=dict(target),
            previous=dict(current),
            commit=commit,
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
            self.lease.ensure_held()
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
            self._run_one_off(log, entry, "db-init", None)
        for name in self.outputs.release_tasks:
            task = self.outputs.task(name)
            if task.service not in target:
                continue
            if name in entry.steps_done:
                ui.info(f"{name} already ran for this release: skipped")
            else:
                self._run_one_off(log, entry, name, target[task.service])

    def _run_one_off(
        self, log: ReleaseLog, entry: ReleaseEntry, name: str, image: str | None
    ) -> None:
        result = None
        if entry.running_task and entry.running_task["name"] == name:
            result = tasks.resume_task(self.aws, self.outputs, name, entry.running_task["arn"])
            if result is None:
                ui.warn(f"ECS no longer knows {entry.running_task['arn']}: running {name} again")
        if result is None:
            self.lease.ensure_held()

            def started(task_arn: str) -> None:
                entry.running_task = {"name": name, "arn": task_arn}
                self._save(log)

            result = tasks.run_task(self.aws, self.outputs, name, image=image, on_started=started)
        entry.running_task = None
        if not result.succeeded:
            self._save_quietly(log)
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
        entry.steps_done.append(name)
        self._save(log)

    def _interrupted(
        self,
        log: ReleaseLog,
        entry: ReleaseEntry,
        previous: dict[str, str | None],
        signal: Interrupted,
    ) -> NoReturn:
        """After Ctrl-C/SIGTERM past the record: put the record back, say what runs, stop."""
        names = list(entry.images)
        ui.step("interrupted: putting the previous image record back")
        try:
            self.images.replace({name: previous.get(name) for name in names}, dict(entry.images))
            record_note = "the image record names the previous images again"
        except RecordError as exc:
            record_note = f"the image record could not be put back ({exc.why})"
        self._close(log, entry, "interrupted", f"interrupted ({signal.name}); {record_note}")
        self._show_outcome(names, {name: previous.get(name) for name in names})
        raise OpsError(
            f"release {entry.id} interrupted ({signal.name}) while deploying; {record_note}",
            "services may be half-updated (the table above shows what ECS runs). Re-run the same "
            "`golive release` to finish this release; or, for the previous images: "
            + self._go_back(log, {name: previous.get(name) for name in names}),
            exit_code=ExitCode.INTERRUPTED,
        )

    def _roll_back_release(
        self,
        log: ReleaseLog,
        entry: ReleaseEntry,
        why: str,
        *,
        restore_site: bool,
        tolerated: set[str],
    ) -> NoReturn:
        site_version = entry.previous_site_version if restore_site else None
        also = " and site" if site_version is not None else ""
        ui.failure(
            f"release {entry.id} failed: {why}", f"rolling back to the previous images{also}"
        )
        entry.message = why
        previous = {name: entry.previous.get(name) for name in entry.images}
        try:
            outcome = self._restore(previous, dict(entry.images), site_version, tolerated)
        except Interrupted as signal:
            self._close(log, entry, "interrupted", f"{why}; rollback interrupted ({signal.name})")
            self._show_outcome(list(previous), previous)
            raise OpsError(
                f"release {entry.id} failed ({why}) and its rollback was interrupted "
                f"({signal.name})",
                "services may be half-updated (the table above shows what ECS runs); to finish "
                f"the rollback: {self._go_back(log, previous)}",
                exit_code=ExitCode.INTERRUPTED,
            ) from None
        entry.status = "rolled-back" if outcome.problem is None or outcome.alarms_only else "failed"
        entry.finished_at = now()
        self._save_quietly(log)
        self._show_outcome(list(previous), previous)
        snapshot = (
            f" Snapshot {entry.snapshot} holds the database from before the migration (not "
            "restored: the migration ran and the previous version runs against the migrated "
            "schema; restore only if data was damaged, see docs/runbook.md)."
            if entry.snapshot
            else ""
        )
        shown = images_text(previous) + (", the previous site" if site_version else "")
        if outcome.problem is None:
            raise OpsError(
                f"release {entry.id} failed ({why}); rolled back and verified: {shown}",
                f"the previous version is serving.{snapshot} Fix the cause, then release again.",
                exit_code=ExitCode.ROLLED_BACK,
            )
        if outcome.alarms_only:
            raise OpsError(
                f"release {entry.id} failed ({why}); rolled back to {shown}: services, targets "
                f"and health check verified, but {outcome.problem}",
                f"the previous version is serving. The alarm fired during the failed release and "
                f"clears after its evaluation periods: wait a few minutes, then `golive verify "
                f"{self.stack}`. Do not roll back again: that would take the previous release "
                f"away too.{snapshot}",
                exit_code=ExitCode.ROLLED_BACK,
            )
        raise OpsError(
            f"release {entry.id} failed ({why}) and the rollback did not verify: {outcome.problem}",
            "a person must look: the table above shows the image record and what ECS runs. Once "
            f"the cause is fixed: {self._go_back(log, previous)} (not `golive rollback "
            f"{self.stack}` alone: it would go back one release further).{snapshot}",
            exit_code=ExitCode.NEEDS_A_PERSON,
        )

    def rollback(
        self, to: dict[str, str] | None, names: list[str] | None, to_release: str | None = None
    ) -> ReleaseEntry:
        """Roll back `names` (default: every service) to the previous successful release, to
        the release `to_release` (an id `golive status` shows), or the services of `to`
        (service -> tag, digest or reference) to those images."""
        names = list(to) if to is not None else names or list(self.outputs.services)
        with before_any_change():
            for name in names:
                self.outputs.service(name)
            current = self.images.current(names)
            target: dict[str, str | None] | None = None
            if to is not None:
                states = services.describe(self.aws, self.outputs, names)
                known = {name: current[name] or states[name].image for name in names}
                asked = pin_all(self.aws, to, known, self.project_dir)
                target = dict(resolve_all(asked, known))
                require_images(self.aws, target, "rollback")
            asked = to_release or (images_text(target) if target else "the previous release")
            self.lease.acquire(f"golive rollback {self.stack} to {asked}")
        with self.lease.keeping():
            with before_any_change():
                log = self._load()
                source: ReleaseEntry | None = None
                if to_release is not None:
                    source = self._release_by_id(log, to_release, names)
                    target = {name: source.images.get(name, current[name]) for name in names}
                elif target is None:
                    source = log.rollback_target(current)
                    if source is None:
                        raise self._nothing_to_roll_back_to(log)
                    target = {name: source.images.get(name, current[name]) for name in names}
                if to is None:
                    require_images(self.aws, target, "rollback")
                # The program checked out may be ahead of what runs (a merge whose
                # infrastructure waits for review): a rollback deploys images, nothing else.
                preflight.check_infra(self.aws, self.pulumi, self.stack, False, doing="rollback")
            return self._rollback(log, names, current, target, source)

    def _release_by_id(self, log: ReleaseLog, release: str, names: list[str]) -> ReleaseEntry:
        entry = log.find(release)
        if entry is None:
            known = ", ".join(e.id for e in log.releases[-8:]) or "none"
            raise OpsError(
                f"no release {release} in the log of {self.stack} (latest: {known})",
                f"pick an id from `golive status {self.stack}`",
                exit_code=ExitCode.USAGE,
            )
        if not entry.verified:
            raise OpsError(
                f"{release} never served verified (status {entry.status}): it is no state to go "
                "back to",
                f"pick a release that succeeded (`golive status {self.stack}`)",
                exit_code=ExitCode.NOTHING_CHANGED,
            )
        if not any(name in entry.images for name in names):
            raise OpsError(
                f"{release} released none of {', '.join(names)} (it released "
                f"{', '.join(entry.images)})",
                "pick a release of these services, or --service the ones it released",
                exit_code=ExitCode.USAGE,
            )
        return entry

    def _nothing_to_roll_back_to(self, log: ReleaseLog) -> OpsError:
        if not any(entry.status == "succeeded" for entry in log.releases):
            return OpsError(
                f"no release of {self.stack} has succeeded yet, so there is nothing to roll "
                "back to",
                f"get to a working state by releasing a known-good image: `golive release "
                f"{self.stack} --image REF` (or --image SERVICE=REF per service)",
                exit_code=ExitCode.NOTHING_CHANGED,
            )
        return OpsError(
            f"no earlier successful release of {self.stack} is recorded to roll back to",
            f"name the image: `golive rollback {self.stack} --to TAG` (or --to SERVICE=TAG per "
            "service), or release a known-good image",
            exit_code=ExitCode.NOTHING_CHANGED,
        )

    def _rollback(
        self,
        log: ReleaseLog,
        names: list[str],
        current: dict[str, str | None],
        target: dict[str, str | None],
        source: ReleaseEntry | None,
    ) -> ReleaseEntry:
        ui.step("roll back to " + images_text(target))
        tolerated = {
            str(alarm["AlarmName"])
            for alarm in (
                firing_alarms(self.aws, self.outputs.alarm_topic_arn)
                if self.outputs.alarm_topic_arn
                else []
            )
        }
        if tolerated:
            ui.warn("in ALARM before the rollback: " + ", ".join(sorted(tolerated)))
        entry = ReleaseEntry(
            id=release_id(len(log.releases) + 1, {k: v or "" for k, v in target.items()}),
            kind="rollback",
            images={name: image for name, image in target.items() if image is not None},
            previous=dict(current),
            started_at=now(),
        )
        site_version = site_at(log, source) if source is not None else None
        if self.outputs.static_site is not None and site_version is None:
            why = "--to rolls back images only" if source is None else "no site version recorded"
            ui.warn(f"the static site is left as it is ({why})")
        entry.site_version = site_version
        undone = self._undone_by(log, names, current, target, source)
        log.releases.append(entry)
        self._save(log)
        try:
            # Alarms firing now are what the rollback is for: verified, they only ask for a wait.
            outcome = self._restore(target, current, site_version, set())
        except Interrupted as signal:
            self._rollback_stopped(log, entry, current, target, f"interrupted ({signal.name})")
        entry.finished_at = now()
        if outcome.problem is not None and not outcome.alarms_only:
            self._rollback_stopped(log, entry, current, target, outcome.problem)
        entry.status = "succeeded"
        entry.message = outcome.problem or ""
        for undone_entry in undone:
            undone_entry.status = "rolled-back"
        self._save(log)
        snapshots = [e.snapshot for e in undone if e.snapshot][:1]
        if snapshots:
            ui.info(
                f"the release rolled back took snapshot {snapshots[0]} before migrating; restore "
                "it only if that migration damaged data (docs/runbook.md)"
            )
        if outcome.alarms_only:
            raise OpsError(
                f"rolled back {self.stack} ({entry.id}) to {images_text(target)}: services, "
                f"targets and health check verified, but {outcome.problem}",
                f"the rolled-back version is serving. Alarms clear after their evaluation "
                f"periods: wait a few minutes, then `golive verify {self.stack}`. Do not roll "
                "back again unless the verify then fails for something else.",
                exit_code=ExitCode.ROLLED_BACK,
            )
        ui.done(f"rolled back {self.stack} ({entry.id})")
        return entry

    def _undone_by(
        self,
        log: ReleaseLog,
        names: list[str],
        current: dict[str, str | None],
        target: dict[str, str | None],
        source: ReleaseEntry | None,
    ) -> list[ReleaseEntry]:
        """The succeeded releases this rollback takes back: those live now (their images are
        the record's), later than the source, and not what the rollback goes to."""
        live = [
            entry
            for entry in log.releases
            if entry.status == "succeeded"
            # Only releases that touched a service being rolled back (a worker-only release
            # is not undone by rolling back the api).
            and any(name in entry.images for name in names)
            and all(entry.images.get(name, current[name]) == current[name] for name in names)
            and any(entry.images.get(name, target[name]) != target[name] for name in names)
        ]
        if source is not None:
            after = log.releases.index(source)
            return [e for e in live if log.releases.index(e) > after]
        return live[-1:]

    def _rollback_stopped(
        self,
        log: ReleaseLog,
        entry: ReleaseEntry,
        current: dict[str, str | None],
        target: dict[str, str | None],
        problem: str,
    ) -> NoReturn:
        """A rollback that failed: put the record back as it was, say what runs; raise."""
        interrupted = problem.startswith("interrupted")
        try:
            self.images.replace(current, target)
            record_note = "the image record names the images from before the rollback again"
        except RecordError as exc:
            record_note = f"the image record could not be put back ({exc.why})"
        entry.status = "interrupted" if interrupted else "failed"
        entry.finished_at = now()
        entry.message = f"{problem}; {record_note}"
        self._save_quietly(log)
        self._show_outcome(list(current), current)
        raise OpsError(
            f"rollback of {self.stack} {'was ' if interrupted else 'did not verify: '}{problem}; "
            f"{record_note}",
            "a person must look: the table above shows the image record and what ECS runs. "
            f"Then roll back to a release named by id (`golive status {self.stack}` lists them: "
            f"`golive rollback {self.stack} --to RELEASE_ID`), or fix forward with a release",
            exit_code=ExitCode.INTERRUPTED if interrupted else ExitCode.NEEDS_A_PERSON,
        )
