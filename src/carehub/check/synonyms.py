"""The synonym list in data/synonyms.yml: words and phrases a reader may search for that mean the same thing.

Search treats the phrases of a group as each other ("A&E" finds the stories
that say "emergency department").  The glossary's abbreviations and their
expansions are synonyms already (``search_groups`` joins both sources), so
this file holds only what the glossary does not: other names for the same
thing, reviewed like any other change.  The format::

    groups:
      - [A&E, emergency department]
      - [GP, general practitioner, family doctor]

Reading never raises for bad content: it returns problems (CH606 to CH609)
naming the line, like every other data file.  Must not know about MkDocs or
the search index's format: it hands search plain phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from carehub.problems import Problem
from carehub.read.datafile import read_data_path

SYNONYMS_FILE = "data/synonyms.yml"
MAX_WORDS = 6  # a phrase longer than this is a sentence, not a name
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Synonyms:
    groups: tuple[tuple[str, ...], ...] = ()  # each: two or more phrases, as written


def folded(phrase: str) -> str:
    """A phrase compared case- and punctuation-blind: "A&E" and "a & e" are one phrase."""
    return " ".join(_WORD.findall(phrase.casefold()))


def load_synonyms(root: Path) -> tuple[Synonyms, list[Problem]]:
    """Read data/synonyms.yml; a missing file is an empty list, not an error."""
    path = root / SYNONYMS_FILE
    if not path.is_file():
        return Synonyms(), []
    document, problems = read_data_path(path, SYNONYMS_FILE)
    if document is None:
        return Synonyms(), problems
    entries = document.data.get("groups")
    unknown = sorted(set(document.data) - {"groups"})
    if unknown or not isinstance(entries, list):
        problems.append(
            _problem(
                "CH606",
                1,
                "data/synonyms.yml must hold one field, `groups`: a list of groups of phrases"
                + (f"; found {', '.join(unknown)}." if unknown else "."),
                "Write each group as a list in square brackets: - [A&E, emergency department]",
            )
        )
        return Synonyms(), problems
    groups: list[tuple[str, ...]] = []
    where: dict[str, int] = {}  # folded phrase -> the group number (1-based) it was first seen in
    for index, entry in enumerate(entries):
        # Lines are kept for text values: a group's is its first phrase's, or the line of `groups`.
        line = document.line(("groups", index)) or document.line(("groups", index, 0)) or document.line(("groups",))
        number = index + 1
        if not isinstance(entry, list) or not all(isinstance(p, str) for p in entry):
            problems.append(
                _problem(
                    "CH606",
                    line,
                    f"Group {number} must be a list of phrases (text); found {_kind(entry)}.",
                    "Write it as - [first phrase, second phrase].",
                )
            )
            continue
        phrases: list[str] = []
        for at, phrase in enumerate(entry):
            key = folded(phrase)
            line = document.line(("groups", index, at)) or line
            if not key:
                problems.append(
                    _problem(
                        "CH608",
                        line,
                        f"Group {number}: {phrase!r} has no letters or digits to search for.",
                        "Write the phrase a reader would type, like A&E or care home.",
                    )
                )
            elif len(key.split()) > MAX_WORDS:
                problems.append(
                    _problem(
                        "CH608",
                        line,
                        f"Group {number}: {phrase!r} has {len(key.split())} words; a synonym has at most {MAX_WORDS}.",
                        "List names for a thing, not descriptions of it.",
                    )
                )
            elif key in where and where[key] != number:
                problems.append(
                    _problem(
                        "CH609",
                        line,
                        f"Group {number}: {phrase!r} is in group {where[key]} too.",
                        "A phrase belongs to one group: merge the two groups.",
                    )
                )
            elif key not in {folded(p) for p in phrases}:
                where[key] = number
                phrases.append(phrase.strip())
        if len(phrases) < 2:
            problems.append(
                _problem(
                    "CH607",
                    line,
                    f"Group {number} needs at least two different phrases; found {len(phrases)}.",
                    "Add the phrase it means the same as, or delete the group.",
                )
            )
        else:
            groups.append(tuple(phrases))
    return Synonyms(tuple(groups)), problems


def search_groups(abbreviations: dict[str, str], synonyms: Synonyms) -> list[list[str]]:
    """Every group of phrases search treats as one: each glossary abbreviation with its term, and the groups of
    data/synonyms.yml, joined where they share a phrase (A&E, accident and emergency, emergency department)."""
    groups: list[list[str]] = [[abbreviation, term] for abbreviation, term in sorted(abbreviations.items())]
    groups.extend(list(group) for group in synonyms.groups)
    merged: list[list[str]] = []
    owner: dict[str, int] = {}  # folded phrase -> its group in merged
    for group in groups:
        named = [(phrase, folded(phrase)) for phrase in group if folded(phrase)]
        keys = [key for _, key in named]
        joined = sorted({owner[k] for k in keys if k in owner})
        target = joined[0] if joined else len(merged)
        if not joined:
            merged.append([])
        for other in joined[1:]:  # two groups this one bridges become one
            for phrase in merged[other]:
                owner[folded(phrase)] = target
            merged[target].extend(merged[other])
            merged[other] = []
        for phrase, key in named:
            if key not in owner:
                owner[key] = target
                merged[target].append(phrase)
    return [group for group in merged if len(group) > 1]


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list with something other than text in it"
    if isinstance(value, dict):
        return "a mapping (a `name: value` pair)"
    return "one phrase on its own" if isinstance(value, str) else "no list"


def _problem(code: str, line: int, message: str, hint: str = "") -> Problem:
    return Problem.error(SYNONYMS_FILE, line, 0, code, message, hint)
