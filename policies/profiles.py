"""Exception profiles: named sets of declared exceptions, each with its reason, written once.

Every staging stack falls short of the same controls for the same reasons (no NAT, a single-AZ
database, no WAF, no access logs, nothing protected from deletion), and every stack of golive
differs from the checklist where golive does it differently by design (the hosted zone belongs
to `golive bootstrap`, secrets AWS cannot rotate are rotated by release). A stack file takes
such a set in one line, `golive:policy.profiles: [staging]`, instead of repeating each
exception; `golive:policy.exceptions` adds to it (or rewords one) and `golive:policy.required`
takes one out. The controls report and `golive plan --against` still list every exception one
by one, with its reason and the profile it comes from, and docs/controls.md lists the profiles.

A profile only declares; what a stack may fall short of is still the controls' own metadata (a
test holds every exception here to a control that allows one), and a profile's exception whose
control passes anyway is reported as not needed, never as a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """A named set of exceptions (control ID -> reason), optionally on top of other profiles."""

    name: str
    summary: str
    """Who takes it, as a phrase (docs/controls.md, the config reference)."""
    exceptions: Mapping[str, str]
    includes: tuple[str, ...] = ()
    """Profiles whose exceptions this one takes too (listed first)."""


BASELINE = Profile(
    name="baseline",
    summary=(
        "every stack, prod included: where golive meets a control's purpose another way by design"
    ),
    exceptions={
        "Route53.2": (
            "the hosted zone is shared by the account's stacks and owned by `golive bootstrap`, "
            "not by a stack: query logging is decided for the zone, once"
        ),
        "SecretsManager.1": (
            "generated, config and external secrets have no AWS rotation function: golive "
            "rotates them as a release step (the RDS-managed master secret rotates itself)"
        ),
        "EC2.10": (
            "no interface endpoints (~$7.30 each per AZ a month): AWS API calls leave through "
            "NAT or the internet gateway, over TLS; the free S3 gateway endpoint stays"
        ),
    },
)

STAGING = Profile(
    name="staging",
    summary=(
        "a disposable, cheaper copy of prod for rehearsing releases: baseline plus the usual "
        "staging trade-offs"
    ),
    includes=("baseline",),
    exceptions={
        "EC2.6": "flow logs off or REJECT-only: staging keeps refused connections, not every one",
        "REL10.NAT": "one NAT gateway (network.nat: single): an AZ outage cuts staging's egress",
        "ECS.2": (
            "no NAT gateway (network.nat: none): tasks run on public IPs, their security group "
            "admitting only the load balancer"
        ),
        "REL10.TASKS": (
            "one task per web service: a task or AZ failure takes staging down until ECS "
            "replaces it (deploys still start new tasks first)"
        ),
        "REL07": "no autoscaling floor of 2: one task is enough to rehearse a release",
        "ELB.5": "no load balancer access logs",
        "ELB.6": "no load balancer deletion protection: staging can be torn down",
        "RDS.5": "a single-AZ database: an AZ outage stops staging until RDS replaces it",
        "RDS.6": "no enhanced monitoring of the database",
        "RDS.8": (
            "no database deletion protection: staging can be torn down (the final snapshot is "
            "still taken)"
        ),
        "CloudFront.5": "no CloudFront access logs",
        "CloudFront.6": "no WAF (~$8/month and per request): staging is reached for testing",
        "S3.9": "no S3 server access logs",
        "PUL.1": (
            "protect: false: staging's data is disposable (the database's key is still kept on "
            "delete, so its snapshots stay restorable)"
        ),
    },
)

TRIAL = Profile(
    name="trial",
    summary=(
        "a stack without a domain, on CloudFront's own hostname and certificate: staging plus "
        "what a stack without a certificate cannot have"
    ),
    includes=("staging",),
    exceptions={
        "CloudFront.7": (
            "CloudFront's default certificate (`*.cloudfront.net`), with which AWS allows TLSv1 "
            "to viewers"
        ),
        "CloudFront.9": (
            "plain HTTP from CloudFront to the internal load balancer, inside the VPC origin: "
            "no certificate without a domain"
        ),
        "ELB.1": "no HTTPS listener to redirect to: the internal ALB answers CloudFront on HTTP",
        "ELB.17": "no TLS listener: ACM issues no certificate without a domain",
    },
)

PROFILES: Mapping[str, Profile] = {p.name: p for p in (BASELINE, STAGING, TRIAL)}


def exceptions_of(name: str) -> dict[str, tuple[str, str]]:
    """Control ID -> (reason, profile that declares it), included profiles first."""
    profile = PROFILES[name]
    found: dict[str, tuple[str, str]] = {}
    for included in profile.includes:
        found.update(exceptions_of(included))
    found.update({cid: (reason, name) for cid, reason in profile.exceptions.items()})
    return found
