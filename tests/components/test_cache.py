"""The optional cache: absent from both repository stacks, fully wired when a stack file asks."""

from __future__ import annotations

import json
import re

import pulumi
import pytest

from components.cache import Cache, CacheArgs, CacheEngine
from components.database import allow_from
from plan.harness import Plan, RecordedResource, SecretValue, is_unknown, run_program
from policies.model import Resource
from policies.rules import BY_ID
from tests.components.data_stackfiles import stackfile_plan
from tests.conftest import STACKFILES

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PASSWORD = "random:index/randomPassword:RandomPassword"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def trading() -> Plan:
    return stackfile_plan("trading")


@pytest.fixture(scope="module")
def pool() -> Plan:
    return stackfile_plan("pool")


def cache_children(plan: Plan) -> list[RecordedResource]:
    (component,) = plan.of_type("golive:aws:Cache")
    return plan.children(component.urn)


def cache_security_group(plan: Plan) -> RecordedResource:
    (group,) = [
        g
        for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup")
        if g.name.endswith("-cache-sg")
    ]
    return group


def test_repository_stacks_have_no_cache_at_all(stack_plan: Plan) -> None:
    assert stack_plan.of_type("golive:aws:Cache") == []
    assert [r.type for r in stack_plan.resources if r.type.startswith("aws:elasticache")] == []
    assert not [s for s in stack_plan.of_type(SECRET) if "AUTH_TOKEN" in s.name]


def test_multi_az_cache_is_fully_wired(trading: Plan) -> None:
    group = trading.one(GROUP)
    token = trading.one(SUBNET_GROUP)
    (password,) = [p for p in trading.of_type(PASSWORD) if p.name.endswith("-cache-auth-token")]
    assert group.inputs == {
        "replicationGroupId": "dashboard-trading-cache",
        "description": "golive dashboard-trading: valkey cache",
        "engine": "valkey",
        "engineVersion": "8.2",
        "autoMinorVersionUpgrade": True,
        "nodeType": "cache.m7g.large",
        "numCacheClusters": 3,
        "preferredCacheClusterAzs": ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        "automaticFailoverEnabled": True,
        "multiAzEnabled": True,
        "port": 6379,
        "subnetGroupName": token.outputs["name"],
        "securityGroupIds": [cache_security_group(trading).outputs["id"]],
        "atRestEncryptionEnabled": True,
        "kmsKeyId": trading.outputs["kmsKeyArn"],
        "transitEncryptionEnabled": True,
        "transitEncryptionMode": "required",
        "authToken": SecretValue(group.inputs["authToken"].value),
        "authTokenUpdateStrategy": "ROTATE",
        "snapshotRetentionLimit": 7,
        "snapshotWindow": "19:00-20:00",
        "maintenanceWindow": "sun:01:00-sun:02:00",
        # Protected stack: changes wait for the maintenance window.
        "applyImmediately": False,
        "tags": {"Name": "dashboard-trading-cache"},
    }
    assert group.delete_before_replace is True
    assert token.inputs["subnetIds"] == trading.outputs["isolatedSubnetIds"]
    assert password.inputs == {
        "length": 128,
        "special": True,
        "overrideSpecial": "!&#$^<>-",
        "minLower": 1,
        "minUpper": 1,
        "minNumeric": 1,
    }


def test_auth_token_is_generated_kept_secret_and_stored_under_the_stack_key(
    trading: Plan,
) -> None:
    group = trading.one(GROUP)
    token = group.inputs["authToken"]
    assert isinstance(token, SecretValue)
    assert 16 <= len(token.value) <= 128
    assert re.fullmatch(r"[A-Za-z0-9!&#$^<>-]+", token.value)
    (secret,) = [s for s in trading.of_type(SECRET) if s.name.endswith("-cache-auth-token")]
    assert secret.inputs == {
        "namePrefix": "dashboard/trading/VALKEY_AUTH_TOKEN-",
        "description": "dashboard-trading-cache: AUTH token (generated)",
        "kmsKeyId": trading.outputs["kmsKeyArn"],
        "recoveryWindowInDays": 30,
        "tags": {
            "golive:secret": "VALKEY_AUTH_TOKEN",
            "golive:source": "generated",
            "golive:rotation": "manual",
        },
    }
    assert secret.protect is True
    # ElastiCache has no deletion protection: Pulumi's protect guards the group (PUL.1).
    assert group.protect is True
    (version,) = [
        v for v in trading.of_type(VERSION) if v.inputs["secretId"] == secret.outputs["id"]
    ]
    assert version.inputs["secretString"] == token
    assert token.value not in json.dumps(trading.outputs, default=str)


def test_cache_security_group_has_no_rules_of_its_own(trading: Plan) -> None:
    group = cache_security_group(trading)
    assert group.inputs["vpcId"] == trading.outputs["vpcId"]
    assert not {"ingress", "egress"} & set(group.inputs)
    group_id = group.outputs["id"]
    assert not [r for r in trading.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id]


