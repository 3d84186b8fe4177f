"""Reading resource properties when some values may not be known yet.

A rule sees properties from three places, and each spells "not known yet" differently:

- the mock harness (`plan.harness`) in preview mode: `Unknown` instances (the harness's own
  marker, or `pulumi.output.Unknown`);
- the Pulumi engine inside a policy pack: sentinel strings (`UNKNOWN_*` below), one per type;
- a `pulumi stack export`: encrypted secrets (`{"<sig>": "<secret sig>", "ciphertext": ...}`).

Every accessor here turns all of them into the one `UNKNOWN` sentinel and unwraps secret markers
(`plan.harness.SecretValue`, `pulumi_policy.Secret`, the wire form), so rules never compare a
sentinel string with a real value and never mistake "not known yet" for "absent". Logic over
"maybe" values uses `Tri` (`True`, `False` or `UNKNOWN`) with `all3` / `any3`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, Final, Literal, TypeAlias, cast

import pulumi.output


class _Unknown(Enum):
    """The one value that stands for "computed later" (an enum member, so type checkers narrow
    `value is UNKNOWN`)."""

    UNKNOWN = "unknown"

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        # Truth-testing an unknown is always a bug in a rule: it would silently pass or fail.
        raise TypeError("an unknown value has no truth value; test it with is_unknown() first")


UNKNOWN: Final = _Unknown.UNKNOWN
Tri: TypeAlias = bool | Literal[_Unknown.UNKNOWN]
"""A three-valued answer: True, False, or UNKNOWN (not decidable until the value exists)."""

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

# The engine's wire sentinels for unknown values of each type (pulumi_policy/proxy.py). Copied,
# not imported: `golive plan` runs the rules without the pulumi-policy package installed.
ENGINE_UNKNOWNS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (also pulumi.runtime.rpc.UNKNOWN)
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)

_UNKNOWN_CLASSES = frozenset({"Unknown"})
"""Class names of unknown markers: `pulumi.output.Unknown` and `plan.harness.Unknown`."""

_SECRET_WRAPPERS = frozenset({"SecretValue", "Secret"})
"""Class names of secret wrappers (`plan.harness.SecretValue`, `pulumi_policy.Secret`).

Matched by name so this module imports neither the mock harness nor pulumi-policy.
"""


def is_unknown(value: Any) -> bool:
    """Whether `value` (after unwrapping secrets) is a not-yet-known value of any source."""
    value = unwrap(value)
    return value is UNKNOWN


def unwrap(value: Any) -> Any:
    """One level of normalization: secrets to their value, every unknown spelling to UNKNOWN."""
    while True:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(value, pulumi.output.Unknown) or type(value).__name__ in _UNKNOWN_CLASSES:
            return UNKNOWN
        if isinstance(value, str):
            return UNKNOWN if value in ENGINE_UNKNOWNS else value
        if type(value).__name__ in _SECRET_WRAPPERS and hasattr(value, "value"):
            value = value.value
            continue
        if isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG:  # pyright: ignore[reportUnknownMemberType]
            secret = cast(Mapping[str, Any], value)
            if "value" in secret:  # the engine's wire form
                value = secret["value"]
            elif isinstance(secret.get("plaintext"), str):  # `stack export --show-secrets`
                value = json.loads(secret["plaintext"])
            else:  # `stack export` keeps secrets encrypted: present, but not readable here
                return UNKNOWN
            continue
        return value


def normalize(value: Any) -> Any:
    """A deep, plain copy of `value`: dicts, lists and scalars, with UNKNOWN for unknowns."""
    value = unwrap(value)
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return value


def contains_unknown(value: Any) -> bool:
    """Whether `value` or anything nested in it is unknown."""
    value = unwrap(value)
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)  # pyright: ignore[reportUnknownVariableType]
    return False


def get(props: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path (`healthCheck.path`, `origins.0.domainName`).

    Returns UNKNOWN when the value or any container on the way is unknown, `default` when a key
    is absent or a value on the way is null. A list in a single-element block (Terraform's
    `MaxItems: 1` objects arrive as one-element lists from some sources) is entered transparently.
    """
    current = unwrap(props)
    if hasattr(current, "inputs") and not isinstance(current, Mapping):
        # A Resource, not its props: reading it would silently find nothing.
        raise TypeError(f"get() takes props; use resource.get({path!r})")
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, list | tuple) and not part.isdigit():
            if len(current) != 1:  # pyright: ignore[reportUnknownArgumentType]
                return default
            current = unwrap(current[0])
            if current is UNKNOWN:
                return UNKNOWN
        if isinstance(current, Mapping):
            if part not in current:
                return default
            current = unwrap(current[part])
        elif isinstance(current, list | tuple) and part.isdigit():
            index = int(part)
            if index >= len(current):  # pyright: ignore[reportUnknownArgumentType]
                return default
            current = unwrap(current[index])
        else:
            return default
        if current is None:
            return default
    return current


def as_list(value: Any) -> list[Any] | Literal[_Unknown.UNKNOWN]:
    """A list property as a list of unwrapped items (absent: empty; unknown: UNKNOWN)."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [unwrap(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return [value]


def truthy(value: Any) -> Tri:
    """Python truthiness, except that unknown stays unknown."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return bool(value)


def is_true(value: Any) -> Tri:
    """Exactly `True` (a flag AWS defaults to false must be set explicitly)."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    return value is True


def as_number(value: Any) -> float | Literal[_Unknown.UNKNOWN] | None:
    """A number (mocks send floats, exports ints, config strings); None when absent or not one."""
    value = unwrap(value)
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_json(value: Any) -> Any:
    """A JSON-string property (`containerDefinitions`, IAM `policy`) parsed; UNKNOWN if unknown.

    Returns None when absent. A value that is already a dict/list (some sources decode it) is
    returned normalized. Invalid JSON raises ValueError: the provider would reject it too.
    """
    value = unwrap(value)
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, str):
        if any(sentinel in value for sentinel in ENGINE_UNKNOWNS):
            return UNKNOWN
        return normalize(json.loads(value))
    return normalize(value)


def all3(values: Iterable[Tri]) -> Tri:
    """Three-valued AND: False if any is False, else UNKNOWN if any is unknown, else True."""
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def any3(values: Iterable[Tri]) -> Tri:
    """Three-valued OR: True if any is True, else UNKNOWN if any is unknown, else False."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def equals3(left: Any, right: Any) -> Tri:
    """Equality that is unknown when either side is."""
    left, right = unwrap(left), unwrap(right)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return left == right
