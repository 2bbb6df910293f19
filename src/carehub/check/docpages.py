"""The hand-written pages in docs/: the same unsafe-markup rules as stories, with their own short allow-list.

docs/ pages are ours, not contributors', but a pull request can change them
too (CODEOWNERS sends it to a maintainer), and the build does not sanitise
them with nh3 (their generated parts, the share form for one, are HTML we
write).  So `carehub check` screens them with safety.find_unsafe_markup
(CH400 HTML not allowed, CH401 event handlers, CH402 unsafe addresses) and
safety.DOCS, and the build (plugin.py, on_config) refuses a page for the same
problems by calling the same function: check and build cannot disagree.

Only the markup rules apply: a page has no front matter schema.  Its MkDocs
meta block (``---`` … ``---``) is skipped, keeping line numbers.  Standard
library only, like checker.py: `check` stays fast at import.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from carehub.check import safety
from carehub.check.privacy import LineIndex
from carehub.problems import READ_HINT, Problem
from carehub.read.sourcetext import decode, source_lines

DEFAULT_DOCS_DIR = "docs"
# MkDocs' YAML meta block: "---" on the first line, closed by "---" or "..." on a line of its own.
_DOCS_DIR_RE = re.compile(r"""^docs_dir:[ \t]*["']?([^"'#\r\n]+?)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)
_META_RE = re.compile(r"\A-{3}[ \t]*\r?\n.*?^(?:-{3}|\.{3})[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class DocsReport:
    problems: list[Problem]
    checked: int
    sources: dict[str, list[str]] = field(default_factory=dict, repr=False)


def docs_dir(root: Path) -> Path:
    """The docs folder named by mkdocs.yml's ``docs_dir`` (default docs/).

    Read with a pattern, not YAML: importing a YAML reader would cost `check` of an unchanged tree more
    than the check itself (settings.py is for commands that load YAML anyway).  The plugin passes
    MkDocs' own value instead.
    """
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    match = _DOCS_DIR_RE.search(text)
    return root / (match.group(1).strip() if match else DEFAULT_DOCS_DIR)


def page_files(folder: Path) -> list[Path]:
    """Every Markdown page under ``folder``, as MkDocs finds them (dot-files and folders skipped), sorted."""
    found: list[Path] = []
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found.extend(Path(current) / name for name in sorted(files) if name.endswith(".md") and name[0] != ".")
    return found


def blank_meta(text: str) -> str:
    """The page with its MkDocs meta block replaced by spaces (newlines kept, so offsets and lines hold)."""
    match = _META_RE.match(text)
    if match is None:
        return text
    return re.sub(r"[^\n]", " ", match.group()) + text[match.end() :]


def page_problems(text: str, file: str) -> list[Problem]:
    """CH400–CH402 for one page's Markdown, at their lines and columns."""
    body = blank_meta(text)
    found = list(safety.find_unsafe_markup(body, safety.DOCS))
    if not found:
        return []
    index = LineIndex(body)
    problems = []
    for unsafe in found:
        line, column = index.position(unsafe.start)
        problems.append(Problem.error(file, line, column, unsafe.code, unsafe.message, unsafe.hint))
    return problems


def check_pages(root: Path, pages: Sequence[Path] | None = None, folder: Path | None = None) -> DocsReport:
    """Check ``pages`` (default: every page in the docs folder); problems name files relative to ``root``."""
    folder = folder or docs_dir(root)
    files = page_files(folder) if pages is None else list(pages)
    problems: list[Problem] = []
    sources: dict[str, list[str]] = {}
    for path in files:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem.error(rel, 0, 0, "CH506", f"The file cannot be read: {error.strerror}.", READ_HINT))
            continue
        text, decoding = decode(data, rel)
        found = decoding if text is None else page_problems(text, rel)
        if found:
            problems.extend(found)
            sources[rel] = source_lines(data)
    return DocsReport(problems, len(files), sources)


def split_paths(root: Path, paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The paths `carehub check` was given, as (for the story check, docs pages to check).

    A path in the docs folder names pages (a folder: every page in it); a folder holding the docs folder
    (the project, say) names both its stories and every page; anything else is for the story check.
    """
    folder = docs_dir(root).resolve()
    stories: list[Path] = []
    pages: list[Path] = []
    for given in paths:
        path = (given if given.is_absolute() else Path.cwd() / given).resolve()
        if path == folder or folder in path.parents:
            pages.extend(page_files(path) if path.is_dir() else [path])
        else:
            stories.append(given)
            if path.is_dir() and path in folder.parents:
                pages.extend(page_files(folder))
    return stories, sorted(set(pages))
