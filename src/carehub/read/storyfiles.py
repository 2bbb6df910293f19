"""Story files as files: where they are, what they are called, reading their bytes, and what they point at.

Everything here depends on file names and the file system, not on what a
story says: the slug rule, the walk of ``stories/``, two files with one slug,
links to stories and files that must exist, and every other file there: which
may be published (filetypes.py's allow-list) and which its name keeps off the
site (never skipped without a word).  It is separate from
catalogue.py so that `carehub check` can run these checks on every file every
time while taking a file's own results from its cache, without importing
YAML, pydantic or the content model.  Must stay light: standard library only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from carehub.problems import READ_HINT, Problem

STORIES_DIR = "stories"
DATA_DIR = "data"
MAX_STORY_BYTES = 256 * 1024
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_STORY_LINK_RE = re.compile(r"^(?:/|(?:\.\./)+)?stories/([^/#?]+)/?(?:[#?].*)?$")

# A reference from a story that only the tree as it is now can settle, kept as plain data:
# (what, target as written, line, column, slug).  What it is decides what must exist and the problem if
# not: "story" a link to /stories/<slug>/ (the slug must be a story's); "link" a link to a .md file;
# "image" an image in the body; "file" an image or download named in the front matter (each must exist
# inside the repository, relative to the story's folder, or to the root if it starts with /).
Reference = tuple[str, str, int, int, str]
REFERENCE_KINDS: dict[str, tuple[str, str, str]] = {
    "story": (
        "CH505",
        "The link to `{target}` points to a story that does not exist.",
        "Check the story's file name: links use /stories/<file name without .md>/.",
    ),
    "link": (
        "CH505",
        "The link to `{target}` points to a file that does not exist.",
        "Check the path; it is relative to this story's folder.",
    ),
    "image": ("CH504", "The image `{target}` does not exist.", "Add the image file beside the story, or fix the path."),
    "file": (
        "CH504",
        "`{target}` does not exist.",
        "Add the file to the repository beside the story, or fix the path.",
    ),
    # adopted_from_story in a case study's front matter: the slug must be a story's.
    "adopted": (
        "CH516",
        "`adopted_from_story` names `{target}`, but there is no story with that file name.",
        "Write the file name of the case study you adopted from, without .md (for example red-bag-scheme-sutton).",
    ),
}


WITHDRAWN_LINK = (
    "This links to a story that has been withdrawn at its teller's request; the address now only says so.",
    "Remove the link, and any words that name or describe the withdrawn story.",
)


def slug_for(path: Path) -> str:
    """`stories/a/b.md` -> `b`; `stories/a/b/index.md` -> `b`."""
    return path.parent.name if path.name == "index.md" else path.stem


def suggest_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "story"


def find_story_files(root: Path) -> list[Path]:
    """Every Markdown file under stories/ that is published, skipping names that start with `_` or `.`."""
    return [Path(name) for name in story_file_names(root)]


def story_file_names(root: Path) -> list[str]:
    """find_story_files as strings: a one-file check lists every story (for slugs) and
    building 20,000 Path objects would cost more than checking the file."""
    return walk(root)[0]


def walk(root: Path) -> tuple[list[str], list[str]]:
    """The story files under stories/, and every other file there (which other_file_problems checks).

    Stories: folders in name order, each listing its linked folders (not followed: one leaving the repository
    is reported by the check), then its files, then the folders inside it; names starting with `.` or `_`
    are not stories.  Links to files are listed whatever their name, so the check can catch one leaving the
    repository; a link whose name does not end in .md is listed with the other files too.

    Other files: every file that is not a story, in folders starting with `.` or `_` as well (not in linked
    folders, which are not followed): images and downloads, templates in stories/_templates/, and Markdown
    files that will not be published.  None is skipped without a word.
    """
    found: list[str] = []
    others: list[str] = []
    sep = os.sep

    def visit(directory: str, hidden: bool) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        linked: list[str] = []
        files: list[str] = []
        folders: list[tuple[str, bool]] = []
        for entry in entries:
            name = entry.name
            path = directory + sep + name
            if _is_folder(entry):
                if entry.is_symlink():
                    if not hidden and not name.startswith((".", "_")):
                        linked.append(path)
                else:
                    folders.append((path, hidden or name.startswith((".", "_"))))
            elif hidden:
                others.append(path)
            elif name.endswith(".md") and not name.startswith(("_", ".")):
                files.append(path)
            elif entry.is_symlink():
                files.append(path)  # any link: the check catches one leaving the repository
                if not name.endswith(".md"):
                    others.append(path)
            else:
                others.append(path)
        found.extend(linked)
        found.extend(files)
        for folder, folder_hidden in folders:
            visit(folder, folder_hidden)

    visit(str(root / STORIES_DIR), False)
    return found, others


def other_file_problems(names: Iterable[str], root: Path) -> tuple[list[str], list[Problem], int]:
    """The files under stories/ that are not stories (from :func:`walk`): which may be published, and why not.

    Returns the files to publish (paths relative to ``root``, with forward slashes), the problems, and how
    many files were checked.  Templates (.md in stories/_templates/) are neither published nor counted.
    Every other file is checked: a type that is not allowed (CH507), bytes that are not its type (CH508), a
    file whose name or folder keeps it off the site (CH509).  Links keep CH502: a link leaving the repository
    is reported once, by the story check when it is in a published place and here when it is not.
    """
    from carehub.read import filetypes

    real_root = root.resolve()
    prefix = str(root / STORIES_DIR) + os.sep
    published: list[str] = []
    problems: list[Problem] = []
    checked = 0
    for name in names:
        inner = Path(name[len(prefix) :]).as_posix() if name.startswith(prefix) else Path(name).name
        rel = f"{STORIES_DIR}/{inner}"
        parts = inner.split("/")
        in_templates = parts[0] == "_templates" and len(parts) > 1
        hidden = next((i for i, part in enumerate(parts) if part.startswith((".", "_"))), None)
        if in_templates and parts[-1].endswith(".md"):
            continue
        if Path(name).is_symlink():
            if not Path(name).resolve().is_relative_to(real_root):
                if hidden is not None:
                    problems.append(
                        Problem.error(
                            rel,
                            0,
                            0,
                            "CH502",
                            "This is a symbolic link to a file outside the repository.",
                            "Replace the link with the file itself.",
                        )
                    )
                continue
            if hidden is None:
                checked -= 1  # counted once, with the stories
        checked += 1
        if in_templates:
            problems.append(
                Problem.error(
                    rel,
                    0,
                    0,
                    "CH507",
                    f"`{rel}` is not a template: only story templates (.md) belong in `{STORIES_DIR}/_templates/`.",
                    "Move it beside the story that uses it, or delete it.",
                )
            )
            continue
        if hidden is None or not parts[-1].endswith(".md"):
            refused = filetypes.refusal(parts[-1])
            if refused is not None:
                reason, hint = refused
                problems.append(
                    Problem.error(
                        rel,
                        0,
                        0,
                        "CH507",
                        f"`{rel}` may not be published: {reason}. The hub publishes only {filetypes.ALLOWED_TEXT}.",
                        hint,
                    )
                )
                continue
            ext = filetypes.extension(parts[-1])
            try:
                wrong = filetypes.mismatch(name, ext)
            except OSError as error:
                problems.append(
                    Problem.error(rel, 0, 0, "CH506", f"The file cannot be read: {error.strerror}.", READ_HINT)
                )
                continue
            if wrong is not None:
                label = filetypes.ALLOWED[ext].label
                problems.append(
                    Problem.error(
                        rel,
                        0,
                        0,
                        "CH508",
                        f"`{rel}` is named as a {label}, but {wrong}.",
                        f"Save or export it again as a real {label}, or delete it.",
                    )
                )
                continue
        if hidden is None:
            published.append(rel)
            continue
        problems.append(_unpublished(rel, parts, hidden))
    return published, problems, checked


def _unpublished(rel: str, parts: list[str], hidden: int) -> Problem:
    """CH509: a file that is kept off the site by its name, or by the name of a folder it is in."""
    name = parts[-1]
    what = "story" if name.endswith(".md") else "file"
    if hidden == len(parts) - 1:
        why = (
            "names starting with `.` are hidden files, which the hub skips"
            if name.startswith(".")
            else f"names starting with `_` are skipped (only `{STORIES_DIR}/_templates/` holds templates)"
        )
        stem, _, ext = name.rpartition(".")
        suggestion = f"{suggest_slug(stem)}.{ext.lower()}"
        folder = "/".join([STORIES_DIR, *parts[:-1]])
        hint = (
            f"To publish it, rename it to lowercase words joined by hyphens, such as `{folder}/{suggestion}`; "
            "to keep a draft, keep it outside the repository."
        )
    else:
        folder = "/".join([STORIES_DIR, *parts[: hidden + 1]])
        why = f"it is in `{folder}/`, and folders whose names start with `.` or `_` are skipped"
        hint = f"To publish it, move it into a folder such as `{STORIES_DIR}/case-studies/`; otherwise delete it."
    return Problem.warning(rel, 0, 0, "CH509", f"This {what} will not be published: {why}.", hint)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, or a link to one (a broken link is not, as in os.walk)."""
    try:
        return entry.is_dir()
    except OSError:  # pragma: no cover
        return False


