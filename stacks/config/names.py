"""The names tier of the config model: the app, stack and service names fit the AWS names golive
builds from them (`components.naming.NAME_LIMITS`), and when they do not, the problem says which
to shorten and by how much."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.naming import CACHE_LIMIT, LOAD_BALANCER_LIMIT, TARGET_GROUP_LIMIT

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """The load balancer and each web service's target group (with web services), the cache's
    replication group (with a cache)."""
    found: list[tuple[str, str]] = []
    if cfg.has_web_services:
        found.append(("app", LOAD_BALANCER_LIMIT.advice(cfg.app, cfg.stack)))
        found += [
            (f"services.{name}", TARGET_GROUP_LIMIT.advice(cfg.app, cfg.stack, name))
            for name, service in cfg.services.items()
            if service.is_web
        ]
    if cfg.cache is not None:
        found.append(("cache", CACHE_LIMIT.advice(cfg.app, cfg.stack)))
    return [(path, advice) for path, advice in found if advice]
