"""One image per service: `golive release --image SERVICE=REF` and `golive rollback --to ...`.

CI builds each service's image and passes one `SERVICE=REGISTRY/REPOSITORY@sha256:...` per
service (.github/scripts/build-images.sh); a bare REF still means every selected service. The
forms cannot be mixed, a service cannot be given twice and an unknown service is named with the
stack's services: each of these is a usage error (exit 2) before anything is touched.
"""

from __future__ import annotations

from typing import Any

import pytest

from ops.errors import OpsError
from ops.images import parse_images
from tests.ops.world import API_V1, API_V2, REPO, WORKER_V1, WORKER_V2, World

V1 = {"api": API_V1, "worker": WORKER_V1}
API_DIGEST = f"{REPO}/auction-api@sha256:{'a' * 64}"
WORKER_DIGEST = f"{REPO}/auction-worker@sha256:{'b' * 64}"


def images(option: str, **by_service: str) -> list[str]:
    return [item for name, ref in by_service.items() for item in (option, f"{name}={ref}")]


def changes(world: World, since: int = 0) -> list[tuple[str, str]]:
    """The API calls that change something (everything but reads, the stack's lease and the
    deploy notifications)."""
    return [
        (service, operation)
        for service, operation, params in world.calls[since:]
        if not operation.startswith(("Describe", "Get", "List"))
        and not str(params.get("Key", "")).startswith("golive/locks/")
        and (service, operation) != ("sns", "Publish")
    ]


def migrate_images(world: World) -> list[str]:
    return [
        container["image"]
        for _, operation, params in world.calls
        if operation == "RegisterTaskDefinition" and params["family"] == "auction-staging-migrate"
        for container in params["containerDefinitions"]
    ]


def test_release_gives_each_service_its_own_image_and_rollback_takes_both_back(
    world: World,
) -> None:
    args = images("--image", api="v2", worker=WORKER_DIGEST)

    result = world.cli("release", *world.stack_args(*args))

    assert result.exit_code == 0, result.output
    released = {"api": API_V2, "worker": WORKER_DIGEST}
    world.assert_serving(released)
    assert {name: world.released(name) for name in released} == released
    assert migrate_images(world) == [API_V2]  # migrate runs with its own service's image
    entry = world.release_log()["releases"][-1]
    assert (entry["kind"], entry["status"]) == ("release", "succeeded")
    assert entry["images"] == released and entry["previous"] == V1
    assert f"api={API_V2}, worker={WORKER_DIGEST}" in result.output

    # A re-run (in any order) is the same release: it only verifies.
    calls_before = len(world.calls)
    again = world.cli(
        "release", *world.stack_args(*images("--image", worker=WORKER_DIGEST, api="v2"))
    )
    assert again.exit_code == 0, again.output
    assert "already released these images: verifying only" in again.output
    assert changes(world, calls_before) == []

    back = world.cli("rollback", *world.stack_args())
    assert back.exit_code == 0, back.output
    world.assert_serving(V1)
    assert {name: world.released(name) for name in V1} == V1
    log = world.release_log()["releases"]
    assert [(r["kind"], r["status"]) for r in log[1:]] == [
        ("release", "rolled-back"),
        ("rollback", "succeeded"),
    ]
    assert log[-1]["images"] == V1 and log[-1]["previous"] == released
    world.assert_invariants()


@pytest.mark.parametrize("fault", ["reject", "unstable"])
def test_failure_of_one_service_rolls_back_both(world: World, fault: str) -> None:
    before = world.task_definitions()
    world.behaviour[WORKER_DIGEST] = fault

    result = world.cli(
        "release", *world.stack_args(*images("--image", api=API_DIGEST, worker=WORKER_DIGEST))
    )

    assert result.exit_code == 4, result.output
    assert "rolled back and verified" in result.output
    assert f"api={API_V1}, worker={WORKER_V1}" in result.output
    world.assert_serving(V1, equivalent=before)
    assert {name: world.released(name) for name in V1} == V1
    entry = world.release_log()["releases"][-1]
    assert entry["status"] == "rolled-back"
    assert entry["images"] == {"api": API_DIGEST, "worker": WORKER_DIGEST}
    api_updates = [
        params["taskDefinition"]
        for _, operation, params in world.calls
        if operation == "UpdateService" and params["service"] == "auction-staging-api"
    ]
    assert [world.task_definition_image(arn) for arn in api_updates] == [API_DIGEST, API_V1]
    world.assert_invariants()


