"""What the README and the runbook claim about the repository is true of it."""

from __future__ import annotations

import json
import re

from ops.permissions import DEPLOY_ROLE_ACTIONS, OPERATOR_ACTIONS
from plan.harness import PROJECT_DIR, run_program
from policies.report import evaluate
from stacks.config import parse
from tests.conftest import STACKFILES, raw_config

RUNBOOK = (PROJECT_DIR / "docs" / "runbook.md").read_text()
README = (PROJECT_DIR / "README.md").read_text()


def test_the_runbook_sets_external_secrets_the_stack_files_declare_in_their_shape() -> None:
    """`golive secrets set STACK NAME < file  # {json}`: NAME is an external secret of that
    repository stack, and the JSON shown has exactly its keys."""
    examples = re.findall(r"golive secrets set (\w+) (\w+) < \S+(?:\s+# (\{.*\}))?", RUNBOOK)
    assert examples
    for stack, name, shown in examples:
        secrets = json.loads(raw_config(stack)["golive:secrets"])
        assert name in secrets, f"{name} is not a secret of Pulumi.{stack}.yaml"
        assert secrets[name]["source"] == "external", name
        keys = secrets[name].get("keys")
        if keys is not None:
            assert shown, f"{name} takes JSON: show its shape"
            assert set(json.loads(shown.replace("...", ""))) == set(keys.values())


def test_the_restore_drill_is_a_persons_job_as_the_runbook_says() -> None:
    drill = {"rds:RestoreDBInstanceFromDBSnapshot", "rds:DeleteDBInstance"}
    assert drill <= OPERATOR_ACTIONS and not drill & DEPLOY_ROLE_ACTIONS
    assert "golive restore-drill prod                            # monthly, by a person" in (
        RUNBOOK
    )
    assert "from a schedule" not in RUNBOOK


def test_a_trial_stack_declares_its_exceptions_in_one_line_as_the_readme_says() -> None:
    assert "`golive:policy:\n{profiles: [trial]}`" in README
    plan = run_program("spa", stack_file=STACKFILES / "Pulumi.spa.yaml")
    cfg = parse("spa", plan.config)
    assert cfg.domain is None and cfg.policy.profiles == ["trial"]
    report = evaluate(plan.resources, cfg.policy)
    assert report.passed and not report.blocking
    trial = {r.id for r in report.results if r.exception and r.exception.profile == "trial"}
    assert trial == {"CloudFront.7", "CloudFront.9", "ELB.1", "ELB.17"}


def test_the_readme_approval_is_what_the_workflows_run() -> None:
    """The approval the README describes per GitHub plan is the one the workflows wire up."""
    workflows = PROJECT_DIR / ".github" / "workflows"
    assert "  prod-approval:\n" in (workflows / "deploy.yml").read_text()
    assert "./dev approve prod --actor" in (workflows / "promote.yml").read_text()
    assert "last job, `prod-approval`," in README
    assert "`golive approve prod --actor LOGIN` checks GitHub's `triggering_actor`" in " ".join(
        README.split()
    )
    table = re.findall(r"^\| (public|private), ([^|]+) \|.*\| ([^|]+) \|$", README, re.M)
    assert {(visibility, plan.strip()) for visibility, plan, _ in table} == {
        ("public", "any plan"),
        ("private", "GitHub Free"),
        ("private", "GitHub Pro or Team"),
        ("private", "GitHub Enterprise"),
    }
    for visibility, plan, gate in table:
        reviewers = visibility == "public" or plan.strip() == "GitHub Enterprise"
        assert ("required reviewers" in gate) is reviewers, plan
        assert ("`ci.approvers`" in gate) is not reviewers, plan
