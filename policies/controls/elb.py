"""Load balancer controls: listeners, TLS, access logs, deletion protection, AZs, WAF and
health checks of the Application Load Balancer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from policies import aws
from policies.aws import of_type, referenced, referrers, refers_to
from policies.checks import equals, is_set, negate, not_equal, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, Tri, all3, any3, as_list, get, is_true, unwrap

controls = Controls("Load balancer (ELB)")


def _is_application_lb(props: Props) -> bool:
    return unwrap(get(props, "loadBalancerType")) in (None, "application")


@controls.resource_rule(
    id="ELB.1",
    title="HTTP redirects to HTTPS",
    severity=Severity.MEDIUM,
    source="FSBP, AG, CKV2_AWS_20, PCP",
    covers=("CKV2_AWS_20",),
    applies_to=(aws.LISTENER,),
    exception_allowed=True,
    description="An HTTP listener's only default action redirects to HTTPS.",
    why=(
        "Plain HTTP can be read and changed on the way; redirecting sends every client to HTTPS "
        "instead of serving it in clear text."
    ),
)
def http_redirects(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.1: an HTTP listener has exactly one default action: redirect to HTTPS (AWSGuard)."""
    protocol = unwrap(get(props, "protocol"))
    if protocol is UNKNOWN:
        return [unknown("cannot check yet: listener protocol not known")]
    if protocol != "HTTP":
        return []
    actions = as_list(get(props, "defaultActions"))
    if actions is UNKNOWN:
        return [unknown("cannot check yet: defaultActions not known")]
    if len(actions) != 1:
        return [fail(f"HTTP listener has {len(actions)} default actions; expected one redirect")]
    redirect = all3(
        [
            equals(get(actions[0], "type"), "redirect"),
            equals(get(actions[0], "redirect.protocol"), "HTTPS"),
        ]
    )
    return require(redirect, "HTTP listener does not redirect to HTTPS")


@controls.resource_rule(
    id="ELB.4",
    title="Drop invalid headers",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_131",
    covers=("CKV_AWS_131",),
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=False,
    description="dropInvalidHeaderFields is true.",
    why=("Headers with invalid names are a vector for HTTP request smuggling against the targets."),
)
def drop_invalid_headers(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.4: the ALB drops HTTP headers with invalid names (request smuggling)."""
    if not _is_application_lb(props):
        return []
    return require(
        is_true(get(props, "dropInvalidHeaderFields")), "dropInvalidHeaderFields is not true"
    )


@controls.resource_rule(
    id="ELB.5",
    title="ALB access logs",
    severity=Severity.MEDIUM,
    source="FSBP, AG, CKV_AWS_91",
    covers=("CKV_AWS_91",),
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=True,
    description="accessLogs.enabled is true.",
    why=(
        "The access log records every request the load balancer saw: the evidence for "
        "investigating an incident or a burst of 5xx."
    ),
)
def alb_access_logs(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.5: access logs are delivered to S3."""
    return require(is_true(get(props, "accessLogs.enabled")), "accessLogs.enabled is not true")


@controls.resource_rule(
    id="ELB.6",
    title="ALB deletion protection",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_150",
    covers=("CKV_AWS_150",),
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=True,
    description="enableDeletionProtection is true.",
    why=(
        "A stray `pulumi destroy` or console click cannot delete the load balancer that serves the "
        "traffic."
    ),
)
def alb_deletion_protection(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.6: deletion protection is on."""
    return require(
        is_true(get(props, "enableDeletionProtection")), "enableDeletionProtection is not true"
    )


@controls.resource_rule(
    id="ELB.12",
    title="Desync mitigation",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_328",
    covers=("CKV_AWS_328",),
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=False,
    description="desyncMitigationMode is defensive or strictest.",
    why=(
        "Requests that could desynchronize the load balancer and its targets (request smuggling) "
        "are blocked; `monitor` mode lets them through."
    ),
)
def desync_mitigation(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ELB.12: desync mitigation is defensive or strictest (the default is defensive)."""
    if not _is_application_lb(props):
        return []
    return require(
        not_equal(get(props, "desyncMitigationMode"), "monitor"),
        "desyncMitigationMode is 'monitor'",
    )


@controls.stack_rule(
    id="ELB.13",
    title="ALB in >=2 AZs",
    severity=Severity.MEDIUM,
    source="FSBP",
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=False,
    description="The load balancer's subnets span at least two availability zones.",
    why="A load balancer in one AZ goes down with that AZ.",
)
def alb_multi_az(resources: Sequence[Resource]) -> list[Violation]:
    """ELB.13: each load balancer spans at least two availability zones."""
    found: list[Violation] = []
    for lb in of_type(resources, aws.LOAD_BALANCER):
        refs: Any = lb.get("subnets")
        if unwrap(refs) is None:
            mappings = as_list(lb.get("subnetMappings"))
            refs = UNKNOWN if mappings is UNKNOWN else [get(m, "subnetId") for m in mappings]
        listed = as_list(refs)
        if listed is not UNKNOWN and len(listed) < 2:
            found.append(fail(f"{lb.name}: {len(listed)} subnet(s); needs two AZs", urn=lb.urn))
            continue
        zones = aws.availability_zones(refs, resources)
        if zones is None:
            found.append(unknown(f"{lb.name}: subnets' AZs not known yet", urn=lb.urn))
        elif len(zones) < 2:
            found.append(fail(f"{lb.name}: subnets span {len(zones)} AZ", urn=lb.urn))
    return found


MODERN_ALB_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]-.+|FS-1-2-.+|TLS-1-2-.+)$")
"""TLS 1.2+ only policies (the default ELBSecurityPolicy-2016-08 still allows TLS 1.0)."""


