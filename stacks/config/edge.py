"""The edge tier of the config model: the domain, the static frontend and CloudFront (headers,
WAF, access logs), and the rules that keep every web service reachable through the distribution.
"""

from __future__ import annotations

import fnmatch
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field

from aws_facts.limits import (
    ACM_MAX_COMMON_NAME,
    ACM_MAX_NAMES,
    ALB_RULE_CONDITION_VALUES,
    CLOUDFRONT_MAX_CACHE_BEHAVIORS,
    CLOUDFRONT_MAX_HEADER_VALUE,
    WAF_RATE_WINDOWS,
)
from components.cdn import AccessLogs, AppOrigin, CdnArgs, SecurityHeaders, StaticSite, Waf
from components.load_balancer import ORIGIN_HEADER_VALUES, OriginHeader
from policies.profiles import TRIAL
from stacks.config.base import Hostname, LogRetentionDays, Model, check_unique, default_of
from stacks.config.compute import RepositoryPath

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig


class DomainConfig(Model):
    """The public host name and the Route53 hosted zone that holds it.

    The zone is looked up, never created by a stack: `golive bootstrap --zone` creates it once.
    """

    name: Hostname
    """The site's host name, e.g. `app.example.com` (prod) or `staging.app.example.com`."""
    zone: Hostname
    """The hosted zone's name, e.g. `example.com`; `name` must be in it."""

    def problems(self) -> list[tuple[str, str]]:
        if self.name == self.zone or self.name.endswith("." + self.zone):
            return []
        return [
            (
                "name",
                f"'{self.name}' is not inside the zone '{self.zone}'; "
                f"use a name ending in '.{self.zone}'",
            )
        ]


_PATH_PATTERN = re.compile(r"^[A-Za-z0-9_\-.*$/~\"'@:+&?]+$")
_OBJECT_KEY = re.compile(r"^[A-Za-z0-9_\-.~][A-Za-z0-9_\-.~/]*$")


def check_path_pattern(pattern: str) -> str:
    if not pattern.startswith("/"):
        raise ValueError(f"{pattern!r} must start with '/' (e.g. '/api/*')")
    if len(pattern) > 255:
        raise ValueError(f"{pattern!r} is {len(pattern)} characters; CloudFront allows 255")
    if not _PATH_PATTERN.match(pattern):
        raise ValueError(
            f"{pattern!r} holds a character CloudFront rejects in a path pattern; allowed: "
            "letters, digits, _ - . $ / ~ \" ' @ : + & and the wildcards * and ?"
        )
    if pattern.strip("/*") == "":
        raise ValueError(
            f"{pattern!r} matches every path: that is the default behavior (turn "
            "frontend.enabled off to send every path to the app)"
        )
    return pattern


def check_api_paths(patterns: list[str]) -> list[str]:
    check_unique(patterns)
    if len(patterns) > CLOUDFRONT_MAX_CACHE_BEHAVIORS:
        raise ValueError(
            f"{len(patterns)} path patterns; CloudFront allows {CLOUDFRONT_MAX_CACHE_BEHAVIORS} "
            "cache behaviors per distribution: use broader wildcards (e.g. '/api/*')"
        )
    return patterns


def check_object_key(key: str) -> str:
    if len(key) > 255 or not _OBJECT_KEY.match(key):
        raise ValueError(
            f"{key!r} is not an object name CloudFront accepts as default root object: up to "
            "255 letters, digits, _ - . ~ /, without a leading '/' (e.g. index.html)"
        )
    return key


def check_header_value(value: str) -> str:
    if not value.strip() or any(c in value for c in "\r\n"):
        raise ValueError("must be one non-empty line (a header value)")
    if len(value) > CLOUDFRONT_MAX_HEADER_VALUE:
        raise ValueError(
            f"is {len(value)} characters; CloudFront allows {CLOUDFRONT_MAX_HEADER_VALUE} in a "
            "response header value"
        )
    return value


