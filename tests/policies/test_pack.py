"""The policy pack: the same rules, wrapped for the Pulumi engine.

Wrapped policies are called the way pulumi-policy's analyzer calls them (props behind its
unknown-raising proxy, engine sentinels for unknown values). The last tests start the real pack
(`policies/pack/__main__.py`, a gRPC server) and talk to it as the engine would, since the
Pulumi CLI cannot run here.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy
from pydantic import ValidationError
from ruamel.yaml import YAML

from policies.model import Resource
from policies.pulumi_pack import (
    INPUT_RULES_POLICY,
    PACK_NAME,
    UndecidedError,
    build_policies,
    enforcement_level,
    input_rules_policy,
    policy_from_environment,
)
from policies.rules import BY_ID, CONTROLS
from stacks.config import PolicyConfig
from tests.policies.fixtures import compliant_stack, drop, set_options

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies" / "pack"
DB_URN = "urn:pulumi:staging::golive::aws:rds/instance:Instance::db"
STAGING_CONFIG = {
    "aws:region": "us-east-1",
    "golive:policy": json.dumps(
        {"enforcement": "mandatory", "exceptions": {"RDS.5": "single-AZ staging database"}}
    ),
}


def _policies(policy: PolicyConfig | None = None) -> dict[str, Any]:
    return {p.name: p for p in build_policies(policy or PolicyConfig())}


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _validate_resource(
    policy: ResourceValidationPolicy, type_: str, props: dict[str, Any]
) -> list[str]:
    reported: list[str] = []
    args = ResourceValidationArgs(
        resource_type=type_,
        props=unknown_checking_proxy(props),
        urn=DB_URN,
        name="db",
        opts=_options(),
        provider=None,
    )
    policy.validate(args, lambda message, urn=None: reported.append(message))
    return reported


def _db_props(**changes: Any) -> dict[str, Any]:
    db = next(r for r in compliant_stack() if r.name == "db")
    return {**db.inputs, **changes}


def test_one_policy_per_control() -> None:
    policies = build_policies(PolicyConfig())
    assert [p.name for p in policies] == [c.id for c in CONTROLS]
    for policy, control in zip(policies, CONTROLS, strict=True):
        expected = ResourceValidationPolicy if control.resource_rule else StackValidationPolicy
        assert isinstance(policy, expected)
        assert policy.enforcement_level is None  # the pack's level applies
        assert control.source in policy.description


def test_enforcement_follows_the_stack_declaration() -> None:
    assert enforcement_level(PolicyConfig()) is EnforcementLevel.MANDATORY
    assert enforcement_level(PolicyConfig(enforcement="advisory")) is EnforcementLevel.ADVISORY


def _engine_policy(raw: str) -> PolicyConfig:
    return policy_from_environment({"PULUMI_CONFIG": json.dumps({"golive:policy": raw})})


def test_policy_comes_from_the_engine_config() -> None:
    policy = policy_from_environment({"PULUMI_CONFIG": json.dumps(STAGING_CONFIG)})
    assert policy.exceptions == {"RDS.5": "single-AZ staging database"}
    assert policy_from_environment({}) == PolicyConfig()
    assert policy_from_environment({"PULUMI_CONFIG": '{"aws:region": "us-east-1"}'}) == (
        PolicyConfig()
    )
    assert PolicyConfig().enforcement == "mandatory"
    advisory = _engine_policy('{"enforcement": "advisory", "exceptions": {"RDS.5": "why"}}')
    assert advisory.enforcement == "advisory"
    assert BY_ID["RDS.5"].declared_exception(advisory.exceptions) == "why"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"enforcement": "strict"}', "enforcement"),
        ('{"exceptions": {"RDS.5": ""}}', "give a reason"),
        ('{"exceptions": ["RDS.5"]}', "exceptions\n  Input should be an object"),
        ('{"exception": {}}', "exception\n  Extra inputs are not permitted"),
        ('{"exceptions": {"EC2.2": "no"}}', "EC2.2: allows no exception"),
        ("[1]", "Input should be an object"),
        ("{oops", "Invalid JSON"),
    ],
)
def test_the_pack_parses_golive_policy_with_the_config_model(raw: str, message: str) -> None:
    """One parser: what the stack file's config model rejects, the pack rejects too."""
    with pytest.raises(ValidationError, match=message):
        _engine_policy(raw)


