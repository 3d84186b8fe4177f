"""ECS on Fargate: the task sizes AWS accepts and the names it reserves; the tags golive puts on
a service for the controls to read."""

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

RELEASED_TAG = "golive:released"
"""ECS service tag: "false" until the service's first `golive release` (it then runs 0 tasks).
Written by components.service, read by the ECS controls."""
MIN_TASKS_TAG = "golive:minTasks"
"""ECS service tag: the tasks it keeps once released (desired count, or the autoscaling floor),
so the controls judge a stack file's task count before its first release too."""
