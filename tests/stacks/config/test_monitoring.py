"""The monitoring tier of the config model: alarm notifications, thresholds and the budget."""

from __future__ import annotations

from typing import Any

import pytest

from plan.harness import run_program
from stacks.config import parse
from tests.stacks.config.stack_files import (
    DELETE,
    as_cli,
    assert_names_key,
    mutated,
    stack_document,
    write_stack_file,
)

# (id, changes, the key path the message must name, a phrase the message must hold)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("email-no-domain", {"golive:alarms.emails": ["ops@localhost"]}, "alarms.emails[0]", "not an email address"),
    ("email-no-at", {"golive:alarms.emails": ["ops.example.com"]}, "alarms.emails[0]", "'ops.example.com'"),
    ("email-twice", {"golive:alarms.emails": ["ops@example.com", "OPS@example.com"]}, "alarms.emails", "twice"),
    ("emails-not-a-list", {"golive:alarms.emails": "ops@example.com"}, "alarms.emails", "valid list"),
    ("webhook-http", {"golive:alarms.webhookUrl": "http://hooks.example.com/x"}, "alarms.webhookUrl", "https://"),
    ("webhook-no-host", {"golive:alarms.webhookUrl": "https:///x"}, "alarms.webhookUrl", "no host name"),
    ("alarms-typo", {"golive:alarms.email": ["ops@example.com"]}, "alarms.email", "did you mean 'emails'"),
    ("threshold-typo", {"golive:alarms.thresholds.ecsCpu": 80}, "alarms.thresholds.ecsCpu", "did you mean 'ecsCpuPercent'"),
    ("threshold-percent-above-100", {"golive:alarms.thresholds.ecsMemoryPercent": 120}, "alarms.thresholds.ecsMemoryPercent", "less than or equal to 100"),
    ("threshold-5xx-zero", {"golive:alarms.thresholds.target5xxPercent": 0}, "alarms.thresholds.target5xxPercent", "greater than 0"),
    ("threshold-negative-count", {"golive:alarms.thresholds.elb5xxPerMinute": -1}, "alarms.thresholds.elb5xxPerMinute", "greater than or equal to 0"),
    ("threshold-latency-word", {"golive:alarms.thresholds.responseTimeP95Seconds": "fast"}, "alarms.thresholds.responseTimeP95Seconds", "number"),
    ("threshold-p95-above-timeout", {"golive:alarms.thresholds.responseTimeP95Seconds": 90}, "alarms.thresholds.responseTimeP95Seconds", "less than or equal to 60"),
    ("threshold-connections-zero", {"golive:alarms.thresholds.rdsConnectionsPercent": 0}, "alarms.thresholds.rdsConnectionsPercent", "greater than 0"),
    ("threshold-connections-above-100", {"golive:alarms.thresholds.rdsConnectionsPercent": 101}, "alarms.thresholds.rdsConnectionsPercent", "less than or equal to 100"),
    ("threshold-connections-as-a-count", {"golive:alarms.thresholds.rdsConnections": 320}, "alarms.thresholds.rdsConnections", "did you mean 'rdsConnectionsPercent'"),
    ("alarms-enabled-word", {"golive:alarms.enabled": "sometimes"}, "alarms.enabled", "boolean"),
    ("budget-zero", {"golive:budget.monthlyUsd": 0}, "budget.monthlyUsd", "greater than 0"),
    ("budget-negative", {"golive:budget.monthlyUsd": -60}, "budget.monthlyUsd", "greater than 0"),
    ("budget-missing-amount", {"golive:budget.monthlyUsd": DELETE}, "budget.monthlyUsd", "required key 'monthlyUsd'"),
    ("budget-typo", {"golive:budget.monthly": 60}, "budget.monthly", "did you mean 'monthlyUsd'"),
    ("service-named-like-a-stack-alarm", {"golive:services.rds": {}}, "services.rds", "'rds' is reserved"),
    ("free-storage-floor-above-allocated", {"golive:alarms.thresholds.rdsFreeStorageGb": 20}, "alarms.thresholds.rdsFreeStorageGb", "not below database.allocatedStorage (20 GB)"),
    ("freeable-memory-floor-above-the-class", {"golive:alarms.thresholds.rdsFreeableMemoryMb": 1024}, "alarms.thresholds.rdsFreeableMemoryMb", "not below the memory of db.t4g.micro (1024 MiB)"),
    ("slack-workspace-lowercase", {"golive:alarms.slack": {"workspaceId": "t07ea123lep", "channelId": "C07EZ1ABC23"}}, "alarms.slack.workspaceId", "not a Slack workspace id"),
    ("slack-channel-name", {"golive:alarms.slack": {"workspaceId": "T07EA123LEP", "channelId": "#alerts"}}, "alarms.slack.channelId", "not its #name"),
    ("slack-channel-missing", {"golive:alarms.slack": {"workspaceId": "T07EA123LEP"}}, "alarms.slack.channelId", "required key 'channelId' is missing"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "key", "phrase"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_monitoring_config_names_the_key(
    case: str, changes: dict[str, Any], key: str, phrase: str
) -> None:
    del case
    assert_names_key(changes, key, phrase)


def test_monitoring_defaults_and_warnings() -> None:
    config = mutated({"golive:alarms": DELETE, "golive:budget": DELETE})
    cfg = parse("staging", as_cli(config))
    assert cfg.alarms.enabled is True
    assert cfg.alarms.emails == []
    assert cfg.budget is None
    warnings = cfg.warnings()
    assert "alarms has no emails and no webhookUrl: alarms notify nobody" in warnings
    assert "no budget: nothing warns when this stack's spend runs away" in warnings
    muted = parse("staging", as_cli(mutated({"golive:alarms.enabled": False})))
    assert any(w.startswith("alarms.enabled is false") for w in muted.warnings())


def test_thresholds_an_alarm_can_never_reach_are_warned_about() -> None:
    def warnings(changes: dict[str, Any]) -> list[str]:
        return parse("staging", as_cli(mutated(changes))).warnings()

    # staging runs a db.t4g.micro: 112 connections by formula, about 85 in fact.
    (note,) = [
        w
        for w in warnings({"golive:alarms.thresholds.rdsConnectionsPercent": 90})
        if "rdsConnectionsPercent" in w
    ]
    assert note.startswith("alarms.thresholds.rdsConnectionsPercent is 90: 101 of the 112")
    assert "may refuse connections before this alarm fires" in note
    assert "alarms.thresholds.ecsCpuPercent is 100: a percentage never exceeds 100" in " ".join(
        warnings({"golive:alarms.thresholds.ecsCpuPercent": 100})
    )
    for stack in ("staging", "prod"):
        notes = parse(stack, as_cli(stack_document(stack))).warnings()
        assert not [w for w in notes if w.startswith("alarms.thresholds.")], stack


def test_repository_stacks_differ_only_in_thresholds_and_budget() -> None:
    staging, prod = (parse(s, as_cli(stack_document(s))) for s in ("staging", "prod"))
    assert staging.alarms.emails == prod.alarms.emails == ["ops@example.com"]
    assert (staging.budget, prod.budget) != (None, None)
    assert staging.budget is not None and prod.budget is not None
    assert (staging.budget.monthly_usd, prod.budget.monthly_usd) == (60, 250)
    # Staging tolerates more noise; prod keeps the defaults.
    assert staging.alarms.thresholds.target_5xx_percent > prod.alarms.thresholds.target_5xx_percent
    assert prod.alarms.thresholds.target_5xx_percent == 1


def test_a_stack_with_slack_gets_its_alarms_posted_there() -> None:
    config = mutated(
        {"golive:alarms.slack": {"workspaceId": "T07EA123LEP", "channelId": "C07EZ1ABC23"}}
    )
    plan = run_program("staging", stack_file=write_stack_file(config, []))
    (channel,) = plan.of_type("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")
    assert channel.inputs["slackChannelId"] == "C07EZ1ABC23"
    assert channel.inputs["configurationName"] == "auction-staging-alarms"
