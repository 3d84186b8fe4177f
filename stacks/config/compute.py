"""The compute tier of the config model: the cluster, the shared load balancer, services (web
and workers), one-off tasks and schedules, and the rules across them (names, routes, references
to the data tier).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from enum import StrEnum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field, field_validator
from pydantic.alias_generators import to_camel

from components import naming
from components.cluster import ClusterArgs
from components.container import ContainerSpec, TaskSize
from components.load_balancer import AccessLogSettings, LoadBalancerArgs, Route
from components.schedule import ScheduledTaskArgs
from components.secrets import SecretSource
from components.service import LoadBalancerTarget, Repository, Scaling, ServiceArgs
from stacks.config.base import (
    LogRetentionDays,
    Model,
    check_unique,
    default_of,
    did_you_mean,
)
from stacks.config.compute_values import (
    HEALTH_MATCHER,
    IAM_ACTION,
    SENSITIVE_ACTIONS,
    STAGE_NAME,
    AlbHostPattern,
    AlbPathPattern,
    ImageReference,
    check_alb_path_pattern,
    check_env_names,
    check_schedule_expression,
    check_timezone,
    check_workload_name,
    fargate_size_problems,
)
from stacks.config.data import secret_env_names

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig

DATABASE_ENV = ("DB_HOST", "DB_PORT", "DB_NAME")
"""Plain variables a service with `database: true` receives (credentials come from the
`database` secret it lists)."""
CACHE_ENV = ("REDIS_HOST", "REDIS_PORT")
"""Plain variables a service with `cache: true` receives (TLS only; its AUTH token arrives as
the secret `cache.authToken.envName`)."""
RESERVED_TASK_NAMES = frozenset({naming.DB_INIT})
"""One-off task names golive defines itself."""


class CpuArchitecture(StrEnum):
    """Fargate CPU architecture; ARM64 (Graviton) costs ~20% less, Spot needs X86_64."""

    X86_64 = "X86_64"
    ARM64 = "ARM64"


class ContainerInsights(StrEnum):
    ENABLED = "enabled"
    ENHANCED = "enhanced"


class IamEffect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class ClusterConfig(Model):
    """The ECS cluster every service and task of the stack runs in."""

    container_insights: ContainerInsights = ContainerInsights(
        default_of(ClusterArgs, "container_insights")
    )
    """CloudWatch Container Insights (control ECS.12): `enabled`, or `enhanced` for per-task and
    per-container metrics (more custom metrics, billed per metric)."""


class LoadBalancerAccessLogsConfig(Model):
    """Load balancer access logs to a private S3 bucket (control ELB.5)."""

    enabled: bool = False
    """Write access logs (prod: true). S3 storage only (~$0.023/GB-month)."""
    retention_days: int = Field(
        default=default_of(AccessLogSettings, "retention_days"), ge=1, le=3650
    )
    """Days before log objects expire."""


class LoadBalancerConfig(Model):
    """The one Application Load Balancer shared by every web service of the stack."""

    idle_timeout_seconds: int = Field(
        default=default_of(LoadBalancerArgs, "idle_timeout"), ge=1, le=4000
    )
    """Seconds an idle connection stays open (AWS default 60); raise it for long polls."""
    deletion_protection: bool = default_of(LoadBalancerArgs, "deletion_protection")
    """Refuse to delete the load balancer (control ELB.6; prod: true)."""
    access_logs: LoadBalancerAccessLogsConfig = Field(default_factory=LoadBalancerAccessLogsConfig)
    """Access logs (control ELB.5)."""


class HealthCheckConfig(Model):
    """The target group's health check (interval 10 s, healthy after 2, unhealthy after 3)."""

    path: Annotated[str, AfterValidator(check_alb_path_pattern)] = default_of(
        Route, "health_check_path"
    )
    """HTTP path the load balancer probes, e.g. `/api/health`."""
    matcher: str = default_of(Route, "health_check_matcher")
    """Status codes that mean healthy: `200`, `200,204` or `200-299`."""
    timeout_seconds: int = Field(default=default_of(Route, "health_check_timeout"), ge=2, le=9)
    """Seconds before a probe fails (below the 10-second interval)."""
    grace_period_seconds: int = Field(
        default=default_of(LoadBalancerTarget, "health_check_grace_period"), ge=0, le=3600
    )
    """Seconds ECS ignores failing health checks of a new task (above the app's boot time)."""

    @field_validator("matcher")
    @classmethod
    def _valid_matcher(cls, matcher: str) -> str:
        if not HEALTH_MATCHER.match(matcher):
            raise ValueError(f"'{matcher}' is not a status matcher: use 200, 200,204 or 200-299")
        return matcher


