"""The GitHub workflows, checked offline: schema, permissions, environments, guards, pins.

Workflows cannot run here, so the tests (1) validate each file against check-jsonschema's
vendored GitHub-workflow schema, (2) assert the security properties on the parsed YAML, and
(3) execute the guard scripts and helper scripts with bash, with stand-ins for `aws`, `docker`
and `./dev`, so the typed confirmations and the digest plumbing are tested, not just read.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from check_jsonschema.builtin_schemas import get_builtin_schema
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPTS = ROOT / ".github" / "scripts"
NAMES = ("pr.yml", "deploy.yml", "rollback.yml")

ALLOWED_ACTIONS = {
    "actions/checkout": {"v4", "v5"},
    "actions/setup-python": {"v5", "v6"},
    "pulumi/actions": {"v7"},
    "aws-actions/configure-aws-credentials": {"v6"},
    "aws-actions/amazon-ecr-login": {"v2"},
}
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"


def load(name: str) -> dict[str, Any]:
    # YAML 1.2 (ruamel), as GitHub reads it: PyYAML would turn the `on:` key into True.
    return YAML(typ="safe").load((WORKFLOWS / name).read_text())


def jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return workflow["jobs"]


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@", 1)[0]


def all_jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name in NAMES:
        for job_id, job in jobs(load(name)).items():
            yield name, job_id, job


def uses_aws(job: dict[str, Any]) -> bool:
    return any(uses(s) == AWS_CREDENTIALS for s in steps(job))


def run_scripts(job: dict[str, Any]) -> list[str]:
    return [str(s["run"]) for s in steps(job) if "run" in s]


def step_named(job: dict[str, Any], pattern: str) -> dict[str, Any]:
    [found] = [s for s in steps(job) if re.search(pattern, str(s.get("name", "")))]
    return found


# ----------------------------------------------------------------------------- schema


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return get_builtin_schema("vendor.github-workflows")


@pytest.mark.parametrize("name", NAMES)
def test_workflow_matches_the_vendored_schema(name: str, schema: dict[str, Any]) -> None:
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(load(name)))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_check_is_not_vacuous(schema: dict[str, Any]) -> None:
    broken = copy.deepcopy(load("deploy.yml"))
    broken["jobs"]["release-prod"]["concurrency"]["queue"] = "forever"
    broken["jobs"]["guard-prod"]["runs-on"] = None
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) >= 2


def test_check_jsonschema_cli_accepts_every_workflow() -> None:
    """The offline command the README documents (no network: the schema is vendored)."""
    cli = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(cli), "--builtin-schema", "vendor.github-workflows",
         *(str(WORKFLOWS / n) for n in NAMES)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# ----------------------------------------------------------------------------- actions, tokens


def test_actions_are_pinned_to_allowed_majors() -> None:
    for name, job_id, job in all_jobs():
        for step in steps(job):
            if "uses" not in step:
                continue
            action, _, ref = str(step["uses"]).partition("@")
            assert action in ALLOWED_ACTIONS, (name, job_id, action)
            assert ref in ALLOWED_ACTIONS[action], (name, job_id, step["uses"])


def test_workflow_tokens_default_to_read_only() -> None:
    for name in NAMES:
        assert load(name)["permissions"] == {"contents": "read"}, name


def test_oidc_only_where_aws_credentials_are_used() -> None:
    for name, job_id, job in all_jobs():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{name}:{job_id} must declare its permissions"
        if uses_aws(job):
            assert permissions.get("id-token") == "write", (name, job_id)
            assert permissions.get("contents") == "read", (name, job_id)
        else:
            assert "id-token" not in permissions, (name, job_id)


def test_roles_come_from_repository_variables_never_secrets() -> None:
    for name, job_id, job in all_jobs():
        for step in steps(job):
            if uses(step) != AWS_CREDENTIALS:
                continue
            role = str(step["with"]["role-to-assume"])
            assert re.fullmatch(r"\$\{\{.*vars\.[A-Z_]+_ROLE_ARN.*\}\}", role), (name, job_id)
            assert "secrets." not in role
            assert set(step["with"]) >= {"role-to-assume", "aws-region"}
            assert not {"aws-access-key-id", "aws-secret-access-key"} & set(step["with"])


def test_no_untrusted_expression_is_interpolated_into_scripts() -> None:
    """Inputs, event data and step outputs reach scripts through env, never `${{ }}` in code."""
    for name, job_id, job in all_jobs():
        for script in run_scripts(job):
            assert "${{" not in script, (name, job_id, script)


def test_checkout_does_not_persist_the_token() -> None:
    for name, job_id, job in all_jobs():
        for step in steps(job):
            if uses(step) == "actions/checkout":
                assert step.get("with", {}).get("persist-credentials") is False, (name, job_id)


# ----------------------------------------------------------------------------- pr.yml


def test_pr_runs_the_readme_test_command_first() -> None:
    pr = load("pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    test = jobs(pr)["test"]
    assert "./dev test" in run_scripts(test)
    assert not uses_aws(test)
    for job_id, job in jobs(pr).items():
        if job_id != "test":
            assert job.get("needs") in ("test", "preview-staging", ["test"]), job_id


def test_pr_previews_staging_with_the_pack_and_a_pr_comment() -> None:
    job = jobs(load("pr.yml"))["preview-staging"]
    [preview] = [s for s in steps(job) if uses(s) == "pulumi/actions"]
    options = preview["with"]
    assert options["command"] == "preview" and options["stack-name"] == "staging"
    assert options["policyPacks"] == "policies/pack"
    assert options["diff"] is True and options["comment-on-pr"] is True
    assert options["cloud-url"] == "${{ env.PULUMI_BACKEND_URL }}"
    assert options["secrets-provider"] == "${{ env.SECRETS_PROVIDER }}"
    assert job["permissions"]["pull-requests"] == "write"
    assert "STAGING_PREVIEW_ROLE_ARN" in str(job)
    assert "environment" not in job


def test_pr_state_backend_and_secrets_provider_come_from_variables() -> None:
    for name in NAMES:
        env = load(name)["env"]
        assert env["PULUMI_BACKEND_URL"].startswith("s3://${{ vars.PULUMI_STATE_BUCKET }}")
    pr_env = load("pr.yml")["env"]
    assert pr_env["SECRETS_PROVIDER"].startswith("awskms://alias/${{ vars.PULUMI_KMS_ALIAS }}")


def test_pull_requests_preview_staging_only_and_never_from_a_fork() -> None:
    """Prod's roles trust runs of main only: no pull request job may ask for one."""
    pr = load("pr.yml")
    fork_guard = "github.event.pull_request.head.repo.full_name == github.repository"
    assert "pull_request_target" not in str(pr["on"])
    for job_id, job in jobs(pr).items():
        if uses_aws(job):
            assert fork_guard in str(job.get("if", "")), job_id
        assert "PROD_" not in str(job) and job.get("environment") != "prod", job_id
    [preview] = [s for s in steps(jobs(pr)["preview-staging"]) if uses(s) == "pulumi/actions"]
    assert preview["with"]["stack-name"] == "staging"
    assert preview["with"]["policyPacks"] == "policies/pack"


