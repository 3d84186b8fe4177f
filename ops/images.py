"""Image references: what `--image` (release) and `--to` (rollback) ask for, per service.

Both options are repeatable and take either one bare `REF` for every selected service (all of
them, or those chosen with `--service`), or `SERVICE=REF` once per service to change (the
others keep their image). A REF is a tag, a `sha256:` digest or a full image reference;
`resolve` turns it into the full reference for its service. An image reference never contains
`=`, so the first `=` separates the service.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class ImageChoice:
    """What repeated `--image`/`--to` values asked for, checked before the stack is known."""

    option: str
    every: str | None = None
    """One REF for every selected service (a bare value)."""
    selected: tuple[str, ...] = ()
    """`--service` choices for `every` (empty: every service)."""
    per_service: dict[str, str] = field(default_factory=dict)
    """Service -> REF, from SERVICE=REF values."""

    def by_service(self, known: Sequence[str]) -> dict[str, str]:
        """Service -> the REF asked for it; an unknown service is an error naming the known."""
        names = list(self.per_service) if self.every is None else list(self.selected or known)
        unknown = [name for name in names if name not in known]
        if unknown:
            given = (
                ", ".join(f"{self.option} {name}={self.per_service[name]}" for name in unknown)
                if self.every is None
                else ", ".join(f"--service {name}" for name in unknown)
            )
            raise OpsError(
                f"unknown service {', '.join(map(repr, unknown))} ({given}); the stack's "
                f"services are: {', '.join(known) or 'none'}",
                "name the services as the stack file does",
                exit_code=2,
            )
        if self.every is not None:
            return dict.fromkeys(names, self.every)
        return dict(self.per_service)


def parse_images(
    values: Sequence[str], *, option: str = "--image", selected: Sequence[str] | None = None
) -> ImageChoice:
    """Check repeated `option` values: one bare REF, or SERVICE=REF once per service.

    Mixing the two forms, giving a service twice, or `--service` with SERVICE=REF (the
    services are the ones named) are errors (exit code 2, like any usage error).
    """
    both = f"give either one `{option} REF` (every service, or those chosen with --service) or "
    both += f"`{option} SERVICE=REF` once per service"
    if not values:
        raise OpsError(f"{option} needs a value", both, exit_code=2)
    bare = [value.strip() for value in values if "=" not in value]
    pairs = [value for value in values if "=" in value]
    if bare and pairs:
        raise OpsError(
            f"{option} mixes a reference for every service ({bare[0]!r}) with per-service "
            f"SERVICE=REF values ({pairs[0]!r})",
            both,
            exit_code=2,
        )
    if len(bare) > 1:
        raise OpsError(
            f"{option} given {len(bare)} times without a service ({', '.join(bare)})",
            both,
            exit_code=2,
        )
    if bare:
        return ImageChoice(option, every=bare[0], selected=tuple(dict.fromkeys(selected or ())))
    if selected:
        raise OpsError(
            f"--service cannot be combined with {option} SERVICE=REF (it names the services "
            "itself)",
            f"drop --service, or give one bare `{option} REF` for the services chosen",
            exit_code=2,
        )
    per_service: dict[str, str] = {}
    for value in pairs:
        name, _, reference = (part.strip() for part in value.partition("="))
        if not name or not reference:
            raise OpsError(f"{option} {value!r} is not SERVICE=REF", both, exit_code=2)
        if name in per_service:
            raise OpsError(
                f"{option} names service {name!r} twice ({per_service[name]!r} and {reference!r})",
                "give each service once",
                exit_code=2,
            )
        per_service[name] = reference
    return ImageChoice(option, per_service=per_service)
