# pyright: basic
# (Strict checking stops here: this file wraps the Pulumi SDK's untyped mock and RPC
# internals, whose dicts and protobuf requests have no element types to check.)
"""Run the real golive program under Pulumi mocks and record everything it declares.

One harness serves the tests and `golive plan`: it loads `Pulumi.yaml` defaults plus
`Pulumi.<stack>.yaml` the way the Pulumi CLI would, runs `__main__.py` with mocks that return
realistic computed values (see `plan.mocks`), and records every resource registration with
its type, logical name, inputs (secret values marked), parent, dependencies and resource options.
The mock monitor sees the options the SDK sends the engine, so `protect`, `ignoreChanges`,
`aliases`, `deleteBeforeReplace` and `retainOnDelete` can be asserted like any input.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await  # pyright: ignore[reportPrivateUsage]

from plan.mocks import AwsMocks, Lookups, RefusedInputs

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT_NAME = "golive"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_STANDIN = "mock-secret-value-0123456789abcdef"
"""What a `secure:` value in a stack file decrypts to under mocks (the real CLI decrypts it)."""

_LOCK = threading.Lock()


class StackFileError(Exception):
    """A stack file is missing or is not valid YAML of the Pulumi stack-file shape."""


@dataclass(frozen=True)
class SecretValue:
    """An input value the program marked secret: shown masked, compared by value."""

    value: Any

    def __repr__(self) -> str:
        return "SecretValue([secret])"


class Unknown:
    """A value not known until the resource exists (a real `pulumi preview` shows these)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


@dataclass
class RecordedResource:
    """One resource registration, as the Pulumi engine would have received it."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    parent: str | None
    dependencies: list[str]
    provider: str
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    ignore_changes: list[str]
    aliases: list[str]
    replace_on_changes: list[str]
    id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def options(self) -> dict[str, Any]:
        """Resource options in the camelCase shape policy rules read."""
        return {
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "ignoreChanges": list(self.ignore_changes),
            "aliases": list(self.aliases),
            "replaceOnChanges": list(self.replace_on_changes),
            "dependencies": list(self.dependencies),
            "parent": self.parent,
        }

    def plain_inputs(self) -> dict[str, Any]:
        """Inputs with secret markers removed (for assertions on values)."""
        return unwrap_secrets(self.inputs)


@dataclass
class Plan:
    """Everything one run of the program declared."""

    stack: str
    config: dict[str, str]
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    warnings: list[str]
    invokes: list[str]

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> RecordedResource:
        found = self.of_type(type_token)
        if len(found) != 1:
            names = [r.name for r in found]
            raise AssertionError(f"expected one {type_token}, found {len(found)}: {names}")
        return found[0]

    def named(self, name: str) -> RecordedResource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)

    def by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}

    def children(self, parent_urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent_urn]

    def descendants(self, parent_urn: str) -> Iterator[RecordedResource]:
        for child in self.children(parent_urn):
            yield child
            yield from self.descendants(child.urn)

    def count_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "config": self.config,
            "warnings": self.warnings,
            "outputs": to_jsonable(self.outputs),
            "resources": [
                {
                    "urn": r.urn,
                    "type": r.type,
                    "name": r.name,
                    "parent": r.parent,
                    "custom": r.custom,
                    "inputs": to_jsonable(r.inputs),
                    "options": r.options,
                }
                for r in self.resources
            ],
        }


def unwrap_secrets(value: Any) -> Any:
    if isinstance(value, SecretValue):
        return unwrap_secrets(value.value)
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return value


def to_jsonable(value: Any) -> Any:
    """JSON-ready copy with every secret masked."""
    if isinstance(value, SecretValue):
        return "[secret]"
    if isinstance(value, Unknown):
        return "[unknown]"
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _mark_secrets(value: Any) -> Any:
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == rpc._special_secret_sig:  # pyright: ignore[reportPrivateUsage]
            return SecretValue(_mark_secrets(value.get("value")))
        return {k: _mark_secrets(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [_mark_secrets(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return value


# --------------------------------------------------------------------------- stack files


def _as_cli_string(value: Any) -> str:
    """Config values reach the program as strings, exactly as the Pulumi CLI passes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _qualify(key: str) -> str:
    return key if ":" in key else f"{PROJECT_NAME}:{key}"


