"""The compute part of the stack config model: every invalid service, task or schedule fails before
any resource, naming the key, the bad value and what AWS allows."""

from __future__ import annotations

from typing import Any

import pytest

from aws_facts.ecs import FARGATE_SIZES
from plan.harness import RecordedResource, run_program
from stacks.config import (
    ConfigError,
    check_schedule_expression,
    ecr_repository_arn,
    parse,
)
from tests.stacks.config.stack_files import (
    DELETE,
    as_cli,
    assert_names_key,
    mutated,
    write_stack_file,
)

API = "golive:services.api"
WORKER = {"command": ["./api", "work"], "cpu": 256, "memory": 512}


def web(**fields: Any) -> dict[str, Any]:
    """A second web service for the Auction staging stack (frontend on: paths under /api/*)."""
    spec = {"port": 9000, "paths": ["/api/v2/*"], **fields}
    return {key: value for key, value in spec.items() if value is not DELETE}


# (id, changes to Pulumi.staging.yaml, the key path the message must name, a phrase it must hold)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("fargate-pair", {f"{API}.memory": 4096}, "services.api.memory", "4096 MiB is not allowed with cpu 256 on Fargate; use 512, 1024, 2048"),
    ("fargate-pair-between-sizes", {f"{API}.memory": 1536}, "services.api.memory", "with cpu 256 on Fargate; use 512, 1024, 2048"),
    ("fargate-cpu", {f"{API}.cpu": 300}, "services.api.cpu", "300 is not a Fargate CPU size"),
    ("fargate-memory-step", {f"{API}.cpu": 1024, f"{API}.memory": 2500}, "services.api.memory", "2048 to 8192 in steps of 1024"),
    ("spot-arm64", {f"{API}.architecture": "ARM64"}, "services.api.spot", "Fargate Spot runs only X86_64"),
    ("architecture-unknown", {f"{API}.architecture": "arm64"}, "services.api.architecture", "'ARM64'"),
    ("on-demand-base-without-spot", {f"{API}.spot": False, f"{API}.onDemandBase": 1}, "services.api.onDemandBase", "only with spot"),
    ("path-conflict", {"golive:services.admin": web(paths=["/api/*"])}, "services.admin.paths", "path '/api/*' is already routed to service 'api'"),
    ("host-conflict", {"golive:cdn.hostNames": ["api.auction.example.com"], f"{API}.paths": DELETE, f"{API}.hosts": ["api.auction.example.com"], "golive:services.admin": web(paths=DELETE, hosts=["api.auction.example.com"])}, "services.admin.hosts", "host 'api.auction.example.com' and path '/*' is already routed"),
    ("priority-twice", {f"{API}.priority": 10, "golive:services.admin": web(priority=10)}, "services.admin.priority", "10 is also service 'api's"),
    ("four-paths", {f"{API}.paths": ["/api/a/*", "/api/b/*", "/api/c/*", "/api/d/*"]}, "services.api.paths", "an ALB rule condition takes at most 3"),
    ("six-values", {"golive:cdn.hostNames": ["a.auction.example.com", "b.auction.example.com", "c.auction.example.com"], f"{API}.paths": ["/api/a/*", "/api/b/*", "/api/c/*"], f"{API}.hosts": ["a.auction.example.com", "b.auction.example.com", "c.auction.example.com"]}, "services.api.hosts", "an ALB rule matches at most 5"),
    ("path-no-slash", {f"{API}.paths": ["api/*"]}, "services.api.paths[0]", "start with '/'"),
    ("host-uppercase", {f"{API}.hosts": ["API.auction.example.com"]}, "services.api.hosts[0]", "lowercase"),
    ("web-without-route", {f"{API}.paths": []}, "services.api.paths", "needs paths and/or hosts"),
    ("worker-with-paths", {"golive:services.jobs": {**WORKER, "paths": ["/api/jobs/*"]}}, "services.jobs.paths", "only to web services"),
    ("worker-scaling-on-requests", {"golive:services.jobs": {**WORKER, "autoscaling": {"minCount": 1, "maxCount": 2, "requestsPerTarget": 100}}}, "services.jobs.autoscaling.requestsPerTarget", "a worker has no load balancer requests"),
    ("target-group-name-too-long", {"golive:services.notifications": web(paths=["/api/notify/*"])}, "services.notifications", "AWS allows 32, so app + stack + service names may have 22 characters together (app 'auction' 7 + stack 'staging' 7 + service 'notifications' 13): shorten the service name by 5 (to 8 characters)"),
    ("long-app-and-service", {"golive:app": "liveevents", "aws:defaultTags.tags.golive:app": "liveevents", "golive:services.ticketing": web(paths=["/api/tickets/*"])}, "services.ticketing", "'liveevents-staging-ticketing-xxxxxxx' would be 36 characters"),
    ("service-name-uppercase", {"golive:services.Admin": web()}, "services.Admin", "lowercase letters"),
    ("service-name-too-long", {"golive:services.a-very-long-worker-name-here": WORKER}, "services.a-very-long-worker-name-here", "at most 24"),
    ("deregistration-delay", {f"{API}.deregistrationDelaySeconds": 300}, "services.api.deregistrationDelaySeconds", "less than or equal to 60"),
    ("health-matcher", {f"{API}.healthCheck.matcher": "OK"}, "services.api.healthCheck.matcher", "200,204 or 200-299"),
    ("health-timeout", {f"{API}.healthCheck.timeoutSeconds": 10}, "services.api.healthCheck.timeoutSeconds", "less than or equal to 9"),
    ("container-health-check", {f"{API}.containerHealthCheck": ["curl", "-f", "localhost"]}, "services.api.containerHealthCheck", "CMD-SHELL"),
    ("scaling-min-above-max", {f"{API}.autoscaling.minCount": 3}, "services.api.autoscaling.minCount", "3 is above maxCount 2"),
    ("scaling-no-metric", {f"{API}.autoscaling.cpuPercent": None, f"{API}.autoscaling.requestsPerTarget": None}, "services.api.autoscaling", "at least one of cpuPercent"),
    ("desired-with-scaling", {f"{API}.desiredCount": 3}, "services.api.desiredCount", "autoscaling the task count"),
    ("env-looks-secret", {f"{API}.environment.STRIPE_API_KEY": "sk_live_123"}, "services.api.environment.STRIPE_API_KEY", "control ECS.8"),
    ("env-bad-name", {f"{API}.environment.1X": "y"}, "services.api.environment.1X", "not an environment variable name"),
    ("env-set-by-golive", {f"{API}.environment.DB_HOST": "localhost"}, "services.api.environment.DB_HOST", "set by golive when database is true"),
    ("secret-unknown", {f"{API}.secrets": ["JWT_SECRET", "JWT_SECRETS"]}, "services.api.secrets[1]", "did you mean 'JWT_SECRET'"),
    ("db-credentials-without-database", {f"{API}.database": False}, "services.api.database", "takes the database credentials"),
    ("cache-without-cache", {f"{API}.cache": True}, "services.api.cache", "no golive:cache"),
    ("writable-root-without-reason", {f"{API}.readonlyRootFilesystem": False}, "services.api.writableRootReason", "control ECS.5 then fails unless"),
    ("writable-path-relative", {f"{API}.writablePaths": ["tmp"]}, "services.api.writablePaths[0]", "absolute directory"),
    ("image-without-tag", {f"{API}.image": "ghcr.io/acme/api"}, "services.api.image", "has no tag or digest"),
    ("image-uppercase", {f"{API}.image": "ghcr.io/Acme/api:1.0"}, "services.api.image", "not an image reference"),
    ("keep-images-with-image", {f"{API}.image": "ghcr.io/acme/api:1.0", f"{API}.keepImages": 10}, "services.api.keepImages", "only to an image this project builds"),
    ("credentials-without-image", {f"{API}.repositoryCredentials": "SMTP"}, "services.api.repositoryCredentials", "only with `image`"),
    ("credentials-unknown", {f"{API}.image": "ghcr.io/acme/api:1.0", f"{API}.keepImages": DELETE, f"{API}.repositoryCredentials": "GHCR"}, "services.api.repositoryCredentials", "not a secret of golive:secrets"),
    ("task-role-secrets-on-star", {f"{API}.taskRoleStatements": [{"actions": ["secretsmanager:GetSecretValue"], "resources": ["*"]}]}, "services.api.taskRoleStatements[0].resources", "grants it on every resource"),
    ("task-role-kms-on-star", {f"{API}.taskRoleStatements": [{"actions": ["kms:*"], "resources": ["*"]}]}, "services.api.taskRoleStatements[0].resources", "kms:*"),
    ("task-role-bad-resource", {f"{API}.taskRoleStatements": [{"actions": ["s3:GetObject"], "resources": ["my-bucket/*"]}]}, "services.api.taskRoleStatements[0].resources[0]", "not an ARN"),
    ("task-unknown-service", {"golive:tasks.migrate": {"service": "apii", "command": ["./api", "migrate"]}}, "tasks.migrate.service", "did you mean 'api'"),
    ("task-reserved-name", {"golive:tasks.db-init": {"service": "api", "command": ["./api", "init"]}}, "tasks.db-init", "built-in task"),
    ("task-name-taken", {"golive:tasks.api": {"service": "api", "command": ["./api", "x"]}}, "tasks.api", "also in services"),
    ("task-empty-command", {"golive:tasks.migrate": {"service": "api", "command": []}}, "tasks.migrate.command", "at least 1 item"),
    ("task-fargate-pair", {"golive:tasks.seed.memory": 8192}, "tasks.seed.memory", "8192 MiB is not allowed with cpu 256"),
    ("schedule-sub-minute", {"golive:schedules.tick": {"service": "api", "command": ["./api", "tick"], "schedule": "rate(30 seconds)"}}, "schedules.tick.schedule", "belongs in a worker"),
    ("schedule-unit-typo", {"golive:schedules.tick": {"service": "api", "command": ["./api", "tick"], "schedule": "rate(5 minutess)"}}, "schedules.tick.schedule", "minute(s), hour(s) or day(s)"),
    ("schedule-plural", {"golive:schedules.tick": {"service": "api", "command": ["./api", "tick"], "schedule": "rate(1 minutes)"}}, "schedules.tick.schedule", "rate(1 minute)"),
    ("schedule-cron-fields", {"golive:schedules.nightly": {"service": "api", "command": ["./api", "report"], "schedule": "cron(0 3 * * *)"}}, "schedules.nightly.schedule", "EventBridge cron has 6"),
    ("schedule-cron-question-mark", {"golive:schedules.nightly": {"service": "api", "command": ["./api", "report"], "schedule": "cron(0 3 * * 1 *)"}}, "schedules.nightly.schedule", "must be '?'"),
    ("schedule-timezone", {"golive:schedules.nightly": {"service": "api", "command": ["./api", "report"], "schedule": "cron(0 3 * * ? *)", "timezone": "Europe/Paname"}}, "schedules.nightly.timezone", "not an IANA time zone"),
    ("schedule-unknown-service", {"golive:schedules.tick": {"service": "worker", "command": ["./w"], "schedule": "rate(5 minutes)"}}, "schedules.tick.service", "services: api"),
    ("alb-idle-timeout", {"golive:loadBalancer.idleTimeoutSeconds": 5000}, "loadBalancer.idleTimeoutSeconds", "less than or equal to 4000"),
    ("container-insights", {"golive:cluster.containerInsights": "disabled"}, "cluster.containerInsights", "'enhanced'"),
    ("build-with-image", {f"{API}.image": "ghcr.io/acme/api:1.0", f"{API}.keepImages": DELETE, f"{API}.build": {"context": "api"}}, "services.api.build", "only to an image this project builds"),
    ("build-context-outside", {f"{API}.build": {"context": "../other"}}, "services.api.build.context", "inside the repository"),
    ("build-context-absolute", {f"{API}.build": {"context": "/src/api"}}, "services.api.build.context", "relative to its root"),
    ("build-dockerfile-backslash", {f"{API}.build": {"dockerfile": "api\\Dockerfile"}}, "services.api.build.dockerfile", "forward slashes"),
    ("build-target-uppercase", {f"{API}.build": {"target": "Runtime"}}, "services.api.build.target", "not a Dockerfile stage name"),
    ("build-typo", {f"{API}.build": {"contxt": "api"}}, "services.api.build.contxt", "did you mean 'context'"),
    ("service-typo", {f"{API}.autoscalling": {}}, "services.api.autoscalling", "did you mean 'autoscaling'"),
]  # fmt: skip


