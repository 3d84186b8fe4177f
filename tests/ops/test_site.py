"""`golive release --site DIR` and `golive rollback` of the static site, against moto.

The site bucket is versioned; a release uploads the build (hashed bundler output long-lived,
everything else revalidated), records the site version in the release log and invalidates the
CloudFront distribution. A failure after the upload puts the previous site version back (and
invalidates again); a rollback restores the site of the release it goes back to.

moto gap, worked around here: moto 5.2 creates every invalidation with `Status: "COMPLETED"`,
while CloudFront answers `InProgress`, then `Completed`, which is what botocore's
`InvalidationCompleted` waiter matches; against unpatched moto that waiter could never succeed.
`Invalidations` gives moto's invalidations the real life cycle (InProgress on creation,
Completed at the second `GetInvalidation`), and can keep one InProgress for good.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto.cloudfront.models import CloudFrontBackend

from ops import site
from ops.aws import Aws
from ops.errors import OpsError
from ops.releases import ReleaseEntry, ReleaseLog, Status
from ops.rollout import site_at as _site_at
from ops.site import IMMUTABLE, REVALIDATE, cache_control, content_type
from tests.ops.world import (
    API_V1,
    API_V2,
    APP,
    STACK,
    STATE_BUCKET,
    WORKER_V1,
    World,
    aws_error,
)

SITE_BUCKET = "auction-staging-site"
V1 = {"api": API_V1, "worker": WORKER_V1}
HTML = "text/html; charset=utf-8"
JS = "text/javascript; charset=utf-8"

# The site r0001 released: what the bucket serves when each test starts.
SITE_V1 = {
    "index.html": b"<script type=module src=/assets/index-Ab12Cd34.js></script>v1",
    "assets/index-Ab12Cd34.js": b"console.log('v1')",
    "favicon.ico": b"icon",
}
# A Vite build with public/ files, plus a CRA-style chunk: key -> (body, type, cache).
SITE_V2: dict[str, tuple[bytes, str, str]] = {
    "index.html": (b"<script src=/assets/index-Xy98Zw7q.js></script>v2", HTML, REVALIDATE),
    "assets/index-Xy98Zw7q.js": (b"console.log('v2')", JS, IMMUTABLE),
    "assets/index-Q1w2E3r4.css": (b"body{}", "text/css; charset=utf-8", IMMUTABLE),
    "assets/inter-latin-Ab3dEf9h.woff2": (b"font", "font/woff2", IMMUTABLE),
    "static/js/main.3f2a1b9c.chunk.js": (b"cra", JS, IMMUTABLE),
    "assets/logo.png": (b"png", "image/png", REVALIDATE),  # from public/: not hashed
    "favicon.ico": (b"icon", "image/x-icon", REVALIDATE),
    "manifest.webmanifest": (b"{}", "application/manifest+json", REVALIDATE),
    "robots.txt": (b"User-agent: *", "text/plain; charset=utf-8", REVALIDATE),
}
SMALL_V2 = ["index.html", "assets/index-Xy98Zw7q.js", "favicon.ico", "robots.txt"]


class Invalidations:
    """moto's CloudFront invalidations with CloudFront's InProgress -> Completed life cycle."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.polls: Counter[str] = Counter()
        self.created: list[Any] = []
        self.never_complete: set[int] = set()  # indexes into `created`
        original_create = CloudFrontBackend.create_invalidation
        original_get = CloudFrontBackend.get_invalidation

        def create(backend: Any, dist_id: str, paths: list[str], caller_ref: str) -> Any:
            invalidation = original_create(backend, dist_id, paths, caller_ref)
            invalidation.status = "InProgress"
            self.created.append(invalidation)
            return invalidation

        def get(backend: Any, dist_id: str, id: str) -> Any:
            invalidation = original_get(backend, dist_id, id)
            self.polls[id] += 1
            index = self.created.index(invalidation)
            if self.polls[id] >= 2 and index not in self.never_complete:
                invalidation.status = "Completed"
            return invalidation

        monkeypatch.setattr(CloudFrontBackend, "create_invalidation", create)
        monkeypatch.setattr(CloudFrontBackend, "get_invalidation", get)


@pytest.fixture
def invalidations(monkeypatch: pytest.MonkeyPatch) -> Invalidations:
    return Invalidations(monkeypatch)


