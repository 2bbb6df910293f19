"""Load everything a build or a check needs: vocabularies, sites and stories.

Walks ``stories/``, reads each file with the strict front-matter reader,
validates it, and then checks what only the whole collection can show: two
files with the same slug, links to stories that do not exist, images that are
missing, symbolic links that leave the repository.  Every other file there is
checked against the allow-list of file types (storyfiles.other_file_problems),
and the catalogue lists those the build may publish (``Catalogue.assets``).  Returns frozen
:class:`Story` objects and every problem; it never raises for bad content.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from carehub.check import vocabularies, withdrawals
from carehub.check.glossary import Glossary, load_glossary
from carehub.check.model import Meta, Site
from carehub.check.placeholders import find_placeholders
from carehub.check.privacy import LineIndex
from carehub.check.validate import StoryValidator, dates_against_today
from carehub.problems import Problem, sort_problems
from carehub.read import frontmatter
from carehub.read.storyfiles import (
    DATA_DIR,
    MAX_STORY_BYTES,
    SLUG_RE,
    STORIES_DIR,
    Reference,
    find_story_files,
    is_address,
    needs_lookup,
    other_file_problems,
    read_story,
    reference_problems,
    select_others,
    slug_for,
    slug_of,
    story_slug_of,
    suggest_slug,
    walk,
)
from carehub.read.storyfiles import collisions as _collisions
from carehub.read.storyfiles import select as _select
from carehub.read.storyfiles import today as _today

__all__ = [
    "DATA_DIR",
    "MAX_STORY_BYTES",
    "SLUG_RE",
    "STORIES_DIR",
    "Catalogue",
    "FileCheck",
    "Story",
    "check_file",
    "check_file_parts",
    "find_story_files",
    "load_catalogue",
    "load_sites",
    "slug_for",
    "suggest_slug",
]

# Starts with a literal `[` so the regex engine can skip ahead; an image is a match preceded by `!`.
_LINK_RE = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)")


@dataclass(frozen=True, slots=True)
class Story:
    """A story that passed every check. Everything downstream reads it and never changes it."""

    slug: str
    path: str  # relative to the project root, with forward slashes
    meta: Meta
    body: str  # "" when loaded without bodies (load_catalogue's ``bodies``): read it with story_body
    body_line: int
    digest: str = ""  # SHA-256 of the file's bytes as checked
    body_on_disk: bool = False  # the body was not kept: story_body reads it from the file

    @property
    def url(self) -> str:
        """Site-relative URL of the story page (directory URLs)."""
        return f"stories/{self.slug}/"


@dataclass(frozen=True)
class Catalogue:
    root: Path
    vocabularies: vocabularies.Vocabularies
    sites: dict[str, Site]
    stories: tuple[Story, ...]  # newest first, then by slug: the order of every listing
    problems: tuple[Problem, ...] = ()
    checked: int = 0
    sources: dict[str, list[str]] = field(default_factory=dict, repr=False)
    glossary: Glossary = field(default_factory=lambda: Glossary(()))
    # Slugs withdrawn at their tellers' request (data/withdrawn.yml) and the dates: no story file with one is in
    # ``stories``, and each address serves a page saying the story was withdrawn.
    withdrawn: dict[str, dt.date] = field(default_factory=dict)
    # The files under stories/ besides stories that may be published (images, downloads), relative to the root
    # with forward slashes: the build publishes exactly these (storyfiles.other_file_problems checked them).
    assets: tuple[str, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def story(self, slug: str) -> Story | None:
        return next((s for s in self.stories if s.slug == slug), None)


@dataclass(frozen=True)
class _Context:
    """What a worker needs to check one file; small and picklable."""

    root: Path
    vocabularies: vocabularies.Vocabularies
    site_ids: frozenset[str]
    today: dt.date
    slugs: frozenset[str]
    withdrawn: frozenset[str] = frozenset()  # links to these are warnings (CH510), never errors


# One validator per check context (building one is costly).  The entry keeps its context alive: keyed by id()
# alone, a later project's context could be given a freed one's id and its validator, with another project's
# sites and vocabularies (seen in a long test run).
_VALIDATORS: dict[int, tuple[_Context, StoryValidator]] = {}


@dataclass(frozen=True, slots=True)
class FileCheck:
    """One file's results before its references are looked up: everything that depends on the file
    itself (and on the vocabularies, the site ids and today's date), and nothing on other files.

    `carehub check` keeps these in its cache (checkcache.py), so each part is plain data.
    """

    rel: str
    story: Story | None  # None once an error is found; the references may still add one
    problems: list[Problem]
    references: list[Reference]  # links and files that must exist, looked up on every run
    lines: list[str]  # the file's lines, for quoting under a problem
    dates: list[dt.date]  # the dates compared with today (a cached result holds while none crosses it)
    data: bytes | None = field(default=None, repr=False)  # the bytes read, when the caller asks for them


class StoryChanged(Exception):
    """A story file changed between its check and its page being rendered."""


def story_body(root: Path, story: Story) -> str:
    """A story's body: kept in memory, or read again from its file, which must be the bytes that were checked.

    Why read it again: the build's parent process holds every story while the
    page workers render, and each worker that reads a shared body copies it
    (114 MB of bodies at 20,000 stories).  Why the digest: what is published
    must be what was checked; a file edited since is an error, never rendered.
    """
    if not story.body_on_disk:
        return story.body
    try:
        data = (root / story.path).read_bytes()
    except OSError as error:
        raise StoryChanged(
            f"{story.path} could not be read again while the site was built ({error.strerror})."
        ) from None
    if hashlib.sha256(data).hexdigest() != story.digest:
        raise StoryChanged(f"{story.path} changed while the site was being built, after it was checked: build again.")
    text, _ = frontmatter.decode(data, story.path)
    body = frontmatter.body_of(text or "")  # checked bytes: no control characters (they are errors)
    return body or ""


def check_file(path: Path, ctx: _Context) -> tuple[Story | None, list[Problem], list[str]]:
    """Read and check one story file. Returns the story (if valid), its problems and its lines."""
    parts = check_file_parts(path, ctx)
    problems = parts.problems + reference_problems(
        parts.rel, path, parts.references, ctx.root, ctx.slugs, ctx.withdrawn
    )
    # The lines are only for quoting the source under a problem; a clean file sends none back.
    if parts.story is None or any(p.is_error for p in problems):
        return None, problems, parts.lines
    return parts.story, problems, parts.lines if problems else []


def check_file_parts(path: Path, ctx: _Context, data: bytes | None = None) -> FileCheck:
    """Check one story file, leaving links and referenced files to :func:`storyfiles.reference_problems`.

    ``data``: the file's bytes, when the caller has read them (through read_story's checks) and hashed them.
    """
    rel = path.relative_to(ctx.root).as_posix()
    problems: list[Problem] = []
    if data is None:
        data, problems = read_story(path, rel, ctx.root)
        if data is None:
            return FileCheck(rel, None, problems, [], [], [])
    slug = slug_for(path)
    if not SLUG_RE.match(slug):
        what = "folder" if path.name == "index.md" else "file"
        problems.append(
            Problem.error(
                rel,
                0,
                0,
                "CH501",
                f"The {what} name `{slug}` is not lowercase words joined by hyphens; it becomes the web address.",
                f"Rename it to `{suggest_slug(slug)}`.",
            )
        )
    text, decode_problems = frontmatter.decode(data, rel)
    if text is None:
        return FileCheck(rel, None, problems + decode_problems, [], [], [], data)
    lines = text.split("\n")
    problems.extend(find_placeholders(lines, rel))
    control = frontmatter.find_control_characters(text, rel)
    if control:
        problems.extend(control)
        text = frontmatter.blank_control_characters(text)
    document, read_problems = frontmatter.read(text, rel)
    problems.extend(read_problems)
    if document.data is None:
        return FileCheck(rel, None, problems, [], lines, [], data)
    cached = _VALIDATORS.get(id(ctx))
    if cached is None or cached[0] is not ctx:
        if len(_VALIDATORS) >= 8:  # a long-lived process (tests, `carehub serve`) checks many contexts
            _VALIDATORS.clear()
        cached = _VALIDATORS[id(ctx)] = (ctx, StoryValidator(ctx.vocabularies, ctx.site_ids, ctx.today))
    validator = cached[1]
    meta, story_problems = validator.validate(document, rel)
    problems.extend(story_problems)
    references = _references(document, rel)
    dates = dates_against_today(document.data)
    if meta is None or any(p.is_error for p in problems):
        return FileCheck(rel, None, problems, references, lines, dates, data)
    story = Story(slug, rel, meta, document.body, document.body_line, hashlib.sha256(data).hexdigest())
    return FileCheck(rel, story, problems, references, lines, dates, data)


def _references(document: frontmatter.Document, rel: str) -> list[Reference]:
    """Images and downloads that must exist; links to stories and files that must exist."""
    references: list[Reference] = []
    data = document.data or {}
    targets: list[tuple[frontmatter.Path_, str]] = []
    image = data.get("image")
    if isinstance(image, dict) and isinstance(image.get("src"), str):
        targets.append((("image", "src"), image["src"]))
    downloads = data.get("downloads")
    for index, download in enumerate(downloads if isinstance(downloads, list) else []):
        if isinstance(download, dict) and isinstance(download.get("href"), str):
            targets.append((("downloads", index, "href"), download["href"]))
    for ref_path, target in targets:
        if needs_lookup(target):
            position = document.positions.get(ref_path)
            line, column = (position.line, position.column) if position else (1, 1)
            references.append(("file", target, line, column, ""))
    body = document.body
    if "](" in body:
        lines: LineIndex | None = None
        for m in _LINK_RE.finditer(body):
            start = m.start()
            is_image, target = start > 0 and body[start - 1] == "!", m.group(1)
            what: str | None = None
            slug = story_slug_of(target)
            if slug is not None:
                what = "story"
            elif target.split("#", 1)[0].endswith(".md") and not is_address(target):
                what = "link" if needs_lookup(target) else None
            elif is_image and needs_lookup(target):
                what = "image"
            if what:
                lines = lines or LineIndex(body, document.body_line)
                line, column = lines.position(m.start(1))
                references.append((what, target, line, column, slug or ""))
    return references


def load_sites(root: Path, vocab: vocabularies.Vocabularies) -> tuple[dict[str, Site], list[Problem]]:
    sites: dict[str, Site] = {}
    problems: list[Problem] = []
    directory = root / DATA_DIR / "sites"
    if not directory.is_dir():
        return sites, problems
    for path in sorted(directory.glob("*.yml")):
        rel = path.relative_to(root).as_posix()
        site_id = path.stem
        if not SLUG_RE.match(site_id):
            problems.append(
                Problem.error(
                    rel,
                    0,
                    0,
                    "CH501",
                    f"`{site_id}` is not a valid site id.",
                    f"Rename the file to `{suggest_slug(site_id)}.yml`.",
                )
            )
            continue
        text, decode_problems = frontmatter.decode(path.read_bytes(), rel)
        if text is None:
            problems.extend(decode_problems)
            continue
        document, read_problems = frontmatter.read("---\n" + text + "\n---\n", rel)
        problems.extend(vocabularies._shift(read_problems))
        if document.data is None:
            continue
        try:
            data = frontmatter.visible(document.data)
            sites[site_id] = Site.model_validate(data, context={"vocabularies": vocab})
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                if isinstance(detail.get("input"), frontmatter.Rejected):
                    continue  # the reader has reported it, at its line
                loc = tuple(detail["loc"])
                position = document.positions.get(loc)
                line = position.line - 1 if position else 0
                problems.append(
                    Problem.error(
                        rel,
                        line,
                        position.column if position else 0,
                        "CH600",
                        f"`{'.'.join(str(p) for p in loc)}`: {detail['msg']}.",
                    )
                )
    return sites, problems


def load_catalogue(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    today: dt.date | None = None,
    jobs: int = 1,
    keep_stories: bool = True,
    bodies: bool = True,
) -> Catalogue:
    """Load and check the project at ``root`` (only ``paths``, if given).

    ``keep_stories=False`` is for `carehub check`, which needs only the problems:
    ``stories`` is then empty, and parallel workers do not send every story back.
    ``bodies=False`` is for the build: stories come without their bodies
    (``story_body`` reads one again when its page is rendered).
    """
    root = root.resolve()
    today = today or _today()
    vocab, problems = vocabularies.load(root / DATA_DIR / "vocabularies.yml", root)
    sites, site_problems = load_sites(root, vocab)
    problems.extend(site_problems)
    # The glossary is a data file like the others: `check` reports its problems too, not only `build`.
    glossary, glossary_problems = load_glossary(root)
    problems.extend(glossary_problems)
    withdrawn, withdrawn_problems = withdrawals.load(root, today)
    problems.extend(withdrawn_problems)
    problems.extend(withdrawals.page_links(root, withdrawn))
    all_names, all_others = walk(root)
    if paths is None:
        asked, others = [Path(name) for name in all_names], all_others
    else:
        asked, others = _select(paths, root, all_names, all_others), select_others(paths, all_others)
    # Withdrawal wins: a file whose slug is withdrawn is not read, so nothing in it can fail the build (CH511).
    kept, set_aside = withdrawals.set_aside([str(path) for path in asked], withdrawn, root)
    problems.extend(set_aside)
    files = [Path(name) for name in kept]
    slugs = [slug_of(name) for name in all_names]
    ctx = _Context(root, vocab, frozenset(sites), today, frozenset(slugs), frozenset(withdrawn))
    results = _run(files, ctx, jobs, (check_file if bodies else _without_body) if keep_stories else _problems_only)
    stories: list[Story] = []
    sources: dict[str, list[str]] = {}
    for story, file_problems, lines in results:
        problems.extend(file_problems)
        if file_problems:
            sources[file_problems[0].file] = lines
        if story is not None:
            stories.append(story)
    problems.extend(_collisions(files, all_names, slugs, root))
    assets, file_problems, files_checked = other_file_problems(others, root)
    problems.extend(file_problems)
    stories.sort(key=lambda s: (-s.meta.date.toordinal(), s.slug))
    return Catalogue(
        root,
        vocab,
        sites,
        tuple(stories),
        tuple(sort_problems(problems)),
        len(asked) + files_checked,
        sources,
        glossary,
        withdrawn,
        tuple(assets),
    )


_Result = tuple[Story | None, list[Problem], list[str]]
_T = TypeVar("_T")
_I = TypeVar("_I")
_WORKER_CONTEXT: list[_Context] = []


def _problems_only(path: Path, ctx: _Context) -> _Result:
    """check_file without the story: parallel workers need not send every story back."""
    _, problems, lines = check_file(path, ctx)
    return None, problems, lines


def _without_body(path: Path, ctx: _Context) -> _Result:
    """check_file, the story without its body (dropped where it was checked: a parallel worker sends none back)."""
    story, problems, lines = check_file(path, ctx)
    if story is not None:
        story = dataclasses.replace(story, body="", body_on_disk=True)
    return story, problems, lines


def parts_for_cache(item: tuple[Path, bytes], ctx: _Context) -> FileCheck:
    """check_file_parts of bytes already read, with only what the check's cache keeps (no story or lines)."""
    path, data = item
    return dataclasses.replace(check_file_parts(path, ctx, data), story=None, lines=[], data=None)


def _init_worker(ctx: _Context) -> None:
    _WORKER_CONTEXT[:] = [ctx]


def _check_chunk(items: list[_I], one: Callable[[_I, _Context], _T]) -> list[_T]:
    ctx = _WORKER_CONTEXT[0]
    return [one(item, ctx) for item in items]


def run_checks(files: list[_I], ctx: _Context, jobs: int, one: Callable[[_I, _Context], _T]) -> list[_T]:
    """``one`` on every file, in ``jobs`` processes when there are enough files to be worth it."""
    if jobs <= 1 or len(files) < 200:
        return [one(item, ctx) for item in files]
    from concurrent.futures import ProcessPoolExecutor  # costs 12 ms to import; a one-file check never needs it

    # The context (with every slug) goes to each worker once, not with every file:
    # sent per file it made a full check quadratic in the number of stories.
    size = max(1, len(files) // (jobs * 8))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(ctx,)) as pool:
        done = pool.map(_check_chunk, chunks, [one] * len(chunks))
        return [result for chunk in done for result in chunk]


_run = run_checks
