"""Route 53 controls: query logging of the hosted zone the stack's records use."""

from __future__ import annotations

from collections.abc import Sequence

from policies import aws
from policies.aws import of_type
from policies.model import Controls, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, unwrap

controls = Controls("Route 53")


@controls.stack_rule(
    id="Route53.2",
    title="DNS query logging",
    severity=Severity.MEDIUM,
    source="FSBP, CKV2_AWS_39",
    covers=("CKV2_AWS_39",),
    applies_to=(aws.ROUTE53_RECORD,),
    exception_allowed=True,
    description="A QueryLog exists for the hosted zone the stack's records use.",
    why=(
        "A log of the DNS queries for the domain, for investigating abuse or misconfigured clients."
    ),
)
def dns_query_logging(resources: Sequence[Resource]) -> list[Violation]:
    """Route53.2: the hosted zone the stack's records live in logs DNS queries."""
    zones: set[str] = set()
    for record in of_type(resources, aws.ROUTE53_RECORD):
        zone = unwrap(record.get("zoneId"))
        if zone is UNKNOWN:
            return [unknown("a record's zoneId is not known yet")]
        if isinstance(zone, str):
            zones.add(zone)
    logged: set[str] = set()
    for query_log in of_type(resources, aws.QUERY_LOG):
        zone = unwrap(query_log.get("zoneId"))
        if zone is UNKNOWN:
            return [unknown("a query log's zoneId is not known yet")]
        if isinstance(zone, str):
            logged.add(zone)
    return [fail(f"hosted zone {zone} has no query logging") for zone in sorted(zones - logged)]