@controls.stack_rule(
    id="ELB.17",
    title="TLS listener, modern policy",
    severity=Severity.HIGH,
    source="FSBP ELB.17/18, CKV_AWS_2/103, PCP",
    covers=("ELB.18", "CKV_AWS_2", "CKV_AWS_103"),
    applies_to=(aws.LOAD_BALANCER, aws.LISTENER),
    exception_allowed=True,
    exception_never_covers=(
        "an HTTPS listener that exists: it always has a certificate and a TLS 1.2+ policy"
    ),
    description="An HTTPS listener with a certificate and a TLS 1.2+ security policy.",
    why=(
        "Traffic to the load balancer is encrypted with TLS 1.2 or newer; older versions have "
        "known weaknesses."
    ),
)
def tls_listener(resources: Sequence[Resource]) -> list[Violation]:
    """ELB.17/18: each ALB has an HTTPS listener, with a certificate and a TLS 1.2+ policy.

    The missing HTTPS listener is what a stack without a domain may declare; a listener that
    does exist must always be modern.
    """
    found: list[Violation] = []
    listeners = of_type(resources, aws.LISTENER)
    for lb in of_type(resources, aws.LOAD_BALANCER):
        if not _is_application_lb(lb.inputs):
            continue
        mine, uncertain = referrers(lb, listeners, "loadBalancerArn", "arn")
        https = [x for x in mine if unwrap(x.get("protocol")) == "HTTPS"]
        if not https:
            make = unknown if uncertain else fail
            found.append(make(f"{lb.name}: no HTTPS listener", urn=lb.urn))
    for listener in listeners:
        if unwrap(listener.get("protocol")) != "HTTPS":
            continue
        policy = unwrap(listener.get("sslPolicy"))
        urn = listener.urn
        if policy is UNKNOWN:
            found.append(
                unknown(f"{listener.name}: sslPolicy not known yet", urn=urn, waivable=False)
            )
        elif not isinstance(policy, str) or not MODERN_ALB_POLICY.match(policy):
            found.append(
                fail(
                    f"{listener.name}: sslPolicy {policy!r} allows TLS < 1.2",
                    urn=urn,
                    waivable=False,
                )
            )
        for v in require(
            is_set(listener.get("certificateArn")), "no certificateArn", waivable=False
        ):
            found.append(Violation(f"{listener.name}: {v.message}", v.outcome, listener.urn, False))
    return found


@controls.stack_rule(
    id="ELB.16",
    title="WAF on the ALB",
    severity=Severity.MEDIUM,
    source="FSBP, CKV2_AWS_28",
    covers=("CKV2_AWS_28",),
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=True,
    description="A WAF web ACL association, or no 0.0.0.0/0 ingress on the ALB's SGs.",
    why=(
        "A web ACL blocks common exploits and abusive request rates before they reach the "
        "application; a load balancer reachable only through CloudFront gets CloudFront's."
    ),
)
def alb_waf(resources: Sequence[Resource]) -> list[Violation]:
    """ELB.16: a WAF web ACL protects each ALB, or the ALB is not open to the internet."""
    found: list[Violation] = []
    associations = of_type(resources, aws.WAF_ASSOCIATION)
    groups = of_type(resources, aws.SECURITY_GROUP)
    rules = aws.security_group_rules(resources)
    for lb in of_type(resources, aws.LOAD_BALANCER):
        protected = any3(refers_to(a.get("resourceArn"), lb, "arn") for a in associations)
        if protected is True:
            continue
        refs = as_list(lb.get("securityGroups"))
        if refs is UNKNOWN:
            open_: Tri = UNKNOWN
        else:
            answers: list[Tri] = []
            for ref in refs:
                matched, unsure = referenced(ref, groups)
                if unsure:
                    answers.append(UNKNOWN)
                for group in matched:
                    answers += [
                        all3([rule.belongs_to(group), rule.is_open()])
                        for rule in rules
                        if rule.direction == "ingress"
                    ]
            open_ = any3(answers)
        verdict = any3([protected, negate(open_)])
        if verdict is False:
            found.append(fail(f"{lb.name}: open to the internet without a WAF web ACL", urn=lb.urn))
        elif verdict is UNKNOWN:
            found.append(unknown(f"{lb.name}: WAF association or SG not known yet", urn=lb.urn))
    return found


@controls.resource_rule(
    id="CKV_AWS_261",
    title="Target group health check",
    severity=Severity.MEDIUM,
    source="CKV, WA REL11",
    applies_to=(aws.TARGET_GROUP,),
    exception_allowed=False,
    description="HTTP target groups have an enabled health check with a path.",
    why=(
        "The load balancer routes only to targets that answer their health check, and ECS replaces "
        "the tasks that fail it."
    ),
)
def target_group_health_check(
    resource_type: str, props: Props, options: Options
) -> list[Violation]:
    """CKV_AWS_261: HTTP target groups check a health path (REL11: healing needs a signal)."""
    protocol = unwrap(get(props, "protocol"))
    if protocol not in (None, "HTTP", "HTTPS") and protocol is not UNKNOWN:
        return []
    found = require(
        not_equal(get(props, "healthCheck.enabled"), False), "healthCheck.enabled is false"
    )
    found += require(is_set(get(props, "healthCheck.path")), "healthCheck.path is not set")
    return found