class SiteBuildConfig(Model):
    """How CI builds the static site: a command run at the repository root, and the directory
    it leaves the site in (uploaded by `golive release --site`)."""

    command: list[str] = Field(min_length=1)
    """The build command as words, run without a shell, e.g. `["npm", "--prefix", "web", "run",
    "build"]` (install steps included: `["sh", "-c", "cd web && npm ci && npm run build"]`)."""
    output: RepositoryPath
    """Directory holding the built site, relative to the repository root, e.g. `web/dist`."""


class FrontendConfig(Model):
    """The static frontend (e.g. a React build): a private S3 bucket served by CloudFront."""

    enabled: bool = False
    """Serve a static site from S3 on the default path; off: every path goes to the app."""
    spa_fallback: bool = default_of(StaticSite, "spa_fallback")
    """Single-page app: paths without a file extension return `defaultRootObject` (a
    CloudFront Function on the static-site behavior only, so the app's own 403/404 stay)."""
    default_root_object: Annotated[str, AfterValidator(check_object_key)] = default_of(
        StaticSite, "default_root_object"
    )
    """Object CloudFront returns for `/` (control CloudFront.1)."""
    build: SiteBuildConfig | None = None
    """How CI builds the site it uploads with each release; none: releases leave the site as
    it is."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.spa_fallback and not self.enabled:
            problems.append(
                ("spaFallback", "is true but frontend.enabled is false: there is no site")
            )
        if self.build is not None and not self.enabled:
            problems.append(("build", "frontend.enabled is false: there is no site to upload to"))
        return problems


class PriceClass(StrEnum):
    """CloudFront edge locations that serve viewers (cheaper classes skip pricier regions)."""

    PRICE_CLASS_100 = "PriceClass_100"
    PRICE_CLASS_200 = "PriceClass_200"
    PRICE_CLASS_ALL = "PriceClass_All"


class FrameOption(StrEnum):
    DENY = "DENY"
    SAMEORIGIN = "SAMEORIGIN"


class ReferrerPolicy(StrEnum):
    NO_REFERRER = "no-referrer"
    NO_REFERRER_WHEN_DOWNGRADE = "no-referrer-when-downgrade"
    ORIGIN = "origin"
    ORIGIN_WHEN_CROSS_ORIGIN = "origin-when-cross-origin"
    SAME_ORIGIN = "same-origin"
    STRICT_ORIGIN = "strict-origin"
    STRICT_ORIGIN_WHEN_CROSS_ORIGIN = "strict-origin-when-cross-origin"
    UNSAFE_URL = "unsafe-url"


HSTS_PRELOAD_MIN_AGE = 31_536_000
"""hstspreload.org accepts a domain only with max-age of at least one year."""


class HstsConfig(Model):
    """Strict-Transport-Security sent on every response."""

    max_age_seconds: int = Field(
        default=default_of(SecurityHeaders, "hsts_max_age_seconds"), ge=300, le=2**31 - 1
    )
    """Seconds browsers remember to use HTTPS only (default two years)."""
    include_subdomains: bool = default_of(SecurityHeaders, "hsts_include_subdomains")
    """Apply HSTS to every subdomain of the site's name as well."""
    preload: bool = default_of(SecurityHeaders, "hsts_preload")
    """Ask browsers to ship the name in their HSTS preload list: hard to undo, so opt in."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.preload and not self.include_subdomains:
            problems.append(("includeSubdomains", "must be true when preload is true"))
        if self.preload and self.max_age_seconds < HSTS_PRELOAD_MIN_AGE:
            problems.append(
                (
                    "maxAgeSeconds",
                    f"{self.max_age_seconds} is below the {HSTS_PRELOAD_MIN_AGE} (one year) the "
                    "preload list requires",
                )
            )
        return problems


class SecurityHeadersConfig(Model):
    """Security headers CloudFront adds to every response (one response headers policy)."""

    hsts: HstsConfig = Field(default_factory=HstsConfig)
    """Strict-Transport-Security."""
    frame_options: FrameOption = FrameOption(default_of(SecurityHeaders, "frame_options"))
    """X-Frame-Options: `DENY` or `SAMEORIGIN`."""
    referrer_policy: ReferrerPolicy = ReferrerPolicy(default_of(SecurityHeaders, "referrer_policy"))
    """Referrer-Policy."""
    content_security_policy: Annotated[str, AfterValidator(check_header_value)] | None = None
    """Content-Security-Policy value (e.g. `default-src 'self'`); omit to let the app set it."""


class CommonRuleSetRule(StrEnum):
    """Rules of AWS's managed common rule set (AWSManagedRulesCommonRuleSet)."""

    NO_USER_AGENT_HEADER = "NoUserAgent_HEADER"
    USER_AGENT_BAD_BOTS_HEADER = "UserAgent_BadBots_HEADER"
    SIZE_RESTRICTIONS_QUERYSTRING = "SizeRestrictions_QUERYSTRING"
    SIZE_RESTRICTIONS_COOKIE_HEADER = "SizeRestrictions_Cookie_HEADER"
    SIZE_RESTRICTIONS_BODY = "SizeRestrictions_BODY"
    SIZE_RESTRICTIONS_URIPATH = "SizeRestrictions_URIPATH"
    EC2_METADATA_SSRF_BODY = "EC2MetaDataSSRF_BODY"
    EC2_METADATA_SSRF_COOKIE = "EC2MetaDataSSRF_COOKIE"
    EC2_METADATA_SSRF_URIPATH = "EC2MetaDataSSRF_URIPATH"
    EC2_METADATA_SSRF_QUERYARGUMENTS = "EC2MetaDataSSRF_QUERYARGUMENTS"
    GENERIC_LFI_QUERYARGUMENTS = "GenericLFI_QUERYARGUMENTS"
    GENERIC_LFI_URIPATH = "GenericLFI_URIPATH"
    GENERIC_LFI_BODY = "GenericLFI_BODY"
    RESTRICTED_EXTENSIONS_URIPATH = "RestrictedExtensions_URIPATH"
    RESTRICTED_EXTENSIONS_QUERYARGUMENTS = "RestrictedExtensions_QUERYARGUMENTS"
    GENERIC_RFI_QUERYARGUMENTS = "GenericRFI_QUERYARGUMENTS"
    GENERIC_RFI_BODY = "GenericRFI_BODY"
    GENERIC_RFI_URIPATH = "GenericRFI_URIPATH"
    CROSS_SITE_SCRIPTING_COOKIE = "CrossSiteScripting_COOKIE"
    CROSS_SITE_SCRIPTING_QUERYARGUMENTS = "CrossSiteScripting_QUERYARGUMENTS"
    CROSS_SITE_SCRIPTING_BODY = "CrossSiteScripting_BODY"
    CROSS_SITE_SCRIPTING_URIPATH = "CrossSiteScripting_URIPATH"


