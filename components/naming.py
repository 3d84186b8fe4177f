"""One place that builds the names golive gives AWS resources, and says how AWS will see them.

The components call these functions where they declare a resource, and the config model calls
the same functions to check, before anything exists, that AWS accepts each name a stack file's
values flow into (the lesson of SST's `naming.ts`: a name built in two places drifts).
`NAME_LIMITS` says how many characters the app, stack and service names may take together in
the names whose limits bind them, and which to shorten by how much when they take more (the
config model's messages, the config reference).

Two kinds of name come out of here. An auto-named resource gets a logical name, and Pulumi
names it `<logical>-<7 hex>`: 8 characters more (pulumi docs, "Resource names: autonaming");
`physical_shape` shows it. An explicitly named resource gets the physical name itself.
`prefix` is always the stack's `<app>-<stack>`; `base` a workload's `<prefix>-<name>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_facts.cloudfront import WAF_LOG_DESTINATION_PREFIX
from aws_facts.elasticache import CACHE_ID_MAX
from aws_facts.limits import ALB_NAME_MAX, TARGET_GROUP_NAME_MAX

AUTONAME_SUFFIX = 8
"""Pulumi auto-names a resource `<logical>-<7 hex>`: 8 characters on top of the logical name."""
UNIQUE_SUFFIX = 26
"""A `namePrefix` gets the provider's unique id after it: 26 characters (timestamp, counter)."""


def physical_length(logical: str) -> int:
    """The length of the name AWS will see for a Pulumi auto-named resource."""
    return len(logical) + AUTONAME_SUFFIX


def physical_shape(logical: str) -> str:
    """How the auto-named physical name will look, for messages: `<logical>-xxxxxxx`."""
    return f"{logical}-{'x' * (AUTONAME_SUFFIX - 1)}"


def autonamed_pattern(logical: str) -> str:
    """An IAM pattern of exactly the physical names Pulumi gives `logical`: `<logical>-???????`.
    The fixed-length suffix ends the pattern, so `*` inside `logical` cannot stretch over a
    longer name (`<prefix>-*-task-???????` is a task role, never `...-task-scheduler-...`)."""
    return f"{logical}-{'?' * (AUTONAME_SUFFIX - 1)}"


def prefixed_shape(name_prefix: str) -> str:
    """How a name made from a `namePrefix` will look: the prefix and 26 stand-in digits."""
    return f"{name_prefix}{'0' * UNIQUE_SUFFIX}"


# ----------------------------------------------------------------------------- the stack


def kms_alias(alias: str) -> str:
    """A KMS alias's name: `alias/` and the alias (explicit)."""
    return f"alias/{alias}"


def key_alias(prefix: str) -> str:
    """The stack key's alias, without `alias/`."""
    return f"golive/{prefix}"


def global_key_alias(prefix: str) -> str:
    """The us-east-1 key's alias for CloudFront's alarm topic, without `alias/`."""
    return f"{key_alias(prefix)}-global"


def secret_path(app: str, stack: str) -> str:
    """Where the stack's secrets live in Secrets Manager: `<app>/<stack>/`."""
    return f"{app}/{stack}/"


def secret_name_prefix(path: str, secret: str) -> str:
    """A secret's `namePrefix` (the provider appends its unique id: `prefixed_shape`)."""
    return f"{path}{secret}-"


def log_group(app: str, stack: str, workload: str) -> str:
    """A workload's log group, `/golive/<app>/<stack>/<workload>` (explicit)."""
    return f"/golive/{app}/{stack}/{workload}"


def repository(app: str, stack: str, service: str) -> str:
    """A service's ECR repository, `<app>/<stack>/<service>` (explicit; CI pushes to it)."""
    return f"{app}/{stack}/{service}"


# ----------------------------------------------------------------------------- network


def flow_logs(prefix: str) -> str:
    """The flow logs' log group or bucket (auto-named)."""
    return f"{prefix}-flow-logs"


def flow_logs_role(prefix: str) -> str:
    return f"{prefix}-flow-logs-role"


def flow_logs_policy(prefix: str) -> str:
    return f"{prefix}-flow-logs-write"


def endpoints_security_group(prefix: str) -> str:
    return f"{prefix}-endpoints-sg"


# ----------------------------------------------------------------------------- data tier


def database(prefix: str) -> str:
    """A stack's database identifier, handed to `Database` as its `identifier` (an explicit
    name, not auto-named: at most 63 characters with the suffix a restored instance adds)."""
    return f"{prefix}-db"


