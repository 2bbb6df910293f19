"""Build the site into a temporary directory and swap it into place.

Why: `mkdocs build` empties site/ before it reads a single source, so a
failed build would leave readers (and `carehub serve`) with half a site.  We
build beside site/ (same file system, so renames are atomic), and only when
MkDocs has finished without error do we move the new tree in and the old one
out.  On any failure the temporary tree is removed and site/ is untouched.

A build killed part way (a cancelled CI job, Ctrl-C twice, the OOM killer)
cannot tidy up, so each build first removes what earlier ones left: their
`.site-building-*` and `.site-old-*` folders.  Never one still in use: each
build holds an exclusive lock (``fcntl.flock``) on `.site-building-TOKEN.lock`
beside its folders for as long as it runs, and the operating system releases
it when the process dies, however it dies.  A folder whose lock can be taken
is stale.  The lock file is made (and locked) before its folders and removed
after them, so a folder without one comes from a build older than locks.

Must not know about MkDocs or stories: it runs the build it is given and moves folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Threads removing the old site's files: unlinking waits on the file system, not the interpreter.
REMOVERS = 4


def publish_atomically(site_dir: Path, build: Callable[[Path], None]) -> None:
    """Run ``build(temporary_dir)``; on success replace ``site_dir`` with its output."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(site_dir)
    with _locked_token(site_dir) as token:
        staging = site_dir.with_name(f".{site_dir.name}-building-{token}")
        staging.mkdir(mode=0o700)  # private while it is written, as mkdtemp made it
        try:
            build(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        staging.chmod(0o755)  # a published site is world-readable
        old = site_dir.with_name(f".{site_dir.name}-old-{token}")
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


def _lock_path(site_dir: Path, token: str) -> Path:
    return site_dir.with_name(f".{site_dir.name}-building-{token}.lock")


@contextlib.contextmanager
def _locked_token(site_dir: Path) -> Iterator[str]:
    """A fresh token whose lock file this process holds until the block ends; the lock file is then removed."""
    prefix = f".{site_dir.name}-building-"
    while True:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".lock", dir=site_dir.parent)
        if _lock(fd, name):
            break
        os.close(fd)  # another build's cleaner removed it before we locked it: take another name
    try:
        yield Path(name).name.removeprefix(prefix).removesuffix(".lock")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)  # noqa: PTH108 - the path we made, before its lock goes
        os.close(fd)


def _lock(fd: int, name: str) -> bool:
    """Take ``fd``'s lock without waiting; true if taken and ``name`` still names that file."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return os.stat(name).st_ino == os.fstat(fd).st_ino  # noqa: PTH116 - compared with fstat
    except OSError:
        return False


def remove_stale(site_dir: Path) -> None:
    """Remove the staging and old-site folders, and lock files, of builds that are no longer running; never raises."""
    building, old = f".{site_dir.name}-building-", f".{site_dir.name}-old-"
    try:
        names = os.listdir(site_dir.parent)  # noqa: PTH208 - names only
    except OSError:
        return
    tokens: set[str] = set()
    for name in names:
        if name.startswith(building):
            tokens.add(name.removeprefix(building).removesuffix(".lock"))
        elif name.startswith(old):
            tokens.add(name.removeprefix(old))
    for token in sorted(tokens):
        folders = [site_dir.with_name(building + token), site_dir.with_name(old + token)]
        lock = _lock_path(site_dir, token)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:  # left by a build from before locks, which is not running now
            for folder in folders:
                if folder.is_dir() and not folder.is_symlink():
                    remove_tree(folder)
            continue
        except OSError:
            continue
        try:
            if not _lock(fd, str(lock)):
                continue  # a build is using it
            for folder in folders:
                if folder.is_dir() and not folder.is_symlink():
                    remove_tree(folder)
            with contextlib.suppress(OSError):
                lock.unlink()
        finally:
            os.close(fd)


def remove_tree(top: Path) -> None:
    """Remove a directory tree (the old site), its files by several threads at once; never raises.

    Why: the old site is as many files as the new one, and removing them one
    by one is a noticeable part of a build; unlinking waits on the file
    system, not on Python (bench/README.md).  Links are removed, never followed.
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
