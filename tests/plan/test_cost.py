"""The monthly cost estimate counts what the plan declares, at list prices."""

from __future__ import annotations

import pytest

from aws_facts.prices import ARM_DISCOUNT, PRICES, PUBLIC_IPV4_HOUR, SPOT_DISCOUNT
from plan.cost import HOURS, estimate, runs_a_month
from plan.harness import Plan, run_program
from tests.conftest import STACKFILES

US = PRICES["us-east-1"]


def _items(plan: Plan) -> dict[str, float | None]:
    return {i.item: i.monthly_usd for i in estimate(plan).items}


def test_nat_gateways_and_their_addresses_are_priced_per_gateway(prod: Plan, staging: Plan) -> None:
    for plan in (prod, staging):
        nats = len(plan.of_type("aws:ec2/natGateway:NatGateway"))
        items = _items(plan)
        assert items.get("NAT gateway (+ $0.045/GB processed)", 0.0) == pytest.approx(
            nats * US.nat_hour * HOURS, abs=0.01
        )
        addresses = items.get("Public IPv4 addresses (NAT gateways, internet-facing load balancer)")
        # An internet-facing ALB (staging's public-ALB origin) holds one address per subnet.
        alb_addresses = sum(
            len(lb.inputs["subnets"])
            for lb in plan.of_type("aws:lb/loadBalancer:LoadBalancer")
            if not lb.inputs.get("internal")
        )
        expected = (nats + alb_addresses) * PUBLIC_IPV4_HOUR * HOURS
        assert (addresses or 0.0) == pytest.approx(expected, abs=0.01)


def test_prod_costs_more_than_staging(prod: Plan, staging: Plan) -> None:
    assert estimate(prod).fixed_monthly_usd > estimate(staging).fixed_monthly_usd > 0  # type: ignore[operator]


def test_interface_endpoints_are_priced_per_az() -> None:
    # The trial stack lives in ap-southeast-2, which has no prices: priced here in us-east-1.
    trial = run_program(
        "trial",
        stack_file=STACKFILES / "Pulumi.trial.yaml",
        overrides={"aws:region": "us-east-1"},
    )
    items = _items(trial)
    per_az = US.interface_endpoint_az_hour
    assert items["Interface endpoint secretsmanager"] == pytest.approx(3 * per_az * HOURS, abs=0.01)
    assert not [item for item in items if item.startswith("NAT gateway")]


def test_fixed_total_is_the_sum_of_priced_items(prod: Plan) -> None:
    result = estimate(prod)
    assert result.fixed_monthly_usd == pytest.approx(
        sum(i.monthly_usd or 0 for i in result.items), abs=0.01
    )
    assert result.to_json()["fixedMonthlyUsd"] == result.fixed_monthly_usd


def test_fargate_is_priced_at_the_counts_services_run_once_released(prod: Plan) -> None:
    (line,) = [i for i in estimate(prod).items if i.item.startswith("Fargate")]
    # Pulumi.prod.yaml: api at 1 vCPU / 2 GB on ARM64, autoscaling from 2 tasks.
    expected = 2 * (US.fargate_vcpu_hour + 2 * US.fargate_gb_hour) * (1 - ARM_DISCOUNT) * HOURS
    assert line.quantity == "2 task(s) once released"
    assert line.monthly_usd == pytest.approx(expected, abs=0.01)


def test_on_demand_base_tasks_are_priced_at_the_full_fargate_rate() -> None:
    import json

    from tests.conftest import raw_config

    services = json.loads(raw_config("staging")["golive:services"])
    assert services["api"]["spot"] is True
    full = (0.25 * US.fargate_vcpu_hour + 0.5 * US.fargate_gb_hour) * HOURS
    for base, expected in ((0, full * (1 - SPOT_DISCOUNT)), (1, full)):
        services["api"]["onDemandBase"] = base
        plan = run_program("staging", overrides={"services": services})
        (line,) = [i for i in estimate(plan).items if i.item.startswith("Fargate")]
        assert line.monthly_usd == pytest.approx(expected, abs=0.01), base


def test_tasks_on_public_ips_pay_for_their_addresses(staging: Plan) -> None:
    # Staging: nat none, one API task once released (autoscaling minCount 1) on a public IP.
    line = _items(staging)[
        "Public IPv4 addresses of tasks (+ one-off and scheduled tasks while they run)"
    ]
    assert line == pytest.approx(1 * PUBLIC_IPV4_HOUR * HOURS, abs=0.01)


