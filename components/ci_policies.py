"""The CI roles' and the stack's permissions boundary's policy documents: what one stack is
(`StackScope`), the grants scoped to it by name or by its `golive:stack` tag, and the packing of
statements into managed policies IAM accepts. Pure data: `components/ci_access.py` declares
the roles and policies that carry these documents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_facts.iam import ECR_PULL_ACTIONS, UNSCOPABLE_ACTIONS
from components import naming
from components.passed_roles import CHAT_ROLE, PASSED_ROLES, PassedRoles

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STACK_TAG = "golive:stack"
MANAGED_POLICY_MAX = 6144
"""IAM quota: a managed policy holds at most 6,144 characters, whitespace not counted (IAM User
Guide, "IAM and AWS STS quotas")."""


# ---------------------------------------------------------------------------- what a stack is


@dataclass(frozen=True, kw_only=True)
class StackScope:
    """Everything that tells this stack's AWS resources and state from any other stack's."""

    account_id: str
    region: str
    app: str
    stack: str
    project: str
    """The Pulumi project (`Pulumi.yaml` `name`): the state bucket's keys carry it."""
    state_bucket: str
    secrets_key_alias: str
    """Alias (without `alias/`) of this stack's own secrets-provider key."""
    image_parameter_prefix: str
    """`/golive/<app>/<stack>/images/`: where `golive release` records released images."""
    hosted_zone_id: str | None = None
    record_names: tuple[str, ...] = ()
    """DNS names the stack writes (each also covers its subdomains: validation records)."""
    workload_actions: tuple[str, ...] = ()
    """Actions the stack file grants its tasks (`taskRoleStatements`): inside the ceiling."""
    workload_resources: tuple[str, ...] = ()
    """Resources the stack file grants its tasks: S3 and SSM ones stay reachable."""
    images_from_account: str = ""
    """The account whose repositories of this app promotion copies from, when not this one."""
    slack_alarms: bool = False
    """The stack posts its alarms to Slack (`alarms.slack`): its CI roles then manage (and read)
    AWS's chat integration, which no other stack needs."""

    @property
    def prefix(self) -> str:
        """`<app>-<stack>`: the stack's resources are named with it."""
        return f"{self.app}-{self.stack}"

    @property
    def path(self) -> str:
        """`<app>/<stack>`: secrets, repositories and log groups are named under it."""
        return f"{self.app}/{self.stack}"

    @property
    def boundary_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:policy/{naming.ci_boundary(self.prefix)}"

    def arn(self, service: str, resource: str, *, region: str = "*") -> str:
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"

    def state_keys(self) -> list[str]:
        """This stack's keys in the state bucket: Pulumi's DIY backend layout
        (pkg/backend/diy/store.go and lock.go: stacks, history, backups, journal, locks) and
        golive's release log and release lease (ops/releases.py, ops/lease.py)."""
        project, stack, app = self.project, self.stack, self.app
        return [
            f".pulumi/stacks/{project}/{stack}.json*",
            *(f".pulumi/{kind}/{project}/{stack}/*" for kind in ("history", "backups", "journal")),
            f".pulumi/locks/organization/{project}/{stack}/*",
            f"golive/releases/{app}/{stack}.json",
            f"golive/locks/{app}/{stack}.json",
        ]

    @property
    def chat_configuration_arn(self) -> str:
        """A chat configuration is account-wide: no region in its ARN (Service Authorization
        Reference, AWS Chatbot: `arn:${Partition}:chatbot::${Account}:chat-configuration/
        ${ConfigurationType}/${ChatbotConfigurationName}`)."""
        name = naming.chat_configuration(self.prefix)
        return self.arn("chatbot", f"chat-configuration/slack-channel/{name}", region="")

    def state_object_arns(self) -> list[str]:
        return [f"arn:aws:s3:::{self.state_bucket}/{key}" for key in self.state_keys()]

    def record_name_patterns(self) -> list[str]:
        """Route 53 normalizes names to lowercase without the final dot (Route 53 Developer
        Guide, "Using IAM policy conditions for fine-grained access control")."""
        names = sorted({n.lower().rstrip(".") for n in self.record_names})
        return [pattern for name in names for pattern in (name, f"*.{name}")]


# ---------------------------------------------------------------------------- the statements


def _statement(
    sid: str, actions: Sequence[str], resources: str | Sequence[str], **condition: Any
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": resources if isinstance(resources, str) else list(resources),
    }
    if condition:
        statement["Condition"] = condition
    return statement


@dataclass(frozen=True)
class Grant:
    """Resources of the stack and what each role may do on them: the preview role `reads`, the
    deploy role `reads` and `writes`. One table, so the two roles cannot drift apart."""

    sid: str
    resources: list[str]
    reads: list[str]
    writes: list[str] = field(default_factory=list[str])
    condition: dict[str, Any] = field(default_factory=dict[str, Any])

    def statement(self, *, write: bool) -> dict[str, Any] | None:
        actions = self.reads + (self.writes if write else [])
        if not actions:
            return None
        return _statement(self.sid, actions, self.resources, **self.condition)


