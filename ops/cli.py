"""The `golive` command line: the offline plan and the release lifecycle around `pulumi up`."""

from __future__ import annotations

import typer

from ops.commands import register as register_lifecycle_commands

app = typer.Typer(
    name="golive",
    help="Take a containerized web app with Postgres live on AWS, and ship every release safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """golive: offline plan, bootstrap, secrets, backup, run-task, release, verify, rollback,
    destroy; and what CI runs: builds, up, images, cleanup, approvers, approve."""


from ops.plan import plan as _plan  # noqa: E402  (commands register after the app exists)

app.command("plan")(_plan)


# bootstrap, secrets, backup, run-task, verify, release, rollback, status, restore-drill
register_lifecycle_commands(app)

from ops.destroy import destroy_command  # noqa: E402

app.command("destroy")(destroy_command)

from ops.ci_commands import register as register_ci_commands  # noqa: E402

# builds, up, images, cleanup, approvers, approve: what the delivery workflows run beside
# release and rollback
register_ci_commands(app)
