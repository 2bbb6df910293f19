"""One story file's check: its bytes read, its front matter validated, its links and files listed.

The one way to check a story file, for the build and for `carehub check` alike: :func:`check_file` returns
a :class:`FileCheck`, everything that depends on the file itself and on the project's data (vocabularies,
site ids, today's date, held by a :class:`CheckContext`) and nothing on other files.  :func:`check_files`
runs it over many files, in worker processes when there are enough.  What only the whole collection can
show (two files with one slug, links to stories and files that must exist) is catalogue.py's and
checker.py's work.  Never raises for bad content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from carehub.check.model import Meta, share_fields_sets
from carehub.check.placeholders import find_placeholders
from carehub.check.privacy import LineIndex
from carehub.check.validate import StoryValidator, dates_against_today
from carehub.check.vocabularies import Vocabularies
from carehub.errors import StoryChanged
from carehub.problems import Problem
from carehub.read import characters, filetypes, frontmatter, sourcetext
from carehub.read.storyfiles import (
    SLUG_RE,
    Reference,
    is_address,
    needs_lookup,
    read_story,
    reference_problems,
    slug_for,
    story_slug_of,
    suggest_slug,
)
from carehub.read.yamlreader import Path_

# Starts with a literal `[` so the regex engine can skip ahead; an image is a match preceded by `!`.
_LINK_RE = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)")
# A reference definition, `[1]: checklist.pdf "title"`, which `[the checklist][1]` (or `![..][1]`) uses.
_DEFINITION_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Story:
    """A story that passed every check. Everything downstream reads it and never changes it.

    It holds no body: :func:`story_body` reads it from the file, which must still be the bytes checked
    (``digest``).  Why: the build's parent process holds every story while the page workers render, and
    each worker that reads a shared body copies it (114 MB of bodies at 20,000 stories).
    """

    slug: str
    path: str  # relative to the project root, with forward slashes
    meta: Meta
    body_line: int  # the file line on which the body starts
    digest: str  # SHA-256 of the file's bytes as checked

    @property
    def url(self) -> str:
        """Site-relative URL of the story page (directory URLs)."""
        return f"stories/{self.slug}/"


@dataclass(frozen=True)
class CheckContext:
    """What checking one file needs beyond its bytes; small and picklable, sent to each worker once.

    It owns the story validator for these vocabularies, site ids and date (building one is costly).
    """

    root: Path
    vocabularies: Vocabularies
    site_ids: frozenset[str]
    today: dt.date
    slugs: frozenset[str]
    withdrawn: frozenset[str] = frozenset()  # links to these are warnings (CH510), never errors
    abbreviations: frozenset[str] | None = None  # the glossary's; None skips the CH225 warning
    approach_ids: frozenset[str] | None = None  # the approaches in data/approaches.yml (CH230)
    review: bool = True  # also report case studies not reviewed for two years (CH231)
    validator: StoryValidator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        validator = StoryValidator(
            self.vocabularies, self.site_ids, self.today, self.abbreviations, self.approach_ids, self.review
        )
        object.__setattr__(self, "validator", validator)


@dataclass(frozen=True, slots=True)
class FileCheck:
    """One file's results: the story (None once an error is found), its problems, the links and files it
    refers to, its lines (for quoting under a problem) and the dates compared with today.

    `carehub check` keeps the problems, references and dates in its cache (checkcache.py): plain data.
    """

    rel: str
    story: Story | None
    problems: list[Problem]
    references: list[Reference]  # links and files that must exist, looked up on every run
    lines: list[str]  # the file's lines, for quoting under a problem
    dates: list[dt.date]  # the dates compared with today (a cached result holds while none crosses it)


def story_body(root: Path, story: Story) -> str:
    """A story's body, read from its file, which must be the bytes that were checked (raises StoryChanged).

    What is published must be what was checked: a file edited since is an error, never rendered.
    """
    try:
        data = (root / story.path).read_bytes()
    except OSError as error:
        raise StoryChanged(
            f"{story.path} could not be read again while the site was built ({error.strerror})."
        ) from None
    if hashlib.sha256(data).hexdigest() != story.digest:
        raise StoryChanged(f"{story.path} changed while the site was being built, after it was checked: build again.")
    text, _ = sourcetext.decode(data, story.path)
    body = frontmatter.body_of(text or "")  # checked bytes: no control characters (they are errors)
    return body or ""


def check_file(path: Path, ctx: CheckContext, data: bytes | None = None) -> FileCheck:
    """Check one story file, leaving links and referenced files to :func:`storyfiles.reference_problems`.

    ``data``: the file's bytes, when the caller has read them (through read_story's checks).
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
    text, decode_problems = sourcetext.decode(data, rel)
    if text is None:
        return FileCheck(rel, None, problems + decode_problems, [], [], [])
    lines = text.split("\n")
    problems.extend(find_placeholders(lines, rel))
    control = characters.find_control_characters(text, rel)
    if control:
        problems.extend(control)
        text = characters.blank_control_characters(text)
    document, read_problems = frontmatter.read(text, rel)
    problems.extend(read_problems)
    if document.data is None:
        return FileCheck(rel, None, problems, [], lines, [])
    meta, story_problems = ctx.validator.validate(document, rel)
    problems.extend(story_problems)
    references = references_of(document)
    dates = dates_against_today(document.data, review=ctx.review)
    if meta is None or any(p.is_error for p in problems):
        return FileCheck(rel, None, problems, references, lines, dates)
    story = Story(slug, rel, meta, document.body_line, hashlib.sha256(data).hexdigest())
    return FileCheck(rel, story, problems, references, lines, dates)


