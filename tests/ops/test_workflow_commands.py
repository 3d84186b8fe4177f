"""The workflows call the `golive` CLI as it is: they can never drift apart again.

1. Every `./dev ...` / `golive ...` invocation in a workflow `run:` script (options collected
   into a bash array and expanded with `"${NAME[@]}"` included) is checked against the typer
   app's click command tree: the command exists, each long option exists on it, flags get no
   value and the others get one, and the positional arguments fit.
2. The release and rollback steps are run with bash and a stand-in `./dev` that records its
   arguments, for two services as `build-images.sh`/`resolve-images.sh` print them; those very
   arguments then release and roll back the moto stack.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from ruamel.yaml import YAML
from typer.core import TyperGroup

from ops.cli import app
from tests.ops.world import API_V1, REPO, STACK, WORKER_V1, World

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
DEV_SCRIPT = ROOT / "dev"
# `./dev test` is the dev script's own command (lint, types, tests); everything else is golive.
DEV_COMMANDS = {"test": '[ "${1:-}" = "test" ]'}

INVOCATION = re.compile(
    r"(?:^|&&|\|\||[;|(]|\$\(|\bthen\b|\bdo\b|\belse\b|\bexec\b)\s*(?:\./dev|golive)"
    r"(?:\s+(?P<rest>.*))?$"
)
ARRAY_EXPANSION = re.compile(r"^\$\{(?P<name>\w+)\[@\]\}$")


@dataclass(frozen=True)
class Invocation:
    where: str
    argv: tuple[str, ...]


def _words(text: str) -> list[str]:
    """Shell words up to the first control operator (`;`, `&&`, `|`, `>`, `)` ...); a file
    descriptor's number before a redirection (`2>&1`) is no word."""
    text = re.sub(r"(?:^|(?<=\s))\d+(?=[<>])", "", text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    for word in lexer:
        if word and set(word) <= set("();<>|&"):
            break
        words.append(word)
    return words


def _array_items(script: str, name: str) -> list[str]:
    """What `NAME=(...)` and `NAME+=(...)` put into a bash array, in script order."""
    items: list[str] = []
    for match in re.finditer(rf"(?<![\w$]){name}\+?=\((?P<items>[^)]*)\)", script):
        items += shlex.split(match["items"])
    return items


def invocations_in(script: str) -> list[tuple[str, ...]]:
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        match = INVOCATION.search(line.strip())
        if match is None:
            continue
        argv: list[str] = []
        for word in _words(match["rest"] or ""):
            expansion = ARRAY_EXPANSION.match(word)
            argv += _array_items(script, expansion["name"]) if expansion else [word]
        found.append(tuple(argv))
    return found


def workflow_invocations() -> list[Invocation]:
    found = []
    for path in WORKFLOWS:
        workflow = YAML(typ="safe").load(path.read_text())
        for job_id, job in workflow["jobs"].items():
            for index, step in enumerate(job.get("steps", [])):
                if "run" not in step:
                    continue
                for argv in invocations_in(str(step["run"])):
                    where = f"{path.name}:{job_id}:{step.get('name', index)}"
                    found.append(Invocation(where, argv))
    return found


def problems(argv: tuple[str, ...] | list[str]) -> list[str]:
    """Why `golive ARGV` would not parse on the CLI as it is (empty: it would)."""
    # typer vendors click: its classes, not the `click` package's, make up the tree.
    command: Any = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="golive")
    words = list(argv)
    if words and words[0] in DEV_COMMANDS:
        handled = DEV_COMMANDS[words[0]] in DEV_SCRIPT.read_text()
        return [] if handled else [f"./dev no longer handles {words[0]!r} itself"]
    path = ["golive"]
    found: list[str] = []
    positionals = 0
    while words:
        word = words.pop(0)
        if word.startswith("--"):
            name, has_value, _ = word.partition("=")
            options = {
                opt: param
                for param in command.get_params(ctx)
                if param.param_type_name == "option"
                for opt in (*param.opts, *param.secondary_opts)
            }
            option = options.get(name)
            if option is None:
                found.append(f"{' '.join(path)} has no option {name}")
            elif option.is_flag or option.count:
                if has_value:
                    found.append(f"{' '.join(path)} {name} is a flag: it takes no value")
            elif not has_value and (not words or words[0].startswith("--")):
                found.append(f"{' '.join(path)} {name} needs a value")
            elif not has_value:
                words.pop(0)
            continue
        if word.startswith("-"):
            continue  # short options: not this check's concern
        if isinstance(command, TyperGroup):
            sub = command.get_command(ctx, word)
            if sub is None:
                found.append(f"{' '.join(path)} has no command {word!r}")
                return found
            command = sub
            ctx = typer.Context(command, info_name=word, parent=ctx)
            path.append(word)
            continue
        positionals += 1
    if isinstance(command, TyperGroup):
        if "--help" not in argv:
            found.append(f"{' '.join(path)} needs a command")
        return found
    arguments = [p for p in command.get_params(ctx) if p.param_type_name == "argument"]
    required = sum(1 for p in arguments if p.required)
    unlimited = any(p.nargs == -1 for p in arguments)
    if positionals < required or (positionals > len(arguments) and not unlimited):
        found.append(
            f"{' '.join(path)} takes {required}-{len(arguments)} arguments, got {positionals}"
        )
    return found


INVOCATIONS = workflow_invocations()


@pytest.mark.parametrize("invocation", INVOCATIONS, ids=[i.where for i in INVOCATIONS])
def test_workflow_invocation_matches_the_cli(invocation: Invocation) -> None:
    assert problems(invocation.argv) == [], invocation


