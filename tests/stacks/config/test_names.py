"""How long app, stack and service names may be together (`components.naming.NAME_LIMITS`), and
problems that say which names to shorten and by how much."""

from __future__ import annotations

from typing import Any

import pytest

from components.naming import (
    CACHE_LIMIT,
    LOAD_BALANCER_LIMIT,
    NAME_LIMITS,
    TARGET_GROUP_LIMIT,
    NameLimit,
)
from plan.harness import run_program
from plan.reference import markdown
from stacks.config import ConfigError, parse
from tests.stacks.config.stack_files import as_cli, mutated, write_stack_file

WEB: dict[str, Any] = {
    "port": 3000,
    "hosts": [],
    "paths": ["/app/*"],
    "healthCheck": {"path": "/app/health"},
}


def _renamed(app: str, **services: dict[str, Any]) -> dict[str, Any]:
    config = mutated({"golive:app": app, "aws:defaultTags.tags.golive:app": app})
    config["golive:services"] = {**config["golive:services"], **services}
    config["golive:cdn"] = {**config["golive:cdn"], "apiPaths": ["/api/*", "/app/*"]}
    return config


@pytest.mark.parametrize("limit", NAME_LIMITS, ids=[limit.resource for limit in NAME_LIMITS])
def test_the_room_is_exactly_what_fits(limit: NameLimit) -> None:
    service = "svcs" if limit.per_service else ""
    app = "a" * (limit.room - len("prod") - len(service))
    assert limit.excess(app, "prod", service) == 0
    assert limit.excess(app + "a", "prod", service) == 1


def test_two_web_services_of_a_long_app_say_what_to_shorten() -> None:
    """The trading team's case: app 'trading-dashboard' with backend and frontend."""
    config = _renamed("trading-dashboard", frontend=WEB)
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(config))
    problems = {p.path: p.message for p in raised.value.problems}
    assert problems["app"].startswith(
        "the load balancer's name 'trading-dashboard-staging-alb-xxxxxxx' would be 37 "
        "characters; AWS allows 32, so app + stack names may have 19 characters together "
        "(app 'trading-dashboard' 17 + stack 'staging' 7): shorten the app name by 5 (to 12 "
        "characters)"
    )
    assert "shorten the app name by 10 (to 7 characters)" in problems["services.frontend"]
    assert "shorten the app name by 5" in problems["services.api"]


def test_a_long_cache_id_names_the_app_and_stack() -> None:
    app = "a" * (CACHE_LIMIT.room - len("staging"))
    assert CACHE_LIMIT.excess(app, "staging") == 0
    config = mutated({"golive:app": app + "ab", "aws:defaultTags.tags.golive:app": app + "ab"})
    config["golive:cache"] = {"engine": "valkey"}
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(config))
    problems = {p.path: p.message for p in raised.value.problems}
    assert (
        "the cache's name" in problems["cache"]
        and "shorten the app name by 2" in (problems["cache"])
    )


def test_the_longest_names_that_fit_plan_within_aws_limits() -> None:
    """At exactly the room, the names the mocks give AWS fit (Pulumi's suffix included)."""
    service = "svc"
    app = "b" * (TARGET_GROUP_LIMIT.room - len("staging") - len(service))
    config = _renamed(app, **{service: WEB})
    plan = run_program("staging", stack_file=write_stack_file(config, []))
    groups = plan.of_type("aws:lb/targetGroup:TargetGroup")
    assert max(len(g.outputs["name"]) for g in groups) == TARGET_GROUP_LIMIT.limit
    (balancer,) = plan.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert len(balancer.outputs["name"]) <= LOAD_BALANCER_LIMIT.limit


def test_the_config_reference_says_how_long_the_names_may_be_together() -> None:
    text = markdown()
    for limit in NAME_LIMITS:
        assert f"{' + '.join(limit.parts)}: {limit.room} ({limit.resource}" in text