class AutoscalingConfig(Model):
    """Target-tracking autoscaling of a service's task count (ECS owns `desiredCount` then)."""

    min_count: int = Field(ge=1, le=1000)
    """Fewest tasks once released (prod web services: at least 2, across AZs)."""
    max_count: int = Field(ge=1, le=1000)
    """Most tasks."""
    cpu_percent: int | None = Field(default=default_of(Scaling, "cpu_percent"), ge=10, le=95)
    """Average CPU utilization to hold; null to not scale on CPU."""
    memory_percent: int | None = Field(default=None, ge=10, le=95)
    """Average memory utilization to hold; null to not scale on memory."""
    requests_per_target: int | None = Field(default=None, ge=1, le=1_000_000)
    """ALB requests per task per minute to hold (web services only); null to not use it."""
    scale_in_cooldown_seconds: int = Field(
        default=default_of(Scaling, "scale_in_cooldown"), ge=0, le=3600
    )
    """Seconds between scale-in steps (slow, so a dip does not drop capacity at once)."""
    scale_out_cooldown_seconds: int = Field(
        default=default_of(Scaling, "scale_out_cooldown"), ge=0, le=3600
    )
    """Seconds between scale-out steps."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.min_count > self.max_count:
            problems.append(("minCount", f"{self.min_count} is above maxCount {self.max_count}"))
        if (self.cpu_percent, self.memory_percent, self.requests_per_target) == (None,) * 3:
            problems.append(
                ("", "set at least one of cpuPercent, memoryPercent and requestsPerTarget")
            )
        return problems


class IamStatementConfig(Model):
    """One IAM policy statement added to a service's task role (what the app may call)."""

    actions: list[str] = Field(min_length=1)
    """Actions, e.g. `s3:GetObject`."""
    resources: list[str] = Field(min_length=1)
    """Resource ARNs (or `*` where the action has no resource, e.g. `ses:SendEmail`)."""
    effect: IamEffect = IamEffect.ALLOW
    """`Allow` or `Deny`."""
    condition: dict[str, dict[str, str | list[str]]] | None = None
    """IAM condition block, e.g. `{StringEquals: {"aws:ResourceTag/app": auction}}`."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        for i, action in enumerate(self.actions):
            if action != "*" and not IAM_ACTION.match(action):
                problems.append(
                    (f"actions[{i}]", f"'{action}' is not an IAM action (service:Name)")
                )
        for i, resource in enumerate(self.resources):
            if resource != "*" and not resource.startswith("arn:"):
                problems.append((f"resources[{i}]", f"'{resource}' is not an ARN or '*'"))
        if self.effect is IamEffect.ALLOW and "*" in self.resources:
            risky = [
                a
                for a in self.actions
                if a == "*" or a.endswith(":*") or a.lower() in SENSITIVE_ACTIONS
            ]
            if risky:
                problems.append(
                    (
                        "resources",
                        f"'*' with {', '.join(risky)} grants it on every resource of the "
                        "account; list the ARNs",
                    )
                )
        return problems


def check_repository_path(path: str) -> str:
    """A path inside the repository: relative, no `..`, forward slashes (CI runs on Linux)."""
    pure = PurePosixPath(path)
    if "\\" in path or pure.is_absolute() or ".." in pure.parts or not path.strip():
        raise ValueError(
            f"{path!r} must be a path inside the repository, relative to its root, with forward "
            "slashes and no '..' (e.g. api or web/Dockerfile)"
        )
    return path


def check_stage_name(target: str) -> str:
    if not STAGE_NAME.match(target):
        raise ValueError(
            f"{target!r} is not a Dockerfile stage name (`FROM ... AS name`): lowercase letters, "
            "digits, '-', '_' and '.', starting with a letter"
        )
    return target


RepositoryPath = Annotated[str, AfterValidator(check_repository_path)]


class BuildConfig(Model):
    """How CI builds a service's image from this repository (`golive builds` prints it): for
    every CPU architecture the service runs on in the stacks built together."""

    context: RepositoryPath = "."
    """Build context directory, relative to the repository root."""
    dockerfile: RepositoryPath | None = None
    """Dockerfile, relative to the repository root; default `<context>/Dockerfile`."""
    target: Annotated[str, AfterValidator(check_stage_name)] | None = None
    """Stage of a multi-stage Dockerfile to build (`docker build --target`); default: the last."""

    @property
    def dockerfile_path(self) -> str:
        return self.dockerfile or str(PurePosixPath(self.context) / "Dockerfile")


class ServiceConfig(Model):
    """A long-running container: a web service (with `port`) behind the shared load balancer,
    or a worker (no `port`). It runs the image last released to the stack (`golive release`);
    before the first release it exists with 0 tasks."""

    image: ImageReference | None = None
    """Image from another registry (`ghcr.io/org/api:1.4.2`, `public.ecr.aws/...`), used until
    the first release. Omit when this project builds the image: the stack then owns an ECR
    repository `<app>/<stack>/<service>` (immutable tags, scan on push, KMS) that CI pushes to."""
    image_from: str | None = None
    """Run another service's image (e.g. `web` for a scheduler worker of the same PHP image):
    no repository or build of its own; `golive release` releases it with that service, whose
    image record it follows."""
    repository_credentials: str | None = None
    """Name of a secret in `golive:secrets` holding `{"username", "password"}` for a private
    registry (with `image` only)."""
    build: BuildConfig | None = None
    """How CI builds the image (only without `image`); default: the repository root's
    `Dockerfile`, its last stage."""
    keep_images: int = Field(default=default_of(Repository, "keep_images"), ge=1, le=1000)
    """Builds the ECR lifecycle policy keeps, newest first, each whole (the index and its
    platform manifests). Keep enough to roll back to: a release older than this many builds
    cannot be redeployed."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Container port of a web service; omit for a worker (no load balancer)."""
    paths: list[AlbPathPattern] = Field(default_factory=list[str])
    """Path patterns routed to this service, e.g. `/api/*` (at most 3)."""
    hosts: list[AlbHostPattern] = Field(default_factory=list[str])
    """Host names routed to this service, e.g. `admin.example.com` (at most 3; with `paths`,
    both must match; at most 5 values together)."""
    priority: int | None = Field(default=None, ge=1, le=50000)
    """Listener rule priority; by default derived from the routes (most specific first)."""
    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig)
    """Load balancer health check (web services)."""
    container_health_check: list[str] | None = None
    """Container health check command, e.g. `["CMD-SHELL", "wget -qO- localhost:8080/health"]`
    (the image must contain the tool); omit to rely on the load balancer's."""
    deregistration_delay_seconds: int = Field(
        default=default_of(Route, "deregistration_delay"), ge=0, le=60
    )
    """Seconds a stopping task keeps serving in-flight requests (AWS default 300 would add five
    minutes to every release)."""
    cpu: int = 256
    """Fargate CPU units: 256 (0.25 vCPU), 512, 1024, 2048, 4096, 8192, 16384."""
    memory: int = 512
    """Memory in MiB; must be a size Fargate allows with `cpu` (256: 512-2048)."""
    architecture: CpuArchitecture = CpuArchitecture(default_of(TaskSize, "architecture"))
    """`X86_64` or `ARM64` (Graviton, ~20% cheaper; the image must be built for it)."""
    spot: bool = default_of(ServiceArgs, "spot")
    """Run on Fargate Spot (up to 70% cheaper; a task may be stopped with two minutes' notice;
    X86_64 only)."""
    on_demand_base: int = Field(default=default_of(ServiceArgs, "on_demand_base"), ge=0, le=100)
    """With `spot`: this many tasks always run on regular Fargate."""
    desired_count: int = Field(default=default_of(ServiceArgs, "desired_count"), ge=1, le=1000)
    """Tasks once released, without autoscaling (0 until the first release)."""
    autoscaling: AutoscalingConfig | None = None
    """Target-tracking autoscaling; when set, it owns the task count."""
    command: list[str] | None = None
    """Override the image's command."""
    entry_point: list[str] | None = None
    """Override the image's entry point."""
    environment: Annotated[dict[str, str], AfterValidator(check_env_names)] = Field(
        default_factory=dict[str, str]
    )
    """Plain environment variables (never credentials: those go in `secrets`)."""
    secrets: Annotated[list[str], AfterValidator(check_unique)] = Field(default_factory=list[str])
    """Names from `golive:secrets` injected as environment variables from Secrets Manager; the
    service's execution role may read exactly these secrets."""
    database: bool = False
    """Connects to the database: the database admits it, and it receives `DB_HOST`, `DB_PORT`
    and `DB_NAME` (list the `database` secret's variables in `secrets` for the credentials)."""
    cache: bool = False
    """Connects to the cache: the cache admits it, and it receives `REDIS_HOST`, `REDIS_PORT`
    (TLS) and the AUTH token secret."""
    readonly_root_filesystem: bool = default_of(ContainerSpec, "readonly_root_filesystem")
    """Read-only root filesystem (control ECS.5); `writablePaths` stay writable."""
    writable_root_reason: str | None = None
    """Required when `readonlyRootFilesystem` is false: why (shown in the controls report)."""
    writable_paths: Annotated[list[str], AfterValidator(check_unique)] = Field(
        default_factory=lambda: list(default_of(ContainerSpec, "writable_paths"))
    )
    """Directories mounted writable (task-local, lost when the task stops)."""
    stop_timeout_seconds: int = Field(
        default=default_of(ContainerSpec, "stop_timeout"), ge=2, le=120
    )
    """Seconds between SIGTERM and SIGKILL when a task stops (Fargate allows 120)."""
    ecs_exec: bool = default_of(ContainerSpec, "exec_agent")
    """Allow `aws ecs execute-command` into running tasks (sessions encrypted with the stack
    key and logged). With a read-only root, the agent gets writable `/managed-agents`,
    `/var/lib/amazon/ssm` and `/var/log/amazon/ssm` volumes (AWS's known workaround)."""
    task_role_statements: list[IamStatementConfig] = Field(default_factory=list[IamStatementConfig])
    """Extra IAM statements for the task role (AWS APIs the app calls); none by default."""
    log_retention_days: LogRetentionDays = default_of(ServiceArgs, "log_retention_days")
    """Days CloudWatch keeps the service's logs (prod: 365)."""
    egress_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=lambda: [
            ipaddress.IPv4Network(c) for c in default_of(ServiceArgs, "egress_cidrs")
        ]
    )
    """Where tasks may open connections (all protocols); the database and cache are always
    reachable when used. Tasks also need HTTPS to ECR, Secrets Manager and CloudWatch Logs:
    narrow this only with interface endpoints (then include the VPC CIDR)."""

    @property
    def is_web(self) -> bool:
        return self.port is not None

    @property
    def own_build(self) -> BuildConfig | None:
        """What CI builds for this service: None when it runs an image from elsewhere."""
        return None if self.image is not None else self.build or BuildConfig()

    def problems(self) -> list[tuple[str, str]]:
        problems = fargate_size_problems(self.cpu, self.memory)
        if self.spot and self.architecture is CpuArchitecture.ARM64:
            problems.append(
                (
                    "spot",
                    "Fargate Spot runs only X86_64 tasks; use architecture X86_64 or spot false",
                )
            )
        if self.on_demand_base and not self.spot:
            problems.append(("onDemandBase", "applies only with spot: true"))
        problems += self._routing_problems() if self.is_web else self._worker_problems()
        if not self.readonly_root_filesystem and not self.writable_root_reason:
            problems.append(
                (
                    "writableRootReason",
                    "is required when readonlyRootFilesystem is false: say why the app must "
                    "write outside writablePaths (control ECS.5 then fails unless golive:policy "
                    "declares an exception)",
                )
            )
        if self.readonly_root_filesystem and self.writable_root_reason:
            problems.append(
                ("writableRootReason", "applies only when readonlyRootFilesystem is false")
            )
        for i, path in enumerate(self.writable_paths):
            if not path.startswith("/") or path.rstrip("/") == "":
                problems.append(
                    (f"writablePaths[{i}]", f"'{path}' must be an absolute directory, not /")
                )
        if self.autoscaling is not None and "desired_count" in self.model_fields_set:
            problems.append(
                ("desiredCount", "remove it: with autoscaling the task count is minCount..maxCount")
            )
        if "keep_images" in self.model_fields_set and self.image is not None:
            problems.append(
                ("keepImages", "applies only to an image this project builds (no `image`)")
            )
        if self.build is not None and self.image is not None:
            problems.append(("build", "applies only to an image this project builds (no `image`)"))
        if self.repository_credentials and self.image is None:
            problems.append(
                ("repositoryCredentials", "applies only with `image` from another registry")
            )
        check = self.container_health_check
        if check is not None and (len(check) < 2 or check[0] not in ("CMD", "CMD-SHELL")):
            problems.append(
                ("containerHealthCheck", 'must start with "CMD" or "CMD-SHELL" and a command')
            )
        for name in sorted(set(self.environment) & set(self.secrets)):
            problems.append((f"environment.{name}", "is also listed in secrets; give it once"))
        return problems

    def _routing_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.paths and not self.hosts:
            problems.append(
                ("paths", "a web service (with port) needs paths and/or hosts, e.g. ['/*']")
            )
        for key, values in (("paths", self.paths), ("hosts", self.hosts)):
            if len(values) > 3:
                problems.append(
                    (key, f"has {len(values)} values; an ALB rule condition takes at most 3")
                )
            if len(set(values)) != len(values):
                problems.append((key, "lists a value twice"))
        if len(self.paths) + len(self.hosts) > 5:
            problems.append(
                (
                    "hosts",
                    f"paths and hosts hold {len(self.paths) + len(self.hosts)} values; an ALB "
                    "rule matches at most 5: split the service's routes or use wildcards",
                )
            )
        wildcards = sum(v.count("*") + v.count("?") for v in [*self.paths, *self.hosts])
        if wildcards > 5:
            problems.append(("paths", f"{wildcards} wildcards; an ALB rule allows at most 5"))
        return problems

    def _worker_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        web_only = (
            "paths",
            "hosts",
            "priority",
            "health_check",
            "deregistration_delay_seconds",
        )
        for field_name in web_only:
            if field_name in self.model_fields_set:
                problems.append((to_camel(field_name), "applies only to web services (set port)"))
        if self.autoscaling is not None and self.autoscaling.requests_per_target is not None:
            problems.append(
                (
                    "autoscaling.requestsPerTarget",
                    "a worker has no load balancer requests; scale it on cpuPercent/memoryPercent",
                )
            )
        return problems


