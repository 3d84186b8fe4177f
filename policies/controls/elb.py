"""Load balancer controls: listeners, TLS, access logs, deletion protection, AZs, WAF and
health checks of the Application Load Balancer, and what keeps an internet-facing one behind
CloudFront (its sources, its origin header)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aws_facts.cloudfront import CLOUDFRONT_ORIGIN_FACING_WEIGHT
from aws_facts.limits import SECURITY_GROUP_RULES
from policies import aws
from policies.aws import SgRule, of_type, referenced, referrers, refers_to
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


def _internet_facing(resources: Sequence[Resource]) -> list[tuple[Resource, Tri]]:
    """Each application load balancer and whether it is internet-facing (unknown: maybe)."""
    found: list[tuple[Resource, Tri]] = []
    for lb in of_type(resources, aws.LOAD_BALANCER):
        if not _is_application_lb(lb.inputs):
            continue
        internal = unwrap(lb.get("internal"))
        found.append((lb, UNKNOWN if internal is UNKNOWN else internal is not True))
    return found


def _cloudfront_only(lb: Resource, rule: SgRule) -> list[Violation]:
    """Whether an ingress rule admits nothing but a prefix list, on 443/tcp."""
    where = f"{lb.name}: {rule.source.name}"
    cidrs = as_list(rule.cidrs)
    if cidrs is UNKNOWN or cidrs:
        return [fail(f"{where} admits addresses ({cidrs})", urn=rule.source.urn)]
    if rule.referenced_group is not None:
        return [fail(f"{where} admits a security group", urn=rule.source.urn)]
    if as_list(rule.prefix_lists) == []:
        return [fail(f"{where} admits no prefix list", urn=rule.source.urn)]
    ports, protocol = rule.ports(), unwrap(rule.protocol)
    if ports is None or protocol is UNKNOWN:
        return [unknown(f"{where}: ports not known yet", urn=rule.source.urn)]
    if ports != (443.0, 443.0) or str(protocol) != "tcp":
        return [fail(f"{where} admits {protocol} {ports}, not 443/tcp only", urn=rule.source.urn)]
    return []


@controls.stack_rule(
    id="SEC05.ALB_SOURCES",
    title="Internet-facing ALB admits only CloudFront",
    severity=Severity.HIGH,
    source="WA SEC05, AWS CloudFront guide (origin-facing prefix list)",
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=False,
    description=(
        "An internet-facing ALB's security groups admit only CloudFront's origin-facing prefix "
        f"list on 443/tcp, within the {SECURITY_GROUP_RULES}-rule budget (the list weighs "
        f"{CLOUDFRONT_ORIGIN_FACING_WEIGHT})."
    ),
    why=(
        "Only CloudFront can open a connection, so nobody reaches the app around the "
        "distribution's TLS, headers and WAF; the prefix list weighs 55 of a group's 60 rules, "
        "so a second port or list does not even fit."
    ),
)
def alb_admits_only_cloudfront(resources: Sequence[Resource]) -> list[Violation]:
    """SEC05: every ingress rule of an internet-facing ALB's groups is a prefix list on 443."""
    found: list[Violation] = []
    groups = of_type(resources, aws.SECURITY_GROUP)
    ingress = [r for r in aws.security_group_rules(resources) if r.direction == "ingress"]
    for lb, facing in _internet_facing(resources):
        if facing is False:
            continue
        if facing is UNKNOWN:
            found.append(unknown(f"{lb.name}: internal or internet-facing not known", urn=lb.urn))
            continue
        refs = as_list(lb.get("securityGroups"))
        if refs is UNKNOWN:
            found.append(unknown(f"{lb.name}: security groups not known yet", urn=lb.urn))
            continue
        for ref in refs:
            matched, unsure = referenced(ref, groups)
            if unsure:
                found.append(unknown(f"{lb.name}: a security group not known yet", urn=lb.urn))
            for group in matched:
                found += _group_admits_only_cloudfront(lb, group, ingress)
    return found


def _group_admits_only_cloudfront(
    lb: Resource, group: Resource, ingress: Sequence[SgRule]
) -> list[Violation]:
    found: list[Violation] = []
    weight = 0
    for rule in ingress:
        belongs = rule.belongs_to(group)
        if belongs is False:
            continue
        if belongs is UNKNOWN:
            found.append(unknown(f"{lb.name}: {rule.source.name} may belong to {group.name}"))
            continue
        found += _cloudfront_only(lb, rule)
        # A prefix-list rule weighs the list's maximum entries: CloudFront's, the only list
        # this control lets an internet-facing ALB admit, weighs 55; any other rule weighs 1.
        lists = as_list(rule.prefix_lists)
        weight += CLOUDFRONT_ORIGIN_FACING_WEIGHT * len(lists) if lists not in (UNKNOWN, []) else 1
    if weight > SECURITY_GROUP_RULES:
        found.append(
            fail(
                f"{lb.name}: {group.name}'s ingress rules weigh {weight} of the "
                f"{SECURITY_GROUP_RULES} a group holds",
                urn=group.urn,
            )
        )
    return found