def test_every_invalid_compute_case_is_distinct() -> None:
    assert len({case[0] for case in INVALID}) == len(INVALID) >= 50


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_compute_config_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


@pytest.mark.parametrize(
    "case", ["fargate-pair", "spot-arm64", "path-conflict", "target-group-name-too-long"]
)
def test_invalid_compute_config_registers_no_resource(case: str) -> None:
    changes = next(c[1] for c in INVALID if c[0] == case)
    registered: list[RecordedResource] = []
    with pytest.raises(ConfigError, match="services"):
        run_program(
            "staging", stack_file=write_stack_file(mutated(changes), []), registered=registered
        )
    assert registered == []


def test_every_fargate_pair_aws_documents_is_accepted_and_only_those() -> None:
    documented = {
        256: [512, 1024, 2048],
        512: [1024, 2048, 3072, 4096],
        1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
        2048: list(range(4096, 16385, 1024)),
        4096: list(range(8192, 30721, 1024)),
        8192: list(range(16384, 61441, 4096)),
        16384: list(range(32768, 122881, 8192)),
    }
    assert {cpu: list(sizes) for cpu, sizes in FARGATE_SIZES.items()} == documented
    for cpu, sizes in documented.items():
        cfg = parse(
            "staging",
            as_cli(mutated({f"{API}.cpu": cpu, f"{API}.memory": sizes[-1], f"{API}.spot": False})),
        )
        assert cfg.services["api"].memory == sizes[-1]


