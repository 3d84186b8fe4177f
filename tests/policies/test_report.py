"""The controls report: classification, declared exceptions, counts and rendering."""

from __future__ import annotations

import pytest
from rich.console import Console

from policies.model import Resource, Status, Violation, fail, unknown
from policies.report import classify, evaluate, render
from policies.rules import CONTROLS
from stacks.config import PolicyConfig
from tests.policies.fixtures import (
    DELETE,
    UNKNOWN,
    chain,
    compliant_stack,
    drop,
    mutate,
    res,
    set_options,
)

STAGING = chain(
    mutate("db", multiAz=False, deletionProtection=False),
    mutate("flow-log", trafficType="REJECT"),
    drop("nat-b", "vpce-ecr.api", "vpce-ecr.dkr", "vpce-logs", "vpce-secretsmanager"),
    set_options("db", protect=False, retainOnDelete=False),
)
STAGING_EXCEPTIONS = {
    "RDS.5": "single-AZ staging database (database.multiAz: false)",
    "RDS.8": "staging can be torn down (database.deletionProtection: false)",
    "EC2.6": "REJECT-only flow logs (network.flowLogs.trafficType)",
    "REL10.NAT": "one NAT gateway (network.nat: single)",
    "EC2.10": "no interface endpoints (~$7.30 each per AZ)",
    "PUL.1": "staging data is disposable (protect: false)",
}


def test_compliant_stack_reports_every_control_passing() -> None:
    report = evaluate(compliant_stack())
    counts = report.counts()
    assert counts[Status.PASS] == len(CONTROLS)
    assert report.passed and not report.blocking
    assert [r.id for r in report.results] == [c.id for c in CONTROLS]


def test_staging_shows_only_its_declared_exceptions() -> None:
    report = evaluate(STAGING(compliant_stack()), PolicyConfig(exceptions=STAGING_EXCEPTIONS))
    exceptions = {r.id: r.exception_reason for r in report.with_status(Status.EXCEPTION)}
    assert exceptions == STAGING_EXCEPTIONS
    assert report.counts()[Status.FAIL] == 0
    assert report.passed


def test_without_the_declaration_the_same_stack_fails() -> None:
    report = evaluate(STAGING(compliant_stack()))
    assert {r.id for r in report.with_status(Status.FAIL)} == set(STAGING_EXCEPTIONS)
    assert report.blocking
    advisory = evaluate(STAGING(compliant_stack()), PolicyConfig(enforcement="advisory"))
    assert not advisory.passed and not advisory.blocking


def test_an_exception_never_covers_the_non_waivable_part() -> None:
    """RDS.8: deletion protection may be off in staging; the final snapshot may not."""
    stack = mutate("db", deletionProtection=False, skipFinalSnapshot=True)(compliant_stack())
    report = evaluate(stack, PolicyConfig(exceptions={"RDS.8": "staging"}))
    assert report.by_id()["RDS.8"].status is Status.FAIL
    without_gateway = drop("vpce-s3", "vpce-logs")(compliant_stack())
    report = evaluate(
        without_gateway, PolicyConfig(exceptions={"EC2.10": "no interface endpoints"})
    )
    assert report.by_id()["EC2.10"].status is Status.FAIL  # the S3 gateway is free: required


def test_exceptions_are_honored_only_where_allowed() -> None:
    """The config model rejects such a declaration; a report given one unchecked refuses it too."""
    stack = mutate("db", storageEncrypted=False)(compliant_stack())
    unchecked = PolicyConfig.model_construct(exceptions={"RDS.3": "please", "XYZ.9": "typo"})
    report = evaluate(stack, unchecked)
    assert report.by_id()["RDS.3"].status is Status.FAIL
    assert report.rejected_exceptions == {
        "RDS.3": "RDS.3 is required in every stack (docs/controls.md)",
        "XYZ.9": "no such control",
    }
    assert not report.passed


def test_exception_by_a_covered_id() -> None:
    stack = drop("jwt-rotation")(compliant_stack())
    report = evaluate(stack, PolicyConfig(exceptions={"SecretsManager.4": "external secret"}))
    assert report.by_id()["SecretsManager.1"].status is Status.EXCEPTION
    assert not report.rejected_exceptions


def test_unused_exceptions_are_listed() -> None:
    report = evaluate(compliant_stack(), PolicyConfig(exceptions={"RDS.5": "stale"}))
    assert report.by_id()["RDS.5"].status is Status.PASS
    assert report.unused_exceptions == ("RDS.5",)


