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

from aws_facts.cloudfront import (
    CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID,
    CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
    CLOUDFRONT_ZONE_ID,
    MANAGED_CLOUDFRONT_POLICIES,
    VPC_ORIGINS_SERVICE_GROUP,
)
from aws_facts.regions import ALB_ZONE_IDS, ELB_SERVICE_ACCOUNTS, RDS_ZONE_IDS, REGION_AZ_LETTERS

ACCOUNT_ID = "123456789012"


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

    def __init__(self, message: str, property: str = "") -> None:
        super().__init__(message)
        self.property = property


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
        self.vpc_origin_ids: list[str] = []
        """CloudFront VPC origins created so far: CloudFront creates the account's
        `CloudFront-VPCOrigins-Service-SG` group with the first one (edge)."""

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
        if self.preview:
            # In a real preview, computed outputs are unknown until the resource exists. The
            # builder is not even called: an Output it created would never resolve, and the
            # engine waits for every Output, so the run would hang.
            return None, inputs
        resource_id, computed = builder(_Ctx(self, args.typ, args.name, inputs))
        return resource_id, {**inputs, **computed}

    # ------------------------------------------------------------------ invokes

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.invokes.append(args.token)
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"stacks/mock_aws.py does not answer the invoke {args.token}: add a handler"
            )
        try:
            return handler(self, dict(args.args)), []
        except MockLookupError as exc:
            # As a real provider does: the invoke fails with a reason, raised to its caller
            # ("invoke of <token> failed: <reason> (<property>)"), which may handle it.
            return {}, [(exc.property, str(exc))]


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


@_builder("random:index/randomBytes:RandomBytes")
def _random_bytes(c: _Ctx) -> tuple[str, dict[str, Any]]:
    import base64

    raw = bytes.fromhex(_digest(c.typ, c.logical))[: int(c.inputs.get("length", 16))]
    encoded = base64.b64encode(raw).decode()
    secret = pulumi.Output.secret
    return encoded, {"base64": secret(encoded), "hex": secret(raw.hex())}


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


# ---------------------------------------------------------------------- monitoring
# (components/monitoring.py: alarm topics, subscriptions, alarms, dashboard, budget, events)


@_builder("aws:sns/topic:Topic")
def _sns_topic(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=256)
    arn = c.arn("sns", name)
    # The id of a topic is its ARN; AWS fills in the default delivery attributes.
    return arn, {
        "arn": arn,
        "name": name,
        "owner": c.account,
        "signatureVersion": 1,
        "beginningArchiveTime": "",
        "fifoTopic": False,
    }


@_builder("aws:sns/topicPolicy:TopicPolicy")
def _sns_topic_policy(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("arn", "")), {"owner": c.account}


# Protocols whose endpoint must confirm the subscription before SNS delivers anything.
_SNS_CONFIRMED_BY_ENDPOINT = {"email", "email-json", "http", "https"}


@_builder("aws:sns/topicSubscription:TopicSubscription")
def _sns_subscription(c: _Ctx) -> tuple[str, dict[str, Any]]:
    topic = str(c.inputs.get("topic", ""))
    arn = f"{topic}:{_uuid(c.typ, c.logical)}"
    protocol = str(c.inputs.get("protocol", ""))
    pending = protocol in _SNS_CONFIRMED_BY_ENDPOINT and not c.inputs.get("endpointAutoConfirms")
    return arn, {
        "arn": arn,
        "ownerId": c.account,
        "pendingConfirmation": pending,
        "confirmationWasAuthenticated": False,
        "filterPolicyScope": "",
    }


