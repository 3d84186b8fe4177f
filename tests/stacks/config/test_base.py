"""What the config model's tiers share: defaults taken from the components, once."""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from typing import Any

import pytest
from pydantic import BaseModel

from components.cache import CacheArgs
from components.cdn import AccessLogs, AppOrigin, CdnArgs, SecurityHeaders, StaticSite, Waf
from components.ci_access import CiAccessArgs
from components.cluster import ClusterArgs
from components.container import ContainerSpec, TaskSize
from components.database import DatabaseArgs, PostgresLogging
from components.load_balancer import AccessLogSettings, LoadBalancerArgs, OriginHeader, Route
from components.monitoring import MonitoringArgs, Thresholds
from components.network import FlowLogSettings, NetworkArgs
from components.schedule import ScheduledTaskArgs
from components.secrets import SecretSpec
from components.service import LoadBalancerTarget, Repository, Scaling, ServiceArgs
from stacks.config import StackConfig
from stacks.config.base import default_of, nested_models

_DATABASE = {
    "engine_version": "engine_major", "instance_class": "instance_class", "name": "db_name",
    "master_username": "master_username", "allocated_storage": "allocated_storage",
    "max_allocated_storage": "max_allocated_storage", "multi_az": "multi_az",
    "backup_retention_days": "backup_retention_days", "backup_window": "backup_window",
    "maintenance_window": "maintenance_window", "deletion_protection": "deletion_protection",
    "final_snapshot": "final_snapshot", "performance_insights": "performance_insights",
    "performance_insights_retention_days": "performance_insights_retention_days",
    "monitoring_interval": "monitoring_interval", "iam_authentication": "iam_authentication",
    "extended_support": "extended_support",
}  # fmt: skip
_CACHE = (
    "engine", "engine_version", "node_type", "nodes", "multi_az", "snapshot_retention_days",
    "snapshot_window", "maintenance_window",
)  # fmt: skip
_LOGGING = ("min_duration_ms", "statement", "connections", "disconnections", "lock_waits")

FROM_COMPONENTS: dict[tuple[str, str], tuple[type[Any], str]] = {
    ("FlowLogsConfig", "enabled"): (FlowLogSettings, "enabled"),
    ("FlowLogsConfig", "destination"): (FlowLogSettings, "destination"),
    ("FlowLogsConfig", "traffic_type"): (FlowLogSettings, "traffic_type"),
    ("FlowLogsConfig", "retention_days"): (FlowLogSettings, "retention_days"),
    ("NetworkConfig", "nat"): (NetworkArgs, "nat"),
    ("CiConfig", "pull_request_previews"): (CiAccessArgs, "pull_request_previews"),
    ("AlarmsConfig", "enabled"): (MonitoringArgs, "notifications_enabled"),
    **{("AlarmThresholds", f.name): (Thresholds, f.name) for f in dataclasses.fields(Thresholds)},
    ("FrontendConfig", "spa_fallback"): (StaticSite, "spa_fallback"),
    ("FrontendConfig", "default_root_object"): (StaticSite, "default_root_object"),
    ("CdnConfig", "price_class"): (CdnArgs, "price_class"),
    ("CdnConfig", "origin_read_timeout_seconds"): (AppOrigin, "read_timeout_seconds"),
    ("CdnConfig", "origin_header_generation"): (OriginHeader, "generation"),
    ("HstsConfig", "max_age_seconds"): (SecurityHeaders, "hsts_max_age_seconds"),
    ("HstsConfig", "include_subdomains"): (SecurityHeaders, "hsts_include_subdomains"),
    ("HstsConfig", "preload"): (SecurityHeaders, "hsts_preload"),
    ("SecurityHeadersConfig", "frame_options"): (SecurityHeaders, "frame_options"),
    ("SecurityHeadersConfig", "referrer_policy"): (SecurityHeaders, "referrer_policy"),
    ("WafConfig", "rate_limit"): (Waf, "rate_limit"),
    ("WafConfig", "rate_limit_window_seconds"): (Waf, "rate_limit_window_seconds"),
    ("WafConfig", "log_retention_days"): (Waf, "log_retention_days"),
    ("AccessLogsConfig", "retention_days"): (AccessLogs, "retention_days"),
    ("ClusterConfig", "container_insights"): (ClusterArgs, "container_insights"),
    ("LoadBalancerConfig", "idle_timeout_seconds"): (LoadBalancerArgs, "idle_timeout"),
    ("LoadBalancerConfig", "deletion_protection"): (LoadBalancerArgs, "deletion_protection"),
    ("LoadBalancerAccessLogsConfig", "retention_days"): (AccessLogSettings, "retention_days"),
    ("HealthCheckConfig", "path"): (Route, "health_check_path"),
    ("HealthCheckConfig", "matcher"): (Route, "health_check_matcher"),
    ("HealthCheckConfig", "timeout_seconds"): (Route, "health_check_timeout"),
    ("HealthCheckConfig", "grace_period_seconds"): (LoadBalancerTarget, "health_check_grace_period"),
    ("AutoscalingConfig", "cpu_percent"): (Scaling, "cpu_percent"),
    ("AutoscalingConfig", "scale_in_cooldown_seconds"): (Scaling, "scale_in_cooldown"),
    ("AutoscalingConfig", "scale_out_cooldown_seconds"): (Scaling, "scale_out_cooldown"),
    ("ServiceConfig", "keep_images"): (Repository, "keep_images"),
    ("ServiceConfig", "deregistration_delay_seconds"): (Route, "deregistration_delay"),
    ("ServiceConfig", "architecture"): (TaskSize, "architecture"),
    ("ServiceConfig", "spot"): (ServiceArgs, "spot"),
    ("ServiceConfig", "on_demand_base"): (ServiceArgs, "on_demand_base"),
    ("ServiceConfig", "desired_count"): (ServiceArgs, "desired_count"),
    ("ServiceConfig", "readonly_root_filesystem"): (ContainerSpec, "readonly_root_filesystem"),
    ("ServiceConfig", "writable_paths"): (ContainerSpec, "writable_paths"),
    ("ServiceConfig", "stop_timeout_seconds"): (ContainerSpec, "stop_timeout"),
    ("ServiceConfig", "ecs_exec"): (ContainerSpec, "exec_agent"),
    ("ServiceConfig", "log_retention_days"): (ServiceArgs, "log_retention_days"),
    ("ServiceConfig", "egress_cidrs"): (ServiceArgs, "egress_cidrs"),
    ("ScheduleConfig", "timezone"): (ScheduledTaskArgs, "timezone"),
    ("ScheduleConfig", "enabled"): (ScheduledTaskArgs, "enabled"),
    **{("DatabaseConfig", k): (DatabaseArgs, v) for k, v in _DATABASE.items()},
    **{("DatabaseLoggingConfig", k): (PostgresLogging, k) for k in _LOGGING},
    ("DatabaseLoggingConfig", "retention_days"): (PostgresLogging, "retention_days"),
    ("SecretConfig", "description"): (SecretSpec, "description"),
    ("SecretConfig", "length"): (SecretSpec, "length"),
    ("SecretConfig", "special"): (SecretSpec, "special"),
    ("SecretConfig", "special_characters"): (SecretSpec, "special_characters"),
    ("SecretConfig", "recovery_window_days"): (SecretSpec, "recovery_window_days"),
    **{("CacheConfig", k): (CacheArgs, k) for k in _CACHE},
    ("CacheAuthTokenConfig", "env_name"): (CacheArgs, "auth_token_env"),
    ("CacheAuthTokenConfig", "length"): (CacheArgs, "auth_token_length"),
    ("CacheAuthTokenConfig", "recovery_window_days"): (CacheArgs, "auth_token_recovery_window_days"),
}  # fmt: skip
"""Settings a component takes too: the component's Args hold the default."""

