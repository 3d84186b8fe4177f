"""Promotion across accounts (one AWS account per stack): staging's repositories let prod's
account pull, and prod's deploy role may read staging's repositories there, nothing more."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plan.harness import Plan
from stacks.config import ConfigError
from tests.components.test_ci_access import boundary, ci_roles, documents
from tests.conftest import plan_for, raw_config
from tests.iam_eval import Call, allowed

STAGING_ACCOUNT, PROD_ACCOUNT = "111111111111", "222222222222"
POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"


def with_ci(stack: str, **settings: Any) -> Plan:
    ci = {**json.loads(raw_config(stack)["golive:ci"]), **settings}
    return plan_for(stack, ci=ci)


def test_staging_lets_prods_account_pull_from_each_of_its_repositories() -> None:
    plan = with_ci("staging", imageReaders=[PROD_ACCOUNT])
    policies = plan.of_type(POLICY)
    repositories = plan.of_type("aws:ecr/repository:Repository")
    assert repositories and len(policies) == len(repositories)
    for policy in policies:
        [statement] = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{PROD_ACCOUNT}:root"]}
        assert sorted(statement["Action"]) == [
            "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
            "ecr:GetDownloadUrlForLayer", "ecr:ListImages",
        ]  # fmt: skip


def test_without_readers_no_repository_has_a_policy() -> None:
    assert with_ci("staging").of_type(POLICY) == []


def test_prods_deploy_role_reads_staging_accounts_images_of_the_app_only() -> None:
    plan = with_ci("prod", imagesFromAccount=STAGING_ACCOUNT)
    deploy = documents(plan, ci_roles(plan)["deploy"])

    def can(action: str, repository: str) -> bool:
        arn = f"arn:aws:ecr:us-east-1:{STAGING_ACCOUNT}:repository/{repository}"
        return allowed(Call(action, arn, {}), deploy, boundary(plan))

    for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages",
                   "ecr:ListImages"):  # fmt: skip
        assert can(action, "auction/staging/api"), action
        assert not can(action, "billing/staging/api"), action
    for action in ("ecr:PutImage", "ecr:BatchDeleteImage", "ecr:InitiateLayerUpload"):
        assert not can(action, "auction/staging/api"), action


def test_without_a_source_account_prod_reads_no_other_account() -> None:
    plan = with_ci("prod")
    deploy = documents(plan, ci_roles(plan)["deploy"])
    arn = f"arn:aws:ecr:us-east-1:{STAGING_ACCOUNT}:repository/auction/staging/api"
    assert not allowed(Call("ecr:BatchGetImage", arn, {}), deploy, boundary(plan))


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"imagesFromAccount": "11111111111"}, "ci.imagesFromAccount"),
        ({"imageReaders": ["arn:aws:iam::222222222222:root"]}, "ci.imageReaders"),
        ({"imageReaders": [PROD_ACCOUNT, PROD_ACCOUNT]}, "more than once"),
    ],
)
def test_account_settings_are_checked_before_any_resource(
    settings: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        with_ci("staging", **settings)
