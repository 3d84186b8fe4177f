# pyright: basic
# (Strict checking stops here: this file wraps the Pulumi SDK's untyped mock and RPC
# internals, whose dicts and protobuf requests have no element types to check.)
"""Pulumi mocks that answer like AWS: realistic ids, ARNs, DNS names and data-source results.

Used by `stacks.harness` for the tests and `golive plan`. Values are deterministic (derived from
the logical name) so two runs of the same stack agree and `--against` compares like with like.
Auto-naming is simulated the way Pulumi does it (`<logical>-<7 hex>`) so name-length checks see
the names AWS would see. A resource type or invoke the table does not know is an error, not a
silent `None`: the program must not grow a resource the plan cannot describe.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

ACCOUNT_ID = "123456789012"

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

# Route53 hosted-zone ids of ALBs per region (AWS constants), for alias records.
ALB_ZONE_IDS: dict[str, str] = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
}
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "pl-3b927c52"

MANAGED_CLOUDFRONT_POLICIES: dict[str, str] = {
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
    "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
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


@dataclass
class Lookups:
    """What already exists in the account when the program runs (data-source answers)."""

    account_id: str = ACCOUNT_ID
    zones: dict[str, str] | None = None
    """Hosted zones by name -> zone id. None: every zone asked for exists (made by bootstrap)."""
    released_images: dict[str, str] = field(default_factory=dict[str, str])
    """SSM parameter name -> value, as written by `golive release`. Empty: nothing released."""
    availability_zones: list[str] | None = None
    """AZ names the region offers; None: the region's real list."""
    github_oidc_provider: bool = True
    """Whether `golive bootstrap --github-oidc` created the account's OIDC provider."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(_digest(*parts)[:32]))


class MockLookupError(Exception):
    """A data source found nothing, as AWS would answer."""


class AwsMocks(Mocks):
    """Answers resource registrations and invokes with AWS-shaped values."""

    def __init__(self, region: str, lookups: Lookups, preview: bool = False) -> None:
        self.region = region
        self.lookups = lookups
        self.preview = preview
        self.account = lookups.account_id
        self.warnings: list[str] = []
        self.invokes: list[str] = []
        self.unknown_types: set[str] = set()

    # ------------------------------------------------------------------ resources

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", inputs
        if args.typ.startswith("golive:"):
            return None, inputs
        builder = _BUILDERS.get(args.typ)
        if builder is None:
            self.unknown_types.add(args.typ)
            raise NotImplementedError(
                f"stacks/mock_aws.py has no outputs for {args.typ} ({args.name}): add a builder "
                "that returns the computed outputs AWS really returns"
            )
        ctx = _Ctx(self, args.typ, args.name, inputs)
        resource_id, computed = builder(ctx)
        if self.preview:
            # In a real preview, computed outputs are unknown until the resource exists.
            return None, inputs
        return resource_id, {**inputs, **computed}

    # ------------------------------------------------------------------ invokes

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.invokes.append(args.token)
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"stacks/mock_aws.py does not answer the invoke {args.token}: add a handler"
            )
        return handler(self, dict(args.args)), []


# ---------------------------------------------------------------------- resource builders


@dataclass
class _Ctx:
    mocks: AwsMocks
    typ: str
    logical: str
    inputs: dict[str, Any]

    @property
    def region(self) -> str:
        region = self.inputs.get("region")
        return region if isinstance(region, str) and region else self.mocks.region

    @property
    def account(self) -> str:
        return self.mocks.account

    def hex(self, n: int) -> str:
        return _digest(self.typ, self.logical)[:n]

    def physical_name(self, key: str = "name", max_len: int = 255) -> str:
        """The explicit name, a prefix plus a unique suffix, or Pulumi's auto-name."""
        explicit = self.inputs.get(key)
        if isinstance(explicit, str) and explicit:
            return explicit
        prefix = self.inputs.get(f"{key}Prefix")
        if isinstance(prefix, str) and prefix:
            return (prefix + _digest(self.typ, self.logical)[:26])[:max_len]
        return f"{self.logical}-{self.hex(7)}"

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


Builder = Callable[[_Ctx], tuple[str, dict[str, Any]]]
_BUILDERS: dict[str, Builder] = {}