def add_static_site(world: World) -> None:
    """The frontend of the stack (`frontend.enabled`): a versioned bucket and a distribution."""
    s3 = world.client("s3")
    s3.create_bucket(Bucket=SITE_BUCKET)
    s3.put_bucket_versioning(Bucket=SITE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    origin = {
        "Id": "site",
        "DomainName": f"{SITE_BUCKET}.s3.us-east-1.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    distribution = world.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": "auction-staging",
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
            "DefaultRootObject": "index.html",
            "Comment": "",
            "Enabled": True,
        }
    )["Distribution"]
    world.outputs["staticSite"] = {"bucketName": SITE_BUCKET, "distributionId": distribution["Id"]}


def publish_v1(world: World, *, recorded: bool = True) -> dict[str, str]:
    """Put SITE_V1 in the bucket as r0001 left it; `recorded`: r0001's log entry says so."""
    s3 = world.client("s3")
    version = {}
    for key, body in SITE_V1.items():
        kind = HTML if key.endswith(".html") else "application/octet-stream"
        # CacheControl "v1" marks these objects: a restore must copy their metadata back too.
        response = s3.put_object(
            Bucket=SITE_BUCKET, Key=key, Body=body, ContentType=kind, CacheControl="v1"
        )
        version[key] = response["VersionId"]
    if recorded:
        log = world.release_log()
        log["releases"][0]["site_version"] = version
        log["releases"][0]["steps_done"].append("site")
        s3.put_object(
            Bucket=STATE_BUCKET, Key=f"golive/releases/{APP}/{STACK}.json", Body=json.dumps(log)
        )
    return version


@pytest.fixture
def site_world(world: World, invalidations: Invalidations) -> World:
    """The released staging stack with its frontend, serving SITE_V1 (recorded by r0001)."""
    add_static_site(world)
    publish_v1(world)
    return world


def build(root: Path, name: str, files: dict[str, bytes]) -> Path:
    directory = root / name
    for key, body in files.items():
        path = directory / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return directory


def v2_build(world: World, *, full: bool = False) -> Path:
    """SITE_V2; by default only its first four files (uploads are most of a release's calls)."""
    files = {key: body for key, (body, _, _) in SITE_V2.items()}
    if not full:
        files = {key: files[key] for key in SMALL_V2}
    return build(world.root, "dist-v2", files)


def served(world: World) -> dict[str, bytes]:
    """What the bucket serves now (the latest version of every key)."""
    s3 = world.client("s3")
    listed = s3.list_objects_v2(Bucket=SITE_BUCKET).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=SITE_BUCKET, Key=item["Key"])["Body"].read()
        for item in listed
    }


def latest_versions(world: World) -> dict[str, str]:
    versions = world.client("s3").list_object_versions(Bucket=SITE_BUCKET).get("Versions", [])
    return {v["Key"]: v["VersionId"] for v in versions if v["IsLatest"]}


def site_writes(world: World) -> list[str]:
    return [
        params["Key"]
        for _, operation, params in world.calls
        if operation in {"PutObject", "CopyObject", "DeleteObject"}
        and params["Bucket"] == SITE_BUCKET
    ]


def release(world: World, *extra: str, image: str = "v2") -> Any:
    return world.cli("release", *world.stack_args("--image", image, *extra))


def assert_completed_invalidations(world: World, invalidations: Invalidations, count: int) -> None:
    distribution = world.outputs["staticSite"]["distributionId"]
    listed = world.client("cloudfront").list_invalidations(DistributionId=distribution)
    items = listed["InvalidationList"].get("Items") or []
    assert len(items) == len(invalidations.created) == count
    for item in invalidations.created:
        assert item.paths == ["/*"]
        assert item.status == "Completed"
        assert invalidations.polls[item.id] == 2  # the tool waited through InProgress


# (1) a release with --site ------------------------------------------------------------------