def references_of(document: frontmatter.Document) -> list[Reference]:
    """Images and downloads that must exist; links to stories and files that must exist."""
    references: list[Reference] = []
    data = document.data or {}
    targets: list[tuple[Path_, str]] = []
    image = data.get("image")
    if isinstance(image, dict) and isinstance(image.get("src"), str):
        targets.append((("image", "src"), image["src"]))
    downloads = data.get("downloads")
    for index, download in enumerate(downloads if isinstance(downloads, list) else []):
        if isinstance(download, dict) and isinstance(download.get("href"), str):
            targets.append((("downloads", index, "href"), download["href"]))
    adopted = data.get("adopted_from_story")
    if isinstance(adopted, str) and SLUG_RE.match(adopted):
        position = document.positions.get(("adopted_from_story",))
        line, column = (position.line, position.column) if position else (1, 1)
        references.append(("adopted", adopted, line, column, adopted))
    for ref_path, target in targets:
        if needs_lookup(target):
            position = document.positions.get(ref_path)
            line, column = (position.line, position.column) if position else (1, 1)
            references.append(("file", target, line, column, ""))
    body = document.body
    if "](" in body or "]:" in body:
        lines: LineIndex | None = None
        found = [
            (m.start(1), m.start() > 0 and body[m.start() - 1] == "!", m.group(1)) for m in _LINK_RE.finditer(body)
        ]
        found += [(m.start(1), False, m.group(1)) for m in _DEFINITION_RE.finditer(body)]
        for offset, is_image, target in sorted(found):
            what: str | None = None
            slug = story_slug_of(target)
            if slug is not None:
                what = "story"
            elif target.split("#", 1)[0].endswith(".md") and not is_address(target):
                what = "link" if needs_lookup(target) else None
            elif is_image and needs_lookup(target):
                what = "image"
            elif needs_lookup(target) and filetypes.extension(target.split("#", 1)[0].split("?", 1)[0]):
                what = "file"  # a download beside the story, [the checklist](checklist.pdf): must exist
            if what:
                lines = lines or LineIndex(body, document.body_line)
                line, column = lines.position(offset)
                references.append((what, target, line, column, slug or ""))
    return references


@dataclass(frozen=True, slots=True)
class Keep:
    """What :func:`check_files` sends back of each file (from a worker process, everything is copied)."""

    stories: bool = True  # False for `carehub check`, which needs only the problems
    lines: bool = True  # the lines of a file with problems, for quoting
    references: bool = True  # look the references up now (their problems join the file's); False: the caller does


_WORKER: list[tuple[CheckContext, Keep]] = []  # set once in each worker process by _init_worker, read by _check_chunk


def check_files(
    files: Sequence[tuple[Path, bytes | None]], ctx: CheckContext, jobs: int = 1, keep: Keep = Keep()
) -> list[FileCheck]:
    """:func:`check_file` on every file (with its bytes, if read), in ``jobs`` processes when worth it."""
    if jobs <= 1 or len(files) < 200:
        results = [_check_one(item, ctx, keep) for item in files]
    else:
        from concurrent.futures import ProcessPoolExecutor  # costs 12 ms to import; a one-file check never needs it

        # The context (with every slug) goes to each worker once, not with every file:
        # sent per file it made a full check quadratic in the number of stories.
        size = max(1, len(files) // (jobs * 8))
        chunks = [list(files[i : i + size]) for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(ctx, keep)) as pool:
            results = [result for chunk in pool.map(_check_chunk, chunks) for result in chunk]
    # Kept for the whole build: the stories' models share their sets of given fields (half of what they held).
    share_fields_sets(result.story.meta for result in results if result.story is not None)
    return results


def _check_one(item: tuple[Path, bytes | None], ctx: CheckContext, keep: Keep) -> FileCheck:
    path, data = item
    result = check_file(path, ctx, data)
    problems, story = result.problems, result.story
    if keep.references:
        problems = problems + reference_problems(
            result.rel, path, result.references, ctx.root, ctx.slugs, ctx.withdrawn
        )
        if any(p.is_error for p in problems):
            story = None
    lines = result.lines if keep.lines and problems else []  # a clean file sends no lines back
    return FileCheck(result.rel, story if keep.stories else None, problems, result.references, lines, result.dates)


def _init_worker(ctx: CheckContext, keep: Keep) -> None:
    _WORKER[:] = [(ctx, keep)]


def _check_chunk(items: list[tuple[Path, bytes | None]]) -> list[FileCheck]:
    ctx, keep = _WORKER[0]
    return [_check_one(item, ctx, keep) for item in items]
