"""What terraform-provider-aws (the engine of pulumi-aws 7) calls for each resource type golive
declares, as IAM actions: to read a resource, to tag it and to untag it.

- `read`: the calls of the resource's Read, which runs on every refresh (`pulumi refresh`,
  `pulumi preview --refresh`) and after every create and update: its describe calls and, where
  the describe answer carries no tags, the tag listing. A role that previews with refresh
  needs all of them; one without the tag listing fails on the first tagged resource (the
  budget's `budgets:ListTagsForResource` is the known case).
- `tag`: the call that adds tags, at create when the create call takes none, and at update
  (every golive resource carries the `aws:defaultTags`).
- `untag`: the call that removes tags, at update when a tag key goes away (the S3 bucket
  replaces its whole tag set instead).

The create, update and delete calls themselves are not listed: whoever grants a deploy role
derives them from the same sources.

Sources (hashicorp/terraform-provider-aws, `internal/service/<package>/`): `generate.go`, whose
`generate/tags` directive names each service's tag operations (`-ListTagsOp`, `-TagOp`,
`-UntagOp`, by default ListTagsForResource, TagResource and UntagResource); the resource's file,
whose `@Tags(identifierAttribute=...)` annotation makes the provider list and update tags for
it, and whose Read either sets the tags from the describe answer (`setTagsOut(ctx,
v.TagList)`: no listing call) or leaves them to the listing. `source` names the package.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderCalls:
    """The IAM actions the provider's calls for one resource type need."""

    read: tuple[str, ...]
    tag: tuple[str, ...] = ()
    untag: tuple[str, ...] = ()
    source: str = ""
    """The provider package (under `internal/service/`) read for this row."""


_EC2_TAGS = {"tag": ("ec2:CreateTags",), "untag": ("ec2:DeleteTags",)}
"""EC2 returns tags in every describe answer; the provider tags with CreateTags and DeleteTags
(ec2/generate.go: `-TagOp=CreateTags -UntagOp=DeleteTags`)."""
_ELB_TAGS = {
    "tag": ("elasticloadbalancing:AddTags",),
    "untag": ("elasticloadbalancing:RemoveTags",),
}
"""elbv2/generate.go: `-ListTagsOp=DescribeTags -TagOp=AddTags -UntagOp=RemoveTags`."""
_RDS_TAGS = {"tag": ("rds:AddTagsToResource",), "untag": ("rds:RemoveTagsFromResource",)}
"""rds/generate.go: `-TagOp=AddTagsToResource -UntagOp=RemoveTagsFromResource`."""
_CACHE_TAGS = {
    "tag": ("elasticache:AddTagsToResource",),
    "untag": ("elasticache:RemoveTagsFromResource",),
}
"""elasticache/generate.go: the same operation names as RDS."""


def _tags(service: str) -> dict[str, tuple[str, ...]]:
    """TagResource and UntagResource: the generator's defaults."""
    return {"tag": (f"{service}:TagResource",), "untag": (f"{service}:UntagResource",)}


