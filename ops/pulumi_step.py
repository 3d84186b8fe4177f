"""The Pulumi step of a release, behind a small interface so tests can substitute it.

`PulumiStep.preview(stack)` lists the pending infrastructure changes; `PulumiStep.up(stack)`
applies the program (which reads the released images from SSM) and raises `PulumiError` when
the update fails, e.g. when a service with `wait_for_steady_state` is rolled back by the ECS
circuit breaker. `PulumiCli` shells out to the real CLI:
`pulumi preview --json --diff -s STACK` and `pulumi up --yes --skip-preview -s STACK`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

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

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


class PulumiStep(Protocol):
    def preview(self, stack: str) -> list[PendingChange]: ...

    def up(self, stack: str) -> None: ...


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
            )
        )
    return changes


class PulumiCli:
    """The real Pulumi CLI, run in the project directory (`--project-dir`, default cwd)."""

    def __init__(self, project_dir: Path | None = None, executable: str = "pulumi") -> None:
        self.project_dir = project_dir
        self.executable = executable

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
        result = subprocess.run(
            command, cwd=self.project_dir, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise PulumiError(
                f"`pulumi preview -s {stack}` exited {result.returncode}: "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )
        try:
            return parse_preview(json.loads(result.stdout))
        except json.JSONDecodeError as exc:
            raise PulumiError(f"`pulumi preview --json` printed no JSON: {exc.msg}") from None

    def up(self, stack: str) -> None:
        # Output goes straight to the terminal so the operator sees Pulumi's progress.
        command = [self._binary(), "up", "--yes", "--skip-preview", "-s", stack]
        result = subprocess.run(command, cwd=self.project_dir, check=False)
        if result.returncode != 0:
            raise PulumiError(f"`pulumi up -s {stack}` exited {result.returncode} (output above)")
