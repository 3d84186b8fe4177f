"""Pulumi.yaml, the stack files, the README and the code's ground rules, held in place."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from plan import reference
from plan.harness import PROJECT_DIR, stack_names
from stacks.config import StackConfig
from stacks.config.base import nested_models

SCHEMA_TYPES = {"string", "integer", "boolean", "array"}


def project() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())


def test_pulumi_yaml_names_the_project_and_its_virtualenv() -> None:
    doc = project()
    assert doc["name"] == "golive"
    assert doc["runtime"]["name"] == "python"
    assert doc["runtime"]["options"]["virtualenv"] == ".venv"


def test_pulumi_yaml_config_uses_only_types_the_cli_accepts() -> None:
    for key, spec in project()["config"].items():
        assert isinstance(spec, dict), key
        if "type" in spec:
            assert spec["type"] in SCHEMA_TYPES, (
                f"{key}: type {spec['type']!r} is rejected by the CLI"
            )
        assert spec.get("description"), f"{key} needs a description"


def test_structured_keys_are_declared_without_a_type() -> None:
    config = project()["config"]
    for name, info in StackConfig.model_fields.items():
        alias = info.alias or name
        if alias not in config:
            continue
        structured = nested_models(info.annotation) or "dict" in str(info.annotation)
        if structured:
            assert "type" not in config[alias], f"{alias} is an object: declare it without a type"


def test_every_golive_key_of_the_model_is_declared_in_pulumi_yaml() -> None:
    declared = set(project()["config"])
    expected = {
        info.alias or name
        for name, info in StackConfig.model_fields.items()
        if name not in ("stack", "region", "default_tags")
    }
    assert expected == declared


# Maps whose keys are data (which controls a stack excepts), not schema.
DATA_MAPS = {"golive:policy.exceptions"}


def _shape(value: Any, path: str = "") -> Any:
    """The keys of a config value, recursively, without the values."""
    if path in DATA_MAPS:
        return "map"
    if isinstance(value, dict):
        return {k: _shape(v, f"{path}.{k}" if path else k) for k, v in value.items()}
    return type(value).__name__ if not isinstance(value, list) else "list"


def test_staging_and_prod_differ_only_in_values() -> None:
    files = {
        s: yaml.safe_load((PROJECT_DIR / f"Pulumi.{s}.yaml").read_text())["config"]
        for s in ("staging", "prod")
    }
    assert _shape(files["staging"]) == _shape(files["prod"])


def test_the_repository_has_a_staging_and_a_prod_stack() -> None:
    assert stack_names() == ["prod", "staging"]


def test_readme_configuration_reference_is_generated_from_the_model() -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    assert reference.markdown() in readme, (
        "run: .venv/bin/python -m plan.reference and paste it into README.md"
    )


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["./dev plan staging", "./dev test"]
    ci = (PROJECT_DIR / ".ci" / "run").read_text()
    assert "./dev test" in ci


def _python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (PROJECT_DIR / folder).rglob("*.py")]


def test_no_component_reads_config_or_calls_a_data_source() -> None:
    for path in _python_files("components"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr != "Config", f"{path.name} reads pulumi.Config"
                assert not re.fullmatch(r"get_[a-z_]+", node.attr) or node.attr in {
                    "get_stack",
                    "get_project",
                }, f"{path.name} calls the data source {node.attr}: look it up in the stack layer"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any(n.startswith("boto3") for n in names), f"{path.name} imports boto3"


def test_only_the_config_module_reads_pulumi_config() -> None:
    for path in _python_files("components", "stacks", "plan", "ops", "policies"):
        if path.parent.name == "config":
            continue
        assert "pulumi.Config(" not in path.read_text(), path


def test_no_code_branches_on_the_stack_name() -> None:
    pattern = re.compile(r"""(==|!=|\bin\b)\s*\(?\s*['"](prod|production|staging|stage|dev)['"]""")
    for path in [*_python_files("components", "stacks", "plan"), PROJECT_DIR / "__main__.py"]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not pattern.search(line), (
                f"{path.name}:{number} branches on a stack name: {line.strip()}"
            )
        assert "get_stack()" not in path.read_text() or path.parent.name == "config", path


def _imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
    return modules


def test_the_mocks_import_nothing_of_the_code_they_mock() -> None:
    """AWS's answers come from `aws_facts/`: a constant the mocks shared with components/ or
    stacks/ would answer whatever the program expects, and a wrong value would pass unnoticed."""
    golive = {init.parent.name for init in PROJECT_DIR.glob("*/__init__.py")}
    assert {"components", "stacks", "plan", "aws_facts"} <= golive
    for path in _python_files("plan/mocks"):
        for module in _imported_modules(path):
            top = module.split(".")[0]
            assert top not in golive or top == "aws_facts" or module.startswith("plan.mocks"), (
                f"{path.relative_to(PROJECT_DIR)} imports {module}: take AWS facts from aws_facts/"
            )


def test_main_stays_tiny() -> None:
    lines = [
        line for line in (PROJECT_DIR / "__main__.py").read_text().splitlines() if line.strip()
    ]
    assert len(lines) <= 10


GOLIVE_PACKAGES = ("aws_facts", "components", "stacks", "plan", "ops", "policies")


def _golive_imports(path: Path) -> set[str]:
    """The golive packages a module imports (`from stacks.config import X` -> `stacks`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found |= {n.split(".")[0] for n in names if n.split(".")[0] in GOLIVE_PACKAGES}
    return found


@pytest.mark.parametrize(
    ("package", "may_import"),
    [
        ("aws_facts", {"aws_facts"}),
        ("components", {"aws_facts", "components"}),
        ("stacks", {"aws_facts", "components", "stacks", "policies"}),
        ("policies", {"aws_facts", "stacks", "policies"}),
    ],
)
def test_layers_import_only_what_is_below_them(package: str, may_import: set[str]) -> None:
    """aws_facts is a leaf; components stand alone; the program (stacks/) never needs the
    offline-plan engine or the CLI."""
    for path in _python_files(package):
        extra = _golive_imports(path) - may_import
        assert not extra, f"{path.relative_to(PROJECT_DIR)} imports {sorted(extra)}"


def test_the_product_never_points_at_files_outside_the_repository() -> None:
    """Users' clones hold only this repository: no doc, message or comment may send them to
    `../shared` (docs/controls.md is the generated list of controls)."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        path = PROJECT_DIR / name
        if name.startswith("tests/") or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        assert "../shared" not in text, f"{name} refers to ../shared"


MODULE_LINES_MAX = 900


def test_no_module_outside_the_tests_outgrows_one_concern() -> None:
    """A module past 900 lines holds more than one concern: split it along them."""
    for path in [*_python_files(*GOLIVE_PACKAGES), PROJECT_DIR / "__main__.py"]:
        lines = len(path.read_text().splitlines())
        assert lines <= MODULE_LINES_MAX, f"{path.relative_to(PROJECT_DIR)}: {lines} lines"


def test_no_module_imports_another_modules_private_names() -> None:
    """A `_name` is its module's own: what two modules share gets a public name in one place."""
    for path in _python_files(*GOLIVE_PACKAGES):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.module is None or node.level:
                continue
            if node.module.split(".")[0] not in GOLIVE_PACKAGES:
                continue
            private = [alias.name for alias in node.names if alias.name.startswith("_")]
            assert not private, (
                f"{path.relative_to(PROJECT_DIR)} imports {private} from {node.module}"
            )
