"""Every control, both ways: the compliant stack passes it, and one change fails it.

Each case is a single mutation of `fixtures.compliant_stack()`; the expected result is the
control's tri-state result (`pass`, `fail`, `unknown`) on the mutated stack. "unknown" cases
replace a value by the forms "not known yet" takes: the harness's preview marker (`UNKNOWN`),
the engine's sentinel string a policy pack receives (`ENGINE_UNKNOWN`), or a resource that has
no id yet. `test_every_control_has_cases` keeps the table complete as controls are added.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from policies import aws
from policies.model import Outcome, Resource, Status, result_of
from policies.rules import BY_ID, CONTROLS
from tests.policies.fixtures import (
    DELETE,
    ENGINE_UNKNOWN,
    KEY_ARN,
    TOPIC_ARN,
    UNKNOWN,
    add,
    chain,
    compliant_stack,
    container_definitions,
    drop,
    drop_option,
    mutate,
    res,
    set_options,
    sg_rule,
    trust_policy,
    unknown_id,
)

PASS, FAIL, UNK = Status.PASS, Status.FAIL, Status.UNKNOWN
ALL = "0.0.0.0/0"


def policy_json(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


Case = tuple[str, str, Callable[[list[Resource]], list[Resource]], Status]
CASES: list[Case] = [
    # VPC / EC2 ------------------------------------------------------------------------------
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
    ("REL10.NAT", "no NAT", drop("nat-a", "nat-b"), FAIL),
    ("REL10.NAT", "private NAT does not count", mutate("nat-b", connectivityType="private"), FAIL),
    ("REL10.NAT", "an AZ unknown", mutate("app-b", availabilityZone=UNKNOWN), UNK),
    # ECS ------------------------------------------------------------------------------------
    ("ECS.2", "public IP", mutate("web", networkConfiguration__assignPublicIp=True), FAIL),
    ("ECS.2", "public subnet", mutate("web", networkConfiguration__subnets=["subnet-pub-a"]), FAIL),
    ("ECS.2", "public subnet via inline route", chain(
        drop("route-public"),
        mutate("rt-public", routes=[{"cidrBlock": ALL, "gatewayId": "igw-1"}]),
        mutate("web", networkConfiguration__subnets=["subnet-pub-a"])), FAIL),
    ("ECS.2", "subnets unknown", mutate("web", networkConfiguration__subnets=UNKNOWN), UNK),
    ("ECS.2", "route's gateway unknown", chain(
        mutate("route-public", gatewayId=UNKNOWN),
        mutate("web", networkConfiguration__subnets=["subnet-pub-a"])), UNK),
    ("ECS.4", "privileged", mutate("web-task",
                                   containerDefinitions=container_definitions(privileged=True)), FAIL),
    ("ECS.4", "definitions unknown", mutate("web-task", containerDefinitions=ENGINE_UNKNOWN), UNK),
    ("ECS.5", "writable root", mutate("web-task", containerDefinitions=container_definitions(
        readonlyRootFilesystem=False)), FAIL),
    ("ECS.5", "flag left out", mutate("web-task", containerDefinitions=container_definitions(
        readonlyRootFilesystem=None)), FAIL),
    ("ECS.5", "definitions unknown", mutate("web-task", containerDefinitions=UNKNOWN), UNK),
    ("ECS.8", "password in environment", mutate("web-task", containerDefinitions=(
        container_definitions(environment=[{"name": "DB_PASSWORD", "value": "x"}]))), FAIL),
    ("ECS.8", "API key in environment", mutate("web-task", containerDefinitions=(
        container_definitions(environment=[{"name": "stripe_api_KEY", "value": "x"}]))), FAIL),
    ("ECS.8", "definitions unknown", mutate("web-task", containerDefinitions=ENGINE_UNKNOWN), UNK),
    ("ECS.9", "json-file driver", mutate("web-task", containerDefinitions=container_definitions(
        logConfiguration={"logDriver": "json-file"})), FAIL),
    ("ECS.9", "no log configuration", mutate("web-task", containerDefinitions=(
        container_definitions(logConfiguration=None))), FAIL),
    ("ECS.9", "log group not in the stack", mutate("web-task", containerDefinitions=(
        container_definitions(logConfiguration={"logDriver": "awslogs",
                                                "options": {"awslogs-group": "/other"}}))), FAIL),
    ("ECS.9", "definitions unknown", mutate("web-task", containerDefinitions=UNKNOWN), UNK),
    ("ECS.9", "log group not created yet", chain(
        unknown_id("web-logs"), mutate("web-logs", name=DELETE)), UNK),
    ("ECS.10", "pinned platform", mutate("web", platformVersion="1.3.0"), FAIL),
    ("ECS.10", "platform unknown", mutate("web", platformVersion=ENGINE_UNKNOWN), UNK),
    ("ECS.12", "no insights", mutate("cluster", settings=[]), FAIL),
    ("ECS.12", "insights disabled", mutate("cluster", settings=[
        {"name": "containerInsights", "value": "disabled"}]), FAIL),
    ("ECS.12", "settings unknown", mutate("cluster", settings=UNKNOWN), UNK),
    ("ECS.1", "bridge networking", mutate("web-task", networkMode="bridge"), FAIL),
    ("ECS.1", "host PID", mutate("web-task", pidMode="host"), FAIL),
    ("ECS.1", "one role for both", mutate("web-task",
                                          taskRoleArn="arn:aws:iam::123456789012:role/web-exec"), FAIL),
    ("ECS.1", "roles not created yet", mutate("web-task", executionRoleArn=UNKNOWN,
                                              taskRoleArn=UNKNOWN), UNK),
    ("REL08.BREAKER", "no rollback", mutate("web", deploymentCircuitBreaker__rollback=False), FAIL),
    ("REL08.BREAKER", "no breaker", mutate("web", deploymentCircuitBreaker=DELETE), FAIL),
    ("REL08.BREAKER", "flag unknown", mutate("web", deploymentCircuitBreaker__enable=UNKNOWN), UNK),
    ("REL08.ALARMS", "alarm not in the stack", mutate("web", alarms__alarmNames=["other"]), FAIL),
    ("REL08.ALARMS", "no rollback", mutate("web", alarms__rollback=False), FAIL),
    ("REL08.ALARMS", "no alarms block", mutate("web", alarms=DELETE), FAIL),
    ("REL08.ALARMS", "names unknown", mutate("web", alarms__alarmNames=UNKNOWN), UNK),
    ("REL08.ALARMS", "alarm auto-named, not created yet", chain(
        mutate("web-5xx", name=DELETE), unknown_id("web-5xx")), UNK),
    ("REL10.TASKS", "min capacity 1", mutate("web-scaling", minCapacity=1), FAIL),
    ("REL10.TASKS", "one task, no autoscaling", chain(drop("web-scaling"),
                                                      mutate("web", desiredCount=1)), FAIL),
    ("REL10.TASKS", "capacity drops on deploy", mutate("web", deploymentMinimumHealthyPercent=50),
     FAIL),
    ("REL10.TASKS", "no grace period", mutate("web", healthCheckGracePeriodSeconds=DELETE), FAIL),
    ("REL10.TASKS", "min capacity unknown", mutate("web-scaling", minCapacity=UNKNOWN), UNK),
    ("REL07", "no autoscaling", drop("web-scaling", "web-cpu"), FAIL),
    ("REL07", "no policy", drop("web-cpu"), FAIL),
    ("REL07", "target 90 %", mutate("web-cpu",
        targetTrackingScalingPolicyConfiguration__targetValue=90), FAIL),
    ("REL07", "scales on memory", mutate("web-cpu",
        targetTrackingScalingPolicyConfiguration__predefinedMetricSpecification__predefinedMetricType=(
            "ECSServiceAverageMemoryUtilization")), FAIL),
    ("REL07", "min capacity 1", mutate("web-scaling", minCapacity=1), FAIL),
    ("REL07", "target's resource unknown", mutate("web-scaling", resourceId=UNKNOWN), UNK),
    ("REL07", "policy's resource unknown", mutate("web-cpu", resourceId=UNKNOWN), UNK),
    # Load balancer --------------------------------------------------------------------------
    ("ELB.1", "HTTP forwards", mutate("http", defaultActions=[
        {"type": "forward", "targetGroupArn": "tg-arn"}]), FAIL),
    ("ELB.1", "redirect to HTTP", mutate("http", defaultActions__0__redirect__protocol="HTTP"),
     FAIL),
    ("ELB.1", "two default actions", mutate("http", defaultActions=[
        {"type": "redirect", "redirect": {"protocol": "HTTPS"}}, {"type": "forward"}]), FAIL),
    ("ELB.1", "actions unknown", mutate("http", defaultActions=UNKNOWN), UNK),
    ("ELB.4", "keeps invalid headers", mutate("alb", dropInvalidHeaderFields=False), FAIL),
    ("ELB.4", "flag unknown", mutate("alb", dropInvalidHeaderFields=ENGINE_UNKNOWN), UNK),
    ("ELB.5", "no access logs", mutate("alb", accessLogs__enabled=False), FAIL),
    ("ELB.5", "flag unknown", mutate("alb", accessLogs__enabled=UNKNOWN), UNK),
    ("ELB.6", "no deletion protection", mutate("alb", enableDeletionProtection=DELETE), FAIL),
    ("ELB.6", "flag unknown", mutate("alb", enableDeletionProtection=UNKNOWN), UNK),
    ("ELB.12", "monitor mode", mutate("alb", desyncMitigationMode="monitor"), FAIL),
    ("ELB.12", "mode unknown", mutate("alb", desyncMitigationMode=UNKNOWN), UNK),
    ("ELB.13", "one subnet", mutate("alb", subnets=["subnet-pub-a"]), FAIL),
    ("ELB.13", "two subnets in one AZ", mutate("pub-b", availabilityZone="us-east-1a"), FAIL),
    ("ELB.13", "subnets not created yet", mutate("alb", subnets=[UNKNOWN, UNKNOWN]), UNK),
    ("ELB.17", "TLS 1.0 policy", mutate("https", sslPolicy="ELBSecurityPolicy-2016-08"), FAIL),
    ("ELB.17", "default policy", mutate("https", sslPolicy=DELETE), FAIL),
    ("ELB.17", "no certificate", mutate("https", certificateArn=DELETE), FAIL),
    ("ELB.17", "no HTTPS listener", drop("https"), FAIL),
    ("ELB.17", "listener's ALB unknown", chain(unknown_id("alb"),
                                               mutate("https", loadBalancerArn=UNKNOWN)), UNK),
    ("ELB.16", "open ALB without WAF", drop("alb-waf"), FAIL),
    ("ELB.16", "association target unknown", mutate("alb-waf", resourceArn=UNKNOWN), UNK),
    ("CKV_AWS_261", "no health path", mutate("web-tg", healthCheck__path=DELETE), FAIL),
    ("CKV_AWS_261", "health check off", mutate("web-tg", healthCheck__enabled=False), FAIL),
    ("CKV_AWS_261", "health check unknown", mutate("web-tg", healthCheck=UNKNOWN), UNK),
    # RDS ------------------------------------------------------------------------------------
    ("RDS.2", "publicly accessible", mutate("db", publiclyAccessible=True), FAIL),
    ("RDS.2", "public subnet in the group", mutate("db-subnets",
                                                   subnetIds=["subnet-pub-a", "subnet-app-b"]), FAIL),
    ("RDS.2", "default subnet group", mutate("db", dbSubnetGroupName=DELETE), FAIL),
    ("RDS.2", "subnet group unknown", mutate("db", dbSubnetGroupName=UNKNOWN), UNK),
    ("RDS.3", "not encrypted", mutate("db", storageEncrypted=False), FAIL),
    ("RDS.3", "AWS-managed key", mutate("db", kmsKeyId="alias/aws/rds"), FAIL),
    ("RDS.3", "no key", mutate("db", kmsKeyId=DELETE), FAIL),
    ("RDS.3", "key not created yet (engine sentinel)", mutate("db", kmsKeyId=ENGINE_UNKNOWN), UNK),
    ("RDS.5", "single AZ", mutate("db", multiAz=False), FAIL),
    ("RDS.5", "flag unknown", mutate("db", multiAz=UNKNOWN), UNK),
    ("RDS.6", "no enhanced monitoring", mutate("db", monitoringInterval=0), FAIL),
    ("RDS.6", "no monitoring role", mutate("db", monitoringRoleArn=DELETE), FAIL),
    ("RDS.6", "role not created yet", mutate("db", monitoringRoleArn=UNKNOWN), UNK),
    ("RDS.8", "no deletion protection", mutate("db", deletionProtection=False), FAIL),
    ("RDS.8", "skips the final snapshot", mutate("db", skipFinalSnapshot=True), FAIL),
    ("RDS.8", "no final snapshot name", mutate("db", finalSnapshotIdentifier=DELETE), FAIL),
    ("RDS.8", "flag unknown", mutate("db", deletionProtection=UNKNOWN), UNK),
    ("RDS.9", "no postgresql log", mutate("db", enabledCloudwatchLogsExports=["upgrade"]), FAIL),
    ("RDS.9", "no exports", mutate("db", enabledCloudwatchLogsExports=DELETE), FAIL),
    ("RDS.9", "exports unknown", mutate("db", enabledCloudwatchLogsExports=UNKNOWN), UNK),
    ("RDS.10", "no IAM auth", mutate("db", iamDatabaseAuthenticationEnabled=False), FAIL),
    ("RDS.10", "flag unknown", mutate("db", iamDatabaseAuthenticationEnabled=UNKNOWN), UNK),
    ("RDS.11", "one day", mutate("db", backupRetentionPeriod=1), FAIL),
    ("RDS.11", "left to the API default", mutate("db", backupRetentionPeriod=DELETE), FAIL),
    ("RDS.11", "period unknown", mutate("db", backupRetentionPeriod=ENGINE_UNKNOWN), UNK),
    ("RDS.13", "minor upgrades off", mutate("db", autoMinorVersionUpgrade=False), FAIL),
    ("RDS.13", "flag unknown", mutate("db", autoMinorVersionUpgrade=UNKNOWN), UNK),
    ("RDS.17", "tags not copied", mutate("db", copyTagsToSnapshot=False), FAIL),
    ("RDS.17", "flag unknown", mutate("db", copyTagsToSnapshot=UNKNOWN), UNK),
    ("CKV2_AWS_69", "SSL not forced", mutate("db-params", parameters=[
        {"name": "rds.force_ssl", "value": "0"}]), FAIL),
    ("CKV2_AWS_69", "default parameter group", mutate("db", parameterGroupName=DELETE), FAIL),
    ("CKV2_AWS_69", "old CA", mutate("db", caCertIdentifier="rds-ca-2019"), FAIL),
    ("CKV2_AWS_69", "parameter group unknown", mutate("db", parameterGroupName=UNKNOWN), UNK),
    ("CKV_AWS_353", "no Performance Insights", mutate("db", performanceInsightsEnabled=False),
     FAIL),
    ("CKV_AWS_353", "AWS key for PI", mutate("db", performanceInsightsKmsKeyId=DELETE), FAIL),
    ("CKV_AWS_353", "PI key unknown", mutate("db", performanceInsightsKmsKeyId=UNKNOWN), UNK),
    ("RDS.25", "default admin name", mutate("db", username="postgres"), FAIL),
    ("RDS.25", "password in state", mutate("db", password="hunter2"), FAIL),
    ("RDS.25", "unmanaged password", mutate("db", manageMasterUserPassword=DELETE), FAIL),
    ("RDS.25", "username unknown", mutate("db", username=UNKNOWN), UNK),
    # CloudFront / ACM / DNS -----------------------------------------------------------------
    ("CloudFront.1", "no root object", mutate("cdn", defaultRootObject=DELETE), FAIL),
    ("CloudFront.1", "root object unknown", mutate("cdn", defaultRootObject=UNKNOWN), UNK),
    ("CloudFront.3", "API behavior allows HTTP", mutate("cdn",
        orderedCacheBehaviors__0__viewerProtocolPolicy="allow-all"), FAIL),
    ("CloudFront.3", "default behavior allows HTTP", mutate("cdn",
        defaultCacheBehavior__viewerProtocolPolicy="allow-all"), FAIL),
    ("CloudFront.3", "behaviors unknown", mutate("cdn", orderedCacheBehaviors=UNKNOWN), UNK),
    ("CloudFront.13", "S3 origin without OAC", mutate("cdn",
                                                      origins__0__originAccessControlId=DELETE), FAIL),
    ("CloudFront.13", "legacy OAI", mutate("cdn", origins__0__s3OriginConfig={
        "originAccessIdentity": "origin-access-identity/cloudfront/E1"}), FAIL),
    ("CloudFront.13", "website endpoint", mutate("cdn",
        origins__0__domainName="site.s3-website-us-east-1.amazonaws.com"), FAIL),
    ("CloudFront.13", "OAC signs only sometimes", mutate("oac", signingBehavior="no-override"),
     FAIL),
    ("CloudFront.13", "OAC id unknown", mutate("cdn", origins__0__originAccessControlId=UNKNOWN),
     UNK),
    ("CloudFront.9", "HTTP to the API origin", mutate("cdn",
        origins__1__customOriginConfig__originProtocolPolicy="http-only"), FAIL),
    ("CloudFront.9", "TLSv1 to the origin", mutate("cdn",
        origins__1__customOriginConfig__originSslProtocols=["TLSv1", "TLSv1.2"]), FAIL),
    ("CloudFront.9", "VPC origin over HTTP", mutate("alb-origin",
        vpcOriginEndpointConfig__originProtocolPolicy="http-only"), FAIL),
    ("CloudFront.9", "VPC origin protocols unknown", mutate("alb-origin",
        vpcOriginEndpointConfig__originSslProtocols=UNKNOWN), UNK),
    ("CloudFront.7", "default certificate", mutate("cdn", viewerCertificate={
        "cloudfrontDefaultCertificate": True}), FAIL),
    ("CloudFront.7", "TLSv1 to viewers", mutate("cdn",
        viewerCertificate__minimumProtocolVersion="TLSv1_2016"), FAIL),
    ("CloudFront.7", "dedicated IP", mutate("cdn", viewerCertificate__sslSupportMethod="vip"), FAIL),
    ("CloudFront.7", "certificate not validated yet", mutate("cdn",
        viewerCertificate__acmCertificateArn=UNKNOWN), UNK),
    ("CloudFront.5", "no logging", mutate("cdn", loggingConfig=DELETE), FAIL),
    ("CloudFront.5", "log bucket unknown", mutate("cdn", loggingConfig__bucket=UNKNOWN), UNK),
    ("CloudFront.6", "no WAF", mutate("cdn", webAclId=DELETE), FAIL),
    ("CloudFront.6", "web ACL not created yet", mutate("cdn", webAclId=ENGINE_UNKNOWN), UNK),
    ("CKV_AWS_259", "default behavior without headers policy", mutate("cdn",
        defaultCacheBehavior__responseHeadersPolicyId=DELETE), FAIL),
    ("CKV_AWS_259", "policy without HSTS", mutate("headers", securityHeadersConfig={
        "contentTypeOptions": {"override": True}}), FAIL),
    ("CKV_AWS_259", "policy not created yet", chain(unknown_id("headers"), mutate("cdn",
        defaultCacheBehavior__responseHeadersPolicyId=UNKNOWN)), UNK),
    ("ACM.2", "RSA 1024", mutate("cert", keyAlgorithm="RSA_1024"), FAIL),
    ("ACM.2", "email validation", mutate("cert", validationMethod="EMAIL"), FAIL),
    ("ACM.2", "delete before replace", set_options("cert", deleteBeforeReplace=True), FAIL),
    ("ACM.2", "algorithm unknown", mutate("cert", keyAlgorithm=UNKNOWN), UNK),
    ("Route53.2", "no query log", drop("query-log"), FAIL),
    ("Route53.2", "query log of another zone", mutate("query-log", zoneId="Z999"), FAIL),
    ("Route53.2", "zone unknown", mutate("apex", zoneId=UNKNOWN), UNK),
    # Secrets / KMS / SNS --------------------------------------------------------------------
    ("SecretsManager.1", "no rotation", drop("jwt-rotation"), FAIL),
    ("SecretsManager.1", "yearly rotation", mutate("jwt-rotation",
        rotationRules__automaticallyAfterDays=365), FAIL),
    ("SecretsManager.1", "rotation's secret unknown", mutate("jwt-rotation", secretId=UNKNOWN),
     UNK),
    ("CKV_AWS_149", "AWS-managed key", mutate("jwt", kmsKeyId=DELETE), FAIL),
    ("CKV_AWS_149", "key unknown", mutate("jwt", kmsKeyId=UNKNOWN), UNK),
    ("KMS.4", "no rotation", mutate("key", enableKeyRotation=False), FAIL),
    ("KMS.4", "flag unknown", mutate("key", enableKeyRotation=UNKNOWN), UNK),
    ("KMS.3", "public key policy", mutate("key", policy=policy_json(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"})), FAIL),
    ("KMS.3", "default key policy", mutate("key", policy=DELETE), FAIL),
    ("KMS.3", "lockout check bypassed", mutate("key", bypassPolicyLockoutSafetyCheck=True), FAIL),
    ("KMS.3", "policy unknown", mutate("key", policy=UNKNOWN), UNK),
    ("SNS.1", "aws/sns key", mutate("alarms", kmsMasterKeyId="alias/aws/sns"), FAIL),
    ("SNS.1", "unencrypted", mutate("alarms", kmsMasterKeyId=DELETE), FAIL),
    ("SNS.1", "public topic policy", mutate("alarms-policy", policy=policy_json(
        {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC_ARN})),
     FAIL),
    ("SNS.1", "key unknown", mutate("alarms", kmsMasterKeyId=UNKNOWN), UNK),
    # S3 -------------------------------------------------------------------------------------
    ("S3.1", "no public access block", drop("site-pab"), FAIL),
    ("S3.1", "public policies allowed", mutate("site-pab", blockPublicPolicy=False), FAIL),
    ("S3.1", "ACLs enabled", mutate("site-ownership", rule__objectOwnership="ObjectWriter"), FAIL),
    ("S3.1", "block's bucket unknown", mutate("site-pab", bucket=UNKNOWN), UNK),
    ("S3.5", "no TLS deny", mutate("site-policy", policy=policy_json(
        {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"})), FAIL),
    ("S3.5", "no bucket policy", drop("site-policy"), FAIL),
    ("S3.5", "policy unknown", mutate("site-policy", policy=UNKNOWN), UNK),
    ("S3.9", "no access logging", drop("site-logging"), FAIL),
    ("S3.9", "logging's bucket unknown", mutate("site-logging", bucket=UNKNOWN), UNK),
    # CloudWatch / IAM -----------------------------------------------------------------------
    ("CKV_AWS_66", "kept forever", mutate("web-logs", retentionInDays=DELETE), FAIL),
    ("CKV_AWS_66", "unencrypted", mutate("web-logs", kmsKeyId=DELETE), FAIL),
    ("CKV_AWS_66", "key unknown", mutate("web-logs", kmsKeyId=ENGINE_UNKNOWN), UNK),
    ("CKV_AWS_319", "no OK action", mutate("web-5xx", okActions=[]), FAIL),
    ("CKV_AWS_319", "actions disabled", mutate("web-5xx", actionsEnabled=False), FAIL),
    ("CKV_AWS_319", "action is not SNS", mutate("web-5xx", alarmActions=[
        "arn:aws:automate:us-east-1:ec2:stop"]), FAIL),
    ("CKV_AWS_319", "topic not created yet", chain(unknown_id("alarms"), mutate("web-5xx",
        alarmActions=[UNKNOWN])), UNK),
    ("IAM.1", "admin policy", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "Action": "*", "Resource": "*"})), FAIL),
    ("IAM.1", "service wildcard", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::site/*"})), FAIL),
    ("IAM.1", "decrypt with every key", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})), FAIL),
    ("IAM.1", "NotAction", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})), FAIL),
    ("IAM.1", "inline role policy", mutate("web-exec", inlinePolicies=[{"name": "x",
        "policy": policy_json({"Effect": "Allow", "Action": "*:*", "Resource": "*"})}]), FAIL),
    ("IAM.1", "boundary no longer used as one", mutate("ci-deploy", permissionsBoundary=DELETE),
     FAIL),
    ("IAM.1", "policy document unknown", mutate("web-exec-secrets", policy=UNKNOWN), UNK),
    ("IAM.1", "boundary ARN unknown", mutate("ci-deploy", permissionsBoundary=UNKNOWN), UNK),
    ("CKV_AWS_358", "wildcard subject", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}})), FAIL),
    ("CKV_AWS_358", "branch subject", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                         "token.actions.githubusercontent.com:sub":
                             "repo:acme/auction:ref:refs/heads/main"}})), FAIL),
    ("CKV_AWS_358", "no audience", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:sub":
                         "repo:acme/auction:environment:prod"}})), FAIL),
    ("CKV_AWS_358", "trusts the workflow claim", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                         "token.actions.githubusercontent.com:sub":
                             "repo:acme/auction:environment:prod",
                         "token.actions.githubusercontent.com:workflow": "deploy"}})), FAIL),
    ("CKV_AWS_358", "trust unknown", mutate("ci-deploy", assumeRolePolicy=UNKNOWN), UNK),
    # Pulumi options -------------------------------------------------------------------------
    ("PUL.1", "database not protected", set_options("db", protect=False), FAIL),
    ("PUL.1", "bucket not protected", set_options("site", protect=False), FAIL),
    ("PUL.1", "database not retained", set_options("db", retainOnDelete=False), FAIL),
    ("PUL.1", "database key not retained", set_options("key", retainOnDelete=False), FAIL),
    ("PUL.1", "retainOnDelete not visible (policy engine)", drop_option("db", "retainOnDelete"),
     UNK),
    ("PUL.1", "database key not created yet", chain(unknown_id("key"),
                                                    mutate("db", kmsKeyId=UNKNOWN)), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("ELB.16", "no WAF, but the ALB admits only CloudFront's prefix list", chain(
        drop("alb-waf", "alb-https", "alb-http"),
        add(sg_rule(aws.INGRESS_RULE, "alb-cf", "sg-alb", prefixListId="pl-3b927c52",
                    ipProtocol="tcp", fromPort=443, toPort=443))), PASS),
    ("KMS.4", "asymmetric keys cannot rotate", mutate("key", enableKeyRotation=False,
                                                      keySpec="RSA_2048"), PASS),
    ("ECS.1", "no task role at all", mutate("web-task", taskRoleArn=DELETE), PASS),
    ("ECS.10", "platform left unset", mutate("web", platformVersion=DELETE), PASS),
    ("ELB.12", "mode left to its default", mutate("alb", desyncMitigationMode=DELETE), PASS),
    ("RDS.13", "flag left to its default (true)", mutate("db", autoMinorVersionUpgrade=DELETE),
     PASS),
    ("REL10.TASKS", "workers are not web services", chain(drop("web-scaling", "web-cpu"),
        mutate("web", loadBalancers=DELETE, desiredCount=1)), PASS),
    ("REL10.TASKS", "defaults are zero-downtime", mutate("web",
        deploymentMinimumHealthyPercent=DELETE, deploymentMaximumPercent=DELETE), PASS),
    ("CKV_AWS_358", "pull-request preview role", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                         "token.actions.githubusercontent.com:sub":
                             "repo:acme/auction:pull_request"}})), PASS),
    ("EC2.18", "open egress is fine", add(sg_rule(aws.EGRESS_RULE, "smtp", "sg-task",
        cidrIpv4=ALL, ipProtocol="tcp", fromPort=587, toPort=587)), PASS),
    ("S3.1", "the CloudFront log bucket keeps ACLs", mutate("cf-logs-ownership",
        rule__objectOwnership="ObjectWriter"), PASS),
    ("RDS.25", "replicas inherit credentials", mutate("db", username=DELETE,
        manageMasterUserPassword=DELETE, masterUserSecretKmsKeyId=DELETE,
        replicateSourceDb="auction-prod-primary"), PASS),
    ("SecretsManager.1", "a schedule expression instead of days", mutate("jwt-rotation",
        rotationRules={"scheduleExpression": "rate(30 days)"}), PASS),
]  # fmt: skip


def _result(control_id: str, stack: list[Resource]) -> Status:
    violations = BY_ID[control_id].check(stack)
    assert violations is not None, f"{control_id} found nothing to check"
    return result_of(violations)


def test_compliant_stack_passes_every_control() -> None:
    stack = compliant_stack()
    results = {c.id: _result(c.id, stack) for c in CONTROLS}
    failing = {k: v for k, v in results.items() if v is not PASS}
    assert not failing, {k: BY_ID[k].check(stack) for k in failing}


@pytest.mark.parametrize(
    ("control_id", "mutation", "expected"),
    [pytest.param(c, m, e, id=f"{c}: {d} -> {e.value}") for c, d, m, e in CASES + PASSING_VARIANTS],
)
def test_case(
    control_id: str, mutation: Callable[[list[Resource]], list[Resource]], expected: Status
) -> None:
    stack = mutation(compliant_stack())
    assert _result(control_id, stack) is expected, BY_ID[control_id].check(stack)


def test_every_control_has_cases() -> None:
    """Each control: one compliant case (the fixture), >=1 failing and >=1 unknown case."""
    kinds: dict[str, set[Status]] = {c.id: {PASS} for c in CONTROLS}
    for control_id, _, _, expected in CASES:
        kinds[control_id].add(expected)
    incomplete = {k: sorted(s.value for s in v) for k, v in kinds.items() if v != {PASS, FAIL, UNK}}
    assert not incomplete


def test_cases_name_real_controls() -> None:
    assert {c for c, *_ in CASES + PASSING_VARIANTS} <= set(BY_ID)


def test_a_mutation_fails_only_its_own_control() -> None:
    """A failing case flips its control and no unrelated one (rules do not overlap by accident).

    Known overlaps are listed: an open SSH port is both EC2.18 and EC2.19's business.
    """
    overlaps = {
        "EC2.18": {"EC2.19"},
        "EC2.19": {"EC2.18"},
        "REL07": {"REL10.TASKS"},
        "REL10.TASKS": {"REL07"},
        # Without CloudFront logging the cf-logs bucket is an ordinary bucket again.
        "CloudFront.5": {"S3.1", "S3.9"},
    }
    for control_id, description, mutation, expected in CASES:
        if expected is not FAIL:
            continue
        stack = mutation(compliant_stack())
        failed = {c.id for c in CONTROLS if result_of(c.check(stack) or []) is FAIL}
        extra = failed - {control_id} - overlaps.get(control_id, set())
        assert control_id in failed and not extra, (control_id, description, failed)


# ----------------------------------------------------------------------------- direct calls


def test_resource_rules_take_raw_recorded_props() -> None:
    """A resource rule called directly on harness-shaped props: secrets wrapped, floats."""
    from plan.harness import SecretValue
    from policies.rules import rds_master_credentials

    props = {
        "username": "auction_admin",
        "manageMasterUserPassword": True,
        "masterUserSecretKmsKeyId": KEY_ARN,
        "backupRetentionPeriod": 14.0,
    }
    assert rds_master_credentials("aws:rds/instance:Instance", props, {}) == []
    leaked = {**props, "password": SecretValue("hunter2")}
    [violation] = rds_master_credentials("aws:rds/instance:Instance", leaked, {})
    assert violation.outcome is Outcome.FAIL and "state" in violation.message


def test_engine_sentinel_is_not_a_value() -> None:
    """The engine's unknown sentinel is a non-empty string: a naive `if kmsKeyId:` would pass."""
    from policies.rules import rds_encrypted

    props = {"storageEncrypted": True, "kmsKeyId": ENGINE_UNKNOWN}
    [violation] = rds_encrypted("aws:rds/instance:Instance", props, {})
    assert violation.outcome is Outcome.UNKNOWN
    assert rds_encrypted("aws:rds/instance:Instance", {**props, "kmsKeyId": KEY_ARN}, {}) == []


