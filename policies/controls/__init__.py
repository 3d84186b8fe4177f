"""The controls, one module per AWS service, each rule declared with its metadata.

A module creates one `policies.model.Controls` registry and declares every rule through it:
ID, title, severity, sources, what the rule checks, why it matters, the resource types it is
about and whether a stack may declare an exception (and what such an exception never covers),
right above the function. `policies.rules` puts the modules together in report order.

Two kinds of rule:

- resource rules `(resource_type, props, options) -> list[Violation]` look at one resource's
  camelCase inputs and options (the policy pack's `ResourceValidationPolicy`);
- stack rules `(resources) -> list[Violation]` look at relations between resources, such as
  "a FlowLog refers to each VPC" (the pack's `StackValidationPolicy`).

A rule returns no violations when the control holds. A value that is not known yet (a preview
before the resources exist) yields an `unknown` violation, never a pass: see `policies.values`.
Rules never see the stack's name; what a stack may relax comes from its `golive:policy`.
"""