def test_unknown_and_not_applicable() -> None:
    stack = chain(drop("apex", "query-log"), mutate("db", kmsKeyId=UNKNOWN))(compliant_stack())
    report = evaluate(stack)
    assert report.by_id()["Route53.2"].status is Status.NOT_APPLICABLE
    assert report.by_id()["RDS.3"].status is Status.UNKNOWN
    assert report.passed  # unknown is not a failure; --state re-checks after the deploy
    assert report.counts()[Status.UNKNOWN] >= 1


def test_empty_stack_is_all_not_applicable() -> None:
    report = evaluate([])
    assert report.counts()[Status.NOT_APPLICABLE] == len(CONTROLS)


@pytest.mark.parametrize(
    ("violations", "waived", "expected"),
    [
        ([], False, Status.PASS),
        ([], True, Status.PASS),
        ([fail("x")], False, Status.FAIL),
        ([fail("x")], True, Status.EXCEPTION),
        ([unknown("x")], True, Status.EXCEPTION),
        ([unknown("x")], False, Status.UNKNOWN),
        ([fail("x", waivable=False)], True, Status.FAIL),
        ([fail("x"), unknown("y", waivable=False)], True, Status.UNKNOWN),
    ],
)
def test_classify(violations: list[Violation], waived: bool, expected: Status) -> None:
    assert classify(violations, waived=waived) is expected


def test_render_lists_controls_reasons_and_problems() -> None:
    stack = STAGING(compliant_stack())
    declared = {**STAGING_EXCEPTIONS, "RDS.3": "nope", "ELB.6": "old"}
    report = evaluate(stack, PolicyConfig.model_construct(exceptions=declared))
    console = Console(record=True, width=200)
    render(report, console)
    text = console.export_text()
    assert "RDS.5" in text and "exception" in text
    assert "single-AZ staging database" in text
    assert "exception RDS.3 in the stack file is not honored" in text
    assert "exception ELB.6 is declared but the control passes" in text
    assert f"{len(CONTROLS) - len(STAGING_EXCEPTIONS)} pass" in text


def test_render_can_hide_not_applicable() -> None:
    console = Console(record=True, width=200)
    render(evaluate([res("aws:kms/key:Key", "k", {"enableKeyRotation": False})]), console,
           show_not_applicable=False)  # fmt: skip
    text = console.export_text()
    assert "KMS.4" in text and "RDS.5" not in text


def test_to_json() -> None:
    report = evaluate(STAGING(compliant_stack()), PolicyConfig(exceptions=STAGING_EXCEPTIONS))
    data = report.to_json()
    assert data["counts"]["exception"] == len(STAGING_EXCEPTIONS)
    entry = next(c for c in data["controls"] if c["id"] == "RDS.5")
    assert entry["status"] == "exception" and entry["exceptionAllowed"] is True
    assert entry["findings"][0]["urn"].endswith("::db")


def test_exceptions_come_from_data_not_names() -> None:
    """The same resources get the same verdict whatever the stack is called."""
    stack = mutate("db", multiAz=False)(compliant_stack())
    renamed = [
        type(r)(r.type, r.name, r.urn.replace("::prod::", "::staging::"), r.inputs, r.options,
                r.id, r.outputs)
        for r in stack
    ]  # fmt: skip
    assert evaluate(stack).by_id()["RDS.5"].status is Status.FAIL
    assert evaluate(renamed).by_id()["RDS.5"].status is Status.FAIL


def test_delete_marker_is_not_leaked() -> None:
    stack = mutate("db", multiAz=DELETE)(compliant_stack())
    db = next(r for r in stack if r.name == "db")
    assert "multiAz" not in db.inputs


def test_findings_are_listed_by_control_then_resource_whatever_the_input_order() -> None:
    """The harness records resources in registration order and an export in state order, and
    neither is stable between runs: the report reads the same for the same resources."""
    stack = chain(
        set_options("key", protect=False),
        set_options("jwt", protect=False),
        set_options("db", protect=False, retainOnDelete=False),
    )(compliant_stack())

    def text(resources: list[Resource]) -> str:
        console = Console(record=True, width=200)
        render(evaluate(resources), console, limit=10)
        return console.export_text()

    assert text(stack) == text(stack[::-1])
    findings = [v.message for v in evaluate(stack[::-1]).by_id()["PUL.1"].violations]
    assert [m.split()[0] for m in findings] == ["db", "db", "jwt", "key"]
