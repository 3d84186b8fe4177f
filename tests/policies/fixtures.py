"""A crafted stack that satisfies every control, and helpers to break it one property at a time.

`compliant_stack()` is what a prod stack should look like to the rules: every control passes on
it (tested), so each failing or unknown case below is a single mutation of it, and the test
shows that exactly that change flips the control. Ids, ARNs and names are consistent the way
the mock harness or a stack export would make them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from policies import aws
from policies.model import Resource
from policies.values import UNKNOWN, normalize

ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The string sentinel the Pulumi engine sends a policy pack for an unknown value."""

ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/key-1"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:alarms"
ALB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/alb/abc"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-jwt-AbCdEf"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ci-boundary"
DELETE = object()
"""Marker for `mutate`: remove the key."""


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    id_: Any = None,
    outputs: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> Resource:
    """A resource as the harness records it (id defaults to `<name>-id`)."""
    base_options: dict[str, Any] = {
        "protect": False,
        "retainOnDelete": False,
        "deleteBeforeReplace": False,
        "ignoreChanges": [],
        "aliases": [],
        "dependencies": [],
        "parent": None,
    }
    return Resource(
        type=type_,
        name=name,
        urn=f"urn:pulumi:prod::golive::{type_}::{name}",
        inputs=normalize(inputs or {}),
        options={**base_options, **(options or {})},
        id=f"{name}-id" if id_ is None else id_,
        outputs=normalize(outputs or {}),
    )


PROTECTED = {"protect": True}


def _json(document: Any) -> str:
    return json.dumps(document)


def _sg_rule(kind: str, name: str, group: str, description: str = "", **fields: Any) -> Resource:
    inputs = {"securityGroupId": group, "description": description or f"{name} rule", **fields}
    return res(kind, name, inputs, id_=f"sgr-{name}")


def _bucket(name: str) -> list[Resource]:
    return [
        res("aws:s3/bucket:Bucket", name, {"bucket": name}, id_=name,
            outputs={"arn": f"arn:aws:s3:::{name}", "bucket": name,
                     "bucketDomainName": f"{name}.s3.amazonaws.com"},
            options=PROTECTED),
        res(aws.PUBLIC_ACCESS_BLOCK, f"{name}-pab",
            {"bucket": name, "blockPublicAcls": True, "blockPublicPolicy": True,
             "ignorePublicAcls": True, "restrictPublicBuckets": True}),
        res(aws.BUCKET_POLICY, f"{name}-policy", {"bucket": name, "policy": _json({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "SslOnly", "Effect": "Deny", "Principal": "*",
                           "Action": "s3:*", "Resource": [f"arn:aws:s3:::{name}/*"],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
        })}),
    ]  # fmt: skip


def _container(**overrides: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "web",
        "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web@sha256:abc",
        "essential": True,
        "readonlyRootFilesystem": True,
        "environment": [{"name": "PORT", "value": "8080"}],
        "secrets": [{"name": "JWT_SECRET", "valueFrom": SECRET_ARN}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/golive/web", "awslogs-region": REGION,
                        "awslogs-stream-prefix": "web"},
        },
    }  # fmt: skip
    container.update(overrides)
    return container


def container_definitions(**overrides: Any) -> str:
    return _json([_container(**overrides)])


KEY_POLICY = _json(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*"},
        ],
    }
)  # fmt: skip

GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def trust_policy(condition: dict[str, Any] | None = None) -> str:
    return _json({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": GITHUB_PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition if condition is not None else {"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:acme/auction:environment:prod",
            }},
        }],
    })  # fmt: skip


