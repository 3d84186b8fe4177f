"""Runs of the program under mocks, remembered per test process by what they were given.

A run costs about half a second (the Pulumi SDK's event loop, one step per resource), and many
tests run the same stack file with the same overrides: the CLI tests' `golive plan staging`,
the controls, the cost estimates, the stack files of tests/stackfiles. `install()` puts a
memoizing `run_program` in `plan.harness` before any test module (or `ops.plan`) imports it.

A run is remembered only when nothing but its inputs can change its result:
- the key is everything the program reads: the config exactly as the harness builds it (the
  project defaults, the stack file's text and the overrides), the `secure:` keys, the program
  file's text, the lookups, preview mode;
- runs given `program` or `registered`, and runs that raise, are never remembered;
- a test that takes `monkeypatch` itself (it may change a table the program consults) and a
  test marked `fresh_runs` (its subject is the run itself) run the program every time.

Each caller gets its own copy of the plan (dicts, lists, resources), so a test that changes
its plan cannot change another test's.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from plan import harness
from plan.harness import Plan, RecordedResource, SecretValue
from plan.mocks import Lookups

_PLANS: dict[str, Plan] = {}
_ENABLED = {"on": True}


def copy_value(value: Any) -> Any:
    """A copy of every container in `value`; leaves (strings, Outputs, Unknown) are shared."""
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(copy_value(v) for v in value)
    if isinstance(value, SecretValue):
        return SecretValue(copy_value(value.value))
    return value


def copy_plan(plan: Plan) -> Plan:
    resources = [
        RecordedResource(
            **{f.name: copy_value(getattr(r, f.name)) for f in dataclasses.fields(RecordedResource)}
        )
        for r in plan.resources
    ]
    return Plan(
        stack=plan.stack,
        config=dict(plan.config),
        resources=resources,
        outputs=copy_value(plan.outputs),
        warnings=list(plan.warnings),
        invokes=list(plan.invokes),
    )


def _key(
    stack: str,
    *,
    project_dir: Path,
    stack_file: Path | None,
    overrides: Mapping[str, Any] | None,
    lookups: Any,
    preview: bool,
) -> str:
    config, secret_keys = harness.program_config(stack, project_dir, stack_file, overrides)
    program = (project_dir / "__main__.py").read_text()
    return json.dumps(
        [
            stack,
            str(project_dir),
            config,
            secret_keys,
            program,
            repr(lookups or Lookups()),
            preview,
        ],
        sort_keys=True,
    )


def install() -> None:
    original: Callable[..., Plan] = harness.run_program

    def run_program(
        stack: str,
        *,
        project_dir: Path = harness.PROJECT_DIR,
        stack_file: Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        lookups: Any = None,
        preview: bool = False,
        registered: list[RecordedResource] | None = None,
        program: Callable[[], None] | None = None,
    ) -> Plan:
        args = {
            "project_dir": project_dir,
            "stack_file": stack_file,
            "overrides": overrides,
            "lookups": lookups,
            "preview": preview,
            "registered": registered,
            "program": program,
        }
        if not _ENABLED["on"] or registered is not None or program is not None:
            return original(stack, **args)
        try:
            key = _key(
                stack,
                project_dir=project_dir,
                stack_file=stack_file,
                overrides=overrides,
                lookups=lookups,
                preview=preview,
            )
        except Exception:
            return original(stack, **args)  # a stack file the harness refuses: it says why
        if key not in _PLANS:
            _PLANS[key] = original(stack, **args)
        return copy_plan(_PLANS[key])

    run_program.__doc__ = original.__doc__
    harness.run_program = run_program


def enabled() -> bool:
    return _ENABLED["on"]


def enable(on: bool) -> None:
    """Off: every run is a real one (nothing remembered is used or kept)."""
    _ENABLED["on"] = on