def check_rate_window(seconds: int) -> int:
    if seconds not in WAF_RATE_WINDOWS:
        raise ValueError(f"{seconds} is not a WAF evaluation window; use one of {WAF_RATE_WINDOWS}")
    return seconds


class WafConfig(Model):
    """A WAF web ACL on the distribution (CLOUDFRONT scope, in us-east-1; control CloudFront.6).

    AWS managed rules (common rule set, known bad inputs) plus a per-IP rate limit. About
    $5/month per web ACL + $1 per rule + $0.60 per million requests.
    """

    enabled: bool = True
    """On by default; turning it off is an explicit choice in the stack file."""
    rate_limit: int = Field(default=default_of(Waf, "rate_limit"), ge=10, le=2_000_000_000)
    """Requests one IP may make per window before WAF blocks it (WAF's minimum is 10). Cache
    hits count too: an SPA page load can fetch dozens of assets."""
    rate_limit_window_seconds: Annotated[int, AfterValidator(check_rate_window)] = default_of(
        Waf, "rate_limit_window_seconds"
    )
    """Window the rate limit counts over: 60, 120, 300 or 600 seconds."""
    count_only_rules: Annotated[list[CommonRuleSetRule], AfterValidator(check_unique)] = Field(
        default_factory=list[CommonRuleSetRule]
    )
    """Common-rule-set rules that only count instead of block (e.g. `SizeRestrictions_BODY`,
    which blocks request bodies over 8 KB, for an API that takes uploads)."""
    log_retention_days: LogRetentionDays = default_of(Waf, "log_retention_days")
    """Days CloudWatch keeps the WAF's request logs (log group `aws-waf-logs-<app>-<stack>` in
    us-east-1, under the stack's key there; authorization and cookie headers redacted). Logs
    are billed by volume ($0.50/GB ingested, us-east-1)."""