@pytest.mark.parametrize(
    "expression",
    ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(2 days)", "cron(0 3 * * ? *)",
     "cron(*/5 * ? * MON-FRI *)", "at(2030-01-31T09:00:00)"],
)  # fmt: skip
def test_schedule_expressions_scheduler_accepts(expression: str) -> None:
    assert check_schedule_expression(expression) == expression


def test_ecr_images_of_another_registry_get_pull_access_by_repository() -> None:
    arn = ecr_repository_arn("210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.2")
    assert arn == "arn:aws:ecr:eu-west-1:210987654321:repository/team/api"
    assert ecr_repository_arn("ghcr.io/acme/api:1.2") is None
    assert ecr_repository_arn("public.ecr.aws/docker/library/postgres:17-alpine") is None


def test_compute_warnings_name_spot_exec_and_missing_access_logs() -> None:
    staging = parse("staging", as_cli(mutated({f"{API}.ecsExec": True})))
    warnings = staging.warnings()
    assert any(w.startswith("services.api.spot: Fargate Spot may stop a task") for w in warnings)
    assert any(w.startswith("services.api.ecsExec:") for w in warnings)
    assert "loadBalancer.accessLogs.enabled is false: no ALB access logs (ELB.5)" in warnings
    prod = parse("prod", as_cli(mutated({}, stack="prod"))).warnings()
    assert not [w for w in prod if w.startswith(("services.", "loadBalancer.", "protect is on"))]


