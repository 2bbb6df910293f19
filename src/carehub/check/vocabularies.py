"""The controlled vocabularies in data/vocabularies.yml, loaded once.

Why a data file: tags grow with the hub and are edited by contributors in pull
requests; the fixed lists (care models, regions, barriers …) come from the
source material and sit beside them so that every label and description a
reader sees is in one place.  The content model (model.py) names which field
uses which vocabulary; this module only reads and checks the file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from carehub.problems import Problem
from carehub.read.datafile import read_data_path
from carehub.read.yamlreader import Rejected

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Licence ids follow SPDX, which uses capitals and dots (CC-BY-4.0).
LICENCE_ID_RE = re.compile(r"^[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*$")

# Every vocabulary the content model refers to; the file must define them all.
NAMES = (
    "care_models",
    "settings",
    "regions",
    "barriers",
    "evidence_levels",
    "statuses",
    "legal_bases",
    "consent_scopes",
    "resource_kinds",
    "licences",
    "tags",
)


@dataclass(frozen=True, slots=True)
class VocabularyTerm:
    """One allowed value of a vocabulary: its id (what a story writes), label and description."""

    id: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    name: str
    terms: tuple[VocabularyTerm, ...]
    # Membership is asked for every vocabulary value of every story: a set, not a scan.
    _ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ids", frozenset(term.id for term in self.terms))

    def __contains__(self, value: object) -> bool:
        return value in self._ids if isinstance(value, str) else any(term.id == value for term in self.terms)

    def __iter__(self) -> Iterator[VocabularyTerm]:
        return iter(self.terms)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(term.id for term in self.terms)

    def get(self, term_id: str) -> VocabularyTerm | None:
        return next((term for term in self.terms if term.id == term_id), None)

    def label(self, term_id: str) -> str:
        term = self.get(term_id)
        return term.label if term else term_id

    def suggest(self, value: str, limit: int = 3) -> list[str]:
        """The ids a mistaken ``value`` most likely meant, best first.

        Matched in order: the id written another way ("North West", "north_west");
        an abbreviation in or of the label ("MCP" for "Multispecialty community
        providers (MCPs)", "IG" for "Information governance and IT systems");
        words of the label ("governance"); then ids and labels spelt closely.
        """
        wanted = norm_id(value)
        if not wanted:
            return []
        if wanted in self._ids:
            return [wanted]
        compact = wanted.replace("-", "")
        found: list[str] = []
        for term in self.terms:
            if {compact, compact.removesuffix("s")} & _abbreviations(term.label):
                found.append(term.id)
        words = set(wanted.split("-")) - _STOP_WORDS
        if words:
            for term in self.terms:
                label_words = set(norm_id(term.label).split("-")) | set(term.id.split("-"))
                if words <= label_words and term.id not in found:
                    found.append(term.id)
        names = {term.id: term.id for term in self.terms} | {norm_id(term.label): term.id for term in self.terms}
        for close in difflib.get_close_matches(wanted, list(names), n=limit, cutoff=0.6):
            if names[close] not in found:
                found.append(names[close])
        return found[:limit]


_STOP_WORDS = frozenset({"and", "of", "the", "in", "for", "to", "a", "an", "with", "not", "being", "part"})


def norm_id(value: str) -> str:
    """``value`` written as an id: lowercase words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", value.lower()))


def _abbreviations(label: str) -> set[str]:
    """Lowercase abbreviations a label gives or implies: its bracketed ones, and its words' initials."""
    found = {a.lower().removesuffix("s") for a in re.findall(r"\(([A-Za-z&]{2,})\)", label)}
    words = [w for w in re.findall(r"[A-Za-z]+", re.sub(r"\([^)]*\)", "", label)) if w.lower() not in _STOP_WORDS]
    initials = "".join(w[0].lower() for w in words)
    if len(initials) >= 2:
        # "IG" for "Information governance and IT systems", "UEC" for "Urgent and emergency care networks".
        found |= {initials[:n] for n in range(2, len(initials) + 1)}
    return found


@dataclass(frozen=True, slots=True)
class Vocabularies:
    by_name: dict[str, Vocabulary]

    def __getitem__(self, name: str) -> Vocabulary:
        return self.by_name[name]


def load(path: Path, root: Path) -> tuple[Vocabularies, list[Problem]]:
    """Read and check the vocabulary file; problems point at its lines."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    by_name: dict[str, Vocabulary] = {name: Vocabulary(name, ()) for name in NAMES}
    document, problems = read_data_path(path, rel)
    if document is None:
        return Vocabularies(by_name), problems
    data = document.data

    def problem(line: int, message: str, hint: str = "") -> Problem:
        return Problem.error(rel, line, 0, "CH600", message, hint)

    for name in NAMES:
        entries = data.get(name)
        line = document.line((name,), key=True)
        if not isinstance(entries, list) or not entries:
            problems.append(
                problem(line, f"`{name}` must be a list of terms.", "Each term needs `id`, `label` and `description`.")
            )
            continue
        terms: list[VocabularyTerm] = []
        for index, entry in enumerate(entries):
            entry_line = document.line((name, index, "id")) or document.line((name,))
            pattern = LICENCE_ID_RE if name == "licences" else ID_RE
            if isinstance(entry, dict) and any(isinstance(value, Rejected) for value in entry.values()):
                continue  # the reader has reported it (an invisible character from an escape, say)
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "label", "description")
            ):
                problems.append(
                    problem(entry_line, f"Term {index + 1} of `{name}` needs `id`, `label` and `description` as text.")
                )
                continue
            if not pattern.match(entry["id"]):
                problems.append(
                    problem(entry_line, f"`{entry['id']}` in `{name}` is not lowercase words joined by hyphens.")
                )
            if any(t.id == entry["id"] for t in terms):
                problems.append(problem(entry_line, f"`{entry['id']}` is listed twice in `{name}`."))
            terms.append(VocabularyTerm(entry["id"], entry["label"], entry["description"]))
        by_name[name] = Vocabulary(name, tuple(terms))
    return Vocabularies(by_name), problems