def slug_of(name: str) -> str:
    """slug_for on a path string (the same rule as pathlib's stem)."""
    head, _, tail = name.rpartition(os.sep)
    if tail == "index.md":
        return head.rpartition(os.sep)[2]
    dot = tail.rfind(".")
    return tail[:dot] if 0 < dot < len(tail) - 1 else tail


def select(paths: Iterable[Path], root: Path, all_names: list[str], others: Sequence[str] = ()) -> list[Path]:
    """The story files named on the command line: files as given, folders as the stories inside them.

    A file that is one of ``others`` (from :func:`walk`) and not a story is left to :func:`select_others`.
    """
    # walk() lists real paths (it follows no linked folder), so only the paths given need resolving.
    not_stories = set(others).difference(all_names) if others else set()
    selected: list[Path] = []
    for given in paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            folder = str(path.resolve())
            for name in all_names:
                real = os.path.realpath(name)
                if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
                    selected.append(Path(name))
        elif _key(str(path)) not in not_stories:
            selected.append(path.absolute())
    return sorted(set(selected))


def select_others(paths: Iterable[Path], others: Sequence[str]) -> list[str]:
    """The files of ``others`` (from :func:`walk`) named on the command line, or inside a folder named there."""
    known = set(others)
    selected: set[str] = set()
    for given in paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            folder = os.path.realpath(path).rstrip(os.sep) + os.sep
            selected.update(name for name in others if name.startswith(folder))
        elif (key := _key(str(path))) in known:
            selected.add(key)
    return sorted(selected)