def database_subnet_group(prefix: str) -> str:
    return f"{prefix}-db-subnets"


def database_security_group(prefix: str) -> str:
    return f"{prefix}-db-sg"


def database_parameter_group(prefix: str) -> str:
    return f"{prefix}-db-params"


def database_monitoring_role(prefix: str) -> str:
    return f"{prefix}-db-monitoring"


def database_log_group(instance: str, log: str) -> str:
    """The log group RDS exports `log` to; RDS names it (explicit, so golive owns it)."""
    return f"/aws/rds/instance/{instance}/{log}"


def cache(prefix: str) -> str:
    """A stack's cache replication group id, handed to `Cache` (explicit, at most 40)."""
    return f"{prefix}-cache"


def waf_log_group(prefix: str) -> str:
    """The log group of a stack's WAF request logs (WAF's required prefix, then the stack)."""
    return f"{WAF_LOG_DESTINATION_PREFIX}{prefix}"


def cache_security_group(prefix: str) -> str:
    return f"{prefix}-cache-sg"


def cache_subnet_group(prefix: str) -> str:
    return f"{prefix}-cache-subnets"


# ----------------------------------------------------------------------------- compute


def cluster(prefix: str) -> str:
    """The ECS cluster (explicit: `golive` finds it by this name)."""
    return prefix


def exec_sessions_log_group(prefix: str) -> str:
    return f"{prefix}-exec-sessions"


def load_balancer(prefix: str) -> str:
    """The logical name of a stack's application load balancer."""
    return f"{prefix}-alb"


def load_balancer_security_group(prefix: str) -> str:
    return f"{prefix}-alb-sg"


def load_balancer_logs(prefix: str) -> str:
    """The ALB's access-log bucket (auto-named)."""
    return f"{prefix}-alb-logs"


def target_group(prefix: str, service: str) -> str:
    """The logical name of a web service's target group."""
    return f"{prefix}-{service}"


def workload(prefix: str, name: str) -> str:
    """A service's, task's or schedule's base name, `<prefix>-<name>`: its task definition
    family (explicit) and the start of its other names."""
    return f"{prefix}-{name}"


DB_INIT = "db-init"
"""The built-in task that creates the application's database role (a reserved task name)."""


def db_init(prefix: str) -> str:
    """The built-in db-init task's base name."""
    return workload(prefix, DB_INIT)


def execution_role(base: str) -> str:
    return f"{base}-execution"


def task_role(base: str) -> str:
    return f"{base}-task"


def role_policy(role: str) -> str:
    """A role's inline policy, named after the role's logical name (auto-named)."""
    return f"{role}-policy"


def tasks_security_group(base: str) -> str:
    """A service's (or db-init's) tasks' security group (auto-named)."""
    return f"{base}-sg"


def ecs_service(base: str) -> str:
    return f"{base}-service"


def scaling_policy(base: str, metric: str) -> str:
    return f"{base}-scale-{metric}"


def schedule(base: str) -> str:
    return f"{base}-schedule"


def scheduler_role(base: str) -> str:
    return f"{base}-scheduler"


def schedule_description(schedule_name: str, command: list[str]) -> str:
    """What the schedule runs, shown in the console (at most 512 characters, AWS says)."""
    return f"Runs {schedule_name} ({' '.join(command)})"


# ----------------------------------------------------------------------------- edge


def site_bucket(prefix: str) -> str:
    """The static site's bucket (auto-named)."""
    return f"{prefix}-site"


def edge_logs_bucket(prefix: str) -> str:
    """CloudFront's access-log bucket (auto-named)."""
    return f"{prefix}-logs"


def origin_access_control(prefix: str) -> str:
    """The site bucket's origin access control (explicit, at most 64)."""
    return f"{prefix}-site"


def headers_policy(prefix: str) -> str:
    """The response headers policy (explicit)."""
    return f"{prefix}-security-headers"


def spa_function(prefix: str) -> str:
    """The single-page app's fallback function (explicit, at most 64)."""
    return f"{prefix}-spa-fallback"


def web_acl(prefix: str) -> str:
    """The web ACL (auto-named) and its CloudWatch metric's name."""
    return f"{prefix}-waf"


# ----------------------------------------------------------------------------- monitoring


def alarm_topic(prefix: str) -> str:
    return f"{prefix}-alarms"


def global_alarm_topic(prefix: str) -> str:
    """The us-east-1 topic CloudFront's alarms publish to."""
    return f"{prefix}-global-alarms"


