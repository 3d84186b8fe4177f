"""One boto3 session setup for every command, and the runtime seams tests replace.

`connect()` builds the session from `--profile`/`--region` with botocore's *standard* retry
mode (exponential backoff with jitter on throttling and transient errors, `RETRY_ATTEMPTS`
attempts per call) and short socket timeouts, so an unreachable endpoint fails within a minute
(`GOLIVE_AWS_TIMEOUT` seconds per attempt, default 8) and says so at its first retry.
Credentials are checked once up front with `sts:GetCallerIdentity`, so a missing or expired
login fails with a clear message before anything is touched.

`Runtime` holds everything a test needs to substitute: the session factory, the Pulumi step,
the HTTP probe, the DNS lookup, the registry address, the clocks, the sleep function and the
waiter timing. The CLI builds the
default one; tests pass their own through `typer`'s context object (`app(obj=runtime)`).
Waiter delays come from `WaitPolicy`: `GOLIVE_WAIT_DELAY=0` (or `WaitPolicy(delay=0)`) makes
every waiter and poll loop run without sleeping.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    WaiterError,
)

from ops import ui
from ops.errors import THROTTLE_CODES, OpsError, explain_client_error, explain_waiter_error
from ops.waiting import Poll, wait_until

RETRY_ATTEMPTS = 5
"""Attempts per API call in standard retry mode (1 call + 4 retries with jittered backoff)."""
AWS_TIMEOUT = 8.0
"""Seconds to connect, and to wait for an answer, per attempt: 5 attempts of 8 s plus at most
15 s of backoff stay under a minute for an endpoint that never answers. AWS answers the calls
golive makes in well under a second."""


def client_config(timeout: float) -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": RETRY_ATTEMPTS},
        user_agent_appid="golive",
        connect_timeout=timeout,
        read_timeout=timeout,
    )


def aws_timeout() -> float:
    value = os.environ.get("GOLIVE_AWS_TIMEOUT")
    return float(value) if value else AWS_TIMEOUT


@dataclass(frozen=True)
class WaitPolicy:
    """Overrides for every waiter and poll loop; `None` keeps each wait's own default."""

    delay: float | None = None
    max_attempts: int | None = None

    @classmethod
    def from_env(cls) -> WaitPolicy:
        delay = os.environ.get("GOLIVE_WAIT_DELAY")
        attempts = os.environ.get("GOLIVE_WAIT_MAX_ATTEMPTS")
        return cls(
            delay=float(delay) if delay else None,
            max_attempts=int(attempts) if attempts else None,
        )

    def delay_for(self, default: float) -> float:
        return default if self.delay is None else self.delay

    def attempts_for(self, default: int) -> int:
        return default if self.max_attempts is None else self.max_attempts


def default_session(profile: str | None, region: str | None) -> boto3.Session:
    return boto3.Session(profile_name=profile, region_name=region)


