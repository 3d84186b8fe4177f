"""CloudFront controls: HTTPS and TLS towards viewers and origins, private S3 origins, access
logs, WAF and security headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aws_facts.cloudfront import MANAGED_SECURITY_HEADERS_POLICY
from policies import aws
from policies.aws import of_type, referenced
from policies.checks import equals, is_in, is_set, negate, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, Tri, any3, as_list, get, truthy, unwrap

controls = Controls("CloudFront")


def _behaviors(props: Props) -> list[Any] | None:
    ordered = as_list(get(props, "orderedCacheBehaviors"))
    default = get(props, "defaultCacheBehavior")
    if ordered is UNKNOWN or default is UNKNOWN:
        return None
    return [default, *ordered] if default is not None else list(ordered)


def _default_behavior_serves_s3(distribution: Resource) -> bool:
    """Whether `/` reaches an S3 origin (a static site), or it cannot be told yet."""
    default_origin = unwrap(distribution.get("defaultCacheBehavior.targetOriginId"))
    origins = as_list(distribution.get("origins"))
    if default_origin is UNKNOWN or origins is UNKNOWN:
        return True
    for origin in origins:
        if unwrap(get(origin, "originId")) in (default_origin, UNKNOWN):
            return _is_s3_origin(origin) is not False
    return True


@controls.resource_rule(
    id="CloudFront.1",
    title="Default root object",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_305",
    covers=("CKV_AWS_305",),
    applies_to=(aws.DISTRIBUTION,),
    applies_when=_default_behavior_serves_s3,
    exception_allowed=False,
    description=(
        "Where `/` reaches an S3 origin (a static site): defaultRootObject is set. A "
        "distribution whose default behavior goes to the app's container is not concerned."
    ),
    why=(
        "A request for `/` returns the site's index instead of a bucket listing or an error; an "
        "app container answers `/` itself."
    ),
)
def cloudfront_root_object(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.1: a default root object, so `/` never lists or errors on an S3 origin."""
    return require(is_set(get(props, "defaultRootObject")), "defaultRootObject is not set")


@controls.resource_rule(
    id="CloudFront.3",
    title="HTTPS to viewers",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_34, PCP",
    covers=("CKV_AWS_34",),
    applies_to=(aws.DISTRIBUTION,),
    exception_allowed=False,
    description="Every cache behavior redirects to or requires HTTPS.",
    why="Viewers reach every path over TLS, the API included.",
)
def cloudfront_https(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.3: every behavior (default and ordered, e.g. /api/*) requires HTTPS."""
    behaviors = _behaviors(props)
    if behaviors is None:
        return [unknown("cannot check yet: cache behaviors not known")]
    found: list[Violation] = []
    for behavior in behaviors:
        pattern = unwrap(get(behavior, "pathPattern", "default"))
        found += require(
            is_in(get(behavior, "viewerProtocolPolicy"), ("redirect-to-https", "https-only")),
            f"behavior {pattern} allows plain HTTP to viewers",
        )
    return found


def _is_s3_origin(origin: Any) -> Tri:
    if get(origin, "s3OriginConfig") is not None:
        return True
    domain = unwrap(get(origin, "domainName"))
    if domain is UNKNOWN:
        return UNKNOWN if get(origin, "customOriginConfig") is None else False
    return isinstance(domain, str) and bool(re.search(r"\.s3[.-]", domain))


@controls.resource_rule(
    id="CloudFront.13",
    title="Origin access control for S3",
    severity=Severity.MEDIUM,
    source="FSBP, CKV2_AWS_46",
    covers=("CKV2_AWS_46",),
    applies_to=(aws.DISTRIBUTION, aws.ORIGIN_ACCESS_CONTROL),
    exception_allowed=False,
    description="S3 origins use an OAC (s3, always, sigv4); no OAI and no website endpoint.",
    why=("The bucket stays private: only this distribution, signing each request, may read it."),
)
def cloudfront_oac(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.13: S3 origins use origin access control (sigv4, always), never OAI or website."""
    if resource_type == aws.ORIGIN_ACCESS_CONTROL:
        if unwrap(get(props, "originAccessControlOriginType")) != "s3":
            return []
        return require(
            equals(get(props, "signingBehavior"), "always"), "signingBehavior is not 'always'"
        ) + require(equals(get(props, "signingProtocol"), "sigv4"), "signingProtocol is not sigv4")
    origins = as_list(get(props, "origins"))
    if origins is UNKNOWN:
        return [unknown("cannot check yet: origins not known")]
    found: list[Violation] = []
    for origin in origins:
        origin_id = unwrap(get(origin, "originId"))
        is_s3 = _is_s3_origin(origin)
        if is_s3 is False:
            continue
        domain = unwrap(get(origin, "domainName"))
        if isinstance(domain, str) and "s3-website" in domain:
            found.append(fail(f"origin {origin_id} is an S3 website endpoint (public bucket)"))
            continue
        oai = unwrap(get(origin, "s3OriginConfig.originAccessIdentity"))
        if isinstance(oai, str) and oai:
            found.append(fail(f"origin {origin_id} uses a legacy origin access identity"))
        answer = is_set(get(origin, "originAccessControlId"))
        if is_s3 is UNKNOWN and answer is False:
            answer = UNKNOWN
        found += require(answer, f"origin {origin_id} has no originAccessControlId")
    return found


@controls.resource_rule(
    id="CloudFront.9",
    title="TLS to origins",
    severity=Severity.HIGH,
    source="FSBP CloudFront.9/10, CKV2_AWS_72, PCP",
    covers=("CloudFront.10", "CKV2_AWS_72"),
    applies_to=(aws.DISTRIBUTION, aws.VPC_ORIGIN),
    exception_allowed=True,
    description="Custom and VPC origins: https-only, TLSv1.2 only.",
    why=(
        "Traffic from CloudFront to the origin is encrypted and cannot be downgraded to an older "
        "TLS version."
    ),
)
def cloudfront_origin_tls(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.9/10: HTTPS only to custom and VPC origins, TLSv1.2 only."""
    if resource_type == aws.VPC_ORIGIN:
        config = get(props, "vpcOriginEndpointConfig")
        return _origin_tls(
            get(config, "originProtocolPolicy"),
            get(config, "originSslProtocols.items"),
            "VPC origin",
        )
    origins = as_list(get(props, "origins"))
    if origins is UNKNOWN:
        return [unknown("cannot check yet: origins not known")]
    found: list[Violation] = []
    for origin in origins:
        custom = get(origin, "customOriginConfig")
        if custom is None:
            continue
        found += _origin_tls(
            get(custom, "originProtocolPolicy"),
            get(custom, "originSslProtocols"),
            f"origin {unwrap(get(origin, 'originId'))}",
        )
    return found


def _origin_tls(policy: Any, protocols: Any, label: str) -> list[Violation]:
    found = require(
        equals(policy, "https-only"), f"{label}: originProtocolPolicy is not https-only"
    )
    listed = as_list(protocols)
    if listed is UNKNOWN:
        found.append(unknown(f"cannot check yet: {label}: originSslProtocols not known"))
    elif not listed or set(listed) - {"TLSv1.2"}:
        found.append(fail(f"{label}: originSslProtocols {listed} allows more than TLSv1.2"))
    return found


CLOUDFRONT_MIN_TLS = re.compile(r"^TLSv1\.[23]_\d{4}$")
"""checkov's CKV_AWS_174 pattern: TLSv1.2_2019, TLSv1.2_2021, TLSv1.3_2025, ..."""


@controls.resource_rule(
    id="CloudFront.7",
    title="Custom certificate, SNI, modern TLS",
    severity=Severity.MEDIUM,
    source="FSBP CloudFront.7/8/15, CKV_AWS_174, CKV2_AWS_42, PCP",
    covers=("CloudFront.8", "CloudFront.15", "CKV_AWS_174", "CKV2_AWS_42"),
    applies_to=(aws.DISTRIBUTION,),
    exception_allowed=True,
    description="An ACM certificate, sni-only, minimum protocol TLSv1.2_YYYY or newer.",
    why=(
        "Viewers get the site's own certificate through SNI (no dedicated-IP fee) and only TLS 1.2 "
        "or newer."
    ),
)
def cloudfront_viewer_tls(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.7/8/15: own ACM certificate, SNI, and a TLS 1.2+ security policy."""
    found = require(
        negate(truthy(get(props, "viewerCertificate.cloudfrontDefaultCertificate"))),
        "uses CloudFront's default certificate (AWS allows TLSv1 to viewers)",
    )
    found += require(
        is_set(get(props, "viewerCertificate.acmCertificateArn")),
        "viewerCertificate.acmCertificateArn is not set",
    )
    found += require(
        equals(get(props, "viewerCertificate.sslSupportMethod"), "sni-only"),
        "sslSupportMethod is not sni-only",
    )
    version = unwrap(get(props, "viewerCertificate.minimumProtocolVersion"))
    if version is UNKNOWN:
        found.append(unknown("cannot check yet: minimumProtocolVersion not known"))
    elif not isinstance(version, str) or not CLOUDFRONT_MIN_TLS.match(version):
        found.append(fail(f"minimumProtocolVersion {version!r} allows TLS < 1.2"))
    return found


@controls.resource_rule(
    id="CloudFront.5",
    title="CloudFront access logs",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_86, PCP",
    covers=("CKV_AWS_86",),
    applies_to=(aws.DISTRIBUTION,),
    exception_allowed=True,
    description="loggingConfig.bucket is set.",
    why=("A record of every viewer request, for investigating incidents and abuse."),
)
def cloudfront_logging(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.5: access logs to a bucket."""
    return require(is_set(get(props, "loggingConfig.bucket")), "loggingConfig.bucket is not set")


@controls.resource_rule(
    id="CloudFront.6",
    title="WAF on CloudFront",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_68, CKV2_AWS_47",
    covers=("CKV_AWS_68", "CKV2_AWS_47"),
    applies_to=(aws.DISTRIBUTION,),
    exception_allowed=True,
    description="webAclId is set.",
    why=(
        "A web ACL at the edge blocks common exploits and abusive request rates before they reach "
        "the origin."
    ),
)
def cloudfront_waf(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CloudFront.6: a WAFv2 web ACL (CLOUDFRONT scope, us-east-1) is attached."""
    return require(is_set(get(props, "webAclId")), "webAclId is not set")


@controls.stack_rule(
    id="CKV_AWS_259",
    title="HSTS response header",
    severity=Severity.MEDIUM,
    source="CKV_AWS_259, CKV2_AWS_32",
    covers=("CKV2_AWS_32",),
    applies_to=(aws.DISTRIBUTION,),
    exception_allowed=False,
    description="Every behavior has a response headers policy sending HSTS.",
    why=(
        "Browsers remember to use HTTPS only, so a later visit cannot be downgraded to plain HTTP."
    ),
)
def cloudfront_hsts(resources: Sequence[Resource]) -> list[Violation]:
    """CKV_AWS_259/CKV2_AWS_32: every behavior attaches a response headers policy with HSTS."""
    found: list[Violation] = []
    policies = of_type(resources, aws.RESPONSE_HEADERS_POLICY)
    for distribution in of_type(resources, aws.DISTRIBUTION):
        behaviors = _behaviors(distribution.inputs)
        if behaviors is None:
            found.append(
                unknown(f"{distribution.name}: behaviors not known yet", urn=distribution.urn)
            )
            continue
        for behavior in behaviors:
            pattern = unwrap(get(behavior, "pathPattern", "default"))
            policy_id = get(behavior, "responseHeadersPolicyId")
            if unwrap(policy_id) == MANAGED_SECURITY_HEADERS_POLICY:
                continue
            matched, uncertain = referenced(policy_id, policies)
            hsts = any3(
                is_set(p.get("securityHeadersConfig.strictTransportSecurity")) for p in matched
            )
            if hsts is False and (uncertain or unwrap(policy_id) is UNKNOWN):
                hsts = UNKNOWN
            for v in require(hsts, f"behavior {pattern} sends no Strict-Transport-Security"):
                found.append(
                    Violation(f"{distribution.name}: {v.message}", v.outcome, distribution.urn)
                )
    return found
