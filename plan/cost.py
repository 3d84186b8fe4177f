"""Monthly cost estimate of a recorded plan, at the list prices of the stack's region.

Counts what the plan declares (NAT gateways, public IPv4 addresses of NAT gateways, of an
internet-facing load balancer and of tasks on public IPs, the ALB, Fargate tasks at their
released counts, scheduled tasks at Fargate's one-minute minimum per run, RDS instances and
read replicas, cache nodes, storage, secrets, keys, alarms beyond the free tier, interface
endpoints, WAF) and prices it per 730-hour month from
`aws_facts.prices`. Usage-based charges (data transfer, requests, log ingestion, CloudFront) are
listed without a figure: they depend on traffic. A region without prices there gets no figures
at all, and says so, rather than another region's; an item the region has no sourced figure for
(an instance class not listed, the load balancer hour where none was found) is marked "no price"
and left out of the total, which names how many were; a total above `budget.monthlyUsd` is a
warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from aws_facts.prices import (
    ALARM_MONTH,
    ARM_DISCOUNT,
    DASHBOARD_MONTH,
    FREE_ALARMS,
    FREE_DASHBOARDS,
    KMS_KEY_MONTH,
    PRICES,
    PUBLIC_IPV4_HOUR,
    SECRET_MONTH,
    SPOT_DISCOUNT,
    VALKEY_DISCOUNT,
    WAF_ACL_MONTH,
    WAF_RULE_MONTH,
    RegionPrices,
)
from plan.harness import Plan, RecordedResource, unwrap_secrets

HOURS = 730.0


@dataclass(frozen=True)
class LineItem:
    item: str
    quantity: str
    monthly_usd: float | None
    """None: usage-based, or no price for the stack's region."""
    unpriced: bool = False
    """A fixed charge with no sourced figure for the stack's region: left out of the total."""


@dataclass
class CostEstimate:
    region: str
    prices: RegionPrices | None
    """The region's list prices; None: golive has none for it (no figures at all)."""
    budget_usd: float | None = None
    """`budget.monthlyUsd`, when the stack file sets one."""
    items: list[LineItem] = field(default_factory=list[LineItem])

    @property
    def fixed_monthly_usd(self) -> float | None:
        """The priced items' sum; None without prices for the region."""
        if self.prices is None:
            return None
        return round(sum(i.monthly_usd or 0.0 for i in self.items), 2)

    @property
    def unpriced(self) -> list[LineItem]:
        """Fixed charges the region has no sourced figure for (not in the total)."""
        return [i for i in self.items if i.unpriced]

    @property
    def basis(self) -> str:
        """Whose prices these are, for every place that shows a figure."""
        if self.prices is None:
            return (
                f"no prices for {self.region}: golive has list prices for {', '.join(PRICES)} only"
            )
        basis = f"{self.region} list prices read {self.prices.read_on}, USD"
        if missing := len(self.unpriced):
            basis += f"; {missing} item(s) with no price for {self.region}, not in the total"
        return basis

    def warnings(self) -> list[str]:
        """The estimate above the stack's budget, or no estimate to compare with it."""
        total = self.fixed_monthly_usd
        if self.budget_usd is None:
            return []
        if total is None:
            return [
                f"budget.monthlyUsd is ${self.budget_usd:,.2f}, but there are no prices for "
                f"{self.region} to check the stack against it"
            ]
        if total > self.budget_usd:
            return [
                f"the fixed monthly estimate ${total:,.2f} exceeds budget.monthlyUsd "
                f"${self.budget_usd:,.2f} before any usage ({self.basis})"
            ]
        if self.unpriced:
            names = ", ".join(i.item for i in self.unpriced)
            return [
                f"the fixed monthly estimate ${total:,.2f} is within budget.monthlyUsd "
                f"${self.budget_usd:,.2f} but leaves out what has no price for {self.region}: "
                f"{names}"
            ]
        return []

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "basis": self.basis,
            "fixedMonthlyUsd": self.fixed_monthly_usd,
            "budgetMonthlyUsd": self.budget_usd,
            "items": [
                {
                    "item": i.item,
                    "quantity": i.quantity,
                    "monthlyUsd": i.monthly_usd,
                    "noPrice": i.unpriced,
                }
                for i in self.items
            ],
        }

    def add(self, item: str, quantity: str, monthly: float | None) -> None:
        priced = None if monthly is None or self.prices is None else round(monthly, 2)
        self.items.append(LineItem(item, quantity, priced))

    def add_fixed(self, item: str, quantity: str, monthly: float | None) -> None:
        """A fixed charge whose figure is None when the region has no sourced price for it:
        marked "no price" rather than taken for usage."""
        self.add(item, quantity, monthly)
        if monthly is None and self.prices is not None:
            self.items[-1] = LineItem(item, quantity, None, unpriced=True)

    def price(self, name: str) -> float:
        """The region's price `name` (a `RegionPrices` field); 0 without prices, where `add`
        drops every figure anyway."""
        return 0.0 if self.prices is None else float(getattr(self.prices, name))


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


