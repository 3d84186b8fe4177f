"""Compute features the repository's two stacks do not use, on test stack files: a worker, two
schedules, a one-off task, ECS Exec, Fargate Spot, no NAT, a cache, a private registry
(Pulumi.tracker.yaml); host routing of two web services (Pulumi.hosts.yaml); a stack without a
domain (Pulumi.spa.yaml); and the load balancer built internet-facing, which no stack file asks
for but the edge may."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.load_balancer import LoadBalancer, LoadBalancerArgs, Route
from plan.harness import Plan, RecordedResource, run_program
from plan.mocks import Lookups
from tests.components.test_compute import (
    ALB,
    CLUSTER,
    EGRESS,
    INGRESS,
    LISTENER,
    REPOSITORY,
    RULE,
    SCALING_POLICY,
    SCALING_TARGET,
    SERVICE,
    TARGET_GROUP,
    TASKDEF,
    aws_reduce,
    containers,
    secret_arn,
    statements,
)
from tests.conftest import STACKFILES

SCHEDULE = "aws:scheduler/schedule:Schedule"
WEB_IMAGE = "ghcr.io/acme/transit-web:2.4.0"


@pytest.fixture(scope="module")
def tracker() -> Plan:
    return run_program("tracker", stack_file=STACKFILES / "Pulumi.tracker.yaml")


@pytest.fixture(scope="module")
def tracker_released() -> Plan:
    lookups = Lookups(released_images={"/golive/transit/tracker/images/web": WEB_IMAGE})
    return run_program("tracker", stack_file=STACKFILES / "Pulumi.tracker.yaml", lookups=lookups)


@pytest.fixture(scope="module")
def hosts() -> Plan:
    return run_program("hosts", stack_file=STACKFILES / "Pulumi.hosts.yaml")


@pytest.fixture(scope="module")
def spa() -> Plan:
    return run_program("spa", stack_file=STACKFILES / "Pulumi.spa.yaml")


def service_named(plan: Plan, name: str) -> RecordedResource:
    return next(s for s in plan.of_type(SERVICE) if s.name == f"{name}-service")


def group_id(plan: Plan, name: str) -> str:
    return plan.named(f"{name}-sg").outputs["id"]


# ---------------------------------------------------------------------------- worker


def test_worker_has_no_port_target_group_rule_or_ingress(tracker: Plan) -> None:
    feeds = service_named(tracker, "transit-tracker-feeds").inputs
    assert feeds["loadBalancers"] == []
    assert "healthCheckGracePeriodSeconds" not in feeds
    # Its own rollback signal: the tasks it keeps running (REL08.ALARMS).
    assert feeds["alarms"] == {
        "alarmNames": ["transit-tracker-feeds-tasks-missing"],
        "enable": True,
        "rollback": True,
    }
    assert tracker.named("transit-tracker-feeds-tasks-missing").inputs["name"] == (
        "transit-tracker-feeds-tasks-missing"
    )
    assert [g.inputs["tags"]["golive:service"] for g in tracker.of_type(TARGET_GROUP)] == ["web"]
    assert [r.inputs["tags"]["golive:service"] for r in tracker.of_type(RULE)] == ["web"]
    feeds_sg = group_id(tracker, "transit-tracker-feeds")
    assert [r for r in tracker.of_type(INGRESS) if r.inputs["securityGroupId"] == feeds_sg] == []
    (container,) = containers(tracker.named("transit-tracker-feeds-taskdef"))
    assert container["portMappings"] == []
    assert container["command"] == ["python", "-m", "feeds.worker"]
    assert tracker.outputs["services"]["feeds"]["targetGroupArn"] is None
    assert tracker.outputs["services"]["feeds"]["healthCheckPath"] is None


def test_worker_on_spot_scales_on_cpu_only_from_zero_until_released(tracker: Plan) -> None:
    feeds = service_named(tracker, "transit-tracker-feeds")
    assert feeds.inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert feeds.inputs["desiredCount"] == 0
    assert feeds.ignore_changes == ["desiredCount"]
    target = next(t for t in tracker.of_type(SCALING_TARGET) if "feeds" in t.name).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (0, 4)
    policies = {
        p.name: p.inputs["targetTrackingScalingPolicyConfiguration"]
        for p in tracker.of_type(SCALING_POLICY)
        if "feeds" in p.name
    }
    assert {name: (c["predefinedMetricSpecification"], c["targetValue"]) for name, c in policies.items()} == {
        "transit-tracker-feeds-scale-cpu": ({"predefinedMetricType": "ECSServiceAverageCPUUtilization"}, 60),
        "transit-tracker-feeds-scale-memory": ({"predefinedMetricType": "ECSServiceAverageMemoryUtilization"}, 75),
    }  # fmt: skip


def test_task_role_gets_exactly_the_statements_the_stack_file_adds(tracker: Plan) -> None:
    document = json.loads(tracker.named("transit-tracker-feeds-task-policy").inputs["policy"])
    assert document["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::transit-feed-archive/raw/*"],
        }
    ]
    role = tracker.named("transit-tracker-feeds-task").outputs["id"]
    assert tracker.named("transit-tracker-feeds-task-policy").inputs["role"] == role


def test_worker_built_by_the_project_pulls_only_the_apps_repositories(tracker: Plan) -> None:
    (repository,) = tracker.of_type(REPOSITORY)
    assert repository.inputs["name"] == "transit/tracker/feeds"
    found = statements(tracker, "transit-tracker-feeds-execution-policy")
    # Its own, and the app's others: a first promotion pulls another stack's build.
    assert found["PullOwnImages"]["Resource"] == [
        "arn:aws:ecr:ap-southeast-2:123456789012:repository/transit/*",
        repository.outputs["arn"],
    ]
    assert found["ReadOwnSecrets"]["Resource"] == sorted(
        [secret_arn(tracker, "DATABASE"), secret_arn(tracker, "REDIS_AUTH_TOKEN")]
    )


# ---------------------------------------------------------------------------- private registry


def test_image_from_a_private_registry_is_pulled_with_its_credentials_secret(tracker: Plan) -> None:
    (web,) = containers(tracker.named("transit-tracker-web-taskdef"))
    registry = secret_arn(tracker, "REGISTRY")
    assert web["image"] == "ghcr.io/acme/transit-web:2.3.0"
    assert web["repositoryCredentials"] == {"credentialsParameter": registry}
    found = statements(tracker, "transit-tracker-web-execution-policy")
    assert "PullOwnImages" not in found and "EcrLogin" not in found
    assert registry in found["ReadOwnSecrets"]["Resource"]
    assert tracker.outputs["services"]["web"]["repositoryUrl"] is None


# ---------------------------------------------------------------------------- ECS Exec


def test_ecs_exec_sessions_are_encrypted_logged_and_the_agent_can_write(tracker: Plan) -> None:
    key = tracker.outputs["kmsKeyArn"]
    sessions = tracker.named("transit-tracker-exec-sessions")
    assert sessions.inputs["kmsKeyId"] == key
    assert tracker.one(CLUSTER).inputs["configuration"] == {
        "executeCommandConfiguration": {
            "kmsKeyId": key,
            "logging": "OVERRIDE",
            "logConfiguration": {
                "cloudWatchLogGroupName": sessions.outputs["name"],
                "cloudWatchEncryptionEnabled": True,
            },
        }
    }
    assert service_named(tracker, "transit-tracker-web").inputs["enableExecuteCommand"] is True
    assert service_named(tracker, "transit-tracker-feeds").inputs["enableExecuteCommand"] is False
    # With a read-only root the agent needs these three writable (aws/containers-roadmap#1359):
    # without /managed-agents it crashes soon after the task starts and no session opens.
    definition = tracker.named("transit-tracker-web-taskdef").inputs
    assert definition["volumes"] == [
        {"name": "tmp"}, {"name": "managed-agents"}, {"name": "var-lib-amazon-ssm"},
        {"name": "var-log-amazon-ssm"},
    ]  # fmt: skip
    (web,) = containers(tracker.named("transit-tracker-web-taskdef"))
    assert web["readonlyRootFilesystem"] is True
    assert [m["containerPath"] for m in web["mountPoints"]] == [
        "/tmp", "/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm",
    ]  # fmt: skip
    found = statements(tracker, "transit-tracker-web-task-policy")
    assert found["EcsExecChannels"]["Action"] == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]
    assert found["EcsExecSessionKey"]["Resource"] == key
    assert found["EcsExecSessionLogs"]["Resource"] == f"{sessions.outputs['arn']}:*"
    feeds = tracker.named("transit-tracker-feeds-task-policy").inputs["policy"]
    assert "ssmmessages" not in feeds, "Exec is on for web only"


def test_container_health_check_is_written_with_the_defaults_aws_returns(tracker: Plan) -> None:
    (web,) = containers(tracker.named("transit-tracker-web-taskdef"))
    assert web["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -fs http://localhost:8000/up || exit 1"],
        "interval": 30,
        "retries": 3,
        "timeout": 5,
    }
    for definition in tracker.of_type(TASKDEF):
        written = containers(definition)
        assert aws_reduce(written) == [{k: v for k, v in c.items() if v != []} for c in written]
    for task in ("migrate", "score-tick"):
        (container,) = containers(tracker.named(f"transit-tracker-{task}-taskdef"))
        assert "healthCheck" not in container, "a one-off run serves nothing to check"


# ---------------------------------------------------------------------------- no NAT, cache


def test_without_nat_every_task_runs_on_a_public_ip_in_a_public_subnet(tracker: Plan) -> None:
    public = tracker.outputs["publicSubnetIds"]
    for service in tracker.of_type(SERVICE):
        network = service.inputs["networkConfiguration"]
        assert (network["subnets"], network["assignPublicIp"]) == (public, True)
    for schedule in tracker.of_type(SCHEDULE):
        network = schedule.inputs["target"]["ecsParameters"]["networkConfiguration"]
        assert (network["subnets"], network["assignPublicIp"]) == (public, True)
    for task in tracker.outputs["tasks"].values():
        assert (task["subnets"], task["assignPublicIp"]) == (public, True)


def test_cache_users_get_its_address_token_and_admission(tracker: Plan) -> None:
    cache_sg = tracker.named("transit-tracker-cache-sg").outputs["id"]
    admitted = sorted(
        r.inputs["referencedSecurityGroupId"]
        for r in tracker.of_type(INGRESS)
        if r.inputs["securityGroupId"] == cache_sg
    )
    assert admitted == sorted(
        [group_id(tracker, "transit-tracker-web"), group_id(tracker, "transit-tracker-feeds")]
    )
    endpoint = tracker.one("aws:elasticache/replicationGroup:ReplicationGroup").outputs
    token = secret_arn(tracker, "REDIS_AUTH_TOKEN")
    for name in ("web", "feeds"):
        (container,) = containers(tracker.named(f"transit-tracker-{name}-taskdef"))
        environment = {e["name"]: e["value"] for e in container["environment"]}
        assert environment["REDIS_HOST"] == endpoint["primaryEndpointAddress"]
        assert environment["REDIS_PORT"] == "6379"
        assert {"name": "REDIS_AUTH_TOKEN", "valueFrom": token} in container["secrets"]
        egress = [e.inputs for e in tracker.of_type(EGRESS) if e.name == f"transit-tracker-{name}-to-cache"]  # fmt: skip
        assert [(e["referencedSecurityGroupId"], e["fromPort"]) for e in egress] == [
            (cache_sg, 6379)
        ]


# ---------------------------------------------------------------------------- schedules


def _schedule(plan: Plan, name: str) -> dict[str, Any]:
    return plan.named(f"transit-tracker-{name}-schedule").inputs


def test_score_tick_runs_every_minute_on_the_cluster_with_the_web_services_setup(
    tracker: Plan,
) -> None:
    schedule = _schedule(tracker, "score-tick")
    role = tracker.named("transit-tracker-score-tick-scheduler").outputs["arn"]
    definition = tracker.named("transit-tracker-score-tick-taskdef")
    assert schedule == {
        "description": "Runs score-tick (php artisan scores:tick)",
        "scheduleExpression": "rate(1 minute)",
        "scheduleExpressionTimezone": "UTC",
        "state": "DISABLED",
        "flexibleTimeWindow": {"mode": "OFF"},
        "target": {
            "arn": tracker.one(CLUSTER).outputs["arn"],
            "roleArn": role,
            "ecsParameters": {
                "taskDefinitionArn": definition.outputs["arn"],
                "taskCount": 1,
                "capacityProviderStrategies": [
                    {"capacityProvider": "FARGATE", "weight": 1, "base": 0}
                ],
                "networkConfiguration": {
                    "subnets": tracker.outputs["publicSubnetIds"],
                    "securityGroups": [group_id(tracker, "transit-tracker-web")],
                    "assignPublicIp": True,
                },
                "enableEcsManagedTags": True,
                "propagateTags": "TASK_DEFINITION",
                "group": "schedule:score-tick",
            },
            "retryPolicy": {"maximumRetryAttempts": 2, "maximumEventAgeInSeconds": 600},
        },
    }
    (container,) = containers(definition)
    assert container["command"] == ["php", "artisan", "scores:tick"]
    web = tracker.named("transit-tracker-web-taskdef").inputs
    assert definition.inputs["executionRoleArn"] == web["executionRoleArn"]
    assert definition.inputs["taskRoleArn"] == web["taskRoleArn"]


def test_schedules_stay_disabled_until_their_service_is_released(
    tracker: Plan, tracker_released: Plan
) -> None:
    # Before its first release a service's image is a placeholder (`:unreleased`): every tick
    # of an enabled schedule would fail to start and mail the alarm topic.
    assert _schedule(tracker, "score-tick")["state"] == "DISABLED"
    assert _schedule(tracker, "nightly-report")["state"] == "DISABLED"
    # web is released in this plan, feeds is not.
    assert _schedule(tracker_released, "score-tick")["state"] == "ENABLED"
    assert _schedule(tracker_released, "nightly-report")["state"] == "DISABLED"


def test_scheduler_role_may_run_exactly_its_task_and_pass_exactly_its_two_roles(
    tracker: Plan,
) -> None:
    definition = tracker.named("transit-tracker-score-tick-taskdef")
    cluster = tracker.one(CLUSTER).outputs
    web = tracker.named("transit-tracker-web-taskdef").inputs
    document = json.loads(tracker.named("transit-tracker-score-tick-scheduler-policy").inputs["policy"])  # fmt: skip
    assert document["Statement"] == [
        {
            "Sid": "RunThisTask",
            "Effect": "Allow",
            "Action": "ecs:RunTask",
            "Resource": definition.outputs["arn"],
            "Condition": {"ArnEquals": {"ecs:cluster": cluster["arn"]}},
        },
        {
            "Sid": "PassItsRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": [web["executionRoleArn"], web["taskRoleArn"]],
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
        {
            "Sid": "TagTasksItStarts",
            "Effect": "Allow",
            "Action": "ecs:TagResource",
            "Resource": f"arn:aws:ecs:ap-southeast-2:123456789012:task/{cluster['name']}/*",
            "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
        },
    ]
    (trust,) = json.loads(tracker.named("transit-tracker-score-tick-scheduler").inputs["assumeRolePolicy"])["Statement"]  # fmt: skip
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    schedule = tracker.named("transit-tracker-score-tick-schedule")
    assert tracker.named("transit-tracker-score-tick-scheduler-policy").urn in schedule.dependencies


def test_nightly_report_uses_cron_its_time_zone_spot_and_its_own_size(tracker: Plan) -> None:
    schedule = _schedule(tracker, "nightly-report")
    assert schedule["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert schedule["scheduleExpressionTimezone"] == "Australia/Sydney"
    parameters = schedule["target"]["ecsParameters"]
    assert parameters["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert parameters["networkConfiguration"]["securityGroups"] == [group_id(tracker, "transit-tracker-feeds")]  # fmt: skip
    definition = tracker.named("transit-tracker-nightly-report-taskdef").inputs
    assert (definition["cpu"], definition["memory"]) == ("256", "1024")
    assert tracker.outputs["schedules"]["nightly-report"]["service"] == "feeds"


def test_a_worker_a_schedule_and_a_one_off_task_are_all_created(tracker: Plan) -> None:
    assert sorted(s.name for s in tracker.of_type(SERVICE)) == [
        "transit-tracker-feeds-service", "transit-tracker-web-service",
    ]  # fmt: skip
    assert sorted(s.name for s in tracker.of_type(SCHEDULE)) == [
        "transit-tracker-nightly-report-schedule", "transit-tracker-score-tick-schedule",
    ]  # fmt: skip
    assert sorted(tracker.outputs["tasks"]) == ["db-init", "migrate"]
    migrate = tracker.outputs["tasks"]["migrate"]
    assert migrate["securityGroups"] == [group_id(tracker, "transit-tracker-web")]
    assert migrate["containerName"] == "web"
    (container,) = containers(tracker.named("transit-tracker-migrate-taskdef"))
    assert container["command"] == ["php", "artisan", "migrate", "--force"]


# ---------------------------------------------------------------------------- releases


def test_a_released_service_runs_its_image_everywhere_and_the_other_stays_at_zero(
    tracker_released: Plan,
) -> None:
    plan = tracker_released
    web = service_named(plan, "transit-tracker-web")
    assert web.inputs["desiredCount"] == 2
    assert web.ignore_changes == [], "no autoscaling: pulumi up owns the count"
    for family in ("web", "migrate", "score-tick"):
        (container,) = containers(plan.named(f"transit-tracker-{family}-taskdef"))
        assert container["image"] == WEB_IMAGE, family
    assert service_named(plan, "transit-tracker-feeds").inputs["desiredCount"] == 0
    assert plan.warnings == [
        "service feeds has not been released to tracker: it runs 0 tasks, and its schedule "
        "nightly-report stays disabled, until `golive release tracker --image ...` records its "
        "image"
    ]


# ---------------------------------------------------------------------------- host routing


def test_two_web_services_are_routed_by_host_on_one_alb(hosts: Plan) -> None:
    assert len(hosts.of_type(ALB)) == 1
    https = next(x for x in hosts.of_type(LISTENER) if x.inputs["port"] == 443)
    groups = {g.inputs["tags"]["golive:service"]: g for g in hosts.of_type(TARGET_GROUP)}
    rules = {r.inputs["tags"]["golive:service"]: r.inputs for r in hosts.of_type(RULE)}
    assert rules == {
        "backend": {
            "listenerArn": https.outputs["arn"],
            "priority": 100,
            "actions": [{"type": "forward", "targetGroupArn": groups["backend"].outputs["arn"]}],
            "conditions": [{"hostHeader": {"values": ["api.trade.example.com"]}}],
            "tags": {"golive:service": "backend"},
        },
        "frontend": {
            "listenerArn": https.outputs["arn"],
            "priority": 200,
            "actions": [{"type": "forward", "targetGroupArn": groups["frontend"].outputs["arn"]}],
            "conditions": [{"hostHeader": {"values": ["trade.example.com"]}}],
            "tags": {"golive:service": "frontend"},
        },
    }
    assert [(groups[n].inputs["port"], groups[n].inputs["healthCheck"]["path"]) for n in ("backend", "frontend")] == [(8080, "/healthz"), (3000, "/")]  # fmt: skip
    assert all(len(g.outputs["name"]) <= 32 for g in groups.values())
    for name in ("backend", "frontend"):
        service = service_named(hosts, f"trade-hosts-{name}")
        assert hosts.named(f"trade-hosts-{name}-rule").urn in service.dependencies
    assert hosts.of_type(REPOSITORY) == [], "both images come from another registry"


def test_a_release_from_another_ecr_repository_may_be_pulled_from_it_only() -> None:
    image = f"210987654321.dkr.ecr.ap-southeast-2.amazonaws.com/trade/backend@sha256:{'c' * 64}"
    plan = run_program(
        "hosts",
        stack_file=STACKFILES / "Pulumi.hosts.yaml",
        lookups=Lookups(released_images={"/golive/trade/hosts/images/backend": image}),
    )
    backend = statements(plan, "trade-hosts-backend-execution-policy")
    assert backend["PullOwnImages"]["Resource"] == [
        "arn:aws:ecr:ap-southeast-2:210987654321:repository/trade/backend"
    ]
    assert backend["EcrLogin"]["Resource"] == "*"
    assert "PullOwnImages" not in statements(plan, "trade-hosts-frontend-execution-policy")
    (container,) = containers(plan.named("trade-hosts-backend-taskdef"))
    assert container["image"] == image


def test_without_a_domain_the_http_listener_serves_the_rules(spa: Plan) -> None:
    (listener,) = spa.of_type(LISTENER)
    assert listener.inputs["port"] == 80 and listener.inputs["protocol"] == "HTTP"
    assert listener.inputs["defaultActions"][0]["type"] == "fixed-response"
    assert spa.one(RULE).inputs["listenerArn"] == listener.outputs["arn"]


# ---------------------------------------------------------------------------- internet-facing


def _alb_plan(certificate: bool) -> Plan:
    def program() -> None:
        lb = LoadBalancer(
            "shop-trial",
            LoadBalancerArgs(
                vpc_id="vpc-0123456789abcdef0",
                subnet_ids=["subnet-a", "subnet-b"],
                internal=False,
                certificate_arn="arn:aws:acm:ap-southeast-2:123456789012:certificate/abc"
                if certificate
                else None,
                ingress_cidrs=["0.0.0.0/0"],
                ingress_prefix_list_ids=["pl-3b927c52"],
                ingress_security_group_ids=["sg-0cloudfront"],
                routes=[Route(service="web", port=8000, priority=100, paths=["/*"])],
            ),
        )
        pulumi.export("https", lb.https_listener_arn)

    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


@pytest.mark.parametrize("certificate", [True, False])
def test_internet_facing_alb_admits_only_the_sources_it_is_given(certificate: bool) -> None:
    plan = _alb_plan(certificate)
    assert plan.one(ALB).inputs["internal"] is False
    rules = sorted(
        (
            r.inputs.get("cidrIpv4") or r.inputs.get("prefixListId") or r.inputs["referencedSecurityGroupId"],
            r.inputs["fromPort"],
        )
        for r in plan.of_type(INGRESS)
    )  # fmt: skip
    serving = 443 if certificate else 80
    cidr_ports = [(("0.0.0.0/0"), port) for port in sorted({80, serving})]
    assert rules == sorted([*cidr_ports, ("pl-3b927c52", serving), ("sg-0cloudfront", serving)])
    assert all(r.inputs["description"] for r in plan.of_type(INGRESS))
    assert sorted(x.inputs["port"] for x in plan.of_type(LISTENER)) == sorted({80, serving})
    assert (plan.outputs["https"] is None) is (not certificate)
