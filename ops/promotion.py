"""Promotion: copy a built image, by digest, from one stack's ECR repository into another's.

Prod runs its images out of its own repository: staging's keeps only its last images and goes
with staging, so an image prod runs (and every image prod may roll back to) must not live there.
The copy changes nothing in the image: the manifest bytes are put back as they were read, so the
digest (sha256 of those bytes) stays the one CI built and staging ran.

A multi-arch image is an index (an OCI image index or a Docker manifest list) of one manifest per
platform. ECR refuses an index whose manifests it does not hold (PutImage:
ReferencedImagesNotFoundException) and a manifest whose layers it does not hold
(LayersNotFoundException), so the copy goes bottom-up: each platform's config and layer blobs
missing in the target (BatchCheckLayerAvailability), then each platform manifest (tagged
`<tag>-<os>-<arch>`, so `describe-images` tells them apart), then the index with the tag.
Everything already there is skipped, so a re-run copies nothing twice.

The calls are ECR's registry API (botocore ecr service model: BatchGetImage, GetDownloadUrlForLayer
-- a pre-signed S3 URL --, InitiateLayerUpload, UploadLayerPart of at most 20,971,520 bytes,
CompleteLayerUpload, PutImage), with the caller's credentials: no docker daemon, no registry login.
Written here rather than shelling out to crane or skopeo, which CI would have to install and
which cannot be tested against moto.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any

from botocore.exceptions import ClientError

from ops.errors import DENIED_CODES, ExitCode, OpsError, error_code

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
ACCEPTED_MEDIA_TYPES = [*INDEX_TYPES, OCI_MANIFEST, DOCKER_MANIFEST]
"""Asked for explicitly: without them ECR may answer BatchGetImage for an index with one
platform's manifest, whose digest is not the image's (ECR User Guide, "Container image manifest
format support"; seen in practice: island-is/island.is#23091)."""
CHECK_BATCH = 100
"""BatchCheckLayerAvailability takes at most 100 digests (botocore ecr model:
BatchedOperationLayerDigestList max 100)."""
MAX_PART = 20_971_520
"""UploadLayerPart's largest part (botocore ecr model: LayerPartBlob max 20971520)."""
DOWNLOAD_TIMEOUT = 60.0


def _open_url(url: str) -> AbstractContextManager[IO[bytes]]:
    return urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT)  # a pre-signed S3 URL


@dataclass(frozen=True)
class EcrRepository:
    """One repository, with the ECR client of its region and the account that owns it."""

    client: Any
    account: str
    name: str

    @property
    def ids(self) -> dict[str, str]:
        return {"registryId": self.account, "repositoryName": self.name}

    @property
    def url(self) -> str:
        """`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`, in its client's region."""
        return f"{self.account}.dkr.ecr.{self.client.meta.region_name}.amazonaws.com/{self.name}"

    def __str__(self) -> str:
        return f"{self.account}/{self.name}"


