"""The controls report: every control of the checklist with its state for one stack.

`evaluate(resources, policy)` runs every rule of `policies.rules.CONTROLS` over a stack's
resources (the mock harness's recorded plan, or `policies.export.load_stack_export(...)` after a
deploy) and says, per control ID: pass, fail, exception (with the declared reason and where it
is declared: the stack file or one of its profiles), unknown (values not known yet), or not
applicable. `render(report)` prints it as a table for `golive plan STACK --controls`, then
every declared exception one by one: nothing is waived without being listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from policies.model import Control, Outcome, Resource, ResourceLike, Severity, Status, Violation
from policies.rules import CONTROLS, control
from stacks.config import DeclaredException, PolicyConfig

STATUS_STYLE: Mapping[Status, str] = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.EXCEPTION: "yellow",
    Status.UNKNOWN: "magenta",
    Status.NOT_APPLICABLE: "dim",
}


@dataclass(frozen=True)
class ControlResult:
    """One control's state, with what the rule found and the declared exception, if any."""

    control: Control
    status: Status
    violations: tuple[Violation, ...] = ()
    exception: DeclaredException | None = None

    @property
    def id(self) -> str:
        return self.control.id

    @property
    def exception_reason(self) -> str | None:
        return self.exception.reason if self.exception else None


@dataclass(frozen=True)
class ControlsReport:
    """Per-control results for one stack, in checklist order (each control's findings by
    resource name), and problems with the declaration.

    `rejected_exceptions` maps an exception key of the stack file to why it was not honored (no
    such control, or one docs/controls.md requires in every stack): a reviewer must see those.
    `unused_exceptions` lists exceptions the stack file declares itself whose control passes
    anyway (stale entries); `unneeded_profile_exceptions` those a profile declares (a profile
    fits many stacks: not a finding).
    """

    results: tuple[ControlResult, ...]
    enforcement: str = "mandatory"
    """`golive:policy.enforcement`: `mandatory` or `advisory`."""
    rejected_exceptions: Mapping[str, str] = field(default_factory=dict[str, str])
    unused_exceptions: tuple[str, ...] = ()
    unneeded_profile_exceptions: tuple[str, ...] = ()
    declared: Mapping[str, DeclaredException] = field(default_factory=dict[str, DeclaredException])
    """Every exception the stack declares (`PolicyConfig.declared_exceptions()`)."""

    def counts(self) -> dict[Status, int]:
        """How many controls are in each state (every state present, zero included)."""
        counts = dict.fromkeys(Status, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    def by_id(self) -> dict[str, ControlResult]:
        return {result.id: result for result in self.results}

    def with_status(self, status: Status) -> list[ControlResult]:
        return [result for result in self.results if result.status is status]

    @property
    def passed(self) -> bool:
        """No failed control and no rejected exception (unknowns do not fail: see `unknown`)."""
        return not self.with_status(Status.FAIL) and not self.rejected_exceptions

    @property
    def blocking(self) -> bool:
        """Whether `golive plan --controls` should exit non-zero: mandatory and not passed."""
        return self.enforcement == "mandatory" and not self.passed

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (for `--json` and CI artifacts)."""
        return {
            "enforcement": self.enforcement,
            "counts": {status.value: n for status, n in self.counts().items()},
            "rejectedExceptions": dict(self.rejected_exceptions),
            "unusedExceptions": list(self.unused_exceptions),
            "unneededProfileExceptions": list(self.unneeded_profile_exceptions),
            "declaredExceptions": {
                cid: {"reason": d.reason, "profile": d.profile} for cid, d in self.declared.items()
            },
            "controls": [
                {
                    "id": r.id,
                    "title": r.control.title,
                    "severity": r.control.severity.value,
                    "source": r.control.source,
                    "status": r.status.value,
                    "exceptionAllowed": r.control.exception_allowed,
                    "exceptionReason": r.exception_reason,
                    "exceptionProfile": r.exception.profile if r.exception else None,
                    "findings": [
                        {"message": v.message, "outcome": v.outcome.value, "urn": v.urn}
                        for v in r.violations
                    ],
                }
                for r in self.results
            ],
        }


def evaluate(
    resources: Iterable[ResourceLike | Resource],
    policy: PolicyConfig | None = None,
    controls: Sequence[Control] = CONTROLS,
) -> ControlsReport:
    """Run every control over a stack's resources and classify each one.

    `resources`: `plan.harness.Plan.resources`, or `load_stack_export(...)`'s result.
    `policy`: the stack file's validated `golive:policy` (default: no exception, mandatory).
    """
    policy = policy or PolicyConfig()
    # Neither the harness's registration order nor an export's state order is stable between
    # runs: rules see the resources by URN, and the findings are listed by resource.
    stack = sorted((Resource.of(r) for r in resources), key=lambda r: r.urn)
    declared = policy.declared_exceptions()
    rejected = _rejected_exceptions(declared)
    results: list[ControlResult] = []
    unused: list[str] = []
    unneeded: list[str] = []
    for item in controls:
        exception = item.declared_exception(declared)
        violations = item.check(stack)
        status = (
            Status.NOT_APPLICABLE
            if violations is None
            else classify(violations, waived=exception is not None)
        )
        if exception is not None and status in (Status.PASS, Status.NOT_APPLICABLE):
            (unneeded if exception.profile else unused).append(item.id)
        results.append(ControlResult(item, status, _by_resource(violations or ()), exception))
    return ControlsReport(
        tuple(results),
        policy.enforcement,
        rejected,
        tuple(unused),
        tuple(unneeded),
        declared,
    )


def classify(violations: Sequence[Violation], *, waived: bool) -> Status:
    """A control's status from its violations, given whether an exception is declared for it.

    An exception covers only waivable violations; anything else decides on its own: a definite
    failure fails, and an undecidable check is unknown, never a pass.
    """
    if not violations:
        return Status.PASS
    remaining = [v for v in violations if not (waived and v.waivable)]
    if any(v.outcome is Outcome.FAIL for v in remaining):
        return Status.FAIL
    if remaining:
        return Status.UNKNOWN
    return Status.EXCEPTION


def _by_resource(violations: Sequence[Violation]) -> tuple[Violation, ...]:
    """Findings by the name of the resource they concern (stack-wide ones first); one
    resource's findings stay in the order its rule gives them."""
    return tuple(sorted(violations, key=lambda v: v.urn.rsplit("::", 1)[-1] if v.urn else ""))


def _rejected_exceptions(declared: Mapping[str, DeclaredException]) -> dict[str, str]:
    rejected: dict[str, str] = {}
    for key in declared:
        try:
            item = control(key)
        except KeyError:
            rejected[key] = "no such control"
            continue
        if not item.exception_allowed:
            rejected[key] = f"{item.id} is required in every stack (docs/controls.md)"
    return rejected


# ----------------------------------------------------------------------------- rendering


def table(report: ControlsReport, *, show_not_applicable: bool = True, limit: int = 3) -> Table:
    """The report as a rich table: one row per control, the first `limit` findings each."""
    grid = Table(title="Controls", show_lines=False, expand=False)
    grid.add_column("Control", no_wrap=True)
    grid.add_column("Sev", no_wrap=True)
    grid.add_column("Status", no_wrap=True)
    grid.add_column("Requirement")
    grid.add_column("Details")
    for result in report.results:
        if result.status is Status.NOT_APPLICABLE and not show_not_applicable:
            continue
        grid.add_row(
            result.id,
            result.control.severity.value,
            Text(result.status.value, style=STATUS_STYLE[result.status]),
            result.control.title,
            _details(result, limit),
        )
    return grid


STRONG_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)
"""An exception to a control of these severities is shown in bold (e.g. ECS.2 in a prod)."""


