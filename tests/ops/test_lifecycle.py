"""First deploy, rollback, status, verify, secrets, backup, run-task and the restore drill."""

from __future__ import annotations

import time

import pytest

from tests.ops.world import API_V1, API_V2, STACK, WORKER_V1, WORKER_V2, World, push_images

V1 = {"api": API_V1, "worker": WORKER_V1}
V2 = {"api": API_V2, "worker": WORKER_V2}


def test_first_deploy_secrets_then_release_runs_db_init_and_scales_up(fresh_world: World) -> None:
    world = fresh_world
    check = world.cli("secrets", "check", *world.stack_args())
    assert check.exit_code == 1
    assert "SMTP_PASSWORD" in check.output and "golive secrets set staging NAME" in check.output
    refused = world.cli("release", *world.stack_args("--image", "v2"))
    assert refused.exit_code == 3 and "external secrets without a value" in refused.output

    set_result = world.cli("secrets", "set", *world.stack_args(), "SMTP_PASSWORD", input="s3cr3t\n")
    assert set_result.exit_code == 0, set_result.output
    assert "s3cr3t" not in set_result.output
    value = world.client("secretsmanager").get_secret_value(
        SecretId=world.outputs["externalSecrets"]["SMTP_PASSWORD"]
    )["SecretString"]
    assert value == "s3cr3t"
    assert world.cli("secrets", "check", *world.stack_args()).exit_code == 0
    world.calls.clear()  # the operator set the secret; the release runs as the deploy role

    result = world.cli("release", *world.stack_args("--image", "v2"))

    assert result.exit_code == 0, result.output
    families = [
        world.client("ecs").describe_task_definition(taskDefinition=params["taskDefinition"])[
            "taskDefinition"
        ]["family"]
        for svc, op, params in world.calls
        if op == "RunTask"
    ]
    assert families == ["auction-staging-db-init", "auction-staging-migrate"]
    world.assert_serving(V2)  # from 0 tasks to the declared desired count
    world.assert_invariants()


def test_first_release_failure_goes_back_to_not_released(fresh_world: World) -> None:
    world = fresh_world
    world.cli("secrets", "set", *world.stack_args(), "SMTP_PASSWORD", input="x")
    world.calls.clear()
    world.behaviour[API_V2] = "http503"

    result = world.cli("release", *world.stack_args("--image", "v2"))

    assert result.exit_code == 4, result.output  # rolled back to "not released", verified
    assert "api=(not released)" in result.output
    assert world.released("api") is None and world.released("worker") is None
    for name in ("api", "worker"):
        service = world.client("ecs").describe_services(
            cluster="auction-staging", services=[world.outputs["services"][name]["serviceName"]]
        )["services"][0]
        assert service["desiredCount"] == 0
    world.assert_invariants()


def test_secrets_set_refuses_unknown_names_and_empty_values(world: World) -> None:
    unknown = world.cli("secrets", "set", *world.stack_args(), "NOPE", input="x")
    assert unknown.exit_code == 1 and "no external secret 'NOPE'" in unknown.output
    empty = world.cli("secrets", "set", *world.stack_args(), "SMTP_PASSWORD", input="\n")
    assert empty.exit_code == 1 and "no value given" in empty.output


def test_rollback_goes_to_the_previous_release_then_refuses_to_go_further(world: World) -> None:
    assert world.cli("release", *world.stack_args("--image", "v2")).exit_code == 0

    result = world.cli("rollback", *world.stack_args())

    assert result.exit_code == 0, result.output
    world.assert_serving(V1)
    assert {name: world.released(name) for name in V1} == V1
    releases = world.release_log()["releases"]
    assert [(r["kind"], r["status"]) for r in releases] == [
        ("release", "succeeded"),
        ("release", "rolled-back"),
        ("rollback", "succeeded"),
    ]
    assert releases[1]["snapshot"] in result.output
    again = world.cli("rollback", *world.stack_args())
    assert again.exit_code == 3 and "rollback staging --to TAG" in again.output
    named = world.cli("rollback", *world.stack_args("--to", "v2", "--service", "api"))
    assert named.exit_code == 0, named.output
    world.assert_serving({"api": API_V2, "worker": WORKER_V1})
    world.assert_invariants()


def test_status_shows_images_deployments_and_recent_releases(world: World) -> None:
    world.client("cloudwatch").set_alarm_state(
        AlarmName="auction-staging-api-5xx", StateValue="ALARM", StateReason="5xx spike"
    )
    result = world.cli("status", *world.stack_args())
    assert result.exit_code == 0, result.output
    for text in ("auction-api:v1", "COMPLETED", "r0001-00000001", "auction-staging-api-5xx"):
        assert text in result.output


