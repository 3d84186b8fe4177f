"""`golive plan STACK`: the real program under mocks, printed for a human (no cloud needed).

Shows the resource tree by component, counts by type, stack outputs (secrets masked), the
monthly cost, how long a cold deploy (with its critical chain) and a release take, the warnings
worth a look before `pulumi up`, and with `--against OTHER` every difference between two stacks
that comes from their stack files. `--json FILE` writes the whole recorded plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from plan.compare import PlanDiff, compare
from plan.cost import CostEstimate, estimate
from plan.estimate import DeployEstimate
from plan.estimate import estimate as estimate_time
from plan.harness import (
    PROJECT_DIR,
    Plan,
    StackFileError,
    load_stack_config,
    run_program,
    shown_path,
    to_jsonable,
)
from plan.mocks import RefusedInputs
from stacks.config import ConfigError, DeclaredException, PolicyConfig, parse

# Wide enough for ARNs when piped (CI logs); a terminal keeps its own width.
# emoji=False: ARNs hold ":secret:", which rich would otherwise print as an emoji.
console = Console(highlight=False, emoji=False, width=None if Console().is_terminal else 160)
err_console = Console(
    stderr=True, highlight=False, emoji=False, width=None if Console().is_terminal else 160
)


def _short_type(token: str) -> str:
    """`aws:ec2/subnet:Subnet` -> `ec2.Subnet`; `golive:aws:Network` -> `Network`."""
    if token.startswith("golive:"):
        return token.rsplit(":", 1)[-1]
    package, _, rest = token.partition(":")
    module = rest.split("/")[0] if "/" in rest else package
    return f"{module}.{rest.rsplit(':', 1)[-1]}" if package == "aws" else token


def render_tree(plan: Plan) -> Tree:
    tree = Tree(f"[bold]{plan.stack}[/] ({len(plan.resources)} resources)")
    nodes: dict[str | None, Tree] = {None: tree}
    urns = {r.urn for r in plan.resources}
    for resource in plan.resources:
        parent = resource.parent if resource.parent in urns else None
        label = (
            f"[bold cyan]{_short_type(resource.type)}[/] {resource.name}"
            if not resource.custom
            else f"{_short_type(resource.type)} [dim]{resource.name}[/]"
        )
        flags = [
            f
            for f, on in (("protect", resource.protect), ("retain", resource.retain_on_delete))
            if on
        ]
        if flags:
            label += f" [yellow]({', '.join(flags)})[/]"
        nodes[resource.urn] = nodes[parent].add(label)
    return tree


def render_counts(plan: Plan) -> Table:
    table = Table(title="Resources by type", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    for token, count in plan.count_by_type().items():
        table.add_row(token, str(count))
    table.add_row("[bold]total[/]", f"[bold]{len(plan.resources)}[/]")
    return table


def render_outputs(plan: Plan) -> Table:
    table = Table(title="Stack outputs", title_justify="left")
    table.add_column("name")
    table.add_column("value", overflow="fold")
    for name, value in plan.outputs.items():
        shown = to_jsonable(value)
        table.add_row(name, shown if isinstance(shown, str) else json.dumps(shown))
    return table


def render_cost(cost: CostEstimate, title: str = "Monthly cost estimate") -> Table:
    table = Table(
        title=f"{title} ({cost.basis}; usage-based items extra)",
        title_justify="left",
    )
    table.add_column("item")
    table.add_column("quantity", justify="right")
    table.add_column("per month", justify="right")
    for line in cost.items:
        if line.unpriced:
            shown = "no price"
        else:
            shown = "usage" if line.monthly_usd is None else f"${line.monthly_usd:,.2f}"
        table.add_row(line.item, line.quantity, shown)
    table.add_row("[bold]fixed total[/]", "", f"[bold]{_usd(cost)}[/]")
    return table


def render_cold_deploy(deploy: DeployEstimate) -> Table:
    cold = deploy.cold_deploy
    table = Table(
        title=(
            f"Cold deploy: ~{cold.typical:.1f} min typical, {cold.upper:.1f} at most "
            "(the chain of resources it waits on; docs/deploy-time.md)"
        ),
        title_justify="left",
    )
    table.add_column("done at", justify="right")
    table.add_column("takes", justify="right")
    table.add_column("resource")
    for link in cold.chain:
        table.add_row(
            f"{link.done_at:.1f}",
            f"{link.minutes.typical:g} min",
            f"{_short_type(link.type)} [dim]{link.name}[/]",
        )
    return table


def render_release(deploy: DeployEstimate) -> Table:
    release = deploy.release
    table = Table(
        title=f"Release: ~{release.typical:.1f} min typical, {release.upper:.1f} at most",
        title_justify="left",
    )
    table.add_column("step")
    table.add_column("typical", justify="right")
    table.add_column("upper", justify="right")
    table.add_column("what", overflow="fold")
    for step in release.steps:
        name = step.name if step.counted else f"[dim]{step.name} (not counted)[/]"
        table.add_row(name, f"{step.minutes.typical:.1f}", f"{step.minutes.upper:.1f}", step.detail)
    return table


def _time_line(stack: str, deploy: DeployEstimate) -> str:
    cold, release = deploy.cold_deploy, deploy.release
    return (
        f"{stack}: cold deploy ~{cold.typical:.1f} min (at most {cold.upper:.1f}), release "
        f"~{release.typical:.1f} min (at most {release.upper:.1f})"
    )


def _usd(cost: CostEstimate) -> str:
    total = cost.fixed_monthly_usd
    return f"no prices for {cost.region}" if total is None else f"${total:,.2f}"


def render_diff(left: Plan, right: Plan, diff: PlanDiff) -> None:
    a, b = left.stack, right.stack
    if diff.empty:
        console.print(f"[green]{a} and {b} declare the same resources with the same inputs.[/]")
        return
    if diff.config:
        table = Table(title=f"Config keys that differ ({a} vs {b})", title_justify="left")
        table.add_column("key")
        table.add_column(a, overflow="fold")
        table.add_column(b, overflow="fold")
        for key, av, bv in diff.config:
            table.add_row(key, _show(av), _show(bv))
        console.print(table)
    for stack, only in ((a, diff.only_left), (b, diff.only_right)):
        if only:
            console.print(f"\n[bold]Only in {stack}[/] ({len(only)}):")
            for key in only:
                console.print(f"  + {key}")
    if diff.inputs:
        table = Table(title="Inputs that differ in resources of both", title_justify="left")
        table.add_column("resource", overflow="fold")
        table.add_column("input", overflow="fold")
        table.add_column(a, overflow="fold")
        table.add_column(b, overflow="fold")
        for key, changes in diff.inputs.items():
            for path, av, bv in changes:
                table.add_row(key, path, _show(av), _show(bv))
        console.print(table)


def _show(value: Any) -> str:
    return "[dim]-[/]" if value is None else str(value)


def exception_rows(
    left: PolicyConfig, right: PolicyConfig
) -> list[tuple[str, DeclaredException | None, DeclaredException | None]]:
    """Every control either stack excepts, in checklist order, with each stack's declaration
    (None: that stack meets the control)."""
    from policies.rules import CONTROLS, control

    ours, theirs = left.declared_exceptions(), right.declared_exceptions()
    order = {item.id: i for i, item in enumerate(CONTROLS)}
    ids = sorted({*ours, *theirs}, key=lambda c: order[control(c).id])
    return [(c, ours.get(c), theirs.get(c)) for c in ids]


def render_exceptions(a: str, left: PolicyConfig, b: str, right: PolicyConfig) -> None:
    """The exceptions of two stacks side by side: reason and where each is declared, or
    `required` (the stack meets the control)."""
    rows = exception_rows(left, right)
    if not rows:
        return
    table = Table(title=f"Control exceptions ({a} vs {b})", title_justify="left")
    table.add_column("control", no_wrap=True)
    table.add_column(a, overflow="fold")
    table.add_column(b, overflow="fold")
    for control_id, ours, theirs in rows:
        table.add_row(control_id, _exception(ours), _exception(theirs))
    console.print(table)


def _exception(declared: DeclaredException | None) -> str:
    if declared is None:
        return "[green]required[/]"
    return f"{declared.reason} [dim]({declared.source})[/]"


def _run(stack: str, stack_file: Path | None) -> Plan:
    """The program's plan, or a clean error for what a user can fix (no traceback)."""
    try:
        return run_program(stack, project_dir=PROJECT_DIR, stack_file=stack_file)
    except ConfigError as exc:
        # Name the file the user gave, not the stack's default one.
        source = shown_path(stack_file) if stack_file else ""
        raise _fail(str(ConfigError(exc.problems, stack, source))) from None
    except (StackFileError, RefusedInputs) as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:
        # A data source that finds nothing fails the program the way `pulumi preview` would.
        if str(exc).startswith("invoke of "):
            raise _fail(str(exc)) from None
        raise


