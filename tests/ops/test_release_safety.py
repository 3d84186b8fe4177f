"""Releases on a bad day: partial writes, two runs at once, interrupts, advice, bounded waits.

Each test is one scenario an operator met (issue "Releases stay safe under faults"): the
fault is injected into the moto world, the CLI runs in-process, and the test checks what runs,
what the image record says, the release log, the exit code and the advice printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ops.aws import Aws, WaitPolicy
from ops.errors import ExitCode
from ops.interrupts import Interrupted
from ops.lease import LEASE_TTL, LeaseRecord, StackLease
from tests.ops.world import (
    API_V1,
    API_V2,
    APP,
    STACK,
    STATE_BUCKET,
    WORKER_V1,
    WORKER_V2,
    World,
    aws_error,
)

V1 = {"api": API_V1, "worker": WORKER_V1}
V2 = {"api": API_V2, "worker": WORKER_V2}
LEASE_KEY = f"golive/locks/{APP}/{STACK}.json"
ALARM = "auction-staging-api-5xx"


def release(world: World, *extra: str, **overrides: Any) -> Any:
    return world.cli("release", *world.stack_args("--image", "v2", *extra), **overrides)


def record(world: World) -> dict[str, str | None]:
    return {name: world.released(name) for name in V1}


def fail_after(world: World, service: str, operation: str, code: str, ok: int) -> None:
    """Let `ok` calls of `operation` through, then answer every later one with `code`."""
    seen = {"calls": 0}

    def handler(**_: Any) -> Any:
        seen["calls"] += 1
        if seen["calls"] <= ok:
            return None
        return aws_error(code)

    world.session.hook(f"before-call.{service}.{operation}", handler)


def put_lease(world: World, **fields: Any) -> LeaseRecord:
    now = datetime.now(UTC)
    lease = LeaseRecord(
        id="0123456789ab",
        holder="ci@runner pid 7, arn:aws:sts::123456789012:assumed-role/deploy/ci",
        command="golive release staging api=x",
        started_at=now,
        renewed_at=now,
        expires_at=now + LEASE_TTL,
    ).model_copy(update=fields)
    world.client("s3").put_object(
        Bucket=STATE_BUCKET, Key=LEASE_KEY, Body=lease.model_dump_json().encode()
    )
    return lease


def lease_now(world: World) -> dict[str, Any]:
    body = world.client("s3").get_object(Bucket=STATE_BUCKET, Key=LEASE_KEY)["Body"]
    return json.loads(body.read())


def changes(world: World) -> list[tuple[str, str]]:
    return [
        (service, operation)
        for service, operation, params in world.calls
        if not operation.startswith(("Describe", "Get", "List"))
        and (service, operation) != ("sns", "Publish")  # a deploy notification
        and not str(params.get("Key", "")).startswith("golive/")
    ]


@dataclass
class FakeClock:
    """Monotonic time that moves only when the code sleeps (or a probe takes its timeout)."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


# 1. The image record is always true ---------------------------------------------------------


def test_record_half_written_is_put_back_and_the_release_rolls_back(world: World) -> None:
    """Credentials expire after the first parameter: the written one is put back."""
    stop = {"after": 1}
    seen = {"calls": 0}

    def expire_once(**_: Any) -> Any:
        seen["calls"] += 1
        if seen["calls"] == stop["after"] + 1:  # the second write of the release only
            return aws_error("ExpiredToken", "expired")
        return None

    world.session.hook("before-call.ssm.PutParameter", expire_once)

    result = release(world)

    assert result.exit_code == ExitCode.ROLLED_BACK, result.output
    assert "recording the images failed" in result.output
    assert "the images already written were put back" in result.output
    assert record(world) == V1
    world.assert_serving(V1)
    assert "image record" in result.output and "ECS runs" in result.output  # read back, shown


