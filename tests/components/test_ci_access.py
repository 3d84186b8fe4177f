"""GitHub OIDC deploy and preview roles: who may assume them, and what they (and every role the
stack creates) can never do, asked of the plan's documents with `tests.iam_eval`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.ci_policies import MANAGED_POLICY_MAX, policy_size
from ops.permissions import DEPLOY_ROLE_ACTIONS
from plan.harness import Plan, RecordedResource, run_program
from plan.mocks import Lookups
from stacks.config import ConfigError
from tests.conftest import raw_config, slack_plan
from tests.iam_eval import Call, allowed, trusted

ROLE = "aws:iam/role:Role"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ACCOUNT = "123456789012"
AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
NAMES = "repo:acme/auction"
IDS = "repo:acme@1234567/auction@890123456"
MAIN = "ref:refs/heads/main"


def ci_roles(plan: Plan) -> dict[str, RecordedResource]:
    return {r.name.rsplit("-ci-", 1)[1]: r for r in plan.of_type(ROLE) if "-ci-" in r.name}


def documents(plan: Plan, role: RecordedResource) -> list[dict[str, Any]]:
    """The role's inline and attached policies, as IAM would read them."""
    inline = [
        json.loads(p.inputs["policy"])
        for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == role.outputs["id"]
    ]
    attached = {
        a.inputs["policyArn"]
        for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.outputs["name"]
    }
    managed = [
        json.loads(p.inputs["policy"])
        for p in plan.of_type("aws:iam/policy:Policy")
        if p.outputs["arn"] in attached
    ]
    return inline + managed


def boundary(plan: Plan) -> dict[str, Any]:
    return json.loads(plan.named(f"auction-{plan.stack}-ci-boundary").inputs["policy"])


def can(plan: Plan, role: str, action: str, resource: str, **context: Any) -> bool:
    principal = ci_roles(plan)[role] if role in ("deploy", "preview") else plan.named(role)
    return allowed(Call(action, resource, context), documents(plan, principal), boundary(plan))


def claims(sub: str) -> dict[str, str]:
    return {**AUD, "token.actions.githubusercontent.com:sub": sub}


def trust_of(plan: Plan, role: str) -> dict[str, Any]:
    return json.loads(ci_roles(plan)[role].inputs["assumeRolePolicy"])


# ---------------------------------------------------------------------------- who may assume


@pytest.mark.parametrize("prefix", [NAMES, IDS])
def test_deploy_role_trusts_runs_of_main_in_the_stacks_environment_in_both_subject_forms(
    stack_plan: Plan, prefix: str
) -> None:
    trust = trust_of(stack_plan, "deploy")
    env = f"environment:{stack_plan.stack}"
    assert trusted(trust, claims(f"{prefix}:{env}:{MAIN}"))
    refused = [
        f"{prefix}:{env}",  # GitHub's default subject: no branch in it
        f"{prefix}:{env}:ref:refs/heads/feature",  # a branch's job naming the environment
        f"{prefix}:{env}:ref:refs/pull/7/merge",  # a pull request naming the environment
        f"{prefix}:{env}:ref:refs/tags/v1.0.0",  # anyone with write access can push a tag
        f"{prefix}:{MAIN}:{MAIN}",  # main, but outside the protected environment
        f"{prefix}:pull_request:ref:refs/pull/7/merge",
        f"repo:acme/other:{env}:{MAIN}",
        f"repo:acme@1234567/auction@999:{env}:{MAIN}",  # same name, another repository
    ]
    assert [sub for sub in refused if trusted(trust, claims(sub))] == []
    assert not trusted(trust, {"token.actions.githubusercontent.com:sub": f"{prefix}:{env}:{MAIN}"})


def test_without_an_environment_the_deploy_role_trusts_jobs_of_main_without_one() -> None:
    plan = run_program(
        "staging",
        overrides={"ci": {**json.loads(raw_config("staging")["golive:ci"]), "environment": ""}},
    )
    trust = trust_of(plan, "deploy")
    assert trusted(trust, claims(f"{IDS}:{MAIN}:{MAIN}"))
    assert not trusted(trust, claims(f"{IDS}:ref:refs/heads/dev:ref:refs/heads/dev"))
    assert not trusted(trust, claims(f"{IDS}:environment:staging:{MAIN}"))


PULL_REQUEST = "pull_request:ref:refs/pull/1234/merge"


@pytest.mark.parametrize("prefix", [NAMES, IDS])
def test_every_stacks_preview_role_trusts_runs_of_main_outside_any_environment(
    stack_plan: Plan, prefix: str
) -> None:
    """The preview before a release's approval runs in the deploy run, outside any environment
    (preview.yml): prod's included, which never trusts a pull request."""
    trust = trust_of(stack_plan, "preview")
    assert stack_plan.outputs["ciPreviewRoleArn"] == ci_roles(stack_plan)["preview"].outputs["arn"]
    assert trusted(trust, claims(f"{prefix}:{MAIN}:{MAIN}"))
    refused = [
        f"{prefix}:environment:{stack_plan.stack}:{MAIN}",  # a deploy job: the deploy role's
        f"{prefix}:ref:refs/heads/feature:ref:refs/heads/feature",
        f"{prefix}:ref:refs/tags/v1.0.0:ref:refs/tags/v1.0.0",
        f"{prefix}:pull_request:ref:refs/heads/main",  # pull_request_target runs main's code
        f"repo:acme/other:{MAIN}:{MAIN}",
        f"repo:acme@1234567/auction@999:{MAIN}:{MAIN}",  # same name, another repository
        "repo:acme/auction-fork:pull_request:ref:refs/pull/1/merge",
    ]
    assert [sub for sub in refused if trusted(trust, claims(sub))] == []


