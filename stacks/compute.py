"""The compute tier of `stacks.environment.build`: config -> cluster, ALB, services and tasks.

Kept apart from the composition function so the translation from the stack file to the compute
components reads in one place. Order: the cluster; the shared load balancer (after the edge's
certificates, whose validated ARN its HTTPS listener uses); each service (after its listener
rule); one-off tasks, schedules and `db-init` (after the services whose image, roles and
security group they reuse).

Lookups (`look_up_compute`, run by `environment.look_up`): the released images, read from the
SSM parameters `golive release` writes under `/golive/<app>/<stack>/images/` (one source of
truth: an infrastructure-only `pulumi up` from any commit deploys the image last released, and a
service with no parameter has not been released yet, so it runs 0 tasks); when the ALB logs,
who delivers ELB logs in the region; and, when CloudFront reaches an internet-facing ALB
(`cdn.origin: publicAlb`), CloudFront's origin-facing prefix list, the ALB's only source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aws_facts.cloudfront import CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME
from components import naming
from components.cache import Cache
from components.cluster import Cluster, ClusterArgs
from components.container import ContainerSpec, TaskSize, config_statement
from components.database import Database
from components.db_init import DbInit, DbInitArgs
from components.keys import StackKey
from components.load_balancer import (
    AccessLogSettings,
    LoadBalancer,
    LoadBalancerArgs,
    OriginHeader,
    Route,
)
from components.monitoring import rollback_alarm_names
from components.network import Network
from components.schedule import ScheduledTask, ScheduledTaskArgs
from components.secrets import AppSecrets, SecretRef
from components.service import (
    Backend,
    LoadBalancerTarget,
    Repository,
    Scaling,
    Service,
    ServiceArgs,
)
from components.task import OneOffTask, OneOffTaskArgs
from stacks.config import CACHE_ENV, DATABASE_ENV, ServiceConfig, StackConfig, ecr_repository_arn
from stacks.config.base import default_of
from stacks.config.edge import OriginMode
from stacks.exports import ScheduleExport, ServiceExport, TaskExport, exported

ELB_SERVICE_PRINCIPAL_REGIONS = frozenset(
    {
        "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
        "ca-west-1", "eu-central-2", "eu-south-2", "il-central-1", "me-central-1",
        "mx-central-1",
    }
)  # fmt: skip
"""Regions opened since late 2021, where ALB access logs are written by the service principal
`logdelivery.elasticloadbalancing.amazonaws.com` (older regions use a regional ELB account)."""
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


@dataclass(frozen=True)
class ComputeFacts:
    """What compute needs from the account, looked up once."""

    released_images: dict[str, str] = field(default_factory=dict[str, str])
    """Service name -> the image `golive release` recorded (absent: never released)."""
    elb_log_delivery: dict[str, str] | None = None
    """The principal that writes ALB access logs here (only when they are on)."""
    cloudfront_prefix_list_id: str | None = None
    """CloudFront's origin-facing prefix list (only for an internet-facing ALB)."""


def look_up_compute(cfg: StackConfig) -> ComputeFacts:
    released: dict[str, str] = {}
    if cfg.services:
        found = aws.ssm.get_parameters_by_path(
            path=cfg.image_parameter_prefix.rstrip("/"), recursive=False, with_decryption=False
        )
        for parameter, value in zip(found.names, found.values, strict=True):
            service = parameter.rsplit("/", 1)[-1]
            if service in cfg.services and value:
                released[service] = value
    delivery: dict[str, str] | None = None
    if cfg.has_web_services and cfg.load_balancer.access_logs.enabled:
        if cfg.region in ELB_SERVICE_PRINCIPAL_REGIONS:
            delivery = {"Service": ELB_LOG_DELIVERY_SERVICE}
        else:
            delivery = {"AWS": aws.elb.get_service_account().arn}
    prefix_list: str | None = None
    if cfg.has_web_services and cfg.cdn.origin is OriginMode.PUBLIC_ALB:
        found = aws.ec2.get_managed_prefix_list(name=CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME)
        prefix_list = found.id
    return ComputeFacts(
        released_images=released, elb_log_delivery=delivery, cloudfront_prefix_list_id=prefix_list
    )