def exceptions_table(report: ControlsReport) -> Table:
    """Every exception the stack declares, one row each: the control, where it is declared,
    the reason, and whether this stack needs it (a profile's may not be)."""
    grid = Table(title="Declared exceptions", show_lines=False, expand=False)
    grid.add_column("Control", no_wrap=True)
    grid.add_column("Sev", no_wrap=True)
    grid.add_column("Declared in", no_wrap=True)
    grid.add_column("Reason")
    grid.add_column("Here", no_wrap=True)
    by_id = report.by_id()
    for control_id, exception in report.declared.items():
        result = by_id.get(_control_id(control_id))
        if result is None:
            continue  # rejected: reported below the summary
        needed = result.status is Status.EXCEPTION
        style = "bold" if result.control.severity in STRONG_SEVERITIES and needed else ""
        grid.add_row(
            Text(control_id, style=style),
            result.control.severity.value,
            exception.source,
            Text(exception.reason, style=style),
            "applies" if needed else Text("not needed", style="dim"),
        )
    return grid


def _control_id(key: str) -> str:
    try:
        return control(key).id
    except KeyError:
        return key


def _details(result: ControlResult, limit: int) -> str:
    lines: list[str] = []
    if result.status is Status.EXCEPTION and result.exception is not None:
        lines.append(f"declared ({result.exception.source}): {result.exception.reason}")
    shown = [v for v in result.violations if result.status is not Status.PASS]
    for violation in shown[:limit]:
        prefix = "?" if violation.outcome is Outcome.UNKNOWN else "-"
        lines.append(f"{prefix} {violation.message}")
    if len(shown) > limit:
        lines.append(f"... and {len(shown) - limit} more")
    return "\n".join(lines)


def summary(report: ControlsReport) -> str:
    """One line: counts per state and the enforcement level."""
    counts = report.counts()
    parts = [f"{counts[status]} {status.value}" for status in Status]
    return f"{', '.join(parts)} ({report.enforcement})"


def render(
    report: ControlsReport,
    console: Console | None = None,
    *,
    show_not_applicable: bool = True,
    limit: int = 3,
) -> None:
    """Print the report: the table, the counts, and any problem with the declared exceptions."""
    console = console or Console(emoji=False)
    console.print(table(report, show_not_applicable=show_not_applicable, limit=limit))
    if report.declared:
        console.print(exceptions_table(report))
    console.print(summary(report))
    for key, why in report.rejected_exceptions.items():
        console.print(f"[bold red]exception {key} in the stack file is not honored:[/] {why}")
    for key in report.unused_exceptions:
        console.print(
            f"[yellow]exception {key} is declared but the control passes in what was checked: "
            "remove it unless it is needed later[/]"
        )
    if report.with_status(Status.UNKNOWN):
        console.print(
            "[magenta]unknown: values not known until the resources exist; run "
            "`golive plan STACK --controls --state FILE` on a `pulumi stack export` after deploy[/]"
        )
