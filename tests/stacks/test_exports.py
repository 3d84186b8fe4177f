"""The stack exports: one declaration the program exports through, the CLI reads and the doc shows."""

from __future__ import annotations

import json

import pytest

from plan.harness import PROJECT_DIR, Plan, unwrap_secrets
from stacks.exports import DatabaseExport, StackExports, exported, markdown, rows


def test_docs_stack_exports_is_generated_from_the_declaration() -> None:
    assert (PROJECT_DIR / "docs" / "stack-exports.md").read_text() == markdown(), (
        "run: .venv/bin/python -m stacks.exports > docs/stack-exports.md"
    )


def test_every_export_and_nested_field_has_a_description() -> None:
    assert [key for key, _, meaning in rows() if not meaning] == []


def test_the_program_exports_exactly_the_declared_keys_in_order(stack_plan: Plan) -> None:
    outputs = unwrap_secrets(stack_plan.outputs)
    declared = StackExports.model_validate(outputs).model_dump(by_alias=True)
    # Same text: no key missing or undeclared at any level, same order, no value coerced.
    assert json.dumps(declared) == json.dumps(outputs)


def test_exported_refuses_an_undeclared_or_a_forgotten_key() -> None:
    values: dict[str, object] = {
        "identifier": "db",
        "endpoint": "db.example.com",
        "port": 5432,
        "name": "auction",
    }
    with pytest.raises(TypeError, match=r"missing: \['master_secret_arn'\]"):
        exported(DatabaseExport, **values)
    with pytest.raises(TypeError, match=r"not declared in stacks/exports.py: \['password'\]"):
        exported(DatabaseExport, **values, master_secret_arn=None, password="x")
    assert list(exported(DatabaseExport, **values, master_secret_arn=None)) == [
        "identifier",
        "endpoint",
        "port",
        "name",
        "masterSecretArn",
    ]
