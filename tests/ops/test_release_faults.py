"""`golive release` against moto with the injected faults of CONTROLS.md "Ops-tool fault tests".

Every fault ends the same way: the previous version serving (each service on its old task
definition, or an identical new revision after a rollback through the Pulumi step), a non-zero
exit, a message saying what failed and what to do next, and no destructive call (#12, checked
by `World.assert_invariants` from the recorded API calls).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ops.world import API_V1, API_V2, WORKER_V1, WORKER_V2, World

V1 = {"api": API_V1, "worker": WORKER_V1}
V2 = {"api": API_V2, "worker": WORKER_V2}


def release(world: World, *extra: str) -> Any:
    return world.cli("release", *world.stack_args("--image", "v2", *extra))


def assert_failed_cleanly(
    world: World,
    result: Any,
    what: str,
    *,
    untouched: dict[str, str] | None = None,
    equivalent: dict[str, str] | None = None,
) -> None:
    assert result.exit_code != 0, result.output
    assert "FAILED: " in result.output
    assert what in result.output, result.output
    assert "next: " in result.output
    world.assert_serving(V1, untouched=untouched, equivalent=equivalent)
    for name, image in V1.items():
        assert world.released(name) == image
    world.assert_invariants()


def snapshot_ids(world: World) -> list[str]:
    snapshots = world.client("rds").describe_db_snapshots(DBInstanceIdentifier="auction-staging")
    return [s["DBSnapshotIdentifier"] for s in snapshots["DBSnapshots"]]


# 1 ----------------------------------------------------------------------------------------


def test_1_happy_path_snapshot_before_migration_then_deploy_and_health(world: World) -> None:
    result = release(world)

    assert result.exit_code == 0, result.output
    world.assert_serving(V2)
    assert {name: world.released(name) for name in V2} == V2
    operations = world.operations()
    snapshot_call = operations.index(("rds", "CreateDBSnapshot"))
    run_call = operations.index(("ecs", "RunTask"))
    assert snapshot_call < run_call < operations.index(("ecs", "UpdateService"))
    [snapshot] = [s for s in snapshot_ids(world) if s.startswith("auction-staging-pre-r0002")]
    described = world.client("rds").describe_db_snapshots(DBSnapshotIdentifier=snapshot)
    assert described["DBSnapshots"][0]["Encrypted"] is True
    run = next(params for svc, op, params in world.calls if op == "RunTask")
    assert world.task_definition_image(run["taskDefinition"]) == API_V2  # migrate, new image
    assert world.probes  # the health URL was checked
    entry = world.release_log()["releases"][-1]
    assert entry["status"] == "succeeded" and entry["snapshot"] == snapshot
    assert entry["previous"] == V1 and entry["images"] == V2
    world.assert_invariants()


# 2 ----------------------------------------------------------------------------------------


def test_2_snapshot_fails_no_migration_service_untouched(world: World) -> None:
    before = world.task_definitions()
    world.fail_call("rds", "CreateDBSnapshot", "SnapshotQuotaExceeded", "too many snapshots")

    result = release(world)

    assert_failed_cleanly(world, result, "SnapshotQuotaExceeded", untouched=before)
    assert "nothing was deployed" in result.output
    assert world.count("ecs", "RunTask") == 0
    assert world.count("ecs", "UpdateService") == 0
    assert world.pulumi is not None and world.pulumi.up_calls == 0
    assert world.release_log()["releases"][-1]["status"] == "failed"


def test_2_snapshot_status_failed_stops_the_release(world: World) -> None:
    before = world.task_definitions()
    world.respond(
        "rds",
        "DescribeDBSnapshots",
        {"DBSnapshots": [{"DBSnapshotIdentifier": "x", "Status": "failed"}]},
    )

    result = release(world)

    assert_failed_cleanly(world, result, "did not become available", untouched=before)
    assert world.count("ecs", "RunTask") == 0


# 3 ----------------------------------------------------------------------------------------


def test_3_snapshot_wait_times_out_nothing_deployed(world: World) -> None:
    before = world.task_definitions()
    world.respond(
        "rds",
        "DescribeDBSnapshots",
        {"DBSnapshots": [{"DBSnapshotIdentifier": "x", "Status": "creating"}]},
    )

    result = release(world)

    assert_failed_cleanly(world, result, "not done after", untouched=before)
    assert "waiting for db snapshot available: creating" in result.output  # visible, bounded
    assert result.exit_code == 3
    assert world.count("ecs", "RunTask") == 0
    assert world.count("ssm", "PutParameter") == 0


# 4 ----------------------------------------------------------------------------------------


def test_4_migration_exits_non_zero_reports_task_and_snapshot(world: World) -> None:
    before = world.task_definitions()
    world.task_exit_codes["auction-staging-migrate"] = 1

    result = release(world)

    assert_failed_cleanly(
        world, result, "task migrate failed (container exit code 1", untouched=before
    )
    assert result.exit_code == 3  # stopped before any change to what runs
    assert "stopped reason: Essential container in task exited" in result.output
    assert "arn:aws:ecs:us-east-1:123456789012:task/auction-staging/" in result.output
    [snapshot] = [s for s in snapshot_ids(world) if "-pre-" in s]
    assert snapshot in result.output
    assert "not restored automatically" in result.output
    assert world.count("ecs", "UpdateService") == 0
    assert world.count("rds", "RestoreDBInstanceFromDBSnapshot") == 0


# 5 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["placement-failure", "client-error"])
def test_5_migration_cannot_start_aborts_cleanly(world: World, fault: str) -> None:
    before = world.task_definitions()
    if fault == "placement-failure":
        world.respond(
            "ecs",
            "RunTask",
            {"tasks": [], "failures": [{"arn": "arn:aws:ecs:::x", "reason": "RESOURCE:ENI"}]},
        )
        expected = "RESOURCE:ENI"
    else:
        world.fail_call("ecs", "RunTask", "InvalidParameterException", "no subnets")
        expected = "InvalidParameterException"

    result = release(world)

    assert_failed_cleanly(world, result, expected, untouched=before)
    assert "task migrate could not start" in result.output
    assert world.count("ecs", "UpdateService") == 0


# 6 ----------------------------------------------------------------------------------------


def test_6_never_stabilizes_rolls_back_and_verifies(world: World) -> None:
    before = world.task_definitions()
    world.behaviour[API_V2] = "unstable"

    result = release(world)

    assert_failed_cleanly(world, result, "did not become stable", equivalent=before)
    assert "rolled back and verified" in result.output
    assert world.pulumi is not None and world.pulumi.up_calls == 2
    entry = world.release_log()["releases"][-1]
    assert entry["status"] == "rolled-back"
    assert entry["snapshot"] in result.output


# 7 ----------------------------------------------------------------------------------------


def test_7_circuit_breaker_rollback_is_a_failure_even_if_stable(world: World) -> None:
    before = world.task_definitions()
    world.behaviour[API_V2] = "breaker"

    result = release(world)

    assert_failed_cleanly(world, result, "rolled back by ECS", equivalent=before)
    assert "rollout FAILED" in result.output
    assert "rolled back and verified" in result.output


# 8 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [503, 0])
def test_8_health_check_fails_after_stable_deploy_rolls_back(world: World, answer: int) -> None:
    before = world.task_definitions()

    def probe(url: str, timeout: float) -> int:
        world.probes.append(url)
        return answer if world.service_image("api") == API_V2 else 200

    result = world.cli("release", *world.stack_args("--image", "v2"), http_probe=probe)

    expected = "HTTP 503" if answer else "no answer"
    assert_failed_cleanly(world, result, expected, equivalent=before)
    assert "rolled back and verified" in result.output
    assert len(world.probes) > 2  # retried on the new version, re-checked after the rollback


# 9 ----------------------------------------------------------------------------------------


def test_9_throttling_within_the_retry_budget_succeeds(world: World) -> None:
    world.throttle("DescribeServices", 3)
    world.throttle("UpdateService", 3)

    result = release(world)

    assert result.exit_code == 0, result.output
    world.assert_serving(V2)
    assert world.count("ecs", "UpdateService") == 2  # one API call per service
    assert world.wire["UpdateService"] == 5  # three of them throttled and retried
    world.assert_invariants()


def test_9_update_service_throttled_beyond_budget_fails_cleanly(world: World) -> None:
    before = world.task_definitions()
    world.throttle("UpdateService", 1000)

    result = release(world)

    assert_failed_cleanly(world, result, "ThrottlingException", untouched=before)
    assert world.count("ecs", "UpdateService") <= 1
    assert world.wire["UpdateService"] == 5  # one call, its whole retry budget


def test_9_describe_throttled_beyond_budget_stops_in_preflight(world: World) -> None:
    before = world.task_definitions()
    world.throttle("DescribeServices", 1000)

    result = release(world)

    assert result.exit_code == 3
    assert "throttling DescribeServices beyond the retry budget" in result.output
    assert "next: wait a minute and re-run" in result.output
    assert world.count("ecs", "UpdateService") == 0
    assert world.count("rds", "CreateDBSnapshot") == 0
    world.throttles.clear()  # AWS calms down; the test's own reads go through
    for name, arn in before.items():
        assert world.service_task_definition(name) == arn
    world.assert_invariants()


# 10 ---------------------------------------------------------------------------------------


def test_10_partial_failure_rolls_back_every_service(world: World) -> None:
    before = world.task_definitions()
    world.behaviour[WORKER_V2] = "reject"

    result = release(world)

    assert_failed_cleanly(world, result, "auction-staging-worker", equivalent=before)
    assert "rolled back and verified" in result.output
    api_updates = [
        params
        for svc, op, params in world.calls
        if op == "UpdateService" and params["service"] == "auction-staging-api"
    ]
    assert len(api_updates) == 2  # to v2, then back


# 11 ---------------------------------------------------------------------------------------


def test_11_rerun_reuses_the_snapshot_and_skips_applied_migrations(world: World) -> None:
    # First run: the snapshot wait times out after the snapshot was created.
    remove = world.respond(
        "rds",
        "DescribeDBSnapshots",
        {"DBSnapshots": [{"DBSnapshotIdentifier": "x", "Status": "creating"}]},
    )
    first = release(world)
    assert first.exit_code == 3
    remove()
    # Second run: the snapshot exists (DBSnapshotAlreadyExists); migration ok; deploy fails.
    assert world.pulumi is not None
    world.pulumi.fail_up = lambda call: "pulumi up: lock held" if call == 1 else None
    second = release(world)
    assert second.exit_code == 4
    assert "already exists (re-run): reusing it" in second.output
    assert world.count("ecs", "RunTask") == 1
    # Third run: resumes the same release; the migration already ran, so it is skipped.
    third = release(world)

    assert third.exit_code == 0, third.output
    assert "migrate already ran for this release: skipped" in third.output
    assert world.count("ecs", "RunTask") == 1
    assert len([s for s in snapshot_ids(world) if "-pre-" in s]) == 1
    releases = world.release_log()["releases"]
    assert [r["id"] for r in releases][1:] == [releases[1]["id"]]  # one entry, resumed
    assert releases[-1]["status"] == "succeeded"
    world.assert_serving(V2)
    world.assert_invariants()


def test_11_rerun_of_a_successful_release_only_verifies(world: World) -> None:
    assert release(world).exit_code == 0
    calls_before = len(world.calls)

    again = release(world)

    assert again.exit_code == 0, again.output
    assert "already released these images: verifying only" in again.output
    later = world.operations()[calls_before:]
    assert ("rds", "CreateDBSnapshot") not in later
    assert ("ecs", "RunTask") not in later
    assert ("ecs", "UpdateService") not in later
    world.assert_serving(V2)
