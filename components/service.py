"""One long-running Fargate service: a web service behind the shared ALB, or a worker.

Creates: the service's ECR repository when the project builds its image (immutable tags, scan on
push, the stack key, a lifecycle policy); its log group (retention, the stack key); an execution
role and a task role (`components.container`); a security group admitting only the load
balancer's group on the container port (web services) with egress to the CIDRs the stack file
allows and to the database and cache it uses, which admit it in turn (`allow_from`); the task
definition (canonical container JSON, read-only root, secrets by reference); the ECS service
(app subnets, capacity provider strategy, circuit breaker with rollback, deployment alarms,
waiting for steady state, 100/200 %, Exec from config, tags propagated, ordered after its listener
rule); and target-tracking autoscaling on CPU, memory and/or ALB requests per target.

A service that has never been released runs 0 tasks (and scales between 0 and 0..max): the
image a service runs comes from the release record the stack layer reads, never from the stack
file alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from aws_facts.ecs import MIN_TASKS_TAG, RELEASED_TAG
from aws_facts.iam import ECR_PULL_ACTIONS
from components import naming
from components.container import (
    ContainerSpec,
    ExecSessions,
    ExecutionAccess,
    TaskRoles,
    TaskSize,
    capacity_provider_strategy,
    create_task_roles,
    fargate_task_definition,
)
from components.database import allow_from

if TYPE_CHECKING:
    from pulumi_aws.appautoscaling import (
        PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgsDict as _PredefinedMetric,  # noqa: E501
    )


UNRELEASED_TAG = "unreleased"
"""Tag of the placeholder image of a built service before its first release (never pulled:
such a service runs 0 tasks)."""
SERVICE_STREAM_PREFIX = "service"


@dataclass(frozen=True, kw_only=True)
class Backend:
    """A database or cache this service (and its tasks) connect to."""

    name: str
    """`database` or `cache`: names the rules."""
    security_group_id: pulumi.Input[str]
    """The backend's security group, which will admit this service's group."""
    port: int
    """The backend's port."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancerTarget:
    """Where a web service sits behind the shared load balancer."""

    target_group_arn: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]
    load_balancer_arn_suffix: pulumi.Input[str]
    """For the requests-per-target scaling metric."""
    security_group_id: pulumi.Input[str]
    """The ALB's group: the only source admitted on the container port."""
    listener_rule: pulumi.Resource
    """The service is created after it: ECS refuses a target group without a load balancer."""
    health_check_grace_period: int = 60
    """Seconds ECS ignores failing health checks of a new task."""


@dataclass(frozen=True, kw_only=True)
class Scaling:
    """Target-tracking autoscaling (min 0 before the first release)."""

    min_count: int
    max_count: int
    cpu_percent: int | None = 70
    memory_percent: int | None = None
    requests_per_target: int | None = None
    scale_in_cooldown: int = 300
    scale_out_cooldown: int = 60


@dataclass(frozen=True, kw_only=True)
class Repository:
    """The service's own ECR repository (the project builds its image)."""

    name: str
    """Repository name, e.g. `auction/prod/api` (CI pushes to it by this name)."""
    keep_images: int = 50
    """Builds the lifecycle policy keeps, newest first, each with its platform manifests."""
    protect: bool = False
    """Refuse to delete the repository (it holds the images releases roll back to); without
    it, deleting the stack deletes the repository with its images."""
    reader_accounts: tuple[str, ...] = ()
    """Other accounts that may pull (copy) its images: prod's, when prod promotes staging's
    builds from its own account."""