EC2_CREATES = [
    "ec2:AllocateAddress", "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateFlowLogs", "ec2:CreateInternetGateway",
    "ec2:CreateNatGateway", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet",
    "ec2:CreateVpc", "ec2:CreateVpcEndpoint",
]  # fmt: skip
"""EC2 creates that tag the new resource in the same call (`TagSpecifications`): the new resource
must be tagged as the stack, the resources it goes into must already be."""
UNNAMED_CREATES = [
    "acm:RequestCertificate", "application-autoscaling:RegisterScalableTarget",
    "cloudfront:CreateVpcOrigin", "kms:CreateKey",
]  # fmt: skip
"""Creates of resources whose ARN carries an id, not a name: tagged as the stack or refused."""
UNNAMED_TAG_ON_CREATE = [
    "acm:AddTagsToCertificate", "application-autoscaling:TagResource", "cloudfront:TagResource",
    "kms:TagResource",
]  # fmt: skip
"""These services tag a new resource with a second authorization of the tagging action (e.g. KMS
Developer Guide, "ABAC for AWS KMS": `CreateKey` with tags also needs `kms:TagResource`)."""


APPLICATION_ONLY = ("xray", "ssmmessages", "cloudwatch:PutMetricData")
"""Unscopable actions a task may need and CI never does."""
CHAT = "chatbot"
"""AWS's chat integration: only for a stack whose alarms go to Slack."""


def _unscopable(scope: StackScope, *, write: bool) -> list[str]:
    """What the roles need from `aws_facts.iam.UNSCOPABLE_ACTIONS`, on `*` (no other way)."""
    skipped = (*APPLICATION_ONLY, *(() if scope.slack_alarms else (CHAT,)))
    wanted: list[str] = []
    for service, names in UNSCOPABLE_ACTIONS.items():
        if service in skipped:
            continue
        for name in names:
            action = f"{service}:{name}"
            if action in UNNAMED_CREATES or action in skipped:
                continue
            if write or name.startswith(("Describe", "Get", "List")):
                wanted.append(action)
    return wanted


def _tagged_grants(scope: StackScope) -> list[Grant]:
    """Resources whose ARN carries an id: the stack's carry `golive:stack` (the provider's default
    tags), and these actions accept `aws:ResourceTag` (Service Authorization Reference)."""
    tagged = {"StringEquals": {f"aws:ResourceTag/{STACK_TAG}": scope.stack}}
    account = scope.account_id
    return [
        Grant(
            # EC2 authorizes a call on each resource it touches (a subnet and its VPC): all of
            # them must be the stack's.
            "NetworkTaggedAsTheStack",
            [scope.arn("ec2", "*")],
            reads=["ec2:Describe*", "ec2:Get*"],
            writes=[
                *EC2_CREATES, "ec2:Associate*", "ec2:Attach*", "ec2:CreateRoute",
                "ec2:CreateTags", "ec2:Delete*", "ec2:Detach*", "ec2:Disassociate*",
                "ec2:Modify*", "ec2:Release*", "ec2:Replace*", "ec2:Revoke*",
                "ec2:UpdateSecurityGroupRuleDescriptions*",
            ],
            condition=tagged,
        ),
        Grant(
            "KeysTaggedAsTheStack",
            [scope.arn("kms", "key/*")],
            reads=["kms:Describe*", "kms:Get*", "kms:List*"],
            writes=[
                "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt",
                "kms:DeleteAlias", "kms:DisableKeyRotation", "kms:EnableKeyRotation",
                "kms:Encrypt", "kms:GenerateDataKey*", "kms:PutKeyPolicy", "kms:ReEncrypt*",
                "kms:RetireGrant", "kms:RevokeGrant", "kms:ScheduleKeyDeletion",
                "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
                "kms:UpdateKeyDescription",
            ],
            condition=tagged,
        ),
        Grant(
            "EdgeTaggedAsTheStack",
            [scope.arn("acm", "certificate/*"),
             f"arn:aws:cloudfront::{account}:distribution/*",
             f"arn:aws:cloudfront::{account}:vpcorigin/*",
             scope.arn("application-autoscaling", "scalable-target/*")],
            reads=["acm:Describe*", "acm:Get*", "acm:List*", "cloudfront:Get*",
                   "cloudfront:List*", "application-autoscaling:ListTagsForResource"],
            writes=[
                "acm:AddTagsToCertificate", "acm:DeleteCertificate",
                "acm:RemoveTagsFromCertificate", "acm:UpdateCertificateOptions",
                "cloudfront:CreateInvalidation", "cloudfront:DeleteDistribution",
                "cloudfront:DeleteVpcOrigin", "cloudfront:TagResource",
                "cloudfront:UntagResource", "cloudfront:UpdateDistribution",
                "cloudfront:UpdateVpcOrigin",
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:TagResource", "application-autoscaling:UntagResource",
            ],
            condition=tagged,
        ),
    ]  # fmt: skip


