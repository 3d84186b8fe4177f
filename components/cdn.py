"""CloudFront in front of everything: the static site from S3 and the app behind the ALB.

Creates: a CloudFront distribution (redirect-to-https on every behavior, TLSv1.2_2021 with
SNI on the stack's us-east-1 certificate, HTTP/2 and HTTP/3, IPv6, a price class, a default
root object); a response headers policy on every behavior (HSTS, nosniff, frame options,
referrer policy, optional CSP); when the frontend is on, a private static-site bucket
(BucketOwnerEnforced, all four public access blocks, default encryption, versioning with
noncurrent expiry, TLS-only, readable only by this distribution through origin access control
with sigv4 always-sign) as the default behavior, and an optional SPA fallback as a CloudFront
Function on that behavior only; for the app, ordered behaviors for the API paths
(CachingDisabled; AllViewer where the Host header must reach the ALB,
AllViewerExceptHostHeader otherwise) and one of two origins: a CloudFront VPC origin on an
internal ALB with the ALB security group's one ingress rule, from the security group
CloudFront creates for VPC origins (`PrivateOrigin`), or a custom origin over TLS 1.2 to an
internet-facing ALB's origin name carrying the secret header its listener rules require
(`PublicOrigin`: no VPC origin, whose 10-15 minute create is then off the cold deploy's
path); optionally a WAF web ACL (CLOUDFRONT scope in us-east-1: AWS managed common and
known-bad-inputs rules, a per-IP rate limit) logging every request, credentials redacted, to an
`aws-waf-logs-` log group in us-east-1 under the stack's key there; and standard access logs to a
private log bucket that also takes the static-site bucket's server access logs.

NOTE: VPC-origin traffic arrives from `CloudFront-VPCOrigins-Service-SG`, a group CloudFront
creates in the VPC with its first VPC origin. Its id can only be looked up once the VPC origin
exists, so the stack layer hands in a lookup (`PrivateOrigin.find_origin_security_group`) that
this component calls with the VPC origin; without the rule the ALB answers 504.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import pulumi
import pulumi_aws as aws

from aws_facts.regions import GLOBAL_SERVICES_REGION
from components import naming
from components.buckets import (
    LifecycleRule,
    ObjectOwnership,
    PolicyStatement,
    PrivateBucket,
    SseS3,
    private_bucket,
)

STATIC_ORIGIN_ID = "static-site"
APP_ORIGIN_ID = "app"
MINIMUM_VIEWER_TLS = "TLSv1.2_2021"
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
CACHED_METHODS = ["GET", "HEAD"]
VPC_ORIGIN_TIMEOUT = "30m"
"""A VPC origin often takes ~15 minutes to deploy, the provider's default timeout: allow 30."""
COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"
KNOWN_BAD_INPUTS_RULE_SET = "AWSManagedRulesKnownBadInputsRuleSet"


@dataclass(frozen=True, kw_only=True)
class ManagedPolicies:
    """Ids of CloudFront's managed policies, looked up by name in the stack layer."""

    caching_optimized: str
    """Managed-CachingOptimized (static site)."""
    caching_disabled: str
    """Managed-CachingDisabled (the app)."""
    all_viewer: str
    """Managed-AllViewer: every viewer header, Host included, reaches the app."""
    all_viewer_except_host_header: str
    """Managed-AllViewerExceptHostHeader: the app sees the origin's host name."""


@dataclass(frozen=True, kw_only=True)
class SecurityHeaders:
    hsts_max_age_seconds: int = 63_072_000
    """Strict-Transport-Security max-age (two years)."""
    hsts_include_subdomains: bool = True
    """Add `includeSubDomains`."""
    hsts_preload: bool = False
    """Add `preload` (a commitment that is slow to undo)."""
    frame_options: str = "DENY"
    """X-Frame-Options: `DENY` or `SAMEORIGIN`."""
    referrer_policy: str = "strict-origin-when-cross-origin"
    """Referrer-Policy."""
    content_security_policy: str | None = None
    """Content-Security-Policy; None leaves it to the app."""


@dataclass(frozen=True, kw_only=True)
class StaticSite:
    default_root_object: str = "index.html"
    """Object returned for `/` (control CloudFront.1)."""
    spa_fallback: bool = False
    """Rewrite extension-less paths to the root object (client-side routing)."""


