"""The alarm catalogue (components/alarms.py): the specs themselves, and the alarms the
monitoring component declares from them (tests/components/monitoring_plans.py builds it
standalone). The topics the alarms notify are asserted in tests/components/test_monitoring.py.
"""

from __future__ import annotations

import dataclasses
import string

import pytest

from aws_facts.rds import default_max_connections
from components.alarms import (
    CACHE_NODE_ALARMS,
    CLOUDFRONT_ALARMS,
    DATABASE_ALARMS,
    LOAD_BALANCER_ALARMS,
    REPLICA_ALARMS,
    SERVICE_ALARMS,
    TARGET_GROUP_ALARMS,
    WORKER_ALARMS,
    WORKER_ROLLBACK_ALARM_ROLES,
    AlarmSpec,
    MetricMath,
    Setting,
    ShareOfLimit,
)
from components.monitoring import ROLLBACK_ALARM_ROLES, Thresholds, rollback_alarm_names
from plan.harness import Plan
from tests.components.monitoring_plans import (
    ALARM,
    CACHE_MEMBERS,
    CLUSTER,
    DB,
    DISTRIBUTION,
    EXPECTED_ALARMS,
    LB,
    PREFIX,
    SERVICES,
    TG,
    build,
    full_args,
    full_plan,
    metrics_of,
)

SPECS = [
    *LOAD_BALANCER_ALARMS,
    *TARGET_GROUP_ALARMS,
    *SERVICE_ALARMS,
    *WORKER_ALARMS,
    *REPLICA_ALARMS,
    *CACHE_NODE_ALARMS,
    *CLOUDFRONT_ALARMS,
]


@pytest.fixture(scope="module")
def full() -> Plan:
    return full_plan()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def templates(spec: AlarmSpec) -> list[str]:
    if isinstance(spec.metric, MetricMath):
        return [spec.description, spec.metric.expression, spec.metric.label]
    return [spec.description]


# ---------------------------------------------------------------------- the catalogue


def test_rollback_alarm_names_are_pure_and_per_service() -> None:
    assert rollback_alarm_names("auction-prod", "api") == [
        "auction-prod-api-target-5xx",
        "auction-prod-api-unhealthy-hosts",
    ]
    assert rollback_alarm_names("auction-prod", "api") == rollback_alarm_names(
        "auction-prod", "api"
    )
    assert len(ROLLBACK_ALARM_ROLES) == 2
    assert rollback_alarm_names("transit-prod", "feeds", web=False) == [
        "transit-prod-feeds-tasks-missing"
    ]


@pytest.mark.parametrize(
    "specs",
    [
        LOAD_BALANCER_ALARMS,
        # A web service's target-group and ECS-service alarms share its name as their scope.
        TARGET_GROUP_ALARMS + SERVICE_ALARMS,
        # A worker's ECS-service alarms and its rollback alarm share its name.
        SERVICE_ALARMS + WORKER_ALARMS,
        DATABASE_ALARMS,
        REPLICA_ALARMS,
        CACHE_NODE_ALARMS,
        CLOUDFRONT_ALARMS,
    ],
    ids=["load-balancer", "service", "worker", "database", "replica", "cache-node", "cloudfront"],
)
def test_roles_are_unique_per_alarm_name_scope(specs: tuple[AlarmSpec, ...]) -> None:
    roles = [spec.role for spec in specs]
    assert len(roles) == len(set(roles)), roles


LIMITS = {spec.threshold.limit for spec in SPECS if isinstance(spec.threshold, ShareOfLimit)}


def test_every_threshold_field_is_read_by_a_spec() -> None:
    fields = {f.name for f in dataclasses.fields(Thresholds)}
    read = {spec.threshold.field for spec in SPECS if isinstance(spec.threshold, Setting)}
    assert read <= fields
    # Settings read only in templates (the 5xx rate's request floor) count too.
    used = read | {name for spec in SPECS for t in templates(spec) for name in placeholders(t)}
    assert used == fields | {"subject"} | LIMITS


