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
import ipaddress
import json
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.network import NatStrategy

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

AWS_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
    }
)  # fmt: skip
"""Commercial regions as of 2026; GovCloud and China partitions are out of golive's scope."""

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The only values CloudWatch Logs accepts for a log group's retention."""

ALB_NAME_MAX = 32
AUTONAME_SUFFIX = 8
"""Pulumi auto-names a resource `<logical>-<7 hex>`: 8 characters on top of the logical name."""

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
        prefix = f"{app}-{stack}"
        longest_alb_name = len(f"{prefix}-alb") + AUTONAME_SUFFIX
        if longest_alb_name > ALB_NAME_MAX:
            budget = ALB_NAME_MAX - AUTONAME_SUFFIX - len("-alb") - len(stack) - 1
            raise ValueError(
                f"'{app}' makes the load balancer's name '{prefix}-alb-xxxxxxx' "
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


def parse(stack: str, raw_config: Mapping[str, Any]) -> StackConfig:
    """Validate a stack's config map (fully qualified keys, CLI-style string values)."""
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
        return StackConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems_from(exc), stack) from None


def load() -> StackConfig:
    """Read and validate the running stack's config. The only reader of Pulumi config."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return parse(pulumi.get_stack(), raw)


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
