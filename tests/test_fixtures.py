"""Fixture files beside their expected problems, as Python-Markdown and pypa/build do.

Each `invalid/NAME.md` is checked alone in a fresh project; `NAME.expected`
lists the problems `carehub check` must report, one `line:column severity
code` per line, in order.  Adding a case is adding two files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carehub.check.catalogue import load_catalogue

from .conftest import FIXTURES, TODAY, make_project

INVALID = sorted((FIXTURES / "stories" / "invalid").glob("*.md"))
VALID = sorted((FIXTURES / "stories" / "valid").glob("*.md"))


def _problems_for(tmp_path: Path, source: Path) -> list[str]:
    project = make_project(tmp_path)
    shutil.copy(source, project / "stories" / source.name)
    for extra in source.parent.glob(source.stem + ".*"):
        if extra.suffix not in (".md", ".expected"):
            shutil.copy(extra, project / "stories" / extra.name)
    catalogue = load_catalogue(project, today=TODAY)
    return [f"{p.line}:{p.column} {p.severity} {p.code}" for p in catalogue.problems]


@pytest.mark.parametrize("source", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_reports_expected_problems(tmp_path: Path, source: Path) -> None:
    expected_file = source.with_suffix(".expected")
    expected = [line.split("#", 1)[0].strip() for line in expected_file.read_text().splitlines()]
    expected = [line for line in expected if line]
    assert expected, f"{expected_file.name} lists no problems"
    assert _problems_for(tmp_path, source) == expected


@pytest.mark.parametrize("source", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_has_no_errors(tmp_path: Path, source: Path) -> None:
    problems = _problems_for(tmp_path, source)
    expected_file = source.with_suffix(".expected")
    expected = expected_file.read_text().split() if expected_file.exists() else []
    assert [p for p in problems if " error " in p] == []
    assert len(problems) == len(expected) // 3


def test_there_are_fixtures_for_every_type() -> None:
    text = "\n".join(p.read_text() for p in VALID)
    for story_type in ("patient-story", "failure", "case-study", "resource"):
        assert f"type: {story_type}" in text
    assert len(INVALID) >= 20
