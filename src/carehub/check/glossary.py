"""The glossary in data/glossary.yml: terms, their abbreviations, and what they mean.

One file serves three purposes: the /glossary/ page, the explanation of
abbreviations in place on every page (``<abbr title="…">PACS</abbr>``), which
Python-Markdown's ``abbr`` extension does from the ``glossary`` mapping built
here — in the Markdown tree, so headings, links and code are left intact —
and search, where an abbreviation and its term find each other
(``search_groups``, with data/synonyms.yml, read here too).  The page lists,
under each entry, the other phrases search treats as it (``same_as``), from
those same groups.

The file format (shared with the content helpers)::

    terms:
      - term: Integrated primary and acute care system
        abbreviation: PACS          # optional
        definition: One or two plain-English sentences.
        see_also: [Vanguard]        # optional; other terms in this file

Reading never raises for bad content: it returns problems (CH600) naming the
line, like every other data file.  Must not know about MkDocs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from carehub.check.synonyms import Synonyms, folded, load_synonyms, search_groups
from carehub.problems import Problem
from carehub.read.datafile import read_data_path
from carehub.read.yamlreader import Rejected

GLOSSARY_FILE = "data/glossary.yml"
_ABBREVIATION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9&]{1,11}$")


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    term: str
    definition: str
    abbreviation: str | None = None
    see_also: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """A stable fragment id for /glossary/#<anchor>: the abbreviation if any, else the term."""
        return re.sub(r"[^a-z0-9]+", "-", (self.abbreviation or self.term).lower()).strip("-")


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: tuple[GlossaryTerm, ...]  # sorted by term, case-insensitively
    synonyms: Synonyms = field(default_factory=Synonyms)  # data/synonyms.yml (check/synonyms.py)

    def search_groups(self) -> list[list[str]]:
        """The phrases search treats as each other: abbreviations and their terms, and data/synonyms.yml."""
        return search_groups(self.abbreviations(), self.synonyms)

    def same_as(self, entry: GlossaryTerm) -> tuple[str, ...]:
        """The phrases search treats as ``entry`` besides its own term and abbreviation: its search group's others.

        For the glossary page, so it lists exactly what search does (``search_groups``, the one source).
        """
        own = {folded(entry.term), folded(entry.abbreviation or "")}
        for group in self.search_groups():
            if own & {folded(phrase) for phrase in group}:
                return tuple(phrase for phrase in group if folded(phrase) not in own)
        return ()

    def abbreviations(self) -> dict[str, str]:
        """Abbreviation -> its expansion, for the ``abbr`` extension's ``glossary`` option."""
        return {t.abbreviation: t.term for t in self.terms if t.abbreviation}

    def find(self, name: str) -> GlossaryTerm | None:
        folded = name.casefold()
        return next(
            (t for t in self.terms if t.term.casefold() == folded or (t.abbreviation or "").casefold() == folded),
            None,
        )


def load_glossary(root: Path) -> tuple[Glossary, list[Problem]]:
    """Read data/glossary.yml, and data/synonyms.yml with it; a missing file is an empty glossary, not an error."""
    synonyms, problems = load_synonyms(root)
    glossary, glossary_problems = _load_terms(root)
    return Glossary(glossary.terms, synonyms), problems + glossary_problems


def _load_terms(root: Path) -> tuple[Glossary, list[Problem]]:
    path = root / GLOSSARY_FILE
    if not path.is_file():
        return Glossary(()), []
    document, problems = read_data_path(path, GLOSSARY_FILE)
    if document is None:
        return Glossary(()), problems
    data = document.data
    entries = data.get("terms")
    if not isinstance(entries, list):
        problems.append(_problem(1, "`terms` must be a list.", "See the format at the top of this file's module."))
        return Glossary(()), problems
    terms: list[GlossaryTerm] = []
    for index, entry in enumerate(entries):
        line = document.line(("terms", index))
        term = _read_term(entry, index, line, problems)
        if term is not None:
            terms.append(term)
    _check_names(terms, problems)
    terms.sort(key=lambda t: (t.term.casefold(), t.term))
    return Glossary(tuple(terms)), problems


def _read_term(entry: object, index: int, line: int, problems: list[Problem]) -> GlossaryTerm | None:
    if not isinstance(entry, dict):
        problems.append(_problem(line, f"Term {index + 1} must be a mapping with `term` and `definition`."))
        return None
    if any(isinstance(value, Rejected) for value in _values(entry)):
        return None  # the reader has reported it (an invisible character from an escape, say)
    unknown = sorted(set(entry) - {"term", "abbreviation", "definition", "see_also"})
    if unknown:
        problems.append(
            _problem(
                line,
                f"Term {index + 1} has unknown fields: {', '.join(unknown)}.",
                "Allowed: term, abbreviation, definition, see_also.",
            )
        )
    term, definition, abbreviation = entry.get("term"), entry.get("definition"), entry.get("abbreviation")
    see_also = entry.get("see_also", [])
    if not isinstance(term, str) or not term.strip():
        problems.append(_problem(line, f"Term {index + 1} needs `term` as text."))
        return None
    if not isinstance(definition, str) or not definition.strip():
        problems.append(_problem(line, f"`{term}` needs a `definition` as text."))
        return None
    if abbreviation is not None and (not isinstance(abbreviation, str) or not _ABBREVIATION_RE.match(abbreviation)):
        problems.append(
            _problem(line, f"`{term}`: the abbreviation must be one word of 2 to 12 letters or digits, like PACS.")
        )
        abbreviation = None
    if not isinstance(see_also, list) or not all(isinstance(s, str) for s in see_also):
        problems.append(_problem(line, f"`{term}`: `see_also` must be a list of other terms."))
        see_also = []
    return GlossaryTerm(term.strip(), definition.strip(), abbreviation, tuple(see_also))


def _values(entry: dict[object, object]) -> list[object]:
    """The entry's values, with the items of its lists."""
    out: list[object] = []
    for value in entry.values():
        out.extend(value if isinstance(value, list) else [value])
    return out


def _check_names(terms: list[GlossaryTerm], problems: list[Problem]) -> None:
    seen: set[str] = set()
    for term in terms:
        for name in (term.term, term.abbreviation):
            if name is None:
                continue
            if name.casefold() in seen:
                problems.append(_problem(0, f"`{name}` is defined twice.", "Keep one entry and merge the definitions."))
            seen.add(name.casefold())
    for term in terms:
        for other in term.see_also:
            if other.casefold() not in seen:
                problems.append(
                    _problem(0, f"`{term.term}` refers to `{other}` in `see_also`, which is not in the glossary.")
                )


def _problem(line: int, message: str, hint: str = "") -> Problem:
    return Problem.error(GLOSSARY_FILE, line, 0, "CH600", message, hint)
