"""The ECS controls (`policies/controls/ecs.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import json

import pytest

from policies import aws
from policies.controls.ecs import autoscaling, service_redundancy, tasks_not_privileged
from policies.model import Outcome, Status
from policies.report import evaluate
from policies.rules import BY_ID
from stacks.config import PolicyConfig
from tests.policies.controls.cases import ALL, FAIL, PASS, UNK, Case, Mutation, check, params
from tests.policies.fixtures import (
    DELETE,
    ENGINE_UNKNOWN,
    UNKNOWN,
    chain,
    compliant_stack,
    container_definitions,
    drop,
    mutate,
    unknown_id,
)

CASES: list[Case] = [
    ("ECS.2", "public IP", mutate("web", networkConfiguration__assignPublicIp=True), FAIL),
    ("ECS.2", "public subnet", mutate("web", networkConfiguration__subnets=["subnet-pub-a"]), FAIL),
    ("ECS.2", "public subnet via inline route", chain(
        drop("route-public"),
        mutate("rt-public", routes=[{"cidrBlock": ALL, "gatewayId": "igw-1"}]),
        mutate("web", networkConfiguration__subnets=["subnet-pub-a"])), FAIL),
    ("ECS.2", "subnets unknown", mutate("web", networkConfiguration__subnets=UNKNOWN), UNK),
    ("ECS.2", "route's gateway unknown", chain(
        mutate("route-public", gatewayId=UNKNOWN),
        mutate("web", networkConfiguration__subnets=["subnet-pub-a"])), UNK),
    ("ECS.4", "privileged", mutate("web-task",
                                   containerDefinitions=container_definitions(privileged=True)), FAIL),
    ("ECS.4", "definitions unknown", mutate("web-task", containerDefinitions=ENGINE_UNKNOWN), UNK),
    ("ECS.5", "writable root", mutate("web-task", containerDefinitions=container_definitions(
        readonlyRootFilesystem=False)), FAIL),
    ("ECS.5", "flag left out", mutate("web-task", containerDefinitions=container_definitions(
        readonlyRootFilesystem=None)), FAIL),
    ("ECS.5", "definitions unknown", mutate("web-task", containerDefinitions=UNKNOWN), UNK),
    ("ECS.8", "password in environment", mutate("web-task", containerDefinitions=(
        container_definitions(environment=[{"name": "DB_PASSWORD", "value": "x"}]))), FAIL),
    ("ECS.8", "API key in environment", mutate("web-task", containerDefinitions=(
        container_definitions(environment=[{"name": "stripe_api_KEY", "value": "x"}]))), FAIL),
    ("ECS.8", "definitions unknown", mutate("web-task", containerDefinitions=ENGINE_UNKNOWN), UNK),
    ("ECS.9", "json-file driver", mutate("web-task", containerDefinitions=container_definitions(
        logConfiguration={"logDriver": "json-file"})), FAIL),
    ("ECS.9", "no log configuration", mutate("web-task", containerDefinitions=(
        container_definitions(logConfiguration=None))), FAIL),
    ("ECS.9", "log group not in the stack", mutate("web-task", containerDefinitions=(
        container_definitions(logConfiguration={"logDriver": "awslogs",
                                                "options": {"awslogs-group": "/other"}}))), FAIL),
    ("ECS.9", "definitions unknown", mutate("web-task", containerDefinitions=UNKNOWN), UNK),
    ("ECS.9", "log group not created yet", chain(
        unknown_id("web-logs"), mutate("web-logs", name=DELETE)), UNK),
    ("ECS.10", "pinned platform", mutate("web", platformVersion="1.3.0"), FAIL),
    ("ECS.10", "platform unknown", mutate("web", platformVersion=ENGINE_UNKNOWN), UNK),
    ("ECS.12", "no insights", mutate("cluster", settings=[]), FAIL),
    ("ECS.12", "insights disabled", mutate("cluster", settings=[
        {"name": "containerInsights", "value": "disabled"}]), FAIL),
    ("ECS.12", "settings unknown", mutate("cluster", settings=UNKNOWN), UNK),
    ("ECS.1", "bridge networking", mutate("web-task", networkMode="bridge"), FAIL),
    ("ECS.1", "host PID", mutate("web-task", pidMode="host"), FAIL),
    ("ECS.1", "one role for both", mutate("web-task",
                                          taskRoleArn="arn:aws:iam::123456789012:role/web-exec"), FAIL),
    ("ECS.1", "roles not created yet", mutate("web-task", executionRoleArn=UNKNOWN,
                                              taskRoleArn=UNKNOWN), UNK),
    ("REL08.BREAKER", "no rollback", mutate("web", deploymentCircuitBreaker__rollback=False), FAIL),
    ("REL08.BREAKER", "no breaker", mutate("web", deploymentCircuitBreaker=DELETE), FAIL),
    ("REL08.BREAKER", "flag unknown", mutate("web", deploymentCircuitBreaker__enable=UNKNOWN), UNK),
    ("REL08.ALARMS", "alarm not in the stack", mutate("web", alarms__alarmNames=["other"]), FAIL),
    ("REL08.ALARMS", "no rollback", mutate("web", alarms__rollback=False), FAIL),
    ("REL08.ALARMS", "no alarms block", mutate("web", alarms=DELETE), FAIL),
    ("REL08.ALARMS", "names unknown", mutate("web", alarms__alarmNames=UNKNOWN), UNK),
    ("REL08.ALARMS", "alarm auto-named, not created yet", chain(
        mutate("web-5xx", name=DELETE), unknown_id("web-5xx")), UNK),
    ("REL10.TASKS", "min capacity 1", mutate("web-scaling", minCapacity=1), FAIL),
    ("REL10.TASKS", "one task, no autoscaling", chain(drop("web-scaling"),
                                                      mutate("web", desiredCount=1)), FAIL),
    ("REL10.TASKS", "capacity drops on deploy", mutate("web", deploymentMinimumHealthyPercent=50),
     FAIL),
    ("REL10.TASKS", "no grace period", mutate("web", healthCheckGracePeriodSeconds=DELETE), FAIL),
    ("REL10.TASKS", "min capacity unknown", mutate("web-scaling", minCapacity=UNKNOWN), UNK),
    ("REL07", "no autoscaling", drop("web-scaling", "web-cpu"), FAIL),
    ("REL07", "no policy", drop("web-cpu"), FAIL),
    ("REL07", "target 90 %", mutate("web-cpu",
        targetTrackingScalingPolicyConfiguration__targetValue=90), FAIL),
    ("REL07", "scales on memory", mutate("web-cpu",
        targetTrackingScalingPolicyConfiguration__predefinedMetricSpecification__predefinedMetricType=(
            "ECSServiceAverageMemoryUtilization")), FAIL),
    ("REL07", "min capacity 1", mutate("web-scaling", minCapacity=1), FAIL),
    ("REL07", "target's resource unknown", mutate("web-scaling", resourceId=UNKNOWN), UNK),
    ("REL07", "policy's resource unknown", mutate("web-cpu", resourceId=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("ECS.1", "no task role at all", mutate("web-task", taskRoleArn=DELETE), PASS),
    ("ECS.10", "platform left unset", mutate("web", platformVersion=DELETE), PASS),
    ("REL10.TASKS", "workers are not web services", chain(drop("web-scaling", "web-cpu"),
        mutate("web", loadBalancers=DELETE, desiredCount=1)), PASS),
    ("REL10.TASKS", "defaults are zero-downtime", mutate("web",
        deploymentMinimumHealthyPercent=DELETE, deploymentMaximumPercent=DELETE), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)


# ----------------------------------------------------------------------------- direct calls


def test_json_string_holding_a_sentinel_is_unknown() -> None:
    """`Output.json_dumps` over an unknown value: the JSON text itself embeds the sentinel."""
    definitions = json.dumps([{"name": "web", "image": ENGINE_UNKNOWN}])
    [violation] = tasks_not_privileged(
        aws.TASK_DEFINITION, {"containerDefinitions": definitions}, {}
    )
    assert violation.outcome is Outcome.UNKNOWN


# ----------------------------------------------------------------------------- unreleased services
# A service never released runs 0 tasks by design; its count is judged on what it keeps once
# released (the `golive:minTasks` tag), so a one-task prod fails before its first release too.


def _messages(violations: list[object]) -> list[str]:
    return [getattr(v, "message", "") for v in violations]


def _unreleased(min_tasks: str | None) -> Mutation:
    tags = {"golive:released": "false"}
    if min_tasks is not None:
        tags["golive:minTasks"] = min_tasks
    return chain(mutate("web", desiredCount=0, tags=tags), mutate("web-scaling", minCapacity=0))


def test_unreleased_service_at_zero_tasks_passes_when_it_keeps_two_once_released() -> None:
    stack = _unreleased("2")(compliant_stack())
    assert service_redundancy(stack) == []
    assert autoscaling(stack) == []


def test_unreleased_one_task_service_fails_before_its_first_release() -> None:
    stack = _unreleased("1")(compliant_stack())
    assert any("runs 1 task(s) once released" in m for m in _messages(service_redundancy(stack)))
    assert any("minCapacity is below 2 once released" in m for m in _messages(autoscaling(stack)))


def test_unreleased_service_without_its_count_is_undecided() -> None:
    [violation] = service_redundancy(_unreleased(None)(compliant_stack()))
    assert violation.outcome is Outcome.UNKNOWN


def test_released_service_at_zero_tasks_fails() -> None:
    stack = chain(
        mutate("web", desiredCount=0, tags={"golive:released": "true"}),
        mutate("web-scaling", minCapacity=0),
    )(compliant_stack())
    assert any("runs 0 task(s)" in m for m in _messages(service_redundancy(stack)))
    assert any("minCapacity is below 2" in m for m in _messages(autoscaling(stack)))


def test_unreleased_service_still_needs_zero_downtime_settings() -> None:
    stack = mutate("web", tags={"golive:released": "false"}, deploymentMinimumHealthyPercent=50)(
        compliant_stack()
    )
    assert any("deploymentMinimumHealthyPercent" in m for m in _messages(service_redundancy(stack)))


# ----------------------------------------------------------------------------- rollback alarms
# Workers roll back on their own alarm; an exception may cover a worker, never a web service.


def _worker_without_alarms() -> Mutation:
    return mutate("web", loadBalancers=[], alarms=DELETE)


def _rel08(stack_mutation: Mutation, *, excepted: bool) -> Status:
    policy = PolicyConfig(exceptions={"REL08.ALARMS": "a worker that may not roll back"})
    report = evaluate(
        stack_mutation(compliant_stack()),
        policy if excepted else None,
        controls=[BY_ID["REL08.ALARMS"]],
    )
    return report.results[0].status


def test_a_worker_with_its_own_rollback_alarm_passes() -> None:
    worker = mutate("web", loadBalancers=[])
    assert _rel08(worker, excepted=False) is PASS


def test_an_exception_covers_a_worker_without_rollback_alarms() -> None:
    assert _rel08(_worker_without_alarms(), excepted=False) is FAIL
    assert _rel08(_worker_without_alarms(), excepted=True) is Status.EXCEPTION


def test_an_exception_never_covers_a_web_service_without_rollback_alarms() -> None:
    assert _rel08(mutate("web", alarms=DELETE), excepted=True) is FAIL
