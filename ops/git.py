"""Asking the project's git repository about its history (the commit a release tag names,
whether one commit is older than another): the one place golive runs `git`."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from ops.errors import ExitCode, OpsError

GIT_TIMEOUT = 30
"""Seconds one question may take (a local repository answers in milliseconds)."""


def ask_git(
    arguments: Sequence[str], project_dir: Path | None, *, asking: str
) -> subprocess.CompletedProcess[str]:
    """`git ARGUMENTS` in `project_dir` (default: the current directory): its exit status and
    output are the caller's to read. When git cannot run or does not answer in time, an
    OpsError "could not ask git ASKING: why"; golive asks git only before it changes anything,
    so that is exit code 3."""
    try:
        return subprocess.run(
            ["git", *arguments],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpsError(
            f"could not ask git {asking}: {exc}",
            "run golive from the repository",
            exit_code=ExitCode.NOTHING_CHANGED,
        ) from None