MODEL_ONLY = {
    ("StackConfig", "protect"),
    ("PolicyConfig", "enforcement"),
    ("NetworkConfig", "cidr"),  # NetworkArgs takes the CIDR the model derives subnets from
    ("NetworkConfig", "az_count"),  # the stack looks the AZs up and hands them in
    ("CiConfig", "enabled"),
    ("CiConfig", "repository"),
    ("CiConfig", "environment"),
    ("CiConfig", "state_bucket"),
    ("CiConfig", "secrets_key_alias"),
    ("CiConfig", "images_from_account"),
    ("FrontendConfig", "enabled"),  # CdnArgs: a site, or None
    ("WafConfig", "enabled"),  # CdnArgs: a web ACL, or None
    ("AccessLogsConfig", "enabled"),  # CdnArgs: access logs, or None
    ("CdnConfig", "origin"),  # AppOrigin: a PrivateOrigin or a PublicOrigin
    ("LoadBalancerAccessLogsConfig", "enabled"),  # LoadBalancerArgs: access logs, or None
    ("ServiceConfig", "cpu"),  # TaskSize takes an explicit size
    ("ServiceConfig", "memory"),
    ("ServiceConfig", "database"),
    ("ServiceConfig", "cache"),
    ("IamStatementConfig", "effect"),
    ("DatabaseConfig", "backup_before_release"),  # read by the operations CLI
    ("BuildConfig", "context"),  # read by `golive builds`
    ("SmokeUrl", "status"),  # read by the operations CLI
    ("SmokeConfig", "timeout_seconds"),  # the CLI's default for outputs without it
    ("TaskConfig", "run_on_release"),  # read by the operations CLI
}
"""Settings no component takes as such: the model holds the default."""


def _defaults(model: type[BaseModel] = StackConfig) -> dict[tuple[str, str], Any]:
    """Every (model, field) of the stack file with a default value (not none, not empty)."""
    found: dict[tuple[str, str], Any] = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            value = info.get_default(call_default_factory=True)
            if not isinstance(value, BaseModel) and value not in (None, [], {}):
                found[(model.__name__, name)] = value
        for sub in nested_models(info.annotation):
            found |= _defaults(sub)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, ipaddress.IPv4Network):
        return str(value)
    return value


def test_every_default_lives_in_one_place() -> None:
    defaults = set(_defaults())
    assert not FROM_COMPONENTS.keys() & MODEL_ONLY
    assert defaults == FROM_COMPONENTS.keys() | MODEL_ONLY, (
        f"decide where these defaults live: {sorted(defaults - FROM_COMPONENTS.keys() - MODEL_ONLY)}"
        f"; no default any more: {sorted((FROM_COMPONENTS.keys() | MODEL_ONLY) - defaults)}"
    )


@pytest.mark.parametrize(("setting", "component"), FROM_COMPONENTS.items(), ids=str)
def test_a_setting_a_component_takes_defaults_to_the_components_value(
    setting: tuple[str, str], component: tuple[type[Any], str]
) -> None:
    assert _plain(_defaults()[setting]) == _plain(default_of(*component))


def test_default_of_reads_a_default_or_a_default_factory() -> None:
    assert default_of(ContainerSpec, "writable_paths") == ("/tmp",)
    assert default_of(MonitoringArgs, "target_groups") == {}
    with pytest.raises(TypeError, match=r"ServiceArgs\.region has no default"):
        default_of(ServiceArgs, "region")
