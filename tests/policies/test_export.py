"""`--state FILE`: the controls over a `pulumi stack export` after a deploy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.export import StackExportError, load_stack_export, resources_from_export
from policies.model import Status
from policies.report import evaluate
from policies.values import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN

PROJECT = "urn:pulumi:prod::golive"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/k-1"


def _entry(type_: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"urn": f"{PROJECT}::{type_}::{name}", "type": type_, "custom": True, **fields}


def export_document() -> dict[str, Any]:
    """The shape `pulumi stack export` writes (deployment v3), trimmed to what rules read."""
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-01-01T00:00:00Z", "version": "v3.272.0"},
            "secrets_providers": {"type": "cloud", "state": {"url": "awskms://alias/pulumi"}},
            "resources": [
                _entry("pulumi:pulumi:Stack", "golive-prod", custom=False),
                _entry("pulumi:providers:aws", "default_7_51_1", id="prov-1"),
                _entry("golive:aws:Network", "net", custom=False),
                _entry("aws:ec2/vpc:Vpc", "vpc", id="vpc-1", inputs={"cidrBlock": "10.0.0.0/16"},
                       outputs={"id": "vpc-1", "arn": "arn:aws:ec2:vpc/vpc-1"},
                       parent=f"{PROJECT}::golive:aws:Network::net"),
                _entry("aws:ec2/flowLog:FlowLog", "flow", id="fl-1",
                       inputs={"vpcId": "vpc-1", "trafficType": "ALL", "__defaults": []},
                       outputs={"id": "fl-1"}),
                # A failed replace leaves the old resource pending deletion: not part of the stack.
                _entry("aws:ec2/flowLog:FlowLog", "flow", id="fl-0", delete=True,
                       inputs={"vpcId": "vpc-1", "trafficType": "REJECT"}),
                # Read with .get(): not managed by this stack.
                _entry("aws:kms/key:Key", "shared", id="k-0", external=True,
                       inputs={"enableKeyRotation": False}),
                _entry("aws:kms/key:Key", "key", id="k-1", protect=True, retainOnDelete=True,
                       inputs={"enableKeyRotation": True, "policy": json.dumps({
                           "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                          "Principal": {"AWS": "arn:aws:iam::1:root"}}]})},
                       outputs={"arn": KEY_ARN, "keyId": "k-1"}),
                _entry("aws:rds/instance:Instance", "db", id="db-1",
                       inputs={"username": {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "AAAB"},
                               "kmsKeyId": KEY_ARN, "storageEncrypted": True}),
            ],
        },
    }  # fmt: skip


def test_loads_managed_resources_only(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(export_document()))
    resources = load_stack_export(path)
    assert [(r.type, r.name) for r in resources] == [
        ("golive:aws:Network", "net"),
        ("aws:ec2/vpc:Vpc", "vpc"),
        ("aws:ec2/flowLog:FlowLog", "flow"),
        ("aws:kms/key:Key", "key"),
        ("aws:rds/instance:Instance", "db"),
    ]
    flow = resources[2]
    assert flow.id == "fl-1" and flow.inputs["trafficType"] == "ALL"
    vpc = resources[1]
    assert vpc.options["parent"].endswith("::net") and vpc.options["protect"] is False
    key = resources[3]
    assert key.options["protect"] is True and key.options["retainOnDelete"] is True
    assert key.outputs["arn"] == KEY_ARN


def test_encrypted_secrets_read_as_unknown() -> None:
    db = resources_from_export(export_document())[-1]
    assert db.inputs["username"] is UNKNOWN


def test_controls_run_on_the_export() -> None:
    report = evaluate(resources_from_export(export_document()))
    results = report.by_id()
    assert results["EC2.6"].status is Status.PASS  # the pending-delete REJECT log is ignored
    assert results["KMS.4"].status is Status.PASS  # the external, unrotated key is ignored
    assert results["RDS.25"].status is Status.FAIL  # no managed password: a real finding
    assert any("username" in v.message for v in results["RDS.25"].violations)
    # PUL.1: the export carries retainOnDelete, so the DB key check is decided, not unknown.
    assert all("not visible" not in v.message for v in results["PUL.1"].violations)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read"),
        ("[]", "expected a JSON object"),
        ('{"version": 3}', "no 'deployment'"),
        ('{"deployment": {"resources": {}}}', "not a list"),
    ],
)
def test_rejects_other_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StackExportError, match=message):
        load_stack_export(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StackExportError, match="cannot read"):
        load_stack_export(tmp_path / "absent.json")
