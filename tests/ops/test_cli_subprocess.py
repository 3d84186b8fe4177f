"""The CLI end to end as a subprocess (`python -m ops`) against moto's server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.ops.world import ACCOUNT, World, build_world, new_session

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
