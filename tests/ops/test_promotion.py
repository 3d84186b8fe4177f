"""Promotion copies an image from staging's ECR repository into prod's, by digest, against moto's
ECR. Layers download from a real HTTP server on 127.0.0.1 (ECR hands out pre-signed S3 URLs;
moto does not implement GetDownloadUrlForLayer, so a hook answers it with this server's URL)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ops.errors import OpsError
from ops.promotion import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    EcrRepository,
    Promotion,
    _parts,
    sha256_digest,
)
from tests.git_repo import git
from tests.ops.local_http import LocalServer, local_server
from tests.ops.test_ci_commands import project, run
from tests.ops.test_workflow_commands import _argv_of_step, _step
from tests.ops.world import ACCOUNT, REGION, REPO, World, aws_answer, aws_error

SOURCE, TARGET = "auction/staging/api", "auction/prod/api"
SHA = "3f2c1ab" + "9" * 33


@dataclass
class Blobs:
    """The registry's blob storage, served over HTTP like ECR's pre-signed S3 URLs."""

    url: str = ""
    stored: dict[str, bytes] = field(default_factory=dict[str, bytes])
    corrupt: set[str] = field(default_factory=set[str])
    server: LocalServer | None = None

    def add(self, data: bytes) -> str:
        digest = sha256_digest(data)
        self.stored[digest] = data
        return digest

    def answer(self, path: str) -> int | tuple[int, bytes]:
        data = self.stored.get(digest := path.rsplit("/", 1)[-1])
        if data is None:
            return 404
        return 200, data[:-1] + b"X" if digest in self.corrupt else data

    @property
    def downloads(self) -> list[str]:
        """The digests asked for, in order."""
        assert self.server is not None
        return [request.path.rsplit("/", 1)[-1] for request in self.server.requests]


@contextmanager
def blob_server() -> Iterator[Blobs]:
    blobs = Blobs()
    with local_server(blobs.answer) as server:
        blobs.url, blobs.server = f"{server.url}/blobs", server
        yield blobs


def requested_layer(params: dict[str, Any]) -> str:
    """The layer digest of a serialized GetDownloadUrlForLayer request (JSON 1.1 body)."""
    return str(json.loads(params["body"])["layerDigest"])


def serve_layers_from(register: Callable[[str, Callable[..., Any]], Any], blobs: Blobs) -> None:
    """ECR's GetDownloadUrlForLayer, answered with the blob server's URL for the layer (moto
    raises NotImplemented for it). A layer the repository does not hold is ECR's 400."""

    def answer(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        digest = requested_layer(params)
        if digest not in blobs.stored:
            return aws_error("LayersNotFoundException", digest)
        return aws_answer({"downloadUrl": f"{blobs.url}/{digest}", "layerDigest": digest})

    register("before-call.ecr.GetDownloadUrlForLayer", answer)


def push_blob(ecr: Any, repository: str, blobs: Blobs, data: bytes) -> dict[str, Any]:
    """Upload one blob as docker does (InitiateLayerUpload, UploadLayerPart, Complete...)."""
    digest = blobs.add(data)
    upload = ecr.initiate_layer_upload(repositoryName=repository)
    ecr.upload_layer_part(
        repositoryName=repository, uploadId=upload["uploadId"], partFirstByte=0,
        partLastByte=len(data) - 1, layerPartBlob=data,
    )  # fmt: skip
    ecr.complete_layer_upload(
        repositoryName=repository, uploadId=upload["uploadId"], layerDigests=[digest]
    )
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest,
            "size": len(data)}  # fmt: skip


def push_multi_arch(ecr: Any, repository: str, blobs: Blobs, tag: str) -> tuple[str, list[str]]:
    """What `buildx --platform linux/amd64,linux/arm64 --push` leaves: two platform manifests
    (untagged, sharing one layer) and the index, tagged. Returns the index and manifest digests."""
    shared = push_blob(ecr, repository, blobs, b"shared base layer " * 100)
    children, digests = [], []
    for arch in ("amd64", "arm64"):
        config = push_blob(ecr, repository, blobs, json.dumps({"architecture": arch}).encode())
        config["mediaType"] = "application/vnd.oci.image.config.v1+json"
        layer = push_blob(ecr, repository, blobs, f"app built for {arch}".encode() * 50)
        manifest = json.dumps(
            {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
             "layers": [shared, layer]}, indent=3
        )  # fmt: skip
        digest = sha256_digest(manifest.encode())
        ecr.put_image(
            repositoryName=repository, imageManifest=manifest,
            imageManifestMediaType=OCI_MANIFEST, imageDigest=digest,
        )  # fmt: skip
        digests.append(digest)
        children.append(
            {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(manifest),
             "platform": {"os": "linux", "architecture": arch}}
        )  # fmt: skip
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children})
    digest = sha256_digest(index.encode())
    ecr.put_image(
        repositoryName=repository, imageManifest=index, imageManifestMediaType=OCI_INDEX,
        imageDigest=digest, imageTag=tag,
    )  # fmt: skip
    return digest, digests