@dataclass(frozen=True)
class _TaskSize:
    """What one Fargate task of a task definition costs an hour, before Spot."""

    vcpu: float
    memory_gb: float
    arch: str
    hourly: float

    @classmethod
    def of(cls, definition: dict[str, Any], estimate: CostEstimate) -> _TaskSize:
        vcpu = _number(definition.get("cpu")) / 1024
        memory_gb = _number(definition.get("memory")) / 1024
        arch = str(_mapping(definition.get("runtimePlatform")).get("cpuArchitecture", "X86_64"))
        hourly = vcpu * estimate.price("fargate_vcpu_hour") + memory_gb * estimate.price(
            "fargate_gb_hour"
        )
        return cls(vcpu, memory_gb, arch, hourly * (1 - ARM_DISCOUNT if arch == "ARM64" else 1))

    def task_hours(self, count: float, strategies: Any) -> tuple[float, str]:
        """The on-demand-equivalent task count of `count` tasks under a capacity provider
        strategy, and the kind to show: the on-demand base (`onDemandBase`) always runs on
        regular Fargate, Spot takes the rest."""
        strategy = [_mapping(s) for s in _sequence(strategies)]
        spot = self.arch != "ARM64" and any(
            s.get("capacityProvider") == "FARGATE_SPOT" and _number(s.get("weight")) > 0
            for s in strategy
        )
        if not spot:
            return count, self.arch
        base = sum(
            _number(s.get("base")) for s in strategy if s.get("capacityProvider") == "FARGATE"
        )
        on_demand = min(count, base)
        return on_demand + (count - on_demand) * (1 - SPOT_DISCOUNT), f"{self.arch}, Spot"

    def label(self, kind: str) -> str:
        return f"{self.vcpu:g} vCPU, {self.memory_gb:g} GB, {kind}"


def _task_definitions(plan: Plan) -> dict[Any, dict[str, Any]]:
    return {
        d.outputs.get("arn"): _inputs(d)
        for d in plan.of_type("aws:ecs/taskDefinition:TaskDefinition")
    }


def _fargate(plan: Plan, estimate: CostEstimate) -> int:
    """Prices each service's tasks; returns how many of them run on public IPs."""
    public_ip_tasks = 0
    definitions = _task_definitions(plan)
    released = _released_counts(plan)
    for service in plan.of_type("aws:ecs/service:Service"):
        inputs = _inputs(service)
        definition = definitions.get(inputs.get("taskDefinition"))
        if definition is None:
            continue
        name = str(service.outputs.get("name") or inputs.get("name") or service.name)
        count, is_released = released.get(name, (_number(inputs.get("desiredCount"), 0.0), True))
        if _mapping(inputs.get("networkConfiguration")).get("assignPublicIp"):
            public_ip_tasks += round(count)
        size = _TaskSize.of(definition, estimate)
        tasks, kind = size.task_hours(count, inputs.get("capacityProviderStrategies"))
        quantity = f"{count:g} task(s)" + ("" if is_released else " once released")
        estimate.add(
            f"Fargate {service.name} ({size.label(kind)})", quantity, size.hourly * tasks * HOURS
        )
    return public_ip_tasks


_RATE_MINUTES = {"minute": 1.0, "hour": 60.0, "day": 1440.0}


