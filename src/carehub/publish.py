"""Build the site into a temporary directory and swap it into place.

Why: `mkdocs build` empties site/ before it reads a single source, so a
failed build would leave readers (and `carehub serve`) with half a site.  We
build beside site/ (same file system, so renames are atomic), and only when
MkDocs has finished without error do we move the new tree in and the old one
out.  On any failure the temporary tree is removed and site/ is untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Threads removing the old site's files: unlinking waits on the file system, not the interpreter.
REMOVERS = 4


def publish_atomically(site_dir: Path, build: Callable[[Path], None]) -> None:
    """Run ``build(temporary_dir)``; on success replace ``site_dir`` with its output."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-building-", dir=site_dir.parent))
    try:
        build(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
    old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(old)
    try:
        staging.rename(site_dir)
    except BaseException:
        if old.exists():
            old.rename(site_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    remove_tree(old)


def remove_tree(top: Path) -> None:
    """Remove a directory tree (the old site), its files by several threads at once; never raises.

    Why: the old site is as many files as the new one, and removing them one
    by one was a tenth of a build at 1,000 stories (0.48 s; 0.27 s with four
    threads on two cores).  Links are removed, never followed.
    """
    files: list[str] = []
    folders: list[str] = []

    def visit(folder: str) -> None:
        folders.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    visit(entry.path)
                else:
                    files.append(entry.path)

    try:
        visit(str(top))
        step = max(1, len(files) // (REMOVERS * 8))
        with ThreadPoolExecutor(REMOVERS) as pool:
            for _ in pool.map(_unlink_all, (files[i : i + step] for i in range(0, len(files), step))):
                pass
        for folder in reversed(folders):  # deepest last visited, so removed first
            os.rmdir(folder)  # noqa: PTH106 - speed: thousands of names, no Path objects
    except OSError:
        shutil.rmtree(top, ignore_errors=True)  # whatever is left, one by one


def _unlink_all(names: list[str]) -> None:
    for name in names:
        os.unlink(name)  # noqa: PTH108 - speed: thousands of names, no Path objects
