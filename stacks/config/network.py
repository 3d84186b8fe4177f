"""The network tier of the config model: the VPC, its subnets, endpoints and flow logs."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field

from components.network import FlowLogSettings, NatStrategy, NetworkArgs
from stacks.config.base import LogRetentionDays, Model, check_unique, default_of

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig


class InterfaceEndpoint(StrEnum):
    """VPC interface endpoints golive can add (~$7.30 per endpoint per AZ a month)."""

    ECR_API = "ecr.api"
    ECR_DKR = "ecr.dkr"
    LOGS = "logs"
    SECRETSMANAGER = "secretsmanager"
    SSM = "ssm"
    SSMMESSAGES = "ssmmessages"
    KMS = "kms"
    STS = "sts"


class FlowLogDestination(StrEnum):
    CLOUDWATCH = "cloudWatch"
    S3 = "s3"


class FlowLogTraffic(StrEnum):
    ALL = "ALL"
    REJECT = "REJECT"
    ACCEPT = "ACCEPT"


class FlowLogsConfig(Model):
    """VPC flow logs (control EC2.6)."""

    enabled: bool = default_of(FlowLogSettings, "enabled")
    """On by default: disabling it is an explicit, visible choice in the stack file."""
    destination: FlowLogDestination = FlowLogDestination(default_of(FlowLogSettings, "destination"))
    """`cloudWatch` (queryable with Logs Insights) or `s3` (cheaper at volume)."""
    traffic_type: FlowLogTraffic = FlowLogTraffic(default_of(FlowLogSettings, "traffic_type"))
    """`ALL`, or `REJECT` to log only denied traffic (cheaper for staging)."""
    retention_days: LogRetentionDays = default_of(FlowLogSettings, "retention_days")
    """Days CloudWatch keeps flow logs (S3 destination: days before the objects expire)."""


class SubnetsConfig(Model):
    """Explicit subnet CIDRs per tier, one per AZ, in AZ order. Omit to derive them."""

    public: list[ipaddress.IPv4Network]
    """Public subnets (ALB, NAT gateways; tasks when `nat: none`)."""
    private: list[ipaddress.IPv4Network]
    """Private app subnets (tasks, interface endpoints): give them the most addresses."""
    isolated: list[ipaddress.IPv4Network]
    """Isolated subnets with no internet route (database, cache)."""


def check_vpc_cidr(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    if not 16 <= cidr.prefixlen <= 23:
        raise ValueError(
            f"'{cidr}' is a /{cidr.prefixlen}; use /16 to /23 (AWS allows /16 to /28 for a VPC, "
            "and golive's derived subnets need /prefix+5 >= /28)"
        )
    if not cidr.is_private:
        raise ValueError(
            f"'{cidr}' is not a private range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
        )
    return cidr


class NetworkConfig(Model):
    """The VPC: public, private (app) and isolated (database) subnets in each AZ."""

    cidr: Annotated[ipaddress.IPv4Network, AfterValidator(check_vpc_cidr)] = ipaddress.IPv4Network(
        "10.0.0.0/16"
    )
    """VPC CIDR, /16 to /23 (derived subnets: public and isolated /prefix+5, private /prefix+4)."""
    az_count: int = Field(default=2, ge=2, le=6)
    """Availability zones to span, 2 to 6 (AWS: an ALB and Multi-AZ RDS need 2)."""
    nat: NatStrategy = default_of(NetworkArgs, "nat")
    """`none` (tasks on public IPs; cheapest), `single` (one NAT, ~$33/month), `perAz` (one
    NAT per AZ: egress survives an AZ outage)."""
    interface_endpoints: Annotated[list[InterfaceEndpoint], AfterValidator(check_unique)] = Field(
        default_factory=list[InterfaceEndpoint]
    )
    """Interface endpoints for AWS APIs (the S3 gateway endpoint is always there, free)."""
    flow_logs: FlowLogsConfig = Field(default_factory=FlowLogsConfig)
    """VPC flow logs; on by default."""
    subnets: SubnetsConfig | None = None
    """Explicit subnet CIDRs; by default derived from `cidr` so adding AZs never renumbers."""

    def problems(self) -> list[tuple[str, str]]:
        return [] if self.subnets is None else self._explicit_subnet_problems(self.subnets)

    def _explicit_subnet_problems(self, subnets: SubnetsConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for tier in ("public", "private", "isolated"):
            cidrs: list[ipaddress.IPv4Network] = getattr(subnets, tier)
            if len(cidrs) != self.az_count:
                problems.append(
                    (
                        f"subnets.{tier}",
                        f"has {len(cidrs)} CIDRs; azCount is {self.az_count}: give one per AZ",
                    )
                )
            for i, cidr in enumerate(cidrs):
                key = f"subnets.{tier}[{i}]"
                if not cidr.subnet_of(self.cidr):
                    problems.append((key, f"'{cidr}' is outside the VPC CIDR '{self.cidr}'"))
                if cidr.prefixlen > 28:
                    problems.append((key, f"'{cidr}' is smaller than AWS's minimum subnet, /28"))
                for other_key, other in seen:
                    if cidr.overlaps(other):
                        problems.append((key, f"'{cidr}' overlaps {other_key} '{other}'"))
                seen.append((key, cidr))
        return problems

    def subnet_cidrs(self) -> dict[str, list[str]]:
        """CIDRs per tier, one per AZ in AZ order.

        Derived layout (fixed 8 AZ slots per tier, so raising azCount adds subnets and never
        renumbers existing ones): public = first quarter, isolated = second quarter,
        private = second half (the app tier gets the most addresses).
        """
        if self.subnets is not None:
            return {
                tier: [str(c) for c in getattr(self.subnets, tier)]
                for tier in ("public", "private", "isolated")
            }
        quarters = list(self.cidr.subnets(prefixlen_diff=2))
        halves = list(self.cidr.subnets(prefixlen_diff=1))
        slots = {
            "public": list(quarters[0].subnets(prefixlen_diff=3)),
            "private": list(halves[1].subnets(prefixlen_diff=3)),
            "isolated": list(quarters[1].subnets(prefixlen_diff=3)),
        }
        return {tier: [str(c) for c in cidrs[: self.az_count]] for tier, cidrs in slots.items()}


def warnings(cfg: StackConfig) -> list[str]:
    """The network's choices worth a human's attention."""
    notes: list[str] = []
    if cfg.network.nat is NatStrategy.NONE:
        notes.append(
            "network.nat is 'none': services run in public subnets with public IPs "
            f"(their security group admits only the load balancer; {cfg.policy.note('ECS.2')})"
        )
    if cfg.network.nat is NatStrategy.SINGLE:
        notes.append(
            "network.nat is 'single': one NAT gateway, so an outage of its AZ cuts "
            "every task's outbound internet access"
        )
    if not cfg.network.flow_logs.enabled:
        notes.append("network.flowLogs.enabled is false: no VPC flow logs (control EC2.6)")
    return notes
