"""ECS service state: which image each service runs, waiting for a rollout, judging it.

The `services_stable` waiter only says "one deployment, running == desired". That is also true
after the deployment circuit breaker rolled a release back, and it takes a throttled status
call for a failed rollout, so `wait_for_rollout` polls itself (`ops.waiting`: visible, bounded,
throttling asked again) and `judge()` adds the checks that make a rollout a success: the primary
deployment's `rolloutState` is `COMPLETED` and the service runs a task definition whose
container has the image that was released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ops.aws import Aws
from ops.errors import OpsError
from ops.outputs import StackOutputs
from ops.waiting import Poll, WaitTimedOut, clock_text, wait_until

ROLLOUT_POLL_DELAY = 15


@dataclass(frozen=True)
class ServiceState:
    name: str
    task_definition: str
    image: str | None
    desired: int
    running: int
    deployments: list[dict[str, Any]]

    @property
    def rollout_state(self) -> str:
        primary = next((d for d in self.deployments if d.get("status") == "PRIMARY"), None)
        return str((primary or {}).get("rolloutState", "UNKNOWN"))


class TaskDefinitionImages:
    """Caches `DescribeTaskDefinition` lookups of a container's image."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self._cache: dict[tuple[str, str], str | None] = {}

    def image(self, task_definition: str, container: str) -> str | None:
        key = (task_definition, container)
        if key not in self._cache:
            definition = self.aws.client("ecs").describe_task_definition(
                taskDefinition=task_definition
            )["taskDefinition"]
            self._cache[key] = next(
                (
                    str(item.get("image"))
                    for item in definition["containerDefinitions"]
                    if item.get("name") == container
                ),
                None,
            )
        return self._cache[key]


def describe(aws: Aws, outputs: StackOutputs, names: list[str]) -> dict[str, ServiceState]:
    """The current state of the named services."""
    by_service_name = {outputs.service(name).service_name: name for name in names}
    images = TaskDefinitionImages(aws)
    states: dict[str, ServiceState] = {}
    service_names = list(by_service_name)
    for start in range(0, len(service_names), 10):  # DescribeServices takes at most 10
        response = aws.client("ecs").describe_services(
            cluster=outputs.cluster_name, services=service_names[start : start + 10]
        )
        for failure in response.get("failures", []):
            raise OpsError(
                f"ECS service {failure.get('arn')} not found ({failure.get('reason')})",
                f"run `pulumi up -s {outputs.stack}` so the stack's services exist",
            )
        for service in response["services"]:
            name = by_service_name[service["serviceName"]]
            task_definition = str(service.get("taskDefinition", ""))
            states[name] = ServiceState(
                name=name,
                task_definition=task_definition,
                image=images.image(task_definition, outputs.service(name).container_name)
                if task_definition
                else None,
                desired=int(service.get("desiredCount", 0)),
                running=int(service.get("runningCount", 0)),
                deployments=list(service.get("deployments", [])),
            )
    return states


def is_steady(state: ServiceState) -> bool:
    return (
        len(state.deployments) <= 1
        and state.running == state.desired
        and state.rollout_state in {"COMPLETED", "UNKNOWN"}
    )


def judge(state: ServiceState, expected_image: str | None) -> str | None:
    """Why the rollout of one service is not a success (None when it is)."""
    if expected_image is not None and state.image != expected_image:
        return (
            f"{state.name}: the deployment was rolled back by ECS (circuit breaker or alarm): "
            f"it runs {state.image} on {state.task_definition.rsplit('/', 1)[-1]}, "
            f"rollout {state.rollout_state}"
        )
    if len(state.deployments) > 1 or state.rollout_state == "IN_PROGRESS":
        count = len(state.deployments)
        return f"{state.name}: rollout still {state.rollout_state} ({count} deployments)"
    if state.running != state.desired:
        return f"{state.name}: {state.running} of {state.desired} tasks running"
    if state.rollout_state == "FAILED" and expected_image is None:
        return f"{state.name}: the last deployment FAILED"
    # A FAILED rollout that left the service on the expected image, complete, is the state
    # right after ECS rolled a bad deployment back to it: the expected version is serving.
    return None


def settled(state: ServiceState, expected_image: str | None) -> bool:
    """Nothing more will happen without a new deployment: one deployment, not in progress."""
    return (
        len(state.deployments) <= 1
        and state.rollout_state != "IN_PROGRESS"
        and (state.running == state.desired or state.image != expected_image)
    )


def _progress(state: ServiceState) -> str:
    return f"{state.name} {state.rollout_state} {state.running}/{state.desired} running"


def wait_for_rollout(
    aws: Aws, outputs: StackOutputs, expected: dict[str, str | None], *, timeout: float
) -> list[str]:
    """Wait up to `timeout` s for the services to settle; the problems (empty: success)."""
    names = list(expected)

    def probe() -> Poll[dict[str, ServiceState]]:
        states = describe(aws, outputs, names)
        done = all(settled(states[name], expected[name]) for name in names)
        return Poll(done, "; ".join(_progress(states[name]) for name in names), states)

    try:
        answer = wait_until(
            aws,
            f"the rollout of {', '.join(names)}",
            probe,
            timeout=timeout,
            delay=ROLLOUT_POLL_DELAY,
            next_step="",
        )
    except WaitTimedOut as exc:
        return [f"the services did not become stable within {clock_text(timeout)}: {exc.detail}"]
    states = answer.result or {}
    return [problem for name in names if (problem := judge(states[name], expected[name]))]