def _named_grants(scope: StackScope) -> list[Grant]:
    """Resources whose ARN carries the stack's name (`<app>-<stack>-...`, `<app>/<stack>/...`)."""
    p, path, arn = scope.prefix, scope.path, scope.arn
    grants = [
        Grant(
            "EcsNamedAsTheStack",
            [arn("ecs", f"cluster/{p}"), arn("ecs", f"service/{p}/*"),
             arn("ecs", f"task/{p}/*"), arn("ecs", f"task-definition/{p}-*:*"),
             arn("ecs", f"container-instance/{p}/*")],
            reads=["ecs:Describe*", "ecs:List*"],
            writes=["ecs:CreateCluster", "ecs:CreateService", "ecs:Delete*", "ecs:Put*",
                    "ecs:RunTask", "ecs:StopTask", "ecs:TagResource", "ecs:UntagResource",
                    "ecs:Update*"],
        ),
        Grant(
            "EcrNamedAsTheStack",
            [arn("ecr", f"repository/{path}/*")],
            reads=["ecr:BatchGetImage", "ecr:Describe*", "ecr:Get*", "ecr:List*"],
            writes=["ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload",
                    "ecr:CreateRepository", "ecr:Delete*", "ecr:InitiateLayerUpload",
                    "ecr:Put*", "ecr:Set*", "ecr:TagResource", "ecr:UntagResource",
                    "ecr:UploadLayerPart"],
        ),
        Grant(
            # Promotion reads the images another stack of the app built (in this account, or in
            # `images_from_account`) to copy them; a deploy step, so not the preview role's.
            "ReadTheAppsImages",
            [
                arn("ecr", f"repository/{scope.app}/*"),
                *(
                    [f"arn:aws:ecr:*:{scope.images_from_account}:repository/{scope.app}/*"]
                    if scope.images_from_account
                    else []
                ),
            ],
            reads=[],
            writes=list(ECR_PULL_ACTIONS),
        ),
        Grant(
            "LoadBalancerNamedAsTheStack",
            [arn("elasticloadbalancing", f"loadbalancer/app/{p}-*/*"),
             arn("elasticloadbalancing", f"listener/app/{p}-*/*"),
             arn("elasticloadbalancing", f"listener-rule/app/{p}-*/*"),
             arn("elasticloadbalancing", f"targetgroup/{p}-*/*")],
            reads=["elasticloadbalancing:Describe*"],
            writes=["elasticloadbalancing:Add*", "elasticloadbalancing:Create*",
                    "elasticloadbalancing:Delete*", "elasticloadbalancing:Deregister*",
                    "elasticloadbalancing:Modify*", "elasticloadbalancing:Register*",
                    "elasticloadbalancing:Remove*", "elasticloadbalancing:Set*"],
        ),
        Grant(
            "DatabaseNamedAsTheStack",
            [arn("rds", f"db:{p}-db*"), arn("rds", f"pg:{p}-*"), arn("rds", f"subgrp:{p}-*"),
             arn("rds", f"snapshot:{p}-*"), arn("rds", f"snapshot:rds:{p}-*"),
             arn("rds", "og:default:*")],
            reads=["rds:Describe*", "rds:List*"],
            writes=["rds:AddTagsToResource", "rds:CopyDBSnapshot", "rds:CreateDBInstance",
                    "rds:CreateDBParameterGroup", "rds:CreateDBSnapshot",
                    "rds:CreateDBSubnetGroup", "rds:Delete*", "rds:Modify*", "rds:Reboot*",
                    "rds:RemoveTagsFromResource", "rds:ResetDBParameterGroup",
                    "rds:RestoreDBInstanceFromDBSnapshot"],
        ),
        Grant(
            "CacheNamedAsTheStack",
            [arn("elasticache", f"replicationgroup:{p}-*"), arn("elasticache", f"cluster:{p}-*"),
             arn("elasticache", f"subnetgroup:{p}-*"), arn("elasticache", f"parametergroup:{p}-*"),
             arn("elasticache", "parametergroup:default.*"),
             arn("elasticache", f"snapshot:{p}-*"), arn("elasticache", "user:default")],
            reads=["elasticache:Describe*", "elasticache:List*"],
            writes=["elasticache:AddTagsToResource", "elasticache:Create*",
                    "elasticache:Delete*", "elasticache:Modify*",
                    "elasticache:RemoveTagsFromResource"],
        ),
        Grant(
            "SecretsNamedAsTheStack",
            [arn("secretsmanager", f"secret:{path}/*")],
            reads=["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
                   "secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds"],
            writes=["secretsmanager:CancelRotateSecret", "secretsmanager:CreateSecret",
                    "secretsmanager:DeleteResourcePolicy", "secretsmanager:DeleteSecret",
                    "secretsmanager:PutResourcePolicy", "secretsmanager:PutSecretValue",
                    "secretsmanager:RestoreSecret", "secretsmanager:RotateSecret",
                    "secretsmanager:TagResource", "secretsmanager:UntagResource",
                    "secretsmanager:UpdateSecret"],
        ),
        Grant(
            # RDS creates, rotates and deletes the master user's secret `rds!db-...` as the
            # caller (RDS User Guide, "Required permissions for Secrets Manager integration").
            # Its value is encrypted with the stack's key, which no other stack may use.
            "DatabaseMasterSecret",
            [arn("secretsmanager", "secret:rds!db-*")],
            reads=["secretsmanager:DescribeSecret"],
            writes=["secretsmanager:CreateSecret", "secretsmanager:DeleteSecret",
                    "secretsmanager:RotateSecret", "secretsmanager:TagResource",
                    "secretsmanager:UpdateSecret"],
            condition={"StringLikeIfExists": {
                "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", f"db:{p}-db*")}},
        ),
        Grant(
            "LogsNamedAsTheStack",
            [arn("logs", f"log-group:{group}{suffix}")
             for group in (f"/golive/{path}/*", f"{p}-*", f"/aws/rds/instance/{p}-db*")
             for suffix in ("", ":*")],
            reads=["logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:List*"],
            writes=["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup",
                    "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey",
                    "logs:PutRetentionPolicy", "logs:TagLogGroup", "logs:TagResource",
                    "logs:UntagLogGroup", "logs:UntagResource"],
        ),
        Grant(
            "AlarmsAndDashboardOfTheStack",
            # Target tracking policies make their alarms as the caller, named after the service
            # (Application Auto Scaling User Guide, "Identity-based policies").
            [arn("cloudwatch", f"alarm:{p}-*"),
             arn("cloudwatch", f"alarm:TargetTracking-service/{p}/*"),
             arn("cloudwatch", f"dashboard/{p}", region="")],
            reads=["cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard",
                   "cloudwatch:ListTagsForResource"],
            writes=["cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards",
                    "cloudwatch:DisableAlarmActions", "cloudwatch:EnableAlarmActions",
                    "cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm",
                    "cloudwatch:TagResource", "cloudwatch:UntagResource"],
        ),
        Grant(
            "TopicsNamedAsTheStack",
            [arn("sns", f"{p}-*")],
            reads=["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
                   "sns:ListTagsForResource"],
            writes=["sns:AddPermission", "sns:CreateTopic", "sns:DeleteTopic", "sns:Publish",
                    "sns:RemovePermission", "sns:SetSubscriptionAttributes",
                    "sns:SetTopicAttributes", "sns:Subscribe", "sns:TagResource",
                    "sns:Unsubscribe", "sns:UntagResource"],
        ),
        Grant(
            "RulesAndSchedulesOfTheStack",
            [arn("events", f"rule/{p}-*"), arn("scheduler", f"schedule/default/{p}-*")],
            reads=["events:DescribeRule", "events:ListTagsForResource",
                   "events:ListTargetsByRule", "scheduler:GetSchedule"],
            writes=["events:DeleteRule", "events:DisableRule", "events:EnableRule",
                    "events:PutRule", "events:PutTargets", "events:RemoveTargets",
                    "events:TagResource", "events:UntagResource", "scheduler:CreateSchedule",
                    "scheduler:DeleteSchedule", "scheduler:UpdateSchedule"],
        ),
        Grant(
            "EdgeNamedAsTheStack",
            [f"arn:aws:cloudfront::{scope.account_id}:function/{p}-*",
             arn("wafv2", f"global/webacl/{p}-*/*", region="us-east-1")],
            reads=["cloudfront:DescribeFunction", "cloudfront:GetFunction", "wafv2:GetWebACL",
                   "wafv2:ListTagsForResource"],
            writes=["cloudfront:CreateFunction", "cloudfront:DeleteFunction",
                    "cloudfront:PublishFunction", "cloudfront:UpdateFunction",
                    "wafv2:CreateWebACL", "wafv2:DeleteWebACL", "wafv2:TagResource",
                    "wafv2:UntagResource", "wafv2:UpdateWebACL"],
        ),
        Grant(
            # CloudFront origin access controls and response headers policies carry neither a
            # name in their ARN nor tags (Service Authorization Reference, CloudFront: no
            # condition keys on `origin-access-control` or `response-headers-policy`): no way
            # to tell one stack's from another's. A new distribution has no tag to check yet
            # (CreateDistribution takes no aws:RequestTag). Managed cache and origin request
            # policies and WAF's managed rule groups are AWS's, only read (and used).
            "EdgeTypesAwsCannotTellApart",
            [f"arn:aws:cloudfront::{scope.account_id}:{kind}/*"
             for kind in ("origin-access-control", "response-headers-policy", "cache-policy",
                          "origin-request-policy", "distribution")]
            + [arn("wafv2", "global/managedruleset/*/*", region="us-east-1")],
            reads=["cloudfront:GetCachePolicy", "cloudfront:GetOriginAccessControl",
                   "cloudfront:GetOriginRequestPolicy", "cloudfront:GetResponseHeadersPolicy"],
            writes=["cloudfront:CreateDistribution", "cloudfront:CreateResponseHeadersPolicy",
                    "cloudfront:DeleteOriginAccessControl",
                    "cloudfront:DeleteResponseHeadersPolicy",
                    "cloudfront:UpdateOriginAccessControl",
                    "cloudfront:UpdateResponseHeadersPolicy", "wafv2:CreateWebACL"],
        ),
        Grant(
            "ParametersOfTheStack",
            [arn("ssm", f"parameter/golive/{path}/*")],
            reads=["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters",
                   "ssm:GetParametersByPath", "ssm:ListTagsForResource"],
            writes=["ssm:AddTagsToResource", "ssm:DeleteParameter", "ssm:DeleteParameters",
                    "ssm:PutParameter", "ssm:RemoveTagsFromResource"],
        ),
        Grant(
            "BucketsNamedAsTheStack",
            [f"arn:aws:s3:::{p}-*", f"arn:aws:s3:::{p}-*/*"],
            reads=["s3:Get*", "s3:List*"],
            writes=["s3:CreateBucket", "s3:DeleteBucket*", "s3:DeleteObject*", "s3:Put*"],
        ),
        Grant(
            "BudgetNamedAsTheStack",
            [f"arn:aws:budgets::{scope.account_id}:budget/{p}-*"],
            reads=["budgets:ListTagsForResource", "budgets:ViewBudget"],
            writes=["budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"],
        ),
        Grant(
            "RolesOfTheStack",
            [f"arn:aws:iam::{scope.account_id}:role/{p}-*"],
            reads=["iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
                   "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies",
                   "iam:ListRoleTags"],
            # PassRole: `_pass_statements`, each kind of role to its one service.
            writes=["iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
                    "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
                    "iam:UpdateRole", "iam:UpdateRoleDescription"],
        ),
        Grant(
            # CreateRole, AttachRolePolicy, PutRolePolicy and PutRolePermissionsBoundary only
            # with the stack's boundary (iam:PermissionsBoundary, IAM User Guide "Permissions
            # boundaries for IAM entities"): no role of the stack escapes it.
            "RolesOfTheStackOnlyBounded",
            [f"arn:aws:iam::{scope.account_id}:role/{p}-*"],
            reads=[],
            writes=["iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
                    "iam:PutRolePolicy"],
            condition={"StringEquals": {"iam:PermissionsBoundary": scope.boundary_arn}},
        ),
        Grant(
            "PoliciesOfTheStack",
            [f"arn:aws:iam::{scope.account_id}:policy/{p}-*",
             "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"],
            reads=["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListEntitiesForPolicy",
                   "iam:ListPolicyTags", "iam:ListPolicyVersions"],
            writes=["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
                    "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
        ),
        Grant(
            # A fresh account has no ECS/ELB/RDS/ElastiCache/autoscaling/VPC-origin roles yet.
            "ServiceLinkedRoles",
            [f"arn:aws:iam::{scope.account_id}:role/aws-service-role/*"],
            reads=[],
            writes=["iam:CreateServiceLinkedRole"],
            condition={"StringEquals": {"iam:AWSServiceName": sorted(SERVICE_LINKED_ROLES)}},
        ),
        Grant(
            "ReadTheOidcProvider",
            [f"arn:aws:iam::{scope.account_id}:oidc-provider/{GITHUB_OIDC_HOST}"],
            reads=["iam:GetOpenIDConnectProvider"],
        ),
    ]  # fmt: skip
    if scope.slack_alarms:
        # The only chat actions AWS lets a policy scope (Service Authorization Reference, AWS
        # Chatbot: `ChatbotConfiguration` on Update/Delete only); the others are in
        # `aws_facts.iam`. The role it is created with: `PassChatRole` (`passed_roles`).
        grants += [
            Grant(
                "ChatChannelOfTheStack",
                [scope.chat_configuration_arn],
                reads=[],
                writes=["chatbot:DeleteSlackChannelConfiguration",
                        "chatbot:UpdateSlackChannelConfiguration"],
            ),
        ]  # fmt: skip
    if scope.hosted_zone_id:
        zone = f"arn:aws:route53:::hostedzone/{scope.hosted_zone_id}"
        grants += [
            Grant(
                "ReadTheZone",
                [zone, "arn:aws:route53:::change/*"],
                reads=["route53:GetChange", "route53:GetHostedZone",
                       "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
            ),
            Grant(
                "RecordsNamedAsTheStack",
                [zone],
                reads=[],
                writes=["route53:ChangeResourceRecordSets"],
                condition={"ForAllValues:StringLike": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames":
                        scope.record_name_patterns()}},
            ),
        ]  # fmt: skip
    return grants


