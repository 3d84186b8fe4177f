"""The five real systems golive serves, each as its team writes a staging and a prod stack file
from the README (tests/stackfiles/<system>/, and the repository's own files for the auction):
every file plans, passes its controls under mandatory enforcement with every exception listed,
and builds what the team asked for."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from rich.text import Text
from typer.testing import CliRunner

from ops.cli import app
from plan.cost import estimate
from plan.harness import PROJECT_DIR, Plan, run_program
from policies.model import Status
from policies.report import ControlsReport, evaluate, exceptions_table
from stacks.config import StackConfig, parse
from tests.conftest import STACKFILES

SYSTEMS = {
    "auction": PROJECT_DIR,
    "liveevent": STACKFILES / "liveevent",
    "trading": STACKFILES / "trading",
    "pool": STACKFILES / "pool",
    "transit": STACKFILES / "transit",
}
"""Each system's directory of `Pulumi.staging.yaml` and `Pulumi.prod.yaml`."""
FILES = [(system, stack) for system in SYSTEMS for stack in ("staging", "prod")]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SERVICE = "aws:ecs/service:Service"
runner = CliRunner()


def stack_file(system: str, stack: str) -> Path:
    return SYSTEMS[system] / f"Pulumi.{stack}.yaml"


@functools.cache
def planned(system: str, stack: str) -> Plan:
    return run_program(stack, stack_file=stack_file(system, stack))


def config(system: str, stack: str) -> StackConfig:
    return parse(stack, planned(system, stack).config)


def report(system: str, stack: str) -> ControlsReport:
    return evaluate(planned(system, stack).resources, config(system, stack).policy)


def lines(path: Path) -> int:
    """Lines that are neither blank nor comments."""
    text = path.read_text().splitlines()
    return sum(1 for line in text if line.strip() and not line.lstrip().startswith("#"))


# ----------------------------------------------------------------------------- controls


@pytest.mark.parametrize(("system", "stack"), FILES)
def test_every_file_passes_its_mandatory_controls(system: str, stack: str) -> None:
    result = report(system, stack)
    assert result.enforcement == "mandatory"
    assert not result.with_status(Status.FAIL), result.to_json()
    assert not result.rejected_exceptions and not result.blocking
    # Nothing waived silently: every exception is declared (its reason and where) and listed.
    declared = config(system, stack).policy.declared_exceptions()
    for excepted in result.with_status(Status.EXCEPTION):
        assert excepted.exception is not None and excepted.exception.reason.strip()
        assert excepted.exception == excepted.control.declared_exception(declared)
    assert result.unused_exceptions == ()  # what a stack file declares itself, it needs


@pytest.mark.parametrize(("system", "stack"), FILES)
def test_golive_plan_controls_passes_each_file(system: str, stack: str) -> None:
    result = runner.invoke(
        app, ["plan", stack, "--controls", "--stack-file", str(stack_file(system, stack))]
    )
    assert result.exit_code == 0, result.output
    assert " 0 fail," in result.output and "(mandatory)" in result.output
    if config(system, stack).policy.declared_exceptions():
        assert "Declared exceptions" in result.output


def test_staging_takes_the_staging_profile_and_prod_the_baseline() -> None:
    for system in SYSTEMS:
        assert config(system, "staging").policy.profiles == ["staging"]
        assert config(system, "prod").policy.profiles == ["baseline"]
        assert config(system, "prod").protect and not config(system, "staging").protect


def test_a_budget_bound_prod_declares_its_public_ips_and_the_report_shows_it_in_bold() -> None:
    """The transit team runs prod without NAT: ECS.2, declared with a reason, in bold."""
    policy = config("transit", "prod").policy
    assert set(policy.exceptions) == {"ECS.2"} and "budget" in policy.exceptions["ECS.2"]
    table = exceptions_table(report("transit", "prod"))
    ids, _, sources, _, here = (list(column.cells) for column in table.columns)
    row = [str(cell) for cell in ids].index("ECS.2")
    assert (sources[row], str(here[row])) == ("stack file", "applies")
    assert isinstance(ids[row], Text) and ids[row].style == "bold"
    medium = [str(cell) for cell in ids].index("EC2.10")  # a medium-severity one is not bold
    assert isinstance(ids[medium], Text) and ids[medium].style == ""


@pytest.mark.parametrize(
    "path",
    [stack_file("auction", "staging"), stack_file("auction", "prod")]
    + [stack_file("liveevent", s) for s in ("staging", "prod")],
    ids=["auction-staging", "auction-prod", "liveevent-staging", "liveevent-prod"],
)
def test_a_web_and_postgres_app_fits_in_40_lines(path: Path) -> None:
    assert lines(path) <= 40


# ----------------------------------------------------------------------------- what each built


def _service(plan: Plan, name: str) -> dict[str, object]:
    return plan.outputs["services"][name]