@dataclass
class Compute:
    """The compute components of a stack."""

    cluster: Cluster
    load_balancer: LoadBalancer | None = None
    services: dict[str, Service] = field(default_factory=dict[str, Service])
    containers: dict[str, ContainerSpec] = field(default_factory=dict[str, ContainerSpec])
    tasks: dict[str, OneOffTask] = field(default_factory=dict[str, OneOffTask])
    schedules: dict[str, ScheduledTask] = field(default_factory=dict[str, ScheduledTask])
    db_init: DbInit | None = None


@dataclass(frozen=True, kw_only=True)
class DataTier:
    """What compute connects to (built by `stacks.data_tier`)."""

    database: Database | None = None
    secrets: AppSecrets | None = None
    cache: Cache | None = None


def build_compute(
    cfg: StackConfig,
    facts: ComputeFacts,
    *,
    account_id: str,
    key: StackKey,
    network: Network,
    data: DataTier,
    certificate_arn: pulumi.Input[str] | None,
) -> Compute:
    cluster = Cluster(
        naming.cluster(cfg.prefix),
        ClusterArgs(
            kms_key_arn=key.arn,
            container_insights=cfg.cluster.container_insights.value,
            exec_sessions=any(s.ecs_exec for s in cfg.services.values()),
        ),
    )
    compute = Compute(cluster=cluster)
    compute.load_balancer = _load_balancer(cfg, facts, account_id, network, certificate_arn)
    # Services that run another's image come after it: they take its image Output.
    for name, service in sorted(cfg.services.items(), key=lambda item: bool(item[1].image_from)):
        compute.containers[name] = _container(name, service, data)
        compute.services[name] = _service(
            _Context(cfg, facts, account_id, key, network, data), name, service, compute
        )
        if (service.image_from or name) not in facts.released_images:
            pulumi.log.warn(_unreleased_note(cfg, name))
    for name, task in cfg.tasks.items():
        service, owner = cfg.services[task.service], compute.services[task.service]
        compute.tasks[name] = OneOffTask(
            naming.workload(cfg.prefix, name),
            OneOffTaskArgs(
                task_name=name,
                container=compute.containers[task.service].with_command(task.command),
                image=owner.image,
                roles=owner.roles,
                log_group_name=owner.log_group_name,
                region=cfg.region,
                size=_size(service, task.cpu, task.memory),
                subnet_ids=network.app_subnet_ids,
                security_group_ids=[owner.security_group_id],
                assign_public_ip=network.assign_public_ip,
                service=task.service,
            ),
        )
    for name, schedule in cfg.schedules.items():
        service, owner = cfg.services[schedule.service], compute.services[schedule.service]
        compute.schedules[name] = ScheduledTask(
            naming.workload(cfg.prefix, name),
            ScheduledTaskArgs(
                schedule_name=name,
                container=compute.containers[schedule.service].with_command(schedule.command),
                image=owner.image,
                roles=owner.roles,
                log_group_name=owner.log_group_name,
                size=_size(service, schedule.cpu, schedule.memory),
                cluster_arn=cluster.arn,
                cluster_name=cluster.name,
                subnet_ids=network.app_subnet_ids,
                security_group_ids=[owner.security_group_id],
                assign_public_ip=network.assign_public_ip,
                schedule_expression=schedule.schedule,
                timezone=schedule.timezone,
                # Until its service's first release the image is a placeholder: every tick
                # would fail to start and mail the alarm topic.
                enabled=schedule.enabled and owner.released,
                spot=service.spot,
                on_demand_base=service.on_demand_base,
                account_id=account_id,
                region=cfg.region,
            ),
        )
    compute.db_init = _db_init(cfg, account_id, key, network, data)
    return compute


def _unreleased_note(cfg: StackConfig, service: str) -> str:
    schedules = [name for name, s in cfg.schedules.items() if s.service == service]
    paused = ""
    if schedules:
        its = "its schedule" if len(schedules) == 1 else "its schedules"
        verb = "stays" if len(schedules) == 1 else "stay"
        paused = f", and {its} {', '.join(schedules)} {verb} disabled,"
    return (
        f"service {service} has not been released to {cfg.stack}: it runs 0 tasks{paused} until "
        f"`golive release {cfg.stack} --image ...` records its image"
    )