def test_templates_name_only_thresholds_the_subject_and_its_limits() -> None:
    fields = {f.name for f in dataclasses.fields(Thresholds)}
    assert {"max_connections"} == LIMITS
    for spec in SPECS:
        for template in templates(spec):
            assert placeholders(template) <= fields | {"subject"} | LIMITS, spec.role


def test_rollback_roles_are_the_specs_that_roll_back() -> None:
    assert ROLLBACK_ALARM_ROLES == ("target-5xx", "unhealthy-hosts")
    assert WORKER_ROLLBACK_ALARM_ROLES == ("tasks-missing",)
    assert {s.role for s in SPECS if s.rolls_back} == {
        *ROLLBACK_ALARM_ROLES,
        *WORKER_ROLLBACK_ALARM_ROLES,
    }
    assert all(s.period == 60 for s in SPECS if s.rolls_back)


# ---------------------------------------------------------------------- alarms declared


def test_the_alarm_set_covers_every_component(full: Plan) -> None:
    names = sorted(a.inputs["name"] for a in full.of_type(ALARM))
    assert names == sorted(f"{PREFIX}-{suffix}" for suffix in EXPECTED_ALARMS)
    assert all(a.name == a.inputs["name"] for a in full.of_type(ALARM))


def test_alarmed_metrics_are_the_documented_ones(full: Plan) -> None:
    alarmed = {
        (m["namespace"], m["metricName"]) for a in full.of_type(ALARM) for m in metrics_of(a)
    }
    assert alarmed == {
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "RequestCount"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/ApplicationELB", "HealthyHostCount"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("ECS/ContainerInsights", "RunningTaskCount"),
        ("ECS/ContainerInsights", "DesiredTaskCount"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/RDS", "FreeableMemory"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/RDS", "ReadLatency"),
        ("AWS/RDS", "WriteLatency"),
        ("AWS/ElastiCache", "EngineCPUUtilization"),
        ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
        ("AWS/ElastiCache", "Evictions"),
        ("AWS/ElastiCache", "CurrConnections"),
        ("AWS/ElastiCache", "CacheHits"),
        ("AWS/ElastiCache", "CacheMisses"),
        ("AWS/CloudFront", "5xxErrorRate"),
    }


def test_dimensions_name_only_the_resources_handed_in(full: Plan) -> None:
    allowed = {
        "LoadBalancer": {LB},
        "TargetGroup": set(TG.values()),
        "ClusterName": {CLUSTER},
        "ServiceName": set(SERVICES.values()),
        "DBInstanceIdentifier": {DB},
        "CacheClusterId": set(CACHE_MEMBERS),
        "DistributionId": {DISTRIBUTION},
        "Region": {"Global"},
    }
    for alarm in full.of_type(ALARM):
        for metric in metrics_of(alarm):
            for key, value in metric["dimensions"].items():
                assert value in allowed[key], f"{alarm.name}: {key}={value!r}"


def test_per_resource_dimension_sets(full: Plan) -> None:
    def dims(suffix: str) -> list[dict[str, str]]:
        return [m["dimensions"] for m in metrics_of(full.named(f"{PREFIX}-{suffix}"))]

    assert dims("alb-5xx") == [{"LoadBalancer": LB}]
    assert dims("web-unhealthy-hosts") == [{"LoadBalancer": LB, "TargetGroup": TG["web"]}]
    assert dims("feed-cpu") == [{"ClusterName": CLUSTER, "ServiceName": SERVICES["feed"]}]
    for suffix in ("feed-tasks-below-desired", "feed-tasks-missing"):
        assert dims(suffix) == [{"ClusterName": CLUSTER, "ServiceName": SERVICES["feed"]}] * 2
    assert dims("rds-connections") == [{"DBInstanceIdentifier": DB}]
    assert dims("cache-2-evictions") == [{"CacheClusterId": CACHE_MEMBERS[1]}]
    assert dims("cloudfront-5xx") == [{"DistributionId": DISTRIBUTION, "Region": "Global"}]


