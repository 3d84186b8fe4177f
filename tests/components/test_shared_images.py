"""A service that runs another service's image (`imageFrom`): no repository or build of its
own, the same released image, released together by `golive release`."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from ops.errors import OpsError
from ops.outputs import StackOutputs
from plan.harness import Plan, run_program, unwrap_secrets
from plan.mocks import Lookups
from stacks.config import ConfigError, parse
from tests.conftest import RELEASED_IMAGES, raw_config
from tests.stacks.config.stack_files import as_cli, mutated

SCHEDULER = {"imageFrom": "api", "command": ["/app/api", "schedule:work"], "database": True}


def _services(**scheduler: Any) -> dict[str, Any]:
    services = json.loads(raw_config("staging")["golive:services"])
    services["scheduler"] = {**SCHEDULER, **scheduler}
    return services


def _plan(released: bool = False) -> Plan:
    lookups = Lookups(released_images=dict(RELEASED_IMAGES)) if released else Lookups()
    return run_program("staging", overrides={"services": _services()}, lookups=lookups)


def _image(plan: Plan, service: str) -> str:
    definition = plan.named(f"auction-staging-{service}-taskdef")
    (container,) = json.loads(unwrap_secrets(definition.inputs["containerDefinitions"]))
    return container["image"]


def test_a_service_with_image_from_has_no_repository_and_runs_the_same_image() -> None:
    for released in (False, True):
        plan = _plan(released)
        repositories = [r.inputs["name"] for r in plan.of_type("aws:ecr/repository:Repository")]
        assert repositories == ["auction/staging/api"]
        assert _image(plan, "scheduler") == _image(plan, "api")
    assert _image(_plan(True), "scheduler") == RELEASED_IMAGES["/golive/auction/staging/images/api"]


def test_it_shares_the_image_record_and_may_pull_from_the_source_repository() -> None:
    plan = _plan()
    exported = plan.outputs["services"]["scheduler"]
    assert exported["imageParameter"] == "/golive/auction/staging/images/api"
    assert (exported["imageFrom"], exported["repositoryUrl"]) == ("api", None)
    assert plan.outputs["services"]["api"]["imageFrom"] is None
    policies = [
        json.loads(unwrap_secrets(p.inputs["policy"]))
        for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.name.startswith("auction-staging-scheduler")
    ]
    pulls = [
        s["Resource"]
        for doc in policies
        for s in doc["Statement"]
        if "ecr:BatchGetImage" in s["Action"]
    ]
    # The app's built repositories (a first promotion pulls another stack's build): the
    # source's among them, and nothing outside the app.
    source = "arn:aws:ecr:us-east-1:123456789012:repository/auction/staging/api"
    assert pulls and all(
        any(fnmatch.fnmatchcase(source, pattern) for pattern in r)
        and all(p.startswith("arn:aws:ecr:us-east-1:123456789012:repository/auction/") for p in r)
        for r in pulls
    )


@pytest.mark.parametrize(
    ("scheduler", "key", "phrase"),
    [
        ({"imageFrom": "apii"}, "services.scheduler.imageFrom", "did you mean 'api'"),
        ({"imageFrom": "scheduler"}, "services.scheduler.imageFrom", "names the service itself"),
        ({"image": "ghcr.io/acme/api:1.0"}, "services.scheduler.image", "has no image of its own"),
        ({"keepImages": 5}, "services.scheduler.keepImages", "has no image of its own"),
    ],
)
def test_image_from_names_a_service_with_an_image_of_its_own(
    scheduler: dict[str, Any], key: str, phrase: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(mutated({"golive:services": _services(**scheduler)})))
    problem = next(p for p in raised.value.problems if p.path == key)
    assert phrase in problem.message


def test_a_chain_of_image_from_names_the_original() -> None:
    services = _services()
    services["cron"] = {"imageFrom": "scheduler", "command": ["/app/api", "cron"]}
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(mutated({"golive:services": services})))
    assert [(p.path, p.message) for p in raised.value.problems] == [
        ("services.cron.imageFrom", "'scheduler' runs 'api''s image itself: name 'api'")
    ]


def _outputs() -> StackOutputs:
    plan = _plan()
    return StackOutputs.model_validate(unwrap_secrets(plan.outputs))


def test_golive_release_releases_the_sharing_service_with_its_source() -> None:
    outputs = _outputs()
    assert outputs.with_shared_images({"api": "v2"}) == {"api": "v2", "scheduler": "v2"}
    assert outputs.with_shared_images({"api": "v2", "scheduler": "v2"}) == {
        "api": "v2",
        "scheduler": "v2",
    }
    with pytest.raises(OpsError, match=r"service scheduler runs api's image \(imageFrom"):
        outputs.with_shared_images({"scheduler": "v3"})
    with pytest.raises(OpsError, match="'v3' was asked for it and 'v2' for api"):
        outputs.with_shared_images({"api": "v2", "scheduler": "v3"})
