"""What every Fargate task of golive shares: its container definition and its two IAM roles.

Not a component: plain builders that `Service`, `OneOffTask`, `ScheduledTask` and `DbInit` call
from their constructors, so a service, its one-off tasks and its schedules describe the same
container the same way.

- `container_definitions(...)` renders the one container of a task definition as JSON in the
  **canonical form AWS returns** from `DescribeTaskDefinition` (containers and their environment
  and secrets sorted by name, `cpu: 0`, `essential: true`, empty `mountPoints`/`volumesFrom`/
  `systemControls`, `hostPort` equal to `containerPort` with `protocol: tcp` under awsvpc,
  health-check defaults spelled out). NOTE: pulumi-aws compares the JSON it sent with what AWS
  returns, and any difference the provider does not normalize replaces the task definition on
  every `pulumi up` (pulumi-aws#4576); `cpu: 0` in particular is not normalized.
- Secrets reach the container only as `valueFrom` references; the root filesystem is read-only
  unless the stack file says why not, with task-local volumes on the writable paths (and on the
  ECS Exec agent's paths when Exec is on); the container is never privileged.
- `create_task_roles(...)`: an execution role that may pull exactly the service's repository,
  write exactly its log group and read exactly its secrets (decrypting with exactly their keys,
  only through Secrets Manager), and a task role that may do nothing unless Exec or the stack
  file grants more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.secrets import SecretRef

EXEC_AGENT_PATHS = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")
"""Where the ECS Exec (SSM) agent writes inside the container.

NOTE: AWS's ECS Exec considerations call a read-only root filesystem unsupported: the agent
crashes soon after the task starts. Task-local volumes on exactly these three paths make it
work with the root kept read-only (the workaround of aws/containers-roadmap#1359, confirmed in
aws-containers/amazon-ecs-exec-checker#71); without `/managed-agents` no session opens."""

HEALTH_CHECK_INTERVAL = 30
HEALTH_CHECK_RETRIES = 3
HEALTH_CHECK_TIMEOUT = 5
"""ECS's defaults for a container health check, written out because AWS returns them."""


@dataclass(frozen=True, kw_only=True)
class ContainerSpec:
    """The one container of a golive task definition."""

    name: str
    """Container name (the service's name); `run-task` overrides address it."""
    port: int | None = None
    """Container port of a web service; None for workers and one-off tasks."""
    command: Sequence[str] | None = None
    """Command override; None keeps the image's."""
    entry_point: Sequence[str] | None = None
    """Entry point override; None keeps the image's."""
    environment: Mapping[str, pulumi.Input[str]] = field(
        default_factory=dict[str, pulumi.Input[str]]
    )
    """Plain environment variables (never credentials)."""
    secrets: Sequence[SecretRef] = ()
    """Secret environment variables, injected by ECS from Secrets Manager at task start."""
    repository_credentials: SecretRef | None = None
    """Private-registry credentials (`{"username", "password"}` secret) for the image pull."""
    health_check: Sequence[str] | None = None
    """Container health check command (`CMD-SHELL ...`); None relies on the load balancer's."""
    stop_timeout: int = 30
    """Seconds between SIGTERM and SIGKILL."""
    readonly_root_filesystem: bool = True
    """Read-only root filesystem (control ECS.5)."""
    writable_paths: Sequence[str] = ("/tmp",)
    """Directories mounted from task-local volumes, writable."""
    exec_agent: bool = False
    """ECS Exec is on: the agent's directories get writable volumes too."""

    def with_command(self, command: Sequence[str]) -> ContainerSpec:
        """The same container running another command, with no port, health check or ECS Exec
        agent (a task runs to completion; nobody attaches to it)."""
        return replace(self, command=list(command), port=None, health_check=None, exec_agent=False)

    @property
    def mounted_paths(self) -> list[str]:
        paths = list(self.writable_paths)
        if self.exec_agent:
            paths += [p for p in EXEC_AGENT_PATHS if p not in paths]
        return paths

    @property
    def volume_names(self) -> list[str]:
        """Task definition volumes, one per writable path, in mount order."""
        return [volume_name(p) for p in self.mounted_paths]

    @property
    def secret_arns(self) -> list[pulumi.Output[str]]:
        sources = [*self.secrets, self.repository_credentials]
        return [s.secret_arn for s in sources if s is not None]

    @property
    def kms_key_arns(self) -> list[pulumi.Input[str]]:
        sources = [*self.secrets, self.repository_credentials]
        return [s.kms_key_arn for s in sources if s is not None]


def volume_name(path: str) -> str:
    """A task definition volume name for a mount path (`/var/lib/amazon` -> `var-lib-amazon`)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", path.strip("/")) or "root"


def container_definitions(
    spec: ContainerSpec,
    *,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    region: str,
    stream_prefix: str,
) -> pulumi.Output[str]:
    """The task definition's `containerDefinitions` JSON, in the canonical form AWS returns."""
    container: dict[str, Any] = {
        "name": spec.name,
        "image": image,
        "cpu": 0,
        "essential": True,
        "environment": [
            {"name": name, "value": spec.environment[name]} for name in sorted(spec.environment)
        ],
        "mountPoints": [
            {"sourceVolume": volume_name(path), "containerPath": path, "readOnly": False}
            for path in spec.mounted_paths
        ],
        "portMappings": (
            [{"containerPort": spec.port, "hostPort": spec.port, "protocol": "tcp"}]
            if spec.port is not None
            else []
        ),
        "volumesFrom": [],
        "systemControls": [],
        "readonlyRootFilesystem": spec.readonly_root_filesystem,
        # ECS.4: never privileged (Fargate refuses it anyway; the explicit false is what the
        # controls report and Security Hub read).
        "privileged": False,
        "stopTimeout": spec.stop_timeout,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": stream_prefix,
            },
        },
    }
    if spec.secrets:
        # ECS.8: credentials only as references that ECS resolves at task start.
        container["secrets"] = [
            {"name": s.env_name, "valueFrom": s.value_from}
            for s in sorted(spec.secrets, key=lambda s: s.env_name)
        ]
    if spec.command is not None:
        container["command"] = list(spec.command)
    if spec.entry_point is not None:
        container["entryPoint"] = list(spec.entry_point)
    if spec.repository_credentials is not None:
        container["repositoryCredentials"] = {
            "credentialsParameter": spec.repository_credentials.secret_arn
        }
    if spec.health_check is not None:
        container["healthCheck"] = {
            "command": list(spec.health_check),
            "interval": HEALTH_CHECK_INTERVAL,
            "retries": HEALTH_CHECK_RETRIES,
            "timeout": HEALTH_CHECK_TIMEOUT,
        }
    return pulumi.Output.json_dumps([container])


