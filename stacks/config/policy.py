"""The policy tier of the config model: how the controls apply, and the declared exceptions.

A stack declares exceptions in two ways, both in its stack file: `profiles`, named sets written
once beside the controls (`policies/profiles.py`, listed in docs/controls.md), and
`exceptions`, its own. `declared_exceptions()` is what the controls report and the policy pack
honor: the profiles' exceptions, less those the stack keeps `required`, plus its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from policies.profiles import PROFILES, exceptions_of
from stacks.config.base import Model, check_unique, did_you_mean, raise_problems


@dataclass(frozen=True)
class DeclaredException:
    """One exception a stack declares: why, and where it is written."""

    reason: str
    profile: str | None = None
    """The profile it comes from; None when the stack file declares it itself."""

    @property
    def source(self) -> str:
        return f"profile {self.profile}" if self.profile else "stack file"


def check_exceptions(exceptions: dict[str, str]) -> dict[str, str]:
    """Declared exceptions must name real controls that allow one, each with a reason."""
    from policies.rules import BY_ID, CONTROLS, control  # lazy: policies is the larger import

    problems: list[tuple[str, str]] = []
    for control_id, reason in exceptions.items():
        try:
            exception_allowed = control(control_id).exception_allowed
        except KeyError:
            known = [*BY_ID, *(c for entry in CONTROLS for c in entry.covers)]
            problems.append(
                (control_id, f"is not a golive control{did_you_mean(control_id, known)}")
            )
            exception_allowed = True  # nothing more to say about an unknown control
        if not exception_allowed:
            problems.append(
                (control_id, "allows no exception (docs/controls.md: required in every stack)")
            )
        if not reason.strip():
            problems.append((control_id, "give a reason: who accepted it, and why"))
    raise_problems(problems)
    return exceptions


def check_profile(name: str) -> str:
    if name not in PROFILES:
        raise ValueError(
            f"'{name}' is not an exception profile{did_you_mean(name, PROFILES)}; profiles: "
            f"{', '.join(PROFILES)} (docs/controls.md)"
        )
    return name


class PolicyConfig(Model):
    """How the security and reliability controls apply to this stack (policy pack and
    `golive plan --controls`). Exceptions are the only way a stack may fall short of a control."""

    enforcement: Literal["mandatory", "advisory"] = "mandatory"
    """`mandatory`: a failed control blocks `pulumi preview`/`up`; `advisory`: report only."""
    profiles: Annotated[
        list[Annotated[str, AfterValidator(check_profile)]], AfterValidator(check_unique)
    ] = Field(
        default_factory=list[str],
        description=(
            "Named sets of exceptions with their reasons, taken in one line (docs/controls.md, "
            "Exception profiles): "
            + "; ".join(f"`{p.name}`, {p.summary}" for p in PROFILES.values())
            + ". The controls report and `golive plan --against` list each exception with its "
            "reason and profile."
        ),
    )
    exceptions: Annotated[dict[str, str], AfterValidator(check_exceptions)] = Field(
        default_factory=dict[str, str]
    )
    """Control ID -> reason, for controls this stack deliberately does not meet (e.g.
    `RDS.5: single-AZ staging database`), on top of its profiles' (the same ID rewords a
    profile's reason). Shown in the controls report with the reason."""
    required: Annotated[list[str], AfterValidator(check_unique)] = Field(default_factory=list[str])
    """Control IDs a profile excepts that this stack meets all the same (e.g. `[RDS.5]` for a
    staging with a Multi-AZ database): the exception is taken out."""

    def problems(self) -> list[tuple[str, str]]:
        offered = {cid for name in self.profiles for cid in exceptions_of(name)}
        problems: list[tuple[str, str]] = []
        for i, control_id in enumerate(self.required):
            if control_id in self.exceptions:
                problems.append(
                    (f"required[{i}]", f"'{control_id}' is also in exceptions: keep one of them")
                )
            elif control_id not in offered:
                shown = ", ".join(self.profiles) or "none"
                problems.append(
                    (
                        f"required[{i}]",
                        f"'{control_id}' is not excepted by the profiles ({shown}): nothing to "
                        "take out",
                    )
                )
        return problems

    def declared_exceptions(self) -> dict[str, DeclaredException]:
        """Control ID -> the declared exception: the profiles', less `required`, plus the stack
        file's own (which reword a profile's)."""
        declared: dict[str, DeclaredException] = {}
        for name in self.profiles:
            for control_id, (reason, profile) in exceptions_of(name).items():
                if control_id not in self.required:
                    declared[control_id] = DeclaredException(reason, profile)
        for control_id, reason in self.exceptions.items():
            declared[control_id] = DeclaredException(reason)
        return declared

    def note(self, control_id: str) -> str:
        """What a stack-file warning says about a control it touches: the exception as
        declared, or that the control fails without one (never an exception not declared)."""
        from policies.rules import control  # lazy: policies is the larger import

        item = control(control_id)
        found = item.declared_exception(self.declared_exceptions())
        if found is not None:
            return f"control {item.id}: exception declared in the {found.source}"
        if item.exception_allowed:
            return f"control {item.id} fails unless golive:policy declares an exception"
        return f"control {item.id} fails: it allows no exception"
