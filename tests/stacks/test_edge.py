"""The edge of whole stacks: both repository stack files, a stack without a domain
(tests/stackfiles/Pulumi.spa.yaml) and one with host-routed services
(tests/stackfiles/Pulumi.hosts.yaml), plus the edge's invalid stack files.

These are issue 5's done-when: HTTPS and the headers policy on every behavior, TLS 1.2+ to
viewers, OAC on the S3 origin, private TLS-only buckets, a DNS-validated us-east-1 certificate
that CloudFront uses, A/AAAA aliases, the trial's CloudFront URL, no 0.0.0.0/0 ingress, host
routing through CloudFront, API paths without the SPA fallback, WAF where the file asks.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from aws_facts.cloudfront import (
    CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
    CLOUDFRONT_ZONE_ID,
    MANAGED_CLOUDFRONT_POLICIES,
)
from plan.harness import Plan, RecordedResource, is_unknown, load_stack_config, run_program
from plan.mocks.context import digest
from stacks.config import StackConfig, parse
from tests.conftest import STACKFILES, cached_plan

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ACL = "aws:s3/bucketAcl:BucketAcl"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"
FUNCTION = "aws:cloudfront/function:Function"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
TOPIC = "aws:sns/topic:Topic"

EXTRA = ("spa", "hosts")
STACKS = ("staging", "prod", *EXTRA)
EVERY_STACK_FILE = (
    "staging",
    "prod",
    *sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in STACKFILES.glob("Pulumi.*.yaml")
    ),
)
"""The repository's stack files and every one in tests/stackfiles (buckets: flow logs too)."""
WITH_DOMAIN = ("staging", "prod", "hosts")
PUBLIC_ALB_STACKS = ("staging",)
"""`cdn.origin: publicAlb`: an internet-facing ALB behind CloudFront (the others: a VPC origin)."""
VPC_ORIGIN_STACKS = tuple(s for s in STACKS if s not in PUBLIC_ALB_STACKS)
WITH_FRONTEND = ("staging", "prod", "spa")
_PLANS: dict[str, Plan] = {}


def plan_of(stack: str) -> Plan:
    if not (STACKFILES / f"Pulumi.{stack}.yaml").exists():
        return cached_plan(stack)
    if stack not in _PLANS:
        _PLANS[stack] = run_program(stack, stack_file=STACKFILES / f"Pulumi.{stack}.yaml")
    return _PLANS[stack]


def config_of(stack: str) -> StackConfig:
    stack_file = STACKFILES / f"Pulumi.{stack}.yaml" if stack in EXTRA else None
    return parse(stack, load_stack_config(stack, stack_file=stack_file)[0])


def distribution(plan: Plan) -> dict[str, Any]:
    # Plain: with a public origin the origins carry the secret origin header.
    return plan.one(DISTRIBUTION).plain_inputs()


def behaviors(plan: Plan) -> list[dict[str, Any]]:
    inputs = distribution(plan)
    return [inputs["defaultCacheBehavior"], *inputs["orderedCacheBehaviors"]]


def app_behaviors(plan: Plan) -> list[dict[str, Any]]:
    return [b for b in behaviors(plan) if b["targetOriginId"] == "app"]


def validation_of(plan: Plan, certificate: RecordedResource) -> RecordedResource:
    (validation,) = [
        v
        for v in plan.of_type(VALIDATION)
        if v.inputs["certificateArn"] == certificate.outputs["arn"]
    ]
    return validation


def certificate_named(plan: Plan, arn: str) -> RecordedResource:
    (certificate,) = [c for c in plan.of_type(CERTIFICATE) if c.outputs["arn"] == arn]
    return certificate


# ----------------------------------------------------------------------------- every stack


@pytest.mark.parametrize("stack", STACKS)
def test_every_behavior_redirects_to_https_and_carries_the_headers_policy(stack: str) -> None:
    plan = plan_of(stack)
    policy = plan.one(HEADERS)
    hsts = policy.inputs["securityHeadersConfig"]["strictTransportSecurity"]
    assert (
        hsts["accessControlMaxAgeSec"] == config_of(stack).cdn.security_headers.hsts.max_age_seconds
    )
    for behavior in behaviors(plan):
        assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["responseHeadersPolicyId"] == policy.outputs["id"]
    assert distribution(plan)["httpVersion"] == "http2and3"
    assert distribution(plan)["isIpv6Enabled"] is True


