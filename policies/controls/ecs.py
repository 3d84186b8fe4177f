"""ECS controls: what tasks may do, how they log, and how services deploy, roll back and
scale."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aws_facts.ecs import MIN_TASKS_TAG, RELEASED_TAG
from policies import aws
from policies.aws import of_type, referenced, refers_to
from policies.checks import equals, is_in, negate, not_equal, number_at_least, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
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

controls = Controls("ECS")


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


@controls.stack_rule(
    id="ECS.2",
    title="No public IP on tasks",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_333",
    covers=("CKV_AWS_333",),
    applies_to=(aws.ECS_SERVICE,),
    exception_allowed=True,
    description="No public IP on tasks; no subnet with a route to an internet gateway.",
    why=(
        "Tasks are reachable only through the load balancer; a public IP exposes a container "
        "directly to the internet."
    ),
)
def service_private(resources: Sequence[Resource]) -> list[Violation]:
    """ECS.2: tasks get no public IP and run in subnets without a route to an internet gateway."""
    found: list[Violation] = []
    public, uncertain = aws.public_subnets(resources)
    for service in of_type(resources, aws.ECS_SERVICE):
        assign = truthy(service.get("networkConfiguration.assignPublicIp"))
        for v in require(negate(assign), "networkConfiguration.assignPublicIp is true"):
            found.append(Violation(f"{service.name}: {v.message}", v.outcome, service.urn))
        subnets = as_list(service.get("networkConfiguration.subnets"))
        if subnets is UNKNOWN:
            found.append(unknown(f"{service.name}: subnets not known yet", urn=service.urn))
            continue
        for subnet in subnets:
            is_public = any3(refers_to(subnet, s) for s in public)
            if is_public is False and uncertain:
                is_public = UNKNOWN
            for v in require(negate(is_public), f"subnet {subnet} routes to an internet gateway"):
                found.append(Violation(f"{service.name}: {v.message}", v.outcome, service.urn))
    return found


@controls.resource_rule(
    id="ECS.4",
    title="Non-privileged containers",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_334",
    covers=("CKV_AWS_334",),
    applies_to=(aws.TASK_DEFINITION,),
    exception_allowed=False,
    description="No container definition sets privileged.",
    why=("A privileged container has root on its host: one compromised app escapes its isolation."),
)
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


@controls.resource_rule(
    id="ECS.5",
    title="Read-only root filesystem",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_336",
    covers=("CKV_AWS_336",),
    applies_to=(aws.TASK_DEFINITION,),
    exception_allowed=True,
    description="Every container has readonlyRootFilesystem true (opt-out: in config).",
    why=(
        "Code an attacker runs in the container cannot drop tools or change the app's files; the "
        "paths that must be writable are explicit volumes."
    ),
)
def read_only_root(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.5: every container's root filesystem is read-only (writable paths are volumes)."""
    containers = _container_definitions(props)
    if containers is None:
        return list(_UNKNOWN_DEFINITIONS)
    found: list[Violation] = []
    for c in containers:
        found += require(
            is_true(c.get("readonlyRootFilesystem")),
            f"container {c.get('name')}: readonlyRootFilesystem is not true",
        )
    return found


SECRET_LIKE_NAME = re.compile(r"(?i)pass|secret|token|key")


@controls.resource_rule(
    id="ECS.8",
    title="Secrets not in environment variables",
    severity=Severity.HIGH,
    source="FSBP",
    applies_to=(aws.TASK_DEFINITION,),
    exception_allowed=False,
    description="No environment variable name matches pass|secret|token|key; use `secrets`.",
    why=(
        "Plain environment variables are readable by anyone who may describe the task definition; "
        "`secrets` are fetched from Secrets Manager when the task starts."
    ),
)
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


@controls.stack_rule(
    id="ECS.9",
    title="Container logging",
    severity=Severity.HIGH,
    source="FSBP",
    applies_to=(aws.TASK_DEFINITION,),
    exception_allowed=False,
    description="Every container logs with awslogs to a log group the stack creates.",
    why=("Without logs shipped to CloudWatch, a crashed task takes its output with it."),
)
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


