"""The release tier of the config model (smoke tests, bake time) and the site build: invalid values
fail before any resource, naming the key; valid ones reach the stack outputs the CLI reads."""

from __future__ import annotations

from typing import Any

import pytest

from plan.harness import run_program
from stacks.config import parse
from tests.stacks.config.stack_files import (
    DELETE,
    as_cli,
    assert_names_key,
    mutated,
    write_stack_file,
)

SMOKE = "golive:release.smoke"

INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("smoke-task-unknown", {f"{SMOKE}.task": "e2e"}, "release.smoke.task", "'e2e' is not a task of golive:tasks (tasks: seed, create-admin)"),
    ("smoke-url-plain-http", {f"{SMOKE}.urls": [{"url": "http://auction.example.com/"}]}, "release.smoke.urls[0].url", "https:// URL"),
    ("smoke-url-relative", {f"{SMOKE}.urls": [{"url": "api/health"}]}, "release.smoke.urls[0].url", "a path of the stack's URL"),
    ("smoke-url-double-slash", {f"{SMOKE}.urls": [{"url": "//evil.example.com/x"}]}, "release.smoke.urls[0].url", "no //"),
    ("smoke-status", {f"{SMOKE}.urls": [{"url": "/live", "status": 700}]}, "release.smoke.urls[0].status", "less than or equal to 599"),
    ("smoke-too-many", {f"{SMOKE}.urls": [{"url": f"/p{i}"} for i in range(21)]}, "release.smoke.urls", "at most 20"),
    ("smoke-path-without-anything-public", {"golive:services.api.port": DELETE, "golive:services.api.paths": DELETE, "golive:services.api.healthCheck": DELETE, "golive:services.api.deregistrationDelaySeconds": DELETE, "golive:services.api.autoscaling.requestsPerTarget": DELETE, "golive:frontend.enabled": False, "golive:frontend.spaFallback": False, "golive:cdn.apiPaths": [], f"{SMOKE}.urls": [{"url": "/ready"}]}, "release.smoke.urls[0].url", "serves nothing"),
    ("bake-too-long", {"golive:release.bakeMinutes": 600}, "release.bakeMinutes", "less than or equal to 180"),
    ("release-typo", {"golive:release.bakeMinute": 15}, "release.bakeMinute", "did you mean 'bakeMinutes'"),
    ("site-build-empty-command", {"golive:frontend.build": {"command": [], "output": "web/dist"}}, "frontend.build.command", "at least 1 item"),
    ("site-build-output-outside", {"golive:frontend.build": {"command": ["npm", "run", "build"], "output": "../dist"}}, "frontend.build.output", "inside the repository"),
    ("site-build-without-site", {"golive:frontend.enabled": False, "golive:frontend.spaFallback": False, "golive:frontend.build": {"command": ["make"], "output": "dist"}}, "frontend.build", "there is no site to upload to"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_release_config_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


RELEASE = {
    "smoke": {
        "urls": [{"url": "/api/v1/health/"}, {"url": "/ready", "status": 204},
                 {"url": "https://status.example.com/live"}],
        "task": "seed",
        "timeoutSeconds": 30,
    },
    "bakeMinutes": 15,
}  # fmt: skip


def test_smoke_tests_and_bake_time_reach_the_outputs_the_cli_reads() -> None:
    config = mutated({"golive:release": RELEASE})
    cfg = parse("staging", as_cli(config))
    assert [u.status for u in cfg.release.smoke.urls] == [200, 204, 200]
    plan = run_program("staging", stack_file=write_stack_file(config, []))
    assert plan.outputs["release"] == {
        "smokeUrls": [
            {"url": "/api/v1/health/", "status": 200},
            {"url": "/ready", "status": 204},
            {"url": "https://status.example.com/live", "status": 200},
        ],
        "smokeTask": "seed",
        "smokeTimeoutSeconds": 30,
        "bakeSeconds": 900,
    }


def test_without_release_settings_the_outputs_say_golive_defaults() -> None:
    plan = run_program("prod")
    assert plan.outputs["release"] == {
        "smokeUrls": [],
        "smokeTask": None,
        "smokeTimeoutSeconds": 60,
        "bakeSeconds": None,
    }
