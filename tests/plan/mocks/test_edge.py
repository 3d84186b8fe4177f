"""Edge answers: data sources fail as AWS's do when the account lacks what they look up."""

from __future__ import annotations

from plan.mocks import AwsMocks, Lookups


def test_missing_hosted_zone_is_an_aws_like_error() -> None:
    from pulumi.runtime.mocks import MockCallArgs

    mocks = AwsMocks("us-east-1", Lookups(zones={"example.com": "Z1"}))
    answer, failures = mocks.call(
        MockCallArgs(token="aws:route53/getZone:getZone", args={"name": "other.org"}, provider="")
    )
    assert answer == {}
    assert "golive bootstrap --zone" in failures[0][1]
