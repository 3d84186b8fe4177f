"""The vocabulary shared by rules, the report and the policy pack.

- `Resource`: one resource as rules see it, whatever it came from (the mock harness's
  `RecordedResource`, a `pulumi stack export`, or the policy engine's arguments).
- `Violation`: one thing a rule found, either a failure or a value it could not check yet.
- `Control`: one control with its metadata and rule function; `Controls`, the registry each
  area module of `policies.controls` declares its rules into.
- `Status`: what the controls report says about a control.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NotRequired, Protocol, TypedDict, TypeVar, Unpack

from policies.values import UNKNOWN, get, normalize, unwrap

Declared = TypeVar("Declared")
"""What a stack declares for an exception: a reason, or one with where it is written."""


class Status(StrEnum):
    """A control's state in the controls report."""

    PASS = "pass"
    FAIL = "fail"
    EXCEPTION = "exception"
    """Failed only where the stack file declares an allowed exception (shown with its reason)."""
    UNKNOWN = "unknown"
    """Depends on values not known yet (a preview before the resources exist)."""
    NOT_APPLICABLE = "n/a"
    """The stack has none of the resources the control is about."""


class Outcome(StrEnum):
    """What a single violation is: a definite failure, or a check that cannot be decided yet."""

    FAIL = "fail"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Violation:
    """One finding of a rule. A rule that returns no violations passed.

    `waivable=False` marks the parts of a control an exception must not cover (RDS.8's final
    snapshot stays required when staging declares deletion protection off).
    """

    message: str
    outcome: Outcome = Outcome.FAIL
    urn: str | None = None
    waivable: bool = True


def fail(message: str, *, urn: str | None = None, waivable: bool = True) -> Violation:
    return Violation(message, Outcome.FAIL, urn, waivable)


UNKNOWN_PREFIX = "cannot check yet: "


def unknown(message: str, *, urn: str | None = None, waivable: bool = True) -> Violation:
    """An undecidable check; the message says what would fail, prefixed so no one reads it as
    a finding."""
    if not message.startswith(UNKNOWN_PREFIX) and "not known" not in message:
        message = UNKNOWN_PREFIX + message
    return Violation(message, Outcome.UNKNOWN, urn, waivable)


def result_of(violations: Iterable[Violation]) -> Status:
    """The tri-state result of one rule application: pass, fail, or unknown.

    Any definite failure fails; otherwise any undecidable check makes it unknown (never pass).
    """
    found = list(violations)
    if any(v.outcome is Outcome.FAIL for v in found):
        return Status.FAIL
    if found:
        return Status.UNKNOWN
    return Status.PASS


class ResourceLike(Protocol):
    """What `Resource.of` accepts: `plan.harness.RecordedResource` has all of these."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def options(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Resource:
    """A resource as rules read it: camelCase inputs, options, and (when known) id and outputs.

    `id` is None for a resource that does not exist yet (preview) or is a component; `outputs`
    hold computed values (`arn`, auto-generated `name`) used to match references between
    resources. Values are normalized (see `policies.values`): unknowns are `UNKNOWN`.
    """

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict[str, Any])
    id: Any = None
    outputs: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @classmethod
    def of(cls, resource: ResourceLike | Resource) -> Resource:
        """Normalize anything shaped like a recorded resource (id and outputs are optional)."""
        if isinstance(resource, Resource):
            return resource
        return cls(
            type=resource.type,
            name=resource.name,
            urn=resource.urn,
            inputs=normalize(dict(resource.inputs)),
            options=normalize(dict(resource.options)),
            id=normalize(getattr(resource, "id", None)),
            outputs=normalize(dict(getattr(resource, "outputs", None) or {})),
        )

    def get(self, path: str, default: Any = None) -> Any:
        """An input by dotted path (see `policies.values.get`)."""
        return get(self.inputs, path, default)

    def identifiers(self, *keys: str) -> tuple[set[str], bool]:
        """Known values other resources may use to refer to this one, and whether any is unknown.

        `keys` name outputs/inputs to consider besides the id (e.g. "arn", "name", "bucket").
        In a preview, a resource being created has no id or ARN yet: the second item is True.
        """
        known: set[str] = set()
        missing = False
        candidates: list[Any] = [self.id]
        for key in keys:
            candidates.append(get(self.outputs, key))
            candidates.append(get(self.inputs, key))
        for candidate in candidates:
            value = unwrap(candidate)
            if value is UNKNOWN:
                missing = True
            elif isinstance(value, str) and value:
                known.add(value)
        if self.id is None or unwrap(self.id) is UNKNOWN:
            missing = True
        return known, missing


Props = Mapping[str, Any]
"""A resource's camelCase inputs, as resource rules read them."""
Options = Mapping[str, Any]
"""A resource's options (`protect`, `retainOnDelete`, ...), camelCase."""

ResourceRule = Callable[[str, Props, Options], list[Violation]]
"""`(resource_type, props, options) -> violations`: checks one resource in isolation."""

StackRule = Callable[[Sequence[Resource]], list[Violation]]
"""`(resources) -> violations`: checks relations between resources (each violation has a urn)."""


