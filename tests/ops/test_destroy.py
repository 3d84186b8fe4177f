"""`golive destroy` (moto): protected data, the destroy itself, the records a re-created stack
must not inherit, and what stays billed.

The world is the staging stack released at v1. A stand-in for `pulumi destroy` deletes the
database the way the program's would (its final snapshot taken, automated backups retained);
AWS's own resources (the SSM image records, the release log) are the real moto ones.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.pulumi_step import PulumiError
from plan.harness import PROJECT_DIR
from tests.ops.world import APP, PREFIX, STACK, STATE_BUCKET, World

LOG_KEY = f"golive/releases/{APP}/{STACK}.json"


@dataclass
class FakeDestroy:
    """Acts on moto as `pulumi destroy` of the golive program would."""

    world: World
    fail: str | None = None
    calls: list[tuple[str, bool]] = field(default_factory=list[tuple[str, bool]])

    def destroy(self, stack: str, *, keep_protected: bool, timeout: float) -> None:
        self.calls.append((stack, keep_protected))
        if self.fail:
            raise PulumiError(self.fail)
        if not keep_protected:
            identifier = self.world.outputs["database"]["identifier"]
            self.world.client("rds").delete_db_instance(
                DBInstanceIdentifier=identifier,
                FinalDBSnapshotIdentifier=f"{identifier}-final-1a2b3c4d",
                DeleteAutomatedBackups=False,
            )


def project(tmp_path: Path, **changes: Any) -> Path:
    """A project directory whose staging stack file has `changes` (golive: keys)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", root / "Pulumi.yaml")
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{STACK}.yaml").read_text())
    for key, value in changes.items():
        section, _, name = key.partition(".")
        if name:
            document["config"][f"golive:{section}"][name] = value
        else:
            document["config"][f"golive:{section}"] = value
    (root / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump(document))
    return root


def run(world: World, fake: FakeDestroy, root: Path, *extra: str, **kwargs: Any) -> Any:
    args = world.stack_args("--project-dir", str(root), *extra)
    return world.cli("destroy", *args, pulumi=fake, **kwargs)


@pytest.fixture
def key_arn(world: World) -> str:
    """The stack's key exists in moto (the world's outputs name a made-up one)."""
    arn = str(world.client("kms").create_key()["KeyMetadata"]["Arn"])
    world.outputs["kmsKeyArn"] = arn
    return arn


def test_a_destroyed_stack_forgets_its_releases_and_says_what_stays_billed(
    world: World, key_arn: str, tmp_path: Path
) -> None:
    assert world.released("api") is not None
    assert world.release_log()["releases"]
    fake = FakeDestroy(world)

    result = run(world, fake, project(tmp_path), "--yes")

    assert result.exit_code == 0, result.output
    assert fake.calls == [(STACK, False)]
    # Created again, the stack starts unreleased: no image record, no release log (db-init
    # runs with its first release).
    found = world.client("ssm").get_parameters_by_path(Path=PREFIX.rstrip("/"))["Parameters"]
    assert found == []
    listed = world.client("s3").list_objects_v2(Bucket=STATE_BUCKET, Prefix=LOG_KEY)
    assert listed.get("KeyCount", 0) == 0
    # The key kept on delete, the final snapshot and the retained backups stay billed.
    output = " ".join(result.output.split())
    assert f"KMS key (kept on delete: its snapshots stay restorable) │ {key_arn}" in output
    assert "auction-staging-final-1a2b3c4d (20 GB) │ $1.90" in output
    assert "RDS retained automated backups" in output
    assert "total │ │ $4.80" in output


def test_protected_data_is_refused_without_an_explicit_flag(
    world: World, key_arn: str, tmp_path: Path
) -> None:
    del key_arn
    # A protected stack previews in the deploy run, never on pull requests.
    root = project(tmp_path, protect=True, **{"ci.pullRequestPreviews": False})
    fake = FakeDestroy(world)

    refused = run(world, fake, root, "--yes")

    assert refused.exit_code == 3, refused.output
    assert "protects its data (golive:protect)" in refused.output
    assert "--keep-data" in refused.output
    assert fake.calls == []
    assert world.released("api") is not None

    kept = run(world, fake, root, "--yes", "--keep-data")

    assert kept.exit_code == 0, kept.output
    assert fake.calls == [(STACK, True)]
    assert world.released("api") is None
    output = " ".join(kept.output.split())
    assert "RDS instance (kept: protected data) │ auction-staging db.t4g.micro" in output


def test_a_database_aws_refuses_to_delete_stops_it_before_anything(
    world: World, tmp_path: Path
) -> None:
    fake = FakeDestroy(world)
    result = run(world, fake, project(tmp_path, **{"database.deletionProtection": True}), "--yes")
    assert result.exit_code == 3, result.output
    assert "deletion protection on" in result.output
    assert fake.calls == []


def test_the_stack_name_must_be_typed_back(world: World, tmp_path: Path) -> None:
    fake = FakeDestroy(world)
    result = run(world, fake, project(tmp_path), input="prod\n")
    assert result.exit_code == 3, result.output
    assert fake.calls == []
    assert world.released("api") is not None


def test_a_failed_destroy_keeps_the_records(world: World, tmp_path: Path) -> None:
    fake = FakeDestroy(world, fail="`pulumi destroy -s staging` exited 255 (output above)")
    result = run(world, fake, project(tmp_path), input=f"{STACK}\n")
    assert result.exit_code == 1, result.output
    assert "pulumi destroy failed" in result.output
    assert world.released("api") is not None
    assert world.release_log()["releases"]


def test_no_release_runs_while_the_stack_is_destroyed(world: World, tmp_path: Path) -> None:
    fake = FakeDestroy(world)

    def release_meanwhile(stack: str, *, keep_protected: bool, timeout: float) -> None:
        blocked = world.cli("release", *world.stack_args("--image", "v2"))
        assert blocked.exit_code == 3 and "golive destroy staging" in blocked.output
        FakeDestroy.destroy(fake, stack, keep_protected=keep_protected, timeout=timeout)

    fake.destroy = release_meanwhile  # type: ignore[method-assign]
    assert run(world, fake, project(tmp_path), "--yes").exit_code == 0
