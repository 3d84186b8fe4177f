"""`golive builds`, `up`, `images` and `cleanup`: what the delivery workflows run beside releases,
read from the stack files (in a copy of the project) and run against moto."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ops.aws import Aws
from ops.cli import app
from ops.lease import StackLease
from tests.ops.world import REPO, STATE_BUCKET, World, push_images

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = REPO


def project(tmp_path: Path, changes: dict[str, dict[str, Any]] | None = None) -> Path:
    """A copy of the project's stack files (with `changes` per stack) and an app to build."""
    path = tmp_path / "project"
    path.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", path)
    for stack in ("staging", "prod"):
        document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
        for key, value in (changes or {}).get(stack, {}).items():
            top, _, rest = key.partition(".")
            node = document["config"].setdefault(top, {})
            *parents, last = rest.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        (path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    (path / "Dockerfile").write_text("FROM scratch\n")
    return path


def lease_of(world: World) -> StackLease:
    return StackLease(Aws(world.session, world.runtime()), STATE_BUCKET, world.typed_outputs)


def run(*args: str, obj: Any = None) -> Any:
    result = CliRunner().invoke(app, list(args), obj=obj, env={"COLUMNS": "250"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(result.output) from result.exception
    return result


# ----------------------------------------------------------------------------- builds


def test_builds_lists_every_platform_the_stacks_run_and_each_stacks_repository(
    tmp_path: Path,
) -> None:
    path = project(tmp_path)
    result = run("builds", "staging", "prod", "--json", "--project-dir", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "images": [
            {
                "service": "api",
                "context": ".",
                "dockerfile": "Dockerfile",
                "target": None,
                # staging runs X86_64 Spot, prod ARM64 Graviton: one image holds both
                "platforms": ["linux/amd64", "linux/arm64"],
                "repositories": {"staging": "auction/staging/api", "prod": "auction/prod/api"},
            }
        ],
        "site": None,
        # Each stack file's ci.environment: the jobs that assume its deploy role run in it.
        "environments": {"staging": "staging", "prod": "prod"},
    }
    staging_only = run("builds", "staging", "--json", "--project-dir", str(path))
    assert json.loads(staging_only.output)["images"][0]["platforms"] == ["linux/amd64"]


def test_builds_reads_the_declared_build_and_the_site(tmp_path: Path) -> None:
    build = {"context": "api", "dockerfile": "api/Dockerfile.prod", "target": "runtime"}
    site = {"command": ["npm", "--prefix", "web", "run", "build"], "output": "web/dist"}
    both = {"golive:services.api.build": build, "golive:frontend.build": site}
    path = project(tmp_path, {"staging": both, "prod": both})
    (path / "api").mkdir()
    (path / "api" / "Dockerfile.prod").write_text("FROM scratch AS runtime\n")
    result = run("builds", "staging", "prod", "--json", "--project-dir", str(path))
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert {k: found["images"][0][k] for k in ("context", "dockerfile", "target")} == build
    assert found["site"] == {**site, "stacks": ["staging", "prod"]}


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"staging": {"golive:services.api.build": {"context": "nowhere"}}},
         "services.api.build.context of Pulumi.staging.yaml names 'nowhere', but the repository has no such directory"),
        ({"prod": {"golive:services.api.build": {"dockerfile": "api.Dockerfile"}}},
         "services.api.build.dockerfile of Pulumi.prod.yaml names 'api.Dockerfile'"),
        ({"prod": {"golive:services.api.build": {"target": "Runtime"}}},
         "services.api.build.target: 'Runtime' is not a Dockerfile stage name"),
        ({"prod": {"golive:services.api.build": {"target": "runtime"}}},
         "services.api.build differs between the stacks"),
        ({"staging": {"golive:frontend.build": {"command": ["make"], "output": "dist"}}},
         ""),  # one stack's site only: fine (the other uploads none)
    ],
)  # fmt: skip
def test_a_malformed_build_stops_with_the_key_to_fix(
    tmp_path: Path, changes: dict[str, dict[str, Any]], phrase: str
) -> None:
    path = project(tmp_path, changes)
    result = run("builds", "staging", "prod", "--json", "--project-dir", str(path))
    if not phrase:
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["site"]["stacks"] == ["staging"]
        return
    assert result.exit_code == 2, result.output
    assert phrase in " ".join(result.output.split())


# ----------------------------------------------------------------------------- up


def test_up_applies_under_the_stack_lease(world: World, tmp_path: Path) -> None:
    assert world.pulumi is not None
    path = project(tmp_path)
    result = run("up", "staging", "--project-dir", str(path), obj=world.runtime())
    assert result.exit_code == 0, result.output
    assert world.pulumi.up_calls == 1
    assert "staging's infrastructure is up to date" in result.output
    lease = lease_of(world).read()[0]
    assert lease is not None and lease.command == "golive up staging"
    assert lease.released_at is not None  # given back