@pytest.mark.parametrize("prefix", [NAMES, IDS])
def test_pull_requests_assume_the_preview_role_only_where_the_stack_allows_it(
    staging: Plan, prod: Plan, prefix: str
) -> None:
    assert trusted(trust_of(staging, "preview"), claims(f"{prefix}:{PULL_REQUEST}"))
    assert not trusted(trust_of(prod, "preview"), claims(f"{prefix}:{PULL_REQUEST}"))


def assert_no_role_is_assumable_from_a_pull_request(plan: Plan) -> None:
    for role in plan.of_type(ROLE):
        trust = json.loads(role.inputs["assumeRolePolicy"])
        for prefix in (NAMES, IDS):
            for sub in (f"{prefix}:{PULL_REQUEST}", f"{prefix}:pull_request"):
                assert not trusted(trust, claims(sub)), (role.name, sub)


def test_no_prod_role_is_assumable_from_a_pull_request(prod: Plan) -> None:
    assert set(ci_roles(prod)) == {"deploy", "preview"}
    assert_no_role_is_assumable_from_a_pull_request(prod)


def test_without_pull_request_previews_no_role_is_assumable_from_a_pull_request() -> None:
    ci = json.loads(raw_config("staging")["golive:ci"])
    plan = run_program("staging", overrides={"ci": {**ci, "pullRequestPreviews": False}})
    assert set(ci_roles(plan)) == {"deploy", "preview"}
    assert trusted(trust_of(plan, "preview"), claims(f"{IDS}:{MAIN}:{MAIN}"))
    assert_no_role_is_assumable_from_a_pull_request(plan)


# ---------------------------------------------------------------------------- boundaries


def test_every_role_of_the_stack_carries_the_ci_boundary(stack_plan: Plan) -> None:
    arn = stack_plan.named(f"auction-{stack_plan.stack}-ci-boundary").outputs["arn"]
    unbounded = [
        r.name for r in stack_plan.of_type(ROLE) if r.inputs.get("permissionsBoundary") != arn
    ]
    assert unbounded == []


def test_every_policy_fits_iams_quota(stack_plan: Plan) -> None:
    for policy in stack_plan.of_type("aws:iam/policy:Policy"):
        size = policy_size(json.loads(policy.inputs["policy"]))
        assert size <= MANAGED_POLICY_MAX, f"{policy.name}: {size}"


