"""`check` and the build agree on text: every string is screened after YAML has decoded it.

A double-quoted YAML escape ("\\v", "\\e", "\\0", "\\uFFFE") puts a character into a
value that a scan of the file's bytes never sees, and the feeds cannot carry
some of them.  The first tests pin where and how such characters are reported
in stories and data files; the property test builds real sites from stories
whose strings come from all of Unicode, written with every kind of escape,
and asserts that whatever `check` accepts builds and gives feeds and JSON
that parse.
"""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.check.catalogue import load_catalogue
from carehub.problems import Problem

from .conftest import make_project
from .feedkit import Spec, build, write_stories


def _problems(project: Path) -> list[Problem]:
    return list(load_catalogue(project).problems)


def _where(problems: list[Problem]) -> list[tuple[str, int, int, str]]:
    return [(p.file, p.line, p.column, p.code) for p in problems]


def test_an_escaped_backslash_is_not_an_escape(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write_stories(project, [Spec("backslash", title="Paths like C:\\vanguard\\e-referrals, written out")])
    assert "\\\\v" in (project / "stories" / "case-studies" / "backslash.md").read_text()
    assert _problems(project) == []


def test_an_escape_on_the_second_line_of_a_quoted_value_is_reported_there(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = (
        Spec("two-lines")
        .text()
        .replace('summary: "What changed', 'summary: "Line one of the summary,\n  then line two\\a. What changed', 1)
    )
    (project / "stories" / "two-lines.md").write_text(text, encoding="utf-8")
    [problem] = _problems(project)
    assert (problem.line, problem.column, problem.code) == (4, 16, "CH112")
    assert "`summary`: the escape `\\a` puts U+0007 (bell)" in problem.message
    assert "write two (`\\\\a`)" in problem.hint


def test_a_noncharacter_typed_into_a_story_is_caught_before_yaml_reads_it(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = Spec("typed").text().replace("The typed story", "The typed\ufdd0 story", 1)
    (project / "stories" / "typed.md").write_text(text, encoding="utf-8")
    assert _where(_problems(project)) == [("stories/typed.md", 2, 18, "CH109")]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("data/vocabularies.yml", "label: Hospital discharge\n", 'label: "Hospital\\vdischarge"\n'),
        (
            "data/sites/buurtzorg.yml",
            "name: Buurtzorg (the Netherlands)\n",
            'name: "Buurtzorg \\e[1m(the Netherlands)"\n',
        ),
        ("data/glossary.yml", "- term: Accident and emergency\n", '- term: "Accident and emergency\\uFFFE"\n'),
    ],
    ids=["vocabularies", "site", "glossary"],
)
def test_escapes_in_data_files_are_reported_at_their_line_once(tmp_path: Path, file: str, old: str, new: str) -> None:
    project = make_project(tmp_path)
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{file} no longer holds {old!r}: pick another line"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    escape = text.index(new) + new.index("\\")
    line, column = text.count("\n", 0, escape) + 1, escape - text.rfind("\n", 0, escape)
    problems = [p for p in _problems(project) if p.file == file]
    assert _where(problems) == [(file, line, column, "CH112")]


# -- any story check accepts builds, and every feed and JSON file parses ------------------------

# The escapes of YAML's double-quoted style that name one character each.
NAMED = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "/": "\\/",
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_RAW_UNSAFE = {'"', "\\", "\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff"}


def _visible(character: str) -> bool:
    """What a contributor may well type: anything but controls, separators, overrides and noncharacters."""
    code = ord(character)
    return not (
        unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp")
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )


# Most characters are ones a story may hold (private use, unassigned, format, combining, emoji, XML
# specials, tab and newline); now and then a value gets one that it may not (controls, noncharacters,
# overrides, separators, surrogates), so each project has stories check accepts and stories it rejects.
visible = st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]).filter(_visible),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from(["\t", "\n", '"', "\\", "/", "<", "&", "]", ">", "\ufeff", "\u200b", "\ue000", "\U000e0001"]),
)
invisible = st.one_of(
    st.sampled_from([c for c in NAMED if not _visible(c)] + ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff", "\u202e"]),
    st.characters(categories=["Cc", "Zl", "Zp"], exclude_characters="\t\n"),
    st.integers(0xFDD0, 0xFDEF).map(chr),
    st.tuples(st.integers(0, 16), st.integers(0, 1)).map(lambda p: chr(p[0] << 16 | 0xFFFE | p[1])),
    st.sampled_from([chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]),
    st.integers(0xD800, 0xDFFF).map(chr),  # only an escape can write a surrogate
)
forms = st.sampled_from(["raw", "raw", "raw", "named", "x", "u", "U"])


def _write(character: str, form: str) -> str:
    """``character`` in a double-quoted YAML scalar, as typed or as one of the escapes that can name it."""
    code = ord(character)
    safe_raw = character.isprintable() and character not in _RAW_UNSAFE
    if form == "raw" and safe_raw:
        return character
    if form in {"named", "raw"} and character in NAMED:
        return NAMED[character]
    if form == "x" and code <= 0xFF:
        return f"\\x{code:02X}"
    if form in ("x", "u", "raw", "named") and code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


@st.composite
def quoted(draw: st.DrawFn) -> str:
    """A double-quoted YAML scalar: visible characters, and one in eight times an invisible one among them."""
    pairs = draw(st.lists(st.tuples(visible, forms), min_size=5, max_size=16))
    if draw(st.integers(0, 7)) == 7:
        pairs.insert(draw(st.integers(0, len(pairs))), (draw(invisible), draw(forms)))
    return '"' + "".join(_write(c, f) for c, f in pairs) + '"'


def _story(number: int, title: str, summary: str, organisation: str, measure: str) -> str:
    """A case study whose title, summary, organisation and outcome measure are the given YAML scalars."""
    written = {
        "title": f"title: {title}",
        "summary": f"summary: {summary}",
        "organisation": f"organisation: {organisation}",
        "outcomes": (
            f"outcomes:\n  - measure: {measure}\n    before: 40\n    after: 31\n    unit: admissions a month\n"
            "    period: 2015/16 against 2016/17\n    source: Vanguard dashboard"
        ),
    }
    lines = Spec(f"generated-{number}", extra={"outcomes": []}).text().split("\n")
    return "\n".join(written.get(line.split(":", 1)[0], line) for line in lines)


def _summary(text: str) -> str:
    return text[:-1] + ' and enough words to pass the length check"'


stories = st.lists(st.tuples(quoted(), quoted().map(_summary), quoted(), quoted()), min_size=10, max_size=10)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(stories)
def test_any_story_check_accepts_builds_and_every_feed_parses(
    tmp_path_factory: pytest.TempPathFactory, generated: list[tuple[str, str, str, str]]
) -> None:
    project = make_project(tmp_path_factory.mktemp("decoded"))
    folder = project / "stories" / "case-studies"
    folder.mkdir(parents=True)
    for number, (title, summary, organisation, measure) in enumerate(generated):
        (folder / f"generated-{number}.md").write_text(
            _story(number, title, summary, organisation, measure), encoding="utf-8"
        )
    rejected = {p.file for p in _problems(project) if p.is_error}
    for file in rejected:
        (project / file).unlink()
    assert not [p for p in _problems(project) if p.is_error]
    (folder / "a-plain-one.md").write_text(Spec("a-plain-one").text(), encoding="utf-8")  # never an empty site

    site = build(project)

    for path in site.rglob("*.xml"):
        ET.fromstring(path.read_bytes())  # well-formed XML 1.0, or this raises
    for path in site.rglob("*.json"):
        json.loads(path.read_bytes())
    feeds = [p for p in site.rglob("*.xml") if not p.name.startswith("sitemap")]
    assert feeds
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path.relative_to(site)}: {parsed.get('bozo_exception')}"
    accepted = len(generated) - len(rejected)
    assert len(json.loads((site / "feed.json").read_bytes())["items"]) == accepted + 1