def chat_configuration(prefix: str) -> str:
    """The Slack channel configuration of AWS's chat integration (explicit; its ARN carries it:
    `chat-configuration/slack-channel/<name>`, which the CI policies name)."""
    return f"{prefix}-alarms"


def chat_role(prefix: str) -> str:
    """The role AWS's chat integration assumes (explicit: the stack's boundary names exactly it,
    to be passed to that integration only)."""
    return f"{prefix}-alarms-chat"


def task_failures_rule(prefix: str) -> str:
    return f"{prefix}-task-failures"


def budget(prefix: str) -> str:
    """The monthly budget (explicit)."""
    return f"{prefix}-monthly"


def dashboard(prefix: str) -> str:
    """The dashboard (explicit)."""
    return prefix


def ci_boundary(prefix: str) -> str:
    """The permissions boundary (explicit: the deploy policy requires exactly it)."""
    return f"{prefix}-ci-boundary"


def ci_role(prefix: str, kind: str) -> str:
    """A CI role (`deploy` or `preview`; auto-named)."""
    return f"{prefix}-ci-{kind}"


def ci_policy(prefix: str, kind: str, number: int) -> str:
    """A CI role's managed policies, numbered (explicit names, also their logical names)."""
    return f"{ci_role(prefix, kind)}-{number}"


# ----------------------------------------------------------------------------- length budgets


@dataclass(frozen=True)
class NameLimit:
    """A name golive builds from the stack file's app, stack and (web) service names, and the
    length AWS allows it: how many characters those names may take together, and how much to
    shorten which of them when they take more."""

    resource: str
    """What the name names, for messages (`the load balancer`)."""
    limit: int
    build: Callable[[str, str, str], str]
    """(app, stack, service) -> the name as AWS sees it (an auto-name suffix as `x`s)."""
    per_service: bool = False
    """Built once per web service (the service's name is part of it)."""

    @property
    def parts(self) -> tuple[str, ...]:
        return ("app", "stack", "service") if self.per_service else ("app", "stack")

    @property
    def room(self) -> int:
        """Characters the names in `parts` may have together."""
        return self.limit - len(self.build("", "", ""))

    def shape(self) -> str:
        """The name's shape with placeholders, for docs (`<app>-<stack>-alb-xxxxxxx`)."""
        return self.build("<app>", "<stack>", "<service>")

    def excess(self, app: str, stack: str, service: str = "") -> int:
        """Characters over the limit (0 when the name fits)."""
        return max(0, len(self.build(app, stack, service)) - self.limit)

    def advice(self, app: str, stack: str, service: str = "") -> str:
        """What is too long and which names to shorten by how much, or '' when it fits."""
        over = self.excess(app, stack, service)
        if not over:
            return ""
        names = dict(zip(self.parts, (app, stack, service), strict=False))
        name = self.build(app, stack, service)
        taken = " + ".join(f"{part} '{value}' {len(value)}" for part, value in names.items())
        # The service name first (the most local choice), the stack name (staging, prod) last.
        options = [
            f"the {part} name by {over} (to {len(names[part]) - over} characters)"
            for part in ("service", "app", "stack")
            if part in names and len(names[part]) - over >= 1
        ]
        together = f"the {', '.join(names)} names by {over} characters together"
        fix = " or ".join(options) + f", or {together}" if options else together
        return (
            f"{self.resource}'s name '{name}' would be {len(name)} characters; AWS allows "
            f"{self.limit}, so {' + '.join(names)} names may have {self.room} characters "
            f"together ({taken}): shorten {fix}"
        )


NAME_LIMITS = (
    # ELBv2 CreateLoadBalancer/CreateTargetGroup Name: at most 32 characters (botocore elbv2).
    NameLimit(
        "the load balancer",
        ALB_NAME_MAX,
        lambda app, stack, _: physical_shape(load_balancer(f"{app}-{stack}")),
    ),
    NameLimit(
        "the target group",
        TARGET_GROUP_NAME_MAX,
        lambda app, stack, service: physical_shape(target_group(f"{app}-{stack}", service)),
        per_service=True,
    ),
    # ElastiCache ReplicationGroupId: 1-40 characters (aws_facts.elasticache).
    NameLimit("the cache", CACHE_ID_MAX, lambda app, stack, _: cache(f"{app}-{stack}")),
)
"""The names whose limits bind the stack file's names: load balancer and target groups with a
web service, the cache's replication group with a cache."""
LOAD_BALANCER_LIMIT, TARGET_GROUP_LIMIT, CACHE_LIMIT = NAME_LIMITS
