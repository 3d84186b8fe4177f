"""One composition for every stack: look up the account once, then wire the components.

Staging and prod run this same function; they differ only in the `StackConfig` their stack
files produce. Data-source lookups (AZs, caller identity, released images, hosted zone) happen
here, once, and reach components as plain arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.keys import StackKey, StackKeyArgs
from components.network import FlowLogSettings, Network, NetworkArgs
from stacks.config import ConfigError, Problem, StackConfig


@dataclass(frozen=True)
class AccountFacts:
    """What the stack needs to know about the account and region, looked up once."""

    account_id: str
    partition: str
    availability_zones: list[str]


def look_up(cfg: StackConfig) -> AccountFacts:
    """Data-source lookups, with config problems they reveal reported like any other."""
    identity = aws.get_caller_identity()
    partition = aws.get_partition()
    zones = aws.get_availability_zones(state="available")
    available = sorted(zones.names)
    if len(available) < cfg.network.az_count:
        raise ConfigError(
            [
                Problem(
                    "network.azCount",
                    f"{cfg.network.az_count} AZs asked for, but {cfg.region} offers "
                    f"{len(available)} to this account ({', '.join(available)}): "
                    f"use at most {len(available)}",
                )
            ],
            cfg.stack,
        )
    return AccountFacts(
        account_id=identity.account_id,
        partition=partition.partition,
        availability_zones=available[: cfg.network.az_count],
    )


@dataclass
class Environment:
    """The components of one stack and the exports the operations CLI relies on."""

    cfg: StackConfig
    facts: AccountFacts
    key: StackKey
    network: Network

    def exports(self) -> dict[str, Any]:
        """Stack outputs (docs/stack-exports.md). Never credentials."""
        return {
            "app": self.cfg.app,
            "stack": self.cfg.stack,
            "region": self.cfg.region,
            "vpcId": self.network.vpc_id,
            "availabilityZones": self.network.availability_zones,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "isolatedSubnetIds": self.network.isolated_subnet_ids,
            "kmsKeyArn": self.key.arn,
        }


def build(cfg: StackConfig) -> Environment:
    facts = look_up(cfg)
    key = StackKey(
        cfg.prefix,
        StackKeyArgs(
            account_id=facts.account_id,
            region=cfg.region,
            alias=f"golive/{cfg.prefix}",
            protect=cfg.protect,
        ),
    )
    flow_logs = cfg.network.flow_logs
    network = Network(
        cfg.prefix,
        NetworkArgs(
            availability_zones=facts.availability_zones,
            cidr=str(cfg.network.cidr),
            subnet_cidrs=cfg.network.subnet_cidrs(),
            region=cfg.region,
            account_id=facts.account_id,
            nat=cfg.network.nat,
            interface_endpoints=[e.value for e in cfg.network.interface_endpoints],
            flow_logs=FlowLogSettings(
                enabled=flow_logs.enabled,
                destination=flow_logs.destination.value,
                traffic_type=flow_logs.traffic_type.value,
                retention_days=flow_logs.retention_days,
            ),
            log_kms_key_arn=key.arn,
        ),
    )
    pulumi.log.debug(f"golive: {cfg.prefix} in {facts.availability_zones}")
    return Environment(cfg=cfg, facts=facts, key=key, network=network)
