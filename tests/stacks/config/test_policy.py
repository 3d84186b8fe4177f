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


def _problems(policy: dict[str, object]) -> set[tuple[str, str]]:
    config = raw_config("staging")
    config["golive:policy"] = json.dumps(policy)
    with pytest.raises(ConfigError) as raised:
        parse("staging", config)
    return {(p.path, p.message) for p in raised.value.problems}


def test_profiles_must_exist_once_each() -> None:
    assert _problems({"profiles": ["stagin"]}) == {
        (
            "policy.profiles[0]",
            "'stagin' is not an exception profile (did you mean 'staging'?); profiles: "
            "baseline, staging, trial (docs/controls.md)",
        )
    }
    assert _problems({"profiles": ["baseline", "baseline"]}) == {
        ("policy.profiles", "lists baseline twice; give each once")
    }


def test_required_takes_out_only_what_a_profile_excepts() -> None:
    problems = _problems(
        {"profiles": ["baseline"], "required": ["RDS.5", "EC2.10"], "exceptions": {"EC2.10": "x"}}
    )
    assert problems == {
        (
            "policy.required[0]",
            "'RDS.5' is not excepted by the profiles (baseline): nothing to take out",
        ),
        ("policy.required[1]", "'EC2.10' is also in exceptions: keep one of them"),
    }
