"""The controls of `../shared/CONTROLS.md` as plain rule functions, shared by tests and the pack.

Two kinds of rule:

- resource rules `(resource_type, props, options) -> list[Violation]` look at one resource's
  camelCase inputs and options (the policy pack's `ResourceValidationPolicy`);
- stack rules `(resources) -> list[Violation]` look at relations between resources, such as
  "a FlowLog refers to each VPC" (the pack's `StackValidationPolicy`).

A rule returns no violations when the control holds. A value that is not known yet (a preview
before the resources exist) yields an `unknown` violation, never a pass: see `policies.values`.
Rules never see the stack's name; what a stack may relax comes from `policies.context`.

`CONTROLS` at the bottom lists every control with its ID, severity, source, resource types and
whether a stack may declare an exception for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aws_facts.cloudfront import MANAGED_SECURITY_HEADERS_POLICY
from policies import aws
from policies.aws import of_type, referenced, referrers, refers_to
from policies.model import Control, Outcome, Resource, Severity, Violation, fail, unknown
from policies.values import (
    UNKNOWN,
    Tri,
    all3,
    any3,
    as_list,
    as_number,
    get,
    is_true,
    parse_json,
    truthy,
    unwrap,
)

Props = Mapping[str, Any]
Options = Mapping[str, Any]


# ----------------------------------------------------------------------------- rule helpers


def _require(answer: Tri, message: str, *, waivable: bool = True) -> list[Violation]:
    """A violation when `answer` is not True: fail if False, unknown if undecidable."""
    if answer is True:
        return []
    if answer is UNKNOWN:
        return [unknown(f"cannot check yet: {message}", waivable=waivable)]
    return [fail(message, waivable=waivable)]


def _is_set(value: Any) -> Tri:
    """A non-empty value (string, list, map); unknown stays unknown."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value is not None and value not in ("", [], {})


def _not_equal(value: Any, bad: Any) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value != bad


def _number_at_least(value: Any, minimum: float) -> Tri:
    number = as_number(value)
    if number is UNKNOWN:
        return UNKNOWN
    return number is not None and number >= minimum


def _not_aws_managed_key(value: Any) -> Tri:
    """A customer key: set, and not an `alias/aws/...` AWS-managed key."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return isinstance(value, str) and bool(value) and "alias/aws/" not in value


def _container_definitions(props: Props) -> list[dict[str, Any]] | None:
    """`containerDefinitions` parsed (a JSON string); None when unknown."""
    parsed = parse_json(get(props, "containerDefinitions"))
    if parsed is UNKNOWN:
        return None
    listed = as_list(parsed)
    if listed is UNKNOWN or any(item is UNKNOWN for item in listed):
        return None
    return [c for c in listed if isinstance(c, dict)]


_UNKNOWN_DEFINITIONS = [unknown("cannot check yet: containerDefinitions is not known")]


# ----------------------------------------------------------------------------- VPC / EC2


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


def subnet_no_auto_public_ip(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """EC2.15: subnets (public ones too) never hand out public IPs automatically."""
    public = truthy(get(props, "mapPublicIpOnLaunch"))
    return _require(
        UNKNOWN if public is UNKNOWN else not public,
        "mapPublicIpOnLaunch is true (instances get public IPs without asking)",
    )


_OPEN_PORTS_ALLOWED = frozenset({80.0, 443.0})


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
            ok = all3([by_reference, _negate(uses_cidr), _negate(uses_prefix)])
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
            ok = all3([from_lb, _negate(uses_cidr), _negate(uses_prefix)])
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


def _negate(value: Tri) -> Tri:
    return UNKNOWN if value is UNKNOWN else not value


REQUIRED_GATEWAY_ENDPOINTS = frozenset({"s3"})
REQUIRED_INTERFACE_ENDPOINTS = frozenset({"ecr.api", "ecr.dkr", "logs", "secretsmanager"})


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


# ----------------------------------------------------------------------------- ECS


def tasks_not_privileged(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.4: no container runs privileged."""
    containers = _container_definitions(props)
    if containers is None:
        return list(_UNKNOWN_DEFINITIONS)
    found: list[Violation] = []
    for c in containers:
        privileged = unwrap(c.get("privileged"))
        if privileged is UNKNOWN:
            found.append(unknown(f"container {c.get('name')}: privileged not known yet"))
        elif privileged:
            found.append(fail(f"container {c.get('name')} is privileged"))
    return found


