"""What a stack's own config says about the controls: declared exceptions and enforcement.

Rules never learn the stack's name. Prod-only controls (Multi-AZ, deletion protection, WAF, access
logs...) are checked the same way everywhere; a stack that may differ says so in its stack file,
and the exception appears in the controls report with its reason. `StackPolicy` is that
declaration, built from the stack's config:

- by the lead's config model (`stacks.config`), which derives exceptions from the settings
  themselves (`database.multiAz: false` -> RDS.5), and
- by `from_config` below, which reads the explicit `golive:policy` key
  (`{"enforcement": "advisory", "exceptions": {"RDS.5": "single-AZ staging database"}}`); the
  policy pack calls it with the config the Pulumi engine hands every policy pack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from policies.model import Control

Enforcement = Literal["mandatory", "advisory"]
ENFORCEMENTS: tuple[Enforcement, ...] = ("mandatory", "advisory")
POLICY_CONFIG_KEY = "golive:policy"
"""The stack-file key (`policy:` under the `golive` namespace) holding the declaration."""


class StackPolicyError(ValueError):
    """The `policy` declaration in a stack file is malformed."""


@dataclass(frozen=True)
class StackPolicy:
    """Declared exceptions (control ID -> reason) and how violations are enforced.

    `mandatory` (the default: secure unless the stack file says otherwise) makes the policy pack
    block `pulumi preview`/`up` on a failed control; `advisory` only reports it.
    """

    exceptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    enforcement: Enforcement = "mandatory"

    def __post_init__(self) -> None:
        if self.enforcement not in ENFORCEMENTS:
            raise StackPolicyError(
                f"policy.enforcement: {self.enforcement!r} is not one of {list(ENFORCEMENTS)}"
            )
        problems = [
            f"policy.exceptions.{key}: give a reason (who accepted it, and why)"
            for key, reason in self.exceptions.items()
            if not isinstance(reason, str) or not reason.strip()  # pyright: ignore[reportUnnecessaryIsInstance]
        ]
        if problems:
            raise StackPolicyError("; ".join(problems))
        # Freeze the mapping so a shared context cannot be changed by one caller.
        object.__setattr__(self, "exceptions", MappingProxyType(dict(self.exceptions)))

    def exception_for(self, control: Control) -> str | None:
        """The declared reason for `control` (by its ID or any ID it covers), if any."""
        for control_id in (control.id, *control.covers):
            if control_id in self.exceptions:
                return self.exceptions[control_id]
        return None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> StackPolicy:
        """From the decoded `policy` object of a stack file (absent: mandatory, no exceptions)."""
        if data is None:
            return cls()
        unknown_keys = sorted(set(data) - {"enforcement", "exceptions"})
        if unknown_keys:
            raise StackPolicyError(
                f"policy: unknown key(s) {unknown_keys}; allowed: enforcement, exceptions"
            )
        exceptions = data.get("exceptions") or {}
        if not isinstance(exceptions, Mapping):
            raise StackPolicyError("policy.exceptions: expected a map of control ID -> reason")
        enforcement = data.get("enforcement", "mandatory")
        if enforcement not in ENFORCEMENTS:
            raise StackPolicyError(
                f"policy.enforcement: {enforcement!r} is not one of {list(ENFORCEMENTS)}"
            )
        typed = cast(Mapping[Any, Any], exceptions)
        return cls(
            exceptions={str(k): v for k, v in typed.items()},
            enforcement=cast(Enforcement, enforcement),
        )

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> StackPolicy:
        """From a stack's config map (fully qualified keys, values as the CLI passes them).

        The `golive:policy` value arrives as a JSON string, as every structured config value does.
        """
        raw = config.get(POLICY_CONFIG_KEY)
        if raw is None:
            return cls()
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw  # pyright: ignore[reportUnnecessaryIsInstance]
        except json.JSONDecodeError as exc:
            raise StackPolicyError(f"{POLICY_CONFIG_KEY}: not a JSON object: {exc}") from exc
        if not isinstance(data, Mapping):
            raise StackPolicyError(f"{POLICY_CONFIG_KEY}: expected an object")
        return cls.from_mapping(cast(Mapping[str, Any], data))