class AccessLogsConfig(Model):
    """CloudFront standard access logs to a private S3 bucket (control CloudFront.5)."""

    enabled: bool = True
    """On by default; the log bucket also receives the static-site bucket's access logs."""
    retention_days: int = Field(default=default_of(AccessLogs, "retention_days"), ge=1, le=3650)
    """Days before log objects expire."""


class OriginMode(StrEnum):
    """How CloudFront reaches the load balancer."""

    VPC = "vpc"
    PUBLIC_ALB = "publicAlb"


class CdnConfig(Model):
    """The CloudFront distribution in front of the static site and the app."""

    origin: OriginMode = OriginMode.VPC
    """How CloudFront reaches the ALB. `vpc`: an internal ALB with no public address, reached
    through a CloudFront VPC origin (10-15 minutes to create on a cold deploy). `publicAlb`: an
    internet-facing ALB whose security group admits only CloudFront's origin-facing addresses
    on 443 and whose listener serves only requests carrying a secret origin header, over TLS to
    `origin.<domain.name>` (needs `domain`); no VPC origin to wait for, one public IPv4 per AZ
    ($3.65/month each), and whoever learns the header can reach the ALB through a CloudFront
    distribution of their own, around this one's WAF."""
    origin_header_generation: int = Field(
        default=default_of(OriginHeader, "generation"), ge=1, le=1_000_000
    )
    """With `publicAlb`: bump to rotate the secret origin header. The ALB accepts the new value
    and the previous one, so no edge is refused while CloudFront switches; bump again once the
    distribution has deployed to retire a leaked value."""

    api_paths: Annotated[
        list[Annotated[str, AfterValidator(check_path_pattern)]], AfterValidator(check_api_paths)
    ] = Field(default_factory=list[str])
    """Path patterns sent to the app (the ALB) when a frontend takes the default path, e.g.
    `/api/*`: never cached, never rewritten by the SPA fallback."""
    host_names: Annotated[list[Hostname], AfterValidator(check_unique)] = Field(
        default_factory=list[str]
    )
    """More host names the site answers on besides `domain.name` (all in `domain.zone`). The
    viewer's Host header then reaches the app, and the ALB's certificate covers each name."""
    price_class: PriceClass = PriceClass(default_of(CdnArgs, "price_class"))
    """`PriceClass_100` (North America, Europe), `PriceClass_200` (+ most of Asia, Middle East,
    Africa) or `PriceClass_All`."""
    origin_read_timeout_seconds: int = Field(
        default=default_of(AppOrigin, "read_timeout_seconds"), ge=1, le=60
    )
    """Seconds CloudFront waits for the app's response (above 60 needs an AWS quota increase)."""
    security_headers: SecurityHeadersConfig = Field(default_factory=SecurityHeadersConfig)
    """HSTS, X-Content-Type-Options nosniff, X-Frame-Options, Referrer-Policy, optional CSP."""
    waf: WafConfig = Field(default_factory=WafConfig)
    """Web application firewall."""
    access_logs: AccessLogsConfig = Field(default_factory=AccessLogsConfig)
    """Standard access logs."""


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Rules across the domain, the CDN and the services it routes to."""
    problems: list[tuple[str, str]] = _origin_problems(cfg)
    if cfg.cdn.api_paths and not cfg.frontend.enabled:
        problems.append(
            (
                "cdn.apiPaths",
                "frontend.enabled is false, so every path already goes to the app: remove "
                "apiPaths or turn the frontend on",
            )
        )
    if cfg.domain is None:
        if cfg.cdn.host_names:
            problems.append(
                (
                    "cdn.hostNames",
                    "needs a domain (golive:domain): a stack without one answers on "
                    "CloudFront's own hostname only",
                )
            )
        problems += _service_routes_reach_the_edge(cfg)
        return problems
    if len(cfg.domain.name) > ACM_MAX_COMMON_NAME:
        problems.append(
            (
                "domain.name",
                f"'{cfg.domain.name}' is {len(cfg.domain.name)} characters; a "
                f"certificate's first name (its common name) allows {ACM_MAX_COMMON_NAME}",
            )
        )
    if len(cfg.origin_host_name or "") > 253:
        problems.append(("domain.name", f"'origin.{cfg.domain.name}' would exceed 253 characters"))
    for i, host in enumerate(cfg.cdn.host_names):
        key = f"cdn.hostNames[{i}]"
        if host == cfg.domain.name:
            problems.append((key, f"'{host}' is domain.name already; list only other names"))
        elif host != cfg.domain.zone and not host.endswith("." + cfg.domain.zone):
            problems.append(
                (key, f"'{host}' is not inside the zone '{cfg.domain.zone}' (domain.zone)")
            )
        elif host == cfg.origin_host_name:
            problems.append((key, f"'{host}' is reserved for CloudFront's origin connection"))
    problems += _service_routes_reach_the_edge(cfg)
    names = len(cfg.certificate_names)
    if names > ACM_MAX_NAMES:
        problems.append(
            (
                "cdn.hostNames",
                f"{len(cfg.cdn.host_names)} extra names make a certificate of {names} names "
                f"(domain.name, each host name, origin.{cfg.domain.name}); ACM allows "
                f"{ACM_MAX_NAMES}: use at most {ACM_MAX_NAMES - 2} host names",
            )
        )
    return problems


def _origin_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """`publicAlb` needs a name of the stack's own for TLS, an ALB, and room in every rule."""
    if cfg.cdn.origin is not OriginMode.PUBLIC_ALB:
        if "origin_header_generation" in cfg.cdn.model_fields_set:
            return [("cdn.originHeaderGeneration", "applies only with cdn.origin publicAlb")]
        return []
    problems: list[tuple[str, str]] = []
    if cfg.domain is None:
        problems.append(
            (
                "cdn.origin",
                "publicAlb needs a domain (golive:domain): CloudFront speaks TLS to the ALB on "
                "a name of the stack's own (ACM cannot issue a certificate for "
                "*.elb.amazonaws.com); add golive:domain or use origin vpc",
            )
        )
    if not cfg.has_web_services:
        problems.append(("cdn.origin", "publicAlb but no web service: there is no ALB"))
    for name, service in cfg.services.items():
        values = len(service.paths) + len(service.hosts) + ORIGIN_HEADER_VALUES
        if service.is_web and values > ALB_RULE_CONDITION_VALUES:
            problems.append(
                (
                    f"services.{name}.paths",
                    f"with cdn.origin publicAlb its listener rule also matches the origin "
                    f"header's {ORIGIN_HEADER_VALUES} values: {values} in all, and an ALB rule "
                    f"matches at most {ALB_RULE_CONDITION_VALUES}; use at most "
                    f"{ALB_RULE_CONDITION_VALUES - ORIGIN_HEADER_VALUES} paths and hosts",
                )
            )
    return problems


