"""Names and certificates at the edge: ACM certificates validated in the stack's hosted zone,
and the alias records that send the site's names to CloudFront.

Creates (`Certificates`, before the ALB): an ACM certificate in us-east-1 for CloudFront and,
when the stack lives in another region and the ALB speaks HTTPS, one in the stack's region for
the ALB (in us-east-1 one certificate serves both); one DNS validation record per distinct name
(two certificates for the same name ask for the same record, and so do `*.x` and `x`: each
record is created once); a `CertificateValidation` per certificate, whose ARN is what the
consumers use, so CloudFront and the HTTPS listener wait until ACM has issued it.

Creates (`DnsRecords`, after CloudFront): A and AAAA alias records from every site name to the
distribution, and an A alias record from the origin host name to the internal ALB.

Two components in one module because they sit on either side of the ALB and the distribution:
the certificates must exist before the HTTPS listener, the records need the distribution.
The hosted zone itself is never created here: the stack layer looks it up by name (a zone the
registrar has not delegated yet would stall certificate validation for over an hour, so
creating it is a one-time `golive bootstrap --zone` step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_facts.regions import GLOBAL_SERVICES_REGION

CLOUDFRONT_CERTIFICATE_REGION = GLOBAL_SERVICES_REGION
"""CloudFront accepts ACM certificates from us-east-1 only."""


def validation_key(name: str) -> str:
    """The name ACM validates for `name`: a wildcard shares its apex's record."""
    return name.removeprefix("*.")


@dataclass(frozen=True, kw_only=True)
class CertificatesArgs:
    zone_id: pulumi.Input[str]
    """Hosted zone holding every name (looked up by the stack layer, never created)."""
    region: str
    """The stack's region, where the ALB and its certificate live."""
    cloudfront_names: Sequence[str]
    """Names CloudFront serves: the site's name first (it becomes the certificate's common
    name, at most 64 characters), then any extra host names."""
    alb_names: Sequence[str] = ()
    """Names the ALB's HTTPS listener must present: the origin host name, plus the site names
    when the viewer's Host header reaches the ALB. Empty: no ALB certificate."""
    key_algorithm: str = "RSA_2048"
    """RSA 2048 (control ACM.2): every client and CloudFront accept it."""


@dataclass(frozen=True)
class _Request:
    role: str
    region: str
    names: list[str]


def plan_certificates(args: CertificatesArgs) -> list[_Request]:
    """Which certificates the names need: one in us-east-1, and one for the ALB elsewhere."""
    if args.region == CLOUDFRONT_CERTIFICATE_REGION:
        names = _unique([*args.cloudfront_names, *args.alb_names])
        return [_Request("edge", CLOUDFRONT_CERTIFICATE_REGION, names)]
    requests = [_Request("edge", CLOUDFRONT_CERTIFICATE_REGION, _unique(args.cloudfront_names))]
    if args.alb_names:
        requests.append(_Request("alb", args.region, _unique(args.alb_names)))
    return requests


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


