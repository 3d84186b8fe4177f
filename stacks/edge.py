"""The edge tier of `stacks.environment.build`: config -> certificates, CloudFront and DNS.

Kept apart from the composition function so the translation from the stack file to the edge
components reads in one place. Order matters and `build` follows it: certificates first (the
ALB's HTTPS listener needs the validated ARN), then the load balancer (compute), then the
distribution, then the alias records that point at it.

Lookups: `look_up_edge` runs inside `environment.look_up` (the hosted zone by name, CloudFront's
managed policies, the canonical ids the log bucket's ACL needs). One lookup cannot run up
front: the security group CloudFront creates with the first VPC origin of a VPC
(`CloudFront-VPCOrigins-Service-SG`) exists only after the VPC origin does, so
`vpc_origin_group_lookup` hands the CDN a function that looks it up with the VPC origin as a
dependency. On a first `pulumi preview` its id is unknown, as it should be.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_facts.cloudfront import VPC_ORIGINS_SERVICE_GROUP
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
)
from components.dns import Certificates, CertificatesArgs, DnsRecords, DnsRecordsArgs
from components.load_balancer import LoadBalancer
from stacks.config import ConfigError, Problem, StackConfig
from stacks.exports import StaticSiteExport, exported

MANAGED_POLICY_NAMES = {
    "caching_optimized": "Managed-CachingOptimized",
    "caching_disabled": "Managed-CachingDisabled",
    "all_viewer": "Managed-AllViewer",
    "all_viewer_except_host_header": "Managed-AllViewerExceptHostHeader",
}


@dataclass(frozen=True)
class EdgeFacts:
    """What the edge needs from the account, looked up once by `environment.look_up`."""

    policies: ManagedPolicies
    zone_id: str | None = None
    """The hosted zone of `domain.zone`; None for a stack without a domain."""
    owner_canonical_id: str | None = None
    """The account's S3 canonical user id (only when access logs are on)."""
    log_delivery_canonical_id: str | None = None
    """CloudFront's log-delivery canonical id (only when access logs are on)."""


@dataclass(frozen=True)
class AlbEndpoint:
    """The bits of compute's LoadBalancer the edge wires to."""

    arn: pulumi.Input[str]
    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    origin_header: tuple[str, pulumi.Input[str]] | None = None
    """An internet-facing ALB's required header: its name and current value (secret)."""
    listener_rules: Sequence[pulumi.Resource] = ()
    """The rules that check the header."""


def alb_endpoint(lb: LoadBalancer) -> AlbEndpoint:
    """What the edge needs of compute's load balancer (an origin header: it is internet-facing)."""
    header = lb.origin_header_name
    return AlbEndpoint(
        arn=lb.arn,
        dns_name=lb.dns_name,
        zone_id=lb.zone_id,
        security_group_id=lb.security_group_id,
        origin_header=(
            (header, lb.origin_header_value)
            if header is not None and lb.origin_header_value is not None
            else None
        ),
        listener_rules=list(lb.listener_rules.values()),
    )


def look_up_edge(cfg: StackConfig) -> EdgeFacts:
    policies = ManagedPolicies(
        caching_optimized=aws.cloudfront.get_cache_policy(
            name=MANAGED_POLICY_NAMES["caching_optimized"]
        ).id
        or "",
        caching_disabled=aws.cloudfront.get_cache_policy(
            name=MANAGED_POLICY_NAMES["caching_disabled"]
        ).id
        or "",
        all_viewer=aws.cloudfront.get_origin_request_policy(
            name=MANAGED_POLICY_NAMES["all_viewer"]
        ).id
        or "",
        all_viewer_except_host_header=aws.cloudfront.get_origin_request_policy(
            name=MANAGED_POLICY_NAMES["all_viewer_except_host_header"]
        ).id
        or "",
    )
    owner = delivery = None
    if cfg.cdn.access_logs.enabled:
        owner = aws.s3.get_canonical_user_id().id
        delivery = aws.cloudfront.get_log_delivery_canonical_user_id().id
    return EdgeFacts(
        policies=policies,
        zone_id=_zone_id(cfg),
        owner_canonical_id=owner,
        log_delivery_canonical_id=delivery,
    )


def _zone_id(cfg: StackConfig) -> str | None:
    if cfg.domain is None:
        return None
    try:
        return aws.route53.get_zone(name=cfg.domain.zone, private_zone=False).zone_id
    except Exception as exc:  # the engine raises a plain Exception for a failed lookup
        raise ConfigError(
            [
                Problem(
                    "domain.zone",
                    f"no public hosted zone '{cfg.domain.zone}' in this account: create it once "
                    f"with `golive bootstrap --zone {cfg.domain.zone}` and delegate its name "
                    f"servers at the registrar ({exc})",
                )
            ],
            cfg.stack,
        ) from None


def vpc_origin_group_lookup(
    vpc_id: pulumi.Input[str],
) -> Callable[[pulumi.Resource], pulumi.Output[str]]:
    """The lookup of CloudFront's VPC-origins group, run once the given VPC origin exists."""

    def find(vpc_origin: pulumi.Resource) -> pulumi.Output[str]:
        group = aws.ec2.get_security_group_output(
            name=VPC_ORIGINS_SERVICE_GROUP,
            vpc_id=vpc_id,
            opts=pulumi.InvokeOutputOptions(depends_on=[vpc_origin]),
        )
        return group.id

    return find


