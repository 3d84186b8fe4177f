"""Errors the operations CLI reports, and the command boundary that turns them into messages.

Every failure a command can meet ends up as an `OpsError`: what failed, and what to do next.
`command_boundary` wraps each command so that AWS errors (expired or missing credentials,
throttling beyond the retry budget, access denied, anything else botocore raises), operating
system errors and interrupts are printed as those two lines with a non-zero exit code, never as
a traceback. The exit codes are `ExitCode`, documented in docs/runbook.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import IntEnum
from typing import Any, ParamSpec, TypeVar

import typer
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    WaiterError,
)

from ops import interrupts, ui

P = ParamSpec("P")
R = TypeVar("R")

EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
REJECTED_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "InvalidAccessKeyId",
    }
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedException",
    }
)
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)

RERUN_HINT = (
    "fix the cause above and run the same command again (every golive command is safe to re-run)"
)


class ExitCode(IntEnum):
    """What a script can tell from golive's exit status (docs/runbook.md, "Exit codes")."""

    OK = 0
    FAILED = 1
    """A check or a command failed (verify, secrets check, run-task's container, ...)."""
    USAGE = 2
    """The command line is wrong; nothing was read or changed."""
    NOTHING_CHANGED = 3
    """A release or rollback stopped before changing what runs: the previous version serves and
    the image record is as it was (a snapshot or a migration may have run)."""
    ROLLED_BACK = 4
    """A release failed and was rolled back: the previous version is serving."""
    NEEDS_A_PERSON = 5
    """A rollback failed, or the outcome is unknown: a person must look (`golive status`)."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C or SIGTERM, at a safe point (the message says where)."""


class OpsError(Exception):
    """A failure with a human explanation: `what` failed and the `next_step` to take."""

    def __init__(self, what: str, next_step: str, *, exit_code: int = ExitCode.FAILED) -> None:
        super().__init__(what)
        self.what = what
        self.next_step = next_step
        self.exit_code = exit_code


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError (`ThrottlingException`, `AccessDenied`...)."""
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def explain_client_error(exc: ClientError, doing: str = "") -> OpsError:
    """Turn an AWS API error into an OpsError that says what to do about it."""
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", "")).strip()
    call = exc.operation_name
    prefix = f"{doing}: " if doing else ""
    if code in EXPIRED_CODES:
        return OpsError(
            f"{prefix}the AWS credentials have expired ({code} on {call})",
            "refresh them (`aws sso login --profile PROFILE`, or new session credentials) "
            "and re-run the command",
        )
    if code in REJECTED_CODES:
        return OpsError(
            f"{prefix}AWS rejected the credentials ({code} on {call}): {message}",
            "check AWS_PROFILE / --profile and the access keys in use (`aws sts "
            "get-caller-identity`), then re-run",
        )
    if code in DENIED_CODES:
        return OpsError(
            f"{prefix}access denied for {call}: {message}",
            "grant the action to the role you are using (ops/permissions.py lists every "
            "action golive calls), or use a role that has it, then re-run",
        )
    if code in THROTTLE_CODES:
        return OpsError(
            f"{prefix}AWS kept throttling {call} beyond the retry budget ({code})",
            "wait a minute and re-run the same command (it is safe to re-run)",
        )
    return OpsError(f"{prefix}{call} failed: {code}: {message}", RERUN_HINT)


def explain_botocore_error(exc: BotoCoreError) -> OpsError:
    """Turn a client-side botocore error (credentials, region, network) into an OpsError."""
    name = type(exc).__name__
    if isinstance(exc, NoCredentialsError):
        return OpsError(
            "no AWS credentials found",
            "pass --profile PROFILE or set AWS_PROFILE (run `aws configure sso` once), or "
            "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then re-run",
        )
    if isinstance(exc, PartialCredentialsError):
        return OpsError(f"incomplete AWS credentials: {exc}", "complete or unset them, then re-run")
    if isinstance(exc, ProfileNotFound):
        return OpsError(f"{exc}", "list profiles with `aws configure list-profiles`")
    if isinstance(exc, NoRegionError):
        return OpsError("no AWS region given", "pass --region REGION or set AWS_REGION")
    if name in {"TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError"}:
        return OpsError(
            f"the AWS SSO session has expired or is missing ({name})",
            "run `aws sso login --profile PROFILE`, then re-run",
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return OpsError(
            f"could not reach AWS: {exc}",
            "check the network, the region and AWS_ENDPOINT_URL, then re-run",
        )
    return OpsError(f"AWS client error: {exc}", RERUN_HINT)


def explain_waiter_error(exc: WaiterError, what: str, next_step: str) -> OpsError:
    """A waiter gave up: say whether it timed out or met an error state."""
    last: dict[str, Any] = exc.last_response or {}
    error = last.get("Error") if isinstance(last, dict) else None
    if error:
        code = error.get("Code", "Unknown")
        hint = (
            "AWS kept throttling the status checks; wait a minute and re-run"
            if code in THROTTLE_CODES
            else next_step
        )
        return OpsError(f"{what}: {code}: {error.get('Message', '')}".rstrip(": "), hint)
    reason = str(exc.kwargs.get("reason", exc))
    return OpsError(f"{what}: {reason}", next_step)


def report(error: OpsError) -> None:
    ui.failure(error.what, error.next_step)


def command_boundary(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command; print any failure as 'what failed / what next' and exit non-zero."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with interrupts.handled():
                return func(*args, **kwargs)
        except interrupts.Interrupted as exc:
            report(
                OpsError(
                    f"interrupted ({exc.name})",
                    "nothing was left half-done by this command; run it again when ready",
                )
            )
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except OpsError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except ClientError as exc:
            report(explain_client_error(exc))
            raise typer.Exit(1) from None
        except WaiterError as exc:
            report(explain_waiter_error(exc, "waiting on AWS failed", RERUN_HINT))
            raise typer.Exit(1) from None
        except BotoCoreError as exc:
            report(explain_botocore_error(exc))
            raise typer.Exit(1) from None
        except OSError as exc:
            # A file or directory golive was pointed at (an option's path, the pulumi binary).
            where = f" ({exc.filename})" if exc.filename else ""
            report(OpsError(f"{exc.strerror or exc}{where}", "check the path and re-run"))
            raise typer.Exit(1) from None

    return wrapper
