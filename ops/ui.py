"""Terminal output for the operations CLI: progress lines, results, failures, tables.

Markup is off on purpose: values printed here come from AWS and from users (image tags, error
messages with `[brackets]`), and must be shown as they are. Styles are passed explicitly.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

# Rich looks up sys.stdout/sys.stderr at print time, so test runners that swap them still
# capture everything. Soft wrap: a hint holds commands to copy, which must not be cut in two.
console = Console(markup=False, highlight=False, emoji=False, soft_wrap=True)
err_console = Console(stderr=True, markup=False, highlight=False, emoji=False, soft_wrap=True)


def step(message: str) -> None:
    """A step is starting (or a wait begins)."""
    console.print(f"-> {message}", style="cyan")


def done(message: str) -> None:
    console.print(f"ok {message}", style="green")


def progress(message: str) -> None:
    """What a command did, on stderr: its stdout is data that CI parses."""
    err_console.print(f"ok {message}", style="green")


def info(message: str) -> None:
    console.print(f"   {message}")


def warn(message: str) -> None:
    err_console.print(f"warning: {message}", style="yellow")


def failure(what: str, next_step: str) -> None:
    """The two lines every failure ends with: what failed, and what to do next."""
    err_console.print(f"FAILED: {what}", style="bold red")
    err_console.print(f"next: {next_step}", style="yellow")


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    view = Table(title=title, title_justify="left")
    for column in columns:
        view.add_column(column, overflow="fold")
    for row in rows:
        view.add_row(*row)
    console.print(view)
