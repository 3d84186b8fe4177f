"""The whole stack file: `StackConfig` over the tiers' models, and `parse`/`load`, which turn a
stack's config into it or into a `ConfigError` naming every problem. With `read_config_secrets`,
these are the only readers of Pulumi config.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationError,
    field_validator,
)
from pydantic.alias_generators import to_camel

from aws_facts.input_rules import TAG_RULES
from aws_facts.limits import TAGS_PER_RESOURCE
from aws_facts.regions import AWS_REGIONS, GLOBAL_SERVICES_REGION, OPT_IN_REGIONS
from components.secrets import SecretSource
from stacks.config import ci, compute, data, edge, monitoring, names, network, release
from stacks.config.base import (
    NAMESPACE,
    ConfigError,
    Model,
    Problem,
    ProblemList,
    did_you_mean,
    raise_problems,
)
from stacks.config.ci import CiConfig
from stacks.config.compute import (
    ClusterConfig,
    LoadBalancerConfig,
    ScheduleConfig,
    ServiceConfig,
    TaskConfig,
)
from stacks.config.data import CacheConfig, DatabaseConfig, SecretConfig
from stacks.config.edge import CdnConfig, DomainConfig, FrontendConfig
from stacks.config.monitoring import AlarmsConfig, BudgetConfig
from stacks.config.network import NetworkConfig
from stacks.config.policy import PolicyConfig
from stacks.config.release import ReleaseConfig

if TYPE_CHECKING:
    import pulumi

_APP_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    """The provider puts these tags on every resource: each service's tag rules apply (the
    strictest of them decide), with the first service that states the rule named."""
    problems: list[tuple[str, str]] = []
    for key, value in tags.items():
        reasons: dict[str, str] = {}
        for tag_rules in TAG_RULES:
            for checked, text, what in (
                (tag_rules.key, key, "key"),
                (tag_rules.value, value, "value"),
            ):
                for reason in checked.reasons(text):
                    reasons.setdefault(f"tag {what} {text!r}: {reason}", checked.source)
        problems += [(key, f"{reason} ({source})") for reason, source in reasons.items()]
    if len(tags) > 40:
        problems.append(
            (
                "",
                f"{len(tags)} tags; AWS allows {TAGS_PER_RESOURCE} per resource and golive "
                "adds its own: use at most 40",
            )
        )
    raise_problems(problems)
    return tags


class StackConfig(Model):
    """A whole stack file. Field docstrings are the configuration reference (README)."""

    stack: str = Field(exclude=True)
    """The stack's name, used in physical names and tags only, never to branch."""
    region: str
    """`aws:region`: where the stack lives. CloudFront certificates and WAF go to us-east-1."""
    app: str
    """The application's name: lowercase letters, digits and hyphens; prefixes every AWS name
    (with the stack's and services' names, within the name lengths above)."""
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
    release: ReleaseConfig = Field(default_factory=ReleaseConfig)
    """What every release checks after deploying: smoke tests and the bake time."""

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region not in AWS_REGIONS:
            raise ValueError(f"'{region}' is not an AWS region{did_you_mean(region, AWS_REGIONS)}")
        return region

    @field_validator("stack")
    @classmethod
    def _stack_fits_aws_names(cls, stack: str) -> str:
        if not _APP_NAME.match(stack):
            raise ValueError(
                f"the stack's name '{stack}' is in every AWS name of the stack, so it must start "
                "with a letter and hold only lowercase letters, digits and single hyphens (S3 "
                "and ECR take no capitals, load balancers nothing but letters, digits and "
                "hyphens, RDS no double hyphen): rename Pulumi.<stack>.yaml and the stack"
            )
        return stack

    @field_validator("app")
    @classmethod
    def _app_name(cls, app: str) -> str:
        if not _APP_NAME.match(app):
            raise ValueError(
                f"'{app}' must start with a letter and hold only lowercase letters, digits "
                "and single hyphens"
            )
        return app

    def tag_problems(self) -> list[tuple[str, str]]:
        """The default tags name this app and stack (the budget filters on them)."""
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
        return problems

    @property
    def image_parameter_prefix(self) -> str:
        """SSM path where `golive release` records each service's released image."""
        return f"/golive/{self.app}/{self.stack}/images/"

    @property
    def prefix(self) -> str:
        """`<app>-<stack>`: the base of every logical and physical name in this stack."""
        return f"{self.app}-{self.stack}"

    @property
    def has_web_services(self) -> bool:
        """A service with a port: the stack then has the shared ALB."""
        return any(s.is_web for s in self.services.values())

    @property
    def has_distribution(self) -> bool:
        """A static site or a web service: the stack then has a CloudFront distribution."""
        return self.frontend.enabled or self.has_web_services

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

    def warnings(self) -> list[str]:
        """Choices in the stack file worth a human's attention before `pulumi up`."""
        return [
            *network.warnings(self),
            *monitoring.warnings(self),
            *edge.warnings(self),
            *compute.warnings(self),
            *data.warnings(self),
        ]


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
    values: dict[str, Any] = {"stack": stack}
    for key, raw in raw_config.items():
        namespace, _, name = key.partition(":")
        if key == "aws:region":
            values["region"] = raw
        elif key == "aws:defaultTags":
            decoded: Any = _decode(raw)
            values["default_tags"] = (
                decoded.get("tags", {})  # pyright: ignore[reportUnknownMemberType]
                if isinstance(decoded, dict)
                else decoded
            )
        elif namespace == NAMESPACE:
            values[name] = _decode(raw)
    try:
        cfg = StackConfig.model_validate(values)
    except ValidationError as exc:
        problems = _problems_from(exc)
        invalid = {_field_name(str(e["loc"][0])) for e in exc.errors() if e["loc"]} | (
            set(_PLACEHOLDERS) - set(values)
        )
        partial = _beside_invalid_keys(values, invalid)
        if partial is not None:
            problems += cross_tier_problems(partial, invalid)
            if "secrets" not in invalid:
                problems += config_secret_problems(partial, raw_config, secret_keys)
        raise ConfigError(problems, stack) from None
    problems = cross_tier_problems(cfg) + config_secret_problems(cfg, raw_config, secret_keys)
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


