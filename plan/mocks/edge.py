# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""Edge answers (components/dns.py: ACM certificates, validation and alias records;
components/cdn.py: CloudFront distribution, OAC, headers policy, function, VPC origin, WAF web
ACL and its logging); the hosted zone, CloudFront's managed policies, its VPC-origins security
group and its log-delivery account."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aws_facts.cloudfront import (
    CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID,
    CLOUDFRONT_ZONE_ID,
    MANAGED_CLOUDFRONT_POLICIES,
    VPC_ORIGINS_SERVICE_GROUP,
    WAF_LOG_DESTINATION_PREFIX,
)
from plan.mocks.context import Answers, Ctx, MockLookupError, digest, stable_uuid

if TYPE_CHECKING:
    from plan.mocks import AwsMocks

answers = Answers()


_ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALNUM_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _chars(alphabet: str, n: int, *parts: str) -> str:
    seed = digest(*parts) + digest("more", *parts)
    return "".join(alphabet[int(seed[2 * i : 2 * i + 2], 16) % len(alphabet)] for i in range(n))


def _cloudfront_id(c: Ctx) -> str:
    """CloudFront ids look like `E2QWRUHAPOMQZL`: 'E' and 13 upper-case letters or digits."""
    return "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical)


def acm_validation_record(account: str, domain: str) -> tuple[str, str]:
    """The CNAME ACM asks for to validate `domain`.

    ACM derives it from the account and the name without a leading `*.`: a wildcard and its
    apex share one record, and certificates for the same name in two regions (CloudFront's
    in us-east-1, the ALB's elsewhere) ask for the very same record.
    """
    base = domain.removeprefix("*.").rstrip(".").lower()
    name = f"_{digest('acm-name', account, base)[:32]}.{base}."
    label = _chars("abcdefghijklmnopqrstuvwxyz", 10, "acm", base)
    value = f"_{digest('acm-value', account, base)[:32]}.{label}.acm-validations.aws."
    return name, value


@answers.builder("aws:acm/certificate:Certificate")
def _acm_certificate(c: Ctx) -> tuple[str, dict[str, Any]]:
    arn = c.arn("acm", f"certificate/{stable_uuid(c.typ, c.logical, c.region)}")
    names = [str(c.inputs.get("domainName", ""))]
    for name in c.inputs.get("subjectAlternativeNames") or []:
        if name not in names:
            names.append(str(name))
    options: list[dict[str, Any]] = []
    for name in names:
        record_name, record_value = acm_validation_record(c.account, name)
        options.append(
            {
                "domainName": name,
                "resourceRecordName": record_name,
                "resourceRecordType": "CNAME",
                "resourceRecordValue": record_value,
            }
        )
    return arn, {
        "arn": arn,
        "domainValidationOptions": options,
        "status": "PENDING_VALIDATION",
        "type": "AMAZON_ISSUED",
        "keyAlgorithm": c.inputs.get("keyAlgorithm") or "RSA_2048",
        "subjectAlternativeNames": names,
        "validationEmails": [],
        "notBefore": "",
        "notAfter": "",
        "pendingRenewal": False,
        "renewalEligibility": "INELIGIBLE",
        "renewalSummaries": [],
        "region": c.region,
    }


@answers.builder("aws:acm/certificateValidation:CertificateValidation")
def _acm_validation(c: Ctx) -> tuple[str, dict[str, Any]]:
    # The provider's id is the time validation completed; the ARN is the certificate's.
    return "2026-11-21 00:00:00 +0000 UTC", {"certificateArn": c.inputs.get("certificateArn")}


@answers.builder("aws:route53/record:Record")
def _route53_record(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = str(c.inputs.get("name", "")).rstrip(".").lower()
    record_type = str(c.inputs.get("type", ""))
    return f"{c.inputs.get('zoneId', '')}_{name}_{record_type}", {"fqdn": name}


@answers.builder("aws:cloudfront/distribution:Distribution")
def _distribution(c: Ctx) -> tuple[str, dict[str, Any]]:
    distribution_id = _cloudfront_id(c)
    return distribution_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:distribution/{distribution_id}",
        "domainName": f"d{_chars(_ALNUM_LOWER, 13, c.typ, c.logical, 'domain')}.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": "Deployed",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
        "callerReference": f"terraform-{c.hex(26)}",
        "inProgressValidationBatches": 0,
        "lastModifiedTime": "2026-11-21T00:00:00Z",
        "trustedKeyGroups": [{"enabled": False, "items": []}],
        "trustedSigners": [{"enabled": False, "items": []}],
    }


@answers.builder("aws:cloudfront/originAccessControl:OriginAccessControl")
def _origin_access_control(c: Ctx) -> tuple[str, dict[str, Any]]:
    oac_id = _cloudfront_id(c)
    return oac_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:origin-access-control/{oac_id}",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
    }


@answers.builder("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
def _response_headers_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    policy_id = stable_uuid(c.typ, c.logical)
    return policy_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:response-headers-policy/{policy_id}",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
    }


