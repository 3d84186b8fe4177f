"""One release or rollback per stack at a time: a lease in the state bucket.

The lease is one JSON object, `golive/locks/<app>/<stack>.json`, beside the release log. It is
taken with an S3 conditional write before the first change (`If-None-Match: *` when there is
none, `If-Match: <ETag>` to take over a released or expired one), so of two runs that race
(a laptop and CI) exactly one gets it; the other is refused with who holds it, for what, since
when and until when.

It holds the holder (user@host, process, AWS identity, the CI run), the command, the start, the
last renewal and the expiry. The holder renews it (a conditional write on its own ETag) before
every change step and every minute from a background thread, so a live run never loses it to
expiry; it expires `LEASE_TTL` after the last renewal, so a run that died (killed, machine
gone) blocks the stack for at most that long. A run whose renewal finds the lease changed
(someone ran `golive unlock`, or it expired while the run could not reach S3) has lost it and
makes no further change. `golive status` shows the lease; `golive unlock STACK --lease ID`
releases one whose holder is gone (the id guards against releasing a newer lease by mistake).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ValidationError

from ops import ui
from ops.aws import Aws
from ops.errors import ExitCode, OpsError, error_code, explain_client_error
from ops.outputs import StackName

LEASE_TTL = timedelta(minutes=10)
"""Far above any renewal gap of a live run (a minute) and any sane clock skew."""
RENEW_EVERY = 60.0
CONFLICT_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})


class LeaseRecord(BaseModel):
    id: str
    holder: str
    command: str
    started_at: datetime
    renewed_at: datetime
    expires_at: datetime
    released_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        return self.released_at is None and now < self.expires_at

    def describe(self) -> str:
        return (
            f"{self.holder}, running `{self.command}` since {_time(self.started_at)} (renewed "
            f"{_time(self.renewed_at)}, expires {_time(self.expires_at)}; lease {self.id})"
        )


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def holder_name(aws: Aws) -> str:
    """Who is running: user@host and process, AWS identity, and the CI run when there is one."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    parts = [f"{user}@{socket.gethostname()} pid {os.getpid()}", aws.caller_arn()]
    run = ci_run_url()
    if run:
        parts.append(run)
    return ", ".join(parts)


def ci_run_url() -> str | None:
    """The GitHub Actions run this process belongs to (its default environment variables)."""
    if not os.environ.get("GITHUB_RUN_ID"):
        return None
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    return f"{server}/{repo}/actions/runs/{os.environ['GITHUB_RUN_ID']}"