class Certificates(pulumi.ComponentResource):
    """DNS-validated ACM certificates for CloudFront (us-east-1) and the ALB (stack region).

    Example::

        certs = Certificates("auction-prod", CertificatesArgs(zone_id=zone_id,
                             region="eu-west-1", cloudfront_names=["auction.example.com"],
                             alb_names=["origin.auction.example.com"]))
        listener_certificate = certs.alb_certificate_arn

    Cost: public ACM certificates are free; each validation record is part of the zone
    ($0.50/month per zone, paid once by the account).
    """

    cloudfront_certificate_arn: pulumi.Output[str]
    """Validated certificate for the distribution (us-east-1)."""
    alb_certificate_arn: pulumi.Output[str] | None
    """Validated certificate for the ALB's HTTPS listener; None without `alb_names`."""

    def __init__(
        self, name: str, args: CertificatesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Certificates", name, None, opts)
        if not args.cloudfront_names:
            raise ValueError("Certificates needs at least one name for CloudFront")
        child = pulumi.ResourceOptions(parent=self)
        requests = plan_certificates(args)
        certificates = {
            r.role: self._certificate(f"{name}-{r.role}", r, args.key_algorithm, child)
            for r in requests
        }
        records = self._validation_records(name, args.zone_id, requests, certificates, child)
        validated: dict[str, pulumi.Output[str]] = {}
        for request in requests:
            validation = aws.acm.CertificateValidation(
                f"{name}-{request.role}-validation",
                certificate_arn=certificates[request.role].arn,
                validation_record_fqdns=[
                    records[key].fqdn for key in _unique([validation_key(n) for n in request.names])
                ],
                region=request.region,
                opts=child,
            )
            validated[request.role] = validation.certificate_arn
        self.certificates = certificates
        self.validation_records = records
        self.cloudfront_certificate_arn = validated["edge"]
        self.alb_certificate_arn = (
            validated.get("alb", validated["edge"]) if args.alb_names else None
        )
        self.register_outputs(
            {
                "cloudfrontCertificateArn": self.cloudfront_certificate_arn,
                "albCertificateArn": self.alb_certificate_arn,
            }
        )

    @staticmethod
    def _certificate(
        logical: str, request: _Request, key_algorithm: str, child: pulumi.ResourceOptions
    ) -> aws.acm.Certificate:
        # Pulumi replaces a certificate create-before-delete (no `delete_before_replace`): the
        # listener and the distribution move to the new one before the old one goes.
        return aws.acm.Certificate(
            logical,
            domain_name=request.names[0],
            subject_alternative_names=request.names[1:],
            validation_method="DNS",
            key_algorithm=key_algorithm,
            options={"certificate_transparency_logging_preference": "ENABLED"},
            region=request.region,
            opts=child,
        )

    @staticmethod
    def _validation_records(
        name: str,
        zone_id: pulumi.Input[str],
        requests: Sequence[_Request],
        certificates: dict[str, aws.acm.Certificate],
        child: pulumi.ResourceOptions,
    ) -> dict[str, aws.route53.Record]:
        """One CNAME per validated name, taken from the first certificate that asks for it."""
        records: dict[str, aws.route53.Record] = {}
        for request in requests:
            for domain in request.names:
                key = validation_key(domain)
                if key in records:
                    continue
                option = certificates[request.role].domain_validation_options.apply(
                    lambda options, domain=domain: next(
                        o for o in options if o.domain_name == domain
                    )
                )
                records[key] = aws.route53.Record(
                    f"{name}-validation-{key}",
                    zone_id=zone_id,
                    name=option.apply(lambda o: o.resource_record_name or ""),
                    type=option.apply(lambda o: o.resource_record_type or "CNAME"),
                    records=[option.apply(lambda o: o.resource_record_value or "")],
                    ttl=300,
                    # NOTE: ACM asks for this same CNAME for every certificate of this name in
                    # the account (other regions, the old certificate during a replacement):
                    # taking over an existing copy is harmless, failing on it would block.
                    allow_overwrite=True,
                    opts=child,
                )
        return records


@dataclass(frozen=True, kw_only=True)
class DnsRecordsArgs:
    zone_id: pulumi.Input[str]
    """Hosted zone holding every name."""
    site_names: Sequence[str]
    """Names viewers use; each gets an A and an AAAA alias to the distribution."""
    distribution_domain_name: pulumi.Input[str]
    """The distribution's `dxxxx.cloudfront.net` name."""
    distribution_zone_id: pulumi.Input[str]
    """The distribution's alias zone (`Z2FDTNDATAQYW2` for every distribution)."""
    origin_host_name: str | None = None
    """The name CloudFront uses for the ALB (`origin.<domain>`); None: no record."""
    load_balancer_dns_name: pulumi.Input[str] | None = None
    """The internal ALB's DNS name, target of the origin record."""
    load_balancer_zone_id: pulumi.Input[str] | None = None
    """The ALB's canonical hosted zone id (per region)."""


class DnsRecords(pulumi.ComponentResource):
    """Alias records: the site's names to CloudFront, the origin name to the internal ALB.

    Example::

        DnsRecords("auction-prod", DnsRecordsArgs(zone_id=zone_id,
                   site_names=["auction.example.com"], distribution_domain_name=cdn.domain_name,
                   distribution_zone_id=cdn.hosted_zone_id))

    Cost: alias queries to CloudFront and ALBs are free; the zone is the account's.
    """

    def __init__(
        self, name: str, args: DnsRecordsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:DnsRecords", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        site_alias: aws.route53.RecordAliasArgsDict = {
            "name": args.distribution_domain_name,
            "zone_id": args.distribution_zone_id,
            # CloudFront aliases cannot evaluate target health.
            "evaluate_target_health": False,
        }
        self.site_records: list[aws.route53.Record] = []
        for host in args.site_names:
            for record_type in ("A", "AAAA"):
                self.site_records.append(
                    aws.route53.Record(
                        f"{name}-{host}-{record_type.lower()}",
                        zone_id=args.zone_id,
                        name=host,
                        type=record_type,
                        aliases=[site_alias],
                        opts=child,
                    )
                )
        self.origin_record: aws.route53.Record | None = None
        if args.origin_host_name is not None:
            if args.load_balancer_dns_name is None or args.load_balancer_zone_id is None:
                raise ValueError("an origin host name needs the load balancer's name and zone")
            # The VPC origin reaches the ALB by its ARN; this name is what CloudFront sends as
            # SNI and checks the ALB's certificate against. An internal ALB has IPv4 only.
            self.origin_record = aws.route53.Record(
                f"{name}-origin-a",
                zone_id=args.zone_id,
                name=args.origin_host_name,
                type="A",
                aliases=[
                    {
                        "name": args.load_balancer_dns_name,
                        "zone_id": args.load_balancer_zone_id,
                        "evaluate_target_health": False,
                    }
                ],
                opts=child,
            )
        self.register_outputs(
            {
                "siteNames": list(args.site_names),
                "originHostName": args.origin_host_name,
            }
        )
