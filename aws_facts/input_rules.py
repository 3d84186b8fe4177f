"""AWS's own create-time rules on the inputs golive gives it: names, descriptions, tags.

The provider's schema checks types and, here and there, a length; AWS refuses much more when the
create call arrives, by which time `pulumi up` has built everything before it. An apostrophe in
a security group's description passes `pulumi preview` and fails `up` after the VPC exists
(hashicorp/terraform-provider-aws#18874). These rules close that gap, and one copy serves every
caller: the offline plan's mocks check each resource they answer (`plan.mocks`), the policy pack
checks the same inputs inside a real `pulumi preview` (`policies.pulumi_pack`), and the config
model checks the names a stack file's values flow into before any resource (`stacks.config`).

Each rule names its source: botocore's copy of the service's API model
(`botocore/data/<service>/<version>/service-2.json`, shape and member: the constraints and the
documentation AWS publishes) or, where botocore defers to a guide, that guide. `refusals(type,
inputs)` judges a resource's inputs by its Pulumi type; `rule(type, path)` gives one input's rule
to a caller that predicts a name. Values that are not strings (unknown until the resource
exists, or absent) are not judged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from aws_facts.elasticache import CACHE_ID_MAX
from aws_facts.limits import ALB_NAME_MAX, TAG_KEY_MAX, TAG_VALUE_MAX, TARGET_GROUP_NAME_MAX
from aws_facts.rds import RDS_IDENTIFIER_MAX

Check = Callable[[str], str | None]
"""One constraint: why a value breaks it, or None when the value holds to it."""


@dataclass(frozen=True)
class Rule:
    """What AWS accepts for one input, with where that is written down."""

    what: str
    """What the value is, e.g. "an ELB load balancer name"."""
    source: str
    """Where AWS states the rule (botocore model shape and member, or a guide)."""
    checks: tuple[Check, ...]

    def reasons(self, value: str) -> list[str]:
        """Why AWS refuses `value`, one reason per constraint it breaks (empty: accepted)."""
        return [reason for _, reason in self.broken(value)]

    def broken(self, value: str) -> list[tuple[Check, str]]:
        """Each constraint `value` breaks, with why (a caller can tell `Length` from the rest)."""
        return [(check, reason) for check in self.checks if (reason := check(value)) is not None]


@dataclass(frozen=True)
class Tags:
    """The rules on a resource's tags: one for the keys, one for the values."""

    key: Rule
    value: Rule


Chooser = Callable[[Mapping[str, Any]], Rule]
"""Picks an input's rule from the object that holds it (a rule's description depends on what
the rule references)."""


@dataclass(frozen=True)
class Input:
    """An input of a resource type and its rule.

    `path` is dotted; `name[]` walks every element of the list `name` (`rules[].name`).
    """

    path: str
    rule: Rule | Tags | Chooser


@dataclass(frozen=True)
class Refusal:
    """An input value AWS would refuse at create time, and why."""

    path: str
    """Where the value is, e.g. `description`, `rules[1].name`, `tags.Name`."""
    value: str
    rule: Rule
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.path} {self.value!r}: {'; '.join(self.reasons)} "
            f"({self.rule.what}; {self.rule.source})"
        )


# ----------------------------------------------------------------------------- constraints


@dataclass(frozen=True)
class Length:
    """A length constraint, told apart from the others (see `Rule.broken`): it is the one any
    part of a name can break, wherever that part is."""

    low: int
    high: int

    def __call__(self, value: str) -> str | None:
        if self.low <= len(value) <= self.high:
            return None
        too_long = self.low <= 1 and len(value) > self.high
        allowed = f"at most {self.high}" if too_long else f"{self.low} to {self.high}"
        return f"{len(value)} characters; {allowed} allowed"


def length(low: int, high: int) -> Check:
    return Length(low, high)


def charset(allowed: str | Callable[[str], bool], described: str) -> Check:
    """Every character is in `allowed`: a regex character-class body or a predicate."""
    accepts = allowed if callable(allowed) else re.compile(f"[{allowed}]", re.ASCII).fullmatch

    def check(value: str) -> str | None:
        bad = sorted({c for c in value if not accepts(c)})
        if not bad:
            return None
        shown = ", ".join(repr(c) for c in bad)
        return f"{shown} not allowed (allowed: {described})"

    return check


