"""Does an image exist, and can it be pulled? Asked before a release or rollback changes anything.

An ECR image (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO`) is looked up with ECR's
`DescribeImages` in its own account and region; any other registry is asked for the manifest
over its HTTP API (`HEAD /v2/NAME/manifests/REF`, with the anonymous bearer token public
registries hand out on a 401). A definite "no such image" stops the command; a registry that
cannot be asked (private without credentials here, unreachable, access denied) is a warning:
ECS pulls with the task's execution role, which may see what this machine cannot, and the
migration, run with the new image first, fails before any deploy if the pull does.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ops import ui
from ops.aws import Aws
from ops.errors import DENIED_CODES, ExitCode, OpsError, error_code
from ops.images import ImageReference, parse_reference

ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$"
)
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
HTTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Lookup:
    found: bool | None
    """True: it exists; False: the registry says it does not; None: could not tell."""
    detail: str = ""


def _ecr(aws: Aws, image: ImageReference, account: str, region: str) -> Lookup:
    image_id = {"imageDigest": image.digest} if image.digest else {"imageTag": image.tag}
    try:
        aws.client("ecr", region).describe_images(
            registryId=account, repositoryName=image.path, imageIds=[image_id]
        )
    except ClientError as exc:
        code = error_code(exc)
        if code in {"ImageNotFoundException", "RepositoryNotFoundException"}:
            return Lookup(False, code)
        if code in DENIED_CODES:
            return Lookup(None, f"access denied for ecr:DescribeImages ({code})")
        raise
    return Lookup(True)


def _bearer_token(challenge: str, timeout: float) -> str | None:
    """An anonymous token from a `WWW-Authenticate: Bearer realm=...` challenge."""
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", None)
    if not challenge.lower().startswith("bearer") or realm is None:
        return None
    url = f"{realm}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        document = json.loads(response.read() or b"{}")
    token = document.get("token") or document.get("access_token")
    return str(token) if token else None


def _manifest(base_url: str, image: ImageReference, timeout: float) -> Lookup:
    path = image.path
    if image.registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    url = f"{base_url}/v2/{path}/manifests/{image.version}"
    headers = {"Accept": MANIFEST_TYPES, "User-Agent": "golive"}
    for _ in range(2):  # once anonymously, once with the token a 401 points to
        request = urllib.request.Request(url, method="HEAD", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return Lookup(True)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return Lookup(False, f"{image.registry} answered 404 for {image.version}")
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
            token = _bearer_token(challenge, timeout) if challenge else None
            if token is None or "Authorization" in headers:
                return Lookup(None, f"{image.registry} answered HTTP {exc.code}")
            headers["Authorization"] = f"Bearer {token}"
    return Lookup(None, f"{image.registry} refused the anonymous token")


def lookup(aws: Aws, reference: str) -> Lookup:
    image = parse_reference(reference)
    ecr = ECR_HOST.match(image.registry)
    if ecr is not None:
        return _ecr(aws, image, ecr["account"], ecr["region"])
    try:
        return _manifest(aws.runtime.registry(image.registry), image, HTTP_TIMEOUT)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Lookup(None, f"{image.registry} did not answer ({reason})")


def require_images(aws: Aws, images: dict[str, str | None], doing: str) -> None:
    """Every image named exists (each asked once); all the missing ones in one error."""
    missing: list[str] = []
    for reference in sorted({image for image in images.values() if image}):
        found = lookup(aws, reference)
        if found.found is None:
            ui.warn(f"could not check that {reference} exists: {found.detail}")
        elif not found.found:
            users = ", ".join(sorted(name for name, image in images.items() if image == reference))
            missing.append(f"{reference} ({users}): {found.detail}")
    if missing:
        raise OpsError(
            f"{doing}: image not found: {'; '.join(missing)}",
            "push the image first, or check the tag or digest (an ECR lifecycle policy may "
            "have expired an old one); nothing was changed",
            exit_code=ExitCode.NOTHING_CHANGED,
        )
    ui.done("images found: " + ", ".join(sorted({i for i in images.values() if i})))