PROVIDER_CALLS: dict[str, ProviderCalls] = {
    "aws:acm/certificate:Certificate": ProviderCalls(
        read=("acm:DescribeCertificate", "acm:ListTagsForCertificate"),
        tag=("acm:AddTagsToCertificate",),
        untag=("acm:RemoveTagsFromCertificate",),
        source="acm",
    ),
    "aws:acm/certificateValidation:CertificateValidation": ProviderCalls(
        read=("acm:DescribeCertificate",), source="acm"
    ),
    "aws:appautoscaling/policy:Policy": ProviderCalls(
        read=("application-autoscaling:DescribeScalingPolicies",), source="appautoscaling"
    ),
    "aws:appautoscaling/target:Target": ProviderCalls(
        read=(
            "application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:ListTagsForResource",
        ),
        **_tags("application-autoscaling"),
        source="appautoscaling",
    ),
    # budget.go: @Tags(identifierAttribute="arn"); DescribeBudget, DescribeNotificationsForBudget
    # and DescribeSubscribersForNotification are all authorized by budgets:ViewBudget.
    "aws:budgets/budget:Budget": ProviderCalls(
        read=("budgets:ViewBudget", "budgets:ListTagsForResource"),
        **_tags("budgets"),
        source="budgets",
    ),
    # slack_channel_configuration.go: @Tags(identifierAttribute="chat_configuration_arn"); its
    # Read sets the tags from the describe answer (`setTagsOut(ctx, output.Tags)`).
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": ProviderCalls(
        read=("chatbot:DescribeSlackChannelConfigurations",), **_tags("chatbot"), source="chatbot"
    ),
    "aws:cloudfront/distribution:Distribution": ProviderCalls(
        read=("cloudfront:GetDistribution", "cloudfront:ListTagsForResource"),
        **_tags("cloudfront"),
        source="cloudfront",
    ),
    "aws:cloudfront/function:Function": ProviderCalls(
        read=("cloudfront:DescribeFunction", "cloudfront:GetFunction"), source="cloudfront"
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": ProviderCalls(
        read=("cloudfront:GetOriginAccessControl",), source="cloudfront"
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": ProviderCalls(
        read=("cloudfront:GetResponseHeadersPolicy",), source="cloudfront"
    ),
    # vpc_origin.go: a framework resource with @Tags(identifierAttribute="arn").
    "aws:cloudfront/vpcOrigin:VpcOrigin": ProviderCalls(
        read=("cloudfront:GetVpcOrigin", "cloudfront:ListTagsForResource"),
        **_tags("cloudfront"),
        source="cloudfront",
    ),
    "aws:cloudwatch/dashboard:Dashboard": ProviderCalls(
        read=("cloudwatch:GetDashboard",), source="cloudwatch"
    ),
    "aws:cloudwatch/eventRule:EventRule": ProviderCalls(
        read=("events:DescribeRule", "events:ListTagsForResource"),
        **_tags("events"),
        source="events",
    ),
    "aws:cloudwatch/eventTarget:EventTarget": ProviderCalls(
        read=("events:ListTargetsByRule",), source="events"
    ),
    # group.go: @Tags(identifierAttribute="arn"): the service-wide ListTagsForResource, not the
    # older ListTagsLogGroup.
    "aws:cloudwatch/logGroup:LogGroup": ProviderCalls(
        read=("logs:DescribeLogGroups", "logs:ListTagsForResource"),
        **_tags("logs"),
        source="logs",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ProviderCalls(
        read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        **_tags("cloudwatch"),
        source="cloudwatch",
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ProviderCalls(
        read=("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"),
        **_EC2_TAGS,
        source="ec2",
    ),
    "aws:ec2/eip:Eip": ProviderCalls(read=("ec2:DescribeAddresses",), **_EC2_TAGS, source="ec2"),
    "aws:ec2/flowLog:FlowLog": ProviderCalls(
        read=("ec2:DescribeFlowLogs",), **_EC2_TAGS, source="ec2"
    ),
    "aws:ec2/internetGateway:InternetGateway": ProviderCalls(
        read=("ec2:DescribeInternetGateways",), **_EC2_TAGS, source="ec2"
    ),
    "aws:ec2/natGateway:NatGateway": ProviderCalls(
        read=("ec2:DescribeNatGateways",), **_EC2_TAGS, source="ec2"
    ),
    "aws:ec2/route:Route": ProviderCalls(read=("ec2:DescribeRouteTables",), source="ec2"),
    "aws:ec2/routeTable:RouteTable": ProviderCalls(
        read=("ec2:DescribeRouteTables",), **_EC2_TAGS, source="ec2"
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ProviderCalls(
        read=("ec2:DescribeRouteTables",), source="ec2"
    ),
    "aws:ec2/securityGroup:SecurityGroup": ProviderCalls(
        read=("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"),
        **_EC2_TAGS,
        source="ec2",
    ),
    "aws:ec2/subnet:Subnet": ProviderCalls(
        read=("ec2:DescribeSubnets",), **_EC2_TAGS, source="ec2"
    ),
    "aws:ec2/vpc:Vpc": ProviderCalls(
        read=("ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeRouteTables"),
        **_EC2_TAGS,
        source="ec2",
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ProviderCalls(
        read=("ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"), **_EC2_TAGS, source="ec2"
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ProviderCalls(
        read=("ecr:GetLifecyclePolicy",), source="ecr"
    ),
    "aws:ecr/repository:Repository": ProviderCalls(
        read=("ecr:DescribeRepositories", "ecr:ListTagsForResource"),
        **_tags("ecr"),
        source="ecr",
    ),
    # ECS describes with `Include: TAGS` (service.go findServiceByTwoPartKey, and the cluster's
    # and task definition's finders): the tags come with the answer, no listing call.
    "aws:ecs/cluster:Cluster": ProviderCalls(
        read=("ecs:DescribeClusters",), **_tags("ecs"), source="ecs"
    ),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ProviderCalls(
        read=("ecs:DescribeClusters",), source="ecs"
    ),
    "aws:ecs/service:Service": ProviderCalls(
        read=("ecs:DescribeServices",), **_tags("ecs"), source="ecs"
    ),
    "aws:ecs/taskDefinition:TaskDefinition": ProviderCalls(
        read=("ecs:DescribeTaskDefinition",), **_tags("ecs"), source="ecs"
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": ProviderCalls(
        read=(
            "elasticache:DescribeReplicationGroups",
            "elasticache:DescribeCacheClusters",
            "elasticache:ListTagsForResource",
        ),
        **_CACHE_TAGS,
        source="elasticache",
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": ProviderCalls(
        read=("elasticache:DescribeCacheSubnetGroups", "elasticache:ListTagsForResource"),
        **_CACHE_TAGS,
        source="elasticache",
    ),
    # IAM's tags are per resource type (iam/tags.go; role.go `roleTags` lists ListRoleTags).
    "aws:iam/policy:Policy": ProviderCalls(
        read=("iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags"),
        tag=("iam:TagPolicy",),
        untag=("iam:UntagPolicy",),
        source="iam",
    ),
    "aws:iam/role:Role": ProviderCalls(
        read=(
            "iam:GetRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListRoleTags",
        ),
        tag=("iam:TagRole",),
        untag=("iam:UntagRole",),
        source="iam",
    ),
    "aws:iam/rolePolicy:RolePolicy": ProviderCalls(read=("iam:GetRolePolicy",), source="iam"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ProviderCalls(
        read=("iam:ListAttachedRolePolicies",), source="iam"
    ),
    "aws:kms/alias:Alias": ProviderCalls(read=("kms:ListAliases",), source="kms"),
    # kms/generate.go: `-ListTagsOp=ListResourceTags`, the default TagResource and UntagResource.
    "aws:kms/key:Key": ProviderCalls(
        read=(
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
        ),
        **_tags("kms"),
        source="kms",
    ),
    "aws:lb/listener:Listener": ProviderCalls(
        read=(
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        **_ELB_TAGS,
        source="elbv2",
    ),
    "aws:lb/listenerRule:ListenerRule": ProviderCalls(
        read=("elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags"),
        **_ELB_TAGS,
        source="elbv2",
    ),
    "aws:lb/loadBalancer:LoadBalancer": ProviderCalls(
        read=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        **_ELB_TAGS,
        source="elbv2",
    ),
    "aws:lb/targetGroup:TargetGroup": ProviderCalls(
        read=(
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        **_ELB_TAGS,
        source="elbv2",
    ),
    # instance.go: the Read sets the tags from DescribeDBInstances (`setTagsOut(ctx,
    # v.TagList)`): no listing call.
    "aws:rds/instance:Instance": ProviderCalls(
        read=("rds:DescribeDBInstances",), **_RDS_TAGS, source="rds"
    ),
    "aws:rds/parameterGroup:ParameterGroup": ProviderCalls(
        read=(
            "rds:DescribeDBParameterGroups",
            "rds:DescribeDBParameters",
            "rds:ListTagsForResource",
        ),
        **_RDS_TAGS,
        source="rds",
    ),
    "aws:rds/subnetGroup:SubnetGroup": ProviderCalls(
        read=("rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"), **_RDS_TAGS, source="rds"
    ),
    "aws:route53/record:Record": ProviderCalls(
        read=("route53:ListResourceRecordSets", "route53:GetChange"), source="route53"
    ),
    # bucket.go: the Read still reads every legacy inline setting; tags are one Put of the
    # whole set (an empty set deletes it), so untagging needs the same two actions.
    "aws:s3/bucket:Bucket": ProviderCalls(
        read=(
            "s3:ListBucket",
            "s3:GetBucketTagging",
            "s3:GetBucketAcl",
            "s3:GetBucketCORS",
            "s3:GetBucketWebsite",
            "s3:GetBucketVersioning",
            "s3:GetAccelerateConfiguration",
            "s3:GetBucketRequestPayment",
            "s3:GetBucketLogging",
            "s3:GetLifecycleConfiguration",
            "s3:GetReplicationConfiguration",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketPolicy",
        ),
        tag=("s3:PutBucketTagging",),
        untag=("s3:PutBucketTagging",),
        source="s3",
    ),
    "aws:s3/bucketAcl:BucketAcl": ProviderCalls(read=("s3:GetBucketAcl",), source="s3"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ProviderCalls(
        read=("s3:GetLifecycleConfiguration",), source="s3"
    ),
    "aws:s3/bucketLogging:BucketLogging": ProviderCalls(read=("s3:GetBucketLogging",), source="s3"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ProviderCalls(
        read=("s3:GetBucketOwnershipControls",), source="s3"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": ProviderCalls(read=("s3:GetBucketPolicy",), source="s3"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ProviderCalls(
        read=("s3:GetBucketPublicAccessBlock",), source="s3"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        ProviderCalls(read=("s3:GetEncryptionConfiguration",), source="s3")
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ProviderCalls(
        read=("s3:GetBucketVersioning",), source="s3"
    ),
    # schedule.go: @SDKResource("aws_scheduler_schedule") has no @Tags: a schedule takes none.
    "aws:scheduler/schedule:Schedule": ProviderCalls(
        read=("scheduler:GetSchedule",), source="scheduler"
    ),
    # secret.go: DescribeSecret returns the tags.
    "aws:secretsmanager/secret:Secret": ProviderCalls(
        read=("secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"),
        **_tags("secretsmanager"),
        source="secretsmanager",
    ),
    # secret_version.go: the Read is GetSecretValue (findSecretVersionByTwoPartKey): refreshing a
    # stack reads every secret value it owns, and decrypts it with the secret's key.
    "aws:secretsmanager/secretVersion:SecretVersion": ProviderCalls(
        read=("secretsmanager:GetSecretValue", "kms:Decrypt"), source="secretsmanager"
    ),
    "aws:sns/topic:Topic": ProviderCalls(
        read=("sns:GetTopicAttributes", "sns:ListTagsForResource"),
        **_tags("sns"),
        source="sns",
    ),
    "aws:sns/topicPolicy:TopicPolicy": ProviderCalls(
        read=("sns:GetTopicAttributes",), source="sns"
    ),
    "aws:sns/topicSubscription:TopicSubscription": ProviderCalls(
        read=("sns:GetSubscriptionAttributes",), source="sns"
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ProviderCalls(
        read=("ec2:DescribeSecurityGroupRules",), **_EC2_TAGS, source="ec2"
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ProviderCalls(
        read=("ec2:DescribeSecurityGroupRules",), **_EC2_TAGS, source="ec2"
    ),
    "aws:wafv2/webAcl:WebAcl": ProviderCalls(
        read=("wafv2:GetWebACL", "wafv2:ListTagsForResource"), **_tags("wafv2"), source="wafv2"
    ),
    # WAF checks, on PutLoggingConfiguration, that the caller may deliver to the log group and
    # adds its resource policy there (botocore wafv2 `LoggingConfiguration`): those logs calls
    # belong to create, listed here because no other row names them.
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ProviderCalls(
        read=("wafv2:GetLoggingConfiguration",), source="wafv2"
    ),
}
"""Pulumi type token -> what the provider calls to read, tag and untag it."""

WAF_LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)
"""What whoever calls PutLoggingConfiguration to a log group needs besides
`wafv2:PutLoggingConfiguration` (WAF developer guide, "Permissions to publish logs to Amazon
CloudWatch Logs")."""
