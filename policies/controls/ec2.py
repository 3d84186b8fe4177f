"""VPC and EC2 controls: the network's default security group, flow logs, subnets, security
group rules, VPC endpoints and NAT gateways."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies import aws
from policies.aws import of_type, referenced, referrers, refers_to
from policies.checks import negate, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, Tri, all3, any3, as_list, get, truthy, unwrap

controls = Controls("VPC and EC2")


@controls.stack_rule(
    id="EC2.2",
    title="Default SG has no rules",
    severity=Severity.HIGH,
    source="FSBP, CKV2_AWS_12",
    covers=("CKV2_AWS_12",),
    applies_to=(aws.VPC, aws.DEFAULT_SG),
    exception_allowed=False,
    description="Each VPC's default security group is managed and empty.",
    why=(
        "Anything launched without a security group lands in the VPC's default one; with no rules "
        "it admits and sends nothing, so a forgotten group never opens a path."
    ),
)
def default_sg_closed(resources: Sequence[Resource]) -> list[Violation]:
    """EC2.2: one DefaultSecurityGroup per VPC, with no ingress and no egress rules."""
    found: list[Violation] = []
    defaults = of_type(resources, aws.DEFAULT_SG)
    for group in defaults:
        for direction in ("ingress", "egress"):
            rules = as_list(group.get(direction))
            if rules is UNKNOWN:
                found.append(unknown(f"{group.name}: {direction} not known yet", urn=group.urn))
            elif rules:
                found.append(fail(f"{group.name}: default SG has {direction} rules", urn=group.urn))
    for vpc in of_type(resources, aws.VPC):
        owners, uncertain = referrers(vpc, defaults, "vpcId")
        if len(owners) > 1:
            found.append(
                fail(f"{vpc.name}: {len(owners)} default SGs manage this VPC", urn=vpc.urn)
            )
        elif not owners:
            found.append(
                (unknown if uncertain else fail)(
                    f"{vpc.name}: no DefaultSecurityGroup empties this VPC's default SG",
                    urn=vpc.urn,
                )
            )
    return found


@controls.stack_rule(
    id="EC2.6",
    title="VPC flow logs",
    severity=Severity.MEDIUM,
    source="FSBP, CKV2_AWS_11",
    covers=("CKV2_AWS_11",),
    applies_to=(aws.VPC,),
    exception_allowed=True,
    description="A FlowLog refers to each VPC and logs ALL traffic (staging may log REJECT).",
    why=(
        "Flow logs are the record of what talked to what inside the VPC: without them an incident "
        "cannot be traced after the fact."
    ),
)
def vpc_flow_logs(resources: Sequence[Resource]) -> list[Violation]:
    """EC2.6: a FlowLog whose vpcId is each VPC's id, logging ALL traffic."""
    found: list[Violation] = []
    flow_logs = of_type(resources, aws.FLOW_LOG)
    for vpc in of_type(resources, aws.VPC):
        logs, uncertain = referrers(vpc, flow_logs, "vpcId")
        if not logs:
            make = unknown if uncertain else fail
            found.append(make(f"{vpc.name}: no FlowLog has this VPC's id as vpcId", urn=vpc.urn))
            continue
        for log in logs:
            traffic = unwrap(log.get("trafficType"))
            if traffic is UNKNOWN:
                found.append(unknown(f"{log.name}: trafficType not known yet", urn=log.urn))
            elif traffic != "ALL":
                found.append(
                    fail(f"{log.name}: trafficType is {traffic!r}, not 'ALL'", urn=log.urn)
                )
    return found


