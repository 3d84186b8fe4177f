"""The AWS names and descriptions a stack file's values flow into, judged before any resource.

`app` and the stack's name start every physical name; service, task, schedule and secret names
are in their own resources' names, a schedule's command in its description. `planned(cfg)` lists
what AWS will be asked to accept, each built by the `components.naming` function the component
uses (an auto-named resource with a stand-in for Pulumi's suffix), under the stack-file key whose
value it holds; `problems(cfg)` judges each with AWS's own rule for that input
(`aws_facts.input_rules`, the rules the offline plan's mocks and the policy pack apply), so
`app: internal` is a config error naming `app`, not a `pulumi up` that fails at the load
balancer after the VPC exists. A name too long for one of `components.naming.NAME_LIMITS` (the
load balancer, a target group, the cache) gets that limit's advice instead: which of the app,
stack and service names to shorten, and by how much.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_facts.input_rules import Length, rule
from aws_facts.regions import GLOBAL_SERVICES_REGION
from components import naming
from components.database import log_exports, replica_identifier
from components.naming import CACHE_LIMIT, LOAD_BALANCER_LIMIT, TARGET_GROUP_LIMIT
from components.secrets import SecretSource
from stacks.config.network import FlowLogDestination

if TYPE_CHECKING:
    from stacks.config.compute import ServiceConfig
    from stacks.config.stack import StackConfig

BUCKET = "aws:s3/bucket:Bucket"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECRET = "aws:secretsmanager/secret:Secret"
FAMILY = "aws:ecs/taskDefinition:TaskDefinition"
INSTANCE = "aws:rds/instance:Instance"
SCHEDULE = "aws:scheduler/schedule:Schedule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
ADVISED = frozenset({LOAD_BALANCER, TARGET_GROUP, REPLICATION_GROUP})
"""Resources whose length `_length_advice` judges (with what to shorten by how much)."""


@dataclass(frozen=True)
class Planned:
    """A value a stack file puts in front of AWS, and where it came from."""

    key: str
    """The stack-file key whose value is in it (`app`, `services.api`, ...)."""
    resource_type: str
    path: str
    """The resource's input."""
    value: str
    """As AWS will see it (an auto-name with `xxxxxxx` for Pulumi's suffix)."""
    whole: bool = False
    """The value is the key's own (a database name), not a name the app and stack start."""


def _auto(key: str, resource_type: str, logical: str, path: str = "name") -> Planned:
    return Planned(key, resource_type, path, naming.physical_shape(logical))


def _role(key: str, logical: str) -> list[Planned]:
    """An auto-named role and its inline policy."""
    return [_auto(key, ROLE, logical), _auto(key, ROLE_POLICY, naming.role_policy(logical))]


def planned(cfg: StackConfig) -> list[Planned]:
    """Every name (and description) a stack-file value flows into, in the stack's resources."""
    return [
        *_stack_names(cfg),
        *_network_names(cfg),
        *_data_names(cfg),
        *_compute_names(cfg),
        *_edge_names(cfg),
    ]


def _stack_names(cfg: StackConfig) -> Iterator[Planned]:
    p = cfg.prefix
    alias = naming.kms_alias(naming.key_alias(p))
    yield Planned("app", "aws:kms/alias:Alias", "name", alias)
    yield _auto("app", "aws:sns/topic:Topic", naming.alarm_topic(p))
    yield _auto("app", "aws:cloudwatch/eventRule:EventRule", naming.task_failures_rule(p))
    yield Planned("app", "aws:cloudwatch/dashboard:Dashboard", "dashboardName", naming.dashboard(p))
    if cfg.budget is not None:
        yield Planned("app", "aws:budgets/budget:Budget", "name", naming.budget(p))
    if cfg.alarms.slack is not None:
        yield Planned("app", ROLE, "name", naming.chat_role(p))
    if cfg.ci.enabled:
        yield Planned("app", "aws:iam/policy:Policy", "name", naming.ci_boundary(p))
        for kind in ("deploy", "preview"):
            yield _auto("app", ROLE, naming.ci_role(p, kind))
            # The documents' count is known only from the statements: judge the first one.
            yield Planned("app", "aws:iam/policy:Policy", "name", naming.ci_policy(p, kind, 1))
    # The image records `golive release` writes, read by the plan (ops/ writes them with boto3).
    for service in cfg.services:
        yield Planned(
            f"services.{service}",
            "aws:ssm/parameter:Parameter",
            "name",
            f"{cfg.image_parameter_prefix}{service}",
        )


def _network_names(cfg: StackConfig) -> Iterator[Planned]:
    p, flow_logs = cfg.prefix, cfg.network.flow_logs
    if cfg.network.interface_endpoints:
        yield _auto("app", SECURITY_GROUP, naming.endpoints_security_group(p))
    if not flow_logs.enabled:
        return
    if flow_logs.destination is FlowLogDestination.S3:
        yield _auto("app", BUCKET, naming.flow_logs(p), "bucket")
    else:
        yield _auto("app", LOG_GROUP, naming.flow_logs(p))
        yield _auto("app", ROLE, naming.flow_logs_role(p))
        yield _auto("app", ROLE_POLICY, naming.flow_logs_policy(p))


