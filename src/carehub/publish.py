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
from pathlib import Path


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
    shutil.rmtree(old, ignore_errors=True)
