"""golive's security and reliability controls (../shared/CONTROLS.md) as code.

- `policies.rules`: one plain function per control, and `CONTROLS`, the checklist with metadata;
- `policies.report`: `evaluate(resources, context)` -> `ControlsReport`, and `render(report)`;
- `policies.export`: `load_stack_export(path)` for the controls after a deploy;
- `policies.context`: `StackPolicy`, the exceptions and enforcement a stack file declares;
- `policies.pulumi_pack` + `policies/pack/`: the same rules as a Pulumi policy pack.
"""
