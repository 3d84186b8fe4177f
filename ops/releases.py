"""Where releases are recorded: the released image per service, and the release log.

**Released images** (the one source of truth the stack layer reads): the SSM String parameter
`/golive/<app>/<stack>/images/<service>` (the `imageParameter` output) holds the full image
reference. Only this CLI writes it. A missing parameter means "never released": the program
then runs the service at 0 tasks. SSM writes one parameter at a time, so `ImageRecord.replace`
makes a change all-or-nothing as far as it can: when a write fails, the parameters already
written are put back, and the error says what the record holds afterwards (read back) or that
it could not be read.

**Release log**: one JSON object per stack, `golive/releases/<app>/<stack>.json`, in the state
bucket (`--state-bucket`, default `golive-state-<account>-<region>` as `golive bootstrap`
names it). That bucket is versioned and KMS-encrypted, so every earlier log survives. Each
entry records the images released, the images they replaced, the pre-release snapshot, the
steps completed, a one-off task still running, the static-site version and a status
(`in-progress`, `succeeded`, `failed`, `rolled-back`, `interrupted`; an entry a dead run left
`in-progress` is closed as `interrupted` by the next run that holds the stack's lease). Writes
are conditional on the ETag read (S3 conditional writes), a second guard behind the lease
(`ops.lease`): two runs cannot silently overwrite each other's record.

`rollback` without `--to` goes back to the newest `succeeded` entry whose images differ from
the ones released now; the entry it leaves is marked `rolled-back` and never chosen again.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ValidationError

from ops.aws import Aws
from ops.errors import OpsError, error_code, explain_botocore_error, explain_client_error
from ops.outputs import StackName, StackOutputs

Status = Literal["in-progress", "succeeded", "failed", "rolled-back", "interrupted"]
RELEASE_ID = re.compile(r"^r\d{4,}-[0-9a-f]{8}$")


def now() -> datetime:
    return datetime.now(UTC)


class ReleaseEntry(BaseModel):
    id: str
    kind: Literal["release", "rollback"] = "release"
    images: dict[str, str]
    """Service -> image this entry released."""
    previous: dict[str, str | None] = {}
    """Service -> image it replaced (None: the service had never been released)."""
    commit: str | None = None
    """The commit the released images were built from, when the release named it (CI does)."""
    status: Status = "in-progress"
    snapshot: str | None = None
    steps_done: list[str] = []
    site_version: dict[str, str] | None = None
    """Static-site key -> S3 version id uploaded by this entry."""
    previous_site_version: dict[str, str] | None = None
    running_task: dict[str, str] | None = None
    """`{"name": ..., "arn": ...}` of a one-off task started and not yet seen to stop: a resumed
    release waits for it instead of starting another."""
    started_at: datetime
    finished_at: datetime | None = None
    message: str = ""

    @property
    def verified(self) -> bool:
        """It once served, verified (a release rolled back later, too)."""
        return self.status == "succeeded" or "verify" in self.steps_done


class ReleaseLog(BaseModel):
    app: str
    stack: str
    releases: list[ReleaseEntry] = []

    def latest(self) -> ReleaseEntry | None:
        return self.releases[-1] if self.releases else None

    def find(self, release: str) -> ReleaseEntry | None:
        return next((entry for entry in self.releases if entry.id == release), None)

    def last_good(self, names: list[str]) -> dict[str, str | None]:
        """Service -> the image its newest succeeded entry released (None: never released)."""
        found: dict[str, str | None] = dict.fromkeys(names)
        for name in names:
            for entry in reversed(self.releases):
                if entry.status == "succeeded" and name in entry.images:
                    found[name] = entry.images[name]
                    break
        return found

    def last_good_entry(self) -> ReleaseEntry | None:
        return next((e for e in reversed(self.releases) if e.status == "succeeded"), None)

    def close_stale(self, now: datetime) -> list[ReleaseEntry]:
        """Mark entries a dead run left `in-progress` as `interrupted`; the ones closed.

        Only a run holding the stack's lease calls this, so no live run owns them.
        """
        stale = [entry for entry in self.releases if entry.status == "in-progress"]
        for entry in stale:
            entry.status = "interrupted"
            entry.finished_at = now
            entry.message = (entry.message + "; " if entry.message else "") + (
                "closed by the next run: it never finished (interrupted or killed)"
            )
        return stale

    def db_initialized(self) -> bool:
        return any("db-init" in entry.steps_done for entry in self.releases)

    def rollback_target(self, current: dict[str, str | None]) -> ReleaseEntry | None:
        """The newest succeeded entry whose images differ from the ones released now."""
        for entry in reversed(self.releases):
            if entry.status != "succeeded":
                continue
            relevant = {name: entry.images.get(name) for name in current}
            if any(
                image is not None and image != current[name] for name, image in relevant.items()
            ):
                return entry
        return None


def release_id(sequence: int, images: dict[str, str]) -> str:
    """`r0007-1a2b3c4d`: ordered, and the same for a re-run of the same release."""
    digest = hashlib.sha256(json.dumps(images, sort_keys=True).encode()).hexdigest()[:8]
    return f"r{sequence:04d}-{digest}"


def snapshot_name(outputs: StackOutputs, label: str) -> str:
    """An RDS snapshot identifier: letters, digits, single hyphens, starting with a letter."""
    raw = f"{outputs.app}-{outputs.stack}-{label}".lower()
    cleaned = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")
    if not cleaned[:1].isalpha():
        cleaned = f"golive-{cleaned}"
    return cleaned[:255].rstrip("-")


class ImageRecord:
    """The released-image SSM parameters of a stack."""

    def __init__(self, aws: Aws, outputs: StackOutputs) -> None:
        self.aws = aws
        self.outputs = outputs

    def current(self, services: list[str] | None = None) -> dict[str, str | None]:
        names = services if services is not None else list(self.outputs.services)
        # Services with `imageFrom` share their source's parameter: one name, several services.
        by_parameter: dict[str, list[str]] = {}
        for name in names:
            by_parameter.setdefault(self.outputs.service(name).image_parameter, []).append(name)
        found: dict[str, str | None] = dict.fromkeys(names)
        parameters = list(by_parameter)
        ssm = self.aws.client("ssm")
        for start in range(0, len(parameters), 10):  # GetParameters takes at most 10 names
            response = ssm.get_parameters(Names=parameters[start : start + 10])
            for parameter in response.get("Parameters", []):
                for name in by_parameter[parameter["Name"]]:
                    found[name] = str(parameter["Value"])
        return found

    def _write(self, name: str, image: str | None) -> None:
        """Set one service's released image; None removes it (back to "never released")."""
        ssm = self.aws.client("ssm")
        parameter = self.outputs.service(name).image_parameter
        if image is None:
            try:
                ssm.delete_parameter(Name=parameter)
            except ClientError as exc:
                if error_code(exc) != "ParameterNotFound":
                    raise
            return
        ssm.put_parameter(
            Name=parameter,
            Value=image,
            Type="String",
            Overwrite=True,
            Description=f"golive: image released to {self.outputs.stack}/{name}",
        )

    def replace(self, images: dict[str, str | None], previous: dict[str, str | None]) -> None:
        """Record `images`; if a write fails, put `previous` back where already written.

        Raises `RecordError` saying what the record holds afterwards.
        """
        written: list[str] = []
        try:
            for name, image in images.items():
                self._write(name, image)
                written.append(name)
        except (ClientError, BotoCoreError) as exc:
            undone = True
            for name in written:
                try:
                    self._write(name, previous.get(name))
                except (ClientError, BotoCoreError):
                    undone = False
            raise RecordError(_why(exc), self.read_back(list(images)), undone=undone) from None

    def read_back(self, names: list[str]) -> dict[str, str | None] | None:
        """The record now, or None when it cannot be read (said, never raised)."""
        try:
            return self.current(names)
        except (ClientError, BotoCoreError):
            return None


