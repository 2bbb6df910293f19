"""Npm lock: a folder's node_modules/ installed with ``npm ci --ignore-scripts`` from a hash-locked package-lock.json,
and checked against that lock.

Shared by the benchmark's Lighthouse (lighthouse.py, bench/package-lock.json) and the browser tests' axe-core and
vnu-jar (tests/browser/tools.py, tests/browser/package-lock.json), so both install and check the same way.

``--ignore-scripts``: none of the locked packages needs an install script (vnu.jar ships in its tarball, Lighthouse
is plain JavaScript), and running none keeps an install to the registry and to the lock's hashes.

Must not find or name the tools themselves (where npm is, which script to run): the callers do, and raise their
own errors with what to install.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

LOCK = "package-lock.json"


def matches_lock(folder: Path, lock: Path) -> bool:
    """Whether ``folder`` holds every package ``lock`` pins, each at its pinned version."""
    packages = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
    for key, entry in packages.items():
        if not key:  # the project itself
            continue
        manifest = folder / key / "package.json"
        if not manifest.is_file():
            return False
        if json.loads(manifest.read_text(encoding="utf-8")).get("version") != entry.get("version"):
            return False
    return True


def npm_ci(npm: str, folder: Path, source: Path | None = None) -> str:
    """Run ``npm ci --ignore-scripts`` in ``folder``; "" when what it installed matches the lock, otherwise why not.

    ``source``, when given, is the folder whose package.json and package-lock.json are copied into ``folder``
    first (an install kept outside the repository's tree).
    """
    folder.mkdir(parents=True, exist_ok=True)
    if source is not None and source.resolve() != folder.resolve():
        for name in ("package.json", LOCK):
            shutil.copyfile(source / name, folder / name)
    result = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return (
            f"`npm ci` in {folder} failed (exit {result.returncode}):\n{result.stdout[-1500:]}\n{result.stderr[-1500:]}"
        )
    if not matches_lock(folder, folder / LOCK):
        return f"`npm ci` in {folder} finished, but node_modules/ does not hold what {LOCK} pins"
    return ""
