"""GitHub Actions access to one stack, through OIDC: no stored AWS keys anywhere.

Creates: a permissions boundary (a managed policy capping what the CI roles can ever do, and
denying privilege escalation: IAM users and access keys, leaving the boundary, touching the
account's OIDC provider or the state backend's protection); a deploy role whose trust is pinned
to `repo:OWNER/REPO:environment:ENV` (GitHub's protected environment: required reviewers apply
before the job gets a token), with what `pulumi up` and `golive release` need for this stack, the
state bucket and the secrets-provider key; optionally a preview role for pull requests
(`repo:OWNER/REPO:pull_request`), read-only plus the state backend, for `pulumi preview`.

The account's GitHub OIDC provider is looked up by the stack layer, never owned by a stack: one
provider per account, and a stack that owned it would break the other stack's CI on destroy
(`golive bootstrap --github-oidc` creates it once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"

# What `pulumi up` of a golive stack manages, as verb-scoped actions per service (never
# `service:*`, control IAM.21). Kept as one table so the boundary and the deploy policy agree.
DEPLOY_ACTIONS: dict[str, list[str]] = {
    "ec2": [
        "Describe*", "Get*", "Create*", "Delete*", "Modify*", "Associate*", "Disassociate*",
        "Attach*", "Detach*", "Allocate*", "Release*", "Authorize*", "Revoke*", "Replace*",
        "Update*", "RevokeSecurityGroup*", "EnableVpc*", "DisableVpc*",
    ],
    "ecs": [
        "Describe*", "List*", "Create*", "Delete*", "Update*", "Register*", "Deregister*",
        "Put*", "TagResource", "UntagResource", "RunTask", "StopTask",
    ],
    "ecr": [
        "Describe*", "List*", "Get*", "Create*", "Delete*", "Put*", "Set*", "TagResource",
        "UntagResource", "BatchCheckLayerAvailability", "BatchGetImage",
        "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload",
    ],
    "elasticloadbalancing": [
        "Describe*", "Create*", "Delete*", "Modify*", "Set*", "Add*", "Remove*",
        "Register*", "Deregister*",
    ],
    "rds": [
        "Describe*", "List*", "Create*", "Modify*", "Delete*", "Add*", "Remove*",
        "Reset*", "Reboot*", "CopyDBSnapshot",
    ],
    "elasticache": [
        "Describe*", "List*", "Create*", "Modify*", "Delete*", "Add*", "Remove*",
    ],
    # Secret values and key use are granted separately, only on this stack's tagged resources.
    "secretsmanager": [
        "DescribeSecret", "List*", "GetResourcePolicy", "CreateSecret", "DeleteSecret",
        "PutResourcePolicy", "DeleteResourcePolicy", "UpdateSecret", "TagResource",
        "UntagResource", "RestoreSecret", "RotateSecret", "CancelRotateSecret",
    ],
    "kms": [
        "Describe*", "List*", "GetKeyPolicy", "GetKeyRotationStatus", "CreateKey",
        "CreateAlias", "UpdateAlias", "DeleteAlias", "CreateGrant", "EnableKeyRotation",
        "DisableKeyRotation", "PutKeyPolicy", "UpdateKeyDescription", "TagResource",
        "UntagResource", "ScheduleKeyDeletion", "CancelKeyDeletion",
    ],
    "logs": [
        "Describe*", "List*", "Get*", "Create*", "Delete*", "Put*", "Associate*",
        "Disassociate*", "TagResource", "UntagResource", "TagLogGroup", "UntagLogGroup",
        "FilterLogEvents",
    ],
    "cloudwatch": [
        "Describe*", "List*", "Get*", "Put*", "Delete*", "TagResource", "UntagResource",
        "EnableAlarmActions", "DisableAlarmActions",
    ],
    "sns": [
        "Get*", "List*", "Create*", "Delete*", "Set*", "Subscribe", "Unsubscribe",
        "TagResource", "UntagResource", "AddPermission", "RemovePermission", "Publish",
    ],
    "events": [
        "Describe*", "List*", "Put*", "Delete*", "Remove*", "Enable*", "Disable*",
        "TagResource", "UntagResource",
    ],
    "scheduler": [
        "Get*", "List*", "Create*", "Update*", "Delete*", "TagResource", "UntagResource",
    ],
    "application-autoscaling": [
        "Describe*", "List*", "Register*", "Deregister*", "Put*", "Delete*",
        "TagResource", "UntagResource",
    ],
    "cloudfront": [
        "Get*", "List*", "Describe*", "Create*", "Update*", "Delete*", "Publish*",
        "TagResource", "UntagResource", "CreateInvalidation",
    ],
    "wafv2": [
        "Get*", "List*", "Create*", "Update*", "Delete*", "Associate*", "Disassociate*",
        "TagResource", "UntagResource", "CheckCapacity", "PutLoggingConfiguration",
    ],
    "acm": [
        "Describe*", "List*", "Get*", "RequestCertificate", "DeleteCertificate",
        "AddTagsToCertificate", "RemoveTagsFromCertificate",
    ],
    "route53": [
        "Get*", "List*", "ChangeResourceRecordSets", "ChangeTagsForResource",
        "CreateQueryLoggingConfig", "DeleteQueryLoggingConfig",
    ],
    "ssm": ["Get*", "Describe*", "List*", "PutParameter", "AddTagsToResource"],
    "s3": [
        "Get*", "List*", "Put*", "CreateBucket", "DeleteBucket*", "DeleteObject*",
    ],
    "budgets": ["View*", "Describe*", "Modify*", "CreateBudgetAction", "TagResource"],
    "sts": ["GetCallerIdentity"],
    "tag": ["GetResources"],
}  # fmt: skip

READ_ACTIONS: dict[str, list[str]] = {
    service: [a for a in actions if a.startswith(("Describe", "Get", "List", "View"))]
    for service, actions in DEPLOY_ACTIONS.items()
}


def actions(table: dict[str, list[str]]) -> list[str]:
    return [f"{service}:{action}" for service, acts in table.items() for action in acts]


@dataclass(frozen=True, kw_only=True)
class CiAccessArgs:
    oidc_provider_arn: str
    """The account's GitHub OIDC provider, looked up by the stack layer."""
    repository: str
    """`OWNER/REPO` whose workflows may assume the roles."""
    environment: str
    """GitHub environment of the deploy job (`staging`, `prod`); its protection rules gate it."""
    account_id: str
    region: str
    resource_prefix: str
    """`<app>-<stack>`: IAM roles and policies the stack creates start with it."""
    state_bucket: str
    """The Pulumi state bucket created by `golive bootstrap`."""
    state_key_alias: str
    """Alias (without `alias/`) of the secrets-provider key created by `golive bootstrap`."""
    image_parameter_prefix: str
    """`/golive/<app>/<stack>/images/`: where `golive release` records released images."""
    stack_tag: str
    """The stack's `golive:stack` tag value: secret values and key use are allowed only on
    resources carrying it (every resource does, through the provider's default tags)."""
    pull_request_previews: bool = False
    """Create a read-only preview role for pull requests (only where previews need no secrets
    that an unreviewed pull request must not see: staging)."""


