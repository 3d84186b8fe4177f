"""The load balancer controls (`policies/controls/elb.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies import aws
from policies.model import Status
from tests.policies.controls.cases import FAIL, PASS, UNK, Case, Mutation, check, params
from tests.policies.fixtures import (
    DELETE,
    ENGINE_UNKNOWN,
    UNKNOWN,
    add,
    chain,
    drop,
    mutate,
    res,
    sg_rule,
    unknown_id,
)

HEADER = "X-Origin-Verify"
FORWARD = [{"type": "forward", "targetGroupArn": "tg-arn"}]
ONLY_CLOUDFRONT = chain(
    mutate("alb", internal=False),
    drop("alb-https", "alb-http"),
    add(
        sg_rule(aws.INGRESS_RULE, "alb-cf", "sg-alb", prefixListId="pl-3b927c52",
                ipProtocol="tcp", fromPort=443, toPort=443),
        res(aws.LISTENER_RULE, "web-rule", {
            "listenerArn": "https-id", "priority": 100, "actions": FORWARD,
            "conditions": [{"pathPattern": {"values": ["/api/*"]}},
                           {"httpHeader": {"httpHeaderName": HEADER,
                                           "values": ["current-value", "previous-value"]}}]}),
    ),
    mutate("https", defaultActions=[{"type": "fixed-response",
                                     "fixedResponse": {"statusCode": "403"}}]),
    mutate("cdn", origins__1__customHeaders=[{"name": HEADER, "value": "current-value"}]),
)  # fmt: skip
"""The compliant stack with an internet-facing ALB behind CloudFront (`cdn.origin: publicAlb`):
only CloudFront's origin-facing prefix list on 443, and the secret origin header."""

CASES: list[Case] = [
    ("ELB.1", "HTTP forwards", mutate("http", defaultActions=[
        {"type": "forward", "targetGroupArn": "tg-arn"}]), FAIL),
    ("ELB.1", "redirect to HTTP", mutate("http", defaultActions__0__redirect__protocol="HTTP"),
     FAIL),
    ("ELB.1", "two default actions", mutate("http", defaultActions=[
        {"type": "redirect", "redirect": {"protocol": "HTTPS"}}, {"type": "forward"}]), FAIL),
    ("ELB.1", "actions unknown", mutate("http", defaultActions=UNKNOWN), UNK),
    ("ELB.4", "keeps invalid headers", mutate("alb", dropInvalidHeaderFields=False), FAIL),
    ("ELB.4", "flag unknown", mutate("alb", dropInvalidHeaderFields=ENGINE_UNKNOWN), UNK),
    ("ELB.5", "no access logs", mutate("alb", accessLogs__enabled=False), FAIL),
    ("ELB.5", "flag unknown", mutate("alb", accessLogs__enabled=UNKNOWN), UNK),
    ("ELB.6", "no deletion protection", mutate("alb", enableDeletionProtection=DELETE), FAIL),
    ("ELB.6", "flag unknown", mutate("alb", enableDeletionProtection=UNKNOWN), UNK),
    ("ELB.12", "monitor mode", mutate("alb", desyncMitigationMode="monitor"), FAIL),
    ("ELB.12", "mode unknown", mutate("alb", desyncMitigationMode=UNKNOWN), UNK),
    ("ELB.13", "one subnet", mutate("alb", subnets=["subnet-pub-a"]), FAIL),
    ("ELB.13", "two subnets in one AZ", mutate("pub-b", availabilityZone="us-east-1a"), FAIL),
    ("ELB.13", "subnets not created yet", mutate("alb", subnets=[UNKNOWN, UNKNOWN]), UNK),
    ("ELB.17", "TLS 1.0 policy", mutate("https", sslPolicy="ELBSecurityPolicy-2016-08"), FAIL),
    ("ELB.17", "default policy", mutate("https", sslPolicy=DELETE), FAIL),
    ("ELB.17", "no certificate", mutate("https", certificateArn=DELETE), FAIL),
    ("ELB.17", "no HTTPS listener", drop("https"), FAIL),
    ("ELB.17", "listener's ALB unknown", chain(unknown_id("alb"),
                                               mutate("https", loadBalancerArn=UNKNOWN)), UNK),
    ("ELB.16", "open ALB without WAF", drop("alb-waf"), FAIL),
    ("ELB.16", "association target unknown", mutate("alb-waf", resourceArn=UNKNOWN), UNK),
    ("SEC05.ALB_SOURCES", "internet-facing, open to the internet", chain(
        ONLY_CLOUDFRONT, add(sg_rule(aws.INGRESS_RULE, "alb-any", "sg-alb", cidrIpv4="0.0.0.0/0",
                                     ipProtocol="tcp", fromPort=443, toPort=443))), FAIL),
    ("SEC05.ALB_SOURCES", "the prefix list on a second port (110 of 60 rules)", chain(
        ONLY_CLOUDFRONT, add(sg_rule(aws.INGRESS_RULE, "alb-cf-80", "sg-alb",
                                     prefixListId="pl-3b927c52", ipProtocol="tcp", fromPort=80,
                                     toPort=80))), FAIL),
    ("SEC05.ALB_SOURCES", "a security group admitted", chain(
        ONLY_CLOUDFRONT, add(sg_rule(aws.INGRESS_RULE, "alb-from-tasks", "sg-alb",
                                     referencedSecurityGroupId="sg-task", ipProtocol="tcp",
                                     fromPort=443, toPort=443))), FAIL),
    ("SEC05.ALB_SOURCES", "scheme unknown", chain(ONLY_CLOUDFRONT,
                                                  mutate("alb", internal=UNKNOWN)), UNK),
    ("SEC05.ALB_SOURCES", "port unknown", chain(ONLY_CLOUDFRONT,
                                                mutate("alb-cf", fromPort=ENGINE_UNKNOWN)), UNK),
    ("SEC05.ORIGIN_HEADER", "the default action forwards", chain(
        ONLY_CLOUDFRONT, mutate("https", defaultActions=FORWARD)), FAIL),
    ("SEC05.ORIGIN_HEADER", "a rule without the header", chain(
        ONLY_CLOUDFRONT, mutate("web-rule", conditions=[
            {"pathPattern": {"values": ["/api/*"]}}])), FAIL),
    ("SEC05.ORIGIN_HEADER", "CloudFront sends no header", chain(
        ONLY_CLOUDFRONT, mutate("cdn", origins__1__customHeaders=DELETE)), FAIL),
    ("SEC05.ORIGIN_HEADER", "CloudFront sends a value the ALB refuses", chain(
        ONLY_CLOUDFRONT, mutate("cdn", origins__1__customHeaders__0__value="stale")), FAIL),
    ("SEC05.ORIGIN_HEADER", "conditions secret in the state", chain(
        ONLY_CLOUDFRONT, mutate("web-rule", conditions=UNKNOWN)), UNK),
    ("SEC05.ORIGIN_HEADER", "origins secret in the state", chain(
        ONLY_CLOUDFRONT, mutate("cdn", origins=UNKNOWN)), UNK),
    ("CKV_AWS_261", "no health path", mutate("web-tg", healthCheck__path=DELETE), FAIL),
    ("CKV_AWS_261", "health check off", mutate("web-tg", healthCheck__enabled=False), FAIL),
    ("CKV_AWS_261", "health check unknown", mutate("web-tg", healthCheck=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("ELB.16", "no WAF, but the ALB admits only CloudFront's prefix list", chain(
        drop("alb-waf", "alb-https", "alb-http"),
        add(sg_rule(aws.INGRESS_RULE, "alb-cf", "sg-alb", prefixListId="pl-3b927c52",
                    ipProtocol="tcp", fromPort=443, toPort=443))), PASS),
    ("ELB.12", "mode left to its default", mutate("alb", desyncMitigationMode=DELETE), PASS),
    ("SEC05.ALB_SOURCES", "internet-facing, only CloudFront's prefix list", ONLY_CLOUDFRONT,
     PASS),
    ("SEC05.ORIGIN_HEADER", "internet-facing, every rule requires the header", ONLY_CLOUDFRONT,
     PASS),
    ("SEC05.ORIGIN_HEADER", "the header's name in another case", chain(
        ONLY_CLOUDFRONT, mutate("cdn", origins__1__customHeaders__0__name="x-origin-verify")),
     PASS),
    ("ELB.16", "internet-facing without WAF, only CloudFront's prefix list", chain(
        ONLY_CLOUDFRONT, drop("alb-waf")), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
