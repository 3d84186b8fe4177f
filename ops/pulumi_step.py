"""The Pulumi step of a release, behind a small interface so tests can substitute it.

`PulumiStep.preview(stack)` lists the pending infrastructure changes; `PulumiStep.up(stack,
timeout=...)` applies the program (which reads the released images from SSM) and raises
`PulumiError` when the update fails, e.g. when a service with `wait_for_steady_state` is rolled
back by the ECS circuit breaker, or when it ran past `timeout`. `PulumiCli` shells out to the
real CLI: `pulumi preview --json --diff -s STACK` and `pulumi up --yes --skip-preview -s STACK`;
`golive destroy` runs `pulumi destroy --yes --skip-preview -s STACK` the same way as `up`.

`pulumi up` runs in its own process group, so a Ctrl-C in the terminal reaches golive only;
golive forwards it as SIGINT (Pulumi's graceful cancel) and waits for Pulumi to finish
cancelling, then raises `Interrupted` (`ops.interrupts`). Killing it instead (what
`subprocess.run` does 0.25 s after a KeyboardInterrupt) leaves the stack's state locked and
services half-updated. Past its time limit golive cancels it the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ops import interrupts, ui
from ops.waiting import clock_text

# Steps that change nothing in the cloud.
NO_CHANGE_OPS = frozenset({"same", "read", "refresh", "discard", "read-discard"})


class PulumiError(Exception):
    """`pulumi preview` or `pulumi up` failed; the message says how."""


@dataclass(frozen=True)
class PendingChange:
    """One resource `pulumi preview` would change."""

    op: str
    type: str
    urn: str
    keys: tuple[str, ...] = ()
    current: Mapping[str, Any] = field(default_factory=dict[str, Any], compare=False)
    """The resource's outputs as Pulumi last read them (its identifiers among them)."""
    wanted: Mapping[str, Any] = field(default_factory=dict[str, Any], compare=False)
    """The inputs the program asks for now."""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


class PulumiStep(Protocol):
    def preview(self, stack: str) -> list[PendingChange]: ...

    def up(self, stack: str, *, timeout: float) -> None: ...


def _resource_type(step: dict[str, Any]) -> str:
    for state in ("newState", "oldState"):
        value = step.get(state) or {}
        if value.get("type"):
            return str(value["type"])
    # urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME -> TYPE
    parts = str(step.get("urn", "")).split("::")
    return parts[-2].rsplit("$", 1)[-1] if len(parts) >= 2 else "?"


def parse_preview(document: dict[str, Any]) -> list[PendingChange]:
    """The changes in `pulumi preview --json` output (steps whose op is not a no-op)."""
    changes = []
    for step in document.get("steps") or []:
        op = str(step.get("op", "?"))
        if op in NO_CHANGE_OPS:
            continue
        keys = step.get("diffReasons") or step.get("replaceReasons") or []
        changes.append(
            PendingChange(
                op=op,
                type=_resource_type(step),
                urn=str(step.get("urn", "")),
                keys=tuple(str(key) for key in keys),
                current=(step.get("oldState") or {}).get("outputs") or {},
                wanted=(step.get("newState") or {}).get("inputs") or {},
            )
        )
    return changes


POLL_SECONDS = 0.5
CANCEL_GRACE = 5 * 60
"""After asking Pulumi to cancel at its time limit: how long its in-flight operations may take
before golive stops waiting (Pulumi is then stopped, and may leave its state locked)."""


class PulumiCli:
    """The real Pulumi CLI, run in the project directory (`--project-dir`, default cwd)."""

    def __init__(
        self,
        project_dir: Path | None = None,
        executable: str = "pulumi",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project_dir = project_dir
        self.executable = executable
        self.clock = clock

    def _binary(self) -> str:
        found = shutil.which(self.executable)
        if found is None:
            raise PulumiError(
                f"the {self.executable!r} CLI is not on PATH (install it: "
                "https://www.pulumi.com/docs/install/)"
            )
        return found

    def preview(self, stack: str) -> list[PendingChange]:
        command = [self._binary(), "preview", "--json", "--diff", "-s", stack]
        try:
            result = subprocess.run(
                command, cwd=self.project_dir, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            raise PulumiError(f"could not run pulumi in {self.project_dir}: {exc}") from None
        if result.returncode != 0:
            raise PulumiError(
                f"`pulumi preview -s {stack}` exited {result.returncode}: "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )
        try:
            return parse_preview(json.loads(result.stdout))
        except json.JSONDecodeError as exc:
            raise PulumiError(f"`pulumi preview --json` printed no JSON: {exc.msg}") from None

    def up(self, stack: str, *, timeout: float) -> None:
        self._run(["up", "--yes", "--skip-preview", "-s", stack], f"pulumi up -s {stack}", timeout)

    def destroy(self, stack: str, *, keep_protected: bool, timeout: float) -> None:
        """Delete the stack's resources; `keep_protected` leaves the protected ones (and what
        they depend on) in place and in the stack."""
        extra = ["--exclude-protected"] if keep_protected else []
        arguments = ["destroy", "--yes", "--skip-preview", "-s", stack, *extra]
        self._run(arguments, f"pulumi destroy -s {stack}", timeout)

    def _run(self, arguments: list[str], what: str, timeout: float) -> None:
        # Output goes straight to the terminal so the operator sees Pulumi's progress.
        command = [self._binary(), *arguments]
        try:
            child = subprocess.Popen(command, cwd=self.project_dir, process_group=0)
        except OSError as exc:
            raise PulumiError(f"could not run pulumi in {self.project_dir}: {exc}") from None
        with interrupts.forwarding_to(child):
            code, cancelled = self._wait(child, what, timeout)
        interrupts.raise_if_interrupted()
        if cancelled:
            raise PulumiError(
                f"`{what}` did not finish within {clock_text(timeout)}: cancelled (it exited "
                f"{code})"
            )
        if code != 0:
            raise PulumiError(f"`{what}` exited {code} (output above)")

    def _wait(self, child: subprocess.Popen[bytes], what: str, timeout: float) -> tuple[int, bool]:
        """Wait for `child`; past `timeout` ask it to cancel, past the grace stop it."""
        deadline = self.clock() + timeout
        cancelled = False
        while True:
            try:
                return child.wait(timeout=POLL_SECONDS), cancelled
            except subprocess.TimeoutExpired:
                pass
            if not cancelled and self.clock() >= deadline:
                cancelled = True
                deadline = self.clock() + CANCEL_GRACE
                ui.warn(
                    f"{what} ran past its {clock_text(timeout)} limit: asking it to cancel and "
                    "waiting for its in-flight operations"
                )
                os.killpg(child.pid, signal.SIGINT)
            elif cancelled and self.clock() >= deadline:
                ui.warn("pulumi did not finish cancelling: stopping it (its state may stay locked)")
                os.killpg(child.pid, signal.SIGKILL)
                return child.wait(), cancelled