def _data_names(cfg: StackConfig) -> Iterator[Planned]:
    p, path = cfg.prefix, naming.secret_path(cfg.app, cfg.stack)
    for name in cfg.secrets:
        prefix = naming.secret_name_prefix(path, name)
        yield Planned(f"secrets.{name}", SECRET, "name", naming.prefixed_shape(prefix))
    database = cfg.database
    if database is not None:
        instance = database.instance_identifier(p)
        user = database.master_username
        yield Planned("app", INSTANCE, "identifier", instance)
        for number in range(1, database.replica_count + 1):
            yield Planned("app", INSTANCE, "identifier", replica_identifier(instance, number))
        yield Planned("database.name", INSTANCE, "dbName", database.name, whole=True)
        yield Planned("database.masterUsername", INSTANCE, "username", user, whole=True)
        yield _auto("app", "aws:rds/subnetGroup:SubnetGroup", naming.database_subnet_group(p))
        yield _auto("app", SECURITY_GROUP, naming.database_security_group(p))
        parameters = naming.database_parameter_group(p)
        yield _auto("app", "aws:rds/parameterGroup:ParameterGroup", parameters)
        for log in log_exports(database.iam_authentication):
            yield Planned("app", LOG_GROUP, "name", naming.database_log_group(instance, log))
        if database.monitoring_interval > 0:
            yield _auto("app", ROLE, naming.database_monitoring_role(p))
    cache = cfg.cache
    if cache is not None:
        group_id = cache.replication_group_id(p)
        yield Planned("app", REPLICATION_GROUP, "replicationGroupId", group_id)
        yield _auto("app", SECURITY_GROUP, naming.cache_security_group(p))
        yield _auto("app", "aws:elasticache/subnetGroup:SubnetGroup", naming.cache_subnet_group(p))
        token = naming.secret_name_prefix(path, cache.auth_token.env_name)
        yield Planned("cache.authToken.envName", SECRET, "name", naming.prefixed_shape(token))


def _compute_names(cfg: StackConfig) -> Iterator[Planned]:
    p = cfg.prefix
    yield Planned("app", "aws:ecs/cluster:Cluster", "name", naming.cluster(p))
    if any(s.ecs_exec for s in cfg.services.values()):
        yield _auto("app", LOG_GROUP, naming.exec_sessions_log_group(p))
    if cfg.has_web_services:
        yield _auto("app", LOAD_BALANCER, naming.load_balancer(p))
        yield _auto("app", SECURITY_GROUP, naming.load_balancer_security_group(p))
        if cfg.load_balancer.access_logs.enabled:
            yield _auto("app", BUCKET, naming.load_balancer_logs(p), "bucket")
    for name, service in cfg.services.items():
        yield from _service_names(cfg, name, service)
    for name in cfg.tasks:
        yield Planned(f"tasks.{name}", FAMILY, "family", naming.workload(p, name))
    for name, scheduled in cfg.schedules.items():
        key, base = f"schedules.{name}", naming.workload(p, name)
        yield Planned(key, FAMILY, "family", base)
        yield _auto(key, SCHEDULE, naming.schedule(base))
        yield from _role(key, naming.scheduler_role(base))
        description = naming.schedule_description(name, scheduled.command)
        yield Planned(f"{key}.command", SCHEDULE, "description", description, whole=True)
    has_credentials = any(s.source is SecretSource.DATABASE for s in cfg.secrets.values())
    if cfg.database is not None and has_credentials:
        yield from _workload_names("app", naming.db_init(p))
        yield Planned(
            "app", LOG_GROUP, "name", naming.log_group(cfg.app, cfg.stack, naming.DB_INIT)
        )


def _service_names(cfg: StackConfig, name: str, service: ServiceConfig) -> Iterator[Planned]:
    key, base = f"services.{name}", naming.workload(cfg.prefix, name)
    yield from _workload_names(key, base)
    if service.ecs_exec or service.task_role_statements:
        yield _auto(key, ROLE_POLICY, naming.role_policy(naming.task_role(base)))
    yield _auto(key, "aws:ecs/service:Service", naming.ecs_service(base))
    yield Planned(key, LOG_GROUP, "name", naming.log_group(cfg.app, cfg.stack, name))
    if service.image is None:
        repository = naming.repository(cfg.app, cfg.stack, name)
        yield Planned(key, "aws:ecr/repository:Repository", "name", repository)
    scaling = service.autoscaling
    if scaling is not None:
        for metric, target in (
            ("cpu", scaling.cpu_percent),
            ("memory", scaling.memory_percent),
            ("requests", scaling.requests_per_target if service.is_web else None),
        ):
            if target is not None:
                policy = naming.scaling_policy(base, metric)
                yield _auto(key, "aws:appautoscaling/policy:Policy", policy)
    if service.is_web:
        target_group = naming.target_group(cfg.prefix, name)
        yield _auto(key, TARGET_GROUP, target_group)


