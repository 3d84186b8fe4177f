"""Compute answers: the released images, read by path as `golive release` wrote them."""

from __future__ import annotations

from plan.mocks import AwsMocks, Lookups


def test_released_images_are_answered_by_path() -> None:
    from pulumi.runtime.mocks import MockCallArgs

    mocks = AwsMocks(
        "us-east-1", Lookups(released_images={"/golive/a/s/images/api": "repo@sha256:1"})
    )
    answer, _ = mocks.call(
        MockCallArgs(
            token="aws:ssm/getParametersByPath:getParametersByPath",
            args={"path": "/golive/a/s/images/"},
            provider="",
        )
    )
    assert answer["names"] == ["/golive/a/s/images/api"]
    assert answer["values"] == ["repo@sha256:1"]
