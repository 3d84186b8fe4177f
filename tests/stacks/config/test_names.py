"""The AWS names a stack file makes: every stack file, and extremes, either plan with names AWS
accepts (the mocks judge every input of every resource) or fail before any resource with a config
error naming the key. Never a plan AWS would refuse. Where app, stack and service names together
are too long (`components.naming.NAME_LIMITS`), the problem says which to shorten and by how much.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aws_facts.input_rules import INPUT_RULES, Rule
from aws_facts.limits import ALB_NAME_MAX
from components import naming
from components.naming import (
    CACHE_LIMIT,
    LOAD_BALANCER_LIMIT,
    NAME_LIMITS,
    TARGET_GROUP_LIMIT,
    NameLimit,
)
from plan.harness import PROJECT_DIR, Plan, RecordedResource, run_program, unwrap_secrets
from plan.reference import markdown
from stacks.config import ConfigError, StackConfig, parse
from stacks.config.names import Planned, planned, problems
from tests.components.data_stackfiles import stackfile_plan
from tests.conftest import STACKFILES, STACKS, cached_plan, slack_plan
from tests.stacks.config.stack_files import as_cli, mutated, write_stack_file

STACK_FILES: list[tuple[str, Path]] = [
    *((stack, PROJECT_DIR / f"Pulumi.{stack}.yaml") for stack in STACKS),
    *((path.name.split(".")[1], path) for path in sorted(STACKFILES.glob("Pulumi.*.yaml"))),
]
"""Every stack file: the repository's and tests/stackfiles (name, path)."""

NOT_DECLARED = {"aws:ssm/parameter:Parameter": "the image records `golive release` writes"}
"""Planned names the program does not declare (they are judged all the same)."""

NOT_PLANNED = {
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name"): (
        "`alarm_name(prefix, scope, role)`: 1-255 printable characters, which a prefix of at most "
        "20 and a workload of at most 24 never reach; the mocks judge them"
    ),
    ("aws:rds/instance:Instance", "finalSnapshotIdentifier"): (
        "drawn at deploy (a random suffix): the mocks and the policy pack judge it"
    ),
}
"""Recorded names derived from the stack file that the config model leaves to the mocks."""

DESCRIPTIONS = {"description", "alarmDescription", "comment"}
"""Inputs that are text, not names: the config model judges those holding free stack-file text
(a schedule's command); the mocks judge all of them."""


def _plan(stack: str, stack_file: Path) -> Plan:
    """The session's plan of a stack file (the same run every other test sees)."""
    return cached_plan(stack) if stack in STACKS else stackfile_plan(stack)


def _pattern(item: Planned) -> re.Pattern[str]:
    """The planned value with its stand-ins for Pulumi's and the provider's suffixes."""
    text = re.escape(item.value)
    text = text.replace("x" * 7, "[0-9a-f]{7}").replace("0" * naming.UNIQUE_SUFFIX, "[0-9a-f]{26}")
    if item.resource_type == "aws:iam/policy:Policy" and text.endswith("\\-1"):
        # A CI role's numbered policies: the first stands in for the others (same length).
        text = text[: -len("1")] + "[1-9]"
    return re.compile(text)


def _recorded_names(plan: Plan) -> list[tuple[str, str, str, RecordedResource]]:
    """(type, input, value, resource) of every name-like input AWS judges, as AWS will see it."""
    found: list[tuple[str, str, str, RecordedResource]] = []
    for resource in plan.resources:
        state = {**unwrap_secrets(resource.inputs), **unwrap_secrets(resource.outputs)}
        for spec in INPUT_RULES.get(resource.type, ()):
            value = state.get(spec.path)
            if isinstance(spec.rule, Rule) and isinstance(value, str):
                found.append((resource.type, spec.path, value, resource))
    return found


@pytest.mark.parametrize(("stack", "stack_file"), STACK_FILES, ids=[s for s, _ in STACK_FILES])
def test_every_stack_file_plans_with_names_aws_accepts_and_the_config_judges_them(
    stack: str, stack_file: Path
) -> None:
    """The plan runs (the mocks judge every input: a refusal fails the run), the config model
    finds nothing, and `planned(cfg)` agrees with the program: each name the config model judges
    is one a component declares, and each declared name holding a stack-file value is judged."""
    assert_names_are_judged(_plan(stack, stack_file))


def test_a_stack_with_alarms_in_slack_plans_names_the_config_judges() -> None:
    """The chat role's name is explicit: the boundary names exactly it."""
    assert_names_are_judged(slack_plan("staging"))