def test_release_uploads_the_site_with_headers_records_it_and_invalidates_once(
    site_world: World, invalidations: Invalidations
) -> None:
    world = site_world
    before = latest_versions(world)

    result = release(world, "--site", str(v2_build(world, full=True)))

    assert result.exit_code == 0, result.output
    assert served(world) == {key: body for key, (body, _, _) in SITE_V2.items()}
    s3 = world.client("s3")
    for key, (_, kind, cache) in SITE_V2.items():
        head = s3.head_object(Bucket=SITE_BUCKET, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (kind, cache), key
    # After the deploy; assets first, index.html last (it names them), then the removal.
    keys = [p.get("Key") if p.get("Bucket") == SITE_BUCKET else None for _, _, p in world.calls]
    assert keys.index("index.html") > world.operations().index(("ecs", "UpdateService"))
    writes = site_writes(world)
    assert writes[-2:] == ["index.html", "assets/index-Ab12Cd34.js"]
    assert sorted(writes[:-2]) == sorted(key for key in SITE_V2 if key != "index.html")
    kept = world.client("s3").list_object_versions(Bucket=SITE_BUCKET, Prefix="assets/index-Ab")
    assert len(kept["Versions"]) == 1 and len(kept["DeleteMarkers"]) == 1  # deleted, kept
    entry = world.release_log()["releases"][-1]
    assert entry["status"] == "succeeded" and "site" in entry["steps_done"]
    assert entry["site_version"] == latest_versions(world)
    assert entry["previous_site_version"] == before
    assert_completed_invalidations(world, invalidations, 1)
    world.assert_serving({"api": API_V2})
    world.assert_invariants()


def test_rerun_verifies_only_when_the_site_is_unchanged_and_releases_a_changed_one(
    site_world: World, invalidations: Invalidations
) -> None:
    world = site_world  # r0001 released v1 with SITE_V1
    dist = build(world.root, "dist-v1", SITE_V1)

    same = release(world, "--site", str(dist), image="v1")

    assert same.exit_code == 0, same.output
    assert "r0001-00000001 already released these images: verifying only" in same.output
    assert site_writes(world) == [] and invalidations.created == []

    (dist / "index.html").write_bytes(b"v1, copy fixed")
    changed = release(world, "--site", str(dist), image="v1")

    assert changed.exit_code == 0, changed.output
    assert "the site differs from the one served: releasing it" in changed.output
    assert served(world) == {**SITE_V1, "index.html": b"v1, copy fixed"}
    entries = world.release_log()["releases"]
    assert [(e["images"], e["status"]) for e in entries] == [(V1, "succeeded")] * 2
    assert entries[-1]["previous_site_version"] == entries[0]["site_version"]
    assert len(invalidations.created) == 1
    world.assert_serving(V1)
    world.assert_invariants()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("assets/index-BkV2kW3J.js", IMMUTABLE),  # Vite
        ("assets/index-BkV2kW3J.js.map", IMMUTABLE),
        ("static/media/logo.6ce24c58023cc2f8fd88.svg", IMMUTABLE),  # webpack contenthash
        ("_next/static/chunks/main-9a8b7c6d.js", IMMUTABLE),
        ("assets/index-BkVzkWfJ.js", REVALIDATE),  # no digit: not recognised, safe
        ("assets/icon-1024x1024.png", REVALIDATE),  # public/assets/: not hashed
        ("assets/Inter-SemiBold.woff2", REVALIDATE),
        ("assets/some-long-filename.png", REVALIDATE),
        ("main.3f2a1b9c.js", REVALIDATE),  # hashed-looking, but outside the asset dirs
        ("sw.js", REVALIDATE),
        ("nested/index.html", REVALIDATE),
    ],
)
def test_cache_control_is_long_only_for_content_hashed_bundler_output(
    key: str, expected: str
) -> None:
    assert cache_control(key) == expected


def test_content_types_do_not_depend_on_the_machine() -> None:
    assert content_type("a/B.WOFF2") == "font/woff2"
    assert content_type("x.mjs") == JS
    assert content_type("app.wasm") == "application/wasm"
    assert content_type("data.bin") == "application/octet-stream"


# (2) a failed release puts the previous site back ------------------------------------------------


def assert_site_v1(world: World) -> None:
    assert served(world) == SITE_V1
    head = world.client("s3").head_object(Bucket=SITE_BUCKET, Key="index.html")
    assert (head["ContentType"], head["CacheControl"]) == (HTML, "v1")  # metadata copied back


def assert_failed_with_previous_version(world: World, result: Any, what: str) -> None:
    assert result.exit_code == 4, result.output  # rolled back and verified
    assert "FAILED: release r0002-" in result.output and what in result.output
    assert "next: the previous version is serving" in result.output
    assert "Fix the cause, then release again." in result.output
    world.assert_serving(V1)
    assert {name: world.released(name) for name in V1} == V1
    assert_site_v1(world)
    assert world.release_log()["releases"][-1]["status"] == "rolled-back"
    world.assert_invariants()