def test_up_waits_for_nobody_and_changes_nothing_while_a_release_holds_the_stack(
    world: World, tmp_path: Path
) -> None:
    assert world.pulumi is not None
    other = lease_of(world)
    other.acquire("golive release staging api=v9")
    result = run("up", "staging", "--project-dir", str(project(tmp_path)), obj=world.runtime())
    assert result.exit_code == 3, result.output
    assert "another release or rollback of staging is running" in result.output
    assert world.pulumi.up_calls == 0


def test_a_failed_up_says_so(world: World, tmp_path: Path) -> None:
    assert world.pulumi is not None
    world.pulumi.fail_up = lambda call: "the VPC origin did not deploy"
    result = run("up", "staging", "--project-dir", str(project(tmp_path)), obj=world.runtime())
    assert result.exit_code == 1, result.output
    assert "pulumi up failed: the VPC origin did not deploy" in result.output


# ----------------------------------------------------------------------------- images


def test_images_prints_each_built_image_by_digest_for_a_short_sha(
    world: World, tmp_path: Path
) -> None:
    sha = "3f2c1ab" + "0" * 33
    push_images(world.setup, [f"{REGISTRY}/auction/staging/api:{sha}"])
    digest = world.client("ecr").describe_images(
        repositoryName="auction/staging/api", imageIds=[{"imageTag": sha}]
    )["imageDetails"][0]["imageDigest"]
    path = project(tmp_path)
    result = run("images", "staging", "3f2c1ab", "--project-dir", str(path), obj=world.runtime())
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"api={REGISTRY}/auction/staging/api@{digest}"]
    missing = run("images", "staging", "0" * 40, "--project-dir", str(path), obj=world.runtime())
    assert missing.exit_code == 3, missing.output
    assert f"auction/staging/api has no image {'0' * 40}" in missing.output


# ----------------------------------------------------------------------------- cleanup


def _leave_a_cancelled_run(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run killed in `pulumi up` leaves: its lease, its entry, Pulumi's lock."""
    monkeypatch.setenv("GITHUB_RUN_ID", "77")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/auction")
    lease_of(world).acquire("golive release")
    log = world.release_log()
    log["releases"].append({**log["releases"][0], "id": "r0002-00000002", "status": "in-progress"})
    s3 = world.client("s3")
    key = "golive/releases/auction/staging.json"
    s3.put_object(Bucket=STATE_BUCKET, Key=key, Body=json.dumps(log))
    lock = {"pid": 4242, "username": "runner", "hostname": "fv-az123", "timestamp": "2026-01-05"}
    s3.put_object(
        Bucket=STATE_BUCKET,
        Key=".pulumi/locks/organization/golive/staging/7d1c.json",
        Body=json.dumps(lock),
    )
    # Another stack's lock is none of this stack's business.
    s3.put_object(
        Bucket=STATE_BUCKET, Key=".pulumi/locks/organization/golive/prod/1.json", Body=b"{}"
    )


def test_cleanup_frees_what_the_cancelled_run_held_and_reports_the_state_lock(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _leave_a_cancelled_run(world, monkeypatch)
    result = run("cleanup", "staging", "--project-dir", str(project(tmp_path)), obj=world.runtime())
    assert result.exit_code == 5, result.output
    text = " ".join(result.output.split())
    assert "gave back the lease this run held" in text
    assert "closed as interrupted: r0002-00000002" in text
    assert f"s3://{STATE_BUCKET}/.pulumi/locks/organization/golive/staging/7d1c.json" in text
    assert "pid 4242" in text and "prod/1.json" not in text
    assert world.release_log()["releases"][-1]["status"] == "interrupted"
    lease = lease_of(world).read()[0]
    assert lease is not None and lease.released_at is not None


def test_cleanup_leaves_another_runs_release_alone(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _leave_a_cancelled_run(world, monkeypatch)
    monkeypatch.setenv("GITHUB_RUN_ID", "78")  # a later run's cleanup: the lease is not its own
    result = run("cleanup", "staging", "--project-dir", str(project(tmp_path)), obj=world.runtime())
    assert "held by another run, left alone" in result.output
    assert world.release_log()["releases"][-1]["status"] == "in-progress"


def test_cleanup_after_a_clean_cancel_finds_nothing(world: World, tmp_path: Path) -> None:
    result = run("cleanup", "staging", "--project-dir", str(project(tmp_path)), obj=world.runtime())
    assert result.exit_code == 0, result.output
    assert "no Pulumi state lock left for staging" in result.output
