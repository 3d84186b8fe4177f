"""The VPC and EC2 controls (`policies/controls/ec2.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies import aws
from policies.model import Status
from policies.rules import BY_ID
from tests.policies.controls.cases import ALL, FAIL, PASS, UNK, Case, Mutation, check, params
from tests.policies.fixtures import (
    DELETE,
    ENGINE_UNKNOWN,
    UNKNOWN,
    add,
    chain,
    compliant_stack,
    drop,
    mutate,
    res,
    sg_rule,
    unknown_id,
)

CASES: list[Case] = [
    ("EC2.2", "rules on the default SG", mutate("default-sg", ingress=[{"protocol": "-1"}]), FAIL),
    ("EC2.2", "default SG not managed", drop("default-sg"), FAIL),
    ("EC2.2", "default SG vpcId unknown", mutate("default-sg", vpcId=UNKNOWN), UNK),
    ("EC2.6", "REJECT only", mutate("flow-log", trafficType="REJECT"), FAIL),
    ("EC2.6", "no flow log", drop("flow-log"), FAIL),
    ("EC2.6", "flow log for another VPC", mutate("flow-log", vpcId="vpc-other"), FAIL),
    ("EC2.6", "vpcId unknown (preview)", mutate("flow-log", vpcId=UNKNOWN), UNK),
    ("EC2.6", "VPC and log both new", chain(unknown_id("vpc"), mutate("flow-log", vpcId=UNKNOWN)),
     UNK),
    ("EC2.15", "public IP on launch", mutate("pub-a", mapPublicIpOnLaunch=True), FAIL),
    ("EC2.15", "flag unknown", mutate("pub-a", mapPublicIpOnLaunch=ENGINE_UNKNOWN), UNK),
    ("EC2.18", "open 8443", mutate("alb-https", fromPort=8443, toPort=8443), FAIL),
    ("EC2.18", "open range 80-443", mutate("alb-https", fromPort=80, toPort=443), FAIL),
    ("EC2.18", "open all protocols", mutate("alb-https", ipProtocol="-1", fromPort=DELETE,
                                            toPort=DELETE), FAIL),
    ("EC2.18", "legacy rule with cidrBlocks", add(res(aws.SG_RULE_LEGACY, "legacy", {
        "type": "ingress", "securityGroupId": "sg-alb", "cidrBlocks": [ALL], "protocol": "tcp",
        "fromPort": 22, "toPort": 22, "description": "ssh"})), FAIL),
    ("EC2.18", "open ::/0 on 22", add(sg_rule(aws.INGRESS_RULE, "v6", "sg-alb", cidrIpv6="::/0",
                                              ipProtocol="tcp", fromPort=22, toPort=22)), FAIL),
    ("EC2.18", "CIDR unknown", mutate("alb-https", cidrIpv4=UNKNOWN), UNK),
    ("EC2.19", "SSH open", add(sg_rule(aws.INGRESS_RULE, "ssh", "sg-alb", cidrIpv4=ALL,
                                       ipProtocol="tcp", fromPort=22, toPort=22)), FAIL),
    ("EC2.19", "Postgres open in a range", add(sg_rule(aws.INGRESS_RULE, "range", "sg-alb",
        cidrIpv4=ALL, ipProtocol="tcp", fromPort=5000, toPort=6000)), FAIL),
    ("EC2.19", "rule without description", mutate("alb-https", description=DELETE), FAIL),
    ("EC2.19", "SG with Pulumi's default description", mutate("alb-sg",
                                                              description="Managed by Pulumi"), FAIL),
    ("EC2.19", "inline rule without description", add(res(aws.SECURITY_GROUP, "inline", {
        "description": "cache", "ingress": [{"protocol": "tcp", "fromPort": 6379, "toPort": 6379,
                                             "securityGroups": ["sg-task"]}]})), FAIL),
    ("EC2.19", "database SG admits a CIDR", mutate("db-from-task", referencedSecurityGroupId=DELETE,
                                                   cidrIpv4="10.0.0.0/16"), FAIL),
    ("EC2.19", "task SG admits the database SG", mutate("task-from-alb",
                                                        referencedSecurityGroupId="sg-db"), FAIL),
    ("EC2.19", "task SG admits a prefix list", mutate("task-from-alb",
        referencedSecurityGroupId=DELETE, prefixListId="pl-123"), FAIL),
    ("EC2.19", "database rule's source unknown", mutate("db-from-task",
                                                        referencedSecurityGroupId=UNKNOWN), UNK),
    ("EC2.19", "ports unknown on an open rule", mutate("alb-https", fromPort=ENGINE_UNKNOWN), UNK),
    ("EC2.10", "no ECR API endpoint", drop("vpce-ecr.api"), FAIL),
    ("EC2.10", "no S3 gateway", drop("vpce-s3"), FAIL),
    ("EC2.10", "an endpoint's service unknown", chain(drop("vpce-ecr.api"),
        mutate("vpce-logs", serviceName=UNKNOWN)), UNK),
    ("REL10.NAT", "one NAT for two AZs", drop("nat-b"), FAIL),
    ("REL10.NAT", "private NAT does not count", mutate("nat-b", connectivityType="private"), FAIL),
    ("REL10.NAT", "an AZ unknown", mutate("app-b", availabilityZone=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("EC2.18", "open egress is fine", add(sg_rule(aws.EGRESS_RULE, "smtp", "sg-task",
        cidrIpv4=ALL, ipProtocol="tcp", fromPort=587, toPort=587)), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)


def test_rel10_nat_does_not_concern_a_stack_without_nat() -> None:
    """Without NAT, tasks egress through the internet gateway of their own AZ (ECS.2)."""
    assert BY_ID["REL10.NAT"].check(drop("nat-a", "nat-b")(compliant_stack())) is None
