"""Static-site upload for `release --site DIR`, and its rollback, on a versioned S3 bucket.

A site version is the map of every key to its S3 version id. Upload records the version before
and after; rolling back copies each earlier object version back on top (a new version with the
old content) and removes keys the earlier site did not have (a delete marker: the versions are
kept). Both end with a CloudFront invalidation of `/*`, waited for.

Headers, for a single-page app build (Vite `dist/`, Create React App `build/`):

- `Content-Type` from a fixed table of web types (with `charset=utf-8` for text), so the result
  does not depend on the machine's `/etc/mime.types` (without it Python maps `.woff2` to
  nothing, and on Windows `.js` can come out as `text/plain`, which browsers refuse for module
  scripts); other types fall back to `mimetypes`, then `application/octet-stream`.
- `Cache-Control: public, max-age=31536000, immutable` only for content-hashed bundler output
  (under `assets/`, `static/` or `_next/static/`, named `NAME-HASH8.EXT` or `NAME.HEXHASH.EXT`,
  the hash holding a digit): a new build gives them new names. Everything else, `index.html`
  first of all (it names the hashed files), gets `no-cache`: browsers revalidate it (a cheap
  304), so a release or a rollback reaches them at once. A hash this does not recognise only
  costs a revalidation, never a stale page.

Upload order: every other file first, the HTML last, then the removals, so `index.html` never
names an asset that is not there yet. `site_files` checks the directory in the preflight: a
missing or empty directory, or one without `index.html` at its top, is refused before anything
is touched (an empty upload would otherwise remove the whole site).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import time
from pathlib import Path

from ops import ui
from ops.aws import Aws
from ops.errors import OpsError
from stacks.exports import StaticSiteExport

INVALIDATION_DELAY = 20
INVALIDATION_ATTEMPTS = 45

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
ASSET_DIRS = ("assets/", "static/", "_next/static/")
# `index-BkV2kW3J.js` (Vite/Rollup: 8 base64url chars), `main.3f2a1b9c.chunk.js` (webpack hex).
_HASHED_NAME = re.compile(r"[.-]([A-Za-z0-9_-]{8}|[0-9a-f]{8,})(?:\.[A-Za-z0-9]+)+$")

_UTF8 = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".js": "text/javascript" + _UTF8,
    ".mjs": "text/javascript" + _UTF8,
    ".cjs": "text/javascript" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".csv": "text/csv" + _UTF8,
    ".md": "text/markdown" + _UTF8,
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    """Long-lived for content-hashed bundler output; revalidated for everything else."""
    if key.startswith(ASSET_DIRS):
        match = _HASHED_NAME.search(key.rsplit("/", 1)[-1])
        if match is not None and any(char.isdigit() for char in match.group(1)):
            return IMMUTABLE
    return REVALIDATE


def site_files(directory: Path) -> list[Path]:
    """The files of a built site, HTML last; refuses what cannot be a site build."""
    build_hint = "build the site first (`npm run build`) and pass its output directory"
    if not directory.exists():
        raise OpsError(f"--site {directory} does not exist", build_hint)
    if not directory.is_dir():
        raise OpsError(f"--site {directory} is not a directory", build_hint)
    files = [path for path in directory.rglob("*") if path.is_file()]
    if not files:
        raise OpsError(
            f"--site {directory} is empty: uploading it would remove the whole site", build_hint
        )
    if not (directory / "index.html").is_file():
        raise OpsError(
            f"--site {directory} has no index.html at its top: it is not a site build",
            "pass the build output directory (dist/ or build/, the one holding index.html), "
            "not the project directory",
        )
    return sorted(files, key=lambda path: (_is_html(path.name), path.as_posix()))


def _is_html(key: str) -> bool:
    return key.lower().endswith((".html", ".htm"))


def require_versioning(aws: Aws, site: StaticSiteExport) -> None:
    status = aws.client("s3").get_bucket_versioning(Bucket=site.bucket_name).get("Status")
    if status != "Enabled":
        raise OpsError(
            f"the site bucket {site.bucket_name} is not versioned: an upload could not be rolled "
            "back",
            "enable versioning on it in the static-site component, `pulumi up`, then re-run",
        )


def _listing(
    aws: Aws, site: StaticSiteExport
) -> tuple[dict[str, tuple[str, str]], set[tuple[str, str]]]:
    """Key -> (version id, ETag) of what is served now, and every (key, version id) kept."""
    latest: dict[str, tuple[str, str]] = {}
    kept: set[tuple[str, str]] = set()
    paginator = aws.client("s3").get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=site.bucket_name):
        for item in page.get("Versions", []):
            key, version_id = str(item["Key"]), str(item["VersionId"])
            kept.add((key, version_id))
            if item.get("IsLatest"):
                latest[key] = (version_id, str(item.get("ETag", "")).strip('"'))
    return latest, kept


def current_version(aws: Aws, site: StaticSiteExport) -> dict[str, str]:
    """Key -> version id of every object as the site serves it now."""
    return {key: version_id for key, (version_id, _) in _listing(aws, site)[0].items()}


def matches(aws: Aws, site: StaticSiteExport, directory: Path) -> bool:
    """Whether the bucket already serves exactly these files (same keys, same MD5 ETags).

    Only single-part uploads without SSE-KMS have the MD5 as ETag (this tool's uploads on the
    SSE-S3 site bucket); anything else compares as different, which only means a new upload.
    """
    latest, _ = _listing(aws, site)
    local = {
        path.relative_to(directory).as_posix(): hashlib.md5(
            path.read_bytes(), usedforsecurity=False
        ).hexdigest()
        for path in site_files(directory)
    }
    return local == {key: etag for key, (_, etag) in latest.items()}


def upload(aws: Aws, site: StaticSiteExport, directory: Path) -> dict[str, str]:
    """Upload every file under `directory`; remove keys it no longer has. Returns the version."""
    files = site_files(directory)
    s3 = aws.client("s3")
    before = current_version(aws, site)
    uploaded: dict[str, str] = {}
    ui.step(f"upload {len(files)} files to s3://{site.bucket_name}")
    for path in files:
        key = path.relative_to(directory).as_posix()
        response = s3.put_object(
            Bucket=site.bucket_name,
            Key=key,
            Body=path.read_bytes(),
            ContentType=content_type(key),
            CacheControl=cache_control(key),
        )
        uploaded[key] = str(response.get("VersionId", "null"))
    for key in sorted(set(before) - set(uploaded)):
        s3.delete_object(Bucket=site.bucket_name, Key=key)
    invalidate(aws, site)
    return uploaded


def restore(aws: Aws, site: StaticSiteExport, version: dict[str, str]) -> None:
    """Serve `version` again: copy its object versions back on top, remove newer keys."""
    s3 = aws.client("s3")
    latest, kept = _listing(aws, site)
    now = {key: version_id for key, (version_id, _) in latest.items()}
    missing = sorted(item for item in version.items() if item not in kept)
    if missing:
        # Checked before anything changes: a half-restored site would be worse than either.
        key, version_id = missing[0]
        raise OpsError(
            f"the site version to restore is gone from s3://{site.bucket_name} ({len(missing)} "
            f"object version(s), e.g. {key} version {version_id}: noncurrent versions expire), "
            "so the site was left as it is",
            "deploy the wanted site build with `golive release STACK --image TAG --site DIR`",
        )
    ui.step(f"restore the previous site version in s3://{site.bucket_name}")
    # Assets first, HTML last (as in upload), removals at the end.
    for key, version_id in sorted(version.items(), key=lambda item: (_is_html(item[0]), item[0])):
        if now.get(key) == version_id:
            continue
        s3.copy_object(
            Bucket=site.bucket_name,
            Key=key,
            CopySource={"Bucket": site.bucket_name, "Key": key, "VersionId": version_id},
            MetadataDirective="COPY",
        )
    for key in sorted(set(now) - set(version)):
        s3.delete_object(Bucket=site.bucket_name, Key=key)
    invalidate(aws, site)


def invalidate(aws: Aws, site: StaticSiteExport) -> None:
    cloudfront = aws.client("cloudfront")
    created = cloudfront.create_invalidation(
        DistributionId=site.distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"golive-{time.time_ns()}",
        },
    )
    aws.wait(
        "cloudfront",
        "invalidation_completed",
        what=f"the CloudFront invalidation of {site.distribution_id} did not complete",
        next_step="check the distribution in the CloudFront console; the files are uploaded",
        delay=INVALIDATION_DELAY,
        max_attempts=INVALIDATION_ATTEMPTS,
        DistributionId=site.distribution_id,
        Id=created["Invalidation"]["Id"],
    )
    ui.done(f"CloudFront invalidation of {site.distribution_id} complete")
