"""A service never released runs 0 tasks by design; once released, the floor of 2 applies."""

from __future__ import annotations

from policies import rules
from tests.policies.fixtures import chain, compliant_stack, mutate


def _messages(violations: list[object]) -> list[str]:
    return [getattr(v, "message", "") for v in violations]


def test_unreleased_service_at_zero_tasks_passes_task_count_and_floor() -> None:
    stack = chain(
        mutate("web", desiredCount=0, tags={"golive:released": "false"}),
        mutate("web-scaling", minCapacity=0),
    )(compliant_stack())
    assert rules.service_redundancy(stack) == []
    assert rules.autoscaling(stack) == []


def test_released_service_at_zero_tasks_fails() -> None:
    stack = chain(
        mutate("web", desiredCount=0, tags={"golive:released": "true"}),
        mutate("web-scaling", minCapacity=0),
    )(compliant_stack())
    assert any("runs 0 task(s)" in m for m in _messages(rules.service_redundancy(stack)))
    assert any("minCapacity is below 2" in m for m in _messages(rules.autoscaling(stack)))


def test_unreleased_service_still_needs_zero_downtime_settings() -> None:
    stack = mutate("web", tags={"golive:released": "false"}, deploymentMinimumHealthyPercent=50)(
        compliant_stack()
    )
    assert any(
        "deploymentMinimumHealthyPercent" in m for m in _messages(rules.service_redundancy(stack))
    )
