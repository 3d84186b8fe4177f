"""The IAM actions golive calls, per role, and the mapping from API calls to IAM actions.

`DEPLOY_ROLE_ACTIONS` is what the CI deploy role needs for `release`, `rollback`, `verify`,
`status`, `backup` (without pruning) and `run-task`, plus what the Pulumi step of a release
calls on ECS. The ci_access component can grant exactly this list (scoped to the stack's
resources); the ops tests record every API call of a release and assert it stays inside it.
`OPERATOR_ACTIONS` adds what only a person runs: bootstrap, `secrets set`, pruning, the drill,
destroy (besides what `pulumi destroy` itself calls).
"""

from __future__ import annotations

DEPLOY_ROLE_ACTIONS = frozenset(
    {
        "sts:GetCallerIdentity",
        # stack state and release record
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:PutParameter",
        "ssm:DeleteParameter",
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:GetBucketVersioning",
        "s3:GetObjectVersion",
        "s3:DeleteObject",
        "secretsmanager:DescribeSecret",
        # backups before a release
        "rds:CreateDBSnapshot",
        "rds:AddTagsToResource",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBInstances",
        # preflight: changes AWS holds for the maintenance window (ops.maintenance)
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        # the images asked for exist (before anything changes); short SHAs and versions
        "ecr:DescribeImages",
        "ecr:ListImages",
        # one-off tasks and services
        "ecs:DescribeServices",
        "ecs:DescribeTaskDefinition",
        "ecs:RegisterTaskDefinition",
        "ecs:TagResource",
        "ecs:RunTask",
        "ecs:DescribeTasks",
        "ecs:UpdateService",
        "iam:PassRole",
        "logs:GetLogEvents",
        # verify
        "elasticloadbalancing:DescribeTargetHealth",
        "cloudwatch:DescribeAlarms",
        "sns:ListSubscriptionsByTopic",
        "cloudfront:CreateInvalidation",
        "cloudfront:GetInvalidation",
        # deploy notifications to the stack's alarm topic (under the stack's KMS key)
        "sns:Publish",
    }
)

OPERATOR_ACTIONS = DEPLOY_ROLE_ACTIONS | {
    "secretsmanager:PutSecretValue",
    "rds:DeleteDBSnapshot",
    "rds:RestoreDBInstanceFromDBSnapshot",
    "rds:DeleteDBInstance",
    "rds:ListTagsForResource",
    "kms:DescribeKey",
    "kms:CreateKey",
    "kms:CreateAlias",
    "kms:GetKeyRotationStatus",
    "kms:EnableKeyRotation",
    "kms:TagResource",
    "kms:ListResourceTags",
    "s3:CreateBucket",
    "s3:PutBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketOwnershipControls",
    "s3:PutBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:GetLifecycleConfiguration",
    "s3:PutLifecycleConfiguration",
    "route53:ListHostedZonesByName",
    "route53:CreateHostedZone",
    "route53:GetHostedZone",
    "iam:ListOpenIDConnectProviders",
    "iam:GetOpenIDConnectProvider",
    "iam:CreateOpenIDConnectProvider",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:ListRoles",
    "iam:CreateServiceLinkedRole",
    "ssm:DeleteParameters",
    "rds:DescribeDBInstanceAutomatedBackups",
}

_IAM_PREFIX = {"elbv2": "elasticloadbalancing"}
# S3 API operations whose IAM action has another name.
_S3_ACTIONS = {
    "HeadBucket": "ListBucket",
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "CopyObject": "PutObject",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
}


def iam_actions(service: str, operation: str, params: dict[str, object]) -> set[str]:
    """The IAM actions one API call needs (botocore service name and operation name)."""
    prefix = _IAM_PREFIX.get(service, service)
    if service == "s3":
        actions = {f"s3:{_S3_ACTIONS.get(operation, operation)}"}
        if operation == "CopyObject":
            actions.add("s3:GetObjectVersion")
        return actions
    actions = {f"{prefix}:{operation}"}
    tagged_rds = {"CreateDBSnapshot", "RestoreDBInstanceFromDBSnapshot"}
    if service == "rds" and operation in tagged_rds and params.get("Tags"):
        actions.add("rds:AddTagsToResource")
    if service == "ecs" and operation in {"RegisterTaskDefinition", "RunTask"}:
        actions.add("iam:PassRole")
        if params.get("tags"):
            actions.add("ecs:TagResource")
    return actions