def test_no_workflow_runs_on_pull_request_target() -> None:
    for name in NAMES:
        assert "pull_request_target" not in load(name)["on"], name


# ----------------------------------------------------------------------------- concurrency


def _touches_stack(job: dict[str, Any]) -> bool:
    return any(re.search(r"\./dev (release|rollback)|pulumi up", s) for s in run_scripts(job))


def test_stack_jobs_serialize_per_stack_and_never_cancel() -> None:
    expected = {
        ("deploy.yml", "release-staging"): "pulumi-staging",
        ("deploy.yml", "release-prod"): "pulumi-prod",
        ("rollback.yml", "rollback"): "pulumi-${{ inputs.environment }}",
    }
    found = {}
    for name, job_id, job in all_jobs():
        if _touches_stack(job):
            concurrency = job["concurrency"]
            assert concurrency["cancel-in-progress"] is False, (name, job_id)
            assert concurrency["queue"] == "max", (name, job_id)
            found[(name, job_id)] = concurrency["group"]
    assert found == expected


def test_nothing_ever_cancels_in_progress_and_previews_stay_out_of_stack_groups() -> None:
    for name in NAMES:
        workflow = load(name)
        groups = [workflow.get("concurrency")] + [
            j.get("concurrency") for j in jobs(workflow).values()
        ]
        for group in filter(None, groups):
            assert group.get("cancel-in-progress", False) is False, name
    pr_group = load("pr.yml")["concurrency"]["group"]
    assert not pr_group.startswith("pulumi-")