@pytest.mark.parametrize("stack", EVERY_STACK_FILE)
def test_every_bucket_is_fully_private_encrypted_and_tls_only(stack: str) -> None:
    """Each bucket of every stack file is `components.buckets.private_bucket`'s: one of each
    setting, all four public access blocks, default encryption, ACLs off unless it has an ACL
    grant, incomplete uploads aborted, and a policy that starts with the TLS-only deny."""
    plan = plan_of(stack)
    buckets = plan.of_type(BUCKET)
    assert buckets or stack in ("pool", "trading"), "only data-tier-only test stacks have none"

    def settings(type_token: str, bucket: RecordedResource) -> list[dict[str, Any]]:
        found = [r for r in plan.of_type(type_token) if r.inputs["bucket"] == bucket.outputs["id"]]
        assert all(r.parent == bucket.parent for r in found), (bucket.name, type_token)
        return [r.inputs for r in found]

    for bucket in buckets:
        (block,) = settings(PUBLIC_ACCESS_BLOCK, bucket)
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"):
            assert block[flag] is True, (bucket.name, flag)
        assert block["restrictPublicBuckets"] is True
        (sse,) = settings(ENCRYPTION, bucket)
        (encryption,) = sse["rules"]
        default = encryption["applyServerSideEncryptionByDefault"]
        assert default["sseAlgorithm"] in ("AES256", "aws:kms"), bucket.name
        (ownership,) = settings(OWNERSHIP, bucket)
        expected = "BucketOwnerPreferred" if settings(ACL, bucket) else "BucketOwnerEnforced"
        assert ownership["rule"]["objectOwnership"] == expected, bucket.name
        (lifecycle,) = settings(LIFECYCLE, bucket)
        for rule in lifecycle["rules"]:
            assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
        (policy,) = settings(BUCKET_POLICY, bucket)
        statements = json.loads(policy["policy"])["Statement"]
        assert statements[0] == {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket.outputs["arn"], bucket.outputs["arn"] + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }, bucket.name
        for statement in statements:
            assert statement["Principal"] != "*" or statement["Effect"] == "Deny"


@pytest.mark.parametrize("stack", STACKS)
def test_no_ingress_rule_anywhere_admits_the_internet(stack: str) -> None:
    plan = plan_of(stack)
    for rule in plan.of_type(INGRESS):
        assert rule.inputs.get("cidrIpv4") != "0.0.0.0/0", rule.name
        assert rule.inputs.get("cidrIpv6") != "::/0", rule.name
    for group in plan.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress") or []:
            assert "0.0.0.0/0" not in (rule.get("cidrBlocks") or []), group.name
            assert "::/0" not in (rule.get("ipv6CidrBlocks") or []), group.name


@pytest.mark.parametrize("stack", VPC_ORIGIN_STACKS)
def test_the_alb_is_internal_and_admits_only_cloudfronts_vpc_origins(stack: str) -> None:
    plan = plan_of(stack)
    (alb,) = plan.of_type(LOAD_BALANCER)
    assert alb.inputs["internal"] is True
    private = set(plan.outputs["privateSubnetIds"])
    assert set(alb.inputs["subnets"]) <= private
    (group_id,) = alb.inputs["securityGroups"]
    admitted = [r for r in plan.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id]
    (rule,) = admitted
    vpc_origin = plan.one(VPC_ORIGIN)
    # The group CloudFront created in *this* VPC, looked up once the VPC origin existed.
    vpc_id = plan.outputs["vpcId"]
    assert rule.inputs["referencedSecurityGroupId"] == f"sg-{digest('vpc-origins', vpc_id)[:17]}"
    assert vpc_origin.urn in rule.dependencies
    tls = config_of(stack).domain is not None
    assert rule.inputs["fromPort"] == rule.inputs["toPort"] == (443 if tls else 80)
    config = vpc_origin.inputs["vpcOriginEndpointConfig"]
    assert config["arn"] == alb.outputs["arn"]
    assert config["originProtocolPolicy"] == ("https-only" if tls else "http-only")
    assert config["originSslProtocols"] == {"items": ["TLSv1.2"], "quantity": 1}
    (app_origin,) = [o for o in distribution(plan)["origins"] if o["originId"] == "app"]
    assert app_origin["vpcOriginConfig"]["vpcOriginId"] == vpc_origin.outputs["id"]
    expected_host = config_of(stack).origin_host_name or alb.outputs["dnsName"]
    assert app_origin["domainName"] == expected_host


