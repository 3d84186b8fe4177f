"""The IAM controls (`policies/controls/iam.py`), one mutation of the compliant stack
at a time (see `tests.policies.controls.cases`)."""

from __future__ import annotations

import pytest

from policies.model import Status
from tests.policies.controls.cases import (
    FAIL,
    PASS,
    UNK,
    Case,
    Mutation,
    check,
    params,
    policy_json,
)
from tests.policies.fixtures import DELETE, UNKNOWN, mutate, trust_policy

CASES: list[Case] = [
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
    ("CKV_AWS_358", "any ref of the repository", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/auction:*"}})), FAIL),
    ("CKV_AWS_358", "pull requests of any repository", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub":
                       "repo:acme/*:pull_request:ref:refs/pull/*/merge"}})), FAIL),
    ("CKV_AWS_358", "wildcard ref after the environment", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub":
                       "repo:acme/auction:environment:prod:ref:*"}})), FAIL),
    ("IAM.1", "object reads on every bucket (CKV_AWS_355)", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})), FAIL),
    ("IAM.1", "a wildcard action on every resource", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})), FAIL),
    ("CKV_AWS_358", "no audience", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:sub":
                         "repo:acme/auction:environment:prod"}})), FAIL),
    ("CKV_AWS_358", "trusts the workflow claim", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                         "token.actions.githubusercontent.com:sub":
                             "repo:acme/auction:environment:prod",
                         "token.actions.githubusercontent.com:workflow": "deploy"}})), FAIL),
    ("CKV_AWS_358", "trust unknown", mutate("ci-deploy", assumeRolePolicy=UNKNOWN), UNK),
]  # fmt: skip

# Stacks that must pass although they differ from the compliant one.
PASSING_VARIANTS: list[Case] = [
    ("IAM.1", "an action AWS cannot scope on every resource", mutate("web-exec-secrets", policy=policy_json(
        {"Effect": "Allow", "Action": ["ec2:DescribeVpcs", "ecr:GetAuthorizationToken"], "Resource": "*"})), PASS),
    ("CKV_AWS_358", "main only, both subject forms", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                         "token.actions.githubusercontent.com:sub": [
                             "repo:acme/auction:environment:prod:ref:refs/heads/main",
                             "repo:acme@1/auction@2:environment:prod:ref:refs/heads/main"]}})), PASS),
    ("CKV_AWS_358", "pull requests by number", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub":
                       "repo:acme@1/auction@2:pull_request:ref:refs/pull/*/merge"}})), PASS),
    ("CKV_AWS_358", "pull-request preview role", mutate("ci-deploy", assumeRolePolicy=trust_policy({
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                         "token.actions.githubusercontent.com:sub":
                             "repo:acme/auction:pull_request"}})), PASS),
]  # fmt: skip


@pytest.mark.parametrize(("control_id", "mutation", "expected"), params(CASES + PASSING_VARIANTS))
def test_case(control_id: str, mutation: Mutation, expected: Status) -> None:
    check(control_id, mutation, expected)
