# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""Network answers (components/network.py): the VPC, subnets, security groups and rules,
addresses, NAT gateways, routes and endpoints; the region's availability zones and the CloudFront
origin-facing prefix list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_facts.cloudfront import (
    CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
    CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME,
    CLOUDFRONT_ORIGIN_FACING_WEIGHT,
)
from aws_facts.regions import LOCAL_ZONES, REGION_AZ_LETTERS
from plan.mocks.context import ACCOUNT_ID, Answers, Builder, Ctx, MockLookupError

if TYPE_CHECKING:
    from plan.mocks import AwsMocks

answers = Answers()


def _ec2_id(prefix: str, kind: str) -> Builder:
    def build(c: Ctx) -> tuple[str, dict[str, Any]]:
        rid = f"{prefix}-{c.hex(17)}"
        return rid, {"arn": c.arn("ec2", f"{kind}/{rid}"), "ownerId": c.account}

    return build


for _type, _prefix, _kind in [
    ("aws:ec2/internetGateway:InternetGateway", "igw", "internet-gateway"),
    ("aws:ec2/routeTable:RouteTable", "rtb", "route-table"),
    ("aws:ec2/networkAcl:NetworkAcl", "acl", "network-acl"),
    ("aws:ec2/flowLog:FlowLog", "fl", "vpc-flow-log"),
    ("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", "acl", "network-acl"),
    ("aws:ec2/defaultRouteTable:DefaultRouteTable", "rtb", "route-table"),
]:
    answers.builders[_type] = _ec2_id(_prefix, _kind)


@answers.builder("aws:ec2/vpc:Vpc")
def _vpc(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"vpc-{c.hex(17)}"
    return rid, {
        "arn": c.arn("ec2", f"vpc/{rid}"),
        "ownerId": c.account,
        "defaultSecurityGroupId": f"sg-{c.hex(17)}",
        "defaultNetworkAclId": f"acl-{c.hex(17)}",
        "defaultRouteTableId": f"rtb-{c.hex(17)}",
        "mainRouteTableId": f"rtb-{c.hex(17)}",
        "dhcpOptionsId": f"dopt-{c.hex(17)}",
        "ipv6CidrBlock": "",
    }


@answers.builder("aws:ec2/subnet:Subnet")
def _subnet(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"subnet-{c.hex(17)}"
    az = str(c.inputs.get("availabilityZone", f"{c.region}a"))
    return rid, {
        "arn": c.arn("ec2", f"subnet/{rid}"),
        "ownerId": c.account,
        "availabilityZoneId": f"use1-az{ord(az[-1]) - 96}",
    }


@answers.builder(
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
)
def _security_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"sg-{c.hex(17)}"
    name = c.physical_name() if c.typ.endswith(":SecurityGroup") else "default"
    return rid, {"arn": c.arn("ec2", f"security-group/{rid}"), "ownerId": c.account, "name": name}


@answers.builder(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
def _sg_rule(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"sgr-{c.hex(17)}"
    return rid, {"arn": c.arn("ec2", f"security-group-rule/{rid}"), "securityGroupRuleId": rid}


@answers.builder("aws:ec2/eip:Eip")
def _eip(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"eipalloc-{c.hex(17)}"
    octets = [int(c.hex(8)[i : i + 2], 16) for i in range(0, 6, 2)]
    ip = f"3.{octets[0]}.{octets[1]}.{octets[2]}"
    return rid, {
        "allocationId": rid,
        "publicIp": ip,
        "publicDns": f"ec2-{ip.replace('.', '-')}.compute-1.amazonaws.com",
        "arn": c.arn("ec2", f"elastic-ip/{rid}"),
    }


@answers.builder("aws:ec2/natGateway:NatGateway")
def _nat(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"nat-{c.hex(17)}"
    return rid, {"publicIp": "3.0.0.1", "privateIp": "10.0.0.10", "networkInterfaceId": "eni-1"}


@answers.builder("aws:ec2/route:Route")
def _route(c: Ctx) -> tuple[str, dict[str, Any]]:
    return f"r-{c.hex(12)}", {"state": "active", "origin": "CreateRoute"}


@answers.builder("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _rta(c: Ctx) -> tuple[str, dict[str, Any]]:
    return f"rtbassoc-{c.hex(17)}", {}


@answers.builder("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"vpce-{c.hex(17)}"
    service = str(c.inputs.get("serviceName", ""))
    return rid, {
        "arn": c.arn("ec2", f"vpc-endpoint/{rid}"),
        "prefixListId": f"pl-{c.hex(8)}" if service.endswith(".s3") else "",
        "state": "available",
        "ownerId": c.account,
        "dnsEntries": [
            {
                "dnsName": (
                    f"{rid}.{service.rsplit('.', maxsplit=1)[-1]}.{c.region}.vpce.amazonaws.com"
                )
            }
        ],
        "networkInterfaceIds": [],
    }


@answers.invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _get_azs(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    """As EC2's DescribeAvailabilityZones answers: the region's AZs (`opt-in-not-required`)
    and the Local Zones the account opted in to (`opted-in`), narrowed by `opt-in-status`."""
    names = m.lookups.availability_zones
    if names is None:
        names = [f"{m.region}{letter}" for letter in REGION_AZ_LETTERS.get(m.region, "abc")]
    local = m.lookups.local_zones
    if local is None:
        local = list(LOCAL_ZONES.get(m.region, ()))
    zones = sorted(
        [(name, "opt-in-not-required") for name in names] + [(name, "opted-in") for name in local]
    )
    for item in args.get("filters") or []:
        if item["name"] != "opt-in-status":
            raise NotImplementedError(f"getAvailabilityZones filter {item['name']!r}")
        zones = [(name, status) for name, status in zones if status in item["values"]]
    return {
        "names": [name for name, _ in zones],
        "zoneIds": [
            f"{m.region[:2]}{m.region.split('-')[1][:1]}1-az{i + 1}" for i in range(len(zones))
        ],
        "id": m.region,
        "groupNames": [m.region] * len(zones),
    }


@answers.invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList")
def _get_prefix_list(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m
    name = str(args.get("name"))
    if name != CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME:
        raise MockLookupError(f"no managed prefix list named {name!r}", "name")
    return {
        "id": CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
        "name": name,
        "maxEntries": CLOUDFRONT_ORIGIN_FACING_WEIGHT,
        "addressFamily": "IPv4",
        "arn": f"arn:aws:ec2:{ACCOUNT_ID}:prefix-list/{CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST}",
    }