def test_release_of_the_named_services_only(world: World) -> None:
    api_before = world.service_task_definition("api")

    result = world.cli("release", *world.stack_args(*images("--image", worker="v2")))

    assert result.exit_code == 0, result.output
    world.assert_serving({"api": API_V1, "worker": WORKER_V2}, untouched={"api": api_before})
    assert world.count("ecs", "RunTask") == 0  # migrate belongs to api, not released here
    entry = world.release_log()["releases"][-1]
    assert entry["images"] == {"worker": WORKER_V2}
    assert entry["previous"] == {"worker": WORKER_V1}


def test_rollback_to_named_images_per_service(world: World) -> None:
    assert world.cli("release", *world.stack_args("--image", "v2")).exit_code == 0

    result = world.cli("rollback", *world.stack_args(*images("--to", api="v1", worker=WORKER_V1)))

    assert result.exit_code == 0, result.output
    world.assert_serving(V1)
    log = world.release_log()["releases"]
    assert (log[-1]["kind"], log[-1]["status"], log[-1]["images"]) == ("rollback", "succeeded", V1)
    assert log[-2]["status"] == "rolled-back"

    api_before = world.service_task_definition("api")
    one = world.cli("rollback", *world.stack_args(*images("--to", worker="v2")))
    assert one.exit_code == 0, one.output
    world.assert_serving({"api": API_V1, "worker": WORKER_V2}, untouched={"api": api_before})
    assert world.release_log()["releases"][-1]["images"] == {"worker": WORKER_V2}
    world.assert_invariants()


USAGE_ERRORS = [
    (["v2", "worker=v2"], [], "mixes a reference for every service ('v2') with per-service"),
    (
        ["api=v2", "web=v2"],
        [],
        "unknown service 'web' (OPT web=v2); the stack's services are: api, worker",
    ),
    (["api=v2", "api=v3"], [], "names service 'api' twice ('v2' and 'v3')"),
    (["v2", "v3"], [], "given 2 times without a service (v2, v3)"),
    (["api=v2"], ["api"], "--service cannot be combined with OPT SERVICE=REF"),
    (["=v2"], [], "'=v2' is not SERVICE=REF"),
    (["api="], [], "'api=' is not SERVICE=REF"),
    (
        ["v2"],
        ["web"],
        "unknown service 'web' (--service web); the stack's services are: api, worker",
    ),
]


@pytest.mark.parametrize("command", ["release", "rollback"])
@pytest.mark.parametrize(("values", "services", "message"), USAGE_ERRORS)
def test_usage_errors_name_the_problem_and_touch_nothing(
    world: World, command: str, values: list[str], services: list[str], message: str
) -> None:
    option = "--image" if command == "release" else "--to"
    args = [item for value in values for item in (option, value)]
    args += [item for name in services for item in ("--service", name)]

    result = world.cli(command, *world.stack_args(*args))

    assert result.exit_code == 2, result.output
    assert "FAILED: " in result.output and "next: " in result.output
    assert message.replace("OPT", option) in " ".join(result.output.split())
    assert changes(world) == []
    assert world.pulumi is not None and (world.pulumi.previews, world.pulumi.up_calls) == (0, 0)
    assert {name: world.released(name) for name in V1} == V1


def test_parse_images_forms() -> None:
    every = parse_images([" v2 "], selected=["worker", "worker"])
    assert every.by_service(["api", "worker"]) == {"worker": "v2"}
    assert parse_images(["v2"]).by_service(["api", "worker"]) == {"api": "v2", "worker": "v2"}
    per = parse_images([f"api={API_DIGEST}", " worker = v2 "], option="--to")
    assert per.by_service(["api", "worker", "web"]) == {"api": API_DIGEST, "worker": "v2"}
    with pytest.raises(OpsError) as raised:
        parse_images([])
    assert raised.value.exit_code == 2


def test_help_shows_both_forms(world: World) -> None:
    def help_text(command: str) -> Any:
        return " ".join(world.cli(command, "--help").output.split())

    assert "SERVICE=REF, repeated once per service" in help_text("release")
    assert "SERVICE=REF, repeated once per service" in help_text("rollback")


def test_rolling_back_one_service_leaves_other_services_releases_alone(world: World) -> None:
    """A worker-only release is not undone by rolling back the api."""
    assert world.cli("release", *world.stack_args(*images("--image", api="v2"))).exit_code == 0
    assert world.cli("release", *world.stack_args(*images("--image", worker="v2"))).exit_code == 0

    result = world.cli("rollback", *world.stack_args("--service", "api"))

    assert result.exit_code == 0, result.output
    world.assert_serving({"api": API_V1, "worker": WORKER_V2})
    statuses = [(e["kind"], e["images"], e["status"]) for e in world.release_log()["releases"]]
    assert (("release", {"worker": WORKER_V2}, "succeeded")) in statuses
    assert (("release", {"api": API_V2}, "rolled-back")) in statuses