def compliant_stack() -> list[Resource]:
    """Every resource type the controls look at, configured the way prod should be."""
    subnets = [
        res(aws.SUBNET, name, {"vpcId": "vpc-1", "cidrBlock": cidr, "availabilityZone": zone,
                               "mapPublicIpOnLaunch": False}, id_=f"subnet-{name}")
        for name, cidr, zone in (
            ("pub-a", "10.0.0.0/24", "us-east-1a"), ("pub-b", "10.0.1.0/24", "us-east-1b"),
            ("app-a", "10.0.10.0/24", "us-east-1a"), ("app-b", "10.0.11.0/24", "us-east-1b"),
        )
    ]  # fmt: skip
    network = [
        res(aws.VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, id_="vpc-1"),
        res(aws.DEFAULT_SG, "default-sg", {"vpcId": "vpc-1", "ingress": [], "egress": []}),
        res(aws.FLOW_LOG, "flow-log", {"vpcId": "vpc-1", "trafficType": "ALL",
                                       "logDestinationType": "cloud-watch-logs",
                                       "logDestination": "arn:aws:logs:us-east-1:1:log-group:flow"}),
        *subnets,
        res(aws.INTERNET_GATEWAY, "igw", {"vpcId": "vpc-1"}, id_="igw-1"),
        res(aws.ROUTE_TABLE, "rt-public", {"vpcId": "vpc-1"}, id_="rtb-public"),
        res(aws.ROUTE_TABLE, "rt-app-a", {"vpcId": "vpc-1"}, id_="rtb-app-a"),
        res(aws.ROUTE_TABLE, "rt-app-b", {"vpcId": "vpc-1"}, id_="rtb-app-b"),
        res(aws.ROUTE, "route-public", {"routeTableId": "rtb-public",
                                        "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}),
        res(aws.ROUTE, "route-app-a", {"routeTableId": "rtb-app-a",
                                       "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-a"}),
        res(aws.ROUTE, "route-app-b", {"routeTableId": "rtb-app-b",
                                       "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-b"}),
        *[
            res(aws.ROUTE_TABLE_ASSOCIATION, f"assoc-{s}", {"subnetId": f"subnet-{s}",
                                                            "routeTableId": table})
            for s, table in (("pub-a", "rtb-public"), ("pub-b", "rtb-public"),
                             ("app-a", "rtb-app-a"), ("app-b", "rtb-app-b"))
        ],
        res(aws.NAT_GATEWAY, "nat-a", {"subnetId": "subnet-pub-a"}, id_="nat-a"),
        res(aws.NAT_GATEWAY, "nat-b", {"subnetId": "subnet-pub-b"}, id_="nat-b"),
        res(aws.VPC_ENDPOINT, "vpce-s3", {"vpcId": "vpc-1", "serviceName": "com.amazonaws.us-east-1.s3",
                                          "vpcEndpointType": "Gateway"}),
        *[
            res(aws.VPC_ENDPOINT, f"vpce-{svc}", {"vpcId": "vpc-1", "vpcEndpointType": "Interface",
                                                  "serviceName": f"com.amazonaws.us-east-1.{svc}"})
            for svc in ("ecr.api", "ecr.dkr", "logs", "secretsmanager")
        ],
    ]  # fmt: skip
    security = [
        res(aws.SECURITY_GROUP, "alb-sg", {"vpcId": "vpc-1", "description": "ALB: HTTPS in"},
            id_="sg-alb"),
        res(aws.SECURITY_GROUP, "task-sg", {"vpcId": "vpc-1", "description": "Tasks: from the ALB"},
            id_="sg-task"),
        res(aws.SECURITY_GROUP, "db-sg", {"vpcId": "vpc-1", "description": "Postgres: from tasks"},
            id_="sg-db"),
        _sg_rule(aws.INGRESS_RULE, "alb-https", "sg-alb", cidrIpv4="0.0.0.0/0", ipProtocol="tcp",
                 fromPort=443, toPort=443),
        _sg_rule(aws.INGRESS_RULE, "alb-http", "sg-alb", cidrIpv4="0.0.0.0/0", ipProtocol="tcp",
                 fromPort=80, toPort=80),
        _sg_rule(aws.INGRESS_RULE, "task-from-alb", "sg-task", referencedSecurityGroupId="sg-alb",
                 ipProtocol="tcp", fromPort=8080, toPort=8080),
        _sg_rule(aws.INGRESS_RULE, "db-from-task", "sg-db", referencedSecurityGroupId="sg-task",
                 ipProtocol="tcp", fromPort=5432, toPort=5432),
        _sg_rule(aws.EGRESS_RULE, "task-egress", "sg-task", cidrIpv4="0.0.0.0/0", ipProtocol="tcp",
                 fromPort=443, toPort=443),
    ]  # fmt: skip
    key = res(aws.KMS_KEY, "key", {"enableKeyRotation": True, "deletionWindowInDays": 30,
                                   "policy": KEY_POLICY},
              id_="key-1", outputs={"arn": KEY_ARN, "keyId": "key-1"},
              options={"protect": True, "retainOnDelete": True})  # fmt: skip
    ecs = [
        res(aws.LOG_GROUP, "web-logs", {"name": "/golive/web", "retentionInDays": 365,
                                        "kmsKeyId": KEY_ARN}, id_="/golive/web"),
        res(aws.ECS_CLUSTER, "cluster", {"name": "auction-prod",
                                         "settings": [{"name": "containerInsights",
                                                       "value": "enabled"}]}),
        res(aws.TASK_DEFINITION, "web-task", {
            "family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-exec",
            "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-task",
            "containerDefinitions": container_definitions(),
        }),
        res(aws.ECS_SERVICE, "web", {
            "name": "web", "cluster": "auction-prod", "launchType": "FARGATE",
            "platformVersion": "LATEST", "desiredCount": 2,
            "deploymentMinimumHealthyPercent": 100, "deploymentMaximumPercent": 200,
            "healthCheckGracePeriodSeconds": 60,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "alarms": {"enable": True, "rollback": True, "alarmNames": ["web-5xx"]},
            "loadBalancers": [{"targetGroupArn": "tg-arn", "containerName": "web",
                               "containerPort": 8080}],
            "networkConfiguration": {"assignPublicIp": False,
                                     "subnets": ["subnet-app-a", "subnet-app-b"],
                                     "securityGroups": ["sg-task"]},
        }),
        res(aws.SCALING_TARGET, "web-scaling", {
            "resourceId": "service/auction-prod/web", "scalableDimension": "ecs:service:DesiredCount",
            "serviceNamespace": "ecs", "minCapacity": 2, "maxCapacity": 6,
        }),
        res(aws.SCALING_POLICY, "web-cpu", {
            "policyType": "TargetTrackingScaling", "resourceId": "service/auction-prod/web",
            "scalableDimension": "ecs:service:DesiredCount", "serviceNamespace": "ecs",
            "targetTrackingScalingPolicyConfiguration": {
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "targetValue": 65},
        }),
        res(aws.METRIC_ALARM, "web-5xx", {"name": "web-5xx", "actionsEnabled": True,
                                          "alarmActions": [TOPIC_ARN], "okActions": [TOPIC_ARN]}),
        res(aws.SNS_TOPIC, "alarms", {"kmsMasterKeyId": KEY_ARN}, id_=TOPIC_ARN,
            outputs={"arn": TOPIC_ARN}),
        res(aws.SNS_TOPIC_POLICY, "alarms-policy", {"arn": TOPIC_ARN, "policy": _json({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                           "Action": "sns:Publish", "Resource": TOPIC_ARN,
                           "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})}),
    ]  # fmt: skip
    load_balancing = [
        res(aws.LOAD_BALANCER, "alb", {
            "loadBalancerType": "application", "internal": True,
            "subnets": ["subnet-pub-a", "subnet-pub-b"],
            "securityGroups": ["sg-alb"], "dropInvalidHeaderFields": True,
            "accessLogs": {"bucket": "alb-logs", "enabled": True},
            "enableDeletionProtection": True, "desyncMitigationMode": "defensive",
        }, id_=ALB_ARN, outputs={"arn": ALB_ARN}),
        res(aws.LISTENER, "http", {"loadBalancerArn": ALB_ARN, "protocol": "HTTP", "port": 80,
            "defaultActions": [{"type": "redirect", "redirect": {
                "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]}),
        res(aws.LISTENER, "https", {"loadBalancerArn": ALB_ARN, "protocol": "HTTPS", "port": 443,
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/alb",
            "defaultActions": [{"type": "forward", "targetGroupArn": "tg-arn"}]}),
        res(aws.TARGET_GROUP, "web-tg", {"targetType": "ip", "protocol": "HTTP", "port": 8080,
            "healthCheck": {"enabled": True, "path": "/healthz", "matcher": "200"}}, id_="tg-arn"),
        res(aws.WAF_ASSOCIATION, "alb-waf", {"resourceArn": ALB_ARN,
                                             "webAclArn": "arn:aws:wafv2:acl/regional"}),
    ]  # fmt: skip
    database = [
        res(aws.RDS_SUBNET_GROUP, "db-subnets", {"name": "db-subnets",
                                                 "subnetIds": ["subnet-app-a", "subnet-app-b"]},
            id_="db-subnets"),
        res(aws.RDS_PARAMETER_GROUP, "db-params", {"name": "db-params", "family": "postgres16",
            "parameters": [{"name": "rds.force_ssl", "value": "1"}]}, id_="db-params"),
        res(aws.RDS_INSTANCE, "db", {
            "identifier": "auction-prod", "engine": "postgres", "engineVersion": "16",
            "dbSubnetGroupName": "db-subnets", "parameterGroupName": "db-params",
            "vpcSecurityGroupIds": ["sg-db"], "publiclyAccessible": False,
            "storageEncrypted": True, "kmsKeyId": KEY_ARN, "multiAz": True,
            "monitoringInterval": 60, "monitoringRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-mon",
            "deletionProtection": True, "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "auction-prod-final",
            "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
            "iamDatabaseAuthenticationEnabled": True, "backupRetentionPeriod": 14,
            "autoMinorVersionUpgrade": True, "copyTagsToSnapshot": True,
            "caCertIdentifier": "rds-ca-rsa2048-g1", "performanceInsightsEnabled": True,
            "performanceInsightsKmsKeyId": KEY_ARN, "username": "auction_admin",
            "manageMasterUserPassword": True, "masterUserSecretKmsKeyId": KEY_ARN,
        }, id_="auction-prod", options={"protect": True, "retainOnDelete": True}),
    ]  # fmt: skip
    cdn = [
        res(aws.ORIGIN_ACCESS_CONTROL, "oac", {"originAccessControlOriginType": "s3",
                                               "signingBehavior": "always",
                                               "signingProtocol": "sigv4"}, id_="oac-1"),
        res(aws.VPC_ORIGIN, "alb-origin", {"vpcOriginEndpointConfig": {
            "arn": ALB_ARN, "httpPort": 80, "httpsPort": 443, "name": "alb",
            "originProtocolPolicy": "https-only",
            "originSslProtocols": {"items": ["TLSv1.2"], "quantity": 1}}}),
        res(aws.RESPONSE_HEADERS_POLICY, "headers", {"securityHeadersConfig": {
            "strictTransportSecurity": {"accessControlMaxAgeSec": 31536000, "override": True,
                                        "includeSubdomains": True}}}, id_="rhp-1"),
        res(aws.DISTRIBUTION, "cdn", {
            "enabled": True, "defaultRootObject": "index.html", "webAclId": "arn:aws:wafv2:acl/cf",
            "origins": [
                {"originId": "site", "domainName": "site.s3.us-east-1.amazonaws.com",
                 "originAccessControlId": "oac-1"},
                {"originId": "api", "domainName": "origin.auction.example.com",
                 "customOriginConfig": {"httpPort": 80, "httpsPort": 443,
                                        "originProtocolPolicy": "https-only",
                                        "originSslProtocols": ["TLSv1.2"]}},
            ],
            "defaultCacheBehavior": {"targetOriginId": "site",
                                     "viewerProtocolPolicy": "redirect-to-https",
                                     "responseHeadersPolicyId": "rhp-1"},
            "orderedCacheBehaviors": [{"pathPattern": "/api/*", "targetOriginId": "api",
                                       "viewerProtocolPolicy": "https-only",
                                       "responseHeadersPolicyId":
                                           "67f7725c-6f97-4210-82d7-5512b31e9d03"}],
            "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/cf",
                                  "sslSupportMethod": "sni-only",
                                  "minimumProtocolVersion": "TLSv1.2_2021"},
            "loggingConfig": {"bucket": "cf-logs.s3.amazonaws.com", "prefix": "cdn/"},
        }),
        res(aws.CERTIFICATE, "cert", {"domainName": "auction.example.com",
                                      "validationMethod": "DNS", "keyAlgorithm": "RSA_2048"}),
        res(aws.ROUTE53_RECORD, "apex", {"zoneId": "Z123", "name": "auction.example.com",
                                         "type": "A"}),
        res(aws.QUERY_LOG, "query-log", {"zoneId": "Z123",
                                         "cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:1:x"}),
    ]  # fmt: skip
    secrets = [
        res(aws.SECRET, "jwt", {"name": "app-jwt", "kmsKeyId": KEY_ARN,
                                "recoveryWindowInDays": 30},
            id_=SECRET_ARN, outputs={"arn": SECRET_ARN}, options=PROTECTED),
        res(aws.SECRET_ROTATION, "jwt-rotation", {"secretId": SECRET_ARN,
            "rotationLambdaArn": "arn:aws:lambda:rotate",
            "rotationRules": {"automaticallyAfterDays": 30}}),
    ]  # fmt: skip
    storage = [
        *_bucket("site"),
        *_bucket("alb-logs"),
        *_bucket("cf-logs"),
        *_bucket("access-logs"),
        *[
            res(aws.OWNERSHIP_CONTROLS, f"{b}-ownership",
                {"bucket": b, "rule": {"objectOwnership": "BucketOwnerEnforced"}})
            for b in ("site", "alb-logs", "access-logs")
        ],
        res(aws.OWNERSHIP_CONTROLS, "cf-logs-ownership",
            {"bucket": "cf-logs", "rule": {"objectOwnership": "BucketOwnerPreferred"}}),
        res(aws.BUCKET_LOGGING[0], "site-logging", {"bucket": "site", "targetBucket": "access-logs",
                                                    "targetPrefix": "site/"}),
    ]  # fmt: skip
    iam = [
        res(aws.IAM_ROLE, "web-exec", {"assumeRolePolicy": _json({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})}),
        res(aws.IAM_ROLE_POLICY, "web-exec-secrets", {"role": "web-exec", "policy": _json({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                 "Resource": [SECRET_ARN]},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN},
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]})}),
        res(aws.IAM_ROLE, "ci-deploy", {"assumeRolePolicy": trust_policy(),
                                        "permissionsBoundary": BOUNDARY_ARN}),
        res(aws.IAM_POLICY, "ci-boundary", {"policy": _json({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ec2:*", "ecs:*", "kms:Decrypt"],
                 "Resource": "*"}]})}, id_=BOUNDARY_ARN, outputs={"arn": BOUNDARY_ARN}),
    ]  # fmt: skip
    return [
        *network,
        *security,
        key,
        *ecs,
        *load_balancing,
        *database,
        *cdn,
        *secrets,
        *storage,
        *iam,
    ]


# ----------------------------------------------------------------------------- mutations

Mutation = Callable[[list[Resource]], list[Resource]]


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = target
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


def mutate(name: str, /, **changes: Any) -> Mutation:
    """Set input paths of resource `name` (`healthCheck__path` for `healthCheck.path`).

    The values `UNKNOWN` / `ENGINE_UNKNOWN` make a value not known yet; `DELETE` removes it.
    """

    def apply(stack: list[Resource]) -> list[Resource]:
        out: list[Resource] = []
        found = False
        for resource in stack:
            if resource.name != name:
                out.append(resource)
                continue
            found = True
            inputs = copy.deepcopy(dict(resource.inputs))
            for key, value in changes.items():
                _set_path(inputs, key.replace("__", "."), value)
            out.append(replace(resource, inputs=normalize(inputs)))
        assert found, f"no resource {name} in the fixture"
        return out

    return apply


def set_options(name: str, **options: Any) -> Mutation:
    def apply(stack: list[Resource]) -> list[Resource]:
        return [
            replace(r, options={**r.options, **options}) if r.name == name else r for r in stack
        ]

    return apply


def drop_option(name: str, option: str) -> Mutation:
    def apply(stack: list[Resource]) -> list[Resource]:
        return [
            replace(r, options={k: v for k, v in r.options.items() if k != option})
            if r.name == name
            else r
            for r in stack
        ]

    return apply


def drop(*names: str) -> Mutation:
    def apply(stack: list[Resource]) -> list[Resource]:
        missing = set(names) - {r.name for r in stack}
        assert not missing, f"not in the fixture: {missing}"
        return [r for r in stack if r.name not in names]

    return apply


def add(*resources: Resource) -> Mutation:
    def apply(stack: list[Resource]) -> list[Resource]:
        return [*stack, *resources]

    return apply


def unknown_id(name: str) -> Mutation:
    """The resource as in a preview before it exists: no id, no computed outputs."""

    def apply(stack: list[Resource]) -> list[Resource]:
        return [replace(r, id=None, outputs={}) if r.name == name else r for r in stack]

    return apply


def chain(*mutations: Mutation) -> Mutation:
    def apply(stack: list[Resource]) -> list[Resource]:
        for mutation in mutations:
            stack = mutation(stack)
        return stack

    return apply


def sg_rule(kind: str, name: str, group: str, description: str = "x", **fields: Any) -> Resource:
    return _sg_rule(kind, name, group, description, **fields)


def names(stack: Sequence[Resource]) -> set[str]:
    return {r.name for r in stack}


__all__ = ["DELETE", "ENGINE_UNKNOWN", "UNKNOWN"]
