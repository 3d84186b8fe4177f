"""One boto3 session setup for every command, and the runtime seams tests replace.

`connect()` builds the session from `--profile`/`--region` with botocore's *standard* retry
mode (exponential backoff with jitter on throttling and transient errors, `RETRY_ATTEMPTS`
attempts per call). Credentials are checked once up front with `sts:GetCallerIdentity`, so a
missing or expired login fails with a clear message before anything is touched.

`Runtime` holds everything a test needs to substitute: the session factory, the Pulumi step,
the HTTP probe, the DNS lookup, the sleep function and the waiter timing. The CLI builds the
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
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from ops.errors import OpsError, explain_client_error, explain_waiter_error

RETRY_ATTEMPTS = 5
"""Attempts per API call in standard retry mode (1 call + 4 retries with jittered backoff)."""

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": RETRY_ATTEMPTS},
    user_agent_appid="golive",
    connect_timeout=10,
    read_timeout=60,
)


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

    def waiter_config(self, delay: int, max_attempts: int) -> dict[str, Any]:
        # botocore waiters take whole seconds; 0 means "poll again at once".
        return {
            "Delay": int(self.delay_for(delay)),
            "MaxAttempts": self.attempts_for(max_attempts),
        }


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
    wait: WaitPolicy = field(default_factory=WaitPolicy.from_env)


class Aws:
    """A boto3 session with cached clients, one retry policy, and waiters with clear errors."""

    def __init__(self, session: boto3.Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self._clients: dict[str, Any] = {}
        self._account: str | None = None

    @property
    def region(self) -> str:
        region = self.session.region_name
        if not region:
            raise OpsError("no AWS region given", "pass --region REGION or set AWS_REGION")
        return region

    def client(self, service: str) -> Any:
        # Clients are typed as Any: the boto3 stubs are not a dependency, and every response
        # is read defensively with .get() where AWS may omit a key.
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=CLIENT_CONFIG)
        return self._clients[service]

    def account_id(self) -> str:
        """The caller's account, which also proves the credentials work."""
        if self._account is None:
            identity = self.client("sts").get_caller_identity()
            self._account = str(identity["Account"])
        return self._account

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
        """Run a boto3 waiter with the runtime's timing; a timeout becomes an OpsError."""
        waiter = self.client(service).get_waiter(waiter_name)
        try:
            waiter.wait(**params, WaiterConfig=self.runtime.wait.waiter_config(delay, max_attempts))
        except WaiterError as exc:
            raise explain_waiter_error(exc, what, next_step) from exc
        except ClientError as exc:
            raise explain_client_error(exc, what) from exc

    def poll_delay(self, default: float) -> float:
        return self.runtime.wait.delay_for(default)

    def poll_attempts(self, default: int) -> int:
        return self.runtime.wait.attempts_for(default)


def connect(runtime: Runtime, *, region: str | None, profile: str | None) -> Aws:
    """The session every command uses; fails early and clearly without valid credentials."""
    aws = Aws(runtime.session_factory(profile, region), runtime)
    aws.account_id()
    return aws
