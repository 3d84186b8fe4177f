"""What the pipeline asked of a release, against moto and real HTTP servers on 127.0.0.1:
deploy notifications, smoke tests, the bake time, versions (short SHAs, release tags), the
commit order of two merges, and a rollback that must not apply unreviewed infrastructure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops import releases
from ops.aws import http_status
from ops.errors import ExitCode, OpsError
from ops.preflight import check_commit_order
from ops.pulumi_step import PendingChange
from ops.releases import ReleaseEntry, ReleaseLog
from ops.versions import commit_of
from tests.git_repo import git
from tests.ops.local_http import local_server
from tests.ops.world import API_V1, API_V2, REPO, WORKER_V1, World, push_images

RUN = "https://github.com/acme/auction/actions/runs/4242"


@pytest.fixture
def in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/auction")


def topic_messages(world: World) -> list[dict[str, Any]]:
    """What the alarm topic delivered (an SQS queue subscribed to it reads the deliveries)."""
    sqs = world.client("sqs")
    queue = sqs.get_queue_url(QueueName="topic-reader")["QueueUrl"]
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"]) for m in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return found


def read_topic(world: World) -> None:
    sqs = world.client("sqs")
    queue = sqs.create_queue(QueueName="topic-reader")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    world.client("sns").subscribe(
        TopicArn=world.outputs["alarmTopicArn"], Protocol="sqs", Endpoint=arn["QueueArn"]
    )


def texts(server_requests: list[Any]) -> list[str]:
    return [json.loads(r.body)["text"] for r in server_requests]


# ----------------------------------------------------------------------------- notifications


def test_a_release_notifies_the_webhook_and_the_alarm_topic(
    world: World, in_ci: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_topic(world)
    with local_server() as hook:
        monkeypatch.setenv("GOLIVE_NOTIFY_WEBHOOK", f"{hook.url}/services/T000/B000/xyz")
        result = world.cli("release", *world.stack_args("--service", "api", "--image", "v2"))
    assert result.exit_code == 0, result.output
    assert [r.method for r in hook.requests] == ["POST", "POST"]
    started, succeeded = texts(hook.requests)
    assert started.splitlines()[0] == "golive release auction/staging: started"
    assert "api: v2" in started and f"run: {RUN}" in started
    assert succeeded.splitlines()[0] == "golive release auction/staging: succeeded"
    assert f"api: {API_V2}" in succeeded and "took 0:" in succeeded and f"run: {RUN}" in succeeded
    delivered = topic_messages(world)
    assert [m["Subject"] for m in delivered] == [
        "golive release auction/staging: started",
        "golive release auction/staging: succeeded",
    ]
    assert f"api: {API_V2}" in delivered[1]["Message"]


def test_a_rolled_back_release_says_so_and_a_broken_webhook_changes_nothing(
    world: World, in_ci: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.behaviour[API_V2] = "http503"
    with local_server(lambda path: 500) as hook:
        monkeypatch.setenv("GOLIVE_NOTIFY_WEBHOOK", f"{hook.url}/hook")
        result = world.cli("release", *world.stack_args("--service", "api", "--image", "v2"))
    assert result.exit_code == 4, result.output  # rolled back, whatever the webhook said
    assert "deploy notification webhook answered HTTP 500" in result.output
    ended = texts(hook.requests)[-1]
    assert ended.splitlines()[0] == "golive release auction/staging: rolled back"
    assert "health URL" in ended
    world.assert_serving({"api": API_V1})


def test_an_unreachable_webhook_is_a_warning(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with local_server() as hook:
        gone = hook.url  # the server stops at the end of the block: nothing listens there
    monkeypatch.setenv("GOLIVE_NOTIFY_WEBHOOK", f"{gone}/hook")
    result = world.cli("release", *world.stack_args("--service", "api", "--image", "v2"))
    assert result.exit_code == 0, result.output
    assert "could not reach the deploy notification webhook" in result.output


def test_a_rollback_notifies_too(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        world.cli("release", *world.stack_args("--service", "api", "--image", "v2")).exit_code == 0
    )
    with local_server() as hook:
        monkeypatch.setenv("GOLIVE_NOTIFY_WEBHOOK", f"{hook.url}/hook")
        result = world.cli("rollback", *world.stack_args())
    assert result.exit_code == 0, result.output
    assert [t.splitlines()[0] for t in texts(hook.requests)] == [
        "golive rollback auction/staging: started",
        "golive rollback auction/staging: succeeded",
    ]
    assert "run: not in CI" in texts(hook.requests)[0]


# ----------------------------------------------------------------------------- smoke tests


def _public_at(world: World, url: str) -> None:
    world.outputs["url"] = url
    world.outputs["healthUrl"] = f"{url}/api/health"


def _smoke_answers(world: World) -> Any:
    """The app behind the public URL: the smoke path fails while `smoke-fail` images serve."""

    def answer(path: str) -> int:
        broken = world.behaviour.get(world.service_image("api")) == "smoke-fail"
        return 503 if broken and path == "/api/v1/health/" else 200

    return answer


def test_smoke_urls_are_asked_after_the_deploy_and_a_failure_rolls_back(world: World) -> None:
    world.behaviour[API_V2] = "smoke-fail"
    with local_server(_smoke_answers(world)) as site:
        _public_at(world, site.url)
        world.outputs["release"] = {
            "smokeUrls": [
                {"url": "/api/v1/health/", "status": 200},
                {"url": "/ready", "status": 200},
            ],
            "smokeTimeoutSeconds": 10,
        }
        result = world.cli(
            "release", *world.stack_args("--service", "api", "--image", "v2"),
            http_probe=http_status,
        )  # fmt: skip
        asked = [r.path for r in site.requests]
    assert result.exit_code == 4, result.output
    assert "smoke tests failed" in result.output and "answered HTTP 503, not 200" in result.output
    world.assert_serving({"api": API_V1})
    # v2 was asked and refused; after the rollback v1 passed both checks.
    assert asked.count("/ready") == 2 and "/api/v1/health/" in asked


def test_passing_smoke_urls_let_the_release_through(world: World) -> None:
    with local_server(_smoke_answers(world)) as site:
        _public_at(world, site.url)
        world.outputs["release"] = {"smokeUrls": [{"url": "/api/v1/health/", "status": 200}]}
        result = world.cli(
            "release", *world.stack_args("--service", "api", "--image", "v2"),
            http_probe=http_status,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"smoke: {site.url}/api/v1/health/ answered 200" in result.output


def _smoke_task(world: World) -> None:
    ecs = world.client("ecs")
    migrate = world.outputs["tasks"]["migrate"]
    definition = ecs.describe_task_definition(taskDefinition=migrate["taskDefinitionArn"])
    spec = definition["taskDefinition"]
    arn = ecs.register_task_definition(
        family="auction-staging-e2e",
        containerDefinitions=spec["containerDefinitions"],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
    )["taskDefinition"]["taskDefinitionArn"]
    world.outputs["tasks"]["e2e"] = {
        **migrate, "taskDefinitionArn": arn, "taskDefinitionFamily": "auction-staging-e2e"
    }  # fmt: skip
    world.outputs["release"] = {"smokeTask": "e2e"}


def test_a_failing_smoke_task_rolls_back(world: World) -> None:
    _smoke_task(world)
    world.task_exit_codes["auction-staging-e2e"] = 3
    result = world.cli("release", *world.stack_args("--service", "api", "--image", "v2"))
    # The rollback runs the smoke task too, and it still fails: a person must look.
    assert result.exit_code == 5, result.output
    assert "task e2e failed (container exit code 3" in result.output
    assert world.released("api") == API_V1


def test_a_passing_smoke_task_lets_the_release_through(world: World) -> None:
    _smoke_task(world)
    result = world.cli("release", *world.stack_args("--service", "api", "--image", "v2"))
    assert result.exit_code == 0, result.output
    assert "smoke: task e2e passed" in result.output


# ----------------------------------------------------------------------------- bake time


def test_the_stack_bake_time_is_the_watch_and_an_alarm_in_it_rolls_back(world: World) -> None:
    world.outputs["release"] = {"bakeSeconds": 900}

    def sleep(seconds: float) -> None:
        del seconds
        if world.service_image("api") == API_V2:  # the new version serves: it trips an alarm
            world.client("cloudwatch").set_alarm_state(
                AlarmName="auction-staging-api-5xx", StateValue="ALARM", StateReason="5xx"
            )

    result = world.cli(
        "release", *world.stack_args("--service", "api", "--image", "v2"), sleep=sleep
    )
    assert result.exit_code == 4, result.output
    assert "of 15:00)" in result.output  # watched against the stack's 15 minutes
    assert "auction-staging-api-5xx in ALARM" in result.output
    assert world.released("api") == API_V1


def test_an_explicit_watch_overrides_the_bake_time(world: World) -> None:
    world.outputs["release"] = {"bakeSeconds": 900}
    result = world.cli(
        "release", *world.stack_args("--service", "api", "--image", "v2", "--watch", "60")
    )
    assert result.exit_code == 0, result.output
    assert "of 1:00)" in result.output and "of 15:00)" not in result.output


# ----------------------------------------------------------------------------- versions, order


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits on main, the second tagged v1.2.0."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    for n in (1, 2):
        (path / "app.txt").write_text(f"version {n}\n")
        git(path, "add", "app.txt")
        git(path, "commit", "-q", "-m", f"change {n}")
    git(path, "tag", "-a", "v1.2.0", "-m", "release 1.2.0")
    return path


def commits(repo: Path) -> tuple[str, str]:
    older, newer = git(repo, "rev-list", "--reverse", "HEAD").splitlines()
    return older, newer


def test_a_short_sha_and_a_release_tag_name_the_image_built_from_that_commit(
    world: World, repo: Path
) -> None:
    older, newer = commits(repo)
    push_images(world.setup, [f"{REPO}/auction-api:{older}", f"{REPO}/auction-api:{newer}"])
    args = ("--service", "api", "--project-dir", str(repo))
    released = world.cli("release", *world.stack_args(*args, "--image", older[:7]))
    assert released.exit_code == 0, released.output
    assert world.released("api") == f"{REPO}/auction-api:{older}"
    by_version = world.cli("release", *world.stack_args(*args, "--image", "v1.2.0"))
    assert by_version.exit_code == 0, by_version.output
    assert world.released("api") == f"{REPO}/auction-api:{newer}"
    back = world.cli(
        "rollback", *world.stack_args("--project-dir", str(repo), "--to", f"api={older[:9]}")
    )
    assert back.exit_code == 0, back.output
    assert world.released("api") == f"{REPO}/auction-api:{older}"


@pytest.mark.parametrize(
    ("version", "phrase"),
    [
        ("abcdef0", "no image in auction-api was built from a commit starting abcdef0"),
        ("1234567", "1234567 is ambiguous in auction-api: 1234567aaaaa, 1234567bbbbb"),
        ("v9.9.9", "v9.9.9 is neither an image tag nor a git tag of this repository"),
    ],
)
def test_a_version_that_names_no_single_image_is_refused_before_any_change(
    world: World, repo: Path, version: str, phrase: str
) -> None:
    push_images(world.setup, [f"{REPO}/auction-api:{'1234567' + c * 33}" for c in "ab"])
    result = world.cli(
        "release",
        *world.stack_args("--service", "api", "--project-dir", str(repo), "--image", version),
    )
    assert result.exit_code == 3, result.output
    assert phrase in " ".join(result.output.split())
    assert world.released("api") == API_V1


def test_a_release_tag_whose_commit_was_never_built_is_refused(world: World, repo: Path) -> None:
    result = world.cli(
        "release",
        *world.stack_args("--service", "api", "--project-dir", str(repo), "--image", "v1.2.0"),
    )
    assert result.exit_code == 3, result.output
    assert "has no image built from it" in result.output


def test_an_older_commit_never_replaces_a_newer_one(world: World, repo: Path) -> None:
    """Two merges: the newer one's build finished first and was released; the older one's
    release then refuses, so staging stays on the newer commit."""
    older, newer = commits(repo)
    base = ("--service", "api", "--project-dir", str(repo))
    first = world.cli("release", *world.stack_args(*base, "--image", "v2", "--commit", newer))
    assert first.exit_code == 0, first.output
    assert world.release_log()["releases"][-1]["commit"] == newer
    late = world.cli("release", *world.stack_args(*base, "--image", "v3", "--commit", older))
    assert late.exit_code == 3, late.output
    assert f"commit {older[:12]} is older than {newer[:12]}" in " ".join(late.output.split())
    assert world.released("api") == API_V2
    unknown = world.cli("release", *world.stack_args(*base, "--image", "v3", "--commit", "f" * 40))
    assert unknown.exit_code == 3, unknown.output
    assert "fetch-depth: 0" in unknown.output


def test_a_newer_commit_goes_ahead(world: World, repo: Path) -> None:
    older, newer = commits(repo)
    base = ("--service", "api", "--project-dir", str(repo))
    assert (
        world.cli("release", *world.stack_args(*base, "--image", "v2", "--commit", older)).exit_code
        == 0
    )
    result = world.cli("release", *world.stack_args(*base, "--image", "v3", "--commit", newer))
    assert result.exit_code == 0, result.output


def test_without_git_a_version_or_the_commit_order_is_refused_saying_so(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older, newer = commits(repo)
    log = ReleaseLog(
        app="auction",
        stack="staging",
        releases=[
            ReleaseEntry(
                id="r1", images={}, commit=newer, status="succeeded", started_at=releases.now()
            )
        ],
    )
    monkeypatch.setenv("PATH", str(repo))  # no git on it
    with pytest.raises(OpsError) as tag:
        commit_of("v1.2.0", repo)
    assert tag.value.what.startswith("could not ask git for the tag v1.2.0: ")
    assert tag.value.exit_code == ExitCode.NOTHING_CHANGED
    with pytest.raises(OpsError) as order:
        check_commit_order(log, older, repo)
    assert order.value.what.startswith(f"could not ask git whether {older} is older than {newer}")
    assert "from the repository" in tag.value.next_step == order.value.next_step


# ----------------------------------------------------------------------------- rollback and infra


def test_a_rollback_never_applies_pending_infrastructure(world: World) -> None:
    assert (
        world.cli("release", *world.stack_args("--service", "api", "--image", "v2")).exit_code == 0
    )
    assert world.pulumi is not None
    ups = world.pulumi.up_calls
    world.pulumi.pending = [
        PendingChange(
            "update", "aws:ecs/service:Service", "urn:pulumi:staging::golive::api", ("cpu",)
        )
    ]
    result = world.cli("rollback", *world.stack_args())
    assert result.exit_code == 3, result.output
    assert "must not apply unreviewed infrastructure" in " ".join(result.output.split())
    assert world.pulumi.up_calls == ups
    assert world.released("api") == API_V2 and world.released("worker") == WORKER_V1