def _service_routes_reach_the_edge(cfg: StackConfig) -> list[tuple[str, str]]:
    """Every web service's routes must be reachable through CloudFront, which routes on the
    path alone: under an API path when a frontend has the default path, and on a name the
    distribution serves when routed by host."""
    problems: list[tuple[str, str]] = []
    for name, service in cfg.services.items():
        if not service.is_web:
            continue
        for i, host in enumerate(service.hosts):
            key = f"services.{name}.hosts[{i}]"
            if cfg.domain is None:
                problems.append(
                    (
                        key,
                        "host routing needs a domain: a stack without golive:domain answers "
                        "on CloudFront's own hostname only",
                    )
                )
            elif host not in cfg.site_names:
                problems.append(
                    (
                        key,
                        f"'{host}' is not a name the distribution serves "
                        f"({', '.join(cfg.site_names)}): add it to cdn.hostNames",
                    )
                )
        if not cfg.frontend.enabled:
            continue
        for i, path in enumerate(service.paths or ["/*"]):
            if not any(fnmatch.fnmatchcase(path, api) for api in cfg.cdn.api_paths):
                key = f"services.{name}.paths[{i}]" if service.paths else f"services.{name}"
                problems.append(
                    (
                        key,
                        f"'{path}' is not under cdn.apiPaths {cfg.cdn.api_paths}: with the "
                        "frontend on, CloudFront sends it to the static site (CloudFront "
                        "routes on paths only); add a covering pattern to cdn.apiPaths",
                    )
                )
    main = cfg.health_check_service
    if cfg.frontend.enabled and main is not None:
        path = cfg.services[main].health_check.path
        if not any(fnmatch.fnmatchcase(path, api) for api in cfg.cdn.api_paths):
            problems.append(
                (
                    f"services.{main}.healthCheck.path",
                    f"'{path}' is not under cdn.apiPaths {cfg.cdn.api_paths}: the public "
                    "health URL would reach the static site, not the service",
                )
            )
    return problems