def test_verify_failure_restores_the_previous_site_and_invalidates_again(
    site_world: World, invalidations: Invalidations
) -> None:
    world = site_world
    world.behaviour[API_V2] = "http503"
    v1_versions = latest_versions(world)

    result = release(world, "--site", str(v2_build(world)))

    assert_failed_with_previous_version(world, result, "HTTP 503")
    assert "rolled back and verified: api=" in result.output
    assert ", the previous site" in result.output
    # The v1 objects came back as new versions (copies); what v2 added is deleted.
    assert set(latest_versions(world)) == set(v1_versions)
    restored = [p["CopySource"] for _, op, p in world.calls if op == "CopyObject"]
    assert sorted(restored) == sorted(
        f"{SITE_BUCKET}/{key}?versionId={version}" for key, version in v1_versions.items()
    )  # every v1 key had a newer version (favicon.ico: same bytes, uploaded again)
    assert_completed_invalidations(world, invalidations, 2)


def test_deploy_failure_never_touches_the_site(
    site_world: World, invalidations: Invalidations
) -> None:
    world = site_world
    assert world.pulumi is not None
    world.pulumi.fail_up = lambda call: "error: update failed" if call == 1 else None

    result = release(world, "--site", str(v2_build(world)))

    assert_failed_with_previous_version(world, result, "pulumi up failed: error: update failed")
    assert ", the previous site" not in result.output  # the upload comes after the deploy
    assert site_writes(world) == [] and invalidations.created == []


def test_a_half_done_upload_or_a_stuck_invalidation_still_restores_the_site(
    site_world: World, invalidations: Invalidations
) -> None:
    world = site_world

    def fail_robots(params: dict[str, Any], **_: Any) -> Any:
        if params["url_path"].endswith("/robots.txt"):
            return aws_error("InternalError", "We encountered an internal error")
        return None

    stop_failing = world.session.hook("before-call.s3.PutObject", fail_robots)

    halfway = release(world, "--site", str(v2_build(world)))

    assert_failed_with_previous_version(world, halfway, "PutObject failed: InternalError")
    assert "rolled back and verified" in halfway.output
    assert site_writes(world)[:3] == ["assets/index-Xy98Zw7q.js", "favicon.ico", "robots.txt"]
    assert_completed_invalidations(world, invalidations, 1)  # the restore's only

    # The re-run resumes the release; now the upload's invalidation never completes.
    stop_failing()
    invalidations.never_complete.add(1)

    stuck = release(world, "--site", str(v2_build(world)))

    assert_failed_with_previous_version(world, stuck, "the CloudFront invalidation of")
    assert "did not complete: not done after" in stuck.output
    assert [i.status for i in invalidations.created] == ["Completed", "InProgress", "Completed"]
    entries = world.release_log()["releases"]
    assert len(entries) == 2  # one release, resumed
    assert entries[-1]["previous_site_version"] == entries[0]["site_version"]


def test_a_site_version_whose_objects_expired_is_not_half_restored(
    site_world: World, invalidations: Invalidations
) -> None:
    """Noncurrent versions expire (30 days in the cdn component): refuse, change nothing."""
    world = site_world
    v1_versions = latest_versions(world)
    s3 = world.client("s3")
    for key in SITE_V1:
        s3.put_object(Bucket=SITE_BUCKET, Key=key, Body=b"newer")
    s3.delete_object(Bucket=SITE_BUCKET, Key="favicon.ico", VersionId=v1_versions["favicon.ico"])
    newer = latest_versions(world)
    static_site = world.typed_outputs.static_site
    assert static_site is not None

    with pytest.raises(OpsError, match="so the site was left as it is") as raised:
        site.restore(Aws(world.session, world.runtime()), static_site, v1_versions)

    assert f"favicon.ico version {v1_versions['favicon.ico']}" in raised.value.what
    assert latest_versions(world) == newer
    assert site_writes(world) == [] and invalidations.created == []


# (3) refused in the preflight, before anything is touched ---------------------------------