def shown_path(path: Path) -> str:
    """The stack file as the user would name it: relative to the working directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def yaml_error(where: str, text: str, exc: yaml.YAMLError) -> str:
    """`FILE:LINE:COLUMN: not valid YAML: what` and the line itself, with a caret under the
    column (PyYAML counts lines and columns from 0)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if mark is None:
        return f"{where}: not valid YAML: {problem}"
    line, column = mark.line + 1, mark.column + 1
    lines = text.splitlines()
    source = lines[mark.line] if mark.line < len(lines) else ""
    detail = f" ({context})" if context else ""
    return (
        f"{where}:{line}:{column}: not valid YAML: {problem}{detail}\n"
        f"  {line:>4} | {source}\n"
        f"       | {' ' * mark.column}^"
    )


def stack_names(project_dir: Path = PROJECT_DIR) -> list[str]:
    """Every stack that has a `Pulumi.<stack>.yaml` in the project directory."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def load_stack_config(
    stack: str, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None
) -> tuple[dict[str, str], list[str]]:
    """Project defaults from Pulumi.yaml overlaid with the stack file, as CLI-style strings.

    Returns the config map and the keys holding `secure:` values (decrypted to a stand-in).
    """
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    config: dict[str, str] = {}
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and "default" in spec:
            config[_qualify(key)] = _as_cli_string(spec["default"])
        elif not isinstance(spec, dict):
            config[_qualify(key)] = _as_cli_string(spec)
    path = stack_file or project_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(stack_names(project_dir)) or "none"
        raise StackFileError(f"no stack file {path.name} (stacks here: {known})")
    text = path.read_text()
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise StackFileError(yaml_error(shown_path(path), text, exc)) from exc
    if not isinstance(document, dict):
        raise StackFileError(f"{path.name}: expected a mapping with a 'config:' key")
    stack_config = document.get("config") or {}  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(stack_config, dict):
        raise StackFileError(f"{path.name}: 'config:' must be a mapping of keys to values")
    secret_keys: list[str] = []
    for key, value in stack_config.items():  # pyright: ignore[reportUnknownVariableType]
        qualified = _qualify(str(key))  # pyright: ignore[reportUnknownArgumentType]
        if isinstance(value, dict) and set(value) == {"secure"}:  # pyright: ignore[reportUnknownArgumentType]
            config[qualified] = SECRET_STANDIN
            secret_keys.append(qualified)
        else:
            config[qualified] = _as_cli_string(value)
    _check_secrets_provider(path.name, document.get("secretsprovider"), config)  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
    return config, secret_keys


def program_config(
    stack: str,
    project_dir: Path = PROJECT_DIR,
    stack_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """`load_stack_config` with `overrides` in place (unqualified keys are `golive:`; values as
    in YAML): the config a run of the program is given."""
    config, secret_keys = load_stack_config(stack, project_dir, stack_file)
    for key, value in (overrides or {}).items():
        config[_qualify(key)] = _as_cli_string(value)
    return config, secret_keys


def kms_alias_of(provider: str) -> str | None:
    """The alias name an `awskms://` secrets provider names (`awskms://alias/NAME?region=...`,
    `awskms:///alias/NAME`, or an alias ARN), or None (a key id or ARN, another provider)."""
    if not provider.startswith("awskms://"):
        return None
    key = provider.removeprefix("awskms://").split("?", 1)[0].lstrip("/")
    _, found, name = key.partition("alias/")
    return name if found and (key.startswith("alias/") or ":alias/" in key) else None


def _check_secrets_provider(file: str, provider: Any, config: dict[str, str]) -> None:
    """The key a stack file was initialized with (`pulumi stack init --secrets-provider`, then
    committed) must be the one its CI roles may decrypt with (`ci.secretsKeyAlias`): anything
    else fails only in CI, with AccessDenied on kms:Decrypt."""
    alias = kms_alias_of(str(provider)) if provider else None
    if alias is None:
        return
    # Imported here: the config model pulls in the components, which reading a file does not need.
    from pydantic import ValidationError

    from stacks.config.ci import CiConfig

    try:
        ci = CiConfig.model_validate_json(config.get("golive:ci", "{}"))
    except ValidationError:
        return  # the config model reports a malformed golive:ci, with the rest
    expected = ci.secrets_key_alias if ci.enabled else ""
    if not expected or alias == expected:
        return
    raise StackFileError(
        f"{file}: secretsprovider uses KMS alias/{alias}, but golive:ci.secretsKeyAlias is "
        f"{expected!r}, the only key the stack's CI roles may decrypt with: set "
        f"ci.secretsKeyAlias: {alias}, or move the stack to that key (`pulumi stack "
        f"change-secrets-provider 'awskms://alias/{expected}?region=REGION'`) and commit the file"
    )


# --------------------------------------------------------------------------- recording


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that keeps every registration request: parent, dependencies, options."""

    def __init__(self, mocks: AwsMocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.component_outputs: dict[str, dict[str, Any]] = {}
        self.stack_urn: str | None = None
        self.aws_mocks = mocks

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        inputs = _mark_secrets(rpc.deserialize_properties(request.object, keep_unknowns=True))
        registration = self.resources.get(response.urn)
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                inputs=inputs,
                parent=request.parent or None,
                dependencies=list(request.dependencies),
                provider=request.provider,
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                ignore_changes=list(request.ignoreChanges),
                aliases=[str(a) for a in request.aliases],
                replace_on_changes=list(request.replaceOnChanges),
                id=registration.id if registration else None,
                outputs={"id": registration.id, **registration.state} if registration else {},
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        outputs = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        self.component_outputs[request.urn] = _mark_secrets(outputs)
        return super().RegisterResourceOutputs(request)


def _resolve(value: Any) -> Any:
    """The value an export would have in the stack's outputs (secrets marked)."""
    output = pulumi.Output.from_input(value)
    resolved = _sync_await(output.future(with_unknowns=True))
    if _sync_await(output.is_secret()):
        return SecretValue(resolved)
    return _mark_secrets(resolved)


class _WarningHandler(logging.Handler):
    """Keeps the program's `pulumi.log.warn` messages (the CLI shows them as warnings)."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.sink.append(record.getMessage())


def _warning_collector(sink: list[str]) -> logging.Logger:
    """The mock engine's logger: warnings go to this run's plan, nothing to the root logger
    (runs are serialized by `_LOCK`, so one logger with this run's handler suffices)."""
    logger = logging.getLogger("golive.plan")
    logger.handlers = [_WarningHandler(sink)]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def _run_main(path: str) -> None:
    runpy.run_path(path, run_name="__main__")


def _reset_runtime() -> None:
    settings.ROOT.set(None)
    settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]


def run_program(
    stack: str,
    *,
    project_dir: Path = PROJECT_DIR,
    stack_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    lookups: Lookups | None = None,
    preview: bool = False,
    registered: list[RecordedResource] | None = None,
    program: Callable[[], None] | None = None,
) -> Plan:
    """Run `__main__.py` for `stack` under mocks and return what it declared.

    `overrides` replaces config keys (unqualified keys are `golive:`; values as in YAML).
    `lookups` sets what the account already holds (released images, hosted zones, ...).
    `preview=True` runs as `pulumi preview` would: computed values are unknown.
    `program`, when given, runs instead of `__main__.py` (component tests build one component
    under the same mocks and config).
    `registered`, when given, receives every registration as it happens, so a caller can see
    what was declared before the program failed.
    Raises the program's own exception (e.g. `stacks.config.ConfigError`) unchanged, and
    `plan.mocks.RefusedInputs` when the program declared inputs AWS would refuse at create time.
    """
    config, secret_keys = program_config(stack, project_dir, stack_file, overrides)
    region = config.get("aws:region", "us-east-1")
    mocks = AwsMocks(region=region, lookups=lookups or Lookups(), preview=preview)
    with _LOCK:
        _reset_runtime()
        monitor = RecordingMonitor(mocks)
        if registered is not None:
            monitor.recorded = registered
        set_all_config(config, secret_keys)
        pulumi_mocks.set_mocks(
            mocks,
            project=PROJECT_NAME,
            stack=stack,
            preview=preview,
            monitor=monitor,
            logger=_warning_collector(mocks.warnings),
        )
        main = str(project_dir / "__main__.py")
        cwd = os.getcwd()
        os.chdir(project_dir)
        try:
            _sync_await(run_pulumi_func(program or (lambda: _run_main(main))))
            root = settings.get_root_resource()
            exported: dict[str, Any] = dict(getattr(root, "outputs", {}) or {})
            stack_outputs = {name: _resolve(value) for name, value in exported.items()}
        finally:
            os.chdir(cwd)
            settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]
    if mocks.refused:
        raise RefusedInputs(mocks.refused)
    for resource in monitor.recorded:
        if not resource.custom:
            resource.outputs = monitor.component_outputs.get(resource.urn, {})
    return Plan(
        stack=stack,
        config=config,
        resources=monitor.recorded,
        outputs=stack_outputs,
        warnings=list(mocks.warnings),
        invokes=list(mocks.invokes),
    )
