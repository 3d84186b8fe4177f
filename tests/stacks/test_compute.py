"""The compute tier's wiring: listener rule order and priorities from the stack file's routes,
and what a release changes."""

from __future__ import annotations

from typing import Any

import pytest

from plan.compare import flatten
from plan.harness import Plan, run_program
from plan.mocks import Lookups
from stacks.compute import route_order, rule_priorities
from stacks.config import StackConfig, parse
from tests.stacks.config.stack_files import DELETE, as_cli, mutated


def _services(**routes: dict[str, Any]) -> StackConfig:
    services = {name: {"port": 8000 + i, **spec} for i, (name, spec) in enumerate(routes.items())}
    config = mutated(
        {
            "golive:services": services,
            "golive:tasks": DELETE,
            "golive:frontend.enabled": False,
            "golive:frontend.spaFallback": False,
            "golive:cdn.apiPaths": [],
            "golive:cdn.hostNames": ["admin.auction.example.com", "shop.auction.example.com"],
        }
    )
    return parse("staging", as_cli(config))


def test_rule_order_is_most_specific_first_and_priorities_follow_it() -> None:
    cfg = _services(
        site={"paths": ["/*"]},
        admin={"hosts": ["admin.auction.example.com"]},
        api={"paths": ["/api/*"]},
        apiv2={"paths": ["/api/v2/*"]},
        shopapi={"hosts": ["shop.auction.example.com"], "paths": ["/api/*"]},
    )
    assert route_order(cfg.services) == ["shopapi", "apiv2", "api", "admin", "site"]
    assert rule_priorities(cfg.services) == {
        "shopapi": 100, "apiv2": 200, "api": 300, "admin": 400, "site": 500,
    }  # fmt: skip


def test_explicit_priorities_are_kept_and_derived_ones_avoid_them() -> None:
    cfg = _services(api={"paths": ["/api/*"], "priority": 200}, site={"paths": ["/*"]})
    assert route_order(cfg.services) == ["api", "site"]
    assert rule_priorities(cfg.services) == {"api": 200, "site": 201}


def test_priorities_do_not_depend_on_the_order_of_the_stack_file() -> None:
    one = _services(a={"paths": ["/a/*"]}, b={"paths": ["/b/*"]}, c={"paths": ["/*"]})
    other = _services(c={"paths": ["/*"]}, b={"paths": ["/b/*"]}, a={"paths": ["/a/*"]})
    assert rule_priorities(one.services) == rule_priorities(other.services)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_a_release_changes_only_the_task_definitions_that_run_the_image(stack: str) -> None:
    """Only the image differs between two releases: the task definitions that run it get a new
    revision (and their service the new revision's ARN); nothing else is touched."""

    def released(digest: str) -> Plan:
        image = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/auction/{stack}/api@sha256:{digest}"
        return run_program(
            stack, lookups=Lookups(released_images={f"/golive/auction/{stack}/images/api": image})
        )

    before, after = released("ab" * 32), released("cd" * 32)
    old = {(r.type, r.name): flatten(r.inputs) for r in before.resources}
    new = {(r.type, r.name): flatten(r.inputs) for r in after.resources}
    assert old.keys() == new.keys()
    changed = {
        key: sorted(
            path
            for path in old[key].keys() | new[key].keys()
            if old[key].get(path) != new[key].get(path)
        )
        for key in old
    }
    changed = {key: paths for key, paths in changed.items() if paths}
    image = ["containerDefinitions[0].image"]
    assert changed == {
        ("aws:ecs/taskDefinition:TaskDefinition", f"auction-{stack}-{name}-taskdef"): image
        for name in ("api", "seed", "create-admin")
    }
