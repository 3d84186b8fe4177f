"""Regions and the per-region ids AWS owns (zone ids, service accounts, AZ letters)."""

AWS_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
    }
)  # fmt: skip
"""Commercial regions as of 2026; GovCloud and China partitions are out of golive's scope."""

OPT_IN_REGIONS = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1",
        "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    }
)  # fmt: skip
"""Regions an account must opt in to. CloudFront delivers no standard logs to buckets there."""

GLOBAL_SERVICES_REGION = "us-east-1"
"""Where CloudFront's global resources live: its ACM certificates, its CloudWatch metrics and the
WAF web ACLs of scope CLOUDFRONT (CloudFront developer guide, "Requirements for using SSL/TLS
certificates with CloudFront"; "Monitoring CloudFront metrics with Amazon CloudWatch")."""

# Real regional AZ letters (at the time of writing) for the regions golive users pick most.
REGION_AZ_LETTERS: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "ap-south-1": "abc",
    "sa-east-1": "abc",
}

LOCAL_ZONES: dict[str, tuple[str, ...]] = {
    "us-east-1": ("us-east-1-bos-1a", "us-east-1-mia-1a"),
    "us-west-2": ("us-west-2-lax-1a",),
    "ap-southeast-2": ("ap-southeast-2-per-1a",),
}
"""Local Zones of the regions golive users pick most (a few each; AWS lists them all with
`aws ec2 describe-availability-zones --all-availability-zones`). Once an account opts in to
one, `DescribeAvailabilityZones` returns it beside the Availability Zones (its `opt-in-status`
is `opted-in`, theirs `opt-in-not-required`), and its name sorts before them."""

# Route53 hosted-zone ids of ALBs per region (AWS constants), for alias records.
ALB_ZONE_IDS: dict[str, str] = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
}

# Route53 zone ids AWS gives RDS endpoints per region (for alias records).
RDS_ZONE_IDS: dict[str, str] = {
    "us-east-1": "Z2R2ITUGPM61AM",
    "us-east-2": "Z2XHWR1WZ565X2",
    "us-west-2": "Z1PVIF0B656C1W",
    "eu-west-1": "Z29XKXDKYMONMX",
    "eu-central-1": "Z1RLNUO7B9Q6NB",
    "ap-southeast-2": "Z32T0VRHXEXS0V",
}

# Regional account ids of the ELB log-delivery service (aws:elb/getServiceAccount).
ELB_SERVICE_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
    "ap-southeast-2": "783225319266",
}