@dataclass
class Registry:
    ecr: Any
    blobs: Blobs

    def promotion(self) -> Promotion:
        return Promotion(
            EcrRepository(self.ecr, ACCOUNT, SOURCE), EcrRepository(self.ecr, ACCOUNT, TARGET)
        )

    def manifest(self, repository: str, image_id: dict[str, str]) -> str:
        found = self.ecr.batch_get_image(repositoryName=repository, imageIds=[image_id])
        return str(found["images"][0]["imageManifest"])

    def tags(self, repository: str) -> dict[str, str]:
        details = self.ecr.describe_images(repositoryName=repository)["imageDetails"]
        return {tag: d["imageDigest"] for d in details for tag in d.get("imageTags", [])}


@pytest.fixture
def registry() -> Iterator[Registry]:
    with mock_aws(), blob_server() as blobs:
        ecr = boto3.client("ecr", region_name=REGION)
        for name in (SOURCE, TARGET):
            ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
        serve_layers_from(ecr.meta.events.register, blobs)
        yield Registry(ecr, blobs)


def test_a_multi_arch_image_arrives_with_its_digest_every_platform_and_every_layer(
    registry: Registry,
) -> None:
    index, platforms = push_multi_arch(registry.ecr, SOURCE, registry.blobs, SHA)
    promotion = registry.promotion()

    assert promotion.copy(index, SHA) == index

    assert registry.tags(TARGET) == {
        SHA: index,
        f"{SHA}-linux-amd64": platforms[0],
        f"{SHA}-linux-arm64": platforms[1],
    }
    for digest in (index, *platforms):  # the very bytes, so the very digests
        copied = registry.manifest(TARGET, {"imageDigest": digest})
        assert copied == registry.manifest(SOURCE, {"imageDigest": digest})
        assert sha256_digest(copied.encode()) == digest
    layers = registry.ecr.batch_check_layer_availability(
        repositoryName=TARGET, layerDigests=list(registry.blobs.stored)
    )
    assert {layer["layerAvailability"] for layer in layers["layers"]} == {"AVAILABLE"}
    assert len(layers["layers"]) == 5 and layers["failures"] == []
    report = promotion.report
    # 2 configs + 2 own layers + 1 shared layer, each downloaded once.
    assert (report.manifests_copied, report.blobs_copied) == (3, 5)
    assert sorted(registry.blobs.downloads) == sorted(registry.blobs.stored)
    assert report.bytes_copied == sum(len(b) for b in registry.blobs.stored.values())


def test_a_rerun_copies_and_downloads_nothing(registry: Registry) -> None:
    index, _ = push_multi_arch(registry.ecr, SOURCE, registry.blobs, SHA)
    registry.promotion().copy(index, SHA)
    downloads = len(registry.blobs.downloads)

    again = registry.promotion()
    again.copy(index, SHA)

    assert (again.report.manifests_copied, again.report.blobs_copied) == (0, 0)
    assert len(registry.blobs.downloads) == downloads


def test_a_layer_that_arrives_as_other_bytes_publishes_no_image(registry: Registry) -> None:
    index, _ = push_multi_arch(registry.ecr, SOURCE, registry.blobs, SHA)
    registry.blobs.corrupt.add(next(iter(registry.blobs.stored)))

    with pytest.raises(OpsError, match="downloaded as other bytes") as failed:
        registry.promotion().copy(index, SHA)

    assert "nothing in the target changed" in failed.value.next_step
    assert registry.tags(TARGET) == {}


def test_an_image_staging_never_built_says_build_it_first(registry: Registry) -> None:
    with pytest.raises(OpsError, match=f"{SOURCE} has no image sha256:0+") as failed:
        registry.promotion().copy("sha256:" + "0" * 64, SHA)
    assert failed.value.exit_code == 3
    assert "build it first" in failed.value.next_step


