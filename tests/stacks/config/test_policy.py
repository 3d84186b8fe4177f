"""The policy tier of the config model: declared exceptions name real controls that allow one."""

from __future__ import annotations

import json

import pytest

from stacks.config import ConfigError, parse
from tests.conftest import raw_config


def test_declared_exceptions_must_name_real_waivable_controls_with_reasons() -> None:
    config = raw_config("staging")
    config["golive:policy"] = json.dumps(
        {"exceptions": {"RDS.55": "typo", "EC2.2": "no", "RDS.5": " ", "SecretsManager.4": "ok"}}
    )
    with pytest.raises(ConfigError) as raised:
        parse("staging", config)
    problems = {(p.path, p.message) for p in raised.value.problems}
    assert problems == {
        ("policy.exceptions.RDS.55", "is not a golive control (did you mean 'RDS.5'?)"),
        (
            "policy.exceptions.EC2.2",
            "allows no exception (docs/controls.md: required in every stack)",
        ),
        ("policy.exceptions.RDS.5", "give a reason: who accepted it, and why"),
    }  # SecretsManager.4 is covered by SecretsManager.1: accepted
