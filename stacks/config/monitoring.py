"""The monitoring tier of the config model: alarms, their notifications and the budget."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field

from components.monitoring import RESERVED_ALARM_SCOPES, MonitoringArgs, Thresholds
from stacks.config.base import Model, default_of

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig

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

    target_5xx_percent: float = Field(
        default=default_of(Thresholds, "target_5xx_percent"), gt=0, le=100, alias="target5xxPercent"
    )
    """Per web service: target 5xx responses as % of requests, per minute, 2 minutes running.
    Rolls the service's deployment back."""
    target_5xx_min_requests: int = Field(
        default=default_of(Thresholds, "target_5xx_min_requests"),
        ge=1,
        le=1_000_000,
        alias="target5xxMinRequests",
    )
    """Requests a minute below which the 5xx rate is not judged (one error in three requests
    is not an outage)."""
    elb_5xx_per_minute: int = Field(
        default=default_of(Thresholds, "elb_5xx_per_minute"),
        ge=0,
        le=1_000_000,
        alias="elb5xxPerMinute",
    )
    """Load balancer's own 5xx (no healthy target, timeouts) per minute above which it alarms."""
    response_time_p95_seconds: float = Field(
        default=default_of(Thresholds, "response_time_p95_seconds"), gt=0, le=60
    )
    """Per web service: p95 target response time, 3 of 5 minutes above it (the ALB's idle
    timeout is 60 s)."""
    ecs_cpu_percent: float = Field(default=default_of(Thresholds, "ecs_cpu_percent"), gt=0, le=100)
    """Per service: average CPU over 5 minutes."""
    ecs_memory_percent: float = Field(
        default=default_of(Thresholds, "ecs_memory_percent"), gt=0, le=100
    )
    """Per service: average memory over 5 minutes (tasks are killed at 100%)."""
    rds_cpu_percent: float = Field(default=default_of(Thresholds, "rds_cpu_percent"), gt=0, le=100)
    """Database CPU, 3 periods of 5 minutes (AWS guidance: unacceptable above 90%)."""
    rds_free_storage_gb: float = Field(
        default=default_of(Thresholds, "rds_free_storage_gb"), gt=0, le=65536
    )
    """Database free storage below this many GiB (storage autoscaling may still add space)."""
    rds_freeable_memory_mb: float = Field(
        default=default_of(Thresholds, "rds_freeable_memory_mb"), gt=0, le=4_194_304
    )
    """Database freeable memory below this many MiB, 15 minutes running."""
    rds_connections: int = Field(
        default=default_of(Thresholds, "rds_connections"), ge=1, le=262_143
    )
    """Database connections above this for 10 minutes. RDS sets max_connections to about
    DBInstanceClassMemory / 9.5 MB (db.t4g.micro ~85, db.t4g.medium ~400): keep this near 80%
    of it when the instance class changes."""
    rds_read_latency_ms: float = Field(
        default=default_of(Thresholds, "rds_read_latency_ms"), gt=0, le=60_000
    )
    """Database average read latency in milliseconds, 10 minutes running."""
    rds_write_latency_ms: float = Field(
        default=default_of(Thresholds, "rds_write_latency_ms"), gt=0, le=60_000
    )
    """Database average write latency in milliseconds, 10 minutes running."""
    rds_replica_lag_seconds: float = Field(
        default=default_of(Thresholds, "rds_replica_lag_seconds"), gt=0, le=86_400
    )
    """Read replica lag in seconds, 10 minutes running. Keep it above 300: RDS for PostgreSQL
    writes a heartbeat every 5 minutes, so an idle database's replicas lag up to that much."""
    cache_cpu_percent: float = Field(
        default=default_of(Thresholds, "cache_cpu_percent"), gt=0, le=100
    )
    """Cache (Valkey or Redis) engine CPU, the main thread, 15 minutes running."""
    cache_memory_percent: float = Field(
        default=default_of(Thresholds, "cache_memory_percent"), gt=0, le=100
    )
    """Cache memory used as % of maxmemory; evictions start at 100%."""
    cache_evictions: int = Field(
        default=default_of(Thresholds, "cache_evictions"), ge=0, le=1_000_000_000
    )
    """Cache keys evicted in 5 minutes above which it alarms (0: any eviction)."""
    cache_connections: int = Field(
        default=default_of(Thresholds, "cache_connections"), ge=1, le=65_000
    )
    """Client connections per cache node above which it alarms, 10 minutes running
    (ElastiCache accepts at most 65,000: `maxclients`)."""
    cache_hit_rate_percent: float = Field(
        default=default_of(Thresholds, "cache_hit_rate_percent"), gt=0, le=100
    )
    """Cache hits as % of lookups per node below which it alarms, 15 minutes running."""
    cache_hit_rate_min_lookups: int = Field(
        default=default_of(Thresholds, "cache_hit_rate_min_lookups"), ge=1, le=1_000_000_000
    )
    """Lookups (hits + misses) in 5 minutes below which the hit rate is not judged."""
    cloudfront_5xx_percent: float = Field(
        default=default_of(Thresholds, "cloudfront_5xx_percent"),
        gt=0,
        le=100,
        alias="cloudFront5xxPercent",
    )
    """CloudFront 5xx error rate in % over 5 minutes (its metrics live in us-east-1)."""


class AlarmsConfig(Model):
    """Alarms, their notifications (an SNS topic under the stack's key) and the dashboard."""

    enabled: bool = default_of(MonitoringArgs, "notifications_enabled")
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


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
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


def warnings(cfg: StackConfig) -> list[str]:
    """Alarms that notify nobody (yet), and a stack whose spend no budget watches."""
    notes: list[str] = []
    if not cfg.alarms.enabled:
        notes.append(
            "alarms.enabled is false: alarms still evaluate and roll deployments back, "
            "but notify nobody"
        )
    elif not cfg.alarms.emails and cfg.alarms.webhook_url is None:
        notes.append("alarms has no emails and no webhookUrl: alarms notify nobody")
    if cfg.alarms.emails:
        notes.append(
            "alarms.emails: each address must click the confirmation link AWS sends after "
            "`pulumi up`; until then it receives no alarm (`golive verify` lists them)"
        )
    if cfg.budget is None:
        notes.append("no budget: nothing warns when this stack's spend runs away")
    return notes
