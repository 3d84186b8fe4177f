"""The tri-state plumbing: every spelling of "not known yet" reads as UNKNOWN, never as a value."""

from __future__ import annotations

import json

import pulumi.output
import pytest

from plan.harness import SecretValue
from policies.model import Outcome, Status, Violation, fail, result_of, unknown
from policies.values import (
    ENGINE_UNKNOWNS,
    SECRET_SIG,
    SECRET_SIG_KEY,
    UNKNOWN,
    all3,
    any3,
    as_list,
    as_number,
    contains_unknown,
    equals3,
    get,
    is_true,
    normalize,
    parse_json,
    truthy,
    unwrap,
)


@pytest.mark.parametrize(
    "value",
    [
        pulumi.output.Unknown(),
        *sorted(ENGINE_UNKNOWNS),
        {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "AAAA"},  # an encrypted secret in an export
        SecretValue(pulumi.output.Unknown()),
    ],
)
def test_every_unknown_spelling_is_unknown(value: object) -> None:
    assert unwrap(value) is UNKNOWN


def test_harness_unknown_marker_is_unknown() -> None:
    """The harness marks preview unknowns with its own `Unknown` (not pulumi.output.Unknown)."""
    from plan import harness

    assert unwrap(harness.UNKNOWN) is UNKNOWN
    assert normalize({"vpcId": harness.UNKNOWN}) == {"vpcId": UNKNOWN}


def test_secrets_unwrap_to_their_value() -> None:
    assert unwrap(SecretValue("s3cret")) == "s3cret"
    assert unwrap({SECRET_SIG_KEY: SECRET_SIG, "value": "wire"}) == "wire"
    plaintext = {SECRET_SIG_KEY: SECRET_SIG, "plaintext": json.dumps({"a": 1})}
    assert unwrap(plaintext) == {"a": 1}
    assert normalize({"x": [SecretValue(1.0)]}) == {"x": [1.0]}


def test_unknown_has_no_truth_value() -> None:
    """Truth-testing UNKNOWN raises: a rule can never silently pass or fail on one."""
    with pytest.raises(TypeError, match="no truth value"):
        bool(UNKNOWN)


def test_get_walks_paths_and_stops_at_unknowns() -> None:
    props = {"healthCheck": {"path": "/healthz"}, "origins": [{"id": "a"}, {"id": "b"}]}
    assert get(props, "healthCheck.path") == "/healthz"
    assert get(props, "origins.1.id") == "b"
    assert get(props, "origins.5.id", "none") == "none"
    assert get(props, "missing.deeper", 7) == 7
    assert get({"healthCheck": pulumi.output.Unknown()}, "healthCheck.path") is UNKNOWN
    assert get({"block": [{"flag": True}]}, "block.flag") is True  # one-element block lists
    assert get({"x": None}, "x", "default") == "default"


def test_get_rejects_a_resource() -> None:
    from tests.policies.fixtures import res

    with pytest.raises(TypeError, match=r"resource\.get"):
        get(res("aws:ec2/vpc:Vpc", "vpc"), "cidrBlock")


def test_three_valued_logic() -> None:
    assert all3([True, True]) is True
    assert all3([True, UNKNOWN]) is UNKNOWN
    assert all3([UNKNOWN, False]) is False
    assert any3([False, UNKNOWN]) is UNKNOWN
    assert any3([UNKNOWN, True]) is True
    assert any3([]) is False
    assert all3([]) is True
    assert equals3("a", "a") is True
    assert equals3(UNKNOWN, "a") is UNKNOWN


def test_scalar_readers() -> None:
    assert truthy(pulumi.output.Unknown()) is UNKNOWN
    assert truthy("") is False
    assert is_true(1) is False  # flags must be exactly true
    assert is_true(True) is True
    assert as_number(7) == 7.0
    assert as_number("30") == 30.0
    assert as_number(True) is None
    assert as_number(sorted(ENGINE_UNKNOWNS)[0]) is UNKNOWN
    assert as_list(None) == []
    assert as_list("a") == ["a"]
    assert as_list(pulumi.output.Unknown()) is UNKNOWN


def test_parse_json() -> None:
    assert parse_json(None) is None
    assert parse_json('{"a": [1]}') == {"a": [1]}
    assert parse_json(pulumi.output.Unknown()) is UNKNOWN
    sentinel = sorted(ENGINE_UNKNOWNS)[0]
    assert parse_json(json.dumps({"Resource": sentinel})) is UNKNOWN
    with pytest.raises(ValueError):
        parse_json("{not json")


def test_contains_unknown() -> None:
    assert contains_unknown({"a": [1, {"b": pulumi.output.Unknown()}]})
    assert not contains_unknown({"a": [1, {"b": "c"}]})


def test_result_of_is_tri_state() -> None:
    assert result_of([]) is Status.PASS
    assert result_of([unknown("x")]) is Status.UNKNOWN
    assert result_of([unknown("x"), fail("y")]) is Status.FAIL


def test_unknown_messages_say_so() -> None:
    assert unknown("no flow log").message == "cannot check yet: no flow log"
    assert unknown("kmsKeyId not known yet").message == "kmsKeyId not known yet"
    assert Violation("m").outcome is Outcome.FAIL
