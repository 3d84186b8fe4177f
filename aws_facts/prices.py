"""AWS list prices (on demand, USD, Linux) per region, for the offline cost estimate.

Each region's figures are data with their source page and the date they were read; a region
missing here has no prices, and the estimate says so instead of borrowing another region's.
Prices that do not depend on the region (Secrets Manager, KMS, CloudWatch's standard alarms and
dashboards, WAF's global web ACLs, the public IPv4 charge) are listed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

READ_ON = "2025-06"
"""When us-east-1's figures (`_US`) were read from the pages in `SOURCES`; every other region
names its date in `RegionPrices.read_on` and its sources beside it in `PRICES`."""

REGIONAL_READ_ON = "2026-12-06"
"""When the regional figures of us-west-2, eu-west-1, eu-central-1 and ap-southeast-2 were read
from the `SOURCES` named beside them (each source's own publication date is in its entry)."""

SOURCES: dict[str, str] = {
    "fargate": "https://aws.amazon.com/fargate/pricing/",
    "alb": "https://aws.amazon.com/elasticloadbalancing/pricing/",
    "nat": "https://aws.amazon.com/vpc/pricing/",
    "public_ipv4": "https://aws.amazon.com/vpc/pricing/ (Public IPv4 Address tab)",
    "interface_endpoint": "https://aws.amazon.com/privatelink/pricing/",
    "rds": "https://aws.amazon.com/rds/postgresql/pricing/",
    "elasticache": "https://aws.amazon.com/elasticache/pricing/",
    "secrets_manager": "https://aws.amazon.com/secrets-manager/pricing/",
    "kms": "https://aws.amazon.com/kms/pricing/",
    "cloudwatch": "https://aws.amazon.com/cloudwatch/pricing/",
    "waf": "https://aws.amazon.com/waf/pricing/",
    "fargate_regional": (
        "https://github.com/theuves/fgcalc src/utils/data.js (each region's row of the Fargate "
        "pricing page)"
    ),
    "nat_regional": "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/",
    # The data behind AWS's own pricing pages (b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/
    # SERVICE/USD/current/FILE.json, one entry per region name), as public repositories keep it:
    "ecs_page_data": (
        "https://github.com/lamngockhuong/aws-price lib/data/pricing/ecs.json at 508fb45 "
        "(AWS Fargate pricing page data, published 2025-10-27): 'perCPU per hour', "
        "'perGB per hour'"
    ),
    "nat_page_data": (
        "https://github.com/lamngockhuong/aws-price lib/data/pricing/natgateway.json at 508fb45 "
        "(AWS VPC pricing page data, published 2025-10-28): 'Hourly charge for NAT Gateways', "
        "'Charge for per GB data processed by NatGateways'"
    ),
    "vpc_page_data": (
        "https://github.com/lamngockhuong/aws-price lib/data/pricing/vpc.json at 508fb45 "
        "(AWS PrivateLink pricing page data, published 2025-11-04): 'Hourly charge for VPC "
        "Endpoints per Hrs'"
    ),
    "rds_page_data": (
        "https://github.com/yeo/ec2.shop data/rds/rds-postgresql-ondemand.json at 44337592 "
        "(AWS RDS for PostgreSQL pricing page data, published 2024-09-28): 'Database Instance "
        "PostgreSQL ... Single-AZ' by instance type, 'Database Storage Single AZ General "
        "Purpose-GP3'"
    ),
    "alb_usw2": (
        "https://github.com/DefangLabs/defang src/cmd/cli/command/estimate_test.go (an estimate "
        "from the AWS Price List for us-west-2: 'AWSELB USW2-LoadBalancerUsage' 730 hours = "
        "USD 16.43; its NAT gateway and Fargate lines equal the page data above)"
    ),
    "rds_offer_file": (
        "https://github.com/mooncitizen/togen internal/cost/prices/aws.json (AWS Price List "
        "offer files AmazonRDS 20260904172716 and AmazonEC2 20260904231117, trimmed): "
        "db.t4g.micro, db.t4g.medium and db.r6g.large PostgreSQL Single-AZ and the NAT gateway "
        "hour, the same as the page data in every region here"
    ),
    "elasticache_page_data": (
        "https://github.com/yeo/ec2.shop data/elasticache/elasticache.json at 74c9fd8 (AWS "
        "ElastiCache pricing page data, published 2025-03-14): 'OnDemand Cache Instance ... "
        "Redis Current Generation' by node type"
    ),
}
"""Where each figure comes from (us-east-1's read on `READ_ON`, the others on
`REGIONAL_READ_ON`)."""

PUBLIC_IPV4_HOUR = 0.005
"""Every public IPv4 address, in use or idle, in every commercial region (since 2024-02-01)."""
SECRET_MONTH = 0.40
RDS_BACKUP_GB_MONTH = 0.095
"""Snapshots and backups of a deleted instance, us-east-1 (RDS gives free backup storage only
up to the storage of instances that exist); other regions differ by a few cents."""
KMS_KEY_MONTH = 1.00
ALARM_MONTH = 0.10
"""A standard-resolution alarm metric."""
FREE_ALARMS = 10
DASHBOARD_MONTH = 3.00
FREE_DASHBOARDS = 3
WAF_ACL_MONTH = 5.00
WAF_RULE_MONTH = 1.00
ARM_DISCOUNT = 0.20
"""Fargate on Graviton (ARM64) costs 20% less per vCPU and GB in every region."""
SPOT_DISCOUNT = 0.70
"""Fargate Spot: "up to 70%" off; the estimate takes the whole discount."""
VALKEY_DISCOUNT = 0.20
"""ElastiCache for Valkey nodes cost 20% less than Redis OSS nodes."""


@dataclass(frozen=True, kw_only=True)
class RegionPrices:
    """One region's list prices (hourly unless the name says otherwise)."""

    read_on: str
    """When these figures were read from their sources."""
    fargate_vcpu_hour: float
    fargate_gb_hour: float
    alb_hour: float | None
    """None: no source was found for the region's figure; the load balancer is listed without
    one ("no price") and left out of the total, which says so."""
    nat_hour: float
    nat_gb: float
    interface_endpoint_az_hour: float
    gp3_gb_month: float
    """RDS gp3 storage (Multi-AZ stores twice)."""
    rds_hour: dict[str, float] = field(default_factory=dict[str, float])
    """RDS for PostgreSQL, single-AZ, by instance class (Multi-AZ is twice)."""
    cache_hour: dict[str, float] = field(default_factory=dict[str, float])
    """ElastiCache Redis OSS nodes by node type (Valkey: `VALKEY_DISCOUNT` less)."""


_US = RegionPrices(
    read_on=READ_ON,
    fargate_vcpu_hour=0.04048,  # SOURCES["fargate"], read READ_ON (all of `_US` likewise)
    fargate_gb_hour=0.004445,  # SOURCES["fargate"]
    alb_hour=0.0225,  # SOURCES["alb"]
    nat_hour=0.045,  # SOURCES["nat"]
    nat_gb=0.045,  # SOURCES["nat"]
    interface_endpoint_az_hour=0.01,  # SOURCES["interface_endpoint"]
    gp3_gb_month=0.115,  # SOURCES["rds"] (gp3, Single-AZ)
    rds_hour={  # SOURCES["rds"]
        "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065,
        "db.t4g.large": 0.129, "db.t4g.xlarge": 0.258, "db.t4g.2xlarge": 0.517,
        "db.t3.micro": 0.018, "db.t3.small": 0.036, "db.t3.medium": 0.072, "db.t3.large": 0.145,
        "db.m7g.large": 0.168, "db.m7g.xlarge": 0.337, "db.m7g.2xlarge": 0.674,
        "db.m6g.large": 0.159, "db.m6g.xlarge": 0.318, "db.m6i.large": 0.178,
        "db.m5.large": 0.178, "db.r7g.large": 0.239, "db.r7g.xlarge": 0.478,
        "db.r6g.large": 0.225,
    },
    cache_hour={  # SOURCES["elasticache"]
        "cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
        "cache.t3.micro": 0.017, "cache.t3.small": 0.034, "cache.t3.medium": 0.068,
        "cache.m7g.large": 0.158, "cache.m6g.large": 0.149, "cache.r7g.large": 0.219,
    },
)  # fmt: skip

# Every figure below was read on REGIONAL_READ_ON from the SOURCES named in its comment:
#   fargate_*: SOURCES["ecs_page_data"] (and SOURCES["fargate_regional"], which agrees)
#   nat_*: SOURCES["nat_page_data"] (the hour also in SOURCES["rds_offer_file"])
#   interface_endpoint_az_hour: SOURCES["vpc_page_data"]
#   gp3_gb_month, rds_hour: SOURCES["rds_page_data"] (three classes also in "rds_offer_file")
#   cache_hour: SOURCES["elasticache_page_data"]
#   alb_hour: us-west-2 from SOURCES["alb_usw2"]; None in the other regions: no public copy of
#   their Application Load Balancer figure was found, so the load balancer shows "no price".
# The same sources give us-east-1's figures in `_US` exactly, in every field they cover.

PRICES: dict[str, RegionPrices] = {
    "us-east-1": _US,
    # US West (Oregon): the same figures as us-east-1 in every source above; the ALB hour too
    # (0.0225 = 16.43 / 730, SOURCES["alb_usw2"]).
    "us-west-2": replace(_US, read_on=REGIONAL_READ_ON),
    "eu-west-1": RegionPrices(  # EU (Ireland)
        read_on=REGIONAL_READ_ON,
        fargate_vcpu_hour=0.04048,
        fargate_gb_hour=0.004445,
        alb_hour=None,
        nat_hour=0.048,
        nat_gb=0.048,
        interface_endpoint_az_hour=0.011,
        gp3_gb_month=0.127,
        rds_hour={
            "db.t4g.micro": 0.017, "db.t4g.small": 0.035, "db.t4g.medium": 0.069,
            "db.t4g.large": 0.138, "db.t4g.xlarge": 0.277, "db.t4g.2xlarge": 0.554,
            "db.t3.micro": 0.02, "db.t3.small": 0.039, "db.t3.medium": 0.078, "db.t3.large": 0.156,
            "db.m7g.large": 0.186, "db.m7g.xlarge": 0.372, "db.m7g.2xlarge": 0.745,
            "db.m6g.large": 0.176, "db.m6g.xlarge": 0.352, "db.m6i.large": 0.197,
            "db.m5.large": 0.197, "db.r7g.large": 0.268, "db.r7g.xlarge": 0.536,
            "db.r6g.large": 0.252,
        },
        cache_hour={
            "cache.t4g.micro": 0.017, "cache.t4g.small": 0.034, "cache.t4g.medium": 0.068,
            "cache.t3.micro": 0.018, "cache.t3.small": 0.036, "cache.t3.medium": 0.072,
            "cache.m7g.large": 0.174, "cache.m6g.large": 0.164, "cache.r7g.large": 0.243,
        },
    ),
    "eu-central-1": RegionPrices(  # EU (Frankfurt)
        read_on=REGIONAL_READ_ON,
        fargate_vcpu_hour=0.04656,
        fargate_gb_hour=0.00511,
        alb_hour=None,
        nat_hour=0.052,
        nat_gb=0.052,
        interface_endpoint_az_hour=0.012,
        gp3_gb_month=0.137,
        rds_hour={
            "db.t4g.micro": 0.019, "db.t4g.small": 0.037, "db.t4g.medium": 0.074,
            "db.t4g.large": 0.149, "db.t4g.xlarge": 0.298, "db.t4g.2xlarge": 0.595,
            "db.t3.micro": 0.021, "db.t3.small": 0.042, "db.t3.medium": 0.084, "db.t3.large": 0.168,
            "db.m7g.large": 0.2, "db.m7g.xlarge": 0.401, "db.m7g.2xlarge": 0.801,
            "db.m6g.large": 0.189, "db.m6g.xlarge": 0.379, "db.m6i.large": 0.212,
            "db.m5.large": 0.212, "db.r7g.large": 0.291, "db.r7g.xlarge": 0.582,
            "db.r6g.large": 0.274,
        },
        cache_hour={
            "cache.t4g.micro": 0.018, "cache.t4g.small": 0.036, "cache.t4g.medium": 0.072,
            "cache.t3.micro": 0.019, "cache.t3.small": 0.038, "cache.t3.medium": 0.076,
            "cache.m7g.large": 0.188, "cache.m6g.large": 0.177, "cache.r7g.large": 0.263,
        },
    ),
    "ap-southeast-2": RegionPrices(  # Asia Pacific (Sydney)
        read_on=REGIONAL_READ_ON,
        fargate_vcpu_hour=0.04856,
        fargate_gb_hour=0.00532,
        alb_hour=None,
        nat_hour=0.059,
        nat_gb=0.059,
        interface_endpoint_az_hour=0.013,
        gp3_gb_month=0.138,
        rds_hour={
            "db.t4g.micro": 0.025, "db.t4g.small": 0.051, "db.t4g.medium": 0.102,
            "db.t4g.large": 0.203, "db.t4g.xlarge": 0.406, "db.t4g.2xlarge": 0.813,
            "db.t3.micro": 0.028, "db.t3.small": 0.056, "db.t3.medium": 0.112, "db.t3.large": 0.224,
            "db.m7g.large": 0.234, "db.m7g.xlarge": 0.468, "db.m7g.2xlarge": 0.937,
            "db.m6g.large": 0.221, "db.m6g.xlarge": 0.441, "db.m6i.large": 0.247,
            "db.m5.large": 0.247, "db.r7g.large": 0.287, "db.r7g.xlarge": 0.574,
            "db.r6g.large": 0.27,
        },
        cache_hour={
            "cache.t4g.micro": 0.024, "cache.t4g.small": 0.048, "cache.t4g.medium": 0.095,
            "cache.t3.micro": 0.025, "cache.t3.small": 0.05, "cache.t3.medium": 0.1,
            "cache.m7g.large": 0.196, "cache.m6g.large": 0.185, "cache.r7g.large": 0.263,
        },
    ),
}  # fmt: skip
"""List prices by region, each figure with its source and the date it was read (above and in
`_US`); classes not listed, and a None, are shown without a figure ("no price")."""