def read_only_root(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.5: every container's root filesystem is read-only (writable paths are volumes)."""
    containers = _container_definitions(props)
    if containers is None:
        return list(_UNKNOWN_DEFINITIONS)
    found: list[Violation] = []
    for c in containers:
        found += _require(
            is_true(c.get("readonlyRootFilesystem")),
            f"container {c.get('name')}: readonlyRootFilesystem is not true",
        )
    return found


SECRET_LIKE_NAME = re.compile(r"(?i)pass|secret|token|key")


def no_secrets_in_environment(
    resource_type: str, props: Props, options: Options
) -> list[Violation]:
    """ECS.8: nothing secret-looking in plain `environment`; secrets go in `secrets`."""
    containers = _container_definitions(props)
    if containers is None:
        return list(_UNKNOWN_DEFINITIONS)
    found: list[Violation] = []
    for c in containers:
        environment = as_list(c.get("environment"))
        if environment is UNKNOWN:
            found.append(unknown(f"container {c.get('name')}: environment not known yet"))
            continue
        for variable in environment:
            name = unwrap(get(variable, "name"))
            if isinstance(name, str) and SECRET_LIKE_NAME.search(name):
                found.append(
                    fail(
                        f"container {c.get('name')}: environment variable {name} looks like a "
                        "secret; pass it in `secrets` from Secrets Manager"
                    )
                )
    return found


def task_isolation(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.1/3: awsvpc networking, no host PID namespace, execution role != task role."""
    found = _require(
        _equals(get(props, "networkMode"), "awsvpc"), "networkMode is not awsvpc", waivable=False
    )
    found += _require(_not_equal(get(props, "pidMode"), "host"), "pidMode is host", waivable=False)
    execution, task = unwrap(get(props, "executionRoleArn")), unwrap(get(props, "taskRoleArn"))
    if execution is UNKNOWN or task is UNKNOWN:
        # Both usually come from roles created in the same update: only decidable after it.
        if execution is not None and task is not None:
            found.append(unknown("cannot check yet: execution and task role ARNs are not known"))
    elif execution is not None and execution == task:
        found.append(
            fail(
                "the execution role is also the task role: the app could read every "
                "secret the agent can"
            )
        )
    return found


def _equals(value: Any, expected: Any) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value == expected


def container_logging(resources: Sequence[Resource]) -> list[Violation]:
    """ECS.9: every container logs with awslogs to a log group this stack manages."""
    found: list[Violation] = []
    groups = of_type(resources, aws.LOG_GROUP)
    for task in of_type(resources, aws.TASK_DEFINITION):
        containers = _container_definitions(task.inputs)
        if containers is None:
            found.append(unknown(f"{task.name}: containerDefinitions not known yet", urn=task.urn))
            continue
        for c in containers:
            label = f"{task.name}/{c.get('name')}"
            driver = unwrap(get(c, "logConfiguration.logDriver"))
            if driver is UNKNOWN:
                found.append(unknown(f"{label}: log driver not known yet", urn=task.urn))
                continue
            if driver != "awslogs":
                found.append(fail(f"{label}: log driver is {driver!r}, not awslogs", urn=task.urn))
                continue
            group = get(c, "logConfiguration.options.awslogs-group")
            matched, uncertain = referenced(group, groups, "name")
            if not matched:
                make = unknown if uncertain or unwrap(group) is UNKNOWN else fail
                found.append(
                    make(
                        f"{label}: awslogs-group {group!r} is not a log group of this stack",
                        urn=task.urn,
                    )
                )
    return found


def latest_platform(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.10: Fargate services run the latest platform version."""
    version = unwrap(get(props, "platformVersion"))
    if version is UNKNOWN:
        return [unknown("cannot check yet: platformVersion not known")]
    if version not in (None, "LATEST"):
        return [fail(f"platformVersion is pinned to {version!r}; use LATEST (or leave it unset)")]
    return []


def container_insights(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.12: Container Insights is on for the cluster."""
    settings = as_list(get(props, "settings"))
    if settings is UNKNOWN:
        return [unknown("cannot check yet: cluster settings not known")]
    enabled = any3(
        all3(
            [
                _equals(get(s, "name"), "containerInsights"),
                _in(get(s, "value"), ("enabled", "enhanced")),
            ]
        )
        for s in settings
    )
    return _require(enabled, "containerInsights setting is not enabled")


def _in(value: Any, allowed: Sequence[Any]) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value in allowed


def circuit_breaker(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """REL08/11: the deployment circuit breaker is on and rolls back."""
    return _require(
        is_true(get(props, "deploymentCircuitBreaker.enable")),
        "deploymentCircuitBreaker.enable is not true",
    ) + _require(
        is_true(get(props, "deploymentCircuitBreaker.rollback")),
        "deploymentCircuitBreaker.rollback is not true",
    )


def alarm_rollback(resources: Sequence[Resource]) -> list[Violation]:
    """REL08 (alarms): services roll back on alarms, all of which this stack creates."""
    found: list[Violation] = []
    alarms = of_type(resources, aws.METRIC_ALARM)
    for service in of_type(resources, aws.ECS_SERVICE):
        urn = service.urn
        for flag in ("enable", "rollback"):
            for v in _require(is_true(service.get(f"alarms.{flag}")), f"alarms.{flag} is not true"):
                found.append(Violation(f"{service.name}: {v.message}", v.outcome, urn))
        names = as_list(service.get("alarms.alarmNames"))
        if names is UNKNOWN:
            found.append(unknown(f"{service.name}: alarms.alarmNames not known yet", urn=urn))
            continue
        if not names:
            found.append(fail(f"{service.name}: alarms.alarmNames is empty", urn=urn))
        for name in names:
            matched, uncertain = referenced(name, alarms, "name")
            if not matched:
                make = unknown if uncertain or name is UNKNOWN else fail
                found.append(
                    make(f"{service.name}: alarm {name!r} is not created by this stack", urn=urn)
                )
    return found


def _web_services(resources: Sequence[Resource]) -> list[Resource]:
    """Services behind a load balancer (workers are often singletons by design)."""
    services: list[Resource] = []
    for service in of_type(resources, aws.ECS_SERVICE):
        balancers = as_list(service.get("loadBalancers"))
        if balancers is UNKNOWN or balancers:
            services.append(service)
    return services


RELEASED_TAG = "golive:released"
"""components.service tags each ECS service "false" until its first `golive release`."""


def _unreleased(service: Resource) -> bool:
    """A service never released runs 0 tasks by design (nothing to run yet): its task count and
    autoscaling floor are judged once `golive release` records an image, not before, or the
    policy pack would block a stack's first `pulumi up`."""
    return unwrap(service.get(f"tags.{RELEASED_TAG}")) == "false"


def _scaling_targets(
    service: Resource, resources: Sequence[Resource]
) -> tuple[list[Resource], bool]:
    """Application Auto Scaling targets for `service` (`service/<cluster>/<name>`)."""
    names, missing = service.identifiers("name")
    targets: list[Resource] = []
    uncertain = False
    for target in of_type(resources, aws.SCALING_TARGET):
        resource_id = unwrap(target.get("resourceId"))
        if resource_id is UNKNOWN:
            uncertain = True
        elif isinstance(resource_id, str) and resource_id.startswith("service/"):
            if resource_id.rsplit("/", 1)[-1] in names:
                targets.append(target)
            elif missing:
                uncertain = True
    return targets, uncertain


def service_redundancy(resources: Sequence[Resource]) -> list[Violation]:
    """REL10 (tasks): web services run >=2 tasks and deploy without dropping capacity.

    The count is the autoscaling target's minimum when one exists (autoscaling owns
    `desiredCount` then), else `desiredCount`: the part a staging stack may relax. Zero-downtime
    settings (min healthy 100 %, max 200 %, a health-check grace period) hold everywhere.
    """
    found: list[Violation] = []
    for service in _web_services(resources):
        urn = service.urn
        targets, uncertain = _scaling_targets(service, resources)
        if _unreleased(service):
            count: Any = 2.0  # judged after the first release
        elif targets:
            count: Any = min(
                (as_number(t.get("minCapacity")) for t in targets),
                key=lambda n: -1.0 if n is UNKNOWN or n is None else n,
            )
        elif uncertain:
            count = UNKNOWN
        else:
            count = as_number(service.get("desiredCount"))
        if count is UNKNOWN:
            found.append(unknown(f"{service.name}: task count not known yet", urn=urn))
        elif count is None or count < 2:
            found.append(
                fail(
                    f"{service.name}: runs {count or 0:.0f} task(s); >=2 survive an AZ loss",
                    urn=urn,
                )
            )
        checks = (
            (
                _number_or_default(service.get("deploymentMinimumHealthyPercent"), 100.0, 100.0),
                "deploymentMinimumHealthyPercent is below 100 (capacity drops during deploys)",
            ),
            (
                _number_or_default(service.get("deploymentMaximumPercent"), 200.0, 200.0),
                "deploymentMaximumPercent is below 200 (deploys replace tasks one by one)",
            ),
            (
                _number_at_least(service.get("healthCheckGracePeriodSeconds"), 1),
                "healthCheckGracePeriodSeconds is not set (booting tasks get killed)",
            ),
        )
        for answer, message in checks:
            for v in _require(answer, message, waivable=False):
                found.append(Violation(f"{service.name}: {v.message}", v.outcome, urn, False))
    return found


def _number_or_default(value: Any, default: float, minimum: float) -> Tri:
    number = as_number(value)
    if number is UNKNOWN:
        return UNKNOWN
    return (default if number is None else number) >= minimum


CPU_TARGET_RANGE = (50.0, 75.0)
"""Target-tracking CPU target: CONTROLS says ~60-70; below 50 wastes tasks, above 75 leaves no
headroom for the surviving tasks when one AZ fails."""


def autoscaling(resources: Sequence[Resource]) -> list[Violation]:
    """REL07: web services scale on CPU (target tracking) from a minimum of 2 tasks."""
    found: list[Violation] = []
    policies = of_type(resources, aws.SCALING_POLICY)
    for service in _web_services(resources):
        targets, uncertain = _scaling_targets(service, resources)
        if not targets:
            make = unknown if uncertain else fail
            found.append(make(f"{service.name}: no autoscaling target", urn=service.urn))
            continue
        for target in targets:
            floor = True if _unreleased(service) else _number_at_least(target.get("minCapacity"), 2)
            found += [
                Violation(f"{service.name}: {v.message}", v.outcome, service.urn)
                for v in _require(floor, "autoscaling minCapacity is below 2")
            ]
            resource_id = target.get("resourceId")
            verdicts: list[Tri] = []
            for policy in policies:
                same = _equals(policy.get("resourceId"), resource_id)
                metric = _equals(
                    policy.get(
                        "targetTrackingScalingPolicyConfiguration."
                        "predefinedMetricSpecification.predefinedMetricType"
                    ),
                    "ECSServiceAverageCPUUtilization",
                )
                value = as_number(
                    policy.get("targetTrackingScalingPolicyConfiguration.targetValue")
                )
                in_range: Tri = (
                    UNKNOWN
                    if value is UNKNOWN
                    else value is not None and CPU_TARGET_RANGE[0] <= value <= CPU_TARGET_RANGE[1]
                )
                kind = _equals(policy.get("policyType"), "TargetTrackingScaling")
                verdicts.append(all3([same, kind, metric, in_range]))
            found += [
                Violation(f"{service.name}: {v.message}", v.outcome, service.urn)
                for v in _require(
                    any3(verdicts),
                    "no target-tracking policy on ECSServiceAverageCPUUtilization "
                    f"with a target of {CPU_TARGET_RANGE[0]:.0f}-"
                    f"{CPU_TARGET_RANGE[1]:.0f} %",
                )
            ]
    return found


def service_private(resources: Sequence[Resource]) -> list[Violation]:
    """ECS.2: tasks get no public IP and run in subnets without a route to an internet gateway."""
    found: list[Violation] = []
    public, uncertain = aws.public_subnets(resources)
    for service in of_type(resources, aws.ECS_SERVICE):
        assign = truthy(service.get("networkConfiguration.assignPublicIp"))
        for v in _require(_negate(assign), "networkConfiguration.assignPublicIp is true"):
            found.append(Violation(f"{service.name}: {v.message}", v.outcome, service.urn))
        subnets = as_list(service.get("networkConfiguration.subnets"))
        if subnets is UNKNOWN:
            found.append(unknown(f"{service.name}: subnets not known yet", urn=service.urn))
            continue
        for subnet in subnets:
            is_public = any3(refers_to(subnet, s) for s in public)
            if is_public is False and uncertain:
                is_public = UNKNOWN
            for v in _require(_negate(is_public), f"subnet {subnet} routes to an internet gateway"):
                found.append(Violation(f"{service.name}: {v.message}", v.outcome, service.urn))
    return found


# ----------------------------------------------------------------------------- load balancer


def _is_application_lb(props: Props) -> bool:
    return unwrap(get(props, "loadBalancerType")) in (None, "application")


def http_redirects(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.1: an HTTP listener has exactly one default action: redirect to HTTPS (AWSGuard)."""
    protocol = unwrap(get(props, "protocol"))
    if protocol is UNKNOWN:
        return [unknown("cannot check yet: listener protocol not known")]
    if protocol != "HTTP":
        return []
    actions = as_list(get(props, "defaultActions"))
    if actions is UNKNOWN:
        return [unknown("cannot check yet: defaultActions not known")]
    if len(actions) != 1:
        return [fail(f"HTTP listener has {len(actions)} default actions; expected one redirect")]
    redirect = all3(
        [
            _equals(get(actions[0], "type"), "redirect"),
            _equals(get(actions[0], "redirect.protocol"), "HTTPS"),
        ]
    )
    return _require(redirect, "HTTP listener does not redirect to HTTPS")


def drop_invalid_headers(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.4: the ALB drops HTTP headers with invalid names (request smuggling)."""
    if not _is_application_lb(props):
        return []
    return _require(
        is_true(get(props, "dropInvalidHeaderFields")), "dropInvalidHeaderFields is not true"
    )


def alb_access_logs(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.5: access logs are delivered to S3."""
    return _require(is_true(get(props, "accessLogs.enabled")), "accessLogs.enabled is not true")


def alb_deletion_protection(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.6: deletion protection is on."""
    return _require(
        is_true(get(props, "enableDeletionProtection")), "enableDeletionProtection is not true"
    )


def desync_mitigation(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.12: desync mitigation is defensive or strictest (the default is defensive)."""
    if not _is_application_lb(props):
        return []
    return _require(
        _not_equal(get(props, "desyncMitigationMode"), "monitor"),
        "desyncMitigationMode is 'monitor'",
    )


def alb_multi_az(resources: Sequence[Resource]) -> list[Violation]:
    """ELB.13: each load balancer spans at least two availability zones."""
    found: list[Violation] = []
    for lb in of_type(resources, aws.LOAD_BALANCER):
        refs: Any = lb.get("subnets")
        if unwrap(refs) is None:
            mappings = as_list(lb.get("subnetMappings"))
            refs = UNKNOWN if mappings is UNKNOWN else [get(m, "subnetId") for m in mappings]
        listed = as_list(refs)
        if listed is not UNKNOWN and len(listed) < 2:
            found.append(fail(f"{lb.name}: {len(listed)} subnet(s); needs two AZs", urn=lb.urn))
            continue
        zones = aws.availability_zones(refs, resources)
        if zones is None:
            found.append(unknown(f"{lb.name}: subnets' AZs not known yet", urn=lb.urn))
        elif len(zones) < 2:
            found.append(fail(f"{lb.name}: subnets span {len(zones)} AZ", urn=lb.urn))
    return found


MODERN_ALB_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]-.+|FS-1-2-.+|TLS-1-2-.+)$")
"""TLS 1.2+ only policies (the default ELBSecurityPolicy-2016-08 still allows TLS 1.0)."""


def tls_listener(resources: Sequence[Resource]) -> list[Violation]:
    """ELB.17/18: each ALB has an HTTPS listener, with a certificate and a TLS 1.2+ policy.

    The missing HTTPS listener is what a stack without a domain may declare; a listener that
    does exist must always be modern.
    """
    found: list[Violation] = []
    listeners = of_type(resources, aws.LISTENER)
    for lb in of_type(resources, aws.LOAD_BALANCER):
        if not _is_application_lb(lb.inputs):
            continue
        mine, uncertain = referrers(lb, listeners, "loadBalancerArn", "arn")
        https = [x for x in mine if unwrap(x.get("protocol")) == "HTTPS"]
        if not https:
            make = unknown if uncertain else fail
            found.append(make(f"{lb.name}: no HTTPS listener", urn=lb.urn))
    for listener in listeners:
        if unwrap(listener.get("protocol")) != "HTTPS":
            continue
        policy = unwrap(listener.get("sslPolicy"))
        urn = listener.urn
        if policy is UNKNOWN:
            found.append(
                unknown(f"{listener.name}: sslPolicy not known yet", urn=urn, waivable=False)
            )
        elif not isinstance(policy, str) or not MODERN_ALB_POLICY.match(policy):
            found.append(
                fail(
                    f"{listener.name}: sslPolicy {policy!r} allows TLS < 1.2",
                    urn=urn,
                    waivable=False,
                )
            )
        for v in _require(
            _is_set(listener.get("certificateArn")), "no certificateArn", waivable=False
        ):
            found.append(Violation(f"{listener.name}: {v.message}", v.outcome, listener.urn, False))
    return found


def alb_waf(resources: Sequence[Resource]) -> list[Violation]:
    """ELB.16: a WAF web ACL protects each ALB, or the ALB is not open to the internet."""
    found: list[Violation] = []
    associations = of_type(resources, aws.WAF_ASSOCIATION)
    groups = of_type(resources, aws.SECURITY_GROUP)
    rules = aws.security_group_rules(resources)
    for lb in of_type(resources, aws.LOAD_BALANCER):
        protected = any3(refers_to(a.get("resourceArn"), lb, "arn") for a in associations)
        if protected is True:
            continue
        refs = as_list(lb.get("securityGroups"))
        if refs is UNKNOWN:
            open_: Tri = UNKNOWN
        else:
            answers: list[Tri] = []
            for ref in refs:
                matched, unsure = referenced(ref, groups)
                if unsure:
                    answers.append(UNKNOWN)
                for group in matched:
                    answers += [
                        all3([rule.belongs_to(group), rule.is_open()])
                        for rule in rules
                        if rule.direction == "ingress"
                    ]
            open_ = any3(answers)
        verdict = any3([protected, _negate(open_)])
        if verdict is False:
            found.append(fail(f"{lb.name}: open to the internet without a WAF web ACL", urn=lb.urn))
        elif verdict is UNKNOWN:
            found.append(unknown(f"{lb.name}: WAF association or SG not known yet", urn=lb.urn))
    return found


def target_group_health_check(
    resource_type: str, props: Props, options: Options
) -> list[Violation]:
    """CKV_AWS_261: HTTP target groups check a health path (REL11: healing needs a signal)."""
    protocol = unwrap(get(props, "protocol"))
    if protocol not in (None, "HTTP", "HTTPS") and protocol is not UNKNOWN:
        return []
    found = _require(
        _not_equal(get(props, "healthCheck.enabled"), False), "healthCheck.enabled is false"
    )
    found += _require(_is_set(get(props, "healthCheck.path")), "healthCheck.path is not set")
    return found


# ----------------------------------------------------------------------------- RDS


def _is_replica(props: Props) -> bool:
    return unwrap(get(props, "replicateSourceDb")) is not None


def rds_private(resources: Sequence[Resource]) -> list[Violation]:
    """RDS.2: not publicly accessible, and its subnet group holds no public subnet."""
    found: list[Violation] = []
    public, uncertain = aws.public_subnets(resources)
    groups = of_type(resources, aws.RDS_SUBNET_GROUP)
    for db in of_type(resources, aws.RDS_INSTANCE):
        accessible = truthy(db.get("publiclyAccessible"))
        for v in _require(_negate(accessible), "publiclyAccessible is true", waivable=False):
            found.append(Violation(f"{db.name}: {v.message}", v.outcome, db.urn, False))
        matched, unsure = referenced(db.get("dbSubnetGroupName"), groups, "name")
        if not matched:
            make = unknown if unsure or unwrap(db.get("dbSubnetGroupName")) is UNKNOWN else fail
            found.append(
                make(
                    f"{db.name}: not in a subnet group of this stack (the default "
                    "subnet group uses the default VPC's public subnets)",
                    urn=db.urn,
                    waivable=False,
                )
            )
            continue
        for group in matched:
            subnets = as_list(group.get("subnetIds"))
            if subnets is UNKNOWN:
                found.append(unknown(f"{group.name}: subnetIds not known yet", urn=db.urn))
                continue
            for subnet in subnets:
                is_public = any3(refers_to(subnet, s) for s in public)
                if is_public is False and uncertain:
                    is_public = UNKNOWN
                for v in _require(
                    _negate(is_public), f"{group.name}: subnet {subnet} is public", waivable=False
                ):
                    found.append(Violation(f"{db.name}: {v.message}", v.outcome, db.urn, False))
    return found


def rds_encrypted(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.3: storage encrypted with a customer KMS key (both force replacement if changed)."""
    return _require(is_true(get(props, "storageEncrypted")), "storageEncrypted is not true") + (
        _require(_not_aws_managed_key(get(props, "kmsKeyId")), "kmsKeyId is not a customer KMS key")
    )


def rds_multi_az(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.5: a standby in a second AZ."""
    return _require(is_true(get(props, "multiAz")), "multiAz is not true")


def rds_enhanced_monitoring(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.6: enhanced monitoring (OS metrics) every <=60 s, with its role."""
    return _require(
        _number_at_least(get(props, "monitoringInterval"), 1), "monitoringInterval is 0"
    ) + _require(_is_set(get(props, "monitoringRoleArn")), "monitoringRoleArn is not set")


def rds_deletion_protection(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.8: deletion protection on; a final snapshot is taken in every stack (not waivable)."""
    found = _require(is_true(get(props, "deletionProtection")), "deletionProtection is not true")
    skip = truthy(get(props, "skipFinalSnapshot"))
    found += _require(_negate(skip), "skipFinalSnapshot is true", waivable=False)
    found += _require(
        _is_set(get(props, "finalSnapshotIdentifier")),
        "finalSnapshotIdentifier is not set",
        waivable=False,
    )
    return found


def rds_log_exports(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.9/36: the PostgreSQL log is exported to CloudWatch Logs."""
    exports = as_list(get(props, "enabledCloudwatchLogsExports"))
    if exports is UNKNOWN:
        return [unknown("cannot check yet: enabledCloudwatchLogsExports not known")]
    engine = unwrap(get(props, "engine"))
    if isinstance(engine, str) and "postgres" in engine:
        return (
            []
            if "postgresql" in exports
            else [fail("enabledCloudwatchLogsExports lacks 'postgresql'")]
        )
    return [] if exports else [fail("enabledCloudwatchLogsExports is empty")]


def rds_iam_auth(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.10: IAM database authentication is on."""
    return _require(
        is_true(get(props, "iamDatabaseAuthenticationEnabled")),
        "iamDatabaseAuthenticationEnabled is not true",
    )


def rds_backups(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.11: automated backups kept >=7 days, set explicitly (the API default is 1)."""
    if _is_replica(props):
        return []
    return _require(
        _number_at_least(get(props, "backupRetentionPeriod"), 7),
        "backupRetentionPeriod is below 7 days (or unset: AWS keeps 1)",
    )


def rds_minor_upgrades(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.13: automatic minor version upgrades are not turned off."""
    return _require(
        _not_equal(get(props, "autoMinorVersionUpgrade"), False), "autoMinorVersionUpgrade is false"
    )


def rds_copy_tags(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.17: snapshots carry the instance's tags (cost and ownership survive a restore)."""
    return _require(is_true(get(props, "copyTagsToSnapshot")), "copyTagsToSnapshot is not true")


MODERN_RDS_CAS = frozenset({"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"})


def rds_tls(resources: Sequence[Resource]) -> list[Violation]:
    """CKV2_AWS_69/CKV_AWS_211: a parameter group with rds.force_ssl=1, and a current CA."""
    found: list[Violation] = []
    groups = of_type(resources, aws.RDS_PARAMETER_GROUP)
    for db in of_type(resources, aws.RDS_INSTANCE):
        ca = unwrap(db.get("caCertIdentifier"))
        if ca is UNKNOWN:
            found.append(unknown(f"{db.name}: caCertIdentifier not known yet", urn=db.urn))
        elif ca is not None and ca not in MODERN_RDS_CAS:
            found.append(
                fail(f"{db.name}: caCertIdentifier {ca!r} is not a current CA", urn=db.urn)
            )
        matched, uncertain = referenced(db.get("parameterGroupName"), groups, "name")
        if not matched:
            make = unknown if uncertain or unwrap(db.get("parameterGroupName")) is UNKNOWN else fail
            found.append(
                make(f"{db.name}: no parameter group of this stack (rds.force_ssl)", urn=db.urn)
            )
            continue
        for group in matched:
            parameters = as_list(group.get("parameters"))
            if parameters is UNKNOWN:
                found.append(unknown(f"{group.name}: parameters not known yet", urn=db.urn))
                continue
            forced = any(
                unwrap(get(p, "name")) == "rds.force_ssl" and str(unwrap(get(p, "value"))) == "1"
                for p in parameters
            )
            if not forced:
                found.append(fail(f"{group.name}: rds.force_ssl is not 1", urn=db.urn))
    return found


def rds_performance_insights(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_353/354: Performance Insights on, encrypted with a customer key."""
    return _require(
        is_true(get(props, "performanceInsightsEnabled")), "performanceInsightsEnabled is not true"
    ) + _require(
        _not_aws_managed_key(get(props, "performanceInsightsKmsKeyId")),
        "performanceInsightsKmsKeyId is not a customer key",
    )


DEFAULT_MASTER_USERNAMES = frozenset({"postgres", "admin"})


def rds_master_credentials(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.25: a custom admin name; RDS manages the password, so no plaintext one in state."""
    if _is_replica(props):
        return []
    username = unwrap(get(props, "username"))
    found: list[Violation] = []
    if username is UNKNOWN:
        found.append(unknown("cannot check yet: username not known"))
    elif username in DEFAULT_MASTER_USERNAMES:
        found.append(fail(f"username is the engine default {username!r}"))
    if get(props, "password") is not None:
        found.append(fail("a master password is an input: it is stored in Pulumi state"))
    found += _require(
        is_true(get(props, "manageMasterUserPassword")), "manageMasterUserPassword is not true"
    )
    found += _require(
        _not_aws_managed_key(get(props, "masterUserSecretKmsKeyId")),
        "masterUserSecretKmsKeyId is not a customer key",
    )
    return found


# ----------------------------------------------------------------------------- CloudFront / ACM


def _behaviors(props: Props) -> list[Any] | None:
    ordered = as_list(get(props, "orderedCacheBehaviors"))
    default = get(props, "defaultCacheBehavior")
    if ordered is UNKNOWN or default is UNKNOWN:
        return None
    return [default, *ordered] if default is not None else list(ordered)


def cloudfront_root_object(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.1: a default root object, so `/` never lists or errors on the origin."""
    return _require(_is_set(get(props, "defaultRootObject")), "defaultRootObject is not set")


def cloudfront_https(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.3: every behavior (default and ordered, e.g. /api/*) requires HTTPS."""
    behaviors = _behaviors(props)
    if behaviors is None:
        return [unknown("cannot check yet: cache behaviors not known")]
    found: list[Violation] = []
    for behavior in behaviors:
        pattern = unwrap(get(behavior, "pathPattern", "default"))
        found += _require(
            _in(get(behavior, "viewerProtocolPolicy"), ("redirect-to-https", "https-only")),
            f"behavior {pattern} allows plain HTTP to viewers",
        )
    return found


def _is_s3_origin(origin: Any) -> Tri:
    if get(origin, "s3OriginConfig") is not None:
        return True
    domain = unwrap(get(origin, "domainName"))
    if domain is UNKNOWN:
        return UNKNOWN if get(origin, "customOriginConfig") is None else False
    return isinstance(domain, str) and bool(re.search(r"\.s3[.-]", domain))


def cloudfront_oac(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.13: S3 origins use origin access control (sigv4, always), never OAI or website."""
    if resource_type == aws.ORIGIN_ACCESS_CONTROL:
        if unwrap(get(props, "originAccessControlOriginType")) != "s3":
            return []
        return _require(
            _equals(get(props, "signingBehavior"), "always"), "signingBehavior is not 'always'"
        ) + _require(
            _equals(get(props, "signingProtocol"), "sigv4"), "signingProtocol is not sigv4"
        )
    origins = as_list(get(props, "origins"))
    if origins is UNKNOWN:
        return [unknown("cannot check yet: origins not known")]
    found: list[Violation] = []
    for origin in origins:
        origin_id = unwrap(get(origin, "originId"))
        is_s3 = _is_s3_origin(origin)
        if is_s3 is False:
            continue
        domain = unwrap(get(origin, "domainName"))
        if isinstance(domain, str) and "s3-website" in domain:
            found.append(fail(f"origin {origin_id} is an S3 website endpoint (public bucket)"))
            continue
        oai = unwrap(get(origin, "s3OriginConfig.originAccessIdentity"))
        if isinstance(oai, str) and oai:
            found.append(fail(f"origin {origin_id} uses a legacy origin access identity"))
        answer = _is_set(get(origin, "originAccessControlId"))
        if is_s3 is UNKNOWN and answer is False:
            answer = UNKNOWN
        found += _require(answer, f"origin {origin_id} has no originAccessControlId")
    return found


def cloudfront_origin_tls(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.9/10: HTTPS only to custom and VPC origins, TLSv1.2 only."""
    if resource_type == aws.VPC_ORIGIN:
        config = get(props, "vpcOriginEndpointConfig")
        return _origin_tls(
            get(config, "originProtocolPolicy"),
            get(config, "originSslProtocols.items"),
            "VPC origin",
        )
    origins = as_list(get(props, "origins"))
    if origins is UNKNOWN:
        return [unknown("cannot check yet: origins not known")]
    found: list[Violation] = []
    for origin in origins:
        custom = get(origin, "customOriginConfig")
        if custom is None:
            continue
        found += _origin_tls(
            get(custom, "originProtocolPolicy"),
            get(custom, "originSslProtocols"),
            f"origin {unwrap(get(origin, 'originId'))}",
        )
    return found


def _origin_tls(policy: Any, protocols: Any, label: str) -> list[Violation]:
    found = _require(
        _equals(policy, "https-only"), f"{label}: originProtocolPolicy is not https-only"
    )
    listed = as_list(protocols)
    if listed is UNKNOWN:
        found.append(unknown(f"cannot check yet: {label}: originSslProtocols not known"))
    elif not listed or set(listed) - {"TLSv1.2"}:
        found.append(fail(f"{label}: originSslProtocols {listed} allows more than TLSv1.2"))
    return found


CLOUDFRONT_MIN_TLS = re.compile(r"^TLSv1\.[23]_\d{4}$")
"""checkov's CKV_AWS_174 pattern: TLSv1.2_2019, TLSv1.2_2021, TLSv1.3_2025, ..."""


def cloudfront_viewer_tls(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.7/8/15: own ACM certificate, SNI, and a TLS 1.2+ security policy."""
    found = _require(
        _negate(truthy(get(props, "viewerCertificate.cloudfrontDefaultCertificate"))),
        "uses CloudFront's default certificate (AWS allows TLSv1 to viewers)",
    )
    found += _require(
        _is_set(get(props, "viewerCertificate.acmCertificateArn")),
        "viewerCertificate.acmCertificateArn is not set",
    )
    found += _require(
        _equals(get(props, "viewerCertificate.sslSupportMethod"), "sni-only"),
        "sslSupportMethod is not sni-only",
    )
    version = unwrap(get(props, "viewerCertificate.minimumProtocolVersion"))
    if version is UNKNOWN:
        found.append(unknown("cannot check yet: minimumProtocolVersion not known"))
    elif not isinstance(version, str) or not CLOUDFRONT_MIN_TLS.match(version):
        found.append(fail(f"minimumProtocolVersion {version!r} allows TLS < 1.2"))
    return found


def cloudfront_logging(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.5: access logs to a bucket."""
    return _require(_is_set(get(props, "loggingConfig.bucket")), "loggingConfig.bucket is not set")


def cloudfront_waf(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.6: a WAFv2 web ACL (CLOUDFRONT scope, us-east-1) is attached."""
    return _require(_is_set(get(props, "webAclId")), "webAclId is not set")


def cloudfront_hsts(resources: Sequence[Resource]) -> list[Violation]:
    """CKV_AWS_259/CKV2_AWS_32: every behavior attaches a response headers policy with HSTS."""
    found: list[Violation] = []
    policies = of_type(resources, aws.RESPONSE_HEADERS_POLICY)
    for distribution in of_type(resources, aws.DISTRIBUTION):
        behaviors = _behaviors(distribution.inputs)
        if behaviors is None:
            found.append(
                unknown(f"{distribution.name}: behaviors not known yet", urn=distribution.urn)
            )
            continue
        for behavior in behaviors:
            pattern = unwrap(get(behavior, "pathPattern", "default"))
            policy_id = get(behavior, "responseHeadersPolicyId")
            if unwrap(policy_id) == MANAGED_SECURITY_HEADERS_POLICY:
                continue
            matched, uncertain = referenced(policy_id, policies)
            hsts = any3(
                _is_set(p.get("securityHeadersConfig.strictTransportSecurity")) for p in matched
            )
            if hsts is False and (uncertain or unwrap(policy_id) is UNKNOWN):
                hsts = UNKNOWN
            for v in _require(hsts, f"behavior {pattern} sends no Strict-Transport-Security"):
                found.append(
                    Violation(f"{distribution.name}: {v.message}", v.outcome, distribution.urn)
                )
    return found


STRONG_KEY_ALGORITHMS = frozenset(
    {"RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}
)


def certificate_strength(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ACM.2: RSA >=2048 or ECDSA keys; DNS-validated (auto-renewing); create-before-destroy."""
    algorithm = unwrap(get(props, "keyAlgorithm"))
    found: list[Violation] = []
    if algorithm is UNKNOWN:
        found.append(unknown("cannot check yet: keyAlgorithm not known"))
    elif algorithm is not None and algorithm not in STRONG_KEY_ALGORITHMS:
        found.append(fail(f"keyAlgorithm {algorithm!r} is weaker than RSA 2048"))
    if get(props, "privateKey") is None:
        found += _require(
            _equals(get(props, "validationMethod"), "DNS"),
            "validationMethod is not DNS (renewal needs a human)",
        )
    if options.get("deleteBeforeReplace") is True:
        found.append(fail("deleteBeforeReplace: the listener would lose its certificate"))
    return found


def dns_query_logging(resources: Sequence[Resource]) -> list[Violation]:
    """Route53.2: the hosted zone the stack's records live in logs DNS queries."""
    zones: set[str] = set()
    for record in of_type(resources, aws.ROUTE53_RECORD):
        zone = unwrap(record.get("zoneId"))
        if zone is UNKNOWN:
            return [unknown("a record's zoneId is not known yet")]
        if isinstance(zone, str):
            zones.add(zone)
    logged: set[str] = set()
    for query_log in of_type(resources, aws.QUERY_LOG):
        zone = unwrap(query_log.get("zoneId"))
        if zone is UNKNOWN:
            return [unknown("a query log's zoneId is not known yet")]
        if isinstance(zone, str):
            logged.add(zone)
    return [fail(f"hosted zone {zone} has no query logging") for zone in sorted(zones - logged)]


# ----------------------------------------------------------------------------- secrets, KMS, SNS


MAX_ROTATION_DAYS = 90.0


def secret_rotation(resources: Sequence[Resource]) -> list[Violation]:
    """SecretsManager.1/4: every secret rotates automatically within 90 days."""
    found: list[Violation] = []
    rotations = of_type(resources, aws.SECRET_ROTATION)
    for secret in of_type(resources, aws.SECRET):
        mine, uncertain = referrers(secret, rotations, "secretId", "arn")
        if not mine:
            make = unknown if uncertain else fail
            found.append(make(f"{secret.name}: no rotation", urn=secret.urn))
            continue
        for rotation in mine:
            days = as_number(rotation.get("rotationRules.automaticallyAfterDays"))
            schedule = unwrap(rotation.get("rotationRules.scheduleExpression"))
            if days is UNKNOWN or schedule is UNKNOWN:
                found.append(
                    unknown(f"{secret.name}: rotation schedule not known yet", urn=secret.urn)
                )
            elif days is not None and days > MAX_ROTATION_DAYS:
                found.append(
                    fail(f"{secret.name}: rotates every {days:.0f} days (> 90)", urn=secret.urn)
                )
            elif days is None and not schedule:
                found.append(fail(f"{secret.name}: rotation has no schedule", urn=secret.urn))
    return found


def secret_cmk(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_149: secrets are encrypted with a customer KMS key."""
    return _require(_not_aws_managed_key(get(props, "kmsKeyId")), "kmsKeyId is not a customer key")


def kms_rotation(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """KMS.4 (CKV_AWS_7): symmetric customer keys rotate yearly."""
    spec = unwrap(get(props, "keySpec"))
    if spec is None:
        spec = unwrap(get(props, "customerMasterKeySpec"))
    if spec is not UNKNOWN and spec not in (None, "SYMMETRIC_DEFAULT"):
        return []  # AWS rotates only symmetric encryption keys
    return _require(is_true(get(props, "enableKeyRotation")), "enableKeyRotation is not true")


def kms_key_policy(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """KMS.3/5: an explicit key policy with no public principal; lockout check not bypassed."""
    found = _require(
        _negate(truthy(get(props, "bypassPolicyLockoutSafetyCheck"))),
        "bypassPolicyLockoutSafetyCheck is true",
    )
    document = parse_json(get(props, "policy"))
    if document is None:
        return [*found, fail("no explicit key policy")]
    public = aws.public_statements(document)
    if public is UNKNOWN:
        found.append(unknown("cannot check yet: key policy not known"))
    elif public:
        found.append(fail('key policy allows the bare "*" principal'))
    return found


def sns_encrypted_private(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """SNS.1/4: topics use a customer key (alarms cannot publish to aws/sns); no public policy."""
    if resource_type == aws.SNS_TOPIC_POLICY:
        public = aws.public_statements(parse_json(get(props, "policy")))
        if public is UNKNOWN:
            return [unknown("cannot check yet: topic policy not known")]
        return [fail('topic policy allows the bare "*" principal')] if public else []
    return _require(
        _not_aws_managed_key(get(props, "kmsMasterKeyId")),
        "kmsMasterKeyId is not a customer key (alarms cannot use aws/sns)",
    )


# ----------------------------------------------------------------------------- S3


def _buckets(resources: Sequence[Resource]) -> list[Resource]:
    return of_type(resources, *aws.BUCKETS)


def _bucket_side(
    bucket: Resource, resources: Sequence[Resource], *types: str
) -> tuple[list[Resource], bool]:
    """Side resources (`bucket` input) of one bucket: by id or name."""
    return referrers(bucket, of_type(resources, *types), "bucket", "bucket", "arn")


def _cloudfront_log_buckets(resources: Sequence[Resource]) -> tuple[list[Resource], bool]:
    """Buckets CloudFront writes standard logs to (`loggingConfig.bucket` is their domain)."""
    found: list[Resource] = []
    uncertain = False
    for distribution in of_type(resources, aws.DISTRIBUTION):
        target = unwrap(distribution.get("loggingConfig.bucket"))
        if target is UNKNOWN:
            uncertain = True
            continue
        if not isinstance(target, str):
            continue
        for bucket in _buckets(resources):
            names, missing = bucket.identifiers("bucket", "bucketDomainName")
            if target in names or target.split(".s3", 1)[0] in names:
                found.append(bucket)
            elif missing:
                uncertain = True
    return found, uncertain


def bucket_public_access(resources: Sequence[Resource]) -> list[Violation]:
    """S3.1/8/12: all four public-access blocks on every bucket; ACLs disabled (owner enforced).

    The CloudFront log bucket keeps ACLs: CloudFront standard logging writes through them.
    """
    found: list[Violation] = []
    log_buckets, logs_uncertain = _cloudfront_log_buckets(resources)
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in _buckets(resources):
        blocks, uncertain = _bucket_side(bucket, resources, aws.PUBLIC_ACCESS_BLOCK)
        if not blocks:
            make = unknown if uncertain else fail
            found.append(make(f"{bucket.name}: no BucketPublicAccessBlock", urn=bucket.urn))
        for block in blocks:
            for flag in flags:
                for v in _require(is_true(block.get(flag)), f"{flag} is not true"):
                    found.append(Violation(f"{bucket.name}: {v.message}", v.outcome, bucket.urn))
        if bucket in log_buckets:
            continue
        controls, uncertain = _bucket_side(bucket, resources, aws.OWNERSHIP_CONTROLS)
        enforced = any3(
            _equals(c.get("rule.objectOwnership"), "BucketOwnerEnforced") for c in controls
        )
        if enforced is False and (uncertain or logs_uncertain):
            enforced = UNKNOWN
        for v in _require(enforced, "ACLs are not disabled (BucketOwnerEnforced)"):
            found.append(Violation(f"{bucket.name}: {v.message}", v.outcome, bucket.urn))
    return found


def _denies_insecure_transport(document: Any) -> Tri:
    found = aws.statements(document)
    if found is None:
        return UNKNOWN
    for statement in found:
        condition = statement.get("Condition")
        if statement.get("Effect") != "Deny" or not isinstance(condition, dict):
            continue
        for operator, clause in condition.items():  # pyright: ignore[reportUnknownVariableType]
            if operator != "Bool" or not isinstance(clause, dict):
                continue
            value = clause.get("aws:SecureTransport")  # pyright: ignore[reportUnknownMemberType]
            listed = as_list(value)
            if listed is not UNKNOWN and any(str(v).lower() == "false" for v in listed):
                return True
    return False


def bucket_ssl_only(resources: Sequence[Resource]) -> list[Violation]:
    """S3.5: every bucket policy denies requests without TLS (aws:SecureTransport=false)."""
    found: list[Violation] = []
    for bucket in _buckets(resources):
        policies, uncertain = _bucket_side(bucket, resources, aws.BUCKET_POLICY)
        verdict = any3(_denies_insecure_transport(parse_json(p.get("policy"))) for p in policies)
        if verdict is False and uncertain:
            verdict = UNKNOWN
        for v in _require(verdict, "no bucket policy denies aws:SecureTransport=false"):
            found.append(Violation(f"{bucket.name}: {v.message}", v.outcome, bucket.urn))
    return found


def bucket_access_logging(resources: Sequence[Resource]) -> list[Violation]:
    """S3.9: buckets log requests to a log bucket (log buckets themselves excepted: no loops)."""
    found: list[Violation] = []
    targets: set[str] = set()
    for logging in of_type(resources, *aws.BUCKET_LOGGING):
        target = unwrap(logging.get("targetBucket"))
        if isinstance(target, str):
            targets.add(target)
    for lb in of_type(resources, aws.LOAD_BALANCER):
        target = unwrap(lb.get("accessLogs.bucket"))
        if isinstance(target, str):
            targets.add(target)
    for flow_log in of_type(resources, aws.FLOW_LOG):
        target = unwrap(flow_log.get("logDestination"))
        if isinstance(target, str) and target.startswith("arn:aws:s3:::"):
            targets.add(target.removeprefix("arn:aws:s3:::").split("/", 1)[0])
    cloudfront_logs, _ = _cloudfront_log_buckets(resources)
    for bucket in _buckets(resources):
        names, _ = bucket.identifiers("bucket")
        if names & targets or bucket in cloudfront_logs:
            continue
        logs, uncertain = _bucket_side(bucket, resources, *aws.BUCKET_LOGGING)
        if not logs:
            make = unknown if uncertain else fail
            found.append(make(f"{bucket.name}: no server access logging", urn=bucket.urn))
    return found


# ----------------------------------------------------------------------------- CloudWatch / IAM


def log_group_retention(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_66/338/158: log groups expire (cost, privacy) and are encrypted with a CMK."""
    return _require(
        _number_at_least(get(props, "retentionInDays"), 1),
        "retentionInDays is not set (logs are kept forever)",
    ) + _require(_is_set(get(props, "kmsKeyId")), "kmsKeyId is not set")


def alarm_actions(resources: Sequence[Resource]) -> list[Violation]:
    """CKV_AWS_319: every alarm is enabled and notifies an SNS topic on ALARM and on OK."""
    found: list[Violation] = []
    topics = of_type(resources, aws.SNS_TOPIC)
    for alarm in of_type(resources, aws.METRIC_ALARM):
        for v in _require(
            _not_equal(alarm.get("actionsEnabled"), False), "actionsEnabled is false"
        ):
            found.append(Violation(f"{alarm.name}: {v.message}", v.outcome, alarm.urn))
        for key in ("alarmActions", "okActions"):
            actions = as_list(alarm.get(key))
            if actions is UNKNOWN:
                found.append(unknown(f"{alarm.name}: {key} not known yet", urn=alarm.urn))
                continue
            if not actions:
                found.append(fail(f"{alarm.name}: {key} is empty", urn=alarm.urn))
            for action in actions:
                is_topic = any3(
                    [
                        _equals(aws.arn_service(action), "sns")
                        if action is not UNKNOWN
                        else UNKNOWN,
                        *(refers_to(action, t, "arn") for t in topics),
                    ]
                )
                for v in _require(is_topic, f"{key} target {action!r} is not an SNS topic"):
                    found.append(Violation(f"{alarm.name}: {v.message}", v.outcome, alarm.urn))
    return found


SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$")
KMS_DECRYPT_ACTIONS = re.compile(r"^kms:(\*|Decrypt|ReEncrypt\*|ReEncryptFrom)$", re.IGNORECASE)


IAM_PERMISSION_TYPES = (
    aws.IAM_POLICY,
    aws.IAM_ROLE_POLICY,
    aws.IAM_USER_POLICY,
    aws.IAM_GROUP_POLICY,
    aws.IAM_ROLE,
)


def _iam_documents(resource_type: str, props: Props) -> list[Any]:
    if resource_type == aws.IAM_ROLE:
        inline = as_list(get(props, "inlinePolicies"))
        if inline is UNKNOWN:
            return [UNKNOWN]
        return [parse_json(get(p, "policy")) for p in inline]
    return [parse_json(get(props, "policy"))]


def least_privilege(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """IAM.1/21, KMS.1/2: no `*` or `service:*` actions; no kms:Decrypt on every key."""
    found: list[Violation] = []
    for document in _iam_documents(resource_type, props):
        if document is None:
            continue
        found_statements = aws.statements(document)
        if found_statements is None:
            found.append(unknown("cannot check yet: policy document not known"))
            continue
        for statement in found_statements:
            if statement.get("Effect") != "Allow":
                continue
            if statement.get("NotAction") is not None:
                found.append(fail("an Allow statement uses NotAction (allows everything else)"))
            actions = as_list(statement.get("Action"))
            resources = as_list(statement.get("Resource"))
            if actions is UNKNOWN or resources is UNKNOWN:
                found.append(unknown("cannot check yet: actions or resources not known"))
                continue
            for action in actions:
                if action is UNKNOWN:
                    found.append(unknown("cannot check yet: an action is not known"))
                elif action in ("*", "*:*"):
                    found.append(fail('allows every action ("*")'))
                elif isinstance(action, str) and SERVICE_WILDCARD.match(action):
                    found.append(fail(f"allows every action of a service ({action})"))
                elif (
                    isinstance(action, str)
                    and KMS_DECRYPT_ACTIONS.match(action)
                    and "*" in resources
                ):
                    found.append(fail(f"allows {action} on every key (Resource *)"))
    return found


def least_privilege_policies(resources: Sequence[Resource]) -> list[Violation]:
    """IAM.1/21, KMS.1/2 over the stack: every permission policy except permissions boundaries.

    A boundary is a ceiling, not a grant (Security Hub's rules exclude them by default:
    `excludePermissionBoundaryPolicy`), so a policy some role names as `permissionsBoundary`
    is skipped; while that ARN is unknown, a finding on it is only "unknown".
    """
    found: list[Violation] = []
    roles = of_type(resources, aws.IAM_ROLE)
    for policy in of_type(resources, *IAM_PERMISSION_TYPES):
        findings = least_privilege(policy.type, policy.inputs, policy.options)
        if not findings:
            continue
        boundary: Tri = False
        if policy.type == aws.IAM_POLICY:
            boundary = any3(refers_to(r.get("permissionsBoundary"), policy, "arn") for r in roles)
        if boundary is True:
            continue
        for v in findings:
            outcome = Outcome.UNKNOWN if boundary is UNKNOWN else v.outcome
            found.append(Violation(f"{policy.name}: {v.message}", outcome, policy.urn, v.waivable))
    return found


GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_SUBJECT = re.compile(
    r"^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(environment:[A-Za-z0-9_.-]+|pull_request)$"
)
ABUSABLE_CLAIMS = ("workflow", "ref", "head_ref")


def github_oidc_trust(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_358/393: GitHub OIDC trust pinned: aud=sts, sub an exact repo+environment.

    Only roles whose trust names GitHub's OIDC provider are checked; `sub` must use
    StringEquals with `repo:OWNER/REPO:environment:ENV` (or `:pull_request` for the preview role),
    and no condition may rest on claims a workflow author controls (workflow, ref, head_ref).
    """
    document = parse_json(get(props, "assumeRolePolicy"))
    found_statements = aws.statements(document)
    if found_statements is None:
        return [unknown("cannot check yet: trust policy not known")]
    found: list[Violation] = []
    for statement in found_statements:
        federated = as_list(get(statement, "Principal.Federated"))
        if federated is UNKNOWN:
            found.append(unknown("cannot check yet: federated principal not known"))
            continue
        if not any(isinstance(f, str) and GITHUB_OIDC_HOST in f for f in federated):
            continue
        condition = statement.get("Condition")
        condition = condition if isinstance(condition, dict) else {}
        equals = condition.get("StringEquals")  # pyright: ignore[reportUnknownMemberType]
        equals = equals if isinstance(equals, dict) else {}
        audience = as_list(equals.get(f"{GITHUB_OIDC_HOST}:aud"))  # pyright: ignore[reportUnknownMemberType]
        if audience != ["sts.amazonaws.com"]:
            found.append(fail(f"aud is {audience}, not exactly sts.amazonaws.com"))
        subjects = as_list(equals.get(f"{GITHUB_OIDC_HOST}:sub"))  # pyright: ignore[reportUnknownMemberType]
        if subjects is UNKNOWN:
            found.append(unknown("cannot check yet: sub not known"))
        elif not subjects:
            found.append(fail("sub is not pinned with StringEquals"))
        for subject in [] if subjects is UNKNOWN else subjects:
            if not isinstance(subject, str) or not GITHUB_SUBJECT.match(subject):
                found.append(fail(f"sub {subject!r} is not repo:OWNER/REPO:environment:ENV"))
        for operator, clause in condition.items():  # pyright: ignore[reportUnknownVariableType]
            if not isinstance(clause, dict):
                continue
            for key in clause:  # pyright: ignore[reportUnknownVariableType]
                claim = str(key).rsplit(":", 1)[-1]  # pyright: ignore[reportUnknownArgumentType]
                if operator != "StringEquals" and str(key).startswith(GITHUB_OIDC_HOST):  # pyright: ignore[reportUnknownArgumentType]
                    found.append(fail(f"{operator} on {key}: wildcards match other repos or refs"))
                elif claim in ABUSABLE_CLAIMS:
                    found.append(
                        fail(f"condition on the {claim!r} claim, which workflow authors control")
                    )
    return found


# ----------------------------------------------------------------------------- Pulumi options


STATEFUL_TYPES = (
    aws.RDS_INSTANCE,
    aws.KMS_KEY,
    *aws.BUCKETS,
    aws.SECRET,
    aws.ROUTE53_ZONE,
    aws.ELASTICACHE_REPLICATION_GROUP,
)


def stateful_protected(resources: Sequence[Resource]) -> list[Violation]:
    """PUL.1: stateful resources are `protect`ed; the database is also retained on delete.

    The key that encrypts the database (and so its snapshots) is retained on delete in every
    stack, so snapshots stay restorable after a teardown: that part is never waivable.
    """
    found: list[Violation] = []
    for resource in of_type(resources, *STATEFUL_TYPES):
        found += _option(resource, "protect", "is not protected (a delete or replace would run)")
        if resource.type == aws.RDS_INSTANCE:
            found += _option(resource, "retainOnDelete", "is not retained on delete")
    keys = of_type(resources, aws.KMS_KEY)
    for db in of_type(resources, aws.RDS_INSTANCE):
        matched, uncertain = referenced(db.get("kmsKeyId"), keys, "arn", "keyId")
        if uncertain and not matched:
            found.append(
                unknown(f"{db.name}: its KMS key is not known yet", urn=db.urn, waivable=False)
            )
        for key in matched:
            found += _option(
                key,
                "retainOnDelete",
                "encrypts the database's snapshots but is not retained on delete",
                waivable=False,
            )
    return found


def _option(
    resource: Resource, option: str, message: str, *, waivable: bool = True
) -> list[Violation]:
    if option not in resource.options:
        # The policy engine does not pass every option (retainOnDelete): undecidable there.
        return [
            unknown(
                f"{resource.name}: option {option} not visible here",
                urn=resource.urn,
                waivable=waivable,
            )
        ]
    if resource.options.get(option) is True:
        return []
    return [fail(f"{resource.name} {message}", urn=resource.urn, waivable=waivable)]


# ----------------------------------------------------------------------------- the checklist

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

CONTROLS: tuple[Control, ...] = (
    # VPC / EC2
    Control(
        id="EC2.2",
        title="Default SG has no rules",
        severity=H,
        source="FSBP, CKV2_AWS_12",
        description="Each VPC's default security group is managed and empty.",
        applies_to=(aws.VPC, aws.DEFAULT_SG),
        exception_allowed=False,
        stack_rule=default_sg_closed,
        covers=("CKV2_AWS_12",),
    ),
    Control(
        id="EC2.6",
        title="VPC flow logs",
        severity=M,
        source="FSBP, CKV2_AWS_11",
        description="A FlowLog refers to each VPC and logs ALL traffic (staging may log REJECT).",
        applies_to=(aws.VPC,),
        exception_allowed=True,
        stack_rule=vpc_flow_logs,
        covers=("CKV2_AWS_11",),
    ),
    Control(
        id="EC2.15",
        title="No auto-assigned public IPs",
        severity=M,
        source="FSBP, CKV_AWS_130",
        description="No subnet maps public IPs on launch (public subnets included).",
        applies_to=(aws.SUBNET,),
        exception_allowed=False,
        resource_rule=subnet_no_auto_public_ip,
        covers=("CKV_AWS_130",),
    ),
    Control(
        id="EC2.18",
        title="0.0.0.0/0 only on 80/443",
        severity=H,
        source="FSBP, CKV_AWS_260",
        description="Ingress from 0.0.0.0/0 or ::/0 only on TCP 80 and 443.",
        applies_to=(aws.INGRESS_RULE, aws.SG_RULE_LEGACY, aws.SECURITY_GROUP),
        exception_allowed=False,
        stack_rule=open_ingress_only_web,
        covers=("CKV_AWS_260",),
    ),
    Control(
        id="EC2.19",
        title="No open high-risk ports; tight SG references",
        severity=H,
        source="FSBP EC2.19/53/54, CKV_AWS_24/25/277/23",
        description="No open 22/3389/high-risk ports; descriptions on every SG and rule; "
        "the database and task SGs admit only referenced security groups.",
        applies_to=(aws.SECURITY_GROUP, aws.INGRESS_RULE, aws.EGRESS_RULE, aws.SG_RULE_LEGACY),
        exception_allowed=False,
        stack_rule=sg_rules_tight,
        covers=("EC2.53", "EC2.54", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277", "CKV_AWS_23"),
    ),
    Control(
        id="EC2.10",
        title="VPC endpoints",
        severity=M,
        source="FSBP EC2.10/55/56",
        description="S3 gateway endpoint; interface ones: ecr.api, ecr.dkr, logs, secretsmanager.",
        applies_to=(aws.VPC,),
        exception_allowed=True,
        stack_rule=vpc_endpoints,
        covers=("EC2.55", "EC2.56"),
    ),
    Control(
        id="REL10.NAT",
        title="NAT gateway per AZ",
        severity=M,
        source="WA REL10",
        description="One NAT gateway per AZ, so an AZ outage keeps egress in the others.",
        applies_to=(aws.VPC,),
        exception_allowed=True,
        stack_rule=nat_per_az,
    ),
    # ECS
    Control(
        id="ECS.2",
        title="No public IP on tasks",
        severity=H,
        source="FSBP, CKV_AWS_333",
        description="No public IP on tasks; no subnet with a route to an internet gateway.",
        applies_to=(aws.ECS_SERVICE,),
        exception_allowed=True,
        stack_rule=service_private,
        covers=("CKV_AWS_333",),
    ),
    Control(
        id="ECS.4",
        title="Non-privileged containers",
        severity=H,
        source="FSBP, CKV_AWS_334",
        description="No container definition sets privileged.",
        applies_to=(aws.TASK_DEFINITION,),
        exception_allowed=False,
        resource_rule=tasks_not_privileged,
        covers=("CKV_AWS_334",),
    ),
    Control(
        id="ECS.5",
        title="Read-only root filesystem",
        severity=H,
        source="FSBP, CKV_AWS_336",
        description="Every container has readonlyRootFilesystem true (opt-out: in config).",
        applies_to=(aws.TASK_DEFINITION,),
        exception_allowed=True,
        resource_rule=read_only_root,
        covers=("CKV_AWS_336",),
    ),
    Control(
        id="ECS.8",
        title="Secrets not in environment variables",
        severity=H,
        source="FSBP",
        description="No environment variable name matches pass|secret|token|key; use `secrets`.",
        applies_to=(aws.TASK_DEFINITION,),
        exception_allowed=False,
        resource_rule=no_secrets_in_environment,
    ),
    Control(
        id="ECS.9",
        title="Container logging",
        severity=H,
        source="FSBP",
        description="Every container logs with awslogs to a log group the stack creates.",
        applies_to=(aws.TASK_DEFINITION,),
        exception_allowed=False,
        stack_rule=container_logging,
    ),
    Control(
        id="ECS.10",
        title="Latest Fargate platform",
        severity=M,
        source="FSBP, CKV_AWS_332",
        description="platformVersion is LATEST or unset.",
        applies_to=(aws.ECS_SERVICE,),
        exception_allowed=False,
        resource_rule=latest_platform,
        covers=("CKV_AWS_332",),
    ),
    Control(
        id="ECS.12",
        title="Container Insights",
        severity=M,
        source="FSBP, CKV_AWS_65",
        description="The cluster's containerInsights setting is enabled.",
        applies_to=(aws.ECS_CLUSTER,),
        exception_allowed=False,
        resource_rule=container_insights,
        covers=("CKV_AWS_65",),
    ),
    Control(
        id="ECS.1",
        title="Task isolation",
        severity=H,
        source="FSBP ECS.1/3, CKV_AWS_335/249",
        description="awsvpc network mode, no host PID mode, execution role differs from task role.",
        applies_to=(aws.TASK_DEFINITION,),
        exception_allowed=False,
        resource_rule=task_isolation,
        covers=("ECS.3", "CKV_AWS_335", "CKV_AWS_249"),
    ),
    Control(
        id="REL08.BREAKER",
        title="Circuit breaker with rollback",
        severity=H,
        source="WA REL08/REL11",
        description="deploymentCircuitBreaker enable and rollback are true.",
        applies_to=(aws.ECS_SERVICE,),
        exception_allowed=False,
        resource_rule=circuit_breaker,
    ),
    Control(
        id="REL08.ALARMS",
        title="Alarm-based rollback",
        severity=M,
        source="WA REL08",
        description="Services roll back on alarms; alarms.alarmNames are alarms of this stack.",
        applies_to=(aws.ECS_SERVICE,),
        exception_allowed=True,
        stack_rule=alarm_rollback,
    ),
    Control(
        id="REL10.TASKS",
        title=">=2 tasks; zero-downtime deploys",
        severity=M,
        source="WA REL10",
        description="Web services keep >=2 tasks; min healthy 100 %, max 200 %, a grace period.",
        applies_to=(aws.ECS_SERVICE,),
        exception_allowed=True,
        stack_rule=service_redundancy,
    ),
    Control(
        id="REL07",
        title="Autoscaling",
        severity=M,
        source="WA REL07",
        description="Web services: autoscaling target (min >=2) and a CPU target-tracking policy.",
        applies_to=(aws.ECS_SERVICE,),
        exception_allowed=True,
        stack_rule=autoscaling,
    ),
    # Load balancer
    Control(
        id="ELB.1",
        title="HTTP redirects to HTTPS",
        severity=M,
        source="FSBP, AG, CKV2_AWS_20, PCP",
        description="An HTTP listener's only default action redirects to HTTPS.",
        applies_to=(aws.LISTENER,),
        exception_allowed=True,
        resource_rule=http_redirects,
        covers=("CKV2_AWS_20",),
    ),
    Control(
        id="ELB.4",
        title="Drop invalid headers",
        severity=M,
        source="FSBP, CKV_AWS_131",
        description="dropInvalidHeaderFields is true.",
        applies_to=(aws.LOAD_BALANCER,),
        exception_allowed=False,
        resource_rule=drop_invalid_headers,
        covers=("CKV_AWS_131",),
    ),
    Control(
        id="ELB.5",
        title="ALB access logs",
        severity=M,
        source="FSBP, AG, CKV_AWS_91",
        description="accessLogs.enabled is true.",
        applies_to=(aws.LOAD_BALANCER,),
        exception_allowed=True,
        resource_rule=alb_access_logs,
        covers=("CKV_AWS_91",),
    ),
    Control(
        id="ELB.6",
        title="ALB deletion protection",
        severity=M,
        source="FSBP, CKV_AWS_150",
        description="enableDeletionProtection is true.",
        applies_to=(aws.LOAD_BALANCER,),
        exception_allowed=True,
        resource_rule=alb_deletion_protection,
        covers=("CKV_AWS_150",),
    ),
    Control(
        id="ELB.12",
        title="Desync mitigation",
        severity=M,
        source="FSBP, CKV_AWS_328",
        description="desyncMitigationMode is defensive or strictest.",
        applies_to=(aws.LOAD_BALANCER,),
        exception_allowed=False,
        resource_rule=desync_mitigation,
        covers=("CKV_AWS_328",),
    ),
    Control(
        id="ELB.13",
        title="ALB in >=2 AZs",
        severity=M,
        source="FSBP",
        description="The load balancer's subnets span at least two availability zones.",
        applies_to=(aws.LOAD_BALANCER,),
        exception_allowed=False,
        stack_rule=alb_multi_az,
    ),
    Control(
        id="ELB.17",
        title="TLS listener, modern policy",
        severity=H,
        source="FSBP ELB.17/18, CKV_AWS_2/103, PCP",
        description="An HTTPS listener with a certificate and a TLS 1.2+ security policy.",
        applies_to=(aws.LOAD_BALANCER, aws.LISTENER),
        exception_allowed=True,
        stack_rule=tls_listener,
        covers=("ELB.18", "CKV_AWS_2", "CKV_AWS_103"),
    ),
    Control(
        id="ELB.16",
        title="WAF on the ALB",
        severity=M,
        source="FSBP, CKV2_AWS_28",
        description="A WAF web ACL association, or no 0.0.0.0/0 ingress on the ALB's SGs.",
        applies_to=(aws.LOAD_BALANCER,),
        exception_allowed=True,
        stack_rule=alb_waf,
        covers=("CKV2_AWS_28",),
    ),
    Control(
        id="CKV_AWS_261",
        title="Target group health check",
        severity=M,
        source="CKV, WA REL11",
        description="HTTP target groups have an enabled health check with a path.",
        applies_to=(aws.TARGET_GROUP,),
        exception_allowed=False,
        resource_rule=target_group_health_check,
    ),
    # RDS
    Control(
        id="RDS.2",
        title="Database not public",
        severity=C,
        source="FSBP, AG, CKV_AWS_17, PCP",
        description="publiclyAccessible is false; the subnet group holds no public subnet.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        stack_rule=rds_private,
        covers=("CKV_AWS_17",),
    ),
    Control(
        id="RDS.3",
        title="Encrypted at rest with a CMK",
        severity=M,
        source="FSBP, AG, CKV_AWS_16",
        description="storageEncrypted is true and kmsKeyId is a customer key.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        resource_rule=rds_encrypted,
        covers=("CKV_AWS_16",),
    ),
    Control(
        id="RDS.5",
        title="Multi-AZ",
        severity=M,
        source="FSBP, AG, CKV_AWS_157",
        description="multiAz is true.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=True,
        resource_rule=rds_multi_az,
        covers=("CKV_AWS_157",),
    ),
    Control(
        id="RDS.6",
        title="Enhanced monitoring",
        severity=L,
        source="FSBP, CKV_AWS_118",
        description="monitoringInterval > 0 with a monitoring role.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=True,
        resource_rule=rds_enhanced_monitoring,
        covers=("CKV_AWS_118",),
    ),
    Control(
        id="RDS.8",
        title="Deletion protection",
        severity=L,
        source="FSBP, CKV_AWS_293",
        description="deletionProtection is true; a final snapshot is always taken.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=True,
        resource_rule=rds_deletion_protection,
        covers=("CKV_AWS_293",),
    ),
    Control(
        id="RDS.9",
        title="Logs to CloudWatch",
        severity=M,
        source="FSBP RDS.9/36, CKV_AWS_129",
        description="enabledCloudwatchLogsExports includes postgresql.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        resource_rule=rds_log_exports,
        covers=("RDS.36", "CKV_AWS_129"),
    ),
    Control(
        id="RDS.10",
        title="IAM authentication",
        severity=M,
        source="FSBP, CKV_AWS_161",
        description="iamDatabaseAuthenticationEnabled is true.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=True,
        resource_rule=rds_iam_auth,
        covers=("CKV_AWS_161",),
    ),
    Control(
        id="RDS.11",
        title="Backups >= 7 days",
        severity=M,
        source="FSBP, AG, CKV_AWS_133, PCP",
        description="backupRetentionPeriod is set and >= 7.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        resource_rule=rds_backups,
        covers=("CKV_AWS_133",),
    ),
    Control(
        id="RDS.13",
        title="Auto minor version upgrade",
        severity=H,
        source="FSBP, CKV_AWS_226",
        description="autoMinorVersionUpgrade is not false.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        resource_rule=rds_minor_upgrades,
        covers=("CKV_AWS_226",),
    ),
    Control(
        id="RDS.17",
        title="Copy tags to snapshots",
        severity=L,
        source="FSBP, CKV2_AWS_60",
        description="copyTagsToSnapshot is true.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        resource_rule=rds_copy_tags,
        covers=("CKV2_AWS_60",),
    ),
    Control(
        id="CKV2_AWS_69",
        title="TLS in transit; current CA",
        severity=M,
        source="CKV2_AWS_69, CKV_AWS_211",
        description="Its parameter group sets rds.force_ssl=1; the CA is an rds-ca-*-g1.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        stack_rule=rds_tls,
        covers=("CKV_AWS_211",),
    ),
    Control(
        id="CKV_AWS_353",
        title="Performance Insights with a CMK",
        severity=L,
        source="CKV_AWS_353/354, PCP",
        description="performanceInsightsEnabled with a customer KMS key.",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=True,
        resource_rule=rds_performance_insights,
        covers=("CKV_AWS_354",),
    ),
    Control(
        id="RDS.25",
        title="Custom admin, managed password",
        severity=M,
        source="FSBP",
        description="username is not the default; RDS manages the password (no password input).",
        applies_to=(aws.RDS_INSTANCE,),
        exception_allowed=False,
        resource_rule=rds_master_credentials,
    ),
    # CloudFront / ACM / DNS
    Control(
        id="CloudFront.1",
        title="Default root object",
        severity=H,
        source="FSBP, CKV_AWS_305",
        description="defaultRootObject is set.",
        applies_to=(aws.DISTRIBUTION,),
        exception_allowed=False,
        resource_rule=cloudfront_root_object,
        covers=("CKV_AWS_305",),
    ),
    Control(
        id="CloudFront.3",
        title="HTTPS to viewers",
        severity=M,
        source="FSBP, CKV_AWS_34, PCP",
        description="Every cache behavior redirects to or requires HTTPS.",
        applies_to=(aws.DISTRIBUTION,),
        exception_allowed=False,
        resource_rule=cloudfront_https,
        covers=("CKV_AWS_34",),
    ),
    Control(
        id="CloudFront.13",
        title="Origin access control for S3",
        severity=M,
        source="FSBP, CKV2_AWS_46",
        description="S3 origins use an OAC (s3, always, sigv4); no OAI and no website endpoint.",
        applies_to=(aws.DISTRIBUTION, aws.ORIGIN_ACCESS_CONTROL),
        exception_allowed=False,
        resource_rule=cloudfront_oac,
        covers=("CKV2_AWS_46",),
    ),
    Control(
        id="CloudFront.9",
        title="TLS to origins",
        severity=H,
        source="FSBP CloudFront.9/10, CKV2_AWS_72, PCP",
        description="Custom and VPC origins: https-only, TLSv1.2 only.",
        applies_to=(aws.DISTRIBUTION, aws.VPC_ORIGIN),
        exception_allowed=True,
        resource_rule=cloudfront_origin_tls,
        covers=("CloudFront.10", "CKV2_AWS_72"),
    ),
    Control(
        id="CloudFront.7",
        title="Custom certificate, SNI, modern TLS",
        severity=M,
        source="FSBP CloudFront.7/8/15, CKV_AWS_174, CKV2_AWS_42, PCP",
        description="An ACM certificate, sni-only, minimum protocol TLSv1.2_YYYY or newer.",
        applies_to=(aws.DISTRIBUTION,),
        exception_allowed=True,
        resource_rule=cloudfront_viewer_tls,
        covers=("CloudFront.8", "CloudFront.15", "CKV_AWS_174", "CKV2_AWS_42"),
    ),
    Control(
        id="CloudFront.5",
        title="CloudFront access logs",
        severity=M,
        source="FSBP, CKV_AWS_86, PCP",
        description="loggingConfig.bucket is set.",
        applies_to=(aws.DISTRIBUTION,),
        exception_allowed=True,
        resource_rule=cloudfront_logging,
        covers=("CKV_AWS_86",),
    ),
    Control(
        id="CloudFront.6",
        title="WAF on CloudFront",
        severity=M,
        source="FSBP, CKV_AWS_68, CKV2_AWS_47",
        description="webAclId is set.",
        applies_to=(aws.DISTRIBUTION,),
        exception_allowed=True,
        resource_rule=cloudfront_waf,
        covers=("CKV_AWS_68", "CKV2_AWS_47"),
    ),
    Control(
        id="CKV_AWS_259",
        title="HSTS response header",
        severity=M,
        source="CKV_AWS_259, CKV2_AWS_32",
        description="Every behavior has a response headers policy sending HSTS.",
        applies_to=(aws.DISTRIBUTION,),
        exception_allowed=False,
        stack_rule=cloudfront_hsts,
        covers=("CKV2_AWS_32",),
    ),
    Control(
        id="ACM.2",
        title="Strong, auto-renewing certificate",
        severity=H,
        source="FSBP, CKV_AWS_233",
        description="RSA >= 2048 or ECDSA, DNS validation, no delete-before-replace.",
        applies_to=(aws.CERTIFICATE,),
        exception_allowed=False,
        resource_rule=certificate_strength,
        covers=("CKV_AWS_233",),
    ),
    Control(
        id="Route53.2",
        title="DNS query logging",
        severity=M,
        source="FSBP, CKV2_AWS_39",
        description="A QueryLog exists for the hosted zone the stack's records use.",
        applies_to=(aws.ROUTE53_RECORD,),
        exception_allowed=True,
        stack_rule=dns_query_logging,
        covers=("CKV2_AWS_39",),
    ),
    # Secrets / KMS / SNS
    Control(
        id="SecretsManager.1",
        title="Secret rotation <= 90 days",
        severity=M,
        source="FSBP SecretsManager.1/4, CKV2_AWS_57, CKV_AWS_304",
        description="Every secret has a SecretRotation every <= 90 days.",
        applies_to=(aws.SECRET,),
        exception_allowed=True,
        stack_rule=secret_rotation,
        covers=("SecretsManager.4", "CKV2_AWS_57", "CKV_AWS_304"),
    ),
    Control(
        id="CKV_AWS_149",
        title="Secrets use a CMK",
        severity=M,
        source="CKV_AWS_149, PCP",
        description="kmsKeyId is a customer key.",
        applies_to=(aws.SECRET,),
        exception_allowed=False,
        resource_rule=secret_cmk,
    ),
    Control(
        id="KMS.4",
        title="KMS key rotation",
        severity=M,
        source="FSBP, CKV_AWS_7, AG, PCP",
        description="enableKeyRotation is true on symmetric keys (CONTROLS: 'KMS rotation').",
        applies_to=(aws.KMS_KEY,),
        exception_allowed=False,
        resource_rule=kms_rotation,
        covers=("CKV_AWS_7",),
    ),
    Control(
        id="KMS.3",
        title="Key policy explicit and not public",
        severity=C,
        source="FSBP KMS.3/5, CKV_AWS_33, CKV2_AWS_64",
        description="Explicit key policy, no bare * principal; lockout check not bypassed.",
        applies_to=(aws.KMS_KEY,),
        exception_allowed=False,
        resource_rule=kms_key_policy,
        covers=("KMS.5", "CKV_AWS_33", "CKV2_AWS_64"),
    ),
    Control(
        id="SNS.1",
        title="Topic with a CMK, not public",
        severity=M,
        source="FSBP SNS.1/4, CKV_AWS_26/169",
        description="kmsMasterKeyId is a customer key; topic policies have no bare * principal.",
        applies_to=(aws.SNS_TOPIC, aws.SNS_TOPIC_POLICY),
        exception_allowed=False,
        resource_rule=sns_encrypted_private,
        covers=("SNS.4", "CKV_AWS_26", "CKV_AWS_169"),
    ),
    # S3
    Control(
        id="S3.1",
        title="Block public access; ACLs disabled",
        severity=H,
        source="FSBP S3.1/8/12, CKV_AWS_53-56",
        description="Every bucket has all four public-access blocks and BucketOwnerEnforced.",
        applies_to=aws.BUCKETS,
        exception_allowed=False,
        stack_rule=bucket_public_access,
        covers=("S3.8", "S3.12", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
    ),
    Control(
        id="S3.5",
        title="SSL-only bucket policy",
        severity=M,
        source="FSBP",
        description="A bucket policy denies requests with aws:SecureTransport=false.",
        applies_to=aws.BUCKETS,
        exception_allowed=False,
        stack_rule=bucket_ssl_only,
    ),
    Control(
        id="S3.9",
        title="S3 server access logs",
        severity=M,
        source="FSBP, AG, CKV_AWS_18",
        description="Every bucket that is not itself a log bucket has BucketLogging.",
        applies_to=aws.BUCKETS,
        exception_allowed=True,
        stack_rule=bucket_access_logging,
        covers=("CKV_AWS_18",),
    ),
    # CloudWatch / IAM
    Control(
        id="CKV_AWS_66",
        title="Log retention and KMS",
        severity=M,
        source="CKV_AWS_66/338/158",
        description="Log groups set retentionInDays and kmsKeyId.",
        applies_to=(aws.LOG_GROUP,),
        exception_allowed=False,
        resource_rule=log_group_retention,
        covers=("CKV_AWS_338", "CKV_AWS_158"),
    ),
    Control(
        id="CKV_AWS_319",
        title="Alarm actions",
        severity=M,
        source="CKV_AWS_319",
        description="Alarms are enabled and notify SNS topics on ALARM and OK.",
        applies_to=(aws.METRIC_ALARM,),
        exception_allowed=False,
        stack_rule=alarm_actions,
    ),
    Control(
        id="IAM.1",
        title="Least-privilege policies",
        severity=H,
        source="FSBP IAM.1/21, KMS.1/2, CKV_AWS_62/63/355/286/288-290",
        description='No "*" or "service:*" actions, no NotAction, no kms:Decrypt on every key.',
        applies_to=IAM_PERMISSION_TYPES,
        exception_allowed=False,
        stack_rule=least_privilege_policies,
        covers=("IAM.21", "KMS.1", "KMS.2", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"),
    ),
    Control(
        id="CKV_AWS_358",
        title="GitHub OIDC trust pinned",
        severity=H,
        source="CKV_AWS_358/393",
        description="GitHub OIDC roles: aud sts.amazonaws.com; sub StringEquals repo+environment.",
        applies_to=(aws.IAM_ROLE,),
        exception_allowed=False,
        resource_rule=github_oidc_trust,
        covers=("CKV_AWS_393",),
    ),
    # Pulumi options
    Control(
        id="PUL.1",
        title="Stateful resources protected",
        severity=H,
        source="PUL, WA REL09",
        description="protect on DB, keys, buckets, secrets; the DB and its key retained on delete.",
        applies_to=STATEFUL_TYPES,
        exception_allowed=True,
        stack_rule=stateful_protected,
    ),
)

BY_ID: Mapping[str, Control] = {control.id: control for control in CONTROLS}


def control(control_id: str) -> Control:
    """A control by its ID or by an ID it covers (e.g. "SecretsManager.4")."""
    if control_id in BY_ID:
        return BY_ID[control_id]
    for candidate in CONTROLS:
        if control_id in candidate.covers:
            return candidate
    raise KeyError(control_id)