@dataclass
class CopyReport:
    """What one promotion did; all zero but `manifests_present` on a re-run."""

    manifests_copied: int = 0
    manifests_present: int = 0
    blobs_copied: int = 0
    blobs_present: int = 0
    bytes_copied: int = 0


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Promotion:
    """Copies images from `source` to `target`, keeping their digests."""

    def __init__(self, source: EcrRepository, target: EcrRepository) -> None:
        self.source, self.target = source, target
        self.report = CopyReport()

    def copy(self, digest: str, tag: str | None) -> str:
        """Copy the image `digest` (an index or a single manifest) and tag it; returns the digest,
        which is the source's by construction."""
        self._copy_manifest(digest, tag)
        return digest

    # ------------------------------------------------------------------ manifests

    def _copy_manifest(self, digest: str, tag: str | None) -> None:
        present = self._target_has(digest)
        if present and tag is None:
            self.report.manifests_present += 1
            return
        manifest, media_type = self._read_manifest(digest)
        document = json.loads(manifest)
        if not present:  # else only the tag is new
            self._copy_contents(document, media_type, tag)
        self._put(manifest, media_type, digest, tag)

    def _copy_contents(self, document: dict[str, Any], media_type: str, tag: str | None) -> None:
        """What a manifest refers to: an index's platform manifests, a manifest's blobs."""
        if media_type in INDEX_TYPES:
            for child in document.get("manifests", []):
                self._copy_manifest(str(child["digest"]), _platform_tag(tag, child))
            return
        blobs = [document["config"], *document.get("layers", [])]
        # Foreign (non-distributable) layers are fetched from their `urls`, never stored.
        self._copy_blobs([str(blob["digest"]) for blob in blobs if not blob.get("urls")])

    def _images(self, repository: EcrRepository, digest: str) -> list[dict[str, Any]]:
        """BatchGetImage of one digest: the image, or nothing when the repository lacks it."""
        try:
            found = repository.client.batch_get_image(
                **repository.ids,
                imageIds=[{"imageDigest": digest}],
                acceptedMediaTypes=ACCEPTED_MEDIA_TYPES,
            )
        except ClientError as exc:
            raise self._failed(exc, repository, "read") from None
        return list(found.get("images") or [])

    def _target_has(self, digest: str) -> bool:
        return bool(self._images(self.target, digest))

    def _read_manifest(self, digest: str) -> tuple[str, str]:
        images = self._images(self.source, digest)
        if not images:
            raise OpsError(
                f"{self.source} has no image {digest}",
                "build it first (the deploy workflow on main), or check the version: an ECR "
                "lifecycle policy may have expired it",
                exit_code=ExitCode.NOTHING_CHANGED,
            )
        manifest = str(images[0]["imageManifest"])
        media_type = str(
            images[0].get("imageManifestMediaType") or json.loads(manifest).get("mediaType", "")
        )
        if sha256_digest(manifest.encode()) != digest:
            # ECR keeps the bytes as pushed; anything else would give prod another image id.
            raise OpsError(
                f"{self.source} answered {digest} with a manifest of another digest "
                f"({sha256_digest(manifest.encode())}); nothing was copied",
                "promote by a digest the repository lists (`aws ecr describe-images`), and "
                "report this if it persists",
            )
        if media_type not in ACCEPTED_MEDIA_TYPES:
            raise OpsError(
                f"{self.source}'s image {digest} is a {media_type or 'manifest of no media type'}",
                "build images with buildx (OCI or Docker schema 2 manifests) to promote them",
                exit_code=ExitCode.USAGE,
            )
        return manifest, media_type

    def _put(self, manifest: str, media_type: str, digest: str, tag: str | None) -> None:
        tagged = {"imageTag": tag} if tag else {}
        try:
            self.target.client.put_image(
                **self.target.ids,
                imageManifest=manifest,
                imageManifestMediaType=media_type,
                imageDigest=digest,
                **tagged,
            )
        except ClientError as exc:
            code = error_code(exc)
            # ECR: ImageAlreadyExists is this very image and tag again (a re-run),
            # ImageTagAlreadyExists the tag on another image (botocore ecr model); emulators mix
            # the two up, so the tag's digest decides.
            if code == "ImageAlreadyExistsException" and self._digest_of(tag) in {None, digest}:
                self.report.manifests_present += 1
                return
            if code in {"ImageAlreadyExistsException", "ImageTagAlreadyExistsException"}:
                raise OpsError(
                    f"{self.target} already has tag {tag} on another image (its tags are "
                    f"immutable), not on {digest}",
                    f"promote by this digest under another tag, or find out why {tag} was "
                    "built twice (a re-run that rebuilt instead of reusing the image?)",
                ) from None
            raise self._failed(exc, self.target, "write") from None
        self.report.manifests_copied += 1

    def _digest_of(self, tag: str | None) -> str | None:
        """The digest `tag` names in the target (None: untagged, or no such tag)."""
        if tag is None:
            return None
        try:
            found = self.target.client.describe_images(
                **self.target.ids, imageIds=[{"imageTag": tag}]
            )
        except ClientError as exc:
            if error_code(exc) == "ImageNotFoundException":
                return None
            raise self._failed(exc, self.target, "read") from None
        return str(found["imageDetails"][0]["imageDigest"])

    # ------------------------------------------------------------------ blobs

    def _copy_blobs(self, digests: list[str]) -> None:
        for digest in self._missing(list(dict.fromkeys(digests))):
            self._copy_blob(digest)

    def _missing(self, digests: list[str]) -> list[str]:
        missing: list[str] = []
        for start in range(0, len(digests), CHECK_BATCH):
            batch = digests[start : start + CHECK_BATCH]
            try:
                checked = self.target.client.batch_check_layer_availability(
                    **self.target.ids, layerDigests=batch
                )
            except ClientError as exc:
                raise self._failed(exc, self.target, "read") from None
            present = {
                str(layer["layerDigest"])
                for layer in checked.get("layers", [])
                if layer.get("layerAvailability") == "AVAILABLE"
            }
            self.report.blobs_present += len(present)
            missing += [digest for digest in batch if digest not in present]
        return missing

    def _copy_blob(self, digest: str) -> None:
        try:
            url = self.source.client.get_download_url_for_layer(
                **self.source.ids, layerDigest=digest
            )["downloadUrl"]
            upload = self.target.client.initiate_layer_upload(**self.target.ids)
        except ClientError as exc:
            raise self._failed(exc, self.source, "read") from None
        part_size = min(int(upload.get("partSize") or MAX_PART), MAX_PART) or MAX_PART
        hasher, received = hashlib.sha256(), 0
        with _open_url(str(url)) as body:
            for part in _parts(body, part_size):
                hasher.update(part)
                try:
                    self.target.client.upload_layer_part(
                        **self.target.ids,
                        uploadId=upload["uploadId"],
                        partFirstByte=received,
                        partLastByte=received + len(part) - 1,
                        layerPartBlob=part,
                    )
                except ClientError as exc:
                    raise self._failed(exc, self.target, "write") from None
                received += len(part)
        if "sha256:" + hasher.hexdigest() != digest:
            raise OpsError(
                f"layer {digest} of {self.source} downloaded as other bytes "
                f"({received} bytes, sha256:{hasher.hexdigest()}); nothing was published",
                "run the promotion again (a download cut short); nothing in the target changed",
            )
        try:
            self.target.client.complete_layer_upload(
                **self.target.ids, uploadId=upload["uploadId"], layerDigests=[digest]
            )
        except ClientError as exc:
            if error_code(exc) != "LayerAlreadyExistsException":  # a parallel copy won
                raise self._failed(exc, self.target, "write") from None
        self.report.blobs_copied += 1
        self.report.bytes_copied += received

    # ------------------------------------------------------------------ errors

    def _failed(self, exc: ClientError, repository: EcrRepository, verb: str) -> OpsError:
        code = error_code(exc)
        if code == "RepositoryNotFoundException":
            return OpsError(
                f"ECR repository {repository} does not exist",
                "run `golive up` for the stack that owns it first (its stack creates it)",
                exit_code=ExitCode.NOTHING_CHANGED,
            )
        if code in DENIED_CODES:
            across = repository is self.source and self.source.account != self.target.account
            return OpsError(
                f"access denied to {verb} {repository} ({code})",
                (
                    f"one account per stack: list account {self.target.account} in the source "
                    f"stack's ci.imageReaders and set ci.imagesFromAccount: "
                    f"'{self.source.account}' in this stack's file, then `golive up` both"
                )
                if across
                else "run with the stack's deploy role (its policy allows promotion)",
            )
        return OpsError(f"ECR {verb} of {repository} failed: {exc}", "run the promotion again")


def _platform_tag(tag: str | None, child: dict[str, Any]) -> str | None:
    """`<tag>-linux-arm64` for an index's platform manifest: which build and platform it is,
    at a glance in the console and in `describe-images` (the lifecycle policy counts it with
    its index either way: `components.service`)."""
    platform = child.get("platform") or {}
    parts = [platform.get("os"), platform.get("architecture"), platform.get("variant")]
    suffix = "-".join(str(part) for part in parts if part) or str(child["digest"])[7:19]
    # ECR tags: at most 300 of [A-Za-z0-9_.-] (botocore ecr model: ImageTag max 300).
    return f"{tag}-{re.sub(r'[^A-Za-z0-9_.-]', '-', suffix)}"[:300] if tag else None


def _parts(body: IO[bytes], size: int) -> Iterator[bytes]:
    """`body` in parts of exactly `size` bytes but the last (ECR refuses a short middle part:
    CompleteLayerUpload's LayerPartTooSmallException)."""
    buffer = b""
    while chunk := body.read(size - len(buffer)):
        buffer += chunk
        if len(buffer) == size:
            yield buffer
            buffer = b""
    if buffer:
        yield buffer
