"""Stack outputs, the Pulumi step, image references and AWS error messages."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ops.aws import Runtime, WaitPolicy
from ops.cli import app
from ops.errors import OpsError
from ops.images import resolve
from ops.outputs import load_outputs
from ops.pulumi_step import PulumiCli, PulumiError, parse_preview
from tests.ops.world import STACK, World


def fake_pulumi(tmp_path: Path, script: str) -> Path:
    """A `pulumi` executable on PATH that logs its arguments and runs `script`."""
    binary = tmp_path / "bin" / "pulumi"
    binary.parent.mkdir(exist_ok=True)
    binary.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/pulumi.args"\n{script}\n')
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return binary.parent


def test_outputs_report_every_missing_key_at_once(world: World, tmp_path: Path) -> None:
    broken = dict(world.outputs)
    del broken["clusterName"]
    broken["services"] = {"api": {**broken["services"]["api"]}}
    del broken["services"]["api"]["imageParameter"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))

    with pytest.raises(OpsError) as raised:
        load_outputs(STACK, path)

    assert "clusterName: Field required" in raised.value.what
    assert "services.api.imageParameter: Field required" in raised.value.what
    assert "pulumi up -s staging" in raised.value.next_step


def test_outputs_of_another_stack_are_refused(world: World) -> None:
    with pytest.raises(OpsError, match="holds the outputs of stack 'staging', not 'prod'"):
        load_outputs("prod", world.outputs_path)


def test_outputs_without_pulumi_or_file_say_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OpsError) as raised:
        load_outputs(STACK, None)
    assert "pulumi CLI is not on PATH" in raised.value.what
    assert "--outputs FILE" in raised.value.next_step


def test_outputs_come_from_the_pulumi_cli_when_present(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = fake_pulumi(tmp_path, f"cat '{world.outputs_path}'")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    outputs = load_outputs(STACK, None)

    assert outputs.services["api"].image_parameter == "/golive/auction/staging/images/api"
    args = (tmp_path / "pulumi.args").read_text().split()
    assert args == ["stack", "output", "--json", "--show-secrets=false", "-s", "staging"]


def test_pulumi_cli_preview_and_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    preview = {
        "steps": [
            {"op": "same", "urn": "urn:pulumi:staging::golive::aws:ecs/cluster:Cluster::c"},
            {
                "op": "update",
                "urn": "urn:pulumi:staging::golive::golive:aws:Database$aws:rds/instance:Instance::db",
                "diffReasons": ["instanceClass"],
            },
        ]
    }
    (tmp_path / "preview.json").write_text(json.dumps(preview))
    script = f'case "$1" in preview) cat "{tmp_path}/preview.json";; up) exit 3;; esac'
    bin_dir = fake_pulumi(tmp_path, script)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    step = PulumiCli(project_dir=tmp_path)

    [change] = step.preview(STACK)
    with pytest.raises(PulumiError, match="exited 3"):
        step.up(STACK, timeout=60)

    assert (change.op, change.type, change.name, change.keys) == (
        "update",
        "aws:rds/instance:Instance",
        "db",
        ("instanceClass",),
    )
    calls = (tmp_path / "pulumi.args").read_text().splitlines()
    assert calls == ["preview --json --diff -s staging", "up --yes --skip-preview -s staging"]


def test_parse_preview_reads_types_from_state_when_present() -> None:
    [change] = parse_preview(
        {"steps": [{"op": "replace", "urn": "urn:x::y", "newState": {"type": "aws:kms/key:Key"}}]}
    )
    assert change.type == "aws:kms/key:Key"


@pytest.mark.parametrize(
    ("value", "known", "expected"),
    [
        ("v2", "r.example/app:v1", "r.example/app:v2"),
        ("v2", "r.example:5000/app@sha256:" + "b" * 64, "r.example:5000/app:v2"),
        ("sha256:" + "c" * 64, "r.example/app:v1", "r.example/app@sha256:" + "c" * 64),
        ("ghcr.io/acme/app:v9", "r.example/app:v1", "ghcr.io/acme/app:v9"),
    ],
)
def test_image_references(value: str, known: str, expected: str) -> None:
    assert resolve(value, "api", known) == expected


def test_a_bare_tag_needs_a_known_repository() -> None:
    with pytest.raises(OpsError, match="cannot tell which repository"):
        resolve("v2", "api", None)


def run(world: World, *args: str, **overrides: Any) -> Any:
    return world.cli(*args, **overrides)


def test_expired_credentials_are_a_message_not_a_traceback(world: World) -> None:
    world.fail_call("sts", "GetCallerIdentity", "ExpiredToken", "The security token expired")
    result = run(world, "status", *world.stack_args())
    assert result.exit_code == 1
    assert "AWS credentials have expired (ExpiredToken on GetCallerIdentity)" in result.output
    assert "aws sso login" in result.output


def test_access_denied_names_the_call(world: World) -> None:
    world.fail_call("ssm", "GetParameters", "AccessDeniedException", "not authorized")
    result = run(world, "verify", *world.stack_args())
    assert result.exit_code == 1
    assert "access denied for GetParameters" in result.output
    assert "ops/permissions.py" in result.output


def test_missing_credentials_are_a_message(monkeypatch: pytest.MonkeyPatch, world: World) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    runtime = Runtime(wait=WaitPolicy(delay=0, max_attempts=1))  # the real session factory
    result = CliRunner().invoke(app, ["status", *world.stack_args()], obj=runtime)
    assert result.exit_code == 1
    assert "no AWS credentials found" in result.output
    assert "--profile" in result.output


def test_pulumi_up_past_its_limit_is_cancelled_and_waited_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = (
        f"trap 'echo cancelled >> \"{tmp_path}/mark\"; exit 255' INT\n"
        "while true; do sleep 0.05; done"
    )
    bin_dir = fake_pulumi(tmp_path, script)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    ticks = iter([0.0] + [10_000.0] * 1000)  # the second look at the clock is past the limit

    with pytest.raises(
        PulumiError, match=r"did not finish within 15:00: cancelled \(it exited 255"
    ):
        PulumiCli(tmp_path, clock=lambda: next(ticks)).up(STACK, timeout=900)

    assert (tmp_path / "mark").read_text() == "cancelled\n"


def test_an_aws_endpoint_that_never_answers_is_said_at_once_and_given_up(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        monkeypatch.setenv("GOLIVE_AWS_TIMEOUT", "0.2")
        runtime = Runtime(wait=WaitPolicy(delay=0, max_attempts=1))  # the real session factory
        result = CliRunner().invoke(app, ["status", *world.stack_args()], obj=runtime)
    finally:
        silent.close()

    assert result.exit_code == 1
    assert "warning: no answer from http://127.0.0.1:" in result.output
    assert "could not reach AWS" in result.output