# ------------------------------------------------------------------------------ IAM


def ecs_tasks_trust_policy(account_id: str, region: str) -> str:
    """Trust for roles ECS tasks assume, guarded against the confused deputy."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{region}:{account_id}:*"},
                    },
                }
            ],
        }
    )


def _unique(values: Sequence[pulumi.Input[str]]) -> pulumi.Output[list[str]]:
    """Sorted distinct values (several env vars may read one JSON secret)."""
    return pulumi.Output.all(*values).apply(lambda resolved: sorted({str(v) for v in resolved}))


@dataclass(frozen=True, kw_only=True)
class ExecutionAccess:
    """What an execution role may touch: nothing else."""

    log_group_arn: pulumi.Input[str]
    """The awslogs group its containers write to."""
    repository_arns: Sequence[pulumi.Input[str]] = ()
    """ECR repositories it pulls from (none for public registries)."""
    secret_arns: Sequence[pulumi.Input[str]] = ()
    """Exactly the secrets its containers receive."""
    kms_key_arns: Sequence[pulumi.Input[str]] = ()
    """Exactly the keys those secrets are encrypted with."""


def execution_policy(access: ExecutionAccess, region: str) -> pulumi.Output[str]:
    statements: list[dict[str, Any]] = [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": pulumi.Output.concat(access.log_group_arn, ":*"),
        }
    ]
    if access.repository_arns:
        statements += [
            {
                # NOTE: GetAuthorizationToken has no resource-level permissions: AWS requires "*".
                "Sid": "EcrLogin",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "PullOwnImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": _unique(access.repository_arns),
            },
        ]
    if access.secret_arns:
        statements.append(
            {
                "Sid": "ReadOwnSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": _unique(access.secret_arns),
            }
        )
    if access.kms_key_arns:
        statements.append(
            {
                "Sid": "DecryptOwnSecrets",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": _unique(access.kms_key_arns),
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}
                },
            }
        )
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


@dataclass(frozen=True, kw_only=True)
class ExecSessions:
    """Where ECS Exec sessions of the cluster are encrypted and logged."""

    kms_key_arn: pulumi.Input[str]
    log_group_arn: pulumi.Input[str]


def exec_statements(sessions: ExecSessions) -> list[dict[str, Any]]:
    """What the SSM agent inside a task needs for ECS Exec with encrypted, logged sessions."""
    return [
        {
            # NOTE: the ssmmessages channel actions have no resource-level permissions.
            "Sid": "EcsExecChannels",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        },
        {
            "Sid": "EcsExecSessionKey",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": sessions.kms_key_arn,
        },
        {
            # NOTE: the agent checks the group's encryption with DescribeLogGroups, which
            # cannot be scoped to one group.
            "Sid": "EcsExecFindLogGroup",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": "*",
        },
        {
            "Sid": "EcsExecSessionLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": pulumi.Output.concat(sessions.log_group_arn, ":*"),
        },
    ]


def config_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """A task-role statement from the stack file, in IAM's spelling."""
    out: dict[str, Any] = {
        "Effect": str(statement["effect"]),
        "Action": list(statement["actions"]),
        "Resource": list(statement["resources"]),
    }
    if statement.get("condition"):
        out["Condition"] = statement["condition"]
    return out