def passed_roles(scope: StackScope) -> list[PassedRoles]:
    """What the stack's roles may be passed to (`components.passed_roles`)."""
    return [*PASSED_ROLES, *((CHAT_ROLE,) if scope.slack_alarms else ())]


def _one_or_list(values: list[str]) -> str | list[str]:
    """A condition value: a string for one (as before, fewer characters), else the list."""
    return values[0] if len(values) == 1 else values


def _pass_statements(scope: StackScope) -> list[dict[str, Any]]:
    """The deploy role passes each kind of the stack's roles to its one service."""
    return [
        _statement(
            f"Pass{roles.kind}",
            ["iam:PassRole"],
            roles.arns(scope.prefix, scope.account_id),
            StringEquals={"iam:PassedToService": _one_or_list(roles.passed_to)},
        )
        for roles in passed_roles(scope)
    ]


SERVICE_LINKED_ROLES = (
    "ecs.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "elasticache.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "vpcorigin.cloudfront.amazonaws.com",
)


def _state_grants(scope: StackScope) -> list[Grant]:
    """The state bucket: this stack's keys only; its KMS key only through S3 for this bucket; the
    stack's own secrets-provider key, to decrypt only (Pulumi decrypts the data key in the stack
    file and encrypts locally with it: sdk pkg/secrets/cloud/manager.go)."""
    bucket = f"arn:aws:s3:::{scope.state_bucket}"
    return [
        Grant(
            "StateBucket",
            [bucket],
            reads=["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket",
                   "s3:ListBucketVersions"],
        ),
        Grant(
            "StateOfTheStack",
            [f"{bucket}/.pulumi/meta.yaml", *scope.state_object_arns()],
            reads=["s3:GetObject", "s3:GetObjectVersion"],
            writes=["s3:DeleteObject", "s3:PutObject"],
        ),
        Grant(
            "StateEncryptionThroughS3",
            [scope.arn("kms", "key/*", region=scope.region)],
            reads=["kms:Decrypt"],
            writes=["kms:GenerateDataKey"],
            condition={
                "StringEquals": {"kms:ViaService": f"s3.{scope.region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket, f"{bucket}/*"]},
            },
        ),
        Grant(
            "SecretsProviderKeyOfTheStack",
            [scope.arn("kms", "key/*", region=scope.region)],
            reads=["kms:Decrypt"],
            condition={"ForAnyValue:StringEquals": {
                "kms:ResourceAliases": f"alias/{scope.secrets_key_alias}"}},
        ),
    ]  # fmt: skip


def deploy_statements(scope: StackScope, vpc_arn: str) -> list[dict[str, Any]]:
    """Everything `pulumi up`, `pulumi refresh` and `golive release/rollback` of this stack do."""
    grants = [*_tagged_grants(scope), *_named_grants(scope), *_state_grants(scope)]
    created = {"StringEquals": {f"aws:RequestTag/{STACK_TAG}": scope.stack}}
    return [
        # Service Authorization Reference (aws_facts.iam): no resource type for these actions.
        _statement("AwsCannotScope", _unscopable(scope, write=True), "*"),
        _statement("CreateTaggedAsTheStack", [*EC2_CREATES, *UNNAMED_CREATES], "*", **created),
        _statement(
            "TagOnCreateEc2",
            ["ec2:CreateTags"],
            "*",
            StringEquals={
                "ec2:CreateAction": [a.split(":")[1] for a in EC2_CREATES],
                f"aws:RequestTag/{STACK_TAG}": scope.stack,
            },
        ),
        _statement(
            "TagOnCreateOfUnnamed",
            UNNAMED_TAG_ON_CREATE,
            [
                scope.arn("kms", "key/*"),
                scope.arn("acm", "certificate/*"),
                scope.arn("application-autoscaling", "scalable-target/*"),
                f"arn:aws:cloudfront::{scope.account_id}:distribution/*",
                f"arn:aws:cloudfront::{scope.account_id}:vpcorigin/*",
            ],
            StringEquals={f"aws:RequestTag/{STACK_TAG}": scope.stack},
            Null={f"aws:ResourceTag/{STACK_TAG}": "true"},
        ),
        _statement(
            # The VPC's default security group is created by AWS with the VPC, untagged; the
            # stack locks it down and tags it (ec2:Vpc: EC2 API Reference condition keys).
            "TheVpcsDefaultSecurityGroup",
            ["ec2:AuthorizeSecurityGroup*", "ec2:CreateTags", "ec2:RevokeSecurityGroup*",
             "ec2:UpdateSecurityGroupRuleDescriptions*"],
            scope.arn("ec2", "security-group/*", region=scope.region),
            ArnEquals={"ec2:Vpc": vpc_arn},
        ),
        *[s for g in grants if (s := g.statement(write=True)) is not None],
        *_pass_statements(scope),
    ]  # fmt: skip


def preview_statements(scope: StackScope) -> list[dict[str, Any]]:
    """What `pulumi preview --refresh` of this stack reads; it writes nothing."""
    grants = [*_tagged_grants(scope), *_named_grants(scope), *_state_grants(scope)]
    return [
        _statement("AwsCannotScope", _unscopable(scope, write=False), "*"),
        *[s for g in grants if (s := g.statement(write=False)) is not None],
    ]


def policy_size(document: dict[str, Any]) -> int:
    """Characters IAM counts against a policy's quota (whitespace is not counted)."""
    return len(json.dumps(document, separators=(",", ":")).replace(" ", ""))


def pack(statements: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements into as few documents as fit IAM's managed-policy quota, in order."""
    documents: list[dict[str, Any]] = []
    for statement in statements:
        if documents:
            candidate = {**documents[-1], "Statement": [*documents[-1]["Statement"], statement]}
            if policy_size(candidate) <= MANAGED_POLICY_MAX:
                documents[-1] = candidate
                continue
        documents.append({"Version": "2012-10-17", "Statement": [statement]})
    return documents


# ---------------------------------------------------------------------------- the boundary


CEILING_SERVICES = (
    "acm", "application-autoscaling", "budgets", "cloudfront", "cloudwatch", "ec2", "ecr",
    "ecs", "elasticache", "elasticloadbalancing", "events", "kms", "logs", "rds", "route53",
    "s3", "scheduler", "secretsmanager", "sns", "ssm", "ssmmessages", "wafv2",
)  # fmt: skip
"""Services the stack's roles use (CI, tasks, schedules, RDS monitoring, flow logs). A boundary
grants nothing by itself (IAM User Guide, "Permissions boundaries for IAM entities"), so its
ceiling names whole services and its denies cut them down to the stack; the grants themselves
(the roles' policies) never name a whole service (control IAM.21)."""
CEILING_IAM = [
    "iam:AttachRolePolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole",
    "iam:CreateServiceLinkedRole", "iam:DeletePolicy", "iam:DeletePolicyVersion",
    "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:Get*", "iam:List*",
    "iam:PassRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:TagPolicy",
    "iam:TagRole", "iam:UntagPolicy", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole", "iam:UpdateRoleDescription", "sts:GetCallerIdentity", "tag:GetResources",
]  # fmt: skip
"""IAM by action (no users, groups, providers or account settings ever), plus two reads."""


def boundary_document(scope: StackScope) -> dict[str, Any]:
    """The ceiling of the CI roles and of every role the stack creates."""
    services = (*CEILING_SERVICES, *((CHAT,) if scope.slack_alarms else ()))
    ceiling = [f"{service}:*" for service in services] + CEILING_IAM
    extra = {a for a in scope.workload_actions if a.split(":")[0] not in services}
    ceiling += sorted(extra)
    account, p = scope.account_id, scope.prefix
    other_stack = {f"aws:ResourceTag/{STACK_TAG}": scope.stack}
    state = f"arn:aws:s3:::{scope.state_bucket}"
    s3_allowed = [
        f"arn:aws:s3:::{p}-*", f"arn:aws:s3:::{p}-*/*", state, f"{state}/.pulumi/meta.yaml",
        *scope.state_object_arns(),
        *(r for r in scope.workload_resources if r.startswith("arn:aws:s3:::")),
    ]  # fmt: skip
    ssm_allowed = [
        scope.arn("ssm", f"parameter/golive/{scope.path}/*"),
        *(r for r in scope.workload_resources if r.startswith("arn:aws:ssm:")),
    ]
    ci = [f"arn:aws:iam::{account}:role/{p}-ci-*", f"arn:aws:iam::{account}:policy/{p}-ci-*"]
    denies: list[dict[str, Any]] = [
        {
            # Another golive stack's resources: never acted on (ECR pulls excepted: promotion
            # and a first release read the image another stack of the app released).
            "Sid": "NotAnotherStacksResources",
            "NotAction": list(ECR_PULL_ACTIONS),
            "Resource": "*",
            "Condition": {
                "StringNotEquals": other_stack,
                "Null": {f"aws:ResourceTag/{STACK_TAG}": "false"},
                # The state bucket's key is used through S3 only, where the bucket policy and
                # the S3 deny below decide.
                "StringNotEqualsIfExists": {"kms:ViaService": f"s3.{scope.region}.amazonaws.com"},
            },
        },
        {
            "Sid": "NotTaggedAsAnotherStack",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {f"aws:RequestTag/{STACK_TAG}": scope.stack},
                "Null": {f"aws:RequestTag/{STACK_TAG}": "false"},
            },
        },
        {
            "Sid": "NoLongLivedCredentials",
            "Action": [
                "iam:AddUserToGroup", "iam:AttachUserPolicy", "iam:CreateAccessKey",
                "iam:CreateLoginProfile", "iam:CreateUser", "iam:PutUserPolicy",
            ],
            "Resource": "*",
        },
        {
            # iam:PermissionsBoundary is the boundary the role has or gets (IAM User Guide,
            # "IAM condition keys"); absent (no boundary) means refused.
            "Sid": "RolesOnlyWithThisBoundary",
            "Action": [
                "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
            ],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": scope.boundary_arn}},
        },
        {
            # DeleteRolePermissionsBoundary acts on a role, so the deny names every role.
            "Sid": "BoundariesStayPut",
            "Action": "iam:DeleteRolePermissionsBoundary",
            "Resource": "*",
        },
        {
            # The CI roles and their policies (this boundary included) change only by an
            # administrator's `pulumi up`: a CI role can never widen itself. Nor is a CI role
            # ever passed to a service.
            "Sid": "CiAccessStaysPut",
            "Action": [
                "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
                "iam:DeletePolicyVersion", "iam:DeleteRole", "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy", "iam:PassRole", "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy", "iam:SetDefaultPolicyVersion", "iam:TagPolicy",
                "iam:TagRole", "iam:UntagPolicy", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
            ],
            "Resource": ci,
        },
        {
            # Roles and policies outside the stack's names: never changed (an admin role's trust
            # or a shared policy would be a way out of the boundary).
            "Sid": "IamOnlyTheStacks",
            "Action": [
                "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*",
                "iam:Tag*", "iam:Untag*", "iam:Update*",
            ],
            "NotResource": [
                f"arn:aws:iam::{account}:role/{p}-*", f"arn:aws:iam::{account}:policy/{p}-*",
                f"arn:aws:iam::{account}:role/aws-service-role/*",
            ],
        },
        {"Sid": "PassOnlyTheStacksRoles", "Action": "iam:PassRole",
         "NotResource": f"arn:aws:iam::{account}:role/{p}-*"},
        *_pass_denies(scope),
        {
            # S3 objects carry no stack tag: buckets and state keys by name.
            "Sid": "OnlyTheStacksBucketsAndState",
            "Action": "s3:*",
            "NotResource": s3_allowed,
        },
        {"Sid": "OnlyTheStacksParameters", "Action": [
            "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:GetParameter",
            "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath",
            "ssm:LabelParameterVersion", "ssm:PutParameter"], "NotResource": ssm_allowed},
        {
            "Sid": "SecretsProviderKeyStaysPut",
            "Action": [
                "kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
                "kms:UntagResource", "kms:TagResource", "kms:DeleteAlias", "kms:UpdateAlias",
            ],
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {
                "kms:ResourceAliases": f"alias/{scope.secrets_key_alias}"}},
        },
        {
            "Sid": "OnlyTheStacksNames",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "*",
            **({"Condition": {"ForAnyValue:StringNotLike": {
                "route53:ChangeResourceRecordSetsNormalizedRecordNames":
                    scope.record_name_patterns()}}} if scope.record_names else {}),
        },
    ]  # fmt: skip
    if any(action.startswith(f"{CHAT}:") for action in ceiling):
        denies += _chat_denies(scope)
    for deny in denies:
        deny["Effect"] = "Deny"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Ceiling", "Effect": "Allow", "Action": ceiling, "Resource": "*"},
            *denies,
        ],
    }


