"""The synonym list (data/synonyms.yml, check/synonyms.py): its checks (CH606 to CH609) and the groups search gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carehub.check.glossary import load_glossary
from carehub.check.synonyms import SYNONYMS_FILE, load_synonyms, search_groups
from carehub.cli import main

from .conftest import make_project
from .html_tools import parse_file

GLOSSARY = """terms:
- term: Accident and emergency
  abbreviation: A&E
  definition: The hospital service for serious injuries and illness, open day and night.
- term: Multispecialty community provider
  abbreviation: MCP
  definition: One of the vanguard care models.
"""


def write(root: Path, text: str) -> None:
    (root / SYNONYMS_FILE).parent.mkdir(parents=True, exist_ok=True)
    (root / SYNONYMS_FILE).write_text(text, encoding="utf-8")


def test_a_missing_file_is_an_empty_list(tmp_path: Path) -> None:
    synonyms, problems = load_synonyms(tmp_path)
    assert synonyms.groups == () and problems == []


def test_groups_are_read_as_written(tmp_path: Path) -> None:
    write(tmp_path, "groups:\n- [A&E, emergency department]\n- [GP, family doctor, family doctor]\n")
    synonyms, problems = load_synonyms(tmp_path)
    assert problems == []
    assert synonyms.groups == (("A&E", "emergency department"), ("GP", "family doctor"))


@pytest.mark.parametrize(
    ("text", "code", "line", "says"),
    [
        ("groups: A&E\n", "CH606", 1, "one field, `groups`"),
        ("groups:\n- [A&E, emergency department]\nwords: [x]\n", "CH606", 1, "found words"),
        ("groups:\n- A&E\n", "CH606", 2, "one phrase on its own"),
        ("groups:\n- [A&E, {x: 1}]\n", "CH606", 2, "something other than text"),
        ("groups:\n- [A&E]\n", "CH607", 2, "at least two different phrases; found 1"),
        ("groups:\n- [GP, gp, Gp]\n", "CH607", 2, "found 1"),
        ("groups:\n- [A&E, '&&']\n", "CH608", 2, "no letters or digits"),
        ("groups:\n- [A&E, one two three four five six seven]\n", "CH608", 2, "7 words"),
        ("groups:\n- [A&E, casualty]\n- [casualty, emergency room]\n", "CH609", 3, "in group 1 too"),
    ],
)
def test_each_problem_names_its_code_line_and_what_was_found(
    tmp_path: Path, text: str, code: str, line: int, says: str
) -> None:
    write(tmp_path, text)
    _, problems = load_synonyms(tmp_path)
    assert [(p.code, p.line, p.file) for p in problems][:1] == [(code, line, SYNONYMS_FILE)], problems
    assert says in problems[0].message, problems[0].message
    assert problems[0].hint


def test_the_glossary_and_the_list_join_where_they_share_a_phrase(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    write(tmp_path, "groups:\n- [a & e, emergency department, casualty]\n- [GP, family doctor]\n")
    glossary, problems = load_glossary(tmp_path)
    assert problems == []
    assert glossary.search_groups() == [
        ["A&E", "Accident and emergency", "emergency department", "casualty"],
        ["MCP", "Multispecialty community provider"],
        ["GP", "family doctor"],
    ]


def test_a_group_bridging_two_others_makes_them_one() -> None:
    from carehub.check.synonyms import Synonyms

    groups = search_groups({"A&E": "Accident and emergency", "ED": "Emergency department"}, Synonyms((("A&E", "ED"),)))
    assert groups == [["A&E", "Accident and emergency", "ED", "Emergency department"]]


def test_carehub_check_reports_a_bad_synonym_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path)
    write(root, "groups:\n- [A&E, emergency department]\n- [emergency department, casualty]\n")
    assert main(["--root", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "CH609" in out and f"{SYNONYMS_FILE}:3" in out, out


@pytest.mark.build
def test_the_glossary_page_lists_what_search_treats_as_each_entry(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    groups = "- [A&E, emergency department, casualty]\n- [GP, family doctor]\n- [care home, nursing home]\n"
    write(root, "groups:\n" + groups)
    assert main(["--root", str(root), "build", "--quiet"]) == 0
    tree = parse_file(root / "site" / "glossary" / "index.html")
    glossary, _ = load_glossary(root)
    shown: dict[str, str] = {}
    for entry in tree.find_all("div", class_="ch-glossary__entry"):
        same = entry.find("p", class_="ch-glossary__same")
        shown[str(entry.attrs["id"])] = " ".join(same.text.split()) if same else ""
    # From the same groups search is given (A&E and ED share "emergency department", so they are one group).
    assert shown["a-e"] == "Search treats as the same: ED, Emergency department, casualty."
    assert shown["gp"] == "Search treats as the same: family doctor."
    assert shown["mcp"] == ""  # its abbreviation is in its heading; nothing else is the same
    for term in glossary.terms:
        listed = ", ".join(glossary.same_as(term))
        assert shown[term.anchor] == (f"Search treats as the same: {listed}." if listed else ""), term.term
    # And search is given exactly those groups.
    meta = json.loads((root / "site" / "search-index" / "meta.json").read_text(encoding="utf-8"))
    assert ["a e", "accident and emergency", "ed", "emergency department", "casualty"] in meta["synonyms"]
