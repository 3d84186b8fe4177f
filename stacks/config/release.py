"""The release tier of the config model: what `golive release` checks after every deploy.

Smoke tests (URLs with their expected status, and/or a one-off task) run once the new version
serves; then the alarms are watched for the bake time. A failure of either rolls the release
back. The CLI reads these settings from the stack outputs (`release` in stacks/exports.py), so
they take effect with the `pulumi up` that sets them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from stacks.config.base import Model
from stacks.exports import ReleaseExport

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig

SMOKE_URLS_MAX = 20
"""Each URL is asked once per release: a smoke test, not a test suite."""


def check_smoke_url(url: str) -> str:
    """A path of the stack's public URL (`/api/v1/health/`) or an absolute https:// URL."""
    if url.startswith("/"):
        if url.startswith("//") or any(c.isspace() for c in url):
            raise ValueError(f"{url!r} must be a path like /api/health (no spaces, no //)")
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname:
        raise ValueError(
            f"{url!r} must be a path of the stack's URL (e.g. /api/v1/health/) or an https:// "
            "URL with a host name"
        )
    return url


class SmokeUrl(Model):
    """One request after the deploy: GET `url` (redirects followed), expect `status`."""

    url: Annotated[str, AfterValidator(check_smoke_url)]
    """A path of the stack's public URL (`/api/v1/health/`) or an `https://` URL."""
    status: int = Field(default=200, ge=100, le=599)
    """The HTTP status the URL must answer with."""


class SmokeConfig(Model):
    """Checks after every deploy; a failure rolls the release back."""

    urls: list[SmokeUrl] = Field(default_factory=list[SmokeUrl], max_length=SMOKE_URLS_MAX)
    """URLs and the status each must answer with, e.g. `{url: /api/v1/health/, status: 200}`."""
    task: str | None = None
    """A one-off task of `golive:tasks` run with the new image after the deploy (e.g. an
    end-to-end check); a non-zero exit code fails the release."""
    timeout_seconds: int = Field(
        default=ReleaseExport.model_fields["smoke_timeout_seconds"].default, ge=5, le=900
    )
    """How long each URL may take to answer its status (asked again every 5 seconds: a fresh
    deployment can answer 502 for a moment)."""


class ReleaseConfig(Model):
    """What every `golive release` and `golive rollback` of this stack checks after deploying."""

    smoke: SmokeConfig = Field(default_factory=SmokeConfig)
    """Smoke tests after every deploy (none by default)."""
    bake_minutes: int | None = Field(default=None, ge=0, le=180)
    """Minutes the alarms are watched after a deploy; one firing rolls the release back
    (default: golive's two-minute watch; an explicit `--watch` overrides it)."""


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """The smoke task must exist; a path needs a public URL to be a path of."""
    problems: list[tuple[str, str]] = []
    task = cfg.release.smoke.task
    if task is not None and task not in cfg.tasks:
        known = ", ".join(cfg.tasks) or "none"
        problems.append(
            ("release.smoke.task", f"'{task}' is not a task of golive:tasks (tasks: {known})")
        )
    public = cfg.has_web_services or cfg.frontend.enabled
    for i, smoke in enumerate(cfg.release.smoke.urls):
        if smoke.url.startswith("/") and not public:
            problems.append(
                (
                    f"release.smoke.urls[{i}].url",
                    f"'{smoke.url}' is a path, but the stack serves nothing (no web service or "
                    "frontend): give an https:// URL",
                )
            )
    return problems