def warnings(cfg: StackConfig) -> list[str]:
    """A stack without a domain, and the edge protections a stack file turns off."""
    notes: list[str] = []
    if cfg.domain is None:
        declared = cfg.policy.declared_exceptions()
        missing = [c for c in TRIAL.exceptions if c not in declared]
        notes.append(
            "no domain: a trial stack on CloudFront's own hostname and certificate "
            "(AWS allows TLSv1 to viewers; plain HTTP from CloudFront to the ALB in the VPC): "
            + (
                f"controls {', '.join(missing)} fail unless golive:policy declares exceptions "
                "(the `trial` profile declares them)"
                if missing
                else "its control exceptions are declared"
            )
        )
    if cfg.frontend.enabled and not cfg.cdn.api_paths:
        notes.append(
            "frontend is on and cdn.apiPaths is empty: every path serves the static site, "
            "so the app is not reachable through CloudFront"
        )
    if cfg.cdn.origin is OriginMode.PUBLIC_ALB and cfg.has_web_services:
        notes.append(
            "cdn.origin is publicAlb: the ALB is internet-facing (a public IPv4 per AZ); only "
            "CloudFront's origin-facing addresses reach it and it serves only requests with the "
            "secret origin header, so whoever learns the header can reach it through their own "
            "CloudFront distribution, around this one's WAF"
        )
    if not cfg.cdn.waf.enabled:
        notes.append("cdn.waf.enabled is false: no web application firewall (CloudFront.6)")
    if not cfg.cdn.access_logs.enabled:
        notes.append("cdn.accessLogs.enabled is false: no CloudFront access logs (CloudFront.5)")
    if cfg.cdn.price_class is PriceClass.PRICE_CLASS_100 and not cfg.region.startswith(
        ("us-", "ca-", "eu-")
    ):
        notes.append(
            f"cdn.priceClass is PriceClass_100 but the stack is in {cfg.region}: viewers "
            "near it are served from North American and European edges"
        )
    if cfg.region != cfg.edge_bucket_region:
        notes.append(
            f"{cfg.region} is an opt-in region, where CloudFront delivers no standard logs: "
            "the static-site and log buckets live in us-east-1"
        )
    return notes