# ----------------------------------------------------------------------------- deploy.yml


def test_deploy_staging_on_main_by_digest() -> None:
    deploy = load("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    build = jobs(deploy)["build"]
    assert build["if"] == "github.event_name == 'push'"
    assert any(".github/scripts/build-images.sh" in s for s in run_scripts(build))
    release = jobs(deploy)["release-staging"]
    assert release["needs"] == "build" and release["environment"] == "staging"
    step = step_named(release, "golive release staging")
    assert step["env"]["IMAGES"] == "${{ needs.build.outputs.images }}"
    assert "./dev release staging" in step["run"]


def test_prod_deploy_is_dispatched_confirmed_and_reviewed() -> None:
    deploy = load("deploy.yml")
    inputs = deploy["on"]["workflow_dispatch"]["inputs"]
    assert inputs["confirm"]["required"] is True and inputs["image"]["required"] is True
    guard = jobs(deploy)["guard-prod"]
    assert guard["if"] == "github.event_name == 'workflow_dispatch'"
    assert not uses_aws(guard)
    prod = jobs(deploy)["release-prod"]
    assert prod["needs"] == "guard-prod"
    assert prod["environment"] == "prod"
    assert "inputs.confirm == 'DEPLOY'" in prod["if"]
    assert "PROD_DEPLOY_ROLE_ARN" in str(prod)
    assert "./dev release prod" in step_named(prod, "golive release prod")["run"]


@pytest.mark.parametrize(("name", "job_id"), [("deploy.yml", "release-staging"),
                                             ("deploy.yml", "release-prod"),
                                             ("rollback.yml", "rollback")])  # fmt: skip
def test_controls_run_on_the_exported_state_after_each_release(name: str, job_id: str) -> None:
    job = jobs(load(name))[job_id]
    step = step_named(job, "Controls on the deployed state")
    assert step["if"] == "${{ !cancelled() }}"
    assert "pulumi stack export --stack" in step["run"]
    assert re.search(
        r"\./dev plan \S+ --controls --state \"\$RUNNER_TEMP/state.json\"", step["run"]
    )
    login = step_named(job, "Log in to the state backend")["run"]
    assert 'pulumi login "$PULUMI_BACKEND_URL"' in login


# ----------------------------------------------------------------------------- rollback.yml


def test_rollback_is_dispatched_per_environment_and_confirmed() -> None:
    rollback = load("rollback.yml")
    assert set(rollback["on"]) == {"workflow_dispatch"}
    inputs = rollback["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["type"] == "choice"
    assert inputs["environment"]["options"] == ["staging", "prod"]
    assert {"image", "confirm"} <= set(inputs)
    job = jobs(rollback)["rollback"]
    assert job["needs"] == "guard"
    assert job["environment"] == "${{ inputs.environment }}"
    assert "inputs.confirm == 'ROLLBACK'" in job["if"]
    assert './dev rollback "$STACK"' in step_named(job, "golive rollback")["run"]


# ----------------------------------------------------------------------------- run the guards


def _bash(
    script: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", script], env={"PATH": os.environ["PATH"], **env}, cwd=cwd,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "job_id", "word"), [("deploy.yml", "guard-prod", "DEPLOY"),
                                 ("rollback.yml", "guard", "ROLLBACK")]
)  # fmt: skip
def test_typed_confirmation_guard(name: str, job_id: str, word: str) -> None:
    step = step_named(jobs(load(name))[job_id], "Typed confirmation")
    assert step["env"]["CONFIRM"] == "${{ inputs.confirm }}"
    assert _bash(step["run"], {"CONFIRM": word}).returncode == 0
    for wrong in ("", word.lower(), f"{word} ", "yes", f"{word}; true"):
        result = _bash(step["run"], {"CONFIRM": wrong})
        assert result.returncode == 1, wrong
        assert f"must be exactly {word}" in result.stdout


@pytest.mark.parametrize(
    ("name", "job_id"), [("deploy.yml", "guard-prod"), ("rollback.yml", "guard")]
)
def test_image_and_branch_guards(name: str, job_id: str) -> None:
    job = jobs(load(name))[job_id]
    image = step_named(job, "Image must be")["run"]
    for good in ("3f2c1ab", "v1.2.3", "sha256:" + "a" * 64):
        assert _bash(image, {"IMAGE": good}).returncode == 0, good
    for bad in ("", "a b", "$(id)", "sha256:xyz", "-rf", "x" * 200):
        assert _bash(image, {"IMAGE": bad}).returncode == 1, bad
    branch = step_named(job, "from main")["run"]
    assert _bash(branch, {"GITHUB_REF": "refs/heads/main"}).returncode == 0
    assert _bash(branch, {"GITHUB_REF": "refs/heads/feature"}).returncode == 1


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)