def _why(exc: ClientError | BotoCoreError) -> str:
    if isinstance(exc, ClientError):
        return explain_client_error(exc).what
    return explain_botocore_error(exc).what


class RecordError(Exception):
    """Writing the image record failed; `record` is what it holds now (None: unreadable)."""

    def __init__(self, why: str, record: dict[str, str | None] | None, *, undone: bool) -> None:
        super().__init__(why)
        self.why = why
        self.record = record
        self.undone = undone


def default_state_bucket(aws: Aws, region: str) -> str:
    return f"golive-state-{aws.account_id()}-{region}"


class ReleaseStore:
    """Reads and writes a stack's release log in the state bucket."""

    def __init__(self, aws: Aws, bucket: str, outputs: StackName) -> None:
        self.aws = aws
        self.bucket = bucket
        self.outputs = outputs
        self.key = f"golive/releases/{outputs.app}/{outputs.stack}.json"
        self._etag: str | None = None

    def load(self) -> ReleaseLog:
        s3 = self.aws.client("s3")
        try:
            response = s3.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            code = error_code(exc)
            if code in {"NoSuchKey", "404"}:
                self._etag = None
                return ReleaseLog(app=self.outputs.app, stack=self.outputs.stack)
            if code == "NoSuchBucket":
                raise OpsError(
                    f"the state bucket {self.bucket} (release log) does not exist",
                    "pass --state-bucket (or set GOLIVE_STATE_BUCKET) to the bucket "
                    "`golive bootstrap` printed, or run `golive bootstrap` first",
                ) from None
            raise explain_client_error(
                exc, f"reading the release log s3://{self.bucket}/{self.key}"
            ) from None
        self._etag = str(response["ETag"])
        try:
            return ReleaseLog.model_validate_json(response["Body"].read())
        except ValidationError as exc:
            raise OpsError(
                f"the release log s3://{self.bucket}/{self.key} is not valid: {exc.errors()[0]}",
                "restore an earlier version of it (the bucket is versioned) and re-run",
            ) from None

    def save(self, log: ReleaseLog) -> None:
        s3 = self.aws.client("s3")
        condition = {"IfMatch": self._etag} if self._etag else {"IfNoneMatch": "*"}
        try:
            response = s3.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=log.model_dump_json(indent=2).encode(),
                ContentType="application/json",
                **condition,
            )
        except ClientError as exc:
            if error_code(exc) in {"PreconditionFailed", "ConditionalRequestConflict"}:
                raise OpsError(
                    "another golive run changed the release log while this one ran",
                    "check `golive status` to see what the other run did, then re-run",
                ) from None
            raise explain_client_error(exc, "writing the release log") from None
        self._etag = str(response["ETag"])
