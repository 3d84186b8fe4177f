"""The dashboard (components/dashboard.py) the monitoring component declares over its alarms'
metrics (tests/components/monitoring_plans.py builds it standalone)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.monitoring import MonitoringArgs
from plan.harness import Plan
from tests.components.monitoring_plans import (
    ACCOUNT,
    ALARM,
    DISTRIBUTION,
    EXPECTED_ALARMS,
    KEY_ARN,
    PREFIX,
    build,
    full_plan,
    metrics_of,
)


@pytest.fixture(scope="module")
def full() -> Plan:
    return full_plan()


def dashboard_rows(plan: Plan) -> list[tuple[dict[str, Any], list[Any]]]:
    body = json.loads(plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    return [
        (widget, row)
        for widget in body["widgets"]
        if widget["type"] == "metric"
        for row in widget["properties"]["metrics"]
    ]


def test_dashboard_graphs_only_metrics_of_the_resources_handed_in(full: Plan) -> None:
    alarmed = {
        (m["namespace"], m["metricName"], tuple(sorted(m["dimensions"].items())))
        for a in full.of_type(ALARM)
        for m in metrics_of(a)
    }
    cloudfront_requests = (
        "AWS/CloudFront",
        "Requests",
        (("DistributionId", DISTRIBUTION), ("Region", "Global")),
    )
    graphed: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    for widget, row in dashboard_rows(full):
        namespace, name, *rest = row
        if rest and isinstance(rest[-1], dict):
            rest = rest[:-1]
        dims = tuple(sorted(zip(rest[::2], rest[1::2], strict=True)))
        graphed.add((namespace, name, dims))
        expected_region = "us-east-1" if namespace == "AWS/CloudFront" else "ap-southeast-2"
        assert widget["properties"]["region"] == expected_region
    # Everything alarmed is graphed, and nothing is graphed that is not a metric of the stack.
    assert graphed == alarmed | {cloudfront_requests}


def test_dashboard_is_named_for_the_stack_and_lists_the_regional_alarms(full: Plan) -> None:
    dashboard = full.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == PREFIX
    body = json.loads(dashboard.inputs["dashboardBody"])
    (status,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    regional = [a.outputs["arn"] for a in full.of_type(ALARM) if "region" not in a.inputs]
    assert sorted(status["properties"]["alarms"]) == sorted(regional)
    assert len(regional) == len(EXPECTED_ALARMS) - 1


def test_dashboard_widgets_tile_the_grid_without_overlap(full: Plan) -> None:
    body = json.loads(full.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    cells: set[tuple[int, int]] = set()
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24
        for x in range(widget["x"], widget["x"] + widget["width"]):
            for y in range(widget["y"], widget["y"] + widget["height"]):
                assert (x, y) not in cells, widget
                cells.add((x, y))
    titles = [w["properties"].get("title") for w in body["widgets"]]
    assert "Cache transit-trial-redis engine CPU %" in titles
    assert body["widgets"][0]["type"] == "text"


def test_a_stack_with_nothing_to_watch_still_gets_a_valid_dashboard() -> None:
    plan = build(
        MonitoringArgs(
            account_id=ACCOUNT, region="ap-southeast-2", alarm_prefix=PREFIX, kms_key_arn=KEY_ARN
        )
    )
    assert plan.of_type(ALARM) == []
    body = json.loads(plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    assert [w["type"] for w in body["widgets"]] == ["text"]
