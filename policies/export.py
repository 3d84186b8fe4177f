"""Read a `pulumi stack export` file into the resources the controls run on.

After a deploy nothing is unknown any more, so `golive plan STACK --controls --state FILE` runs
the same rules on what the stack really holds: the deploy workflow does it after every `up`.
The export's `deployment.resources[]` carry `type`, `urn`, `id`, `inputs`, `outputs`, `protect`,
`retainOnDelete`, `parent`, `dependencies`; options left at their default are omitted (false).
Secrets stay encrypted in an export (`ciphertext`): rules read them as unknown values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from policies.model import Resource
from policies.values import normalize

SKIPPED_TYPES = ("pulumi:pulumi:Stack",)
SKIPPED_PREFIXES = ("pulumi:providers:",)


class StackExportError(ValueError):
    """The file is not a `pulumi stack export` document."""


def load_stack_export(path: str | Path) -> list[Resource]:
    """The managed resources of a `pulumi stack export` JSON file."""
    file = Path(path)
    try:
        document = json.loads(file.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise StackExportError(f"{file}: cannot read a stack export: {exc}") from exc
    return resources_from_export(document, source=str(file))


def resources_from_export(document: Any, source: str = "stack export") -> list[Resource]:
    """The managed resources of a decoded export document.

    Skips the stack itself, providers, resources pending deletion (a failed replace leaves the
    old one in state with `delete: true`) and external ones read with `.get()`, which the stack
    does not manage.
    """
    if not isinstance(document, Mapping):
        raise StackExportError(f"{source}: expected a JSON object")
    deployment = cast(Mapping[str, Any], document).get("deployment")
    if not isinstance(deployment, Mapping):
        raise StackExportError(f"{source}: no 'deployment' object (is this `pulumi stack export`?)")
    raw_resources = cast(Mapping[str, Any], deployment).get("resources")
    if raw_resources is None:  # a stack that was never deployed, or was destroyed
        raw_resources = []
    if not isinstance(raw_resources, list):
        raise StackExportError(f"{source}: deployment.resources is not a list")
    resources: list[Resource] = []
    for raw in cast(list[Any], raw_resources):
        if not isinstance(raw, Mapping):
            continue
        entry = cast(Mapping[str, Any], raw)
        kind = str(entry.get("type", ""))
        if kind in SKIPPED_TYPES or kind.startswith(SKIPPED_PREFIXES):
            continue
        if entry.get("delete") or entry.get("external"):
            continue
        urn = str(entry.get("urn", ""))
        resources.append(
            Resource(
                type=kind,
                name=urn.rsplit("::", 1)[-1],
                urn=urn,
                inputs=normalize(entry.get("inputs") or {}),
                options={
                    "protect": bool(entry.get("protect", False)),
                    "retainOnDelete": bool(entry.get("retainOnDelete", False)),
                    "deleteBeforeReplace": bool(entry.get("deleteBeforeReplace", False)),
                    "ignoreChanges": list(entry.get("ignoreChanges") or []),
                    "aliases": list(entry.get("aliases") or []),
                    "dependencies": list(entry.get("dependencies") or []),
                    "parent": entry.get("parent"),
                },
                id=entry.get("id") or None,
                outputs=normalize(entry.get("outputs") or {}),
            )
        )
    return resources
