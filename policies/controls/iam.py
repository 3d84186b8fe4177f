"""IAM controls: least-privilege permission policies and pinned GitHub OIDC trust."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aws_facts.iam import is_unscopable
from policies import aws
from policies.aws import of_type, refers_to
from policies.model import (
    Controls,
    Options,
    Outcome,
    Props,
    Resource,
    Severity,
    Violation,
    fail,
    unknown,
)
from policies.values import UNKNOWN, Tri, any3, as_list, get, parse_json

controls = Controls("IAM")


SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$")


KMS_DECRYPT_ACTIONS = re.compile(r"^kms:(\*|Decrypt|ReEncrypt\*|ReEncryptFrom)$", re.IGNORECASE)


IAM_PERMISSION_TYPES = (
    aws.IAM_POLICY,
    aws.IAM_ROLE_POLICY,
    aws.IAM_USER_POLICY,
    aws.IAM_GROUP_POLICY,
    aws.IAM_ROLE,
)


def _iam_documents(resource_type: str, props: Props) -> list[Any]:
    if resource_type == aws.IAM_ROLE:
        inline = as_list(get(props, "inlinePolicies"))
        if inline is UNKNOWN:
            return [UNKNOWN]
        return [parse_json(get(p, "policy")) for p in inline]
    return [parse_json(get(props, "policy"))]


def _unscoped(statement: dict[str, Any], actions: list[Any], resources: list[Any]) -> list[str]:
    """CKV_AWS_355: actions granted on `"Resource": "*"` without a condition that AWS could
    scope: every action but those the Service Authorization Reference gives no resource type
    (`aws_facts.iam`); a wildcard action counts as scopable (it may expand to one that is)."""
    if "*" not in resources or statement.get("Condition"):
        return []
    return [a for a in actions if isinstance(a, str) and not is_unscopable(a)]


def least_privilege(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """IAM.1/21, KMS.1/2: no `*` or `service:*` actions; no kms:Decrypt on every key; no action
    AWS can scope granted on every resource."""
    found: list[Violation] = []
    for document in _iam_documents(resource_type, props):
        if document is None:
            continue
        found_statements = aws.statements(document)
        if found_statements is None:
            found.append(unknown("cannot check yet: policy document not known"))
            continue
        for statement in found_statements:
            if statement.get("Effect") != "Allow":
                continue
            if statement.get("NotAction") is not None:
                found.append(fail("an Allow statement uses NotAction (allows everything else)"))
            actions = as_list(statement.get("Action"))
            resources = as_list(statement.get("Resource"))
            if actions is UNKNOWN or resources is UNKNOWN:
                found.append(unknown("cannot check yet: actions or resources not known"))
                continue
            for action in actions:
                if action is UNKNOWN:
                    found.append(unknown("cannot check yet: an action is not known"))
                elif action in ("*", "*:*"):
                    found.append(fail('allows every action ("*")'))
                elif isinstance(action, str) and SERVICE_WILDCARD.match(action):
                    found.append(fail(f"allows every action of a service ({action})"))
                elif (
                    isinstance(action, str)
                    and KMS_DECRYPT_ACTIONS.match(action)
                    and "*" in resources
                ):
                    found.append(fail(f"allows {action} on every key (Resource *)"))
            unscoped = _unscoped(statement, actions, resources)
            if unscoped:
                found.append(
                    fail(
                        f"grants {', '.join(sorted(unscoped))} on every resource (Resource *), "
                        "though AWS can scope them: name the ARNs or add a condition"
                    )
                )
    return found


@controls.stack_rule(
    id="IAM.1",
    title="Least-privilege policies",
    severity=Severity.HIGH,
    source="FSBP IAM.1/21, KMS.1/2, CKV_AWS_62/63/355/286/288-290",
    covers=("IAM.21", "KMS.1", "KMS.2", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"),
    applies_to=IAM_PERMISSION_TYPES,
    exception_allowed=False,
    description=(
        'No "*" or "service:*" actions, no NotAction, no kms:Decrypt on every key, and "Resource":'
        ' "*" only (or under a condition) for actions AWS cannot scope (Service Authorization'
        " Reference)."
    ),
    why=("A compromised role can do only what it needs; wildcards grant actions no one reviewed."),
)
def least_privilege_policies(resources: Sequence[Resource]) -> list[Violation]:
    """IAM.1/21, KMS.1/2 over the stack: every permission policy except permissions boundaries.

    A boundary is a ceiling, not a grant (Security Hub's rules exclude them by default:
    `excludePermissionBoundaryPolicy`), so a policy some role names as `permissionsBoundary`
    is skipped; while that ARN is unknown, a finding on it is only "unknown".
    """
    found: list[Violation] = []
    roles = of_type(resources, aws.IAM_ROLE)
    for policy in of_type(resources, *IAM_PERMISSION_TYPES):
        findings = least_privilege(policy.type, policy.inputs, policy.options)
        if not findings:
            continue
        boundary: Tri = False
        if policy.type == aws.IAM_POLICY:
            boundary = any3(refers_to(r.get("permissionsBoundary"), policy, "arn") for r in roles)
        if boundary is True:
            continue
        for v in findings:
            outcome = Outcome.UNKNOWN if boundary is UNKNOWN else v.outcome
            found.append(Violation(f"{policy.name}: {v.message}", outcome, policy.urn, v.waivable))
    return found


GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"


_REPO = r"repo:[A-Za-z0-9_.-]+(@[0-9]+)?/[A-Za-z0-9_.-]+(@[0-9]+)?"
GITHUB_SUBJECT = re.compile(
    rf"^{_REPO}:(environment:[A-Za-z0-9_.-]+|ref:refs/heads/[A-Za-z0-9_./-]+|pull_request)"
    r"(:ref:refs/(heads|tags)/[A-Za-z0-9_./-]+)?$"
)
"""An exact subject: names only or with GitHub's immutable ids; GitHub's default form or the
`repo, context, ref` template."""
GITHUB_PULL_REQUESTS = re.compile(rf"^{_REPO}:pull_request:ref:refs/pull/\*/merge$")
"""The one wildcard allowed (StringLike): the pull request's number."""