def test_an_internet_facing_load_balancer_pays_for_an_address_per_subnet() -> None:
    from plan.harness import RecordedResource

    plan = run_program("staging")
    (lb,) = plan.of_type("aws:lb/loadBalancer:LoadBalancer")
    public = RecordedResource(**{**lb.__dict__, "inputs": {**lb.inputs, "internal": False}})
    plan.resources[plan.resources.index(lb)] = public
    line = _items(plan)["Public IPv4 addresses (NAT gateways, internet-facing load balancer)"]
    assert line == pytest.approx(len(lb.inputs["subnets"]) * PUBLIC_IPV4_HOUR * HOURS, abs=0.01)


@pytest.mark.parametrize("region", sorted(PRICES))
def test_each_priced_region_prices_the_stack_with_its_own_figures(region: str) -> None:
    plan = run_program("prod", overrides={"aws:region": region})
    result = estimate(plan)
    prices = PRICES[region]
    items = _items(plan)
    assert result.region == region and region in result.basis
    nats = len(plan.of_type("aws:ec2/natGateway:NatGateway"))
    assert items[f"NAT gateway (+ ${prices.nat_gb:g}/GB processed)"] == pytest.approx(
        nats * prices.nat_hour * HOURS, abs=0.01
    )
    assert items["Application Load Balancer (+ LCU usage)"] == pytest.approx(
        prices.alb_hour * HOURS, abs=0.01
    )
    assert items["RDS db.t4g.small Multi-AZ"] == pytest.approx(
        prices.rds_hour["db.t4g.small"] * 2 * HOURS, abs=0.01
    )


def test_only_regions_whose_figures_were_checked_have_prices() -> None:
    assert set(PRICES) == {"us-east-1", "us-west-2"}


@pytest.mark.parametrize("region", ["eu-west-1", "eu-central-1", "ap-southeast-2"])
def test_regions_without_checked_figures_get_none(region: str) -> None:
    result = estimate(run_program("prod", overrides={"aws:region": region}))
    assert result.fixed_monthly_usd is None
    assert result.basis.startswith(f"no prices for {region}")


def test_a_schedule_ticking_every_minute_costs_as_much_as_a_task_that_never_stops() -> None:
    plan = run_program("prod", stack_file=STACKFILES / "transit" / "Pulumi.prod.yaml")
    (tick,) = [i for i in estimate(plan).items if "score-tick" in i.item]
    # 0.25 vCPU / 0.5 GB on Fargate Spot, billed a minute a run at least, 60 runs an hour.
    hourly = 0.25 * US.fargate_vcpu_hour + 0.5 * US.fargate_gb_hour
    assert tick.quantity == "rate(1 minute)"
    assert tick.monthly_usd == pytest.approx(hourly * (1 - SPOT_DISCOUNT) * HOURS, abs=0.01)


@pytest.mark.parametrize(
    ("expression", "runs"),
    [("rate(1 minute)", HOURS * 60), ("rate(5 minutes)", HOURS * 12), ("rate(1 day)", HOURS / 24)],
)
def test_a_rate_schedule_runs_a_known_number_of_times_a_month(expression: str, runs: float) -> None:
    assert runs_a_month(expression) == pytest.approx(runs)


def test_a_cron_schedule_has_no_figure_rather_than_a_guess() -> None:
    assert runs_a_month("cron(0 3 * * ? *)") is None


def test_a_region_without_prices_says_so_instead_of_borrowing_us_east_1s() -> None:
    plan = run_program("prod", overrides={"aws:region": "sa-east-1"})
    result = estimate(plan)
    assert result.fixed_monthly_usd is None
    assert all(item.monthly_usd is None for item in result.items)
    assert result.basis.startswith("no prices for sa-east-1: golive has list prices for us-east-1")
    assert result.to_json()["fixedMonthlyUsd"] is None


def test_an_estimate_above_the_budget_is_a_warning() -> None:
    plan = run_program("prod", overrides={"budget": {"monthlyUsd": 50}})
    (warning,) = estimate(plan).warnings()
    assert (
        warning.startswith("the fixed monthly estimate $")
        and "exceeds budget.monthlyUsd $50.00" in warning
    )
    assert (
        estimate(run_program("prod", overrides={"budget": {"monthlyUsd": 10_000}})).warnings() == []
    )
    unpriced = run_program(
        "prod", overrides={"aws:region": "sa-east-1", "budget": {"monthlyUsd": 50}}
    )
    assert "no prices for sa-east-1" in estimate(unpriced).warnings()[0]
