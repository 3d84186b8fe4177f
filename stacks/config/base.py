"""What every tier of the config model shares: the errors, the base model and common validators.

A setting a component also takes reads its default from the component's Args (`default_of`): the
component documents its secure default once, and the stack file's reference shows that value.

A model's `problems()` returns the rules across its own keys as (key path relative to the model,
message) pairs; the base model's one validator raises them with the keys' other errors, so a
stack file lists every problem at once. Rules that span tiers are each tier module's
`problems(cfg)`, which `stacks.config.stack.CROSS_RULES` runs together, beside any invalid key.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Self, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from aws_facts.limits import LOG_RETENTION_DAYS

NAMESPACE = "golive"
"""The stack file's namespace of golive keys (`golive:network`, ...)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stack file: where, and what to do about it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The stack file is invalid. `problems` lists every issue found, in file order."""

    def __init__(self, problems: Iterable[Problem], stack: str = "", source: str = "") -> None:
        self.problems = list(problems)
        self.stack = stack
        where = source or (f"Pulumi.{stack}.yaml" if stack else "the stack file")
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in {where}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ProblemList(ValueError):
    """Raised by validators to report several problems relative to the object they validate."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.items = problems
        super().__init__("; ".join(f"{k}: {m}" if k else m for k, m in problems))


def did_you_mean(word: str, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


class Model(BaseModel):
    """Frozen, camelCase-aliased, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_enum_values=False,
        use_attribute_docstrings=True,
    )

    def problems(self) -> list[tuple[str, str]]:
        """Rules across this object's keys: (key path relative to it, message) pairs."""
        return []

    @model_validator(mode="after")
    def _no_problems(self) -> Self:
        raise_problems(self.problems())
        return self


def raise_problems(problems: list[tuple[str, str]]) -> None:
    """Report `problems` (relative to the object being validated) as one validation error."""
    if problems:
        raise ProblemList(problems)


def default_of(args: type[Any], name: str) -> Any:
    """The default the component dataclass `args` documents for its field `name` (what its
    default_factory makes, for a mutable one). Config models take their defaults from here, so a
    default is written once, where the component that applies it lives."""
    found = next(f for f in dataclasses.fields(args) if f.name == name)
    if found.default_factory is not dataclasses.MISSING:
        return found.default_factory()
    if found.default is dataclasses.MISSING:
        raise TypeError(f"{args.__name__}.{name} has no default")
    return found.default


# ----------------------------------------------------------------------------- shared validators

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_log_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        near = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - days))
        raise ValueError(
            f"{days} is not a CloudWatch Logs retention; use one of {list(LOG_RETENTION_DAYS)} "
            f"(nearest: {near})"
        )
    return days


LogRetentionDays = Annotated[int, AfterValidator(check_log_retention)]


def check_hostname(name: str) -> str:
    lowered = name.lower().rstrip(".")
    if lowered != name.rstrip("."):
        raise ValueError(f"{name!r} must be lowercase (DNS names are case-insensitive)")
    if len(lowered) > 253:
        raise ValueError(f"{name!r} is {len(lowered)} characters; DNS names allow 253")
    labels = lowered.split(".")
    if len(labels) < 2 or not all(_DNS_LABEL.match(label) for label in labels):
        raise ValueError(
            f"{name!r} is not a DNS name: dot-separated labels of 1-63 letters, digits or "
            "hyphens, not starting or ending with a hyphen (e.g. app.example.com)"
        )
    return lowered


Hostname = Annotated[str, AfterValidator(check_hostname)]


def check_unique(items: list[Any]) -> list[Any]:
    repeated = sorted({str(i) for i in items if items.count(i) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} twice; give each once")
    return items


def nested_models(annotation: Any) -> list[type[BaseModel]]:
    """The config models a field's type holds (through Annotated, unions, lists and maps): what
    the configuration reference and the defaults' guard walk."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return nested_models(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, dict):
        return [m for a in get_args(annotation) for m in nested_models(a)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []
