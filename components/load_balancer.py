"""The one Application Load Balancer shared by every web service of a stack.

Creates: the ALB's security group (ingress only from the sources the stack layer names: CIDRs,
prefix lists such as CloudFront's origin-facing list, or security groups; no egress until each
service adds its own to its tasks), the ALB (drops invalid header fields, desync mitigation
defensive, idle timeout and deletion protection from config, access logs when asked), an HTTPS
listener with the regional certificate and the TLS 1.3 policy when there is a certificate (the
HTTP listener then only redirects), a fixed-response 404 for unmatched requests, and per web
service a target group (target type ip, health check every 10 s, healthy after 2, unhealthy
after 3, short deregistration delay) with its listener rule. With access logs: a private S3
bucket (SSE-S3, which ALB log delivery requires; TLS only; expiry) whose policy lets only
Elastic Load Balancing write this account's logs.

With an origin header (an internet-facing ALB that only CloudFront may use): two generated
secret values, every listener rule also requires the header to carry one of them, and the
HTTPS listener answers 403 to anything else. CloudFront sends the current value; the ALB also
accepts the previous one, so a rotation never refuses an edge location still sending it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from aws_facts.limits import ALB_HEADER_NAME_MAX
from components import naming
from components.buckets import LifecycleRule, PolicyStatement, PrivateBucket, SseS3, private_bucket

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only, forward-secret ciphers (controls ELB.17/18)."""
HTTP_PORT = 80
HTTPS_PORT = 443
HEALTH_CHECK_INTERVAL = 10
HEALTHY_THRESHOLD = 2
UNHEALTHY_THRESHOLD = 3
ACCESS_LOG_PREFIX = "alb"
SCHEME_TAG = "golive:alb-scheme"
"""Tags an internet-facing ALB's target groups (absent: internal), so that they are replaced
with the ALB when its scheme changes."""
ORIGIN_HEADER_VALUES = 2
"""Secret values the ALB accepts at once: the current one and the one before a rotation."""
ORIGIN_SECRET_LENGTH = 64
"""Letters and digits: no `*` or `?`, which an ALB header condition reads as wildcards, and at
most `ALB_CONDITION_VALUE_MAX` characters; compared without case, 64 still hold 330 bits."""


@dataclass(frozen=True, kw_only=True)
class Route:
    """One web service behind the load balancer: its target group and listener rule."""

    service: str
    """Service name (keys `target_groups` and `listener_rules`)."""
    port: int
    """Container port the target group forwards to."""
    priority: int
    """Listener rule priority (unique; lower is evaluated first)."""
    paths: Sequence[str] = ()
    """Path patterns (at most 3, validated by the config model)."""
    hosts: Sequence[str] = ()
    """Host header values (at most 3; with paths at most 5 values in all)."""
    health_check_path: str = "/health"
    """Path the health check requests."""
    health_check_matcher: str = "200"
    """Status codes that count as healthy."""
    health_check_timeout: int = 5
    """Seconds before a probe fails (below the 10 s interval)."""
    deregistration_delay: int = 30
    """Seconds a deregistering target keeps serving in-flight requests (AWS default: 300)."""


@dataclass(frozen=True, kw_only=True)
class AccessLogSettings:
    account_id: str
    """This account: the only one whose logs the bucket accepts."""
    delivery_principal: Mapping[str, str]
    """Who writes ALB logs in this region: `{"AWS": <ELB account ARN>}` in regions opened before
    August 2022, `{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}` in newer ones
    (looked up by the stack layer)."""
    retention_days: int = 90
    """Days before log objects expire."""
    force_destroy: bool = True
    """Empty the bucket on delete (false when the stack protects its data)."""