class TaskConfig(Model):
    """A named one-off task (migrate, seed, create-admin): the service's image, environment,
    secrets and roles with another command, run with `golive run-task`."""

    service: str
    """The service whose image, environment, secrets and roles it reuses."""
    command: list[str] = Field(min_length=1)
    """The command, e.g. `["./api", "migrate"]`."""
    cpu: int | None = None
    """Fargate CPU units; default: the service's."""
    memory: int | None = None
    """Memory in MiB; default: the service's."""
    run_on_release: bool = False
    """`golive release` runs it before every deploy (after `db-init`, in stack-file order), with
    the image being released, and stops the release if it fails: migrations. Off: only
    `golive run-task` runs it."""


class ScheduleConfig(Model):
    """A task run on a schedule by EventBridge Scheduler (every minute at most often)."""

    service: str
    """The service whose image, environment, secrets and roles it reuses."""
    command: list[str] = Field(min_length=1)
    """The command, e.g. `["./api", "expire-auctions"]`."""
    schedule: Annotated[str, AfterValidator(check_schedule_expression)]
    """`rate(5 minutes)`, `cron(0 3 * * ? *)` or `at(2030-01-31T09:00:00)`; a faster tick than
    one minute belongs in a worker."""
    timezone: Annotated[str, AfterValidator(check_timezone)] = default_of(
        ScheduledTaskArgs, "timezone"
    )
    """IANA time zone for `cron` and `at` expressions."""
    enabled: bool = default_of(ScheduledTaskArgs, "enabled")
    """Pause the schedule without deleting it. A schedule also stays disabled until its
    service's first `golive release` (its image is a placeholder until then)."""
    cpu: int | None = None
    """Fargate CPU units; default: the service's."""
    memory: int | None = None
    """Memory in MiB; default: the service's."""


def _route_keys(service: ServiceConfig) -> list[tuple[str, str]]:
    """(host, path) pairs a service's rule matches; '' stands for any host."""
    hosts = service.hosts or [""]
    paths = service.paths or ["/*"]
    return [(h, p) for h in hosts for p in paths]


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Cross-field rules of services, tasks and schedules (names, routes, references)."""
    problems: list[tuple[str, str]] = []
    owners: dict[str, str] = {}
    for kind in ("services", "tasks", "schedules"):
        for name in getattr(cfg, kind):
            reason = check_workload_name(name)
            if reason:
                problems.append((f"{kind}.{name}", reason))
            if kind != "services" and name in RESERVED_TASK_NAMES:
                problems.append((f"{kind}.{name}", f"'{name}' is golive's built-in task; rename"))
            if name in owners:
                problems.append(
                    (
                        f"{kind}.{name}",
                        f"'{name}' is also in {owners[name]}: services, tasks and schedules "
                        "share one namespace (task definition families)",
                    )
                )
            owners.setdefault(name, kind)
    problems += _route_conflicts(cfg.services)
    for name, service in cfg.services.items():
        problems += _service_reference_problems(cfg, name, service)
    for kind, runs in (("tasks", cfg.tasks), ("schedules", cfg.schedules)):
        for name, run in runs.items():
            service = cfg.services.get(run.service)
            if service is None:
                problems.append(
                    (
                        f"{kind}.{name}.service",
                        f"'{run.service}' is not a service of this stack"
                        f"{did_you_mean(run.service, cfg.services)}; services: "
                        f"{', '.join(cfg.services) or 'none'}",
                    )
                )
                continue
            problems += fargate_size_problems(
                run.cpu or service.cpu, run.memory or service.memory, f"{kind}.{name}."
            )
    return problems


def _service_reference_problems(
    cfg: StackConfig, name: str, service: ServiceConfig
) -> list[tuple[str, str]]:
    """A service's secrets, database and cache exist in the stack file."""
    problems: list[tuple[str, str]] = []
    where = f"services.{name}"
    env_owner = secret_env_names(cfg)
    token = cfg.cache.auth_token.env_name if cfg.cache is not None else None
    known = sorted({*cfg.secrets, *(e for e in env_owner if e != token)})
    database_secrets = {n for n, s in cfg.secrets.items() if s.source is SecretSource.DATABASE}
    cache_secrets = {n for n, s in cfg.secrets.items() if s.source is SecretSource.CACHE}
    for i, secret in enumerate(service.secrets):
        if secret == token:
            problems.append(
                (f"{where}.secrets[{i}]", f"'{secret}' (the cache's token) comes with cache: true")
            )
        elif secret not in known:
            problems.append(
                (
                    f"{where}.secrets[{i}]",
                    f"'{secret}' is not in golive:secrets{did_you_mean(secret, known)}; "
                    f"known: {', '.join(known) or 'none'}",
                )
            )
        elif (secret in database_secrets or env_owner.get(secret) in database_secrets) and (
            not service.database
        ):
            problems.append(
                (
                    f"{where}.database",
                    f"is false but the service takes the database credentials '{secret}': set "
                    "database: true so the database admits it",
                )
            )
        elif (secret in cache_secrets or env_owner.get(secret) in cache_secrets) and (
            not service.cache
        ):
            problems.append(
                (
                    f"{where}.cache",
                    f"is false but the service takes the cache's URL '{secret}': set cache: true "
                    "so the cache admits it",
                )
            )
    problems += _image_from_problems(cfg, name, service)
    credentials = service.repository_credentials
    if credentials is not None and credentials not in cfg.secrets:
        problems.append(
            (
                f"{where}.repositoryCredentials",
                f"'{credentials}' is not a secret of golive:secrets"
                f"{did_you_mean(credentials, cfg.secrets)}",
            )
        )
    for flag, present, injected in (
        ("database", cfg.database is not None, DATABASE_ENV),
        ("cache", cfg.cache is not None, CACHE_ENV),
    ):
        if not getattr(service, flag):
            continue
        if not present:
            problems.append((f"{where}.{flag}", f"is true but the stack has no golive:{flag}"))
        for env in injected:
            if env in service.environment:
                problems.append(
                    (f"{where}.environment.{env}", f"is set by golive when {flag} is true")
                )
    return problems


