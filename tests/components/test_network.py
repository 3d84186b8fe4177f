"""The network component, asserted on the exact resources both stack files declare."""

from __future__ import annotations

import ipaddress
import json

import pytest

from plan.harness import Plan, RecordedResource, run_program
from plan.mocks import Lookups
from tests.conftest import STACKFILES, cached_plan, raw_config, stack_values

SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def network_config(plan: Plan) -> dict[str, object]:
    return stack_values(plan.stack, plan.config)["network"]


@pytest.fixture(scope="module")
def trial() -> Plan:
    return run_program("trial", stack_file=STACKFILES / "Pulumi.trial.yaml")


def test_prod_has_a_nat_gateway_per_az(prod: Plan) -> None:
    config = network_config(prod)
    assert config["nat"] == "perAz"
    nats = prod.of_type(NAT)
    assert len(nats) == config["azCount"] >= 2
    public = {
        s.outputs["id"]: s.inputs["availabilityZone"]
        for s in prod.of_type(SUBNET)
        if "public" in s.name
    }
    assert sorted(public[n.inputs["subnetId"]] for n in nats) == prod.outputs["availabilityZones"]
    assert len(prod.of_type("aws:ec2/eip:Eip")) == len(nats)


def test_prod_private_route_tables_use_the_nat_in_their_own_az(prod: Plan) -> None:
    nat_az = {n.outputs["id"]: n.name[-1] for n in prod.of_type(NAT)}
    defaults = [r for r in prod.of_type(ROUTE) if "private-default" in r.name]
    assert len(defaults) == len(prod.outputs["availabilityZones"])
    for route in defaults:
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert nat_az[route.inputs["natGatewayId"]] == route.name[-1]


def test_nat_count_matches_each_stack_files_strategy(stack_plan: Plan) -> None:
    config = network_config(stack_plan)
    azs = len(stack_plan.outputs["availabilityZones"])
    expected = {"none": 0, "single": 1, "perAz": azs}[str(config["nat"])]
    nats = stack_plan.of_type(NAT)
    assert len(nats) == expected
    defaults = [r for r in stack_plan.of_type(ROUTE) if "private-default" in r.name]
    assert len(defaults) == (azs if expected else 0)
    assert {r.inputs["natGatewayId"] for r in defaults} <= {n.outputs["id"] for n in nats}


def test_single_nat_serves_every_private_route_table() -> None:
    plan = run_program("staging", overrides={"network": {"cidr": "10.10.0.0/16", "nat": "single"}})
    (nat,) = plan.of_type(NAT)
    defaults = [r for r in plan.of_type(ROUTE) if "private-default" in r.name]
    assert len(defaults) == 2
    assert {r.inputs["natGatewayId"] for r in defaults} == {nat.outputs["id"]}


def test_nat_none_has_no_nat_and_no_private_default_route(trial: Plan) -> None:
    assert trial.of_type(NAT) == []
    assert trial.of_type("aws:ec2/eip:Eip") == []
    assert [r.name for r in trial.of_type(ROUTE)] == ["transit-trial-public-default"]


def test_subnets_per_tier_per_az_never_auto_assign_public_ips(stack_plan: Plan) -> None:
    subnets = stack_plan.of_type(SUBNET)
    azs = stack_plan.outputs["availabilityZones"]
    assert len(subnets) == 3 * len(azs)
    for subnet in subnets:
        assert subnet.inputs["mapPublicIpOnLaunch"] is False
    for tier in ("public", "private", "isolated"):
        tier_azs = sorted(
            s.inputs["availabilityZone"] for s in subnets if s.inputs["tags"]["golive:tier"] == tier
        )
        assert tier_azs == azs


def test_subnet_cidrs_are_inside_the_vpc_and_disjoint(stack_plan: Plan) -> None:
    vpc = ipaddress.IPv4Network(stack_plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"])
    cidrs = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in stack_plan.of_type(SUBNET)]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert all(not a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])


def test_vpc_has_dns_hostnames_for_tasks_and_endpoints(stack_plan: Plan) -> None:
    vpc = stack_plan.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsHostnames"] is True
    assert vpc.inputs["enableDnsSupport"] is True


