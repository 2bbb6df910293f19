"""The search index (search.py): what Pagefind is given, in what order, and reproducibly.

Runs the real Pagefind binary over small hand-made sites and reads back what
it wrote (gzipped CBOR metadata and index chunks, JSON fragments).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest

from carehub import search

HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'


def story_html(title: str, date: str, words: str) -> str:
    """A page shaped like a built story: the searchable article, its date meta, a permalink, a listing nav."""
    return (
        HEAD.format(title=title) + "<body><nav><a href='/browse/'>Browse every listing</a></nav>"
        f"<article data-pagefind-body><h1>{title}</h1><p>{words}</p>"
        f'<div hidden data-pagefind-ignore><span data-pagefind-meta="date:{date}"></span>'
        '<span data-pagefind-filter="type:case-study"></span></div>'
        f'<h2 id="what-we-did">What we did<a class="headerlink" href="#what-we-did">¶</a></h2><p>{words}</p>'
        "</article></body></html>"
    )


def make_site(root: Path) -> Path:
    site = root / "site"
    pages = {
        # Same date twice: ties go by URL, as the all-stories listing orders them ("a" before "a-b").
        "stories/a-b/index.html": story_html("Red bag for care homes", "2020-05-01", "hospital discharge red bag"),
        "stories/a/index.html": story_html("Discharge to assess", "2020-05-01", "discharge assessed at home"),
        "stories/older/index.html": story_html("Older story", "2018-01-31", "discharge summary letters"),
        "stories/newest/index.html": story_html("Newest story", "2024-12-01", "discharge lounge"),
        "glossary/index.html": HEAD.format(title="Glossary")
        + "<body><article data-pagefind-body><h1>Glossary</h1><p>Discharge means leaving hospital.</p></article>"
        "</body></html>",
        "index.html": HEAD.format(title="Home") + "<body><article data-pagefind-body><h1>Home</h1>"
        "<p>Stories of discharge.</p></article></body></html>",
        # A listing page: no body mark, so never read by Pagefind and never a result.
        "browse/type/case-study/index.html": HEAD.format(title="Case studies")
        + "<body><article><h1>Case studies</h1><p>discharge discharge listingonlyword</p></article></body></html>",
    }
    for rel, html in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(html, "utf-8")
    return site


def bundle_files(site: Path) -> dict[str, bytes]:
    bundle = site / search.OUTPUT_SUBDIR
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def read_meta(site: Path) -> list[object]:
    bundle = site / search.OUTPUT_SUBDIR
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    meta: list[object] = search._read(bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    return meta


def fragment(site: Path, page_hash: str) -> dict[str, object]:
    data = gzip.decompress((site / search.OUTPUT_SUBDIR / "fragment" / f"{page_hash}.pf_fragment").read_bytes())
    loaded: dict[str, object] = json.loads(data.removeprefix(b"pagefind_dcd"))
    return loaded


def indexed_words(site: Path) -> set[str]:
    words: set[str] = set()
    for chunk in (site / search.OUTPUT_SUBDIR / "index").glob("*.pf_index"):
        words.update(entry[0] for entry in search._read(chunk)[0])
    return words


def test_pages_are_numbered_newest_story_first_then_undated_pages_by_url(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert search.index_site(site) == []
    meta = read_meta(site)
    pages = meta[1]
    assert isinstance(pages, list)
    urls = [fragment(site, page_hash)["url"] for page_hash, _ in pages]
    # The browser lists filter-only results in this order, so no sort index is shipped.
    assert urls == ["/stories/newest/", "/stories/a/", "/stories/a-b/", "/stories/older/", "/", "/glossary/"]
    assert meta[4] == [], "a sort index is downloaded by every first query; page order replaces it"


def test_fragments_have_short_content_names_and_none_is_orphaned(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert search.index_site(site) == []
    names = [name for name, _ in read_meta(site)[1]]  # type: ignore[attr-defined]
    assert all(re.fullmatch(r"en_[0-9a-f]{5}", name) for name in names), names
    on_disk = {p.name for p in (site / search.OUTPUT_SUBDIR / "fragment").iterdir()}
    assert on_disk == {f"{name}.pf_fragment" for name in names}
    for name in names:  # the name is the content's hash, so a changed page gets a new name (no stale caches)
        data = (site / search.OUTPUT_SUBDIR / "fragment" / f"{name}.pf_fragment").read_bytes()
        assert hashlib.sha256(data).hexdigest().startswith(name.removeprefix("en_"))


def test_only_marked_pages_are_indexed_and_permalinks_are_not_words(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert search.searchable_pages(site) == [
        site / "stories/newest/index.html",
        site / "stories/a/index.html",
        site / "stories/a-b/index.html",
        site / "stories/older/index.html",
        site / "index.html",
        site / "glossary/index.html",
    ]
    assert search.index_site(site) == []
    words = indexed_words(site)
    assert "discharg" in words and "loung" in words  # Pagefind stems English words
    assert "listingonlyword" not in words
    assert not [word for word in words if "¶" in word], "Material's heading permalinks were indexed"
    story = fragment(site, read_meta(site)[1][0][0])  # type: ignore[index]
    assert "¶" not in str(story["content"])
    assert story["filters"] == {"type": ["case-study"]}
    assert story["meta"] == {"date": "2024-12-01", "title": "Newest story"}


def test_the_same_site_gives_the_same_bundle_bytes_anywhere(tmp_path: Path) -> None:
    first = make_site(tmp_path / "one")
    second = make_site(tmp_path / "two")
    assert search.index_site(first) == [] and search.index_site(second) == []
    assert search.index_site(second) == []  # indexing again replaces the bundle, same bytes
    one, two = bundle_files(first), bundle_files(second)
    assert len(one) > 10
    assert one == two
    assert not any(str(tmp_path).encode() in data for data in one.values())


def test_a_changed_page_changes_only_what_it_must(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert search.index_site(site) == []
    before = bundle_files(site)
    page = site / "stories/older/index.html"
    page.write_text(page.read_text("utf-8").replace("summary letters", "summary letters and pharmacy"), "utf-8")
    assert search.index_site(site) == []
    after = bundle_files(site)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert len([name for name in changed if name.startswith("fragment/")]) == 2  # old name gone, new name added
    assert "pharmaci" in indexed_words(site)


def test_a_site_without_searchable_pages_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    for path in search.searchable_pages(site):
        path.unlink()
    problems = search.index_site(site)
    assert problems and "data-pagefind-body" in problems[0]
    assert not (site / search.OUTPUT_SUBDIR).exists()


def test_a_missing_pagefind_binary_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    missing = tmp_path / "no-pagefind"
    monkeypatch.setattr(search, "pagefind_executable", lambda: missing)
    problems = search.index_site(site)
    assert problems and "Pagefind" in problems[0] and str(missing) in problems[0]


def test_pagefind_stopping_midway_is_a_problem_saying_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\nhead -c 10 >/dev/null\necho 'thread main panicked: out of memory' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_executable", lambda: broken)
    problems = search.index_site(site)
    assert len(problems) == 1
    assert "exit status 3" in problems[0] and "out of memory" in problems[0]
    assert not (site / search.OUTPUT_SUBDIR).exists()


def test_sending_only_the_marked_element_gives_the_same_bundle_as_whole_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trimmed = make_site(tmp_path / "trimmed")
    assert search.index_site(trimmed) == []
    whole = make_site(tmp_path / "whole")
    monkeypatch.setattr(search, "searchable_part", lambda page: page)
    assert search.index_site(whole) == []
    assert bundle_files(trimmed) == bundle_files(whole)


def test_the_searchable_part_is_the_html_tag_and_the_whole_marked_element() -> None:
    page = (
        b'<!doctype html><html lang="cy" class="no-js"><head><title>T</title></head><body><nav>menu</nav>'
        b"<article data-pagefind-body><h1>Outer</h1><article><p>nested</p></article><p>after</p></article>"
        b"<footer>foot</footer></body></html>"
    )
    assert search.searchable_part(page) == (
        b'<html lang="cy" class="no-js"><body><article data-pagefind-body><h1>Outer</h1>'
        b"<article><p>nested</p></article><p>after</p></article></body></html>"
    )
    # Anything it cannot cut cleanly is sent whole.
    unclosed = b'<html lang="en"><body><article data-pagefind-body><p>never closed</body></html>'
    assert search.searchable_part(unclosed) == unclosed
    unmarked = b'<html lang="en"><body><article><p>x</p></article></body></html>'
    assert search.searchable_part(unmarked) == unmarked
