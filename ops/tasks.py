"""One-off ECS tasks (`db-init`, `migrate`, `seed`, `create-admin`): run, follow, report.

A task runs from the task definition the stack exports. When another image is asked for (a
release migrates with the image it is about to deploy), a new revision of the same family is
registered with only the container's image changed. The task is polled until it stops; its
log lines are streamed as they arrive; the result carries the container's exit code and ECS's
stopped reason. A boto3 waiter cannot stream logs between polls, hence the small loop here
(its delay and attempts come from the same `WaitPolicy` as every waiter); it says every minute
how long the task has run. A task whose run was interrupted keeps running in ECS: `resume_task`
follows it again instead of starting a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ops import ui
from ops.aws import Aws
from ops.errors import OpsError, error_code, explain_client_error
from ops.outputs import StackOutputs
from ops.waiting import clock_text
from stacks.exports import TaskExport

TASK_POLL_DELAY = 6
TASK_POLL_ATTEMPTS = 600  # one hour: migrations can be long
HEARTBEAT_EVERY = 10  # polls: a line a minute while a task runs


@dataclass(frozen=True)
class TaskResult:
    task_arn: str
    exit_code: int | None
    stopped_reason: str
    task_definition_arn: str

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


def register_with_image(aws: Aws, task_definition_arn: str, container: str, image: str) -> str:
    """A new revision of the task definition with `container` running `image`."""
    ecs = aws.client("ecs")
    described = ecs.describe_task_definition(taskDefinition=task_definition_arn, include=["TAGS"])
    definition: dict[str, Any] = described["taskDefinition"]
    containers = definition["containerDefinitions"]
    if not any(item.get("name") == container for item in containers):
        raise OpsError(
            f"task definition {task_definition_arn} has no container {container!r}",
            "check the containerName output against the task definition",
        )
    if next(item for item in containers if item["name"] == container).get("image") == image:
        return task_definition_arn
    # Keep exactly the fields RegisterTaskDefinition accepts (read from the API model, so
    # fields AWS adds later are carried over too), drop the read-only ones it returned.
    accepted = ecs.meta.service_model.operation_model("RegisterTaskDefinition").input_shape.members
    request = {key: value for key, value in definition.items() if key in accepted}
    request["containerDefinitions"] = [
        {**item, "image": image} if item.get("name") == container else item for item in containers
    ]
    if described.get("tags"):
        request["tags"] = described["tags"]
    registered = ecs.register_task_definition(**request)
    return str(registered["taskDefinition"]["taskDefinitionArn"])


def _log_stream(aws: Aws, task_definition_arn: str, container: str, task_id: str) -> str | None:
    definition = aws.client("ecs").describe_task_definition(taskDefinition=task_definition_arn)
    for item in definition["taskDefinition"]["containerDefinitions"]:
        if item.get("name") == container:
            options = (item.get("logConfiguration") or {}).get("options") or {}
            prefix = options.get("awslogs-stream-prefix")
            if prefix:
                return f"{prefix}/{container}/{task_id}"
    return None


class _LogFollower:
    """Prints new lines of one CloudWatch log stream; quiet until the stream exists."""

    def __init__(self, aws: Aws, group: str, stream: str | None) -> None:
        self.aws = aws
        self.group = group
        self.stream = stream
        self.token: str | None = None

    def poll(self) -> None:
        if self.stream is None:
            return
        params: dict[str, Any] = {
            "logGroupName": self.group,
            "logStreamName": self.stream,
            "startFromHead": True,
        }
        if self.token:
            params["nextToken"] = self.token
        try:
            response = self.aws.client("logs").get_log_events(**params)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return  # the task has not written anything yet
            raise
        for event in response.get("events", []):
            ui.console.print(f"   | {event.get('message', '').rstrip()}", style="dim")
        self.token = response.get("nextForwardToken", self.token)


def start_task(
    aws: Aws,
    *,
    outputs: StackOutputs,
    name: str,
    task_definition_arn: str,
    task: TaskExport,
    command: list[str] | None = None,
    environment: dict[str, str] | None = None,
) -> str:
    """RunTask; a placement failure or an API error becomes an OpsError (nothing started)."""
    override: dict[str, Any] = {"name": task.container_name}
    if command:
        override["command"] = command
    if environment:
        override["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    next_step = (
        "nothing was changed; check the subnets/security groups and ENI/Fargate capacity "
        "in the region, then re-run"
    )
    try:
        response = aws.client("ecs").run_task(
            cluster=outputs.cluster_name,
            taskDefinition=task_definition_arn,
            launchType="FARGATE",
            count=1,
            startedBy=f"golive-{name}"[:36],
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": task.subnets,
                    "securityGroups": task.security_groups,
                    "assignPublicIp": "ENABLED" if task.assign_public_ip else "DISABLED",
                }
            },
            overrides={"containerOverrides": [override]},
        )
    except ClientError as exc:
        error = explain_client_error(exc, f"task {name} could not start")
        raise OpsError(error.what, next_step) from None
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(
            f"{item.get('reason', '?')}" + (f" ({item['detail']})" if item.get("detail") else "")
            for item in failures
        )
        raise OpsError(f"task {name} could not start: {reasons or 'no task returned'}", next_step)
    return str(tasks[0]["taskArn"])


def follow_task(
    aws: Aws,
    *,
    outputs: StackOutputs,
    name: str,
    task_arn: str,
    task: TaskExport,
    task_definition_arn: str,
) -> TaskResult:
    """Poll until the task stops, streaming its logs; returns its exit code and reason."""
    ecs = aws.client("ecs")
    task_id = task_arn.rsplit("/", 1)[-1]
    follower = _LogFollower(
        aws,
        task.log_group_name,
        _log_stream(aws, task_definition_arn, task.container_name, task_id),
    )
    delay = aws.poll_delay(TASK_POLL_DELAY)
    start = aws.runtime.clock()
    limit = clock_text(TASK_POLL_DELAY * TASK_POLL_ATTEMPTS)
    for attempt in range(aws.poll_attempts(TASK_POLL_ATTEMPTS)):
        described = ecs.describe_tasks(cluster=outputs.cluster_name, tasks=[task_arn])
        follower.poll()
        current = (described.get("tasks") or [{}])[0]
        if attempt and attempt % HEARTBEAT_EVERY == 0:
            elapsed = clock_text(aws.runtime.clock() - start)
            status = current.get("lastStatus", "?")
            ui.info(f"waiting for task {name} to stop: {status} ({elapsed} of {limit})")
        if current.get("lastStatus") == "STOPPED":
            container = next(
                (c for c in current.get("containers", []) if c.get("name") == task.container_name),
                {},
            )
            exit_code = container.get("exitCode")
            reason = str(current.get("stoppedReason") or container.get("reason") or "")
            return TaskResult(
                task_arn=task_arn,
                exit_code=int(exit_code) if exit_code is not None else None,
                stopped_reason=reason,
                task_definition_arn=task_definition_arn,
            )
        aws.runtime.sleep(delay)
    raise OpsError(
        f"task {name} ({task_arn}) did not stop in time",
        f"follow it in the ECS console or its log group {task.log_group_name}; stop it with "
        f"`aws ecs stop-task --cluster {outputs.cluster_name} --task {task_id}` if it hangs",
    )


def run_task(
    aws: Aws,
    outputs: StackOutputs,
    name: str,
    *,
    image: str | None = None,
    command: list[str] | None = None,
    environment: dict[str, str] | None = None,
    on_started: Callable[[str], None] | None = None,
) -> TaskResult:
    """Run a one-off task to completion and return its result (never raises on exit codes).

    `on_started(task_arn)` runs once ECS accepted the task, before it is followed.
    """
    task = outputs.task(name)
    definition = task.task_definition_arn
    if image is not None:
        definition = register_with_image(aws, definition, task.container_name, image)
    ui.step(f"task {name}" + (f" with {image}" if image else ""))
    task_arn = start_task(
        aws,
        outputs=outputs,
        name=name,
        task_definition_arn=definition,
        task=task,
        command=command,
        environment=environment,
    )
    ui.info(f"started {task_arn}")
    if on_started is not None:
        on_started(task_arn)
    result = follow_task(
        aws,
        outputs=outputs,
        name=name,
        task_arn=task_arn,
        task=task,
        task_definition_arn=definition,
    )
    if result.succeeded:
        ui.done(f"task {name} exited 0")
    return result


def resume_task(aws: Aws, outputs: StackOutputs, name: str, task_arn: str) -> TaskResult | None:
    """Follow a task an earlier run started; None when ECS no longer knows it."""
    described = aws.client("ecs").describe_tasks(cluster=outputs.cluster_name, tasks=[task_arn])
    found = described.get("tasks") or []
    if not found:
        return None
    ui.step(
        f"task {name} from the interrupted run ({task_arn}): waiting for it, not starting another"
    )
    return follow_task(
        aws,
        outputs=outputs,
        name=name,
        task_arn=task_arn,
        task=outputs.task(name),
        task_definition_arn=str(found[0].get("taskDefinitionArn", "")),
    )


def describe_failure(name: str, result: TaskResult) -> str:
    code = "no exit code" if result.exit_code is None else f"container exit code {result.exit_code}"
    reason = f", stopped reason: {result.stopped_reason}" if result.stopped_reason else ""
    return f"task {name} failed ({code}{reason}); task {result.task_arn}"
