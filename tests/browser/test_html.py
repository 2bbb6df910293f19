"""Gate: every page of the built site is valid HTML to the Nu Html Checker (vnu.jar).

One Java run checks every HTML file (a few seconds for the whole site), so
this covers all pages, not a sample of page types.  A message may be ignored
only through IGNORED below, each with the reason it is not a fault of ours.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .known import settle

pytestmark = pytest.mark.build

# (pattern matched against the message, why it is not a defect).  Keep this empty if you can.
IGNORED: tuple[tuple[re.Pattern[str], str], ...] = ()


def run_vnu(vnu: list[str], files: list[Path]) -> list[dict[str, object]]:
    result = subprocess.run(
        [*vnu, "--format", "json", "--errors-only", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar did not produce a JSON report (exit {result.returncode}):\n{result.stderr[-2000:]}")
    messages: list[dict[str, object]] = report["messages"]
    return messages


def _describe(message: dict[str, object], site_dir: Path) -> str:
    url = str(message.get("url", ""))
    where = url.removeprefix("file:").removeprefix(str(site_dir) + "/")
    extract = " ".join(str(message.get("extract", "")).split())
    return f"{where}:{message.get('lastLine', '?')}: {message.get('message')} | {extract[:160]}"


def test_every_page_is_valid_html(site_dir: Path, vnu: list[str]) -> None:
    files = sorted(site_dir.rglob("*.html"))
    messages = run_vnu(vnu, files)
    errors = [
        m
        for m in messages
        if m.get("type") in ("error", "non-document-error")
        and not any(pattern.search(str(m.get("message", ""))) for pattern, _ in IGNORED)
    ]
    settle("html", [_describe(m, site_dir) for m in errors], f"the Nu Html Checker on all {len(files)} pages")


def test_the_checker_reports_invalid_html(tmp_path: Path, vnu: list[str]) -> None:
    """The gate itself: vnu must flag the stock Material mistake we know of, and pass a clean page."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="en"><title>x</title><input type="checkbox" autocomplete="off" id="a">',
        encoding="utf-8",
    )
    good = tmp_path / "good.html"
    good.write_text('<!doctype html><html lang="en"><title>x</title><p>Fine.</p>', encoding="utf-8")
    messages = run_vnu(vnu, [bad, good])
    assert {str(m["url"]).rsplit("/", 1)[-1] for m in messages} == {"bad.html"}
    assert any("autocomplete" in str(m["message"]) for m in messages)
