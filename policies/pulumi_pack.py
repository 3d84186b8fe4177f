"""The controls as Pulumi policies, for `pulumi preview/up --policy-pack policies/pack`.

Each control of `policies.rules.CONTROLS` becomes one policy named by its control ID: resource
rules as `ResourceValidationPolicy`, stack rules as `StackValidationPolicy`. The pack never learns
the stack's name. What it enforces comes from the stack's own `golive:policy`, which the Pulumi
engine hands every policy pack in `PULUMI_CONFIG` (see `policy_from_environment`):

- `enforcement` (mandatory or advisory) becomes the pack's enforcement level;
- a declared exception (the stack file's own, or one of its profiles') silences the waivable
  findings of an exception-capable control (they are listed, with the reason, by `golive plan
  STACK --controls`).

Unknown values: the engine's property proxy raises `UnknownValueError` on access, and the SDK
turns that into an advisory "can't run policy during preview" line. A naive rule that read
`props.get("kmsKeyId")` on a sentinel string would pass silently instead, so the wrappers hand
rules plain values (sentinels included, which `policies.values` reads as unknown) and raise
`UnknownValueError` themselves, naming the undecided checks. `golive plan --controls --state`
re-runs every rule after the deploy, when nothing is unknown.

Beside the controls, one always-on, always-mandatory policy (`input_rules_policy`) applies AWS's
own create-time input rules (`aws_facts.input_rules`, the rules the offline plan's mocks apply)
to every resource, after the provider has filled in its auto-name: inside a real preview it also
judges values the program computes, and it stops `pulumi up` before the first resource AWS would
refuse. Values not known until a resource exists are left out, not reported.

This module imports pulumi-policy (a dev dependency); `policies/pack/__main__.py` is the only
place that constructs the `PolicyPack`, which starts a gRPC server and never returns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Severity as PolicySeverity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from aws_facts.input_rules import refusals
from policies.model import Control, Outcome, Resource, Severity, Violation
from policies.rules import CONTROLS
from policies.values import normalize
from stacks.config import NAMESPACE, PolicyConfig

PACK_NAME = "golive-controls"
INPUT_RULES_POLICY = "aws-input-rules"
POLICY_CONFIG_KEY = f"{NAMESPACE}:policy"

_SEVERITY: Mapping[Severity, PolicySeverity] = {
    Severity.CRITICAL: PolicySeverity.CRITICAL,
    Severity.HIGH: PolicySeverity.HIGH,
    Severity.MEDIUM: PolicySeverity.MEDIUM,
    Severity.LOW: PolicySeverity.LOW,
}


class UndecidedError(UnknownValueError):
    """Raised when a control cannot be decided before the resources exist.

    pulumi-policy reports an `UnknownValueError` as an advisory diagnostic with `.message`.
    """

    def __init__(self, control: Control, messages: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        shown = "; ".join(messages[:3]) + (
            f" (+{len(messages) - 3} more)" if len(messages) > 3 else ""
        )
        self.message = f"{control.id} undecided until the resources exist: {shown}"
        self.args = (self.message,)


def policy_from_environment(environ: Mapping[str, str] | None = None) -> PolicyConfig:
    """The stack's `golive:policy`, from the config the engine passes policy packs.

    The engine sets `PULUMI_CONFIG` to the stack's config as a JSON object of fully qualified
    keys to string values (structured values as JSON text) before it starts the pack; without
    it (e.g. `pulumi policy publish`), or without the key, the default applies: mandatory, no
    exceptions. The config model's `PolicyConfig` parses it, as it does for `golive plan
    --controls`; an invalid declaration raises its `ValidationError`, and the program's own
    config check reports the same problem in the same preview.
    """
    raw = (os.environ if environ is None else environ).get("PULUMI_CONFIG")
    config: Mapping[str, str] = json.loads(raw) if raw else {}
    declared = config.get(POLICY_CONFIG_KEY)
    return PolicyConfig() if declared is None else PolicyConfig.model_validate_json(declared)


def enforcement_level(policy: PolicyConfig) -> EnforcementLevel:
    return (
        EnforcementLevel.MANDATORY
        if policy.enforcement == "mandatory"
        else EnforcementLevel.ADVISORY
    )


def build_policies(policy: PolicyConfig, controls: Sequence[Control] = CONTROLS) -> list[Policy]:
    """One policy per control, sharing the rule functions with the tests and the report."""
    policies: list[Policy] = []
    for control in controls:
        common: dict[str, Any] = {
            "name": control.id,
            "description": f"{control.title}: {control.description} [{control.source}]",
            "severity": _SEVERITY[control.severity],
        }
        if control.resource_rule is not None:
            policies.append(
                ResourceValidationPolicy(validate=_resource_validator(control, policy), **common)
            )
        else:
            policies.append(
                StackValidationPolicy(validate=_stack_validator(control, policy), **common)
            )
    return policies


def input_rules_policy() -> ResourceValidationPolicy:
    """AWS's create-time input rules as one mandatory policy, whatever the stack's enforcement:
    no declaration makes AWS accept a name it refuses, and stopping before `up` starts is the
    point."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for refusal in refusals(args.resource_type, _plain(args.props)):
            report_violation(f"AWS would refuse {refusal}", None)

    return ResourceValidationPolicy(
        name=INPUT_RULES_POLICY,
        description=(
            "Inputs AWS refuses at create time although the provider's schema allows them "
            "(names, descriptions, tags) [AWS API reference, as botocore's models ship it]"
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=PolicySeverity.HIGH,
    )


def _resource_validator(control: Control, policy: PolicyConfig) -> Any:
    rule = control.resource_rule
    assert rule is not None

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in control.applies_to:
            return
        props = _plain(args.props)
        options = _options(args.opts)
        resource = Resource(args.resource_type, args.name, args.urn, props, options)
        if not control.concerns(resource):
            return
        violations = rule(args.resource_type, props, options)
        _report(control, policy, violations, report_violation, per_resource=True)

    return validate


def _stack_validator(control: Control, policy: PolicyConfig) -> Any:
    rule = control.stack_rule
    assert rule is not None

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources: list[Resource] = []
        for item in args.resources:
            props = _plain(item.props)
            resources.append(
                Resource(
                    type=item.resource_type,
                    name=item.name,
                    urn=item.urn,
                    inputs=props,
                    options=_options(item.opts),
                    id=props.get("id"),
                    outputs=props,
                )
            )
        violations = control.check(resources)
        if violations is not None:
            _report(control, policy, violations, report_violation, per_resource=False)

    return validate


def _report(
    control: Control,
    policy: PolicyConfig,
    violations: Sequence[Violation],
    report_violation: ReportViolation,
    *,
    per_resource: bool,
) -> None:
    """Report failures; then, if any check was undecidable, raise so the engine says so."""
    declared = control.declared_exception(policy.declared_exceptions())
    remaining = [v for v in violations if not (declared is not None and v.waivable)]
    for violation in remaining:
        if violation.outcome is Outcome.FAIL:
            # A resource policy's violation always belongs to the resource under validation.
            report_violation(violation.message, None if per_resource else violation.urn)
    undecided = [v.message for v in remaining if v.outcome is Outcome.UNKNOWN]
    if undecided:
        raise UndecidedError(control, undecided)


def _plain(value: Any) -> Any:
    """The engine's props without its unknown-raising proxies (sentinels kept, read as unknown)."""
    target = value
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        target = value["__target"]
    if isinstance(target, Mapping):
        typed = cast(Mapping[str, Any], target)
        return {key: _plain(typed[key]) for key in typed}
    if isinstance(target, list | tuple):
        return [_plain(item) for item in cast(Sequence[Any], target)]
    return normalize(target)


def _options(opts: PolicyResourceOptions | None) -> dict[str, Any]:
    """Options in the harness's camelCase shape. The engine does not send `retainOnDelete`, so
    it is absent here and rules that need it report "unknown" (checked after deploy instead)."""
    if opts is None:
        return {}
    return {
        "protect": bool(opts.protect),
        "ignoreChanges": list(opts.ignore_changes or []),
        "deleteBeforeReplace": bool(opts.delete_before_replace),
        "aliases": list(opts.aliases or []),
        "parent": opts.parent,
    }
