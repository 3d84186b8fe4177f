"""Image references: turn `--image TAG|DIGEST|REF` into the full reference for each service."""

from __future__ import annotations

import re

from ops.errors import OpsError

TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def repository(reference: str) -> str:
    """`123.dkr.ecr.../api:v1` and `.../api@sha256:...` -> `123.dkr.ecr.../api`."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def resolve(value: str, service: str, known: str | None) -> str:
    """A full image reference for `service` from a tag, a digest or a full reference.

    A bare tag or digest keeps the repository of `known` (the image released now, or the one
    in the task definition before the first release): prod promotes staging's tag by name.
    """
    value = value.strip()
    if DIGEST.match(value) or TAG.match(value):
        if known is None:
            raise OpsError(
                f"cannot tell which repository {value!r} belongs to for service {service}",
                "pass the full image reference (REPOSITORY:TAG or REPOSITORY@sha256:...)",
            )
        separator = "@" if value.startswith("sha256:") else ":"
        return f"{repository(known)}{separator}{value}"
    if "/" in value or ":" in value or "@" in value:
        return value
    raise OpsError(f"{value!r} is not an image tag, digest or reference", "check --image")