def assert_names_are_judged(plan: Plan) -> None:
    cfg = parse(plan.stack, plan.config)
    assert problems(cfg) == []
    recorded = _recorded_names(plan)
    items = planned(cfg)
    for item in items:
        if item.resource_type in NOT_DECLARED:
            continue
        pattern = _pattern(item)
        assert any(
            t == item.resource_type and p == item.path and pattern.fullmatch(v)
            for t, p, v, _ in recorded
        ), f"{item} is not what the program declares"
    for resource_type, path, value, resource in recorded:
        if path in DESCRIPTIONS or (resource_type, path) in NOT_PLANNED:
            continue
        if cfg.app not in value and cfg.stack not in value:
            continue
        assert any(
            i.resource_type == resource_type and i.path == path and _pattern(i).fullmatch(value)
            for i in items
        ), f"{resource.name}: {path} {value!r} is not judged by the config model"


# ----------------------------------------------------------------------------- the extremes

Change = Callable[[dict[str, Any]], None]


def _app(name: str) -> Change:
    def change(config: dict[str, Any]) -> None:
        config["golive:app"] = name
        config["aws:defaultTags"]["tags"]["golive:app"] = name

    return change


def _longest_app(stack: str) -> str:
    """The longest app name the stack's load balancer leaves room for."""
    room = ALB_NAME_MAX - naming.physical_length(naming.load_balancer(f"-{stack}"))
    return "a" * room


def _rename(kind: str, old: str, new: str) -> Change:
    """Rename a service, task or schedule (and what refers to a renamed service)."""

    def change(config: dict[str, Any]) -> None:
        items = config[f"golive:{kind}"]
        config[f"golive:{kind}"] = {(new if k == old else k): v for k, v in items.items()}
        if kind == "services":
            for other in ("golive:tasks", "golive:schedules"):
                for run in (config.get(other) or {}).values():
                    if run["service"] == old:
                        run["service"] = new

    return change


def _set(dotted: str, value: Any) -> Change:
    def change(config: dict[str, Any]) -> None:
        top, *path = dotted.split(".")
        node = config[top]
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _tag(key: str, value: str) -> Change:
    def change(config: dict[str, Any]) -> None:
        config["aws:defaultTags"]["tags"][key] = value

    return change


def _all(*changes: Change) -> Change:
    def change(config: dict[str, Any]) -> None:
        for each in changes:
            each(config)

    return change


W24 = "w" * 24
"""The longest service, task or schedule name the config model allows."""

# (id, base stack file, stack name, change, the key the config error names; None: it plans)
EXTREMES: list[tuple[str, str, str, Change, str | None]] = [
    ("app-internal", "staging", "staging", _app("internal"), "app"),
    ("app-internal-without-load-balancer", "pool", "pool", _app("internal"), None),
    ("app-aws", "staging", "staging", _app("aws"), None),
    ("app-ssm", "tracker", "tracker", _app("ssm"), None),
    ("app-xn--a", "staging", "staging", _app("xn--a"), "app"),
    ("app-digits-first", "staging", "staging", _app("1auction"), "app"),
    ("app-sg", "staging", "staging", _app("sg"), "app"),
    ("app-sthree", "staging", "staging", _app("sthree"), "app"),
    ("app-sthree-without-buckets", "pool", "pool", _app("sthree"), None),
    ("app-amzn-in-stack-s3-demo", "staging", "s3-demo", _app("amzn"), "app"),
    ("app-longest", "staging", "staging", _app(_longest_app("staging")), None),
    ("app-one-too-long", "staging", "staging", _app(_longest_app("staging") + "b"), "app"),
    ("stack-capitals", "staging", "Staging", lambda c: None, "stack"),
    ("stack-underscore", "staging", "qa_1", lambda c: None, "stack"),
    ("stack-double-hyphen", "staging", "qa--1", lambda c: None, "stack"),
    ("stack-digits-first", "staging", "1qa", lambda c: None, "stack"),
    ("web-service-longest", "staging", "staging", _rename("services", "api", "w" * 8), None),
    ("web-service-one-too-long", "staging", "staging", _rename("services", "api", "w" * 9), "services.wwwwwwwww"),
    ("service-digits-first", "staging", "staging", _rename("services", "api", "1api"), "services.1api"),
    ("worker-longest", "tracker", "tracker", _rename("services", "feeds", W24), None),
    ("worker-one-too-long", "tracker", "tracker", _rename("services", "feeds", W24 + "w"), f"services.{W24}w"),
    ("task-longest", "staging", "staging", _rename("tasks", "seed", W24), None),
    ("schedule-longest", "tracker", "tracker", _rename("schedules", "nightly-report", W24), None),
    ("schedule-command-too-long", "tracker", "tracker", _set("golive:schedules.score-tick.command", ["php", "x" * 500]), "schedules.score-tick.command"),
    ("master-username-too-long", "staging", "staging", _set("golive:database.masterUsername", "auction_admins_01"), "database.masterUsername"),
    ("tag-value-ampersand", "staging", "staging", _tag("team", "R&D"), "aws:defaultTags.tags.team"),
    ("tag-key-aws-prefix", "staging", "staging", _tag("AWS:team", "x"), "aws:defaultTags.tags.AWS:team"),
    ("tag-value-aws-prefix", "staging", "staging", _tag("team", "aws:auction"), "aws:defaultTags.tags.team"),
    ("longest-everything", "tracker", "tracker", _all(_app(_longest_app("tracker")), _rename("services", "feeds", W24), _rename("schedules", "nightly-report", "s" * 24), _rename("tasks", "migrate", "t" * 24)), None),
    ("longest-everything-outside-us-east-1", "hosts", "hosts", _all(_app(_longest_app("hosts")), _rename("services", "backend", "bak"), _rename("services", "frontend", "fro")), None),
    ("longest-app-with-everything-in-prod", "prod", "prod", _app(_longest_app("prod")), None),
]  # fmt: skip