def test_json_string_holding_a_sentinel_is_unknown() -> None:
    """`Output.json_dumps` over an unknown value: the JSON text itself embeds the sentinel."""
    from policies.rules import tasks_not_privileged

    definitions = json.dumps([{"name": "web", "image": ENGINE_UNKNOWN}])
    [violation] = tasks_not_privileged(
        aws.TASK_DEFINITION, {"containerDefinitions": definitions}, {}
    )
    assert violation.outcome is Outcome.UNKNOWN


def test_control_metadata_is_complete() -> None:
    ids = [c.id for c in CONTROLS]
    assert len(ids) == len(set(ids))
    covered = [i for c in CONTROLS for i in c.covers]
    assert not set(covered) & set(ids), "a covered ID is also a control of its own"
    assert len(covered) == len(set(covered))
    for control in CONTROLS:
        assert control.title and control.description and control.source
        assert all(t.startswith("aws:") for t in control.applies_to), control.id
    # Exceptions only where CONTROLS.md lets staging differ (or the notes declare one).
    assert {c.id for c in CONTROLS if c.exception_allowed} == {
        "EC2.6", "EC2.10", "REL10.NAT", "ECS.2", "ECS.5", "REL08.ALARMS", "REL10.TASKS", "REL07",
        "ELB.1", "ELB.5", "ELB.6", "ELB.17", "ELB.16", "RDS.5", "RDS.6", "RDS.8", "RDS.10",
        "CKV_AWS_353", "CloudFront.9", "CloudFront.7", "CloudFront.5", "CloudFront.6",
        "Route53.2", "SecretsManager.1", "S3.9", "PUL.1",
    }  # fmt: skip
