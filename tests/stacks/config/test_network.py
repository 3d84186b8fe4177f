"""The network tier of the config model: the VPC CIDR, AZs, NAT, endpoints, flow logs, subnets."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import parse
from tests.stacks.config.stack_files import as_cli, assert_names_key, mutated

# (id, changes, the key path the message must name, a phrase the message must hold)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("typo-nested-key", {"golive:network.azCuont": 3}, "network.azCuont", "did you mean 'azCount'"),
    ("typo-flowlogs-key", {"golive:network.flowLogs.retention": 30}, "network.flowLogs.retention", "retentionDays"),
    ("cidr-not-a-cidr", {"golive:network.cidr": "10.0.0.0/33"}, "network.cidr", "10.0.0.0/33"),
    ("cidr-host-bits", {"golive:network.cidr": "10.0.0.1/16"}, "network.cidr", "10.0.0.1/16"),
    ("cidr-too-small", {"golive:network.cidr": "10.0.0.0/24"}, "network.cidr", "/16 to /23"),
    ("cidr-too-large", {"golive:network.cidr": "10.0.0.0/12"}, "network.cidr", "/16 to /23"),
    ("cidr-public", {"golive:network.cidr": "8.8.0.0/16"}, "network.cidr", "not a private range"),
    ("az-count-7", {"golive:network.azCount": 7}, "network.azCount", "less than or equal to 6"),
    ("az-count-1", {"golive:network.azCount": 1}, "network.azCount", "greater than or equal to 2"),
    ("az-count-word", {"golive:network.azCount": "three"}, "network.azCount", "integer"),
    ("nat-unknown", {"golive:network.nat": "double"}, "network.nat", "'perAz'"),
    ("nat-wrong-case", {"golive:network.nat": "perAZ"}, "network.nat", "'perAz'"),
    ("endpoint-unknown", {"golive:network.interfaceEndpoints": ["ecr"]}, "network.interfaceEndpoints[0]", "ecr.api"),
    ("endpoint-twice", {"golive:network.interfaceEndpoints": ["logs", "logs"]}, "network.interfaceEndpoints", "twice"),
    ("retention-not-allowed", {"golive:network.flowLogs.retentionDays": 10}, "network.flowLogs.retentionDays", "nearest: 7"),
    ("flowlog-destination", {"golive:network.flowLogs.destination": "kinesis"}, "network.flowLogs.destination", "'cloudWatch'"),
    ("flowlog-traffic", {"golive:network.flowLogs.trafficType": "all"}, "network.flowLogs.trafficType", "'ALL'"),
    ("flowlog-enabled", {"golive:network.flowLogs.enabled": "maybe"}, "network.flowLogs.enabled", "boolean"),
    ("subnets-count", {"golive:network.subnets": {"public": ["10.10.0.0/24"], "private": ["10.10.8.0/24", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.public", "one per AZ"),
    ("subnets-outside", {"golive:network.subnets": {"public": ["10.10.0.0/24", "10.99.1.0/24"], "private": ["10.10.8.0/24", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.public[1]", "outside the VPC"),
    ("subnets-overlap", {"golive:network.subnets": {"public": ["10.10.0.0/24", "10.10.1.0/24"], "private": ["10.10.0.0/23", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.private[0]", "overlaps"),
    ("subnets-too-small", {"golive:network.subnets": {"public": ["10.10.0.0/29", "10.10.1.0/24"], "private": ["10.10.8.0/24", "10.10.9.0/24"], "isolated": ["10.10.16.0/24", "10.10.17.0/24"]}}, "network.subnets.public[0]", "/28"),
    ("network-not-object", {"golive:network": "big"}, "network", "valid dictionary"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_network_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


def test_derived_subnets_never_renumber_when_azs_are_added() -> None:
    two = parse("staging", as_cli(mutated({"golive:network.azCount": 2}))).network.subnet_cidrs()
    six = parse("staging", as_cli(mutated({"golive:network.azCount": 6}))).network.subnet_cidrs()
    for tier in ("public", "private", "isolated"):
        assert six[tier][:2] == two[tier]
        assert len(six[tier]) == 6
    assert two == {
        "public": ["10.10.0.0/21", "10.10.8.0/21"],
        "private": ["10.10.128.0/20", "10.10.144.0/20"],
        "isolated": ["10.10.64.0/21", "10.10.72.0/21"],
    }
