"""AWS's create-time input rules: a value each rule refuses, one it accepts, and how resources'
inputs are walked (nested lists, tags, the description that depends on what a rule references).
"""

from __future__ import annotations

from typing import Any

import pytest

from aws_facts import input_rules as r
from aws_facts.input_rules import INPUT_RULES, TAG_RULES, Rule, Tags, refusals, rule

REFUSED: list[tuple[Rule, str, str]] = [
    (
        r.SECURITY_GROUP_DESCRIPTION,
        "PostgreSQL from the app's security groups only",
        '"\'" not allowed',
    ),
    (r.SECURITY_GROUP_DESCRIPTION, "", "0 characters"),
    (r.SECURITY_GROUP_DESCRIPTION, "x" * 256, "256 characters; at most 255"),
    (r.SECURITY_GROUP_DESCRIPTION, "caf\u00e9 clients", "'\u00e9' not allowed"),
    (r.SECURITY_GROUP_NAME, "sg-web", "must not start with 'sg-'"),
    (r.SECURITY_GROUP_NAME, "web|db", "'|' not allowed"),
    (r.RULE_DESCRIPTION_CIDR, "HTTPS from 10.0.0.0/8 <office>", "'<', '>' not allowed"),
    (r.RULE_DESCRIPTION_REFERENCE, "api & worker to the database", "'&' not allowed"),
    (r.LOAD_BALANCER_NAME, "internal-staging-alb-1a2b3c4", "must not start with 'internal-'"),
    (r.LOAD_BALANCER_NAME, "auction-staging-production-alb-1a2b3c4", "38 characters; at most 32"),
    (r.LOAD_BALANCER_NAME, "auction_staging-alb", "'_' not allowed"),
    (r.LOAD_BALANCER_NAME, "-auction-alb", "must start with a letter or digit"),
    (r.TARGET_GROUP_NAME, "auction-api-", "must end with a letter or digit"),
    (r.TARGET_GROUP_NAME, "auction.api", "'.' not allowed"),
    (r.IAM_ROLE_NAME, "a" * 65, "65 characters; at most 64"),
    (r.IAM_ROLE_NAME, "auction/api-task", "'/' not allowed"),
    (r.IAM_POLICY_NAME, "api task policy", "' ' not allowed"),
    (r.IAM_INSTANCE_PROFILE_NAME, "api:profile", "':' not allowed"),
    (r.IAM_PATH, "golive/", "must be '/' or '/.../'"),
    (r.IAM_POLICY_PATH, "/golive/*/", "must be '/' or '/.../'"),
    (r.IAM_ROLE_DESCRIPTION, "deploys \u2192 prod", "'\u2192' not allowed"),
    (r.IAM_POLICY_DESCRIPTION, "x" * 1001, "1001 characters"),
    (r.S3_BUCKET_NAME, "ab", "2 characters; 3 to 63"),
    (r.S3_BUCKET_NAME, "x" * 64, "64 characters; 3 to 63"),
    (r.S3_BUCKET_NAME, "Auction-site", "'A' not allowed"),
    (r.S3_BUCKET_NAME, "auction_site", "'_' not allowed"),
    (r.S3_BUCKET_NAME, "-auction-site", "must start with a letter or digit"),
    (r.S3_BUCKET_NAME, "auction-site-", "must end with a letter or digit"),
    (r.S3_BUCKET_NAME, "auction..site", "must not contain '..'"),
    (r.S3_BUCKET_NAME, "192.168.5.4", "shaped like an IP address"),
    (r.S3_BUCKET_NAME, "xn--a-staging-site-1a2b3c4", "must not start with 'xn--'"),
    (r.S3_BUCKET_NAME, "sthree-staging-site-1a2b3c4", "must not start with 'sthree-'"),
    (r.S3_BUCKET_NAME, "amzn-s3-demo-site-1a2b3c4", "must not start with 'amzn-s3-demo-'"),
    (r.S3_BUCKET_NAME, "auction-site-s3alias", "must not end with '-s3alias'"),
    (r.S3_BUCKET_NAME, "auction-site--ol-s3", "must not end with '--ol-s3'"),
    (r.S3_BUCKET_NAME, "auction-site.mrap", "must not end with '.mrap'"),
    (r.S3_BUCKET_NAME, "auction-site--x-s3", "must not end with '--x-s3'"),
    (r.S3_BUCKET_NAME, "auction-site--table-s3", "must not end with '--table-s3'"),
    (r.LOG_GROUP_NAME, "aws/golive/api", "must not start with 'aws/'"),
    (r.LOG_GROUP_NAME, "/golive/auction staging/api", "' ' not allowed"),
    (r.LOG_GROUP_NAME, "/" + "x" * 512, "513 characters"),
    (r.SSM_PARAMETER_NAME, "awsImages", "must not start with 'aws' (in any case): reserved"),
    (
        r.SSM_PARAMETER_NAME,
        "/SSM/golive/images",
        "must not start with 'ssm' (in any case): reserved",
    ),
    (r.SSM_PARAMETER_NAME, "/aws/golive/images", "must not start with 'aws'"),
    (r.SSM_PARAMETER_NAME, "/golive/auction staging/api", "' ' not allowed"),
    (r.SSM_PARAMETER_NAME, "/" + "/".join("abcdefghijklmnop"), "16 levels; at most 15"),
    (r.SSM_PARAMETER_DESCRIPTION, "x" * 1025, "1025 characters"),
    (r.SECRET_NAME, "auction/staging/JWT SECRET", "' ' not allowed"),
    (r.SECRET_NAME, "auction/staging/token#1", "'#' not allowed"),
    (r.SECRET_DESCRIPTION, "x" * 2049, "2049 characters"),
    (r.ECR_REPOSITORY_NAME, "Auction/staging/api", "must be lowercase segments"),
    (r.ECR_REPOSITORY_NAME, "auction//api", "must be lowercase segments"),
    (r.ECR_REPOSITORY_NAME, "a", "1 characters; 2 to 256"),
    (r.ALARM_NAME, "auction\tapi", "ASCII control characters"),
    (r.ALARM_NAME, "x" * 256, "256 characters"),
    (r.ALARM_DESCRIPTION, "x" * 1025, "1025 characters"),
    (r.DASHBOARD_NAME, "auction.staging", "'.' not allowed"),
    (r.SCHEDULE_NAME, "auction/nightly", "'/' not allowed"),
    (r.SCHEDULE_NAME, "x" * 65, "65 characters"),
    (r.SCHEDULE_DESCRIPTION, "x" * 513, "513 characters"),
    (r.EVENT_RULE_NAME, "auction:failures", "':' not allowed"),
    (r.EVENT_RULE_DESCRIPTION, "x" * 513, "513 characters"),
    (r.CLOUDFRONT_FUNCTION_NAME, "auction.spa", "'.' not allowed"),
    (r.ORIGIN_ACCESS_CONTROL_NAME, "x" * 65, "65 characters"),
    (r.CLOUDFRONT_COMMENT, "x" * 129, "129 characters"),
    (r.WAF_NAME, "auction waf", "' ' not allowed"),
    (r.WAF_DESCRIPTION, "golive: rules (managed)", "must be letters, digits, spaces"),
    (r.WAF_DESCRIPTION, " leading space", "must be letters, digits, spaces"),
    (r.WAF_METRIC_NAME, "All", "'All' is reserved"),
    (r.WAF_METRIC_NAME, "Default_Action", "'Default_Action' is reserved"),
    (r.WAF_METRIC_NAME, "auction waf", "' ' not allowed"),
    (r.KMS_ALIAS_NAME, "alias/aws/golive", "must not start with 'alias/aws/'"),
    (r.KMS_ALIAS_NAME, "golive/auction", "must be 'alias/' followed by a name"),
    (r.KMS_ALIAS_NAME, "alias/golive.auction", "'.' not allowed"),
    (r.KMS_KEY_DESCRIPTION, "x" * 8193, "8193 characters"),
    (r.DB_INSTANCE_IDENTIFIER, "1auction-db", "must start with a letter"),
    (r.DB_INSTANCE_IDENTIFIER, "auction--db", "must not contain '--'"),
    (r.DB_INSTANCE_IDENTIFIER, "auction-db-", "must end with a letter or digit"),
    (r.DB_INSTANCE_IDENTIFIER, "a" * 64, "64 characters; at most 63"),
    (r.DB_INSTANCE_IDENTIFIER, "auction_db", "'_' not allowed"),
    (r.DB_SNAPSHOT_IDENTIFIER, "auction-db-final-", "must end with a letter or digit"),
    (r.DB_PARAMETER_GROUP_NAME, "auction.db.params", "'.' not allowed"),
    (r.DB_SUBNET_GROUP_NAME, "default", "'default' is reserved"),
    (r.DB_SUBNET_GROUP_NAME, "1-subnets", "must start with a letter"),
    (r.DB_NAME, "1auction", "must start with a letter"),
    (r.DB_NAME, "auction-db", "'-' not allowed"),
    (r.DB_MASTER_USERNAME, "auction_administrator", "21 characters; at most 16"),
    (r.REPLICATION_GROUP_ID, "a" * 41, "41 characters; at most 40"),
    (r.REPLICATION_GROUP_ID, "auction--cache", "must not contain '--'"),
    (r.REPLICATION_GROUP_ID, "9auction-cache", "must start with a letter"),
    (r.REPLICATION_GROUP_DESCRIPTION, "", "0 characters"),
    (r.CACHE_SUBNET_GROUP_NAME, "auction_cache", "'_' not allowed"),
    (r.ECS_NAME, "auction.api", "'.' not allowed"),
    (r.SNS_TOPIC_NAME, "auction.alarms", "'.' not allowed"),
    (r.BUDGET_NAME, "auction:monthly", "':' not allowed"),
    (r.BUDGET_NAME, "auction/action/monthly", "must not contain '/action/'"),
    (r.SCALING_POLICY_NAME, "scale\ncpu", "'\\n' not allowed"),
]
"""A value each rule refuses, and the reason it gives."""

