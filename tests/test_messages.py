"""Every message can be acted on alone: it says what was found, where, and how to fix it.

Each test checks one story in a throwaway project and reads the message and
hint a contributor would see, as `carehub check` prints them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from carehub.check.catalogue import load_catalogue
from carehub.problems import Problem

from .conftest import FIXTURES, make_project

VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text(encoding="utf-8")
INVALID = sorted((FIXTURES / "stories" / "invalid").glob("*.md"))


def _problems(project: Callable[..., Path], text: str) -> list[Problem]:
    return load_catalogue(project({"story.md": text})).problems


def _one(project: Callable[..., Path], text: str, code: str) -> Problem:
    found = [p for p in _problems(project, text) if p.code == code]
    assert len(found) == 1, [f"{p.code} {p.message}" for p in _problems(project, text)]
    return found[0]


def test_too_long_gives_the_current_length_and_the_limit(project: Callable[..., Path]) -> None:
    title = "A very long title about the red bag scheme " * 3 + "and how it spread"
    problem = _one(project, VALID.replace("title: The red bag scheme in Sutton care homes", f"title: {title}"), "CH204")
    assert f"{len(title)} characters" in problem.message and "at most 120" in problem.message
    assert f"by {len(title) - 120} characters" in problem.hint


def test_an_unknown_site_lists_the_nearest_existing_ids_and_the_sites_page(project: Callable[..., Path]) -> None:
    problem = _one(project, VALID.replace("site: sutton-homes-of-care", "site: sutton-care-homes"), "CH211")
    assert "`sutton-homes-of-care`" in problem.hint
    assert "/sites/" in problem.hint and "data/sites/sutton-care-homes.yml" in problem.hint
    assert "`site`" in problem.message


@pytest.mark.parametrize(
    ("field", "written", "meant"),
    [
        ("care_models: [enhanced-health-in-care-homes]", "care_models: [MCP]", "multispecialty-community-providers"),
        ("care_models: [enhanced-health-in-care-homes]", "care_models: [PACS]", "integrated-primary-and-acute-care"),
        ("region: london", "region: North West", "north-west"),
        ("region: london", "region: Londn", "london"),
        ("tags: [red-bag-scheme, hospital-discharge]", "tags: [red bag]", "red-bag-scheme"),
    ],
)
def test_vocabulary_values_are_matched_by_abbreviation_label_and_spelling(
    project: Callable[..., Path], field: str, written: str, meant: str
) -> None:
    problem = _one(project, VALID.replace(field, written), "CH203")
    assert f"Did you mean `{meant}`" in problem.hint


def test_a_suggestion_names_its_label_in_brackets(project: Callable[..., Path]) -> None:
    problem = _one(project, VALID.replace("evidence_level: anecdotal", "evidence_level: before-after"), "CH203")
    assert "Did you mean `before-and-after` (Before-and-after measures)? " in problem.hint, problem.hint


def test_an_abbreviation_of_a_barrier_label_is_matched(project: Callable[..., Path]) -> None:
    vocab = load_catalogue(project()).vocabularies["barriers"]
    assert vocab.suggest("IG") == ["information-governance-and-it"]
    assert vocab.suggest("governance") == ["information-governance-and-it"]
    assert vocab.suggest("nothing like it") == []


def test_a_yaml_syntax_error_hides_no_other_problem(tmp_path: Path, project: Callable[..., Path]) -> None:
    source = FIXTURES / "stories" / "invalid" / "yaml-errors-and-other-problems.md"
    problems = _problems(project, source.read_text(encoding="utf-8"))
    codes = [p.code for p in problems]
    assert codes.count("CH103") == 4
    assert {"CH208", "CH111", "CH302"} <= set(codes)  # the outcome, the period and the body's phone number
    assert "CH200" not in codes  # a field that could not be read is not reported missing as well
    unclosed = next(p for p in problems if "quoted text" in p.message)
    assert "starts on line 5" in unclosed.message and "closing quote" in unclosed.hint


def test_a_yaml_error_in_a_badly_named_file_still_reports_the_name(project: Callable[..., Path]) -> None:
    root = project({"Red_Bag.md": VALID.replace("region: london", "region: london: east")})
    codes = [p.code for p in load_catalogue(root).problems]
    assert "CH501" in codes and "CH103" in codes


@pytest.mark.parametrize("source", INVALID, ids=[p.stem for p in INVALID])
def test_every_message_says_what_and_where_and_every_hint_says_how(tmp_path: Path, source: Path) -> None:
    """Walks every CH code the fixtures raise: a sentence for what, a position or file, and a hint."""
    project = make_project(tmp_path)
    shutil.copy(source, project / "stories" / source.name)
    for extra in source.parent.glob(source.stem + ".*"):
        if extra.suffix not in (".md", ".expected"):
            shutil.copy(extra, project / "stories" / extra.name)
    for problem in load_catalogue(project).problems:
        assert problem.file.startswith("stories/"), problem
        assert problem.message.rstrip(")").endswith((".", "`")), problem.message
        assert problem.hint.strip(), f"{problem.code} has no hint: {problem.message}"
        assert "Traceback" not in problem.message and "pydantic" not in problem.message.lower()


def test_an_abbreviation_outside_the_glossary_is_a_warning_with_the_entry_to_add(
    project: Callable[..., Path],
) -> None:
    text = VALID + "\nThe COPD team and the MDT met weekly; the MDT used `SUS` data and [EMIS](https://example.org/).\n"
    problems = _problems(project, text)
    found = [p for p in problems if p.code == "CH225"]
    # Once each; code spans and link targets are not read, but a link's words are.
    assert [p.message.split("`")[1] for p in found] == ["COPD", "MDT", "EMIS"]
    assert all(p.severity == "warning" for p in found)
    assert "abbreviation: COPD" in found[0].hint and "data/glossary.yml" in found[0].hint
    assert not any(p.is_error for p in problems)  # never fails a contributor's pull request
    assert "NHS" not in {p.message.split("`")[1] for p in found}  # the glossary explains NHS
