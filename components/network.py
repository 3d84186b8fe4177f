"""The VPC: subnets in three tiers per AZ, internet and NAT routing, endpoints, flow logs.

Creates: a VPC (DNS support and hostnames on); the default security group emptied of rules
(EC2.2); per AZ a public, a private (app) and an isolated (database) subnet, none of which
auto-assigns public IPs (EC2.15); an internet gateway and a public route table; NAT gateways
with Elastic IPs per the NAT strategy and one private route table per AZ; one isolated route
table with no internet route; the free S3 gateway endpoint on every route table; optional
interface endpoints with their own security group; VPC flow logs to CloudWatch Logs (with an
IAM role) or to a private S3 bucket.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pulumi
import pulumi_aws as aws

from components import naming
from components.buckets import LifecycleRule, PolicyStatement, private_bucket

TIERS = ("public", "private", "isolated")


class NatStrategy(StrEnum):
    """How private subnets reach the internet (image pulls, SMTP, third-party APIs)."""

    NONE = "none"
    """No NAT: tasks run in public subnets with public IPs, admitting only the ALB. Cheapest."""
    SINGLE = "single"
    """One NAT gateway for all AZs: ~$33/month + $0.045/GB; an outage of its AZ cuts egress."""
    PER_AZ = "perAz"
    """One NAT gateway per AZ: egress survives an AZ outage; ~$33/month each."""


@dataclass(frozen=True, kw_only=True)
class FlowLogSettings:
    enabled: bool = True
    """On by default (control EC2.6)."""
    destination: str = "cloudWatch"
    """`cloudWatch` or `s3`."""
    traffic_type: str = "ALL"
    """`ALL`, `ACCEPT` or `REJECT`."""
    retention_days: int = 30
    """Log group retention, or S3 object expiry, in days."""


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    availability_zones: Sequence[str]
    """AZ names, looked up once by the stack layer; one subnet per tier in each."""
    cidr: str
    """The VPC CIDR."""
    subnet_cidrs: Mapping[str, Sequence[str]]
    """CIDRs per tier (`public`, `private`, `isolated`), one per AZ, validated by the config."""
    region: str
    """Region, for endpoint service names (`com.amazonaws.<region>.s3`)."""
    account_id: str
    """Account id, for the flow-log trust condition (`aws:SourceAccount`)."""
    nat: NatStrategy = NatStrategy.SINGLE
    """NAT strategy; `single` by default (~$33/month)."""
    interface_endpoints: Sequence[str] = ()
    """Interface endpoint services (`ecr.api`, `logs`, ...): ~$7.30 per endpoint per AZ a month."""
    flow_logs: FlowLogSettings = FlowLogSettings()
    """VPC flow logs."""
    log_kms_key_arn: pulumi.Input[str] | None = None
    """Customer key for the flow-log group (the stack key); None uses CloudWatch's own key."""


