"""Service limits and accepted values golive checks before anything is created."""

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The only values CloudWatch Logs accepts for a log group's retention."""

ALB_NAME_MAX = 32
"""ELBv2 `CreateLoadBalancerInput.Name`: at most 32 characters (botocore elbv2 service-2.json)."""
TARGET_GROUP_NAME_MAX = 32
"""ELBv2 `CreateTargetGroupInput.Name`: at most 32 characters (botocore elbv2 service-2.json)."""
ALB_RULE_CONDITION_VALUES = 5
"""Condition values per ALB listener rule, all conditions together (ELB guide, 'Quotas for your
Application Load Balancers': condition values per rule 5, not adjustable)."""
ALB_HEADER_NAME_MAX = 40
"""An ALB http-header condition's header name: at most 40 characters, no wildcards (botocore
elbv2 `HttpHeaderConditionConfig.HttpHeaderName`)."""
ALB_CONDITION_VALUE_MAX = 128
"""Each value of an ALB http-header condition: at most 128 characters, compared without case,
`*` and `?` read as wildcards (botocore elbv2 `HttpHeaderConditionConfig.Values`)."""
SECURITY_GROUP_RULES = 60
"""Inbound (and, apart, outbound) rules per security group, default quota; a prefix list
counts as its maximum entries (VPC guide, 'Amazon VPC quotas')."""

CLOUDFRONT_MAX_CACHE_BEHAVIORS = 75
"""CloudFront's default quota of cache behaviors per distribution (adjustable)."""
ACM_MAX_NAMES = 10
"""ACM's default quota of domain names per certificate (adjustable)."""
ACM_MAX_COMMON_NAME = 64
"""ACM puts the certificate's first name in the subject CN, which allows 64 characters."""
CLOUDFRONT_MAX_HEADER_VALUE = 1783
"""CloudFront's limit on a response headers policy's header value (the CSP included)."""

WAF_RATE_WINDOWS = (60, 120, 300, 600)
"""The only evaluation windows (seconds) a WAF rate-based rule accepts."""

TAG_KEY_MAX = 128
"""A tag key: 1 to 128 characters (keys starting with `aws:` are reserved by AWS)."""
TAG_VALUE_MAX = 256
"""A tag value: at most 256 characters."""
TAGS_PER_RESOURCE = 50
"""Tags a resource may carry."""
SECRET_RECOVERY_WINDOW_DAYS = (7, 30)
"""Secrets Manager keeps a deleted secret recoverable 7 to 30 days (or deletes it at once)."""
