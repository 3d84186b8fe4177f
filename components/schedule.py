"""A scheduled task: a service's container with another command, run by EventBridge Scheduler.

Creates: a task definition reusing the service's image, environment, secrets, roles and log group
with the schedule's command; an IAM role that EventBridge Scheduler assumes (only for this
account's schedules) and that may do exactly this: `ecs:RunTask` on that task definition in this
cluster, `iam:PassRole` of the task's two roles to ECS, and `ecs:TagResource` on the tasks it
starts; and the schedule itself (rate, cron or one-time, with a time zone), which runs the task
in the app subnets with the service's security group and capacity provider strategy. A failed
run (a task stopped with a non-zero exit) is routed to the alarm topic by the monitoring
component, which matches this cluster's task state changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.container import (
    ContainerSpec,
    TaskRoles,
    TaskSize,
    capacity_provider_strategy,
    fargate_task_definition,
)

RETRY_ATTEMPTS = 2
"""Retries when starting the task fails (e.g. no Spot capacity); not when the task itself fails."""
MAX_EVENT_AGE_SECONDS = 600
"""A run that cannot start within 10 minutes is dropped: the next tick will come."""


@dataclass(frozen=True, kw_only=True)
class ScheduledTaskArgs:
    schedule_name: str
    """The schedule's name in the stack file; its log streams start with it."""
    container: ContainerSpec
    """The container with the schedule's command (`ContainerSpec.with_command`)."""
    image: pulumi.Input[str]
    """The service's image."""
    roles: TaskRoles
    """The service's execution and task roles (passed to ECS by the scheduler)."""
    log_group_name: pulumi.Input[str]
    """The service's log group."""
    size: TaskSize
    """Fargate CPU, memory and architecture."""
    cluster_arn: pulumi.Input[str]
    """Where the task runs."""
    cluster_name: pulumi.Input[str]
    """For the tag-on-create permission's task ARNs."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The network's app subnets."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """The service's security group."""
    assign_public_ip: bool
    """Only with `nat: none`."""
    schedule_expression: str
    """`rate(...)`, `cron(...)` or `at(...)` (validated by the config model: at least a minute)."""
    account_id: str
    """Confines the scheduler's role to this account's schedules."""
    region: str
    """For awslogs and ARNs."""
    timezone: str = "UTC"
    """Time zone of cron and at expressions."""
    enabled: bool = True
    """Paused when false."""
    spot: bool = False
    """Run on Fargate Spot (as the service does)."""
    on_demand_base: int = 0
    """With spot: tasks always on regular Fargate."""


class ScheduledTask(pulumi.ComponentResource):
    """A task that EventBridge Scheduler runs on a schedule.

    Example::

        ScheduledTask("transit-prod-score-tick", ScheduledTaskArgs(schedule_name="score-tick",
                      container=web_spec.with_command(["php", "artisan", "score:tick"]),
                      image=web.image, roles=web.roles, log_group_name=web.log_group_name,
                      size=TaskSize(cpu=256, memory=512), cluster_arn=cluster.arn,
                      cluster_name=cluster.name, subnet_ids=network.app_subnet_ids,
                      security_group_ids=[web.security_group_id], assign_public_ip=False,
                      schedule_expression="rate(1 minute)", account_id=account,
                      region="ap-southeast-2"))

    Cost: EventBridge Scheduler's first 14 million invocations a month are free; each run is
    billed by Fargate per second (one minute minimum): a 0.25 vCPU task every minute for 20 s
    costs ~$3/month.
    """

    task_definition_arn: pulumi.Output[str]
    task_definition_family: str
    schedule_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ScheduledTaskArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:ScheduledTask", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.task_definition_family = name
        self.task_definition = fargate_task_definition(
            f"{name}-taskdef",
            parent=self,
            family=name,
            spec=args.container,
            image=args.image,
            log_group_name=args.log_group_name,
            region=args.region,
            stream_prefix=args.schedule_name,
            size=args.size,
            roles=args.roles,
        )
        self.task_definition_arn = self.task_definition.arn
        role = self._create_role(name, args, child)
        self.role_arn = role.arn
        self.schedule = aws.scheduler.Schedule(
            naming.schedule(name),
            description=naming.schedule_description(
                args.schedule_name, list(args.container.command or [])
            ),
            schedule_expression=args.schedule_expression,
            schedule_expression_timezone=args.timezone,
            state="ENABLED" if args.enabled else "DISABLED",
            flexible_time_window={"mode": "OFF"},
            target={
                "arn": args.cluster_arn,
                "role_arn": role.arn,
                "ecs_parameters": {
                    "task_definition_arn": self.task_definition.arn,
                    "task_count": 1,
                    "capacity_provider_strategies": [
                        {"capacity_provider": provider, "weight": weight, "base": base}
                        for provider, weight, base in capacity_provider_strategy(
                            args.spot, args.on_demand_base
                        )
                    ],
                    "network_configuration": {
                        "subnets": list(args.subnet_ids),
                        "security_groups": list(args.security_group_ids),
                        "assign_public_ip": args.assign_public_ip,
                    },
                    "enable_ecs_managed_tags": True,
                    "propagate_tags": "TASK_DEFINITION",
                    "group": f"schedule:{args.schedule_name}",
                },
                "retry_policy": {
                    "maximum_retry_attempts": RETRY_ATTEMPTS,
                    "maximum_event_age_in_seconds": MAX_EVENT_AGE_SECONDS,
                },
            },
            # The role must hold its policy before the first run.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._policy]),
        )
        self.schedule_name = self.schedule.name
        self.register_outputs(
            {
                "taskDefinitionArn": self.task_definition_arn,
                "scheduleName": self.schedule_name,
                "roleArn": self.role_arn,
            }
        )

    def _create_role(
        self, name: str, args: ScheduledTaskArgs, child: pulumi.ResourceOptions
    ) -> aws.iam.Role:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "scheduler.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused-deputy guard: only schedules of this account may assume it.
                    "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
                }
            ],
        }
        role = aws.iam.Role(
            naming.scheduler_role(name),
            assume_role_policy=pulumi.Output.json_dumps(trust),
            description=f"EventBridge Scheduler runs the {args.schedule_name} task",
            opts=child,
        )
        tasks_arn = pulumi.Output.concat(
            f"arn:aws:ecs:{args.region}:{args.account_id}:task/", args.cluster_name, "/*"
        )
        self._policy = aws.iam.RolePolicy(
            naming.role_policy(naming.scheduler_role(name)),
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "RunThisTask",
                            "Effect": "Allow",
                            "Action": "ecs:RunTask",
                            "Resource": self.task_definition.arn,
                            "Condition": {"ArnEquals": {"ecs:cluster": args.cluster_arn}},
                        },
                        {
                            "Sid": "PassItsRoles",
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": [args.roles.execution.arn, args.roles.task.arn],
                            "Condition": {
                                "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
                            },
                        },
                        {
                            "Sid": "TagTasksItStarts",
                            "Effect": "Allow",
                            "Action": "ecs:TagResource",
                            "Resource": tasks_arn,
                            "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
                        },
                    ],
                }
            ),
            opts=child,
        )
        return role
