"""Monthly cost estimate of a recorded plan, from AWS list prices (us-east-1, on demand).

Counts what the plan declares (NAT gateways, public IPv4 addresses, the ALB, Fargate tasks at
their released counts, RDS and cache nodes, storage, secrets, keys, alarms beyond the free tier,
interface endpoints, WAF) and prices it per 730-hour month. Usage-based charges (data transfer,
requests, log ingestion, CloudFront) are listed without a figure: they depend on traffic.
Prices are list prices (us-east-1, gathered 2026); other regions typically cost 5-25% more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from plan.harness import Plan, RecordedResource, unwrap_secrets

HOURS = 730.0

ALB_HOUR = 0.0225
NAT_HOUR = 0.045
PUBLIC_IPV4_HOUR = 0.005
FARGATE_VCPU_HOUR = 0.04048
FARGATE_GB_HOUR = 0.004445
ARM_DISCOUNT = 0.20
SPOT_DISCOUNT = 0.70
GP3_GB_MONTH = 0.115
SECRET_MONTH = 0.40
KMS_KEY_MONTH = 1.00
ALARM_MONTH = 0.10
FREE_ALARMS = 10
DASHBOARD_MONTH = 3.00
FREE_DASHBOARDS = 3
INTERFACE_ENDPOINT_AZ_HOUR = 0.01
WAF_ACL_MONTH = 5.00
WAF_RULE_MONTH = 1.00

RDS_HOUR: dict[str, float] = {
    "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129, "db.t4g.xlarge": 0.258, "db.t4g.2xlarge": 0.517,
    "db.t3.micro": 0.018, "db.t3.small": 0.036, "db.t3.medium": 0.072, "db.t3.large": 0.145,
    "db.m7g.large": 0.168, "db.m7g.xlarge": 0.337, "db.m7g.2xlarge": 0.674,
    "db.m6g.large": 0.159, "db.m6g.xlarge": 0.318, "db.m6i.large": 0.178, "db.m5.large": 0.178,
    "db.r7g.large": 0.239, "db.r7g.xlarge": 0.478, "db.r6g.large": 0.225,
}  # fmt: skip
CACHE_HOUR: dict[str, float] = {
    "cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
    "cache.t3.micro": 0.017, "cache.t3.small": 0.034, "cache.t3.medium": 0.068,
    "cache.m7g.large": 0.158, "cache.m6g.large": 0.149, "cache.r7g.large": 0.219,
}  # fmt: skip
VALKEY_DISCOUNT = 0.20


@dataclass(frozen=True)
class LineItem:
    item: str
    quantity: str
    monthly_usd: float | None
    """None: usage-based, no fixed monthly figure."""


@dataclass
class CostEstimate:
    items: list[LineItem] = field(default_factory=list[LineItem])

    @property
    def fixed_monthly_usd(self) -> float:
        return round(sum(i.monthly_usd or 0.0 for i in self.items), 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "fixedMonthlyUsd": self.fixed_monthly_usd,
            "items": [
                {"item": i.item, "quantity": i.quantity, "monthlyUsd": i.monthly_usd}
                for i in self.items
            ],
        }

    def add(self, item: str, quantity: str, monthly: float | None) -> None:
        self.items.append(LineItem(item, quantity, None if monthly is None else round(monthly, 2)))


def _inputs(resource: RecordedResource) -> dict[str, Any]:
    return unwrap_secrets(resource.inputs)


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _mapping(value: Any) -> dict[str, Any]:
    return cast(dict[str, Any], value) if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return cast(list[Any], value) if isinstance(value, list) else []


def _released_counts(plan: Plan) -> dict[str, tuple[float, bool]]:
    """ECS service name -> (tasks it runs once released, whether it is released yet).

    A service runs 0 tasks until its first release; the estimate prices what the stack file
    asks for after it (the autoscaling floor, or the desired count), so the figure is the bill
    a user will get, not the empty pre-release stack's.
    """
    from stacks.config import parse

    configured = parse(plan.stack, plan.config).services
    counts: dict[str, tuple[float, bool]] = {}
    for name, value in _mapping(unwrap_secrets(plan.outputs.get("services"))).items():
        entry = _mapping(value)
        service = configured.get(name)
        if not entry.get("serviceName") or service is None:
            continue
        floor = service.autoscaling.min_count if service.autoscaling else service.desired_count
        counts[str(entry["serviceName"])] = (float(floor), bool(entry.get("released", True)))
    return counts


def _fargate(plan: Plan, estimate: CostEstimate) -> None:
    definitions = {
        d.outputs.get("arn"): _inputs(d)
        for d in plan.of_type("aws:ecs/taskDefinition:TaskDefinition")
    }
    released = _released_counts(plan)
    for service in plan.of_type("aws:ecs/service:Service"):
        inputs = _inputs(service)
        definition = definitions.get(inputs.get("taskDefinition"))
        if definition is None:
            continue
        name = str(service.outputs.get("name") or inputs.get("name") or service.name)
        count, is_released = released.get(name, (_number(inputs.get("desiredCount"), 0.0), True))
        vcpu = _number(definition.get("cpu")) / 1024
        memory_gb = _number(definition.get("memory")) / 1024
        hourly = vcpu * FARGATE_VCPU_HOUR + memory_gb * FARGATE_GB_HOUR
        arch = str(_mapping(definition.get("runtimePlatform")).get("cpuArchitecture", "X86_64"))
        strategy = [_mapping(s) for s in _sequence(inputs.get("capacityProviderStrategies"))]
        spot = arch != "ARM64" and any(
            s.get("capacityProvider") == "FARGATE_SPOT" and _number(s.get("weight")) > 0
            for s in strategy
        )
        if arch == "ARM64":
            hourly *= 1 - ARM_DISCOUNT
        # The on-demand base (`onDemandBase`) always runs on regular Fargate; Spot takes the rest.
        base = sum(
            _number(s.get("base")) for s in strategy if s.get("capacityProvider") == "FARGATE"
        )
        on_demand = min(count, base) if spot else count
        monthly = hourly * HOURS * (on_demand + (count - on_demand) * (1 - SPOT_DISCOUNT))
        kind = f"{arch}, Spot" if spot else arch
        label = f"Fargate {service.name} ({vcpu:g} vCPU, {memory_gb:g} GB, {kind})"
        quantity = f"{count:g} task(s)" + ("" if is_released else " once released")
        estimate.add(label, quantity, monthly)


def _database(plan: Plan, estimate: CostEstimate) -> None:
    for db in plan.of_type("aws:rds/instance:Instance"):
        inputs = _inputs(db)
        klass = str(inputs.get("instanceClass", ""))
        copies = 2 if inputs.get("multiAz") else 1
        hourly = RDS_HOUR.get(klass)
        replica = " read replica" if inputs.get("replicateSourceDb") else ""
        estimate.add(
            f"RDS {klass}{replica}{' Multi-AZ' if copies == 2 else ''}",
            "1 instance",
            None if hourly is None else hourly * HOURS * copies,
        )
        storage = _number(inputs.get("allocatedStorage"), 20)
        estimate.add(
            f"RDS gp3 storage{replica}",
            f"{storage:g} GB x{copies}",
            storage * GP3_GB_MONTH * copies,
        )


def _cache(plan: Plan, estimate: CostEstimate) -> None:
    for group in plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        inputs = _inputs(group)
        node = str(inputs.get("nodeType", ""))
        nodes = _number(inputs.get("numCacheClusters"), 1)
        hourly = CACHE_HOUR.get(node)
        if hourly is not None and str(inputs.get("engine", "")).lower() == "valkey":
            hourly *= 1 - VALKEY_DISCOUNT
        estimate.add(
            f"ElastiCache {node} ({inputs.get('engine', 'redis')})",
            f"{nodes:g} node(s)",
            None if hourly is None else hourly * HOURS * nodes,
        )


def _network(plan: Plan, estimate: CostEstimate) -> None:
    nats = len(plan.of_type("aws:ec2/natGateway:NatGateway"))
    if nats:
        estimate.add("NAT gateway (+ $0.045/GB processed)", f"{nats}", nats * NAT_HOUR * HOURS)
    eips = len(plan.of_type("aws:ec2/eip:Eip"))
    public_ips = eips
    for lb in plan.of_type("aws:lb/loadBalancer:LoadBalancer"):
        inputs = _inputs(lb)
        estimate.add("Application Load Balancer (+ LCU usage)", "1", ALB_HOUR * HOURS)
        if not inputs.get("internal"):
            public_ips += len(inputs.get("subnets") or [])
    if public_ips:
        estimate.add(
            "Public IPv4 addresses", f"{public_ips}", public_ips * PUBLIC_IPV4_HOUR * HOURS
        )
    azs = len(plan.outputs.get("availabilityZones") or [])
    for endpoint in plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        inputs = _inputs(endpoint)
        if inputs.get("vpcEndpointType") == "Interface":
            subnets = len(inputs.get("subnetIds") or []) or azs
            service = str(inputs.get("serviceName", "")).rsplit(".", 1)[-1]
            estimate.add(
                f"Interface endpoint {service}",
                f"{subnets} AZ(s)",
                subnets * INTERFACE_ENDPOINT_AZ_HOUR * HOURS,
            )


def _managed_services(plan: Plan, estimate: CostEstimate) -> None:
    secrets = len(plan.of_type("aws:secretsmanager/secret:Secret"))
    if secrets:
        estimate.add("Secrets Manager secrets", f"{secrets}", secrets * SECRET_MONTH)
    keys = len(plan.of_type("aws:kms/key:Key"))
    if keys:
        estimate.add("KMS customer keys", f"{keys}", keys * KMS_KEY_MONTH)
    alarms = len(plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))
    if alarms:
        billable = max(alarms - FREE_ALARMS, 0)
        estimate.add(
            f"CloudWatch alarms ({FREE_ALARMS} free per account)",
            f"{alarms}",
            billable * ALARM_MONTH,
        )
    dashboards = len(plan.of_type("aws:cloudwatch/dashboard:Dashboard"))
    if dashboards:
        billable = max(dashboards - FREE_DASHBOARDS, 0)
        estimate.add(
            f"CloudWatch dashboards ({FREE_DASHBOARDS} free per account)",
            f"{dashboards}",
            billable * DASHBOARD_MONTH,
        )
    for acl in plan.of_type("aws:wafv2/webAcl:WebAcl"):
        rules = len(_inputs(acl).get("rules") or [])
        estimate.add(
            "WAF web ACL (+ $0.60 per million requests)",
            f"{rules} rule(s)",
            WAF_ACL_MONTH + rules * WAF_RULE_MONTH,
        )


def _usage_based(plan: Plan, estimate: CostEstimate) -> None:
    usage = [
        ("aws:cloudfront/distribution:Distribution", "CloudFront requests and transfer"),
        ("aws:cloudwatch/logGroup:LogGroup", "CloudWatch Logs ingestion ($0.50/GB) and storage"),
        ("aws:s3/bucket:Bucket", "S3 storage and requests"),
        ("aws:ecr/repository:Repository", "ECR image storage ($0.10/GB-month)"),
    ]
    for token, label in usage:
        count = len(plan.of_type(token))
        if count:
            estimate.add(label, f"{count}", None)


def estimate(plan: Plan) -> CostEstimate:
    """The plan's fixed monthly cost, item by item, plus the usage-based items."""
    result = CostEstimate()
    _network(plan, result)
    _fargate(plan, result)
    _database(plan, result)
    _cache(plan, result)
    _managed_services(plan, result)
    _usage_based(plan, result)
    return result
