"""How long AWS takes: resource creates (what a cold `pulumi up` waits for) and the operations of
a release, in minutes.

Each figure is `Minutes(typical, upper, source)`. Where the source gives a range, `typical` is
its middle and `upper` its top; where it gives one figure, that figure is `typical`. Estimates
from these figures are typical durations, never promises: AWS has slow days. A create the
provider does not wait on (one API call and a read-back) is `QUICK_CREATE`.

`docs/deploy-time.md` is generated from this module (`python -m plan.estimate`); a test keeps
it in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Minutes:
    typical: float
    upper: float
    source: str

    def __add__(self, other: Minutes) -> Minutes:
        return Minutes(self.typical + other.typical, self.upper + other.upper, "")


NOTHING = Minutes(0.0, 0.0, "no AWS call (a Pulumi component)")

QUICK_CREATE = Minutes(
    0.1,
    0.25,
    "one create call and a read-back, no waiter: terraform logs show 2-10 s for subnets, "
    "subnet groups, security groups and rules (turbot/steampipe-plugin-aws#184, #246)",
)

# ----------------------------------------------------------------------------- creates

VPC = Minutes(
    0.3,
    0.7,
    "measured: 20 s and 39 s until `available` (turbot/steampipe-plugin-aws#184, #246)",
)
NAT_GATEWAY = Minutes(
    2.0,
    5.0,
    "measured reports ~2 min until `available`; up to 5 (kubernetes/kops#944)",
)
INTERFACE_ENDPOINT = Minutes(
    1.5,
    3.0,
    "estimate: an interface endpoint's network interfaces come up in 1-2 min (`available`)",
)
LOAD_BALANCER = Minutes(
    2.5,
    3.5,
    "measured reports ~2.5 min until `active` (the provider waits for it)",
)
RDS_INSTANCE = Minutes(
    6.5,
    8.0,
    "measured reports: 5-8 min for a single-AZ PostgreSQL instance until `available`",
)
RDS_INSTANCE_MULTI_AZ = Minutes(
    17.0,
    20.0,
    "measured reports: 14-20 min for a Multi-AZ instance (the standby is built from the "
    "primary's snapshot)",
)
CACHE_REPLICATION_GROUP = Minutes(
    8.0,
    15.0,
    "measured: 6.6 min for a one-node cluster (hashicorp/terraform#8275); replicas and TLS "
    "take longer",
)
CERTIFICATE_VALIDATION = Minutes(
    5.25,
    9.0,
    "measured reports: 1.5-9 min from the DNS validation record to `ISSUED`",
)
ROUTE53_RECORD = Minutes(
    0.75,
    1.0,
    "AWS Route 53 guide: changes generally reach every name server within 60 s; the provider "
    "waits for INSYNC (first poll after 10-30 s, then every 15 s)",
)
CLOUDFRONT_DISTRIBUTION = Minutes(
    3.5,
    4.0,
    "measured reports: 3-4 min until `Deployed` (golive waits for deployment)",
)
CLOUDFRONT_VPC_ORIGIN = Minutes(
    12.5,
    15.0,
    "measured reports: 10-15 min until `Deployed`; the provider's 15-minute default timed out "
    "(terraform-aws-modules/terraform-aws-cloudfront#163)",
)
ECS_SERVICE_STEADY = Minutes(
    2.0,
    3.0,
    "measured reports: 1-3 min until the service is stable (golive sets wait_for_steady_state)",
)

CREATES: Mapping[str, Minutes] = {
    "aws:ec2/vpc:Vpc": VPC,
    "aws:ec2/natGateway:NatGateway": NAT_GATEWAY,
    "aws:lb/loadBalancer:LoadBalancer": LOAD_BALANCER,
    "aws:rds/instance:Instance": RDS_INSTANCE,
    "aws:elasticache/replicationGroup:ReplicationGroup": CACHE_REPLICATION_GROUP,
    "aws:acm/certificateValidation:CertificateValidation": CERTIFICATE_VALIDATION,
    "aws:route53/record:Record": ROUTE53_RECORD,
    "aws:cloudfront/distribution:Distribution": CLOUDFRONT_DISTRIBUTION,
    "aws:cloudfront/vpcOrigin:VpcOrigin": CLOUDFRONT_VPC_ORIGIN,
    "aws:ecs/service:Service": ECS_SERVICE_STEADY,
}
"""Creates that take longer than `QUICK_CREATE`, by Pulumi type token (variants below)."""

VARIANTS: Mapping[str, tuple[str, object, Minutes]] = {
    "aws:rds/instance:Instance": ("multiAz", True, RDS_INSTANCE_MULTI_AZ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcEndpointType", "Interface", INTERFACE_ENDPOINT),
}
"""Types whose create time depends on an input: (input, value, the figure it selects)."""


def create_minutes(type_token: str, inputs: Mapping[str, Any]) -> Minutes:
    """How long creating one resource of `type_token` with these (camelCase) inputs takes."""
    variant = VARIANTS.get(type_token)
    if variant is not None and inputs.get(variant[0]) == variant[1]:
        return variant[2]
    return CREATES.get(type_token, QUICK_CREATE)


# ----------------------------------------------------------------------------- operations

RDS_SNAPSHOT = Minutes(
    3.0,
    8.0,
    "estimate: a manual snapshot of a small gp3 instance (20-100 GB) is incremental after the "
    "first and `available` in a few minutes; the first copies the whole volume",
)
FARGATE_TASK_START = Minutes(
    0.75,
    1.5,
    "measured reports: 30-60 s from RunTask to RUNNING for an image of a few hundred MB (the "
    "image pull dominates; larger images take longer)",
)
CLOUDFRONT_INVALIDATION = Minutes(
    3.0,
    5.0,
    "CloudFront guide: invalidations typically complete in 60-300 s",
)
ECS_ALARM_BAKE = (
    "ECS guide, 'How CloudWatch alarms detect Amazon ECS deployment failures': after the old "
    "tasks are gone ECS keeps watching the deployment's alarms for a bake time computed from "
    "their configuration, the longest evaluation window (aws/copilot-cli#4294)"
)
"""Where the rollout's alarm bake time comes from (its length: the rollback alarms' specs)."""
