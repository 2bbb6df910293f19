"""Withdrawn stories: the record in data/withdrawn.yml, and `carehub withdraw`.

A person can withdraw their story at any time, and withdrawal outranks
everything else: a withdrawn story is left out of every output at the next
build whatever links to it, and nothing about it may fail that build (a
failed build keeps the previous site, story and all).  So the record holds a
story's slug and the date it was withdrawn, and nothing else: never a title,
a reason or a person, since the repository and its history are public.

The file::

    withdrawn:
    - slug: a-story-file-name
      date: 2026-11-25

This module reads and checks that file (CH600 at the line of each problem),
gives the warning for a story file whose slug is recorded (CH511: the file is
not published) and for a hand-written page that links to one (CH510; a
story's links are storyfiles.reference_problems' work), and does the work of `carehub withdraw`: delete the story's
file and add its entry.  It must not decide what a page shows (listings.py
plans the withdrawn page) and must stay light at import (no YAML until a file
is read): `carehub check` imports it on every run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from carehub.errors import WithdrawError
from carehub.problems import Problem
from carehub.read.storyfiles import (
    DATA_DIR,
    SLUG_RE,
    WITHDRAWN_LINK,
    slug_of,
    story_file_names,
    story_slug_of,
    suggest_slug,
)

WITHDRAWN_FILE = f"{DATA_DIR}/withdrawn.yml"
_KEY = "withdrawn"
_HEADER = (
    "# Stories withdrawn at their teller's request (docs/contribute/consent.md).\n"
    "# Only each story's slug (its file name without .md) and the date: never a title, a reason or a person.\n"
    "# `carehub withdraw SLUG` deletes the story's file and adds its entry here.\n"
    f"{_KEY}:\n"
)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    slug: str
    date: dt.date


def load(root: Path, today: dt.date) -> tuple[dict[str, dt.date], list[Problem]]:
    """The withdrawn slugs and their dates, and the file's problems; a missing file withdraws nothing.

    An entry with a problem still withdraws its slug when the slug itself can be read: a mistake in the
    date must never put a withdrawn story back on the site.
    """
    from carehub.read.datafile import read_data_path

    path = root / WITHDRAWN_FILE
    if not path.is_file():
        return {}, []
    document, problems = read_data_path(path, WITHDRAWN_FILE, keep_rejected=True)
    if document is None:
        return {}, problems
    entries = document.data.get(_KEY)
    unknown = sorted(set(document.data) - {_KEY})
    if unknown:
        problems.append(
            _problem(0, f"Unknown keys: {', '.join(unknown)}.", f"The file holds only `{_KEY}:`, a list of entries.")
        )
    if entries is None:
        return {}, problems
    if not isinstance(entries, list):
        problems.append(_problem(document.line((_KEY,), key=True), f"`{_KEY}` must be a list of entries.", _ENTRY_HINT))
        return {}, problems
    withdrawn: dict[str, dt.date] = {}
    for index, entry in enumerate(entries):
        _read_entry(entry, index, document.line((_KEY, index)), today, withdrawn, problems)
    return withdrawn, problems


_ENTRY_HINT = "Each entry is `- slug: the-story-file-name` with `  date: YYYY-MM-DD` on the next line."


def _read_entry(
    entry: object, index: int, line: int, today: dt.date, withdrawn: dict[str, dt.date], problems: list[Problem]
) -> None:
    if not isinstance(entry, dict):
        problems.append(_problem(line, f"Entry {index + 1} must have a `slug` and a `date`.", _ENTRY_HINT))
        return
    slug, date = entry.get("slug"), entry.get("date")
    unknown = sorted(str(key) for key in set(entry) - {"slug", "date"})
    if unknown:
        problems.append(
            _problem(
                line,
                f"Entry {index + 1} has fields that must not be recorded: {', '.join(unknown)}.",
                "Record only the slug and the date: never a title, a reason or anything about the person.",
            )
        )
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        shown = f"`{slug}`" if isinstance(slug, str) else "missing"
        hint = (
            f"Write the story's file name without .md, such as `{suggest_slug(slug)}`." if isinstance(slug, str) else ""
        )
        problems.append(
            _problem(
                line,
                f"Entry {index + 1}: the slug is {shown}; it must be lowercase words joined by hyphens.",
                hint or _ENTRY_HINT,
            )
        )
        return
    if slug in withdrawn:
        problems.append(_problem(line, f"`{slug}` is listed twice.", "Keep the first entry and delete this one."))
        return
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        what = "missing" if date is None else f"`{date}`, not a date"
        problems.append(
            _problem(line, f"`{slug}`: the date is {what}.", "Write the date as YYYY-MM-DD, without quotes.")
        )
        withdrawn[slug] = today  # still withdrawn: a bad date never brings a story back
        return
    if date > today:
        problems.append(
            _problem(
                line, f"`{slug}`: the date {date.isoformat()} is in the future.", "Write the day it was withdrawn."
            )
        )
    withdrawn[slug] = date


def _problem(line: int, message: str, hint: str = "") -> Problem:
    return Problem.error(WITHDRAWN_FILE, line, 0, "CH600", message, hint)


def withdrawn_story(rel: str, slug: str, date: dt.date) -> Problem:
    """CH511 on a story file whose slug is recorded as withdrawn: a warning, and the file is not published.

    Why not an error: an error fails the build, and a failed build keeps the previous site, which may still
    show the story.  Leaving the file out and warning is what makes withdrawal win.
    """
    return Problem.warning(
        rel,
        0,
        0,
        "CH511",
        f"The story `{slug}` was withdrawn on {date.isoformat()} ({WITHDRAWN_FILE}), so this file is not published.",
        "Delete the file: a withdrawn story is never published again. If the person has asked for it to be "
        f"published again, remove its entry from {WITHDRAWN_FILE} in the same pull request.",
    )


def set_aside(names: Iterable[str], withdrawn: dict[str, dt.date], root: Path) -> tuple[list[str], list[Problem]]:
    """The story files to check (``names`` whose slug is not withdrawn), and CH511 for each of the others."""
    kept: list[str] = []
    problems: list[Problem] = []
    for name in names:
        slug = slug_of(name)
        if slug in withdrawn:
            problems.append(withdrawn_story(_rel(name, root), slug, withdrawn[slug]))
        else:
            kept.append(name)
    return kept, problems


# A Markdown link's target, or a raw HTML link's: what a hand-written page links to a story with.
_PAGE_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]+)|href=[\"']([^\"']+)")
PAGES_DIR = "docs"


def page_links(root: Path, withdrawn: dict[str, dt.date]) -> list[Problem]:
    """CH510 for each link from a hand-written page (docs/) to a withdrawn story: a warning, as from a story.

    Reads the pages only when something is withdrawn, so a check of a hub with no withdrawals costs nothing.
    """
    if not withdrawn:
        return []
    problems: list[Problem] = []
    for path in sorted((root / PAGES_DIR).rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "stories/" not in text:
            continue
        rel = path.relative_to(root).as_posix()
        for match in _PAGE_LINK_RE.finditer(text):
            target = match.group(1) or match.group(2)
            if story_slug_of(target) in withdrawn:
                start = match.start(1) if match.group(1) else match.start(2)
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                problems.append(Problem.warning(rel, line, column, "CH510", *WITHDRAWN_LINK))
    return problems


def _rel(name: str, root: Path) -> str:
    path = Path(name)
    return (path.relative_to(root) if path.is_absolute() else path).as_posix()


# -- carehub withdraw ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    slug: str
    date: dt.date
    deleted: tuple[str, ...]  # story files deleted, relative to the root
    files: tuple[str, ...]  # images and downloads the deleted files referenced, which still exist
    already: bool  # the slug was recorded before (then ``date`` is the recorded date)


def withdraw(root: Path, slug: str, today: dt.date) -> Outcome:
    """Delete every story file with ``slug`` and record the slug and ``today`` in data/withdrawn.yml.

    Raises WithdrawError for an unknown slug or a record that cannot be read (nothing is changed then).
    """
    withdrawn, problems = load(root, today)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise WithdrawError(
            f"{WITHDRAWN_FILE} has problems; fix them first (run `carehub check`):\n"
            + "\n".join(f"  line {p.line}: {p.message}" for p in errors)
        )
    names = [name for name in story_file_names(root) if name.endswith(".md") and slug_of(name) == slug]
    if not names and slug not in withdrawn:
        raise WithdrawError(
            f"No story has the slug `{slug}`. The slug is the story's file name without .md "
            "(or its folder's name, for stories/<slug>/index.md), as in its address /stories/<slug>/."
        )
    files = sorted({rel for name in names for rel in _assets_of(Path(name), root)})
    already = slug in withdrawn
    if not already:  # recorded first: a story deleted without its record could be added back unnoticed
        _record(root, slug, today)
    deleted = []
    for name in names:
        Path(name).unlink()
        deleted.append(_rel(name, root))
    return Outcome(slug, withdrawn.get(slug, today), tuple(deleted), tuple(files), already)


def _record(root: Path, slug: str, date: dt.date) -> None:
    """Append the entry, keeping the file's comments and other entries as they are, and read it back."""
    path = root / WITHDRAWN_FILE
    before = path.read_text(encoding="utf-8") if path.is_file() else None
    text = before or ""
    if not text.strip():
        text = _HEADER
    text = re.sub(rf"^{_KEY}:[ \t]*\[\][ \t]*$", f"{_KEY}:", text, flags=re.MULTILINE)  # an empty flow list
    if not re.search(rf"^{_KEY}:", text, flags=re.MULTILINE):
        text = text.rstrip("\n") + f"\n{_KEY}:\n" if text.strip() else f"{_KEY}:\n"
    elif not text.endswith("\n"):
        text += "\n"
    indent = m.group(1) if (m := re.search(r"^([ \t]*)- slug:", text, flags=re.MULTILINE)) else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{text}{indent}- slug: {slug}\n{indent}  date: {date.isoformat()}\n", encoding="utf-8")
    withdrawn, problems = load(root, date)
    if slug not in withdrawn or any(p.is_error for p in problems):
        if before is None:
            path.unlink()
        else:
            path.write_text(before, encoding="utf-8")
        raise WithdrawError(
            f"{WITHDRAWN_FILE} is laid out in a way this command cannot add to; nothing was changed. "
            f"Add the entry by hand: `- slug: {slug}` and `  date: {date.isoformat()}` under `{_KEY}:`."
        )


def _assets_of(path: Path, root: Path) -> list[str]:
    """The images and downloads a story file names that exist inside the repository, relative to the root."""
    from carehub.check.filecheck import references_of
    from carehub.read import frontmatter, sourcetext
    from carehub.read.storyfiles import missing

    try:
        text, _ = sourcetext.decode(path.read_bytes(), path.name)
    except OSError:
        return []
    if text is None:
        return []
    document, _ = frontmatter.read(text, path.name)
    if document.data is None:
        return []
    found = []
    for what, target, _line, _column, _slug in references_of(document):
        if what not in {"file", "image"} or missing(path, target, root):
            continue
        clean = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (root / clean.lstrip("/")) if clean.startswith("/") else (path.parent / clean)
        found.append(resolved.resolve().relative_to(root.resolve()).as_posix())
    return found