def _pass_denies(scope: StackScope) -> list[dict[str, Any]]:
    """The stack's roles only to the services the stack passes roles to (`passed_roles`), and
    the kinds `paired_by_boundary` each only to its own: the deploy role's grant pairs every
    kind, the boundary holds this on its own (for a role whose policy was rewritten). A pairing
    names any account's and any prefix's roles of the kind (shorter; roles outside the stack are
    refused above): it refuses more, never less. A service that sends no iam:PassedToService
    (IAM User Guide, "IAM condition keys": CodeBuild, CodeCommit) is given no role at all."""
    kinds = passed_roles(scope)
    return [
        {
            "Sid": "PassOnlyToTheStacksServices",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringNotEquals": {
                "iam:PassedToService": sorted({s for roles in kinds for s in roles.passed_to})}},
        },
        *(
            {
                "Sid": f"{roles.kind}OnlyTo{roles.to}",
                "Action": "iam:PassRole",
                "Resource": roles.arns("*", "*"),
                "Condition": {"StringNotEquals": {
                    "iam:PassedToService": _one_or_list(roles.passed_to)}},
            }
            for roles in kinds
            if roles.paired_by_boundary
        ),
    ]  # fmt: skip


def _chat_denies(scope: StackScope) -> list[dict[str, Any]]:
    """Where the ceiling reaches AWS's chat integration. Its configurations carry no condition
    key AWS evaluates (no `aws:ResourceTag`; Service Authorization Reference, AWS Chatbot), so
    another stack's is told apart by its name, and every other `Delete*`/`Update*` (the Slack
    workspace's authorization, the account's preferences) names no resource: refused."""
    return [
        {
            "Sid": "OnlyTheStacksChatChannel",
            "Action": [f"{CHAT}:Delete*", f"{CHAT}:Update*"],
            "NotResource": scope.chat_configuration_arn,
        },
    ]