@dataclass(frozen=True, kw_only=True)
class PrivateOrigin:
    """An internal ALB, reached only through a CloudFront VPC origin (no public address)."""

    load_balancer_arn: pulumi.Input[str]
    """The ALB the VPC origin targets (it must be internal)."""
    load_balancer_dns_name: pulumi.Input[str]
    """The ALB's own DNS name: CloudFront's origin name on a stack without a domain."""
    security_group_id: pulumi.Input[str]
    """The ALB's security group: this component adds its only ingress rule."""
    find_origin_security_group: Callable[[pulumi.Resource], pulumi.Input[str]]
    """Looks up `CloudFront-VPCOrigins-Service-SG` once the given VPC origin exists (a
    data-source lookup, so it lives in the stack layer)."""


@dataclass(frozen=True, kw_only=True)
class PublicOrigin:
    """An internet-facing ALB that admits only CloudFront's origin-facing addresses and serves
    only requests carrying a secret header, which this component makes CloudFront send."""

    header_name: str
    """The origin header the ALB's listener rules require."""
    header_value: pulumi.Input[str]
    """Its current value (secret)."""
    checked_by: Sequence[pulumi.Resource] = ()
    """The ALB's listener rules: the distribution changes only after they accept the value it
    sends (a rotation never sends a value the ALB refuses)."""


@dataclass(frozen=True, kw_only=True)
class AppOrigin:
    """The app behind the ALB, reached by CloudFront one of two ways (`reach`)."""

    reach: PrivateOrigin | PublicOrigin
    """A VPC origin to an internal ALB, or TLS to an internet-facing ALB with a secret header."""
    origin_host_name: str | None = None
    """A name on the ALB's certificate (`origin.<domain>`): CloudFront then speaks TLS 1.2 to
    the ALB. None: plain HTTP inside the VPC origin (a stack without a domain)."""
    forward_host_header: bool = False
    """Forward the viewer's Host header (host-routed services; the ALB certificate must
    cover every site name)."""
    api_paths: Sequence[str] = ()
    """Path patterns routed to the app when the static site takes the default behavior."""
    read_timeout_seconds: int = 30
    """Seconds CloudFront waits for the app's response."""


@dataclass(frozen=True, kw_only=True)
class Waf:
    log_kms_key_arn: pulumi.Input[str]
    """The stack's customer key in us-east-1, where the web ACL and its request logs live."""
    rate_limit: int = 2000
    """Requests per IP per window before WAF blocks (WAF's minimum is 10)."""
    rate_limit_window_seconds: int = 300
    """Evaluation window: 60, 120, 300 or 600 seconds."""
    count_only_rules: Sequence[str] = ()
    """Common-rule-set rules that count instead of block."""
    log_retention_days: int = 90
    """Days CloudWatch keeps the request logs (what was blocked, counted or let through, and
    why: what tuning `count_only_rules` needs)."""


LOG_REDACTED_HEADERS = ("authorization", "cookie")
"""Request headers WAF logs with their values blanked: credentials never reach the logs."""


@dataclass(frozen=True, kw_only=True)
class AccessLogs:
    owner_canonical_id: str
    """The account's S3 canonical user id (owner grant of the log bucket's ACL)."""
    log_delivery_canonical_id: str
    """CloudFront's `awslogsdelivery` canonical id (it writes standard logs through an ACL)."""
    retention_days: int = 90
    """Days before log objects expire."""


@dataclass(frozen=True, kw_only=True)
class CdnArgs:
    policies: ManagedPolicies
    """Managed cache and origin request policy ids."""
    account_id: str
    """The account (condition of the log bucket's delivery grant)."""
    bucket_region: str
    """Region of the static-site and log buckets (us-east-1 where the stack's region is an
    opt-in region, to which CloudFront delivers no standard logs)."""
    headers: SecurityHeaders = SecurityHeaders()
    """Security headers on every behavior."""
    aliases: Sequence[str] = ()
    """Names the distribution answers on (all on `certificate_arn`); empty for a trial."""
    certificate_arn: pulumi.Input[str] | None = None
    """Validated us-east-1 certificate; None uses CloudFront's own (a trial: AWS then allows
    TLSv1 to viewers)."""
    site: StaticSite | None = None
    """The static site on the default behavior; None sends every path to the app."""
    app: AppOrigin | None = None
    """The app behind the internal ALB; None for a static-only site."""
    price_class: str = "PriceClass_100"
    """Edge locations serving viewers."""
    waf: Waf | None = None
    """WAF web ACL settings; None: no web ACL."""
    access_logs: AccessLogs | None = None
    """Standard access logs; None: none."""
    protect: bool = False
    """Refuse to delete the buckets (prod)."""


