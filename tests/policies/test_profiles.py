"""Exception profiles (`policies/profiles.py`): named sets of exceptions a stack file takes in one
line, still declared one by one with their reasons where a reviewer looks."""

from __future__ import annotations

import pytest
from rich.console import Console

from policies.model import Status
from policies.profiles import PROFILES, exceptions_of
from policies.pulumi_pack import build_policies
from policies.report import evaluate, render
from policies.rules import BY_ID
from stacks.config import PolicyConfig
from tests.policies.fixtures import chain, compliant_stack, drop, mutate, set_options
from tests.policies.test_pack import _db_props, _validate_resource  # pyright: ignore[reportPrivateUsage]

DB = "aws:rds/instance:Instance"

STAGING_LIKE = chain(
    mutate("db", multiAz=False, deletionProtection=False),
    drop("vpce-ecr.api", "vpce-ecr.dkr", "vpce-logs", "vpce-secretsmanager"),
    set_options("db", protect=False, retainOnDelete=False),
)


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_profile_exception_is_one_its_control_allows_with_a_reason(name: str) -> None:
    for control_id, (reason, _) in exceptions_of(name).items():
        assert BY_ID[control_id].exception_allowed, control_id
        assert len(reason) > 20, control_id


def test_profiles_build_on_each_other() -> None:
    assert set(exceptions_of("baseline")) == {"Route53.2", "SecretsManager.1", "EC2.10"}
    assert set(exceptions_of("baseline")) < set(exceptions_of("staging"))
    assert set(exceptions_of("staging")) < set(exceptions_of("trial"))
    assert exceptions_of("trial")["RDS.5"][1] == "staging"  # where each one is written
    assert exceptions_of("trial")["Route53.2"][1] == "baseline"


def test_the_staging_profile_is_staging_s_usual_trade_offs() -> None:
    assert {"REL10.NAT", "ECS.2", "RDS.5", "CloudFront.6", "ELB.5", "PUL.1"} <= set(
        exceptions_of("staging")
    )
    # Never in a profile: what every stack keeps (not exceptable) and what costs nothing.
    assert not {"RDS.10", "CKV_AWS_353", "ECS.5", "REL08.ALARMS"} & set(exceptions_of("trial"))


def test_a_profile_declares_its_exceptions_one_by_one() -> None:
    policy = PolicyConfig(profiles=["staging"])
    report = evaluate(STAGING_LIKE(compliant_stack()), policy)
    assert report.passed
    excepted = report.with_status(Status.EXCEPTION)
    assert {r.id for r in excepted} == {"RDS.5", "RDS.8", "EC2.10", "PUL.1"}
    rds5 = report.by_id()["RDS.5"]
    assert rds5.exception is not None and rds5.exception.source == "profile staging"
    assert rds5.exception_reason == exceptions_of("staging")["RDS.5"][0]


def test_profile_exceptions_a_stack_does_not_need_are_not_findings() -> None:
    report = evaluate(compliant_stack(), PolicyConfig(profiles=["staging"]))
    assert report.passed and report.unused_exceptions == ()
    assert "RDS.5" in report.unneeded_profile_exceptions


def test_required_takes_an_exception_out_and_exceptions_add_or_reword() -> None:
    policy = PolicyConfig(
        profiles=["staging"],
        required=["RDS.5"],
        exceptions={"RDS.8": "torn down weekly by the QA team", "RDS.6": "cost"},
    )
    declared = policy.declared_exceptions()
    assert "RDS.5" not in declared
    assert (declared["RDS.8"].reason, declared["RDS.8"].source) == (
        "torn down weekly by the QA team",
        "stack file",
    )
    report = evaluate(STAGING_LIKE(compliant_stack()), policy)
    assert report.by_id()["RDS.5"].status is Status.FAIL
    assert report.blocking


def test_the_report_lists_every_declared_exception_with_reason_and_source() -> None:
    console = Console(record=True, width=240, emoji=False)
    policy = PolicyConfig(profiles=["staging"], exceptions={"RDS.10": "psql users only"})
    render(evaluate(STAGING_LIKE(compliant_stack()), policy), console)
    text = console.export_text().split("Declared exceptions", 1)[1]
    for control_id, exception in policy.declared_exceptions().items():
        row = next(line for line in text.splitlines() if line.startswith(f"│ {control_id} "))
        assert exception.source in row, control_id
    assert "psql users only" in text and "not needed" in text


def test_the_policy_pack_honors_profiles() -> None:
    single_az = _db_props(multiAz=False)
    for profiles, expected in (([], ["multiAz is not true"]), (["staging"], [])):
        policies = {p.name: p for p in build_policies(PolicyConfig(profiles=profiles))}
        assert _validate_resource(policies["RDS.5"], DB, single_az) == expected