# ----------------------------------------------------------------------------- rules across tiers


@dataclass(frozen=True)
class CrossRule:
    """The rules of one tier across the stack file's keys, and the top-level keys they read."""

    check: Callable[[StackConfig], list[tuple[str, str]]]
    reads: frozenset[str]
    """`StackConfig` fields the rules read (a key whose own value is invalid skips them)."""


CROSS_RULES = (
    CrossRule(
        names.problems,
        frozenset(
            {
                *("app", "region", "budget", "alarms", "ci", "network", "database", "secrets"),
                "cache",
                *("services", "tasks", "schedules", "load_balancer", "frontend", "cdn"),
            }
        ),
    ),
    CrossRule(
        data.problems,
        frozenset({"app", "region", "protect", "policy", "database", "secrets", "cache"}),
    ),
    CrossRule(
        compute.problems,
        frozenset(
            {
                *("services", "tasks", "schedules", "database", "secrets", "cache"),
                *("load_balancer", "policy", "protect"),
            }
        ),
    ),
    CrossRule(release.problems, frozenset({"release", "tasks", "services", "frontend"})),
    CrossRule(monitoring.problems, frozenset({"app", "services", "alarms", "budget", "database"})),
    CrossRule(StackConfig.tag_problems, frozenset({"app", "default_tags"})),
    CrossRule(
        edge.problems,
        frozenset({"domain", "cdn", "frontend", "services", "region", "policy"}),
    ),
    CrossRule(ci.problems, frozenset({"ci", "protect"})),
)
"""Every tier's rules across keys, all reported at once: each tier's from its own keys' view, so
one mistake is reported where it is (a tag and a name too long are two problems, not one)."""

_PLACEHOLDERS: Mapping[str, str] = {"app": "app", "region": "us-east-1"}
"""Stand-ins for required keys whose value is invalid, so the other keys' rules can still run
(the rules that read them do not)."""


def _field_name(key: str) -> str:
    """The `StackConfig` field a stack-file key sets (`loadBalancer` -> `load_balancer`)."""
    return next(
        (name for name, info in StackConfig.model_fields.items() if key in (name, info.alias)),
        key,
    )


def cross_tier_problems(cfg: StackConfig, invalid: Collection[str] = ()) -> list[Problem]:
    """The rules of every tier whose keys hold valid values (`invalid`: keys that do not)."""
    return [
        Problem(path, message)
        for rule in CROSS_RULES
        if not rule.reads & set(invalid)
        for path, message in rule.check(cfg)
    ]


def _beside_invalid_keys(values: Mapping[str, Any], invalid: Collection[str]) -> StackConfig | None:
    """The stack file without its invalid keys (defaults or stand-ins in their place), so the
    rules across the other keys still report: a typo in one key hides nothing in another."""
    kept = {
        name: value
        for name, value in ((_field_name(k), v) for k, v in values.items())
        if name in StackConfig.model_fields and name not in invalid
    }
    for key, stand_in in _PLACEHOLDERS.items():
        kept.setdefault(key, stand_in)
    try:
        return StackConfig.model_validate(kept)
    except ValidationError:
        return None