def test_the_extraction_sees_every_cli_call_of_the_workflows() -> None:
    calls = {(i.where.split(":")[0], i.argv[0] if i.argv else "") for i in INVOCATIONS}
    assert {
        ("pr.yml", "test"),
        ("pr.yml", "--help"),
        ("deploy.yml", "builds"),
        ("deploy.yml", "approvers"),
        ("promote.yml", "approve"),
        ("rollback.yml", "approve"),
        ("release.yml", "up"),
        ("release.yml", "images"),
        ("release.yml", "release"),
        ("release.yml", "plan"),
        ("release.yml", "cleanup"),
        ("rollback.yml", "rollback"),
        ("rollback.yml", "plan"),
        ("rollback.yml", "cleanup"),
    } <= calls
    rollback = next(i.argv for i in INVOCATIONS if i.argv[:1] == ("rollback",))
    assert rollback == ("rollback", "$STACK", "--to", "$VERSION")
    releases = {i.argv for i in INVOCATIONS if i.argv[:1] == ("release",)}
    assert releases == {
        ("release", "$STACK", "--commit", "$COMMIT", "--image", "$image", "--site", "$SITE")
    }


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (("rollback", "staging", "--image", "x"), "golive rollback has no option --image"),
        (("release", "staging"), ""),  # a missing required option is click's to report
        (("deploy", "staging"), "golive has no command 'deploy'"),
        (("plan", "staging", "--controls=yes"), "--controls is a flag"),
        (("release", "staging", "--image"), "--image needs a value"),
        (("release", "staging", "prod", "--image", "v1"), "takes 1-1 arguments, got 2"),
        (("secrets", "--outputs", "x"), "golive secrets has no option --outputs"),
        (("secrets", "check"), "takes 1-1 arguments, got 0"),
        (("secrets",), "golive secrets needs a command"),
    ],
)
def test_the_check_catches_drift(argv: tuple[str, ...], problem: str) -> None:
    found = problems(argv)
    assert (problem in " ".join(found)) if problem else found == [], found


def test_invocations_are_read_like_bash() -> None:
    script = 'x=(--a "b c")\nx+=(--d)\nif true; then ./dev run-task "$S" migrate "${x[@]}" && echo ok; fi'
    assert invocations_in(script) == [("run-task", "$S", "migrate", "--a", "b c", "--d")]
    assert invocations_in('echo "use golive release"') == []
    assert invocations_in('./dev approve prod --actor "$A" 2>&1 | tee -a x') == [
        ("approve", "prod", "--actor", "$A")
    ]


# ----------------------------------------------------------------------------- run the steps


def _step(workflow: str, job: str, name: str) -> dict[str, Any]:
    loaded = YAML(typ="safe").load((ROOT / ".github" / "workflows" / workflow).read_text())
    [step] = [s for s in loaded["jobs"][job]["steps"] if s.get("name") == name]
    return step


def _argv_of_step(step: dict[str, Any], env: dict[str, str], tmp_path: Path) -> list[str]:
    """Run the step's script with bash -e, as GitHub does, with a stand-in `./dev`."""
    dev = tmp_path / "dev"
    dev.write_text('#!/usr/bin/env bash\nprintf "%s\\0" "$@" > "$ARGV_FILE"\n')
    dev.chmod(0o755)
    argv_file = tmp_path / "argv"
    result = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])],
        env={"PATH": os.environ["PATH"], "ARGV_FILE": str(argv_file), **env},
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return argv_file.read_text().split("\0")[:-1]


API_DIGEST = f"{REPO}/auction-api@sha256:{'a' * 64}"
WORKER_DIGEST = f"{REPO}/auction-worker@sha256:{'b' * 64}"


def test_ci_release_and_rollback_arguments_work_on_the_stack(world: World, tmp_path: Path) -> None:
    """What release.yml and rollback.yml pass for two services releases and rolls back both."""
    assert STACK == "staging"
    built = f"api={API_DIGEST}\nworker={WORKER_DIGEST}\n"  # `golive images`'s output
    release = _argv_of_step(
        _step("release.yml", "release", "golive release (by digest)"),
        {"IMAGES": built, "STACK": "staging", "COMMIT": "c0ffee", "SITE": ""},
        tmp_path,
    )
    assert release == [
        "release", "staging", "--commit", "c0ffee",
        "--image", f"api={API_DIGEST}", "--image", f"worker={WORKER_DIGEST}",
    ]  # fmt: skip

    released = world.cli(*release, "--outputs", str(world.outputs_path))

    assert released.exit_code == 0, released.output
    world.assert_serving({"api": API_DIGEST, "worker": WORKER_DIGEST})
    assert world.release_log()["releases"][-1]["commit"] == "c0ffee"

    step = _step("rollback.yml", "rollback", "golive rollback")
    by_id = _argv_of_step(step, {"VERSION": "r0001-00000001", "STACK": "staging"}, tmp_path)
    assert by_id == ["rollback", "staging", "--to", "r0001-00000001"]
    previous = _argv_of_step(step, {"VERSION": "", "STACK": "staging"}, tmp_path)
    assert previous == ["rollback", "staging"]

    rolled_back = world.cli(*previous, "--outputs", str(world.outputs_path))

    assert rolled_back.exit_code == 0, rolled_back.output
    world.assert_serving({"api": API_V1, "worker": WORKER_V1})
    assert world.release_log()["releases"][-2]["status"] == "rolled-back"
    world.assert_invariants()
