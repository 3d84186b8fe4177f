"""The one typed, validated model of a golive stack file.

Only this module reads `pulumi.Config`. `load()` turns the stack's config (the `golive:` keys of
`Pulumi.yaml` defaults plus `Pulumi.<stack>.yaml`, and `aws:region`) into a frozen `StackConfig`,
or raises `ConfigError` listing **every** problem at once, each with its key path, the bad value
and what is allowed, before a single resource is declared.

Keys are camelCase in YAML and snake_case here. Environments differ only in these values: no
code anywhere branches on the stack's name.
"""

from __future__ import annotations

import difflib
import fnmatch
import ipaddress
import itertools
import json
import math
import re
import string
import types
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from aws_facts.limits import (
    ACM_MAX_COMMON_NAME,
    ACM_MAX_NAMES,
    ALB_NAME_MAX,
    CLOUDFRONT_MAX_CACHE_BEHAVIORS,
    CLOUDFRONT_MAX_HEADER_VALUE,
    LOG_RETENTION_DAYS,
    TARGET_GROUP_NAME_MAX,
)
from aws_facts.regions import AWS_REGIONS, GLOBAL_SERVICES_REGION, OPT_IN_REGIONS
from components import naming
from components.cache import CacheEngine
from components.database import instance_identifier
from components.monitoring import RESERVED_ALARM_SCOPES
from components.network import NatStrategy
from components.secrets import SecretSource

if TYPE_CHECKING:
    import pulumi

NAMESPACE = "golive"

# ----------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stack file: where, and what to do about it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The stack file is invalid. `problems` lists every issue found, in file order."""

    def __init__(self, problems: Iterable[Problem], stack: str = "") -> None:
        self.problems = list(problems)
        self.stack = stack
        where = f"Pulumi.{stack}.yaml" if stack else "the stack file"
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in {where}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ProblemList(ValueError):
    """Raised by cross-field validators to report several problems relative to their model."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.items = problems
        super().__init__("; ".join(f"{k}: {m}" if k else m for k, m in problems))


def did_you_mean(word: str, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


# ----------------------------------------------------------------------------- base model


class Model(BaseModel):
    """Frozen, camelCase-aliased, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_enum_values=False,
        use_attribute_docstrings=True,
    )


def _check_problems(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise ProblemList(problems)


# ----------------------------------------------------------------------------- AWS facts

_APP_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_log_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        near = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - days))
        raise ValueError(
            f"{days} is not a CloudWatch Logs retention; use one of {list(LOG_RETENTION_DAYS)} "
            f"(nearest: {near})"
        )
    return days


LogRetentionDays = Annotated[int, AfterValidator(check_log_retention)]


def check_hostname(name: str) -> str:
    lowered = name.lower().rstrip(".")
    if lowered != name.rstrip("."):
        raise ValueError(f"{name!r} must be lowercase (DNS names are case-insensitive)")
    if len(lowered) > 253:
        raise ValueError(f"{name!r} is {len(lowered)} characters; DNS names allow 253")
    labels = lowered.split(".")
    if len(labels) < 2 or not all(_DNS_LABEL.match(label) for label in labels):
        raise ValueError(
            f"{name!r} is not a DNS name: dot-separated labels of 1-63 letters, digits or "
            "hyphens, not starting or ending with a hyphen (e.g. app.example.com)"
        )
    return lowered


Hostname = Annotated[str, AfterValidator(check_hostname)]


# ----------------------------------------------------------------------------- network


class InterfaceEndpoint(StrEnum):
    """VPC interface endpoints golive can add (~$7.30 per endpoint per AZ a month)."""

    ECR_API = "ecr.api"
    ECR_DKR = "ecr.dkr"
    LOGS = "logs"
    SECRETSMANAGER = "secretsmanager"
    SSM = "ssm"
    SSMMESSAGES = "ssmmessages"
    KMS = "kms"
    STS = "sts"


class FlowLogDestination(StrEnum):
    CLOUDWATCH = "cloudWatch"
    S3 = "s3"


class FlowLogTraffic(StrEnum):
    ALL = "ALL"
    REJECT = "REJECT"
    ACCEPT = "ACCEPT"


class FlowLogsConfig(Model):
    """VPC flow logs (control EC2.6)."""

    enabled: bool = True
    """On by default: disabling it is an explicit, visible choice in the stack file."""
    destination: FlowLogDestination = FlowLogDestination.CLOUDWATCH
    """`cloudWatch` (queryable with Logs Insights) or `s3` (cheaper at volume)."""
    traffic_type: FlowLogTraffic = FlowLogTraffic.ALL
    """`ALL`, or `REJECT` to log only denied traffic (cheaper for staging)."""
    retention_days: LogRetentionDays = 30
    """Days CloudWatch keeps flow logs (S3 destination: days before the objects expire)."""


class SubnetsConfig(Model):
    """Explicit subnet CIDRs per tier, one per AZ, in AZ order. Omit to derive them."""

    public: list[ipaddress.IPv4Network]
    """Public subnets (ALB, NAT gateways; tasks when `nat: none`)."""
    private: list[ipaddress.IPv4Network]
    """Private app subnets (tasks, interface endpoints): give them the most addresses."""
    isolated: list[ipaddress.IPv4Network]
    """Isolated subnets with no internet route (database, cache)."""


