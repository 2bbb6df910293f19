"""The render cache (rendercache.py): reused when nothing changed, never when something did."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from carehub_bench.corpus import generate_corpus

from carehub.cli import main
from carehub.render.rendercache import SUBDIR, RenderCache, Rendered

from .conftest import make_project

pytestmark = pytest.mark.build


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _build(project: Path, site: Path) -> None:
    assert main(["--root", str(project), "build", "--quiet", "--site-dir", str(site)]) == 0


def _entries(project: Path) -> list[Path]:
    return sorted((project / SUBDIR).glob("*/*.json"))


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Path]]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("CAREHUB_NO_CACHE", raising=False)
    project = make_project(tmp_path)
    return project, generate_corpus(project, 16, seed=11)


def test_a_warm_build_writes_the_same_site_and_really_uses_the_cache(
    corpus: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    project, stories = corpus
    _build(project, tmp_path / "cold")
    entries = _entries(project)
    assert len(entries) >= len(stories)  # every story, and every hand-written page with Markdown
    _build(project, tmp_path / "warm")
    assert _tree(tmp_path / "cold") == _tree(tmp_path / "warm")
    assert _entries(project) == entries  # nothing new: every page was a hit

    # Proof that the second build read the cache rather than rendering again: a planted entry shows up
    # (as text: the sanitiser still runs on cached HTML, and drops a planted attribute, as it should).
    for entry in entries:
        data = json.loads(entry.read_text("utf-8"))
        data["html"] = data["html"].replace("</p>", " Planted in the cache.</p>", 1)
        data["html"] = data["html"].replace("<p>", '<p onclick="alert(1)">', 1)
        entry.write_text(json.dumps(data), "utf-8")
    _build(project, tmp_path / "planted")
    for path in stories:
        page = (tmp_path / "planted" / "stories" / path.stem / "index.html").read_text("utf-8")
        assert "Planted in the cache." in page
        assert "onclick" not in page


def test_an_edited_story_is_rendered_again_and_the_others_are_not(
    corpus: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    project, stories = corpus
    _build(project, tmp_path / "first")
    before = set(_entries(project))
    edited = stories[3]
    edited.write_text(edited.read_text("utf-8") + "\nA sentence added after the first build.\n", "utf-8")
    _build(project, tmp_path / "second")
    after = set(_entries(project))
    assert len(after - before) == 1  # one new entry: the edited story's
    page = (tmp_path / "second" / "stories" / edited.stem / "index.html").read_text("utf-8")
    assert "A sentence added after the first build." in page


def test_markdown_settings_are_part_of_the_key(corpus: tuple[Path, list[Path]], tmp_path: Path) -> None:
    # Docs pages are Python-Markdown's, so its settings change their HTML (stories are cmark-gfm's: storybody.py,
    # whose version is in the key too).
    project, _ = corpus
    (project / "docs" / "notes.md").write_text("# Notes\n\n## Where the figures come from\n\nText.\n", "utf-8")
    _build(project, tmp_path / "first")
    first = (tmp_path / "first" / "notes" / "index.html").read_text("utf-8")
    assert 'class="headerlink"' in first
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("permalink: true", "permalink: false"), "utf-8")
    _build(project, tmp_path / "second")
    second = (tmp_path / "second" / "notes" / "index.html").read_text("utf-8")
    assert 'class="headerlink"' not in second


def test_a_corrupt_entry_is_a_miss_and_no_cache_writes_nothing(
    corpus: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = corpus
    _build(project, tmp_path / "first")
    for entry in _entries(project):
        entry.write_bytes(b"\x00not json")
    _build(project, tmp_path / "second")
    assert _tree(tmp_path / "first") == _tree(tmp_path / "second")
    assert all(json.loads(e.read_text("utf-8"))["html"] for e in _entries(project))  # rewritten

    (tmp_path / "other").mkdir()
    other = make_project(tmp_path / "other")
    generate_corpus(other, 4, seed=2)
    monkeypatch.setenv("CAREHUB_NO_CACHE", "1")
    _build(other, tmp_path / "third")
    assert not (other / ".cache").exists()


def test_keys_depend_on_the_file_list_only_for_pages_with_relative_links(tmp_path: Path) -> None:
    one = RenderCache(tmp_path, "salt", ["a.md", "b.md"])
    two = RenderCache(tmp_path, "salt", ["a.md", "b.md", "c.md"])
    absolute = "See [the list](/stories/) and [a site](https://example.org/)."
    relative = "See [the other page](b.md)."
    assert one.key("a.md", "a/", absolute) == two.key("a.md", "a/", absolute)
    assert one.key("a.md", "a/", relative) != two.key("a.md", "a/", relative)
    assert one.key("a.md", "a/", absolute) != one.key("a.md", "x/a/", absolute)  # links are relative to the URL
    assert one.key("a.md", "a/", absolute) != RenderCache(tmp_path, "other", []).key("a.md", "a/", absolute)


def test_entries_round_trip_with_their_warnings(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, "salt", [])
    rendered = Rendered(
        html="<p>Café ✓</p>",
        toc_tokens=[{"level": 2, "id": "x", "name": "X", "html": "X", "children": []}],
        title="T",
        anchors=["x"],
        anchor_links={"b.md": {"y": "b.md#y"}},
        warnings=[("mkdocs.structure.pages", 30, "a warning")],
    )
    cache.put("ab" + "0" * 62, rendered)
    assert cache.get("ab" + "0" * 62) == rendered
    assert cache.get("cd" + "0" * 62) is None


def test_build_no_cache_reaches_the_plugin_without_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`carehub build --no-cache` reaches the plugin on its config: no cache written, nothing put in os.environ."""
    monkeypatch.delenv("CAREHUB_NO_CACHE", raising=False)
    project = make_project(tmp_path)
    generate_corpus(project, 4, seed=3)
    assert main(["--root", str(project), "build", "--quiet", "--no-cache", "--site-dir", str(tmp_path / "site")]) == 0
    assert not (project / SUBDIR).exists()
    assert "CAREHUB_NO_CACHE" not in os.environ
    _build(project, tmp_path / "again")  # and the next build, without the option, caches again
    assert _entries(project)
