"""Smoke tests after a deploy: the stack file's URLs answer their status, its smoke task exits 0.

`golive:release.smoke` reaches the CLI as the `release` stack output. Each URL is a path of the
stack's public URL or an `https://` URL; it is asked (GET, redirects followed) until it answers
the expected status, for at most `smokeTimeoutSeconds` (a fresh deployment can answer 502 while
the load balancer shifts traffic), every try shown. Then the smoke task, if any, runs to
completion on the task definition `pulumi up` just updated. A failure is returned, never
raised: the release rolls back on it.
"""

from __future__ import annotations

from ops import tasks, ui
from ops.aws import Aws
from ops.outputs import StackOutputs
from ops.waiting import Poll, WaitTimedOut, wait_until

PROBE_TIMEOUT = 5.0
DELAY = 5.0


def absolute(outputs: StackOutputs, url: str) -> str | None:
    """A smoke URL as requested: a path joined to the stack's public URL (None without one)."""
    if not url.startswith("/"):
        return url
    return outputs.url.rstrip("/") + url if outputs.url else None


def _check_url(aws: Aws, outputs: StackOutputs, url: str, status: int) -> str | None:
    target = absolute(outputs, url)
    if target is None:
        return f"{url}: the stack exports no public url to ask it at"

    def probe() -> Poll[int]:
        answer = aws.runtime.http_probe(target, PROBE_TIMEOUT)
        seen = f"HTTP {answer}" if answer else "no answer (timeout or connection refused)"
        return Poll(answer == status, seen, answer)

    timeout = outputs.release.smoke_timeout_seconds
    try:
        wait_until(aws, f"{target} to answer {status}", probe, timeout=timeout, delay=DELAY,
                   next_step="")  # fmt: skip
    except WaitTimedOut as exc:
        return f"{target} answered {exc.detail}, not {status}"
    ui.done(f"smoke: {target} answered {status}")
    return None


def run_smoke_tests(aws: Aws, outputs: StackOutputs) -> list[str]:
    """What failed (empty: every smoke test passed, or there are none)."""
    smoke = outputs.release
    if not smoke.smoke_urls and smoke.smoke_task is None:
        return []
    ui.step(f"smoke tests of {outputs.stack}")
    problems = [
        problem
        for check in smoke.smoke_urls
        if (problem := _check_url(aws, outputs, check.url, check.status)) is not None
    ]
    if smoke.smoke_task is not None:
        result = tasks.run_task(aws, outputs, smoke.smoke_task)
        if result.succeeded:
            ui.done(f"smoke: task {smoke.smoke_task} passed")
        else:
            problems.append(tasks.describe_failure(smoke.smoke_task, result))
    return problems