def _load_balancer(
    cfg: StackConfig,
    facts: ComputeFacts,
    account_id: str,
    network: Network,
    certificate_arn: pulumi.Input[str] | None,
) -> LoadBalancer | None:
    if not cfg.has_web_services:
        return None
    priorities = rule_priorities(cfg.services)
    routes = [
        Route(
            service=name,
            port=service.port,
            priority=priorities[name],
            paths=service.paths,
            hosts=service.hosts,
            health_check_path=service.health_check.path,
            health_check_matcher=service.health_check.matcher,
            health_check_timeout=service.health_check.timeout_seconds,
            deregistration_delay=service.deregistration_delay_seconds,
        )
        for name, service in cfg.services.items()
        if service.port is not None
    ]
    lb = cfg.load_balancer
    access_logs = None
    if lb.access_logs.enabled and facts.elb_log_delivery is not None:
        access_logs = AccessLogSettings(
            account_id=account_id,
            delivery_principal=facts.elb_log_delivery,
            retention_days=lb.access_logs.retention_days,
            force_destroy=not cfg.protect,
        )
    # `vpc`: internal, on the private subnets; viewers reach it only through CloudFront's VPC
    # origin, whose security group the edge admits (components/cdn.py). `publicAlb`:
    # internet-facing, on the public subnets, open on 443 to CloudFront's origin-facing
    # addresses only (55 of the group's 60 rules: the one rule that fits), serving only
    # requests that carry the secret origin header CloudFront adds.
    public = cfg.cdn.origin is OriginMode.PUBLIC_ALB
    cloudfront = [facts.cloudfront_prefix_list_id] if facts.cloudfront_prefix_list_id else []
    return LoadBalancer(
        cfg.prefix,
        LoadBalancerArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.public_subnet_ids if public else network.private_subnet_ids,
            internal=not public,
            ingress_prefix_list_ids=cloudfront if public else [],
            origin_header=(
                OriginHeader(generation=cfg.cdn.origin_header_generation) if public else None
            ),
            routes=routes,
            certificate_arn=certificate_arn,
            idle_timeout=lb.idle_timeout_seconds,
            deletion_protection=lb.deletion_protection,
            access_logs=access_logs,
            protect=cfg.protect,
        ),
    )


def route_order(services: Mapping[str, ServiceConfig]) -> list[str]:
    """Web services from the most specific route to the least (ALB rule priority order).

    Host-and-path rules first, then path-only rules with the longest literal prefix first,
    then host-only rules; catch-all paths (`/*`) last. Ties break on the name so the order,
    and so every priority, depends only on the stack file.
    """

    def literal(pattern: str) -> int:
        return len(re.split(r"[*?]", pattern, maxsplit=1)[0])

    def key(name: str) -> tuple[int, int, int, str]:
        service = services[name]
        longest = max((literal(p) for p in service.paths), default=0)
        catch_all = bool(service.paths) and all(p in ("/*", "*") for p in service.paths)
        rank = (
            0
            if service.hosts and service.paths and not catch_all
            else 1
            if service.paths and not catch_all
            else 2
            if service.hosts
            else 3
        )
        return (rank, -longest, -len(service.hosts), name)

    return sorted((n for n, s in services.items() if s.is_web), key=key)


def rule_priorities(services: Mapping[str, ServiceConfig]) -> dict[str, int]:
    """Each web service's listener rule priority: its `priority`, else 100 x its rank."""
    explicit: dict[str, int] = {}
    for name, service in services.items():
        if service.priority is not None:
            explicit[name] = service.priority
    taken = set(explicit.values())
    priorities: dict[str, int] = {}
    for index, name in enumerate(route_order(services), start=1):
        if name in explicit:
            priorities[name] = explicit[name]
            continue
        candidate = index * 100
        while candidate in taken:
            candidate += 1
        taken.add(candidate)
        priorities[name] = candidate
    return priorities


def _secret_refs(service: ServiceConfig, data: DataTier) -> list[SecretRef]:
    refs = data.secrets.references_for(service.secrets) if data.secrets else []
    if service.cache and data.cache is not None:
        refs.append(data.cache.auth_token)
    return refs


def _credentials(service: ServiceConfig, data: DataTier) -> SecretRef | None:
    name = service.repository_credentials
    if name is None or data.secrets is None:
        return None
    arn = data.secrets.secret_arns[name]
    return SecretRef(
        env_name=name, value_from=arn, secret_arn=arn, kms_key_arn=data.secrets.kms_key_arn
    )


