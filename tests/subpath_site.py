"""The repository's site built for another host under a sub-path, for the hosting tests (test_hosting.py, browser/).

Nothing in the output may assume GitHub Pages or the site's usual address: the
site is built with ``site_url`` at :data:`BASE` into ``<www>/hub/``, so a plain
static server of ``<www>`` serves it at ``/hub/`` and has nothing outside it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import make_project

BASE = "https://cdn.example.net/hub/"
USUAL = "https://carehub.example.org/"  # site_url in the repository's mkdocs.yml
FIXED_ENV = {"CAREHUB_TODAY": "2026-11-25", "SOURCE_DATE_EPOCH": "1795564800", "NO_MKDOCS_2_WARNING": "1"}


def build_under_subpath(tmp_path: Path) -> Path:
    """Build the repository's content with site_url BASE; return the folder that holds it as ``hub/``."""
    project = make_project(tmp_path, with_repo_stories=True)
    config = project / "mkdocs.yml"
    text, count = re.subn(r"(?m)^site_url: .*$", f"site_url: {BASE}", config.read_text(encoding="utf-8"))
    assert count == 1, "mkdocs.yml has no site_url line"
    config.write_text(text, encoding="utf-8")
    www = tmp_path / "www"
    result = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(project), "build", "--quiet", "--site-dir", str(www / "hub")],
        capture_output=True,
        text=True,
        env={**os.environ, **FIXED_ENV},
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return www
