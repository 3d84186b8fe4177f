"""Bounded, visible waits: every wait says what it waits for and how long it has waited.

`wait_until` polls a probe until it reports done, for at most `timeout` seconds. Each poll
prints one line (`waiting for the rollout of api: IN_PROGRESS 1/2 running (0:45 of 15:00)`),
so a stuck step is never silent. A throttled status call (AWS still throttling after botocore's
own retries) is a reason to poll again, never a verdict: only the probe's own answer or the
time limit ends the wait. Time comes from the runtime's clock and sleep (tests inject both);
the number of polls is also capped (`timeout / delay`, or `GOLIVE_WAIT_MAX_ATTEMPTS`), so a
test that does not sleep still ends.

`Limits` holds the configurable bounds of a release (`--deploy-timeout`, `--health-timeout`,
`--watch`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from botocore.exceptions import ClientError

from ops import ui
from ops.errors import THROTTLE_CODES, OpsError, error_code

if TYPE_CHECKING:  # ops.aws builds its waiters on wait_until
    from ops.aws import Aws

T = TypeVar("T")

DEPLOY_TIMEOUT = 15 * 60
"""`pulumi up` plus the rollout of every service: a stuck deployment fails within this."""
HEALTH_TIMEOUT = 60
"""The public health URL must answer 2xx within this (an unreachable one fails in a minute)."""
WATCH_WINDOW = 120
"""After the rollout, verify watches the alarms this long: one tripping a minute later is seen."""


@dataclass(frozen=True)
class Limits:
    deploy: float = DEPLOY_TIMEOUT
    health: float = HEALTH_TIMEOUT
    watch: float = WATCH_WINDOW


@dataclass(frozen=True)
class Poll(Generic[T]):
    """One probe's answer: `done` with its `result`, or still waiting, with a status line."""

    done: bool
    detail: str
    result: T | None = None


class WaitTimedOut(OpsError):
    """The time limit passed; `detail` is the last status seen."""

    def __init__(self, what: str, next_step: str, detail: str) -> None:
        super().__init__(what, next_step)
        self.detail = detail


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def wait_until(
    aws: Aws,
    what: str,
    probe: Callable[[], Poll[T]],
    *,
    timeout: float,
    delay: float,
    next_step: str,
    gave_up: str | None = None,
) -> Poll[T]:
    """Poll `probe` until done; raises `WaitTimedOut` (its message starts with `gave_up`, by
    default "waiting for WHAT") after `timeout` seconds."""
    runtime = aws.runtime
    start = runtime.clock()
    attempts = aws.poll_attempts(max(1, math.ceil(timeout / delay)) if delay else 1)
    detail = "no answer yet"
    for attempt in range(attempts):
        if attempt and runtime.clock() - start >= timeout:
            break
        try:
            answer = probe()
        except ClientError as exc:
            if error_code(exc) not in THROTTLE_CODES:
                raise
            answer = Poll(False, f"AWS throttled {exc.operation_name}: asking again")
        elapsed = runtime.clock() - start
        if answer.done:
            return answer
        detail = answer.detail
        ui.info(f"waiting for {what}: {detail} ({clock_text(elapsed)} of {clock_text(timeout)})")
        if elapsed >= timeout or attempt + 1 >= attempts:
            break
        runtime.sleep(min(aws.poll_delay(delay), timeout - elapsed))
    elapsed = runtime.clock() - start
    raise WaitTimedOut(
        f"{gave_up or f'waiting for {what}'}: not done after {clock_text(elapsed)} (limit "
        f"{clock_text(timeout)}): {detail}",
        next_step,
        detail,
    )