class Network(pulumi.ComponentResource):
    """A VPC across 2-6 AZs with public, private and isolated subnets.

    Example::

        network = Network("auction-prod", NetworkArgs(availability_zones=azs, cidr="10.0.0.0/16",
                          subnet_cidrs=cfg.network.subnet_cidrs(), region="us-east-1",
                          account_id=account, nat=NatStrategy.PER_AZ))

    Cost: the VPC, subnets, routes and S3 gateway endpoint are free; each NAT gateway ~$33/month
    + $0.045/GB plus $3.65/month for its public IPv4; interface endpoints ~$7.30 each per AZ.
    """

    vpc_id: pulumi.Output[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    isolated_subnet_ids: list[pulumi.Output[str]]
    availability_zones: list[str]
    app_subnet_ids: list[pulumi.Output[str]]
    """Where tasks run: private subnets, or public subnets when there is no NAT."""
    assign_public_ip: bool
    """True only with `nat: none`: tasks then need a public IP to pull images."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Network", name, None, opts)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            # NOTE: ECS awsvpc tasks, interface endpoints' private DNS and RDS need hostnames on.
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        self.vpc_id = self.vpc.id
        self._lock_default_security_group(child)
        self.subnets = self._create_subnets(child)
        self.public_subnet_ids = [s.id for s in self.subnets["public"]]
        self.private_subnet_ids = [s.id for s in self.subnets["private"]]
        self.isolated_subnet_ids = [s.id for s in self.subnets["isolated"]]
        self.availability_zones = list(args.availability_zones)
        route_tables = self._create_routing(child)
        self._create_gateway_endpoint(route_tables, child)
        if args.interface_endpoints:
            self._create_interface_endpoints(child)
        if args.flow_logs.enabled:
            self._create_flow_logs(child)

        self.assign_public_ip = args.nat is NatStrategy.NONE
        self.app_subnet_ids = (
            self.public_subnet_ids if self.assign_public_ip else self.private_subnet_ids
        )
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "isolatedSubnetIds": self.isolated_subnet_ids,
                "availabilityZones": self.availability_zones,
            }
        )

    def _lock_default_security_group(self, child: pulumi.ResourceOptions) -> None:
        # EC2.2: the default group must have no rules, so nothing can fall back on it.
        aws.ec2.DefaultSecurityGroup(
            f"{self._name}-default-sg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{self._name}-default-locked"},
            opts=child,
        )

    def _create_subnets(self, child: pulumi.ResourceOptions) -> dict[str, list[aws.ec2.Subnet]]:
        subnets: dict[str, list[aws.ec2.Subnet]] = {tier: [] for tier in TIERS}
        for tier in TIERS:
            for az, cidr in zip(
                self._args.availability_zones, self._args.subnet_cidrs[tier], strict=True
            ):
                suffix = az[-1]
                subnets[tier].append(
                    aws.ec2.Subnet(
                        f"{self._name}-{tier}-{suffix}",
                        vpc_id=self.vpc.id,
                        cidr_block=cidr,
                        availability_zone=az,
                        # EC2.15: public IPs are assigned explicitly (NAT none), never by default.
                        map_public_ip_on_launch=False,
                        tags={"Name": f"{self._name}-{tier}-{suffix}", "golive:tier": tier},
                        opts=child,
                    )
                )
        return subnets

    def _create_routing(self, child: pulumi.ResourceOptions) -> list[aws.ec2.RouteTable]:
        name = self._name
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{name}-igw"}, opts=child
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=child
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for subnet, az in zip(self.subnets["public"], self._args.availability_zones, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{az[-1]}",
                subnet_id=subnet.id,
                route_table_id=public_rt.id,
                opts=child,
            )

        nat_ids = self._create_nat_gateways(igw, child)
        private_rts: list[aws.ec2.RouteTable] = []
        # One private route table per AZ whatever the strategy, so switching strategies
        # only changes routes and never replaces tables or associations.
        for index, (subnet, az) in enumerate(
            zip(self.subnets["private"], self._args.availability_zones, strict=True)
        ):
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{az[-1]}",
                vpc_id=self.vpc.id,
                tags={"Name": f"{name}-private-{az[-1]}"},
                opts=child,
            )
            if nat_ids:
                aws.ec2.Route(
                    f"{name}-private-default-{az[-1]}",
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat_ids[min(index, len(nat_ids) - 1)],
                    opts=child,
                )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{az[-1]}", subnet_id=subnet.id, route_table_id=rt.id, opts=child
            )
            private_rts.append(rt)

        isolated_rt = aws.ec2.RouteTable(
            f"{name}-isolated-rt", vpc_id=self.vpc.id, tags={"Name": f"{name}-isolated"}, opts=child
        )
        for subnet, az in zip(self.subnets["isolated"], self._args.availability_zones, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-isolated-{az[-1]}",
                subnet_id=subnet.id,
                route_table_id=isolated_rt.id,
                opts=child,
            )
        return [public_rt, *private_rts, isolated_rt]

    def _create_nat_gateways(
        self, igw: aws.ec2.InternetGateway, child: pulumi.ResourceOptions
    ) -> list[pulumi.Output[str]]:
        count = {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1}.get(
            self._args.nat, len(self._args.availability_zones)
        )
        nat_ids: list[pulumi.Output[str]] = []
        for subnet, az in list(
            zip(self.subnets["public"], self._args.availability_zones, strict=True)
        )[:count]:
            eip = aws.ec2.Eip(
                f"{self._name}-nat-eip-{az[-1]}",
                domain="vpc",
                tags={"Name": f"{self._name}-nat-{az[-1]}"},
                opts=child,
            )
            nat = aws.ec2.NatGateway(
                f"{self._name}-nat-{az[-1]}",
                allocation_id=eip.id,
                subnet_id=subnet.id,
                connectivity_type="public",
                tags={"Name": f"{self._name}-nat-{az[-1]}"},
                # NOTE: a NAT gateway needs the VPC's internet gateway attached first.
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[igw])),
            )
            nat_ids.append(nat.id)
        return nat_ids

    def _create_gateway_endpoint(
        self, route_tables: list[aws.ec2.RouteTable], child: pulumi.ResourceOptions
    ) -> None:
        # Free; keeps ECR layer downloads (served from S3) off the NAT's $0.045/GB.
        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{self._name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{self._args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in route_tables],
            tags={"Name": f"{self._name}-s3"},
            opts=child,
        )

    def _create_interface_endpoints(self, child: pulumi.ResourceOptions) -> None:
        name = self._name
        sg = aws.ec2.SecurityGroup(
            naming.endpoints_security_group(name),
            vpc_id=self.vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC",
            tags={"Name": f"{name}-endpoints"},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=sg.id,
            description="HTTPS from the VPC to AWS API endpoints",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=self._args.cidr,
            opts=child,
        )
        for service in self._args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}-endpoint",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{self._args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[sg.id],
                tags={"Name": f"{name}-{service}"},
                opts=child,
            )

    def _create_flow_logs(self, child: pulumi.ResourceOptions) -> None:
        settings = self._args.flow_logs
        if settings.destination == "s3":
            destination, destination_type, role_arn = self._flow_log_bucket(), "s3", None
        else:
            group = aws.cloudwatch.LogGroup(
                naming.flow_logs(self._name),
                retention_in_days=settings.retention_days,
                kms_key_id=self._args.log_kms_key_arn,
                opts=child,
            )
            destination, destination_type = group.arn, "cloud-watch-logs"
            role_arn = self._flow_log_role(group, child)
        self.flow_log = aws.ec2.FlowLog(
            f"{self._name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type=settings.traffic_type,
            log_destination_type=destination_type,
            log_destination=destination,
            iam_role_arn=role_arn,
            max_aggregation_interval=600,
            tags={"Name": f"{self._name}-flow-log"},
            opts=child,
        )

    def _flow_log_role(
        self, group: aws.cloudwatch.LogGroup, child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused-deputy guard: only flow logs of this account may assume it.
                    "Condition": {"StringEquals": {"aws:SourceAccount": self._args.account_id}},
                }
            ],
        }
        role = aws.iam.Role(
            naming.flow_logs_role(self._name),
            assume_role_policy=json.dumps(trust),
            description="Lets VPC flow logs write to their log group",
            opts=child,
        )
        aws.iam.RolePolicy(
            naming.flow_logs_policy(self._name),
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [group.arn, pulumi.Output.concat(group.arn, ":*")],
                        }
                    ],
                }
            ),
            opts=child,
        )
        return role.arn

    def _flow_log_bucket(self) -> pulumi.Output[str]:
        account = self._args.account_id
        source = {"StringEquals": {"aws:SourceAccount": account}}

        def delivery(bucket_arn: pulumi.Output[str]) -> list[PolicyStatement]:
            return [
                {
                    "Sid": "FlowLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(bucket_arn, f"/AWSLogs/{account}/*"),
                    "Condition": source,
                },
                {
                    "Sid": "FlowLogAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                    "Resource": bucket_arn,
                    "Condition": source,
                },
            ]

        logs = private_bucket(
            naming.flow_logs(self._name),
            parent=self,
            lifecycle=[
                LifecycleRule(
                    id="expire-flow-logs", expiration_days=self._args.flow_logs.retention_days
                )
            ],
            policy_statements=delivery,
        )
        return logs.bucket.arn
