"""The CI tier of the config model: GitHub Actions deploys the stack through OIDC roles."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field

from components.ci_access import CiAccessArgs
from stacks.config.base import Model, default_of

if TYPE_CHECKING:
    from stacks.config.stack import StackConfig

# GitHub: owner names are at most 39 letters, digits and hyphens; repository names at most 100
# letters, digits, `.`, `_` and `-`.
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")
_GITHUB_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
_S3_BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KMS_ALIAS = re.compile(r"^(?!aws/)[A-Za-z0-9/_-]{1,250}$")
# An AWS account id: 12 digits (botocore ecr model, RegistryId `[0-9]{12}`).
_ACCOUNT = re.compile(r"^[0-9]{12}$")
# GitHub: a username holds at most 39 letters, digits and single hyphens, and neither begins nor
# ends with a hyphen (the sign-up form's rule).
_GITHUB_LOGIN = re.compile(r"^(?=.{1,39}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
READ_IDS = "gh api repos/OWNER/REPO --jq '{owner: .owner.id, repo: .id}'"
"""How to read a repository's immutable ids (GitHub REST API, "Get a repository")."""


def _matches(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if value and not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


def _names_only(value: str) -> str:
    if "@" in value:
        raise ValueError(
            f"{value!r} carries ids: write OWNER/REPO here and the ids as ci.ownerId and "
            f"ci.repositoryId (`{READ_IDS}`); the roles then accept both subject forms"
        )
    return value


def _login(value: str) -> str:
    if value.startswith("@"):
        raise ValueError(f"{value!r}: write the GitHub login without '@' ({value[1:]!r})")
    if not _GITHUB_LOGIN.match(value):
        raise ValueError(
            f"{value!r} is not a GitHub login (at most 39 letters, digits and single hyphens; "
            "a person's login, not a team or an email)"
        )
    return value


def _approver_list(logins: list[str]) -> list[str]:
    """Non-empty when present (an empty list would read as "nobody approves"); GitHub compares
    logins without case, so `Alice` and `alice` are one person."""
    if not logins:
        raise ValueError("is empty: name at least one GitHub login, or remove the key")
    seen: set[str] = set()
    for login in logins:
        if login.lower() in seen:
            raise ValueError(f"names {login!r} twice (GitHub logins ignore case)")
        seen.add(login.lower())
    return logins


class CiConfig(Model):
    """GitHub Actions deploys this stack through OIDC roles (no stored AWS keys)."""

    enabled: bool = False
    """Create the CI roles. Needs the account's GitHub OIDC provider
    (`golive bootstrap --github-oidc`, once per account)."""
    repository: Annotated[
        str,
        AfterValidator(_names_only),
        _matches(_GITHUB_REPOSITORY, "a GitHub OWNER/REPO"),
    ] = ""
    """`OWNER/REPO` whose workflows may deploy this stack (runs of `main` only)."""
    owner_id: Annotated[int, Field(gt=0)] | None = None
    """The owner's immutable GitHub id: `gh api repos/OWNER/REPO --jq .owner.id`. GitHub puts it
    in the OIDC subject (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`) for repositories created,
    renamed or transferred since 2026-07-15; the roles accept both forms."""
    repository_id: Annotated[int, Field(gt=0)] | None = None
    """The repository's immutable GitHub id: `gh api repos/OWNER/REPO --jq .id`."""
    environment: Annotated[
        str,
        _matches(
            _GITHUB_ENVIRONMENT, "a GitHub environment name (letters, digits, . _ -; no wildcards)"
        ),
    ] = ""
    """GitHub environment of the deploy jobs: the deploy role then trusts only jobs in it (its
    protection rules apply). Empty: jobs without an environment (GitHub Free private
    repositories have none). Either way only runs of `main`."""
    state_bucket: Annotated[str, _matches(_S3_BUCKET, "an S3 bucket name (3-63 lowercase)")] = (
        "golive-state-bucket"
    )
    """The Pulumi state bucket `golive bootstrap` created (it prints the name)."""
    secrets_key_alias: Annotated[str, _matches(_KMS_ALIAS, "a KMS alias name without 'alias/'")] = (
        ""
    )
    """Alias of this stack's own secrets-provider key, without `alias/` (`golive bootstrap`
    creates `<name>-secrets-<stack>` and prints it)."""
    images_from_account: Annotated[
        str, _matches(_ACCOUNT, "an AWS account id (12 digits, quoted in YAML)")
    ] = ""
    """With one AWS account per stack: the account of the stack CI builds the images into
    (staging's, on prod's file). Promotion copies them from its repositories into this stack's
    own, by digest, and the deploy role may read them there. Empty: the same account."""
    image_readers: list[
        Annotated[str, _matches(_ACCOUNT, "an AWS account id (12 digits, quoted in YAML)")]
    ] = []
    """With one AWS account per stack: the accounts whose stacks promote this stack's images
    (prod's, on staging's file). Each of this stack's repositories lets them pull (a repository
    policy); their own IAM decides who there may."""
    pull_request_previews: bool = default_of(CiAccessArgs, "pull_request_previews")
    """Pull requests may also assume the stack's read-only preview role (never where `protect`
    is on: a preview decrypts the stack's secrets, and a pull request runs its own code). Runs
    of `main` outside any environment always may: the preview before a release's approval."""

    approvers: (
        Annotated[list[Annotated[str, AfterValidator(_login)]], AfterValidator(_approver_list)]
        | None
    ) = None
    """GitHub logins that approve this stack's releases, on every GitHub plan (README "CI/CD"):
    the deploy run then releases no prod and ends after prod's preview, saying how to promote
    it, and `promote.yml` and `rollback.yml` go on only when run by one of them (`golive
    approve`). Omit to leave the approval to the GitHub environment's required reviewers
    (public repositories, or GitHub Enterprise)."""

    def problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        repeated = sorted({a for a in self.image_readers if self.image_readers.count(a) > 1})
        if repeated:
            problems.append(("imageReaders", f"lists {', '.join(repeated)} more than once"))
        if self.enabled:
            for key, value in (
                ("repository", self.repository),
                ("secretsKeyAlias", self.secrets_key_alias),
            ):
                if not value:
                    problems.append((key, "is required when ci.enabled is true"))
            for key, number in (("ownerId", self.owner_id), ("repositoryId", self.repository_id)):
                if number is None:
                    problems.append(
                        (
                            key,
                            "is required when ci.enabled is true (GitHub may put it in the OIDC "
                            f"subject at any time): `{READ_IDS}`",
                        )
                    )
        return problems


def problems(cfg: StackConfig) -> list[tuple[str, str]]:
    """A pull request's preview runs the pull request's code with the preview role, which
    decrypts the stack's secrets: never for a stack that protects production data."""
    if cfg.ci.enabled and cfg.ci.pull_request_previews and cfg.protect:
        return [
            (
                "ci.pullRequestPreviews",
                "is refused with protect on: a pull request would run its own code with a role "
                "that decrypts this stack's secrets; preview it in the deploy run after the merge",
            )
        ]
    return []
