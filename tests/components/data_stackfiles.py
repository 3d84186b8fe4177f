"""Plans of the data tier's extra stack files (tests/stackfiles), run once per session."""

from __future__ import annotations

import functools

from plan.harness import Plan, run_program
from tests.conftest import STACKFILES


@functools.cache
def stackfile_plan(stack: str) -> Plan:
    """`trading` (prod-like: Multi-AZ cache, JSON secrets) or `pool` (minimal, Redis, config)."""
    return run_program(stack, stack_file=STACKFILES / f"Pulumi.{stack}.yaml")
