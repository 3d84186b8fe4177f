"""golive's policy pack: every control of policies.rules.CONTROLS, as Pulumi policies.

Started by the Pulumi engine (`--policy-pack policies/pack`). Constructing `PolicyPack` starts a
gRPC server and never returns, so this is the only place that does it; tests import
`policies.pulumi_pack` instead. Enforcement and declared exceptions come from the stack's own
config (`golive:policy`, passed by the engine in PULUMI_CONFIG), never from the stack's name.
AWS's own input rules come with every pack, always mandatory.
"""

import sys
from pathlib import Path

# Evaluate the rules of this checkout even when the virtualenv holds another install of golive.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import PolicyPack

from policies.pulumi_pack import (
    PACK_NAME,
    build_policies,
    enforcement_level,
    input_rules_policy,
    policy_from_environment,
)

policy = policy_from_environment()
PolicyPack(
    name=PACK_NAME,
    policies=[*build_policies(policy), input_rules_policy()],
    enforcement_level=enforcement_level(policy),
    description="golive security and reliability controls (docs/controls.md)",
)