class StackLease:
    """Reads, takes, renews and releases the lease of one stack."""

    def __init__(
        self, aws: Aws, bucket: str, outputs: StackName, *, renew_every: float = RENEW_EVERY
    ) -> None:
        self.aws = aws
        self.bucket = bucket
        self.stack = outputs.stack
        self.key = f"golive/locks/{outputs.app}/{outputs.stack}.json"
        self.renew_every = renew_every
        self.record: LeaseRecord | None = None
        self.lost: str | None = None
        self._etag: str | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ reading

    def read(self) -> tuple[LeaseRecord | None, str | None]:
        """The lease now and its ETag (None, None when there has never been one)."""
        try:
            response = self.aws.client("s3").get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if error_code(exc) in {"NoSuchKey", "404"}:
                return None, None
            raise explain_client_error(
                exc, f"reading the lease s3://{self.bucket}/{self.key}"
            ) from None
        body = response["Body"].read()
        try:
            return LeaseRecord.model_validate_json(body), str(response["ETag"])
        except (ValidationError, json.JSONDecodeError):
            # Unreadable: treat as free, but only through a conditional write on this ETag.
            return None, str(response["ETag"])

    # ------------------------------------------------------------------ writing

    def _put(self, record: LeaseRecord, *, etag: str | None) -> str:
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        response = self.aws.client("s3").put_object(
            Bucket=self.bucket,
            Key=self.key,
            Body=record.model_dump_json(indent=2).encode(),
            ContentType="application/json",
            **condition,
        )
        return str(response["ETag"])

    def acquire(self, command: str) -> None:
        """Take the lease or raise an OpsError naming its holder (nothing changed)."""
        now = self.aws.runtime.now()
        current, etag = self.read()
        if current is not None and current.live(now):
            raise self._held_by(current)
        if current is not None and current.released_at is None:
            ui.warn(
                f"taking over the expired lease of {self.stack}: {current.describe()}; its run "
                "stopped without finishing (its release log entry is closed as interrupted)"
            )
        record = LeaseRecord(
            id=uuid.uuid4().hex[:12],
            holder=holder_name(self.aws),
            command=command,
            started_at=now,
            renewed_at=now,
            expires_at=now + LEASE_TTL,
        )
        try:
            self._etag = self._put(record, etag=etag)
        except ClientError as exc:
            if error_code(exc) not in CONFLICT_CODES:
                raise explain_client_error(exc, "taking the stack's lease") from None
            winner, _ = self.read()  # another run took it between our read and our write
            raise self._held_by(winner) from None
        self.record = record

    def _held_by(self, record: LeaseRecord | None) -> OpsError:
        holder = record.describe() if record else "another golive run"
        return OpsError(
            f"another release or rollback of {self.stack} is running: {holder}",
            f"wait for it to finish (`golive status {self.stack}` shows it). Only if that run "
            f"is gone for good (machine off, job cancelled): `golive unlock {self.stack} --lease "
            f"{record.id if record else 'ID'}`, or wait until the lease expires",
            exit_code=ExitCode.NOTHING_CHANGED,
        )

    def renew(self) -> None:
        """Extend our lease (conditional on our ETag); a conflict means we lost it."""
        with self._lock:
            if self.record is None or self.lost is not None:
                return
            now = self.aws.runtime.now()
            renewed = self.record.model_copy(
                update={"renewed_at": now, "expires_at": now + LEASE_TTL}
            )
            try:
                self._etag = self._put(renewed, etag=self._etag)
            except ClientError as exc:
                if error_code(exc) in CONFLICT_CODES:
                    self.lost = "the lease was released or taken over by another run"
                    return
                if now >= self.record.expires_at:
                    self.lost = f"the lease expired while it could not be renewed ({exc})"
                return
            except BotoCoreError as exc:
                if now >= self.record.expires_at:
                    self.lost = f"the lease expired while it could not be renewed ({exc})"
                return
            self.record = renewed

    def ensure_held(self) -> None:
        """Before a change: renew, and refuse to go on without the lease."""
        self.renew()
        if self.lost is not None:
            raise OpsError(
                f"this run no longer holds the lease of {self.stack}: {self.lost}",
                f"nothing more was changed by this run; see `golive status {self.stack}` for "
                "what runs and who holds the stack now",
                exit_code=ExitCode.NEEDS_A_PERSON,
            )

    def release(self) -> None:
        """Give the lease back (best effort: an expiry frees it anyway)."""
        with self._lock:
            if self.record is None or self.lost is not None:
                return
            released = self.record.model_copy(update={"released_at": self.aws.runtime.now()})
            with contextlib.suppress(ClientError, BotoCoreError):
                self._put(released, etag=self._etag)
            self.record = None

    @contextlib.contextmanager
    def keeping(self) -> Iterator[None]:
        """Keep the lease `acquire` took while the block runs (renewed from a background
        thread), and give it back after."""
        stop = threading.Event()

        def keep_renewing() -> None:
            while not stop.wait(self.renew_every):
                self.renew()

        keeper = threading.Thread(target=keep_renewing, name="golive-lease", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()
            self.release()

    # ------------------------------------------------------------------ unlock

    def unlock(self, lease_id: str | None) -> LeaseRecord | None:
        """Release a lease whose holder is gone; returns the lease released (None: was free)."""
        now = self.aws.runtime.now()
        current, etag = self.read()
        if current is None or not current.live(now):
            return None
        if lease_id != current.id:
            raise OpsError(
                f"{self.stack} is held by {current.describe()}",
                f"make sure that run is gone (a CI job cancelled, a laptop off), then `golive "
                f"unlock {self.stack} --lease {current.id}`",
                exit_code=ExitCode.USAGE if lease_id is None else ExitCode.FAILED,
            )
        released = current.model_copy(update={"released_at": now})
        try:
            self._put(released, etag=etag)
        except ClientError as exc:
            if error_code(exc) in CONFLICT_CODES:
                raise OpsError(
                    "the lease changed while unlocking (its holder renewed or released it)",
                    f"check `golive status {self.stack}`: the run may still be alive",
                ) from None
            raise explain_client_error(exc, "releasing the lease") from None
        return current
