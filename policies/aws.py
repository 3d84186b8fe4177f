"""AWS facts the rules share: type tokens, and helpers that follow references between resources.

References are matched by value: a FlowLog's `vpcId` refers to the VPC whose id it equals. In a
preview, ids and ARNs of resources being created are unknown, so every helper answers in three
values (see `policies.values.Tri`) and a rule reports "unknown" rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from policies.model import Resource
from policies.values import UNKNOWN, Tri, all3, any3, as_list, as_number, get, unwrap

# ----------------------------------------------------------------------------- type tokens

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE_LEGACY = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"

ECS_CLUSTER = "aws:ecs/cluster:Cluster"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ORIGIN_ACCESS_CONTROL = "aws:cloudfront/originAccessControl:OriginAccessControl"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
RESPONSE_HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
CERTIFICATE = "aws:acm/certificate:Certificate"
ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_ZONE = "aws:route53/zone:Zone"
QUERY_LOG = "aws:route53/queryLog:QueryLog"

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
KMS_KEY = "aws:kms/key:Key"
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"
IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ELASTICACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def of_type(resources: Iterable[Resource], *types: str) -> list[Resource]:
    return [r for r in resources if r.type in types]


# ----------------------------------------------------------------------------- references


def refers_to(value: Any, target: Resource, *keys: str) -> Tri:
    """Whether `value` names `target` by its id or one of `keys` (e.g. "arn", "name").

    ARNs also match by their resource part (`...:cluster/NAME` names the cluster NAME).
    """
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    if not isinstance(value, str) or not value:
        return False
    known, missing = target.identifiers(*keys)
    if value in known:
        return True
    if value.startswith("arn:") and value.rsplit("/", 1)[-1] in known:
        return True
    return UNKNOWN if missing else False


def referenced(
    value: Any, candidates: Sequence[Resource], *keys: str
) -> tuple[list[Resource], bool]:
    """The candidates `value` surely refers to, and whether others might be (unknown values)."""
    matched: list[Resource] = []
    uncertain = False
    for candidate in candidates:
        answer = refers_to(value, candidate, *keys)
        if answer is True:
            matched.append(candidate)
        elif answer is UNKNOWN:
            uncertain = True
    return matched, uncertain


def referrers(
    target: Resource, resources: Sequence[Resource], path: str, *keys: str
) -> tuple[list[Resource], bool]:
    """Resources whose property `path` refers to `target`, and whether more might (unknowns)."""
    found: list[Resource] = []
    uncertain = False
    for resource in resources:
        answer = refers_to(resource.get(path), target, *keys)
        if answer is True:
            found.append(resource)
        elif answer is UNKNOWN:
            uncertain = True
    return found, uncertain


# ----------------------------------------------------------------------------- networking


def public_subnets(resources: Sequence[Resource]) -> tuple[list[Resource], bool]:
    """Subnets whose route table sends 0.0.0.0/0 or ::/0 to an internet gateway.

    Works from routes (inline in a RouteTable or separate Route resources) and route-table
    associations, so it does not depend on naming or tags. Second item: whether unknown values
    leave some subnet undecided.
    """
    gateways = of_type(resources, INTERNET_GATEWAY)
    tables = of_type(resources, ROUTE_TABLE)
    uncertain = False

    def to_igw(route: Any) -> Tri:
        destination = any3(
            [
                _in(get(route, "cidrBlock"), OPEN_CIDRS),
                _in(get(route, "destinationCidrBlock"), OPEN_CIDRS),
                _in(get(route, "ipv6CidrBlock"), OPEN_CIDRS),
                _in(get(route, "destinationIpv6CidrBlock"), OPEN_CIDRS),
            ]
        )
        gateway = unwrap(get(route, "gatewayId"))
        if gateway is UNKNOWN:
            via_igw: Tri = UNKNOWN
        elif isinstance(gateway, str) and gateway.startswith("igw-"):
            via_igw = True
        else:
            via_igw = any3(refers_to(gateway, g) for g in gateways) if gateway else False
        if destination is False or via_igw is False:
            return False
        if destination is True and via_igw is True:
            return True
        return UNKNOWN

    public_tables: list[Resource] = []
    for table in tables:
        routes = as_list(table.get("routes"))
        answers: list[Tri] = [] if routes is UNKNOWN else [to_igw(r) for r in routes]
        if routes is UNKNOWN:
            answers.append(UNKNOWN)
        for route in of_type(resources, ROUTE):
            linked = refers_to(route.get("routeTableId"), table)
            if linked is True:
                answers.append(to_igw(route.inputs))
            elif linked is UNKNOWN and to_igw(route.inputs) is not False:
                answers.append(UNKNOWN)
        verdict = any3(answers)
        if verdict is True:
            public_tables.append(table)
        elif verdict is UNKNOWN:
            uncertain = True

    public: list[Resource] = []
    for subnet in of_type(resources, SUBNET):
        answers = []
        for association in of_type(resources, ROUTE_TABLE_ASSOCIATION):
            to_subnet = refers_to(association.get("subnetId"), subnet)
            if to_subnet is False:
                continue
            to_public = any3(refers_to(association.get("routeTableId"), t) for t in public_tables)
            if to_public is False and uncertain:
                to_public = UNKNOWN  # an undecided table may be public
            answers.append(all3([to_subnet, to_public]))
        verdict = any3(answers)
        if verdict is True:
            public.append(subnet)
        elif verdict is UNKNOWN:
            uncertain = True
    return public, uncertain


def availability_zones(subnet_refs: Any, resources: Sequence[Resource]) -> set[str] | None:
    """The AZs of the subnets `subnet_refs` names; None if any is unknown or unresolved."""
    refs = as_list(subnet_refs)
    if refs is UNKNOWN:
        return None
    subnets = of_type(resources, SUBNET)
    zones: set[str] = set()
    for ref in refs:
        matched, _ = referenced(ref, subnets)
        if len(matched) != 1:
            return None
        zone = unwrap(matched[0].get("availabilityZone"))
        if zone is None:
            zone = unwrap(matched[0].get("availabilityZoneId"))
        if not isinstance(zone, str):
            return None
        zones.add(zone)
    return zones


@dataclass(frozen=True)
class SgRule:
    """One security-group rule, whichever resource shape declared it."""

    source: Resource
    """The resource that declares the rule (a rule resource, or the group for inline rules)."""
    direction: str
    group: Any
    """The group it belongs to: a reference value, or the group Resource itself (inline)."""
    cidrs: list[Any] | Any
    referenced_group: Any
    prefix_lists: list[Any] | Any
    protocol: Any
    from_port: Any
    to_port: Any
    description: Any

    def is_open(self) -> Tri:
        """Admits the whole internet (0.0.0.0/0 or ::/0)."""
        if self.cidrs is UNKNOWN:
            return UNKNOWN
        return any3(_in(c, OPEN_CIDRS) for c in self.cidrs)

    def ports(self) -> tuple[float, float] | None:
        """Port range (all protocols: 0-65535); None when unknown."""
        protocol = unwrap(self.protocol)
        if protocol is UNKNOWN:
            return None
        if str(protocol) in ("-1", "all"):
            return (0.0, 65535.0)
        low, high = as_number(self.from_port), as_number(self.to_port)
        if low is UNKNOWN or high is UNKNOWN:
            return None
        return (
            low if isinstance(low, float) else 0.0,
            high if isinstance(high, float) else 65535.0,
        )

    def belongs_to(self, group: Resource) -> Tri:
        if isinstance(self.group, Resource):
            return self.group.urn == group.urn
        return refers_to(self.group, group)


def security_group_rules(resources: Sequence[Resource]) -> list[SgRule]:
    """Every SG rule in the stack: rule resources, legacy SecurityGroupRule, and inline blocks."""
    rules: list[SgRule] = []
    for r in of_type(resources, INGRESS_RULE, EGRESS_RULE):
        cidrs = [r.get("cidrIpv4"), r.get("cidrIpv6")]
        rules.append(
            SgRule(
                source=r,
                direction="ingress" if r.type == INGRESS_RULE else "egress",
                group=r.get("securityGroupId"),
                cidrs=[c for c in cidrs if c is not None],
                referenced_group=r.get("referencedSecurityGroupId"),
                prefix_lists=[p for p in [r.get("prefixListId")] if p is not None],
                protocol=r.get("ipProtocol"),
                from_port=r.get("fromPort"),
                to_port=r.get("toPort"),
                description=r.get("description"),
            )
        )
    for r in of_type(resources, SG_RULE_LEGACY):
        rules.append(
            SgRule(
                source=r,
                direction=str(r.get("type", "ingress")),
                group=r.get("securityGroupId"),
                cidrs=_concat(r.get("cidrBlocks"), r.get("ipv6CidrBlocks")),
                referenced_group=r.get("sourceSecurityGroupId"),
                prefix_lists=as_list(r.get("prefixListIds")),
                protocol=r.get("protocol"),
                from_port=r.get("fromPort"),
                to_port=r.get("toPort"),
                description=r.get("description"),
            )
        )
    for group in of_type(resources, SECURITY_GROUP, DEFAULT_SG):
        for direction in ("ingress", "egress"):
            blocks = as_list(group.get(direction))
            if blocks is UNKNOWN:
                blocks = [UNKNOWN]
            for block in blocks:
                groups = as_list(get(block, "securityGroups"))
                rules.append(
                    SgRule(
                        source=group,
                        direction=direction,
                        group=group,
                        cidrs=_concat(get(block, "cidrBlocks"), get(block, "ipv6CidrBlocks")),
                        referenced_group=groups if groups is UNKNOWN or groups else None,
                        prefix_lists=as_list(get(block, "prefixListIds")),
                        protocol=get(block, "protocol"),
                        from_port=get(block, "fromPort"),
                        to_port=get(block, "toPort"),
                        description=get(block, "description"),
                    )
                )
    return rules


# ----------------------------------------------------------------------------- IAM documents


def statements(document: Any) -> list[dict[str, Any]] | None:
    """The statements of a parsed IAM policy document; None when the document is unknown."""
    if document is UNKNOWN:
        return None
    found = as_list(get(document, "Statement"))
    if found is UNKNOWN:
        return None
    return [s for s in found if isinstance(s, dict)]


def principals(statement: dict[str, Any]) -> list[Any]:
    """Every principal value of a statement (`"*"`, AWS ARNs, service names, federated ids)."""
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        values: list[Any] = []
        for value in principal.values():  # pyright: ignore[reportUnknownVariableType]
            listed = as_list(value)
            values.extend([UNKNOWN] if listed is UNKNOWN else listed)
        return values
    listed = as_list(principal)
    return [UNKNOWN] if listed is UNKNOWN else listed


def public_statements(document: Any) -> Tri | list[dict[str, Any]]:
    """Allow statements granting a bare `*` principal with no condition (a public resource)."""
    found = statements(document)
    if found is None:
        return UNKNOWN
    return [
        s
        for s in found
        if s.get("Effect") == "Allow" and "*" in principals(s) and not s.get("Condition")
    ]


# ----------------------------------------------------------------------------- small helpers


def _in(value: Any, allowed: Iterable[Any]) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value in list(allowed)


def _concat(*lists: Any) -> list[Any] | Any:
    out: list[Any] = []
    for value in lists:
        listed = as_list(value)
        if listed is UNKNOWN:
            return UNKNOWN
        out.extend(listed)
    return out


def arn_service(value: Any) -> str | None:
    """`sns` for `arn:aws:sns:...`; None if not an ARN."""
    value = unwrap(value)
    if not isinstance(value, str):
        return None
    match = re.match(r"^arn:aws[a-z-]*:([a-z0-9-]+):", value)
    return match.group(1) if match else None