IMAGES = (
    '{"api": {"context": "api", "repository": "auction-api"}, "web": {"repository": "auction-web"}}'
)
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def test_build_script_prints_one_digest_reference_per_service(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "docker", 'if [ "$1" = inspect ]; then echo "${4%:*}@sha256:'
          + "b" * 64 + '"; else echo "docker $*" >&2; fi\n')  # fmt: skip
    result = _bash(
        f'"{SCRIPTS / "build-images.sh"}" 3f2c1ab',
        {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GOLIVE_IMAGES": IMAGES, "REGISTRY": REGISTRY},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"api={REGISTRY}/auction-api@sha256:{'b' * 64}",
        f"web={REGISTRY}/auction-web@sha256:{'b' * 64}",
    ]
    assert f"docker push {REGISTRY}/auction-api:3f2c1ab" in result.stderr


def test_resolve_script_pins_digests_and_fails_when_one_is_missing(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "aws", 'case "$*" in *auction-web*imageTag=gone*) exit 254;; esac\n'
          'echo "sha256:' + "c" * 64 + '"\n')  # fmt: skip
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GOLIVE_IMAGES": IMAGES, "REGISTRY": REGISTRY}
    result = _bash(f'"{SCRIPTS / "resolve-images.sh"}" 3f2c1ab', env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == f"web={REGISTRY}/auction-web@sha256:{'c' * 64}"
    assert _bash(f'"{SCRIPTS / "resolve-images.sh"}" gone', env).returncode != 0


def test_release_step_passes_every_image(tmp_path: Path) -> None:
    """The release step turns each `service=ref` line into one `--image` argument."""
    _stub(tmp_path, "dev", 'printf "%s\\n" "$@"\n')
    step = step_named(jobs(load("deploy.yml"))["release-staging"], "golive release staging")
    images = f"api={REGISTRY}/a@sha256:1\nweb={REGISTRY}/w@sha256:2\n"
    result = _bash(step["run"], {"IMAGES": images}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "release", "staging",
        "--image", f"api={REGISTRY}/a@sha256:1",
        "--image", f"web={REGISTRY}/w@sha256:2",
    ]  # fmt: skip


def test_scripts_are_executable() -> None:
    for script in SCRIPTS.glob("*.sh"):
        assert os.access(script, os.X_OK), script
        assert script.read_text().startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in script.read_text()