ACCEPTED: list[tuple[Rule, str]] = [
    (
        r.SECURITY_GROUP_DESCRIPTION,
        "auction-staging-db: PostgreSQL from the app security groups only",
    ),
    (r.SECURITY_GROUP_NAME, "auction-staging-db-sg-1a2b3c4"),
    (r.RULE_DESCRIPTION_CIDR, "HTTPS from 10.0.0.0/8 & the office"),
    (r.RULE_DESCRIPTION_REFERENCE, "api (service, tasks) to the database"),
    (r.LOAD_BALANCER_NAME, "auction-staging-alb-1a2b3c4"),
    (r.TARGET_GROUP_NAME, "auction-staging-api-1a2b3c4"),
    (r.IAM_ROLE_NAME, "auction-staging-api-execution-1a2b3c4"),
    (r.IAM_PATH, "/golive/ci/"),
    (r.IAM_POLICY_PATH, "/"),
    (r.S3_BUCKET_NAME, "auction-staging-site-1a2b3c4"),
    (r.LOG_GROUP_NAME, "/aws/rds/instance/auction-staging-db/postgresql"),
    (r.LOG_GROUP_NAME, "aws-waf-logs-auction-prod"),
    (r.SSM_PARAMETER_NAME, "/golive/auction/staging/images/api"),
    (r.SECRET_NAME, "auction/staging/JWT_SECRET-20260101000000000000000001"),
    (r.ECR_REPOSITORY_NAME, "auction/staging/api"),
    (r.DASHBOARD_NAME, "auction-staging"),
    (r.WAF_DESCRIPTION, "golive auction-prod: managed rules and a per-IP rate limit"),
    (r.WAF_METRIC_NAME, "auction-prod-waf-rate-limit"),
    (r.KMS_ALIAS_NAME, "alias/golive/auction-staging"),
    (r.DB_INSTANCE_IDENTIFIER, "auction-staging-db"),
    (r.DB_SNAPSHOT_IDENTIFIER, "auction-staging-db-final-62e7f463"),
    (r.REPLICATION_GROUP_ID, "auction-prod-cache"),
    (r.BUDGET_NAME, "auction-staging-monthly"),
]


