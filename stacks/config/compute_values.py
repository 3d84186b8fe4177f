"""Checks of single values of the compute tier (names, images, ALB patterns, environment,
schedule expressions, Fargate sizes), each with the AWS rule it holds: used as field validators
by the compute models in `stacks/config/compute.py`.
"""

from __future__ import annotations

import itertools
import re
from typing import Annotated

from pydantic import AfterValidator

from aws_facts.ecs import FARGATE_SIZES
from stacks.config.base import (
    raise_problems,
)

_WORKLOAD_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_WORKLOAD_NAME_MAX = 24
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_LOOKING_ENV = re.compile(r"(?i)pass|secret|token|key")
"""Environment variable names that look like credentials (control ECS.8): use `secrets`."""
_ALB_PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
_ALB_HOST_LABEL = r"[a-z0-9*?]([a-z0-9\-*?]{0,61}[a-z0-9*?])?"
_ALB_HOST_PATTERN = re.compile(rf"^{_ALB_HOST_LABEL}(\.{_ALB_HOST_LABEL})+$")
HEALTH_MATCHER = re.compile(r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$")
_IMAGE_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    r"(?P<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_ECR_REGISTRY = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$"
)
SENSITIVE_ACTIONS = frozenset(
    {"secretsmanager:getsecretvalue", "kms:decrypt", "iam:passrole", "ssm:getparameters"}
)
"""Actions that must name their resources: reading secrets, decrypting, passing roles."""
IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
# BuildKit's rule for stage names (moby/buildkit frontend/dockerfile/instructions/parse.go,
# validStageName): what `docker build --target` can name.
STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_.]*$")
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
    raise_problems(problems)
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


def fargate_size_problems(cpu: int, memory: int, where: str = "") -> list[tuple[str, str]]:
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