def _container(name: str, service: ServiceConfig, data: DataTier) -> ContainerSpec:
    environment: dict[str, pulumi.Input[str]] = dict(service.environment)
    if service.database and data.database is not None:
        db = data.database
        values = (db.address, str(db.port), db.db_name)
        environment.update(dict(zip(DATABASE_ENV, values, strict=True)))
    if service.cache and data.cache is not None:
        cache = data.cache
        environment.update(dict(zip(CACHE_ENV, (cache.endpoint, str(cache.port)), strict=True)))
    return ContainerSpec(
        name=name,
        port=service.port,
        command=service.command,
        entry_point=service.entry_point,
        environment=environment,
        secrets=_secret_refs(service, data),
        repository_credentials=_credentials(service, data),
        health_check=service.container_health_check,
        stop_timeout=service.stop_timeout_seconds,
        readonly_root_filesystem=service.readonly_root_filesystem,
        writable_paths=service.writable_paths,
        exec_agent=service.ecs_exec,
    )


def _size(service: ServiceConfig, cpu: int | None = None, memory: int | None = None) -> TaskSize:
    return TaskSize(
        cpu=cpu or service.cpu,
        memory=memory or service.memory,
        architecture=service.architecture.value,
    )


@dataclass(frozen=True)
class _Context:
    cfg: StackConfig
    facts: ComputeFacts
    account_id: str
    key: StackKey
    network: Network
    data: DataTier


def _service(context: _Context, name: str, service: ServiceConfig, compute: Compute) -> Service:
    cfg, facts, network, data = context.cfg, context.facts, context.network, context.data
    lb = compute.load_balancer
    target: LoadBalancerTarget | None = None
    if service.is_web and lb is not None:
        group = lb.target_groups[name]
        target = LoadBalancerTarget(
            target_group_arn=group.arn,
            target_group_arn_suffix=group.arn_suffix,
            load_balancer_arn_suffix=lb.arn_suffix,
            security_group_id=lb.security_group_id,
            listener_rule=lb.listener_rules[name],
            health_check_grace_period=service.health_check.grace_period_seconds,
        )
    scaling = service.autoscaling
    # A service with `imageFrom` runs its source's image, record and repository.
    owner = service.image_from or name
    repository = naming.repository(cfg.app, cfg.stack, owner)
    source = compute.services[owner] if service.image_from else None
    backends: list[Backend] = []
    if service.database and data.database is not None:
        backends.append(
            Backend(
                name="database",
                security_group_id=data.database.security_group_id,
                port=data.database.port,
            )
        )
    if service.cache and data.cache is not None:
        backends.append(
            Backend(
                name="cache", security_group_id=data.cache.security_group_id, port=data.cache.port
            )
        )
    return Service(
        naming.workload(cfg.prefix, name),
        ServiceArgs(
            cluster_arn=compute.cluster.arn,
            cluster_name=compute.cluster.name,
            vpc_id=network.vpc_id,
            subnet_ids=network.app_subnet_ids,
            assign_public_ip=network.assign_public_ip,
            account_id=context.account_id,
            region=cfg.region,
            container=compute.containers[name],
            log_group_name=naming.log_group(cfg.app, cfg.stack, name),
            log_retention_days=service.log_retention_days,
            kms_key_arn=context.key.arn,
            size=_size(service),
            released_image=facts.released_images.get(owner),
            default_image=source.image if source is not None else service.image,
            repository=(
                Repository(
                    name=repository,
                    keep_images=service.keep_images,
                    protect=cfg.protect,
                    reader_accounts=tuple(cfg.ci.image_readers),
                )
                if service.image is None and source is None
                else None
            ),
            other_repository_arns=_other_repositories(
                f"arn:aws:ecr:{cfg.region}:{context.account_id}:repository/{repository}",
                cfg.services[owner].image,
                facts.released_images.get(owner),
                # Built by the project: a first promotion pulls another stack's build, and a
                # service with `imageFrom` its source's repository (all of the app's).
                apps=(
                    _apps_repositories(cfg, context.account_id)
                    if cfg.services[owner].image is None
                    else None
                ),
            ),
            desired_count=service.desired_count,
            scaling=(
                Scaling(
                    min_count=scaling.min_count,
                    max_count=scaling.max_count,
                    cpu_percent=scaling.cpu_percent,
                    memory_percent=scaling.memory_percent,
                    requests_per_target=scaling.requests_per_target,
                    scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                    scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                )
                if scaling is not None
                else None
            ),
            spot=service.spot,
            on_demand_base=service.on_demand_base,
            exec_sessions=compute.cluster.exec_sessions if service.ecs_exec else None,
            task_role_statements=[
                config_statement(s.model_dump(mode="json")) for s in service.task_role_statements
            ],
            egress_cidrs=[str(cidr) for cidr in service.egress_cidrs],
            backends=backends,
            load_balancer=target,
            # Monitoring creates these alarms with exactly these names (composed last).
            rollback_alarm_names=rollback_alarm_names(cfg.prefix, name, web=target is not None),
        ),
    )


