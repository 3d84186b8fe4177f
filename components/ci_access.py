"""GitHub Actions access to one stack, through OIDC: no stored AWS keys anywhere.

Creates, per stack:

- **a permissions boundary** (`CiBoundary`, `<app>-<stack>-ci-boundary`): the ceiling of the CI
  roles and of every role the stack creates (the stack layer puts it on each). It denies acting on
  or tagging anything of another golive stack, S3 buckets and SSM parameters outside the stack's
  own, DNS names outside the stack's, passing roles outside the stack's or to a service it passes
  none to (and task roles to ECS tasks only), creating or changing a role without this boundary,
  removing a boundary, changing this boundary or the CI roles' own permissions, and IAM users and
  access keys. So a CI role can never widen itself, and a role it creates can never do more than
  the stack;
- **a deploy role**, assumable only by runs of `main` of the one repository (both `sub` forms,
  with or without GitHub's immutable ids), and only from the stack's GitHub environment when it
  has one: GitHub's subject must carry `ref` (the one-time repository setting
  `SUBJECT_CLAIM_KEYS`). Its managed policies act only on the stack's resources (by name where
  the ARN carries one, by the `golive:stack` tag where it carries an id), on `*` only for actions
  AWS cannot scope (`aws_facts.iam`), pass each of the stack's roles only to the one service
  that uses it (`iam:PassedToService`), and reach the state bucket's keys of this stack only;
- **a preview role**: the same reads on the same resources, nothing written; it decrypts with
  the stack's secrets-provider key (a preview decrypts the stack's secret config). Assumable by
  runs of `main` outside any environment (the preview an approver reads before a release, in the
  deploy run: reviewed code, no approval to wait for) and, only where the stack allows it (never
  a stack whose secrets are production's), by pull requests. Pulumi's S3 backend takes no lock
  for a preview (pkg/backend/diy/backend.go: `Preview` never calls `Lock`), so the preview role
  writes nothing at all.

The account's GitHub OIDC provider is looked up by the stack layer, never owned by a stack: one
provider per account, and a stack that owned it would break the other stack's CI on destroy
(`golive bootstrap --github-oidc` creates it once).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.ci_policies import (
    GITHUB_OIDC_HOST,
    StackScope,
    boundary_document,
    deploy_statements,
    pack,
    preview_statements,
)

DEPLOY_REF = "refs/heads/main"
"""The only git ref whose runs may assume a deploy role."""
SUBJECT_CLAIM_KEYS = ("repo", "context", "ref")
"""The repository's OIDC subject template (a one-time setting, README "CI/CD"): GitHub then issues
`repo:OWNER/REPO:environment:ENV:ref:refs/heads/main`, so a trust policy can check the branch,
which GitHub's default `environment:` subject does not carry (GitHub docs, "OpenID Connect
reference", customizing the subject claims; AWS offers no condition key for GitHub's other claims:
"Support for custom claims for OIDC is unavailable in AWS", GitHub docs, "Configuring OpenID
Connect in Amazon Web Services")."""
MAX_SESSION_SECONDS = 3600 * 3
"""The deploy role's longest session: a release job (infrastructure, snapshot, migrations, bake
time; at most 150 minutes) outlasts the default hour, and credentials that expire before the job
ends fail it half-way. The workflows ask for this length (IAM allows 1-12 h: CreateRole
MaxSessionDuration 3600-43200, botocore iam model)."""


# ---------------------------------------------------------------------------- who may assume


@dataclass(frozen=True, kw_only=True)
class GithubRepository:
    """The repository whose workflows may assume the roles, by name and by GitHub's ids."""

    owner: str
    name: str
    owner_id: int
    """`gh api repos/OWNER/REPO --jq .owner.id`."""
    repository_id: int
    """`gh api repos/OWNER/REPO --jq .id`."""

    def subject_prefixes(self) -> list[str]:
        """Both forms GitHub issues: names only, and (repositories created, renamed or
        transferred since 2026-07-15, or opted in) with immutable ids (GitHub changelog
        2026-04-23; aws-actions/configure-aws-credentials#1888)."""
        return [
            f"repo:{self.owner}/{self.name}",
            f"repo:{self.owner}@{self.owner_id}/{self.name}@{self.repository_id}",
        ]


def deploy_subjects(repository: GithubRepository, environment: str) -> list[str]:
    """Runs of `main`: a job in `environment` when the stack names one, else a job without one."""
    context = f"environment:{environment}" if environment else f"ref:{DEPLOY_REF}"
    return [f"{prefix}:{context}:ref:{DEPLOY_REF}" for prefix in repository.subject_prefixes()]


def pull_request_subjects(repository: GithubRepository) -> list[str]:
    """Pull requests of this repository (forks get no token). The `*` stands for the pull
    request's number only: the text around it is fixed, and GitHub sets both `context` and `ref`
    from the event, not from anything a pull request can change."""
    return [
        f"{prefix}:pull_request:ref:refs/pull/*/merge" for prefix in repository.subject_prefixes()
    ]


def preview_subjects(repository: GithubRepository) -> list[str]:
    """Runs of `main` outside any environment: the preview before an approval, in the deploy run
    after the merge (the workflow as reviewed, never a pull request's own code)."""
    return deploy_subjects(repository, "")


