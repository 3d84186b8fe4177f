"""ElastiCache (Valkey, Redis OSS): the versions and node types AWS offers, and its limits."""

CACHE_ENGINE_VERSIONS: dict[str, tuple[str, ...]] = {
    "valkey": ("7.2", "8.0", "8.1", "8.2", "9.0"),
    "redis": ("6.2", "7.0", "7.1"),
}
"""Node-based ElastiCache versions by engine (2026); Redis OSS ends at 7.1, Valkey continues it."""
_CACHE_BURSTABLE = ("micro", "small", "medium")
_CACHE_GRAVITON = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_CACHE_INTEL = ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")
CACHE_NODE_FAMILIES: dict[str, tuple[str, ...]] = {
    "cache.t3": _CACHE_BURSTABLE, "cache.t4g": _CACHE_BURSTABLE,
    "cache.m5": _CACHE_INTEL, "cache.m6g": _CACHE_GRAVITON, "cache.m7g": _CACHE_GRAVITON,
    "cache.r5": _CACHE_INTEL, "cache.r6g": _CACHE_GRAVITON, "cache.r7g": _CACHE_GRAVITON,
    "cache.c7gn": _CACHE_GRAVITON,
}  # fmt: skip
"""Node types by family (2026, us-east-1)."""
CACHE_NODE_TYPES = frozenset(
    f"{family}.{size}" for family, sizes in CACHE_NODE_FAMILIES.items() for size in sizes
)

CACHE_ID_MAX = 40
"""Replication group ids: 1-40 letters, digits and single hyphens, starting with a letter."""
WINDOW_MIN_MINUTES = 60
"""ElastiCache snapshot and maintenance windows last at least 60 minutes."""
