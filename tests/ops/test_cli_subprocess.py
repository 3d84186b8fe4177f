"""The CLI end to end as a subprocess (`python -m ops`) against moto's server on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.ops.world import ACCOUNT, API_V1, WORKER_V1, World, build_world, new_session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, dict[str, str]]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # The server's backends live in this process: start each test from an empty account.
        urllib.request.urlopen(
            urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
        ).close()
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        # The same process hosts the server, so the world's simulator patches apply to it.
        world = build_world(tmp_path, monkeypatch, setup=new_session())
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": endpoint,
            "GOLIVE_WAIT_DELAY": "0",
            "COLUMNS": "250",
            "PYTHONPATH": str(ROOT),
        }
        yield world, env
    finally:
        server.stop()


def golive(env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run `golive ARGS` (python -m ops): exit code, stdout, stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "ops", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def test_bootstrap_secrets_backup_and_run_task_as_a_subprocess(
    server_world: tuple[World, dict[str, str]],
) -> None:
    world, env = server_world
    outputs = ["--outputs", str(world.outputs_path)]
    world.task_exit_codes["auction-staging-migrate"] = 4
    code, out, err = golive(env, "bootstrap", "--region", "us-east-2")
    assert code == 0, err
    assert f"s3://golive-state-{ACCOUNT}-us-east-2?region=us-east-2" in out

    code, out, err = golive(
        env, "secrets", "set", "staging", "SMTP_PASSWORD", *outputs, stdin="pw-42"
    )
    assert code == 0, err
    assert "pw-42" not in out + err
    stored = world.client("secretsmanager").get_secret_value(
        SecretId=world.outputs["externalSecrets"]["SMTP_PASSWORD"]
    )
    assert stored["SecretString"] == "pw-42"

    code, out, err = golive(env, "backup", "staging", "--label", "e2e", *outputs)
    assert code == 0, err
    assert "auction-staging-backup-e2e available" in out

    code, out, err = golive(env, "run-task", "staging", "migrate", "--image", "v2", *outputs)
    assert code == 1, out + err  # golive's own code; the container's is in the message
    assert "task migrate with 123456789012.dkr.ecr.us-east-1.amazonaws.com/auction-api:v2" in out
    assert "FAILED: task migrate failed (container exit code 4" in err
    assert "Traceback" not in err


FAKE_PULUMI = """#!/bin/sh
# pulumi as golive drives it: a preview with no change, and an `up` that runs until SIGINT,
# then takes a moment to cancel (as Pulumi waits for its in-flight operations).
case "$1" in
  preview) echo '{"steps": []}' ;;
  up)
    trap 'echo "got SIGTERM" >> "$PULUMI_MARK"' TERM
    trap 'echo cancelling >> "$PULUMI_MARK"; sleep 0.3; echo cancelled >> "$PULUMI_MARK"; exit 255' INT
    echo started >> "$PULUMI_MARK"
    while true; do sleep 0.05; done
    ;;
esac
"""


def _wait_for(path: Path, text: str) -> None:
    for _ in range(600):  # up to 30 s for the release to reach `pulumi up`
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_pulumi_up_waits_for_pulumi_to_cancel(
    server_world: tuple[World, dict[str, str]], tmp_path: Path, signum: signal.Signals
) -> None:
    world, env = server_world
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pulumi = bin_dir / "pulumi"
    pulumi.write_text(FAKE_PULUMI)
    pulumi.chmod(0o755)
    mark = tmp_path / "pulumi.mark"
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "PULUMI_MARK": str(mark)}
    args = ["release", "staging", "--image", "v2", "--outputs", str(world.outputs_path)]
    golive_process = subprocess.Popen(
        [sys.executable, "-m", "ops", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(mark, "started")
        golive_process.send_signal(signum)  # golive only: pulumi has its own process group
        out, err = golive_process.communicate(timeout=60)
    finally:
        golive_process.kill()

    assert golive_process.returncode == 130, out + err
    assert mark.read_text().split() == ["started", "cancelling", "cancelled"]  # SIGINT, waited
    assert "FAILED: release r0002-" in err and f"interrupted ({signum.name})" in err
    assert "next: services may be half-updated" in err
    assert "Traceback" not in err
    entry = world.release_log()["releases"][-1]
    assert entry["status"] == "interrupted"
    assert {name: world.released(name) for name in ("api", "worker")} == {
        "api": API_V1,
        "worker": WORKER_V1,
    }  # the record was put back
