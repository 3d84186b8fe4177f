# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""Data tier answers (components/database.py, secrets.py, cache.py): generated secrets
(pulumi-random), Secrets Manager, RDS and ElastiCache."""

from __future__ import annotations

from typing import Any

import pulumi

from aws_facts.regions import RDS_ZONE_IDS
from plan.mocks.context import Answers, Ctx, digest, stable_uuid

answers = Answers()


@answers.builder(
    "random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"
)
def _random_password(c: Ctx) -> tuple[str, dict[str, Any]]:
    length = int(c.inputs.get("length", 32))
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    seed = digest(c.typ, c.logical)
    value = "".join(alphabet[int(seed[i % 64], 16) * 3 % len(alphabet)] for i in range(length))
    result: Any = pulumi.Output.secret(value) if c.typ.endswith("RandomPassword") else value
    return "none", {"result": result, "bcryptHash": pulumi.Output.secret("$2a$10$mock")}


@answers.builder("random:index/randomBytes:RandomBytes")
def _random_bytes(c: Ctx) -> tuple[str, dict[str, Any]]:
    import base64

    raw = bytes.fromhex(digest(c.typ, c.logical))[: int(c.inputs.get("length", 16))]
    encoded = base64.b64encode(raw).decode()
    secret = pulumi.Output.secret
    return encoded, {"base64": secret(encoded), "hex": secret(raw.hex())}


@answers.builder("random:index/randomId:RandomId")
def _random_id(c: Ctx) -> tuple[str, dict[str, Any]]:
    n = int(c.inputs.get("byteLength", 4))
    hexv = c.hex(n * 2)
    return hexv, {"hex": hexv, "dec": str(int(hexv, 16)), "b64Url": hexv, "b64Std": hexv}


_SECRET_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _secret_arn(c: Ctx, name: str) -> str:
    # Secrets Manager appends "-" and six random letters to every secret's ARN.
    seed = digest(c.typ, c.logical, name)
    letters = [_SECRET_SUFFIX_ALPHABET[int(seed[i : i + 2], 16) % 52] for i in range(0, 12, 2)]
    suffix = "".join(letters)
    return c.arn("secretsmanager", f"secret:{name}-{suffix}")


@answers.builder("aws:secretsmanager/secret:Secret")
def _secret(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    arn = _secret_arn(c, name)
    # The resource id of a secret is its ARN.
    return arn, {"arn": arn, "name": name, "tagsAll": c.inputs.get("tags") or {}}


@answers.builder("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(c: Ctx) -> tuple[str, dict[str, Any]]:
    secret_id = str(c.inputs.get("secretId", ""))
    version_id = stable_uuid(c.typ, c.logical)
    computed: dict[str, Any] = {
        "arn": secret_id,
        "versionId": version_id,
        "versionStages": ["AWSCURRENT"],
    }
    # The provider's schema marks the value secret: state keeps it encrypted. (Builders never
    # run in a preview: see AwsMocks.new_resource.)
    if "secretString" in c.inputs:
        computed["secretString"] = pulumi.Output.secret(c.inputs["secretString"])
    return f"{secret_id}|{version_id}", computed


@answers.builder("aws:rds/subnetGroup:SubnetGroup")
def _rds_subnet_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    # RDS stores subnet group names in lowercase.
    name = c.physical_name().lower()
    return name, {
        "name": name,
        "arn": c.arn("rds", f"subgrp:{name}"),
        "supportedNetworkTypes": ["IPV4"],
    }


@answers.builder("aws:rds/parameterGroup:ParameterGroup")
def _rds_parameter_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name().lower()
    return name, {"name": name, "arn": c.arn("rds", f"pg:{name}")}


_PG_LATEST_MINOR = {"14": "14.20", "15": "15.15", "16": "16.11", "17": "17.7", "18": "18.1"}


class RdsRefusal(Exception):
    """An RDS API error the real call would return (the resource is not created)."""


@answers.builder("aws:rds/instance:Instance")
def _rds_instance(c: Ctx) -> tuple[str, dict[str, Any]]:
    identifier = c.physical_name("identifier").lower()
    source = c.inputs.get("replicateSourceDb")
    if source in c.mocks.managed_password_instances:
        # RDS User Guide, "Limitations for Secrets Manager integration with Amazon RDS": no read
        # replica of an instance whose master password RDS manages (all engines but SQL Server).
        raise RdsRefusal(
            f"InvalidParameterCombination: {identifier}: cannot create a read replica of "
            f"{source}: its master user password is managed by Secrets Manager"
        )
    port = int(c.inputs.get("port") or 5432)
    address = f"{identifier}.c{c.hex(11)}.{c.region}.rds.amazonaws.com"
    resource_id = "db-" + c.hex(26).upper()
    major = str(c.inputs.get("engineVersion", "17")).split(".", maxsplit=1)[0]
    computed: dict[str, Any] = {
        "identifier": identifier,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "arn": c.arn("rds", f"db:{identifier}"),
        "resourceId": resource_id,
        "hostedZoneId": RDS_ZONE_IDS.get(c.region, "Z2R2ITUGPM61AM"),
        "engineVersionActual": _PG_LATEST_MINOR.get(major, f"{major}.1"),
        "status": "available",
        "availabilityZone": f"{c.region}a",
        "caCertIdentifier": c.inputs.get("caCertIdentifier") or "rds-ca-rsa2048-g1",
        "latestRestorableTime": "2026-11-21T00:00:00Z",
        "listenerEndpoints": [],
        "replicas": [],
    }
    if c.inputs.get("manageMasterUserPassword"):
        c.mocks.managed_password_instances.add(computed["arn"])
        # RDS names its managed secret `rds!db-<uuid>` and encrypts it with the given key.
        secret_name = f"rds!db-{stable_uuid(c.typ, c.logical, 'secret')}"
        computed["masterUserSecrets"] = [
            {
                "secretArn": _secret_arn(c, secret_name),
                "kmsKeyId": c.inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ]
    # The provider's id for an instance is its resource id (DbiResourceId), not its name.
    return resource_id, computed


@answers.builder("aws:elasticache/subnetGroup:SubnetGroup")
def _cache_subnet_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name().lower()
    return name, {"name": name, "arn": c.arn("elasticache", f"subnetgroup:{name}")}


_REGION_SHORT = {"us-east-1": "use1", "us-east-2": "use2", "us-west-2": "usw2", "eu-west-1": "euw1"}


@answers.builder("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    group_id = c.physical_name("replicationGroupId").lower()
    nodes = int(c.inputs.get("numCacheClusters") or 1)
    region = _REGION_SHORT.get(c.region, c.region.replace("-", ""))
    host = f"{group_id}.{c.hex(6)}.{region}.cache.amazonaws.com"
    engine = str(c.inputs.get("engine", "redis"))
    version = str(c.inputs.get("engineVersion", "7.1"))
    computed: dict[str, Any] = {
        "replicationGroupId": group_id,
        "arn": c.arn("elasticache", f"replicationgroup:{group_id}"),
        # Cluster mode disabled: a primary and a reader endpoint, TLS on the same port.
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "configurationEndpointAddress": None,
        "memberClusters": [f"{group_id}-{i + 1:03d}" for i in range(nodes)],
        "engineVersionActual": f"{version}.0" if engine == "valkey" else f"{version}.4",
        "clusterEnabled": False,
        "port": int(c.inputs.get("port") or 6379),
    }
    # Secret in state, as the provider's schema says.
    if "authToken" in c.inputs:
        computed["authToken"] = pulumi.Output.secret(c.inputs["authToken"])
    return group_id, computed
