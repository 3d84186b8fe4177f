"""Prod's approval on every GitHub plan: who may release a stack by hand (`ci.approvers`).

GitHub's required reviewers on an environment hold a job until someone approves it, but only in
public repositories, or in private ones on GitHub Enterprise: Pro and Team get environments
without reviewers, and Free no environments in private repositories. A stack file that names
`ci.approvers` gets an approval that works on every plan instead: the deploy run stops after
prod's preview, and the workflows that release or roll back by hand (promote.yml, rollback.yml)
go on only when the person who started the run is one of the approvers. Running a workflow by
hand needs write access on every plan, and the approvers list changes only through a merge to
main, whose workflows alone may assume the deploy role.

The person checked is GitHub's `triggering_actor`, who started this attempt of the run: on a
re-run it is the one who re-ran it, where `actor` stays the first run's.

An approver may approve a version they merged themselves, even with other approvers listed: the
person who runs promote.yml is the approval, so "their own" could only mean the author of the
change, and a version carries every commit since prod's last release, by any number of authors,
which no check here can attribute without GitHub's API. Four eyes on a change belong to the pull
request's required review (a branch rule); refusing self-approval here would only stop a team of
two when one of them is away. The run's summary records who approved.
"""

from __future__ import annotations

import difflib

from ops.errors import ExitCode, OpsError
from stacks.config import StackConfig


def approvers(cfg: StackConfig) -> list[str]:
    """The stack's approvers; empty when its GitHub environment approves (or nothing does)."""
    return list(cfg.ci.approvers or [])


def approval(cfg: StackConfig, actor: str) -> str:
    """Why `actor` may go on with a release of the stack; an OpsError when they may not."""
    if not actor:
        raise OpsError(
            "no GitHub login to check (--actor is empty)",
            'pass the login that started the run: --actor "$GITHUB_TRIGGERING_ACTOR"',
            exit_code=ExitCode.USAGE,
        )
    names = approvers(cfg)
    where = f"Pulumi.{cfg.stack}.yaml"
    if not names:
        return (
            f"{where} names no ci.approvers: the `{cfg.stack}` GitHub environment's required "
            "reviewers approve, where the repository's plan offers them"
        )
    if actor.lower() in {name.lower() for name in names}:
        return f"approved by {actor}, an approver of {cfg.stack} ({', '.join(names)})"
    raise OpsError(
        f"{actor} is not an approver of {cfg.stack}: {where} names {', '.join(names)} in "
        f"ci.approvers{_typo(actor, names)}; nothing was deployed",
        f"ask one of them to run this workflow (or to re-run this run); to make {actor} an "
        f"approver, add the login to ci.approvers in {where} through a reviewed merge to main",
    )


def _typo(actor: str, names: list[str]) -> str:
    """A listed login that differs from `actor` by a slip of the keyboard: the stack file's
    mistake, since GitHub spells the actor."""
    by_lower = {name.lower(): name for name in names}
    close = difflib.get_close_matches(actor.lower(), list(by_lower), n=1, cutoff=0.75)
    return f" ({by_lower[close[0]]!r} looks like a typo of {actor!r})" if close else ""
