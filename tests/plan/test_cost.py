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
    # The trial stack lives in ap-southeast-2: priced at Sydney's endpoint hour.
    trial = run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")
    assert estimate(trial).region == "ap-southeast-2"
    items = _items(trial)
    per_az = PRICES["ap-southeast-2"].interface_endpoint_az_hour
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
    assert prices.read_on in result.basis
    nats = len(plan.of_type("aws:ec2/natGateway:NatGateway"))
    assert items[f"NAT gateway (+ ${prices.nat_gb:g}/GB processed)"] == pytest.approx(
        nats * prices.nat_hour * HOURS, abs=0.01
    )
    assert items["RDS db.t4g.small Multi-AZ"] == pytest.approx(
        prices.rds_hour["db.t4g.small"] * 2 * HOURS, abs=0.01
    )
    fargate = (prices.fargate_vcpu_hour + 2 * prices.fargate_gb_hour) * (1 - ARM_DISCOUNT)
    (line,) = [i for i in result.items if i.item.startswith("Fargate")]
    assert line.monthly_usd == pytest.approx(2 * fargate * HOURS, abs=0.01)


def test_the_regions_the_apps_use_and_the_common_others_have_prices() -> None:
    assert set(PRICES) == {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}


# The regional sources' figures (aws_facts/prices.py SOURCES), not us-east-1's: db.t4g.micro,
# gp3 GB-month, cache.t4g.micro, NAT hour and GB, interface endpoint AZ-hour.
SOURCED = {
    "eu-west-1": (0.017, 0.127, 0.017, 0.048, 0.011),
    "eu-central-1": (0.019, 0.137, 0.018, 0.052, 0.012),
    "ap-southeast-2": (0.025, 0.138, 0.024, 0.059, 0.013),
}


@pytest.mark.parametrize("region", sorted(SOURCED))
def test_a_regions_figures_are_its_sources(region: str) -> None:
    micro, gp3, cache_micro, nat, endpoint = SOURCED[region]
    prices = PRICES[region]
    assert prices.rds_hour["db.t4g.micro"] == micro and prices.gp3_gb_month == gp3
    assert prices.cache_hour["cache.t4g.micro"] == cache_micro
    assert prices.nat_hour == prices.nat_gb == nat
    assert prices.interface_endpoint_az_hour == endpoint


@pytest.mark.parametrize("region", ["eu-west-1", "eu-central-1", "ap-southeast-2"])
def test_a_load_balancer_without_a_sourced_price_is_marked_and_left_out_of_the_total(
    region: str,
) -> None:
    result = estimate(run_program("prod", overrides={"aws:region": region}))
    (alb,) = [i for i in result.items if i.item.startswith("Application Load Balancer")]
    assert alb.monthly_usd is None and alb.unpriced
    assert result.unpriced == [alb]
    assert f"1 item(s) with no price for {region}, not in the total" in result.basis
    assert result.fixed_monthly_usd == pytest.approx(
        sum(i.monthly_usd or 0 for i in result.items), abs=0.01
    )
    assert result.to_json()["items"][result.items.index(alb)]["noPrice"] is True


def test_us_west_2_prices_the_load_balancer_at_oregons_hour() -> None:
    result = estimate(run_program("prod", overrides={"aws:region": "us-west-2"}))
    assert result.unpriced == []
    (alb,) = [i for i in result.items if i.item.startswith("Application Load Balancer")]
    assert alb.monthly_usd == pytest.approx(0.0225 * HOURS, abs=0.01)


def test_us_east_1_prices_every_fixed_item(prod: Plan) -> None:
    result = estimate(prod)
    assert result.unpriced == [] and US.alb_hour is not None
    assert _items(prod)["Application Load Balancer (+ LCU usage)"] == pytest.approx(
        US.alb_hour * HOURS, abs=0.01
    )


def test_an_instance_class_the_region_has_no_figure_for_is_marked_no_price() -> None:
    import json

    from tests.conftest import raw_config

    database = json.loads(raw_config("prod")["golive:database"])
    database["instanceClass"] = "db.r6g.2xlarge"
    assert "db.r6g.2xlarge" not in PRICES["eu-west-1"].rds_hour
    plan = run_program("prod", overrides={"aws:region": "eu-west-1", "database": database})
    (line,) = [i for i in estimate(plan).items if i.item.startswith("RDS db.r6g.2xlarge")]
    assert line.monthly_usd is None and line.unpriced


def test_a_budget_the_estimate_cannot_fully_check_is_a_warning() -> None:
    plan = run_program(
        "prod", overrides={"aws:region": "eu-west-1", "budget": {"monthlyUsd": 10_000}}
    )
    (warning,) = estimate(plan).warnings()
    assert "within budget.monthlyUsd $10,000.00" in warning
    assert "no price for eu-west-1: Application Load Balancer" in warning


@pytest.mark.parametrize("region", ["sa-east-1", "eu-west-3", "ap-northeast-1"])
def test_regions_without_sourced_figures_get_none(region: str) -> None:
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