def test_every_cache_resource_is_a_child_of_the_component(trading: Plan) -> None:
    names = sorted((r.type, r.name) for r in cache_children(trading))
    assert names == [
        ("aws:ec2/securityGroup:SecurityGroup", "dashboard-trading-cache-sg"),
        (GROUP, "dashboard-trading-cache"),
        (SUBNET_GROUP, "dashboard-trading-cache-subnets"),
        (SECRET, "dashboard-trading-cache-auth-token"),
        (VERSION, "dashboard-trading-cache-auth-token-version"),
        (PASSWORD, "dashboard-trading-cache-auth-token"),
    ]


def test_single_node_redis_without_failover_or_snapshots(pool: Plan) -> None:
    inputs = pool.one(GROUP).inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["numCacheClusters"]) == (
        "redis",
        "7.1",
        1,
    )
    assert (inputs["automaticFailoverEnabled"], inputs["multiAzEnabled"]) == (False, False)
    assert inputs["preferredCacheClusterAzs"] == ["us-east-1a"]
    assert inputs["snapshotRetentionLimit"] == 0
    assert inputs["applyImmediately"] is True
    assert (inputs["atRestEncryptionEnabled"], inputs["transitEncryptionEnabled"]) == (True, True)
    (password,) = [p for p in pool.of_type(PASSWORD) if p.name.endswith("-cache-auth-token")]
    assert password.inputs["length"] == 64
    assert pool.one(GROUP).protect is False  # protect: false in its stack file


def test_a_protected_stack_with_a_cache_passes_pul1(trading: Plan) -> None:
    stateful = BY_ID["PUL.1"].check([Resource.of(r) for r in trading.resources])
    assert stateful == []


def _cache_program() -> None:
    cache = Cache(
        "unit",
        CacheArgs(
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=["subnet-a", "subnet-b"],
            availability_zones=["us-east-1a", "us-east-1b"],
            kms_key_arn=KEY_ARN,
            replication_group_id="unit-cache",
            secret_name_prefix="unit/",
            engine=CacheEngine.VALKEY,
            nodes=2,
            multi_az=True,
        ),
    )
    consumer = pulumi.ComponentResource("golive:test:Consumer", "worker")
    allow_from(
        "worker-to-cache",
        security_group_id=cache.security_group_id,
        source_security_group_id="sg-0worker00000000001",
        port=cache.port,
        description="worker to the cache",
        parent=consumer,
    )
    pulumi.export(
        "cache",
        {
            "endpoint": cache.endpoint,
            "reader": cache.reader_endpoint,
            "id": cache.replication_group_id,
            "members": cache.member_clusters,
            "token": {
                "env": cache.auth_token.env_name,
                "valueFrom": cache.auth_token.value_from,
                "kms": cache.auth_token.kms_key_arn,
            },
        },
    )
    pulumi.export("rotation", cache.rotation_exceptions)


def test_component_outputs_and_allow_from_on_the_cache_group() -> None:
    plan = run_program("staging", program=_cache_program)
    (rule,) = plan.of_type(INGRESS)
    (consumer,) = plan.of_type("golive:test:Consumer")
    assert rule.parent == consumer.urn
    assert rule.inputs == {
        "securityGroupId": cache_security_group(plan).outputs["id"],
        "referencedSecurityGroupId": "sg-0worker00000000001",
        "ipProtocol": "tcp",
        "fromPort": 6379,
        "toPort": 6379,
        "description": "worker to the cache",
    }
    (secret,) = plan.of_type(SECRET)
    exported = plan.outputs["cache"]
    assert exported["endpoint"].startswith("master.unit-cache.")
    assert exported["reader"].startswith("replica.unit-cache.")
    assert (exported["id"], exported["members"]) == (
        "unit-cache",
        ["unit-cache-001", "unit-cache-002"],
    )
    assert exported["token"] == {
        "env": "REDIS_AUTH_TOKEN",
        "valueFrom": secret.outputs["arn"],
        "kms": KEY_ARN,
    }
    assert list(plan.outputs["rotation"]) == ["REDIS_AUTH_TOKEN"]


@pytest.mark.timeout(60)
def test_a_preview_of_the_whole_data_tier_completes_with_values_unknown() -> None:
    plan = run_program("trading", stack_file=STACKFILES / "Pulumi.trading.yaml", preview=True)
    group = plan.one(GROUP)
    assert group.inputs["replicationGroupId"] == "dashboard-trading-cache"
    assert is_unknown(group.inputs["kmsKeyId"])
    assert len(plan.of_type(VERSION)) == 3  # APP_KEYS, DATABASE and the AUTH token
    assert is_unknown(plan.outputs["database"]["masterSecretArn"])


def test_redis_6_gets_tls_without_the_transit_mode_it_predates() -> None:
    def program() -> None:
        Cache(
            "unit",
            CacheArgs(
                vpc_id="vpc-1",
                subnet_ids=["subnet-a"],
                availability_zones=["us-east-1a"],
                kms_key_arn=KEY_ARN,
                replication_group_id="unit-cache",
                secret_name_prefix="unit/",
                engine=CacheEngine.REDIS,
                engine_version="6.2",
            ),
        )

    inputs = run_program("staging", program=program).one(GROUP).inputs
    assert inputs["transitEncryptionEnabled"] is True
    assert "transitEncryptionMode" not in inputs
    assert isinstance(inputs["authToken"], SecretValue)