@pytest.mark.parametrize("stack", PUBLIC_ALB_STACKS)
def test_a_public_alb_admits_only_cloudfront_and_serves_only_its_secret_header(
    stack: str,
) -> None:
    plan, cfg = plan_of(stack), config_of(stack)
    assert cfg.cdn.origin == "publicAlb"
    (alb,) = plan.of_type(LOAD_BALANCER)
    assert alb.inputs["internal"] is False
    assert alb.inputs["subnets"] == plan.outputs["publicSubnetIds"]
    (group_id,) = alb.inputs["securityGroups"]
    admitted = [r for r in plan.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id]
    # The origin-facing list weighs 55 of the group's 60 rules: one rule, 443 only.
    assert [r.inputs for r in admitted] == [
        {
            "securityGroupId": group_id,
            "description": "Port 443 from an admitted prefix list",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "prefixListId": CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
        }
    ]
    assert "aws:ec2/getManagedPrefixList:getManagedPrefixList" in plan.invokes
    https = next(x for x in plan.of_type(LISTENER) if x.inputs["port"] == 443)
    assert https.inputs["defaultActions"] == [
        {
            "type": "fixed-response",
            "fixedResponse": {
                "contentType": "text/plain",
                "messageBody": "Forbidden",
                "statusCode": "403",
            },
        }
    ]
    secrets = sorted(
        (r for r in plan.of_type("random:index/randomPassword:RandomPassword")
         if "origin-secret" in r.name),
        key=lambda r: r.name,
    )  # fmt: skip
    assert [
        (r.name, r.inputs["keepers"], r.inputs["length"], r.inputs["special"]) for r in secrets
    ] == [
        (f"auction-{stack}-origin-secret-0", {"generation": "0"}, 64, False),
        (f"auction-{stack}-origin-secret-1", {"generation": "1"}, 64, False),
    ]
    rules = plan.of_type("aws:lb/listenerRule:ListenerRule")
    checks = [
        c["httpHeader"] for r in rules for c in r.plain_inputs()["conditions"] if "httpHeader" in c
    ]
    assert len(checks) == len(rules) > 0, "every listener rule requires the header"
    values = checks[0]["values"]
    assert all(check == {"httpHeaderName": "X-Origin-Verify", "values": values} for check in checks)
    # Two values (slot 0, slot 1), letters and digits only: no ALB wildcard (* or ?) in them.
    assert len(set(values)) == 2 and all(re.fullmatch(r"[A-Za-z0-9]{64}", v) for v in values)
    assert all(rule.urn in plan.one(DISTRIBUTION).dependencies for rule in rules)
    (app_origin,) = [o for o in distribution(plan)["origins"] if o["originId"] == "app"]
    assert app_origin == {
        "originId": "app",
        "domainName": cfg.origin_host_name,
        "customOriginConfig": {
            "httpPort": 80,
            "httpsPort": 443,
            "originProtocolPolicy": "https-only",
            "originSslProtocols": ["TLSv1.2"],
            "originKeepaliveTimeout": 5,
            "originReadTimeout": cfg.cdn.origin_read_timeout_seconds,
        },
        # Generation 1 is odd: CloudFront sends slot 1's value; the ALB also accepts slot 0's.
        "customHeaders": [{"name": "X-Origin-Verify", "value": values[1]}],
    }
    origin_record = plan.named(f"auction-{stack}-origin-a")
    assert origin_record.inputs["aliases"][0]["name"] == alb.outputs["dnsName"]


def test_rotating_the_origin_header_renews_the_idle_value_and_keeps_the_one_in_use() -> None:
    """Generation 2 renews slot 0 (its keepers change, so Pulumi replaces the value) and sends
    it, while the ALB still accepts slot 1's, which edges send until the distribution deploys."""

    def state(plan: Plan) -> tuple[list[str], str, list[str]]:
        keepers = [
            r.inputs["keepers"]["generation"]
            for r in sorted(plan.of_type("random:index/randomPassword:RandomPassword"),
                            key=lambda r: r.name)
            if "origin-secret" in r.name
        ]  # fmt: skip
        (app_origin,) = [o for o in distribution(plan)["origins"] if o["originId"] == "app"]
        (check,) = [
            c["httpHeader"]
            for c in plan.one("aws:lb/listenerRule:ListenerRule").plain_inputs()["conditions"]
            if "httpHeader" in c
        ]
        return keepers, app_origin["customHeaders"][0]["value"], check["values"]

    cdn = json.loads(load_stack_config("staging")[0]["golive:cdn"])
    rotated = run_program("staging", overrides={"cdn": {**cdn, "originHeaderGeneration": 2}})
    (keepers, sent, accepted), (keepers2, sent2, accepted2) = (
        state(plan_of("staging")),
        state(rotated),
    )
    assert (keepers, keepers2) == (["0", "1"], ["2", "1"])
    assert (sent, sent2) == (accepted[1], accepted2[0])