def _extreme_file(tmp_path: Path, base: str, stack: str, change: Change) -> Path:
    path = dict(STACK_FILES)[base]
    document = yaml.safe_load(path.read_text())
    config = copy.deepcopy(document["config"])
    config["aws:defaultTags"]["tags"]["golive:stack"] = stack
    change(config)
    target = tmp_path / f"Pulumi.{stack}.yaml"
    target.write_text(yaml.safe_dump({"config": config}))
    return target


@pytest.mark.parametrize(
    ("base", "stack", "change", "key"), [pytest.param(*e[1:], id=e[0]) for e in EXTREMES]
)
def test_an_extreme_plans_with_names_aws_accepts_or_names_the_key(
    tmp_path: Path, base: str, stack: str, change: Change, key: str | None
) -> None:
    stack_file = _extreme_file(tmp_path, base, stack, change)
    registered: list[RecordedResource] = []
    if key is None:
        plan = run_program(stack, stack_file=stack_file, registered=registered)
        assert problems(parse(stack, plan.config)) == []
        return
    with pytest.raises(ConfigError) as raised:
        run_program(stack, stack_file=stack_file, registered=registered)
    assert key in [p.path for p in raised.value.problems], str(raised.value)
    assert registered == [], "a config error comes before any resource"


def test_app_internal_names_app_and_the_load_balancer_rule() -> None:
    config = copy.deepcopy(yaml.safe_load((PROJECT_DIR / "Pulumi.staging.yaml").read_text()))
    _app("internal")(config["config"])
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(config["config"]))
    (problem,) = raised.value.problems
    assert problem.path == "app"
    assert problem.message == (
        "'internal' makes 'internal-staging-alb-xxxxxxx', refused by AWS as an ELB load balancer "
        "name (botocore elbv2 CreateLoadBalancerInput.Name): must not start with 'internal-': "
        "reserved by AWS; choose another app name (the stack is 'staging')"
    )


def _config(base: str, stack: str, change: Change) -> StackConfig:
    config = copy.deepcopy(yaml.safe_load(dict(STACK_FILES)[base].read_text())["config"])
    config["aws:defaultTags"]["tags"]["golive:stack"] = stack
    change(config)
    return parse(stack, as_cli(config))


def test_a_reserved_start_is_blamed_on_the_app_even_in_a_service_name() -> None:
    # `sg` starts every security group's name, the service's too: one problem, on `app`.
    with pytest.raises(ConfigError) as raised:
        _config("staging", "staging", _app("sg"))
    (problem,) = raised.value.problems
    assert problem.path == "app"
    assert "'sg-staging-db-sg-xxxxxxx', 'sg-staging-alb-sg-xxxxxxx'" in problem.message
    assert "and 1 more, refused by AWS as an EC2 security group name" in problem.message


def test_planned_names_follow_what_the_stack_file_turns_on() -> None:
    cfg = _config("pool", "pool", lambda c: None)
    types = {item.resource_type for item in planned(cfg)}
    assert "aws:lb/loadBalancer:LoadBalancer" not in types  # no web service
    assert "aws:s3/bucket:Bucket" not in types  # no frontend, flow logs to CloudWatch
    assert "aws:elasticache/replicationGroup:ReplicationGroup" in types


# ----------------------------------------------------------------------------- length advice

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
