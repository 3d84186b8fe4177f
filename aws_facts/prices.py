"""AWS list prices (on demand, USD, Linux) per region, for the offline cost estimate.

Each region's figures are data with their source page and the date they were read; a region
missing here has no prices, and the estimate says so instead of borrowing another region's.
Prices that do not depend on the region (Secrets Manager, KMS, CloudWatch's standard alarms and
dashboards, WAF's global web ACLs, the public IPv4 charge) are listed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ_ON = "2025-06"
"""When us-east-1's figures (`_US`) were read from the pages in `SOURCES`; another region's
figures name their source and date beside them in `PRICES`."""

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
}
"""Where each figure comes from (read on `READ_ON`)."""

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

    fargate_vcpu_hour: float
    fargate_gb_hour: float
    alb_hour: float
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

PRICES: dict[str, RegionPrices] = {
    "us-east-1": _US,
    # US West (Oregon), each figure compared with us-east-1's on 2026-12-06:
    #   fargate_vcpu_hour, fargate_gb_hour: the same, SOURCES["fargate_regional"]
    #   nat_hour, nat_gb: the same ($0.045, $0.045), SOURCES["nat_regional"]
    #   alb_hour, interface_endpoint_az_hour, gp3_gb_month, rds_hour, cache_hour: no regional
    #   source found; us-east-1's figures, which Oregon's matched wherever one was found.
    "us-west-2": _US,
    # eu-west-1, eu-central-1 and ap-southeast-2 were removed on 2026-12-06: only their Fargate
    # figures could be checked against a source (RDS, ElastiCache, ALB, gp3 and PrivateLink could
    # not), so a stack there gets no figures instead of unverified ones.
}
"""List prices by region, each figure with its source and the date it was read (above and in
`_US`); classes not listed are shown without a figure."""