def http_status(url: str, timeout: float) -> int:
    """GET `url` and return the HTTP status (0 when nothing answered)."""
    request = urllib.request.Request(url, headers={"User-Agent": "golive-verify"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, TimeoutError, OSError):
        return 0


def registry_url(host: str) -> str:
    """The base URL of an image registry's HTTP API (Docker Hub's API has its own host)."""
    return "https://registry-1.docker.io" if host == "docker.io" else f"https://{host}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def public_name_servers(domain: str) -> set[str]:
    """The NS records the public DNS returns for `domain` (empty if none yet)."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(domain, "NS", lifetime=10)
    except dns.exception.DNSException:
        return set()
    return {str(record.to_text()).rstrip(".").lower() for record in answer}


@dataclass
class Runtime:
    """Everything outside the process that a command touches, replaceable in tests."""

    session_factory: Callable[[str | None, str | None], boto3.Session] = default_session
    pulumi: Any = None
    """A `ops.pulumi_step.PulumiStep`; None means the real `pulumi` CLI."""
    http_probe: Callable[[str, float], int] = http_status
    dns_name_servers: Callable[[str], set[str]] = public_name_servers
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = utc_now
    """Wall-clock time, for leases other machines read."""
    registry: Callable[[str], str] = registry_url
    wait: WaitPolicy = field(default_factory=WaitPolicy.from_env)


class Aws:
    """A boto3 session with cached clients, one retry policy, and waiters with clear errors."""

    def __init__(self, session: boto3.Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self._clients: dict[str, Any] = {}
        self._identity: dict[str, Any] | None = None
        self._unreachable_reported: set[str] = set()

    @property
    def region(self) -> str:
        region = self.session.region_name
        if not region:
            raise OpsError("no AWS region given", "pass --region REGION or set AWS_REGION")
        return region

    def client(self, service: str, region: str | None = None) -> Any:
        # Clients are typed as Any: the boto3 stubs are not a dependency, and every response
        # is read defensively with .get() where AWS may omit a key.
        key = f"{service}@{region}" if region else service
        if key not in self._clients:
            client = self.session.client(
                service, region_name=region, config=client_config(aws_timeout())
            )
            client.meta.events.register("needs-retry", self._report_unreachable)
            self._clients[key] = client
        return self._clients[key]

    def _report_unreachable(self, caught_exception: Exception | None = None, **_: Any) -> None:
        """Say at the first retry that an endpoint does not answer, instead of going silent."""
        unreachable = (ConnectionError, ConnectTimeoutError, EndpointConnectionError)
        if isinstance(caught_exception, (*unreachable, ReadTimeoutError)):
            endpoint = str(getattr(caught_exception, "kwargs", {}).get("endpoint_url", "AWS"))
            if endpoint not in self._unreachable_reported:
                self._unreachable_reported.add(endpoint)
                ui.warn(
                    f"no answer from {endpoint} ({type(caught_exception).__name__}); retrying "
                    f"{RETRY_ATTEMPTS - 1} times before giving up"
                )

    def _caller(self) -> dict[str, Any]:
        if self._identity is None:
            self._identity = dict(self.client("sts").get_caller_identity())
        return self._identity

    def account_id(self) -> str:
        """The caller's account, which also proves the credentials work."""
        return str(self._caller()["Account"])

    def caller_arn(self) -> str:
        return str(self._caller().get("Arn", "unknown identity"))

    def wait(
        self,
        service: str,
        waiter_name: str,
        *,
        what: str,
        next_step: str,
        delay: int,
        max_attempts: int,
        **params: Any,
    ) -> None:
        """Poll a boto3 waiter's acceptors for up to `delay * max_attempts` seconds, visibly.

        Each poll is one waiter attempt (botocore's acceptors decide success and failure); a
        throttled poll is asked again. A failure state or the time limit becomes an OpsError.
        """
        waiter = self.client(service).get_waiter(waiter_name)

        def probe() -> Poll[None]:
            try:
                waiter.wait(**params, WaiterConfig={"Delay": 0, "MaxAttempts": 1})
            except WaiterError as exc:
                error = (exc.last_response or {}).get("Error") or {}
                if "Max attempts exceeded" in str(exc.kwargs.get("reason", "")):
                    return Poll(False, _waiter_status(exc.last_response or {}))
                if error.get("Code") in THROTTLE_CODES:
                    return Poll(False, f"AWS throttled the status call ({error.get('Code')})")
                raise explain_waiter_error(exc, what, next_step) from exc
            except ClientError as exc:
                raise explain_client_error(exc, what) from exc
            return Poll(True, "done")

        wait_until(
            self,
            waiter_name.replace("_", " "),
            probe,
            timeout=delay * max_attempts,
            delay=delay,
            next_step=next_step,
            gave_up=what,
        )

    def poll_delay(self, default: float) -> float:
        return self.runtime.wait.delay_for(default)

    def poll_attempts(self, default: int) -> int:
        return self.runtime.wait.attempts_for(default)


def _waiter_status(response: dict[str, Any]) -> str:
    """A short status from a describe call's answer (`creating 40%`), or "not yet"."""
    for key, value in response.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            item: dict[str, Any] = value[0]
            status = next((str(item[k]) for k in item if k.endswith("Status")), "")
            progress = item.get("PercentProgress")
            return " ".join(part for part in (status, f"{progress}%" if progress else "") if part)
        if key == "Invalidation" and isinstance(value, dict):
            return str(value.get("Status", "not yet"))
    return "not yet"


def connect(runtime: Runtime, *, region: str | None, profile: str | None) -> Aws:
    """The session every command uses; fails early and clearly without valid credentials."""
    aws = Aws(runtime.session_factory(profile, region), runtime)
    aws.account_id()
    return aws
