"""The monitoring tier of the config model: alarms, their notifications and the budget."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

from annotated_types import Le
from pydantic import AfterValidator, Field

from aws_facts.rds import (
    DB_INSTANCE_CLASS_MEMORY_SHARE,
    RDS_INSTANCE_MEMORY_GIB,
    default_max_connections,
)
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
    rds_connections_percent: float = Field(
        default=default_of(Thresholds, "rds_connections_percent"), gt=0, le=100
    )
    """Database connections above this % of the instance class's default max_connections, for
    10 minutes. That default is LEAST(memory / 9531392, 5000) (db.t4g.micro 112, db.t4g.small
    225, db.t4g.medium 450); RDS computes it from the memory left after what it keeps for
    itself, so the real limit is lower (about 85 on a db.t4g.micro): above 75% the alarm may
    never fire. The alarm follows the class when it changes."""
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


# AWS's chat integration's ids (botocore chatbot service model: SlackTeamId `[0-9A-Z]{1,255}`,
# SlackChannelId `[A-Za-z0-9]+`, at most 255 characters).
_SLACK_WORKSPACE = re.compile(r"^[0-9A-Z]{1,255}$")
_SLACK_CHANNEL = re.compile(r"^[A-Za-z0-9]{1,255}$")


def check_slack_workspace(value: str) -> str:
    if not _SLACK_WORKSPACE.match(value):
        raise ValueError(
            f"{value!r} is not a Slack workspace id (uppercase letters and digits, e.g. "
            "T07EA123LEP: the chat integration's console shows it once the workspace is "
            "authorized)"
        )
    return value


def check_slack_channel(value: str) -> str:
    if not _SLACK_CHANNEL.match(value):
        raise ValueError(
            f"{value!r} is not a Slack channel id (letters and digits, e.g. C07EZ1ABC23: the "
            "end of the channel's link), not its #name"
        )
    return value


class SlackConfig(Model):
    """Alarms in a Slack channel through AWS's chat integration for Slack (AWS Chatbot, now
    "Amazon Q Developer in chat applications"), which subscribes to the alarm topics itself: a
    Slack incoming webhook cannot confirm an SNS subscription. Authorize the workspace once in
    its console first (README, "Alarms in Slack")."""

    workspace_id: Annotated[str, AfterValidator(check_slack_workspace)]
    """The Slack workspace (team) id the chat integration was authorized for, e.g. `T07EA123LEP`."""
    channel_id: Annotated[str, AfterValidator(check_slack_channel)]
    """The channel's id, e.g. `C07EZ1ABC23` (a private channel must invite the app)."""


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
    slack: SlackConfig | None = None
    """Also post the alarms (and deploy notifications) to a Slack channel; none by default."""


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
    thresholds = cfg.alarms.thresholds
    database = cfg.database
    if database is not None and thresholds.rds_free_storage_gb >= database.allocated_storage:
        problems.append(
            (
                "alarms.thresholds.rdsFreeStorageGb",
                f"{thresholds.rds_free_storage_gb:g} GiB is not below database.allocatedStorage "
                f"({database.allocated_storage} GB): the alarm would fire from the start",
            )
        )
    memory_mib = RDS_INSTANCE_MEMORY_GIB.get(database.instance_class) if database else None
    if memory_mib is not None and thresholds.rds_freeable_memory_mb >= memory_mib * 1024:
        problems.append(
            (
                "alarms.thresholds.rdsFreeableMemoryMb",
                f"{thresholds.rds_freeable_memory_mb:g} MiB is not below the memory of "
                f"{database.instance_class if database else ''} ({memory_mib * 1024} MiB): "
                "the alarm would fire from the start",
            )
        )
    return problems


def _unreachable(cfg: StackConfig) -> list[str]:
    """Thresholds the metric can never exceed: their alarms would never fire."""
    thresholds = cfg.alarms.thresholds
    notes: list[str] = []
    for name, info in AlarmThresholds.model_fields.items():
        percent = any(isinstance(m, Le) and m.le == 100 for m in info.metadata)
        if percent and getattr(thresholds, name) >= 100:
            notes.append(
                f"alarms.thresholds.{info.alias or name} is 100: a percentage never exceeds "
                "100, so this alarm never fires"
            )
    share = thresholds.rds_connections_percent
    database = cfg.database
    if database is not None and DB_INSTANCE_CLASS_MEMORY_SHARE * 100 < share < 100:
        limit = default_max_connections(database.instance_class)
        notes.append(
            f"alarms.thresholds.rdsConnectionsPercent is {share:g}: {round(share / 100 * limit)} "
            f"of the {limit} connections {database.instance_class}'s memory gives by formula, "
            "but RDS computes max_connections from less memory (what it keeps for itself), so "
            "the database may refuse connections before this alarm fires; keep it at "
            f"{DB_INSTANCE_CLASS_MEMORY_SHARE * 100:g} or below"
        )
    return notes


def warnings(cfg: StackConfig) -> list[str]:
    """Alarms that notify nobody (yet) or can never fire, and a stack whose spend no budget
    watches."""
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
    return notes + _unreachable(cfg)
