"""ECS on Fargate: the task sizes AWS accepts and the names it reserves."""

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

RESERVED_ENV_PREFIXES = ("AWS_", "ECS_")
"""Environment variables AWS sets in every task start with these."""