def test_a_tag_prod_holds_for_another_image_is_refused(registry: Registry) -> None:
    index, _ = push_multi_arch(registry.ecr, SOURCE, registry.blobs, SHA)
    other = json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "layers": []})
    registry.ecr.put_image(
        repositoryName=TARGET, imageManifest=other, imageTag=SHA,
        imageDigest=sha256_digest(other.encode()),
    )  # fmt: skip

    with pytest.raises(OpsError, match=r"already has tag .* on another image"):
        registry.promotion().copy(index, SHA)


def test_a_manifest_that_is_not_its_digest_is_never_copied(registry: Registry) -> None:
    manifest = json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "layers": []})
    claimed = "sha256:" + "e" * 64
    registry.ecr.put_image(
        repositoryName=SOURCE, imageManifest=manifest, imageDigest=claimed, imageTag="odd"
    )

    with pytest.raises(OpsError, match="a manifest of another digest"):
        registry.promotion().copy(claimed, "odd")
    assert registry.tags(TARGET) == {}


class _Trickle(io.RawIOBase):
    """A response body that hands out at most 7 bytes per read, like a slow socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 7) if size >= 0 else 7)


def test_parts_are_full_size_however_the_body_trickles_in() -> None:
    data = bytes(range(256)) * 3
    parts = list(_parts(_Trickle(data), 100))
    assert [len(p) for p in parts] == [100] * 7 + [68]
    assert b"".join(parts) == data
    assert hashlib.sha256(b"".join(parts)).hexdigest() == sha256_digest(data)[7:]


# ----------------------------------------------------------------------------- golive images


def test_images_into_prod_copies_and_prints_prods_own_repository(
    world: World, tmp_path: Path
) -> None:
    ecr = world.client("ecr")
    with blob_server() as blobs:
        serve_layers_from(world.session.hook, blobs)
        for name in (SOURCE, TARGET):
            ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
        index, _ = push_multi_arch(ecr, SOURCE, blobs, SHA)
        path = project(tmp_path)

        result = run(
            "images", "staging", "3f2c1ab", "--into", "prod", "--project-dir", str(path),
            obj=world.runtime(),
        )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"api={REPO}/{TARGET}@{index}"]
    assert "api: sha256:" in result.stderr and "5 blobs" in result.stderr
    assert Registry(ecr, blobs).tags(TARGET)[SHA] == index


def test_images_into_the_stack_itself_is_refused(world: World, tmp_path: Path) -> None:
    path = project(tmp_path)
    result = run(
        "images", "staging", SHA, "--into", "staging", "--project-dir", str(path),
        obj=world.runtime(),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot promote from auction/staging to auction/staging" in result.output


def test_a_source_account_that_refuses_says_which_two_settings_open_it(
    registry: Registry,
) -> None:
    """One account per stack: prod's role reads staging's repository in staging's account."""

    def refuse(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if json.loads(params["body"]).get("registryId") != "111111111111":
            return None
        return aws_error("AccessDeniedException", "not authorized")

    registry.ecr.meta.events.register("before-call.ecr.BatchGetImage", refuse)
    promotion = Promotion(
        EcrRepository(registry.ecr, "111111111111", SOURCE),
        EcrRepository(registry.ecr, ACCOUNT, TARGET),
    )
    with pytest.raises(OpsError, match="access denied to read 111111111111/") as failed:
        promotion.copy("sha256:" + "1" * 64, SHA)
    assert f"list account {ACCOUNT} in the source stack's ci.imageReaders" in failed.value.next_step
    assert "ci.imagesFromAccount: '111111111111'" in failed.value.next_step


@pytest.mark.parametrize(("stack", "into"), [("staging", []), ("prod", ["--into", "prod"])])
def test_release_yml_copies_into_every_stack_but_staging(
    stack: str, into: list[str], tmp_path: Path
) -> None:
    """release.yml's image step, run with bash and a stand-in `./dev` in a one-commit repo."""
    git(tmp_path, "init", "-q")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "x")
    step = _step("release.yml", "release", "The images built from the version")
    env = {"STACK": stack, "VERSION": "HEAD", "GITHUB_OUTPUT": str(tmp_path / "out")}
    assert _argv_of_step(step, env, tmp_path) == ["images", "staging", "HEAD", *into]
