"""How long a cold deploy and a release take (plan/estimate.py), on small programs whose
schedule is known, on the repository's stacks (their critical chains, resource by resource)
and against the documented figures (docs/deploy-time.md)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pulumi
import pytest

from aws_facts import durations
from ops.waiting import WATCH_WINDOW
from plan.estimate import (
    SMOKE_URL_SECONDS,
    ColdDeploy,
    alarm_bake_seconds,
    cold_deploy,
    markdown,
    release,
    release_settings,
)
from plan.harness import PROJECT_DIR, Plan, load_stack_config, run_program
from stacks.config import StackConfig, parse
from tests.conftest import STACKFILES, cached_plan

DOC = PROJECT_DIR / "docs" / "deploy-time.md"


def config_of(stack: str, stack_file: Path | None = None) -> StackConfig:
    return parse(stack, load_stack_config(stack, stack_file=stack_file)[0])


def chain_of(deploy: ColdDeploy) -> list[tuple[str, str]]:
    return [(link.type.rsplit(":", 1)[-1], link.name) for link in deploy.chain]


# ----------------------------------------------------------------------------- scheduling


class _Box(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("golive:test:Box", name, None, opts)
        self.inner = pulumi.CustomResource(
            "aws:ec2/securityGroup:SecurityGroup",
            f"{name}-inner",
            {},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def _schedule_program() -> None:
    """lb (2.5) -> box (its child waits for lb through the box's depends_on) -> after (waits
    for the box's child); lb -> dist (an input) -> rec (a child of a custom resource)."""
    lb = pulumi.CustomResource("aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "x"})
    box = _Box("box", pulumi.ResourceOptions(depends_on=[lb]))
    pulumi.CustomResource(
        "aws:ec2/securityGroup:SecurityGroup",
        "after",
        {},
        opts=pulumi.ResourceOptions(depends_on=[box]),
    )
    dist = pulumi.CustomResource(
        "aws:cloudfront/distribution:Distribution", "dist", {"comment": lb.id}
    )
    pulumi.CustomResource(
        "aws:route53/record:Record", "rec", {}, opts=pulumi.ResourceOptions(parent=dist)
    )


@pytest.fixture(scope="module")
def scheduled() -> Plan:
    return run_program(
        "trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=_schedule_program
    )


def test_the_harness_records_what_pulumi_waits_on(scheduled: Plan) -> None:
    by_name = {r.name: r for r in scheduled.resources}
    lb, box = by_name["lb"].urn, by_name["box"].urn
    # A component's depends_on is its own; its child waits through its parent.
    assert by_name["box"].dependencies == [lb]
    assert by_name["box-inner"].dependencies == [] and by_name["box-inner"].parent == box
    # depends_on a component: the SDK expands it to the custom resources under it.
    assert by_name["after"].dependencies == [by_name["box-inner"].urn]
    # An input's resource; a custom parent.
    assert by_name["dist"].dependencies == [lb]
    assert by_name["rec"].parent == by_name["dist"].urn and by_name["rec"].dependencies == []


def test_a_resource_starts_once_its_inputs_depends_on_and_parent_are_done(
    scheduled: Plan,
) -> None:
    deploy = cold_deploy(scheduled)
    alb = durations.LOAD_BALANCER
    cloudfront, record = durations.CLOUDFRONT_DISTRIBUTION, durations.ROUTE53_RECORD
    assert chain_of(deploy) == [
        ("LoadBalancer", "lb"),
        ("Distribution", "dist"),
        ("Record", "rec"),
    ]
    done = {link.name: link.done_at for link in deploy.chain}
    assert done["rec"] == pytest.approx(alb.typical + cloudfront.typical + record.typical)
    assert deploy.typical == pytest.approx(done["rec"])
    assert deploy.upper == pytest.approx(alb.upper + cloudfront.upper + record.upper)


def test_a_childs_wait_through_its_component_can_make_the_chain() -> None:
    def program() -> None:
        lb = pulumi.CustomResource("aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "x"})
        _Box("box", pulumi.ResourceOptions(depends_on=[lb]))

    deploy = cold_deploy(
        run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)
    )
    assert chain_of(deploy) == [("LoadBalancer", "lb"), ("SecurityGroup", "box-inner")]


# ----------------------------------------------------------------------------- the stacks


STAGING_CHAIN = [
    ("Certificate", "auction-staging-edge"),
    ("Record", "auction-staging-validation-origin.staging.auction.example.com"),
    ("CertificateValidation", "auction-staging-edge-validation"),
    ("Listener", "auction-staging-https"),
    ("ListenerRule", "auction-staging-api-rule"),
    ("Distribution", "auction-staging-distribution"),
    ("Record", "auction-staging-staging.auction.example.com-a"),
]
"""publicAlb: certificate validation, the ALB accepting the origin header, the distribution,
its alias. No VPC origin."""
PROD_CHAIN = [
    ("Vpc", "auction-prod-vpc"),
    ("Subnet", "auction-prod-isolated-a"),
    ("SubnetGroup", "auction-prod-db-subnets"),
    ("Instance", "auction-prod-db"),
    ("TaskDefinition", "auction-prod-api-taskdef"),
    ("Service", "auction-prod-api-service"),
    ("MetricAlarm", "auction-prod-api-cpu"),
    ("Dashboard", "auction-prod-dashboard"),
]
"""The Multi-AZ database, then the API (its task definition holds DB_HOST), its alarms."""


def test_staging_cold_deploy_waits_on_the_certificate_and_the_distribution() -> None:
    deploy = cold_deploy(cached_plan("staging"))
    assert chain_of(deploy) == STAGING_CHAIN
    assert deploy.typical == pytest.approx(sum(link.minutes.typical for link in deploy.chain))
    assert deploy.typical == pytest.approx(10.55)


def test_prod_cold_deploy_is_the_multi_az_database_plus_the_api() -> None:
    deploy = cold_deploy(cached_plan("prod"))
    assert chain_of(deploy) == PROD_CHAIN
    assert deploy.typical <= durations.RDS_INSTANCE_MULTI_AZ.typical + 3
    assert deploy.upper <= durations.RDS_INSTANCE_MULTI_AZ.upper + 5


def test_a_vpc_origin_stack_waits_on_its_vpc_origin() -> None:
    """staging with `cdn.origin: vpc`, as it was: the VPC origin's 10-15 minutes lead."""
    cdn = json.loads(load_stack_config("staging")[0]["golive:cdn"])
    plan = run_program("staging", overrides={"cdn": {**cdn, "origin": "vpc"}})
    deploy = cold_deploy(plan)
    names = [name for _, name in chain_of(deploy)]
    assert names[names.index("auction-staging-alb") :] == [
        "auction-staging-alb",
        "auction-staging-vpc-origin",
        "auction-staging-alb-from-cloudfront",
        "auction-staging-distribution",
        "auction-staging-staging.auction.example.com-a",
    ]
    assert deploy.typical - cold_deploy(cached_plan("staging")).typical > 9


def test_nothing_waits_on_the_database_but_what_reads_its_address_or_master_secret() -> None:
    """Alarms and the dashboard only name the instance: they need not wait 5-20 minutes."""
    for stack in ("staging", "prod"):
        plan = cached_plan(stack)
        database = plan.one("aws:rds/instance:Instance").urn
        waiting = sorted(
            (r.type.rsplit(":", 1)[-1], r.name)
            for r in plan.resources
            if database in r.dependencies
        )
        assert waiting == [
            ("RolePolicy", f"auction-{stack}-db-init-execution-policy"),  # the master secret
            # the connection URLs in the database secret hold its address
            ("SecretVersion", f"auction-{stack}-secret-DATABASE-version"),
            ("TaskDefinition", f"auction-{stack}-api-taskdef"),  # DB_HOST
            ("TaskDefinition", f"auction-{stack}-create-admin-taskdef"),
            ("TaskDefinition", f"auction-{stack}-db-init-taskdef"),
            ("TaskDefinition", f"auction-{stack}-seed-taskdef"),
        ], stack


def _documented() -> dict[str, tuple[float, float]]:
    """docs/deploy-time.md's create figures by row label (a type, or a type with an input)."""
    rows = re.findall(
        r"^\| (`[^|]+|any other type) \| ([\d.]+) \| ([\d.]+) \|", DOC.read_text(), re.M
    )
    return {
        label.replace("`", ""): (float(typical), float(upper)) for label, typical, upper in rows
    }


def test_docs_deploy_time_md_is_generated_from_the_figures() -> None:
    assert DOC.read_text() == markdown(), (
        "run: .venv/bin/python -m plan.estimate > docs/deploy-time.md"
    )


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_resource_takes_its_documented_time(stack: str) -> None:
    documented = _documented()
    plan = cached_plan(stack)
    for resource in (r for r in plan.resources if r.custom):
        inputs = resource.plain_inputs()
        variant = durations.VARIANTS.get(resource.type)
        label = resource.type
        if variant is not None and inputs.get(variant[0]) == variant[1]:
            shown = str(variant[1]).lower() if isinstance(variant[1], bool) else variant[1]
            label = f"{resource.type} with {variant[0]}: {shown}"
        expected = documented.get(label, documented["any other type"])
        minutes = durations.create_minutes(resource.type, inputs)
        assert (minutes.typical, minutes.upper) == expected, resource.name


def test_the_reported_creation_times_are_the_ones_the_estimate_uses() -> None:
    """RDS 5-8 (Multi-AZ 14-20), ALB ~2.5, NAT ~2, ACM 1.5-9, CloudFront 3-4, VPC origin 10-15,
    ECS 1-3 minutes: the middle of each range is typical, its top the upper bound."""
    documented = _documented()
    assert documented["aws:rds/instance:Instance"] == (6.5, 8)
    assert documented["aws:rds/instance:Instance with multiAz: true"] == (17, 20)
    assert documented["aws:lb/loadBalancer:LoadBalancer"][0] == 2.5
    assert documented["aws:ec2/natGateway:NatGateway"][0] == 2
    assert documented["aws:acm/certificateValidation:CertificateValidation"] == (5.25, 9)
    assert documented["aws:cloudfront/distribution:Distribution"] == (3.5, 4)
    assert documented["aws:cloudfront/vpcOrigin:VpcOrigin"] == (12.5, 15)
    assert documented["aws:ecs/service:Service"] == (2, 3)


# ----------------------------------------------------------------------------- release


def _steps(stack: str, stack_file: Path | None = None) -> dict[str, tuple[float, bool]]:
    steps = release(release_settings(config_of(stack, stack_file))).steps
    return {s.name: (round(s.minutes.typical, 3), s.counted) for s in steps}


def test_a_release_runs_what_the_stack_file_asks_for() -> None:
    staging, prod = _steps("staging"), _steps("prod")
    assert "snapshot" in prod and "snapshot" not in staging  # protect: true in prod
    assert "migrate" not in prod, "the Auction stacks define no migrate task"
    assert prod["db-init"][1] is False and prod["site"][1] is False  # first release, --site
    bake = alarm_bake_seconds() / 60
    rollout = 0.75 + 20 / 60 + 30 / 60 + 0.05 + bake  # start, 2 checks, 30 s drain, stop, bake
    assert staging["rollout"] == (round(rollout, 3), True)
    assert staging["verify"][0] == pytest.approx(0.1 + 2)


def test_release_time_follows_the_stack_files_settings() -> None:
    with_migrate = STACKFILES / "Pulumi.tracker.yaml"
    tracker = config_of("tracker", with_migrate)
    assert "migrate" in tracker.tasks
    assert _steps("tracker", with_migrate)["migrate"][1] is True
    base = release_settings(config_of("staging"))
    slower = dataclasses.replace(
        base,
        rollouts=tuple(
            dataclasses.replace(r, deregistration_delay_seconds=r.deregistration_delay_seconds + 30)
            for r in base.rollouts
        ),
    )
    assert release(slower).typical - release(base).typical == pytest.approx(0.5)


def test_smoke_tests_and_bake_time_count_in_full() -> None:
    base = dataclasses.replace(
        release_settings(config_of("prod")), smoke_urls=0, smoke_task=False, bake_seconds=0
    )
    longer = dataclasses.replace(base, smoke_urls=3, bake_seconds=15 * 60)
    extra = (3 * SMOKE_URL_SECONDS + 15 * 60) / 60
    assert release(longer).typical - release(base).typical == pytest.approx(extra)
    assert release(longer).upper - release(base).upper == pytest.approx(extra)
    with_task = dataclasses.replace(base, smoke_task=True)
    assert release(with_task).typical > release(base).typical


def test_the_stack_files_smoke_tests_and_bake_time_are_read() -> None:
    """`release.smoke` and `release.bakeMinutes` of the stack file, the bake beyond verify's
    own watch window (the bake replaces it)."""
    cfg = config_of("prod")
    settings = release_settings(cfg)
    assert settings.smoke_urls == len(cfg.release.smoke.urls)
    assert settings.smoke_task == (cfg.release.smoke.task is not None)
    assert settings.bake_seconds == max(0, (cfg.release.bake_minutes or 0) * 60 - WATCH_WINDOW)
