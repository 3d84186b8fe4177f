"""Versions people name, turned into the image CI built for them.

CI tags each image with the full commit SHA it was built from. People name versions otherwise:
a short SHA from the log (`3f2c1ab`), or a release tag (`v1.2.0`, as Release Please makes
them). `pin` turns either into the image's tag in an ECR repository, or refuses clearly:

- a tag the repository has is that tag (a release tag pushed as an image tag included);
- a release tag (`v1.2.0`) is looked up in git (`git rev-parse v1.2.0^{commit}`), so it names
  the image built from the commit it tags;
- 7 to 39 hex digits name the one image whose commit tag starts with them; none or several are
  an error listing what was found.

A digest or a full reference is left as it is (`ops.images` checks those).
"""

from __future__ import annotations

import re
from pathlib import Path

from botocore.exceptions import ClientError

from ops.aws import Aws
from ops.errors import ExitCode, OpsError, error_code
from ops.git import ask_git
from ops.images import DIGEST, TAG, repository
from ops.registry import ECR_HOST

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
SHORT_SHA = re.compile(r"^[0-9a-f]{7,39}$")
RELEASE_TAG = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
"""Semantic-version tags (`v1.2.0`, `1.2.0`, `v2.0.0-rc.1`): Release Please's `vX.Y.Z`."""


def _refused(what: str, next_step: str) -> OpsError:
    return OpsError(what, next_step, exit_code=ExitCode.NOTHING_CHANGED)


class _Repository:
    """An ECR repository named by its URL (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`)."""

    def __init__(self, aws: Aws, account: str, region: str, name: str) -> None:
        self.client = aws.client("ecr", region)
        self.account = account
        self.name = name


def _has_tag(repo: _Repository, tag: str) -> bool:
    try:
        repo.client.describe_images(
            registryId=repo.account, repositoryName=repo.name, imageIds=[{"imageTag": tag}]
        )
    except ClientError as exc:
        if error_code(exc) == "ImageNotFoundException":
            return False
        raise
    return True


def _tags_starting(repo: _Repository, prefix: str) -> list[str]:
    found: list[str] = []
    paginator = repo.client.get_paginator("list_images")
    pages = paginator.paginate(
        registryId=repo.account, repositoryName=repo.name, filter={"tagStatus": "TAGGED"}
    )
    for page in pages:
        for image in page.get("imageIds", []):
            tag = str(image.get("imageTag", ""))
            if tag.startswith(prefix) and FULL_SHA.match(tag):
                found.append(tag)
    return sorted(set(found))


def commit_of(tag: str, project_dir: Path | None) -> str:
    """The commit a git tag points at (annotated tags peeled), or an error saying what to do."""
    result = ask_git(
        ["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"],
        project_dir,
        asking=f"for the tag {tag}",
    )
    if result.returncode != 0 or not FULL_SHA.match(result.stdout.strip()):
        raise _refused(
            f"{tag} is neither an image tag nor a git tag of this repository",
            "check the version (`git tag --list`); in CI, check out with tags "
            "(actions/checkout `fetch-depth: 0`)",
        )
    return result.stdout.strip()


def pin(aws: Aws, repository_url: str, ref: str, project_dir: Path | None) -> str:
    """The tag (or digest) in the ECR repository `repository_url` that `ref` names (see the
    module doc); `ref` itself for another registry, a digest or a full reference."""
    host, _, name = repository_url.partition("/")
    ecr = ECR_HOST.match(host)
    if ecr is None or DIGEST.match(ref) or not TAG.match(ref):
        return ref
    repo = _Repository(aws, ecr["account"], ecr["region"], name)
    if _has_tag(repo, ref):
        return ref
    if RELEASE_TAG.match(ref):
        commit = commit_of(ref, project_dir)
        if not _has_tag(repo, commit):
            raise _refused(
                f"{ref} is commit {commit}, but {name} has no image built from it",
                "build it first (the deploy workflow on main), or pick another version",
            )
        return commit
    if SHORT_SHA.match(ref):
        matches = _tags_starting(repo, ref)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise _refused(
                f"no image in {name} was built from a commit starting {ref}",
                "check the commit (`git log --oneline`); an ECR lifecycle policy may have "
                "expired an old one",
            )
        raise _refused(
            f"{ref} is ambiguous in {name}: {', '.join(m[:12] for m in matches)}",
            "give more digits of the commit",
        )
    return ref


def pin_all(
    aws: Aws, asked: dict[str, str], known: dict[str, str | None], project_dir: Path | None
) -> dict[str, str]:
    """`pin` for each service's bare REF, in the repository it runs now (`known`)."""
    return {
        name: pin(aws, repository(known[name] or ""), ref.strip(), project_dir)
        if known.get(name)
        else ref
        for name, ref in asked.items()
    }