def check_vpc_cidr(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    if not 16 <= cidr.prefixlen <= 23:
        raise ValueError(
            f"'{cidr}' is a /{cidr.prefixlen}; use /16 to /23 (AWS allows /16 to /28 for a VPC, "
            "and golive's derived subnets need /prefix+5 >= /28)"
        )
    if not cidr.is_private:
        raise ValueError(
            f"'{cidr}' is not a private range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
        )
    return cidr


def check_unique(items: list[Any]) -> list[Any]:
    repeated = sorted({str(i) for i in items if items.count(i) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} twice; give each once")
    return items


class NetworkConfig(Model):
    """The VPC: public, private (app) and isolated (database) subnets in each AZ."""

    cidr: Annotated[ipaddress.IPv4Network, AfterValidator(check_vpc_cidr)] = ipaddress.IPv4Network(
        "10.0.0.0/16"
    )
    """VPC CIDR, /16 to /23 (derived subnets: public and isolated /prefix+5, private /prefix+4)."""
    az_count: int = Field(default=2, ge=2, le=6)
    """Availability zones to span, 2 to 6 (AWS: an ALB and Multi-AZ RDS need 2)."""
    nat: NatStrategy = NatStrategy.SINGLE
    """`none` (tasks on public IPs; cheapest), `single` (one NAT, ~$33/month), `perAz` (one
    NAT per AZ: egress survives an AZ outage)."""
    interface_endpoints: Annotated[list[InterfaceEndpoint], AfterValidator(check_unique)] = Field(
        default_factory=list[InterfaceEndpoint]
    )
    """Interface endpoints for AWS APIs (the S3 gateway endpoint is always there, free)."""
    flow_logs: FlowLogsConfig = Field(default_factory=FlowLogsConfig)
    """VPC flow logs; on by default."""
    subnets: SubnetsConfig | None = None
    """Explicit subnet CIDRs; by default derived from `cidr` so adding AZs never renumbers."""

    @model_validator(mode="after")
    def _fits(self) -> NetworkConfig:
        problems: list[tuple[str, str]] = []
        if self.subnets is not None:
            problems += self._check_explicit_subnets(self.subnets)
        _check_problems(problems)
        return self

    def _check_explicit_subnets(self, subnets: SubnetsConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for tier in ("public", "private", "isolated"):
            cidrs: list[ipaddress.IPv4Network] = getattr(subnets, tier)
            if len(cidrs) != self.az_count:
                problems.append(
                    (
                        f"subnets.{tier}",
                        f"has {len(cidrs)} CIDRs; azCount is {self.az_count}: give one per AZ",
                    )
                )
            for i, cidr in enumerate(cidrs):
                key = f"subnets.{tier}[{i}]"
                if not cidr.subnet_of(self.cidr):
                    problems.append((key, f"'{cidr}' is outside the VPC CIDR '{self.cidr}'"))
                if cidr.prefixlen > 28:
                    problems.append((key, f"'{cidr}' is smaller than AWS's minimum subnet, /28"))
                for other_key, other in seen:
                    if cidr.overlaps(other):
                        problems.append((key, f"'{cidr}' overlaps {other_key} '{other}'"))
                seen.append((key, cidr))
        return problems

    def subnet_cidrs(self) -> dict[str, list[str]]:
        """CIDRs per tier, one per AZ in AZ order.

        Derived layout (fixed 8 AZ slots per tier, so raising azCount adds subnets and never
        renumbers existing ones): public = first quarter, isolated = second quarter,
        private = second half (the app tier gets the most addresses).
        """
        if self.subnets is not None:
            return {
                tier: [str(c) for c in getattr(self.subnets, tier)]
                for tier in ("public", "private", "isolated")
            }
        quarters = list(self.cidr.subnets(prefixlen_diff=2))
        halves = list(self.cidr.subnets(prefixlen_diff=1))
        slots = {
            "public": list(quarters[0].subnets(prefixlen_diff=3)),
            "private": list(halves[1].subnets(prefixlen_diff=3)),
            "isolated": list(quarters[1].subnets(prefixlen_diff=3)),
        }
        return {tier: [str(c) for c in cidrs[: self.az_count]] for tier, cidrs in slots.items()}


# ----------------------------------------------------------------------------- domain


class DomainConfig(Model):
    """The public host name and the Route53 hosted zone that holds it.

    The zone is looked up, never created by a stack: `golive bootstrap --zone` creates it once.
    """

    name: Hostname
    """The site's host name, e.g. `app.example.com` (prod) or `staging.app.example.com`."""
    zone: Hostname
    """The hosted zone's name, e.g. `example.com`; `name` must be in it."""

    @model_validator(mode="after")
    def _name_in_zone(self) -> DomainConfig:
        if self.name != self.zone and not self.name.endswith("." + self.zone):
            raise ProblemList(
                [
                    (
                        "name",
                        f"'{self.name}' is not inside the zone '{self.zone}'; "
                        f"use a name ending in '.{self.zone}'",
                    )
                ]
            )
        return self


# ----------------------------------------------------------------------------- tags


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    problems: list[tuple[str, str]] = []
    for key, value in tags.items():
        if key.lower().startswith("aws:"):
            problems.append((key, "tag keys starting with 'aws:' are reserved by AWS"))
        if not 1 <= len(key) <= 128:
            problems.append((key, f"tag key is {len(key)} characters; AWS allows 1 to 128"))
        if len(value) > 256:
            problems.append((key, f"tag value is {len(value)} characters; AWS allows 256"))
    if len(tags) > 40:
        problems.append(
            (
                "",
                f"{len(tags)} tags; AWS allows 50 per resource and golive adds its own: "
                "use at most 40",
            )
        )
    _check_problems(problems)
    return tags


# ----------------------------------------------------------------------------- CI access

_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")
_GITHUB_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
_S3_BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KMS_ALIAS = re.compile(r"^(?!aws/)[A-Za-z0-9/_-]{1,250}$")


def _matches(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


class CiConfig(Model):
    """GitHub Actions deploys this stack through OIDC roles (no stored AWS keys)."""

    enabled: bool = False
    """Create the CI roles. Needs the account's GitHub OIDC provider
    (`golive bootstrap --github-oidc`, once per account)."""
    repository: Annotated[str, _matches(_GITHUB_REPOSITORY, "a GitHub OWNER/REPO")] = ""
    """`OWNER/REPO` whose workflows may deploy this stack."""
    environment: Annotated[
        str,
        _matches(
            _GITHUB_ENVIRONMENT, "a GitHub environment name (letters, digits, . _ -; no wildcards)"
        ),
    ] = ""
    """GitHub environment of the deploy job; the role trusts exactly
    `repo:OWNER/REPO:environment:<this>` (prod: an environment with required reviewers)."""
    state_bucket: Annotated[str, _matches(_S3_BUCKET, "an S3 bucket name (3-63 lowercase)")] = (
        "golive-state-bucket"
    )
    """The Pulumi state bucket `golive bootstrap` created (it prints the name)."""
    state_key_alias: Annotated[str, _matches(_KMS_ALIAS, "a KMS alias name without 'alias/'")] = (
        "golive-state"
    )
    """Alias of the secrets-provider key `golive bootstrap` created, without `alias/`."""
    pull_request_previews: bool = False
    """Also create a read-only role for `pulumi preview` on pull requests (staging only: a
    preview decrypts the stack's secrets, which an unreviewed pull request must not reach)."""

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> CiConfig:
        problems: list[tuple[str, str]] = []
        if self.enabled:
            for key, value in (("repository", self.repository), ("environment", self.environment)):
                if not value:
                    problems.append((key, "is required when ci.enabled is true"))
        _check_problems(problems)
        return self


# ----------------------------------------------------------------------------- alarms and budget

_EMAIL_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9._%+-]+@(?:{_EMAIL_LABEL}\.)+[A-Za-z]{{2,}}$")


def check_email(address: str) -> str:
    if len(address) > 254 or not _EMAIL.match(address):
        raise ValueError(f"{address!r} is not an email address (e.g. ops@example.com)")
    return address


EmailAddress = Annotated[str, AfterValidator(check_email)]


def check_emails(addresses: list[str]) -> list[str]:
    lowered = [a.lower() for a in addresses]
    repeated = sorted({a for a in lowered if lowered.count(a) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} twice; give each address once")
    return addresses


def check_webhook(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValueError(
            f"{url!r} must start with https:// (SNS would deliver alarms over plain HTTP)"
        )
    if not parts.hostname or "." not in parts.hostname:
        raise ValueError(f"{url!r} has no host name; use e.g. https://hooks.example.com/alarms")
    if len(url) > 2048:
        raise ValueError(f"the URL is {len(url)} characters; keep it under 2048")
    return url


class AlarmThresholds(Model):
    """Alarm thresholds. Defaults follow AWS guidance and the golive control list; a stack file
    raises them where its traffic is spikier (staging) or keeps them (prod)."""

    target_5xx_percent: float = Field(default=1.0, gt=0, le=100, alias="target5xxPercent")
    """Per web service: target 5xx responses as % of requests, per minute, 2 minutes running.
    Rolls the service's deployment back."""
    target_5xx_min_requests: int = Field(
        default=10, ge=1, le=1_000_000, alias="target5xxMinRequests"
    )
    """Requests a minute below which the 5xx rate is not judged (one error in three requests
    is not an outage)."""
    elb_5xx_per_minute: int = Field(default=0, ge=0, le=1_000_000, alias="elb5xxPerMinute")
    """Load balancer's own 5xx (no healthy target, timeouts) per minute above which it alarms."""
    response_time_p95_seconds: float = Field(default=1.0, gt=0, le=60)
    """Per web service: p95 target response time, 3 of 5 minutes above it (the ALB's idle
    timeout is 60 s)."""
    ecs_cpu_percent: float = Field(default=80, gt=0, le=100)
    """Per service: average CPU over 5 minutes."""
    ecs_memory_percent: float = Field(default=80, gt=0, le=100)
    """Per service: average memory over 5 minutes (tasks are killed at 100%)."""
    rds_cpu_percent: float = Field(default=80, gt=0, le=100)
    """Database CPU, 3 periods of 5 minutes (AWS guidance: unacceptable above 90%)."""
    rds_free_storage_gb: float = Field(default=2, gt=0, le=65536)
    """Database free storage below this many GiB (storage autoscaling may still add space)."""
    rds_freeable_memory_mb: float = Field(default=64, gt=0, le=4_194_304)
    """Database freeable memory below this many MiB, 15 minutes running."""
    rds_connections: int = Field(default=70, ge=1, le=262_143)
    """Database connections above this for 10 minutes. RDS sets max_connections to about
    DBInstanceClassMemory / 9.5 MB (db.t4g.micro ~85, db.t4g.medium ~400): keep this near 80%
    of it when the instance class changes."""
    rds_read_latency_ms: float = Field(default=20, gt=0, le=60_000)
    """Database average read latency in milliseconds, 10 minutes running."""
    rds_write_latency_ms: float = Field(default=20, gt=0, le=60_000)
    """Database average write latency in milliseconds, 10 minutes running."""
    cache_cpu_percent: float = Field(default=80, gt=0, le=100)
    """Cache (Valkey or Redis) engine CPU, the main thread, 15 minutes running."""
    cache_memory_percent: float = Field(default=80, gt=0, le=100)
    """Cache memory used as % of maxmemory; evictions start at 100%."""
    cache_evictions: int = Field(default=0, ge=0, le=1_000_000_000)
    """Cache keys evicted in 5 minutes above which it alarms (0: any eviction)."""
    cloudfront_5xx_percent: float = Field(default=1.0, gt=0, le=100, alias="cloudFront5xxPercent")
    """CloudFront 5xx error rate in % over 5 minutes (its metrics live in us-east-1)."""


class AlarmsConfig(Model):
    """Alarms, their notifications (an SNS topic under the stack's key) and the dashboard."""

    enabled: bool = True
    """Send notifications. `false` keeps every alarm (dashboard, deployment rollback) but
    mutes its actions."""
    emails: Annotated[list[EmailAddress], AfterValidator(check_emails)] = Field(
        default_factory=list[str]
    )
    """Addresses subscribed to the alarm topic. Each gets a confirmation email from AWS and
    receives nothing until someone clicks its link."""
    webhook_url: Annotated[str, AfterValidator(check_webhook)] | None = None
    """Optional HTTPS endpoint subscribed to the topic (it must confirm the subscription by
    fetching the SubscribeURL SNS posts to it, as PagerDuty and Opsgenie do)."""
    thresholds: AlarmThresholds = Field(default_factory=AlarmThresholds)
    """Alarm thresholds (defaults documented per key)."""


class BudgetConfig(Model):
    """A monthly AWS Budget for this stack's tagged costs, notifying the alarm topic."""

    monthly_usd: float = Field(gt=0, le=10_000_000)
    """Monthly budget in USD: notifies at 80% of actual and 100% of forecast spend."""


def monitoring_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Cross-field rules of the alarms: names that would collide, thresholds that always fire."""
    problems: list[tuple[str, str]] = []
    for name in cfg.services:
        if name in RESERVED_ALARM_SCOPES:
            problems.append(
                (
                    f"services.{name}",
                    f"'{name}' is reserved: the stack-wide alarms are named "
                    f"'{cfg.prefix}-{name}-...' ({', '.join(RESERVED_ALARM_SCOPES)} are taken); "
                    "rename the service",
                )
            )
    floor = cfg.alarms.thresholds.rds_free_storage_gb
    if cfg.database is not None and floor >= cfg.database.allocated_storage:
        problems.append(
            (
                "alarms.thresholds.rdsFreeStorageGb",
                f"{floor:g} GiB is not below database.allocatedStorage "
                f"({cfg.database.allocated_storage} GB): the alarm would fire from the start",
            )
        )
    return problems


# ----------------------------------------------------------------------------- edge (CloudFront)

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


class FrontendConfig(Model):
    """The static frontend (e.g. a React build): a private S3 bucket served by CloudFront."""

    enabled: bool = False
    """Serve a static site from S3 on the default path; off: every path goes to the app."""
    spa_fallback: bool = False
    """Single-page app: paths without a file extension return `defaultRootObject` (a
    CloudFront Function on the static-site behavior only, so the app's own 403/404 stay)."""
    default_root_object: Annotated[str, AfterValidator(check_object_key)] = "index.html"
    """Object CloudFront returns for `/` (control CloudFront.1)."""

    @model_validator(mode="after")
    def _fallback_needs_site(self) -> FrontendConfig:
        if self.spa_fallback and not self.enabled:
            raise ProblemList(
                [("spaFallback", "is true but frontend.enabled is false: there is no site")]
            )
        return self


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

    max_age_seconds: int = Field(default=63_072_000, ge=300, le=2**31 - 1)
    """Seconds browsers remember to use HTTPS only (default two years)."""
    include_subdomains: bool = True
    """Apply HSTS to every subdomain of the site's name as well."""
    preload: bool = False
    """Ask browsers to ship the name in their HSTS preload list: hard to undo, so opt in."""

    @model_validator(mode="after")
    def _preload_rules(self) -> HstsConfig:
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
        _check_problems(problems)
        return self


class SecurityHeadersConfig(Model):
    """Security headers CloudFront adds to every response (one response headers policy)."""

    hsts: HstsConfig = Field(default_factory=HstsConfig)
    """Strict-Transport-Security."""
    frame_options: FrameOption = FrameOption.DENY
    """X-Frame-Options: `DENY` or `SAMEORIGIN`."""
    referrer_policy: ReferrerPolicy = ReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN
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


WAF_RATE_WINDOWS = (60, 120, 300, 600)
"""The only evaluation windows (seconds) a WAF rate-based rule accepts."""


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
    rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000)
    """Requests one IP may make per window before WAF blocks it (WAF's minimum is 10). Cache
    hits count too: an SPA page load can fetch dozens of assets."""
    rate_limit_window_seconds: Annotated[int, AfterValidator(check_rate_window)] = 300
    """Window the rate limit counts over: 60, 120, 300 or 600 seconds."""
    count_only_rules: Annotated[list[CommonRuleSetRule], AfterValidator(check_unique)] = Field(
        default_factory=list[CommonRuleSetRule]
    )
    """Common-rule-set rules that only count instead of block (e.g. `SizeRestrictions_BODY`,
    which blocks request bodies over 8 KB, for an API that takes uploads)."""


class AccessLogsConfig(Model):
    """CloudFront standard access logs to a private S3 bucket (control CloudFront.5)."""

    enabled: bool = True
    """On by default; the log bucket also receives the static-site bucket's access logs."""
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Days before log objects expire."""


class CdnConfig(Model):
    """The CloudFront distribution in front of the static site and the app."""

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
    price_class: PriceClass = PriceClass.PRICE_CLASS_100
    """`PriceClass_100` (North America, Europe), `PriceClass_200` (+ most of Asia, Middle East,
    Africa) or `PriceClass_All`."""
    origin_read_timeout_seconds: int = Field(default=30, ge=1, le=60)
    """Seconds CloudFront waits for the app's response (above 60 needs an AWS quota increase)."""
    security_headers: SecurityHeadersConfig = Field(default_factory=SecurityHeadersConfig)
    """HSTS, X-Content-Type-Options nosniff, X-Frame-Options, Referrer-Policy, optional CSP."""
    waf: WafConfig = Field(default_factory=WafConfig)
    """Web application firewall."""
    access_logs: AccessLogsConfig = Field(default_factory=AccessLogsConfig)
    """Standard access logs."""


# ----------------------------------------------------------------------------- compute (issue 4)

FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
"""Fargate's CPU units -> the memory sizes (MiB) AWS accepts with them (Linux, platform 1.4)."""

DATABASE_ENV = ("DB_HOST", "DB_PORT", "DB_NAME")
"""Plain variables a service with `database: true` receives (credentials come from the
`database` secret it lists)."""
CACHE_ENV = ("REDIS_HOST", "REDIS_PORT")
"""Plain variables a service with `cache: true` receives (TLS only; its AUTH token arrives as
the secret `cache.authToken.envName`)."""
RESERVED_TASK_NAMES = frozenset({"db-init"})
"""One-off task names golive defines itself."""

_WORKLOAD_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_WORKLOAD_NAME_MAX = 24
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_LOOKING_ENV = re.compile(r"(?i)pass|secret|token|key")
"""Environment variable names that look like credentials (control ECS.8): use `secrets`."""
_ALB_PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
_ALB_HOST_LABEL = r"[a-z0-9*?]([a-z0-9\-*?]{0,61}[a-z0-9*?])?"
_ALB_HOST_PATTERN = re.compile(rf"^{_ALB_HOST_LABEL}(\.{_ALB_HOST_LABEL})+$")
_HEALTH_MATCHER = re.compile(r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$")
_IMAGE_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    r"(?P<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_ECR_REGISTRY = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$"
)
_SENSITIVE_ACTIONS = frozenset(
    {"secretsmanager:getsecretvalue", "kms:decrypt", "iam:passrole", "ssm:getparameters"}
)
"""Actions that must name their resources: reading secrets, decrypting, passing roles."""
_IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
_RATE = re.compile(r"^rate\((?P<value>\d+)\s+(?P<unit>[a-z]+)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^)]*)\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")


def check_workload_name(name: str) -> str | None:
    """Why `name` cannot name a service, task or schedule, or None when it can."""
    if not _WORKLOAD_NAME.match(name):
        return (
            f"'{name}' must start with a letter and hold only lowercase letters, digits and "
            "single hyphens (it becomes part of AWS names)"
        )
    if len(name) > _WORKLOAD_NAME_MAX:
        return (
            f"'{name}' is {len(name)} characters; use at most {_WORKLOAD_NAME_MAX} (IAM role "
            "names built from it are limited to 64)"
        )
    return None


def check_image_reference(image: str) -> str:
    match = _IMAGE_REFERENCE.match(image)
    if not match:
        raise ValueError(
            f"{image!r} is not an image reference: [REGISTRY/]REPOSITORY:TAG or "
            "[REGISTRY/]REPOSITORY@sha256:DIGEST, repository in lowercase"
        )
    if not match.group("tag") and not match.group("digest"):
        raise ValueError(
            f"{image!r} has no tag or digest: pin one (e.g. {image}:1.4.2), so a restart "
            "cannot pull a different image"
        )
    return image


ImageReference = Annotated[str, AfterValidator(check_image_reference)]


def ecr_repository_arn(image: str) -> str | None:
    """The ECR repository ARN an image reference points at, or None for other registries."""
    match = _IMAGE_REFERENCE.match(image)
    registry = match.group("registry") if match else None
    ecr = _ECR_REGISTRY.match(registry or "")
    if match is None or ecr is None:
        return None
    return (
        f"arn:aws:ecr:{ecr.group('region')}:{ecr.group('account')}:repository/"
        f"{match.group('repository')}"
    )


def check_alb_path_pattern(pattern: str) -> str:
    if not _ALB_PATH_PATTERN.match(pattern):
        raise ValueError(
            f"{pattern!r} is not an ALB path pattern: start with '/', at most 128 characters "
            "of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & and the wildcards * ?"
        )
    return pattern


def check_alb_host_pattern(host: str) -> str:
    if host != host.lower():
        raise ValueError(f"{host!r} must be lowercase (host names are case-insensitive)")
    if len(host) > 128 or not _ALB_HOST_PATTERN.match(host):
        raise ValueError(
            f"{host!r} is not an ALB host condition: a DNS name of at most 128 characters, "
            "wildcards * ? allowed (e.g. api.example.com, *.example.com)"
        )
    return host


AlbPathPattern = Annotated[str, AfterValidator(check_alb_path_pattern)]
AlbHostPattern = Annotated[str, AfterValidator(check_alb_host_pattern)]


def check_env_names(env: dict[str, str]) -> dict[str, str]:
    problems: list[tuple[str, str]] = []
    for name in env:
        if not _ENV_NAME.match(name):
            problems.append((name, "is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"))
        elif SECRET_LOOKING_ENV.search(name):
            problems.append(
                (
                    name,
                    "looks like a credential (pass/secret/token/key): put it in `golive:secrets` "
                    "and list it under the service's `secrets`, which ECS injects from Secrets "
                    "Manager (control ECS.8)",
                )
            )
    _check_problems(problems)
    return env


def check_schedule_expression(expression: str) -> str:
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group("value")), rate.group("unit")
        if unit in ("second", "seconds"):
            raise ValueError(
                f"'{expression}': EventBridge Scheduler's finest rate is one minute; a tick "
                "faster than that belongs in a worker (a service without `port`) that loops"
            )
        units = ("minute", "hour", "day")
        # removesuffix, not rstrip: "minutess" is not a unit.
        if unit.removesuffix("s") not in units:
            raise ValueError(f"'{expression}': the unit must be minute(s), hour(s) or day(s)")
        if value < 1:
            raise ValueError(f"'{expression}': the rate must be at least 1")
        singular = unit in units
        if (value == 1) != singular:
            base = unit.removesuffix("s")
            fixed = f"rate({value} {base if value == 1 else base + 's'})"
            raise ValueError(f"'{expression}': AWS wants '{fixed}' (singular only for 1)")
        return expression
    cron = _CRON.match(expression)
    if cron:
        fields = cron.group("fields").split()
        if len(fields) != 6:
            raise ValueError(
                f"'{expression}' has {len(fields)} fields; EventBridge cron has 6: minutes "
                "hours day-of-month month day-of-week year (e.g. cron(0 3 * * ? *))"
            )
        if "?" not in (fields[2], fields[4]):
            raise ValueError(
                f"'{expression}': one of day-of-month and day-of-week must be '?' "
                "(e.g. cron(0 3 * * ? *))"
            )
        return expression
    if _AT.match(expression):
        return expression
    raise ValueError(
        f"'{expression}' is not a schedule: use rate(5 minutes), cron(0 3 * * ? *) or "
        "at(2030-01-31T09:00:00)"
    )


def check_timezone(name: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not an IANA time zone (e.g. UTC, Europe/Berlin)") from None
    return name


def _fargate_size_problems(cpu: int, memory: int, where: str = "") -> list[tuple[str, str]]:
    if cpu not in FARGATE_SIZES:
        return [
            (f"{where}cpu", f"{cpu} is not a Fargate CPU size; use one of {sorted(FARGATE_SIZES)}")
        ]
    allowed = FARGATE_SIZES[cpu]
    if memory not in allowed:
        steps = {b - a for a, b in itertools.pairwise(allowed)}
        sizes = (
            f"{allowed[0]} to {allowed[-1]} in steps of {steps.pop()}"
            if len(steps) == 1
            else ", ".join(str(size) for size in allowed)  # 256 CPU: 512, 1024, 2048 only
        )
        return [
            (
                f"{where}memory",
                f"{memory} MiB is not allowed with cpu {cpu} on Fargate; use {sizes}",
            )
        ]
    return []


class CpuArchitecture(StrEnum):
    """Fargate CPU architecture; ARM64 (Graviton) costs ~20% less, Spot needs X86_64."""

    X86_64 = "X86_64"
    ARM64 = "ARM64"


class ContainerInsights(StrEnum):
    ENABLED = "enabled"
    ENHANCED = "enhanced"


class IamEffect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class ClusterConfig(Model):
    """The ECS cluster every service and task of the stack runs in."""

    container_insights: ContainerInsights = ContainerInsights.ENABLED
    """CloudWatch Container Insights (control ECS.12): `enabled`, or `enhanced` for per-task and
    per-container metrics (more custom metrics, billed per metric)."""


class LoadBalancerAccessLogsConfig(Model):
    """Load balancer access logs to a private S3 bucket (control ELB.5)."""

    enabled: bool = False
    """Write access logs (prod: true). S3 storage only (~$0.023/GB-month)."""
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Days before log objects expire."""


class LoadBalancerConfig(Model):
    """The one Application Load Balancer shared by every web service of the stack."""

    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    """Seconds an idle connection stays open (AWS default 60); raise it for long polls."""
    deletion_protection: bool = False
    """Refuse to delete the load balancer (control ELB.6; prod: true)."""
    access_logs: LoadBalancerAccessLogsConfig = Field(default_factory=LoadBalancerAccessLogsConfig)
    """Access logs (control ELB.5)."""


class HealthCheckConfig(Model):
    """The target group's health check (interval 10 s, healthy after 2, unhealthy after 3)."""

    path: Annotated[str, AfterValidator(check_alb_path_pattern)] = "/health"
    """HTTP path the load balancer probes, e.g. `/api/health`."""
    matcher: str = "200"
    """Status codes that mean healthy: `200`, `200,204` or `200-299`."""
    timeout_seconds: int = Field(default=5, ge=2, le=9)
    """Seconds before a probe fails (below the 10-second interval)."""
    grace_period_seconds: int = Field(default=60, ge=0, le=3600)
    """Seconds ECS ignores failing health checks of a new task (above the app's boot time)."""

    @field_validator("matcher")
    @classmethod
    def _valid_matcher(cls, matcher: str) -> str:
        if not _HEALTH_MATCHER.match(matcher):
            raise ValueError(f"'{matcher}' is not a status matcher: use 200, 200,204 or 200-299")
        return matcher


class AutoscalingConfig(Model):
    """Target-tracking autoscaling of a service's task count (ECS owns `desiredCount` then)."""

    min_count: int = Field(ge=1, le=1000)
    """Fewest tasks once released (prod web services: at least 2, across AZs)."""
    max_count: int = Field(ge=1, le=1000)
    """Most tasks."""
    cpu_percent: int | None = Field(default=70, ge=10, le=95)
    """Average CPU utilization to hold; null to not scale on CPU."""
    memory_percent: int | None = Field(default=None, ge=10, le=95)
    """Average memory utilization to hold; null to not scale on memory."""
    requests_per_target: int | None = Field(default=None, ge=1, le=1_000_000)
    """ALB requests per task per minute to hold (web services only); null to not use it."""
    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600)
    """Seconds between scale-in steps (slow, so a dip does not drop capacity at once)."""
    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    """Seconds between scale-out steps."""

    @model_validator(mode="after")
    def _coherent(self) -> AutoscalingConfig:
        problems: list[tuple[str, str]] = []
        if self.min_count > self.max_count:
            problems.append(("minCount", f"{self.min_count} is above maxCount {self.max_count}"))
        if (self.cpu_percent, self.memory_percent, self.requests_per_target) == (None,) * 3:
            problems.append(
                ("", "set at least one of cpuPercent, memoryPercent and requestsPerTarget")
            )
        _check_problems(problems)
        return self


class IamStatementConfig(Model):
    """One IAM policy statement added to a service's task role (what the app may call)."""

    actions: list[str] = Field(min_length=1)
    """Actions, e.g. `s3:GetObject`."""
    resources: list[str] = Field(min_length=1)
    """Resource ARNs (or `*` where the action has no resource, e.g. `ses:SendEmail`)."""
    effect: IamEffect = IamEffect.ALLOW
    """`Allow` or `Deny`."""
    condition: dict[str, dict[str, str | list[str]]] | None = None
    """IAM condition block, e.g. `{StringEquals: {"aws:ResourceTag/app": auction}}`."""

    @model_validator(mode="after")
    def _not_a_wildcard_grant(self) -> IamStatementConfig:
        problems: list[tuple[str, str]] = []
        for i, action in enumerate(self.actions):
            if action != "*" and not _IAM_ACTION.match(action):
                problems.append(
                    (f"actions[{i}]", f"'{action}' is not an IAM action (service:Name)")
                )
        for i, resource in enumerate(self.resources):
            if resource != "*" and not resource.startswith("arn:"):
                problems.append((f"resources[{i}]", f"'{resource}' is not an ARN or '*'"))
        if self.effect is IamEffect.ALLOW and "*" in self.resources:
            risky = [
                a
                for a in self.actions
                if a == "*" or a.endswith(":*") or a.lower() in _SENSITIVE_ACTIONS
            ]
            if risky:
                problems.append(
                    (
                        "resources",
                        f"'*' with {', '.join(risky)} grants it on every resource of the "
                        "account; list the ARNs",
                    )
                )
        _check_problems(problems)
        return self


class ServiceConfig(Model):
    """A long-running container: a web service (with `port`) behind the shared load balancer,
    or a worker (no `port`). It runs the image last released to the stack (`golive release`);
    before the first release it exists with 0 tasks."""

    image: ImageReference | None = None
    """Image from another registry (`ghcr.io/org/api:1.4.2`, `public.ecr.aws/...`), used until
    the first release. Omit when this project builds the image: the stack then owns an ECR
    repository `<app>/<stack>/<service>` (immutable tags, scan on push, KMS) that CI pushes to."""
    repository_credentials: str | None = None
    """Name of a secret in `golive:secrets` holding `{"username", "password"}` for a private
    registry (with `image` only)."""
    keep_images: int = Field(default=50, ge=1, le=1000)
    """Images the ECR lifecycle policy keeps (untagged ones expire after 7 days). Keep enough
    to roll back to: a release older than this many pushes cannot be redeployed."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Container port of a web service; omit for a worker (no load balancer)."""
    paths: list[AlbPathPattern] = Field(default_factory=list[str])
    """Path patterns routed to this service, e.g. `/api/*` (at most 3)."""
    hosts: list[AlbHostPattern] = Field(default_factory=list[str])
    """Host names routed to this service, e.g. `admin.example.com` (at most 3; with `paths`,
    both must match; at most 5 values together)."""
    priority: int | None = Field(default=None, ge=1, le=50000)
    """Listener rule priority; by default derived from the routes (most specific first)."""
    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig)
    """Load balancer health check (web services)."""
    container_health_check: list[str] | None = None
    """Container health check command, e.g. `["CMD-SHELL", "wget -qO- localhost:8080/health"]`
    (the image must contain the tool); omit to rely on the load balancer's."""
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=60)
    """Seconds a stopping task keeps serving in-flight requests (AWS default 300 would add five
    minutes to every release)."""
    cpu: int = 256
    """Fargate CPU units: 256 (0.25 vCPU), 512, 1024, 2048, 4096, 8192, 16384."""
    memory: int = 512
    """Memory in MiB; must be a size Fargate allows with `cpu` (256: 512-2048)."""
    architecture: CpuArchitecture = CpuArchitecture.X86_64
    """`X86_64` or `ARM64` (Graviton, ~20% cheaper; the image must be built for it)."""
    spot: bool = False
    """Run on Fargate Spot (up to 70% cheaper; a task may be stopped with two minutes' notice;
    X86_64 only)."""
    on_demand_base: int = Field(default=0, ge=0, le=100)
    """With `spot`: this many tasks always run on regular Fargate."""
    desired_count: int = Field(default=1, ge=1, le=1000)
    """Tasks once released, without autoscaling (0 until the first release)."""
    autoscaling: AutoscalingConfig | None = None
    """Target-tracking autoscaling; when set, it owns the task count."""
    command: list[str] | None = None
    """Override the image's command."""
    entry_point: list[str] | None = None
    """Override the image's entry point."""
    environment: Annotated[dict[str, str], AfterValidator(check_env_names)] = Field(
        default_factory=dict[str, str]
    )
    """Plain environment variables (never credentials: those go in `secrets`)."""
    secrets: Annotated[list[str], AfterValidator(check_unique)] = Field(default_factory=list[str])
    """Names from `golive:secrets` injected as environment variables from Secrets Manager; the
    service's execution role may read exactly these secrets."""
    database: bool = False
    """Connects to the database: the database admits it, and it receives `DB_HOST`, `DB_PORT`
    and `DB_NAME` (list the `database` secret's variables in `secrets` for the credentials)."""
    cache: bool = False
    """Connects to the cache: the cache admits it, and it receives `REDIS_HOST`, `REDIS_PORT`
    (TLS) and the AUTH token secret."""
    readonly_root_filesystem: bool = True
    """Read-only root filesystem (control ECS.5); `writablePaths` stay writable."""
    writable_root_reason: str | None = None
    """Required when `readonlyRootFilesystem` is false: why (shown in the controls report)."""
    writable_paths: Annotated[list[str], AfterValidator(check_unique)] = Field(
        default_factory=lambda: ["/tmp"]
    )
    """Directories mounted writable (task-local, lost when the task stops)."""
    stop_timeout_seconds: int = Field(default=30, ge=2, le=120)
    """Seconds between SIGTERM and SIGKILL when a task stops (Fargate allows 120)."""
    ecs_exec: bool = False
    """Allow `aws ecs execute-command` into running tasks (sessions encrypted with the stack
    key and logged)."""
    task_role_statements: list[IamStatementConfig] = Field(default_factory=list[IamStatementConfig])
    """Extra IAM statements for the task role (AWS APIs the app calls); none by default."""
    log_retention_days: LogRetentionDays = 30
    """Days CloudWatch keeps the service's logs (prod: 365)."""
    egress_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=lambda: [ipaddress.IPv4Network("0.0.0.0/0")]
    )
    """Where tasks may open connections (all protocols); the database and cache are always
    reachable when used. Tasks also need HTTPS to ECR, Secrets Manager and CloudWatch Logs:
    narrow this only with interface endpoints (then include the VPC CIDR)."""

    @property
    def is_web(self) -> bool:
        return self.port is not None

    @model_validator(mode="after")
    def _coherent(self) -> ServiceConfig:
        problems = _fargate_size_problems(self.cpu, self.memory)
        if self.spot and self.architecture is CpuArchitecture.ARM64:
            problems.append(
                (
                    "spot",
                    "Fargate Spot runs only X86_64 tasks; use architecture X86_64 or spot false",
                )
            )
        if self.on_demand_base and not self.spot:
            problems.append(("onDemandBase", "applies only with spot: true"))
        problems += self._routing_problems() if self.is_web else self._worker_problems()
        if not self.readonly_root_filesystem and not self.writable_root_reason:
            problems.append(
                (
                    "writableRootReason",
                    "is required when readonlyRootFilesystem is false: say why the app must "
                    "write outside writablePaths (control ECS.5 exception)",
                )
            )
        if self.readonly_root_filesystem and self.writable_root_reason:
            problems.append(
                ("writableRootReason", "applies only when readonlyRootFilesystem is false")
            )
        for i, path in enumerate(self.writable_paths):
            if not path.startswith("/") or path.rstrip("/") == "":
                problems.append(
                    (f"writablePaths[{i}]", f"'{path}' must be an absolute directory, not /")
                )
        if self.autoscaling is not None and "desired_count" in self.model_fields_set:
            problems.append(
                ("desiredCount", "remove it: with autoscaling the task count is minCount..maxCount")
            )
        if "keep_images" in self.model_fields_set and self.image is not None:
            problems.append(
                ("keepImages", "applies only to an image this project builds (no `image`)")
            )
        if self.repository_credentials and self.image is None:
            problems.append(
                ("repositoryCredentials", "applies only with `image` from another registry")
            )
        check = self.container_health_check
        if check is not None and (len(check) < 2 or check[0] not in ("CMD", "CMD-SHELL")):
            problems.append(
                ("containerHealthCheck", 'must start with "CMD" or "CMD-SHELL" and a command')
            )
        for name in sorted(set(self.environment) & set(self.secrets)):
            problems.append((f"environment.{name}", "is also listed in secrets; give it once"))
        _check_problems(problems)
        return self

    def _routing_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.paths and not self.hosts:
            problems.append(
                ("paths", "a web service (with port) needs paths and/or hosts, e.g. ['/*']")
            )
        for key, values in (("paths", self.paths), ("hosts", self.hosts)):
            if len(values) > 3:
                problems.append(
                    (key, f"has {len(values)} values; an ALB rule condition takes at most 3")
                )
            if len(set(values)) != len(values):
                problems.append((key, "lists a value twice"))
        if len(self.paths) + len(self.hosts) > 5:
            problems.append(
                (
                    "hosts",
                    f"paths and hosts hold {len(self.paths) + len(self.hosts)} values; an ALB "
                    "rule matches at most 5: split the service's routes or use wildcards",
                )
            )
        wildcards = sum(v.count("*") + v.count("?") for v in [*self.paths, *self.hosts])
        if wildcards > 5:
            problems.append(("paths", f"{wildcards} wildcards; an ALB rule allows at most 5"))
        return problems

    def _worker_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        web_only = (
            "paths",
            "hosts",
            "priority",
            "health_check",
            "deregistration_delay_seconds",
        )
        for field_name in web_only:
            if field_name in self.model_fields_set:
                problems.append((to_camel(field_name), "applies only to web services (set port)"))
        if self.autoscaling is not None and self.autoscaling.requests_per_target is not None:
            problems.append(
                (
                    "autoscaling.requestsPerTarget",
                    "a worker has no load balancer requests; scale it on cpuPercent/memoryPercent",
                )
            )
        return problems


class TaskConfig(Model):
    """A named one-off task (migrate, seed, create-admin): the service's image, environment,
    secrets and roles with another command, run with `golive run-task`."""

    service: str
    """The service whose image, environment, secrets and roles it reuses."""
    command: list[str] = Field(min_length=1)
    """The command, e.g. `["./api", "migrate"]`."""
    cpu: int | None = None
    """Fargate CPU units; default: the service's."""
    memory: int | None = None
    """Memory in MiB; default: the service's."""


class ScheduleConfig(Model):
    """A task run on a schedule by EventBridge Scheduler (every minute at most often)."""

    service: str
    """The service whose image, environment, secrets and roles it reuses."""
    command: list[str] = Field(min_length=1)
    """The command, e.g. `["./api", "expire-auctions"]`."""
    schedule: Annotated[str, AfterValidator(check_schedule_expression)]
    """`rate(5 minutes)`, `cron(0 3 * * ? *)` or `at(2030-01-31T09:00:00)`; a faster tick than
    one minute belongs in a worker."""
    timezone: Annotated[str, AfterValidator(check_timezone)] = "UTC"
    """IANA time zone for `cron` and `at` expressions."""
    enabled: bool = True
    """Pause the schedule without deleting it."""
    cpu: int | None = None
    """Fargate CPU units; default: the service's."""
    memory: int | None = None
    """Memory in MiB; default: the service's."""


def _route_keys(service: ServiceConfig) -> list[tuple[str, str]]:
    """(host, path) pairs a service's rule matches; '' stands for any host."""
    hosts = service.hosts or [""]
    paths = service.paths or ["/*"]
    return [(h, p) for h in hosts for p in paths]


def route_order(services: Mapping[str, ServiceConfig]) -> list[str]:
    """Web services from the most specific route to the least (ALB rule priority order).

    Host-and-path rules first, then path-only rules with the longest literal prefix first,
    then host-only rules; catch-all paths (`/*`) last. Ties break on the name so the order,
    and so every priority, depends only on the stack file.
    """

    def literal(pattern: str) -> int:
        return len(re.split(r"[*?]", pattern, maxsplit=1)[0])

    def key(name: str) -> tuple[int, int, int, str]:
        service = services[name]
        longest = max((literal(p) for p in service.paths), default=0)
        catch_all = bool(service.paths) and all(p in ("/*", "*") for p in service.paths)
        rank = (
            0
            if service.hosts and service.paths and not catch_all
            else 1
            if service.paths and not catch_all
            else 2
            if service.hosts
            else 3
        )
        return (rank, -longest, -len(service.hosts), name)

    return sorted((n for n, s in services.items() if s.is_web), key=key)


def rule_priorities(services: Mapping[str, ServiceConfig]) -> dict[str, int]:
    """Each web service's listener rule priority: its `priority`, else 100 x its rank."""
    explicit: dict[str, int] = {}
    for name, service in services.items():
        if service.priority is not None:
            explicit[name] = service.priority
    taken = set(explicit.values())
    priorities: dict[str, int] = {}
    for index, name in enumerate(route_order(services), start=1):
        if name in explicit:
            priorities[name] = explicit[name]
            continue
        candidate = index * 100
        while candidate in taken:
            candidate += 1
        taken.add(candidate)
        priorities[name] = candidate
    return priorities


def compute_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Cross-field rules of services, tasks and schedules (names, routes, references)."""
    problems: list[tuple[str, str]] = []
    owners: dict[str, str] = {}
    for kind in ("services", "tasks", "schedules"):
        for name in getattr(cfg, kind):
            reason = check_workload_name(name)
            if reason:
                problems.append((f"{kind}.{name}", reason))
            if kind != "services" and name in RESERVED_TASK_NAMES:
                problems.append((f"{kind}.{name}", f"'{name}' is golive's built-in task; rename"))
            if name in owners:
                problems.append(
                    (
                        f"{kind}.{name}",
                        f"'{name}' is also in {owners[name]}: services, tasks and schedules "
                        "share one namespace (task definition families)",
                    )
                )
            owners.setdefault(name, kind)
    problems += _name_length_problems(cfg)
    problems += _route_conflicts(cfg.services)
    for name, service in cfg.services.items():
        problems += _service_reference_problems(cfg, name, service)
    for kind, runs in (("tasks", cfg.tasks), ("schedules", cfg.schedules)):
        for name, run in runs.items():
            service = cfg.services.get(run.service)
            if service is None:
                problems.append(
                    (
                        f"{kind}.{name}.service",
                        f"'{run.service}' is not a service of this stack"
                        f"{did_you_mean(run.service, cfg.services)}; services: "
                        f"{', '.join(cfg.services) or 'none'}",
                    )
                )
                continue
            problems += _fargate_size_problems(
                run.cpu or service.cpu, run.memory or service.memory, f"{kind}.{name}."
            )
    return problems


def _service_reference_problems(
    cfg: StackConfig, name: str, service: ServiceConfig
) -> list[tuple[str, str]]:
    """A service's secrets, database and cache exist in the stack file."""
    problems: list[tuple[str, str]] = []
    where = f"services.{name}"
    env_owner = secret_env_names(cfg)
    token = cfg.cache.auth_token.env_name if cfg.cache is not None else None
    known = sorted({*cfg.secrets, *(e for e in env_owner if e != token)})
    database_secrets = {n for n, s in cfg.secrets.items() if s.source is SecretSource.DATABASE}
    for i, secret in enumerate(service.secrets):
        if secret == token:
            problems.append(
                (f"{where}.secrets[{i}]", f"'{secret}' (the cache's token) comes with cache: true")
            )
        elif secret not in known:
            problems.append(
                (
                    f"{where}.secrets[{i}]",
                    f"'{secret}' is not in golive:secrets{did_you_mean(secret, known)}; "
                    f"known: {', '.join(known) or 'none'}",
                )
            )
        elif (secret in database_secrets or env_owner.get(secret) in database_secrets) and (
            not service.database
        ):
            problems.append(
                (
                    f"{where}.database",
                    f"is false but the service takes the database credentials '{secret}': set "
                    "database: true so the database admits it",
                )
            )
    credentials = service.repository_credentials
    if credentials is not None and credentials not in cfg.secrets:
        problems.append(
            (
                f"{where}.repositoryCredentials",
                f"'{credentials}' is not a secret of golive:secrets"
                f"{did_you_mean(credentials, cfg.secrets)}",
            )
        )
    for flag, present, injected in (
        ("database", cfg.database is not None, DATABASE_ENV),
        ("cache", cfg.cache is not None, CACHE_ENV),
    ):
        if not getattr(service, flag):
            continue
        if not present:
            problems.append((f"{where}.{flag}", f"is true but the stack has no golive:{flag}"))
        for env in injected:
            if env in service.environment:
                problems.append(
                    (f"{where}.environment.{env}", f"is set by golive when {flag} is true")
                )
    return problems


def _name_length_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for name, service in cfg.services.items():
        if not service.is_web:
            continue
        logical = naming.target_group(cfg.prefix, name)
        length = naming.physical_length(logical)
        if length > TARGET_GROUP_NAME_MAX:
            budget = TARGET_GROUP_NAME_MAX - length + len(name)
            problems.append(
                (
                    f"services.{name}",
                    f"its target group would be named '{naming.physical_shape(logical)}', "
                    f"{length} characters; "
                    f"AWS allows {TARGET_GROUP_NAME_MAX}. With app and stack '{cfg.prefix}', a "
                    f"web service name may have at most {max(budget, 0)} characters: shorten "
                    "the service or the app name",
                )
            )
    return problems


def _route_conflicts(services: Mapping[str, ServiceConfig]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    claimed: dict[tuple[str, str], str] = {}
    for name, service in services.items():
        if not service.is_web:
            continue
        for host, path in _route_keys(service):
            other = claimed.get((host, path))
            if other is not None:
                where = f"host '{host}' and path '{path}'" if host else f"path '{path}'"
                problems.append(
                    (
                        f"services.{name}.{'paths' if service.paths else 'hosts'}",
                        f"{where} is already routed to service '{other}'; each route may "
                        "lead to one service",
                    )
                )
            else:
                claimed[(host, path)] = name
    priorities: dict[int, str] = {}
    for name, service in services.items():
        if service.is_web and service.priority is not None:
            if service.priority in priorities:
                problems.append(
                    (
                        f"services.{name}.priority",
                        f"{service.priority} is also service '{priorities[service.priority]}'s; "
                        "listener rule priorities must be unique",
                    )
                )
            priorities[service.priority] = name
    return problems


def compute_warnings(cfg: StackConfig) -> list[str]:
    notes: list[str] = []
    for name, service in cfg.services.items():
        if service.spot:
            notes.append(
                f"services.{name}.spot: Fargate Spot may stop a task with two minutes' notice "
                f"(on-demand base: {service.on_demand_base})"
            )
        if service.ecs_exec:
            notes.append(
                f"services.{name}.ecsExec: whoever may call ecs:ExecuteCommand gets a shell in "
                "its tasks (sessions are logged)"
            )
        if not service.readonly_root_filesystem:
            notes.append(
                f"services.{name}.readonlyRootFilesystem is false: {service.writable_root_reason} "
                "(control ECS.5 exception)"
            )
        if service.image and service.image.endswith(":latest"):
            notes.append(
                f"services.{name}.image uses ':latest', which moves: pin a version or digest"
            )
    if cfg.has_web_services:
        lb = cfg.load_balancer
        if not lb.access_logs.enabled:
            notes.append("loadBalancer.accessLogs.enabled is false: no ALB access logs (ELB.5)")
        if cfg.protect and not lb.deletion_protection:
            notes.append("protect is on but loadBalancer.deletionProtection is off (ELB.6)")
    return notes


# ----------------------------------------------------------------------------- data tier (issue 3)
# The database, the application's secrets and the optional cache (components/database.py,
# components/secrets.py, components/cache.py). Root-level rules: `data_tier_problems`.

POSTGRES_MAJORS = ("14", "15", "16", "17", "18")
"""RDS for PostgreSQL majors in standard support in 2026 (13 left it on 2026-02-28; an older
major runs only under paid RDS Extended Support)."""

_RDS_BURSTABLE = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
_RDS_GRAVITON = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_RDS_24XL = (*_RDS_GRAVITON, "24xlarge")
RDS_INSTANCE_FAMILIES: dict[str, tuple[str, ...]] = {
    "db.t3": _RDS_BURSTABLE, "db.t4g": _RDS_BURSTABLE,
    "db.m5": _RDS_24XL, "db.m6g": _RDS_GRAVITON, "db.m6gd": _RDS_GRAVITON,
    "db.m6i": (*_RDS_24XL, "32xlarge"), "db.m7g": _RDS_GRAVITON, "db.m7i": (*_RDS_24XL, "48xlarge"),
    "db.m8g": (*_RDS_24XL, "48xlarge"),
    "db.r5": _RDS_24XL, "db.r6g": _RDS_GRAVITON, "db.r6gd": _RDS_GRAVITON,
    "db.r6i": (*_RDS_24XL, "32xlarge"), "db.r7g": _RDS_GRAVITON, "db.r7i": (*_RDS_24XL, "48xlarge"),
    "db.r8g": (*_RDS_24XL, "48xlarge"),
}  # fmt: skip
"""RDS for PostgreSQL instance classes (2026, us-east-1); AWS answers for a region at create."""
RDS_INSTANCE_CLASSES = frozenset(
    f"{family}.{size}" for family, sizes in RDS_INSTANCE_FAMILIES.items() for size in sizes
)

RDS_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
PERFORMANCE_INSIGHTS_RETENTION_DAYS = (7, *range(31, 731, 31), 731)
"""7 (free), any multiple of 31 up to 713, or 731 (two years)."""
STORAGE_AUTOSCALING_HEADROOM = 1.10
"""RDS: the autoscaling ceiling must be at least 10% above the allocated storage."""
STORAGE_AUTOSCALING_ADVISED = 1.26
"""RDS: 26% above avoids the 'storage reached the maximum threshold' events."""

CACHE_ENGINE_VERSIONS: dict[CacheEngine, tuple[str, ...]] = {
    CacheEngine.VALKEY: ("7.2", "8.0", "8.1", "8.2", "9.0"),
    CacheEngine.REDIS: ("6.2", "7.0", "7.1"),
}
"""Node-based ElastiCache versions (2026); Redis OSS ends at 7.1, Valkey continues it."""
_CACHE_BURSTABLE = ("micro", "small", "medium")
_CACHE_GRAVITON = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_CACHE_INTEL = ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")
CACHE_NODE_FAMILIES: dict[str, tuple[str, ...]] = {
    "cache.t3": _CACHE_BURSTABLE, "cache.t4g": _CACHE_BURSTABLE,
    "cache.m5": _CACHE_INTEL, "cache.m6g": _CACHE_GRAVITON, "cache.m7g": _CACHE_GRAVITON,
    "cache.r5": _CACHE_INTEL, "cache.r6g": _CACHE_GRAVITON, "cache.r7g": _CACHE_GRAVITON,
    "cache.c7gn": _CACHE_GRAVITON,
}  # fmt: skip
CACHE_NODE_TYPES = frozenset(
    f"{family}.{size}" for family, sizes in CACHE_NODE_FAMILIES.items() for size in sizes
)

RDS_IDENTIFIER_MAX = 63
DB_SNAPSHOT_ID_MAX = 255
"""RDS DB snapshot identifiers: 1-255 letters, digits and hyphens (`rds:` counts, when there)."""
CACHE_ID_MAX = 40
_AWS_DB_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DB_SNAPSHOT_ARN = re.compile(
    r"^arn:aws:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):snapshot:(?P<name>.*)$"
)
AUTOMATED_SNAPSHOT_PREFIX = "rds:"
"""How RDS names its automated snapshots (`rds:<instance>-<yyyy-mm-dd-hh-mm>`)."""
_PG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_PG_RESERVED_DATABASES = frozenset({"postgres", "template0", "template1", "rdsadmin"})
_PG_RESERVED_ROLES = frozenset(
    {"postgres", "admin", "root", "rdsadmin", "rdsrepladmin", "public", "user", "none", "all"}
)
"""Built-in or reserved role names, and the engine defaults control RDS.25 rejects."""
_SECRET_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
_RESERVED_ENV_PREFIXES = ("AWS_", "ECS_")
_SECRET_JSON_KEY = re.compile(r"^[A-Za-z0-9_.@+=/-]{1,256}$")
_CONFIG_KEY = re.compile(r"^(?P<namespace>[A-Za-z][A-Za-z0-9_.-]*):[A-Za-z0-9_.-]+$")
SECRET_CONFIG_NAMESPACE = "secrets"
"""Namespace of `config` secrets by default: `pulumi config set --secret secrets:NAME`."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES
_DAILY_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_WEEKLY_WINDOW = re.compile(r"^([A-Za-z]{3}):(\d{2}):(\d{2})-([A-Za-z]{3}):(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class Window:
    """A UTC time window: daily (`hh24:mi-hh24:mi`) or weekly (`ddd:hh24:mi-ddd:hh24:mi`)."""

    start: int
    """Minutes after midnight (daily) or after Monday 00:00 (weekly)."""
    minutes: int
    weekly: bool

    def minutes_of_week(self) -> set[int]:
        """Every minute of the week the window covers (a daily window repeats each day)."""
        starts = [self.start] if self.weekly else [d * _DAY_MINUTES + self.start for d in range(7)]
        return {(s + i) % _WEEK_MINUTES for s in starts for i in range(self.minutes)}


def _clock(hours: str, minutes: str, text: str) -> int:
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"'{text}' holds the time {hours}:{minutes}; use 00:00 to 23:59 (UTC)")
    return int(hours) * 60 + int(minutes)


def parse_window(text: str, *, weekly: bool) -> Window:
    """Parse an AWS maintenance/backup window, or raise ValueError naming the format."""
    if not weekly:
        match = _DAILY_WINDOW.match(text)
        if match is None:
            raise ValueError(
                f"'{text}' is not a daily window 'hh24:mi-hh24:mi' in UTC (e.g. '03:00-03:30')"
            )
        start = _clock(match[1], match[2], text)
        end = _clock(match[3], match[4], text)
        return Window(start, (end - start) % _DAY_MINUTES, weekly=False)
    match = _WEEKLY_WINDOW.match(text)
    if match is None:
        raise ValueError(
            f"'{text}' is not a weekly window 'ddd:hh24:mi-ddd:hh24:mi' in UTC "
            "(e.g. 'sun:04:00-sun:05:00')"
        )
    for day in (match[1], match[4]):
        if day.lower() not in _WEEKDAYS:
            raise ValueError(
                f"'{text}': '{day}' is not a day{did_you_mean(day.lower(), _WEEKDAYS)}; "
                f"use one of {', '.join(_WEEKDAYS)}"
            )
    start = _WEEKDAYS.index(match[1].lower()) * _DAY_MINUTES + _clock(match[2], match[3], text)
    end = _WEEKDAYS.index(match[4].lower()) * _DAY_MINUTES + _clock(match[5], match[6], text)
    return Window(start, (end - start) % _WEEK_MINUTES, weekly=True)


def _window(*, weekly: bool, minimum: int, service: str) -> AfterValidator:
    def check(text: str) -> str:
        window = parse_window(text, weekly=weekly)
        if not minimum <= window.minutes <= _DAY_MINUTES:
            raise ValueError(
                f"'{text}' lasts {window.minutes} minutes; {service} needs {minimum} minutes "
                "to 24 hours"
            )
        return text.lower()

    return AfterValidator(check)


RdsBackupWindow = Annotated[str, _window(weekly=False, minimum=30, service="an RDS backup window")]
RdsMaintenanceWindow = Annotated[
    str, _window(weekly=True, minimum=30, service="an RDS maintenance window")
]
CacheSnapshotWindow = Annotated[
    str, _window(weekly=False, minimum=60, service="an ElastiCache snapshot window")
]
CacheMaintenanceWindow = Annotated[
    str, _window(weekly=True, minimum=60, service="an ElastiCache maintenance window")
]


def _overlap_problem(
    first: tuple[str, str], second: tuple[str, str], first_weekly: bool, second_weekly: bool
) -> list[tuple[str, str]]:
    (first_key, first_text), (second_key, second_text) = first, second
    shared = (
        parse_window(first_text, weekly=first_weekly).minutes_of_week()
        & parse_window(second_text, weekly=second_weekly).minutes_of_week()
    )
    if not shared:
        return []
    day = _WEEKDAYS[min(shared) // _DAY_MINUTES]
    return [
        (
            first_key,
            f"'{first_text}' overlaps {second_key} '{second_text}' (on {day}); AWS requires "
            "the two windows apart",
        )
    ]


def _as_text(value: Any) -> Any:
    """YAML turns `17` or `8.1` into numbers; versions are strings."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def check_postgres_major(version: str) -> str:
    major, dot, _ = version.partition(".")
    if dot and major in POSTGRES_MAJORS:
        raise ValueError(
            f"'{version}' pins a minor version; give the major only ('{major}'): RDS applies "
            "minor versions in the maintenance window (RDS.13), and a pinned one would fight it"
        )
    if version not in POSTGRES_MAJORS:
        raise ValueError(
            f"'{version}' is not a PostgreSQL major RDS supports in standard support; use one "
            f"of {', '.join(POSTGRES_MAJORS)}"
        )
    return version


def check_rds_instance_class(name: str) -> str:
    if name not in RDS_INSTANCE_CLASSES:
        families = ", ".join(sorted(RDS_INSTANCE_FAMILIES))
        raise ValueError(
            f"'{name}' is not an RDS instance class for PostgreSQL"
            f"{did_you_mean(name, RDS_INSTANCE_CLASSES)}; families: {families} "
            "(e.g. db.t4g.micro, db.m7g.large)"
        )
    return name


def check_cache_node_type(name: str) -> str:
    if name not in CACHE_NODE_TYPES:
        families = ", ".join(sorted(CACHE_NODE_FAMILIES))
        raise ValueError(
            f"'{name}' is not an ElastiCache node type{did_you_mean(name, CACHE_NODE_TYPES)}; "
            f"families: {families} (e.g. cache.t4g.micro)"
        )
    return name


def check_database_name(name: str) -> str:
    if not _PG_NAME.match(name):
        raise ValueError(
            f"'{name}' is not a database name: 1-63 lowercase letters, digits or underscores, "
            "starting with a letter"
        )
    if name in _PG_RESERVED_DATABASES:
        raise ValueError(f"'{name}' is reserved by PostgreSQL or RDS; pick the app's own name")
    return name


def _snapshot_name_problem(name: str) -> str | None:
    """Why `name` (without an `rds:` prefix) is not a DB snapshot identifier, or None."""
    if not name:
        return "the snapshot identifier is empty"
    if ":" in name:
        return (
            f"'{name}' has a ':'; only automated snapshots have a prefix, "
            f"'{AUTOMATED_SNAPSHOT_PREFIX}' (copy an AWS Backup recovery point to a manual "
            "snapshot first)"
        )
    if not name[0].isascii() or not name[0].isalpha():
        return f"'{name}' must start with a letter"
    if any(not (c.isascii() and (c.isalnum() or c == "-")) for c in name):
        return f"'{name}' may hold only letters, digits and hyphens"
    if "--" in name or name.endswith("-"):
        return f"'{name}' may not hold two hyphens in a row or end with a hyphen"
    return None


def db_snapshot_problem(reference: str) -> str | None:
    """Why `reference` is neither a DB snapshot identifier nor a DB snapshot ARN, or None."""
    allowed = (
        "use a DB snapshot identifier (1-255 letters, digits and single hyphens, starting with "
        f"a letter; '{AUTOMATED_SNAPSHOT_PREFIX}' + identifier for an automated snapshot) or "
        "its ARN arn:aws:rds:REGION:ACCOUNT:snapshot:IDENTIFIER"
    )
    name = reference
    if reference.startswith("arn:"):
        match = _DB_SNAPSHOT_ARN.match(reference)
        if match is None:
            return f"'{reference}' is not a DB snapshot ARN: {allowed}"
        name = match["name"]
    if len(name) > DB_SNAPSHOT_ID_MAX:
        return f"the snapshot identifier has {len(name)} characters (at most {DB_SNAPSHOT_ID_MAX})"
    reason = _snapshot_name_problem(name.removeprefix(AUTOMATED_SNAPSHOT_PREFIX))
    return f"{reason}: {allowed}" if reason else None


def check_db_snapshot(reference: str) -> str:
    problem = db_snapshot_problem(reference)
    if problem:
        raise ValueError(problem)
    return reference


def db_snapshot_region(reference: str) -> str | None:
    """The region of a DB snapshot ARN (None for an identifier: the stack's own region)."""
    match = _DB_SNAPSHOT_ARN.match(reference)
    return match["region"] if match else None


def role_name_problem(name: str) -> str | None:
    """Why `name` cannot be a PostgreSQL role on RDS, or None."""
    if not _PG_NAME.match(name):
        return (
            f"'{name}' is not a role name: 1-63 lowercase letters, digits or underscores, "
            "starting with a letter"
        )
    if name in _PG_RESERVED_ROLES or name.startswith(("pg_", "rds")):
        return (
            f"'{name}' is reserved (an engine default, or a pg_/rds prefix): use the app's own, "
            "e.g. auction_admin (control RDS.25)"
        )
    return None


def check_role_name(name: str) -> str:
    problem = role_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def check_monitoring_interval(seconds: int) -> int:
    if seconds not in RDS_MONITORING_INTERVALS:
        raise ValueError(
            f"{seconds} is not an enhanced monitoring interval; use one of "
            f"{list(RDS_MONITORING_INTERVALS)} (0 turns it off)"
        )
    return seconds


def check_performance_insights_retention(days: int) -> int:
    if days not in PERFORMANCE_INSIGHTS_RETENTION_DAYS:
        raise ValueError(
            f"{days} days is not a Performance Insights retention; use 7 (free), a multiple of "
            "31 up to 713, or 731"
        )
    return days


def check_recovery_window(days: int) -> int:
    if days != 0 and not 7 <= days <= 30:
        raise ValueError(
            f"{days} days is not a Secrets Manager recovery window; use 7 to 30, or 0 to "
            "delete at once"
        )
    return days


def env_name_problem(name: str) -> str | None:
    """Why `name` cannot be a container environment variable fed from a secret, or None."""
    if not _SECRET_ENV_NAME.match(name):
        return (
            f"'{name}' is not an environment variable name: up to 255 letters, digits and "
            "underscores, not starting with a digit (e.g. JWT_SECRET)"
        )
    if name.upper().startswith(_RESERVED_ENV_PREFIXES):
        return f"'{name}': names starting with AWS_ or ECS_ are set by AWS in every task"
    return None


class PostgresLogStatement(StrEnum):
    """`log_statement`: which statements PostgreSQL logs."""

    NONE = "none"
    DDL = "ddl"
    MOD = "mod"
    ALL = "all"


class DatabaseLoggingConfig(Model):
    """What PostgreSQL logs; exported to CloudWatch Logs with the `upgrade` log (RDS.9)."""

    min_duration_ms: int = Field(default=1000, ge=-1, le=2_147_483_647)
    """`log_min_duration_statement`: log statements slower than this many ms; -1 turns it off."""
    statement: PostgresLogStatement = PostgresLogStatement.DDL
    """`log_statement`: `none`, `ddl` (schema changes: an audit trail), `mod` or `all`."""
    connections: bool = True
    """`log_connections`: who connected from where."""
    disconnections: bool = True
    """`log_disconnections`: session lengths."""
    lock_waits: bool = True
    """`log_lock_waits`: lock waits longer than a second."""
    retention_days: LogRetentionDays = 30
    """Days CloudWatch keeps the exported logs (encrypted with the stack key)."""


class DatabaseConfig(Model):
    """PostgreSQL on RDS, on the isolated subnets, master password managed by RDS."""

    engine_version: Annotated[
        str, BeforeValidator(_as_text), AfterValidator(check_postgres_major)
    ] = "17"
    """PostgreSQL major (`14` to `18`); minor versions upgrade automatically."""
    instance_class: Annotated[str, AfterValidator(check_rds_instance_class)] = "db.t4g.micro"
    """RDS instance class; db.t4g.micro is ~$12/month single-AZ in us-east-1."""
    name: Annotated[str, AfterValidator(check_database_name)] = "app"
    """The database created with the instance (changing it replaces the instance)."""
    master_username: Annotated[str, AfterValidator(check_role_name)] = "golive_admin"
    """Master user, for administrative one-off tasks only (never `postgres`: RDS.25). RDS keeps
    its password in Secrets Manager; changing the name replaces the instance."""
    allocated_storage: int = Field(default=20, ge=20, le=65536)
    """gp3 GB at creation, 20 to 65536 ($0.115/GB-month, x2 with Multi-AZ)."""
    max_allocated_storage: int = Field(default=100, ge=20, le=65536)
    """Storage autoscaling ceiling in GB: at least 10% above `allocatedStorage`, at most 65536."""
    multi_az: bool = True
    """A standby in another AZ (RDS.5); doubles the price. Staging may turn it off."""
    backup_retention_days: int = Field(default=14, ge=0, le=35)
    """Days of automated backups and point-in-time recovery, 0 to 35; 7 or more (RDS.11),
    required when `protect` is on."""
    backup_window: RdsBackupWindow = "03:00-03:30"
    """Daily UTC backup window `hh24:mi-hh24:mi`, at least 30 minutes."""
    maintenance_window: RdsMaintenanceWindow = "sun:04:00-sun:05:00"
    """Weekly UTC maintenance window `ddd:hh24:mi-ddd:hh24:mi`, 30 minutes or more, apart
    from the backup window."""
    deletion_protection: bool = True
    """AWS refuses to delete the instance (RDS.8)."""
    final_snapshot: bool = True
    """Take a named final snapshot on deletion (RDS.8); required when `protect` is on."""
    performance_insights: bool = True
    """Performance Insights, encrypted with the stack key (7 days free)."""
    performance_insights_retention_days: Annotated[
        int, AfterValidator(check_performance_insights_retention)
    ] = 7
    """7 (free), a multiple of 31 up to 713, or 731."""
    monitoring_interval: Annotated[int, AfterValidator(check_monitoring_interval)] = 60
    """Enhanced monitoring every N seconds (RDS.6): 1, 5, 10, 15, 30, 60, or 0 for off."""
    iam_authentication: bool = True
    """Allow IAM database authentication (RDS.10); free, passwords keep working."""
    extended_support: bool = False
    """Keep a major past its end of standard support under RDS Extended Support (billed per
    vCPU-hour); false lets RDS upgrade it."""
    backup_before_release: bool = False
    """`golive release` snapshots the database before migrations (always when `protect`)."""
    logging: DatabaseLoggingConfig = Field(default_factory=DatabaseLoggingConfig)
    """PostgreSQL logging."""
    restore_from_snapshot: Annotated[str, AfterValidator(check_db_snapshot)] | None = None
    """A DB snapshot to create the database from: its identifier (`rds:...` for an automated
    one) or ARN, in the stack's region. Setting or changing it replaces the database: the
    restored instance (`<app>-<stack>-db-<8 hex>`) first, then the old one is deleted with its
    final snapshot. The snapshot must hold this `engineVersion` major, `name` and
    `masterUsername`, be encrypted with this stack's key and fit `allocatedStorage`. Keep it
    afterwards: removing it replaces the database with an empty one. See docs/runbook.md."""

    @model_validator(mode="after")
    def _fits(self) -> DatabaseConfig:
        problems: list[tuple[str, str]] = []
        floor = math.ceil(self.allocated_storage * STORAGE_AUTOSCALING_HEADROOM)
        if self.max_allocated_storage < floor:
            problems.append(
                (
                    "maxAllocatedStorage",
                    f"{self.max_allocated_storage} GB is below allocatedStorage "
                    f"{self.allocated_storage} GB + 10% = {floor} GB: RDS storage autoscaling "
                    f"needs a ceiling at least 10% above the allocated storage (at most 65536)",
                )
            )
        problems += _overlap_problem(
            ("backupWindow", self.backup_window),
            ("maintenanceWindow", self.maintenance_window),
            first_weekly=False,
            second_weekly=True,
        )
        _check_problems(problems)
        return self

    def identifier(self, prefix: str) -> str:
        """The database's base identifier: `<app>-<stack>-db` (names its groups)."""
        return f"{prefix}-db"

    def instance_identifier(self, prefix: str) -> str:
        """The DB instance identifier: the base one, plus a suffix when restored."""
        return instance_identifier(self.identifier(prefix), self.restore_from_snapshot)


class SecretConfig(Model):
    """One secret of `golive:secrets`, keyed by its name (an environment variable name)."""

    source: SecretSource
    """`generated` (pulumi-random), `config` (`pulumi config set --secret`), `external`
    (`golive secrets set`) or `database` (the application role's credentials)."""
    keys: dict[str, str] | None = None
    """A JSON secret: environment variable -> JSON key (one variable per key). Omit for a
    plain value whose variable is the secret's name. `database`: map to `username`/`password`."""
    description: str = Field(default="", max_length=2048)
    """Shown in the console; say who issues an external secret."""
    length: int | None = Field(default=None, ge=16, le=4096)
    """`generated`/`database`: characters per generated value, 16 to 4096 (default 32)."""
    special: bool | None = None
    """`generated`/`database`: include special characters (default false)."""
    special_characters: str | None = None
    """With `special`: the punctuation to draw from (default `!#$%&*()-_=+[]{}<>:?`)."""
    config_key: str | None = None
    """`config`: the secret config key (default `secrets:<NAME>`)."""
    username: str | None = None
    """`database`: the application role's name (never the master user)."""
    recovery_window_days: Annotated[int, AfterValidator(check_recovery_window)] = 30
    """Days a deleted secret stays recoverable: 7 to 30, or 0 (deleted at once)."""

    @model_validator(mode="after")
    def _fits_source(self) -> SecretConfig:
        problems = self._inapplicable_fields()
        if self.keys is not None:
            problems += self._key_problems(self.keys)
        if self.source is SecretSource.DATABASE:
            problems += self._database_problems()
        if self.special_characters is not None:
            problems += self._special_character_problems(self.special_characters)
        if self.config_key is not None:
            match = _CONFIG_KEY.match(self.config_key)
            if match is None:
                problems.append(
                    (
                        "configKey",
                        f"'{self.config_key}' is not a config key 'namespace:name' "
                        f"(e.g. {SECRET_CONFIG_NAMESPACE}:SMTP_PASSWORD)",
                    )
                )
            elif match["namespace"] in (NAMESPACE, "aws"):
                problems.append(
                    (
                        "configKey",
                        f"'{self.config_key}' is in the '{match['namespace']}' namespace, which "
                        f"the stack file's model owns; use e.g. '{SECRET_CONFIG_NAMESPACE}:NAME'",
                    )
                )
        _check_problems(problems)
        return self

    def _inapplicable_fields(self) -> list[tuple[str, str]]:
        applies = {
            SecretSource.GENERATED: {"keys", "length", "special", "special_characters"},
            SecretSource.CONFIG: {"keys", "config_key"},
            SecretSource.EXTERNAL: {"keys"},
            SecretSource.DATABASE: {"keys", "length", "special", "special_characters", "username"},
        }[self.source]
        problems: list[tuple[str, str]] = []
        for field_name in ("length", "special", "special_characters", "config_key", "username"):
            if getattr(self, field_name) is not None and field_name not in applies:
                allowed = ", ".join(sorted(to_camel(f) for f in applies))
                problems.append(
                    (
                        to_camel(field_name),
                        f"does not apply to source '{self.source.value}' (it takes: {allowed})",
                    )
                )
        return problems

    @staticmethod
    def _key_problems(keys: dict[str, str]) -> list[tuple[str, str]]:
        if not keys:
            return [
                (
                    "keys",
                    "is empty: omit it for a plain-value secret, or map each environment "
                    "variable to a JSON key",
                )
            ]
        problems: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for env, json_key in keys.items():
            reason = env_name_problem(env)
            if reason:
                problems.append((f"keys.{env}", reason))
            if not _SECRET_JSON_KEY.match(json_key):
                problems.append(
                    (
                        f"keys.{env}",
                        f"'{json_key}' is not a usable JSON key: 1-256 letters, digits or "
                        "_.@+=/- (no ':', which separates the key in an ECS valueFrom)",
                    )
                )
            if json_key in seen:
                problems.append(
                    (f"keys.{env}", f"JSON key '{json_key}' is also {seen[json_key]}'s; one each")
                )
            seen.setdefault(json_key, env)
        return problems

    def _database_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.username is None:
            problems.append(
                (
                    "username",
                    "source 'database' needs the application role's name, e.g. auction_app",
                )
            )
        else:
            reason = role_name_problem(self.username)
            if reason:
                problems.append(("username", reason))
        if self.keys is None:
            problems.append(
                (
                    "keys",
                    "source 'database' needs keys mapping two environment variables to "
                    "'username' and 'password', e.g. {DB_USER: username, DB_PASSWORD: password}",
                )
            )
        elif sorted(self.keys.values()) != ["password", "username"]:
            problems.append(
                (
                    "keys",
                    f"maps to {sorted(self.keys.values())}; a database secret holds exactly "
                    "'username' and 'password': map one environment variable to each",
                )
            )
        return problems

    def _special_character_problems(self, characters: str) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.special:
            problems.append(("specialCharacters", "takes effect only with special: true"))
        bad = sorted({c for c in characters if c not in string.punctuation})
        if bad or not characters:
            problems.append(
                (
                    "specialCharacters",
                    f"{characters!r} must be ASCII punctuation only (no letters, digits or "
                    f"spaces); not allowed: {bad}",
                )
            )
        return problems

    def env_names(self, name: str) -> list[str]:
        """The environment variables this secret feeds (its keys', or its own name)."""
        return list(self.keys) if self.keys is not None else [name]

    def resolved_config_key(self, name: str) -> str:
        """`config` source: the fully qualified config key holding the value."""
        return self.config_key or f"{SECRET_CONFIG_NAMESPACE}:{name}"


class CacheAuthTokenConfig(Model):
    """The cache's AUTH token: generated, kept in Secrets Manager, injected as a secret."""

    env_name: str = "REDIS_AUTH_TOKEN"
    """Environment variable that receives the token in services with `cache: true`."""
    length: int = Field(default=64, ge=16, le=128)
    """Characters, 16 to 128 (ElastiCache's limits)."""
    recovery_window_days: Annotated[int, AfterValidator(check_recovery_window)] = 30
    """Recovery window of the token's secret: 7 to 30, or 0."""


class CacheConfig(Model):
    """An ElastiCache replication group (Valkey or Redis OSS) on the isolated subnets."""

    engine: CacheEngine = CacheEngine.VALKEY
    """`valkey` (about 20% cheaper) or `redis`."""
    engine_version: Annotated[str, BeforeValidator(_as_text)] = "8.1"
    """Major.minor: valkey 7.2-9.0, redis 6.2-7.1; patches apply automatically."""
    node_type: Annotated[str, AfterValidator(check_cache_node_type)] = "cache.t4g.micro"
    """Node type; cache.t4g.micro is ~$9/month (Valkey) in us-east-1."""
    nodes: int = Field(default=1, ge=1, le=6)
    """Primary plus replicas, 1 to 6."""
    multi_az: bool = False
    """Automatic failover to a replica in another AZ; needs 2 or more nodes."""
    snapshot_retention_days: int = Field(default=1, ge=0, le=35)
    """Days of daily snapshots, 0 (none) to 35."""
    snapshot_window: CacheSnapshotWindow = "05:00-06:00"
    """Daily UTC snapshot window, 60 minutes or more."""
    maintenance_window: CacheMaintenanceWindow = "sun:06:00-sun:07:00"
    """Weekly UTC maintenance window, 60 minutes or more, apart from the snapshot window."""
    auth_token: CacheAuthTokenConfig = Field(default_factory=CacheAuthTokenConfig)
    """The AUTH token clients must send (transit encryption is always on)."""

    @model_validator(mode="after")
    def _fits(self) -> CacheConfig:
        problems: list[tuple[str, str]] = []
        versions = CACHE_ENGINE_VERSIONS[self.engine]
        if self.engine_version not in versions:
            problems.append(
                (
                    "engineVersion",
                    f"'{self.engine_version}' is not a {self.engine.value} version ElastiCache "
                    f"offers{did_you_mean(self.engine_version, versions)}; use one of "
                    f"{', '.join(versions)}",
                )
            )
        if self.multi_az and self.nodes < 2:
            problems.append(
                (
                    "multiAz",
                    f"needs a replica to fail over to: set nodes to 2 or more (it is {self.nodes})",
                )
            )
        reason = env_name_problem(self.auth_token.env_name)
        if reason:
            problems.append(("authToken.envName", reason))
        problems += _overlap_problem(
            ("snapshotWindow", self.snapshot_window),
            ("maintenanceWindow", self.maintenance_window),
            first_weekly=False,
            second_weekly=True,
        )
        _check_problems(problems)
        return self

    def replication_group_id(self, prefix: str) -> str:
        """`<app>-<stack>-cache`."""
        return f"{prefix}-cache"


def _aws_identifier_problem(identifier: str, limit: int) -> str | None:
    if len(identifier) > limit or not _AWS_DB_IDENTIFIER.match(identifier):
        return (
            f"its identifier '{identifier}' (from app and stack names) must be 1-{limit} "
            "lowercase letters, digits and single hyphens, starting with a letter: use a "
            "shorter app or stack name made of those"
        )
    return None


def data_tier_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """Cross-field rules of the database, secrets and cache (paths relative to the stack)."""
    problems: list[tuple[str, str]] = []
    database = cfg.database
    if database is not None:
        reason = _aws_identifier_problem(
            database.instance_identifier(cfg.prefix), RDS_IDENTIFIER_MAX
        )
        if reason:
            problems.append(("database", reason))
        if database.restore_from_snapshot is not None:
            problems += _restore_problems(cfg, database.restore_from_snapshot, database)
        if cfg.protect and database.backup_retention_days < 7:
            problems.append(
                (
                    "database.backupRetentionDays",
                    f"{database.backup_retention_days} days with protect on: protected data "
                    "keeps at least 7 days of backups (control RDS.11, no exception allowed)",
                )
            )
        if cfg.protect and not database.final_snapshot:
            problems.append(
                (
                    "database.finalSnapshot",
                    "is false with protect on: a protected database takes a final snapshot "
                    "when deleted (control RDS.8)",
                )
            )
    if cfg.cache is not None:
        reason = _aws_identifier_problem(cfg.cache.replication_group_id(cfg.prefix), CACHE_ID_MAX)
        if reason:
            problems.append(("cache", reason))
    problems += _secret_name_problems(cfg)
    return problems


def _restore_problems(
    cfg: StackConfig, snapshot: str, database: DatabaseConfig
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    region = db_snapshot_region(snapshot)
    if region is not None and region != cfg.region:
        problems.append(
            (
                "database.restoreFromSnapshot",
                f"'{snapshot}' is a snapshot in {region}, but the stack is in {cfg.region}: RDS "
                "restores only from a snapshot in the instance's region. Copy it here first "
                f"(`aws rds copy-db-snapshot --region {cfg.region} --source-region {region} "
                "--source-db-snapshot-identifier ARN --target-db-snapshot-identifier NAME "
                "--kms-key-id <this stack's kmsKeyArn>`) and restore from NAME",
            )
        )
    if not database.final_snapshot:
        problems.append(
            (
                "database.restoreFromSnapshot",
                "is set while database.finalSnapshot is false: a restore replaces the database, "
                "and the replaced instance must leave a final snapshot (what was written since "
                "the restored snapshot lives only there); set finalSnapshot: true",
            )
        )
    return problems


def _secret_name_problems(cfg: StackConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    # Secret names and the variables they feed share one namespace: services list either.
    owners: dict[str, str] = {}
    database_secret: str | None = None
    for name, secret in cfg.secrets.items():
        reason = env_name_problem(name)
        if reason:
            problems.append((f"secrets.{name}", reason))
        for ident in dict.fromkeys([name, *secret.env_names(name)]):
            where = f"secrets.{name}" if ident == name else f"secrets.{name}.keys.{ident}"
            if ident in owners:
                problems.append(
                    (where, f"'{ident}' is also {owners[ident]}: each name must be unique")
                )
            owners.setdefault(ident, f"secret {name}" if ident == name else f"a key of {name}")
        if secret.source is SecretSource.DATABASE:
            problems += _database_secret_problems(cfg, name, secret, database_secret)
            database_secret = database_secret or name
    if cfg.cache is not None:
        token = cfg.cache.auth_token.env_name
        if token in owners:
            problems.append(
                (
                    "cache.authToken.envName",
                    f"'{token}' is also {owners[token]}: each environment variable comes from "
                    "one secret",
                )
            )
    return problems


def _database_secret_problems(
    cfg: StackConfig, name: str, secret: SecretConfig, first: str | None
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if first is not None:
        problems.append(
            (
                f"secrets.{name}.source",
                f"secret {first} already holds the application role's credentials; one "
                "'database' secret per stack",
            )
        )
    if cfg.database is None:
        problems.append(
            (
                f"secrets.{name}.source",
                "'database' needs a database: add golive:database to the stack file",
            )
        )
    elif secret.username == cfg.database.master_username:
        problems.append(
            (
                f"secrets.{name}.username",
                f"'{secret.username}' is database.masterUsername: the application role must be "
                "another user (the master password rotates every 7 days)",
            )
        )
    return problems


def data_tier_warnings(cfg: StackConfig) -> list[str]:
    notes: list[str] = []
    database = cfg.database
    if database is not None:
        notes += _database_warnings(cfg, database)
    exceptions = list(cfg.secrets)
    if cfg.cache is not None:
        exceptions.append(cfg.cache.auth_token.env_name)
    if exceptions:
        notes.append(
            f"secrets {', '.join(exceptions)}: AWS cannot rotate them by itself; rotate them as "
            "a release step (control SecretsManager.1/4 exception)"
        )
    for name, secret in cfg.secrets.items():
        if secret.recovery_window_days == 0:
            notes.append(
                f"secrets.{name}.recoveryWindowDays is 0: deleting the secret destroys it at once"
            )
    if cfg.cache is not None:
        if not cfg.cache.multi_az:
            notes.append(
                "cache.multiAz is false: a node or AZ failure empties the cache until it is "
                "replaced"
            )
        if cfg.cache.snapshot_retention_days == 0:
            notes.append("cache.snapshotRetentionDays is 0: the cache is never backed up")
    return notes


def _database_warnings(cfg: StackConfig, database: DatabaseConfig) -> list[str]:
    notes: list[str] = []
    if not database.multi_az:
        notes.append(
            "database.multiAz is false: an AZ outage or instance failure stops the database "
            "until AWS replaces it (control RDS.5 exception)"
        )
    if not database.deletion_protection:
        notes.append(
            "database.deletionProtection is false: a `pulumi destroy` deletes the database "
            "(control RDS.8 exception)"
        )
    if not database.final_snapshot:
        notes.append(
            "database.finalSnapshot is false: deleting the database keeps no final snapshot "
            "(control RDS.8 fails)"
        )
    if database.backup_retention_days < 7:
        notes.append(
            f"database.backupRetentionDays is {database.backup_retention_days}: fewer than 7 "
            "days of backups (control RDS.11 fails)"
        )
    elif cfg.protect and database.backup_retention_days < 14:
        notes.append(
            f"database.backupRetentionDays is {database.backup_retention_days} with protect on: "
            "14 to 35 days is the guidance for protected data"
        )
    if database.monitoring_interval == 0:
        notes.append("database.monitoringInterval is 0: no enhanced monitoring (control RDS.6)")
    if not database.performance_insights:
        notes.append("database.performanceInsights is false (CKV_AWS_353)")
    if not database.iam_authentication:
        notes.append(
            "database.iamAuthentication is false: IAM database authentication off "
            "(control RDS.10 exception)"
        )
    if database.max_allocated_storage < database.allocated_storage * STORAGE_AUTOSCALING_ADVISED:
        notes.append(
            f"database.maxAllocatedStorage {database.max_allocated_storage} GB is less than 26% "
            f"above allocatedStorage {database.allocated_storage} GB: RDS sends 'maximum storage "
            "threshold' events as it nears the ceiling"
        )
    if database.extended_support:
        notes.append(
            "database.extendedSupport is true: a major past standard support is billed RDS "
            "Extended Support per vCPU-hour"
        )
    if database.restore_from_snapshot is not None:
        notes += _restore_warnings(cfg, database, database.restore_from_snapshot)
    return notes


def _restore_warnings(cfg: StackConfig, database: DatabaseConfig, snapshot: str) -> list[str]:
    instance = database.instance_identifier(cfg.prefix)
    notes = [
        f"database.restoreFromSnapshot is '{snapshot}': the database instance is {instance}, "
        "restored from it. If this value is new or changed, `pulumi up` REPLACES the database: "
        "it restores the new instance first, redeploys every service with its new endpoint "
        "(DB_HOST), then deletes the old instance with a final snapshot (a protected one is "
        "only dropped from the stack and keeps running). Afterwards run `golive run-task "
        f"{cfg.stack} db-init`: the snapshot may hold an older password for the application "
        "role. Keep the value afterwards: removing it replaces the database with an empty one "
        "(docs/runbook.md, 'Restoring from a snapshot')"
    ]
    if cfg.protect:
        notes.append(
            "database.restoreFromSnapshot with protect on: Pulumi refuses to replace a protected "
            "database, so a new or changed snapshot fails `pulumi preview`; restore with "
            "protect: false in the same reviewed change, then turn it back on (runbook)"
        )
    elif database.deletion_protection:
        notes.append(
            "database.restoreFromSnapshot with deletionProtection on: after a restore AWS "
            "refuses to delete the old instance, so `pulumi up` ends with that error until you "
            "turn its deletion protection off by hand and run it again (runbook)"
        )
    return notes


def secret_env_names(cfg: StackConfig) -> dict[str, str]:
    """Every environment variable fed from a secret -> the secret's name (the cache's token
    maps to `cache`)."""
    names = {env: name for name, s in cfg.secrets.items() for env in s.env_names(name)}
    if cfg.cache is not None:
        names[cfg.cache.auth_token.env_name] = "cache"
    return names


def backup_before_release(cfg: StackConfig) -> bool:
    """Whether `golive release` snapshots the database first (always when data is protected)."""
    return cfg.database is not None and (cfg.protect or cfg.database.backup_before_release)


def config_secret_problems(
    cfg: StackConfig, raw_config: Mapping[str, Any], secret_keys: Collection[str] | None
) -> list[Problem]:
    """`config` secrets must be set, encrypted (`--secret`), and JSON with their keys."""
    problems: list[Problem] = []
    for name, secret in cfg.secrets.items():
        if secret.source is not SecretSource.CONFIG:
            continue
        key = secret.resolved_config_key(name)
        where = f"secrets.{name}.configKey" if secret.config_key else f"secrets.{name}"
        command = f"pulumi config set --secret {key} VALUE -s {cfg.stack}"
        if key not in raw_config:
            problems.append(Problem(where, f"the stack config has no '{key}': run `{command}`"))
            continue
        if secret_keys is not None and key not in secret_keys:
            problems.append(
                Problem(where, f"'{key}' is stored in plain text; set it again with `{command}`")
            )
        if secret.keys is not None:
            problems += _config_json_problems(where, key, raw_config[key], secret.keys)
    return problems


def _config_json_problems(where: str, key: str, raw: Any, keys: Mapping[str, str]) -> list[Problem]:
    # Never echo the value: it is a secret.
    try:
        document: Any = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        return [
            Problem(where, f"'{key}' must hold a JSON object with keys {sorted(keys.values())}")
        ]
    missing = sorted(set(keys.values()) - set(document))  # pyright: ignore[reportUnknownArgumentType]
    if missing:
        return [Problem(where, f"'{key}' is JSON without the keys {missing}")]
    return []


def read_config_secrets(cfg: StackConfig) -> dict[str, pulumi.Output[str]]:
    """The `config` secrets' values as secret Outputs, by secret name."""
    import pulumi

    values: dict[str, pulumi.Output[str]] = {}
    for name, secret in cfg.secrets.items():
        if secret.source is SecretSource.CONFIG:
            namespace, _, key = secret.resolved_config_key(name).partition(":")
            values[name] = pulumi.Config(namespace).require_secret(key)
    return values


# ----------------------------------------------------------------------------- controls


def check_exceptions(exceptions: dict[str, str]) -> dict[str, str]:
    """Declared exceptions must name real controls that allow one, each with a reason."""
    from policies.rules import BY_ID, CONTROLS, control  # lazy: policies is the larger import

    problems: list[tuple[str, str]] = []
    for control_id, reason in exceptions.items():
        try:
            exception_allowed = control(control_id).exception_allowed
        except KeyError:
            known = [*BY_ID, *(c for entry in CONTROLS for c in entry.covers)]
            problems.append(
                (control_id, f"is not a golive control{did_you_mean(control_id, known)}")
            )
            exception_allowed = True  # nothing more to say about an unknown control
        if not exception_allowed:
            problems.append(
                (control_id, "allows no exception (CONTROLS.md: required in every stack)")
            )
        if not reason.strip():
            problems.append((control_id, "give a reason: who accepted it, and why"))
    _check_problems(problems)
    return exceptions


class PolicyConfig(Model):
    """How the security and reliability controls apply to this stack (policy pack and
    `golive plan --controls`). Exceptions are the only way a stack may fall short of a control."""

    enforcement: Literal["mandatory", "advisory"] = "mandatory"
    """`mandatory`: a failed control blocks `pulumi preview`/`up`; `advisory`: report only."""
    exceptions: Annotated[dict[str, str], AfterValidator(check_exceptions)] = Field(
        default_factory=dict[str, str]
    )
    """Control ID -> reason, for controls this stack deliberately does not meet (e.g.
    `RDS.5: single-AZ staging database`). Shown in the controls report with the reason."""


# ----------------------------------------------------------------------------- the stack


class StackConfig(Model):
    """A whole stack file. Field docstrings are the configuration reference (README)."""

    stack: str = Field(exclude=True)
    """The stack's name, used in physical names and tags only, never to branch."""
    region: str
    """`aws:region`: where the stack lives. CloudFront certificates and WAF go to us-east-1."""
    app: str
    """The application's name: lowercase letters, digits and hyphens; prefixes every AWS name."""
    default_tags: Annotated[dict[str, str], AfterValidator(check_tags)] = Field(
        default_factory=dict[str, str]
    )
    """`aws:defaultTags.tags`: tags the AWS provider puts on every resource. Must include
    `golive:app` and `golive:stack` (the budget filters on them)."""
    protect: bool = False
    """Protect stateful resources (database, keys, buckets, secrets) from deletion (prod: true)."""
    domain: DomainConfig | None = None
    """Public host name and hosted zone; omit for a trial on CloudFront's own hostname."""
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    """The VPC."""
    ci: CiConfig = Field(default_factory=CiConfig)
    """GitHub Actions OIDC deploy (and preview) roles for this stack."""
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    """Controls enforcement and the exceptions this stack declares."""
    alarms: AlarmsConfig = Field(default_factory=AlarmsConfig)
    """Alarms, notifications and the dashboard."""
    budget: BudgetConfig | None = None
    """Monthly AWS Budget on the `golive:stack` cost-allocation tag; omit for none."""
    frontend: FrontendConfig = Field(default_factory=FrontendConfig)
    """Static frontend on S3 behind CloudFront; off by default."""
    cdn: CdnConfig = Field(default_factory=CdnConfig)
    """CloudFront in front of everything: API paths, extra host names, headers, WAF, logs."""
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)
    """The ECS cluster."""
    load_balancer: LoadBalancerConfig = Field(default_factory=LoadBalancerConfig)
    """The Application Load Balancer shared by the web services (created only if there is one)."""
    services: dict[str, ServiceConfig] = Field(default_factory=dict[str, ServiceConfig])
    """Long-running containers by name: web services (with `port`) and workers."""
    tasks: dict[str, TaskConfig] = Field(default_factory=dict[str, TaskConfig])
    """One-off tasks by name (`golive run-task STACK NAME`); `db-init` is built in."""
    schedules: dict[str, ScheduleConfig] = Field(default_factory=dict[str, ScheduleConfig])
    """Scheduled tasks by name (EventBridge Scheduler)."""
    database: DatabaseConfig | None = None
    """PostgreSQL on RDS; omit for a stack without a database."""
    secrets: dict[str, SecretConfig] = Field(default_factory=dict[str, SecretConfig])
    """The application's secrets in Secrets Manager, by name (an environment variable name);
    services list the names they use."""
    cache: CacheConfig | None = None
    """Valkey or Redis OSS on ElastiCache; omit for no cache."""

    @model_validator(mode="after")
    def _data_tier_fits(self) -> StackConfig:
        _check_problems(data_tier_problems(self))
        return self

    @model_validator(mode="after")
    def _compute_fits(self) -> StackConfig:
        _check_problems(compute_problems(self))
        return self

    @model_validator(mode="after")
    def _monitoring_fits(self) -> StackConfig:
        _check_problems(monitoring_problems(self))
        return self

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region not in AWS_REGIONS:
            raise ValueError(f"'{region}' is not an AWS region{did_you_mean(region, AWS_REGIONS)}")
        return region

    @field_validator("app")
    @classmethod
    def _app_fits_aws_names(cls, app: str, info: ValidationInfo) -> str:
        if not _APP_NAME.match(app):
            raise ValueError(
                f"'{app}' must start with a letter and hold only lowercase letters, digits "
                "and single hyphens"
            )
        stack = str(info.data.get("stack", ""))
        logical = naming.load_balancer(f"{app}-{stack}")
        longest_alb_name = naming.physical_length(logical)
        if longest_alb_name > ALB_NAME_MAX:
            budget = ALB_NAME_MAX - longest_alb_name + len(app)
            raise ValueError(
                f"'{app}' makes the load balancer's name '{naming.physical_shape(logical)}' "
                f"{longest_alb_name} characters; AWS allows {ALB_NAME_MAX}. With stack "
                f"'{stack}', app may have at most {max(budget, 0)} characters"
            )
        return app

    @model_validator(mode="after")
    def _tags_name_the_stack(self) -> StackConfig:
        problems: list[tuple[str, str]] = []
        for tag, expected in (("golive:app", self.app), ("golive:stack", self.stack)):
            actual = self.default_tags.get(tag)
            if actual != expected:
                problems.append(
                    (
                        f"aws:defaultTags.tags.{tag}",
                        f"is {actual!r}; set it to {expected!r} (cost reports and the budget "
                        "filter on it)",
                    )
                )
        _check_problems(problems)
        return self

    @property
    def image_parameter_prefix(self) -> str:
        """SSM path where `golive release` records each service's released image."""
        return f"/golive/{self.app}/{self.stack}/images/"

    @property
    def prefix(self) -> str:
        """`<app>-<stack>`: the base of every logical and physical name in this stack."""
        return f"{self.app}-{self.stack}"

    def warnings(self) -> list[str]:
        """Choices in the stack file worth a human's attention before `pulumi up`."""
        notes: list[str] = []
        if self.network.nat is NatStrategy.NONE:
            notes.append(
                "network.nat is 'none': services run in public subnets with public IPs "
                "(their security group admits only the load balancer; control ECS.2 exception)"
            )
        if self.network.nat is NatStrategy.SINGLE:
            notes.append(
                "network.nat is 'single': one NAT gateway, so an outage of its AZ cuts "
                "every task's outbound internet access"
            )
        if not self.network.flow_logs.enabled:
            notes.append("network.flowLogs.enabled is false: no VPC flow logs (control EC2.6)")
        if self.domain is None:
            notes.append(
                "no domain: a trial stack on CloudFront's own hostname and certificate "
                "(AWS allows TLSv1 to viewers; plain HTTP from CloudFront to the ALB in the VPC)"
            )
        notes += self._monitoring_warnings()
        notes += self._edge_warnings()
        notes += compute_warnings(self)
        notes += data_tier_warnings(self)
        return notes

    def _monitoring_warnings(self) -> list[str]:
        notes: list[str] = []
        if not self.alarms.enabled:
            notes.append(
                "alarms.enabled is false: alarms still evaluate and roll deployments back, "
                "but notify nobody"
            )
        elif not self.alarms.emails and self.alarms.webhook_url is None:
            notes.append("alarms has no emails and no webhookUrl: alarms notify nobody")
        if self.alarms.emails:
            notes.append(
                "alarms.emails: each address must click the confirmation link AWS sends after "
                "`pulumi up`; until then it receives no alarm (`golive verify` lists them)"
            )
        if self.budget is None:
            notes.append("no budget: nothing warns when this stack's spend runs away")
        return notes

    # ------------------------------------------------------------------------- edge

    @model_validator(mode="after")
    def _edge_fits(self) -> StackConfig:
        problems: list[tuple[str, str]] = []
        if self.cdn.api_paths and not self.frontend.enabled:
            problems.append(
                (
                    "cdn.apiPaths",
                    "frontend.enabled is false, so every path already goes to the app: remove "
                    "apiPaths or turn the frontend on",
                )
            )
        if self.domain is None:
            if self.cdn.host_names:
                problems.append(
                    (
                        "cdn.hostNames",
                        "needs a domain (golive:domain): a stack without one answers on "
                        "CloudFront's own hostname only",
                    )
                )
            problems += self._service_routes_reach_the_edge()
            _check_problems(problems)
            return self
        if len(self.domain.name) > ACM_MAX_COMMON_NAME:
            problems.append(
                (
                    "domain.name",
                    f"'{self.domain.name}' is {len(self.domain.name)} characters; a "
                    f"certificate's first name (its common name) allows {ACM_MAX_COMMON_NAME}",
                )
            )
        if len(self.origin_host_name or "") > 253:
            problems.append(
                ("domain.name", f"'origin.{self.domain.name}' would exceed 253 characters")
            )
        for i, host in enumerate(self.cdn.host_names):
            key = f"cdn.hostNames[{i}]"
            if host == self.domain.name:
                problems.append((key, f"'{host}' is domain.name already; list only other names"))
            elif host != self.domain.zone and not host.endswith("." + self.domain.zone):
                problems.append(
                    (key, f"'{host}' is not inside the zone '{self.domain.zone}' (domain.zone)")
                )
            elif host == self.origin_host_name:
                problems.append((key, f"'{host}' is reserved for CloudFront's origin connection"))
        problems += self._service_routes_reach_the_edge()
        names = len(self.certificate_names)
        if names > ACM_MAX_NAMES:
            problems.append(
                (
                    "cdn.hostNames",
                    f"{len(self.cdn.host_names)} extra names make a certificate of {names} names "
                    f"(domain.name, each host name, origin.{self.domain.name}); ACM allows "
                    f"{ACM_MAX_NAMES}: use at most {ACM_MAX_NAMES - 2} host names",
                )
            )
        _check_problems(problems)
        return self

    def _service_routes_reach_the_edge(self) -> list[tuple[str, str]]:
        """Every web service's routes must be reachable through CloudFront, which routes on the
        path alone: under an API path when a frontend has the default path, and on a name the
        distribution serves when routed by host."""
        problems: list[tuple[str, str]] = []
        for name, service in self.services.items():
            if not service.is_web:
                continue
            for i, host in enumerate(service.hosts):
                key = f"services.{name}.hosts[{i}]"
                if self.domain is None:
                    problems.append(
                        (
                            key,
                            "host routing needs a domain: a stack without golive:domain answers "
                            "on CloudFront's own hostname only",
                        )
                    )
                elif host not in self.site_names:
                    problems.append(
                        (
                            key,
                            f"'{host}' is not a name the distribution serves "
                            f"({', '.join(self.site_names)}): add it to cdn.hostNames",
                        )
                    )
            if not self.frontend.enabled:
                continue
            for i, path in enumerate(service.paths or ["/*"]):
                if not any(fnmatch.fnmatchcase(path, api) for api in self.cdn.api_paths):
                    key = f"services.{name}.paths[{i}]" if service.paths else f"services.{name}"
                    problems.append(
                        (
                            key,
                            f"'{path}' is not under cdn.apiPaths {self.cdn.api_paths}: with the "
                            "frontend on, CloudFront sends it to the static site (CloudFront "
                            "routes on paths only); add a covering pattern to cdn.apiPaths",
                        )
                    )
        main = self.health_check_service
        if self.frontend.enabled and main is not None:
            path = self.services[main].health_check.path
            if not any(fnmatch.fnmatchcase(path, api) for api in self.cdn.api_paths):
                problems.append(
                    (
                        f"services.{main}.healthCheck.path",
                        f"'{path}' is not under cdn.apiPaths {self.cdn.api_paths}: the public "
                        "health URL would reach the static site, not the service",
                    )
                )
        return problems

    @property
    def has_web_services(self) -> bool:
        """A service with a port: the stack then has the shared ALB."""
        return any(s.is_web for s in self.services.values())

    @property
    def health_check_service(self) -> str | None:
        """The main web service (the first in the stack file): its health check is `healthUrl`."""
        return next((n for n, s in self.services.items() if s.is_web), None)

    @property
    def site_names(self) -> list[str]:
        """Host names viewers use (CloudFront aliases); empty for a trial stack."""
        if self.domain is None:
            return []
        return [self.domain.name, *self.cdn.host_names]

    @property
    def origin_host_name(self) -> str | None:
        """The ALB's name on CloudFront's TLS connection (ACM cannot issue *.elb.amazonaws.com)."""
        return None if self.domain is None else f"origin.{self.domain.name}"

    @property
    def forwards_host_header(self) -> bool:
        """Whether the viewer's Host header reaches the ALB (several names, or host routing)."""
        routed = any(s.hosts for s in self.services.values() if s.is_web)
        return bool(self.cdn.host_names) or routed

    @property
    def certificate_names(self) -> list[str]:
        """Every name a certificate of this stack covers (site names first, then the origin)."""
        origin = self.origin_host_name
        return [*self.site_names, origin] if origin else []

    @property
    def edge_bucket_region(self) -> str:
        """Region of the static-site and log buckets: CloudFront logs skip opt-in regions."""
        return GLOBAL_SERVICES_REGION if self.region in OPT_IN_REGIONS else self.region

    def _edge_warnings(self) -> list[str]:
        notes: list[str] = []
        if not self.frontend.enabled:
            notes.append(
                "frontend.enabled is false: CloudFront sends '/' to the app and sets no default "
                "root object (control CloudFront.1 exception)"
            )
        elif not self.cdn.api_paths:
            notes.append(
                "frontend is on and cdn.apiPaths is empty: every path serves the static site, "
                "so the app is not reachable through CloudFront"
            )
        if not self.cdn.waf.enabled:
            notes.append("cdn.waf.enabled is false: no web application firewall (CloudFront.6)")
        if not self.cdn.access_logs.enabled:
            notes.append(
                "cdn.accessLogs.enabled is false: no CloudFront access logs (CloudFront.5)"
            )
        if self.cdn.price_class is PriceClass.PRICE_CLASS_100 and not self.region.startswith(
            ("us-", "ca-", "eu-")
        ):
            notes.append(
                f"cdn.priceClass is PriceClass_100 but the stack is in {self.region}: viewers "
                "near it are served from North American and European edges"
            )
        if self.region != self.edge_bucket_region:
            notes.append(
                f"{self.region} is an opt-in region, where CloudFront delivers no standard logs: "
                "the static-site and log buckets live in us-east-1"
            )
        return notes


# ----------------------------------------------------------------------------- loading


def _config_key(field_name: str) -> str:
    if field_name in _ROOT_PATHS:
        return _ROOT_PATHS[field_name]
    return f"{NAMESPACE}:{to_camel(field_name)}"


def _decode(raw: Any) -> Any:
    """Structured keys arrive as JSON strings; scalars stay strings (pydantic coerces them)."""
    if isinstance(raw, str) and raw[:1] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def parse(
    stack: str, raw_config: Mapping[str, Any], secret_keys: Collection[str] | None = None
) -> StackConfig:
    """Validate a stack's config map (fully qualified keys, CLI-style string values).

    `secret_keys` names the keys stored encrypted (`--secret`); None skips that check.
    """
    data: dict[str, Any] = {"stack": stack}
    for key, raw in raw_config.items():
        namespace, _, name = key.partition(":")
        if key == "aws:region":
            data["region"] = raw
        elif key == "aws:defaultTags":
            decoded: Any = _decode(raw)
            data["default_tags"] = (
                decoded.get("tags", {})  # pyright: ignore[reportUnknownMemberType]
                if isinstance(decoded, dict)
                else decoded
            )
        elif namespace == NAMESPACE:
            data[name] = _decode(raw)
    try:
        cfg = StackConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems_from(exc), stack) from None
    problems = config_secret_problems(cfg, raw_config, secret_keys)
    if problems:
        raise ConfigError(problems, stack)
    return cfg


def load() -> StackConfig:
    """Read and validate the running stack's config. The only reader of Pulumi config."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | {
        key for key in raw if runtime_config.is_config_secret(key)
    }
    return parse(pulumi.get_stack(), raw, secret_keys)


# ----------------------------------------------------------------------------- error text


_ROOT_PATHS = {"region": "aws:region", "default_tags": "aws:defaultTags.tags"}


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif i == 0:
            parts.append(_ROOT_PATHS.get(str(part), str(part)))
        else:
            parts.append(f".{part}")
    return "".join(parts)


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation may hold (through Optional, list, dict and Annotated)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for a in get_args(annotation) for m in _unwrap(a)]
    if origin in (list, tuple, set, frozenset):
        return [("item", m) for m in _unwrap(get_args(annotation)[0])]
    if origin is dict:
        return [("item", m) for m in _unwrap(get_args(annotation)[1])]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def known_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The camelCase keys allowed at the object that holds `loc`'s last part."""
    candidates: list[Any] = [StackConfig]
    for part in loc[:-1]:
        following: list[Any] = []
        for model in candidates:
            if isinstance(model, tuple):
                following.append(model[1])
                continue
            for name, info in model.model_fields.items():
                if part in (name, info.alias):
                    following += _unwrap(info.annotation)
        candidates = following
    keys: list[str] = []
    for model in candidates:
        if isinstance(model, type) and issubclass(model, BaseModel):
            keys += [
                info.alias or name
                for name, info in model.model_fields.items()
                if name != "stack" and not (model is StackConfig and name in _ROOT_PATHS)
            ]
    return sorted(set(keys))


def _problems_from(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        path = _path(loc)
        kind = error["type"]
        ctx = error.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, ProblemList):
            for sub_path, message in cause.items:
                if sub_path in _ROOT_PATHS.values():
                    full = sub_path
                else:
                    full = ".".join(p for p in (path, sub_path) if p)
                problems.append(Problem(full, message))
            continue
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = known_keys(loc)
            shown = ", ".join(allowed)
            message = f"unknown key{did_you_mean(key, allowed)}; allowed here: {shown}"
            if len(loc) == 1:
                path = f"{NAMESPACE}:{key}"
        elif kind == "missing":
            key = _config_key(str(loc[-1])) if len(loc) == 1 else str(loc[-1])
            message = f"required key '{key}' is missing"
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
            value = error.get("input")
            shown_value = json.dumps(value) if isinstance(value, str | int | float | bool) else None
            named = shown_value is None or str(value) in text
            message = text if named else f"{shown_value} is invalid: {text}"
        problems.append(Problem(path, message))
    return problems