def test_record_that_cannot_be_put_back_is_shown_and_never_advised_to_pulumi_up(
    world: World,
) -> None:
    """Every write after the first fails: the record names a mix; golive says so."""
    fail_after(world, "ssm", "PutParameter", "ExpiredToken", ok=1)

    result = release(world)

    assert result.exit_code == ExitCode.NEEDS_A_PERSON, result.output
    assert record(world) == {"api": API_V2, "worker": WORKER_V1}  # what SSM holds
    assert f"it holds api={API_V2}, worker={WORKER_V1}" in result.output
    assert "image record points at the previous images" not in result.output
    assert "golive rollback staging --to r0001-00000001" in result.output
    assert "pulumi up" not in result.output.split("next:")[-1]
    world.assert_serving(V1)
    assert world.pulumi is not None and world.pulumi.up_calls == 0  # nothing deployed the mix

    verify = world.cli("verify", *world.stack_args())
    assert verify.exit_code == 1
    assert f"api: record {API_V2}, last successful release {API_V1}" in verify.output


def test_verify_fails_when_the_record_differs_from_what_runs_or_the_log(world: World) -> None:
    assert world.cli("verify", *world.stack_args()).exit_code == 0
    world.client("ssm").put_parameter(
        Name=world.outputs["services"]["worker"]["imageParameter"],
        Value=WORKER_V2,
        Type="String",
        Overwrite=True,
    )

    result = world.cli("verify", *world.stack_args())

    assert result.exit_code == 1
    assert "the deployment was rolled back by ECS" in result.output  # record vs running
    assert f"worker: record {WORKER_V2}, last successful release {WORKER_V1}" in result.output


def test_rollback_target_is_checked_before_anything_is_written(world: World) -> None:
    assert release(world).exit_code == 0
    world.client("ecr").batch_delete_image(
        repositoryName="auction-api", imageIds=[{"imageTag": "v1"}]
    )
    writes_before = world.count("ssm", "PutParameter")

    result = world.cli("rollback", *world.stack_args())

    assert result.exit_code == ExitCode.NOTHING_CHANGED, result.output
    assert f"image not found: {API_V1} (api)" in result.output
    assert world.count("ssm", "PutParameter") == writes_before
    assert record(world) == V2


def test_a_failed_rollback_puts_the_record_back_and_asks_for_a_person(world: World) -> None:
    assert release(world).exit_code == 0
    assert world.pulumi is not None
    up_before = world.pulumi.up_calls
    world.pulumi.fail_up = lambda call: "error: update failed" if call > up_before else None

    result = world.cli("rollback", *world.stack_args())

    assert result.exit_code == ExitCode.NEEDS_A_PERSON, result.output
    assert record(world) == V2  # as before the rollback, not the target it never reached
    assert "the image record names the images from before the rollback again" in result.output
    assert "--to RELEASE_ID" in result.output
    assert world.release_log()["releases"][-1]["status"] == "failed"


# 2. One release per stack at a time ----------------------------------------------------------


def test_a_held_lease_refuses_naming_its_holder_then_unlock_frees_it(world: World) -> None:
    held = put_lease(world)

    refused = release(world)

    assert refused.exit_code == ExitCode.NOTHING_CHANGED, refused.output
    assert "another release or rollback of staging is running: ci@runner pid 7" in refused.output
    assert "golive release staging api=x" in refused.output
    assert f"golive unlock staging --lease {held.id}" in refused.output
    assert changes(world) == []
    status = world.cli("status", *world.stack_args())
    assert "locked: a release or rollback is running: ci@runner pid 7" in status.output
    assert f"lease {held.id}" in status.output

    without_id = world.cli("unlock", *world.stack_args())
    assert without_id.exit_code == ExitCode.USAGE and f"--lease {held.id}" in without_id.output
    unlocked = world.cli("unlock", *world.stack_args("--lease", held.id))
    assert unlocked.exit_code == 0, unlocked.output

    assert release(world).exit_code == 0
    assert lease_now(world)["released_at"] is not None  # given back at the end
    world.assert_serving(V2)