def build_certificates(cfg: StackConfig, facts: EdgeFacts) -> Certificates | None:
    """Certificates before the ALB: CloudFront's (us-east-1) and the ALB's HTTPS listener's."""
    if cfg.domain is None or facts.zone_id is None:
        return None
    alb_names: list[str] = []
    if cfg.has_web_services:
        origin = cfg.origin_host_name
        assert origin is not None
        # With the viewer's Host header forwarded, CloudFront checks the ALB's certificate
        # against the viewer's host name, so the ALB's certificate covers every site name.
        alb_names = [origin, *cfg.site_names] if cfg.forwards_host_header else [origin]
    return Certificates(
        cfg.prefix,
        CertificatesArgs(
            zone_id=facts.zone_id,
            region=cfg.region,
            cloudfront_names=cfg.site_names,
            alb_names=alb_names,
        ),
    )


def build_cdn(
    cfg: StackConfig,
    facts: EdgeFacts,
    *,
    account_id: str,
    vpc_id: pulumi.Input[str],
    certificates: Certificates | None,
    alb: AlbEndpoint | None,
    us_east_1_key_arn: pulumi.Input[str],
) -> Cdn | None:
    """The distribution, or None for a stack with neither a frontend nor a web service.

    `us_east_1_key_arn` is the stack's customer key in us-east-1, where the WAF logs.
    """
    site = (
        StaticSite(
            default_root_object=cfg.frontend.default_root_object,
            spa_fallback=cfg.frontend.spa_fallback,
        )
        if cfg.frontend.enabled
        else None
    )
    app = (
        AppOrigin(
            reach=_reach(alb, vpc_id),
            origin_host_name=cfg.origin_host_name,
            forward_host_header=cfg.forwards_host_header,
            api_paths=cfg.cdn.api_paths if site is not None else (),
            read_timeout_seconds=cfg.cdn.origin_read_timeout_seconds,
        )
        if alb is not None
        else None
    )
    if site is None and app is None:
        return None
    cdn = cfg.cdn
    headers = cdn.security_headers
    logs = cdn.access_logs
    access_logs = None
    if logs.enabled:
        assert facts.owner_canonical_id and facts.log_delivery_canonical_id
        access_logs = AccessLogs(
            owner_canonical_id=facts.owner_canonical_id,
            log_delivery_canonical_id=facts.log_delivery_canonical_id,
            retention_days=logs.retention_days,
        )
    return Cdn(
        cfg.prefix,
        CdnArgs(
            policies=facts.policies,
            account_id=account_id,
            bucket_region=cfg.edge_bucket_region,
            headers=SecurityHeaders(
                hsts_max_age_seconds=headers.hsts.max_age_seconds,
                hsts_include_subdomains=headers.hsts.include_subdomains,
                hsts_preload=headers.hsts.preload,
                frame_options=headers.frame_options.value,
                referrer_policy=headers.referrer_policy.value,
                content_security_policy=headers.content_security_policy,
            ),
            aliases=cfg.site_names,
            certificate_arn=certificates.cloudfront_certificate_arn if certificates else None,
            site=site,
            app=app,
            price_class=cdn.price_class.value,
            waf=(
                Waf(
                    log_kms_key_arn=us_east_1_key_arn,
                    rate_limit=cdn.waf.rate_limit,
                    rate_limit_window_seconds=cdn.waf.rate_limit_window_seconds,
                    count_only_rules=[r.value for r in cdn.waf.count_only_rules],
                    log_retention_days=cdn.waf.log_retention_days,
                )
                if cdn.waf.enabled
                else None
            ),
            access_logs=access_logs,
            protect=cfg.protect,
        ),
    )


def _reach(alb: AlbEndpoint, vpc_id: pulumi.Input[str]) -> PrivateOrigin | PublicOrigin:
    """An ALB that requires the origin header is internet-facing; any other, internal."""
    if alb.origin_header is not None:
        name, value = alb.origin_header
        return PublicOrigin(header_name=name, header_value=value, checked_by=alb.listener_rules)
    return PrivateOrigin(
        load_balancer_arn=alb.arn,
        load_balancer_dns_name=alb.dns_name,
        security_group_id=alb.security_group_id,
        find_origin_security_group=vpc_origin_group_lookup(vpc_id),
    )


def build_dns_records(
    cfg: StackConfig, facts: EdgeFacts, cdn: Cdn | None, alb: AlbEndpoint | None
) -> DnsRecords | None:
    """Alias records after the distribution: site names to CloudFront, origin name to the ALB."""
    if cdn is None or cfg.domain is None or facts.zone_id is None:
        return None
    return DnsRecords(
        cfg.prefix,
        DnsRecordsArgs(
            zone_id=facts.zone_id,
            site_names=cfg.site_names,
            distribution_domain_name=cdn.domain_name,
            distribution_zone_id=cdn.hosted_zone_id,
            origin_host_name=cfg.origin_host_name if alb is not None else None,
            load_balancer_dns_name=alb.dns_name if alb is not None else None,
            load_balancer_zone_id=alb.zone_id if alb is not None else None,
        ),
    )


def edge_exports(cfg: StackConfig, cdn: Cdn | None) -> dict[str, object]:
    """The edge tier's part of `StackExports`, by field name (stacks/exports.py)."""
    if cdn is None:
        return {"url": None, "health_url": None, "static_site": None}
    main = cfg.health_check_service
    health_url: pulumi.Output[str] | None = None
    if main is not None:
        service = cfg.services[main]
        path = service.health_check.path
        # A host-routed service answers on its own name (every one of them is a site name).
        host = service.hosts[0] if service.hosts else None
        health_url = (
            pulumi.Output.from_input(f"https://{host}{path}")
            if host
            else pulumi.Output.concat(cdn.url, path)
        )
    static_site = (
        exported(StaticSiteExport, bucket_name=cdn.bucket_name, distribution_id=cdn.distribution_id)
        if cdn.bucket_name is not None
        else None
    )
    return {"url": cdn.url, "health_url": health_url, "static_site": static_site}
