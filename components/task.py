"""A named one-off task (migrate, seed, create-admin): a service's container with another command.

Creates: one task definition that reuses the service's image, environment, secrets, roles and
log group with the task's command (no port, no health check). Nothing runs it on its own: the
operations CLI's `golive run-task STACK NAME` starts it with the `runConfig` this component
exposes (cluster, subnets, security groups, public-IP setting, container name), which the stack
exports. It runs in the service's security group, so it reaches exactly what the service
reaches (the database it uses, for a migration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.container import (
    ContainerSpec,
    TaskRoles,
    TaskSize,
    fargate_task_definition,
)


@dataclass(frozen=True, kw_only=True)
class OneOffTaskArgs:
    task_name: str
    """The task's name in the stack file (`seed`); its log streams start with it."""
    container: ContainerSpec
    """The container with the task's command (`ContainerSpec.with_command`)."""
    image: pulumi.Input[str]
    """The service's image (the released one, or its pre-release default)."""
    roles: TaskRoles
    """The service's execution and task roles."""
    log_group_name: pulumi.Input[str]
    """The service's log group; the task's streams are prefixed with its name."""
    region: str
    """For awslogs."""
    size: TaskSize
    """Fargate CPU, memory and architecture (the service's unless the stack file says)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Where it runs: the network's app subnets."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """The service's security group."""
    assign_public_ip: bool
    """Only with `nat: none`."""
    service: str | None = None
    """The service it comes from (None for built-in tasks)."""


class OneOffTask(pulumi.ComponentResource):
    """A task definition for `golive run-task`.

    Example::

        seed = OneOffTask("auction-prod-seed", OneOffTaskArgs(task_name="seed",
            container=api_spec.with_command(["./api", "seed"]), image=api.image,
            roles=api.roles, log_group_name=api.log_group_name, region="us-east-1",
            size=TaskSize(cpu=1024, memory=2048, architecture="ARM64"),
            subnet_ids=network.app_subnet_ids, security_group_ids=[api.security_group_id],
            assign_public_ip=False, service="api"))

    Cost: nothing until it runs; then Fargate per second (one minute minimum).
    """

    task_definition_arn: pulumi.Output[str]
    task_definition_family: str
    container_name: str
    subnet_ids: list[pulumi.Input[str]]
    security_group_ids: list[pulumi.Input[str]]
    assign_public_ip: bool
    log_group_name: pulumi.Input[str]
    service: str | None

    def __init__(
        self, name: str, args: OneOffTaskArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:OneOffTask", name, None, opts)
        self.task_definition_family = name
        self.task_definition = fargate_task_definition(
            f"{name}-taskdef",
            parent=self,
            family=name,
            spec=args.container,
            image=args.image,
            log_group_name=args.log_group_name,
            region=args.region,
            stream_prefix=args.task_name,
            size=args.size,
            roles=args.roles,
        )
        self.task_definition_arn = self.task_definition.arn
        self.container_name = args.container.name
        self.subnet_ids = list(args.subnet_ids)
        self.security_group_ids = list(args.security_group_ids)
        self.assign_public_ip = args.assign_public_ip
        self.log_group_name = args.log_group_name
        self.service = args.service
        self.register_outputs(
            {
                "taskDefinitionArn": self.task_definition_arn,
                "taskDefinitionFamily": self.task_definition_family,
                "containerName": self.container_name,
            }
        )
