"""The roles the stack creates that a service assumes, and the one service each is passed to
(`iam:PassRole` with `iam:PassedToService`). Pure data from `components.naming` and AWS's
documentation: `components.ci_policies` grants and bounds passing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from components import naming


@dataclass(frozen=True)
class PassedRoles:
    """One kind of role the stack creates and the one service it is passed to. The value of
    `iam:PassedToService` is "the service principal of the service that will assume the role"
    (IAM User Guide, "IAM condition keys"): the principal the role's trust policy names."""

    kind: str
    """Statement ids: `Pass<kind>` (deploy role), `<kind>OnlyTo<to>` (boundary)."""
    to: str
    service: str
    names: Callable[[str], tuple[str, ...]]
    """The kind's role names, given the stack's prefix (`*`: any stack's). Each ends in what
    only this kind's names end in, so no pattern takes in a role of another kind."""
    paired_by_boundary: bool = False
    """The boundary too refuses this kind to any other of the stack's services (not only the
    deploy role's grant): where its misuse reaches furthest. Pairing every kind there would not
    fit IAM's quota beside a stack's workload grants."""
    also_sent: tuple[str, ...] = ()
    """Other values the calling service may send as iam:PassedToService for this role, where
    AWS does not document which it sends. They give nothing: only `service` may assume it."""

    @property
    def passed_to(self) -> list[str]:
        """Every iam:PassedToService value the role may be passed with."""
        return [self.service, *self.also_sent]

    def arns(self, prefix: str, account: str) -> list[str]:
        return [f"arn:aws:iam::{account}:role/{name}" for name in self.names(prefix)]


def _workload_roles(*roles: Callable[[str], str]) -> Callable[[str], tuple[str, ...]]:
    """Roles named after any service, task or schedule of the stack (`<prefix>-<name>-...`)."""
    return lambda prefix: tuple(
        naming.autonamed_pattern(role(naming.workload(prefix, "*"))) for role in roles
    )


PASSED_ROLES = (
    # RegisterTaskDefinition and RunTask pass both roles of a task definition
    # (ops/permissions.py). Both trust ecs-tasks.amazonaws.com (components/container.py), and
    # AWS's own role that runs tasks passes them only so: ECS Developer Guide, "Amazon ECS
    # EventBridge IAM role" (AmazonEC2ContainerServiceEventsRole: iam:PassRole with
    # iam:PassedToService ecs-tasks.amazonaws.com). Paired by the boundary: they hold what the
    # stack file grants its tasks, and the secrets.
    PassedRoles(
        "TaskRoles", "EcsTasks", "ecs-tasks.amazonaws.com",
        _workload_roles(naming.execution_role, naming.task_role), paired_by_boundary=True,
    ),
    # CreateSchedule and UpdateSchedule pass the schedule's role (Target.RoleArn), which trusts
    # scheduler.amazonaws.com: AWS's AmazonEventBridgeSchedulerFullAccess passes roles only
    # with iam:PassedToService scheduler.amazonaws.com (AWS Managed Policy Reference).
    PassedRoles(
        "SchedulerRoles", "Scheduler", "scheduler.amazonaws.com",
        _workload_roles(naming.scheduler_role),
    ),
    # CreateDBInstance, CreateDBInstanceReadReplica, ModifyDBInstance (and a restore) pass
    # MonitoringRoleArn, and whoever enables Enhanced Monitoring needs iam:PassRole; the role's
    # trusted service is monitoring.rds.amazonaws.com (RDS User Guide, "Setting up and enabling
    # Enhanced Monitoring"). Which value RDS sends is not documented, and field reports show
    # rds.amazonaws.com on some RDS calls (mitodl/ol-infrastructure#5874): both are allowed, so
    # the first `pulumi up` never fails on a guess; the role's trust admits monitoring.rds only.
    PassedRoles(
        "MonitoringRole", "RdsMonitoring", "monitoring.rds.amazonaws.com",
        lambda prefix: (naming.autonamed_pattern(naming.database_monitoring_role(prefix)),),
        also_sent=("rds.amazonaws.com",),
    ),
    # CreateFlowLogs to CloudWatch Logs passes DeliverLogsPermissionArn (the caller needs
    # iam:PassRole on it), a role that trusts vpc-flow-logs.amazonaws.com (VPC User Guide,
    # "Publish flow logs to CloudWatch Logs"). Flow logs to S3 pass no role.
    PassedRoles(
        "FlowLogsRole", "FlowLogs", "vpc-flow-logs.amazonaws.com",
        lambda prefix: (naming.autonamed_pattern(naming.flow_logs_role(prefix)),),
    ),
)  # fmt: skip
"""Every role the stack passes (`aws.iam.Role` in components/: the tasks', the schedules', RDS
monitoring's, flow logs', and with alarms in Slack the chat role): never to another service."""
CHAT_ROLE = PassedRoles(
    # CreateSlackChannelConfiguration passes IamRoleArn, a role that trusts
    # chatbot.amazonaws.com (components/monitoring.py). Paired by the boundary: whoever is in
    # the channel acts with the role the integration is given.
    "ChatRole",
    "Chat",
    "chatbot.amazonaws.com",
    lambda prefix: (naming.chat_role(prefix),),
    paired_by_boundary=True,
)