@_builder("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {"name": name, "arn": c.arn("cloudwatch", f"alarm:{name}")}


@_builder("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = str(c.inputs.get("dashboardName", c.logical))
    # Dashboards are account-wide: their ARN has no region.
    return name, {"dashboardArn": c.arn("cloudwatch", f"dashboard/{name}", region=False)}


@_builder("aws:budgets/budget:Budget")
def _budget(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return f"{c.account}:{name}", {
        "name": name,
        "accountId": c.account,
        "arn": f"arn:aws:budgets::{c.account}:budget/{name}",
    }


@_builder("aws:cloudwatch/eventRule:EventRule")
def _event_rule(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=64)
    bus = str(c.inputs.get("eventBusName") or "default")
    path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return name, {"name": name, "arn": c.arn("events", path), "eventBusName": bus}


@_builder("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(c: _Ctx) -> tuple[str, dict[str, Any]]:
    target_id = str(c.inputs.get("targetId") or f"terraform-{c.hex(20)}")
    return f"{c.inputs.get('rule', '')}-{target_id}", {
        "targetId": target_id,
        "eventBusName": "default",
    }


# ---------------------------------------------------------------------- edge
# (components/dns.py: ACM certificates, validation and alias records; components/cdn.py:
# CloudFront distribution, OAC, headers policy, function, VPC origin, WAF web ACL)

_ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALNUM_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _chars(alphabet: str, n: int, *parts: str) -> str:
    seed = _digest(*parts) + _digest("more", *parts)
    return "".join(alphabet[int(seed[2 * i : 2 * i + 2], 16) % len(alphabet)] for i in range(n))


def _cloudfront_id(c: _Ctx) -> str:
    """CloudFront ids look like `E2QWRUHAPOMQZL`: 'E' and 13 upper-case letters or digits."""
    return "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical)


def acm_validation_record(account: str, domain: str) -> tuple[str, str]:
    """The CNAME ACM asks for to validate `domain`.

    ACM derives it from the account and the name without a leading `*.`: a wildcard and its
    apex share one record, and certificates for the same name in two regions (CloudFront's
    in us-east-1, the ALB's elsewhere) ask for the very same record.
    """
    base = domain.removeprefix("*.").rstrip(".").lower()
    name = f"_{_digest('acm-name', account, base)[:32]}.{base}."
    label = _chars("abcdefghijklmnopqrstuvwxyz", 10, "acm", base)
    value = f"_{_digest('acm-value', account, base)[:32]}.{label}.acm-validations.aws."
    return name, value


@_builder("aws:acm/certificate:Certificate")
def _acm_certificate(c: _Ctx) -> tuple[str, dict[str, Any]]:
    arn = c.arn("acm", f"certificate/{_uuid(c.typ, c.logical, c.region)}")
    names = [str(c.inputs.get("domainName", ""))]
    for name in c.inputs.get("subjectAlternativeNames") or []:
        if name not in names:
            names.append(str(name))
    options: list[dict[str, Any]] = []
    for name in names:
        record_name, record_value = acm_validation_record(c.account, name)
        options.append(
            {
                "domainName": name,
                "resourceRecordName": record_name,
                "resourceRecordType": "CNAME",
                "resourceRecordValue": record_value,
            }
        )
    return arn, {
        "arn": arn,
        "domainValidationOptions": options,
        "status": "PENDING_VALIDATION",
        "type": "AMAZON_ISSUED",
        "keyAlgorithm": c.inputs.get("keyAlgorithm") or "RSA_2048",
        "subjectAlternativeNames": names,
        "validationEmails": [],
        "notBefore": "",
        "notAfter": "",
        "pendingRenewal": False,
        "renewalEligibility": "INELIGIBLE",
        "renewalSummaries": [],
        "region": c.region,
    }


@_builder("aws:acm/certificateValidation:CertificateValidation")
def _acm_validation(c: _Ctx) -> tuple[str, dict[str, Any]]:
    # The provider's id is the time validation completed; the ARN is the certificate's.
    return "2026-11-21 00:00:00 +0000 UTC", {"certificateArn": c.inputs.get("certificateArn")}


@_builder("aws:route53/record:Record")
def _route53_record(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = str(c.inputs.get("name", "")).rstrip(".").lower()
    record_type = str(c.inputs.get("type", ""))
    return f"{c.inputs.get('zoneId', '')}_{name}_{record_type}", {"fqdn": name}


@_builder("aws:cloudfront/distribution:Distribution")
def _distribution(c: _Ctx) -> tuple[str, dict[str, Any]]:
    distribution_id = _cloudfront_id(c)
    return distribution_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:distribution/{distribution_id}",
        "domainName": f"d{_chars(_ALNUM_LOWER, 13, c.typ, c.logical, 'domain')}.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": "Deployed",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
        "callerReference": f"terraform-{c.hex(26)}",
        "inProgressValidationBatches": 0,
        "lastModifiedTime": "2026-11-21T00:00:00Z",
        "trustedKeyGroups": [{"enabled": False, "items": []}],
        "trustedSigners": [{"enabled": False, "items": []}],
    }


@_builder("aws:cloudfront/originAccessControl:OriginAccessControl")
def _origin_access_control(c: _Ctx) -> tuple[str, dict[str, Any]]:
    oac_id = _cloudfront_id(c)
    return oac_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:origin-access-control/{oac_id}",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
    }


@_builder("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
def _response_headers_policy(c: _Ctx) -> tuple[str, dict[str, Any]]:
    policy_id = _uuid(c.typ, c.logical)
    return policy_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:response-headers-policy/{policy_id}",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
    }


@_builder("aws:cloudfront/function:Function")
def _cloudfront_function(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=64)
    etag = "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag")
    return name, {
        "name": name,
        "arn": f"arn:aws:cloudfront::{c.account}:function/{name}",
        "etag": etag,
        "liveStageEtag": etag if c.inputs.get("publish", True) else "",
        "status": "UNASSOCIATED",
    }


@_builder("aws:cloudfront/vpcOrigin:VpcOrigin")
def _vpc_origin(c: _Ctx) -> tuple[str, dict[str, Any]]:
    # VPC origin ids look like `vo_DVyjZ1Ou55tEjs0bZNTKys`.
    origin_id = "vo_" + _chars(_ALNUM_MIXED, 22, c.typ, c.logical)
    c.mocks.vpc_origin_ids.append(origin_id)
    return origin_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:vpcorigin/{origin_id}",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
    }


# Web ACL capacity units of the rules golive uses (AWS's published WCUs).
_WAF_CAPACITY = {"AWSManagedRulesCommonRuleSet": 700, "AWSManagedRulesKnownBadInputsRuleSet": 200}


@_builder("aws:wafv2/webAcl:WebAcl")
def _web_acl(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=128)
    acl_id = _uuid(c.typ, c.logical)
    scope = "global" if c.inputs.get("scope") == "CLOUDFRONT" else "regional"
    capacity = 0
    for rule in c.inputs.get("rules") or []:
        statement = rule.get("statement") or {}
        managed = statement.get("managedRuleGroupStatement")
        capacity += _WAF_CAPACITY.get(managed.get("name"), 0) if managed else 2
    return acl_id, {
        "name": name,
        "arn": c.arn("wafv2", f"{scope}/webacl/{name}/{acl_id}"),
        "capacity": capacity,
        "lockToken": _uuid(c.typ, c.logical, "lock"),
        "applicationIntegrationUrl": "",
    }


# ---------------------------------------------------------------------- data tier
# components/database.py, components/secrets.py, components/cache.py

_SECRET_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _secret_arn(c: _Ctx, name: str) -> str:
    # Secrets Manager appends "-" and six random letters to every secret's ARN.
    seed = _digest(c.typ, c.logical, name)
    letters = [_SECRET_SUFFIX_ALPHABET[int(seed[i : i + 2], 16) % 52] for i in range(0, 12, 2)]
    suffix = "".join(letters)
    return c.arn("secretsmanager", f"secret:{name}-{suffix}")


@_builder("aws:secretsmanager/secret:Secret")
def _secret(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=512)
    arn = _secret_arn(c, name)
    # The resource id of a secret is its ARN.
    return arn, {"arn": arn, "name": name, "tagsAll": c.inputs.get("tags") or {}}


@_builder("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(c: _Ctx) -> tuple[str, dict[str, Any]]:
    secret_id = str(c.inputs.get("secretId", ""))
    version_id = _uuid(c.typ, c.logical)
    computed: dict[str, Any] = {
        "arn": secret_id,
        "versionId": version_id,
        "versionStages": ["AWSCURRENT"],
    }
    # The provider's schema marks the value secret: state keeps it encrypted. (Builders never
    # run in a preview: see AwsMocks.new_resource.)
    if "secretString" in c.inputs:
        computed["secretString"] = pulumi.Output.secret(c.inputs["secretString"])
    return f"{secret_id}|{version_id}", computed


@_builder("aws:rds/subnetGroup:SubnetGroup")
def _rds_subnet_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    # RDS stores subnet group names in lowercase.
    name = c.physical_name().lower()
    return name, {
        "name": name,
        "arn": c.arn("rds", f"subgrp:{name}"),
        "supportedNetworkTypes": ["IPV4"],
    }


@_builder("aws:rds/parameterGroup:ParameterGroup")
def _rds_parameter_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name().lower()
    return name, {"name": name, "arn": c.arn("rds", f"pg:{name}")}


_PG_LATEST_MINOR = {"14": "14.20", "15": "15.15", "16": "16.11", "17": "17.7", "18": "18.1"}


@_builder("aws:rds/instance:Instance")
def _rds_instance(c: _Ctx) -> tuple[str, dict[str, Any]]:
    identifier = c.physical_name("identifier", max_len=63).lower()
    port = int(c.inputs.get("port") or 5432)
    address = f"{identifier}.c{c.hex(11)}.{c.region}.rds.amazonaws.com"
    resource_id = "db-" + c.hex(26).upper()
    major = str(c.inputs.get("engineVersion", "17")).split(".", maxsplit=1)[0]
    computed: dict[str, Any] = {
        "identifier": identifier,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "arn": c.arn("rds", f"db:{identifier}"),
        "resourceId": resource_id,
        "hostedZoneId": RDS_ZONE_IDS.get(c.region, "Z2R2ITUGPM61AM"),
        "engineVersionActual": _PG_LATEST_MINOR.get(major, f"{major}.1"),
        "status": "available",
        "availabilityZone": f"{c.region}a",
        "caCertIdentifier": c.inputs.get("caCertIdentifier") or "rds-ca-rsa2048-g1",
        "latestRestorableTime": "2026-11-21T00:00:00Z",
        "listenerEndpoints": [],
        "replicas": [],
    }
    if c.inputs.get("manageMasterUserPassword"):
        # RDS names its managed secret `rds!db-<uuid>` and encrypts it with the given key.
        secret_name = f"rds!db-{_uuid(c.typ, c.logical, 'secret')}"
        computed["masterUserSecrets"] = [
            {
                "secretArn": _secret_arn(c, secret_name),
                "kmsKeyId": c.inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ]
    # The provider's id for an instance is its resource id (DbiResourceId), not its name.
    return resource_id, computed


@_builder("aws:elasticache/subnetGroup:SubnetGroup")
def _cache_subnet_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name().lower()
    return name, {"name": name, "arn": c.arn("elasticache", f"subnetgroup:{name}")}


_REGION_SHORT = {"us-east-1": "use1", "us-east-2": "use2", "us-west-2": "usw2", "eu-west-1": "euw1"}


@_builder("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    group_id = c.physical_name("replicationGroupId", max_len=40).lower()
    nodes = int(c.inputs.get("numCacheClusters") or 1)
    region = _REGION_SHORT.get(c.region, c.region.replace("-", ""))
    host = f"{group_id}.{c.hex(6)}.{region}.cache.amazonaws.com"
    engine = str(c.inputs.get("engine", "redis"))
    version = str(c.inputs.get("engineVersion", "7.1"))
    computed: dict[str, Any] = {
        "replicationGroupId": group_id,
        "arn": c.arn("elasticache", f"replicationgroup:{group_id}"),
        # Cluster mode disabled: a primary and a reader endpoint, TLS on the same port.
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "configurationEndpointAddress": None,
        "memberClusters": [f"{group_id}-{i + 1:03d}" for i in range(nodes)],
        "engineVersionActual": f"{version}.0" if engine == "valkey" else f"{version}.4",
        "clusterEnabled": False,
        "port": int(c.inputs.get("port") or 6379),
    }
    # Secret in state, as the provider's schema says.
    if "authToken" in c.inputs:
        computed["authToken"] = pulumi.Output.secret(c.inputs["authToken"])
    return group_id, computed


# ---------------------------------------------------------------------- compute (cluster,
# services, tasks, schedules, load balancer)


@_builder("aws:ecs/cluster:Cluster")
def _ecs_cluster(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    arn = c.arn("ecs", f"cluster/{name}")
    return arn, {"arn": arn, "name": name}


@_builder("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
def _ecs_capacity_providers(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("clusterName", c.logical)), {}


@_builder("aws:ecs/taskDefinition:TaskDefinition")
def _ecs_task_definition(c: _Ctx) -> tuple[str, dict[str, Any]]:
    family = str(c.inputs.get("family", c.logical))
    base = c.arn("ecs", f"task-definition/{family}")
    return family, {"arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


@_builder("aws:ecs/service:Service")
def _ecs_service(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    cluster = str(c.inputs.get("cluster", "")).rsplit("/", 1)[-1]
    arn = c.arn("ecs", f"service/{cluster}/{name}")
    return arn, {"arn": arn, "name": name, "iamRole": "aws-service-role"}


@_builder("aws:ecr/repository:Repository")
def _ecr_repository(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {
        "name": name,
        "arn": c.arn("ecr", f"repository/{name}"),
        "registryId": c.account,
        "repositoryUrl": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}",
    }


@_builder("aws:ecr/lifecyclePolicy:LifecyclePolicy")
def _ecr_lifecycle_policy(c: _Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("repository", c.logical)), {"registryId": c.account}


@_builder("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=32)
    suffix = f"app/{name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    scheme = "internal-" if c.inputs.get("internal") else ""
    number = int(c.hex(8), 16) % 10**10
    return arn, {
        "arn": arn,
        "arnSuffix": suffix,
        "name": name,
        "dnsName": f"{scheme}{name}-{number}.{c.region}.elb.amazonaws.com",
        "zoneId": ALB_ZONE_IDS.get(c.region, "Z35SXDOTRQ7X7K"),
        "vpcId": "",
    }


def _lb_suffix(arn: Any) -> str:
    """`app/<name>/<id>` of a load balancer or listener ARN."""
    text = str(arn)
    marker = next((m for m in ("loadbalancer/", "listener/") if m in text), None)
    if marker is None:
        return "app/unknown/0000000000000000"
    return "/".join(text.split(marker, 1)[1].split("/")[:3])


@_builder("aws:lb/listener:Listener")
def _lb_listener(c: _Ctx) -> tuple[str, dict[str, Any]]:
    arn = c.arn(
        "elasticloadbalancing",
        f"listener/{_lb_suffix(c.inputs.get('loadBalancerArn'))}/{c.hex(16)}",
    )
    return arn, {"arn": arn}


@_builder("aws:lb/listenerRule:ListenerRule")
def _lb_listener_rule(c: _Ctx) -> tuple[str, dict[str, Any]]:
    listener = str(c.inputs.get("listenerArn", ""))
    path = listener.split("listener/", 1)[-1]
    arn = c.arn("elasticloadbalancing", f"listener-rule/{path}/{c.hex(16)}")
    return arn, {"arn": arn}


@_builder("aws:lb/targetGroup:TargetGroup")
def _lb_target_group(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=32)
    suffix = f"targetgroup/{name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", suffix)
    return arn, {
        "arn": arn,
        "arnSuffix": suffix,
        "name": name,
        "loadBalancerArns": [],
        "loadBalancingAlgorithmType": "round_robin",
    }


@_builder("aws:appautoscaling/target:Target")
def _autoscaling_target(c: _Ctx) -> tuple[str, dict[str, Any]]:
    resource = str(c.inputs.get("resourceId", c.logical))
    return resource, {
        "arn": c.arn("application-autoscaling", f"scalable-target/{c.hex(32)}"),
        "roleArn": (
            f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling."
            "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
        ),
    }


@_builder("aws:appautoscaling/policy:Policy")
def _autoscaling_policy(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    resource = str(c.inputs.get("resourceId", ""))
    arn = c.arn(
        "autoscaling",
        f"scalingPolicy:{_uuid(c.typ, c.logical)}:resource/{resource}:policyName/{name}",
    )
    return name, {"arn": arn, "name": name, "alarmArns": []}


@_builder("aws:scheduler/schedule:Schedule")
def _schedule(c: _Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name(max_len=64)
    group = str(c.inputs.get("groupName") or "default")
    return f"{group}/{name}", {
        "arn": c.arn("scheduler", f"schedule/{group}/{name}"),
        "name": name,
        "groupName": group,
    }


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


# ---------------------------------------------------------------------- edge invokes


@_invoke("aws:ec2/getSecurityGroup:getSecurityGroup")
def _get_security_group(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name", ""))
    vpc_id = str(args.get("vpcId", ""))
    if name != VPC_ORIGINS_SERVICE_GROUP:
        raise MockLookupError(f"no matching EC2 Security Group found (name {name!r})")
    if not m.vpc_origin_ids:
        # CloudFront creates this group with the first VPC origin: looking it up any earlier
        # fails, exactly as on a real first deploy.
        raise MockLookupError("no matching EC2 Security Group found")
    group_id = f"sg-{_digest('vpc-origins', vpc_id)[:17]}"
    return {
        "id": group_id,
        "arn": f"arn:aws:ec2:{m.region}:{m.account}:security-group/{group_id}",
        "name": name,
        "vpcId": vpc_id,
        "description": "CloudFront VPC origins service security group",
        "tags": {},
    }


@_invoke("aws:s3/getCanonicalUserId:getCanonicalUserId")
def _get_canonical_user_id(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del args
    return {"id": _digest("canonical-user", m.account), "displayName": ""}


@_invoke("aws:cloudfront/getLogDeliveryCanonicalUserId:getLogDeliveryCanonicalUserId")
def _get_log_delivery_id(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID, "region": args.get("region") or m.region}
