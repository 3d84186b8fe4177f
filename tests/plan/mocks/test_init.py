"""The mocks' tables: every resource type and invoke answered by exactly one tier, or loudly not."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from plan.harness import Plan, to_jsonable
from plan.mocks import TIERS, AwsMocks, Lookups


def test_unknown_resource_types_fail_loudly() -> None:
    from pulumi.runtime.mocks import MockResourceArgs

    mocks = AwsMocks("us-east-1", Lookups())
    with pytest.raises(NotImplementedError, match="no outputs for aws:foo/bar:Bar"):
        mocks.new_resource(
            MockResourceArgs(
                typ="aws:foo/bar:Bar", name="x", inputs={}, provider="", resource_id=""
            )
        )


def test_no_recorded_input_is_the_string_none(stack_plan: Plan) -> None:
    """A missing mock output shows up as 'None' inside interpolated strings."""
    for resource in stack_plan.resources:
        assert "None" not in json.dumps(to_jsonable(resource.inputs)), resource.name


def test_every_type_and_invoke_is_answered_by_exactly_one_tier() -> None:
    builders = Counter(t for tier in TIERS for t in tier.builders)
    invokes = Counter(t for tier in TIERS for t in tier.invokes)
    assert [t for t, n in (builders + invokes).items() if n > 1] == []