@pytest.mark.parametrize(
    ("checked", "value", "reason"), REFUSED, ids=[f"{c.what}:{v[:30]!r}" for c, v, _ in REFUSED]
)
def test_each_rule_refuses_what_aws_refuses(checked: Rule, value: str, reason: str) -> None:
    assert any(reason in found for found in checked.reasons(value)), checked.reasons(value)


@pytest.mark.parametrize(("checked", "value"), ACCEPTED, ids=[v for _, v in ACCEPTED])
def test_each_rule_accepts_what_golive_names(checked: Rule, value: str) -> None:
    assert checked.reasons(value) == []


def test_every_rule_has_a_refused_example_and_a_source() -> None:
    declared = {
        id(spec.rule): spec.rule
        for specs in INPUT_RULES.values()
        for spec in specs
        if isinstance(spec.rule, Rule)
    }
    tested = {id(checked) for checked, _, _ in REFUSED}
    assert [x.what for key, x in declared.items() if key not in tested] == []
    assert all(x.source.startswith(("botocore ", "S3 User Guide")) for x in declared.values())


def _refused(resource_type: str, inputs: dict[str, Any]) -> list[str]:
    return [str(x) for x in refusals(resource_type, inputs)]


def test_a_security_group_description_names_the_input_value_and_rule() -> None:
    found = _refused(
        "aws:ec2/securityGroup:SecurityGroup",
        {"description": "db: PostgreSQL from the app's security groups only", "vpcId": "vpc-1"},
    )
    assert found == [
        'description "db: PostgreSQL from the app\'s security groups only": "\'" not allowed '
        "(allowed: a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*) (an EC2 security group "
        "description; botocore ec2 CreateSecurityGroupRequest.Description)"
    ]


