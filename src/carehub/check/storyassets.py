"""Which files beside the stories are published: only those a published story links or shows (CH512, CH513).

Why: a file under stories/ is published because a story needs it, never for
being there.  A picture left behind after its story was withdrawn, a draft
PDF, a spare photo: none of them reaches the site.  And consent outranks
everything: a file that a withdrawn story links or shows, or that sits in a
withdrawn story's own folder (``<slug>/index.md``), is not published even if
another story links it too.

A story's references are the paths it names: ``image.src``, each
download's ``href``, and every relative link and image in its body
(filecheck.references_of).  The withdrawn stories' files are not read as
stories (withdrawals.set_aside); their text is only scanned here for the paths
they name.

Must not judge the files themselves (storyfiles.other_file_problems does: type,
bytes, names) or raise for bad content.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from carehub.problems import Problem
from carehub.read.storyfiles import Reference, is_address

# A path a story file names: a Markdown link or image target, or a front-matter `src:` or `href:` value.
_NAMED_RE = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s*-?\s*(?:src|href):\s*[\"']?([^\s\"'#]+)", re.MULTILINE)


def published_path(story_rel: str, target: str) -> str | None:
    """The repository path (forward slashes) a story at ``story_rel`` names with ``target``; None for an address."""
    if is_address(target):
        return None
    clean = target.split("#", 1)[0].split("?", 1)[0]
    if not clean:
        return None
    joined = clean.lstrip("/") if clean.startswith("/") else posixpath.join(posixpath.dirname(story_rel), clean)
    return posixpath.normpath(joined)


def withdrawn_files(root: Path, withdrawn_rels: Iterable[str]) -> tuple[set[str], tuple[str, ...]]:
    """The paths the withdrawn story files name, and the folders that are a withdrawn story's own."""
    named: set[str] = set()
    folders: list[str] = []
    for rel in withdrawn_rels:
        if rel.endswith("/index.md"):
            folders.append(posixpath.dirname(rel) + "/")
        try:
            text = (root / rel).read_text("utf-8", errors="replace")
        except OSError:
            continue
        for m in _NAMED_RE.finditer(text):
            path = published_path(rel, m.group(1) or m.group(2))
            if path is not None:
                named.add(path)
    return named, tuple(folders)


def select_assets(
    assets: Sequence[str],
    references: Mapping[str, Iterable[Reference]],
    root: Path,
    withdrawn_rels: Iterable[str] = (),
    whole_tree: bool = True,
) -> tuple[list[str], list[Problem]]:
    """The ``assets`` (publishable files, storyfiles.other_file_problems) to publish, and why the others are not.

    ``references``: each published story's references, by its path.  ``whole_tree``: every story was read
    (a check of a few files cannot tell that no other story links a file, so it warns of nothing).
    """
    linked: dict[str, str] = {}  # path -> the first story naming it
    for story_rel, refs in references.items():
        for what, target, _line, _column, _slug in refs:
            if what in ("file", "image", "link"):
                path = published_path(story_rel, target)
                if path is not None:
                    linked.setdefault(path, story_rel)
    withheld, folders = withdrawn_files(root, withdrawn_rels)
    published: list[str] = []
    problems: list[Problem] = []
    for rel in assets:
        if rel in withheld or rel.startswith(folders):
            if rel in linked:
                problems.append(
                    Problem.warning(
                        rel,
                        0,
                        0,
                        "CH513",
                        f"`{rel}` belongs to a withdrawn story, so it is not published, though "
                        f"`{linked[rel]}` links to it.",
                        "Withdrawal outranks the link: remove the link or picture from that story, "
                        "or use a different file.",
                    )
                )
            continue
        if rel in linked:
            published.append(rel)
        elif whole_tree:
            problems.append(
                Problem.warning(
                    rel,
                    0,
                    0,
                    "CH512",
                    f"No story links to or shows `{rel}`, so it is not published.",
                    "Link it from the story it belongs to (for example [the checklist](file.pdf) or "
                    "![what it shows](photo.jpg)), or delete it.",
                )
            )
    return published, problems