@pytest.mark.parametrize("stack", STACKS)
def test_resources_per_stack(stack: str) -> None:
    plan = plan_of(stack)
    cfg = config_of(stack)
    counts = plan.count_by_type()
    assert counts.get(DISTRIBUTION) == 1
    assert counts.get(VPC_ORIGIN, 0) == (0 if stack in PUBLIC_ALB_STACKS else 1)
    assert counts.get(HEADERS) == 1
    assert counts.get(WEB_ACL, 0) == (1 if cfg.cdn.waf.enabled else 0)
    assert counts.get(OAC, 0) == counts.get(FUNCTION, 0) == (1 if cfg.frontend.enabled else 0)
    regional_alb_certificate = cfg.domain is not None and cfg.region != "us-east-1"
    assert counts.get(CERTIFICATE, 0) == (
        0 if cfg.domain is None else 2 if regional_alb_certificate else 1
    )
    assert counts.get(VALIDATION, 0) == counts.get(CERTIFICATE, 0)
    # Validation records (one per distinct name) + A and AAAA per site name + the origin's A.
    names = len(cfg.certificate_names)
    assert counts.get(RECORD, 0) == (names + 2 * len(cfg.site_names) + 1 if names else 0)


# ----------------------------------------------------------------------------- with a domain


@pytest.mark.parametrize("stack", WITH_DOMAIN)
def test_cloudfront_uses_the_validated_us_east_1_certificate_with_modern_tls(stack: str) -> None:
    plan = plan_of(stack)
    viewer = distribution(plan)["viewerCertificate"]
    assert viewer["sslSupportMethod"] == "sni-only"
    assert re.fullmatch(r"TLSv1\.[23]_\d{4}", viewer["minimumProtocolVersion"])
    assert "cloudfrontDefaultCertificate" not in viewer
    certificate = certificate_named(plan, viewer["acmCertificateArn"])
    assert certificate.inputs["region"] == "us-east-1"
    assert certificate.inputs["validationMethod"] == "DNS"
    validation = validation_of(plan, certificate)
    assert validation.outputs["certificateArn"] == viewer["acmCertificateArn"]
    cfg = config_of(stack)
    assert distribution(plan)["aliases"] == cfg.site_names
    assert certificate.inputs["domainName"] == cfg.site_names[0]
    covered = {certificate.inputs["domainName"], *certificate.inputs["subjectAlternativeNames"]}
    assert set(cfg.site_names) <= covered


@pytest.mark.parametrize("stack", WITH_DOMAIN)
def test_site_names_have_a_and_aaaa_aliases_to_the_distribution(stack: str) -> None:
    plan = plan_of(stack)
    cfg = config_of(stack)
    assert cfg.domain is not None
    domain = plan.one(DISTRIBUTION).outputs["domainName"]
    aliases = [r for r in plan.of_type(RECORD) if r.inputs.get("aliases")]
    site = sorted(
        (r.inputs["name"], r.inputs["type"])
        for r in aliases
        if r.inputs["aliases"][0]["name"] == domain
    )
    assert site == sorted((n, t) for n in cfg.site_names for t in ("A", "AAAA"))
    for record in aliases:
        assert record.inputs["aliases"][0]["evaluateTargetHealth"] is False
        if record.inputs["aliases"][0]["name"] == domain:
            assert record.inputs["aliases"][0]["zoneId"] == CLOUDFRONT_ZONE_ID
    (origin,) = [r for r in aliases if r.inputs["name"] == cfg.origin_host_name]
    assert origin.inputs["aliases"][0]["name"] == plan.one(LOAD_BALANCER).outputs["dnsName"]
    assert plan.outputs["url"] == f"https://{cfg.domain.name}"


