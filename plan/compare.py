"""Compare two recorded plans so that only differences coming from the stack files remain.

Two stacks' resources differ in names (`auction-staging-vpc` vs `auction-prod-vpc`) and in the
ids and ARNs the mocks derive from those names. Both are normalized away: the stack's prefix
becomes `{prefix}`, and any value that is another resource's id, ARN or name becomes a
symbolic reference `${<normalized logical name>.<attribute>}`. What is left is what the stack
files made different.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from plan.harness import Plan, RecordedResource, SecretValue

_REFERENCE_ATTRIBUTES = (
    "id", "arn", "name", "bucket", "keyId", "dnsName", "arnSuffix", "domainName",
    "endpoint", "address", "repositoryUrl", "zoneId", "hostedZoneId", "allocationId",
    "bucketRegionalDomainName", "arnWithoutRevision", "primaryEndpointAddress",
)  # fmt: skip


@dataclass
class PlanDiff:
    config: list[tuple[str, Any, Any]] = field(default_factory=list[tuple[str, Any, Any]])
    only_left: list[str] = field(default_factory=list[str])
    only_right: list[str] = field(default_factory=list[str])
    inputs: dict[str, list[tuple[str, Any, Any]]] = field(
        default_factory=dict[str, list[tuple[str, Any, Any]]]
    )

    @property
    def empty(self) -> bool:
        return not (self.config or self.only_left or self.only_right or self.inputs)


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values (`network.flowLogs.retentionDays`, `rules[0].port`)."""
    if isinstance(value, SecretValue):
        return {path: "[secret]"}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():  # pyright: ignore[reportUnknownVariableType]
            out.update(flatten(item, f"{path}.{key}" if path else str(key)))  # pyright: ignore[reportUnknownArgumentType]
        return out or {path: {}}
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            out.update(flatten(item, f"{path}[{index}]"))
        return out or {path: []}
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return flatten(json.loads(value), path)
        except json.JSONDecodeError:
            pass
    return {path: value}


def _prefix(plan: Plan) -> str:
    app = plan.config.get("golive:app", "")
    return f"{app}-{plan.stack}"


class _Normalizer:
    def __init__(self, plan: Plan) -> None:
        self.prefix = _prefix(plan)
        self.references: dict[str, str] = {}
        # Registration order varies from run to run; a value many resources share (a zone
        # id) must always name the same one, so walk them in a stable order.
        for resource in sorted(plan.resources, key=lambda r: (r.custom, r.urn)):
            logical = self.name(resource.name)
            for attribute in _REFERENCE_ATTRIBUTES:
                value = resource.outputs.get(attribute)
                if isinstance(value, str) and len(value) >= 6:
                    self.references.setdefault(value, f"${{{logical}.{attribute}}}")
            if resource.id and len(resource.id) >= 6:
                self.references.setdefault(resource.id, f"${{{logical}.id}}")
        self._ordered = sorted(self.references, key=len, reverse=True)

    def name(self, logical: str) -> str:
        return logical.replace(self.prefix, "{prefix}") if self.prefix else logical

    def value(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value in self.references:
            return self.references[value]
        for raw in self._ordered:
            if raw in value:
                value = value.replace(raw, self.references[raw])
        return self.name(value)


def _config_view(plan: Plan) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for key, raw in plan.config.items():
        try:
            view[key] = json.loads(raw) if raw[:1] in "[{" else raw
        except json.JSONDecodeError:
            view[key] = raw
    return flatten(view)


def _resource_key(resource: RecordedResource, normalizer: _Normalizer) -> str:
    return f"{resource.type}::{normalizer.name(resource.name)}"


def compare(left: Plan, right: Plan) -> PlanDiff:
    diff = PlanDiff()
    left_config, right_config = _config_view(left), _config_view(right)
    for key in sorted(set(left_config) | set(right_config)):
        a, b = left_config.get(key), right_config.get(key)
        if a != b:
            diff.config.append((key, a, b))

    ln, rn = _Normalizer(left), _Normalizer(right)
    lres = {_resource_key(r, ln): r for r in left.resources}
    rres = {_resource_key(r, rn): r for r in right.resources}
    diff.only_left = sorted(set(lres) - set(rres))
    diff.only_right = sorted(set(rres) - set(lres))
    for key in sorted(set(lres) & set(rres)):
        a = {k: ln.value(v) for k, v in flatten(lres[key].inputs).items()}
        b = {k: rn.value(v) for k, v in flatten(rres[key].inputs).items()}
        changes = [(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]
        for option in ("protect", "retain_on_delete"):
            av, bv = getattr(lres[key], option), getattr(rres[key], option)
            if av != bv:
                changes.append((f"(option) {option}", av, bv))
        if changes:
            diff.inputs[key] = changes
    return diff