def test_the_declaration_is_frozen() -> None:
    policy = _engine_policy('{"exceptions": {"RDS.5": "x"}}')
    with pytest.raises(ValidationError, match="frozen"):
        policy.enforcement = "advisory"  # type: ignore[misc]


def test_resource_policy_reports_a_failure() -> None:
    policy = _policies()["RDS.5"]
    assert _validate_resource(policy, "aws:rds/instance:Instance", _db_props()) == []
    reported = _validate_resource(policy, "aws:rds/instance:Instance", _db_props(multiAz=False))
    assert reported == ["multiAz is not true"]


def test_declared_exception_silences_only_waivable_findings() -> None:
    staging = PolicyConfig(exceptions={"RDS.5": "single AZ", "RDS.8": "disposable"})
    props = _db_props(multiAz=False, deletionProtection=False)
    assert _validate_resource(_policies(staging)["RDS.5"], "aws:rds/instance:Instance", props) == []
    assert _validate_resource(_policies(staging)["RDS.8"], "aws:rds/instance:Instance", props) == []
    props["skipFinalSnapshot"] = True
    reported = _validate_resource(_policies(staging)["RDS.8"], "aws:rds/instance:Instance", props)
    assert reported == ["skipFinalSnapshot is true"]


def test_unknown_values_raise_for_an_advisory_line_not_a_pass() -> None:
    """The engine sentinel for a not-yet-created key: pulumi-policy turns the raise into an
    advisory "can't run policy during preview" diagnostic naming what is undecided."""
    policy = _policies()["RDS.3"]
    props = _db_props(kmsKeyId=UNKNOWN_STRING_VALUE)
    with pytest.raises(UnknownValueError) as raised:
        _validate_resource(policy, "aws:rds/instance:Instance", props)
    assert isinstance(raised.value, UndecidedError)
    assert "RDS.3" in raised.value.message and "kmsKeyId" in raised.value.message


def test_failures_are_reported_before_the_undecided_raise() -> None:
    policy = _policies()["RDS.3"]
    props = _db_props(storageEncrypted=False, kmsKeyId=UNKNOWN_STRING_VALUE)
    reported: list[str] = []
    args = ResourceValidationArgs("aws:rds/instance:Instance", unknown_checking_proxy(props),
                                  DB_URN, "db", _options(), None)  # fmt: skip
    with pytest.raises(UndecidedError):
        policy.validate(args, lambda message, urn=None: reported.append(message))
    assert reported == ["storageEncrypted is not true"]


def test_a_distribution_whose_default_behavior_is_the_app_needs_no_root_object() -> None:
    policy = _policies()["CloudFront.1"]
    cdn = next(r for r in compliant_stack() if r.name == "cdn")
    site = {k: v for k, v in cdn.inputs.items() if k != "defaultRootObject"}
    app = {
        **site,
        "defaultCacheBehavior": {**site["defaultCacheBehavior"], "targetOriginId": "api"},
    }
    distribution = "aws:cloudfront/distribution:Distribution"
    assert _validate_resource(policy, distribution, site) == ["defaultRootObject is not set"]
    assert _validate_resource(policy, distribution, app) == []


def test_other_resource_types_are_ignored() -> None:
    policy = _policies()["RDS.5"]
    assert _validate_resource(policy, "aws:s3/bucket:Bucket", {"multiAz": False}) == []


SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


