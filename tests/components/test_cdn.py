"""The CDN component, built standalone under the same mocks from plain inputs.

Layouts: everything (static site with SPA fallback, the app over TLS through a VPC origin, WAF,
access logs, a custom certificate); a trial (no domain: CloudFront's certificate, the app over
HTTP inside the VPC origin, no frontend); host forwarding; a static-only site. The VPC-origin
security group is found by the stack layer's real lookup, which the mocks answer only once a
VPC origin exists, as AWS does. Whole-stack wiring: tests/stacks/test_edge.py.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import shutil
import subprocess
from typing import Any

import pulumi
import pytest

from aws_facts.cloudfront import (
    CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID,
    CLOUDFRONT_ZONE_ID,
    MANAGED_CLOUDFRONT_POLICIES,
)
from components.cdn import (
    AccessLogs,
    AppOrigin,
    Cdn,
    CdnArgs,
    ManagedPolicies,
    PrivateOrigin,
    PublicOrigin,
    SecurityHeaders,
    StaticSite,
    Waf,
    spa_fallback_code,
)
from plan.harness import Plan, RecordedResource, run_program, to_jsonable
from plan.mocks.context import digest
from stacks.edge import vpc_origin_group_lookup
from tests.conftest import STACKFILES

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
FUNCTION = "aws:cloudfront/function:Function"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"

SITE = "shop.example.com"
ORIGIN = f"origin.{SITE}"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/6f8d8a7e-1111-4222-8333-944455556666"
ALB_ARN = "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/app/shop/50dc6c"
ALB_DNS = "internal-shop-trial-alb-1234567890.ap-southeast-2.elb.amazonaws.com"
ALB_SG = "sg-0a1b2c3d4e5f60718"
VPC = "vpc-0abc1234def567890"
VPC_ORIGINS_GROUP = f"sg-{digest('vpc-origins', VPC)[:17]}"
OWNER_ID = "7d1b2f0a" * 8
EDGE_KEY = "arn:aws:kms:us-east-1:123456789012:key/2b9e4c1d-1111-4222-8333-944455556666"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
POLICIES = ManagedPolicies(
    caching_optimized=MANAGED_CLOUDFRONT_POLICIES["Managed-CachingOptimized"],
    caching_disabled=MANAGED_CLOUDFRONT_POLICIES["Managed-CachingDisabled"],
    all_viewer=MANAGED_CLOUDFRONT_POLICIES["Managed-AllViewer"],
    all_viewer_except_host_header=MANAGED_CLOUDFRONT_POLICIES["Managed-AllViewerExceptHostHeader"],
)
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def app(**changes: Any) -> AppOrigin:
    origin = AppOrigin(
        reach=PrivateOrigin(
            load_balancer_arn=ALB_ARN,
            load_balancer_dns_name=ALB_DNS,
            security_group_id=ALB_SG,
            find_origin_security_group=vpc_origin_group_lookup(VPC),
        ),
        origin_host_name=ORIGIN,
        api_paths=["/api/*", "/auth/*"],
        read_timeout_seconds=45,
    )
    return dataclasses.replace(origin, **changes)


def full_args(**changes: Any) -> CdnArgs:
    args = CdnArgs(
        policies=POLICIES,
        account_id="123456789012",
        bucket_region="us-east-1",
        headers=SecurityHeaders(
            hsts_max_age_seconds=31_536_000,
            hsts_preload=True,
            frame_options="SAMEORIGIN",
            referrer_policy="no-referrer",
            content_security_policy="default-src 'self'",
        ),
        aliases=[SITE],
        certificate_arn=CERT,
        site=StaticSite(spa_fallback=True),
        app=app(),
        price_class="PriceClass_200",
        waf=Waf(
            log_kms_key_arn=EDGE_KEY,
            rate_limit=500,
            rate_limit_window_seconds=60,
            count_only_rules=["SizeRestrictions_BODY"],
            log_retention_days=60,
        ),
        access_logs=AccessLogs(
            owner_canonical_id=OWNER_ID,
            log_delivery_canonical_id=CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID,
            retention_days=30,
        ),
        protect=True,
    )
    return dataclasses.replace(args, **changes)


def build(args: CdnArgs) -> Plan:
    def program() -> None:
        cdn = Cdn("shop-trial", args)
        pulumi.export("url", cdn.url)
        pulumi.export("bucketName", cdn.bucket_name)
        pulumi.export("distributionId", cdn.distribution_id)

    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


@pytest.fixture(scope="module")
def full() -> Plan:
    return build(full_args())


@pytest.fixture(scope="module")
def trial() -> Plan:
    return build(
        full_args(
            aliases=[],
            certificate_arn=None,
            site=None,
            app=app(origin_host_name=None, api_paths=[]),
            waf=None,
            access_logs=None,
            protect=False,
        )
    )


def named(plan: Plan, name: str) -> RecordedResource:
    return plan.named(f"shop-trial-{name}")


def distribution(plan: Plan) -> dict[str, Any]:
    return plan.one(DISTRIBUTION).inputs


def headers_id(plan: Plan) -> str:
    return plan.one(HEADERS).outputs["id"]


def app_behavior(plan: Plan, request_policy: str) -> dict[str, Any]:
    return {
        "targetOriginId": "app",
        "viewerProtocolPolicy": "redirect-to-https",
        "allowedMethods": ALL_METHODS,
        "cachedMethods": ["GET", "HEAD"],
        "cachePolicyId": MANAGED_CLOUDFRONT_POLICIES["Managed-CachingDisabled"],
        "originRequestPolicyId": MANAGED_CLOUDFRONT_POLICIES[request_policy],
        "compress": True,
        "responseHeadersPolicyId": headers_id(plan),
    }


# ----------------------------------------------------------------------------- full layout


def test_viewers_get_tls_1_2_with_sni_on_the_stacks_certificate(full: Plan) -> None:
    inputs = distribution(full)
    assert inputs["aliases"] == [SITE]
    assert inputs["viewerCertificate"] == {
        "acmCertificateArn": CERT,
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    assert (inputs["httpVersion"], inputs["isIpv6Enabled"], inputs["priceClass"]) == (
        "http2and3",
        True,
        "PriceClass_200",
    )
    assert inputs["defaultRootObject"] == "index.html"
    assert inputs["restrictions"] == {
        "geoRestriction": {"restrictionType": "none", "locations": []}
    }
    assert "customErrorResponses" not in inputs
    assert full.outputs["url"] == f"https://{SITE}"


def test_the_static_site_is_an_s3_origin_behind_origin_access_control(full: Plan) -> None:
    bucket = named(full, "site")
    oac = full.one(OAC)
    assert oac.inputs == {
        "name": "shop-trial-site",
        "description": "golive shop-trial: CloudFront reads the static-site bucket",
        "originAccessControlOriginType": "s3",
        "signingBehavior": "always",
        "signingProtocol": "sigv4",
    }
    static, app_origin = distribution(full)["origins"]
    assert static == {
        "originId": "static-site",
        "domainName": bucket.outputs["bucketRegionalDomainName"],
        "originAccessControlId": oac.outputs["id"],
    }
    assert app_origin["originId"] == "app"
    assert full.outputs["bucketName"] == bucket.outputs["bucket"]


def test_default_behavior_is_the_static_site_with_the_spa_fallback(full: Plan) -> None:
    function = full.one(FUNCTION)
    assert distribution(full)["defaultCacheBehavior"] == {
        "targetOriginId": "static-site",
        "viewerProtocolPolicy": "redirect-to-https",
        "allowedMethods": ["GET", "HEAD", "OPTIONS"],
        "cachedMethods": ["GET", "HEAD"],
        "cachePolicyId": MANAGED_CLOUDFRONT_POLICIES["Managed-CachingOptimized"],
        "compress": True,
        "responseHeadersPolicyId": headers_id(full),
        "functionAssociations": [
            {"eventType": "viewer-request", "functionArn": function.outputs["arn"]}
        ],
    }
    assert function.inputs["runtime"] == "cloudfront-js-2.0"
    assert function.inputs["publish"] is True
    assert function.inputs["code"] == spa_fallback_code("index.html")


def test_api_paths_go_to_the_app_uncached_and_never_to_the_fallback(full: Plan) -> None:
    ordered = distribution(full)["orderedCacheBehaviors"]
    expected = app_behavior(full, "Managed-AllViewerExceptHostHeader")
    assert ordered == [
        {"pathPattern": "/api/*", **expected},
        {"pathPattern": "/auth/*", **expected},
    ]


def test_the_app_is_a_vpc_origin_over_tls_1_2_to_the_origin_name(full: Plan) -> None:
    vpc_origin = full.one(VPC_ORIGIN)
    assert vpc_origin.inputs["vpcOriginEndpointConfig"] == {
        "name": "shop-trial-app-https",
        "arn": ALB_ARN,
        "httpPort": 80,
        "httpsPort": 443,
        "originProtocolPolicy": "https-only",
        "originSslProtocols": {"items": ["TLSv1.2"], "quantity": 1},
    }
    assert vpc_origin.inputs["timeouts"] == {"create": "30m", "update": "30m", "delete": "30m"}
    assert vpc_origin.replace_on_changes == ["vpcOriginEndpointConfig.originProtocolPolicy"]
    (_, app_origin) = distribution(full)["origins"]
    assert app_origin == {
        "originId": "app",
        "domainName": ORIGIN,
        "vpcOriginConfig": {
            "vpcOriginId": vpc_origin.outputs["id"],
            "originKeepaliveTimeout": 5,
            "originReadTimeout": 45,
        },
    }
    assert "customOriginConfig" not in app_origin


def test_the_alb_admits_only_cloudfronts_vpc_origin_group_after_it_exists(full: Plan) -> None:
    (rule,) = full.of_type(INGRESS)
    vpc_origin = full.one(VPC_ORIGIN)
    assert rule.inputs == {
        "securityGroupId": ALB_SG,
        "referencedSecurityGroupId": VPC_ORIGINS_GROUP,
        "ipProtocol": "tcp",
        "fromPort": 443,
        "toPort": 443,
        "description": "HTTPS from CloudFront VPC origins (CloudFront-VPCOrigins-Service-SG) only",
    }
    assert vpc_origin.urn in rule.dependencies
    # The distribution goes live only once CloudFront's traffic may reach the ALB.
    assert rule.urn in full.one(DISTRIBUTION).dependencies


def build_public(**changes: Any) -> Plan:
    """The full layout, the app behind an internet-facing ALB instead of a VPC origin."""

    def program() -> None:
        checked = pulumi.CustomResource("aws:s3/bucket:Bucket", "stands-for-the-alb-rules", {})
        reach = PublicOrigin(
            header_name="X-Origin-Verify",
            header_value=pulumi.Output.secret("s3cret-origin-value"),
            checked_by=[checked],
        )
        Cdn("shop-trial", full_args(app=app(reach=reach, **changes)))

    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


def test_a_public_origin_is_tls_1_2_to_the_origin_name_with_the_secret_header() -> None:
    plan = build_public()
    assert plan.of_type(VPC_ORIGIN) == [] and plan.of_type(INGRESS) == []
    distribution = plan.one(DISTRIBUTION)
    (_, app_origin) = distribution.plain_inputs()["origins"]
    assert app_origin == {
        "originId": "app",
        "domainName": ORIGIN,
        "customOriginConfig": {
            "httpPort": 80,
            "httpsPort": 443,
            "originProtocolPolicy": "https-only",
            "originSslProtocols": ["TLSv1.2"],
            "originKeepaliveTimeout": 5,
            "originReadTimeout": 45,
        },
        "customHeaders": [{"name": "X-Origin-Verify", "value": "s3cret-origin-value"}],
    }
    assert "s3cret-origin-value" not in json.dumps(to_jsonable(distribution.inputs))
    # A new header value reaches CloudFront only once the ALB's rules accept it.
    assert plan.named("stands-for-the-alb-rules").urn in distribution.dependencies


def test_a_public_origin_needs_a_name_on_the_albs_certificate() -> None:
    with pytest.raises(ValueError, match=r"origin_host_name.*\*\.elb\.amazonaws\.com"):
        build_public(origin_host_name=None)


def test_the_vpc_origins_group_cannot_be_found_before_a_vpc_origin_exists() -> None:
    def program() -> None:
        bucket = pulumi.CustomResource("aws:s3/bucket:Bucket", "not-a-vpc-origin", {})
        pulumi.export("group", vpc_origin_group_lookup(VPC)(bucket))

    with pytest.raises(Exception, match="no matching EC2 Security Group found"):
        run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


def test_one_headers_policy_with_hsts_nosniff_frame_referrer_and_csp(full: Plan) -> None:
    policy = full.one(HEADERS)
    assert policy.inputs["name"] == "shop-trial-security-headers"
    assert policy.inputs["securityHeadersConfig"] == {
        "strictTransportSecurity": {
            "accessControlMaxAgeSec": 31_536_000,
            "includeSubdomains": True,
            "preload": True,
            "override": True,
        },
        "contentTypeOptions": {"override": True},
        "frameOptions": {"frameOption": "SAMEORIGIN", "override": True},
        "referrerPolicy": {"referrerPolicy": "no-referrer", "override": True},
        "contentSecurityPolicy": {"contentSecurityPolicy": "default-src 'self'", "override": True},
    }


def test_waf_is_a_cloudfront_scope_acl_in_us_east_1_on_the_distribution(full: Plan) -> None:
    acl = full.one(WEB_ACL)
    assert distribution(full)["webAclId"] == acl.outputs["arn"]
    assert acl.outputs["arn"].startswith("arn:aws:wafv2:us-east-1:123456789012:global/webacl/")
    assert (acl.inputs["scope"], acl.inputs["region"]) == ("CLOUDFRONT", "us-east-1")
    assert acl.inputs["defaultAction"] == {"allow": {}}
    rate, bad_inputs, common = acl.inputs["rules"]
    assert (rate["name"], rate["priority"], rate["action"]) == (
        "rate-limit-per-ip",
        0,
        {"block": {}},
    )
    assert rate["statement"] == {
        "rateBasedStatement": {"limit": 500, "evaluationWindowSec": 60, "aggregateKeyType": "IP"}
    }
    assert bad_inputs["statement"] == {
        "managedRuleGroupStatement": {
            "vendorName": "AWS",
            "name": "AWSManagedRulesKnownBadInputsRuleSet",
        }
    }
    assert common["statement"] == {
        "managedRuleGroupStatement": {
            "vendorName": "AWS",
            "name": "AWSManagedRulesCommonRuleSet",
            "ruleActionOverrides": [
                {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}
            ],
        }
    }
    for rule in (bad_inputs, common):
        assert rule["overrideAction"] == {"none": {}}
    assert [r["priority"] for r in acl.inputs["rules"]] == [0, 1, 2]
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in acl.inputs["rules"])
    assert acl.outputs["capacity"] == 902


def test_waf_logs_every_request_to_an_encrypted_log_group_without_credentials(full: Plan) -> None:
    (group,) = full.of_type(LOG_GROUP)
    # WAF refuses a destination whose name does not start with aws-waf-logs- (botocore wafv2
    # LoggingConfiguration); a CLOUDFRONT web ACL and its log group live in us-east-1.
    assert group.inputs == {
        "name": "aws-waf-logs-shop-trial",
        "retentionInDays": 60,
        "kmsKeyId": EDGE_KEY,
        "region": "us-east-1",
    }
    logging = full.one(WAF_LOGGING)
    assert logging.inputs == {
        "resourceArn": full.one(WEB_ACL).outputs["arn"],
        "logDestinationConfigs": [group.outputs["arn"]],
        "redactedFields": [
            {"singleHeader": {"name": "authorization"}},
            {"singleHeader": {"name": "cookie"}},
        ],
        "region": "us-east-1",
    }


def test_without_waf_there_is_no_waf_log(trial: Plan) -> None:
    assert trial.of_type(WEB_ACL) == trial.of_type(WAF_LOGGING) == trial.of_type(LOG_GROUP) == []


def test_the_site_bucket_is_private_versioned_encrypted_and_read_only_by_this_distribution(
    full: Plan,
) -> None:
    bucket = named(full, "site")
    assert bucket.inputs["region"] == "us-east-1"
    assert (bucket.protect, bucket.inputs["forceDestroy"]) == (True, False)
    assert named(full, "site-pab").inputs == {
        "bucket": bucket.outputs["id"],
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
        "region": "us-east-1",
    }
    assert named(full, "site-ownership").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    assert named(full, "site-sse").inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert named(full, "site-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = named(full, "site-lifecycle").inputs["rules"]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    deny, read = json.loads(named(full, "site-policy").inputs["policy"])["Statement"]
    arn = bucket.outputs["arn"]
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert read == {
        "Sid": "ReadByThisDistributionOnly",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"{arn}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": full.one(DISTRIBUTION).outputs["arn"]}},
    }
    # The policy names the distribution, declared after the bucket (a deferred ARN).
    assert full.one(DISTRIBUTION).urn in named(full, "site-policy").dependencies


@pytest.mark.timeout(30)
def test_an_error_declaring_the_distribution_fails_the_run_instead_of_hanging() -> None:
    # The site policy waits for the distribution's ARN; a program error before it is set must
    # fail that wait too, or the runtime waits for the policy forever.
    broken = dataclasses.replace(full_args(), aliases=None)  # list(None) in the distribution
    declared: list[RecordedResource] = []

    def program() -> None:
        Cdn("shop-trial", broken)

    with pytest.raises(TypeError, match="NoneType"):
        run_program(
            "trial",
            stack_file=STACKFILES / "Pulumi.trial.yaml",
            program=program,
            registered=declared,
        )
    assert "shop-trial-site" in [r.name for r in declared]
    assert "shop-trial-site-policy" not in [r.name for r in declared]
    gc.collect()  # asyncio reports the failed policy inputs' futures now, into this test's log


def test_access_logs_go_to_a_private_acl_bucket_with_expiry(full: Plan) -> None:
    logs = named(full, "logs")
    assert distribution(full)["loggingConfig"] == {
        "bucket": logs.outputs["bucketDomainName"],
        "prefix": "cloudfront/",
        "includeCookies": False,
    }
    assert named(full, "logs-ownership").inputs["rule"] == {
        "objectOwnership": "BucketOwnerPreferred"
    }
    acl = named(full, "logs-acl")
    assert acl.inputs["accessControlPolicy"] == {
        "owner": {"id": OWNER_ID},
        "grants": [
            {"grantee": {"type": "CanonicalUser", "id": OWNER_ID}, "permission": "FULL_CONTROL"},
            {
                "grantee": {"type": "CanonicalUser", "id": CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID},
                "permission": "FULL_CONTROL",
            },
        ],
    }
    assert named(full, "logs-ownership").urn in acl.dependencies
    assert acl.urn in full.one(DISTRIBUTION).dependencies
    (rule,) = named(full, "logs-lifecycle").inputs["rules"]
    assert rule["expiration"] == {"days": 30}
    assert all(named(full, "logs-pab").inputs[flag] for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))  # fmt: skip
    deny, s3_logs = json.loads(named(full, "logs-policy").inputs["policy"])["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert s3_logs["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert s3_logs["Resource"] == logs.outputs["arn"] + "/s3-access/*"
    site_logging = named(full, "site-logging").inputs
    assert (site_logging["targetBucket"], site_logging["targetPrefix"]) == (
        logs.outputs["bucket"],
        "s3-access/site/",
    )


# ----------------------------------------------------------------------------- other layouts


def test_trial_uses_cloudfronts_certificate_and_http_inside_the_vpc_origin(trial: Plan) -> None:
    inputs = distribution(trial)
    assert inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert inputs["aliases"] == []
    assert inputs["origins"][0]["domainName"] == ALB_DNS
    assert inputs["defaultCacheBehavior"] == app_behavior(
        trial, "Managed-AllViewerExceptHostHeader"
    )
    assert inputs["orderedCacheBehaviors"] == []
    assert "defaultRootObject" not in inputs
    assert "webAclId" not in inputs and "loggingConfig" not in inputs
    config = trial.one(VPC_ORIGIN).inputs["vpcOriginEndpointConfig"]
    assert (config["originProtocolPolicy"], config["name"]) == ("http-only", "shop-trial-app-http")
    (rule,) = trial.of_type(INGRESS)
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (80, 80)
    assert trial.of_type(BUCKET) == []
    domain = trial.one(DISTRIBUTION).outputs["domainName"]
    assert trial.outputs["url"] == f"https://{domain}"
    assert domain.endswith(".cloudfront.net") and len(domain) == len(
        "d1234abcd5678e.cloudfront.net"
    )
    assert trial.one(DISTRIBUTION).outputs["hostedZoneId"] == CLOUDFRONT_ZONE_ID
    assert trial.outputs["bucketName"] is None


def test_host_routing_forwards_the_viewers_host_header() -> None:
    plan = build(full_args(app=app(forward_host_header=True)))
    for behavior in distribution(plan)["orderedCacheBehaviors"]:
        assert behavior["originRequestPolicyId"] == MANAGED_CLOUDFRONT_POLICIES["Managed-AllViewer"]


def test_a_static_only_site_has_no_vpc_origin_and_no_alb_rule() -> None:
    plan = build(full_args(app=None, waf=None, access_logs=None))
    assert plan.of_type(VPC_ORIGIN) == []
    assert plan.of_type(INGRESS) == []
    (origin,) = distribution(plan)["origins"]
    assert origin["originId"] == "static-site"
    assert distribution(plan)["orderedCacheBehaviors"] == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"site": None, "app": None}, "static site, an app origin or both"),
        ({"certificate_arn": None}, "aliases need a certificate"),
        ({"site": None}, "api_paths route around a static site"),
    ],
)
def test_impossible_layouts_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(full_args(**changes))


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the function")
def test_the_spa_fallback_rewrites_routes_and_leaves_files_alone() -> None:
    script = spa_fallback_code("index.html") + (
        "for (const uri of ['/', '/orders/42', '/orders/', '/assets/app.3f2a.js', '/favicon.ico'])"
        " console.log(handler({request: {uri: uri}}).uri);"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [
        "/index.html",
        "/index.html",
        "/index.html",
        "/assets/app.3f2a.js",
        "/favicon.ico",
    ]
