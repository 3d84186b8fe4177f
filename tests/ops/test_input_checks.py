"""Input is checked before anything changes: image references, images that exist, the
region, paths, and the values `secrets set` stores.

External registries are asked over HTTP; here a registry served on 127.0.0.1 inside the test
(anonymous bearer-token flow, like ghcr.io and Docker Hub) stands in for them.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops.aws import Aws
from ops.errors import ExitCode, OpsError
from ops.images import parse_reference, resolve
from ops.pulumi_step import PulumiCli, PulumiError
from ops.registry import lookup
from tests.ops.world import API_V1, REPO, WORKER_V1, World

V1 = {"api": API_V1, "worker": WORKER_V1}
EXTERNAL = "ghcr.io/acme/auction-api:v9"


class Registry(http.server.BaseHTTPRequestHandler):
    """`/v2/NAME/manifests/REF` for the images in `known`, behind an anonymous token."""

    known: set[str] = set()
    token = "anonymous-pull-token"

    def do_GET(self) -> None:  # the token endpoint
        body = json.dumps({"token": self.token}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        host = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_response(401)
            challenge = f'Bearer realm="{host}/token",service="registry",scope="pull"'
            self.send_header("WWW-Authenticate", challenge)
            self.end_headers()
            return
        name, _, version = self.path.removeprefix("/v2/").partition("/manifests/")
        self.send_response(200 if f"{name}:{version}" in self.known else 404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Registry.known = {"acme/auction-api:v9"}
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def release(world: World, *args: str, **overrides: Any) -> Any:
    return world.cli("release", *world.stack_args(*args), **overrides)


def assert_untouched(world: World) -> None:
    world.assert_serving(V1)
    assert {name: world.released(name) for name in V1} == V1
    assert world.count("rds", "CreateDBSnapshot") == 0
    assert world.count("ecs", "RunTask") == 0


# Image references ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("sha256:abc", "is not a sha256 digest"),
        ("auction-api:", "is not an image reference"),
        ("auction-api:v2", "does not name a registry"),
        (f"{REPO}/auction-api", "names no tag or digest"),
        (f"{REPO}/Auction-API:v2", "names are lowercase"),
        # One full reference for services of different repositories: the worker would get
        # the api image.
        (f"{REPO}/auction-api:v2", "would give api, worker the same image"),
    ],
)
def test_bad_image_references_are_usage_errors_before_anything(
    world: World, image: str, message: str
) -> None:
    result = release(world, "--image", image)

    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
    assert_untouched(world)


def test_the_reference_grammar() -> None:
    parsed = parse_reference("localhost:5000/team/app@sha256:" + "c" * 64)
    assert (parsed.registry, parsed.path, parsed.version) == (
        "localhost:5000",
        "team/app",
        "sha256:" + "c" * 64,
    )
    assert resolve("v2", "api", f"{REPO}/auction-api@sha256:" + "d" * 64) == (
        f"{REPO}/auction-api:v2"
    )
    with pytest.raises(OpsError, match="is not a sha256 digest"):
        resolve("sha256:" + "e" * 63, "api", API_V1)


# Images that exist ---------------------------------------------------------------------------


def test_an_image_missing_from_ecr_stops_before_the_snapshot(world: World) -> None:
    result = release(world, "--image", "v4")

    assert result.exit_code == ExitCode.NOTHING_CHANGED, result.output
    assert f"image not found: {REPO}/auction-api:v4 (api)" in result.output
    assert f"{REPO}/auction-worker:v4 (worker)" in result.output  # all at once
    assert_untouched(world)


def test_an_external_image_is_looked_up_in_its_registry(world: World, registry: str) -> None:
    runtime = world.runtime(registry=lambda host: registry)
    aws = Aws(world.session, runtime)

    assert lookup(aws, EXTERNAL).found is True
    assert lookup(aws, "ghcr.io/acme/auction-api:v404").found is False

    result = release(world, "--image", f"api={EXTERNAL}", registry=lambda host: registry)

    assert result.exit_code == 0, result.output
    world.assert_serving({"api": EXTERNAL, "worker": WORKER_V1})


def test_a_missing_external_image_stops_the_release(world: World, registry: str) -> None:
    result = release(
        world, "--image", "api=ghcr.io/acme/auction-api:v404", registry=lambda host: registry
    )

    assert result.exit_code == ExitCode.NOTHING_CHANGED, result.output
    assert "ghcr.io answered 404 for v404" in result.output
    assert_untouched(world)


def test_an_unreachable_registry_is_a_warning_not_a_verdict(world: World) -> None:
    # Port 9 on 127.0.0.1 (discard) refuses connections here: the registry cannot be asked.
    result = release(
        world, "--image", f"api={EXTERNAL}", registry=lambda host: "http://127.0.0.1:9"
    )

    assert result.exit_code == 0, result.output
    assert f"could not check that {EXTERNAL} exists: ghcr.io did not answer" in result.output


# Region, paths, outputs ---------------------------------------------------------------------


def test_a_region_other_than_the_stacks_names_both(world: World) -> None:
    result = world.cli("status", *world.stack_args("--region", "eu-west-1"))

    assert result.exit_code == ExitCode.USAGE
    assert "--region eu-west-1 differs from the region of stack staging, us-east-1" in result.output


def test_a_bad_project_dir_is_a_usage_error_not_a_traceback(world: World, tmp_path: Path) -> None:
    result = release(world, "--image", "v2", "--project-dir", str(tmp_path / "nope"))

    assert result.exit_code == ExitCode.USAGE
    assert "Traceback" not in result.output
    with pytest.raises(PulumiError, match="could not run pulumi"):
        PulumiCli(tmp_path / "nope", executable="sh").up("staging", timeout=1)


def test_a_broken_outputs_file_is_never_to_be_overwritten(world: World, tmp_path: Path) -> None:
    broken = tmp_path / "outputs.json"
    broken.write_text("{not json")

    result = world.cli("status", "staging", "--outputs", str(broken))

    assert result.exit_code == 1
    assert f"> {broken}" not in result.output and "is not JSON" in result.output


# secrets set ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("hunter2", "its value must be a JSON object with the keys password, username"),
        ('{"password": "x"}', "missing username"),
        ('{"password": "x", "username": "u", "usernme": "u"}', "unknown usernme"),
        ('{"password": 12, "username": "u"}', "not a string: password"),
    ],
)
def test_a_keyed_secret_must_fit_its_keys(world: World, value: str, message: str) -> None:
    world.outputs["externalSecretKeys"] = {"SMTP_PASSWORD": ["password", "username"]}

    result = world.cli("secrets", "set", *world.stack_args(), "SMTP_PASSWORD", input=value)

    assert result.exit_code == 1, result.output
    assert message in result.output and "nothing was stored" in result.output
    assert world.count("secretsmanager", "PutSecretValue") == 0
    assert "hunter2" not in result.output


def test_a_keyed_secret_that_fits_is_stored(world: World) -> None:
    world.outputs["externalSecretKeys"] = {"SMTP_PASSWORD": ["password", "username"]}

    result = world.cli(
        "secrets",
        "set",
        *world.stack_args(),
        "SMTP_PASSWORD",
        input='{"username": "mailer", "password": "s3cret"}',
    )

    assert result.exit_code == 0, result.output
    assert world.count("secretsmanager", "PutSecretValue") == 1


def test_an_undecodable_file_is_refused_without_a_traceback(world: World, tmp_path: Path) -> None:
    binary = tmp_path / "key.der"
    binary.write_bytes(b"\x30\x82\xff\xfe\x00")

    result = world.cli(
        "secrets", "set", *world.stack_args(), "SMTP_PASSWORD", "--from-file", str(binary)
    )

    assert result.exit_code == 1
    assert f"{binary} is not UTF-8 text" in result.output
    assert "base64" in result.output
    assert world.count("secretsmanager", "PutSecretValue") == 0