@dataclass(frozen=True)
class Control:
    """One control, with the rule that checks it (declared together through `Controls`).

    Exactly one of `resource_rule` / `stack_rule` is set. `applies_to` lists the type tokens the
    control is about, and `applies_when` (if set) narrows them to the resources it concerns (a
    distribution whose default behavior serves an S3 bucket): a stack with none of them reports
    the control as not applicable.
    `exception_allowed` says whether a stack file may declare an exception (only where a stack
    may reasonably differ, e.g. a single-AZ staging database); `exception_never_covers` names
    the parts of the control such an exception leaves required (the rule reports them as
    non-waivable violations).
    """

    id: str
    title: str
    severity: Severity
    source: str
    description: str
    """What the rule checks, in one line."""
    why: str
    """Why the control matters: what goes wrong without it."""
    applies_to: tuple[str, ...]
    exception_allowed: bool
    resource_rule: ResourceRule | None = None
    stack_rule: StackRule | None = None
    covers: tuple[str, ...] = ()
    """Other checklist IDs the same rule satisfies (e.g. SecretsManager.4 with .1)."""
    exception_never_covers: str = ""
    applies_when: Callable[[Resource], bool] | None = None
    """Whether a resource of `applies_to` is one the control is about; True while that is not
    known yet (a value unknown in a preview), so nothing undecided is skipped."""

    def __post_init__(self) -> None:
        if (self.resource_rule is None) == (self.stack_rule is None):
            raise ValueError(f"control {self.id}: set exactly one of resource_rule / stack_rule")
        if not self.applies_to:
            raise ValueError(f"control {self.id}: applies_to is empty")
        if self.exception_never_covers and not self.exception_allowed:
            raise ValueError(f"control {self.id}: allows no exception, so nothing is left out")

    def declared_exception(self, exceptions: Mapping[str, Declared]) -> Declared | None:
        """What a stack declares for this control (by its ID or an ID it covers) in
        `exceptions` (an ID -> reason map, or `PolicyConfig.declared_exceptions()`), if the
        control allows an exception at all."""
        if not self.exception_allowed:
            return None
        for control_id in (self.id, *self.covers):
            if control_id in exceptions:
                return exceptions[control_id]
        return None

    def concerns(self, resource: Resource) -> bool:
        """Whether `resource` is one this control is about (`applies_to`, `applies_when`)."""
        if resource.type not in self.applies_to:
            return False
        return self.applies_when is None or self.applies_when(resource)

    def check(self, resources: Sequence[Resource]) -> list[Violation] | None:
        """Violations over a whole stack, or None when no resource is of an applicable type."""
        relevant = [r for r in resources if self.concerns(r)]
        if not relevant:
            return None
        if self.stack_rule is not None:
            return self.stack_rule(resources)
        assert self.resource_rule is not None
        found: list[Violation] = []
        for resource in relevant:
            for violation in self.resource_rule(resource.type, resource.inputs, resource.options):
                found.append(
                    Violation(
                        f"{resource.name}: {violation.message}",
                        violation.outcome,
                        violation.urn or resource.urn,
                        violation.waivable,
                    )
                )
        return found


class About(TypedDict):
    """A control's metadata, as a rule declares it (see `Controls`)."""

    id: str
    title: str
    severity: Severity
    source: str
    description: str
    why: str
    applies_to: tuple[str, ...]
    exception_allowed: bool
    covers: NotRequired[tuple[str, ...]]
    exception_never_covers: NotRequired[str]
    applies_when: NotRequired[Callable[[Resource], bool]]


ResourceRuleT = TypeVar("ResourceRuleT", bound=ResourceRule)
StackRuleT = TypeVar("StackRuleT", bound=StackRule)


class Controls:
    """The controls of one area (an AWS service), in the order its module declares them.

    Each rule is declared with its metadata, the way AWSGuard declares its policies, so a reader
    finds a control's ID, reason and rule on one screen:

        controls = Controls("RDS")

        @controls.resource_rule(id="RDS.5", title="Multi-AZ", ..., why="...")
        def rds_multi_az(resource_type: str, props: Props, options: Options) -> list[Violation]:
            ...

    The decorators return the rule unchanged, so tests call rules directly.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        """The area's name in docs/controls.md."""
        self._controls: list[Control] = []

    def __iter__(self) -> Iterator[Control]:
        return iter(self._controls)

    def resource_rule(self, **about: Unpack[About]) -> Callable[[ResourceRuleT], ResourceRuleT]:
        """Declare a rule that checks one resource at a time."""

        def register(rule: ResourceRuleT) -> ResourceRuleT:
            self._controls.append(Control(**about, resource_rule=rule))
            return rule

        return register

    def stack_rule(self, **about: Unpack[About]) -> Callable[[StackRuleT], StackRuleT]:
        """Declare a rule that checks relations between the stack's resources."""

        def register(rule: StackRuleT) -> StackRuleT:
            self._controls.append(Control(**about, stack_rule=rule))
            return rule

        return register