def _image_from_problems(
    cfg: StackConfig, name: str, service: ServiceConfig
) -> list[tuple[str, str]]:
    """`imageFrom` names another service that has an image of its own."""
    source = service.image_from
    if source is None:
        return []
    where = f"services.{name}.imageFrom"
    if source == name:
        return [(where, "names the service itself; omit it to build or pull its own image")]
    if source not in cfg.services:
        return [
            (
                where,
                f"'{source}' is not a service of this stack{did_you_mean(source, cfg.services)}",
            )
        ]
    if cfg.services[source].image_from is not None:
        return [
            (
                where,
                f"'{source}' runs '{cfg.services[source].image_from}''s image itself: name "
                f"'{cfg.services[source].image_from}'",
            )
        ]
    own = [
        k
        for k in ("image", "keep_images", "repository_credentials")
        if k in service.model_fields_set
    ]
    return [
        (
            f"services.{name}.{to_camel(k)}",
            f"a service with imageFrom '{source}' has no image of its own",
        )
        for k in own
    ]


def _route_conflicts(services: Mapping[str, ServiceConfig]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    claimed: dict[tuple[str, str], str] = {}
    for name, service in services.items():
        if not service.is_web:
            continue
        for host, path in _route_keys(service):
            other = claimed.get((host, path))
            if other is not None:
                where = f"host '{host}' and path '{path}'" if host else f"path '{path}'"
                problems.append(
                    (
                        f"services.{name}.{'paths' if service.paths else 'hosts'}",
                        f"{where} is already routed to service '{other}'; each route may "
                        "lead to one service",
                    )
                )
            else:
                claimed[(host, path)] = name
    priorities: dict[int, str] = {}
    for name, service in services.items():
        if service.is_web and service.priority is not None:
            if service.priority in priorities:
                problems.append(
                    (
                        f"services.{name}.priority",
                        f"{service.priority} is also service '{priorities[service.priority]}'s; "
                        "listener rule priorities must be unique",
                    )
                )
            priorities[service.priority] = name
    return problems


def warnings(cfg: StackConfig) -> list[str]:
    """Spot, shell access, a writable root, a moving tag, load balancer protections off."""
    notes: list[str] = []
    for name, service in cfg.services.items():
        if service.spot:
            notes.append(
                f"services.{name}.spot: Fargate Spot may stop a task with two minutes' notice "
                f"(on-demand base: {service.on_demand_base})"
            )
        if service.ecs_exec:
            notes.append(
                f"services.{name}.ecsExec: whoever may call ecs:ExecuteCommand gets a shell in "
                "its tasks (sessions are logged)"
            )
            if service.readonly_root_filesystem:
                notes.append(
                    f"services.{name}.ecsExec with a read-only root filesystem: the agent writes "
                    "to task-local volumes on /managed-agents, /var/lib/amazon/ssm and "
                    "/var/log/amazon/ssm, a workaround AWS does not document (it calls read-only "
                    "roots unsupported for Exec); if `aws ecs execute-command` fails, set "
                    "readonlyRootFilesystem: false with a writableRootReason"
                )
        if not service.readonly_root_filesystem:
            notes.append(
                f"services.{name}.readonlyRootFilesystem is false: {service.writable_root_reason} "
                f"({cfg.policy.note('ECS.5')})"
            )
        if service.image and service.image.endswith(":latest"):
            notes.append(
                f"services.{name}.image uses ':latest', which moves: pin a version or digest"
            )
    for name, task in cfg.tasks.items():
        if name.startswith("migrat") and not task.run_on_release:
            notes.append(
                f"tasks.{name}.runOnRelease is false: `golive release` does not run it; set "
                "runOnRelease: true to migrate before every deploy"
            )
    if cfg.has_web_services:
        lb = cfg.load_balancer
        if not lb.access_logs.enabled:
            notes.append("loadBalancer.accessLogs.enabled is false: no ALB access logs (ELB.5)")
        if cfg.protect and not lb.deletion_protection:
            notes.append("protect is on but loadBalancer.deletionProtection is off (ELB.6)")
    return notes