def test_live_event_fastapi_serves_every_path_and_migrates_on_release() -> None:
    for stack, size in (("staging", ("256", "512")), ("prod", ("1024", "2048"))):
        plan = planned("liveevent", stack)
        assert plan.outputs["staticSite"] is None  # no static site: the container serves '/'
        assert report("liveevent", stack).by_id()["CloudFront.1"].status is Status.NOT_APPLICABLE
        distribution = plan.one("aws:cloudfront/distribution:Distribution").inputs
        assert "defaultRootObject" not in distribution  # the container answers '/'
        assert _service(plan, "api")["healthCheckPath"] == "/api/v1/health/"
        assert "migrate" in plan.outputs["tasks"]
        definition = plan.named(f"liveevent-{stack}-api-taskdef").inputs
        assert (definition["cpu"], definition["memory"]) == size
        (container,) = json.loads(definition["containerDefinitions"])
        assert "http://localhost:8000/live" in container["healthCheck"]["command"][-1]
    classes = [config("liveevent", s).database for s in ("staging", "prod")]
    assert [c.instance_class for c in classes if c] == ["db.t4g.micro", "db.t4g.medium"]


def test_trading_dashboard_routes_two_host_names_in_sydney_with_redis() -> None:
    for stack, domain in (("staging", "staging.trade.example.com"), ("prod", "trade.example.com")):
        plan = planned("trading", stack)
        assert config("trading", stack).region == "ap-southeast-2"
        rules = {
            r.name: r.inputs["conditions"][0]["hostHeader"]["values"]
            for r in plan.of_type("aws:lb/listenerRule:ListenerRule")
        }
        assert rules == {
            f"trading-{stack}-backend-rule": [f"api.{domain}"],
            f"trading-{stack}-frontend-rule": [domain],
        }
        (alb_certificate,) = [
            c
            for c in plan.of_type("aws:acm/certificate:Certificate")
            if c.name == f"trading-{stack}-alb"  # the load balancer's, in the stack's region
        ]
        assert {domain, f"api.{domain}"} <= set(alb_certificate.inputs["subjectAlternativeNames"])
        assert plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs["engine"] == (
            "redis"
        )
        backend = plan.named(f"trading-{stack}-backend-taskdef").inputs
        (container,) = json.loads(backend["containerDefinitions"])
        exchange = [s["name"] for s in container["secrets"] if s["name"].startswith("EXCHANGE_")]
        assert len(exchange) == 6
        assert plan.of_type("aws:cloudwatch/dashboard:Dashboard")
        assert {a.inputs["name"] for a in plan.of_type(ALARM)} >= {
            f"trading-{stack}-backend-cpu",
            f"trading-{stack}-rds-free-storage",
        }


def test_pool_manager_nextjs_with_redis_and_its_error_trackers_dsn() -> None:
    for stack in ("staging", "prod"):
        plan = planned("pool", stack)
        cfg = config("pool", stack)
        assert list(cfg.services) == ["web"] and cfg.cache is not None
        assert cfg.database is not None and cfg.database.backup_retention_days == 7
        assert "SENTRY_DSN" in plan.outputs["externalSecrets"]
        assert "migrate" in plan.outputs["tasks"]
    prod_cache = config("pool", "prod").cache
    assert prod_cache is not None and prod_cache.multi_az and prod_cache.nodes == 2


def test_transit_tracker_worker_schedule_and_budget() -> None:
    for stack in ("staging", "prod"):
        plan = planned("transit", stack)
        feeds = _service(plan, "feeds")
        assert feeds["targetGroupArn"] is None
        worker = next(
            s for s in plan.of_type(SERVICE) if s.name == f"transit-{stack}-feeds-service"
        )
        assert worker.inputs["alarms"]["alarmNames"] == [f"transit-{stack}-feeds-tasks-missing"]
        assert plan.outputs["schedules"]["score-tick"]["expression"] == "rate(1 minute)"
        assert plan.outputs["schedules"]["score-tick"]["service"] == "web"
        assert plan.one("aws:elasticache/replicationGroup:ReplicationGroup")
    budget = planned("transit", "prod").one("aws:budgets/budget:Budget").inputs
    assert float(budget["limitAmount"]) == 100


def test_transit_prod_costs_what_the_team_budgeted_before_usage() -> None:
    """~$92 a month fixed (DESIGN: the transit team's figure), under the $100 budget alert,
    every item priced at Oregon's figures."""
    result = estimate(planned("transit", "prod"))
    assert result.budget_usd == 100 and result.region == "us-west-2"
    assert result.unpriced == []
    assert result.fixed_monthly_usd is not None and result.fixed_monthly_usd <= 92
    assert result.warnings() == []


def test_trading_dashboard_is_priced_at_sydneys_list_prices() -> None:
    """ap-southeast-2 has prices again: every fixed item but the load balancer's hour (no
    public copy of Sydney's figure was found) is priced at Sydney's figures."""
    from aws_facts.prices import PRICES

    sydney = PRICES["ap-southeast-2"]
    for stack, budget in (("staging", 150), ("prod", 900)):
        result = estimate(planned("trading", stack))
        assert result.region == "ap-southeast-2" and result.prices is sydney
        assert result.fixed_monthly_usd is not None and result.fixed_monthly_usd < budget
        assert [i.item for i in result.unpriced] == ["Application Load Balancer (+ LCU usage)"]
        (warning,) = result.warnings()
        assert "no price for ap-southeast-2: Application Load Balancer" in warning
    items = {i.item: i.monthly_usd for i in estimate(planned("trading", "prod")).items}
    assert items["RDS db.m7g.large Multi-AZ"] == pytest.approx(
        sydney.rds_hour["db.m7g.large"] * 2 * 730, abs=0.01
    )
    assert items["ElastiCache cache.t4g.small (redis)"] == pytest.approx(
        sydney.cache_hour["cache.t4g.small"] * 2 * 730, abs=0.01
    )