class Cdn(pulumi.ComponentResource):
    """The stack's CloudFront distribution, static-site bucket and edge protections.

    Example::

        cdn = Cdn("auction-prod", CdnArgs(policies=policies, account_id=account,
                  bucket_region="us-east-1", aliases=["auction.example.com"],
                  certificate_arn=certs.cloudfront_certificate_arn, site=StaticSite(),
                  app=AppOrigin(load_balancer_arn=alb.arn, ..., api_paths=["/api/*"]),
                  waf=Waf(rate_limit=2000)))

    Cost: CloudFront $0.085/GB and $0.0100 per 10,000 HTTPS requests (North America, Europe;
    1 TB and 10M requests a month free), VPC origins free; WAF ~$5/month + $1 per rule + $0.60
    per million requests; S3 storage $0.023/GB-month.
    """

    distribution_id: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    hosted_zone_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    bucket_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Cdn", name, None, opts)
        _check(args)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        self.log_bucket: aws.s3.Bucket | None = None
        self.log_bucket_acl: aws.s3.BucketAcl | None = None
        if args.access_logs:
            logs = self._create_log_bucket(args.access_logs)
            self.log_bucket, self.log_bucket_acl = logs.bucket, logs.acl
        self.origin_access_control = (
            aws.cloudfront.OriginAccessControl(
                f"{name}-site-oac",
                name=naming.origin_access_control(name),
                description=f"golive {name}: CloudFront reads the static-site bucket",
                origin_access_control_origin_type="s3",
                signing_behavior="always",
                signing_protocol="sigv4",
                opts=child,
            )
            if args.site
            else None
        )
        self.headers_policy = self._create_headers_policy(child)
        self.spa_function = (
            self._create_spa_function(args.site, child)
            if args.site and args.site.spa_fallback
            else None
        )
        self.vpc_origin: aws.cloudfront.VpcOrigin | None = None
        self.origin_ingress: aws.vpc.SecurityGroupIngressRule | None = None
        if args.app is not None and isinstance(args.app.reach, PrivateOrigin):
            self.vpc_origin, self.origin_ingress = self._create_vpc_origin(args.app, args.app.reach)
        self.web_acl = self._create_web_acl(args.waf, child) if args.waf else None
        self.site_bucket: aws.s3.Bucket | None = None
        self.distribution = self._create_site_and_distribution()
        self.distribution_id = self.distribution.id
        self.domain_name = self.distribution.domain_name
        self.hosted_zone_id = self.distribution.hosted_zone_id
        self.arn = self.distribution.arn
        host = args.aliases[0] if args.aliases else None
        self.url = (
            pulumi.Output.from_input(f"https://{host}")
            if host
            else pulumi.Output.concat("https://", self.distribution.domain_name)
        )
        self.bucket_name = self.site_bucket.bucket if self.site_bucket is not None else None
        self.register_outputs(
            {
                "distributionId": self.distribution_id,
                "domainName": self.domain_name,
                "arn": self.arn,
                "url": self.url,
                "bucketName": self.bucket_name,
            }
        )

    # ------------------------------------------------------------------ buckets

    def _create_site_and_distribution(self) -> aws.cloudfront.Distribution:
        """The static-site bucket (`self.site_bucket`, when there is a site), then the
        distribution that serves it."""
        # NOTE: the site bucket's policy names the distribution, and the distribution needs the
        # bucket first: the policy takes the distribution's ARN as a deferred output, resolved
        # once the distribution is declared. A program error in between must fail it too, or
        # the run waits for the policy forever.
        distribution_arn: pulumi.Output[str]
        resolve_distribution_arn: Callable[[pulumi.Output[str]], None]
        distribution_arn, resolve_distribution_arn = pulumi.deferred_output()
        try:
            if self._args.site:
                self.site_bucket = self._create_site_bucket(distribution_arn)
            distribution = self._create_distribution()
        except BaseException as error:
            resolve_distribution_arn(pulumi.Output.from_input(_reraise(error)))
            raise
        resolve_distribution_arn(distribution.arn)
        return distribution

    def _create_site_bucket(self, distribution_arn: pulumi.Output[str]) -> aws.s3.Bucket:
        name, protect = self._name, self._args.protect

        def read_by_distribution(bucket_arn: pulumi.Output[str]) -> list[PolicyStatement]:
            # NOTE: no s3:ListBucket for anyone, so a missing object answers 403 rather than
            # 404 (the SPA fallback covers client-side routes).
            return [
                {
                    "Sid": "ReadByThisDistributionOnly",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(bucket_arn, "/*"),
                    "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
                }
            ]

        site = private_bucket(
            naming.site_bucket(name),
            parent=self,
            region=self._args.bucket_region,
            # Unprotected stacks can be torn down with their (re-uploadable) content; a
            # protected stack keeps its site history and logs through a stray delete.
            protect=protect,
            force_destroy=not protect,
            # SSE-S3: CloudFront's OAC and its log delivery need no key policy, and the bucket
            # may live in another region than the stack's KMS key.
            encryption=SseS3(),
            versioning=True,
            # Each upload replaces the build: keep old versions a month for rollbacks.
            lifecycle=[LifecycleRule(id="expire-old-builds", noncurrent_days=30)],
            policy_statements=read_by_distribution,
        )
        if self.log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-site-logging",
                bucket=site.bucket.id,
                target_bucket=self.log_bucket.bucket,
                target_prefix="s3-access/site/",
                region=self._args.bucket_region,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return site.bucket

    def _create_log_bucket(self, logs: AccessLogs) -> PrivateBucket:
        protect, account = self._args.protect, self._args.account_id

        def s3_server_access_logs(bucket_arn: pulumi.Output[str]) -> list[PolicyStatement]:
            return [
                {
                    "Sid": "S3ServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(bucket_arn, "/s3-access/*"),
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ]

        return private_bucket(
            naming.edge_logs_bucket(self._name),
            parent=self,
            region=self._args.bucket_region,
            # As the site bucket: kept through a stray delete when the stack is protected.
            protect=protect,
            force_destroy=not protect,
            # NOTE: CloudFront standard logs are written through the bucket ACL (awslogsdelivery
            # needs FULL_CONTROL), so this bucket keeps ACLs enabled; the grants are not public.
            ownership=ObjectOwnership.BUCKET_OWNER_PREFERRED,
            acl={
                "owner": {"id": logs.owner_canonical_id},
                "grants": [
                    {
                        "grantee": {"type": "CanonicalUser", "id": logs.owner_canonical_id},
                        "permission": "FULL_CONTROL",
                    },
                    {
                        "grantee": {"type": "CanonicalUser", "id": logs.log_delivery_canonical_id},
                        "permission": "FULL_CONTROL",
                    },
                ],
            },
            encryption=SseS3(),
            lifecycle=[LifecycleRule(id="expire-logs", expiration_days=logs.retention_days)],
            policy_statements=s3_server_access_logs,
        )

    # ------------------------------------------------------------------ edge pieces

    def _create_headers_policy(
        self, child: pulumi.ResourceOptions
    ) -> aws.cloudfront.ResponseHeadersPolicy:
        headers = self._args.headers
        security: aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgsDict = {
            "strict_transport_security": {
                "access_control_max_age_sec": headers.hsts_max_age_seconds,
                "include_subdomains": headers.hsts_include_subdomains,
                "preload": headers.hsts_preload,
                "override": True,
            },
            "content_type_options": {"override": True},
            "frame_options": {"frame_option": headers.frame_options, "override": True},
            "referrer_policy": {"referrer_policy": headers.referrer_policy, "override": True},
        }
        if headers.content_security_policy is not None:
            security["content_security_policy"] = {
                "content_security_policy": headers.content_security_policy,
                "override": True,
            }
        return aws.cloudfront.ResponseHeadersPolicy(
            f"{self._name}-headers",
            name=naming.headers_policy(self._name),
            comment=f"golive {self._name}: HSTS, nosniff, frame options, referrer policy, CSP",
            security_headers_config=security,
            opts=child,
        )

    def _create_spa_function(
        self, site: StaticSite, child: pulumi.ResourceOptions
    ) -> aws.cloudfront.Function:
        return aws.cloudfront.Function(
            f"{self._name}-spa-fallback",
            name=naming.spa_function(self._name),
            runtime="cloudfront-js-2.0",
            comment="Client-side routes (no file extension) get the single-page app's root",
            code=spa_fallback_code(site.default_root_object),
            publish=True,
            opts=child,
        )

    def _create_vpc_origin(
        self, app: AppOrigin, reach: PrivateOrigin
    ) -> tuple[aws.cloudfront.VpcOrigin, aws.vpc.SecurityGroupIngressRule]:
        tls = app.origin_host_name is not None
        protocol = "https-only" if tls else "http-only"
        vpc_origin = aws.cloudfront.VpcOrigin(
            f"{self._name}-vpc-origin",
            vpc_origin_endpoint_config={
                # The protocol is in the name: a change replaces the VPC origin (it does not
                # update in place), and the replacement is created before the old one goes.
                "name": f"{self._name}-app-{'https' if tls else 'http'}",
                "arn": reach.load_balancer_arn,
                "http_port": 80,
                "https_port": 443,
                "origin_protocol_policy": protocol,
                "origin_ssl_protocols": {"items": ["TLSv1.2"], "quantity": 1},
            },
            timeouts={
                "create": VPC_ORIGIN_TIMEOUT,
                "update": VPC_ORIGIN_TIMEOUT,
                "delete": VPC_ORIGIN_TIMEOUT,
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                replace_on_changes=["vpcOriginEndpointConfig.originProtocolPolicy"],
            ),
        )
        port = 443 if tls else 80
        ingress = aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-alb-from-cloudfront",
            security_group_id=reach.security_group_id,
            referenced_security_group_id=reach.find_origin_security_group(vpc_origin),
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=(
                f"{'HTTPS' if tls else 'HTTP'} from CloudFront VPC origins "
                "(CloudFront-VPCOrigins-Service-SG) only"
            ),
            # The group exists only once the VPC origin does; the rule goes before it on delete.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[vpc_origin]),
        )
        return vpc_origin, ingress

    def _create_web_acl(self, waf: Waf, child: pulumi.ResourceOptions) -> aws.wafv2.WebAcl:
        metric = naming.web_acl(self._name)

        def visibility(suffix: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgsDict:
            return {
                "cloudwatch_metrics_enabled": True,
                "metric_name": f"{metric}-{suffix}",
                "sampled_requests_enabled": True,
            }

        def managed(
            rule_set: str, priority: int, counted: Sequence[str]
        ) -> aws.wafv2.WebAclRuleArgsDict:
            statement: aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgsDict = {
                "vendor_name": "AWS",
                "name": rule_set,
            }
            if counted:
                statement["rule_action_overrides"] = [
                    {"name": rule, "action_to_use": {"count": {}}} for rule in counted
                ]
            return {
                "name": rule_set,
                "priority": priority,
                "override_action": {"none": {}},
                "statement": {"managed_rule_group_statement": statement},
                "visibility_config": visibility(rule_set),
            }

        rate_limit: aws.wafv2.WebAclRuleArgsDict = {
            # First, so a flood is dropped before the managed rules spend time on it.
            "name": "rate-limit-per-ip",
            "priority": 0,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {
                    "limit": waf.rate_limit,
                    "evaluation_window_sec": waf.rate_limit_window_seconds,
                    "aggregate_key_type": "IP",
                }
            },
            "visibility_config": visibility("rate-limit"),
        }
        acl_visibility: aws.wafv2.WebAclVisibilityConfigArgsDict = {
            "cloudwatch_metrics_enabled": True,
            "metric_name": metric,
            "sampled_requests_enabled": True,
        }
        acl = aws.wafv2.WebAcl(
            naming.web_acl(self._name),
            description=f"golive {self._name}: managed rules and a per-IP rate limit",
            scope="CLOUDFRONT",
            # NOTE: a CLOUDFRONT-scope web ACL exists only in us-east-1.
            region=GLOBAL_SERVICES_REGION,
            default_action={"allow": {}},
            rules=[
                rate_limit,
                managed(KNOWN_BAD_INPUTS_RULE_SET, 1, ()),
                managed(COMMON_RULE_SET, 2, waf.count_only_rules),
            ],
            visibility_config=acl_visibility,
            opts=child,
        )
        self._log_requests(acl, waf, child)
        return acl

    def _log_requests(
        self, acl: aws.wafv2.WebAcl, waf: Waf, child: pulumi.ResourceOptions
    ) -> aws.wafv2.WebAclLoggingConfiguration:
        # NOTE: WAF logs only to an existing destination named `aws-waf-logs-...`; turning
        # logging on, it adds the log group's resource policy for its delivery itself
        # (botocore wafv2 `LoggingConfiguration`).
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-waf-logs",
            name=naming.waf_log_group(self._name),
            retention_in_days=waf.log_retention_days,
            kms_key_id=waf.log_kms_key_arn,
            region=GLOBAL_SERVICES_REGION,
            opts=child,
        )
        return aws.wafv2.WebAclLoggingConfiguration(
            f"{self._name}-waf-logging",
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                {"single_header": {"name": header}} for header in LOG_REDACTED_HEADERS
            ],
            region=GLOBAL_SERVICES_REGION,
            opts=child,
        )

    # ------------------------------------------------------------------ distribution

    def _create_distribution(self) -> aws.cloudfront.Distribution:
        args = self._args
        origins: list[aws.cloudfront.DistributionOriginArgsDict] = []
        if self.site_bucket is not None and self.origin_access_control is not None:
            origins.append(
                {
                    "origin_id": STATIC_ORIGIN_ID,
                    "domain_name": self.site_bucket.bucket_regional_domain_name,
                    "origin_access_control_id": self.origin_access_control.id,
                }
            )
        if args.app is not None:
            origins.append(self._app_origin(args.app))
        ordered: list[aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict] = []
        if args.site is not None:
            default = self._static_behavior()
            if args.app is not None:
                ordered = [self._api_behavior(path, args.app) for path in args.app.api_paths]
        else:
            assert args.app is not None
            default = self._app_behavior(args.app)
        depends_on: list[pulumi.Resource] = []
        if self.origin_ingress is not None:
            # Go live only once CloudFront's traffic may reach the ALB (else: 504s).
            depends_on.append(self.origin_ingress)
        if args.app is not None and isinstance(args.app.reach, PublicOrigin):
            # Send a header value only once the ALB accepts it (else: 403s).
            depends_on.extend(args.app.reach.checked_by)
        logging: aws.cloudfront.DistributionLoggingConfigArgsDict | None = None
        if self.log_bucket is not None and self.log_bucket_acl is not None:
            # CloudFront checks the log bucket's ACL when logging is turned on.
            depends_on.append(self.log_bucket_acl)
            logging = {
                "bucket": self.log_bucket.bucket_domain_name,
                "prefix": "cloudfront/",
                "include_cookies": False,
            }
        viewer_certificate: aws.cloudfront.DistributionViewerCertificateArgsDict = (
            {
                "acm_certificate_arn": args.certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": MINIMUM_VIEWER_TLS,
            }
            if args.certificate_arn is not None
            # NOTE: with CloudFront's own certificate the provider requires TLSv1 as the
            # minimum (AWS ignores anything else): a declared trial-stack exception.
            else {"cloudfront_default_certificate": True}
        )
        return aws.cloudfront.Distribution(
            f"{self._name}-distribution",
            enabled=True,
            comment=f"golive {self._name}",
            aliases=list(args.aliases),
            origins=origins,
            default_cache_behavior=default,
            ordered_cache_behaviors=ordered,
            default_root_object=args.site.default_root_object if args.site else None,
            price_class=args.price_class,
            http_version="http2and3",
            is_ipv6_enabled=True,
            viewer_certificate=viewer_certificate,
            restrictions={"geo_restriction": {"restriction_type": "none", "locations": []}},
            web_acl_id=self.web_acl.arn if self.web_acl is not None else None,
            logging_config=logging,
            wait_for_deployment=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )

    def _app_origin(self, app: AppOrigin) -> aws.cloudfront.DistributionOriginArgsDict:
        reach = app.reach
        if isinstance(reach, PublicOrigin):
            # The origin name is on the ALB's certificate: TLS 1.2 only, checked by CloudFront.
            return {
                "origin_id": APP_ORIGIN_ID,
                "domain_name": cast(str, app.origin_host_name),
                "custom_origin_config": {
                    "http_port": 80,
                    "https_port": 443,
                    "origin_protocol_policy": "https-only",
                    "origin_ssl_protocols": ["TLSv1.2"],
                    "origin_keepalive_timeout": 5,
                    "origin_read_timeout": app.read_timeout_seconds,
                },
                "custom_headers": [{"name": reach.header_name, "value": reach.header_value}],
            }
        assert self.vpc_origin is not None
        return {
            "origin_id": APP_ORIGIN_ID,
            "domain_name": app.origin_host_name or reach.load_balancer_dns_name,
            "vpc_origin_config": {
                "vpc_origin_id": self.vpc_origin.id,
                "origin_keepalive_timeout": 5,
                "origin_read_timeout": app.read_timeout_seconds,
            },
        }

    def _static_behavior(self) -> aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict:
        behavior: aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict = {
            "target_origin_id": STATIC_ORIGIN_ID,
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": READ_METHODS,
            "cached_methods": CACHED_METHODS,
            "cache_policy_id": self._args.policies.caching_optimized,
            "compress": True,
            "response_headers_policy_id": self.headers_policy.id,
        }
        if self.spa_function is not None:
            behavior["function_associations"] = [
                {"event_type": "viewer-request", "function_arn": self.spa_function.arn}
            ]
        return behavior

    def _request_policy(self, app: AppOrigin) -> str:
        policies = self._args.policies
        if app.forward_host_header:
            return policies.all_viewer
        return policies.all_viewer_except_host_header

    def _app_behavior(
        self, app: AppOrigin
    ) -> aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict:
        return {
            "target_origin_id": APP_ORIGIN_ID,
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ALL_METHODS,
            "cached_methods": CACHED_METHODS,
            "cache_policy_id": self._args.policies.caching_disabled,
            "origin_request_policy_id": self._request_policy(app),
            "compress": True,
            "response_headers_policy_id": self.headers_policy.id,
        }

    def _api_behavior(
        self, path: str, app: AppOrigin
    ) -> aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict:
        # `_app_behavior` for one path pattern (and no function: the SPA fallback never
        # rewrites the app's paths).
        return cast(
            aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict,
            {"path_pattern": path, **self._app_behavior(app)},
        )


def spa_fallback_code(root_object: str) -> str:
    """A viewer-request CloudFront Function: extension-less paths get the app's root object."""
    target = json.dumps("/" + root_object)
    return f"""// golive: single-page app fallback, on the static-site behavior only.
function handler(event) {{
    var request = event.request;
    var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') === -1) {{
        request.uri = {target};
    }}
    return request;
}}
"""


async def _reraise(error: BaseException) -> str:
    """An awaitable that fails with `error` (fails a deferred output its program never set)."""
    raise error


def _check(args: CdnArgs) -> None:
    """Combinations the stack layer must never pass (the config model rules them out)."""
    if args.site is None and args.app is None:
        raise ValueError("Cdn needs a static site, an app origin or both")
    if args.aliases and args.certificate_arn is None:
        raise ValueError("aliases need a certificate that covers them")
    if args.app is not None and args.app.api_paths and args.site is None:
        raise ValueError("api_paths route around a static site; without one the app gets all")
    if (
        args.app is not None
        and isinstance(args.app.reach, PublicOrigin)
        and args.app.origin_host_name is None
    ):
        raise ValueError(
            "a public origin needs origin_host_name: TLS to the ALB needs a name on its "
            "certificate (ACM cannot issue for *.elb.amazonaws.com)"
        )
