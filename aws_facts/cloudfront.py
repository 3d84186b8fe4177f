"""CloudFront's AWS-owned ids and names."""

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The Route53 hosted zone of every CloudFront distribution, for alias records."""

CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME = "com.amazonaws.global.cloudfront.origin-facing"
"""CloudFront's origin-facing addresses (IPv4), an AWS-managed prefix list looked up by name."""
CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "pl-3b927c52"
"""`com.amazonaws.global.cloudfront.origin-facing` in us-east-1 (the id differs per region)."""
CLOUDFRONT_ORIGIN_FACING_WEIGHT = 55
"""What one rule referencing that prefix list weighs in a security group's rule quota (VPC
guide, 'AWS-managed prefix list weight'): 55 of the default 60, so one port fits."""

MANAGED_CLOUDFRONT_POLICIES: dict[str, str] = {
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
    "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
}
"""Names and ids of the AWS-managed cache, origin-request and response-headers policies
(CloudFront developer guide, "Use managed cache policies" and siblings)."""

MANAGED_SECURITY_HEADERS_POLICY = MANAGED_CLOUDFRONT_POLICIES["Managed-SecurityHeadersPolicy"]

VPC_ORIGINS_SERVICE_GROUP = "CloudFront-VPCOrigins-Service-SG"
"""The security group CloudFront creates in a VPC for its VPC origins (CloudFront developer guide,
"Restrict access with VPC origins"). CloudFront owns it: never modify it, only reference it."""

WAF_LOG_DESTINATION_PREFIX = "aws-waf-logs-"
"""WAF delivers logs only to a destination (log group, bucket, Firehose) whose name starts with
this (botocore wafv2 `LoggingConfiguration`: "The name that you give the destination must start
with aws-waf-logs-"); a CLOUDFRONT web ACL's log group lives in us-east-1, like the ACL."""

CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID = (
    "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
)
"""The `awslogsdelivery` account CloudFront writes standard logs as (an AWS constant)."""