def test_aws_input_rules_run_as_one_mandatory_policy_whatever_the_stack_declares() -> None:
    policy = input_rules_policy()
    assert policy.name == INPUT_RULES_POLICY
    assert policy.enforcement_level is EnforcementLevel.MANDATORY
    reported = _validate_resource(
        policy, SECURITY_GROUP, {"name": "db-sg-1a2b3c4", "description": "the app's groups"}
    )
    assert reported == [
        'AWS would refuse description "the app\'s groups": "\'" not allowed (allowed: a-z A-Z '
        "0-9 space ._-:/()#,@[]+=&;{}!$*) (an EC2 security group description; botocore ec2 "
        "CreateSecurityGroupRequest.Description)"
    ]


def test_aws_input_rules_judge_the_auto_name_the_provider_filled_in() -> None:
    reported = _validate_resource(
        input_rules_policy(),
        "aws:lb/loadBalancer:LoadBalancer",
        {"name": "internal-prod-alb-1a2b3c4"},
    )
    assert len(reported) == 1 and "must not start with 'internal-'" in reported[0]


def test_aws_input_rules_leave_values_not_known_yet_alone() -> None:
    """No raise, no report: the value is judged when known (the mocks judge the offline plan)."""
    props = {"description": UNKNOWN_STRING_VALUE, "tags": {"Name": UNKNOWN_STRING_VALUE}}
    assert _validate_resource(input_rules_policy(), SECURITY_GROUP, props) == []


def _policy_resources(stack: list[Resource]) -> list[PolicyResource]:
    """Resources as AnalyzeStack hands them over: outputs (with id) behind the proxy."""
    resources = []
    for r in stack:
        props = {**r.inputs, **r.outputs, "id": r.id}
        opts = PolicyResourceOptions(bool(r.options.get("protect")), [], None, [],
                                     PolicyCustomTimeouts(0, 0, 0), [], None)  # fmt: skip
        resources.append(PolicyResource(r.type, unknown_checking_proxy(props), r.urn, r.name, opts,
                                        None, None, [], {}))  # fmt: skip
    return resources


def _validate_stack(policy: StackValidationPolicy, stack: list[Resource]) -> list[tuple[str, Any]]:
    reported: list[tuple[str, Any]] = []
    args = StackValidationArgs(_policy_resources(stack))
    policy.validate(args, lambda message, urn=None: reported.append((message, urn)))
    return reported


def test_stack_policies_pass_on_the_compliant_stack() -> None:
    policies = _policies()
    for control in CONTROLS:
        if control.stack_rule is None or control.id == "PUL.1":
            continue
        assert _validate_stack(policies[control.id], compliant_stack()) == [], control.id


def test_stack_policy_reports_with_the_resource_urn() -> None:
    stack = drop("flow-log")(compliant_stack())
    [(message, urn)] = _validate_stack(_policies()["EC2.6"], stack)
    assert "no FlowLog" in message and urn.endswith("::vpc")


def test_retain_on_delete_is_invisible_to_the_engine() -> None:
    """The engine does not pass retainOnDelete: PUL.1 says it cannot decide, and does not pass;
    what it can see (protect) is still reported first."""
    policy = _policies()["PUL.1"]
    with pytest.raises(UndecidedError, match="retainOnDelete"):
        _validate_stack(policy, compliant_stack())
    stack = set_options("site", protect=False)(compliant_stack())
    captured: list[str] = []
    args = StackValidationArgs(_policy_resources(stack))
    with pytest.raises(UndecidedError):
        policy.validate(args, lambda message, urn=None: captured.append(message))
    assert captured == ["site is not protected (a delete or replace would run)"]


# ----------------------------------------------------------------------------- the real pack