def _key(name: str) -> str:
    """A file's path with its folder's links resolved, but not a link that the file itself is."""
    path = Path(name).absolute()
    return str(path.parent.resolve() / path.name)


def collisions(files: Iterable[str | Path], all_names: list[str], slugs: Sequence[str], root: Path) -> list[Problem]:
    """CH500 on each of ``files`` that shares its slug with another story file.

    ``slugs``: ``slug_of`` of each of ``all_names``, which the caller has made already for its other checks
    (at 20,000 stories making them twice was a tenth of checking one changed file).
    """
    wanted = {str(path) for path in files}
    # Only the slugs of the files asked about are grouped (a pre-commit hook asks about one or two).
    theirs = {slug for name, slug in zip(all_names, slugs, strict=True) if name in wanted}
    by_slug: dict[str, list[str]] = {}
    for name, slug in zip(all_names, slugs, strict=True):
        if slug in theirs and name.endswith(".md"):
            by_slug.setdefault(slug, []).append(name)
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
                Problem.error(
                    Path(name[prefix:]).as_posix(),
                    0,
                    0,
                    "CH500",
                    f"Another file has the same web address /stories/{slug}/: {others}.",
                    "Rename one of them; every story needs its own file name.",
                )
            )
    return problems


def read_story(path: Path, rel: str, root: Path) -> tuple[bytes | None, list[Problem]]:
    """A story file's bytes, or the problems that stop it being read (a link out of the repository,
    a file too large, a file that cannot be read).  None with no problems: a link to something that
    is not a story (a linked folder inside the repository), which is not checked."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return None, [
                Problem.error(
                    rel,
                    0,
                    0,
                    "CH502",
                    "This is a symbolic link to a file outside the repository.",
                    "Replace the link with the file itself.",
                )
            ]
        if not path.name.endswith(".md"):
            return None, []
    try:
        size = path.stat().st_size
        if size > MAX_STORY_BYTES:
            return None, [
                Problem.error(
                    rel,
                    0,
                    0,
                    "CH503",
                    f"The file is {size // 1024} KB; stories may be at most {MAX_STORY_BYTES // 1024} KB.",
                    "Shorten it, or move long material (tables, appendices) into a PDF listed under `downloads`.",
                )
            ]
        return path.read_bytes(), []
    except OSError as error:
        return None, [Problem.error(rel, 0, 0, "CH506", f"The file cannot be read: {error.strerror}.", READ_HINT)]


# -- references: links and files that must exist --------------------------------------


def story_slug_of(target: str) -> str | None:
    """The slug a link such as `/stories/<slug>/` or `../stories/<slug>/#part` points at, if it is one."""
    m = _STORY_LINK_RE.match(target)
    return m.group(1) if m else None


def is_address(target: str) -> bool:
    """A web address or an anchor on the same page: nothing in the repository to look for."""
    return bool(_URL_SCHEME_RE.match(target)) or target.startswith(("#", "//"))


def needs_lookup(target: str) -> bool:
    """Whether `missing` could say yes: a path in the repository, not an address or an anchor."""
    return not is_address(target) and bool(target.split("#", 1)[0].split("?", 1)[0])


def missing(story: str | Path, target: str, root: Path) -> bool:
    """Whether ``target`` (as written in ``story``) names no file inside the repository at ``root``."""
    if not needs_lookup(target):
        return False
    clean = target.split("#", 1)[0].split("?", 1)[0]
    resolved = (root / clean.lstrip("/")) if clean.startswith("/") else (Path(story).parent / clean)
    try:
        resolved = resolved.resolve()
    except OSError:  # pragma: no cover
        return True
    return not resolved.is_relative_to(root.resolve()) or not resolved.exists()


def reference_problems(
    rel: str,
    story: str | Path,
    references: Iterable[Reference],
    root: Path,
    slugs: frozenset[str] | set[str],
    withdrawn: Collection[str] = (),
) -> list[Problem]:
    """The references of one story that the tree as it is now does not satisfy, as problems.

    A link to a ``withdrawn`` story is never an error (withdrawal must never fail the build): the address
    serves a page saying the story was withdrawn, and editors get a warning (CH510).
    """
    problems: list[Problem] = []
    for what, target, line, column, slug in references:
        if what in ("story", "adopted") and slug in withdrawn:
            problems.append(Problem.warning(rel, line, column, "CH510", *WITHDRAWN_LINK))
            continue
        broken = slug not in slugs if what in ("story", "adopted") else missing(story, target, root)
        if broken:
            code, message, hint = REFERENCE_KINDS[what]
            problems.append(Problem.error(rel, line, column, code, message.format(target=target), hint))
    return problems
