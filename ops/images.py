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

from ops.errors import ExitCode, OpsError

TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# Looks like a digest (`sha256:abc`, `sha512:...`): must then be a whole sha256 digest.
DIGEST_LIKE = re.compile(r"^sha\d*:", re.IGNORECASE)

# The reference grammar of the OCI distribution spec (distribution/reference, regexp.go):
# [domain[:port]/]path[:tag][@digest]. Written out here because it is short and fixed; the
# Python ports on PyPI are untyped and pull in the `regex` extension module.
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_PATH})"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$",
    re.ASCII,
)


@dataclass(frozen=True)
class ImageReference:
    """A full image reference, parsed: `registry/path:tag` or `registry/path@sha256:...`."""

    registry: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        return f"{self.registry}/{self.path}"

    @property
    def version(self) -> str:
        """What the registry is asked for: the digest when there is one, else the tag."""
        return self.digest or self.tag or ""


def _usage(what: str, next_step: str) -> OpsError:
    return OpsError(what, next_step, exit_code=ExitCode.USAGE)


def parse_reference(value: str) -> ImageReference:
    """A full image reference that names its registry and a tag or digest, or a usage error."""
    match = REFERENCE.match(value)
    if match is None:
        hint = "names are lowercase; " if REFERENCE.match(value.lower()) else ""
        raise _usage(
            f"{value!r} is not an image reference",
            f"{hint}write REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:<64 hex>, a "
            "bare tag, or a bare sha256 digest",
        )
    domain = match["domain"]
    # Docker's rule: a first component with a dot or a port, or `localhost`, is a registry.
    if domain is None or not ("." in domain or ":" in domain or domain == "localhost"):
        raise _usage(
            f"{value!r} does not name a registry: ECS would pull it from Docker Hub",
            "write the registry (e.g. 123456789012.dkr.ecr.REGION.amazonaws.com/NAME:TAG, or "
            "docker.io/library/NAME:TAG to mean Docker Hub), or pass only the tag",
        )
    if match["tag"] is None and match["digest"] is None:
        raise _usage(
            f"{value!r} names no tag or digest (ECS would pull whatever `latest` is then)",
            "add :TAG or @sha256:DIGEST",
        )
    return ImageReference(domain, match["path"], match["tag"], match["digest"])


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
    Anything else must be a full reference by the OCI grammar (usage error otherwise).
    """
    value = value.strip()
    if DIGEST_LIKE.match(value) and not DIGEST.match(value):
        raise _usage(
            f"{value!r} is not a sha256 digest (sha256: and 64 lowercase hex characters)",
            "copy the whole digest (`docker buildx imagetools inspect IMAGE` prints it)",
        )
    if DIGEST.match(value) or TAG.match(value):
        if known is None:
            raise _usage(
                f"cannot tell which repository {value!r} belongs to for service {service}",
                "pass the full image reference (REPOSITORY:TAG or REPOSITORY@sha256:...)",
            )
        separator = "@" if value.startswith("sha256:") else ":"
        return f"{repository(known)}{separator}{value}"
    parse_reference(value)
    return value


def resolve_all(asked: dict[str, str], known: dict[str, str | None]) -> dict[str, str]:
    """`resolve` for each service; one full reference for services of different repositories
    is refused (it would give every service the image of one of them)."""
    resolved = {name: resolve(value, name, known[name]) for name, value in asked.items()}
    for value in sorted(set(asked.values())):
        services = sorted(name for name, ref in asked.items() if ref == value)
        if len(services) < 2 or DIGEST.match(value.strip()) or TAG.match(value.strip()):
            continue
        repositories = {name: repository(known[name] or "") for name in services if known[name]}
        if len(set(repositories.values())) > 1:
            runs = ", ".join(f"{name}: {repo}" for name, repo in sorted(repositories.items()))
            raise _usage(
                f"{value!r} would give {', '.join(services)} the same image, but they run "
                f"different repositories ({runs})",
                "pass a bare tag or digest (each service keeps its repository), or "
                "`--image SERVICE=REF` once per service",
            )
    return resolved


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
                exit_code=ExitCode.USAGE,
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
        raise OpsError(f"{option} needs a value", both, exit_code=ExitCode.USAGE)
    bare = [value.strip() for value in values if "=" not in value]
    pairs = [value for value in values if "=" in value]
    if bare and pairs:
        raise OpsError(
            f"{option} mixes a reference for every service ({bare[0]!r}) with per-service "
            f"SERVICE=REF values ({pairs[0]!r})",
            both,
            exit_code=ExitCode.USAGE,
        )
    if len(bare) > 1:
        raise OpsError(
            f"{option} given {len(bare)} times without a service ({', '.join(bare)})",
            both,
            exit_code=ExitCode.USAGE,
        )
    if bare:
        return ImageChoice(option, every=bare[0], selected=tuple(dict.fromkeys(selected or ())))
    if selected:
        raise OpsError(
            f"--service cannot be combined with {option} SERVICE=REF (it names the services "
            "itself)",
            f"drop --service, or give one bare `{option} REF` for the services chosen",
            exit_code=ExitCode.USAGE,
        )
    per_service: dict[str, str] = {}
    for value in pairs:
        name, _, reference = (part.strip() for part in value.partition("="))
        if not name or not reference:
            raise OpsError(f"{option} {value!r} is not SERVICE=REF", both, exit_code=ExitCode.USAGE)
        if name in per_service:
            raise OpsError(
                f"{option} names service {name!r} twice ({per_service[name]!r} and {reference!r})",
                "give each service once",
                exit_code=ExitCode.USAGE,
            )
        per_service[name] = reference
    return ImageChoice(option, per_service=per_service)
