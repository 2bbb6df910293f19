"""The one reader of data files (read/datafile.py) and the modules that judge what it reads.

Every data file reports its problems at the file's own lines, with the codes a story's front matter gets.
"""

from __future__ import annotations

from pathlib import Path

from carehub.check import vocabularies
from carehub.check.catalogue import load_sites
from carehub.check.glossary import load_glossary
from carehub.read.datafile import read_data_file, read_data_path
from carehub.read.yamlreader import Rejected

from .conftest import ROOT, make_project

SITE = (ROOT / "data" / "sites" / "buurtzorg.yml").read_text(encoding="utf-8")


def test_values_and_positions_are_at_the_files_own_lines() -> None:
    document, problems = read_data_file(b"# a comment\nname: Sutton Homes of Care\nregion:\n  london\n", "x.yml")
    assert problems == [] and document is not None
    assert document.data == {"name": "Sutton Homes of Care", "region": "london"}
    assert document.line(("name",)) == 2
    assert (document.line(("region",), key=True), document.line(("region",))) == (3, 4)
    assert document.line(("missing",)) == 0


def test_a_duplicate_key_in_a_site_file_is_reported_at_its_line(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    site = root / "data" / "sites" / "buurtzorg.yml"
    site.write_text(SITE + "kind: partnership\n", encoding="utf-8")
    sites, problems = load_sites(root, vocabularies.load(root / "data" / "vocabularies.yml", root)[0])
    line = SITE.count("\n") + 1
    assert [(p.file, p.line, p.code) for p in problems] == [("data/sites/buurtzorg.yml", line, "CH104")]
    assert "buurtzorg" in sites  # the first `kind` stands


def test_an_escaped_invisible_character_is_one_problem_and_reads_on_as_it_looks() -> None:
    text = 'terms:\n  - term: "Accident\\vand emergency"\n    definition: Hospital emergency care.\n'
    document, problems = read_data_file(text.encode(), "data/glossary.yml")
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 20, "CH112")]
    assert document is not None and document.data["terms"][0]["term"] == "Accidentand emergency"
    kept, _ = read_data_file(text.encode(), "data/glossary.yml", keep_rejected=True)
    assert kept is not None and isinstance(kept.data["terms"][0]["term"], Rejected)


def test_a_file_that_is_not_utf8_or_not_yaml_gives_no_values() -> None:
    assert [p.code for p in read_data_file(b"name: caf\xe9\n", "x.yml")[1]] == ["CH100"]
    document, problems = read_data_file(b"kind: partnership\nname: Sutton: Homes of Care\n", "x.yml")
    assert document is None and [(p.line, p.column, p.code) for p in problems] == [(2, 13, "CH103")]


def test_a_yaml_document_marker_is_yaml_not_the_end_of_the_file(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    glossary = root / "data" / "glossary.yml"
    glossary.write_text("---\n" + glossary.read_text(encoding="utf-8"), encoding="utf-8")
    terms, problems = load_glossary(root)
    assert problems == [] and len(terms.terms) == len(load_glossary(ROOT)[0].terms)


def test_a_file_that_cannot_be_read_is_one_problem(tmp_path: Path) -> None:
    document, problems = read_data_path(tmp_path / "nowhere.yml", "data/nowhere.yml")
    assert document is None
    assert [(p.file, p.line, p.code) for p in problems] == [("data/nowhere.yml", 0, "CH600")]