def trust_policy(
    provider_arn: str, *, subjects: Sequence[str], pull_requests: Sequence[str] = ()
) -> dict[str, Any]:
    """GitHub's OIDC tokens for `sts.amazonaws.com` with one of `subjects` (StringEquals) or of
    `pull_requests` (StringLike, for the pull request's number only). One statement each: the
    conditions of one statement must all hold (IAM User Guide, "Condition element")."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            _trust_statement(provider_arn, operator, listed)
            for operator, listed in (("StringEquals", subjects), ("StringLike", pull_requests))
            if listed
        ],
    }


def _trust_statement(provider_arn: str, operator: str, subjects: Sequence[str]) -> dict[str, Any]:
    condition: dict[str, dict[str, Any]] = {
        "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com"}
    }
    condition.setdefault(operator, {})[f"{GITHUB_OIDC_HOST}:sub"] = list(subjects)
    return {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


# ---------------------------------------------------------------------------- the components


class CiBoundary(pulumi.ComponentResource):
    """The permissions boundary of the stack's CI roles and of every role the stack creates.

    Named (not auto-named) `<app>-<stack>-ci-boundary`, so the deploy policy can require exactly it
    on every role it creates. Cost: free.
    """

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, scope: StackScope, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:CiBoundary", name, None, opts)
        policy = aws.iam.Policy(
            naming.ci_boundary(name),
            name=naming.ci_boundary(scope.prefix),
            description=f"Ceiling of every role of {scope.prefix} (CI and workloads)",
            policy=json.dumps(boundary_document(scope)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = policy.arn
        self.register_outputs({"arn": self.arn})


@dataclass(frozen=True, kw_only=True)
class CiAccessArgs:
    oidc_provider_arn: str
    """The account's GitHub OIDC provider, looked up by the stack layer."""
    repository: GithubRepository
    environment: str
    """GitHub environment of the deploy jobs (its protection rules gate them); empty for a
    repository without environments (GitHub Free private repositories)."""
    scope: StackScope
    boundary_arn: pulumi.Input[str]
    vpc_arn: pulumi.Input[str]
    """The stack's VPC: its default security group is the one untagged resource the stack edits."""
    pull_request_previews: bool = False
    """Pull requests may assume the preview role too (only where previews need no secrets that
    an unreviewed pull request must not see: staging)."""


class CiAccess(pulumi.ComponentResource):
    """Deploy and preview roles for GitHub Actions on one stack.

    Example::

        CiAccess("auction-prod", CiAccessArgs(oidc_provider_arn=arn, repository=GithubRepository(
                 owner="acme", name="auction", owner_id=1, repository_id=2), environment="prod",
                 scope=scope, boundary_arn=boundary.arn, vpc_arn=network.vpc_arn))

    Cost: IAM roles and policies are free.
    """

    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CiAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:CiAccess", name, None, opts)
        self._name = name
        self._args = args
        scope = args.scope
        deploy = self._role(
            "deploy",
            f"GitHub Actions deploys {name} from runs of main",
            trust_policy(
                args.oidc_provider_arn,
                subjects=deploy_subjects(args.repository, args.environment),
            ),
            pulumi.Output.from_input(args.vpc_arn).apply(
                lambda vpc: pack(deploy_statements(scope, vpc))
            ),
        )
        self.deploy_role_arn = deploy.arn
        previewers = "main and pull requests" if args.pull_request_previews else "main"
        preview = self._role(
            "preview",
            f"GitHub Actions previews {name} from {previewers} (read-only)",
            trust_policy(
                args.oidc_provider_arn,
                subjects=preview_subjects(args.repository),
                pull_requests=(
                    pull_request_subjects(args.repository) if args.pull_request_previews else ()
                ),
            ),
            pulumi.Output.from_input(pack(preview_statements(scope))),
        )
        self.preview_role_arn = preview.arn
        self.register_outputs(
            {"deployRoleArn": self.deploy_role_arn, "previewRoleArn": self.preview_role_arn}
        )

    def _role(
        self,
        kind: str,
        description: str,
        trust: dict[str, Any],
        documents: pulumi.Output[list[dict[str, Any]]],
    ) -> aws.iam.Role:
        """A role with its documents as managed policies `<prefix>-ci-<kind>-<n>`. The number
        of documents is known before they are (it depends on the VPC's ARN only by length)."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            naming.ci_role(self._name, kind),
            description=description,
            assume_role_policy=json.dumps(trust),
            permissions_boundary=self._args.boundary_arn,
            max_session_duration=MAX_SESSION_SECONDS,
            opts=child,
        )
        for index in range(self._document_count(kind)):
            policy = aws.iam.Policy(
                naming.ci_policy(self._name, kind, index + 1),
                name=naming.ci_policy(self._args.scope.prefix, kind, index + 1),
                description=f"{description} ({index + 1})",
                policy=documents.apply(lambda docs, i=index: json.dumps(docs[i])),
                opts=child,
            )
            aws.iam.RolePolicyAttachment(
                naming.ci_policy(self._name, kind, index + 1),
                role=role.name,
                policy_arn=policy.arn,
                opts=child,
            )
        return role

    def _document_count(self, kind: str) -> int:
        scope = self._args.scope
        if kind == "preview":
            return len(pack(preview_statements(scope)))
        # The VPC's ARN has a fixed length: a stand-in of that length packs the same way.
        stand_in = scope.arn("ec2", "vpc/vpc-0123456789abcdef0", region=scope.region)
        return len(pack(deploy_statements(scope, stand_in)))