def test_every_alarm_treats_missing_data_deliberately(full: Plan) -> None:
    # Only "no healthy target" pages on silence. RDS publishes nothing while the instance is
    # created (10-20 minutes): its storage and memory floors wait for data instead of paging.
    deliberate = {
        "web-no-healthy-hosts": "breaching",
        "rds-free-storage": "missing",
        "rds-freeable-memory": "missing",
    }
    for alarm in full.of_type(ALARM):
        suffix = alarm.name.removeprefix(f"{PREFIX}-")
        expected = deliberate.get(suffix, "notBreaching")
        assert alarm.inputs["treatMissingData"] == expected, alarm.name


@pytest.mark.parametrize(
    ("instance_class", "percent", "threshold"),
    [
        # LEAST(memory / 9531392, 5000): 1 GiB gives 112, 2 GiB 225, 256 GiB the 5000 cap.
        ("db.t4g.micro", 70, 78),
        ("db.t4g.small", 70, 158),
        ("db.t4g.small", 80, 180),
        ("db.m7g.16xlarge", 70, 3500),
    ],
)
def test_connections_alarm_is_a_share_of_the_classes_default_max_connections(
    instance_class: str, percent: float, threshold: int
) -> None:
    plan = build(
        full_args(
            db_instance_class=instance_class,
            thresholds=Thresholds(rds_connections_percent=percent),
        )
    )
    alarm = plan.named(f"{PREFIX}-rds-connections")
    assert alarm.inputs["threshold"] == threshold
    limit = default_max_connections(instance_class)
    assert f"more than {percent}% of the {limit} connections" in alarm.inputs["alarmDescription"]


def test_rollback_alarms_use_one_minute_periods_and_the_agreed_names(full: Plan) -> None:
    for name in rollback_alarm_names(PREFIX, "web"):
        alarm = full.named(name)
        assert alarm.inputs["name"] == name
        assert {m["period"] for m in metrics_of(alarm)} == {60}
        assert alarm.inputs["evaluationPeriods"] == 2
    assert not any(
        a.name.startswith(f"{PREFIX}-feed-") and "5xx" in a.name for a in full.of_type(ALARM)
    )
    assert not any(a.name == f"{PREFIX}-web-tasks-missing" for a in full.of_type(ALARM))


def test_a_worker_rolls_back_when_its_tasks_stop_soon_after_starting(full: Plan) -> None:
    [name] = rollback_alarm_names(PREFIX, "feed", web=False)
    alarm = full.named(name)
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["missing"]["expression"] == "desired - FILL(running, 0)"
    assert {m["period"] for m in metrics_of(alarm)} == {60}
    # Three minutes short: a Spot task's replacement (about a minute) does not roll back.
    assert (alarm.inputs["evaluationPeriods"], alarm.inputs["datapointsToAlarm"]) == (3, 3)
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "GreaterThanThreshold",
        0,
    )


def test_the_target_5xx_alarm_is_a_rate_with_a_request_floor(full: Plan) -> None:
    alarm = full.named(f"{PREFIX}-web-target-5xx")
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["errors"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["requests"]["metric"]["metricName"] == "RequestCount"
    assert {q["metric"]["stat"] for q in (queries["errors"], queries["requests"])} == {"Sum"}
    assert (
        queries["rate"]["expression"] == "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)"
    )
    assert [q["id"] for q in alarm.inputs["metricQueries"] if q["returnData"]] == ["rate"]
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "GreaterThanThreshold",
        1.0,
    )
    for absent in ("metricName", "namespace", "period", "statistic"):
        assert absent not in alarm.inputs


