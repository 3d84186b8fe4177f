"""The monthly cost estimate counts what the plan declares, at list prices."""

from __future__ import annotations

import pytest

from plan.cost import HOURS, NAT_HOUR, PUBLIC_IPV4_HOUR, estimate
from plan.harness import Plan, run_program
from tests.conftest import STACKFILES


def _items(plan: Plan) -> dict[str, float | None]:
    return {i.item: i.monthly_usd for i in estimate(plan).items}


def test_nat_gateways_and_their_addresses_are_priced_per_gateway(prod: Plan, staging: Plan) -> None:
    for plan in (prod, staging):
        nats = len(plan.of_type("aws:ec2/natGateway:NatGateway"))
        items = _items(plan)
        assert items.get("NAT gateway (+ $0.045/GB processed)", 0.0) == pytest.approx(
            nats * NAT_HOUR * HOURS, abs=0.01
        )
        assert items.get("Public IPv4 addresses", 0.0) >= nats * PUBLIC_IPV4_HOUR * HOURS - 0.01  # type: ignore[operator]


def test_prod_costs_more_than_staging(prod: Plan, staging: Plan) -> None:
    assert estimate(prod).fixed_monthly_usd > estimate(staging).fixed_monthly_usd > 0


def test_interface_endpoints_are_priced_per_az() -> None:
    trial = run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")
    items = _items(trial)
    assert items["Interface endpoint secretsmanager"] == pytest.approx(3 * 0.01 * HOURS, abs=0.01)
    assert "NAT gateway (+ $0.045/GB processed)" not in items


def test_fixed_total_is_the_sum_of_priced_items(prod: Plan) -> None:
    result = estimate(prod)
    assert result.fixed_monthly_usd == pytest.approx(
        sum(i.monthly_usd or 0 for i in result.items), abs=0.01
    )
    assert result.to_json()["fixedMonthlyUsd"] == result.fixed_monthly_usd


def test_fargate_is_priced_at_the_counts_services_run_once_released(prod: Plan) -> None:
    from plan.cost import ARM_DISCOUNT, FARGATE_GB_HOUR, FARGATE_VCPU_HOUR

    (line,) = [i for i in estimate(prod).items if i.item.startswith("Fargate")]
    # Pulumi.prod.yaml: api at 1 vCPU / 2 GB on ARM64, autoscaling from 2 tasks.
    expected = 2 * (FARGATE_VCPU_HOUR + 2 * FARGATE_GB_HOUR) * (1 - ARM_DISCOUNT) * HOURS
    assert line.quantity == "2 task(s) once released"
    assert line.monthly_usd == pytest.approx(expected, abs=0.01)


def test_on_demand_base_tasks_are_priced_at_the_full_fargate_rate() -> None:
    import json

    from plan.cost import FARGATE_GB_HOUR, FARGATE_VCPU_HOUR, SPOT_DISCOUNT
    from tests.conftest import raw_config

    services = json.loads(raw_config("staging")["golive:services"])
    assert services["api"]["spot"] is True
    full = (0.25 * FARGATE_VCPU_HOUR + 0.5 * FARGATE_GB_HOUR) * HOURS
    for base, expected in ((0, full * (1 - SPOT_DISCOUNT)), (1, full)):
        services["api"]["onDemandBase"] = base
        plan = run_program("staging", overrides={"services": services})
        (line,) = [i for i in estimate(plan).items if i.item.startswith("Fargate")]
        assert line.monthly_usd == pytest.approx(expected, abs=0.01), base
