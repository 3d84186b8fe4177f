# pyright: basic
# (Strict checking stops here: this file wraps the Pulumi SDK's untyped mock internals.)
"""Pulumi mocks that answer like AWS: realistic ids, ARNs, DNS names and data-source results.

Used by `plan.harness` for the tests and `golive plan`. Values are deterministic (derived from
the logical name) so two runs of the same stack agree and `--against` compares like with like.
Auto-naming is simulated the way Pulumi does it (`<logical>-<7 hex>`) so name checks see the
names AWS would see. A resource type or invoke the tables do not know is an error, not a silent
`None`: the program must not grow a resource the plan cannot describe.

Like AWS, and unlike the provider's schema, the mocks judge what they are asked to create: every
resource's inputs, with the physical name it gets, go through AWS's create-time input rules
(`aws_facts.input_rules`). Each refusal is kept (`AwsMocks.refused`), and the harness fails the
run with all of them (`RefusedInputs`), as `pulumi up` would fail at the first.

The answers live with their tier (`network`, `account`, `storage`, `data`, `compute`, `edge`,
`monitoring`); AWS's own ids and names come from `aws_facts`, never from the code being mocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from aws_facts.input_rules import refusals
from plan.mocks import account, compute, data, edge, monitoring, network, storage
from plan.mocks.context import ACCOUNT_ID, Answers, Builder, Ctx, Invoke, MockLookupError

TIERS: tuple[Answers, ...] = tuple(
    tier.answers for tier in (network, account, storage, data, compute, edge, monitoring)
)
_BUILDERS: dict[str, Builder] = {t: fn for tier in TIERS for t, fn in tier.builders.items()}
_INVOKES: dict[str, Invoke] = {t: fn for tier in TIERS for t, fn in tier.invokes.items()}


@dataclass
class Lookups:
    """What already exists in the account when the program runs (data-source answers)."""

    account_id: str = ACCOUNT_ID
    zones: dict[str, str] | None = None
    """Hosted zones by name -> zone id. None: every zone asked for exists (made by bootstrap)."""
    released_images: dict[str, str] = field(default_factory=dict[str, str])
    """SSM parameter name -> value, as written by `golive release`. Empty: nothing released."""
    availability_zones: list[str] | None = None
    """AZ names the region offers; None: the region's real list."""
    local_zones: list[str] | None = None
    """Local Zones the account opted in to: `getAvailabilityZones` returns them too unless
    filtered out by `opt-in-status`. None: the region's (`aws_facts.regions.LOCAL_ZONES`)."""
    github_oidc_provider: bool = True
    """Whether `golive bootstrap --github-oidc` created the account's OIDC provider."""


class RefusedInputs(Exception):
    """Inputs AWS would refuse when it creates the resource: `pulumi up` would fail there, after
    the resources declared before it exist. `refused` lists each (resource, input, value, rule)."""

    def __init__(self, refused: list[str]) -> None:
        self.refused = refused
        count = len(refused)
        lines = [
            f"{count} input{'s' if count != 1 else ''} AWS would refuse at create time (the "
            "provider's schema lets them through, so `pulumi up` would fail partway):",
            *(f"  - {item}" for item in refused),
        ]
        super().__init__("\n".join(lines))


class AwsMocks(Mocks):
    """Answers resource registrations and invokes with AWS-shaped values."""

    def __init__(self, region: str, lookups: Lookups, preview: bool = False) -> None:
        self.region = region
        self.lookups = lookups
        self.preview = preview
        self.account = lookups.account_id
        self.warnings: list[str] = []
        self.invokes: list[str] = []
        self.vpc_origin_ids: list[str] = []
        """CloudFront VPC origins created so far: CloudFront creates the account's
        `CloudFront-VPCOrigins-Service-SG` group with the first one (edge)."""
        self.refused: list[str] = []
        """Inputs AWS would refuse, one line each: `<type> <logical name>: <input> ...`."""
        self.managed_password_instances: set[str] = set()
        """ARNs of the DB instances created so far whose master password RDS manages: AWS
        refuses a read replica of one (data)."""

    # ------------------------------------------------------------------ resources

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", inputs
        if args.typ.startswith("golive:"):
            return None, inputs
        builder = _BUILDERS.get(args.typ)
        if builder is None:
            raise NotImplementedError(
                f"plan/mocks has no outputs for {args.typ} ({args.name}): add a builder to its "
                "tier's module that returns the computed outputs AWS really returns"
            )
        if self.preview:
            # In a real preview, computed outputs are unknown until the resource exists. The
            # builder is not even called: an Output it created would never resolve, and the
            # engine waits for every Output, so the run would hang.
            self._judge(args, inputs)
            return None, inputs
        resource_id, computed = builder(Ctx(self, args.typ, args.name, inputs))
        state = {**inputs, **computed}
        self._judge(args, state)
        return resource_id, state

    def _judge(self, args: MockResourceArgs, state: dict[str, Any]) -> None:
        """Keep what AWS would refuse in `state` (inputs, and the names the builder gave)."""
        for refusal in refusals(args.typ, state):
            self.refused.append(f"{args.typ} {args.name}: {refusal}")

    # ------------------------------------------------------------------ invokes

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.invokes.append(args.token)
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"plan/mocks does not answer the invoke {args.token}: add a handler to its "
                "tier's module"
            )
        try:
            return handler(self, dict(args.args)), []
        except MockLookupError as exc:
            # As a real provider does: the invoke fails with a reason, raised to its caller
            # ("invoke of <token> failed: <reason> (<property>)"), which may handle it.
            return {}, [(exc.property, str(exc))]
