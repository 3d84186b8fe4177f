"""Stack files for the config model's tests: the repository's, with changes, as the CLI passes them."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from plan.harness import PROJECT_DIR, load_stack_config
from stacks.config import ConfigError, StackConfig, parse
from tests.conftest import STACKFILES

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


def write_stack_file(config: dict[str, Any], removed: list[str]) -> Path:
    for key in removed:
        config.pop(key, None)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump({"config": config}, handle)
    return Path(handle.name)


def config_of(stack: str) -> StackConfig:
    """A repository stack (`staging`, `prod`) or one of tests/stackfiles, parsed as Pulumi would."""
    stack_file = STACKFILES / f"Pulumi.{stack}.yaml"
    config, _ = load_stack_config(stack, stack_file=stack_file if stack_file.exists() else None)
    return parse(stack, config)
