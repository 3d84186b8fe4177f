"""Small three-valued checks that rules of several areas share.

Each predicate answers `True`, `False` or `UNKNOWN` (see `policies.values`): a value not known yet
stays undecided instead of passing or failing. `require` turns such an answer into the rule's
result: nothing when it holds, a failure when it does not, an "unknown" while it cannot tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.model import Violation, fail, unknown
from policies.values import UNKNOWN, Tri, as_number, unwrap


def require(answer: Tri, message: str, *, waivable: bool = True) -> list[Violation]:
    """A violation when `answer` is not True: fail if False, unknown if undecidable."""
    if answer is True:
        return []
    if answer is UNKNOWN:
        return [unknown(f"cannot check yet: {message}", waivable=waivable)]
    return [fail(message, waivable=waivable)]


def is_set(value: Any) -> Tri:
    """A non-empty value (string, list, map); unknown stays unknown."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value is not None and value not in ("", [], {})


def equals(value: Any, expected: Any) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value == expected


def not_equal(value: Any, bad: Any) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value != bad


def is_in(value: Any, allowed: Sequence[Any]) -> Tri:
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value in allowed


def negate(value: Tri) -> Tri:
    return UNKNOWN if value is UNKNOWN else not value


def number_at_least(value: Any, minimum: float) -> Tri:
    number = as_number(value)
    if number is UNKNOWN:
        return UNKNOWN
    return number is not None and number >= minimum


def not_aws_managed_key(value: Any) -> Tri:
    """A customer key: set, and not an `alias/aws/...` AWS-managed key."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return isinstance(value, str) and bool(value) and "alias/aws/" not in value
