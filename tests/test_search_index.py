"""The search index (publish/search/): what is indexed, how pages are numbered, the file format, reproducibility.

Small hand-made sites are indexed and the JSON files read back as search.js
reads them.  The browser side (search.js over a real site) is in
tests/browser/test_search.py.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from carehub.publish.search import extract, words
from carehub.publish.search import format as index_format
from carehub.publish.search import index as indexing

from .search_reader import Index

APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")

HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'


def story_html(title: str, date: str, words: str, kind: str = "case-study") -> str:
    """A page shaped like a built story: the searchable article, meta, filters, a permalink, a listing nav."""
    return (
        HEAD.format(title=title) + "<body><nav><a href='/browse/'>Browse every listing</a></nav>"
        f'<article class="md-typeset" data-search-body><p data-search-ignore>Case study</p><h1>{title}</h1>'
        f'<p class="ch-lead" data-search-meta="summary">Summary: <em>{words}</em></p>'
        f'<div hidden data-search-ignore><span data-search-meta="type:Case study"></span>'
        f'<span data-search-meta="date:{date}"></span><span data-search-filter="type:{kind}"></span>'
        '<span data-search-words="Hospital discharge &amp; flow"></span></div>'
        f'<h2 id="what-we-did">What we did<a class="headerlink" href="#what-we-did">¶</a></h2><p>{words}</p>'
        "<section data-search-ignore><h2>Related stories</h2><p>relatedonlyword</p></section>"
        "</article><footer>footeronlyword</footer></body></html>"
    )


PAGES = {
    # Same date twice: ties go by URL, as the all-stories listing orders them ("a" before "a-b").
    "stories/a-b/index.html": story_html("Red bag for care homes", "2020-05-01", "hospital discharge red bag"),
    "stories/a/index.html": story_html("Discharge to assess", "2020-05-01", "discharged and assessed at home"),
    "stories/older/index.html": story_html("Older story", "2018-01-31", "discharge summary letters", "failure"),
    "stories/newest/index.html": story_html("Newest story", "2024-12-01", "discharge lounge caf\u00e9 patient\u2019s"),
    "glossary/index.html": HEAD.format(title="Glossary")
    + "<body><article data-search-body><h1>Glossary</h1><p>Discharge means leaving hospital.</p></article>"
    "</body></html>",
    "index.html": HEAD.format(title="Home") + "<body><article data-search-body><h1>Home</h1>"
    "<p>Stories of discharge.</p></article></body></html>",
    # A listing page: no body mark, so never read by the index and never a result.
    "browse/type/case-study/index.html": HEAD.format(title="Case studies")
    + "<body><article><h1>Case studies</h1><p>discharge discharge listingonlyword</p></article></body></html>",
}


def make_site(root: Path, pages: dict[str, str] = PAGES) -> Path:
    site = root / "site"
    for rel, html in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(html, "utf-8")
    return site


def files(site: Path) -> dict[str, bytes]:
    out = site / index_format.OUTPUT_SUBDIR
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_words_are_split_as_the_browser_splits_a_query() -> None:
    assert words.normalise("Café-based  NHS 111 patient\u2019s O'Neill na\u00efve") == [
        "cafe",
        "based",
        "nhs",
        "111",
        "patients",
        "oneill",
        "naive",
    ]
    assert words.normalise("¶ — …") == []


def test_words_fold_every_character_as_decomposing_the_whole_text_would() -> None:
    # normalise folds each distinct character on its own; the reference decomposes the whole text at once.
    text = " ".join(chr(c) + "x" + chr(c) for c in range(0x80, 0x3000) if not 0xD800 <= c < 0xE000)
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c)[0] != "M")
    assert words.normalise(text) == re.findall("[a-z0-9]+", decomposed.lower().translate(APOSTROPHES))
    assert index_format.shard_key("discharge") == "di" and index_format.shard_key("a") == "a"
    assert index_format.shard_key("discharge", {"di"}) == "dis" and index_format.shard_key("di", {"di"}) == "di"


def test_pages_are_numbered_newest_story_first_then_undated_pages_by_url(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    urls = [page["url"] for page in Index(site).pages()]
    # The browser lists filter-only results in this order, so no sort index is shipped.
    assert urls == ["stories/newest/", "stories/a/", "stories/a-b/", "stories/older/", "", "glossary/"]


def test_a_page_keeps_what_a_result_shows_and_only_its_marked_words(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    index = Index(site)
    newest = index.pages()[0]
    assert newest["title"] == "Newest story"
    assert newest["summary"] == "Summary: discharge lounge caf\u00e9 patient\u2019s"
    assert newest["type"] == "Case study" and newest["date"] == "2024-12-01"
    assert "text" not in newest  # a result shows its sections' first words, not the page's text
    shown = json.dumps(newest, ensure_ascii=False)
    assert "¶" not in shown and "Related" not in shown
    words = index.words()
    assert {"discharge", "discharged", "lounge", "cafe", "patients"} <= words
    assert not {"listingonlyword", "relatedonlyword", "footeronlyword", "browse"} & words
    assert "flow" in words and "flow" not in shown  # a facts-panel label: found by, not shown
    assert not [word for word in words if not word.isalnum()]


def test_forms_of_a_word_share_one_entry(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    index = Index(site)
    assert index.stem("discharged") == index.stem("discharge")
    assert index.stem("discharge")["s"] == "discharg"
    by_url = {page["url"]: n for n, page in enumerate(index.pages())}
    with_word = {n for n, _ in index.postings("discharge")}
    assert with_word == {
        by_url[url] for url in ("stories/newest/", "stories/a/", "stories/a-b/", "stories/older/", "", "glossary/")
    }


def test_a_word_in_the_title_ranks_its_page_first(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    index = Index(site)
    pages = index.pages()
    assert pages[index.top("assess")[0][0]]["url"] == "stories/a/"  # "Discharge to assess" has it in its title
    best = index.top("discharge")
    assert pages[best[0][0]]["url"] == "stories/a/"
    scores = [score for _, score, _ in best]
    assert scores == sorted(scores, reverse=True) and all(1 <= s <= 220 for s in scores)


def test_a_common_word_keeps_its_best_pages_in_the_shard_and_every_page_in_its_postings(tmp_path: Path) -> None:
    pages = {
        f"stories/s{n:02d}/index.html": story_html(f"Story {n}", f"2020-01-{n % 28 + 1:02d}", "care " * (n % 5 + 1))
        for n in range(index_format.TOP + 7)
    }
    site = make_site(tmp_path, pages)
    assert indexing.index_site(site) == []
    index = Index(site)
    entry = index.stem("care")
    assert entry["df"] == index_format.TOP + 7 and entry["all"] == 1
    assert len(entry["top"]) == 2 * index_format.TOP  # the shard stays the same size however many pages have the word
    every = index.postings("care")
    assert [n for n, _ in every] == list(range(index_format.TOP + 7))
    best = sorted(every, key=lambda pair: (-pair[1], pair[0]))[: index_format.TOP]
    assert best == [(page, score) for page, score, _ in index.top("care")]
    assert index.stem("story")["df"] == index_format.TOP + 7  # title words are words of the page


def test_filters_list_the_pages_with_each_value(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    index = Index(site)
    assert index.meta["filters"] == ["type"]
    urls = [page["url"] for page in index.pages()]
    assert [urls[n] for n in index.filter_ids("type", "case-study")] == [
        "stories/newest/",
        "stories/a/",
        "stories/a-b/",
    ]
    assert [urls[n] for n in index.filter_ids("type", "failure")] == ["stories/older/"]


def test_the_index_does_not_depend_on_the_order_pages_are_added_in(tmp_path: Path) -> None:
    site = make_site(tmp_path / "one")
    assert indexing.index_site(site) == []
    shuffled = make_site(tmp_path / "two")
    indexer = indexing.Index(shuffled)
    assert indexer.start() == []
    paths = indexing.searchable_pages(shuffled)
    random.Random(4).shuffle(paths)
    indexer.add(paths[:4])
    indexer.add(paths[4:])
    assert indexer.finish() == []
    assert files(site) == files(shuffled)


def test_pages_read_by_several_readers_give_the_same_index_as_one(tmp_path: Path) -> None:
    """As in a build: stories reserved, each reader (a page worker) drained on its own, merged in any order."""
    site = make_site(tmp_path / "one")
    assert indexing.index_site(site) == []
    spread = make_site(tmp_path / "two")
    index = indexing.Index(spread)
    assert index.start() == []
    index.reserve(["stories/newest/", "stories/a/", "stories/a-b/", "stories/older/"])
    readers = [index.reader(), index.reader()]
    paths = indexing.searchable_pages(spread)
    random.Random(7).shuffle(paths)
    for n, path in enumerate(paths):
        readers[n % 2].take(extract.page_url(spread, path), path.read_text("utf-8"))
    index.merge(readers[1].drain())
    assert readers[1].drain() == []  # what was handed over is not handed over again
    index.merge(readers[0].drain())
    assert index.finish() == []
    assert files(site) == files(spread)


def test_the_same_site_gives_the_same_bytes_anywhere_and_a_new_build_name_when_it_changes(tmp_path: Path) -> None:
    first = make_site(tmp_path / "one")
    second = make_site(tmp_path / "two")
    assert indexing.index_site(first) == [] and indexing.index_site(second) == []
    assert indexing.index_site(second) == []  # indexing again replaces the index, same bytes
    one, two = files(first), files(second)
    assert len(one) >= 4 and one == two  # meta.json, a words file, a group of pages, a filter
    assert not any(str(tmp_path).encode() in data for data in one.values())
    assert not [name for name in one if ".building" in name]
    build = Index(first).meta["build"]
    page = first / "stories/older/index.html"
    page.write_text(page.read_text("utf-8").replace("summary letters", "summary letters and pharmacy"), "utf-8")
    assert indexing.index_site(first) == []
    index = Index(first)
    # Every file but meta.json is under the build's name: a browser cannot mix two builds' files.
    assert index.meta["build"] != build and not (first / index_format.OUTPUT_SUBDIR / build).exists()
    assert "pharmacy" in index.words()


def test_a_site_without_searchable_pages_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    for path in indexing.searchable_pages(site):
        path.unlink()
    problems = indexing.index_site(site)
    assert problems and "data-search-body" in problems[0]
    assert not (site / index_format.OUTPUT_SUBDIR).exists()


def test_the_marked_element_is_found_whole_with_nested_elements_of_its_kind() -> None:
    page = (
        '<!doctype html><html lang="cy"><head><title>T</title></head><body><nav>menu</nav>'
        "<article data-search-body><h1>Outer</h1><article><p>nested</p></article><p>after</p></article>"
        "<footer>foot</footer></body></html>"
    )
    assert extract.marked_element(page) == (
        "<article data-search-body><h1>Outer</h1><article><p>nested</p></article><p>after</p></article>"
    )
    assert extract.marked_element("<html><body><p>no mark</p></body></html>") is None
    record = extract.read_page("x/", page)
    assert record is not None and record.text == "Outer nested after" and record.title == "Outer"


def test_marks_on_a_facts_panel_read_as_the_same_marks_on_hidden_spans() -> None:
    """story.html marks what its facts panel shows instead of a hidden copy: the Record is the same."""
    hidden = (
        '<article data-search-body><h1>Red bag</h1><p data-search-meta="summary">What we did.</p>'
        '<div hidden data-search-ignore><span data-search-meta="type:Case study"></span>'
        '<span data-search-meta="date:2024-05-01"></span><span data-search-filter="type:case-study"></span>'
        '<span data-search-filter="tag:falls"></span><span data-search-filter="tag:red-bag"></span>'
        '<span data-search-words="Falls &amp; frailty"></span><span data-search-words="Red bag"></span></div>'
        "<p>Body words.</p></article>"
    )
    panel = (
        '<article data-search-body><h1>Red bag</h1><p data-search-meta="summary">What we did.</p>'
        '<section data-search-ignore><dl data-search-filter="type:case-study  tag:falls tag:red-bag">'
        '<div><dt>Type</dt><dd><a href="t/" data-search-meta="type">Case <em>study</em></a></dd></div>'
        '<div><dt>Published</dt><dd><time datetime="2024-05-01" data-search-meta="date:2024-05-01">1 May 2024'
        '</time></dd></div><div><dt>Topics</dt><dd><ul><li><a href="f/" data-search-words>Falls &amp; frailty</a>'
        '</li><li><a href="r/" data-search-words>Red\n  bag</a></li></ul></dd></div></dl></section>'
        "<p>Body words.</p></article>"
    )
    from_hidden, from_panel = extract.read_page("s/", hidden), extract.read_page("s/", panel)
    assert from_panel is not None and from_panel == from_hidden
    assert from_panel.meta == {"summary": "What we did.", "type": "Case study", "date": "2024-05-01"}
    assert from_panel.filters == (("type", "case-study"), ("tag", "falls"), ("tag", "red-bag"))
    assert from_panel.keywords == ("Falls & frailty", "Red bag")
    assert from_panel.text == "Red bag What we did. Body words."


def test_text_is_what_a_reader_sees() -> None:
    fragment = (
        '<h2 title="a > b">What <em>re</em>admission<a class="x">¶</a></h2><!-- a <p>comment</p> -->'
        "<ul><li>one</li><li>two&nbsp;&amp; three</li></ul><template><p>hidden form row</p></template>"
        "<p>line<br>break</p><script>var x = '<p>';</script><p>caf&eacute; &lt;b&gt;</p>"
    )
    assert extract.text_of(fragment) == "What readmission¶ one two\xa0& three line break café <b>".replace("\xa0", " ")


def test_a_big_two_letter_shard_is_split_by_three_letters(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(index_format, "SHARD_BYTES", 60)
    monkeypatch.setattr(index_format, "WORDS_FILE_BYTES", 0)  # a file per key, to see the keys
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    index = Index(site)
    assert "di" in index.meta["split"]  # discharge, discharged ... share "di"
    shards = {p.name for p in (index.root / index.meta["build"] / "words").iterdir()}
    assert "w-dis.json" in shards and "w-di.json" not in shards
    assert index.stem("discharged")["s"] == "discharg"  # found where search.js will look for it
    for word in index.words():
        key = index_format.shard_key(word, set(index.meta["split"]))
        assert word in index.file(f"words/w-{key}.json")["words"]


@pytest.mark.parametrize("words_bytes, postings_bytes", [(200, 1), (6_000, 16_000)])
def test_neighbouring_shards_and_postings_share_files(
    tmp_path: Path, monkeypatch: Any, words_bytes: int, postings_bytes: int
) -> None:
    """Fewer files: keys next to each other share a words file, stems a postings file; every word is still found."""
    monkeypatch.setattr(index_format, "WORDS_FILE_BYTES", words_bytes)
    monkeypatch.setattr(index_format, "POSTINGS_BYTES", postings_bytes)
    pages = {
        f"stories/s{n:02d}/index.html": story_html(
            f"Story {n}", f"2020-01-{n % 28 + 1:02d}", "care home discharge team " * (n % 5 + 1) + f"word{n}"
        )
        for n in range(index_format.TOP + 7)
    }
    site = make_site(tmp_path, pages)
    assert indexing.index_site(site) == []
    index = Index(site)
    build = index.root / index.meta["build"]
    keys = {index_format.shard_key(w, set(index.meta["split"])) for w in index.words()}
    files = sorted(p.name for p in (build / "words").iterdir())
    assert files == sorted(f"w-{start}.json" for start in index.meta["shards"])
    assert 1 <= len(files) < len(keys)
    assert index.meta["shards"] == sorted(index.meta["shards"]) and index.meta["shards"][0] == min(keys)
    common = [w for w in ("care", "home", "discharge", "team", "story") if index.stem(w).get("all")]
    assert len(common) == 5
    packs = {index.stem(w)["all"] for w in common}
    # A stem bigger than a file's budget has a file of its own; with room, all share one.
    assert len(packs) == (5 if postings_bytes == 1 else 1)
    assert postings_bytes == 1 or len(list((build / "postings").iterdir())) == 1
    for word in common:
        assert [n for n, _ in index.postings(word)] == list(range(index_format.TOP + 7))
    for word in index.words():  # every word is in the file search.js looks in
        start = index_format.shard_file(index_format.shard_key(word, set(index.meta["split"])), index.meta["shards"])
        assert word in index.file(f"words/w-{start}.json")["words"], word
    assert index_format.shard_file("", index.meta["shards"]) is None  # before every file: no words


def test_a_reserved_page_that_never_came_is_a_problem(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    indexer = indexing.Index(site)
    assert indexer.start() == []
    indexer.reserve(["stories/newest/", "stories/gone/"])
    indexer.add(indexing.searchable_pages(site))
    problems = indexer.finish()
    assert problems and "stories/gone/" in problems[0]
    assert not (site / index_format.OUTPUT_SUBDIR).exists()


def test_text_or_attribute_values_that_look_like_marks_mark_nothing() -> None:
    """Contributors cannot add attributes (nh3 removes them), but they can write these words in a story."""
    page = (
        "<html><body><p>A listing that quotes data-search-body in its text.</p>"
        '<article class="md-typeset" data-search-body><h1>Marks</h1>'
        '<p>We wrote data-search-ignore and data-search-filter="type:failure" in our story.</p>'
        '<p><a href="#x" title="data-search-ignore">a link titled like a mark</a> stays.</p>'
        '<p data-search-ignore="">Hidden from search.</p><h2>Next<a class="toc headerlink" href="#n">¶</a></h2>'
        "</article></body></html>"
    )
    record = extract.read_page("x/", page)
    assert record is not None
    assert record.filters == () and record.meta == {}
    assert record.text == (
        'Marks We wrote data-search-ignore and data-search-filter="type:failure" in our story. '
        "a link titled like a mark stays. Next"
    )
    assert extract.read_page("y/", "<p>Only text: data-search-body</p>") is None


def test_a_page_record_lists_its_sections_and_a_score_says_which_holds_the_word(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert indexing.index_site(site) == []
    index = Index(site)
    newest = index.pages()[0]
    assert newest["url"] == "stories/newest/"
    assert newest["sections"] == [["what-we-did", "What we did", "discharge lounge caf\u00e9 patient\u2019s"]]
    # "did" is in the section's heading only; "discharge" as often before it as in it: the first wins.
    assert [section for page, _, section in index.sections("did") if page == 0] == [1]
    assert [section for page, _, section in index.sections("discharge") if page == 0] == [0]
    # The text is the same as read whole: sections only say where they begin.
    record = extract.read_page("stories/newest/", PAGES["stories/newest/index.html"])
    assert record is not None
    assert record.text == extract.text_of(
        extract._without(
            extract.marked_element(PAGES["stories/newest/index.html"]) or "", ("data-search-ignore", "headerlink")
        )
    )


def test_a_synonym_group_is_one_word_held_by_the_pages_with_any_of_its_phrases(tmp_path: Path) -> None:
    pages = {
        "stories/ed/index.html": story_html(
            "Nurses in the emergency department", "2021-01-01", "seen in the emergency departments at night"
        ),
        "stories/ae/index.html": story_html("Night cover in A&amp;E", "2021-02-01", "A&amp;E nurses"),
        "stories/apart/index.html": story_html("Apart", "2021-03-01", "an emergency plan for the department"),
    }
    site = make_site(tmp_path, pages)
    groups = [["A&E", "Accident and emergency", "emergency department"], ["MCP", "multispecialty community provider"]]
    assert indexing.index_site(site, groups) == []
    index = Index(site)
    assert index.meta["synonyms"] == [
        ["a e", "accident and emergency", "emergency department"],
        ["mcp", "multispecialty community provider"],
    ]
    by_url = {page["url"]: n for n, page in enumerate(index.pages())}
    word = index_format.synonym_word(0)
    held = dict(index.postings(word))
    # Words next to each other, as stems ("departments"); "emergency" here and "department" there is not the phrase.
    assert set(held) == {by_url["stories/ed/"], by_url["stories/ae/"]}
    assert index_format.synonym_word(1) not in index.words()  # no page has an MCP
    assert word.startswith(index_format.SYNONYM_PREFIX)


def test_a_page_cannot_hold_a_synonym_groups_word_itself(tmp_path: Path) -> None:
    word = index_format.synonym_word(0)
    pages = {"stories/x/index.html": story_html("Sneaky", "2021-01-01", f"{word} {word} {word}")}
    site = make_site(tmp_path, pages)
    assert indexing.index_site(site, [["A&E", "emergency department"]]) == []
    assert word not in Index(site).words()


def test_an_abbreviations_plural_is_its_phrase_too(tmp_path: Path) -> None:
    pages = {"stories/m/index.html": story_html("Two MCPs", "2021-01-01", "the MCPs of Fylde")}
    site = make_site(tmp_path, pages)
    assert indexing.index_site(site, [["MCP", "multispecialty community provider"]]) == []
    assert index_format.synonym_word(0) in Index(site).words()


def _undated(title: str, body: str) -> str:
    return HEAD.format(title=title) + f"<body><article data-search-body><h1>{title}</h1>{body}</article></body></html>"


def test_a_word_in_a_heading_or_a_glossary_term_counts_more_than_in_a_paragraph(tmp_path: Path) -> None:
    # The same words on each page, the word of interest once: only where it stands differs.
    pages = {
        "heading/index.html": _undated("One", '<h2 id="b">Buddying</h2><p>places learn from each other</p>'),
        "term/index.html": _undated("Two", "<dl><dt>Buddying</dt><dd>places learn from each other</dd></dl>"),
        "text/index.html": _undated("Three", "<h2 id='p'>Places</h2><p>buddying learn from each other</p>"),
    }
    site = make_site(tmp_path, pages)
    assert indexing.index_site(site) == []
    index = Index(site)
    urls = [page["url"] for page in index.pages()]
    scores = {urls[n]: score for n, score in index.postings("buddying")}
    assert scores["heading/"] == scores["term/"] > scores["text/"]
    record = extract.read_page("term/", pages["term/index.html"])
    assert record is not None and record.headings == ("Buddying",)


def test_a_synonym_phrase_in_a_heading_counts_more_than_in_a_paragraph(tmp_path: Path) -> None:
    pages = {
        "heading/index.html": _undated("One", '<h2 id="m">The MCP</h2><p>a plan for the town</p>'),
        "text/index.html": _undated("Two", "<h2 id='p'>The plan</h2><p>a MCP for the town</p>"),
    }
    site = make_site(tmp_path, pages)
    assert indexing.index_site(site, [["MCP", "multispecialty community provider"]]) == []
    index = Index(site)
    urls = [page["url"] for page in index.pages()]
    scores = {urls[n]: score for n, score in index.postings(index_format.synonym_word(0))}
    assert scores["heading/"] > scores["text/"]


def test_a_section_keeps_its_first_words_and_a_page_without_a_summary_its_own() -> None:
    body = " ".join(f"w{n}" for n in range(30))
    record = extract.Record(
        url="x/", title="T", text=f"T intro words H {body}", sections=((len("T intro words "), "h", "H"),)
    )
    shown = json.loads(index_format.page_file(record))
    lead = " ".join(f"w{n}" for n in range(index_format.LEAD_WORDS)) + " \u2026"
    assert shown == {"url": "x/", "title": "T", "lead": "intro words", "sections": [["h", "H", lead]]}
    assert index_format.fold(220, index_format.SECTIONS - 1) // index_format.SECTIONS == 220


def test_a_postings_list_is_a_string_of_base_32_numbers() -> None:
    values = [0, 1, 31, 32, 1023, 1024, 7071, 32767, 32768, 10**6, 5]
    encoded = index_format.numbers(values)
    assert index_format.read_numbers(encoded) == values
    assert index_format.numbers([5, 33]) == "B1x"
    assert set(encoded) <= set(index_format.DIGITS) and len(index_format.DIGITS) == 64
    assert json.dumps(index_format.DIGITS) == f'"{index_format.DIGITS}"'  # no character needs escaping in JSON


def test_a_synonym_groups_best_section_is_where_its_phrases_occur_most_and_not_across_a_boundary(
    tmp_path: Path,
) -> None:
    groups = indexing.synonym_groups([["A&E", "accident and emergency"]])
    word = index_format.synonym_word(0)
    title, intro = "T", "T the intro "
    one = "First we ran A&E and accident and "  # ends with a phrase the next heading finishes
    two = "Emergency care: A&E, A&E, accident and emergency "
    three = "Third A&E once"
    text = intro + one + two + three
    sections = (
        (len(intro), "one", "First"),
        (len(intro + one), "two", "Emergency"),
        (len(intro + one + two), "three", "Third"),
    )
    record = extract.Record(url="x/", title=title, text=text, sections=sections)
    found = indexing.PageReader(tmp_path, {}, groups).words_of(record)
    assert found.sections[word] == 2  # three in "two", one in "one" and one in "three"
    assert found.counts[word] == 6  # and in the whole text, the one across the boundary: "accident and" "Emergency"
    # The same text with the sections swapped round: the best section moves with its phrases.
    text = intro + two + one + three
    sections = (
        (len(intro), "two", "Emergency"),
        (len(intro + two), "one", "First"),
        (len(intro + two + one), "three", "Third"),
    )
    record = extract.Record(url="y/", title=title, text=text, sections=sections)
    assert indexing.PageReader(tmp_path, {}, groups).words_of(record).sections[word] == 1