def test_thresholds_are_converted_to_the_metrics_units(full: Plan) -> None:
    def threshold(suffix: str) -> float:
        return full.named(f"{PREFIX}-{suffix}").inputs["threshold"]

    assert threshold("rds-free-storage") == 5 * 1024**3
    assert threshold("rds-freeable-memory") == 64 * 1024**2
    assert threshold("rds-read-latency") == pytest.approx(0.025)
    assert threshold("rds-write-latency") == pytest.approx(0.020)
    assert threshold("web-p95-latency") == 1.0
    assert full.named(f"{PREFIX}-web-p95-latency").inputs["extendedStatistic"] == "p95"
    assert threshold("alb-5xx") == 0
    assert threshold("cache-1-evictions") == 0
    assert threshold("web-no-healthy-hosts") == 1
    assert full.named(f"{PREFIX}-web-no-healthy-hosts").inputs["comparisonOperator"] == (
        "LessThanThreshold"
    )


def test_muted_alarms_keep_their_actions_but_do_not_run_them() -> None:
    plan = build(full_args(notifications_enabled=False, cloudfront_distribution_id=None))
    alarms = plan.of_type(ALARM)
    assert len(alarms) == len(EXPECTED_ALARMS) - 1
    assert {a.inputs["actionsEnabled"] for a in alarms} == {False}
    assert all(a.inputs["alarmActions"] == a.inputs["okActions"] != [] for a in alarms)


def test_descriptions_are_filled_in_and_rollback_alarms_say_so(full: Plan) -> None:
    def description(suffix: str) -> str:
        return full.named(f"{PREFIX}-{suffix}").inputs["alarmDescription"]

    assert description("web-target-5xx") == (
        f"golive {PREFIX}: web: more than 1.0% of requests answered 5xx for 2 minutes "
        "(at least 10 requests a minute). Rolls a deployment back."
    )
    assert description("cache-2-memory") == (
        f"golive {PREFIX}: cache node 2: memory above 80% of maxmemory"
    )
    assert description("rds-read-latency") == (
        f"golive {PREFIX}: database read latency above 25 ms for 10 minutes"
    )
    rolls_back = {
        a.name
        for a in full.of_type(ALARM)
        if "Rolls a deployment back" in a.inputs["alarmDescription"]
    }
    assert rolls_back == {
        *rollback_alarm_names(PREFIX, "web"),
        *rollback_alarm_names(PREFIX, "feed", web=False),
    }


def test_the_cache_hit_rate_alarm_is_a_rate_with_a_lookup_floor(full: Plan) -> None:
    for node, member in enumerate(CACHE_MEMBERS, start=1):
        alarm = full.named(f"{PREFIX}-cache-{node}-hit-rate")
        queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
        assert {queries[i]["metric"]["metricName"] for i in ("hits", "misses")} == {
            "CacheHits",
            "CacheMisses",
        }
        assert {
            queries[i]["metric"]["dimensions"]["CacheClusterId"] for i in ("hits", "misses")
        } == {member}
        # Below 100 lookups in 5 minutes the rate counts as 100%: a quiet cache never fires.
        assert queries["rate"]["expression"] == (
            "IF(FILL(hits, 0) + FILL(misses, 0) >= 100, "
            "100 * FILL(hits, 0) / (FILL(hits, 0) + FILL(misses, 0)), 100)"
        )
        assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
            "LessThanThreshold",
            80,
        )
        assert alarm.inputs["evaluationPeriods"] == 3


def test_cache_connections_alarm_on_the_busiest_minute_of_each_node(full: Plan) -> None:
    alarm = full.named(f"{PREFIX}-cache-2-connections")
    assert alarm.inputs["metricName"] == "CurrConnections"
    assert alarm.inputs["statistic"] == "Maximum"
    assert alarm.inputs["dimensions"] == {"CacheClusterId": CACHE_MEMBERS[1]}
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "GreaterThanThreshold",
        1000,
    )