@controls.resource_rule(
    id="EC2.15",
    title="No auto-assigned public IPs",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_130",
    covers=("CKV_AWS_130",),
    applies_to=(aws.SUBNET,),
    exception_allowed=False,
    description="No subnet maps public IPs on launch (public subnets included).",
    why=(
        "A public IP must be a deliberate choice of the workload, not a side effect of the subnet "
        "it lands in."
    ),
)
def subnet_no_auto_public_ip(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """EC2.15: subnets (public ones too) never hand out public IPs automatically."""
    public = truthy(get(props, "mapPublicIpOnLaunch"))
    return require(
        UNKNOWN if public is UNKNOWN else not public,
        "mapPublicIpOnLaunch is true (instances get public IPs without asking)",
    )


_OPEN_PORTS_ALLOWED = frozenset({80.0, 443.0})


@controls.stack_rule(
    id="EC2.18",
    title="0.0.0.0/0 only on 80/443",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_260",
    covers=("CKV_AWS_260",),
    applies_to=(aws.INGRESS_RULE, aws.SG_RULE_LEGACY, aws.SECURITY_GROUP),
    exception_allowed=False,
    description="Ingress from 0.0.0.0/0 or ::/0 only on TCP 80 and 443.",
    why=(
        "Only the web ports face the internet; anything else open to the world is attack surface "
        "that scanners find within minutes."
    ),
)
def open_ingress_only_web(resources: Sequence[Resource]) -> list[Violation]:
    """EC2.18: ingress from 0.0.0.0/0 or ::/0 only on TCP 443 (and 80 for the redirect)."""
    found: list[Violation] = []
    for rule in aws.security_group_rules(resources):
        if rule.direction != "ingress":
            continue
        where = rule.source
        opened = rule.is_open()
        if opened is False:
            continue
        ports = rule.ports()
        protocol = unwrap(rule.protocol)
        if opened is UNKNOWN or ports is None or protocol is UNKNOWN:
            found.append(unknown(f"{where.name}: CIDR or ports not known yet", urn=where.urn))
            continue
        low, high = ports
        if str(protocol) not in ("tcp", "6") or low != high or low not in _OPEN_PORTS_ALLOWED:
            found.append(
                fail(
                    f"{where.name}: open to the internet on {protocol} {low:.0f}-{high:.0f}; "
                    "only TCP 80/443 may be",
                    urn=where.urn,
                )
            )
    return found


HIGH_RISK_PORTS = (20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389,
                   4333, 5000, 5432, 5500, 5601, 6379, 8080, 8088, 8888, 9200, 9300)  # fmt: skip
"""FSBP EC2.19's high-risk ports, plus Redis (6379), which golive's cache uses."""


PULUMI_DEFAULT_SG_DESCRIPTION = "Managed by Pulumi"


@controls.stack_rule(
    id="EC2.19",
    title="No open high-risk ports; tight SG references",
    severity=Severity.HIGH,
    source="FSBP EC2.19/53/54, CKV_AWS_24/25/277/23",
    covers=("EC2.53", "EC2.54", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277", "CKV_AWS_23"),
    applies_to=(aws.SECURITY_GROUP, aws.INGRESS_RULE, aws.EGRESS_RULE, aws.SG_RULE_LEGACY),
    exception_allowed=False,
    description=(
        "No open 22/3389/high-risk ports; descriptions on every SG and rule; "
        "the database and task SGs admit only referenced security groups."
    ),
    why=(
        "SSH, RDP, database and cache ports open to the internet are the most attacked; "
        "descriptions keep every rule reviewable, and admitting security groups rather than "
        "address ranges keeps the database and the tasks reachable only from what needs them."
    ),
)
def sg_rules_tight(resources: Sequence[Resource]) -> list[Violation]:
    """EC2.19/53/54: no open high-risk ports; descriptions everywhere; RDS/task SGs by reference.

    - no rule admits 0.0.0.0/0 or ::/0 to 22, 3389 or another high-risk port (or all ports);
    - every security group and every rule has a description (Pulumi's default does not count);
    - rules of the database's security groups reference a security group, never a CIDR;
    - rules admitting traffic into the ECS tasks' security groups reference the load balancer's.
    """
    found: list[Violation] = []
    rules = aws.security_group_rules(resources)
    for rule in rules:
        where = rule.source
        if rule.direction == "ingress" and rule.is_open() is not False:
            ports = rule.ports()
            if ports is None or rule.is_open() is UNKNOWN:
                found.append(unknown(f"{where.name}: CIDR or ports not known yet", urn=where.urn))
            else:
                risky = [p for p in HIGH_RISK_PORTS if ports[0] <= p <= ports[1]]
                if risky:
                    found.append(
                        fail(
                            f"{where.name}: open to the internet on port(s) {risky}", urn=where.urn
                        )
                    )
        if rule.source.type in (aws.INGRESS_RULE, aws.EGRESS_RULE, aws.SG_RULE_LEGACY):
            found += _described(where, rule.description)
    for group in of_type(resources, aws.SECURITY_GROUP):
        found += _described(group, group.get("description"))
        for rule in rules:
            if rule.source.urn == group.urn:
                found += _described(
                    group, rule.description, what=f"an inline {rule.direction} rule"
                )

    groups = of_type(resources, aws.SECURITY_GROUP)
    database_groups, db_uncertain = _groups_named_by(
        resources, groups, aws.RDS_INSTANCE, "vpcSecurityGroupIds"
    )
    task_groups, task_uncertain = _groups_named_by(
        resources, groups, aws.ECS_SERVICE, "networkConfiguration.securityGroups"
    )
    lb_groups, lb_uncertain = _groups_named_by(
        resources, groups, aws.LOAD_BALANCER, "securityGroups"
    )
    for rule in rules:
        if rule.direction != "ingress":
            continue
        where = rule.source
        uses_cidr = _nonempty(rule.cidrs)
        uses_prefix = _nonempty(rule.prefix_lists)
        by_reference = _nonempty(rule.referenced_group)
        on_db = any3(rule.belongs_to(g) for g in database_groups)
        if on_db is False and db_uncertain:
            on_db = UNKNOWN
        if on_db is not False:
            ok = all3([by_reference, negate(uses_cidr), negate(uses_prefix)])
            if ok is False and on_db is True:
                found.append(
                    fail(
                        f"{where.name}: database SG rule must reference a security group, "
                        "not a CIDR or prefix list",
                        urn=where.urn,
                    )
                )
            elif ok is not True:
                found.append(
                    unknown(f"{where.name}: database SG rule not decidable yet", urn=where.urn)
                )
        on_task = any3(rule.belongs_to(g) for g in task_groups)
        if on_task is False and task_uncertain:
            on_task = UNKNOWN
        if on_task is not False:
            from_lb = _from_groups(rule.referenced_group, lb_groups, lb_uncertain)
            ok = all3([from_lb, negate(uses_cidr), negate(uses_prefix)])
            if ok is False and on_task is True:
                found.append(
                    fail(
                        f"{where.name}: task SG admits traffic from something other than the "
                        "load balancer's security group",
                        urn=where.urn,
                    )
                )
            elif ok is not True:
                found.append(
                    unknown(f"{where.name}: task SG rule not decidable yet", urn=where.urn)
                )
    return found


def _described(resource: Resource, description: Any, what: str = "") -> list[Violation]:
    description = unwrap(description)
    label = f"{resource.name}{f' ({what})' if what else ''}"
    if description is UNKNOWN:
        return [unknown(f"{label}: description not known yet", urn=resource.urn)]
    if not isinstance(description, str) or not description.strip():
        return [fail(f"{label}: no description", urn=resource.urn)]
    if description == PULUMI_DEFAULT_SG_DESCRIPTION:
        return [fail(f"{label}: description is Pulumi's default", urn=resource.urn)]
    return []


def _groups_named_by(
    resources: Sequence[Resource], groups: Sequence[Resource], owner_type: str, path: str
) -> tuple[list[Resource], bool]:
    """Security groups that resources of `owner_type` name in their property `path`."""
    named: list[Resource] = []
    uncertain = False
    for owner in of_type(resources, owner_type):
        refs = as_list(owner.get(path))
        if refs is UNKNOWN:
            uncertain = True
            continue
        for ref in refs:
            matched, unsure = referenced(ref, groups)
            uncertain = uncertain or unsure
            named += [g for g in matched if g not in named]
    return named, uncertain


def _from_groups(value: Any, groups: Sequence[Resource], uncertain: bool) -> Tri:
    refs = as_list(value)
    if refs is UNKNOWN:
        return UNKNOWN
    if not refs:
        return False
    answers = [any3(refers_to(ref, g) for g in groups) for ref in refs]
    verdict = all3(answers)
    return UNKNOWN if verdict is False and uncertain else verdict


def _nonempty(value: Any) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, list):
        if any(unwrap(v) is UNKNOWN for v in value):  # pyright: ignore[reportUnknownVariableType]
            return UNKNOWN
        return any(v not in (None, "") for v in value)  # pyright: ignore[reportUnknownVariableType]
    return value not in (None, "")


REQUIRED_GATEWAY_ENDPOINTS = frozenset({"s3"})


REQUIRED_INTERFACE_ENDPOINTS = frozenset({"ecr.api", "ecr.dkr", "logs", "secretsmanager"})


@controls.stack_rule(
    id="EC2.10",
    title="VPC endpoints",
    severity=Severity.MEDIUM,
    source="FSBP EC2.10/55/56",
    covers=("EC2.55", "EC2.56"),
    applies_to=(aws.VPC,),
    exception_allowed=True,
    exception_never_covers="the S3 gateway endpoint (it is free)",
    description="S3 gateway endpoint; interface ones: ecr.api, ecr.dkr, logs, secretsmanager.",
    why=(
        "Image pulls, logs and secrets stay on the AWS network instead of crossing NAT gateways: "
        "no internet path, and no NAT data charges for them."
    ),
)
def vpc_endpoints(resources: Sequence[Resource]) -> list[Violation]:
    """EC2.10/55/56: the S3 gateway endpoint, and interface endpoints for ECR, logs, secrets.

    The S3 gateway is free and always required; the interface endpoints (~$7.30 per endpoint
    per AZ a month) are what a stack may declare an exception for.
    """
    services: set[str] = set()
    undecided = False
    for endpoint in of_type(resources, aws.VPC_ENDPOINT):
        name = unwrap(endpoint.get("serviceName"))
        if name is UNKNOWN:
            undecided = True
        elif isinstance(name, str):
            # com.amazonaws.<region>.<service>: the service part may itself hold dots (ecr.api).
            parts = name.split(".", 3)
            services.add(parts[3] if len(parts) == 4 else name)
    found: list[Violation] = []
    for required, waivable in (
        (REQUIRED_GATEWAY_ENDPOINTS, False),
        (REQUIRED_INTERFACE_ENDPOINTS, True),
    ):
        missing = sorted(required - services)
        if missing:
            make = unknown if undecided else fail
            found.append(make(f"no VPC endpoint for {', '.join(missing)}", waivable=waivable))
    return found


@controls.stack_rule(
    id="REL10.NAT",
    title="NAT gateway per AZ",
    severity=Severity.MEDIUM,
    source="WA REL10",
    applies_to=(aws.NAT_GATEWAY,),
    exception_allowed=True,
    description=(
        "Where tasks reach the internet through NAT: one NAT gateway per AZ, so an AZ outage "
        "keeps egress in the others. Without NAT (tasks on public IPs, ECS.2) nothing depends "
        "on one gateway."
    ),
    why=(
        "Private subnets reach the internet through NAT; with one gateway, losing its AZ cuts "
        "egress (image pulls, external APIs) for the tasks in every AZ."
    ),
)
def nat_per_az(resources: Sequence[Resource]) -> list[Violation]:
    """REL10 (NAT): one public NAT gateway per availability zone the VPC spans."""
    zones: set[str] = set()
    for subnet in of_type(resources, aws.SUBNET):
        zone = unwrap(subnet.get("availabilityZone"))
        if zone is None:
            zone = unwrap(subnet.get("availabilityZoneId"))
        if zone is UNKNOWN:
            return [unknown("a subnet's availability zone is not known yet")]
        if isinstance(zone, str):
            zones.add(zone)
    nats = [
        n for n in of_type(resources, aws.NAT_GATEWAY) if n.get("connectivityType") != "private"
    ]
    if len(nats) < len(zones):
        return [fail(f"{len(nats)} NAT gateway(s) for {len(zones)} AZs: an AZ outage cuts egress")]
    return []
