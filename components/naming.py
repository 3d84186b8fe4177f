"""One place that builds the names golive gives AWS resources, and says how long they will be.

The components call these functions where they declare a resource, and the config model calls
the same functions to check, before anything exists, that each name fits AWS's limit (the
lesson of SST's `naming.ts`: a name built in two places drifts).

Pulumi auto-names a resource `<logical>-<7 hex>`, so a physical name is 8 characters longer
than the logical name given here (pulumi docs, "Resource names: autonaming").
"""

from __future__ import annotations

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


def repository(app: str, stack: str, service: str) -> str:
    """The ECR repository of a service whose image the project builds (`auction/prod/api`):
    the stack creates it, and `golive builds` tells CI to push there."""
    return f"{app}/{stack}/{service}"