@pytest.fixture
def pack_server() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """Start policies/pack as the engine would (stack config in PULUMI_CONFIG)."""
    env = {**os.environ, "PULUMI_CONFIG": json.dumps(STAGING_CONFIG)}
    process = subprocess.Popen(
        [sys.executable, str(PACK / "__main__.py")],
        cwd=PACK,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the policy pack did not print its port"
        port = int(process.stdout.readline().decode().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(props, struct_pb2.Struct())


def test_real_pack_describes_its_policies(pack_server: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = pack_server.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME
    assert sorted(p.name for p in info.policies) == sorted(
        [*(c.id for c in CONTROLS), INPUT_RULES_POLICY]
    )
    assert {p.enforcementLevel for p in info.policies} == {analyzer_pb2.MANDATORY}


def test_real_pack_stops_an_input_aws_would_refuse(
    pack_server: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    group = {"name": "db-sg-1a2b3c4", "description": "PostgreSQL from the app's groups only"}
    response = pack_server.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type=SECURITY_GROUP,
            urn="urn:pulumi:staging::golive::aws:ec2/securityGroup:SecurityGroup::db-sg",
            name="db-sg",
            properties=_struct(group),
        )
    )
    by_policy = {d.policyName: d for d in response.diagnostics}
    refused = by_policy[INPUT_RULES_POLICY]
    assert refused.enforcementLevel == analyzer_pb2.MANDATORY
    assert "CreateSecurityGroupRequest.Description" in refused.message


def test_real_pack_analyzes_like_the_engine(pack_server: analyzer_pb2_grpc.AnalyzerStub) -> None:
    db = _db_props(multiAz=False, copyTagsToSnapshot=False, kmsKeyId=UNKNOWN_STRING_VALUE)
    response = pack_server.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type="aws:rds/instance:Instance", urn=DB_URN, name="db", properties=_struct(db)
        )
    )
    by_policy = {d.policyName: d for d in response.diagnostics}
    # RDS.5 is declared in the stack config: no diagnostic. RDS.17 is not: mandatory.
    assert "RDS.5" not in by_policy
    assert by_policy["RDS.17"].enforcementLevel == analyzer_pb2.MANDATORY
    assert "copyTagsToSnapshot" in by_policy["RDS.17"].message
    # The unknown key: an advisory line saying the control is undecided, never silence.
    assert by_policy["RDS.3"].enforcementLevel == analyzer_pb2.ADVISORY
    assert "undecided" in by_policy["RDS.3"].message
    assert set(by_policy) == {"RDS.17", "RDS.3"}


def test_real_pack_checks_the_whole_stack(pack_server: analyzer_pb2_grpc.AnalyzerStub) -> None:
    stack = drop("flow-log")(compliant_stack())
    resources = [
        analyzer_pb2.AnalyzerResource(
            type=r.type, urn=r.urn, name=r.name,
            properties=_struct({**r.inputs, **r.outputs, "id": r.id}),
            options=analyzer_pb2.AnalyzerResourceOptions(protect=r.options["protect"]),
        )
        for r in stack
    ]  # fmt: skip
    response = pack_server.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
    mandatory = [
        (d.policyName, d.urn)
        for d in response.diagnostics
        if d.enforcementLevel == analyzer_pb2.MANDATORY
    ]
    assert mandatory == [("EC2.6", "urn:pulumi:prod::golive::aws:ec2/vpc:Vpc::vpc")]
    advisory = {d.policyName for d in response.diagnostics}
    assert advisory == {"EC2.6", "PUL.1"}  # PUL.1: retainOnDelete is not visible to packs


def test_pack_project_runs_in_the_project_virtualenv() -> None:
    """PulumiPolicy.yaml: Python runtime, in the virtualenv ./dev creates at the repo root."""
    project = YAML(typ="safe").load((PACK / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    venv = (PACK / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == ROOT / ".venv"
    assert project["version"] and project["description"]


def test_rules_and_report_do_not_need_pulumi_policy() -> None:
    """`golive plan --controls` runs without the dev-only pulumi-policy package."""
    code = (
        "import sys; sys.modules['pulumi_policy'] = None\n"
        "import policies.report, policies.export, policies.rules, policies.docs\n"
        "print(len(policies.rules.CONTROLS))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(CONTROLS))
