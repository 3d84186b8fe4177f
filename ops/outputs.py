"""The stack outputs the operations CLI reads, validated against `stacks.exports`.

`load_outputs(stack, outputs_file)` reads `--outputs FILE` when given, else runs
`pulumi stack output --json --show-secrets=false -s STACK` when the Pulumi CLI is on PATH.
Every missing or malformed key is reported at once with its path (`services.api.serviceName`),
so a stack exported by an older program fails here, not halfway through a release.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from ops.errors import ExitCode, OpsError
from stacks.exports import ServiceExport, StackExports, TaskExport


class StackName(Protocol):
    """Which stack: its outputs, or its stack file before it has any (`golive up` of a new
    stack takes the same lease and writes the same log as its releases)."""

    @property
    def app(self) -> str: ...

    @property
    def stack(self) -> str: ...


class StackOutputs(StackExports):
    """The declared exports, with lookups that name what the stack has when asked for more."""

    def service(self, name: str) -> ServiceExport:
        if name not in self.services:
            raise OpsError(
                f"stack {self.stack} has no service {name!r} (it has: {', '.join(self.services)})",
                "pick one of the services listed, as named in the stack file",
            )
        return self.services[name]

    def with_shared_images(self, images: dict[str, str]) -> dict[str, str]:
        """`images` plus every service that runs the image of one of them (`imageFrom`), so
        they are released together; naming such a service with another image is an error."""
        result = dict(images)
        for name, service in self.services.items():
            source = service.image_from
            if source is None:
                continue
            if name in images and images.get(source, images[name]) != images[name]:
                raise OpsError(
                    f"service {name} runs {source}'s image (imageFrom in the stack file), but "
                    f"{images[name]!r} was asked for it and {images[source]!r} for {source}",
                    f"release {source} alone: {name} follows it",
                    exit_code=ExitCode.USAGE,
                )
            if source in images:
                result[name] = images[source]
            elif name in images:
                raise OpsError(
                    f"service {name} runs {source}'s image (imageFrom in the stack file)",
                    f"release {source}: {name} follows it",
                    exit_code=ExitCode.USAGE,
                )
        return result

    def task(self, name: str) -> TaskExport:
        if name not in self.tasks:
            raise OpsError(
                f"stack {self.stack} has no one-off task {name!r} "
                f"(it has: {', '.join(self.tasks) or 'none'})",
                "add it under `tasks:` in the stack file and run `pulumi up`, or pick one listed",
            )
        return self.tasks[name]


def _describe_problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{path}: {item['msg']}")
    return problems


def parse_outputs(data: Any, *, stack: str, source: str) -> StackOutputs:
    """Validate raw outputs; list every problem at once."""
    try:
        outputs = StackOutputs.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe_problems(exc))
        raise OpsError(
            f"the outputs of stack {stack} ({source}) do not match docs/stack-exports.md: "
            f"{problems}",
            f"run `pulumi up -s {stack}` with the current program so it exports every key, "
            "or fix the --outputs file",
        ) from None
    if outputs.stack != stack:
        raise OpsError(
            f"{source} holds the outputs of stack {outputs.stack!r}, not {stack!r}",
            f"pass the outputs of {stack} (`pulumi stack output --json -s {stack}`)",
        )
    return outputs


def _read_file(path: Path, stack: str) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as exc:
        raise OpsError(f"cannot read {path}: {exc.strerror}", "check the --outputs path") from None
    except json.JSONDecodeError as exc:
        raise OpsError(
            f"{path} is not JSON ({exc.msg} at line {exc.lineno})",
            f"pass a file holding what `pulumi stack output --json -s {stack}` prints (saved to "
            "a file of its own)",
        ) from None


def _read_pulumi(stack: str, pulumi: str) -> Any:
    command = [pulumi, "stack", "output", "--json", "--show-secrets=false", "-s", stack]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OpsError(
            f"`{' '.join(command)}` failed: {result.stderr.strip() or result.stdout.strip()}",
            "run it from the project directory after `pulumi login`, or pass --outputs FILE",
        )
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise OpsError(
            "`pulumi stack output --json` did not print JSON",
            "check the Pulumi CLI version, or pass --outputs FILE",
        ) from None


def load_outputs(stack: str, outputs_file: Path | None) -> StackOutputs:
    """The stack's outputs, from `--outputs FILE` or from the Pulumi CLI."""
    if outputs_file is not None:
        return parse_outputs(_read_file(outputs_file, stack), stack=stack, source=str(outputs_file))
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise OpsError(
            f"cannot read the outputs of stack {stack}: the pulumi CLI is not on PATH and no "
            "--outputs FILE was given",
            f"install the Pulumi CLI and run from the project directory, or pass --outputs "
            f"FILE holding `pulumi stack output --json -s {stack}`",
        )
    return parse_outputs(_read_pulumi(stack, pulumi), stack=stack, source="pulumi stack output")