@answers.builder("aws:cloudfront/function:Function")
def _cloudfront_function(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    etag = "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag")
    return name, {
        "name": name,
        "arn": f"arn:aws:cloudfront::{c.account}:function/{name}",
        "etag": etag,
        "liveStageEtag": etag if c.inputs.get("publish", True) else "",
        "status": "UNASSOCIATED",
    }


@answers.builder("aws:cloudfront/vpcOrigin:VpcOrigin")
def _vpc_origin(c: Ctx) -> tuple[str, dict[str, Any]]:
    # VPC origin ids look like `vo_DVyjZ1Ou55tEjs0bZNTKys`.
    origin_id = "vo_" + _chars(_ALNUM_MIXED, 22, c.typ, c.logical)
    c.mocks.vpc_origin_ids.append(origin_id)
    return origin_id, {
        "arn": f"arn:aws:cloudfront::{c.account}:vpcorigin/{origin_id}",
        "etag": "E" + _chars(_ALNUM_UPPER, 13, c.typ, c.logical, "etag"),
    }


# Web ACL capacity units of the rules golive uses (AWS's published WCUs).
_WAF_CAPACITY = {"AWSManagedRulesCommonRuleSet": 700, "AWSManagedRulesKnownBadInputsRuleSet": 200}


@answers.builder("aws:wafv2/webAcl:WebAcl")
def _web_acl(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    acl_id = stable_uuid(c.typ, c.logical)
    scope = "global" if c.inputs.get("scope") == "CLOUDFRONT" else "regional"
    capacity = 0
    for rule in c.inputs.get("rules") or []:
        statement = rule.get("statement") or {}
        managed = statement.get("managedRuleGroupStatement")
        capacity += _WAF_CAPACITY.get(managed.get("name"), 0) if managed else 2
    return acl_id, {
        "name": name,
        "arn": c.arn("wafv2", f"{scope}/webacl/{name}/{acl_id}"),
        "capacity": capacity,
        "lockToken": stable_uuid(c.typ, c.logical, "lock"),
        "applicationIntegrationUrl": "",
    }


@answers.builder("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
def _waf_logging(c: Ctx) -> tuple[str, dict[str, Any]]:
    for arn in c.inputs.get("logDestinationConfigs") or []:
        name = re.split(r"[:/]", str(arn))[-1]
        if not name.startswith(WAF_LOG_DESTINATION_PREFIX):
            # As PutLoggingConfiguration answers (WAFInvalidParameterException).
            raise ValueError(
                f"{c.logical}: WAF logs only to a destination named {WAF_LOG_DESTINATION_PREFIX}"
                f"..., not {name!r}"
            )
    # Its id is the web ACL's ARN.
    return str(c.inputs.get("resourceArn")), {}


@answers.invoke("aws:route53/getZone:getZone")
def _get_zone(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name", "")).rstrip(".")
    zones = m.lookups.zones
    if zones is not None and name not in zones:
        raise MockLookupError(
            f"no matching Route 53 Hosted Zone found for {name!r} "
            "(create it once with `golive bootstrap --zone DOMAIN`)"
        )
    zone_id = (zones or {}).get(name) or "Z" + digest("zone", name)[:20].upper()
    return {
        "zoneId": zone_id,
        "id": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.org" for i in range(1, 5)],
        "privateZone": False,
        "callerReference": "golive-bootstrap",
        "resourceRecordSetCount": 2,
    }


def _cloudfront_policy(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m
    name = str(args.get("name", ""))
    if name not in MANAGED_CLOUDFRONT_POLICIES:
        raise MockLookupError(f"no CloudFront managed policy named {name!r}")
    return {"id": MANAGED_CLOUDFRONT_POLICIES[name], "name": name, "etag": "E1MOCK"}


for _token in [
    "aws:cloudfront/getCachePolicy:getCachePolicy",
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy",
    "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy",
]:
    answers.invokes[_token] = _cloudfront_policy


@answers.invoke("aws:ec2/getSecurityGroup:getSecurityGroup")
def _get_security_group(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name", ""))
    vpc_id = str(args.get("vpcId", ""))
    if name != VPC_ORIGINS_SERVICE_GROUP:
        raise MockLookupError(f"no matching EC2 Security Group found (name {name!r})")
    if not m.vpc_origin_ids:
        # CloudFront creates this group with the first VPC origin: looking it up any earlier
        # fails, exactly as on a real first deploy.
        raise MockLookupError("no matching EC2 Security Group found")
    group_id = f"sg-{digest('vpc-origins', vpc_id)[:17]}"
    return {
        "id": group_id,
        "arn": f"arn:aws:ec2:{m.region}:{m.account}:security-group/{group_id}",
        "name": name,
        "vpcId": vpc_id,
        "description": "CloudFront VPC origins service security group",
        "tags": {},
    }


@answers.invoke("aws:cloudfront/getLogDeliveryCanonicalUserId:getLogDeliveryCanonicalUserId")
def _get_log_delivery_id(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID, "region": args.get("region") or m.region}
