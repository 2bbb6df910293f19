"""Load everything a build or a check needs: vocabularies, sites and stories.

Walks ``stories/``, reads each file with the strict front-matter reader,
validates it, and then checks what only the whole collection can show: two
files with the same slug, links to stories that do not exist, images that are
missing, symbolic links that leave the repository.  Returns frozen
:class:`Story` objects and every problem; it never raises for bad content.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from . import frontmatter, vocabularies
from .glossary import Glossary, load_glossary
from .model import Meta, Site
from .placeholders import find_placeholders
from .privacy import LineIndex
from .problems import Problem, sort_problems
from .validate import StoryValidator

STORIES_DIR = "stories"
DATA_DIR = "data"
MAX_STORY_BYTES = 256 * 1024
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Starts with a literal `[` so the regex engine can skip ahead; an image is a match preceded by `!`.
_LINK_RE = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)")
_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class Story:
    """A story that passed every check. Everything downstream reads it and never changes it."""

    slug: str
    path: str  # relative to the project root, with forward slashes
    meta: Meta
    body: str
    body_line: int

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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def story(self, slug: str) -> Story | None:
        return next((s for s in self.stories if s.slug == slug), None)


def slug_for(path: Path) -> str:
    """`stories/a/b.md` -> `b`; `stories/a/b/index.md` -> `b`."""
    return path.parent.name if path.name == "index.md" else path.stem


def suggest_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "story"


def find_story_files(root: Path) -> list[Path]:
    """Every Markdown file under stories/, skipping names that start with `_` (templates)."""
    return [Path(name) for name in _story_file_names(root)]


def _story_file_names(root: Path) -> list[str]:
    """find_story_files as strings: a one-file check lists every story (for slugs) and
    building 20,000 Path objects would cost more than checking the file."""
    base = str(root / STORIES_DIR)
    join, islink = os.path.join, os.path.islink
    found: list[str] = []
    for directory, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        # os.walk does not descend into linked folders; report them so one leaving the repository is caught.
        found.extend(join(directory, d) for d in dirnames if islink(join(directory, d)))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith(("_", ".")):
                found.append(join(directory, name))
            elif islink(join(directory, name)):
                found.append(join(directory, name))  # checked below: a link may leave the repository
    return found


def _slug_of(name: str) -> str:
    """slug_for on a path string (the same rule as pathlib's stem)."""
    head, tail = os.path.split(name)
    if tail == "index.md":
        return os.path.basename(head)  # noqa: PTH119 - strings, not Paths, for speed
    dot = tail.rfind(".")
    return tail[:dot] if 0 < dot < len(tail) - 1 else tail


@dataclass(frozen=True)
class _Context:
    """What a worker needs to check one file; small and picklable."""

    root: Path
    vocabularies: vocabularies.Vocabularies
    site_ids: frozenset[str]
    today: dt.date
    slugs: frozenset[str]


# One validator per check context (building one is costly).  The entry keeps its context alive: keyed by id()
# alone, a later project's context could be given a freed one's id and its validator, with another project's
# sites and vocabularies (seen in a long test run).
_VALIDATORS: dict[int, tuple[_Context, StoryValidator]] = {}


def check_file(path: Path, ctx: _Context) -> tuple[Story | None, list[Problem], list[str]]:
    """Read and check one story file. Returns the story (if valid), its problems and its lines."""
    rel = path.relative_to(ctx.root).as_posix()
    problems: list[Problem] = []
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(ctx.root.resolve()):
            return (
                None,
                [
                    Problem(
                        rel,
                        0,
                        0,
                        "CH502",
                        "error",
                        "This is a symbolic link to a file outside the repository.",
                        "Replace the link with the file itself.",
                    )
                ],
                [],
            )
        if not path.name.endswith(".md"):
            return None, [], []
    try:
        size = path.stat().st_size
        if size > MAX_STORY_BYTES:
            return (
                None,
                [
                    Problem(
                        rel,
                        0,
                        0,
                        "CH503",
                        "error",
                        f"The file is {size // 1024} KB; stories may be at most {MAX_STORY_BYTES // 1024} KB.",
                        "Split it, or move large material into a download.",
                    )
                ],
                [],
            )
        data = path.read_bytes()
    except OSError as error:
        return None, [Problem(rel, 0, 0, "CH506", "error", f"The file cannot be read: {error.strerror}.")], []
    slug = slug_for(path)
    if not SLUG_RE.match(slug):
        what = "folder" if path.name == "index.md" else "file"
        problems.append(
            Problem(
                rel,
                0,
                0,
                "CH501",
                "error",
                f"The {what} name `{slug}` is not lowercase words joined by hyphens; it becomes the web address.",
                f"Rename it to `{suggest_slug(slug)}`.",
            )
        )
    text, decode_problems = frontmatter.decode(data, rel)
    if text is None:
        return None, problems + decode_problems, []
    lines = text.split("\n")
    problems.extend(find_placeholders(lines, rel))
    control = frontmatter.find_control_characters(text, rel)
    if control:
        problems.extend(control)
        text = frontmatter.blank_control_characters(text)
    document, read_problems = frontmatter.read(text, rel)
    problems.extend(read_problems)
    if document.data is None:
        return None, problems, lines
    cached = _VALIDATORS.get(id(ctx))
    if cached is None or cached[0] is not ctx:
        if len(_VALIDATORS) >= 8:  # a long-lived process (tests, `carehub serve`) checks many contexts
            _VALIDATORS.clear()
        cached = _VALIDATORS[id(ctx)] = (ctx, StoryValidator(ctx.vocabularies, ctx.site_ids, ctx.today))
    validator = cached[1]
    meta, story_problems = validator.validate(document, rel)
    problems.extend(story_problems)
    problems.extend(_check_references(path, document, ctx, rel))
    # The lines are only for quoting the source under a problem; a clean file sends none back.
    if meta is None or any(p.is_error for p in problems):
        return None, problems, lines
    return Story(slug, rel, meta, document.body, document.body_line), problems, lines if problems else []


def _check_references(path: Path, document: frontmatter.Document, ctx: _Context, rel: str) -> list[Problem]:
    """Images and downloads that must exist; links to stories that must exist."""
    problems: list[Problem] = []
    data = document.data or {}

    def missing(target: str) -> bool:
        if _URL_SCHEME_RE.match(target) or target.startswith(("#", "//")):
            return False
        clean = target.split("#", 1)[0].split("?", 1)[0]
        if not clean:
            return False
        resolved = (ctx.root / clean.lstrip("/")) if clean.startswith("/") else (path.parent / clean)
        try:
            resolved = resolved.resolve()
        except OSError:  # pragma: no cover
            return True
        return not resolved.is_relative_to(ctx.root.resolve()) or not resolved.exists()

    refs: list[tuple[frontmatter.Path_, str]] = []
    image = data.get("image")
    if isinstance(image, dict) and isinstance(image.get("src"), str):
        refs.append((("image", "src"), image["src"]))
    downloads = data.get("downloads")
    for index, download in enumerate(downloads if isinstance(downloads, list) else []):
        if isinstance(download, dict) and isinstance(download.get("href"), str):
            refs.append((("downloads", index, "href"), download["href"]))
    for ref_path, target in refs:
        if missing(target):
            position = document.positions.get(ref_path)
            problems.append(
                Problem(
                    rel,
                    position.line if position else 1,
                    position.column if position else 1,
                    "CH504",
                    "error",
                    f"`{target}` does not exist.",
                    "Add the file to the repository beside the story, or fix the path.",
                )
            )
    body = document.body
    if "](" in body:
        lines: LineIndex | None = None
        for m in _LINK_RE.finditer(body):
            start = m.start()
            is_image, target = start > 0 and body[start - 1] == "!", m.group(1)
            problem: tuple[str, str, str] | None = None
            story_slug = _story_slug_of(target)
            if story_slug is not None:
                if story_slug not in ctx.slugs:
                    problem = (
                        "CH505",
                        f"The link to `{target}` points to a story that does not exist.",
                        "Check the story's file name: links use /stories/<file name without .md>/.",
                    )
            elif target.split("#", 1)[0].endswith(".md") and not _URL_SCHEME_RE.match(target):
                if missing(target):
                    problem = (
                        "CH505",
                        f"The link to `{target}` points to a file that does not exist.",
                        "Check the path; it is relative to this story's folder.",
                    )
            elif is_image and missing(target):
                problem = (
                    "CH504",
                    f"The image `{target}` does not exist.",
                    "Add the image file beside the story, or fix the path.",
                )
            if problem:
                lines = lines or LineIndex(body, document.body_line)
                line, column = lines.position(m.start(1))
                problems.append(Problem(rel, line, column, problem[0], "error", problem[1], problem[2]))
    return problems


_STORY_LINK_RE = re.compile(r"^(?:/|(?:\.\./)+)?stories/([^/#?]+)/?(?:[#?].*)?$")


def _story_slug_of(target: str) -> str | None:
    m = _STORY_LINK_RE.match(target)
    return m.group(1) if m else None


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
                Problem(
                    rel,
                    0,
                    0,
                    "CH501",
                    "error",
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
            sites[site_id] = Site.model_validate(document.data, context={"vocabularies": vocab})
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                loc = tuple(detail["loc"])
                position = document.positions.get(loc)
                line = position.line - 1 if position else 0
                problems.append(
                    Problem(
                        rel,
                        line,
                        position.column if position else 0,
                        "CH600",
                        "error",
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
) -> Catalogue:
    """Load and check the project at ``root`` (only ``paths``, if given).

    ``keep_stories=False`` is for `carehub check`, which needs only the problems:
    ``stories`` is then empty, and parallel workers do not send every story back.
    """
    root = root.resolve()
    today = today or _today()
    vocab, problems = vocabularies.load(root / DATA_DIR / "vocabularies.yml", root)
    sites, site_problems = load_sites(root, vocab)
    problems.extend(site_problems)
    # The glossary is a data file like the others: `check` reports its problems too, not only `build`.
    glossary, glossary_problems = load_glossary(root)
    problems.extend(glossary_problems)
    all_names = _story_file_names(root)
    files = [Path(name) for name in all_names] if paths is None else _select(paths, root, all_names)
    ctx = _Context(root, vocab, frozenset(sites), today, frozenset(_slug_of(name) for name in all_names))
    results = _run(files, ctx, jobs, keep_stories)
    stories: list[Story] = []
    sources: dict[str, list[str]] = {}
    for story, file_problems, lines in results:
        problems.extend(file_problems)
        if file_problems:
            sources[file_problems[0].file] = lines
        if story is not None:
            stories.append(story)
    problems.extend(_collisions(files, all_names, root))
    stories.sort(key=lambda s: (-s.meta.date.toordinal(), s.slug))
    return Catalogue(root, vocab, sites, tuple(stories), tuple(sort_problems(problems)), len(files), sources, glossary)


_Result = tuple[Story | None, list[Problem], list[str]]
_WORKER_CONTEXT: list[_Context] = []


def _init_worker(ctx: _Context) -> None:
    _WORKER_CONTEXT[:] = [ctx]


def _check_chunk(paths: list[Path], keep_stories: bool) -> list[_Result]:
    ctx = _WORKER_CONTEXT[0]
    results = [check_file(path, ctx) for path in paths]
    return results if keep_stories else [(None, problems, lines) for _, problems, lines in results]


def _run(files: list[Path], ctx: _Context, jobs: int, keep_stories: bool) -> list[_Result]:
    if jobs <= 1 or len(files) < 200:
        results = [check_file(path, ctx) for path in files]
        return results if keep_stories else [(None, problems, lines) for _, problems, lines in results]
    from concurrent.futures import ProcessPoolExecutor  # costs 12 ms to import; a one-file check never needs it

    # The context (with every slug) goes to each worker once, not with every file:
    # sent per file it made a full check quadratic in the number of stories.
    size = max(1, len(files) // (jobs * 8))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(ctx,)) as pool:
        done = pool.map(_check_chunk, chunks, [keep_stories] * len(chunks))
        return [result for chunk in done for result in chunk]


def _select(paths: Iterable[Path], root: Path, all_names: list[str]) -> list[Path]:
    selected: list[Path] = []
    for given in paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            folder = str(path.resolve())
            for name in all_names:
                real = os.path.realpath(name)
                if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
                    selected.append(Path(name))
        else:
            selected.append(path.absolute())
    return sorted(set(selected))


def _collisions(files: Iterable[Path], all_names: list[str], root: Path) -> list[Problem]:
    by_slug: dict[str, list[str]] = {}
    for name in all_names:
        if name.endswith(".md"):
            by_slug.setdefault(_slug_of(name), []).append(name)
    wanted = {str(path) for path in files}
    prefix = len(str(root)) + 1
    problems = []
    for slug, names in by_slug.items():
        if len(names) < 2:
            continue
        for name in names:
            if name not in wanted:
                continue
            others = ", ".join(Path(o[prefix:]).as_posix() for o in names if o != name)
            problems.append(
                Problem(
                    Path(name[prefix:]).as_posix(),
                    0,
                    0,
                    "CH500",
                    "error",
                    f"Another file has the same web address /stories/{slug}/: {others}.",
                    "Rename one of them; every story needs its own file name.",
                )
            )
    return problems


def _today() -> dt.date:
    override = os.environ.get("CAREHUB_TODAY")
    if override:
        return dt.date.fromisoformat(override)
    return dt.date.today()