BOUNDARY = "arn:aws:iam::123456789012:policy/auction-staging-ci-boundary"


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        # A role without the boundary, or with another one, would be a way out.
        ("iam:CreateRole", "role/auction-staging-x", {}),
        (
            "iam:CreateRole",
            "role/auction-staging-x",
            {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/open"},
        ),
        (
            "iam:PutRolePermissionsBoundary",
            "role/auction-staging-api-task",
            {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/open"},
        ),
        (
            "iam:AttachRolePolicy",
            "role/auction-staging-legacy",
            {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
        ("iam:PutRolePolicy", "role/auction-staging-legacy", {}),
        (
            "iam:DeleteRolePermissionsBoundary",
            "role/auction-staging-api-task",
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        # The CI roles and the boundary change only by an administrator.
        (
            "iam:PutRolePolicy",
            "role/auction-staging-ci-deploy-abc1234",
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        (
            "iam:AttachRolePolicy",
            "role/auction-staging-ci-deploy-abc1234",
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        ("iam:CreatePolicyVersion", "policy/auction-staging-ci-boundary", {}),
        ("iam:CreatePolicyVersion", "policy/auction-staging-ci-deploy-1", {}),
        ("iam:SetDefaultPolicyVersion", "policy/auction-staging-ci-boundary", {}),
        ("iam:UpdateAssumeRolePolicy", "role/auction-staging-ci-deploy-abc1234", {}),
        # Anything outside the stack's names.
        ("iam:UpdateAssumeRolePolicy", "role/OrganizationAccountAccessRole", {}),
        ("iam:CreatePolicyVersion", "policy/shared-admins", {}),
        ("iam:CreateUser", "user/backdoor", {}),
        ("iam:CreateAccessKey", "user/admin", {}),
        ("iam:CreateOpenIDConnectProvider", "oidc-provider/evil.example.com", {}),
        (
            "iam:DeleteOpenIDConnectProvider",
            "oidc-provider/token.actions.githubusercontent.com",
            {},
        ),
        ("iam:PassRole", "role/auction-prod-api-task-1234567", {}),
    ],
)
def test_no_way_out_of_the_boundary(
    staging: Plan, action: str, resource: str, context: dict[str, str]
) -> None:
    """Not for the deploy role, nor for a role of the stack whose policy the deploy role rewrote
    to allow everything (the boundary must hold on its own)."""
    call = Call(action, f"arn:aws:iam::{ACCOUNT}:{resource}", context)
    everything = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    deploy = documents(staging, ci_roles(staging)["deploy"])
    assert not allowed(call, deploy, boundary(staging))
    assert not allowed(call, [everything], boundary(staging))


TO_ECS_TASKS = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}


def test_the_deploy_role_manages_the_stacks_roles_within_the_boundary(staging: Plan) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/auction-staging-api-task-1234567"
    bounded = {"iam:PermissionsBoundary": BOUNDARY}
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"):
        assert can(staging, "deploy", action, role, **bounded), action
    assert can(staging, "deploy", "iam:PassRole", role, **TO_ECS_TASKS)
    assert can(staging, "deploy", "iam:UpdateAssumeRolePolicy", role)


# ---------------------------------------------------------------------------- passing roles

SERVICES = (
    "ecs-tasks.amazonaws.com", "scheduler.amazonaws.com", "monitoring.rds.amazonaws.com",
    "vpc-flow-logs.amazonaws.com", "chatbot.amazonaws.com", "lambda.amazonaws.com",
    "ec2.amazonaws.com", "events.amazonaws.com", "ecs.amazonaws.com", "rds.amazonaws.com",
    "codebuild.amazonaws.com",
)  # fmt: skip
"""Where a role could be passed: the stack's services, and some that must never get one."""
EVERYTHING = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def scheduled() -> Plan:
    """Staging with a schedule: its EventBridge Scheduler role."""
    schedule = {"service": "api", "command": ["true"], "schedule": "rate(1 hour)"}
    return run_program("staging", overrides={"schedules": {"tick": schedule}})


def trusted_service(role: RecordedResource) -> str:
    """The one service principal the role's trust policy names: the one it is passed to."""
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    return statement["Principal"]["Service"]


def passes(plan: Plan, role: str, service: str | None, *, boundary_alone: bool = False) -> bool:
    context = {"iam:PassedToService": service} if service else {}
    call = Call("iam:PassRole", role, context)
    if boundary_alone:
        return allowed(call, [EVERYTHING], boundary(plan))
    return allowed(call, documents(plan, ci_roles(plan)["deploy"]), boundary(plan))


def service_roles(plan: Plan) -> list[RecordedResource]:
    return [r for r in plan.of_type(ROLE) if "-ci-" not in r.name]


@pytest.mark.parametrize("plan_of", ["staging", "scheduled", "slack_staging"])
def test_the_deploy_role_passes_each_role_of_the_stack_only_to_the_service_it_trusts(
    plan_of: str, request: pytest.FixtureRequest
) -> None:
    """Every `aws.iam.Role` the stack creates (tasks, schedules, RDS monitoring, flow logs, chat)
    goes to the one service its trust names, no other, and never with no service named."""
    plan: Plan = request.getfixturevalue(plan_of)
    roles = service_roles(plan)
    assert {trusted_service(r) for r in roles} >= {
        "ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com"
    }  # fmt: skip
    for role in roles:
        arn, own = role.outputs["arn"], trusted_service(role)
        assert passes(plan, arn, own), (role.name, own)
        # RDS may name itself when it is handed the monitoring role (see the next tests).
        calls = {own, "rds.amazonaws.com"} if own == "monitoring.rds.amazonaws.com" else {own}
        wrong = [s for s in SERVICES if s not in calls and passes(plan, arn, s)]
        assert wrong == [], role.name
        assert not passes(plan, arn, None), role.name


def test_the_staging_deploy_role_passes_its_task_role_to_ecs_tasks_only(staging: Plan) -> None:
    task = staging.named("auction-staging-api-task").outputs["arn"]
    execution = staging.named("auction-staging-api-execution").outputs["arn"]
    for role in (task, execution):
        assert passes(staging, role, "ecs-tasks.amazonaws.com")
        for service in ("lambda.amazonaws.com", "ec2.amazonaws.com", "scheduler.amazonaws.com"):
            assert not passes(staging, role, service), (role, service)
            assert not passes(staging, role, service, boundary_alone=True), (role, service)


def test_the_scheduler_role_goes_to_the_scheduler_only(scheduled: Plan) -> None:
    role = scheduled.named("auction-staging-tick-scheduler").outputs["arn"]
    assert passes(scheduled, role, "scheduler.amazonaws.com")
    for service in ("ecs-tasks.amazonaws.com", "lambda.amazonaws.com", "events.amazonaws.com"):
        assert not passes(scheduled, role, service), service
    assert not passes(scheduled, role, "lambda.amazonaws.com", boundary_alone=True)
    # Its own policy passes the service's two roles to ECS when the schedule fires, which the
    # boundary it carries lets through (components/schedule.py).
    api = scheduled.named("auction-staging-api-task").outputs["arn"]
    call = Call("iam:PassRole", api, TO_ECS_TASKS)
    own = scheduled.named("auction-staging-tick-scheduler")
    assert allowed(call, documents(scheduled, own), boundary(scheduled))


def test_the_monitoring_role_goes_to_rds_enhanced_monitoring_only(staging: Plan) -> None:
    """AWS does not document which principal RDS sends as iam:PassedToService when a call
    passes MonitoringRoleArn; field reports show `rds.amazonaws.com` on some RDS calls. Either
    passes (the role's trust admits only monitoring.rds, so RDS gains nothing); no other does."""
    role = staging.named("auction-staging-db-monitoring").outputs["arn"]
    for service in ("monitoring.rds.amazonaws.com", "rds.amazonaws.com"):
        assert passes(staging, role, service), service
        assert passes(staging, role, service, boundary_alone=True), service
    for service in ("ecs-tasks.amazonaws.com", "lambda.amazonaws.com"):
        assert not passes(staging, role, service), service
    assert not passes(staging, role, "lambda.amazonaws.com", boundary_alone=True)
    # Only the monitoring role: RDS is never handed a task role.
    task = staging.named("auction-staging-api-task").outputs["arn"]
    assert not passes(staging, task, "rds.amazonaws.com")


def test_the_boundary_alone_refuses_any_role_of_the_stack_to_another_service(
    slack_staging: Plan,
) -> None:
    """For a role of the stack whose policy was rewritten to allow everything."""
    for role in service_roles(slack_staging):
        arn = role.outputs["arn"]
        for service in ("lambda.amazonaws.com", "ec2.amazonaws.com", "codebuild.amazonaws.com"):
            assert not passes(slack_staging, arn, service, boundary_alone=True), (arn, service)
        assert not passes(slack_staging, arn, None, boundary_alone=True), arn
        assert passes(slack_staging, arn, trusted_service(role), boundary_alone=True), arn
    task = slack_staging.named("auction-staging-api-task").outputs["arn"]
    for service in ("scheduler.amazonaws.com", "chatbot.amazonaws.com"):
        assert not passes(slack_staging, task, service, boundary_alone=True), service


def test_the_ci_roles_are_never_passed(staging: Plan) -> None:
    for kind, role in ci_roles(staging).items():
        for service in SERVICES:
            assert not passes(staging, role.outputs["arn"], service), (kind, service)
            assert not passes(staging, role.outputs["arn"], service, boundary_alone=True)


@pytest.mark.parametrize(
    ("role", "service"),
    [
        # A schedule named `x-task`, a service named `db-monitoring` or `flow-logs-role`, a
        # service named `tick-scheduler`: each role is still only what its name ends in.
        ("auction-staging-x-task-scheduler-1234567", "scheduler.amazonaws.com"),
        ("auction-staging-db-monitoring-execution-1234567", "ecs-tasks.amazonaws.com"),
        ("auction-staging-flow-logs-role-task-1234567", "ecs-tasks.amazonaws.com"),
        ("auction-staging-tick-scheduler-task-1234567", "ecs-tasks.amazonaws.com"),
        ("auction-staging-api-task-execution-1234567", "ecs-tasks.amazonaws.com"),
        # Longer or shorter than Pulumi's suffix: no kind of the stack's.
        ("auction-staging-api-task-12345678", None),
        ("auction-staging-db-monitoring-123456", None),
        ("auction-staging-alarms-chat-1234567", None),
    ],
)
def test_no_name_pattern_lets_one_kind_of_role_be_passed_as_another(
    slack_staging: Plan, role: str, service: str | None
) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
    assert [s for s in SERVICES if passes(slack_staging, arn, s)] == ([service] if service else [])


def test_the_preview_role_passes_no_role(slack_staging: Plan) -> None:
    preview = documents(slack_staging, ci_roles(slack_staging)["preview"])
    for role in service_roles(slack_staging):
        call = Call(
            "iam:PassRole", role.outputs["arn"], {"iam:PassedToService": trusted_service(role)}
        )
        assert not allowed(call, preview, boundary(slack_staging)), role.name


# ---------------------------------------------------------------------------- one stack only

PROD = {"aws:ResourceTag/golive:stack": "prod"}
STAGING = {"aws:ResourceTag/golive:stack": "staging"}
STATE = "arn:aws:s3:::golive-state-123456789012-us-east-1"

# (action, resource, context of that resource): another stack's, then the same on the own stack.
CROSS_STACK = [
    ("ec2:DeleteVpc", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "tag"),
    ("ec2:CreateTags", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "tag"),
    ("ec2:AuthorizeSecurityGroupIngress", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", "tag"),
    ("kms:ScheduleKeyDeletion", "arn:aws:kms:us-east-1:123456789012:key/k-1", "tag"),
    ("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k-1", "tag"),
    ("cloudfront:UpdateDistribution", "arn:aws:cloudfront::123456789012:distribution/E1", "tag"),
    ("rds:DeleteDBInstance", "arn:aws:rds:us-east-1:123456789012:db:auction-{stack}-db", "tag"),
    ("rds:ModifyDBSnapshotAttribute", "arn:aws:rds:us-east-1:123456789012:snapshot:auction-{stack}-db-final-1", "tag"),
    ("ecs:UpdateService", "arn:aws:ecs:us-east-1:123456789012:service/auction-{stack}/api", "tag"),
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:auction/{stack}/DATABASE-AbCdEf", "tag"),
    ("s3:GetObject", STATE + "/.pulumi/stacks/golive/{stack}.json", ""),
    ("s3:PutObject", STATE + "/golive/releases/auction/{stack}.json", ""),
    ("s3:PutObject", STATE + "/golive/locks/auction/{stack}.json", ""),
    ("s3:DeleteObject", STATE + "/.pulumi/locks/organization/golive/{stack}/1.json", ""),
    ("s3:PutObject", "arn:aws:s3:::auction-{stack}-site-b61196d/index.html", ""),
    ("ssm:PutParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/golive/auction/{stack}/images/api", ""),
    ("logs:DeleteLogGroup", "arn:aws:logs:us-east-1:123456789012:log-group:/golive/auction/{stack}/api", "tag"),
    ("budgets:ModifyBudget", "arn:aws:budgets::123456789012:budget/auction-{stack}-monthly", "tag"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "resource", "tagged"), CROSS_STACK)
def test_the_staging_deploy_role_reaches_staging_and_never_prod(
    staging: Plan, action: str, resource: str, tagged: str
) -> None:
    everything = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    theirs = Call(action, resource.format(stack="prod"), PROD if tagged else {})
    ours = Call(action, resource.format(stack="staging"), STAGING if tagged else {})
    deploy = documents(staging, ci_roles(staging)["deploy"])
    assert allowed(ours, deploy, boundary(staging))
    assert not allowed(theirs, deploy, boundary(staging))
    assert not allowed(theirs, [everything], boundary(staging)), "the boundary alone refuses it"


def test_dns_changes_only_to_the_stacks_names(staging: Plan) -> None:
    zone_id = staging.of_type("aws:route53/record:Record")[0].inputs["zoneId"]
    zone = f"arn:aws:route53:::hostedzone/{zone_id}"
    key = "route53:ChangeResourceRecordSetsNormalizedRecordNames"

    def change(*names: str) -> bool:
        return can(
            staging, "deploy", "route53:ChangeResourceRecordSets", zone, **{key: list(names)}
        )

    assert change("staging.auction.example.com", "_a1b2.origin.staging.auction.example.com")
    assert not change("auction.example.com")
    assert not change("staging.auction.example.com", "www.auction.example.com")


def test_creates_only_tagged_as_the_stack(staging: Plan) -> None:
    vpc = "arn:aws:ec2:us-east-1:123456789012:vpc/*"
    tag = "aws:RequestTag/golive:stack"
    assert can(staging, "deploy", "ec2:CreateVpc", vpc, **{tag: "staging"})
    assert not can(staging, "deploy", "ec2:CreateVpc", vpc, **{tag: "prod"})
    assert not can(staging, "deploy", "ec2:CreateVpc", vpc)
    key = "arn:aws:kms:us-east-1:123456789012:key/new"
    assert can(staging, "deploy", "kms:TagResource", key, **{tag: "staging"})
    assert not can(staging, "deploy", "kms:TagResource", key, **{tag: "staging"}, **PROD)


def test_release_tooling_calls_are_allowed_on_the_stacks_resources(prod: Plan) -> None:
    """ops/permissions.py lists every API call `golive release/rollback/verify` makes in CI."""
    resources = {
        "ssm": ("arn:aws:ssm:us-east-1:123456789012:parameter/golive/auction/prod/images/api", ""),
        "s3": (STATE + "/golive/releases/auction/prod.json", ""),
        "rds": ("arn:aws:rds:us-east-1:123456789012:db:auction-prod-db", "tag"),
        "ecr": ("arn:aws:ecr:us-east-1:123456789012:repository/auction/prod/api", "tag"),
        "ecs": ("arn:aws:ecs:us-east-1:123456789012:service/auction-prod/api", "tag"),
        "iam": ("arn:aws:iam::123456789012:role/auction-prod-api-task-1234567", ""),
        "logs": ("arn:aws:logs:us-east-1:123456789012:log-group:/golive/auction/prod/api:*", "tag"),
        "cloudwatch": ("arn:aws:cloudwatch:us-east-1:123456789012:alarm:auction-prod-api-5xx", ""),
        "sns": ("arn:aws:sns:us-east-1:123456789012:auction-prod-alarms-e852d6d", ""),
        "cloudfront": ("arn:aws:cloudfront::123456789012:distribution/E1", "tag"),
        "secretsmanager": ("arn:aws:secretsmanager:us-east-1:123456789012:secret:auction/prod/X-AbCdEf", "tag"),
        "elasticache": ("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:auction-prod-redis", ""),
    }  # fmt: skip
    special = {
        "s3:ListBucket": STATE,
        "s3:ListBucketVersions": STATE,
        "s3:GetBucketVersioning": STATE,
        "rds:CreateDBSnapshot": "arn:aws:rds:us-east-1:123456789012:snapshot:auction-prod-pre-1",
        "rds:AddTagsToResource": "arn:aws:rds:us-east-1:123456789012:snapshot:auction-prod-pre-1",
        "rds:DescribeDBSnapshots": "arn:aws:rds:us-east-1:123456789012:snapshot:auction-prod-pre-1",
        "ecs:RunTask": "arn:aws:ecs:us-east-1:123456789012:task-definition/auction-prod-db-init:3",
        "ecs:DescribeTasks": "arn:aws:ecs:us-east-1:123456789012:task/auction-prod/abc",
        "ecs:TagResource": "arn:aws:ecs:us-east-1:123456789012:task/auction-prod/abc",
    }
    # RegisterTaskDefinition and RunTask pass the task's roles to ECS's tasks.
    context = {"iam:PassRole": TO_ECS_TASKS}
    missing = []
    for action in sorted(DEPLOY_ROLE_ACTIONS):
        service = action.split(":")[0]
        resource, tagged = resources.get(service, ("*", ""))
        resource = special.get(action, resource)
        if not can(
            prod,
            "deploy",
            action,
            resource,
            **({"aws:ResourceTag/golive:stack": "prod"} if tagged else {}),
            **context.get(action, {}),
        ):
            missing.append(action)
    assert missing == []


# ---------------------------------------------------------------------------- the preview role


def test_the_preview_role_writes_nothing(stack_plan: Plan) -> None:
    plan, stack = stack_plan, stack_plan.stack
    writes = {
        a
        for doc in documents(plan, ci_roles(plan)["deploy"])
        for s in doc["Statement"]
        for a in s["Action"]
        if not a.split(":")[1].startswith(("Describe", "Get", "List", "View", "BatchGet"))
        and a not in {"kms:Decrypt", "logs:FilterLogEvents"}
    }
    preview = documents(plan, ci_roles(plan)["preview"])
    granted = {a for doc in preview for s in doc["Statement"] for a in s["Action"]}
    assert granted & writes == set()
    for key in (f"stacks/golive/{stack}.json", f"locks/organization/golive/{stack}/1.json"):
        assert not can(plan, "preview", "s3:PutObject", f"{STATE}/.pulumi/{key}"), key
    assert not can(plan, "preview", "kms:Encrypt", SECRETS_KEY, **secrets_key(stack))
    assert not can(plan, "preview", "kms:GenerateDataKey", SECRETS_KEY, **secrets_key(stack))


def test_prods_preview_role_reads_prods_state_and_secrets_only(prod: Plan) -> None:
    """What `pulumi preview` of prod reads: its state, and its secret config through prod's
    secrets-provider key (never staging's)."""
    assert can(prod, "preview", "s3:GetObject", STATE + "/.pulumi/stacks/golive/prod.json")
    assert can(prod, "preview", "s3:ListBucket", STATE)
    assert not can(prod, "preview", "s3:GetObject", STATE + "/.pulumi/stacks/golive/staging.json")
    assert can(prod, "preview", "kms:Decrypt", SECRETS_KEY, **secrets_key("prod"))
    assert not can(prod, "preview", "kms:Decrypt", SECRETS_KEY, **secrets_key("staging"))


SECRETS_KEY = "arn:aws:kms:us-east-1:123456789012:key/secrets-1"


def secrets_key(stack: str) -> dict[str, Any]:
    """A stack's secrets-provider key as `golive bootstrap` makes it: its alias and its tag."""
    return {
        "kms:ResourceAliases": [f"alias/golive-secrets-{stack}"],
        "aws:ResourceTag/golive:stack": stack,
    }


@pytest.mark.parametrize("role", ["deploy", "preview"])
def test_each_stacks_roles_decrypt_with_their_own_secrets_key_only(
    stack_plan: Plan, role: str
) -> None:
    own = stack_plan.stack
    other = {"staging": "prod", "prod": "staging"}[own]
    assert can(stack_plan, role, "kms:Decrypt", SECRETS_KEY, **secrets_key(own))
    assert not can(stack_plan, role, "kms:Decrypt", SECRETS_KEY, **secrets_key(other))
    # Nor by its alias alone (a key whose tag was lost).
    alias_only = {"kms:ResourceAliases": [f"alias/golive-secrets-{other}"]}
    assert not can(stack_plan, role, "kms:Decrypt", SECRETS_KEY, **alias_only)


def test_the_preview_role_reads_only_its_own_stack(staging: Plan) -> None:
    own = STATE + "/.pulumi/stacks/golive/staging.json"
    assert can(staging, "preview", "s3:GetObject", own)
    assert not can(staging, "preview", "s3:GetObject", STATE + "/.pulumi/stacks/golive/prod.json")
    assert not can(staging, "preview", "s3:GetObject", "arn:aws:s3:::some-bucket/data.csv")
    param = "arn:aws:ssm:us-east-1:123456789012:parameter/golive/auction/{}/images/api"
    assert can(staging, "preview", "ssm:GetParameter", param.format("staging"))
    assert not can(staging, "preview", "ssm:GetParameter", param.format("prod"))
    assert not can(
        staging, "preview", "ssm:GetParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/other"
    )
    for statement in (
        s for d in documents(staging, ci_roles(staging)["preview"]) for s in d["Statement"]
    ):
        if statement["Resource"] == "*" and "Condition" not in statement:
            assert not [
                a
                for a in statement["Action"]
                if a.startswith(("s3:", "ssm:Get", "secretsmanager:Get"))
            ]


# The tag calls the provider makes on create, update and refresh, per resource type
# (terraform-provider-aws: each resource's `tags` handling through its service's tagging API).
TAG_CALLS = [
    ("arn:aws:budgets::123456789012:budget/auction-staging-monthly", "budgets:ListTagsForResource", ["budgets:TagResource", "budgets:UntagResource"], ""),
    ("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1", "ec2:DescribeTags", ["ec2:CreateTags", "ec2:DeleteTags"], "tag"),
    ("arn:aws:ecs:us-east-1:123456789012:cluster/auction-staging", "ecs:ListTagsForResource", ["ecs:TagResource", "ecs:UntagResource"], ""),
    ("arn:aws:ecr:us-east-1:123456789012:repository/auction/staging/api", "ecr:ListTagsForResource", ["ecr:TagResource", "ecr:UntagResource"], ""),
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/auction-staging-alb-1/1", "elasticloadbalancing:DescribeTags", ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], ""),
    ("arn:aws:rds:us-east-1:123456789012:db:auction-staging-db", "rds:ListTagsForResource", ["rds:AddTagsToResource", "rds:RemoveTagsFromResource"], ""),
    ("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:auction-staging-cache", "elasticache:ListTagsForResource", ["elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource"], ""),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:auction/staging/X-AbCdEf", "secretsmanager:DescribeSecret", ["secretsmanager:TagResource", "secretsmanager:UntagResource"], ""),
    ("arn:aws:kms:us-east-1:123456789012:key/k-1", "kms:ListResourceTags", ["kms:TagResource", "kms:UntagResource"], "tag"),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/golive/auction/staging/api", "logs:ListTagsForResource", ["logs:TagResource", "logs:UntagResource"], ""),
    ("arn:aws:cloudwatch:us-east-1:123456789012:alarm:auction-staging-api-5xx", "cloudwatch:ListTagsForResource", ["cloudwatch:TagResource", "cloudwatch:UntagResource"], ""),
    ("arn:aws:sns:us-east-1:123456789012:auction-staging-alarms-1", "sns:ListTagsForResource", ["sns:TagResource", "sns:UntagResource"], ""),
    ("arn:aws:events:us-east-1:123456789012:rule/auction-staging-task-failures-1", "events:ListTagsForResource", ["events:TagResource", "events:UntagResource"], ""),
    ("arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/abc", "application-autoscaling:ListTagsForResource", ["application-autoscaling:TagResource", "application-autoscaling:UntagResource"], "tag"),
    ("arn:aws:cloudfront::123456789012:distribution/E1", "cloudfront:ListTagsForResource", ["cloudfront:TagResource", "cloudfront:UntagResource"], "tag"),
    ("arn:aws:wafv2:us-east-1:123456789012:global/webacl/auction-staging-waf-1/id", "wafv2:ListTagsForResource", ["wafv2:TagResource", "wafv2:UntagResource"], ""),
    ("arn:aws:acm:us-east-1:123456789012:certificate/c-1", "acm:ListTagsForCertificate", ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"], "tag"),
    ("arn:aws:ssm:us-east-1:123456789012:parameter/golive/auction/staging/images/api", "ssm:ListTagsForResource", ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"], ""),
    ("arn:aws:s3:::auction-staging-site-1", "s3:GetBucketTagging", ["s3:PutBucketTagging"], ""),
    ("arn:aws:iam::123456789012:role/auction-staging-api-task-1", "iam:ListRoleTags", ["iam:TagRole", "iam:UntagRole"], ""),
    ("arn:aws:iam::123456789012:policy/auction-staging-x", "iam:ListPolicyTags", ["iam:TagPolicy", "iam:UntagPolicy"], ""),
]  # fmt: skip


@pytest.mark.parametrize(("resource", "read", "writes", "tagged"), TAG_CALLS)
def test_tags_are_read_by_both_roles_and_written_by_the_deploy_role(
    staging: Plan, resource: str, read: str, writes: list[str], tagged: str
) -> None:
    context = {**(STAGING if tagged else {}), "aws:RequestTag/golive:stack": "staging"}
    assert can(staging, "preview", read, resource, **context)
    assert can(staging, "deploy", read, resource, **context)
    for action in writes:
        assert can(staging, "deploy", action, resource, **context), action
        assert not can(staging, "preview", action, resource, **context), action


# ---------------------------------------------------------------------------- alarms in Slack

CHAT = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"


@pytest.fixture
def slack_staging() -> Plan:
    return slack_plan("staging")


def chat_resources(plan: Plan) -> tuple[str, str]:
    """The ARNs of the stack's chat configuration and of the role it is created with."""
    (channel,) = plan.of_type(CHAT)
    role = next(r for r in plan.of_type(ROLE) if r.outputs["arn"] == channel.inputs["iamRoleArn"])
    return channel.outputs["chatConfigurationArn"], role.outputs["arn"]


def test_the_deploy_role_manages_the_stacks_own_slack_channel(slack_staging: Plan) -> None:
    channel, role = chat_resources(slack_staging)
    to_chat = {"iam:PassedToService": "chatbot.amazonaws.com"}
    # AWS scopes none of these (aws_facts.iam): on `*`.
    for action in ("CreateSlackChannelConfiguration", "DescribeSlackChannelConfigurations",
                   "ListTagsForResource", "TagResource", "UntagResource"):  # fmt: skip
        assert can(slack_staging, "deploy", f"chatbot:{action}", "*"), action
    for action in ("UpdateSlackChannelConfiguration", "DeleteSlackChannelConfiguration"):
        assert can(slack_staging, "deploy", f"chatbot:{action}", channel), action
    assert can(slack_staging, "deploy", "iam:PassRole", role, **to_chat)


def test_the_staging_deploy_role_never_touches_prods_slack_channel(slack_staging: Plan) -> None:
    channel, role = chat_resources(slack_staging)
    everything = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    deploy = documents(slack_staging, ci_roles(slack_staging)["deploy"])
    to_chat = {"iam:PassedToService": "chatbot.amazonaws.com"}
    refused = [
        Call("chatbot:UpdateSlackChannelConfiguration", channel.replace("staging", "prod")),
        Call("chatbot:DeleteSlackChannelConfiguration", channel.replace("staging", "prod")),
        Call("chatbot:DeleteSlackWorkspaceAuthorization", "*"),
        Call("iam:PassRole", role.replace("staging", "prod"), to_chat),
        # Its own chat role, to another service.
        Call("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}),
        Call("iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"}),
    ]
    for call in refused:
        assert not allowed(call, deploy, boundary(slack_staging)), call
        assert not allowed(call, [everything], boundary(slack_staging)), f"boundary: {call}"


def test_the_preview_role_reads_the_slack_channel_and_changes_nothing(
    slack_staging: Plan,
) -> None:
    channel, role = chat_resources(slack_staging)
    for action in ("DescribeSlackChannelConfigurations", "ListTagsForResource"):
        assert can(slack_staging, "preview", f"chatbot:{action}", "*"), action
    for action in ("CreateSlackChannelConfiguration", "TagResource", "UntagResource"):
        assert not can(slack_staging, "preview", f"chatbot:{action}", "*"), action
    for action in ("UpdateSlackChannelConfiguration", "DeleteSlackChannelConfiguration"):
        assert not can(slack_staging, "preview", f"chatbot:{action}", channel), action
    to_chat = {"iam:PassedToService": "chatbot.amazonaws.com"}
    assert not can(slack_staging, "preview", "iam:PassRole", role, **to_chat)


def test_a_stack_without_slack_gets_no_chat_permission(staging: Plan) -> None:
    everything = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    call = Call("chatbot:CreateSlackChannelConfiguration", "*")
    assert staging.of_type(CHAT) == []
    assert not allowed(call, documents(staging, ci_roles(staging)["deploy"]), boundary(staging))
    assert not allowed(call, [everything], boundary(staging)), "not in the ceiling"


# ---------------------------------------------------------------------------- first prod release


def test_prods_first_release_can_pull_the_promoted_image_for_migrate(prod: Plan) -> None:
    """Migrate runs with the new image before it is recorded: prod's execution roles pull it from
    wherever the app's images are (staging's repository on a first promotion)."""
    image = "arn:aws:ecr:us-east-1:123456789012:repository/auction/staging/api"
    services = [
        r for r in prod.of_type(ROLE) if r.name.endswith("-execution") and "db-init" not in r.name
    ]
    assert services
    for role in services:
        for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
            call = Call(action, image, {"aws:ResourceTag/golive:stack": "staging"})
            assert allowed(call, documents(prod, role), boundary(prod)), (role.name, action)


# ---------------------------------------------------------------------------- lookups


def test_without_the_accounts_oidc_provider_the_stack_says_run_bootstrap() -> None:
    registered: list[RecordedResource] = []
    with pytest.raises(ConfigError, match=r"ci\.enabled: .*golive bootstrap --github-oidc"):
        run_program("prod", lookups=Lookups(github_oidc_provider=False), registered=registered)
    assert registered == []


def test_ci_disabled_creates_no_role_and_needs_no_provider() -> None:
    plan = run_program(
        "prod",
        overrides={"ci": {"enabled": False}},
        lookups=Lookups(github_oidc_provider=False),
    )
    assert ci_roles(plan) == {}
    assert plan.outputs["ciDeployRoleArn"] is None
    assert [r for r in plan.of_type(ROLE) if r.inputs.get("permissionsBoundary")] == []


def test_a_boundary_too_large_for_iam_is_a_config_error_before_any_role() -> None:
    statements = [
        {
            "actions": ["s3:GetObject"],
            "resources": [f"arn:aws:s3:::archive-{n:03d}-with-a-long-name/*" for n in range(40)],
        }
    ]
    services = json.loads(raw_config("prod")["golive:services"])
    services["api"]["taskRoleStatements"] = statements
    registered: list[RecordedResource] = []
    with pytest.raises(ConfigError, match=r"taskRoleStatements: .*IAM allows 6144"):
        run_program("prod", overrides={"services": services}, registered=registered)
    assert [r for r in registered if r.type == ROLE] == []
