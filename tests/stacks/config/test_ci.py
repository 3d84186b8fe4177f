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


@pytest.mark.parametrize(
    ("change", "key", "phrase"),
    [
        ({"ownerId": None}, "ci.ownerId", "gh api repos/OWNER/REPO"),
        ({"repositoryId": None}, "ci.repositoryId", "gh api repos/OWNER/REPO"),
        ({"repository": "acme@1234567/auction@890123456"}, "ci.repository", "ci.ownerId"),
        ({"secretsKeyAlias": ""}, "ci.secretsKeyAlias", "required"),
        ({"ownerId": 0}, "ci.ownerId", "greater than 0"),
    ],
)
def test_the_repositorys_ids_are_required_and_named(
    change: dict[str, Any], key: str, phrase: str
) -> None:
    ci = {**json.loads(raw_config("prod")["golive:ci"]), **change}
    ci = {k: v for k, v in ci.items() if v is not None}
    with pytest.raises(ConfigError) as raised:
        parse("prod", {**raw_config("prod"), "golive:ci": json.dumps(ci)})
    problem = next((p for p in raised.value.problems if p.path == key), None)
    assert problem is not None, str(raised.value)
    assert phrase in problem.message


def test_no_pull_request_previews_for_a_stack_that_protects_its_data() -> None:
    ci = {**json.loads(raw_config("prod")["golive:ci"]), "pullRequestPreviews": True}
    with pytest.raises(ConfigError) as raised:
        parse("prod", {**raw_config("prod"), "golive:ci": json.dumps(ci)})
    assert [p.path for p in raised.value.problems] == ["ci.pullRequestPreviews"]


def test_a_repository_without_environments_is_allowed() -> None:
    ci = {**json.loads(raw_config("staging")["golive:ci"]), "environment": ""}
    cfg = parse("staging", {**raw_config("staging"), "golive:ci": json.dumps(ci)})
    assert cfg.ci.environment == ""


def _with_approvers(approvers: Any, **config: str) -> dict[str, str]:
    ci = {**json.loads(raw_config("prod")["golive:ci"]), "approvers": approvers}
    return {**raw_config("prod"), "golive:ci": json.dumps(ci), **config}


def test_approvers_are_github_logins_as_written() -> None:
    cfg = parse("prod", _with_approvers(["alice", "Bob-2", "c" * 39]))
    assert cfg.ci.approvers == ["alice", "Bob-2", "c" * 39]
    assert parse("prod", raw_config("prod")).ci.approvers is None  # the environment approves


@pytest.mark.parametrize(
    ("approvers", "key", "phrase"),
    [
        ([], "ci.approvers", "is empty: name at least one GitHub login"),
        (["@alice"], "ci.approvers[0]", "without '@' ('alice')"),
        (["alice", "ALICE"], "ci.approvers", "names 'ALICE' twice (GitHub logins ignore case)"),
        (["alice", "-bob"], "ci.approvers[1]", "is not a GitHub login"),
        (["a--b"], "ci.approvers[0]", "single hyphens"),
        (["acme/ops"], "ci.approvers[0]", "not a team"),
        (["alice@example.com"], "ci.approvers[0]", "is not a GitHub login"),
        (["c" * 40], "ci.approvers[0]", "at most 39"),
    ],
)
def test_invalid_approvers_name_the_entry_and_the_fix(
    approvers: list[str], key: str, phrase: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse("prod", _with_approvers(approvers))
    assert [p.path for p in raised.value.problems] == [key], str(raised.value)
    assert phrase in raised.value.problems[0].message


def test_approvers_and_a_site_build_go_together() -> None:
    """promote.yml builds and releases the version's site, so approvers need no other path."""
    frontend = json.dumps({"enabled": True, "build": {"command": ["npm", "run", "build"],
                                                      "output": "web/dist"}})  # fmt: skip
    cfg = parse("prod", _with_approvers(["alice"], **{"golive:frontend": frontend}))
    assert cfg.ci.approvers == ["alice"] and cfg.frontend.build is not None