def test_verify_fails_on_a_firing_alarm_and_warns_on_unconfirmed_emails(world: World) -> None:
    world.respond(
        "sns",
        "ListSubscriptionsByTopic",
        {"Subscriptions": [{"SubscriptionArn": "PendingConfirmation", "Endpoint": "ops@x.io"}]},
    )
    ok = world.cli("verify", *world.stack_args())
    assert ok.exit_code == 0, ok.output
    assert "WARN" in ok.output and "ops@x.io" in ok.output
    world.client("cloudwatch").set_alarm_state(
        AlarmName="auction-staging-api-5xx", StateValue="ALARM", StateReason="5xx spike"
    )
    failing = world.cli("verify", *world.stack_args())
    assert failing.exit_code == 1
    assert "auction-staging-api-5xx in ALARM" in failing.output
    # Only an alarm fails: wait and verify again before rolling anything back.
    assert "wait and run `golive verify` again before rolling anything back" in failing.output


def test_release_refuses_pending_infrastructure_changes_unless_asked(world: World) -> None:
    from ops.pulumi_step import PendingChange

    assert world.pulumi is not None
    world.pulumi.pending = [
        PendingChange("update", "aws:rds/instance:Instance", "urn:x::db", ("instanceClass",))
    ]
    refused = world.cli("release", *world.stack_args("--image", "v2"))
    assert refused.exit_code == 3
    assert "1 pending infrastructure change(s)" in refused.output
    assert "--with-infra" in refused.output and "instanceClass" in refused.output
    assert world.count("rds", "CreateDBSnapshot") == 0

    accepted = world.cli("release", *world.stack_args("--image", "v2", "--with-infra"))
    assert accepted.exit_code == 0, accepted.output
    world.assert_serving(V2)


def test_release_refuses_when_a_service_is_not_stable(world: World) -> None:
    backend = world.backend()
    service = backend.services["auction-staging:auction-staging-api"]
    service.running_count = 1
    result = world.cli("release", *world.stack_args("--image", "v2"))
    assert result.exit_code == 3
    assert "services not stable before the release: api: 1/2 running" in result.output
    assert world.count("rds", "CreateDBSnapshot") == 0


def test_release_of_one_service_by_digest(world: World) -> None:
    digest = "sha256:" + "a" * 64
    push_images(world.setup, [f"{WORKER_V1.rsplit(':', 1)[0]}@{digest}"])
    result = world.cli("release", *world.stack_args("--image", digest, "--service", "worker"))
    assert result.exit_code == 0, result.output
    world.assert_serving({"api": API_V1, "worker": f"{WORKER_V1.rsplit(':', 1)[0]}@{digest}"})
    assert world.count("ecs", "RunTask") == 0  # migrate belongs to api, not released here


def test_backup_snapshots_tags_and_prunes_only_its_own(world: World) -> None:
    rds = world.client("rds")
    rds.create_db_snapshot(
        DBSnapshotIdentifier="someone-elses", DBInstanceIdentifier="auction-staging"
    )
    for label in ("one", "two", "three"):
        result = world.cli("backup", *world.stack_args("--label", label, "--keep", "2"))
        assert result.exit_code == 0, result.output
    snapshots = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    names = {s["DBSnapshotIdentifier"] for s in snapshots}
    assert names == {
        "someone-elses",
        "auction-staging-backup-two",
        "auction-staging-backup-three",
    }
    tags = rds.describe_db_snapshots(DBSnapshotIdentifier="auction-staging-backup-three")[
        "DBSnapshots"
    ][0]["TagList"]
    assert {"Key": "golive:kind", "Value": "backup"} in tags
    assert ("rds", "ModifyDBSnapshotAttribute") not in world.operations()