def _other_repositories(own: str, *images: str | None, apps: str | None = None) -> list[str]:
    """ECR repositories besides the service's own that its default or released image is in."""
    found = {ecr_repository_arn(image) for image in images if image}
    return sorted(arn for arn in {*found, apps} if arn is not None and arn != own)


def _apps_repositories(cfg: StackConfig, account_id: str) -> str:
    """Every repository of the app in this account. A release runs migrations with the new image
    before recording it, so the first release of an image another stack of the app built
    (promotion) must already be allowed to pull it."""
    return f"arn:aws:ecr:{cfg.region}:{account_id}:repository/{cfg.app}/*"


def _db_init(
    cfg: StackConfig, account_id: str, key: StackKey, network: Network, data: DataTier
) -> DbInit | None:
    database, secrets = data.database, data.secrets
    if cfg.database is None or database is None or secrets is None:
        return None
    credentials = secrets.database_credentials
    if credentials is None:
        return None
    return DbInit(
        naming.db_init(cfg.prefix),
        DbInitArgs(
            postgres_major=cfg.database.engine_version,
            db_host=database.address,
            db_port=database.port,
            db_name=database.db_name,
            db_security_group_id=database.security_group_id,
            master_secret_arn=database.master_secret_arn,
            master_secret_kms_key_arn=key.arn,
            app_credentials=credentials,
            vpc_id=network.vpc_id,
            subnet_ids=network.app_subnet_ids,
            assign_public_ip=network.assign_public_ip,
            account_id=account_id,
            region=cfg.region,
            log_group_name=naming.log_group(cfg.app, cfg.stack, naming.DB_INIT),
            # As long as the services' logs (a service's default when there is none).
            log_retention_days=max(
                (s.log_retention_days for s in cfg.services.values()),
                default=default_of(ServiceArgs, "log_retention_days"),
            ),
            kms_key_arn=key.arn,
        ),
    )


def compute_exports(cfg: StackConfig, compute: Compute) -> dict[str, object]:
    """The compute tier's part of `StackExports`, by field name (stacks/exports.py)."""
    lb = compute.load_balancer
    tasks = {name: _task_export(task) for name, task in compute.tasks.items()}
    if compute.db_init is not None:
        tasks["db-init"] = _task_export(compute.db_init.task)
    return {
        "cluster_name": compute.cluster.name,
        "services": {
            name: _service_export(cfg, name, cfg.services[name], service)
            for name, service in compute.services.items()
        },
        "tasks": tasks,
        "release_tasks": [name for name, task in cfg.tasks.items() if task.run_on_release],
        "schedules": {
            name: exported(
                ScheduleExport,
                schedule_name=schedule.schedule_name,
                task_definition_arn=schedule.task_definition_arn,
                service=cfg.schedules[name].service,
                expression=cfg.schedules[name].schedule,
            )
            for name, schedule in compute.schedules.items()
        },
        "alb_arn": lb.arn if lb is not None else None,
        "image_parameter_prefix": cfg.image_parameter_prefix,
    }


def _service_export(
    cfg: StackConfig, name: str, config: ServiceConfig, service: Service
) -> dict[str, object]:
    return exported(
        ServiceExport,
        service_name=service.service_name,
        task_definition_family=service.task_definition_family,
        container_name=service.container_name,
        target_group_arn=service.target_group_arn,
        log_group_name=service.log_group_name,
        image_parameter=f"{cfg.image_parameter_prefix}{config.image_from or name}",
        image_from=config.image_from,
        desired_count=service.desired_count,
        health_check_path=config.health_check.path if config.is_web else None,
        repository_url=service.repository_url,
        released=service.released,
    )


def _task_export(task: OneOffTask) -> dict[str, object]:
    """What `golive run-task` needs to run it."""
    return exported(
        TaskExport,
        task_definition_arn=task.task_definition_arn,
        task_definition_family=task.task_definition_family,
        container_name=task.container_name,
        service=task.service,
        subnets=task.subnet_ids,
        security_groups=task.security_group_ids,
        assign_public_ip=task.assign_public_ip,
        log_group_name=task.log_group_name,
    )
