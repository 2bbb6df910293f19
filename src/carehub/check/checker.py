"""The work of `carehub check`: every problem in the project, taking each file's own results from the cache.

A story file whose bytes, and whose inputs beyond them, are as when it was last checked takes its problems
from checkcache.py; only the others are read with the YAML reader and validated against the content model
(filecheck.py, imported only then).  What depends on the whole tree is worked out again on every run: two
files with one slug, and links to stories and files that must exist.  So a check of an unchanged tree only
looks at each file's size and times (reading and hashing those that changed), which is how it reaches tens
of thousands of files a second.

Without the cache (``cache=False``) it is exactly the check the build runs, catalogue.load_catalogue; the
tests hold the two to the same output.  Must stay light at import: no YAML, pydantic or model here.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from carehub.check import checkcache, docpages, storyassets, withdrawals
from carehub.problems import Problem, sort_problems
from carehub.read.sourcetext import source_lines
from carehub.read.storyfiles import (
    DATA_DIR,
    MAX_STORY_BYTES,
    Reference,
    collisions,
    other_file_problems,
    read_story,
    reference_problems,
    select,
    select_others,
    slug_of,
    walk,
)

if TYPE_CHECKING:
    from carehub.check.filecheck import FileCheck

# Every data file whose problems `check` reports (vocabularies.load, catalogue.load_sites, glossary.load_glossary,
# withdrawals.load).
VOCABULARIES_FILE = f"{DATA_DIR}/vocabularies.yml"
SITES_DIR = f"{DATA_DIR}/sites"
GLOSSARY_FILE = f"{DATA_DIR}/glossary.yml"
SYNONYMS_FILE = f"{DATA_DIR}/synonyms.yml"
WITHDRAWN_FILE = withdrawals.WITHDRAWN_FILE
APPROACHES_FILE = f"{DATA_DIR}/approaches.yml"


@dataclass(frozen=True)
class Report:
    """What `carehub check` prints: the problems, how many files were checked, lines to quote."""

    problems: tuple[Problem, ...]
    checked: int
    sources: Mapping[str, list[str]] = field(default_factory=dict, repr=False)
    rechecked: int = 0  # story files read and validated afresh (not from the cache)


def check_project(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    jobs: int = 1,
    cache: bool = True,
    today: dt.date | None = None,
    review: bool = True,
) -> Report:
    """Check the project at ``root`` (only ``paths``, if given), as `carehub check` does.

    Stories and data files, and the pages in docs/ (docpages.py): a path in docs/ names only pages, a
    folder holding docs/ (the project) names both, and no paths means everything.
    """
    root = root.resolve()
    today = today or dt.date.today()
    story_paths, page_paths = (None, None) if paths is None else docpages.split_paths(root, paths)
    pages = docpages.check_pages(root, page_paths)
    if story_paths is not None and not story_paths:
        return Report(tuple(sort_problems(pages.problems)), pages.checked, pages.sources)
    if not cache:
        from carehub.check.catalogue import load_catalogue

        catalogue = load_catalogue(root, story_paths, today=today, jobs=jobs, keep_stories=False, review=review)
        report = Report(catalogue.problems, catalogue.checked, catalogue.sources, catalogue.checked)
    else:
        report = _Run(root, today, jobs, review).check(story_paths)
    if not pages.checked:
        return report
    return Report(
        tuple(sort_problems([*report.problems, *pages.problems])),
        report.checked + pages.checked,
        {**report.sources, **pages.sources},
        report.rechecked,
    )


class _Run:
    """One cached check: the cache files are read as entries are needed and written once, at the end."""

    def __init__(self, root: Path, today: dt.date, jobs: int, review: bool = True) -> None:
        self.review = review
        self.root = root
        self.today = today
        self.jobs = jobs
        self.store = checkcache.Store(root, checkcache.checker_version())
        self.vocabularies: Any = None  # loaded only if a file has to be checked afresh
        # A file last changed before this is "settled": see _lookup.
        self.settled = time.time_ns() - 10**9

    def check(self, paths: Sequence[Path] | None) -> Report:
        root, store = self.root, self.store
        all_names, all_others = walk(root)
        if paths is None:
            asked, others = all_names, all_others
        else:
            asked = [str(path) for path in select(paths, root, all_names, all_others)]
            others = select_others(paths, all_others)
        problems, site_ids, approach_ids, vocabulary_digest, withdrawn = self._data()
        # As the build: a file whose slug is withdrawn is not read, only noted (CH511).
        names, set_aside = withdrawals.set_aside(asked, withdrawn, root)
        problems.extend(set_aside)
        problems.extend(withdrawals.page_links(root, withdrawn))
        glossary = _read_or_none(root / GLOSSARY_FILE)  # its abbreviations decide CH225 warnings
        glossary_digest = checkcache.digest(glossary) if glossary is not None else "-"
        context = [store.checker, vocabulary_digest, glossary_digest, *site_ids]
        context += ["\0approaches", *approach_ids, f"review={self.review}"]
        store.context = checkcache.digest("\0".join(context).encode())
        slug_list = [slug_of(name) for name in all_names]
        slugs = frozenset(slug_list)
        prefix = str(root) + os.sep
        today = self.today.isoformat()

        # (name, rel, bytes, own problems, references); bytes b"" when not read (the stat said unchanged),
        # None when the file could not be read as a story (the problems say why; nothing to quote).
        found: list[tuple[str, str, bytes | None, list[Problem], list[Reference]]] = []
        misses: list[tuple[int, list[int] | None]] = []
        for name in names:
            rel = name[len(prefix) :] if name.startswith(prefix) else Path(name).relative_to(root).as_posix()
            data, entry, signature, early = self._lookup(name, rel)
            if data is None:
                found.append((name, rel, None, early, []))
                continue
            if entry and checkcache.in_window(entry.get("w"), today):
                cached = checkcache.problems_from_data(entry["p"]) if entry["p"] else []
                if cached is not None:
                    found.append((name, rel, data, cached, entry["r"]))
                    continue
            if data == b"":  # the stat said unchanged, but the date or the entry says check again
                data, early = self._read(name, rel)
                if data is None:
                    found.append((name, rel, None, early, []))
                    continue
            misses.append((len(found), signature))
            found.append((name, rel, data, [], []))
        if misses:
            afresh = [(found[i][0], found[i][2] or b"") for i, _ in misses]  # misses were all read
            for (index, signature), parts in zip(
                misses, self._check_afresh(afresh, site_ids, approach_ids, slugs), strict=True
            ):
                name, rel, data, _, _ = found[index]
                entry = {
                    "h": checkcache.digest(data or b""),
                    "s": signature,
                    "p": checkcache.problems_to_data(parts.problems),
                    "r": list(parts.references),
                    "w": checkcache.date_window(parts.dates, self.today),
                }
                store.put(rel, entry)
                found[index] = (name, rel, data, parts.problems, parts.references)

        sources: dict[str, list[str]] = {}
        for name, rel, data, own_problems, references in found:
            file_problems = own_problems
            if references:
                file_problems = own_problems + reference_problems(rel, name, references, root, slugs, withdrawn)
            if file_problems:
                problems.extend(file_problems)
                text = (_read_bytes(name) or b"") if data == b"" else data  # not read yet: read to quote
                sources[file_problems[0].file] = source_lines(text) if text is not None else []
        problems.extend(collisions(names, all_names, slug_list, root))
        assets, file_problems, files_checked = other_file_problems(others, root)  # images, downloads and the rest
        problems.extend(file_problems)
        kept = set(names)  # as the build: files no published story names are not published (storyassets.py)
        _, asset_problems = storyassets.select_assets(
            assets,
            {rel: references for _name, rel, _data, _problems, references in found},
            root,
            [Path(name).relative_to(root).as_posix() for name in asked if name not in kept],
            whole_tree=paths is None,
        )
        problems.extend(asset_problems)

        store.keep_only({name[len(prefix) :] for name in all_names if name.startswith(prefix)})
        store.save()
        return Report(tuple(sort_problems(problems)), len(asked) + files_checked, sources, len(misses))

    def _lookup(self, name: str, rel: str) -> tuple[bytes | None, dict[str, Any], list[int] | None, list[Problem]]:
        """A story file's bytes (b"" if unread because unchanged), its cache entry ({} if it does not
        match them), the signature to keep for it, and the problems that stopped it being read (bytes None).

        A file whose size, times and inode are as recorded is taken as unchanged without reading it.  They are
        recorded only for a file that had been left alone for a second when it was read, so that a change in
        the same tick of the clock cannot hide behind them (git's rule for "racily clean" files).
        """
        entry = self.store.entry(rel)
        try:
            info = os.lstat(name)
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STORY_BYTES:
            data, early = read_story(Path(name), rel, self.root)  # links, large or unreadable files
            return data, entry if data is not None and entry.get("h") == checkcache.digest(data) else {}, None, early
        signature = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        if entry.get("s") == signature:
            return b"", entry, signature, []
        settled = max(info.st_mtime_ns, info.st_ctime_ns) < self.settled
        data, early = self._read(name, rel)
        if data is None or entry.get("h") != checkcache.digest(data):
            return data, {}, signature if settled else None, early
        if settled:  # the same bytes, left alone long enough: next time the stat will do
            entry = {**entry, "s": signature}
            self.store.put(rel, entry)
        return data, entry, signature if settled else None, []

    def _read(self, name: str, rel: str) -> tuple[bytes | None, list[Problem]]:
        try:
            with open(name, "rb") as file:  # noqa: PTH123 - speed: 20,000 files, no Path objects
                return file.read(), []
        except OSError:
            return read_story(Path(name), rel, self.root)

    def _data(self) -> tuple[list[Problem], list[str], list[str], str, dict[str, dt.date]]:
        """The data files' problems, the ids of valid sites and approaches, the withdrawn slugs: from the cache
        while the files are unchanged (and, if a withdrawal's date was in the future, while it is the same day)."""
        root = self.root
        h = checkcache.digest  # one digest per file, then one of them all
        vocabulary = _read_or_none(root / VOCABULARIES_FILE)
        vocabulary_digest = h(vocabulary) if vocabulary is not None else "-"
        parts = [self.store.checker, vocabulary_digest]
        sites = str(root / SITES_DIR)
        try:
            site_names = sorted(os.listdir(sites))  # noqa: PTH208 - speed: 1,700 sites at 20,000 stories
        except OSError:
            site_names = []
        for name in site_names:
            data = _read_bytes(sites + os.sep + name)
            parts.append(f"{name}:{h(data) if data is not None else '-'}")
        glossary = _read_or_none(root / GLOSSARY_FILE)
        parts.append(h(glossary) if glossary is not None else "-")
        synonyms = _read_or_none(root / SYNONYMS_FILE)  # read with the glossary (check/synonyms.py)
        parts.append(h(synonyms) if synonyms is not None else "-")
        withdrawn_file = _read_or_none(root / WITHDRAWN_FILE)
        parts.append(h(withdrawn_file) if withdrawn_file is not None else "-")
        approaches_file = _read_or_none(root / APPROACHES_FILE)
        parts.append(h(approaches_file) if approaches_file is not None else "-")
        key = h("\0".join(parts).encode())
        cached = self.store.data
        today = self.today.isoformat()
        if cached.get("key") == key and cached.get("day", today) == today:
            problems = checkcache.problems_from_data(cached.get("problems"))
            site_ids = cached.get("sites")
            approach_ids = cached.get("approaches")
            withdrawn = _withdrawn_from_data(cached.get("withdrawn"))
            if problems is not None and withdrawn is not None and _strings(site_ids) and _strings(approach_ids):
                return problems, site_ids, approach_ids, vocabulary_digest, withdrawn
        from carehub.check import vocabularies
        from carehub.check.approaches import load_approaches, offer_problems
        from carehub.check.catalogue import load_sites
        from carehub.check.glossary import load_glossary

        self.vocabularies, problems = vocabularies.load(root / VOCABULARIES_FILE, root)
        found_sites, site_problems = load_sites(root, self.vocabularies)
        problems.extend(site_problems)
        found_approaches, approach_problems = load_approaches(root, self.vocabularies)
        problems.extend(approach_problems)
        problems.extend(offer_problems(found_approaches, found_sites, self.vocabularies, root))
        problems.extend(load_glossary(root)[1])
        withdrawn, withdrawn_problems = withdrawals.load(root, self.today)
        problems.extend(withdrawn_problems)
        site_ids = sorted(found_sites)
        approach_ids = sorted(found_approaches)
        self.store.data = {
            "key": key,
            "problems": checkcache.problems_to_data(problems),
            "sites": site_ids,
            "approaches": approach_ids,
            "withdrawn": {slug: date.isoformat() for slug, date in withdrawn.items()},
        }
        if any(date > self.today for date in withdrawn.values()):  # its problem goes when the day comes
            self.store.data["day"] = today
        self.store.data_changed = True
        return problems, site_ids, approach_ids, vocabulary_digest, withdrawn

    def _check_afresh(
        self, files: list[tuple[str, bytes]], site_ids: list[str], approach_ids: list[str], slugs: frozenset[str]
    ) -> list[FileCheck]:
        """The files not in the cache, read and validated: the YAML reader and the content model load only now."""
        from carehub.check import vocabularies
        from carehub.check.filecheck import CheckContext, Keep, check_files
        from carehub.check.glossary import load_glossary

        root = self.root
        if self.vocabularies is None:
            self.vocabularies, _ = vocabularies.load(root / VOCABULARIES_FILE, root)
        abbreviations = frozenset(load_glossary(root)[0].abbreviations())
        ctx = CheckContext(
            root,
            self.vocabularies,
            frozenset(site_ids),
            self.today,
            slugs,
            frozenset(),
            abbreviations,
            approach_ids=frozenset(approach_ids),
            review=self.review,
        )
        # Only what the cache keeps: the references are looked up on every run, the lines quoted from the bytes.
        keep = Keep(stories=False, lines=False, references=False)
        return check_files([(Path(name), data) for name, data in files], ctx, self.jobs, keep)


def _withdrawn_from_data(data: object) -> dict[str, dt.date] | None:
    """The cache's withdrawn slugs and dates, or None if they are not in the form written."""
    if not isinstance(data, dict):
        return None
    try:
        return {str(slug): dt.date.fromisoformat(date) for slug, date in data.items()}
    except (TypeError, ValueError):
        return None


def _strings(value: object) -> TypeGuard[list[str]]:
    """Whether a cached value is a list of strings (ids)."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _read_bytes(name: str) -> bytes | None:
    try:
        with open(name, "rb") as file:  # noqa: PTH123 - speed: 20,000 files, no Path objects
            return file.read()
    except OSError:
        return None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
