"""The DNS component pair, built standalone under the same mocks from plain inputs.

`Certificates`: one certificate in us-east-1 (serving CloudFront and the ALB there), or a
us-east-1 one plus a regional one elsewhere; validation records created once per name even when
two certificates (or a wildcard and its apex) ask for the same one. `DnsRecords`: aliases.
The whole-stack wiring is asserted in tests/stacks/test_edge.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pytest

from aws_facts.cloudfront import CLOUDFRONT_ZONE_ID
from components.dns import (
    Certificates,
    CertificatesArgs,
    DnsRecords,
    DnsRecordsArgs,
    plan_certificates,
)
from plan.harness import Plan, RecordedResource, run_program
from plan.mocks.context import ACCOUNT_ID
from plan.mocks.edge import acm_validation_record
from tests.conftest import STACKFILES

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
ZONE = "Z0123456789ABCDEFGHIJ"
SITE = "app.example.com"
ADMIN = "admin.example.com"
ORIGIN = f"origin.{SITE}"


def certificates(region: str, cloudfront: Sequence[str], alb: Sequence[str] = ()) -> Plan:
    def program() -> None:
        certs = Certificates(
            "shop-prod",
            CertificatesArgs(
                zone_id=ZONE, region=region, cloudfront_names=cloudfront, alb_names=alb
            ),
        )
        pulumi.export("cloudfront", certs.cloudfront_certificate_arn)
        pulumi.export("alb", certs.alb_certificate_arn)

    # The trial stack file runs in ap-southeast-2; the program's regions come from the args.
    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


def names_of(certificate: RecordedResource) -> list[str]:
    return [certificate.inputs["domainName"], *certificate.inputs["subjectAlternativeNames"]]


def validation_for(plan: Plan, certificate: RecordedResource) -> RecordedResource:
    (validation,) = [
        v
        for v in plan.of_type(VALIDATION)
        if v.inputs["certificateArn"] == certificate.outputs["arn"]
    ]
    return validation


@pytest.fixture(scope="module")
def us_east() -> Plan:
    return certificates("us-east-1", [SITE, ADMIN], [ORIGIN, SITE, ADMIN])


@pytest.fixture(scope="module")
def elsewhere() -> Plan:
    return certificates("eu-west-1", [SITE, ADMIN], [ORIGIN, SITE, ADMIN])


def test_in_us_east_1_one_certificate_serves_cloudfront_and_the_alb(us_east: Plan) -> None:
    (certificate,) = us_east.of_type(CERTIFICATE)
    assert certificate.inputs["region"] == "us-east-1"
    assert names_of(certificate) == [SITE, ADMIN, ORIGIN]
    validation = validation_for(us_east, certificate)
    assert us_east.outputs["cloudfront"] == validation.outputs["certificateArn"]
    assert us_east.outputs["alb"] == us_east.outputs["cloudfront"]
    assert us_east.outputs["cloudfront"].startswith("arn:aws:acm:us-east-1:123456789012:")


def test_elsewhere_cloudfront_certificate_is_in_us_east_1_and_the_albs_in_the_region(
    elsewhere: Plan,
) -> None:
    by_region = {c.inputs["region"]: c for c in elsewhere.of_type(CERTIFICATE)}
    assert sorted(by_region) == ["eu-west-1", "us-east-1"]
    assert names_of(by_region["us-east-1"]) == [SITE, ADMIN]
    assert names_of(by_region["eu-west-1"]) == [ORIGIN, SITE, ADMIN]
    edge = validation_for(elsewhere, by_region["us-east-1"])
    alb = validation_for(elsewhere, by_region["eu-west-1"])
    assert edge.inputs["region"] == "us-east-1"
    assert alb.inputs["region"] == "eu-west-1"
    assert elsewhere.outputs["cloudfront"] == edge.outputs["certificateArn"]
    assert elsewhere.outputs["alb"] == alb.outputs["certificateArn"]
    assert elsewhere.outputs["alb"].startswith("arn:aws:acm:eu-west-1:")


def test_shared_names_get_one_validation_record_each(elsewhere: Plan) -> None:
    records = elsewhere.of_type(RECORD)
    assert sorted(r.inputs["name"] for r in records) == sorted(
        acm_validation_record(ACCOUNT_ID, n)[0] for n in (SITE, ADMIN, ORIGIN)
    )
    for record in records:
        host = record.name.removeprefix("shop-prod-validation-")
        assert (record.inputs["name"], record.inputs["records"]) == (
            acm_validation_record(ACCOUNT_ID, host)[0],
            [acm_validation_record(ACCOUNT_ID, host)[1]],
        )
        assert record.inputs["type"] == "CNAME"
        assert record.inputs["zoneId"] == ZONE
        assert record.inputs["ttl"] == 300
        assert record.inputs["allowOverwrite"] is True
    fqdn = {r.name.removeprefix("shop-prod-validation-"): r.outputs["fqdn"] for r in records}
    by_region = {c.inputs["region"]: c for c in elsewhere.of_type(CERTIFICATE)}
    edge = validation_for(elsewhere, by_region["us-east-1"])
    alb = validation_for(elsewhere, by_region["eu-west-1"])
    assert edge.inputs["validationRecordFqdns"] == [fqdn[SITE], fqdn[ADMIN]]
    assert alb.inputs["validationRecordFqdns"] == [fqdn[ORIGIN], fqdn[SITE], fqdn[ADMIN]]


def test_a_wildcard_and_its_apex_share_one_record() -> None:
    plan = certificates("us-east-1", ["example.com", "*.example.com"])
    (record,) = plan.of_type(RECORD)
    assert record.inputs["name"] == acm_validation_record(ACCOUNT_ID, "example.com")[0]
    (validation,) = plan.of_type(VALIDATION)
    assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]
    assert plan.outputs["alb"] is None


def test_certificates_are_dns_validated_rsa_2048_and_replaced_create_first(
    elsewhere: Plan,
) -> None:
    for certificate in elsewhere.of_type(CERTIFICATE):
        assert certificate.inputs["validationMethod"] == "DNS"
        assert certificate.inputs["keyAlgorithm"] == "RSA_2048"
        assert certificate.inputs["options"] == {
            "certificateTransparencyLoggingPreference": "ENABLED"
        }
        assert certificate.delete_before_replace is False
        assert certificate.parent is not None and certificate.parent.endswith("::shop-prod")


def test_without_alb_names_only_cloudfront_gets_a_certificate() -> None:
    args = CertificatesArgs(zone_id=ZONE, region="eu-west-1", cloudfront_names=[SITE])
    assert [(r.role, r.region, r.names) for r in plan_certificates(args)] == [
        ("edge", "us-east-1", [SITE])
    ]


def records(origin: bool) -> Plan:
    def program() -> None:
        DnsRecords(
            "shop-prod",
            DnsRecordsArgs(
                zone_id=ZONE,
                site_names=[SITE, ADMIN],
                distribution_domain_name="d1234abcd5678e.cloudfront.net",
                distribution_zone_id=CLOUDFRONT_ZONE_ID,
                origin_host_name=ORIGIN if origin else None,
                load_balancer_dns_name=(
                    "internal-shop-prod-alb-1234567890.eu-west-1.elb.amazonaws.com"
                ),
                load_balancer_zone_id="Z32O12XQLNTSW2",
            ),
        )

    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml", program=program)


def test_every_site_name_gets_a_and_aaaa_aliases_to_cloudfront() -> None:
    plan = records(origin=False)
    found = sorted((r.inputs["name"], r.inputs["type"]) for r in plan.of_type(RECORD))
    assert found == [(ADMIN, "A"), (ADMIN, "AAAA"), (SITE, "A"), (SITE, "AAAA")]
    for record in plan.of_type(RECORD):
        assert record.inputs["zoneId"] == ZONE
        assert record.inputs["aliases"] == [
            {
                "name": "d1234abcd5678e.cloudfront.net",
                "zoneId": CLOUDFRONT_ZONE_ID,
                "evaluateTargetHealth": False,
            }
        ]
        assert "ttl" not in record.inputs


def test_the_origin_name_is_an_a_alias_to_the_internal_alb() -> None:
    plan = records(origin=True)
    (origin,) = [r for r in plan.of_type(RECORD) if r.inputs["name"] == ORIGIN]
    assert origin.inputs["type"] == "A"
    assert origin.inputs["aliases"] == [
        {
            "name": "internal-shop-prod-alb-1234567890.eu-west-1.elb.amazonaws.com",
            "zoneId": "Z32O12XQLNTSW2",
            "evaluateTargetHealth": False,
        }
    ]
    assert len(plan.of_type(RECORD)) == 5