def _workload_names(key: str, base: str) -> Iterator[Planned]:
    """What a service and db-init each have: the family, the roles (the task role's policy only
    when it is given statements), the tasks' group."""
    yield Planned(key, FAMILY, "family", base)
    yield from _role(key, naming.execution_role(base))
    yield _auto(key, ROLE, naming.task_role(base))
    yield _auto(key, SECURITY_GROUP, naming.tasks_security_group(base))


def _edge_names(cfg: StackConfig) -> Iterator[Planned]:
    p = cfg.prefix
    if not (cfg.frontend.enabled or cfg.has_web_services):
        return
    if cfg.region != GLOBAL_SERVICES_REGION:
        # CloudFront's alarms notify a topic in us-east-1, under a key of its own there.
        alias = naming.kms_alias(naming.global_key_alias(p))
        yield Planned("app", "aws:kms/alias:Alias", "name", alias)
        yield _auto("app", "aws:sns/topic:Topic", naming.global_alarm_topic(p))
    if cfg.frontend.enabled:
        yield _auto("app", BUCKET, naming.site_bucket(p), "bucket")
        access = "aws:cloudfront/originAccessControl:OriginAccessControl"
        yield Planned("app", access, "name", naming.origin_access_control(p))
        if cfg.frontend.spa_fallback:
            function = "aws:cloudfront/function:Function"
            yield Planned("app", function, "name", naming.spa_function(p))
    if cfg.cdn.access_logs.enabled:
        yield _auto("app", BUCKET, naming.edge_logs_bucket(p), "bucket")
    if cfg.cdn.waf.enabled:
        yield _auto("app", "aws:wafv2/webAcl:WebAcl", naming.web_acl(p))
        yield Planned("app", LOG_GROUP, "name", naming.waf_log_group(p))


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Each stack-file value that makes a name or description AWS refuses, once per reason,
    naming the key, what it makes, why AWS refuses it and where AWS says so."""
    grouped: dict[tuple[str, bool, str, str], list[str]] = {}
    for item in planned(cfg):
        checked = rule(item.resource_type, item.path)
        for check, reason in checked.broken(item.value):
            if isinstance(check, Length) and item.resource_type in ADVISED:
                continue
            # Service, task, schedule and secret names are validated to characters every AWS
            # name takes: what else they are in can break only by its length. The rest (a
            # reserved start, above all) is the app's and the stack's, which start every name.
            key = item.key if item.whole or isinstance(check, Length) else "app"
            where = (key, item.whole, f"{checked.what} ({checked.source})", reason)
            values = grouped.setdefault(where, [])
            if item.value not in values:
                values.append(item.value)
    found = _length_advice(cfg)
    for (key, whole, what, reason), values in grouped.items():
        shown = ", ".join(_shown(v) for v in values[:3])
        more = f" and {len(values) - 3} more" if len(values) > 3 else ""
        made = f"{shown}{more} is" if whole else f"{_subject(key, cfg)} makes {shown}{more},"
        found.append((key, f"{made} refused by AWS as {what}: {reason}; {_fix(key, cfg)}"))
    return found


def _length_advice(cfg: StackConfig) -> list[tuple[str, str]]:
    """The load balancer and each web service's target group (with web services), the cache's
    replication group (with a cache): too long, with which names to shorten by how much."""
    found: list[tuple[str, str]] = []
    if cfg.has_web_services:
        found.append(("app", LOAD_BALANCER_LIMIT.advice(cfg.app, cfg.stack)))
        found += [
            (f"services.{name}", TARGET_GROUP_LIMIT.advice(cfg.app, cfg.stack, name))
            for name, service in cfg.services.items()
            if service.is_web
        ]
    if cfg.cache is not None:
        found.append(("cache", CACHE_LIMIT.advice(cfg.app, cfg.stack)))
    return [(path, advice) for path, advice in found if advice]


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 80 else f"{value[:60]!r}..."


def _subject(key: str, cfg: StackConfig) -> str:
    """The value of a key whose value starts or is part of a name."""
    if key == "app":
        return f"'{cfg.app}'"
    if key == "cache.authToken.envName" and cfg.cache is not None:
        return f"'{cfg.cache.auth_token.env_name}'"
    return f"'{key.split('.')[1]}'"


def _fix(key: str, cfg: StackConfig) -> str:
    if key == "app":
        return f"choose another app name (the stack is '{cfg.stack}')"
    if key.endswith(".command"):
        return "shorten the command"
    return "choose another (shorter) name"