def shaped(pattern: str, described: str) -> Check:
    """The whole value matches `pattern` (ASCII classes, as AWS's Java patterns mean them)."""
    compiled = re.compile(pattern, re.ASCII)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else f"must be {described}"

    return check


def first(allowed: str, described: str) -> Check:
    compiled = re.compile(f"[{allowed}]", re.ASCII)

    def check(value: str) -> str | None:
        return None if value and compiled.fullmatch(value[0]) else f"must start with {described}"

    return check


def last(allowed: str, described: str) -> Check:
    compiled = re.compile(f"[{allowed}]", re.ASCII)

    def check(value: str) -> str | None:
        return None if value and compiled.fullmatch(value[-1]) else f"must end with {described}"

    return check


def no_prefix(*prefixes: str, any_case: bool = False) -> Check:
    def check(value: str) -> str | None:
        seen = value.lower() if any_case else value
        for prefix in prefixes:
            if seen.startswith(prefix.lower() if any_case else prefix):
                case = " (in any case)" if any_case else ""
                return f"must not start with {prefix!r}{case}: reserved by AWS"
        return None

    return check


def no_suffix(*suffixes: str) -> Check:
    def check(value: str) -> str | None:
        found = next((s for s in suffixes if value.endswith(s)), None)
        return None if found is None else f"must not end with {found!r}"

    return check


def no_part(*parts: str) -> Check:
    def check(value: str) -> str | None:
        found = next((p for p in parts if p in value), None)
        return None if found is None else f"must not contain {found!r}"

    return check


def not_one_of(*reserved: str, any_case: bool = False) -> Check:
    def check(value: str) -> str | None:
        seen = value.lower() if any_case else value
        taken = {r.lower() if any_case else r for r in reserved}
        return f"{value!r} is reserved" if seen in taken else None

    return check


def at_most_levels(levels: int) -> Check:
    def check(value: str) -> str | None:
        found = value.strip("/").count("/") + 1
        return None if found <= levels else f"{found} levels; at most {levels} allowed"

    return check


_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


def not_ip_address(value: str) -> str | None:
    return "must not be shaped like an IP address" if _IP_ADDRESS.fullmatch(value) else None


def _no_ascii_controls(value: str) -> str | None:
    controls = sorted({c for c in value if c < " " or c == "\x7f"})
    return f"ASCII control characters {controls!r} not allowed" if controls else None


def _tag_character(c: str) -> bool:
    """`[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`: letters, separators (spaces), numbers and `_.:/=+-@`."""
    return unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@"


# ----------------------------------------------------------------------------- the rules

_EC2_TEXT = r"a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*"
_EC2_TEXT_SHOWN = "a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*"
_EC2_TEXT_WITHOUT_AMPERSAND = r"a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*"

SECURITY_GROUP_DESCRIPTION = Rule(
    "an EC2 security group description",
    "botocore ec2 CreateSecurityGroupRequest.Description",
    (length(1, 255), charset(_EC2_TEXT, _EC2_TEXT_SHOWN)),
)
SECURITY_GROUP_NAME = Rule(
    "an EC2 security group name",
    "botocore ec2 CreateSecurityGroupRequest.GroupName",
    (
        length(1, 255),
        charset(_EC2_TEXT, _EC2_TEXT_SHOWN),
        no_prefix("sg-"),
    ),
)
RULE_DESCRIPTION_CIDR = Rule(
    "a security group rule's description for an address range",
    "botocore ec2 IpRange.Description, Ipv6Range.Description",
    (length(0, 255), charset(_EC2_TEXT, _EC2_TEXT_SHOWN)),
)
RULE_DESCRIPTION_REFERENCE = Rule(
    "a security group rule's description for a referenced group or prefix list",
    "botocore ec2 UserIdGroupPair.Description, PrefixListId.Description: no '&'",
    (
        length(0, 255),
        charset(_EC2_TEXT_WITHOUT_AMPERSAND, "a-z A-Z 0-9 space ._-:/()#,@[]+=;{}!$* (no &)"),
    ),
)

_ELB_NAME = (
    length(1, ALB_NAME_MAX),
    charset("A-Za-z0-9-", "letters, digits and hyphens"),
    first("A-Za-z0-9", "a letter or digit"),
    last("A-Za-z0-9", "a letter or digit"),
)
LOAD_BALANCER_NAME = Rule(
    "an ELB load balancer name",
    "botocore elbv2 CreateLoadBalancerInput.Name",
    (*_ELB_NAME, no_prefix("internal-")),
)
TARGET_GROUP_NAME = Rule(
    "an ELB target group name",
    "botocore elbv2 CreateTargetGroupInput.Name",
    (length(1, TARGET_GROUP_NAME_MAX), *_ELB_NAME[1:]),
)