def test_an_expired_lease_is_taken_over_and_its_entry_closed(world: World) -> None:
    dead = put_lease(world, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    log = world.release_log()
    log["releases"].append(
        {
            "id": "r0002-deadbeef",
            "images": {"api": API_V2},
            "previous": {"api": API_V1},
            "status": "in-progress",
            "started_at": datetime.now(UTC).isoformat(),
        }
    )
    world.client("s3").put_object(
        Bucket=STATE_BUCKET, Key=f"golive/releases/{APP}/{STACK}.json", Body=json.dumps(log)
    )

    result = world.cli("release", *world.stack_args("--image", "v3"))

    assert result.exit_code == 0, result.output
    assert f"taking over the expired lease of staging: {dead.holder}" in result.output
    closed = world.release_log()["releases"][1]
    assert (closed["id"], closed["status"]) == ("r0002-deadbeef", "interrupted")
    assert "closed by the next run" in closed["message"]


def test_two_runs_racing_for_the_lease_one_is_refused(world: World) -> None:
    """The other run writes the lease between our read and our conditional write."""
    raced = {"done": False}

    def competitor(params: dict[str, Any], **_: Any) -> None:
        if str(params["url_path"]).endswith(LEASE_KEY) and not raced["done"]:
            raced["done"] = True
            put_lease(world)

    world.session.hook("before-call.s3.PutObject", competitor)

    result = release(world)

    assert result.exit_code == ExitCode.NOTHING_CHANGED, result.output
    assert "ci@runner pid 7" in result.output
    assert changes(world) == []
    assert lease_now(world)["holder"].startswith("ci@runner")  # the winner keeps it


def test_a_run_that_lost_its_lease_changes_nothing_more(world: World) -> None:
    def steal(**_: Any) -> None:  # someone unlocks and releases while our migration runs
        put_lease(world, id="feedfacecafe")

    world.session.hook("before-call.ecs.RunTask", steal)

    result = release(world)

    assert result.exit_code == ExitCode.NEEDS_A_PERSON, result.output
    assert "no longer holds the lease of staging" in result.output
    assert world.count("ssm", "PutParameter") == 0
    assert world.count("ecs", "UpdateService") == 0
    world.assert_serving(V1)


def test_the_lease_is_renewed_from_a_background_thread(world: World) -> None:
    aws = Aws(world.session, world.runtime())
    lease = StackLease(aws, STATE_BUCKET, world.typed_outputs, renew_every=0.001)
    lease.acquire("golive release staging (test)")
    first = lease_now(world)["renewed_at"]
    with lease.keeping():
        for _ in range(200):  # the thread renews within a few milliseconds
            if lease_now(world)["renewed_at"] != first:
                break
            world.client("s3").head_bucket(Bucket=STATE_BUCKET)
    assert lease_now(world)["renewed_at"] != first
    assert lease_now(world)["released_at"] is not None


# 3. Interrupts (the subprocess tests send real signals) --------------------------------------


def test_interrupt_during_the_migration_then_the_rerun_waits_for_it(world: World) -> None:
    sleeps = {"count": 0}

    def interrupted_sleep(seconds: float) -> None:
        sleeps["count"] += 1
        if sleeps["count"] == 1:  # the first poll of the migration: Ctrl-C
            raise Interrupted(2)

    first = release(world, sleep=interrupted_sleep)

    assert first.exit_code == ExitCode.INTERRUPTED, first.output
    assert "FAILED: release r0002-" in first.output and "interrupted (SIGINT)" in first.output
    assert "is still running in ECS: re-running waits for it" in first.output
    entry = world.release_log()["releases"][-1]
    assert entry["status"] == "interrupted" and entry["running_task"]["name"] == "migrate"
    assert record(world) == V1 and world.count("ecs", "UpdateService") == 0

    second = release(world)

    assert second.exit_code == 0, second.output
    assert "task migrate from the interrupted run" in second.output
    assert world.count("ecs", "RunTask") == 1  # waited for, never started twice
    world.assert_serving(V2)


def test_interrupt_during_pulumi_up_puts_the_record_back(world: World) -> None:
    assert world.pulumi is not None

    def cancelled(call: int) -> None:
        raise Interrupted(15)  # PulumiCli raises this once pulumi finished cancelling

    world.pulumi.fail_up = cancelled  # type: ignore[assignment]

    result = release(world)

    assert result.exit_code == ExitCode.INTERRUPTED, result.output
    assert "interrupted (SIGTERM) while deploying" in result.output
    assert "the image record names the previous images again" in result.output
    assert "Re-run the same `golive release`" in result.output
    assert "golive rollback staging --to r0001-00000001" in result.output
    assert record(world) == V1
    assert world.release_log()["releases"][-1]["status"] == "interrupted"


# 4. Advice that never makes it worse ---------------------------------------------------------


def test_an_alarm_firing_before_the_release_is_refused_unless_allowed(world: World) -> None:
    world.client("cloudwatch").set_alarm_state(
        AlarmName=ALARM, StateValue="ALARM", StateReason="5xx"
    )

    refused = release(world)

    assert refused.exit_code == ExitCode.NOTHING_CHANGED, refused.output
    assert f"alarm(s) in ALARM before the release: {ALARM}" in refused.output
    assert f"--allow-alarm {ALARM}" in refused.output
    assert world.count("rds", "CreateDBSnapshot") == 0

    allowed = release(world, "--allow-alarm", ALARM)

    assert allowed.exit_code == 0, allowed.output
    assert "not held against it" in allowed.output
    world.assert_serving(V2)


def test_alarms_of_services_never_released_do_not_block_the_first_release(
    fresh_world: World,
) -> None:
    world = fresh_world
    world.cli("secrets", "set", *world.stack_args(), "SMTP_PASSWORD", input="x")
    suffix = world.outputs["services"]["api"]["targetGroupArn"].split(":")[-1]
    cloudwatch = world.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="auction-staging-api-no-healthy-hosts",
        Namespace="AWS/ApplicationELB",
        MetricName="HealthyHostCount",
        Dimensions=[{"Name": "TargetGroup", "Value": suffix}],
        Statistic="Minimum",
        Period=60,
        EvaluationPeriods=2,
        Threshold=1,
        ComparisonOperator="LessThanThreshold",
        AlarmActions=[world.outputs["alarmTopicArn"]],
    )
    cloudwatch.set_alarm_state(
        AlarmName="auction-staging-api-no-healthy-hosts", StateValue="ALARM", StateReason="0"
    )

    result = release(world)

    assert result.exit_code == 0, result.output
    assert "auction-staging-api-no-healthy-hosts in ALARM since before this run" in result.output