def test_default_security_group_is_locked(stack_plan: Plan) -> None:
    group = stack_plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert group.inputs["ingress"] == []
    assert group.inputs["egress"] == []
    assert group.inputs["vpcId"] == stack_plan.outputs["vpcId"]


def test_s3_gateway_endpoint_serves_every_route_table(stack_plan: Plan) -> None:
    region = stack_plan.outputs["region"]
    (s3,) = [e for e in stack_plan.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert s3.inputs["serviceName"] == f"com.amazonaws.{region}.s3"
    tables = {t.outputs["id"] for t in stack_plan.of_type("aws:ec2/routeTable:RouteTable")}
    assert set(s3.inputs["routeTableIds"]) == tables


def test_every_subnet_is_associated_with_its_tiers_route_table(stack_plan: Plan) -> None:
    tables = {t.outputs["id"]: t.name for t in stack_plan.of_type("aws:ec2/routeTable:RouteTable")}
    subnets = {s.outputs["id"]: s for s in stack_plan.of_type(SUBNET)}
    associations = stack_plan.of_type(RTA)
    assert sorted(a.inputs["subnetId"] for a in associations) == sorted(subnets)
    for association in associations:
        tier = subnets[association.inputs["subnetId"]].inputs["tags"]["golive:tier"]
        assert f"-{tier}-" in tables[association.inputs["routeTableId"]] + "-"


def test_isolated_subnets_have_no_internet_route(stack_plan: Plan) -> None:
    isolated_rt = next(
        t for t in stack_plan.of_type("aws:ec2/routeTable:RouteTable") if "isolated" in t.name
    )
    routes = [
        r
        for r in stack_plan.of_type(ROUTE)
        if r.inputs["routeTableId"] == isolated_rt.outputs["id"]
    ]
    assert routes == []


def test_interface_endpoints_follow_the_stack_file(stack_plan: Plan) -> None:
    wanted = network_config(stack_plan).get("interfaceEndpoints", [])
    region = stack_plan.outputs["region"]
    interface = [
        e for e in stack_plan.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"
    ]
    assert sorted(e.inputs["serviceName"] for e in interface) == sorted(
        f"com.amazonaws.{region}.{s}" for s in wanted
    )
    for endpoint in interface:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["subnetIds"] == stack_plan.outputs["privateSubnetIds"]
    rules = stack_plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    endpoint_rules = [r for r in rules if "endpoints" in r.name]
    if wanted:
        (rule,) = endpoint_rules
        vpc_cidr = stack_plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"]
        assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (
            vpc_cidr,
            443,
            443,
        )
        assert rule.inputs["description"]
    else:
        assert endpoint_rules == []


def test_flow_logs_to_cloudwatch_with_retention_key_and_scoped_role(stack_plan: Plan) -> None:
    config = network_config(stack_plan)["flowLogs"]
    assert isinstance(config, dict)
    flow = stack_plan.one("aws:ec2/flowLog:FlowLog")
    # Other components have log groups too (the database's exported logs): take the flow log's.
    (group,) = [
        g
        for g in stack_plan.of_type("aws:cloudwatch/logGroup:LogGroup")
        if g.outputs["arn"] == flow.inputs["logDestination"]
    ]
    assert flow.inputs["vpcId"] == stack_plan.outputs["vpcId"]
    assert flow.inputs["trafficType"] == config["trafficType"]
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert group.inputs["retentionInDays"] == config["retentionDays"]
    assert group.inputs["kmsKeyId"] == stack_plan.outputs["kmsKeyArn"]
    role = next(
        r
        for r in stack_plan.of_type("aws:iam/role:Role")
        if r.outputs["arn"] == flow.inputs["iamRoleArn"]
    )
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    (role_policy,) = [
        p
        for p in stack_plan.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == role.outputs["id"]
    ]
    policy = json.loads(role_policy.inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Resource"] == [group.outputs["arn"], group.outputs["arn"] + ":*"]
    assert "*" not in json.dumps(statement["Action"])


def test_flow_logs_to_s3_use_a_private_tls_only_bucket(trial: Plan) -> None:
    flow = trial.one("aws:ec2/flowLog:FlowLog")
    bucket = trial.one("aws:s3/bucket:Bucket")
    assert flow.inputs["logDestinationType"] == "s3"
    assert flow.inputs["logDestination"] == bucket.outputs["arn"]
    assert "iamRoleArn" not in flow.inputs
    block = trial.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    policy = json.loads(trial.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    deny = next(s for s in policy["Statement"] if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    lifecycle = trial.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.inputs["rules"][0]["expiration"]["days"] == 14


def test_trial_interface_endpoints_are_private_and_reachable_from_the_vpc(trial: Plan) -> None:
    interface = [e for e in trial.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]
    services = sorted(
        e.inputs["serviceName"].removeprefix("com.amazonaws.ap-southeast-2.") for e in interface
    )
    assert services == ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"]
    (group,) = [
        g for g in trial.of_type("aws:ec2/securityGroup:SecurityGroup") if "endpoints" in g.name
    ]
    rules = trial.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    (rule,) = [r for r in rules if "endpoints" in r.name]
    assert rule.inputs["securityGroupId"] == group.outputs["id"]
    assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"]) == ("172.16.0.0/20", 443)
    for endpoint in interface:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["securityGroupIds"] == [group.outputs["id"]]


def test_opted_in_local_zones_are_never_picked() -> None:
    # DescribeAvailabilityZones also returns the Local Zones an account opted in to; their names
    # sort before the region's AZs and end in the same letter, so subnets would collide.
    local = ["us-east-1-bos-1a", "us-east-1-mia-1a"]
    plan = run_program("prod", lookups=Lookups(local_zones=local))
    assert plan.outputs["availabilityZones"] == ["us-east-1a", "us-east-1b"]
    zones = {s.inputs["availabilityZone"] for s in plan.of_type(SUBNET)}
    assert zones == {"us-east-1a", "us-east-1b"}
    names = [s.name for s in plan.of_type(SUBNET)]
    assert len(names) == len(set(names)) == 6


def test_trial_uses_the_regions_own_azs(trial: Plan) -> None:
    assert trial.outputs["availabilityZones"] == [
        "ap-southeast-2a",
        "ap-southeast-2b",
        "ap-southeast-2c",
    ]


def test_every_network_resource_is_a_child_of_the_network_component(stack_plan: Plan) -> None:
    (network,) = stack_plan.of_type("golive:aws:Network")
    children = {r.urn for r in stack_plan.children(network.urn)}
    network_only = (
        "aws:ec2/vpc:", "aws:ec2/subnet:", "aws:ec2/route:", "aws:ec2/routeTable:",
        "aws:ec2/routeTableAssociation:", "aws:ec2/internetGateway:", "aws:ec2/natGateway:",
        "aws:ec2/eip:", "aws:ec2/vpcEndpoint:", "aws:ec2/flowLog:",
        "aws:ec2/defaultSecurityGroup:",
    )  # fmt: skip
    mine = [r for r in stack_plan.resources if r.type.startswith(network_only)]
    assert mine
    for resource in mine:
        assert resource.urn in children, f"{resource.name} is not parented to the network"
    flow_role = stack_plan.named(f"{network.name}-flow-logs-role")
    assert flow_role.parent == network.urn


def test_every_custom_resource_has_a_component_parent(stack_plan: Plan) -> None:
    components = {r.urn for r in stack_plan.resources if not r.custom}
    orphans: list[RecordedResource] = [
        r for r in stack_plan.resources if r.custom and r.parent not in components
    ]
    assert orphans == []


def test_stack_key_rotates_and_is_kept_on_delete(stack_plan: Plan) -> None:
    key = stack_plan.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.retain_on_delete is True
    protect = json.loads(raw_config(stack_plan.stack)["golive:protect"])
    assert key.protect is protect
    policy = json.loads(key.inputs["policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert {"Service": "logs.us-east-1.amazonaws.com"} in principals
    assert all(p not in ("*", {"AWS": "*"}) for p in principals)


def test_cached_plans_are_stable() -> None:
    assert cached_plan("staging") is cached_plan("staging")
