"""The plugin and `carehub build`: same checks as `check`, atomic publishing, sanitised HTML.

Builds real (small) sites with MkDocs and parses the output.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest

from carehub.check.catalogue import load_catalogue
from carehub.check.safety import sanitise_html

from . import sample_files
from .conftest import FIXTURES

VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()
pytestmark = pytest.mark.build


def build(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(root), "build", "--quiet", *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_stories_are_published_at_their_slug(project: Callable[..., Path]) -> None:
    root = project({"deep/folder/red-bag.md": VALID, "other/index.md": VALID.replace("red bag", "blue bag")})
    result = build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    page = parse(root / "site" / "stories" / "red-bag" / "index.html")
    assert "The red bag scheme in Sutton care homes" in " ".join(page.text)
    assert (root / "site" / "stories" / "other" / "index.html").exists()
    assert "title: The red bag" not in " ".join(page.text), "front matter must never be rendered as text"


def test_only_files_the_check_accepted_reach_the_site(project: Callable[..., Path]) -> None:
    # The story links both files: only files a story links or shows are published (CH512 otherwise).
    root = project({"case-studies/red-bag.md": VALID + "\n![The chart](chart.png) [The evaluation](evaluation.pdf)\n"})
    folder = root / "stories" / "case-studies"
    chart, report = sample_files.png(4, 3), sample_files.pdf()
    (folder / "chart.png").write_bytes(chart)
    (folder / "evaluation.pdf").write_bytes(report)
    (root / "stories" / "_old").mkdir()
    (root / "stories" / "_old" / "photo.png").write_bytes(sample_files.png())  # warned about, never published
    result = build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site"
    published = sorted(
        p.relative_to(site).as_posix() for p in (site / "stories").rglob("*") if p.is_file() and p.suffix != ".html"
    )
    assert published == ["stories/case-studies/chart.png", "stories/case-studies/evaluation.pdf"]
    assert (site / "stories" / "case-studies" / "chart.png").read_bytes() == chart
    assert (site / "stories" / "case-studies" / "evaluation.pdf").read_bytes() == report

    before = tree_digest(site)
    (folder / "evil.html").write_text("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
    (folder / "logo.png").write_text("<html><script>alert(1)</script></html>")
    (folder / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (root / "stories" / ".draft.md").write_text(VALID)
    check = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(root), "check"], capture_output=True, text=True, check=False
    )
    result = build(root)
    assert check.returncode == result.returncode == 1, result.stdout + result.stderr
    for out in (check.stdout, result.stdout):
        assert "stories/case-studies/evil.html  error  CH507" in out
        assert "stories/case-studies/drawing.svg  error  CH507" in out
        assert "stories/case-studies/logo.png  error  CH508" in out
        assert "stories/.draft.md  warning  CH509" in out
    assert "Nothing was built" in result.stderr
    assert tree_digest(site) == before  # byte for byte the previous site
    assert not [p for p in site.rglob("*") if p.name in ("evil.html", "logo.png", "drawing.svg", "photo.png")]


def test_failed_build_lists_every_problem_and_leaves_site_untouched(project: Callable[..., Path]) -> None:
    root = project({"good.md": VALID})
    assert build(root).returncode == 0
    before = tree_digest(root / "site")
    (root / "stories" / "bad-one.md").write_text(VALID.replace("region: london", "region: Londn"))
    (root / "stories" / "bad-two.md").write_text("---\ntitle: [unclosed\n---\n")
    result = build(root)
    assert result.returncode == 1
    assert "stories/bad-one.md:9:9" in result.stdout and "CH203" in result.stdout
    assert "stories/bad-two.md:" in result.stdout and "CH103" in result.stdout
    assert "Traceback" not in result.stderr
    assert tree_digest(root / "site") == before
    assert not list(root.glob(".site-*")), "the staging folder must be removed"


def test_mkdocs_build_itself_fails_on_broken_front_matter(project: Callable[..., Path], tmp_path: Path) -> None:
    """Running plain `mkdocs build` goes through the same loader and stops."""
    root = project({"bad.md": "---\ntitle: x\ntitle: y\n---\nBody\n"})
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "CAREHUB_TODAY": "2026-11-25", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "CH104" in result.stdout + result.stderr


def test_story_html_is_sanitised_by_the_plugin(project: Callable[..., Path]) -> None:
    body = VALID + "\n<!-- a reviewer's private note -->\n\nVisible text.\n"
    root = project({"commented.md": body})
    assert build(root).returncode == 0
    html = (root / "site" / "stories" / "commented" / "index.html").read_text()
    assert "Visible text." in html
    assert "private note" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](jav&#x61;script:alert(1))",
        'A paragraph\n{: onclick="alert(1)" }',
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<iframe src=https://example.org></iframe>",
        '<a href="vbscript:msgbox">x</a>',
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        "<form action=https://example.org><input></form>",
        "<meta http-equiv=refresh content=0>",
    ],
)
def test_second_wall_removes_executable_html(source: str) -> None:
    rendered = markdown.markdown(source, extensions=["attr_list"])
    clean = sanitise_html(rendered).lower()
    parser = _Text()
    parser.feed(clean)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "iframe", "form", "input", "meta", "base", "object", "embed"}
        for name, value in attrs.items():
            assert not name.startswith("on")
            if name in {"href", "src"} and value:
                assert not value.strip().startswith(("javascript:", "vbscript:", "data:")), value


def test_a_story_changed_after_its_check_is_not_published(
    project: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The build reads each story's body again when its page renders: it must be the bytes that were checked."""
    from carehub import cli
    from carehub.check import catalogue

    root = project({"good.md": VALID, "edited.md": VALID.replace("red bag", "green bag")})
    assert build(root).returncode == 0
    before = tree_digest(root / "site")
    load = catalogue.load_catalogue

    def load_then_edit(*args: Any, **kwargs: Any) -> catalogue.Catalogue:
        loaded = load(*args, **kwargs)
        edited = root / "stories" / "edited.md"
        edited.write_text(edited.read_text() + "\nA sentence added after the check, with 07700 900123.\n")
        return loaded

    monkeypatch.setattr(catalogue, "load_catalogue", load_then_edit)
    assert cli.main(["--root", str(root), "build", "--quiet", "--jobs", "1"]) == 1
    out = capsys.readouterr()
    said = out.out + out.err + caplog.text  # MkDocs logs the reason; the CLI says the build failed
    assert "stories/edited.md changed while the site was being built" in said
    assert "The previous site/ is unchanged" in said and "Traceback" not in said
    assert tree_digest(root / "site") == before