def test_after_an_alarm_only_rollback_it_advises_waiting_never_another_rollback(
    world: World,
) -> None:
    """The alarm trips a minute after the rollout and is still firing after the rollback."""
    polls = {"count": 0}

    def trip_late(**_: Any) -> None:
        polls["count"] += 1
        if polls["count"] == 4:  # a few watch polls in: a minute after the rollout
            world.client("cloudwatch").set_alarm_state(
                AlarmName=ALARM, StateValue="ALARM", StateReason="5xx after the rollout"
            )

    world.session.hook("before-call.cloudwatch.DescribeAlarms", trip_late)

    result = release(world)

    assert result.exit_code == ExitCode.ROLLED_BACK, result.output
    assert f"verify failed: alarms: {ALARM} in ALARM" in result.output  # seen while watching
    assert "services, targets and health check verified" in result.output
    next_step = result.output.split("next:")[-1]
    assert "wait a few minutes, then `golive verify staging`" in next_step
    assert "Do not roll back again" in next_step
    assert "`golive rollback staging`" not in next_step.replace("golive rollback staging`", "")
    world.assert_serving(V1)
    assert world.release_log()["releases"][-1]["status"] == "rolled-back"


def test_rollback_after_a_failed_first_release_says_how_to_get_working(
    fresh_world: World,
) -> None:
    world = fresh_world
    world.cli("secrets", "set", *world.stack_args(), "SMTP_PASSWORD", input="x")
    world.behaviour[API_V2] = "http503"
    assert release(world).exit_code == ExitCode.ROLLED_BACK

    result = world.cli("rollback", *world.stack_args())

    assert result.exit_code == ExitCode.NOTHING_CHANGED
    assert "no release of staging has succeeded yet" in result.output
    assert "releasing a known-good image: `golive release staging --image REF`" in result.output


