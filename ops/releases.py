"""Where releases are recorded: the released image per service, and the release log.

**Released images** (the one source of truth the stack layer reads): the SSM String parameter
`/golive/<app>/<stack>/images/<service>` (the `imageParameter` output) holds the full image
reference. Only this CLI writes it. A missing parameter means "never released": the program
then runs the service at 0 tasks.

**Release log**: one JSON object per stack, `golive/releases/<app>/<stack>.json`, in the state
bucket (`--state-bucket`, default `golive-state-<account>-<region>` as `golive bootstrap`
names it). That bucket is versioned and KMS-encrypted, so every earlier log survives. Each
entry records the images released, the images they replaced, the pre-release snapshot, the
steps completed, the static-site version and a status (`in-progress`, `succeeded`, `failed`,
`rolled-back`). Writes are conditional on the ETag read (S3 conditional writes), so two
concurrent releases cannot silently overwrite each other's record.

`rollback` without `--to` goes back to the newest `succeeded` entry whose images differ from
the ones released now; the entry it leaves is marked `rolled-back` and never chosen again.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from ops.aws import Aws
from ops.errors import OpsError, error_code, explain_client_error
from ops.outputs import StackOutputs

Status = Literal["in-progress", "succeeded", "failed", "rolled-back"]


def now() -> datetime:
    return datetime.now(UTC)


class ReleaseEntry(BaseModel):
    id: str
    kind: Literal["release", "rollback"] = "release"
    images: dict[str, str]
    """Service -> image this entry released."""
    previous: dict[str, str | None] = {}
    """Service -> image it replaced (None: the service had never been released)."""
    status: Status = "in-progress"
    snapshot: str | None = None
    steps_done: list[str] = []
    site_version: dict[str, str] | None = None
    """Static-site key -> S3 version id uploaded by this entry."""
    previous_site_version: dict[str, str] | None = None
    started_at: datetime
    finished_at: datetime | None = None
    message: str = ""


class ReleaseLog(BaseModel):
    app: str
    stack: str
    releases: list[ReleaseEntry] = []

    def latest(self) -> ReleaseEntry | None:
        return self.releases[-1] if self.releases else None

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
        by_parameter = {self.outputs.service(name).image_parameter: name for name in names}
        found: dict[str, str | None] = dict.fromkeys(names)
        parameters = list(by_parameter)
        ssm = self.aws.client("ssm")
        for start in range(0, len(parameters), 10):  # GetParameters takes at most 10 names
            response = ssm.get_parameters(Names=parameters[start : start + 10])
            for parameter in response.get("Parameters", []):
                found[by_parameter[parameter["Name"]]] = str(parameter["Value"])
        return found

    def write(self, images: dict[str, str | None]) -> None:
        """Set each service's released image; None removes it (back to "never released")."""
        ssm = self.aws.client("ssm")
        for name, image in images.items():
            parameter = self.outputs.service(name).image_parameter
            if image is None:
                try:
                    ssm.delete_parameter(Name=parameter)
                except ClientError as exc:
                    if error_code(exc) != "ParameterNotFound":
                        raise
                continue
            ssm.put_parameter(
                Name=parameter,
                Value=image,
                Type="String",
                Overwrite=True,
                Description=f"golive: image released to {self.outputs.stack}/{name}",
            )


def default_state_bucket(aws: Aws, region: str) -> str:
    return f"golive-state-{aws.account_id()}-{region}"


class ReleaseStore:
    """Reads and writes a stack's release log in the state bucket."""

    def __init__(self, aws: Aws, bucket: str, outputs: StackOutputs) -> None:
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
