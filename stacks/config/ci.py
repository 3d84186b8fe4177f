"""The CI tier of the config model: GitHub Actions deploys the stack through OIDC roles."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator

from components.ci_access import CiAccessArgs
from stacks.config.base import Model, default_of

_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")
_GITHUB_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
_S3_BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KMS_ALIAS = re.compile(r"^(?!aws/)[A-Za-z0-9/_-]{1,250}$")


def _matches(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


class CiConfig(Model):
    """GitHub Actions deploys this stack through OIDC roles (no stored AWS keys)."""

    enabled: bool = False
    """Create the CI roles. Needs the account's GitHub OIDC provider
    (`golive bootstrap --github-oidc`, once per account)."""
    repository: Annotated[str, _matches(_GITHUB_REPOSITORY, "a GitHub OWNER/REPO")] = ""
    """`OWNER/REPO` whose workflows may deploy this stack."""
    environment: Annotated[
        str,
        _matches(
            _GITHUB_ENVIRONMENT, "a GitHub environment name (letters, digits, . _ -; no wildcards)"
        ),
    ] = ""
    """GitHub environment of the deploy job; the role trusts exactly
    `repo:OWNER/REPO:environment:<this>` (prod: an environment with required reviewers)."""
    state_bucket: Annotated[str, _matches(_S3_BUCKET, "an S3 bucket name (3-63 lowercase)")] = (
        "golive-state-bucket"
    )
    """The Pulumi state bucket `golive bootstrap` created (it prints the name)."""
    state_key_alias: Annotated[str, _matches(_KMS_ALIAS, "a KMS alias name without 'alias/'")] = (
        "golive-state"
    )
    """Alias of the secrets-provider key `golive bootstrap` created, without `alias/`."""
    pull_request_previews: bool = default_of(CiAccessArgs, "pull_request_previews")
    """Also create a read-only role for `pulumi preview` on pull requests (staging only: a
    preview decrypts the stack's secrets, which an unreviewed pull request must not reach)."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.enabled:
            for key, value in (("repository", self.repository), ("environment", self.environment)):
                if not value:
                    problems.append((key, "is required when ci.enabled is true"))
        return problems