@pytest.mark.parametrize("stack", WITH_DOMAIN)
def test_the_albs_https_listener_uses_a_validated_certificate_for_the_origin_name(
    stack: str,
) -> None:
    plan = plan_of(stack)
    cfg = config_of(stack)
    (https,) = [x for x in plan.of_type(LISTENER) if x.inputs.get("protocol") == "HTTPS"]
    certificate = certificate_named(plan, https.inputs["certificateArn"])
    assert certificate.inputs["region"] == cfg.region
    assert validation_of(plan, certificate).outputs["certificateArn"] == certificate.outputs["arn"]
    covered = [certificate.inputs["domainName"], *certificate.inputs["subjectAlternativeNames"]]
    assert cfg.origin_host_name in covered


# ----------------------------------------------------------------------------- per feature


@pytest.mark.parametrize("stack", WITH_FRONTEND)
def test_the_static_site_is_the_default_behavior_and_api_paths_skip_the_fallback(
    stack: str,
) -> None:
    plan = plan_of(stack)
    cfg = config_of(stack)
    inputs = distribution(plan)
    default = inputs["defaultCacheBehavior"]
    assert default["targetOriginId"] == "static-site"
    assert default["functionAssociations"] == [
        {"eventType": "viewer-request", "functionArn": plan.one(FUNCTION).outputs["arn"]}
    ]
    ordered = inputs["orderedCacheBehaviors"]
    assert [b["pathPattern"] for b in ordered] == cfg.cdn.api_paths
    for behavior in ordered:
        assert behavior["targetOriginId"] == "app"
        assert "functionAssociations" not in behavior
        assert behavior["cachePolicyId"] == MANAGED_CLOUDFRONT_POLICIES["Managed-CachingDisabled"]
    (static,) = [o for o in inputs["origins"] if o["originId"] == "static-site"]
    assert static["originAccessControlId"] == plan.one(OAC).outputs["id"]
    assert "s3OriginConfig" not in static
    assert inputs["defaultRootObject"] == "index.html"
    assert "customErrorResponses" not in inputs
    bucket = plan.named(f"{cfg.prefix}-site")
    assert plan.outputs["staticSite"] == {
        "bucketName": bucket.outputs["bucket"],
        "distributionId": plan.one(DISTRIBUTION).outputs["id"],
    }


