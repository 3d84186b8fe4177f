"""Shared fixtures: every stack file of the repository, run once per session under mocks."""

from __future__ import annotations

import json
import os

# Rich sizes its consoles when ops modules are imported: render at one fixed width whatever
# runs the tests (a terminal, CI's pipe, an xdist worker), so table cells never wrap.
os.environ["COLUMNS"] = "200"

import inspect
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from plan import harness
from plan.harness import PROJECT_DIR, Plan, load_stack_config, stack_names
from plan.mocks import Lookups
from tests import plan_memo

# Before any test module or `ops.plan` imports `run_program`: identical runs are done once.
plan_memo.install()

STACKS = stack_names()
STACKFILES = Path(__file__).parent / "stackfiles"
_CACHE: dict[tuple[str, str], Plan] = {}


def plan_for(stack: str, *, stack_file: Path | None = None, **overrides: Any) -> Plan:
    """Run a stack (optionally another stack file or with config overrides) under mocks."""
    return harness.run_program(
        stack, project_dir=PROJECT_DIR, stack_file=stack_file, overrides=overrides
    )


def cached_plan(stack: str, variant: str = "") -> Plan:
    """Plans of the repository's stack files are computed once per session."""
    key = (stack, variant)
    if key not in _CACHE:
        _CACHE[key] = harness.run_program(stack, lookups=_VARIANTS[variant]())
    return _CACHE[key]


SLACK = {"workspaceId": "T07EA123LEP", "channelId": "C07EZ1ABC23"}


def slack_plan(stack: str) -> Plan:
    """A repository stack file with its alarms also in Slack (`alarms.slack`): the CI roles'
    grants that depend on it. Computed once per session."""
    key = (stack, "slack")
    if key not in _CACHE:
        alarms = json.loads(raw_config(stack)["golive:alarms"])
        _CACHE[key] = harness.run_program(stack, overrides={"alarms": {**alarms, "slack": SLACK}})
    return _CACHE[key]


RELEASED_IMAGES = {
    f"/golive/auction/{stack}/images/api": (
        f"123456789012.dkr.ecr.us-east-1.amazonaws.com/auction/{stack}/api@sha256:{'ab' * 32}"
    )
    for stack in ("staging", "prod")
}
"""What `golive release` records for the Auction API in each stack (compute tests)."""

_VARIANTS: dict[str, Callable[[], Lookups]] = {
    "": Lookups,
    "released": lambda: Lookups(released_images=dict(RELEASED_IMAGES)),
}


def raw_config(stack: str) -> dict[str, str]:
    return load_stack_config(stack)[0]


def stack_values(stack: str, config: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A stack file's values as the config model resolves them (every default filled in), with
    the stack file's camelCase keys: what the program is asked to build."""
    from stacks.config import parse

    cfg = parse(stack, raw_config(stack) if config is None else config)
    return cfg.model_dump(mode="json", by_alias=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fresh_runs: every run of the program in this test is a real one"
    )


@pytest.fixture(autouse=True)
def remembered_runs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Identical runs of the program are done once per process (tests/plan_memo.py), except in
    a test that takes `monkeypatch` (it may change what the program consults) or is marked
    `fresh_runs` (the run itself is what it checks)."""
    function = getattr(request, "function", None)
    patches = function is not None and "monkeypatch" in inspect.signature(function).parameters
    fresh = patches or request.node.get_closest_marker("fresh_runs") is not None
    plan_memo.enable(not fresh)
    yield
    plan_memo.enable(True)


@pytest.fixture(params=STACKS)
def stack_plan(request: pytest.FixtureRequest) -> Plan:
    """Each repository stack file's plan (parametrized over every Pulumi.*.yaml)."""
    return cached_plan(request.param)


@pytest.fixture
def staging() -> Plan:
    return cached_plan("staging")


@pytest.fixture
def prod() -> Plan:
    return cached_plan("prod")
