"""The policy tier of the config model: how the controls apply, and the declared exceptions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from stacks.config.base import Model, did_you_mean, raise_problems


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


class PolicyConfig(Model):
    """How the security and reliability controls apply to this stack (policy pack and
    `golive plan --controls`). Exceptions are the only way a stack may fall short of a control."""

    enforcement: Literal["mandatory", "advisory"] = "mandatory"
    """`mandatory`: a failed control blocks `pulumi preview`/`up`; `advisory`: report only."""
    exceptions: Annotated[dict[str, str], AfterValidator(check_exceptions)] = Field(
        default_factory=dict[str, str]
    )
    """Control ID -> reason, for controls this stack deliberately does not meet (e.g.
    `RDS.5: single-AZ staging database`). Shown in the controls report with the reason."""