def test_the_build_holds_no_story_bodies_and_reads_each_as_it_was_checked(project: Callable[..., Path]) -> None:
    from carehub.check.catalogue import load_catalogue, story_body

    body = "Text with a line of dashes below.\n\n---\n\nAnd more text after it.\n"
    root = project({"one.md": VALID, "two.md": VALID.rstrip("\n") + "\n" + body, "three/index.md": VALID})
    catalogue = load_catalogue(root)
    assert len(catalogue.stories) == 3
    assert all(not hasattr(s, "body") for s in catalogue.stories)
    bodies = [story_body(root, s) for s in catalogue.stories]
    assert sum(b.endswith(body) for b in bodies) == 1  # a `---` line in the body is body text
    assert all(b.startswith("\n") or b.strip() for b in bodies)


def _build_loudly(root: Path) -> str:
    """`carehub build` without --quiet, as a person runs it: everything it prints, stdout and stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(root), "build"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_a_clean_build_of_the_repository_prints_only_its_summary(project: Callable[..., Path]) -> None:
    root = project(with_repo_stories=True)
    stories = len(
        [p for p in (root / "stories").rglob("*.md") if p.name[0] not in "._" and "_templates" not in p.parts]
    )
    said = _build_loudly(root)
    assert said.splitlines()[-1] == f"Built {stories} stories into {root / 'site'}."
    # Before it, only the content's own warnings, as `check` prints them (a real story may carry a CH225):
    # nothing from MkDocs or Python.
    warnings = [p for p in load_catalogue(root).problems if not p.is_error]
    if not warnings:
        assert len(said.splitlines()) == 1, said
    assert not re.search(r"^(?:WARNING|INFO|ERROR|Traceback)\b", said, flags=re.MULTILINE), said


def test_a_broken_link_in_a_page_is_still_a_warning(project: Callable[..., Path]) -> None:
    root = project({"case-studies/red-bag.md": VALID})
    about = root / "docs" / "about.md"
    about.write_text(
        about.read_text(encoding="utf-8") + "\n[Gone](no-such-page.md) and [a heading](index.md#no-such-heading).\n",
        encoding="utf-8",
    )
    said = _build_loudly(root)
    assert "'no-such-page.md', but the target is not found among documentation files" in said
    assert "the doc 'index.md' does not contain an anchor '#no-such-heading'" in said
    assert f"Built 1 stories into {root / 'site'}." in said.splitlines()