def test_without_a_domain_the_stack_plans_on_cloudfronts_hostname() -> None:
    plan = plan_of("spa")
    cfg = config_of("spa")
    domain = plan.one(DISTRIBUTION).outputs["domainName"]
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", domain)
    assert plan.outputs["url"] == f"https://{domain}"
    assert plan.outputs["healthUrl"] == f"https://{domain}/api/health"
    assert distribution(plan)["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert distribution(plan)["aliases"] == []
    assert plan.of_type(CERTIFICATE) == plan.of_type(RECORD) == []
    assert any("no domain: a trial stack" in w and "TLSv1" in w for w in cfg.warnings())
    assert (plan.of_type(WEB_ACL), "loggingConfig" in distribution(plan)) == ([], False)


def test_a_first_preview_shows_the_vpc_origin_group_as_unknown() -> None:
    plan = run_program("spa", stack_file=STACKFILES / "Pulumi.spa.yaml", preview=True)
    rule = plan.named("quiz-spa-alb-from-cloudfront")
    assert is_unknown(rule.inputs["referencedSecurityGroupId"])
    assert plan.named("quiz-spa-vpc-origin").urn in rule.dependencies


def test_host_routed_services_get_the_host_header_and_a_certificate_for_their_names() -> None:
    plan = plan_of("hosts")
    cfg = config_of("hosts")
    assert cfg.site_names == ["trade.example.com", "api.trade.example.com"]
    assert distribution(plan)["defaultCacheBehavior"]["targetOriginId"] == "app"
    for behavior in app_behaviors(plan):
        assert behavior["originRequestPolicyId"] == MANAGED_CLOUDFRONT_POLICIES["Managed-AllViewer"]
    (https,) = [x for x in plan.of_type(LISTENER) if x.inputs.get("protocol") == "HTTPS"]
    alb_certificate = certificate_named(plan, https.inputs["certificateArn"])
    assert alb_certificate.inputs["region"] == "ap-southeast-2"
    covered = [
        alb_certificate.inputs["domainName"],
        *alb_certificate.inputs["subjectAlternativeNames"],
    ]
    assert covered == ["origin.trade.example.com", "trade.example.com", "api.trade.example.com"]
    edge_certificate = certificate_named(
        plan, distribution(plan)["viewerCertificate"]["acmCertificateArn"]
    )
    assert edge_certificate.inputs["region"] == "us-east-1"
    # One validation record per name although two certificates ask for two of them.
    validation_records = [r for r in plan.of_type(RECORD) if r.inputs["type"] == "CNAME"]
    assert len(validation_records) == 3
    assert plan.outputs["healthUrl"] == "https://api.trade.example.com/healthz"
    assert plan.outputs["staticSite"] is None


def test_apps_without_host_routing_keep_cloudfronts_host_header() -> None:
    for stack in ("staging", "prod", "spa"):
        for behavior in app_behaviors(plan_of(stack)):
            assert (
                behavior["originRequestPolicyId"]
                == MANAGED_CLOUDFRONT_POLICIES["Managed-AllViewerExceptHostHeader"]
            )


@pytest.mark.parametrize("stack", STACKS)
def test_waf_is_where_the_stack_file_turns_it_on(stack: str) -> None:
    plan = plan_of(stack)
    cfg = config_of(stack)
    acls = plan.of_type(WEB_ACL)
    if not cfg.cdn.waf.enabled:
        assert acls == []
        assert "webAclId" not in distribution(plan)
        return
    (acl,) = acls
    assert distribution(plan)["webAclId"] == acl.outputs["arn"]
    assert (acl.inputs["scope"], acl.inputs["region"]) == ("CLOUDFRONT", "us-east-1")
    rate = acl.inputs["rules"][0]["statement"]["rateBasedStatement"]
    assert (rate["limit"], rate["evaluationWindowSec"]) == (
        cfg.cdn.waf.rate_limit,
        cfg.cdn.waf.rate_limit_window_seconds,
    )
    names = [
        r["statement"].get("managedRuleGroupStatement", {}).get("name") for r in acl.inputs["rules"]
    ]
    assert names == [None, "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_waf_logs_to_its_own_group_under_the_stacks_key_in_us_east_1(stack: str) -> None:
    plan = plan_of(stack)
    cfg = config_of(stack)
    loggings = plan.of_type(WAF_LOGGING)
    if not cfg.cdn.waf.enabled:
        assert loggings == []
        return
    (logging,) = loggings
    (group,) = [g for g in plan.of_type(LOG_GROUP) if g.outputs["arn"] in logging.inputs["logDestinationConfigs"]]  # fmt: skip
    assert group.inputs["name"] == f"aws-waf-logs-{cfg.prefix}"
    assert group.inputs["retentionInDays"] == cfg.cdn.waf.log_retention_days
    assert group.inputs["region"] == logging.inputs["region"] == "us-east-1"
    assert logging.inputs["resourceArn"] == plan.one(WEB_ACL).outputs["arn"]
    # Keys are regional: the stack key where the stack lives in us-east-1, else its key there.
    (key,) = [k for k in plan.of_type(KEY) if k.outputs["arn"] == group.inputs["kmsKeyId"]]
    assert (key.inputs.get("region") or cfg.region) == "us-east-1"
    if cfg.region == "us-east-1":
        assert group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArn"]


def test_outside_us_east_1_one_key_there_serves_the_waf_logs_and_the_cloudfront_alarms() -> None:
    plan = plan_of("hosts")
    assert config_of("hosts").region == "ap-southeast-2"
    (key,) = [k for k in plan.of_type(KEY) if k.inputs.get("region") == "us-east-1"]
    (group,) = [g for g in plan.of_type(LOG_GROUP) if g.outputs["name"].startswith("aws-waf-logs-")]
    (topic,) = [t for t in plan.of_type(TOPIC) if t.inputs.get("region") == "us-east-1"]
    assert group.inputs["kmsKeyId"] == topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    (component,) = [
        k for k in plan.of_type("golive:aws:StackKey") if k.name == "trade-hosts-global"
    ]
    # It was the monitoring component's child: the alias keeps the key it made then.
    (alias,) = component.aliases
    assert 'parentUrn: "urn:pulumi:hosts::golive::golive:aws:Monitoring::trade-hosts"' in alias


def test_prod_has_waf_and_access_logs_staging_has_neither() -> None:
    prod, staging = plan_of("prod"), plan_of("staging")
    assert len(prod.of_type(WEB_ACL)) == 1 and staging.of_type(WEB_ACL) == []
    logs = prod.named("auction-prod-logs")
    assert distribution(prod)["loggingConfig"]["bucket"] == logs.outputs["bucketDomainName"]
    assert "loggingConfig" not in distribution(staging)
    assert prod.named("auction-prod-site").protect is True
    assert staging.named("auction-staging-site").protect is False
