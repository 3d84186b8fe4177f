# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""Account answers: who runs the program (caller identity, region, partition), IAM roles,
policies and policy documents, the GitHub OIDC provider (components/ci_access.py) and the
stack's KMS key (components/keys.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from plan.mocks.context import Answers, Ctx, MockLookupError, digest, stable_uuid

if TYPE_CHECKING:
    from plan.mocks import AwsMocks

answers = Answers()


@answers.builder("aws:iam/role:Role")
def _role(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    path = str(c.inputs.get("path", "/"))
    return name, {
        "name": name,
        "arn": f"arn:aws:iam::{c.account}:role{path}{name}",
        "uniqueId": f"AROA{c.hex(17).upper()}",
        "createDate": "2026-11-21T00:00:00Z",
    }


@answers.builder("aws:iam/policy:Policy")
def _iam_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    arn = f"arn:aws:iam::{c.account}:policy/{name}"
    return arn, {"name": name, "arn": arn, "policyId": f"ANPA{c.hex(17).upper()}"}


@answers.builder("aws:iam/rolePolicy:RolePolicy")
def _role_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return f"{c.inputs.get('role', 'role')}:{name}", {"name": name}


@answers.builder("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(c: Ctx) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs.get('role', 'role')}-{c.hex(8)}", {}


@answers.builder("aws:kms/key:Key")
def _kms_key(c: Ctx) -> tuple[str, dict[str, Any]]:
    key_id = stable_uuid(c.typ, c.logical)
    return key_id, {"keyId": key_id, "arn": c.arn("kms", f"key/{key_id}")}


@answers.builder("aws:kms/alias:Alias")
def _kms_alias(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {
        "name": name,
        "arn": c.arn("kms", name),
        "targetKeyArn": c.inputs.get("targetKeyId"),
    }


@answers.invoke("aws:index/getCallerIdentity:getCallerIdentity")
def _get_caller(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del args
    return {
        "accountId": m.account,
        "arn": f"arn:aws:iam::{m.account}:user/golive-plan",
        "userId": "AIDAMOCKUSER",
        "id": m.account,
    }


@answers.invoke("aws:index/getRegion:getRegion")
def _get_region(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or m.region
    return {
        "region": region,
        "name": region,
        "id": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    }


@answers.invoke("aws:index/getPartition:getPartition")
def _get_partition(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m, args
    return {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
        "id": "aws",
    }


def _statement_json(statement: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if statement.get("sid"):
        out["Sid"] = statement["sid"]
    out["Effect"] = statement.get("effect", "Allow")
    for key, wire in [
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ]:
        if statement.get(key):
            values = statement[key]
            out[wire] = values[0] if len(values) == 1 else values
    for key, wire in [("principals", "Principal"), ("notPrincipals", "NotPrincipal")]:
        if statement.get(key):
            principal: dict[str, Any] = {}
            for p in statement[key]:
                ids = p["identifiers"]
                principal[p["type"]] = ids[0] if len(ids) == 1 else ids
            out[wire] = principal
    if statement.get("conditions"):
        condition: dict[str, dict[str, Any]] = {}
        for cond in statement["conditions"]:
            values = cond["values"]
            condition.setdefault(cond["test"], {})[cond["variable"]] = (
                values[0] if len(values) == 1 else values
            )
        out["Condition"] = condition
    return out


@answers.invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def _get_policy_document(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    del m
    document = {
        "Version": "2012-10-17",
        "Statement": [_statement_json(s) for s in args.get("statements") or []],
    }
    return {
        "json": json.dumps(document, indent=2),
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "id": digest(json.dumps(document))[:10],
    }


@answers.invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider")
def _get_oidc_provider(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    url = str(args.get("url", "https://token.actions.githubusercontent.com"))
    if not m.lookups.github_oidc_provider:
        raise MockLookupError(
            f"no IAM OIDC provider for {url} (create it once with `golive bootstrap --github-oidc`)"
        )
    host = url.removeprefix("https://")
    arn = f"arn:aws:iam::{m.account}:oidc-provider/{host}"
    return {
        "arn": arn,
        "id": arn,
        "url": host,
        "clientIdLists": ["sts.amazonaws.com"],
        "thumbprintLists": [],
        "tags": {},
    }
