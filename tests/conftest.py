"""Shared fixtures: a throwaway project with the real data files, and the CI skip rule.

CAREHUB_CI=1 (set by .ci/run) turns every skipped test into a failure, so a
browser that failed to install can never pass silently.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The day the tests are run on: passed to the checks, and set as CAREHUB_TODAY for the command line.
TODAY = dt.date(2026, 11, 25)


def make_project(tmp_path: Path, stories: dict[str, str] | None = None, *, with_repo_stories: bool = False) -> Path:
    """A minimal project: mkdocs.yml, data/, overrides/, docs/, and the given stories."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("data", "docs", "overrides"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    if with_repo_stories:
        shutil.copytree(ROOT / "stories", project / "stories")
    (project / "stories").mkdir(exist_ok=True)
    for rel, text in (stories or {}).items():
        path = project / "stories" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    def factory(stories: dict[str, str] | None = None, **kwargs: bool) -> Path:
        return make_project(tmp_path, stories, **kwargs)

    return factory


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks compare dates with today; tests pin it so they do not rot."""
    monkeypatch.setenv("CAREHUB_TODAY", TODAY.isoformat())
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CAREHUB_CI") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        print(f"\nCAREHUB_CI=1: {skipped} test(s) were skipped; in CI a skip is a failure.")
        session.exitstatus = 1
