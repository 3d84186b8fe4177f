"""The stack config model: every invalid stack file fails before any resource, naming the key."""

from __future__ import annotations

import types
from typing import Any, cast

import pytest

from plan.harness import RecordedResource, load_stack_config, run_program
from plan.mocks import Lookups
from stacks.config import ConfigError, StackConfig, known_keys, parse
from stacks.config.stack import CROSS_RULES, CrossRule
from tests.conftest import STACKFILES
from tests.stacks.config import test_edge, test_network
from tests.stacks.config.stack_files import (
    DELETE,
    as_cli,
    assert_names_key,
    mutated,
    stack_document,
    write_stack_file,
)

# (id, changes, the key path the message must name, a phrase the message must hold)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("typo-top-key", {"golive:netwrok": {"azCount": 2}}, "golive:netwrok", "did you mean 'network'"),
    ("app-too-long", {"golive:app": "live-event-platform"}, "app", "shorten the app name by 7 (to 12 characters)"),
    ("app-uppercase", {"golive:app": "Auction"}, "app", "lowercase"),
    ("app-leading-digit", {"golive:app": "1auction"}, "app", "start with a letter"),
    ("app-double-hyphen", {"golive:app": "auc--tion"}, "app", "single hyphens"),
    ("app-missing", {"golive:app": DELETE}, "app", "required key 'golive:app'"),
    ("region-missing", {"aws:region": DELETE}, "aws:region", "required key 'aws:region'"),
    ("region-typo", {"aws:region": "us-east-7"}, "aws:region", "did you mean"),
    ("protect-not-bool", {"golive:protect": "yes please"}, "protect", "boolean"),
    ("tag-stack-mismatch", {"aws:defaultTags.tags.golive:stack": "prod"}, "aws:defaultTags.tags.golive:stack", "set it to 'staging'"),
    ("tag-reserved-prefix", {"aws:defaultTags.tags.aws:owner": "me"}, "aws:defaultTags.tags.aws:owner", "reserved"),
]  # fmt: skip


EVERY_INVALID = [*test_network.INVALID, *INVALID, *test_edge.INVALID]
"""The stack-wide cases and the network's and edge's."""


def test_there_are_at_least_thirty_distinct_invalid_stack_files() -> None:
    assert len({case[0] for case in EVERY_INVALID}) >= 30


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_stack_file_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


@pytest.mark.parametrize(
    ("case", "changes", "key", "phrase"), EVERY_INVALID, ids=[c[0] for c in EVERY_INVALID]
)
def test_invalid_stack_file_registers_no_resource(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case, phrase
    config = mutated(changes)
    registered: list[RecordedResource] = []
    removed = [k for k, v in changes.items() if v is DELETE and "." not in k]
    stack_file = write_stack_file(config, removed)
    with pytest.raises(ConfigError, match=key.split(".", maxsplit=1)[0].replace("golive:", "")):
        run_program("staging", stack_file=stack_file, registered=registered)
    assert registered == []


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


def _problems(changes: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(mutated(changes)))
    return {p.path: p.message for p in raised.value.problems}


def test_a_name_too_long_no_longer_hides_a_tag_mismatch() -> None:
    """Reproduces a tag mismatch reported only once the app name was shortened."""
    problems = _problems(
        {"golive:app": "live-event-platform", "aws:defaultTags.tags.golive:stack": "prod"}
    )
    assert "shorten the app name by 7" in problems["app"]
    assert "set it to 'staging'" in problems["aws:defaultTags.tags.golive:stack"]


def test_an_invalid_key_hides_no_rule_across_the_other_keys() -> None:
    """A field's own error used to stop every rule across fields (tags, references, routes)."""
    problems = _problems(
        {
            "golive:network.azCount": 9,
            "aws:defaultTags.tags.golive:stack": "prod",
            "golive:services.api.secrets": ["JWT_SECRET", "SMPT"],
            "golive:tasks.seed.service": "apii",
        }
    )
    assert "less than or equal to 6" in problems["network.azCount"]
    assert "set it to 'staging'" in problems["aws:defaultTags.tags.golive:stack"]
    assert (
        "'SMPT' is not in golive:secrets (did you mean 'SMTP'?)"
        in (problems["services.api.secrets[1]"])
    )
    assert "'apii' is not a service of this stack" in problems["tasks.seed.service"]


def test_rules_that_read_an_invalid_key_stay_quiet_instead_of_misleading() -> None:
    """With `secrets` invalid, a service naming one of them is not reported as unknown."""
    problems = _problems(
        {
            "golive:secrets.SMTP.source": "vault",
            "aws:defaultTags.tags.golive:app": "other",
        }
    )
    assert "secrets.SMTP.source" in problems
    assert "set it to 'auction'" in problems["aws:defaultTags.tags.golive:app"]
    assert not [p for p in problems if p.startswith("services.")]


def test_an_invalid_required_key_still_lets_the_other_rules_run() -> None:
    problems = _problems(
        {"aws:region": "us-est-1", "golive:services.api.secrets": ["NOPE", "SMTP", "DATABASE"]}
    )
    assert "did you mean" in problems["aws:region"]
    assert "'NOPE' is not in golive:secrets" in problems["services.api.secrets[0]"]


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


def test_known_keys_follows_nested_models() -> None:
    assert "retentionDays" in known_keys(("network", "flowLogs", "x"))
    assert "azCount" in known_keys(("network", "x"))
    assert "network" in known_keys(("x",))


class _Reads:
    """A stack config that records which of its fields a rule reads (through its properties and
    methods too)."""

    def __init__(self, cfg: StackConfig) -> None:
        self._cfg = cfg
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        cls = type(self._cfg)
        if name in cls.model_fields:
            self.read.add(name)
            return getattr(self._cfg, name)
        attribute = getattr(cls, name)
        if isinstance(attribute, property):
            assert attribute.fget is not None
            return attribute.fget(self)
        if callable(attribute):
            return types.MethodType(attribute, self)
        return getattr(self._cfg, name)


@pytest.mark.parametrize("rule", CROSS_RULES, ids=lambda rule: rule.check.__module__.split(".")[-1])
def test_each_rule_across_tiers_reads_only_the_keys_it_declares(rule: CrossRule) -> None:
    """`reads` decides which rules still run beside an invalid key: it must be complete."""
    stacks = [("staging", None), ("prod", None)] + [
        (path.name.split(".")[1], path) for path in sorted(STACKFILES.glob("**/Pulumi.*.yaml"))
    ]
    for stack, path in stacks:
        raw, _ = load_stack_config(stack, stack_file=path)
        recorder = _Reads(parse(stack, raw))
        rule.check(cast(StackConfig, recorder))
        assert recorder.read - {"stack"} <= rule.reads, (stack, path)