@controls.resource_rule(
    id="ECS.10",
    title="Latest Fargate platform",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_332",
    covers=("CKV_AWS_332",),
    applies_to=(aws.ECS_SERVICE,),
    exception_allowed=False,
    description="platformVersion is LATEST or unset.",
    why=(
        "The latest Fargate platform version carries the current kernel and runtime security "
        "patches."
    ),
)
def latest_platform(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.10: Fargate services run the latest platform version."""
    version = unwrap(get(props, "platformVersion"))
    if version is UNKNOWN:
        return [unknown("cannot check yet: platformVersion not known")]
    if version not in (None, "LATEST"):
        return [fail(f"platformVersion is pinned to {version!r}; use LATEST (or leave it unset)")]
    return []


@controls.resource_rule(
    id="ECS.12",
    title="Container Insights",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_65",
    covers=("CKV_AWS_65",),
    applies_to=(aws.ECS_CLUSTER,),
    exception_allowed=False,
    description="The cluster's containerInsights setting is enabled.",
    why=("Per-service CPU, memory and task counts, which the alarms and the dashboard read."),
)
def container_insights(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.12: Container Insights is on for the cluster."""
    settings = as_list(get(props, "settings"))
    if settings is UNKNOWN:
        return [unknown("cannot check yet: cluster settings not known")]
    enabled = any3(
        all3(
            [
                equals(get(s, "name"), "containerInsights"),
                is_in(get(s, "value"), ("enabled", "enhanced")),
            ]
        )
        for s in settings
    )
    return require(enabled, "containerInsights setting is not enabled")


@controls.resource_rule(
    id="ECS.1",
    title="Task isolation",
    severity=Severity.HIGH,
    source="FSBP ECS.1/3, CKV_AWS_335/249",
    covers=("ECS.3", "CKV_AWS_335", "CKV_AWS_249"),
    applies_to=(aws.TASK_DEFINITION,),
    exception_allowed=False,
    description="awsvpc network mode, no host PID mode, execution role differs from task role.",
    why=(
        "awsvpc gives each task its own network interface and security group; the host's PID "
        "namespace would expose other processes; a task role apart from the execution role keeps "
        "the app from reading every secret the ECS agent fetches."
    ),
)
def task_isolation(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ECS.1/3: awsvpc networking, no host PID namespace, execution role != task role."""
    found = require(
        equals(get(props, "networkMode"), "awsvpc"), "networkMode is not awsvpc", waivable=False
    )
    found += require(not_equal(get(props, "pidMode"), "host"), "pidMode is host", waivable=False)
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


@controls.resource_rule(
    id="REL08.BREAKER",
    title="Circuit breaker with rollback",
    severity=Severity.HIGH,
    source="WA REL08/REL11",
    applies_to=(aws.ECS_SERVICE,),
    exception_allowed=False,
    description="deploymentCircuitBreaker enable and rollback are true.",
    why=(
        "A deployment whose tasks never become healthy rolls back by itself instead of leaving the "
        "service down."
    ),
)
def circuit_breaker(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """REL08/11: the deployment circuit breaker is on and rolls back."""
    return require(
        is_true(get(props, "deploymentCircuitBreaker.enable")),
        "deploymentCircuitBreaker.enable is not true",
    ) + require(
        is_true(get(props, "deploymentCircuitBreaker.rollback")),
        "deploymentCircuitBreaker.rollback is not true",
    )


@controls.stack_rule(
    id="REL08.ALARMS",
    title="Alarm-based rollback",
    severity=Severity.MEDIUM,
    source="WA REL08",
    applies_to=(aws.ECS_SERVICE,),
    exception_allowed=True,
    exception_never_covers=(
        "web services, which roll back on their own target group's 5xx and unhealthy-host alarms"
    ),
    description=(
        "Every service rolls back on alarms of this stack: web services on their target "
        "group's, workers on their running tasks."
    ),
    why=(
        "A release that passes its health checks but raises errors (5xx, unhealthy targets), or "
        "a worker whose new tasks crash after starting, rolls back by itself."
    ),
)
def alarm_rollback(resources: Sequence[Resource]) -> list[Violation]:
    """REL08 (alarms): services roll back on alarms, all of which this stack creates.

    An exception may cover workers only: a web service always has its target group's alarms.
    """
    found: list[Violation] = []
    alarms = of_type(resources, aws.METRIC_ALARM)
    web = {service.urn for service in _web_services(resources)}
    for service in of_type(resources, aws.ECS_SERVICE):
        urn = service.urn
        waivable = urn not in web
        for flag in ("enable", "rollback"):
            for v in require(
                is_true(service.get(f"alarms.{flag}")),
                f"alarms.{flag} is not true",
                waivable=waivable,
            ):
                found.append(Violation(f"{service.name}: {v.message}", v.outcome, urn, waivable))
        names = as_list(service.get("alarms.alarmNames"))
        if names is UNKNOWN:
            found.append(
                unknown(
                    f"{service.name}: alarms.alarmNames not known yet", urn=urn, waivable=waivable
                )
            )
            continue
        if not names:
            found.append(
                fail(f"{service.name}: alarms.alarmNames is empty", urn=urn, waivable=waivable)
            )
        for name in names:
            matched, uncertain = referenced(name, alarms, "name")
            if not matched:
                make = unknown if uncertain or name is UNKNOWN else fail
                found.append(
                    make(
                        f"{service.name}: alarm {name!r} is not created by this stack",
                        urn=urn,
                        waivable=waivable,
                    )
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


def _unreleased(service: Resource) -> bool:
    """A service never released runs 0 tasks by design (nothing to run yet), so its counts
    would block a stack's first `pulumi up`: its task count and autoscaling floor are judged on
    what it keeps once released instead (`_released_count`)."""
    return unwrap(service.get(f"tags.{RELEASED_TAG}")) == "false"


def _released_count(service: Resource) -> Any:
    """The tasks an unreleased service keeps once released, from its tag (unknown without)."""
    count = as_number(service.get(f"tags.{MIN_TASKS_TAG}"))
    return UNKNOWN if count is None else count


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


@controls.stack_rule(
    id="REL10.TASKS",
    title=">=2 tasks; zero-downtime deploys",
    severity=Severity.MEDIUM,
    source="WA REL10",
    applies_to=(aws.ECS_SERVICE,),
    exception_allowed=True,
    exception_never_covers=(
        "zero-downtime deploys: minimum healthy 100 %, maximum 200 %, a health-check grace period"
    ),
    description="Web services keep >=2 tasks; min healthy 100 %, max 200 %, a grace period.",
    why=(
        "Two tasks survive the loss of one task or of an AZ; deploys that start new tasks before "
        "stopping old ones keep full capacity throughout."
    ),
)
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
            count: Any = _released_count(service)
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
                    f"{service.name}: runs {count or 0:.0f} task(s){_once(service)}; >=2 survive "
                    "an AZ loss",
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
                number_at_least(service.get("healthCheckGracePeriodSeconds"), 1),
                "healthCheckGracePeriodSeconds is not set (booting tasks get killed)",
            ),
        )
        for answer, message in checks:
            for v in require(answer, message, waivable=False):
                found.append(Violation(f"{service.name}: {v.message}", v.outcome, urn, False))
    return found


def _once(service: Resource) -> str:
    return " once released" if _unreleased(service) else ""


def _number_or_default(value: Any, default: float, minimum: float) -> Tri:
    number = as_number(value)
    if number is UNKNOWN:
        return UNKNOWN
    return (default if number is None else number) >= minimum


CPU_TARGET_RANGE = (50.0, 75.0)
"""Target-tracking CPU target: the usual guidance is ~60-70; below 50 wastes tasks, above 75
leaves no headroom for the surviving tasks when one AZ fails."""


@controls.stack_rule(
    id="REL07",
    title="Autoscaling",
    severity=Severity.MEDIUM,
    source="WA REL07",
    applies_to=(aws.ECS_SERVICE,),
    exception_allowed=True,
    description="Web services: autoscaling target (min >=2) and a CPU target-tracking policy.",
    why=(
        "Capacity follows the load; the CPU target leaves headroom for the surviving tasks when an "
        "AZ fails."
    ),
)
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
            minimum = (
                _released_count(service) if _unreleased(service) else target.get("minCapacity")
            )
            floor = number_at_least(minimum, 2)
            found += [
                Violation(f"{service.name}: {v.message}", v.outcome, service.urn)
                for v in require(floor, f"autoscaling minCapacity is below 2{_once(service)}")
            ]
            resource_id = target.get("resourceId")
            verdicts: list[Tri] = []
            for policy in policies:
                same = equals(policy.get("resourceId"), resource_id)
                metric = equals(
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
                kind = equals(policy.get("policyType"), "TargetTrackingScaling")
                verdicts.append(all3([same, kind, metric, in_range]))
            found += [
                Violation(f"{service.name}: {v.message}", v.outcome, service.urn)
                for v in require(
                    any3(verdicts),
                    "no target-tracking policy on ECSServiceAverageCPUUtilization "
                    f"with a target of {CPU_TARGET_RANGE[0]:.0f}-"
                    f"{CPU_TARGET_RANGE[1]:.0f} %",
                )
            ]
    return found