def test_run_task_streams_logs_and_exits_with_the_container_code(world: World) -> None:
    logs = world.client("logs")
    migrate = world.outputs["tasks"]["migrate"]

    def sleep(_: float) -> None:
        # While the task runs, it writes to its awslogs stream.
        arn = next(p for s, o, p in reversed(world.calls) if o == "DescribeTasks")["tasks"][0]
        stream = f"migrate/app/{arn.rsplit('/', 1)[-1]}"
        try:
            logs.create_log_stream(logGroupName=migrate["logGroupName"], logStreamName=stream)
        except logs.exceptions.ResourceAlreadyExistsException:
            return
        logs.put_log_events(
            logGroupName=migrate["logGroupName"],
            logStreamName=stream,
            logEvents=[{"timestamp": int(time.time() * 1000), "message": "applied 0042_add_bids"}],
        )

    world.task_exit_codes["auction-staging-migrate"] = 3
    result = world.cli("run-task", *world.stack_args(), "migrate", "--image", "v2", sleep=sleep)

    assert result.exit_code == 1  # golive's own code: the container's is in the output
    assert "| applied 0042_add_bids" in result.output
    assert "container exit code 3" in result.output
    assert "Essential container in task exited" in result.output
    run = next(p for s, o, p in world.calls if o == "RunTask")
    assert world.task_definition_image(run["taskDefinition"]) == API_V2
    ok = world.cli("run-task", *world.stack_args(), "db-init")
    assert ok.exit_code == 0, ok.output


def test_restore_drill_restores_queries_and_deletes_only_its_instance(world: World) -> None:
    rds = world.client("rds")
    rds.create_db_snapshot(DBSnapshotIdentifier="nightly", DBInstanceIdentifier="auction-staging")

    result = world.cli("restore-drill", *world.stack_args())

    assert result.exit_code == 0, result.output
    assert "nightly" in result.output and "check query succeeded" in result.output
    restores = [p for s, o, p in world.calls if o == "RestoreDBInstanceFromDBSnapshot"]
    deletes = [p for s, o, p in world.calls if s == "rds" and o.startswith("Delete")]
    assert [p["DBInstanceIdentifier"] for p in deletes] == [restores[0]["DBInstanceIdentifier"]]
    assert restores[0]["DBInstanceIdentifier"].startswith(f"golive-drill-{STACK}-")
    assert restores[0]["PubliclyAccessible"] is False
    run = next(p for s, o, p in world.calls if o == "RunTask")
    environment = {
        item["name"]: item["value"]
        for item in run["overrides"]["containerOverrides"][0]["environment"]
    }
    assert environment["PGHOST"].startswith("golive-drill-staging-")
    remaining = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    assert remaining == ["auction-staging"]


@pytest.mark.parametrize("exit_code", [2])
def test_restore_drill_failing_check_still_deletes_the_temporary_instance(
    world: World, exit_code: int
) -> None:
    world.client("rds").create_db_snapshot(
        DBSnapshotIdentifier="nightly", DBInstanceIdentifier="auction-staging"
    )
    world.task_exit_codes["auction-staging-db-init"] = exit_code
    result = world.cli("restore-drill", *world.stack_args())
    assert result.exit_code == 1
    assert "failed the check" in result.output and "backup may not be usable" in result.output
    instances = world.client("rds").describe_db_instances()["DBInstances"]
    assert [i["DBInstanceIdentifier"] for i in instances] == ["auction-staging"]


def _run_task_families(world: World) -> list[str]:
    ecs = world.client("ecs")
    return [
        ecs.describe_task_definition(taskDefinition=params["taskDefinition"])["taskDefinition"][
            "family"
        ]
        for _, op, params in world.calls
        if op == "RunTask"
    ]


def test_a_task_named_migrate_runs_on_release_only_when_the_stack_file_says_so(
    world: World,
) -> None:
    world.outputs["releaseTasks"] = []  # `tasks.migrate` without runOnRelease: true
    world.calls.clear()
    result = world.cli("release", *world.stack_args("--image", "v2"))
    assert result.exit_code == 0, result.output
    assert _run_task_families(world) == []
    world.assert_serving(V2)


def test_release_tasks_run_in_the_declared_order_with_the_released_image(world: World) -> None:
    tasks = world.outputs["tasks"]
    tasks["seed"] = {**tasks["migrate"], "taskDefinitionFamily": "auction-staging-seed"}
    world.outputs["releaseTasks"] = ["seed", "migrate"]
    world.calls.clear()
    result = world.cli("release", *world.stack_args("--image", "v2"))
    assert result.exit_code == 0, result.output
    # Both exported tasks share one task definition here; each runs as a new revision of it.
    runs = [params for _, op, params in world.calls if op == "RunTask"]
    assert len(runs) == 2
    assert [world.task_definition_image(r["taskDefinition"]) for r in runs] == [API_V2, API_V2]
    entry = world.release_log()["releases"][-1]
    assert [s for s in entry["steps_done"] if s in ("seed", "migrate")] == ["seed", "migrate"]