def test_rollback_to_a_release_id_from_status(world: World) -> None:
    assert release(world).exit_code == 0
    status = world.cli("status", *world.stack_args())
    assert "r0001-00000001" in status.output

    result = world.cli("rollback", *world.stack_args("--to", "r0001-00000001"))

    assert result.exit_code == 0, result.output
    world.assert_serving(V1)
    log = world.release_log()["releases"]
    assert [(r["kind"], r["status"]) for r in log] == [
        ("release", "succeeded"),
        ("release", "rolled-back"),
        ("rollback", "succeeded"),
    ]
    unknown = world.cli("rollback", *world.stack_args("--to", "r0009-deadbeef"))
    assert unknown.exit_code == ExitCode.USAGE and "no release r0009-deadbeef" in unknown.output


# 6. Bounded, visible waits -------------------------------------------------------------------


def test_a_stuck_deployment_fails_within_fifteen_minutes_in_all(world: World) -> None:
    clock = FakeClock()
    world.behaviour[API_V2] = "unstable"

    result = release(world, clock=clock, sleep=clock.sleep, wait=WaitPolicy())

    assert result.exit_code == ExitCode.ROLLED_BACK, result.output
    assert "did not become stable within 15:00" in result.output
    assert "waiting for the rollout of api, worker: api IN_PROGRESS" in result.output
    assert "(14:45 of 15:00)" in result.output  # every poll says how long it waited
    # The release's own wait ended at 15 minutes; the rollback's rollout settled at once.
    assert clock.now <= 15 * 60 + 2 * 60 + 60  # + alarm watch + health, for the rollback


def test_an_unreachable_health_url_fails_within_a_minute(world: World) -> None:
    clock = FakeClock()

    def no_answer(url: str, timeout: float) -> int:
        if world.service_image("api") != API_V2:
            return 200
        clock.sleep(timeout)  # nothing answers: each try takes its whole timeout
        return 0

    result = release(
        world,
        "--watch",
        "0",
        clock=clock,
        sleep=clock.sleep,
        wait=WaitPolicy(),
        http_probe=no_answer,
    )

    assert result.exit_code == ExitCode.ROLLED_BACK, result.output
    tries = [line for line in result.output.splitlines() if "to answer 2xx: no answer" in line]
    assert tries[0].endswith("(0:05 of 1:00)") and tries[-1].endswith("(0:55 of 1:00)")
    assert "no answer (timeout or connection refused) for 1:00" in result.output


def test_a_throttled_status_call_is_asked_again_not_taken_for_a_failed_rollout(
    world: World,
) -> None:
    assert world.pulumi is not None

    updates = {"count": 0}

    def throttle_after_the_deploy(**_: Any) -> None:
        updates["count"] += 1
        if updates["count"] == 2:  # pulumi up updated both services: now the status calls
            world.throttle("DescribeServices", 12)  # beyond one call's retry budget, twice

    world.session.hook("after-call.ecs.UpdateService", throttle_after_the_deploy)

    result = release(world)

    assert result.exit_code == 0, result.output
    assert "AWS throttled DescribeServices: asking again" in result.output
    world.assert_serving(V2)


def test_an_alarm_a_minute_after_the_rollout_is_seen_and_rolled_back(world: World) -> None:
    clock = FakeClock()

    def trip_at_a_minute(**_: Any) -> None:
        if clock.now >= 60:
            world.client("cloudwatch").set_alarm_state(
                AlarmName=ALARM, StateValue="ALARM", StateReason="late 5xx"
            )

    world.session.hook("before-call.cloudwatch.DescribeAlarms", trip_at_a_minute)

    result = release(world, clock=clock, sleep=clock.sleep, wait=WaitPolicy())

    assert result.exit_code == ExitCode.ROLLED_BACK, result.output
    assert (
        "waiting for any alarm to trip after the rollout (watching): none firing" in result.output
    )
    assert f"{ALARM} in ALARM" in result.output
    world.assert_serving(V1)


@pytest.mark.parametrize("seconds", [60.0])
def test_aws_timeouts_fail_an_unreachable_endpoint_within_a_minute(seconds: float) -> None:
    from ops.aws import AWS_TIMEOUT, RETRY_ATTEMPTS

    max_backoff = sum(min(2**attempt, 20) for attempt in range(RETRY_ATTEMPTS - 1)) / 2
    assert RETRY_ATTEMPTS * AWS_TIMEOUT + max_backoff < seconds
