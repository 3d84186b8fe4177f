"""GitHub OIDC deploy and preview roles: pinned trust, bounded, least privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plan.harness import Plan, RecordedResource, run_program
from plan.mocks import Lookups
from stacks.config import ConfigError
from tests.conftest import raw_config

ROLE = "aws:iam/role:Role"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def ci_roles(plan: Plan) -> dict[str, RecordedResource]:
    return {r.name.rsplit("-ci-", 1)[1]: r for r in plan.of_type(ROLE) if "-ci-" in r.name}


def policy_of(plan: Plan, role: RecordedResource) -> dict[str, Any]:
    (policy,) = [
        p
        for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == role.outputs["id"]
    ]
    return json.loads(policy.inputs["policy"])


def test_deploy_role_trusts_exactly_the_repositorys_environment(stack_plan: Plan) -> None:
    ci = json.loads(raw_config(stack_plan.stack)["golive:ci"])
    deploy = ci_roles(stack_plan)["deploy"]
    (statement,) = json.loads(deploy.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:acme/auction:environment:{ci['environment']}",
        }
    }


def test_no_trust_policy_anywhere_has_a_wildcard_subject(stack_plan: Plan) -> None:
    for role in stack_plan.of_type(ROLE):
        document = json.loads(role.inputs["assumeRolePolicy"])
        for statement in document["Statement"]:
            assert "StringLike" not in statement.get("Condition", {}), role.name
            for values in statement.get("Condition", {}).get("StringEquals", {}).values():
                assert "*" not in json.dumps(values), role.name


def test_preview_role_only_where_the_stack_file_asks(staging: Plan, prod: Plan) -> None:
    assert set(ci_roles(prod)) == {"deploy"}
    assert prod.outputs["ciPreviewRoleArn"] is None
    preview = ci_roles(staging)["preview"]
    (statement,) = json.loads(preview.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:acme/auction:pull_request"
    )
    assert staging.outputs["ciPreviewRoleArn"] == preview.outputs["arn"]
    actions = [a for s in policy_of(staging, preview)["Statement"] for a in _list(s["Action"])]
    writes = [
        a
        for a in actions
        if a.split(":")[1].startswith(("Create", "Delete", "Update", "Put", "Modify"))
    ]
    assert writes == ["s3:PutObject", "s3:DeleteObject"], "previews write only the state lock files"


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_every_ci_role_is_bounded(stack_plan: Plan) -> None:
    boundary = stack_plan.named(f"auction-{stack_plan.stack}-ci-boundary")
    for role in ci_roles(stack_plan).values():
        assert role.inputs["permissionsBoundary"] == boundary.outputs["arn"]
    document = json.loads(boundary.inputs["policy"])
    denied = {a for s in document["Statement"] if s["Effect"] == "Deny" for a in _list(s["Action"])}
    assert {"iam:CreateUser", "iam:CreateAccessKey", "iam:DeleteRolePermissionsBoundary"} <= denied
    assert "iam:DeleteOpenIDConnectProvider" in denied


def test_ci_policies_grant_no_wildcard_service_or_secret_reads_on_everything(
    stack_plan: Plan,
) -> None:
    for role in ci_roles(stack_plan).values():
        for statement in policy_of(stack_plan, role)["Statement"]:
            actions = _list(statement["Action"])
            assert "*" not in actions
            assert not [a for a in actions if a.endswith(":*")], statement.get("Sid")
            if statement["Resource"] == "*":
                assert not {"kms:Decrypt", "secretsmanager:GetSecretValue"} & set(actions)


def test_secret_values_and_keys_only_on_this_stacks_tagged_resources(stack_plan: Plan) -> None:
    deploy = ci_roles(stack_plan)["deploy"]
    decrypting = [
        s for s in policy_of(stack_plan, deploy)["Statement"] if "kms:Decrypt" in s["Action"]
    ]
    assert {s["Sid"] for s in decrypting} == {"StackSecretValuesAndKeys", "SecretsProviderKey"}
    statement = next(s for s in decrypting if s["Sid"] == "StackSecretValuesAndKeys")
    assert statement["Condition"] == {
        "StringEquals": {"aws:ResourceTag/golive:stack": stack_plan.stack}
    }
    assert "secretsmanager:GetSecretValue" in statement["Action"]


def test_deploy_role_reaches_the_state_backend_and_released_images(stack_plan: Plan) -> None:
    deploy = ci_roles(stack_plan)["deploy"]
    statements = {s.get("Sid"): s for s in policy_of(stack_plan, deploy)["Statement"]}
    assert (
        statements["StateObjects"]["Resource"]
        == "arn:aws:s3:::golive-state-123456789012-us-east-1/*"
    )
    key = statements["SecretsProviderKey"]
    assert key["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/golive-state"}
    }
    assert statements["ReleasedImages"]["Resource"] == (
        f"arn:aws:ssm:us-east-1:123456789012:parameter/golive/auction/{stack_plan.stack}/images/*"
    )
    linked = statements["ServiceLinkedRoles"]
    assert linked["Action"] == "iam:CreateServiceLinkedRole"
    assert "ecs.amazonaws.com" in linked["Condition"]["StringEquals"]["iam:AWSServiceName"]
    assert (
        statements["StackRoles"]["Resource"]
        == f"arn:aws:iam::123456789012:role/auction-{stack_plan.stack}-*"
    )


def test_without_the_accounts_oidc_provider_the_stack_says_run_bootstrap() -> None:
    registered: list[RecordedResource] = []
    with pytest.raises(ConfigError, match=r"ci\.enabled: .*golive bootstrap --github-oidc"):
        run_program("prod", lookups=Lookups(github_oidc_provider=False), registered=registered)
    assert registered == []


def test_ci_disabled_creates_no_role_and_needs_no_provider() -> None:
    plan = run_program(
        "prod",
        overrides={"ci": {"enabled": False}},
        lookups=Lookups(github_oidc_provider=False),
    )
    assert ci_roles(plan) == {}
    assert plan.outputs["ciDeployRoleArn"] is None


def _allows(statements: list[dict[str, Any]], action: str) -> bool:
    from fnmatch import fnmatchcase

    return any(
        s["Effect"] == "Allow"
        and any(fnmatchcase(action.lower(), a.lower()) for a in _list(s["Action"]))
        for s in statements
    )


def test_deploy_role_and_boundary_allow_every_call_the_release_tooling_makes(prod: Plan) -> None:
    """ops/permissions.py lists every API call `golive release/rollback/verify` makes in CI."""
    from ops.permissions import DEPLOY_ROLE_ACTIONS

    deploy = ci_roles(prod)["deploy"]
    statements = policy_of(prod, deploy)["Statement"]
    boundary = json.loads(prod.named("auction-prod-ci-boundary").inputs["policy"])["Statement"]
    missing = sorted(a for a in DEPLOY_ROLE_ACTIONS if not _allows(statements, a))
    capped = sorted(a for a in DEPLOY_ROLE_ACTIONS if not _allows(boundary, a))
    assert missing == [] and capped == []