_IAM_NAME = r"\w+=,.@-"
IAM_ROLE_NAME = Rule(
    "an IAM role name",
    "botocore iam roleNameType",
    (length(1, 64), charset(_IAM_NAME, "letters, digits and _+=,.@-")),
)
IAM_POLICY_NAME = Rule(
    "an IAM policy name",
    "botocore iam policyNameType",
    (length(1, 128), charset(_IAM_NAME, "letters, digits and _+=,.@-")),
)
IAM_INSTANCE_PROFILE_NAME = Rule(
    "an IAM instance profile name",
    "botocore iam instanceProfileNameType",
    (length(1, 128), charset(_IAM_NAME, "letters, digits and _+=,.@-")),
)
IAM_PATH = Rule(
    "an IAM role or instance profile path",
    "botocore iam pathType",
    (length(1, 512), shaped(r"/|/[\x21-\x7e]+/", "'/' or '/.../' of printable ASCII")),
)
IAM_POLICY_PATH = Rule(
    "an IAM policy path",
    "botocore iam policyPathType",
    (
        length(1, 512),
        shaped(r"(/[A-Za-z0-9.,+@=_-]+)*/", "'/' or '/.../' of letters, digits and .,+@=_-"),
    ),
)
IAM_ROLE_DESCRIPTION = Rule(
    "an IAM role description",
    "botocore iam roleDescriptionType",
    (length(0, 1000), charset(r"\t\n\r\x20-\x7e\xa1-\xff", "printable Latin-1")),
)
IAM_POLICY_DESCRIPTION = Rule(
    "an IAM policy description", "botocore iam policyDescriptionType", (length(0, 1000),)
)

