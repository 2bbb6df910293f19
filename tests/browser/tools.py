"""The outside tools the public-site gates need, found or installed reproducibly.

- axe-core and the Nu Html Checker (vnu-jar) come from npm, pinned in
  package.json and hash-locked in package-lock.json beside this file.  `.ci/run`
  installs them with `npm ci`; a local test session does the same the first
  time, or whenever node_modules/ no longer matches the lock
  (bench/carehub_bench/npmlock.py, which the benchmark's Lighthouse uses too).
- Chromium is Debian's package (never Playwright's own download, which is
  blocked here); Java runs vnu.jar.

Nothing here decides whether a page passes: it only finds tools.  A missing
tool is reported with a loud reason so a skip cannot be mistaken for a pass
(and CAREHUB_CI=1 turns every skip into a failure).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from carehub_bench.chromium import EXECUTABLE as CHROMIUM
from carehub_bench.npmlock import LOCK, matches_lock, npm_ci

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"


class ToolMissing(Exception):
    """A tool the gates need is not on this machine; the message says how to get it."""


def ensure_node_modules() -> Path:
    """node_modules/ holding exactly what package-lock.json pins (runs `npm ci`, npmlock.py, if not)."""
    if NODE_MODULES.is_dir() and matches_lock(HERE, HERE / LOCK):
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise ToolMissing(
            "npm is not installed, so axe-core and vnu-jar cannot be fetched: the accessibility and HTML "
            "gates did NOT run. Install Node.js and npm (Debian: apt-get install nodejs npm) or run .ci/run."
        )
    why = npm_ci(npm, HERE)
    if why:
        raise RuntimeError(why)
    return NODE_MODULES


def axe_source() -> str:
    return (ensure_node_modules() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def vnu_command() -> list[str]:
    """The command that runs the Nu Html Checker, up to (not including) its options."""
    jar = ensure_node_modules() / "vnu-jar" / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if java is None:
        raise ToolMissing(
            "Java is not installed, so the Nu Html Checker (vnu.jar) cannot run: the HTML gate did NOT run. "
            "Install a Java runtime (Debian: apt-get install default-jre-headless) or run .ci/run."
        )
    return [java, "-Xss4m", "-jar", str(jar)]


def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        raise ToolMissing(
            f"Chromium is not installed at {CHROMIUM}: the browser gates (accessibility, keyboard, privacy, "
            "search, no-JavaScript, screenshots) did NOT run. Install Debian's chromium "
            "(apt-get install chromium), set CAREHUB_CHROMIUM to another binary, or run .ci/run."
        )
    return CHROMIUM
