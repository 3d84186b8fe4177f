"""How long the offline plan takes per stack file, and what it estimates (figures, never
assertions).

    .venv/bin/python scripts/bench.py [--runs 5]

For every stack file of the repository and of tests/stackfiles: the real program under mocks
several times in one process (as the test suite runs it: the first run's time and the median of
the rest), then `golive plan STACK -q --json FILE` as a user runs it, in a process of its own
(its wall time, CPU time and peak memory), with the estimates that plan prints: the cold
deploy and a release, typical and upper, in minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plan.harness import run_program  # noqa: E402


@dataclass(frozen=True)
class Process:
    """One `golive plan` in its own process."""

    seconds: float
    cpu_seconds: float
    """User and system time: what the plan costs when other processes share the cores."""
    peak_mb: float
    estimate: dict[str, dict[str, float]]


def stack_files() -> list[tuple[str, Path]]:
    files = sorted(ROOT.glob("Pulumi.*.yaml")) + sorted(
        (ROOT / "tests" / "stackfiles").glob("Pulumi.*.yaml")
    )
    return [(p.name[len("Pulumi.") : -len(".yaml")], p) for p in files]


def in_process(stack: str, path: Path, runs: int) -> tuple[int, float, float]:
    """Resources, the first run's seconds and the median of the others."""
    times: list[float] = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        plan = run_program(stack, stack_file=path)
        times.append(time.perf_counter() - start)
        count = len(plan.resources)
    rest = times[1:] or times
    return count, times[0], statistics.median(rest)


def whole_process(stack: str, path: Path) -> Process:
    """`golive plan` as a user runs it; peak memory from the kernel's accounting of that child."""
    with tempfile.TemporaryDirectory() as scratch:
        document = Path(scratch) / "plan.json"
        command = [
            sys.executable, "-m", "ops", "plan", stack, "--stack-file", str(path), "-q",
            "--json", str(document),
        ]  # fmt: skip
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"golive plan {stack} failed ({child.returncode})")
        estimate = json.loads(document.read_text())["estimate"]
    # ru_maxrss: kilobytes on Linux.
    return Process(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, estimate)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'stack':<9} {'resources':>9} {'first s':>8} {'median s':>9} {'plan s':>7} "
        f"{'cpu s':>6} {'peak MB':>8} {'cold min':>9} {'(upper)':>8} {'release min':>12} "
        f"{'(upper)':>8}"
    )
    for stack, path in stack_files():
        count, first, median = in_process(stack, path, args.runs)
        process = whole_process(stack, path)
        cold, release = process.estimate["coldDeploy"], process.estimate["release"]
        print(
            f"{stack:<9} {count:>9} {first:>8.2f} {median:>9.2f} {process.seconds:>7.2f} "
            f"{process.cpu_seconds:>6.2f} {process.peak_mb:>8.0f} "
            f"{cold['typicalMinutes']:>9.1f} {cold['upperMinutes']:>8.1f} "
            f"{release['typicalMinutes']:>12.1f} {release['upperMinutes']:>8.1f}"
        )


if __name__ == "__main__":
    main()