def test_release_tasks_are_the_ones_marked_run_on_release_in_stack_file_order() -> None:
    tasks = {
        "golive:tasks.migrate": {"service": "api", "command": ["./api", "migrate"]},
        "golive:tasks.warm-cache": {
            "service": "api",
            "command": ["./api", "warm"],
            "runOnRelease": True,
        },
    }
    unmarked = parse("staging", as_cli(mutated(tasks)))
    assert any(w.startswith("tasks.migrate.runOnRelease is false") for w in unmarked.warnings())
    tasks["golive:tasks.migrate"] = {**tasks["golive:tasks.migrate"], "runOnRelease": True}
    marked = parse("staging", as_cli(mutated(tasks)))
    assert not [w for w in marked.warnings() if "runOnRelease" in w]
    plan = run_program("staging", stack_file=write_stack_file(mutated(tasks), []))
    assert plan.outputs["releaseTasks"] == ["migrate", "warm-cache"]
    assert sorted(plan.outputs["tasks"]) == [
        "create-admin",
        "db-init",
        "migrate",
        "seed",
        "warm-cache",
    ]


def test_the_repository_stacks_run_nothing_on_release_but_db_init() -> None:
    for stack in ("staging", "prod"):
        assert run_program(stack).outputs["releaseTasks"] == []
