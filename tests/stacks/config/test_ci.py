"""The CI tier of the config model: the repository and environment the OIDC roles trust."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.config import ConfigError, parse
from tests.conftest import raw_config


@pytest.mark.parametrize(
    ("ci", "key", "phrase"),
    [
        (
            {"enabled": True, "repository": "auction", "environment": "prod"},
            "ci.repository",
            "OWNER/REPO",
        ),
        (
            {"enabled": True, "repository": "acme/auction", "environment": "prod*"},
            "ci.environment",
            "no wildcards",
        ),
        ({"enabled": True, "environment": "prod"}, "ci.repository", "required when ci.enabled"),
        (
            {"enabled": True, "repository": "a/b", "environment": "p", "stateBucket": "Bad_Bucket"},
            "ci.stateBucket",
            "S3 bucket",
        ),
        (
            {"enabled": True, "repository": "a/b", "environment": "p", "secretsKeyAlias": "aws/s3"},
            "ci.secretsKeyAlias",
            "KMS alias",
        ),
        (
            {"enabled": True, "repository": "a/b", "environmnet": "p"},
            "ci.environmnet",
            "did you mean 'environment'",
        ),
    ],
)
def test_invalid_ci_config_names_the_key(ci: dict[str, Any], key: str, phrase: str) -> None:
    config = {**raw_config("prod"), "golive:ci": json.dumps(ci)}
    with pytest.raises(ConfigError) as raised:
        parse("prod", config)
    problem = next((p for p in raised.value.problems if p.path == key), None)
    assert problem is not None, str(raised.value)
    assert phrase in problem.message
