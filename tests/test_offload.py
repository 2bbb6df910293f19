"""Pages rendered in worker processes (offload.py) are exactly the pages one process renders.

The build hands story and generated pages to forked workers; a mistake there
(a page rendered with another page's state, a Markdown instance not reset, a
nav label lost, a page not written at all) shows as a difference between a
``--jobs 1`` and a ``--jobs 2`` build of the same project, file by file.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from carehub_bench.corpus import generate_corpus

from carehub.check.glossary import load_glossary
from carehub.cli import main
from carehub.publish.search.format import OUTPUT_SUBDIR
from carehub.publish.search.index import index_site
from carehub.render.offload import QuietStubs, _chunks

from .conftest import make_project

pytestmark = pytest.mark.build


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _build(project: Path, site: Path, jobs: int, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--root", str(project), "build", "--jobs", str(jobs), "--site-dir", str(site)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_two_processes_write_the_same_site_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path)
    stories = generate_corpus(project, 60, seed=7)
    one, two = tmp_path / "one", tmp_path / "two"
    code_one, _ = _build(project, one, 1, capsys)
    code_two, log_two = _build(project, two, 2, capsys)
    assert (code_one, code_two) == (0, 0)
    a, b = _tree(one), _tree(two)
    assert sorted(a) == sorted(b)
    different = [rel for rel in a if a[rel] != b[rel]]
    assert different == []
    # Every story and its listing pages were really written (not left to MkDocs' empty stubs).
    for path in stories:
        page = b[f"stories/{path.stem}/index.html"].decode()
        assert "<h1>" in page and 'class="ch-header' in page and 'class="ch-footer' in page
    assert "browse/type/case-study/index.html" in b
    # Nav labels of generated pages in the nav survive being rendered elsewhere (they once became "None").
    for rel in ("index.html", f"stories/{stories[0].stem}/index.html", "browse/type/case-study/index.html"):
        html = b[rel].decode()
        assert re.search(r">\s*All stories\s*<", html) and re.search(r">\s*Browse\s*<", html), rel
        assert not re.search(r">\s*None\s*<", html), rel
    # The stubs MkDocs' own loop renders (empty, on purpose) are not announced as skipped pages.
    assert "Page skipped" not in log_two


def test_a_page_that_fails_in_a_worker_stops_the_build_and_names_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    project = make_project(tmp_path)
    generate_corpus(project, 12, seed=3)
    site = tmp_path / "site"
    site.mkdir()
    (site / "previous.html").write_text("the last good site", encoding="utf-8")
    template = project / "overrides" / "carehub" / "story.html"
    # An attribute of an undefined value raises in Jinja: a template bug that only story pages hit.
    template.write_text(
        template.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}{{ ch.nope.deeper }}"),
        encoding="utf-8",
    )
    code, output = _build(project, site, 2, capsys)
    assert code == 1
    assert "previous site/ is unchanged" in output
    # MkDocs logs the plugin's error: every failing page, each once, with the template's complaint.
    assert "could not be rendered" in caplog.text
    for path in (project / "stories").rglob("*.md"):
        rel = path.relative_to(project).as_posix()
        assert caplog.text.count(f"{rel}: UndefinedError") == 1, rel
    assert (site / "previous.html").read_text(encoding="utf-8") == "the last good site"
    assert not (site / "stories").exists()


def test_the_index_fed_while_rendering_is_the_index_of_the_finished_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The index numbers stories in search.index.story_order, whatever order the workers finish them in."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path)
    stories = generate_corpus(project, 30, seed=5)
    # Three stories on one day: their order is decided by URL, the tie-break both sides must share. (Moved to the
    # earliest of their dates, so an `updated` date stays after it; patient stories' consent dates are left alone.)
    tied = [path for path in stories if "patient-stories" not in path.parts][:3]
    day = min(re.search(r"^date: (.*)$", path.read_text(encoding="utf-8"), re.M).group(1) for path in tied)  # type: ignore[union-attr]
    for path in tied:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^date: .*$", f"date: {day}", text, count=1, flags=re.M), encoding="utf-8")
    built = tmp_path / "site"
    code, output = _build(project, built, 2, capsys)
    assert code == 0, output
    streamed = {p.relative_to(built): p.read_bytes() for p in (built / OUTPUT_SUBDIR).rglob("*") if p.is_file()}
    synonyms = load_glossary(project)[0].search_groups()  # the build's meta.json carries them
    assert index_site(built, synonyms) == []  # index the finished site again, from scratch
    again = {p.relative_to(built): p.read_bytes() for p in (built / OUTPUT_SUBDIR).rglob("*") if p.is_file()}
    assert streamed and streamed == again


def test_chunks_cover_every_page_once_in_order() -> None:
    uris = [f"stories/{n}.md" for n in range(1003)]
    for jobs in (1, 2, 8):
        chunks = _chunks(uris, jobs)
        assert [uri for chunk in chunks for uri in chunk] == uris
        assert max(len(chunk) for chunk in chunks) <= 50
        assert len(chunks) >= jobs


def test_quiet_stubs_drops_only_the_skipped_notice_after_a_stub() -> None:
    quiet = QuietStubs()

    def record(level: int, function: str = "_build_page", message: str = "Page skipped.") -> logging.LogRecord:
        return logging.LogRecord("mkdocs.commands.build", level, __file__, 1, message, None, None, func=function)

    assert quiet.filter(record(logging.INFO))  # nothing expected: kept
    quiet.expect(True)
    assert quiet.filter(record(logging.WARNING))  # a warning is never dropped
    assert quiet.filter(record(logging.INFO, function="build"))  # nor another function's notice
    assert not quiet.filter(record(logging.INFO))  # the stub's notice
    assert quiet.filter(record(logging.INFO))  # only one
    quiet.expect(True)
    quiet.expect(False)  # the next page was a real one
    assert quiet.filter(record(logging.INFO))