def runs_a_month(expression: str) -> float | None:
    """How often a `rate(...)` schedule runs in a 730-hour month; None for `cron` and `at`."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression.strip())
    if match is None:
        return None
    return HOURS * 60 / (int(match[1]) * _RATE_MINUTES[match[2]])


def _schedules(plan: Plan, estimate: CostEstimate) -> None:
    """Prices each scheduled task at Fargate's one-minute minimum per run: a task ticking every
    minute costs as much as one that never stops."""
    definitions = _task_definitions(plan)
    for schedule in plan.of_type("aws:scheduler/schedule:Schedule"):
        inputs = _inputs(schedule)
        ecs = _mapping(_mapping(inputs.get("target")).get("ecsParameters"))
        definition = definitions.get(ecs.get("taskDefinitionArn"))
        if definition is None:
            continue
        expression = str(inputs.get("scheduleExpression", ""))
        runs = runs_a_month(expression)
        size = _TaskSize.of(definition, estimate)
        count = _number(ecs.get("taskCount"), 1.0)
        tasks, kind = size.task_hours(count, ecs.get("capacityProviderStrategies"))
        estimate.add(
            f"Fargate {schedule.name} ({size.label(kind)}, 1 minute a run at least)",
            expression,
            None if runs is None else size.hourly * tasks * runs / 60,
        )


def _database(plan: Plan, estimate: CostEstimate) -> None:
    for db in plan.of_type("aws:rds/instance:Instance"):
        inputs = _inputs(db)
        klass = str(inputs.get("instanceClass", ""))
        copies = 2 if inputs.get("multiAz") else 1
        hourly = estimate.prices.rds_hour.get(klass) if estimate.prices else None
        replica = " read replica" if inputs.get("replicateSourceDb") else ""
        estimate.add_fixed(
            f"RDS {klass}{replica}{' Multi-AZ' if copies == 2 else ''}",
            "1 instance",
            None if hourly is None else hourly * HOURS * copies,
        )
        storage = _number(inputs.get("allocatedStorage"), 20)
        estimate.add(
            f"RDS gp3 storage{replica}",
            f"{storage:g} GB x{copies}",
            storage * estimate.price("gp3_gb_month") * copies,
        )


def _cache(plan: Plan, estimate: CostEstimate) -> None:
    for group in plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        inputs = _inputs(group)
        node = str(inputs.get("nodeType", ""))
        nodes = _number(inputs.get("numCacheClusters"), 1)
        hourly = estimate.prices.cache_hour.get(node) if estimate.prices else None
        if hourly is not None and str(inputs.get("engine", "")).lower() == "valkey":
            hourly *= 1 - VALKEY_DISCOUNT
        estimate.add_fixed(
            f"ElastiCache {node} ({inputs.get('engine', 'redis')})",
            f"{nodes:g} node(s)",
            None if hourly is None else hourly * HOURS * nodes,
        )


def _network(plan: Plan, estimate: CostEstimate, public_ip_tasks: int) -> None:
    nats = len(plan.of_type("aws:ec2/natGateway:NatGateway"))
    if nats:
        per_gb = f"${estimate.price('nat_gb'):g}/GB" if estimate.prices else "per GB"
        estimate.add(
            f"NAT gateway (+ {per_gb} processed)",
            f"{nats}",
            nats * estimate.price("nat_hour") * HOURS,
        )
    eips = len(plan.of_type("aws:ec2/eip:Eip"))
    public_ips = eips
    for lb in plan.of_type("aws:lb/loadBalancer:LoadBalancer"):
        inputs = _inputs(lb)
        hourly = estimate.prices.alb_hour if estimate.prices else 0.0
        estimate.add_fixed(
            "Application Load Balancer (+ LCU usage)",
            "1",
            None if hourly is None else hourly * HOURS,
        )
        if not inputs.get("internal"):
            # An internet-facing load balancer holds a public address in each of its subnets.
            public_ips += len(inputs.get("subnets") or [])
    if public_ips:
        estimate.add(
            "Public IPv4 addresses (NAT gateways, internet-facing load balancer)",
            f"{public_ips}",
            public_ips * PUBLIC_IPV4_HOUR * HOURS,
        )
    if public_ip_tasks:
        # Each Fargate task on a public IP (`nat: none`) holds one address while it runs.
        estimate.add(
            "Public IPv4 addresses of tasks (+ one-off and scheduled tasks while they run)",
            f"{public_ip_tasks}",
            public_ip_tasks * PUBLIC_IPV4_HOUR * HOURS,
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
                subnets * estimate.price("interface_endpoint_az_hour") * HOURS,
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
    """The plan's fixed monthly cost at its region's prices, item by item, plus the usage-based
    items."""
    from stacks.config import parse

    cfg = parse(plan.stack, plan.config)
    result = CostEstimate(
        region=cfg.region,
        prices=PRICES.get(cfg.region),
        budget_usd=cfg.budget.monthly_usd if cfg.budget else None,
    )
    public_ip_tasks = _fargate(plan, result)
    _schedules(plan, result)
    _network(plan, result, public_ip_tasks)
    _database(plan, result)
    _cache(plan, result)
    _managed_services(plan, result)
    _usage_based(plan, result)
    return result