def test_site_problems_are_refused_before_anything_is_touched(
    site_world: World, invalidations: Invalidations
) -> None:
    world = site_world
    frontend = dict(world.outputs["staticSite"])
    unversioned = "auction-staging-site-unversioned"
    world.client("s3").create_bucket(Bucket=unversioned)
    missing = world.root / "dist-missing"
    empty = world.root / "dist-empty"
    empty.mkdir()
    project = build(world.root, "project", {"src/main.tsx": b"", "package.json": b"{}"})
    good = v2_build(world)
    log_before = world.release_log()
    cases = [
        (missing, frontend, f"--site {missing} does not exist", 3),
        (empty, frontend, "is empty: uploading it would remove the whole site", 3),
        (project, frontend, "has no index.html at its top: it is not a site build", 3),
        (good, None, "stack staging has no static site (no `staticSite` in its outputs)", 2),
        (good, {**frontend, "bucketName": unversioned}, f"{unversioned} is not versioned", 3),
    ]
    for directory, static_site, message, code in cases:
        world.outputs["staticSite"] = static_site

        result = release(world, "--site", str(directory))

        assert result.exit_code == code, result.output
        assert "FAILED: " in result.output and message in result.output
        assert "next: " in result.output
    for service, operation in [
        ("rds", "CreateDBSnapshot"),
        ("ecs", "RunTask"),
        ("ecs", "UpdateService"),
        ("ecs", "RegisterTaskDefinition"),
        ("ssm", "PutParameter"),
        ("s3", "PutObject"),
        ("s3", "DeleteObject"),
        ("cloudfront", "CreateInvalidation"),
    ]:
        assert world.count(service, operation) == 0, operation
    assert world.pulumi is not None and world.pulumi.up_calls == 0
    assert world.release_log() == log_before  # no release entry either
    assert_site_v1(world)
    world.assert_invariants()


# (4) golive rollback restores the site of the release it goes back to -----------------------


def test_rollback_restores_the_site_of_the_release_it_goes_back_to(
    world: World, invalidations: Invalidations
) -> None:
    """r0001 (v1) serves SITE_V1 without a record of it: the site predates golive's log."""
    add_static_site(world)
    publish_v1(world, recorded=False)
    assert release(world, "--site", str(v2_build(world))).exit_code == 0
    v2_version = latest_versions(world)
    v3 = build(world.root, "dist-v3", {"index.html": b"v3", "assets/index-V3v3V3v3.js": b"3"})
    assert release(world, "--site", str(v3), image="v3").exit_code == 0
    assert served(world) == {"index.html": b"v3", "assets/index-V3v3V3v3.js": b"3"}

    result = world.cli("rollback", *world.stack_args())

    assert result.exit_code == 0, result.output
    world.assert_serving({"api": API_V2})
    assert served(world) == {key: SITE_V2[key][0] for key in SMALL_V2}
    head = world.client("s3").head_object(Bucket=SITE_BUCKET, Key="assets/index-Xy98Zw7q.js")
    assert (head["ContentType"], head["CacheControl"]) == (JS, IMMUTABLE)
    assert set(latest_versions(world)) == set(v2_version)
    releases = world.release_log()["releases"]
    assert [(r["kind"], r["status"]) for r in releases][1:] == [
        ("release", "succeeded"),
        ("release", "rolled-back"),
        ("rollback", "succeeded"),
    ]
    assert releases[-1]["site_version"] == releases[1]["site_version"]

    # Further back, to r0001: it recorded no site, but r0002 recorded the one it replaced.
    further = world.cli("rollback", *world.stack_args())

    assert further.exit_code == 0, further.output
    world.assert_serving(V1)
    assert_site_v1(world)
    assert len(invalidations.created) == 4
    world.assert_invariants()


def test_site_at_looks_back_to_the_release_then_forward_to_what_replaced_it() -> None:
    """Which site served while a release was live (what a rollback to it restores)."""

    def entry(number: int, status: Status, site: str | None, previous: str | None) -> ReleaseEntry:
        return ReleaseEntry(
            id=f"r{number:04d}",
            images={"api": f"v{number}"},
            status=status,
            site_version={"index.html": site} if site else None,
            previous_site_version={"index.html": previous} if previous else None,
            started_at=datetime(2026, 1, number, tzinfo=UTC),
        )

    log = ReleaseLog(
        app=APP,
        stack=STACK,
        releases=[
            entry(1, "succeeded", None, None),  # the site predates the log
            entry(2, "succeeded", "s2", "s1"),
            entry(3, "succeeded", None, None),  # images only: s2 still served
            entry(4, "rolled-back", "s4", "s2"),  # its site was taken back
            entry(5, "succeeded", None, None),
        ],
    )
    r1, r2, r3, _, r5 = log.releases
    assert _site_at(log, r2) == {"index.html": "s2"}  # its own
    assert _site_at(log, r3) == {"index.html": "s2"}  # looking back
    assert _site_at(log, r5) == {"index.html": "s2"}  # looking back past a rolled-back one
    assert _site_at(log, r1) == {"index.html": "s1"}  # forward: what r0002 replaced
    assert _site_at(ReleaseLog(app=APP, stack=STACK, releases=[r1]), r1) is None