@controls.stack_rule(
    id="SEC05.ORIGIN_HEADER",
    title="Internet-facing ALB requires the origin header",
    severity=Severity.HIGH,
    source="WA SEC05, AWS CloudFront guide (restrict access to ALB with a custom header)",
    applies_to=(aws.LOAD_BALANCER,),
    exception_allowed=False,
    description=(
        "An internet-facing ALB's HTTPS listener refuses by default, every rule requires a "
        "header, and the distribution sends one of its values over https-only."
    ),
    why=(
        "The prefix list admits every CloudFront distribution, of any account: the secret "
        "header is what tells this distribution's requests apart."
    ),
)
def alb_requires_origin_header(resources: Sequence[Resource]) -> list[Violation]:
    """SEC05: no listener of an internet-facing ALB forwards a request without the header."""
    found: list[Violation] = []
    listeners = of_type(resources, aws.LISTENER)
    rules = of_type(resources, aws.LISTENER_RULE)
    sent = _headers_cloudfront_sends(resources)
    for lb, facing in _internet_facing(resources):
        if facing is not True:
            if facing is UNKNOWN:
                found.append(unknown(f"{lb.name}: internal or internet-facing not known"))
            continue
        mine, uncertain = referrers(lb, listeners, "loadBalancerArn", "arn")
        if uncertain:
            found.append(unknown(f"{lb.name}: a listener's load balancer not known yet"))
        for listener in mine:
            found += _listener_requires_header(listener, rules, sent)
    return found


def _headers_cloudfront_sends(resources: Sequence[Resource]) -> list[tuple[Any, Any]]:
    """(name, value) of every custom header a distribution sends to an https-only origin."""
    sent: list[tuple[Any, Any]] = []
    for distribution in of_type(resources, aws.DISTRIBUTION):
        origins = as_list(distribution.get("origins"))
        if origins is UNKNOWN:  # e.g. a deployed state, where a secret header hides them all
            sent.append((UNKNOWN, UNKNOWN))
            continue
        for origin in origins:
            if unwrap(get(origin, "customOriginConfig.originProtocolPolicy")) != "https-only":
                continue
            headers = as_list(get(origin, "customHeaders"))
            for header in [UNKNOWN] if headers is UNKNOWN else headers:
                sent.append((unwrap(get(header, "name")), unwrap(get(header, "value"))))
    return sent


def _listener_requires_header(
    listener: Resource, rules: Sequence[Resource], sent: Sequence[tuple[Any, Any]]
) -> list[Violation]:
    name, urn = listener.name, listener.urn
    actions = as_list(listener.get("defaultActions"))
    if actions is UNKNOWN:
        return [unknown(f"{name}: default actions not known yet", urn=urn)]
    found: list[Violation] = []
    if any(unwrap(get(a, "type")) == "forward" for a in actions):
        found.append(fail(f"{name}: the default action forwards without the header", urn=urn))
    mine, uncertain = referrers(listener, rules, "listenerArn", "arn")
    if uncertain:
        found.append(unknown(f"{name}: a listener rule's listener not known yet", urn=urn))
    for rule in mine:
        found += _rule_requires_header(rule, sent)
    return found


def _rule_requires_header(rule: Resource, sent: Sequence[tuple[Any, Any]]) -> list[Violation]:
    conditions = as_list(rule.get("conditions"))
    if conditions is UNKNOWN:
        return [unknown(f"{rule.name}: conditions not known (secret or not yet)", urn=rule.urn)]
    checks = [get(c, "httpHeader") for c in conditions if get(c, "httpHeader") is not None]
    if not checks:
        return [fail(f"{rule.name}: forwards without checking a header", urn=rule.urn)]
    answers: list[Tri] = []
    for check in checks:
        header, values = unwrap(get(check, "httpHeaderName")), as_list(get(check, "values"))
        for sent_name, sent_value in sent:
            if UNKNOWN in (header, sent_name, sent_value) or values is UNKNOWN:
                answers.append(UNKNOWN)
            else:
                same = str(sent_name).lower() == str(header).lower()
                answers.append(same and sent_value in values)
    return require(
        any3(answers), f"{rule.name}: no distribution sends a value it accepts over https-only"
    )
