"""`git` in a throwaway repository of a test, as a fixed author (no global config needed)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its output; a failure fails the test."""
    result = subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=repo, capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    return result.stdout.strip()