@dataclass(frozen=True, kw_only=True)
class OriginHeader:
    """A secret request header CloudFront adds on its way to the origin: the ALB serves only
    requests that carry it (AWS's pattern for an internet-facing origin behind CloudFront)."""

    name: str = "X-Origin-Verify"
    """The header's name (at most 40 characters in an ALB condition)."""
    generation: int = 1
    """Bump to rotate: the new value replaces the one before the previous, so the ALB accepts
    the new and the previous value while CloudFront's edges switch over."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    vpc_id: pulumi.Input[str]
    """The VPC of the targets."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets in at least two AZs (control ELB.13): public when internet-facing, private when
    internal."""
    routes: Sequence[Route]
    """One per web service."""
    internal: bool = False
    """Internal (reached through a CloudFront VPC origin) or internet-facing: the edge decides."""
    certificate_arn: pulumi.Input[str] | None = None
    """Regional ACM certificate (validated): HTTPS on 443 with HTTP redirecting. None: plain HTTP
    on 80 (a trial without a domain, reached only from inside the VPC)."""
    ingress_cidrs: Sequence[str] = ()
    """CIDRs admitted on the listener ports (e.g. 0.0.0.0/0 for an internet-facing ALB)."""
    ingress_prefix_list_ids: Sequence[pulumi.Input[str]] = ()
    """Prefix lists admitted on the serving port only (CloudFront's origin-facing list weighs 55
    of the 60 rules a security group holds, so it fits on one port)."""
    ingress_security_group_ids: Sequence[pulumi.Input[str]] = ()
    """Security groups admitted on the serving port (e.g. CloudFront's VPC-origin group)."""
    origin_header: OriginHeader | None = None
    """Serve only requests carrying this secret header (needs a certificate: the value must
    travel over TLS); None: serve whatever reaches the listener."""
    idle_timeout: int = 60
    """Seconds an idle connection stays open."""
    deletion_protection: bool = False
    """Refuse deletion (control ELB.6; prod)."""
    access_logs: AccessLogSettings | None = None
    """Access logs to a private bucket (control ELB.5); None: off."""
    protect: bool = False
    """Protect the access-log bucket from deletion."""
    tags: Mapping[str, str] = field(default_factory=dict[str, str])
    """Extra tags on the load balancer."""


class LoadBalancer(pulumi.ComponentResource):
    """One ALB for all web services, routing by path and host.

    Example::

        lb = LoadBalancer("auction-prod", LoadBalancerArgs(vpc_id=network.vpc_id,
                          subnet_ids=network.public_subnet_ids, certificate_arn=cert_arn,
                          ingress_cidrs=["0.0.0.0/0"],
                          routes=[Route(service="api", port=8080, priority=100,
                                        paths=["/api/*"], health_check_path="/api/health")]))

    Cost: ~$16.40/month per ALB ($0.0225/h) plus ~$5.84 per LCU-month; access logs cost S3
    storage only. An internet-facing ALB also pays $3.65/month per public IPv4 (one per AZ).
    """

    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    """`app/<name>/<id>`: the CloudWatch `LoadBalancer` dimension."""
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    """Route53 hosted zone id of the ALB's DNS name (alias records)."""
    security_group_id: pulumi.Output[str]
    https_listener_arn: pulumi.Output[str] | None
    http_listener_arn: pulumi.Output[str]
    serving_port: int
    """443 with a certificate, else 80."""
    target_groups: dict[str, aws.lb.TargetGroup]
    listener_rules: dict[str, aws.lb.ListenerRule]
    access_log_bucket: pulumi.Output[str] | None
    origin_header_name: str | None
    """The header CloudFront must send (None: no origin header)."""
    origin_header_value: pulumi.Output[str] | None
    """The value CloudFront must send in it now (secret)."""

    def __init__(
        self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:LoadBalancer", name, None, opts)
        _check(args)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        self.serving_port = HTTPS_PORT if args.certificate_arn is not None else HTTP_PORT
        self._origin_secrets = (
            self._create_origin_secrets(args.origin_header, child) if args.origin_header else []
        )
        header = args.origin_header
        self.origin_header_name = header.name if header else None
        self.origin_header_value = (
            self._origin_secrets[header.generation % ORIGIN_HEADER_VALUES] if header else None
        )

        self.security_group = self._create_security_group(child)
        self.security_group_id = self.security_group.id
        logs = self._create_access_log_bucket() if args.access_logs else None
        self.access_log_bucket = logs.bucket.bucket if logs else None
        self.alb = self._create_alb(logs)
        self.arn = self.alb.arn
        self.arn_suffix = self.alb.arn_suffix
        self.dns_name = self.alb.dns_name
        self.zone_id = self.alb.zone_id

        serving = self._create_listeners(child)
        self.target_groups = {}
        self.listener_rules = {}
        for route in args.routes:
            self._create_route(route, serving, child)

        self.register_outputs(
            {
                "arn": self.arn,
                "arnSuffix": self.arn_suffix,
                "dnsName": self.dns_name,
                "zoneId": self.zone_id,
                "securityGroupId": self.security_group_id,
                "httpsListenerArn": self.https_listener_arn,
                "httpListenerArn": self.http_listener_arn,
                "targetGroupArns": {k: tg.arn for k, tg in self.target_groups.items()},
            }
        )

    # ------------------------------------------------------------------ origin header

    def _create_origin_secrets(
        self, header: OriginHeader, child: pulumi.ResourceOptions
    ) -> list[pulumi.Output[str]]:
        """One value per slot; a slot is regenerated when a generation of its parity comes."""
        values: list[pulumi.Output[str]] = []
        for slot in range(ORIGIN_HEADER_VALUES):
            latest = header.generation - (header.generation - slot) % ORIGIN_HEADER_VALUES
            secret = random.RandomPassword(
                f"{self._name}-origin-secret-{slot}",
                length=ORIGIN_SECRET_LENGTH,
                special=False,
                keepers={"generation": str(latest)},
                opts=child,
            )
            values.append(secret.result)
        return values

    # ------------------------------------------------------------------ security group

    def _create_security_group(self, child: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
        args, name = self._args, self._name
        group = aws.ec2.SecurityGroup(
            naming.load_balancer_security_group(name),
            vpc_id=args.vpc_id,
            description="Load balancer: listener ports from its admitted sources only",
            tags={"Name": f"{name}-alb"},
            opts=child,
        )
        # A plain-HTTP listener on 80 only redirects when there is HTTPS: viewers that reach
        # the ALB directly (CIDR sources) may use it; CloudFront speaks the serving port only.
        cidr_ports = sorted({self.serving_port, HTTP_PORT})
        for cidr in args.ingress_cidrs:
            for port in cidr_ports:
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-alb-in-{_slug(cidr)}-{port}",
                    security_group_id=group.id,
                    description=f"{'HTTPS' if port == HTTPS_PORT else 'HTTP'} from {cidr}",
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=cidr,
                    opts=child,
                )
        for index, prefix_list in enumerate(args.ingress_prefix_list_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-in-prefix-list-{index}",
                security_group_id=group.id,
                description=f"Port {self.serving_port} from an admitted prefix list",
                ip_protocol="tcp",
                from_port=self.serving_port,
                to_port=self.serving_port,
                prefix_list_id=prefix_list,
                opts=child,
            )
        for index, source in enumerate(args.ingress_security_group_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-in-group-{index}",
                security_group_id=group.id,
                description=f"Port {self.serving_port} from an admitted security group",
                ip_protocol="tcp",
                from_port=self.serving_port,
                to_port=self.serving_port,
                referenced_security_group_id=source,
                opts=child,
            )
        return group

    # ------------------------------------------------------------------ access logs

    def _create_access_log_bucket(self) -> PrivateBucket:
        settings = self._args.access_logs
        assert settings is not None

        def elb_delivery(bucket_arn: pulumi.Output[str]) -> list[PolicyStatement]:
            logs_arn = pulumi.Output.concat(
                bucket_arn, f"/{ACCESS_LOG_PREFIX}/AWSLogs/{settings.account_id}/*"
            )
            return [
                {
                    "Sid": "ElbLogDelivery",
                    "Effect": "Allow",
                    "Principal": dict(settings.delivery_principal),
                    "Action": "s3:PutObject",
                    "Resource": logs_arn,
                }
            ]

        return private_bucket(
            naming.load_balancer_logs(self._name),
            parent=self,
            # Stateful: protected with the stack's data; never emptied on delete when protected.
            protect=self._args.protect,
            force_destroy=settings.force_destroy,
            # NOTE: ALB access logs can only be delivered to buckets encrypted with SSE-S3.
            encryption=SseS3(),
            lifecycle=[
                LifecycleRule(id="expire-access-logs", expiration_days=settings.retention_days)
            ],
            policy_statements=elb_delivery,
        )

    # ------------------------------------------------------------------ the ALB

    def _create_alb(self, logs: PrivateBucket | None) -> aws.lb.LoadBalancer:
        args = self._args
        access_logs: aws.lb.LoadBalancerAccessLogsArgsDict | None = None
        if logs is not None:
            access_logs = {
                "bucket": logs.bucket.bucket,
                "prefix": ACCESS_LOG_PREFIX,
                "enabled": True,
            }
        return aws.lb.LoadBalancer(
            # NOTE: ALB names are limited to 32 characters and Pulumi appends 8 (`-1a2b3c4`);
            # the config model checks this same name fits before anything is declared.
            naming.load_balancer(self._name),
            load_balancer_type="application",
            internal=args.internal,
            subnets=list(args.subnet_ids),
            security_groups=[self.security_group.id],
            ip_address_type="ipv4",
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            idle_timeout=args.idle_timeout,
            enable_deletion_protection=args.deletion_protection,
            enable_http2=True,
            access_logs=access_logs,
            tags={"Name": naming.load_balancer(self._name), **args.tags},
            # The ALB checks it may write the bucket when logs are turned on.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[logs.policy] if logs is not None else []
            ),
        )

    def _create_listeners(self, child: pulumi.ResourceOptions) -> aws.lb.Listener:
        args, name = self._args, self._name
        not_found: aws.lb.ListenerDefaultActionArgsDict = {
            "type": "fixed-response",
            "fixed_response": {
                "content_type": "text/plain",
                "message_body": "Not found",
                "status_code": "404",
            },
        }
        if args.certificate_arn is None:
            http = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.alb.arn,
                port=HTTP_PORT,
                protocol="HTTP",
                default_actions=[not_found],
                opts=child,
            )
            self.https_listener_arn = None
            self.http_listener_arn = http.arn
            return http
        forbidden: aws.lb.ListenerDefaultActionArgsDict = {
            "type": "fixed-response",
            "fixed_response": {
                "content_type": "text/plain",
                "message_body": "Forbidden",
                "status_code": "403",
            },
        }
        https = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.alb.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=args.certificate_arn,
            # Without the origin header a request did not come through CloudFront: refused.
            default_actions=[forbidden if args.origin_header else not_found],
            opts=child,
        )
        # ELB.1: plain HTTP only ever redirects to HTTPS.
        http = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.alb.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {
                        "protocol": "HTTPS",
                        "port": str(HTTPS_PORT),
                        "status_code": "HTTP_301",
                    },
                }
            ],
            opts=child,
        )
        self.https_listener_arn = https.arn
        self.http_listener_arn = http.arn
        return https

    # ------------------------------------------------------------------ per service

    def _create_route(
        self, route: Route, listener: aws.lb.Listener, child: pulumi.ResourceOptions
    ) -> None:
        name = self._name
        target_group = aws.lb.TargetGroup(
            # NOTE: target group names are limited to 32 characters; the config model checks
            # this same name plus Pulumi's 8-character suffix.
            naming.target_group(name, route.service),
            target_type="ip",
            protocol="HTTP",
            protocol_version="HTTP1",
            port=route.port,
            vpc_id=self._args.vpc_id,
            deregistration_delay=route.deregistration_delay,
            health_check={
                "enabled": True,
                "protocol": "HTTP",
                "port": "traffic-port",
                "path": route.health_check_path,
                "matcher": route.health_check_matcher,
                "interval": HEALTH_CHECK_INTERVAL,
                "timeout": route.health_check_timeout,
                "healthy_threshold": HEALTHY_THRESHOLD,
                "unhealthy_threshold": UNHEALTHY_THRESHOLD,
            },
            tags={
                "Name": f"{name}-{route.service}",
                "golive:service": route.service,
                **({} if self._args.internal else {SCHEME_TAG: "internet-facing"}),
            },
            # NOTE: a target group serves one load balancer at a time, and AWS cannot change an
            # ALB's scheme: switching it replaces the ALB, so the target groups follow (new
            # ones first, which the new ALB's rules and the services then use).
            opts=pulumi.ResourceOptions(parent=self, replace_on_changes=[f'tags["{SCHEME_TAG}"]']),
        )
        conditions: list[aws.lb.ListenerRuleConditionArgsDict] = []
        if route.hosts:
            conditions.append({"host_header": {"values": list(route.hosts)}})
        if route.paths:
            conditions.append({"path_pattern": {"values": list(route.paths)}})
        header = self._args.origin_header
        if header is not None:
            conditions.append(
                {
                    "http_header": {
                        "http_header_name": header.name,
                        "values": list(self._origin_secrets),
                    }
                }
            )
        rule = aws.lb.ListenerRule(
            f"{name}-{route.service}-rule",
            listener_arn=listener.arn,
            priority=route.priority,
            actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            conditions=conditions,
            tags={"golive:service": route.service},
            opts=child,
        )
        self.target_groups[route.service] = target_group
        self.listener_rules[route.service] = rule


def _check(args: LoadBalancerArgs) -> None:
    """Combinations the stack layer must never pass (the config model rules them out)."""
    header = args.origin_header
    if header is None:
        return
    if args.certificate_arn is None:
        raise ValueError("an origin header must travel over TLS: it needs a certificate")
    if len(header.name) > ALB_HEADER_NAME_MAX or not re.fullmatch(r"[A-Za-z0-9-]+", header.name):
        raise ValueError(
            f"origin header {header.name!r}: an ALB header condition takes a name of letters, "
            f"digits and hyphens, at most {ALB_HEADER_NAME_MAX} characters"
        )


def _slug(cidr: str) -> str:
    return "anywhere" if cidr == "0.0.0.0/0" else cidr.replace(".", "-").replace("/", "-")
