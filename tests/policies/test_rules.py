"""Every control together: the compliant stack passes all, each has failing and unknown cases,
a failing mutation flips only its own control, and the metadata is complete.

The cases live beside their area (`tests/policies/controls/test_<service>.py`); see
`tests.policies.controls.cases` for how they are written.
"""

from __future__ import annotations

from policies.model import Status, result_of
from policies.rules import AREAS, BY_ID, CONTROLS
from tests.policies.controls import (
    test_acm,
    test_cloudfront,
    test_cloudwatch,
    test_ec2,
    test_ecs,
    test_elb,
    test_iam,
    test_kms,
    test_pulumi,
    test_rds,
    test_route53,
    test_s3,
    test_secretsmanager,
    test_sns,
)
from tests.policies.controls.cases import FAIL, PASS, UNK, Case, result
from tests.policies.fixtures import compliant_stack

AREA_TESTS = (
    test_ec2, test_ecs, test_elb, test_rds, test_cloudfront, test_acm, test_route53,
    test_secretsmanager, test_kms, test_sns, test_s3, test_cloudwatch, test_iam, test_pulumi,
)  # fmt: skip
CASES: list[Case] = [case for module in AREA_TESTS for case in module.CASES]
PASSING_VARIANTS: list[Case] = [case for module in AREA_TESTS for case in module.PASSING_VARIANTS]


def test_compliant_stack_passes_every_control() -> None:
    stack = compliant_stack()
    results = {c.id: result(c.id, stack) for c in CONTROLS}
    failing = {k: v for k, v in results.items() if v is not PASS}
    assert not failing, {k: BY_ID[k].check(stack) for k in failing}


def test_every_control_has_cases() -> None:
    """Each control: one compliant case (the fixture), >=1 failing and >=1 unknown case."""
    kinds: dict[str, set[Status]] = {c.id: {PASS} for c in CONTROLS}
    for control_id, _, _, expected in CASES:
        kinds[control_id].add(expected)
    incomplete = {k: sorted(s.value for s in v) for k, v in kinds.items() if v != {PASS, FAIL, UNK}}
    assert not incomplete


def test_cases_name_real_controls() -> None:
    assert {c for c, *_ in CASES + PASSING_VARIANTS} <= set(BY_ID)


def test_each_area_tests_its_own_controls() -> None:
    """`test_<service>.py` holds the cases of `policies/controls/<service>.py`, in area order."""
    assert len(AREA_TESTS) == len(AREAS)
    for module, area in zip(AREA_TESTS, AREAS, strict=True):
        ids = {c.id for c in area}
        assert {c for c, *_ in module.CASES + module.PASSING_VARIANTS} <= ids, module.__name__
        rules = {getattr(c.resource_rule or c.stack_rule, "__module__", None) for c in area}
        assert rules == {module.__name__.replace("tests.", "", 1).replace(".test_", ".")}


def test_a_mutation_fails_only_its_own_control() -> None:
    """A failing case flips its control and no unrelated one (rules do not overlap by accident).

    Known overlaps are listed: an open SSH port is both EC2.18 and EC2.19's business.
    """
    overlaps = {
        "EC2.18": {"EC2.19"},
        "EC2.19": {"EC2.18"},
        "REL07": {"REL10.TASKS"},
        "REL10.TASKS": {"REL07"},
        # Without CloudFront logging the cf-logs bucket is an ordinary bucket again.
        "CloudFront.5": {"S3.1", "S3.9"},
    }
    for control_id, description, mutation, expected in CASES:
        if expected is not FAIL:
            continue
        stack = mutation(compliant_stack())
        failed = {c.id for c in CONTROLS if result_of(c.check(stack) or []) is FAIL}
        extra = failed - {control_id} - overlaps.get(control_id, set())
        assert control_id in failed and not extra, (control_id, description, failed)


def test_control_metadata_is_complete() -> None:
    ids = [c.id for c in CONTROLS]
    assert len(ids) == len(set(ids))
    covered = [i for c in CONTROLS for i in c.covers]
    assert not set(covered) & set(ids), "a covered ID is also a control of its own"
    assert len(covered) == len(set(covered))
    for control in CONTROLS:
        assert control.title and control.description and control.source and control.why
        assert all(t.startswith("aws:") for t in control.applies_to), control.id
    # Exceptions only where a stack may reasonably differ (each is documented in docs/controls.md).
    assert {c.id for c in CONTROLS if c.exception_allowed} == {
        "EC2.6", "EC2.10", "REL10.NAT", "ECS.2", "ECS.5", "REL08.ALARMS", "REL10.TASKS", "REL07",
        "ELB.1", "ELB.5", "ELB.6", "ELB.17", "ELB.16", "RDS.5", "RDS.6", "RDS.8", "RDS.10",
        "RDS.25",
        "CKV_AWS_353", "CloudFront.9", "CloudFront.7", "CloudFront.5", "CloudFront.6",
        "Route53.2", "SecretsManager.1", "S3.9", "PUL.1",
    }  # fmt: skip


def test_what_an_exception_never_covers_is_what_the_rule_never_waives() -> None:
    """`exception_never_covers` (shown in docs/controls.md) is set exactly on the controls whose
    rule reports non-waivable findings in some case while allowing an exception."""
    never_waived: set[str] = set()
    for control_id, _, mutation, expected in CASES:
        if expected is PASS or not BY_ID[control_id].exception_allowed:
            continue
        violations = BY_ID[control_id].check(mutation(compliant_stack())) or []
        if any(not v.waivable for v in violations):
            never_waived.add(control_id)
    assert never_waived == {c.id for c in CONTROLS if c.exception_never_covers}
