"""How long the offline plan takes per stack file (figures, never assertions).

    .venv/bin/python scripts/bench.py [--runs 5]

Runs the real program under mocks for every stack file of the repository and of
tests/stackfiles, several times in one process (as the test suite does), and prints resources,
the first run's time and the median of the rest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plan.harness import run_program  # noqa: E402


def stack_files() -> list[tuple[str, Path]]:
    files = sorted(ROOT.glob("Pulumi.*.yaml")) + sorted(
        (ROOT / "tests" / "stackfiles").glob("Pulumi.*.yaml")
    )
    return [(p.name[len("Pulumi.") : -len(".yaml")], p) for p in files]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'stack':<10} {'resources':>9} {'first s':>8} {'median s':>9}")
    for stack, path in stack_files():
        times: list[float] = []
        count = 0
        for _ in range(args.runs):
            start = time.perf_counter()
            plan = run_program(stack, stack_file=path)
            times.append(time.perf_counter() - start)
            count = len(plan.resources)
        rest = times[1:] or times
        print(f"{stack:<10} {count:>9} {times[0]:>8.2f} {statistics.median(rest):>9.2f}")


if __name__ == "__main__":
    main()
