"""The rules on a real Pulumi program run by the mock harness, in plan mode and preview mode.

A preview before the resources exist leaves ids and ARNs unknown: the controls that depend on
them must say "unknown" (a real `pulumi preview` would otherwise skip them silently), and the
same program run as a plan (values known) must pass. The program here is a small one of our
own, so the test does not depend on the state of golive's components.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plan.harness import run_program
from policies.model import Status
from policies.report import evaluate

PROGRAM = """
import json
import pulumi_aws as aws

key = aws.kms.Key("key", enable_key_rotation=True, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                   "Action": "kms:*", "Resource": "*"}]}))
vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id, ingress=[], egress=[])
logs = aws.cloudwatch.LogGroup("flow-logs", retention_in_days=30, kms_key_id=key.arn)
aws.ec2.FlowLog("flow", vpc_id=vpc.id, traffic_type="ALL", log_destination=logs.arn,
                log_destination_type="cloud-watch-logs")
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("program")
    (root / "Pulumi.yaml").write_text("name: golive\nruntime: python\n")
    (root / "Pulumi.test.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (root / "__main__.py").write_text(PROGRAM)
    return root


def test_plan_mode_passes(project: Path) -> None:
    plan = run_program("test", project_dir=project)
    results = evaluate(plan.resources).by_id()
    for control_id in ("EC2.2", "EC2.6", "CKV_AWS_66", "KMS.4", "KMS.3"):
        assert results[control_id].status is Status.PASS, results[control_id]


def test_preview_mode_reports_unknown_not_pass(project: Path) -> None:
    plan = run_program("test", project_dir=project, preview=True)
    results = evaluate(plan.resources).by_id()
    # vpc.id and key.arn do not exist yet: what depends on them is undecided.
    assert results["EC2.6"].status is Status.UNKNOWN
    assert results["EC2.2"].status is Status.UNKNOWN
    assert results["CKV_AWS_66"].status is Status.UNKNOWN
    # Values the program sets itself are known in a preview too.
    assert results["KMS.4"].status is Status.PASS
    assert results["KMS.3"].status is Status.PASS