def _beside(stack_file: Path | None, stack: str) -> Path | None:
    """`Pulumi.<stack>.yaml` in the directory of `--stack-file` (a team's staging and prod
    files live together), or None for the project's own."""
    return None if stack_file is None else stack_file.parent / f"Pulumi.{stack}.yaml"


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def _report_controls(stack: str, stack_file: Path | None, state: Path | None) -> None:
    from policies.export import StackExportError, load_stack_export
    from policies.report import evaluate, render

    if state is None:
        result = _run(stack, stack_file)
        cfg = parse(stack, result.config)
        resources: list[Any] = list(result.resources)
        source = "the offline plan"
    else:
        try:
            config, _ = load_stack_config(stack, PROJECT_DIR, stack_file)
            cfg = parse(stack, config)
            resources = list(load_stack_export(state))
        except (ConfigError, StackFileError, StackExportError) as exc:
            raise _fail(str(exc)) from None
        source = str(state)
    report = evaluate(resources, cfg.policy)
    console.print(f"[bold]Controls of {stack}[/] (from {source}, {cfg.policy.enforcement})\n")
    render(report, console)
    if report.blocking:
        raise typer.Exit(code=1)


def plan(
    stack: Annotated[str, typer.Argument(help="Stack name: reads Pulumi.<stack>.yaml.")],
    *,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Compare with another stack (its Pulumi.<stack>.yaml beside the stack file).",
        ),
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the whole recorded plan to this file.")
    ] = None,
    stack_file: Annotated[
        Path | None,
        typer.Option("--stack-file", help="Use this stack file instead of Pulumi.<stack>.yaml."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Counts, outputs and warnings; no tree.")
    ] = False,
    controls: Annotated[
        bool,
        typer.Option(
            "--controls",
            help="Report every security/reliability control: pass, fail, declared exception.",
        ),
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            exists=True,
            dir_okay=False,
            help="With --controls: check a `pulumi stack export` file (what is deployed).",
        ),
    ] = None,
) -> None:
    """Run the program offline under realistic mocks and show what `pulumi up` would build."""
    if state is not None and not controls:
        raise _fail("--state needs --controls (it checks a deployed stack's controls)")
    if controls:
        _report_controls(stack, stack_file, state)
        return
    result = _run(stack, stack_file)
    other = _run(against, _beside(stack_file, against)) if against else None

    cost = estimate(result)
    cfg = parse(stack, result.config)
    time = estimate_time(result, cfg)
    if other is not None:
        console.print(f"[bold]golive plan {stack} --against {against}[/]\n")
        render_diff(result, other, compare(result, other))
        other_cfg = parse(other.stack, other.config)
        render_exceptions(stack, cfg.policy, other.stack, other_cfg.policy)
        other_cost = estimate(other)
        console.print(f"\nFixed monthly cost: {stack} {_usd(cost)}, {against} {_usd(other_cost)}")
        other_time = estimate_time(other, other_cfg)
        console.print(f"Time: {_time_line(stack, time)}; {_time_line(other.stack, other_time)}")
    else:
        if not quiet:
            console.print(render_tree(result))
        console.print(render_counts(result))
        console.print(render_outputs(result))
        console.print(render_cost(cost))
        console.print(render_cold_deploy(time))
        console.print(render_release(time))
    warnings = cfg.warnings() + result.warnings + cost.warnings()
    if warnings:
        console.print("\n[bold yellow]Warnings[/]")
        for warning in warnings:
            console.print(f"  [yellow]![/] {warning}")
    if json_file is not None:
        document = result.to_json()
        document["warnings"] = warnings
        document["cost"] = cost.to_json()
        document["estimate"] = time.to_json()
        json_file.write_text(json.dumps(document, indent=2) + "\n")
        console.print(f"\nWrote the recorded plan to {json_file}")
