"""The evaluator the IAM tests rely on follows IAM's documented rules (IAM User Guide, "Policy
evaluation logic" and "Condition operators"), including the ones that surprise."""

from __future__ import annotations

from tests.iam_eval import Call, allowed

ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def deny(condition: dict[str, object], **statement: object) -> dict[str, object]:
    return {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                           "Condition": condition, **statement}]}  # fmt: skip


def test_an_explicit_deny_wins_and_a_boundary_must_allow_too() -> None:
    call = Call("s3:GetObject", "arn:aws:s3:::b/k")
    assert allowed(call, [ALLOW_ALL])
    assert not allowed(call, [ALLOW_ALL, deny({})])
    nothing = {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
    assert not allowed(call, [ALLOW_ALL], nothing)
    assert not allowed(call, [], ALLOW_ALL)


def test_a_missing_key_fails_positive_operators_and_passes_negated_ones() -> None:
    call = Call("ec2:DeleteVpc", "arn:aws:ec2:r:1:vpc/v")
    key = "aws:ResourceTag/golive:stack"
    assert allowed(call, [ALLOW_ALL, deny({"StringEquals": {key: "prod"}})])
    assert not allowed(call, [ALLOW_ALL, deny({"StringNotEquals": {key: "prod"}})])
    assert not allowed(call, [ALLOW_ALL, deny({"StringEqualsIfExists": {key: "prod"}})])
    assert not allowed(call, [ALLOW_ALL, deny({"Null": {key: "true"}})])
    tagged = Call(call.action, call.resource, {key: "prod"})
    assert not allowed(tagged, [ALLOW_ALL, deny({"StringNotEquals": {key: "staging"},
                                                 "Null": {key: "false"}})])  # fmt: skip
    assert allowed(tagged, [ALLOW_ALL, deny({"StringNotEquals": {key: "prod"}})])


def test_set_operators_and_wildcards() -> None:
    key = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
    only_ours = {"ForAllValues:StringLike": {key: ["a.example.com", "*.a.example.com"]}}
    grant = {"Statement": [{"Effect": "Allow", "Action": "route53:Change*", "Resource": "*",
                            "Condition": only_ours}]}  # fmt: skip
    ours = Call("route53:ChangeResourceRecordSets", "z", {key: ["x.a.example.com"]})
    mixed = Call("route53:ChangeResourceRecordSets", "z", {key: ["x.a.example.com", "b.com"]})
    assert allowed(ours, [grant]) and not allowed(mixed, [grant])
    assert not allowed(mixed, [ALLOW_ALL, deny({"ForAnyValue:StringNotLike": only_ours[
        "ForAllValues:StringLike"]})])  # fmt: skip


def test_not_action_and_not_resource() -> None:
    call = Call("s3:PutObject", "arn:aws:s3:::theirs/k")
    fence = {
        "Statement": [{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::ours*"}]
    }
    assert not allowed(call, [ALLOW_ALL, fence])
    assert allowed(Call("s3:PutObject", "arn:aws:s3:::ours/k"), [ALLOW_ALL, fence])
    pulls = {"Statement": [{"Effect": "Deny", "NotAction": "ecr:BatchGetImage", "Resource": "*"}]}
    assert allowed(Call("ecr:batchgetimage", "r"), [ALLOW_ALL, pulls])  # actions ignore case
    assert not allowed(Call("ecr:PutImage", "r"), [ALLOW_ALL, pulls])
