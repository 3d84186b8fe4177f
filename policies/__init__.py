"""golive's security and reliability controls as code (listed in docs/controls.md).

- `policies.controls`: one module per AWS service, each rule declared with its metadata;
- `policies.rules`: `CONTROLS`, every control in report order, and `control(id)`;
- `policies.report`: `evaluate(resources, policy)` -> `ControlsReport`, and `render(report)`;
- `policies.export`: `load_stack_export(path)` for the controls after a deploy;
- `policies.pulumi_pack` + `policies/pack/`: the same rules as a Pulumi policy pack;
- `policies.docs`: docs/controls.md, generated from the controls.

A stack's declared exceptions and enforcement are its validated `golive:policy`
(`stacks.config.PolicyConfig`).
"""
