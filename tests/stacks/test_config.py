"""The stack config model: every invalid stack file fails before any resource, naming the key."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from plan.harness import PROJECT_DIR, RecordedResource, run_program
from plan.mocks import Lookups
from stacks.config import ConfigError, StackConfig, known_keys, parse

DELETE = object()


def stack_document(stack: str = "staging") -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]


def mutated(changes: dict[str, Any], stack: str = "staging") -> dict[str, Any]:
    """The stack file's config with `changes` applied (`"golive:network.azCount": 7`)."""
    config = copy.deepcopy(stack_document(stack))
    for dotted, value in changes.items():
        top, *path = (
            dotted.split(".")
            if not dotted.startswith("aws:defaultTags")
            else [
                "aws:defaultTags",
                "tags",
                dotted.removeprefix("aws:defaultTags.tags."),
            ]
        )
        if not path:
            if value is DELETE:
                config.pop(top, None)
            else:
                config[top] = value
            continue
        node = config.setdefault(top, {})
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if value is DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    return config


def assert_names_key(
    changes: dict[str, Any], key: str, phrase: str, stack: str = "staging"
) -> None:
    """The stack file with `changes` fails with a problem at `key` whose message holds `phrase`."""
    with pytest.raises(ConfigError) as raised:
        parse(stack, as_cli(mutated(changes, stack)))
    paths = [p.path for p in raised.value.problems]
    assert key in paths, f"{key} not among {paths}:\n{raised.value}"
    problem = next(p for p in raised.value.problems if p.path == key)
    assert phrase in problem.message, str(raised.value)


def as_cli(config: dict[str, Any]) -> dict[str, str]:
    from plan.harness import _as_cli_string  # pyright: ignore[reportPrivateUsage]

    return {k: _as_cli_string(v) for k, v in config.items()}


