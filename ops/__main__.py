"""`python -m ops`: the golive CLI without the installed entry point (used by subprocess tests)."""

from ops.cli import app

app(prog_name="golive")
