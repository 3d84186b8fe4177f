"""Fixtures for the ops tests: fake credentials, moto, the deployed world, no sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.retries import standard
from moto import mock_aws

from tests.ops.world import World, build_world


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials only; nothing may reach a real AWS endpoint or profile."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "GOLIVE_STATE_BUCKET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # moto would parse its catalogue of public AMIs for every new EC2 backend; none is needed.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/golive-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/golive-test-credentials")
    # Standard retry mode backs off with jittered sleeps; the retries still happen, at once.
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The staging stack, released at v1 (api + worker), inside moto."""
    with mock_aws():
        yield build_world(tmp_path, monkeypatch)


@pytest.fixture
def fresh_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The staging stack right after its first `pulumi up`: nothing released, 0 tasks."""
    with mock_aws():
        yield build_world(tmp_path, monkeypatch, released=False)