@dataclass(frozen=True, kw_only=True)
class ServiceArgs:
    cluster_arn: pulumi.Input[str]
    """The cluster's ARN (waits for its capacity providers)."""
    cluster_name: pulumi.Input[str]
    """The cluster's name, for autoscaling's resource id."""
    vpc_id: pulumi.Input[str]
    """The VPC of the service's security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Where tasks run: the network's app subnets (private, or public when there is no NAT)."""
    assign_public_ip: bool
    """Only with `nat: none` (ECS.2 exception): tasks need a public IP to reach ECR."""
    account_id: str
    """For trust conditions and repository ARNs."""
    region: str
    """For awslogs and trust conditions."""
    container: ContainerSpec
    """The container (name, port, environment, secrets, read-only root...)."""
    log_group_name: str
    """The awslogs group, e.g. `/golive/auction/prod/api`."""
    log_retention_days: int = 30
    """Days CloudWatch keeps the logs."""
    kms_key_arn: pulumi.Input[str]
    """The stack key: the log group and the ECR repository."""
    size: TaskSize
    """Fargate CPU, memory and architecture."""
    released_image: str | None = None
    """The image `golive release` recorded for this service, or None before the first release."""
    default_image: pulumi.Input[str] | None = None
    """Image from another registry (the stack file's `image`), or the image of the service whose
    image this one runs; None when the project builds it."""
    repository: Repository | None = None
    """Create the service's ECR repository (required when `default_image` is None)."""
    other_repository_arns: Sequence[str] = ()
    """ECR repositories other than its own that its images come from (an ECR `default_image`,
    or a released image recorded from another repository): its pulls from them are allowed."""
    desired_count: int = 1
    """Tasks once released without autoscaling."""
    scaling: Scaling | None = None
    """Autoscaling; when set it owns the task count."""
    spot: bool = False
    """Fargate Spot via the capacity provider strategy (never `launch_type`)."""
    on_demand_base: int = 0
    """With spot: tasks always on regular Fargate."""
    exec_sessions: ExecSessions | None = None
    """ECS Exec on, with the cluster's session encryption and logging; None: off."""
    task_role_statements: Sequence[Mapping[str, Any]] = ()
    """Extra task role statements (IAM spelling)."""
    egress_cidrs: Sequence[str] = ("0.0.0.0/0",)
    """Where tasks may connect (all protocols)."""
    backends: Sequence[Backend] = ()
    """Database/cache it connects to: egress to them and their admission of this service."""
    load_balancer: LoadBalancerTarget | None = None
    """Web services: the target group, ALB group and listener rule. None: a worker."""
    rollback_alarm_names: Sequence[pulumi.Input[str]] = ()
    """CloudWatch alarms that fail and roll back a deployment (monitoring names them up front
    so there is no dependency cycle)."""
    tags: Mapping[str, str] = field(default_factory=dict[str, str])
    """Extra tags on the ECS service (propagated to its tasks)."""


