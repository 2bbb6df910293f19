"""Snapshot: the size and modification time of every file a build reads, to tell which files changed since.

`carehub serve` takes one before each build and compares the next one with it
(``changes_since``): MkDocs' file watcher says only that something changed, and
an incremental rebuild (render/incremental.py) needs to know what.  A file is
"modified" when its size or modification time (in nanoseconds) differs; a
file saved with the same bytes may count as modified, which costs a little
work and never a wrong page.

Must not read file contents, or decide what a change means for the site (plan/changes.py does).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceChanges:
    """Files added, removed and modified between two snapshots, relative to the project root with forward slashes."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Every changed file, in order."""
        return tuple(sorted({*self.added, *self.removed, *self.modified}))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)


@dataclass(frozen=True)
class Snapshot:
    """The files under some folders of a project (and some single files), each with (mtime_ns, size)."""

    files: dict[str, tuple[int, int]]

    @classmethod
    def take(cls, root: Path, paths: Iterable[Path]) -> Snapshot:
        """Every file under each of ``paths`` (folders or files; those missing are skipped)."""
        files: dict[str, tuple[int, int]] = {}
        for path in paths:
            if path.is_file():
                stat = path.stat()
                files[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
            elif path.is_dir():
                _walk(path.relative_to(root).as_posix(), str(path), files)
        return cls(files)

    def changes_since(self, earlier: Snapshot) -> SourceChanges:
        before, now = earlier.files, self.files
        return SourceChanges(
            added=tuple(sorted(now.keys() - before.keys())),
            removed=tuple(sorted(before.keys() - now.keys())),
            modified=tuple(sorted(path for path in now.keys() & before.keys() if now[path] != before[path])),
        )


def _walk(rel: str, folder: str, files: dict[str, tuple[int, int]]) -> None:
    """Every file below ``folder`` (``rel`` from the root), by os.scandir: its entries carry their stat."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # removed while walking: the next snapshot sees it gone
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(f"{rel}/{entry.name}", entry.path, files)
            elif entry.is_file():
                stat = entry.stat()
                files[f"{rel}/{entry.name}"] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            continue
