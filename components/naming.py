"""One place that builds the names golive gives AWS resources, and says how long they will be.

The components call these functions where they declare a resource, and the config model calls
the same functions to check, before anything exists, that each name fits AWS's limit (the
lesson of SST's `naming.ts`: a name built in two places drifts). `NAME_LIMITS` says how many
characters the app, stack and service names may take together in each, and which to shorten
by how much when they take more (the config model's messages, the config reference).

Pulumi auto-names a resource `<logical>-<7 hex>`, so a physical name is 8 characters longer
than the logical name given here (pulumi docs, "Resource names: autonaming").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_facts.elasticache import CACHE_ID_MAX
from aws_facts.limits import ALB_NAME_MAX, TARGET_GROUP_NAME_MAX

AUTONAME_SUFFIX = 8
"""Pulumi auto-names a resource `<logical>-<7 hex>`: 8 characters on top of the logical name."""


def physical_length(logical: str) -> int:
    """The length of the name AWS will see for a Pulumi auto-named resource."""
    return len(logical) + AUTONAME_SUFFIX


def physical_shape(logical: str) -> str:
    """How the auto-named physical name will look, for messages: `<logical>-xxxxxxx`."""
    return f"{logical}-{'x' * (AUTONAME_SUFFIX - 1)}"


def load_balancer(prefix: str) -> str:
    """The logical name of a stack's application load balancer."""
    return f"{prefix}-alb"


def target_group(prefix: str, service: str) -> str:
    """The logical name of a web service's target group."""
    return f"{prefix}-{service}"


def database(prefix: str) -> str:
    """A stack's database identifier, handed to `Database` as its `identifier` (an explicit
    name, not auto-named: at most 63 characters with the suffix a restored instance adds)."""
    return f"{prefix}-db"


def cache(prefix: str) -> str:
    """A stack's cache replication group id, handed to `Cache` (explicit, at most 40)."""
    return f"{prefix}-cache"


# ----------------------------------------------------------------------------- length budgets


@dataclass(frozen=True)
class NameLimit:
    """A name golive builds from the stack file's app, stack and (web) service names, and the
    length AWS allows it: how many characters those names may take together, and how much to
    shorten which of them when they take more."""

    resource: str
    """What the name names, for messages (`the load balancer`)."""
    limit: int
    build: Callable[[str, str, str], str]
    """(app, stack, service) -> the name as AWS sees it (an auto-name suffix as `x`s)."""
    per_service: bool = False
    """Built once per web service (the service's name is part of it)."""

    @property
    def parts(self) -> tuple[str, ...]:
        return ("app", "stack", "service") if self.per_service else ("app", "stack")

    @property
    def room(self) -> int:
        """Characters the names in `parts` may have together."""
        return self.limit - len(self.build("", "", ""))

    def shape(self) -> str:
        """The name's shape with placeholders, for docs (`<app>-<stack>-alb-xxxxxxx`)."""
        return self.build("<app>", "<stack>", "<service>")

    def excess(self, app: str, stack: str, service: str = "") -> int:
        """Characters over the limit (0 when the name fits)."""
        return max(0, len(self.build(app, stack, service)) - self.limit)

    def advice(self, app: str, stack: str, service: str = "") -> str:
        """What is too long and which names to shorten by how much, or '' when it fits."""
        over = self.excess(app, stack, service)
        if not over:
            return ""
        names = dict(zip(self.parts, (app, stack, service), strict=False))
        name = self.build(app, stack, service)
        taken = " + ".join(f"{part} '{value}' {len(value)}" for part, value in names.items())
        # The service name first (the most local choice), the stack name (staging, prod) last.
        options = [
            f"the {part} name by {over} (to {len(names[part]) - over} characters)"
            for part in ("service", "app", "stack")
            if part in names and len(names[part]) - over >= 1
        ]
        together = f"the {', '.join(names)} names by {over} characters together"
        fix = " or ".join(options) + f", or {together}" if options else together
        return (
            f"{self.resource}'s name '{name}' would be {len(name)} characters; AWS allows "
            f"{self.limit}, so {' + '.join(names)} names may have {self.room} characters "
            f"together ({taken}): shorten {fix}"
        )


NAME_LIMITS = (
    # ELBv2 CreateLoadBalancer/CreateTargetGroup Name: at most 32 characters (botocore elbv2).
    NameLimit(
        "the load balancer",
        ALB_NAME_MAX,
        lambda app, stack, _: physical_shape(load_balancer(f"{app}-{stack}")),
    ),
    NameLimit(
        "the target group",
        TARGET_GROUP_NAME_MAX,
        lambda app, stack, service: physical_shape(target_group(f"{app}-{stack}", service)),
        per_service=True,
    ),
    # ElastiCache ReplicationGroupId: 1-40 characters (aws_facts.elasticache).
    NameLimit("the cache", CACHE_ID_MAX, lambda app, stack, _: cache(f"{app}-{stack}")),
)
"""The names whose limits bind the stack file's names: load balancer and target groups with a
web service, the cache's replication group with a cache."""
LOAD_BALANCER_LIMIT, TARGET_GROUP_LIMIT, CACHE_LIMIT = NAME_LIMITS
