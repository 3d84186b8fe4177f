"""The stack's ECS cluster.

Creates: an ECS cluster with CloudWatch Container Insights (control ECS.12) and the FARGATE and
FARGATE_SPOT capacity providers (default strategy: regular Fargate), and, when a service allows
ECS Exec, the cluster's Exec configuration: sessions encrypted with the stack key and logged to
their own log group.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.container import ExecSessions


@dataclass(frozen=True, kw_only=True)
class ClusterArgs:
    kms_key_arn: pulumi.Input[str]
    """The stack key: encrypts ECS Exec sessions and their log group."""
    container_insights: str = "enabled"
    """`enabled` (control ECS.12) or `enhanced` (per-task and per-container metrics, billed per
    custom metric)."""
    exec_sessions: bool = False
    """A service allows ECS Exec: encrypt and log its sessions."""
    exec_log_retention_days: int = 365
    """Days the Exec session log group keeps sessions (an audit trail: a year by default)."""


class Cluster(pulumi.ComponentResource):
    """An ECS cluster for Fargate tasks.

    Example::

        cluster = Cluster("auction-prod", ClusterArgs(kms_key_arn=key.arn))

    Cost: the cluster is free; Container Insights bills its metrics and performance log events
    (roughly $0.50-$2 a month per small service); tasks are billed by Fargate.
    """

    name: pulumi.Output[str]
    """Cluster name (what `golive` and CloudWatch dimensions use)."""
    arn: pulumi.Output[str]
    """Cluster ARN. Consumers of `name`/`arn` also wait for the capacity providers, so a service
    asking for FARGATE_SPOT never races the association."""
    exec_sessions: ExecSessions | None
    """Where Exec sessions are encrypted and logged (None without Exec)."""

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.exec_sessions = None
        configuration: aws.ecs.ClusterConfigurationArgsDict | None = None
        if args.exec_sessions:
            sessions_log = aws.cloudwatch.LogGroup(
                naming.exec_sessions_log_group(name),
                retention_in_days=args.exec_log_retention_days,
                kms_key_id=args.kms_key_arn,
                opts=child,
            )
            self.exec_sessions = ExecSessions(
                kms_key_arn=args.kms_key_arn, log_group_arn=sessions_log.arn
            )
            configuration = {
                "execute_command_configuration": {
                    "kms_key_id": args.kms_key_arn,
                    "logging": "OVERRIDE",
                    "log_configuration": {
                        "cloud_watch_log_group_name": sessions_log.name,
                        "cloud_watch_encryption_enabled": True,
                    },
                }
            }
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=name,
            settings=[{"name": "containerInsights", "value": args.container_insights}],
            configuration=configuration,
            opts=child,
        )
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity-providers",
            cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[{"capacity_provider": "FARGATE", "weight": 1}],
            opts=child,
        )
        ready = self.capacity_providers.id
        self.name = pulumi.Output.all(self.cluster.name, ready).apply(lambda v: str(v[0]))
        self.arn = pulumi.Output.all(self.cluster.arn, ready).apply(lambda v: str(v[0]))
        self.register_outputs({"name": self.name, "arn": self.arn})