@pytest.mark.parametrize(
    ("reference", "refused"),
    [
        ({"referencedSecurityGroupId": "sg-1"}, True),
        ({"prefixListId": "pl-1"}, True),
        ({"cidrIpv4": "10.0.0.0/8"}, False),
        ({"cidrIpv6": "::/0"}, False),
    ],
)
def test_a_rule_referencing_a_group_or_prefix_list_refuses_an_ampersand(
    reference: dict[str, str], refused: bool
) -> None:
    inputs = {"description": "api & worker", **reference}
    for kind in ("Ingress", "Egress"):
        found = _refused(f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule", inputs)
        assert bool(found) is refused, found


def test_inline_rules_are_judged_one_by_one() -> None:
    inputs = {
        "name": "web-1a2b3c4",
        "description": "web",
        "ingress": [
            {"cidrBlocks": ["10.0.0.0/8"], "description": "office & VPN"},
            {"securityGroups": ["sg-1"], "description": "api & worker"},
        ],
    }
    assert [x.path for x in refusals("aws:ec2/securityGroup:SecurityGroup", inputs)] == [
        "ingress[1].description"
    ]


def test_nested_list_paths_name_the_element() -> None:
    inputs = {
        "name": "auction-prod-waf",
        "rules": [
            {"name": "rate limit", "visibilityConfig": {"metricName": "auction-prod-rate"}},
            {"name": "common", "visibilityConfig": {"metricName": "All"}},
        ],
        "visibilityConfig": {"metricName": "auction-prod-waf"},
    }
    found = refusals("aws:wafv2/webAcl:WebAcl", inputs)
    assert [x.path for x in found] == ["rules[0].name", "rules[1].visibilityConfig.metricName"]


@pytest.mark.parametrize(
    ("resource_type", "tags", "path", "reason"),
    [
        ("aws:ec2/vpc:Vpc", {"aws:owner": "ops"}, "tags.aws:owner", "must not start with 'aws:'"),
        ("aws:ec2/vpc:Vpc", {"k" * 128: "v"}, f"tags.{'k' * 128}", "at most 127"),
        ("aws:iam/role:Role", {"team": "ops & dev"}, "tags.team", "'&' not allowed"),
        (
            "aws:lb/loadBalancer:LoadBalancer",
            {"AWS:x": "1"},
            "tags.AWS:x",
            "'aws:' (in any case): reserved by AWS",
        ),
        ("aws:ecs/service:Service", {"team": "aws:ops"}, "tags.team", "must not start with 'aws:'"),
        ("aws:rds/instance:Instance", {"rds:owner": "x"}, "tags.rds:owner", "'rds:'"),
        ("aws:sns/topic:Topic", {"team": "v" * 257}, "tags.team", "257 characters"),
    ],
)
def test_tags_are_judged_by_the_services_rules(
    resource_type: str, tags: dict[str, str], path: str, reason: str
) -> None:
    found = refusals(resource_type, {"tags": tags})
    assert [x.path for x in found] == [path]
    assert reason in str(found[0])


def test_values_not_known_yet_are_not_judged() -> None:
    class Unknown:
        pass

    inputs = {"description": Unknown(), "name": None, "ingress": Unknown(), "tags": Unknown()}
    assert refusals("aws:ec2/securityGroup:SecurityGroup", inputs) == []
    assert refusals("aws:ec2/route:Route", {"anything": "at all's"}) == []


def test_rule_finds_one_inputs_rule_for_a_caller_that_predicts_names() -> None:
    assert rule("aws:lb/loadBalancer:LoadBalancer", "name") is r.LOAD_BALANCER_NAME
    with pytest.raises(KeyError):
        rule("aws:lb/loadBalancer:LoadBalancer", "tags")


def test_every_services_tag_rules_are_listed_once() -> None:
    assert len(TAG_RULES) == len({id(t) for t in TAG_RULES})
    assert all(isinstance(t, Tags) for t in TAG_RULES)
    assert r.EC2_TAGS in TAG_RULES
    assert r.RDS_TAGS in TAG_RULES
