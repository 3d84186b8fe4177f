"""docs/controls.md: generated from the rules' metadata and held in step with them."""

from __future__ import annotations

import re

from plan.harness import PROJECT_DIR
from policies import docs
from policies.profiles import PROFILES
from policies.rules import CONTROLS


def test_docs_controls_md_is_generated_from_the_rules() -> None:
    written = (PROJECT_DIR / "docs" / "controls.md").read_text()
    assert written == docs.markdown(), "run: .venv/bin/python -m policies.docs > docs/controls.md"


def _controls_part() -> str:
    """The summary and the controls' sections (the exception profiles come before them)."""
    return docs.markdown().split("## Summary", 1)[1]


def test_every_control_has_a_section_its_summary_links_to() -> None:
    text = _controls_part()
    headings = re.findall(r"^### (\S+)$", text, re.M)
    assert headings == [c.id for c in CONTROLS]
    anchors = [docs.anchor(c) for c in CONTROLS]
    assert len(set(anchors)) == len(anchors)
    for control in CONTROLS:
        assert f"[{control.id}](#{docs.anchor(control)})" in text


def test_each_section_says_whether_an_exception_may_be_declared() -> None:
    sections = re.split(r"^### ", _controls_part(), flags=re.M)[1:]
    for control, section in zip(CONTROLS, sections, strict=True):
        assert control.why in section and control.description in section
        line = next(x for x in section.splitlines() if x.startswith("- **Exception:**"))
        assert ("may be declared" in line) is control.exception_allowed, control.id
        assert control.exception_never_covers in line


def test_each_profile_lists_its_exceptions_with_their_reasons() -> None:
    text = docs.markdown().split("## Exception profiles", 1)[1].split("## Summary", 1)[0]
    for profile in PROFILES.values():
        section = text.split(f"### {profile.name}\n", 1)[1].split("\n### ", 1)[0]
        for control_id, reason in profile.exceptions.items():
            assert f"| [{control_id}](#" in section and reason in section, control_id
        for included in profile.includes:
            assert f"Takes every exception of {included}" in section


def test_readme_points_at_the_generated_list() -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    assert "[docs/controls.md](docs/controls.md)" in readme
    assert f"{len(CONTROLS)} controls" in readme
