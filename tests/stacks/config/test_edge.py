"""The edge tier of the config model: the domain, the frontend and CloudFront, and the rules that
keep every web service reachable through the distribution."""

from __future__ import annotations

from typing import Any

import pytest

from plan.harness import load_stack_config
from stacks.config import parse
from tests.conftest import STACKFILES
from tests.stacks.config.stack_files import DELETE, as_cli, assert_names_key, config_of, mutated

CSP_TOO_LONG = "default-src 'self'; " + "img-src https://cdn.example.com " * 60
SERVICE = {"image": "ghcr.io/acme/api:1.0.0", "port": 8080, "paths": ["/api/*"]}

INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("domain-outside-zone", {"golive:domain.name": "staging.other.com"}, "domain.name", "not inside the zone"),
    ("domain-uppercase", {"golive:domain.name": "Staging.auction.example.com"}, "domain.name", "lowercase"),
    ("domain-bad-label", {"golive:domain.name": "-x.auction.example.com"}, "domain.name", "not a DNS name"),
    ("domain-long-label", {"golive:domain.name": "a" * 64 + ".auction.example.com"}, "domain.name", "1-63"),
    ("domain-missing-zone", {"golive:domain.zone": DELETE}, "domain.zone", "required key 'zone'"),
    ("domain-unknown-key", {"golive:domain.zoneId": "Z123"}, "domain.zoneId", "did you mean 'zone'"),
    ("api-path-no-slash", {"golive:cdn.apiPaths": ["api/*"]}, "cdn.apiPaths[0]", "must start with '/'"),
    ("api-path-bad-char", {"golive:cdn.apiPaths": ["/api/{id}"]}, "cdn.apiPaths[0]", "character CloudFront rejects"),
    ("api-path-everything", {"golive:cdn.apiPaths": ["/*"]}, "cdn.apiPaths[0]", "default behavior"),
    ("api-path-too-long", {"golive:cdn.apiPaths": ["/" + "a" * 255]}, "cdn.apiPaths[0]", "CloudFront allows 255"),
    ("api-paths-too-many", {"golive:cdn.apiPaths": [f"/api/v{i}/*" for i in range(76)]}, "cdn.apiPaths", "75 cache behaviors"),
    ("api-path-twice", {"golive:cdn.apiPaths": ["/api/*", "/api/*"]}, "cdn.apiPaths", "twice"),
    ("api-paths-without-frontend", {"golive:frontend.enabled": False, "golive:frontend.spaFallback": False}, "cdn.apiPaths", "every path already goes to the app"),
    ("spa-without-frontend", {"golive:frontend.enabled": False}, "frontend.spaFallback", "there is no site"),
    ("root-object-slash", {"golive:frontend.defaultRootObject": "/index.html"}, "frontend.defaultRootObject", "without a leading '/'"),
    ("price-class-unknown", {"golive:cdn.priceClass": "PriceClass_50"}, "cdn.priceClass", "'PriceClass_100'"),
    ("waf-rate-below-minimum", {"golive:cdn.waf.rateLimit": 9}, "cdn.waf.rateLimit", "greater than or equal to 10"),
    ("waf-window-not-allowed", {"golive:cdn.waf.rateLimitWindowSeconds": 30}, "cdn.waf.rateLimitWindowSeconds", "60, 120, 300, 600"),
    ("waf-rule-unknown", {"golive:cdn.waf.countOnlyRules": ["SizeRestrictions_Body"]}, "cdn.waf.countOnlyRules[0]", "'SizeRestrictions_BODY'"),
    ("hsts-preload-no-subdomains", {"golive:cdn.securityHeaders.hsts.preload": True, "golive:cdn.securityHeaders.hsts.includeSubdomains": False}, "cdn.securityHeaders.hsts.includeSubdomains", "preload"),
    ("hsts-preload-short", {"golive:cdn.securityHeaders.hsts": {"maxAgeSeconds": 86400, "preload": True}}, "cdn.securityHeaders.hsts.maxAgeSeconds", "one year"),
    ("hsts-too-short", {"golive:cdn.securityHeaders.hsts.maxAgeSeconds": 60}, "cdn.securityHeaders.hsts.maxAgeSeconds", "greater than or equal to 300"),
    ("csp-too-long", {"golive:cdn.securityHeaders.contentSecurityPolicy": CSP_TOO_LONG}, "cdn.securityHeaders.contentSecurityPolicy", "1783"),
    ("frame-options-unknown", {"golive:cdn.securityHeaders.frameOptions": "ALLOW-FROM"}, "cdn.securityHeaders.frameOptions", "'SAMEORIGIN'"),
    ("read-timeout-over-quota", {"golive:cdn.originReadTimeoutSeconds": 90}, "cdn.originReadTimeoutSeconds", "less than or equal to 60"),
    ("host-names-without-domain", {"golive:domain": DELETE, "golive:cdn.hostNames": ["api.auction.example.com"]}, "cdn.hostNames", "needs a domain"),
    ("host-name-outside-zone", {"golive:cdn.hostNames": ["api.other.com"]}, "cdn.hostNames[0]", "not inside the zone"),
    ("host-name-is-the-domain", {"golive:cdn.hostNames": ["staging.auction.example.com"]}, "cdn.hostNames[0]", "domain.name already"),
    ("host-name-is-the-origin", {"golive:cdn.hostNames": ["origin.staging.auction.example.com"]}, "cdn.hostNames[0]", "reserved"),
    ("host-names-too-many", {"golive:cdn.hostNames": [f"h{i}.auction.example.com" for i in range(9)]}, "cdn.hostNames", "ACM allows 10"),
    ("domain-name-over-64", {"golive:domain.name": "a" * 45 + ".staging.auction.example.com"}, "domain.name", "common name"),
    ("service-path-not-under-api", {"golive:services": {"api": {**SERVICE, "paths": ["/v1/*"]}}}, "services.api.paths[0]", "not under cdn.apiPaths"),
    ("service-host-not-served", {"golive:services": {"api": {**SERVICE, "hosts": ["api.auction.example.com"]}}}, "services.api.hosts[0]", "add it to cdn.hostNames"),
    ("service-host-without-domain", {"golive:domain": DELETE, "golive:services": {"api": {**SERVICE, "hosts": ["api.auction.example.com"]}}}, "services.api.hosts[0]", "host routing needs a domain"),
    ("health-path-not-under-api", {"golive:services": {"api": {**SERVICE, "healthCheck": {"path": "/health"}}}}, "services.api.healthCheck.path", "public health URL"),
    ("cdn-unknown-key", {"golive:cdn.apiPath": ["/api/*"]}, "cdn.apiPath", "did you mean 'apiPaths'"),
    ("origin-unknown", {"golive:cdn.origin": "public"}, "cdn.origin", "'publicAlb'"),
    ("public-alb-without-domain", {"golive:domain": DELETE}, "cdn.origin", "needs a domain (golive:domain)"),
    ("public-alb-without-web-service", {"golive:services": {"api": {"image": "ghcr.io/acme/api:1.0.0"}}}, "cdn.origin", "no web service"),
    ("public-alb-rule-full", {"golive:services": {"api": {**SERVICE, "paths": ["/api/a/*", "/api/b/*", "/api/c/*"], "hosts": ["staging.auction.example.com"]}}}, "services.api.paths", "6 in all"),
    ("origin-generation-with-vpc", {"golive:cdn.origin": "vpc", "golive:cdn.originHeaderGeneration": 2}, "cdn.originHeaderGeneration", "applies only with cdn.origin publicAlb"),
    ("origin-generation-zero", {"golive:cdn.originHeaderGeneration": 0}, "cdn.originHeaderGeneration", "greater than or equal to 1"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_edge_config_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


def test_warnings_name_the_edge_exceptions_of_each_file() -> None:
    staging = config_of("staging").warnings()
    assert any(w.startswith("cdn.origin is publicAlb: the ALB is internet-facing") for w in staging)
    assert any("cdn.waf.enabled is false" in w for w in staging)
    assert any("cdn.accessLogs.enabled is false" in w for w in staging)
    prod = config_of("prod").warnings()
    assert not any(w.startswith("cdn.") for w in prod)
    hosts = config_of("hosts").warnings()
    # The app answers '/': CloudFront.1 (a default root object) does not concern it.
    assert not any("CloudFront.1" in w for w in hosts)
    assert not any("priceClass" in w for w in hosts)
    spa = "\n".join(config_of("spa").warnings())
    assert "no domain: a trial stack" in spa and "its control exceptions are declared" in spa
    raw, _ = load_stack_config("spa", stack_file=STACKFILES / "Pulumi.spa.yaml")
    undeclared = parse("spa", {**raw, "golive:policy": "{}"}).warnings()
    assert "controls CloudFront.7, CloudFront.9, ELB.1, ELB.17 fail unless" in "\n".join(undeclared)


def test_opt_in_regions_keep_the_edge_buckets_in_us_east_1() -> None:
    config = mutated({"aws:region": "eu-south-1"})
    cfg = parse("staging", as_cli(config))
    assert cfg.edge_bucket_region == "us-east-1"
    assert any("opt-in region" in w for w in cfg.warnings())
    assert config_of("staging").edge_bucket_region == "us-east-1"
    assert config_of("spa").edge_bucket_region == "eu-west-3"