@dataclass
class TaskRoles:
    """The two roles of a task definition (never the same role: control ECS.3 / CKV_AWS_249)."""

    execution: aws.iam.Role
    task: aws.iam.Role


def create_task_roles(
    name: str,
    *,
    parent: pulumi.Resource,
    account_id: str,
    region: str,
    access: ExecutionAccess,
    exec_sessions: ExecSessions | None = None,
    task_statements: Sequence[Mapping[str, Any]] = (),
    description: str,
) -> TaskRoles:
    """An execution role scoped to `access` and a task role with only what is asked for."""
    child = pulumi.ResourceOptions(parent=parent)
    trust = ecs_tasks_trust_policy(account_id, region)
    execution = aws.iam.Role(
        naming.execution_role(name),
        assume_role_policy=trust,
        description=f"ECS pulls, logs and reads secrets for {description}",
        opts=child,
    )
    aws.iam.RolePolicy(
        naming.role_policy(naming.execution_role(name)),
        role=execution.id,
        policy=execution_policy(access, region),
        opts=child,
    )
    task = aws.iam.Role(
        naming.task_role(name),
        assume_role_policy=trust,
        description=f"What the code of {description} may call in AWS",
        opts=child,
    )
    statements = [*(exec_statements(exec_sessions) if exec_sessions else []), *task_statements]
    if statements:
        aws.iam.RolePolicy(
            naming.role_policy(naming.task_role(name)),
            role=task.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=child,
        )
    return TaskRoles(execution=execution, task=task)


# ------------------------------------------------------------------------------ task definition


@dataclass(frozen=True, kw_only=True)
class TaskSize:
    cpu: int
    """Fargate CPU units (validated against Fargate's pairs by the config model)."""
    memory: int
    """MiB."""
    architecture: str = "X86_64"
    """`X86_64` or `ARM64`."""


def fargate_task_definition(
    name: str,
    *,
    parent: pulumi.Resource,
    family: str,
    spec: ContainerSpec,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    region: str,
    stream_prefix: str,
    size: TaskSize,
    roles: TaskRoles,
) -> aws.ecs.TaskDefinition:
    """A Fargate task definition (awsvpc, no host PID/IPC) for one container."""
    return aws.ecs.TaskDefinition(
        name,
        family=family,
        requires_compatibilities=["FARGATE"],
        # ECS.1: awsvpc gives each task its own ENI and security group; no host network.
        network_mode="awsvpc",
        cpu=str(size.cpu),
        memory=str(size.memory),
        runtime_platform={
            "operating_system_family": "LINUX",
            "cpu_architecture": size.architecture,
        },
        execution_role_arn=roles.execution.arn,
        task_role_arn=roles.task.arn,
        container_definitions=container_definitions(
            spec,
            image=image,
            log_group_name=log_group_name,
            region=region,
            stream_prefix=stream_prefix,
        ),
        volumes=[{"name": volume} for volume in spec.volume_names],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def capacity_provider_strategy(spot: bool, on_demand_base: int) -> list[tuple[str, int, int]]:
    """Where tasks run, as (capacity provider, weight, base).

    Spot only ever through the strategy: switching `launch_type` replaces a service, while
    changing its strategy is an update.
    """
    if not spot:
        return [("FARGATE", 1, 0)]
    strategy = [("FARGATE_SPOT", 1, 0)]
    if on_demand_base:
        strategy.append(("FARGATE", 0, on_demand_base))
    return strategy