def _builder(*types: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for t in types:
            _BUILDERS[t] = fn
        return fn

    return register


def _ec2_id(prefix: str, kind: str) -> Builder:
    def build(c: _Ctx) -> tuple[str, dict[str, Any]]:
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
    _BUILDERS[_type] = _ec2_id(_prefix, _kind)


@_builder("aws:ec2/vpc:Vpc")
def _vpc(c: _Ctx) -> tuple[str, dict[str, Any]]:
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


@_builder("aws:ec2/subnet:Subnet")
def _subnet(c: _Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"subnet-{c.hex(17)}"
    az = str(c.inputs.get("availabilityZone", f"{c.region}a"))
    return rid, {
        "arn": c.arn("ec2", f"subnet/{rid}"),
        "ownerId": c.account,
        "availabilityZoneId": f"use1-az{ord(az[-1]) - 96}",
    }


@_builder(
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
)
def _security_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"sg-{c.hex(17)}"
    name = c.physical_name() if c.typ.endswith(":SecurityGroup") else "default"
    return rid, {"arn": c.arn("ec2", f"security-group/{rid}"), "ownerId": c.account, "name": name}


@_builder(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
def _sg_rule(c: _Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"sgr-{c.hex(17)}"
    return rid, {"arn": c.arn("ec2", f"security-group-rule/{rid}"), "securityGroupRuleId": rid}


@_builder("aws:ec2/eip:Eip")
def _eip(c: _Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"eipalloc-{c.hex(17)}"
    octets = [int(c.hex(8)[i : i + 2], 16) for i in range(0, 6, 2)]
    ip = f"3.{octets[0]}.{octets[1]}.{octets[2]}"
    return rid, {
        "allocationId": rid,
        "publicIp": ip,
        "publicDns": f"ec2-{ip.replace('.', '-')}.compute-1.amazonaws.com",
        "arn": c.arn("ec2", f"elastic-ip/{rid}"),
    }


@_builder("aws:ec2/natGateway:NatGateway")
def _nat(c: _Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"nat-{c.hex(17)}"
    return rid, {"publicIp": "3.0.0.1", "privateIp": "10.0.0.10", "networkInterfaceId": "eni-1"}


@_builder("aws:ec2/route:Route")
def _route(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return f"r-{c.hex(12)}", {"state": "active", "origin": "CreateRoute"}


@_builder("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _rta(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return f"rtbassoc-{c.hex(17)}", {}


@_builder("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(c: _Ctx) -> tuple[str, dict[str, Any]]:
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


@_builder("aws:cloudwatch/logGroup:LogGroup")
def _log_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {"name": name, "arn": c.arn("logs", f"log-group:{name}")}


@_builder("aws:iam/role:Role")
def _role(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=64)
    path = str(c.inputs.get("path", "/"))
    return name, {
        "name": name,
        "arn": f"arn:aws:iam::{c.account}:role{path}{name}",
        "uniqueId": f"AROA{c.hex(17).upper()}",
        "createDate": "2026-11-21T00:00:00Z",
    }


@_builder("aws:iam/policy:Policy")
def _iam_policy(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=128)
    arn = f"arn:aws:iam::{c.account}:policy/{name}"
    return arn, {"name": name, "arn": arn, "policyId": f"ANPA{c.hex(17).upper()}"}


@_builder("aws:iam/rolePolicy:RolePolicy")
def _role_policy(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=128)
    return f"{c.inputs.get('role', 'role')}:{name}", {"name": name}


@_builder("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs.get('role', 'role')}-{c.hex(8)}", {}


@_builder("aws:kms/key:Key")
def _kms_key(c: _Ctx) -> tuple[str, dict[str, Any]]:
    key_id = _uuid(c.typ, c.logical)
    return key_id, {"keyId": key_id, "arn": c.arn("kms", f"key/{key_id}")}


@_builder("aws:kms/alias:Alias")
def _kms_alias(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {
        "name": name,
        "arn": c.arn("kms", name),
        "targetKeyArn": c.inputs.get("targetKeyId"),
    }


@_builder("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString")
def _random_password(c: _Ctx) -> tuple[str, dict[str, Any]]:
    length = int(c.inputs.get("length", 32))
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    seed = _digest(c.typ, c.logical)
    value = "".join(alphabet[int(seed[i % 64], 16) * 3 % len(alphabet)] for i in range(length))
    result: Any = pulumi.Output.secret(value) if c.typ.endswith("RandomPassword") else value
    return "none", {"result": result, "bcryptHash": pulumi.Output.secret("$2a$10$mock")}


@_builder("random:index/randomId:RandomId")
def _random_id(c: _Ctx) -> tuple[str, dict[str, Any]]:
    n = int(c.inputs.get("byteLength", 4))
    hexv = c.hex(n * 2)
    return hexv, {"hex": hexv, "dec": str(int(hexv, 16)), "b64Url": hexv, "b64Std": hexv}


@_builder("aws:s3/bucket:Bucket")
def _bucket(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name("bucket", max_len=63)
    return name, {
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{c.region}.amazonaws.com",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
        "region": c.region,
    }


def _side_resource(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("bucket", c.logical)), {}


for _type in [
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketAcl:BucketAcl",
]:
    _BUILDERS[_type] = _side_resource


@_builder("aws:ssm/parameter:Parameter")
def _ssm_parameter(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {"name": name, "arn": c.arn("ssm", f"parameter{name}"), "version": 1}


# ---------------------------------------------------------------------- invokes

Invoke = Callable[[AwsMocks, dict[str, Any]], dict[str, Any]]
_INVOKES: dict[str, Invoke] = {}


def _invoke(token: str) -> Callable[[Invoke], Invoke]:
    def register(fn: Invoke) -> Invoke:
        _INVOKES[token] = fn
        return fn

    return register


@_invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _get_azs(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del args
    names = m.lookups.availability_zones
    if names is None:
        names = [f"{m.region}{letter}" for letter in REGION_AZ_LETTERS.get(m.region, "abc")]
    return {
        "names": names,
        "zoneIds": [
            f"{m.region[:2]}{m.region.split('-')[1][:1]}1-az{i + 1}" for i in range(len(names))
        ],
        "id": m.region,
        "groupNames": [m.region] * len(names),
    }


@_invoke("aws:index/getCallerIdentity:getCallerIdentity")
def _get_caller(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del args
    return {
        "accountId": m.account,
        "arn": f"arn:aws:iam::{m.account}:user/golive-plan",
        "userId": "AIDAMOCKUSER",
        "id": m.account,
    }


@_invoke("aws:index/getRegion:getRegion")
def _get_region(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or m.region
    return {
        "region": region,
        "name": region,
        "id": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    }


@_invoke("aws:index/getPartition:getPartition")
def _get_partition(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m, args
    return {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
        "id": "aws",
    }


@_invoke("aws:route53/getZone:getZone")
def _get_zone(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name", "")).rstrip(".")
    zones = m.lookups.zones
    if zones is not None and name not in zones:
        raise MockLookupError(
            f"no matching Route 53 Hosted Zone found for {name!r} "
            "(create it once with `golive bootstrap --zone DOMAIN`)"
        )
    zone_id = (zones or {}).get(name) or "Z" + _digest("zone", name)[:20].upper()
    return {
        "zoneId": zone_id,
        "id": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.org" for i in range(1, 5)],
        "privateZone": False,
        "callerReference": "golive-bootstrap",
        "resourceRecordSetCount": 2,
    }


@_invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList")
def _get_prefix_list(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m
    name = str(args.get("name", "com.amazonaws.global.cloudfront.origin-facing"))
    return {
        "id": CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
        "name": name,
        "maxEntries": 55,
        "addressFamily": "IPv4",
        "arn": f"arn:aws:ec2:{ACCOUNT_ID}:prefix-list/{CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST}",
    }


def _statement_json(statement: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if statement.get("sid"):
        out["Sid"] = statement["sid"]
    out["Effect"] = statement.get("effect", "Allow")
    for key, wire in [
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ]:
        if statement.get(key):
            values = statement[key]
            out[wire] = values[0] if len(values) == 1 else values
    for key, wire in [("principals", "Principal"), ("notPrincipals", "NotPrincipal")]:
        if statement.get(key):
            principal: dict[str, Any] = {}
            for p in statement[key]:
                ids = p["identifiers"]
                principal[p["type"]] = ids[0] if len(ids) == 1 else ids
            out[wire] = principal
    if statement.get("conditions"):
        condition: dict[str, dict[str, Any]] = {}
        for cond in statement["conditions"]:
            values = cond["values"]
            condition.setdefault(cond["test"], {})[cond["variable"]] = (
                values[0] if len(values) == 1 else values
            )
        out["Condition"] = condition
    return out


@_invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def _get_policy_document(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m
    document = {
        "Version": "2012-10-17",
        "Statement": [_statement_json(s) for s in args.get("statements") or []],
    }
    return {
        "json": json.dumps(document, indent=2),
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "id": _digest(json.dumps(document))[:10],
    }


@_invoke("aws:elb/getServiceAccount:getServiceAccount")
def _get_elb_account(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or m.region
    account = ELB_SERVICE_ACCOUNTS.get(region, "127311923021")
    return {"arn": f"arn:aws:iam::{account}:root", "id": account, "region": region}


def _cloudfront_policy(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m
    name = str(args.get("name", ""))
    if name not in MANAGED_CLOUDFRONT_POLICIES:
        raise MockLookupError(f"no CloudFront managed policy named {name!r}")
    return {"id": MANAGED_CLOUDFRONT_POLICIES[name], "name": name, "etag": "E1MOCK"}


for _token in [
    "aws:cloudfront/getCachePolicy:getCachePolicy",
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy",
    "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy",
]:
    _INVOKES[_token] = _cloudfront_policy


@_invoke("aws:ssm/getParametersByPath:getParametersByPath")
def _get_parameters_by_path(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    path = str(args.get("path", "/"))
    prefix = path.rstrip("/") + "/"
    found = {k: v for k, v in sorted(m.lookups.released_images.items()) if k.startswith(prefix)}
    return {
        "id": path,
        "path": path,
        "names": list(found),
        "values": list(found.values()),
        "types": ["String"] * len(found),
        "arns": [f"arn:aws:ssm:{m.region}:{m.account}:parameter{k}" for k in found],
        "withDecryption": bool(args.get("withDecryption", True)),
        "recursive": bool(args.get("recursive", False)),
    }


@_invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider")
def _get_oidc_provider(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    url = str(args.get("url", "https://token.actions.githubusercontent.com"))
    if not m.lookups.github_oidc_provider:
        raise MockLookupError(
            f"no IAM OIDC provider for {url} (create it once with `golive bootstrap --github-oidc`)"
        )
    host = url.removeprefix("https://")
    arn = f"arn:aws:iam::{m.account}:oidc-provider/{host}"
    return {
        "arn": arn,
        "id": arn,
        "url": host,
        "clientIdLists": ["sts.amazonaws.com"],
        "thumbprintLists": [],
        "tags": {},
    }
