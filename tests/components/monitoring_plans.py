"""The monitoring component built standalone under the same mocks from plain inputs, shared by
the tests of components/monitoring.py, components/alarms.py and components/dashboard.py.

`full_plan()` is a stack outside us-east-1 with everything (a second topic in us-east-1, under
the stack's key there, for the CloudFront alarm), built once per session.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from components.monitoring import Monitoring, MonitoringArgs, Thresholds
from plan.harness import Plan, RecordedResource, run_program
from tests.conftest import STACKFILES

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
ACCOUNT = "123456789012"
PREFIX = "transit-trial"
LB = "app/transit-trial-alb/50dc6c495c0c9188"
TG = {"web": "targetgroup/transit-trial-web/73e2d6bc24d8a067"}
CLUSTER = "transit-trial-cluster-1a2b3c4"
CLUSTER_ARN = f"arn:aws:ecs:ap-southeast-2:{ACCOUNT}:cluster/{CLUSTER}"
SERVICES = {"web": "transit-trial-web-9f8e7d6", "feed": "transit-trial-feed-5c4b3a2"}
DB = "transit-trial-db"
DB_CLASS = "db.t4g.small"
CACHE_GROUP = "transit-trial-redis"
CACHE_MEMBERS = [f"{CACHE_GROUP}-001", f"{CACHE_GROUP}-002"]
DISTRIBUTION = "E2QWRUHAPOMQZL"
KEY_ARN = f"arn:aws:kms:ap-southeast-2:{ACCOUNT}:key/0f8e2c4a-1111-4222-8333-944455556666"
GLOBAL_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/5d3c2b1a-1111-4222-8333-944455556666"
EMAILS = ["ops@example.com", "Oncall@Example.com"]
WEBHOOK = "https://events.pagerduty.com/integration/abc123/enqueue"

EXPECTED_ALARMS = [
    "alb-5xx",
    "web-target-5xx",
    "web-unhealthy-hosts",
    "web-no-healthy-hosts",
    "web-p95-latency",
    "web-cpu",
    "web-memory",
    "web-tasks-below-desired",
    "feed-cpu",
    "feed-memory",
    "feed-tasks-below-desired",
    "feed-tasks-missing",
    "rds-cpu",
    "rds-free-storage",
    "rds-freeable-memory",
    "rds-connections",
    "rds-read-latency",
    "rds-write-latency",
    "cache-1-cpu",
    "cache-1-memory",
    "cache-1-evictions",
    "cache-1-connections",
    "cache-1-hit-rate",
    "cache-2-cpu",
    "cache-2-memory",
    "cache-2-evictions",
    "cache-2-connections",
    "cache-2-hit-rate",
    "cloudfront-5xx",
]
"""The alarms of `full_args()`, in the order the component declares them."""


def full_args(**changes: Any) -> MonitoringArgs:
    args = MonitoringArgs(
        account_id=ACCOUNT,
        region="ap-southeast-2",
        alarm_prefix=PREFIX,
        kms_key_arn=KEY_ARN,
        global_kms_key_arn=GLOBAL_KEY_ARN,
        emails=EMAILS,
        webhook_url=WEBHOOK,
        thresholds=Thresholds(rds_free_storage_gb=5, rds_read_latency_ms=25),
        load_balancer_arn_suffix=LB,
        target_groups=TG,
        cluster_name=CLUSTER,
        cluster_arn=CLUSTER_ARN,
        services=SERVICES,
        db_instance_identifier=DB,
        db_instance_class=DB_CLASS,
        cache_replication_group_id=CACHE_GROUP,
        cache_member_cluster_ids=CACHE_MEMBERS,
        cloudfront_distribution_id=DISTRIBUTION,
        budget_monthly_usd=100,
        cost_tag_value="trial",
    )
    return dataclasses.replace(args, **changes)


def build(args: MonitoringArgs, stack: str = "trial") -> Plan:
    def program() -> None:
        Monitoring(args.alarm_prefix, args)

    if stack == "trial":
        return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)
    return run_program(stack, program=program)


@functools.cache
def full_plan() -> Plan:
    return build(full_args())


def metrics_of(alarm: RecordedResource) -> list[dict[str, Any]]:
    """The alarm's metrics as {namespace, metricName, dimensions, period, stat}."""
    inputs = alarm.inputs
    if "metricQueries" in inputs:
        return [
            {**q["metric"], "stat": q["metric"]["stat"]}
            for q in inputs["metricQueries"]
            if "metric" in q
        ]
    return [
        {
            "namespace": inputs["namespace"],
            "metricName": inputs["metricName"],
            "dimensions": inputs["dimensions"],
            "period": inputs["period"],
            "stat": inputs.get("statistic") or inputs["extendedStatistic"],
        }
    ]