class CiAccess(pulumi.ComponentResource):
    """Deploy (and preview) roles for GitHub Actions on one stack.

    Example::

        CiAccess("auction-prod", CiAccessArgs(oidc_provider_arn=arn, repository="acme/auction",
                 environment="prod", account_id=account, region="us-east-1",
                 resource_prefix="auction-prod", state_bucket="golive-state-...",
                 state_key_alias="golive-state", stack_tag="prod",
                 image_parameter_prefix="/golive/auction/prod/images/"))

    Cost: IAM roles and policies are free.
    """

    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str] | None
    boundary_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CiAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:CiAccess", name, None, opts)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        boundary = aws.iam.Policy(
            f"{name}-ci-boundary",
            description=f"Permissions boundary of {name}'s CI roles",
            policy=json.dumps(self._boundary_document()),
            opts=child,
        )
        self.boundary_arn = boundary.arn
        deploy = aws.iam.Role(
            f"{name}-ci-deploy",
            description=f"GitHub Actions deploys {name} from environment {args.environment}",
            assume_role_policy=json.dumps(
                trust_policy(
                    args.oidc_provider_arn, args.repository, f"environment:{args.environment}"
                )
            ),
            permissions_boundary=boundary.arn,
            max_session_duration=3600 * 2,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-ci-deploy-policy",
            role=deploy.id,
            policy=json.dumps(self._deploy_document()),
            opts=child,
        )
        self.deploy_role_arn = deploy.arn
        self.preview_role_arn = None
        if args.pull_request_previews:
            preview = aws.iam.Role(
                f"{name}-ci-preview",
                description=f"GitHub Actions previews {name} on pull requests (read-only)",
                assume_role_policy=json.dumps(
                    trust_policy(args.oidc_provider_arn, args.repository, "pull_request")
                ),
                permissions_boundary=boundary.arn,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-ci-preview-policy",
                role=preview.id,
                policy=json.dumps(self._preview_document()),
                opts=child,
            )
            self.preview_role_arn = preview.arn
        self.register_outputs(
            {"deployRoleArn": self.deploy_role_arn, "previewRoleArn": self.preview_role_arn}
        )

    # ------------------------------------------------------------------ documents

    def _state_statements(self, write: bool) -> list[dict[str, Any]]:
        a = self._args
        bucket = f"arn:aws:s3:::{a.state_bucket}"
        # Pulumi's S3 backend writes lock files even for a preview, so both roles write there.
        object_actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        key_actions = ["kms:Decrypt", "kms:DescribeKey"] + (
            ["kms:Encrypt", "kms:GenerateDataKey"] if write else []
        )
        return [
            {
                "Sid": "StateBucketList",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
                "Resource": bucket,
            },
            {
                "Sid": "StateObjects",
                "Effect": "Allow",
                "Action": object_actions,
                "Resource": f"{bucket}/*",
            },
            {
                "Sid": "SecretsProviderKey",
                "Effect": "Allow",
                "Action": key_actions,
                "Resource": f"arn:aws:kms:{a.region}:{a.account_id}:key/*",
                "Condition": {
                    "ForAnyValue:StringEquals": {
                        "kms:ResourceAliases": f"alias/{a.state_key_alias}"
                    }
                },
            },
        ]

    def _iam_statements(self) -> list[dict[str, Any]]:
        a = self._args
        roles = f"arn:aws:iam::{a.account_id}:role/{a.resource_prefix}-*"
        policies = f"arn:aws:iam::{a.account_id}:policy/{a.resource_prefix}-*"
        return [
            {
                "Sid": "StackRoles",
                "Effect": "Allow",
                "Action": [
                    "iam:GetRole", "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole",
                    "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
                    "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
                    "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
                    "iam:AttachRolePolicy", "iam:DetachRolePolicy",
                    "iam:ListInstanceProfilesForRole",
                    "iam:PutRolePermissionsBoundary", "iam:PassRole",
                ],
                "Resource": roles,
            },
            {
                "Sid": "StackPolicies",
                "Effect": "Allow",
                "Action": [
                    "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
                    "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
                    "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
                ],
                "Resource": policies,
            },
            {
                # A fresh account has no ECS/ELB/RDS/ElastiCache/autoscaling service roles yet.
                "Sid": "ServiceLinkedRoles",
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "iam:AWSServiceName": [
                            "ecs.amazonaws.com",
                            "elasticloadbalancing.amazonaws.com",
                            "rds.amazonaws.com",
                            "elasticache.amazonaws.com",
                            "ecs.application-autoscaling.amazonaws.com",
                            "vpcorigin.cloudfront.amazonaws.com",
                        ]
                    }
                },
            },
            {
                "Sid": "ReadOidcProvider",
                "Effect": "Allow",
                "Action": ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviders"],
                "Resource": "*",
            },
        ]  # fmt: skip

    def _deploy_document(self) -> dict[str, Any]:
        a = self._args
        statements: list[dict[str, Any]] = [
            {
                "Sid": "StackServices",
                "Effect": "Allow",
                "Action": actions(DEPLOY_ACTIONS),
                "Resource": "*",
            },
            *self._iam_statements(),
            *self._state_statements(write=True),
            {
                "Sid": "StackSecretValuesAndKeys",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "kms:Decrypt",
                    "kms:Encrypt",
                    "kms:GenerateDataKey*",
                    "kms:ReEncrypt*",
                ],
                "Resource": [
                    f"arn:aws:secretsmanager:{a.region}:{a.account_id}:secret:*",
                    f"arn:aws:kms:{a.region}:{a.account_id}:key/*",
                ],
                "Condition": {"StringEquals": {"aws:ResourceTag/golive:stack": a.stack_tag}},
            },
            {
                "Sid": "ReleasedImages",
                "Effect": "Allow",
                "Action": [
                    "ssm:PutParameter",
                    "ssm:DeleteParameter",
                    "ssm:GetParameter*",
                    "ssm:AddTagsToResource",
                ],
                "Resource": (
                    f"arn:aws:ssm:{a.region}:{a.account_id}:parameter{a.image_parameter_prefix}*"
                ),
            },
        ]
        return {"Version": "2012-10-17", "Statement": statements}

    def _preview_document(self) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadStack",
                    "Effect": "Allow",
                    "Action": actions(READ_ACTIONS),
                    "Resource": "*",
                },
                {
                    "Sid": "ReadStackIam",
                    "Effect": "Allow",
                    "Action": ["iam:Get*", "iam:List*"],
                    "Resource": "*",
                },
                *self._state_statements(write=False),
            ],
        }

    def _boundary_document(self) -> dict[str, Any]:
        a = self._args
        allowed = [
            *actions(DEPLOY_ACTIONS),
            "iam:Get*", "iam:List*", "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole",
            "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy",
            "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary", "iam:PassRole", "iam:CreatePolicy",
            "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
            "iam:TagPolicy", "iam:UntagPolicy", "iam:CreateServiceLinkedRole",
            # Granted by the roles only on this stack's tagged secrets and keys:
            "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "kms:Decrypt",
            "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "ssm:GetParameter*",
            "ssm:DeleteParameter",
        ]  # fmt: skip
        boundary_arn = f"arn:aws:iam::{a.account_id}:policy/{a.resource_prefix}-ci-boundary*"
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Ceiling", "Effect": "Allow", "Action": allowed, "Resource": "*"},
                {
                    "Sid": "NoLongLivedCredentials",
                    "Effect": "Deny",
                    "Action": [
                        "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile",
                        "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "BoundaryStaysPut",
                    "Effect": "Deny",
                    "Action": [
                        "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion",
                        "iam:DeletePolicy", "iam:DeletePolicyVersion",
                        "iam:SetDefaultPolicyVersion",
                    ],
                    "Resource": boundary_arn,
                },
                {
                    "Sid": "AccountPiecesStayPut",
                    "Effect": "Deny",
                    "Action": [
                        "iam:DeleteOpenIDConnectProvider",
                        "iam:UpdateOpenIDConnectProviderThumbprint",
                        "iam:AddClientIDToOpenIDConnectProvider", "s3:DeleteBucket",
                        "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
                    ],
                    "Resource": [
                        f"arn:aws:iam::{a.account_id}:oidc-provider/{GITHUB_OIDC_HOST}",
                        f"arn:aws:s3:::{a.state_bucket}",
                    ],
                },
            ],
        }  # fmt: skip


def trust_policy(provider_arn: str, repository: str, subject: str) -> dict[str, Any]:
    """Trust for GitHub's OIDC tokens of exactly one repository and one subject (no wildcard)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com",
                        f"{GITHUB_OIDC_HOST}:sub": f"repo:{repository}:{subject}",
                    }
                },
            }
        ],
    }