ABUSABLE_CLAIMS = ("workflow", "ref", "head_ref")


def _clause(condition: dict[Any, Any], operator: str) -> dict[str, Any]:
    clause = condition.get(operator)
    return clause if isinstance(clause, dict) else {}  # pyright: ignore[reportUnknownVariableType]


@controls.resource_rule(
    id="CKV_AWS_358",
    title="GitHub OIDC trust pinned",
    severity=Severity.HIGH,
    source="CKV_AWS_358/393",
    covers=("CKV_AWS_393",),
    applies_to=(aws.IAM_ROLE,),
    exception_allowed=False,
    description=(
        "GitHub OIDC roles: aud sts.amazonaws.com; sub StringEquals repo+environment (+ref), a "
        "wildcard only for a pull request's number."
    ),
    why=(
        "Only the named repository's deployments to the named environment may assume the role; a "
        "wildcard subject would let any branch or fork deploy."
    ),
)
def github_oidc_trust(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_358/393: GitHub OIDC trust pinned: aud=sts, sub an exact repo+environment.

    Only roles whose trust names GitHub's OIDC provider are checked; `sub` must use
    StringEquals with `repo:OWNER/REPO:environment:ENV` (names only or with GitHub's ids, and
    optionally `:ref:refs/heads/BRANCH` from the `repo, context, ref` subject template), or
    StringLike only for `...:pull_request:ref:refs/pull/*/merge` (the preview role); no condition
    may rest on separate claims a workflow author controls (workflow, ref, head_ref).
    """
    document = parse_json(get(props, "assumeRolePolicy"))
    found_statements = aws.statements(document)
    if found_statements is None:
        return [unknown("cannot check yet: trust policy not known")]
    found: list[Violation] = []
    for statement in found_statements:
        federated = as_list(get(statement, "Principal.Federated"))
        if federated is UNKNOWN:
            found.append(unknown("cannot check yet: federated principal not known"))
            continue
        if not any(isinstance(f, str) and GITHUB_OIDC_HOST in f for f in federated):
            continue
        condition = statement.get("Condition")
        condition = condition if isinstance(condition, dict) else {}
        equals = _clause(condition, "StringEquals")
        audience = as_list(equals.get(f"{GITHUB_OIDC_HOST}:aud"))
        if audience != ["sts.amazonaws.com"]:
            found.append(fail(f"aud is {audience}, not exactly sts.amazonaws.com"))
        subjects = as_list(equals.get(f"{GITHUB_OIDC_HOST}:sub", []))
        pull_requests = as_list(_clause(condition, "StringLike").get(f"{GITHUB_OIDC_HOST}:sub", []))
        if subjects is UNKNOWN or pull_requests is UNKNOWN:
            found.append(unknown("cannot check yet: sub not known"))
            continue
        if not subjects and not pull_requests:
            found.append(fail("sub is not pinned"))
        for subject in subjects:
            if not isinstance(subject, str) or not GITHUB_SUBJECT.match(subject):
                found.append(fail(f"sub {subject!r} is not repo:OWNER/REPO:environment:ENV"))
        for subject in pull_requests:
            if not isinstance(subject, str) or not GITHUB_PULL_REQUESTS.match(subject):
                found.append(fail(f"StringLike sub {subject!r} matches more than pull requests"))
        for operator, clause in condition.items():  # pyright: ignore[reportUnknownVariableType]
            if not isinstance(clause, dict):
                continue
            for key in clause:  # pyright: ignore[reportUnknownVariableType]
                claim = str(key).rsplit(":", 1)[-1]  # pyright: ignore[reportUnknownArgumentType]
                github = str(key).startswith(GITHUB_OIDC_HOST)  # pyright: ignore[reportUnknownArgumentType]
                if github and operator not in ("StringEquals", "StringLike"):
                    found.append(fail(f"{operator} on {key}: wildcards match other repos or refs"))
                elif github and operator == "StringLike" and claim != "sub":
                    found.append(fail(f"StringLike on {key}: wildcards match other repos or refs"))
                elif claim in ABUSABLE_CLAIMS:
                    found.append(
                        fail(f"condition on the {claim!r} claim, which workflow authors control")
                    )
    return found