class Service(pulumi.ComponentResource):
    """A Fargate service (web or worker) with its roles, security group and autoscaling.

    Example::

        api = Service("auction-prod-api", ServiceArgs(cluster_arn=cluster.arn,
                      cluster_name=cluster.name, vpc_id=network.vpc_id,
                      subnet_ids=network.app_subnet_ids, assign_public_ip=False,
                      account_id=account, region="us-east-1",
                      container=ContainerSpec(name="api", port=8080),
                      log_group_name="/golive/auction/prod/api", log_retention_days=365,
                      kms_key_arn=key.arn, size=TaskSize(cpu=1024, memory=2048,
                      architecture="ARM64"), repository=Repository(name="auction/prod/api"),
                      released_image=released.get("api"), load_balancer=target))

    Cost: Fargate x86 $0.04048/vCPU-h + $0.004445/GB-h (ARM64 20% less, Spot up to 70% less):
    0.25 vCPU/0.5 GB ~$9/month per task, 1 vCPU/2 GB ARM64 ~$29; ECR $0.10/GB-month; logs
    $0.50/GB ingested.
    """

    service_name: pulumi.Output[str]
    task_definition_family: str
    task_definition_arn: pulumi.Output[str]
    container_name: str
    security_group_id: pulumi.Output[str]
    target_group_arn: pulumi.Input[str] | None
    target_group_arn_suffix: pulumi.Input[str] | None
    log_group_name: pulumi.Output[str]
    log_group_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    image: pulumi.Output[str]
    """The image the task definition runs (released, or the pre-release default)."""
    repository_url: pulumi.Output[str] | None
    released: bool
    desired_count: int
    """Tasks the service is declared with (0 before the first release)."""

    def __init__(
        self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Service", name, None, opts)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        self.released = args.released_image is not None
        self.container_name = args.container.name
        self.task_definition_family = name

        repository = self._create_repository() if args.repository else None
        self.repository_url = repository.repository_url if repository else None
        self.image = self._image(repository)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child,
        )
        self.log_group_name = self.log_group.name
        self.log_group_arn = self.log_group.arn
        self.roles = self._create_roles(repository)
        self.execution_role_arn = self.roles.execution.arn
        self.task_role_arn = self.roles.task.arn
        self.security_group = self._create_security_group(child)
        self.security_group_id = self.security_group.id

        self.task_definition = fargate_task_definition(
            f"{name}-taskdef",
            parent=self,
            family=self.task_definition_family,
            spec=args.container,
            image=self.image,
            log_group_name=self.log_group.name,
            region=args.region,
            stream_prefix=SERVICE_STREAM_PREFIX,
            size=args.size,
            roles=self.roles,
        )
        self.task_definition_arn = self.task_definition.arn
        self.desired_count, scaling = self._counts()
        self.service = self._create_service(scaling)
        self.service_name = self.service.name
        if scaling is not None:
            self._create_autoscaling(scaling, child)

        lb = args.load_balancer
        self.target_group_arn = lb.target_group_arn if lb else None
        self.target_group_arn_suffix = lb.target_group_arn_suffix if lb else None
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "taskDefinitionFamily": self.task_definition_family,
                "containerName": self.container_name,
                "securityGroupId": self.security_group_id,
                "logGroupName": self.log_group_name,
                "image": self.image,
                "desiredCount": self.desired_count,
            }
        )

    # ------------------------------------------------------------------ image

    def _create_repository(self) -> aws.ecr.Repository:
        settings, name = self._args.repository, self._name
        assert settings is not None
        repository = aws.ecr.Repository(
            f"{name}-repository",
            name=settings.name,
            # A tag names one image forever: a release by tag can be rolled back to exactly.
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[
                {"encryption_type": "KMS", "kms_key": self._args.kms_key_arn}
            ],
            # A protected repository is never emptied: deleting it while it holds images fails.
            force_delete=not settings.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-repository-lifecycle",
            repository=repository.name,
            policy=_lifecycle_policy(settings.keep_images),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if settings.reader_accounts:
            aws.ecr.RepositoryPolicy(
                f"{name}-repository-readers",
                repository=repository.name,
                policy=_readers_policy(settings.reader_accounts),
                opts=pulumi.ResourceOptions(parent=self),
            )
        return repository

    def _image(self, repository: aws.ecr.Repository | None) -> pulumi.Output[str]:
        args = self._args
        if args.released_image is not None:
            return pulumi.Output.from_input(args.released_image)
        if args.default_image is not None:
            return pulumi.Output.from_input(args.default_image)
        assert repository is not None, "a service without `image` needs its own repository"
        return repository.repository_url.apply(lambda url: f"{url}:{UNRELEASED_TAG}")

    # ------------------------------------------------------------------ roles and network

    def _create_roles(self, repository: aws.ecr.Repository | None) -> TaskRoles:
        args = self._args
        repositories: list[pulumi.Input[str]] = []
        if repository is not None:
            repositories.append(repository.arn)
        repositories += sorted(set(args.other_repository_arns))
        return create_task_roles(
            self._name,
            parent=self,
            account_id=args.account_id,
            region=args.region,
            access=ExecutionAccess(
                log_group_arn=self.log_group.arn,
                repository_arns=repositories,
                secret_arns=args.container.secret_arns,
                kms_key_arns=args.container.kms_key_arns,
            ),
            exec_sessions=args.exec_sessions,
            task_statements=args.task_role_statements,
            description=f"service {args.container.name}",
        )

    def _create_security_group(self, child: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
        args, name = self._args, self._name
        group = aws.ec2.SecurityGroup(
            naming.tasks_security_group(name),
            vpc_id=args.vpc_id,
            description=f"Tasks of {args.container.name} (and its one-off and scheduled tasks)",
            tags={"Name": name},
            opts=child,
        )
        lb, port = args.load_balancer, args.container.port
        if lb is not None and port is not None:
            allow_from(
                f"{name}-from-alb",
                security_group_id=group.id,
                source_security_group_id=lb.security_group_id,
                port=port,
                description=f"Load balancer to {args.container.name} on {port}",
                parent=self,
            )
            # The ALB's group has no egress of its own: each service opens its own port.
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-alb-to-tasks",
                security_group_id=lb.security_group_id,
                description=f"Load balancer to {args.container.name} tasks on {port}",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=group.id,
                opts=child,
            )
        for index, cidr in enumerate(args.egress_cidrs):
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-egress-{index}",
                security_group_id=group.id,
                description=f"{args.container.name} to {cidr} (image pulls, AWS APIs, SMTP...)",
                ip_protocol="-1",
                cidr_ipv4=cidr,
                opts=child,
            )
        for backend in args.backends:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-to-{backend.name}",
                security_group_id=group.id,
                description=f"{args.container.name} to the {backend.name}",
                ip_protocol="tcp",
                from_port=backend.port,
                to_port=backend.port,
                referenced_security_group_id=backend.security_group_id,
                opts=child,
            )
            allow_from(
                f"{name}-{backend.name}-access",
                security_group_id=backend.security_group_id,
                source_security_group_id=group.id,
                port=backend.port,
                description=f"{args.container.name} (service, tasks) to the {backend.name}",
                parent=self,
            )
        return group

    # ------------------------------------------------------------------ the ECS service

    def _counts(self) -> tuple[int, Scaling | None]:
        """Desired count and scaling bounds: 0 and min 0 until the first release."""
        args = self._args
        scaling = args.scaling
        if scaling is not None and not self.released:
            scaling = replace(scaling, min_count=0)
        if not self.released:
            return 0, scaling
        return self._released_count, scaling

    @property
    def _released_count(self) -> int:
        """The tasks the service keeps once released: the autoscaling floor, or desired count."""
        scaling = self._args.scaling
        return scaling.min_count if scaling else self._args.desired_count

    def _create_service(self, scaling: Scaling | None) -> aws.ecs.Service:
        args, name = self._args, self._name
        lb = args.load_balancer
        load_balancers: list[aws.ecs.ServiceLoadBalancerArgsDict] = []
        if lb is not None and args.container.port is not None:
            load_balancers.append(
                {
                    "target_group_arn": lb.target_group_arn,
                    "container_name": args.container.name,
                    "container_port": args.container.port,
                }
            )
        alarms: aws.ecs.ServiceAlarmsArgsDict | None = None
        if args.rollback_alarm_names:
            alarms = {
                "alarm_names": list(args.rollback_alarm_names),
                "enable": True,
                "rollback": True,
            }
        return aws.ecs.Service(
            naming.ecs_service(name),
            cluster=args.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=self.desired_count,
            capacity_provider_strategies=[
                {"capacity_provider": provider, "weight": weight, "base": base}
                for provider, weight, base in capacity_provider_strategy(
                    args.spot, args.on_demand_base
                )
            ],
            # NOTE: changing the capacity provider strategy of a service requires a new
            # deployment; with this flag an update to the service always rolls its tasks.
            force_new_deployment=True,
            network_configuration={
                "subnets": list(args.subnet_ids),
                "security_groups": [self.security_group.id],
                "assign_public_ip": args.assign_public_ip,
            },
            load_balancers=load_balancers,
            health_check_grace_period_seconds=lb.health_check_grace_period if lb else None,
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            # A failing deployment rolls back, and `pulumi up` then fails: without waiting for
            # steady state a rolled-back deployment would report success.
            deployment_circuit_breaker={"enable": True, "rollback": True},
            alarms=alarms,
            wait_for_steady_state=True,
            availability_zone_rebalancing="ENABLED",
            enable_execute_command=args.exec_sessions is not None,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # Policy rules read this: a service never released runs 0 tasks by design.
            tags={
                "golive:service": args.container.name,
                RELEASED_TAG: "true" if self.released else "false",
                MIN_TASKS_TAG: str(self._released_count),
                **args.tags,
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[lb.listener_rule] if lb else [],
                # Autoscaling owns the task count: `pulumi up` must not reset it.
                ignore_changes=["desiredCount"] if scaling is not None else [],
            ),
        )

    def _create_autoscaling(self, scaling: Scaling, child: pulumi.ResourceOptions) -> None:
        args, name = self._args, self._name
        resource_id = pulumi.Output.concat("service/", args.cluster_name, "/", self.service.name)
        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=resource_id,
            min_capacity=scaling.min_count,
            max_capacity=scaling.max_count,
            opts=child,
        )
        metrics: list[tuple[str, int, str, pulumi.Input[str] | None]] = []
        if scaling.cpu_percent is not None:
            metrics.append(("cpu", scaling.cpu_percent, "ECSServiceAverageCPUUtilization", None))
        if scaling.memory_percent is not None:
            metrics.append(
                ("memory", scaling.memory_percent, "ECSServiceAverageMemoryUtilization", None)
            )
        lb = args.load_balancer
        if scaling.requests_per_target is not None and lb is not None:
            label = pulumi.Output.concat(
                lb.load_balancer_arn_suffix, "/", lb.target_group_arn_suffix
            )
            metrics.append(
                ("requests", scaling.requests_per_target, "ALBRequestCountPerTarget", label)
            )
        for role, value, metric, label in metrics:
            predefined: _PredefinedMetric = {"predefined_metric_type": metric}
            if label is not None:
                predefined["resource_label"] = label
            aws.appautoscaling.Policy(
                naming.scaling_policy(name, role),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "target_value": float(value),
                    "predefined_metric_specification": predefined,
                    "scale_in_cooldown": scaling.scale_in_cooldown,
                    "scale_out_cooldown": scaling.scale_out_cooldown,
                },
                opts=child,
            )


def _readers_policy(accounts: Sequence[str]) -> str:
    """Other accounts may pull (copy) the repository's images, and nothing else: the reads an
    image copy makes (ECR User Guide, "Private repository policy examples": allow pull access
    to another account)."""
    import json

    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PromotionFromOtherAccounts",
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in sorted(accounts)]},
                    "Action": list(ECR_PULL_ACTIONS),
                }
            ],
        }
    )


IMAGES_PER_RELEASE = 3
"""What one build pushes: an index and one manifest per platform Fargate runs (linux/amd64,
linux/arm64), the manifests untagged (buildx)."""


def _lifecycle_policy(keep: int) -> str:
    """Keep the images of the `keep` most recent builds, whole. One count over every image
    (`any`), as ECR sorts by push time and expires all past the count (ECR User Guide,
    "Lifecycle policy evaluation rules"), so the builds it keeps keep their platform
    manifests. No rule expires untagged images by age: ECR's evaluation rules do not say they
    spare the untagged platform manifests of a live index, and if not, a task started from a
    week-old multi-arch image would fail to pull. Untagged leftovers of a failed push count
    like any image and go in turn."""
    import json

    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Keep the images of the {keep} most recent builds",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": keep * IMAGES_PER_RELEASE,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )
