"""The CloudFront controls (`policies/controls/cloudfront.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from policies.rules import BY_ID
from tests.policies.controls.cases import FAIL, UNK, Case, Mutation, check, params
from tests.policies.fixtures import (
    DELETE,
    ENGINE_UNKNOWN,
    UNKNOWN,
    chain,
    compliant_stack,
    mutate,
    unknown_id,
)

CASES: list[Case] = [
    ("CloudFront.1", "no root object", mutate("cdn", defaultRootObject=DELETE), FAIL),
    ("CloudFront.1", "root object unknown", mutate("cdn", defaultRootObject=UNKNOWN), UNK),
    ("CloudFront.1", "default origin not known yet, no root object", mutate("cdn",
        defaultRootObject=DELETE, defaultCacheBehavior__targetOriginId=UNKNOWN), FAIL),
    ("CloudFront.3", "API behavior allows HTTP", mutate("cdn",
        orderedCacheBehaviors__0__viewerProtocolPolicy="allow-all"), FAIL),
    ("CloudFront.3", "default behavior allows HTTP", mutate("cdn",
        defaultCacheBehavior__viewerProtocolPolicy="allow-all"), FAIL),
    ("CloudFront.3", "behaviors unknown", mutate("cdn", orderedCacheBehaviors=UNKNOWN), UNK),
    ("CloudFront.13", "S3 origin without OAC", mutate("cdn",
                                                      origins__0__originAccessControlId=DELETE), FAIL),
    ("CloudFront.13", "legacy OAI", mutate("cdn", origins__0__s3OriginConfig={
        "originAccessIdentity": "origin-access-identity/cloudfront/E1"}), FAIL),
    ("CloudFront.13", "website endpoint", mutate("cdn",
        origins__0__domainName="site.s3-website-us-east-1.amazonaws.com"), FAIL),
    ("CloudFront.13", "OAC signs only sometimes", mutate("oac", signingBehavior="no-override"),
     FAIL),
    ("CloudFront.13", "OAC id unknown", mutate("cdn", origins__0__originAccessControlId=UNKNOWN),
     UNK),
    ("CloudFront.9", "HTTP to the API origin", mutate("cdn",
        origins__1__customOriginConfig__originProtocolPolicy="http-only"), FAIL),
    ("CloudFront.9", "TLSv1 to the origin", mutate("cdn",
        origins__1__customOriginConfig__originSslProtocols=["TLSv1", "TLSv1.2"]), FAIL),
    ("CloudFront.9", "VPC origin over HTTP", mutate("alb-origin",
        vpcOriginEndpointConfig__originProtocolPolicy="http-only"), FAIL),
    ("CloudFront.9", "VPC origin protocols unknown", mutate("alb-origin",
        vpcOriginEndpointConfig__originSslProtocols=UNKNOWN), UNK),
    ("CloudFront.7", "default certificate", mutate("cdn", viewerCertificate={
        "cloudfrontDefaultCertificate": True}), FAIL),
    ("CloudFront.7", "TLSv1 to viewers", mutate("cdn",
        viewerCertificate__minimumProtocolVersion="TLSv1_2016"), FAIL),
    ("CloudFront.7", "dedicated IP", mutate("cdn", viewerCertificate__sslSupportMethod="vip"), FAIL),
    ("CloudFront.7", "certificate not validated yet", mutate("cdn",
        viewerCertificate__acmCertificateArn=UNKNOWN), UNK),
    ("CloudFront.5", "no logging", mutate("cdn", loggingConfig=DELETE), FAIL),
    ("CloudFront.5", "log bucket unknown", mutate("cdn", loggingConfig__bucket=UNKNOWN), UNK),
    ("CloudFront.6", "no WAF", mutate("cdn", webAclId=DELETE), FAIL),
    ("CloudFront.6", "web ACL not created yet", mutate("cdn", webAclId=ENGINE_UNKNOWN), UNK),
    ("CKV_AWS_259", "default behavior without headers policy", mutate("cdn",
        defaultCacheBehavior__responseHeadersPolicyId=DELETE), FAIL),
    ("CKV_AWS_259", "policy without HSTS", mutate("headers", securityHeadersConfig={
        "contentTypeOptions": {"override": True}}), FAIL),
    ("CKV_AWS_259", "policy not created yet", chain(unknown_id("headers"), mutate("cdn",
        defaultCacheBehavior__responseHeadersPolicyId=UNKNOWN)), UNK),
]  # fmt: skip

PASSING_VARIANTS: list[Case] = []


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)


# ----------------------------------------------------------------------------- CloudFront.1 scope
# A default root object matters where `/` reaches an S3 origin; an app container answers `/`.


def test_a_distribution_whose_default_behavior_is_the_app_is_not_concerned() -> None:
    app_serves_root = mutate(
        "cdn", defaultRootObject=DELETE, defaultCacheBehavior__targetOriginId="api"
    )
    assert BY_ID["CloudFront.1"].check(app_serves_root(compliant_stack())) is None


def test_a_static_site_without_a_root_object_still_fails() -> None:
    check("CloudFront.1", mutate("cdn", defaultRootObject=DELETE), FAIL)