# (id, changes, the key path the message must name, a phrase the message must hold)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("typo-top-key", {"golive:netwrok": {"azCount": 2}}, "golive:netwrok", "did you mean 'network'"),
    ("typo-nested-key", {"golive:network.azCuont": 3}, "network.azCuont", "did you mean 'azCount'"),
    ("typo-flowlogs-key", {"golive:network.flowLogs.retention": 30}, "network.flowLogs.retention", "retentionDays"),
    ("cidr-not-a-cidr", {"golive:network.cidr": "10.0.0.0/33"}, "network.cidr", "10.0.0.0/33"),
    ("cidr-host-bits", {"golive:network.cidr": "10.0.0.1/16"}, "network.cidr", "10.0.0.1/16"),
    ("cidr-too-small", {"golive:network.cidr": "10.0.0.0/24"}, "network.cidr", "/16 to /23"),
    ("cidr-too-large", {"golive:network.cidr": "10.0.0.0/12"}, "network.cidr", "/16 to /23"),
    ("cidr-public", {"golive:network.cidr": "8.8.0.0/16"}, "network.cidr", "not a private range"),
    ("az-count-7", {"golive:network.azCount": 7}, "network.azCount", "less than or equal to 6"),
    ("az-count-1", {"golive:network.azCount": 1}, "network.azCount", "greater than or equal to 2"),
    ("az-count-word", {"golive:network.azCount": "three"}, "network.azCount", "integer"),
    ("nat-unknown", {"golive:network.nat": "double"}, "network.nat", "'perAz'"),
    ("nat-wrong-case", {"golive:network.nat": "perAZ"}, "network.nat", "'perAz'"),
    ("endpoint-unknown", {"golive:network.interfaceEndpoints": ["ecr"]}, "network.interfaceEndpoints[0]", "ecr.api"),
    ("endpoint-twice", {"golive:network.interfaceEndpoints": ["logs", "logs"]}, "network.interfaceEndpoints", "twice"),
    ("retention-not-allowed", {"golive:network.flowLogs.retentionDays": 10}, "network.flowLogs.retentionDays", "nearest: 7"),
    ("flowlog-destination", {"golive:network.flowLogs.destination": "kinesis"}, "network.flowLogs.destination", "'cloudWatch'"),
    ("flowlog-traffic", {"golive:network.flowLogs.trafficType": "all"}, "network.flowLogs.trafficType", "'ALL'"),
    ("flowlog-enabled", {"golive:network.flowLogs.enabled": "maybe"}, "network.flowLogs.enabled", "boolean"),
    ("subnets-count", {"golive:network.subnets": {"public": ["10.10.0.0/24"], "private": ["10.10.8.0/24", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.public", "one per AZ"),
    ("subnets-outside", {"golive:network.subnets": {"public": ["10.10.0.0/24", "10.99.1.0/24"], "private": ["10.10.8.0/24", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.public[1]", "outside the VPC"),
    ("subnets-overlap", {"golive:network.subnets": {"public": ["10.10.0.0/24", "10.10.1.0/24"], "private": ["10.10.0.0/23", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.private[0]", "overlaps"),
    ("subnets-too-small", {"golive:network.subnets": {"public": ["10.10.0.0/29", "10.10.1.0/24"], "private": ["10.10.8.0/24", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.public[0]", "/28"),
    ("network-not-object", {"golive:network": "big"}, "network", "valid dictionary"),
    ("app-too-long", {"golive:app": "live-event-platform"}, "app", "AWS allows 32"),
    ("app-uppercase", {"golive:app": "Auction"}, "app", "lowercase"),
    ("app-leading-digit", {"golive:app": "1auction"}, "app", "start with a letter"),
    ("app-double-hyphen", {"golive:app": "auc--tion"}, "app", "single hyphens"),
    ("app-missing", {"golive:app": DELETE}, "app", "required key 'golive:app'"),
    ("region-missing", {"aws:region": DELETE}, "aws:region", "required key 'aws:region'"),
    ("region-typo", {"aws:region": "us-east-7"}, "aws:region", "did you mean"),
    ("domain-outside-zone", {"golive:domain.name": "staging.other.com"}, "domain.name", "not inside the zone"),
    ("domain-uppercase", {"golive:domain.name": "Staging.auction.example.com"}, "domain.name", "lowercase"),
    ("domain-bad-label", {"golive:domain.name": "-x.auction.example.com"}, "domain.name", "not a DNS name"),
    ("domain-long-label", {"golive:domain.name": "a" * 64 + ".auction.example.com"}, "domain.name", "1-63"),
    ("domain-missing-zone", {"golive:domain.zone": DELETE}, "domain.zone", "required key 'zone'"),
    ("domain-unknown-key", {"golive:domain.zoneId": "Z123"}, "domain.zoneId", "did you mean 'zone'"),
    ("protect-not-bool", {"golive:protect": "yes please"}, "protect", "boolean"),
    ("tag-stack-mismatch", {"aws:defaultTags.tags.golive:stack": "prod"}, "aws:defaultTags.tags.golive:stack", "set it to 'staging'"),
    ("tag-reserved-prefix", {"aws:defaultTags.tags.aws:owner": "me"}, "aws:defaultTags.tags.aws:owner", "reserved"),
]  # fmt: skip


def test_there_are_at_least_thirty_distinct_invalid_stack_files() -> None:
    assert len({case[0] for case in INVALID}) >= 30


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_stack_file_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


@pytest.mark.parametrize(
    ("case", "changes", "key", "phrase"), INVALID[::4], ids=[c[0] for c in INVALID[::4]]
)
def test_invalid_stack_file_registers_no_resource(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case, phrase
    config = mutated(changes)
    registered: list[RecordedResource] = []
    removed = [k for k, v in changes.items() if v is DELETE and "." not in k]
    stack_file = _write_stack_file(config, removed)
    with pytest.raises(ConfigError, match=key.split(".", maxsplit=1)[0].replace("golive:", "")):
        run_program("staging", stack_file=stack_file, registered=registered)
    assert registered == []


def _write_stack_file(config: dict[str, Any], removed: list[str]) -> Any:
    import tempfile
    from pathlib import Path

    for key in removed:
        config.pop(key, None)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump({"config": config}, handle)
    return Path(handle.name)


def test_every_problem_is_listed_at_once() -> None:
    config = mutated(
        {
            "golive:network.azCount": 9,
            "golive:network.nat": "double",
            "golive:domain.name": "elsewhere.org",
            "golive:netwrok": {},
        }
    )
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(config))
    paths = {p.path for p in raised.value.problems}
    assert {"network.azCount", "network.nat", "domain.name", "golive:netwrok"} <= paths
    assert str(raised.value).startswith(
        f"{len(raised.value.problems)} problems in Pulumi.staging.yaml"
    )


def test_more_azs_than_the_region_offers_fails_before_any_resource() -> None:
    registered: list[RecordedResource] = []
    with pytest.raises(
        ConfigError, match=r"network\.azCount: 2 AZs asked for, but us-east-1 offers 1"
    ):
        run_program(
            "prod",
            lookups=Lookups(availability_zones=["us-east-1a"]),
            registered=registered,
        )
    assert registered == []


def test_both_repository_stack_files_are_valid() -> None:
    for stack in ("staging", "prod"):
        cfg = parse(stack, as_cli(stack_document(stack)))
        assert isinstance(cfg, StackConfig)
        assert cfg.prefix == f"auction-{stack}"


def test_config_is_frozen() -> None:
    cfg = parse("staging", as_cli(stack_document()))
    with pytest.raises(ValueError, match="frozen"):
        cfg.network.az_count = 3  # type: ignore[misc]


def test_derived_subnets_never_renumber_when_azs_are_added() -> None:
    two = parse("staging", as_cli(mutated({"golive:network.azCount": 2}))).network.subnet_cidrs()
    six = parse("staging", as_cli(mutated({"golive:network.azCount": 6}))).network.subnet_cidrs()
    for tier in ("public", "private", "isolated"):
        assert six[tier][:2] == two[tier]
        assert len(six[tier]) == 6
    assert two == {
        "public": ["10.10.0.0/21", "10.10.8.0/21"],
        "private": ["10.10.128.0/20", "10.10.144.0/20"],
        "isolated": ["10.10.64.0/21", "10.10.72.0/21"],
    }


def test_known_keys_follows_nested_models() -> None:
    assert "retentionDays" in known_keys(("network", "flowLogs", "x"))
    assert "azCount" in known_keys(("network", "x"))
    assert "network" in known_keys(("x",))