S3_BUCKET_NAME = Rule(
    "an S3 general purpose bucket name",
    "S3 User Guide, 'General purpose bucket naming rules' (botocore s3 CreateBucketRequest."
    "Bucket refers to it)",
    (
        length(3, 63),
        charset("a-z0-9.-", "lowercase letters, digits, dots and hyphens"),
        first("a-z0-9", "a letter or digit"),
        last("a-z0-9", "a letter or digit"),
        no_part(".."),
        not_ip_address,
        no_prefix("xn--", "sthree-", "amzn-s3-demo-"),
        no_suffix("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
    ),
)

LOG_GROUP_NAME = Rule(
    "a CloudWatch Logs log group name",
    "botocore logs CreateLogGroupRequest.logGroupName and CreateLogGroup",
    (
        length(1, 512),
        charset(r"._\-/#A-Za-z0-9", "letters, digits and ._-/#"),
        no_prefix("aws/"),
    ),
)

SSM_PARAMETER_NAME = Rule(
    "an SSM parameter name",
    "botocore ssm PutParameterRequest.Name (PSParameterName)",
    (
        # 1011 counts the ARN before the name too; golive's names are far shorter than either.
        length(1, 1011),
        charset(r"a-zA-Z0-9_.\-/", "letters, digits, _.- and / between levels"),
        # NOTE: "/aws/..." is the public parameters' tree; a leading slash does not free a name.
        lambda value: no_prefix("aws", "ssm", any_case=True)(value.removeprefix("/")),
        at_most_levels(15),
    ),
)
SSM_PARAMETER_DESCRIPTION = Rule(
    "an SSM parameter description",
    "botocore ssm PutParameterRequest.Description",
    (length(0, 1024),),
)

SECRET_NAME = Rule(
    "a Secrets Manager secret name",
    "botocore secretsmanager CreateSecretRequest.Name (NameType)",
    (length(1, 512), charset(r"A-Za-z0-9/_+=.@\-", "ASCII letters, digits and /_+=.@-")),
)
SECRET_DESCRIPTION = Rule(
    "a Secrets Manager secret description",
    "botocore secretsmanager CreateSecretRequest.Description",
    (length(0, 2048),),
)

ECR_REPOSITORY_NAME = Rule(
    "an ECR repository name",
    "botocore ecr CreateRepositoryRequest.repositoryName",
    (
        length(2, 256),
        shaped(
            r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*",
            "lowercase segments of letters and digits joined by '.', '_', '__' or hyphens, "
            "separated by '/'",
        ),
    ),
)

ALARM_NAME = Rule(
    "a CloudWatch alarm name",
    "botocore cloudwatch PutMetricAlarmInput.AlarmName",
    (length(1, 255), _no_ascii_controls),
)
ALARM_DESCRIPTION = Rule(
    "a CloudWatch alarm description",
    "botocore cloudwatch PutMetricAlarmInput.AlarmDescription",
    (length(0, 1024),),
)
DASHBOARD_NAME = Rule(
    "a CloudWatch dashboard name",
    "botocore cloudwatch PutDashboardInput.DashboardName",
    (length(1, 255), charset(r"A-Za-z0-9_\-", "letters, digits, - and _")),
)

SCHEDULE_NAME = Rule(
    "an EventBridge Scheduler schedule or group name",
    "botocore scheduler CreateScheduleInput.Name, GroupName",
    (length(1, 64), charset(r"0-9a-zA-Z\-_.", "letters, digits and -_.")),
)
SCHEDULE_DESCRIPTION = Rule(
    "an EventBridge Scheduler schedule description",
    "botocore scheduler CreateScheduleInput.Description",
    (length(0, 512),),
)
EVENT_RULE_NAME = Rule(
    "an EventBridge rule name or target id",
    "botocore events PutRuleRequest.Name, Target.Id",
    (length(1, 64), charset(r".\-_A-Za-z0-9", "letters, digits and .-_")),
)
EVENT_RULE_DESCRIPTION = Rule(
    "an EventBridge rule description",
    "botocore events PutRuleRequest.Description",
    (length(0, 512),),
)

CLOUDFRONT_FUNCTION_NAME = Rule(
    "a CloudFront function name",
    "botocore cloudfront CreateFunctionRequest.Name",
    (length(1, 64), charset(r"a-zA-Z0-9\-_", "letters, digits, - and _")),
)
ORIGIN_ACCESS_CONTROL_NAME = Rule(
    "a CloudFront origin access control name",
    "botocore cloudfront OriginAccessControlConfig.Name",
    (length(1, 64),),
)
CLOUDFRONT_COMMENT = Rule(
    "a CloudFront distribution's or policy's comment",
    "botocore cloudfront DistributionConfig.Comment, ResponseHeadersPolicyConfig.Comment",
    (length(0, 128),),
)

WAF_NAME = Rule(
    "a WAF web ACL or rule name",
    "botocore wafv2 EntityName",
    (length(1, 128), charset(r"\w\-", "letters, digits, _ and -")),
)
WAF_DESCRIPTION = Rule(
    "a WAF web ACL description",
    "botocore wafv2 EntityDescription",
    (
        length(1, 256),
        shaped(
            r"[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]",
            "letters, digits, spaces and +=:#@/-,. (not starting or ending with a space)",
        ),
    ),
)
WAF_METRIC_NAME = Rule(
    "a WAF metric name",
    "botocore wafv2 VisibilityConfig.MetricName",
    (
        length(1, 128),
        charset(r"\w#:.\-/", "letters, digits and _#:.-/"),
        not_one_of("All", "Default_Action"),
    ),
)

KMS_ALIAS_NAME = Rule(
    "a KMS alias name",
    "botocore kms CreateAliasRequest.AliasName",
    (
        length(1, 256),
        charset(r"a-zA-Z0-9:/_\-", "letters, digits and :/_-"),
        shaped(r"alias/.+", "'alias/' followed by a name"),
        no_prefix("alias/aws/"),
    ),
)
KMS_KEY_DESCRIPTION = Rule(
    "a KMS key description", "botocore kms CreateKeyRequest.Description", (length(0, 8192),)
)

_RDS_IDENTIFIER = (
    charset("A-Za-z0-9-", "letters, digits and hyphens"),
    first("A-Za-z", "a letter"),
    last("A-Za-z0-9", "a letter or digit"),
    no_part("--"),
)
DB_INSTANCE_IDENTIFIER = Rule(
    "an RDS DB instance identifier",
    "botocore rds CreateDBInstanceMessage.DBInstanceIdentifier",
    (length(1, RDS_IDENTIFIER_MAX), *_RDS_IDENTIFIER),
)
DB_SNAPSHOT_IDENTIFIER = Rule(
    "an RDS DB snapshot identifier",
    "botocore rds DeleteDBInstanceMessage.FinalDBSnapshotIdentifier",
    (length(1, 255), *_RDS_IDENTIFIER),
)
DB_PARAMETER_GROUP_NAME = Rule(
    "an RDS DB parameter group name",
    "botocore rds CreateDBParameterGroupMessage.DBParameterGroupName",
    (length(1, 255), *_RDS_IDENTIFIER),
)
DB_SUBNET_GROUP_NAME = Rule(
    "an RDS DB subnet group name",
    "botocore rds CreateDBSubnetGroupMessage.DBSubnetGroupName",
    (
        length(1, 255),
        charset(r"A-Za-z0-9._ \-", "letters, digits, periods, underscores, spaces, hyphens"),
        first("A-Za-z", "a letter"),
        not_one_of("default", any_case=True),
    ),
)
DB_NAME = Rule(
    "an RDS for PostgreSQL database name",
    "botocore rds CreateDBInstanceMessage.DBName (RDS for PostgreSQL)",
    (
        length(1, 63),
        charset("A-Za-z0-9_", "letters, digits and underscores"),
        first("A-Za-z", "a letter"),
    ),
)
DB_MASTER_USERNAME = Rule(
    "an RDS master user name",
    "botocore rds CreateDBInstanceMessage.MasterUsername",
    (
        length(1, 16),
        charset("A-Za-z0-9_", "letters, digits and underscores"),
        first("A-Za-z", "a letter"),
    ),
)

REPLICATION_GROUP_ID = Rule(
    "an ElastiCache replication group id",
    "botocore elasticache CreateReplicationGroupMessage.ReplicationGroupId",
    (length(1, CACHE_ID_MAX), *_RDS_IDENTIFIER),
)
REPLICATION_GROUP_DESCRIPTION = Rule(
    "an ElastiCache replication group description",
    "botocore elasticache CreateReplicationGroupMessage.ReplicationGroupDescription (required)",
    (length(1, 1024),),
)
CACHE_SUBNET_GROUP_NAME = Rule(
    "an ElastiCache subnet group name",
    "botocore elasticache CreateCacheSubnetGroupMessage.CacheSubnetGroupName",
    (length(1, 255), charset("A-Za-z0-9-", "letters, digits and hyphens")),
)

ECS_NAME = Rule(
    "an ECS cluster, service or task definition family name",
    "botocore ecs CreateClusterRequest.clusterName, CreateServiceRequest.serviceName, "
    "RegisterTaskDefinitionRequest.family",
    (length(1, 255), charset(r"A-Za-z0-9_\-", "letters, digits, underscores and hyphens")),
)

SNS_TOPIC_NAME = Rule(
    "an SNS topic name",
    "botocore sns CreateTopicInput.Name",
    (length(1, 256), charset(r"A-Za-z0-9_\-", "ASCII letters, digits, _ and -")),
)
BUDGET_NAME = Rule(
    "an AWS Budgets budget name",
    "botocore budgets BudgetName",
    (
        length(1, 100),
        charset(lambda c: c not in ":\\", "anything but ':' and '\\'"),
        no_part("/action/"),
    ),
)
SCALING_POLICY_NAME = Rule(
    "an Application Auto Scaling policy name",
    "botocore application-autoscaling PutScalingPolicyRequest.PolicyName",
    # `\p{Print}` in AWS's (Java) pattern: printable ASCII.
    (length(1, 256), charset(r"\x20-\x7e", "printable ASCII")),
)


def _tag_rules(
    service: str,
    *,
    key_max: int = TAG_KEY_MAX,
    pattern: bool,
    reserved: tuple[str, ...] = ("aws:",),
) -> Tags:
    """A service's tag rules: lengths, (for most) the Unicode charset, and reserved prefixes.

    `reserved` prefixes apply to keys in any case; ECS and RDS also refuse them on values.
    """
    key_checks: list[Check] = [length(1, key_max), no_prefix(*reserved, any_case=True)]
    value_checks: list[Check] = [length(0, TAG_VALUE_MAX)]
    if pattern:
        shown = "letters, digits, spaces and _.:/=+-@"
        key_checks.append(charset(_tag_character, shown))
        value_checks.append(charset(_tag_character, shown))
    if service in ("ecs", "rds"):
        value_checks.append(no_prefix(*reserved, any_case=True))
    return Tags(
        key=Rule(f"a {service} tag key", f"botocore {service} Tag.Key", tuple(key_checks)),
        value=Rule(f"a {service} tag value", f"botocore {service} Tag.Value", tuple(value_checks)),
    )


# botocore ec2 Tag.Key: "a maximum of 127 Unicode characters. May not begin with aws:".
EC2_TAGS = _tag_rules("ec2", key_max=127, pattern=False)
ELB_TAGS = _tag_rules("elbv2", pattern=True)
IAM_TAGS = _tag_rules("iam", pattern=True)
LOGS_TAGS = _tag_rules("logs", pattern=True)
SSM_TAGS = _tag_rules("ssm", pattern=True)
CLOUDFRONT_TAGS = _tag_rules("cloudfront", pattern=True)
WAF_TAGS = _tag_rules("wafv2", pattern=True)
ACM_TAGS = _tag_rules("acm", pattern=True)
# botocore ecs Tag, CapacityProvider.tags: "aws:" in any case is reserved for keys and values.
ECS_TAGS = _tag_rules("ecs", pattern=True)
# botocore rds Tag.Key/Value: neither may be prefixed with "aws:" or "rds:".
RDS_TAGS = _tag_rules("rds", pattern=True, reserved=("aws:", "rds:"))
# The rest state lengths only; "aws:" is reserved everywhere (Tagging AWS resources guide).
S3_TAGS = _tag_rules("s3", pattern=False)
KMS_TAGS = _tag_rules("kms", pattern=False)
SNS_TAGS = _tag_rules("sns", pattern=False)
SECRETS_TAGS = _tag_rules("secretsmanager", pattern=False)
EVENTS_TAGS = _tag_rules("events", pattern=False)
SCHEDULER_TAGS = _tag_rules("scheduler", pattern=False)
CLOUDWATCH_TAGS = _tag_rules("cloudwatch", pattern=False)
ECR_TAGS = _tag_rules("ecr", pattern=False)
ELASTICACHE_TAGS = _tag_rules("elasticache", pattern=False)
BUDGETS_TAGS = _tag_rules("budgets", pattern=False)


def _rule_description(holder: Mapping[str, Any]) -> Rule:
    """A rule that references a group or a prefix list travels as a `UserIdGroupPair` or
    `PrefixListId`, whose description refuses `&`; an address range's accepts it."""
    references = ("referencedSecurityGroupId", "prefixListId", "securityGroups", "prefixListIds")
    if any(holder.get(key) for key in references) or holder.get("self") is True:
        return RULE_DESCRIPTION_REFERENCE
    return RULE_DESCRIPTION_CIDR


_SECURITY_GROUP = (
    Input("name", SECURITY_GROUP_NAME),
    Input("description", SECURITY_GROUP_DESCRIPTION),
    Input("ingress[].description", _rule_description),
    Input("egress[].description", _rule_description),
    Input("tags", EC2_TAGS),
)
_GROUP_RULE = (Input("description", _rule_description), Input("tags", EC2_TAGS))

INPUT_RULES: Mapping[str, tuple[Input, ...]] = {
    "aws:ec2/securityGroup:SecurityGroup": _SECURITY_GROUP,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _SECURITY_GROUP[2:],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _GROUP_RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _GROUP_RULE,
    "aws:ec2/vpc:Vpc": (Input("tags", EC2_TAGS),),
    "aws:ec2/subnet:Subnet": (Input("tags", EC2_TAGS),),
    "aws:ec2/internetGateway:InternetGateway": (Input("tags", EC2_TAGS),),
    "aws:ec2/routeTable:RouteTable": (Input("tags", EC2_TAGS),),
    "aws:ec2/eip:Eip": (Input("tags", EC2_TAGS),),
    "aws:ec2/natGateway:NatGateway": (Input("tags", EC2_TAGS),),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (Input("tags", EC2_TAGS),),
    "aws:ec2/flowLog:FlowLog": (Input("tags", EC2_TAGS),),
    "aws:lb/loadBalancer:LoadBalancer": (
        Input("name", LOAD_BALANCER_NAME),
        Input("tags", ELB_TAGS),
    ),
    "aws:lb/targetGroup:TargetGroup": (Input("name", TARGET_GROUP_NAME), Input("tags", ELB_TAGS)),
    "aws:lb/listener:Listener": (Input("tags", ELB_TAGS),),
    "aws:lb/listenerRule:ListenerRule": (Input("tags", ELB_TAGS),),
    "aws:iam/role:Role": (
        Input("name", IAM_ROLE_NAME),
        Input("path", IAM_PATH),
        Input("description", IAM_ROLE_DESCRIPTION),
        Input("inlinePolicies[].name", IAM_POLICY_NAME),
        Input("tags", IAM_TAGS),
    ),
    "aws:iam/policy:Policy": (
        Input("name", IAM_POLICY_NAME),
        Input("path", IAM_POLICY_PATH),
        Input("description", IAM_POLICY_DESCRIPTION),
        Input("tags", IAM_TAGS),
    ),
    "aws:iam/rolePolicy:RolePolicy": (Input("name", IAM_POLICY_NAME),),
    "aws:iam/instanceProfile:InstanceProfile": (
        Input("name", IAM_INSTANCE_PROFILE_NAME),
        Input("path", IAM_PATH),
        Input("tags", IAM_TAGS),
    ),
    "aws:s3/bucket:Bucket": (Input("bucket", S3_BUCKET_NAME), Input("tags", S3_TAGS)),
    "aws:cloudwatch/logGroup:LogGroup": (Input("name", LOG_GROUP_NAME), Input("tags", LOGS_TAGS)),
    "aws:ssm/parameter:Parameter": (
        Input("name", SSM_PARAMETER_NAME),
        Input("description", SSM_PARAMETER_DESCRIPTION),
        Input("tags", SSM_TAGS),
    ),
    "aws:secretsmanager/secret:Secret": (
        Input("name", SECRET_NAME),
        Input("description", SECRET_DESCRIPTION),
        Input("tags", SECRETS_TAGS),
    ),
    "aws:ecr/repository:Repository": (
        Input("name", ECR_REPOSITORY_NAME),
        Input("tags", ECR_TAGS),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        Input("name", ALARM_NAME),
        Input("alarmDescription", ALARM_DESCRIPTION),
        Input("tags", CLOUDWATCH_TAGS),
    ),
    "aws:cloudwatch/dashboard:Dashboard": (Input("dashboardName", DASHBOARD_NAME),),
    "aws:cloudwatch/eventRule:EventRule": (
        Input("name", EVENT_RULE_NAME),
        Input("description", EVENT_RULE_DESCRIPTION),
        Input("tags", EVENTS_TAGS),
    ),
    "aws:cloudwatch/eventTarget:EventTarget": (Input("targetId", EVENT_RULE_NAME),),
    "aws:scheduler/schedule:Schedule": (
        Input("name", SCHEDULE_NAME),
        Input("groupName", SCHEDULE_NAME),
        Input("description", SCHEDULE_DESCRIPTION),
    ),
    "aws:cloudfront/function:Function": (Input("name", CLOUDFRONT_FUNCTION_NAME),),
    "aws:cloudfront/originAccessControl:OriginAccessControl": (
        Input("name", ORIGIN_ACCESS_CONTROL_NAME),
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (
        Input("comment", CLOUDFRONT_COMMENT),
    ),
    "aws:cloudfront/distribution:Distribution": (
        Input("comment", CLOUDFRONT_COMMENT),
        Input("tags", CLOUDFRONT_TAGS),
    ),
    "aws:wafv2/webAcl:WebAcl": (
        Input("name", WAF_NAME),
        Input("description", WAF_DESCRIPTION),
        Input("rules[].name", WAF_NAME),
        Input("rules[].visibilityConfig.metricName", WAF_METRIC_NAME),
        Input("visibilityConfig.metricName", WAF_METRIC_NAME),
        Input("tags", WAF_TAGS),
    ),
    "aws:acm/certificate:Certificate": (Input("tags", ACM_TAGS),),
    "aws:kms/alias:Alias": (Input("name", KMS_ALIAS_NAME),),
    "aws:kms/key:Key": (Input("description", KMS_KEY_DESCRIPTION), Input("tags", KMS_TAGS)),
    "aws:rds/instance:Instance": (
        Input("identifier", DB_INSTANCE_IDENTIFIER),
        Input("finalSnapshotIdentifier", DB_SNAPSHOT_IDENTIFIER),
        Input("dbName", DB_NAME),
        Input("username", DB_MASTER_USERNAME),
        Input("tags", RDS_TAGS),
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        Input("name", DB_PARAMETER_GROUP_NAME),
        Input("tags", RDS_TAGS),
    ),
    "aws:rds/subnetGroup:SubnetGroup": (
        Input("name", DB_SUBNET_GROUP_NAME),
        Input("tags", RDS_TAGS),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        Input("replicationGroupId", REPLICATION_GROUP_ID),
        Input("description", REPLICATION_GROUP_DESCRIPTION),
        Input("tags", ELASTICACHE_TAGS),
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": (
        Input("name", CACHE_SUBNET_GROUP_NAME),
        Input("tags", ELASTICACHE_TAGS),
    ),
    "aws:ecs/cluster:Cluster": (Input("name", ECS_NAME), Input("tags", ECS_TAGS)),
    "aws:ecs/service:Service": (Input("name", ECS_NAME), Input("tags", ECS_TAGS)),
    "aws:ecs/taskDefinition:TaskDefinition": (Input("family", ECS_NAME), Input("tags", ECS_TAGS)),
    "aws:sns/topic:Topic": (Input("name", SNS_TOPIC_NAME), Input("tags", SNS_TAGS)),
    "aws:budgets/budget:Budget": (Input("name", BUDGET_NAME), Input("tags", BUDGETS_TAGS)),
    "aws:appautoscaling/policy:Policy": (Input("name", SCALING_POLICY_NAME),),
}
"""The inputs AWS judges at create time, by Pulumi resource type (camelCase input paths)."""

TAG_RULES: tuple[Tags, ...] = tuple(
    {
        id(spec.rule): spec.rule
        for inputs in INPUT_RULES.values()
        for spec in inputs
        if isinstance(spec.rule, Tags)
    }.values()
)
"""Every service's tag rules: the provider's default tags reach all of them."""


# ----------------------------------------------------------------------------- judging


def rule(resource_type: str, path: str) -> Rule:
    """The rule on one input of a resource type, for a caller that predicts the value."""
    for spec in INPUT_RULES.get(resource_type, ()):
        if spec.path == path and isinstance(spec.rule, Rule):
            return spec.rule
    raise KeyError(f"no input rule for {resource_type} {path}")


def refusals(resource_type: str, inputs: Mapping[str, Any]) -> list[Refusal]:
    """Every input of a `resource_type` resource that AWS would refuse at create time.

    Only string values are judged (tags: string keys and values); anything else, an unknown
    value in a preview included, is left for when it is known.
    """
    found: list[Refusal] = []
    for spec in INPUT_RULES.get(resource_type, ()):
        for where, holder, value in _walk(inputs, spec.path):
            found += _judge(spec.rule, where, holder, value)
    return found


def _judge(
    spec: Rule | Tags | Chooser, where: str, holder: Mapping[str, Any], value: Any
) -> list[Refusal]:
    if isinstance(spec, Tags):
        if not isinstance(value, Mapping):
            return []
        tags = cast(Mapping[Any, Any], value)
        found: list[Refusal] = []
        for key, tag_value in tags.items():
            if isinstance(key, str):
                found += _refused(spec.key, f"{where}.{key}", key)
            if isinstance(key, str) and isinstance(tag_value, str):
                found += _refused(spec.value, f"{where}.{key}", tag_value)
        return found
    if not isinstance(value, str):
        return []
    chosen = spec if isinstance(spec, Rule) else spec(holder)
    return _refused(chosen, where, value)


def _refused(chosen: Rule, where: str, value: str) -> list[Refusal]:
    reasons = chosen.reasons(value)
    return [Refusal(where, value, chosen, tuple(reasons))] if reasons else []


def _walk(
    holder: Mapping[str, Any], path: str, where: str = ""
) -> Iterator[tuple[str, Mapping[str, Any], Any]]:
    """(location, the mapping holding the value, value) for each value at `path`."""
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if key not in holder:
        return
    here = f"{where}.{key}" if where else key
    value = holder[key]
    if head.endswith("[]"):
        items = cast(Sequence[Any], value) if isinstance(value, list | tuple) else ()
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield from _walk(cast(Mapping[str, Any], item), rest, f"{here}[{index}]")
    elif rest:
        if isinstance(value, Mapping):
            yield from _walk(cast(Mapping[str, Any], value), rest, here)
    else:
        yield here, holder, value
