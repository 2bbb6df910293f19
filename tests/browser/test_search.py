"""Gate: search and the all-stories filters work end to end, on a phone-sized screen (375 px).

- A word that occurs in exactly one story (chosen from the repository's
  content, see pagetypes.unique_word) brings that story up first.
- A result's excerpt starts after the page's title (its card shows the title): the first words of the section
  holding the word best, or the summary.
- Filtering all stories by a barrier and a type shows exactly the stories
  the catalogue says match, with the right count, and stays accessible (axe).
- The same filters can be worked with the keyboard alone: Tab to the group,
  open it, Tab to the box, press Space.
- Searches of one common word (past the shard's best pages, so "Show more"
  fetches the rest), two words, an unfinished word and shouted punctuation
  find exactly the pages a Python oracle finds, best first.
- A page left open while the site is published again searches the new
  index (the old one's folder is deleted by then).
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carehub.check.catalogue import Catalogue, Story
from carehub.publish.search import extract
from carehub.publish.search import format as index_format
from carehub.publish.search import words as search_words
from carehub.publish.search.index import searchable_pages

from ..search_reader import Index
from .axe import describe, run_axe
from .known import settle
from .pagetypes import BY_NAME, STORY_TYPES, WIDTHS, PageType, not_built_yet, stories_with
from .server import serve
from .site_ui import (
    FILTER_FORM,
    STATUS,
    count_in,
    filter_box,
    hidden_but_shown,
    result_links,
    search,
    wait_for_results,
)

pytestmark = pytest.mark.browser
PHONE = WIDTHS["mobile"]


@pytest.fixture
def search_page(page_path: Callable[[PageType], str], site_url: str, new_context: Callable[..., Any]) -> Any:
    """The search page, opened in a new phone-sized context."""
    page = new_context(PHONE).new_page()
    page.goto(site_url + page_path(BY_NAME["search"]))
    return page


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_word_in_one_story_finds_that_story_first(
    _: int, search_page: Any, site_url: str, search_word: tuple[str, Story]
) -> None:
    word, story = search_word
    page = search_page
    results = search(page, word)
    assert results, f"searching for {word!r} (only in /{story.url}) found nothing"
    assert results[0] == site_url + story.url, f"searching for {word!r}: first result {results[0]}, not /{story.url}"
    assert not hidden_but_shown(page), f"hidden by the script but still displayed: {hidden_but_shown(page)}"


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_an_excerpt_does_not_repeat_the_title_its_card_shows(
    _: int, search_page: Any, site_url: str, search_word: tuple[str, Story]
) -> None:
    story = search_word[1]
    word = max(search_words.normalise(story.meta.title), key=len)  # a word of the title: found there first
    page = search_page
    assert site_url + story.url in search(page, word)
    cards = page.locator(RESULTS_SELECTOR)
    for n in range(cards.count()):
        title = str(cards.nth(n).locator(".ch-card__title").text_content()).strip()
        text = str(cards.nth(n).locator(".ch-result__excerpt, .ch-card__summary").first.text_content()).strip()
        assert not text.startswith(title), f"searching {word!r}: the excerpt repeats the title {title!r}"


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_searching_for_nonsense_says_nothing_was_found(_: int, search_page: Any) -> None:
    page = search_page
    assert search(page, "zqxjvbnonsenseword") == []
    assert count_in(str(page.locator(STATUS).first.text_content())) == 0


def _barrier_and_type(catalogue: Catalogue) -> tuple[str, str, list[Story]]:
    """A barrier and a type whose combination narrows the barrier's stories if the content allows it."""
    choices = []
    for barrier in catalogue.vocabularies.by_name["barriers"].ids:
        with_barrier = stories_with(catalogue, "barrier", barrier)
        for story_type in STORY_TYPES:
            both = [s for s in with_barrier if s.meta.type == story_type]
            if both:
                choices.append((len(both) == len(with_barrier), barrier, story_type, both))
    assert choices, "no story has a barrier: the filter gate needs at least one"
    _, barrier, story_type, both = min(choices, key=lambda c: c[0])
    return barrier, story_type, both


def _expect_filtered(page: Any, site_url: str, expected: list[Story]) -> None:
    status = wait_for_results(page)
    assert count_in(status) == len(expected), f"status says {status!r}, expected {len(expected)}"
    assert result_links(page) == [site_url + s.url for s in expected]


@pytest.mark.parametrize("_", [pytest.param(0, id="all-stories", marks=not_built_yet("all-stories"))])
def test_filtering_all_stories_by_barrier_and_type(
    _: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    catalogue: Catalogue,
    new_context: Callable[..., Any],
    axe_source: str,
) -> None:
    barrier, story_type, expected = _barrier_and_type(catalogue)
    page = new_context(PHONE).new_page()
    page.goto(site_url + page_path(BY_NAME["all-stories"]))
    for facet, value in (("barrier", barrier), ("type", story_type)):
        box = page.locator(filter_box(facet, value))
        if not box.is_visible():
            box.locator("xpath=ancestor::details/summary").click()
        box.check()
    _expect_filtered(page, site_url, expected)
    assert f"barrier={barrier}" in page.url, "the filters are not kept in the address, so cannot be shared"
    settle("axe", describe(run_axe(page, axe_source)), f"axe-core on all stories filtered at {PHONE}px")


@pytest.mark.parametrize("_", [pytest.param(0, id="all-stories", marks=not_built_yet("all-stories"))])
def test_filtered_stories_come_newest_first_like_the_listing(
    _: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    catalogue: Catalogue,
    new_context: Callable[..., Any],
) -> None:
    """Filter-only results keep the index's page order (search/index.py numbers stories newest first)."""
    story_type = max(STORY_TYPES, key=lambda t: len([s for s in catalogue.stories if s.meta.type == t]))
    expected = [s for s in catalogue.stories if s.meta.type == story_type]
    assert len({s.meta.date for s in expected}) > 1, "the content needs stories of one type on different dates"
    page = new_context(PHONE).new_page()
    page.goto(site_url + page_path(BY_NAME["all-stories"]))
    box = page.locator(filter_box("type", story_type))
    if not box.is_visible():
        box.locator("xpath=ancestor::details/summary").click()
    box.check()
    status = wait_for_results(page)
    assert count_in(status) == len(expected), f"status says {status!r}, expected {len(expected)}"
    shown = result_links(page)
    assert shown and shown == [site_url + s.url for s in expected][: len(shown)]


@pytest.mark.parametrize("_", [pytest.param(0, id="all-stories", marks=not_built_yet("all-stories"))])
def test_filters_work_with_the_keyboard_alone(
    _: int, page_path: Callable[[PageType], str], site_url: str, catalogue: Catalogue, new_context: Callable[..., Any]
) -> None:
    barrier, story_type, expected = _barrier_and_type(catalogue)
    page = new_context(PHONE).new_page()
    page.goto(site_url + page_path(BY_NAME["all-stories"]))
    for facet, value in (("barrier", barrier), ("type", story_type)):
        selector = filter_box(facet, value)
        is_summary = (
            "s => document.activeElement === document.querySelector(s).closest('details').querySelector('summary')"
        )
        is_box = "s => document.activeElement === document.querySelector(s)"
        if not page.locator(selector).is_visible():
            _tab_until(page, is_summary, selector, f"the {facet} filter group")
            page.keyboard.press("Enter")
        _tab_until(page, is_box, selector, f"the {value} filter")
        page.keyboard.press("Space")
        assert page.locator(selector).is_checked(), f"Space did not tick the {value} filter"
    _expect_filtered(page, site_url, expected)


def _tab_until(page: Any, test: str, selector: str, what: str, limit: int = 300) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(test, selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {what} ({selector} in {FILTER_FORM})")


class _Oracle:
    """What a search should find on the built site, worked out from the index's page files in Python.

    The browser's answer (search.js over the sharded index) must be exactly
    these pages: every term must match; a word matches the pages holding any
    word of the same stem, or of its plural ("mcp", "mcps"), or, when no page
    holds it, any word of its Snowball stem; an unfinished last word also
    matches the words it starts; a phrase of a synonym group (meta.json's
    ``synonyms``) matches the pages holding any phrase of the group, words
    next to each other.  Computed from the pages' text (and their facts
    panel's labels) with search/words.py's own word splitting and stemmer,
    not from the shards.
    """

    def __init__(self, site_dir: Path) -> None:
        self.index = Index(site_dir)
        keywords = {}  # the facts panel's labels: words a page is found by but does not show
        records = {}
        for path in searchable_pages(site_dir):
            record = extract.read_page(extract.page_url(site_dir, path), path.read_text("utf-8"))
            assert record is not None
            keywords[record.url] = " ".join(record.keywords)
            records[record.url] = record
        # By id, as the index numbers them, with the text the index was made from (a record keeps only the
        # first words of each section) and each section as [where it begins in the text, id, heading].
        self.pages: list[dict[str, Any]] = [
            {
                **shown,
                "text": records[shown["url"]].text,
                "sections": [list(section) for section in records[shown["url"]].sections],
            }
            for shown in self.index.pages()
        ]
        self.stem = search_words.Stemmer()
        self.sequences = [
            [*search_words.normalise(f"{p['text']} {keywords[p['url']]}"), "\0", *search_words.normalise(p["title"])]
            for p in self.pages
        ]
        self.words = [set(sequence) - {"\0"} for sequence in self.sequences]
        self.vocabulary = set().union(*self.words)
        self.all_stems = {self.stem(w) for w in self.vocabulary}
        self.groups: list[list[str]] = self.index.meta.get("synonyms", [])

    def key(self, word: str) -> str:
        stem = self.stem(word)
        return self.stem(word[:-1]) if stem == word and word.endswith("s") and len(word) > 2 else stem

    def stems(self, word: str, last: bool) -> set[str]:
        if word in self.vocabulary:
            return {self.stem(w) for w in (word, word + "s", word + "es") if w in self.vocabulary}
        found = {self.stem(word)} & self.all_stems
        if last and len(word) >= 3:
            found |= {self.stem(w) for w in self.vocabulary if w.startswith(word)}
        return found

    def terms(self, query: str) -> list[Callable[[int], bool]]:
        """One test a page (by number) must pass for each term of the query, as search.js splits it."""
        words = list(dict.fromkeys(search_words.normalise(query)))
        phrases = {phrase: group for group in self.groups for phrase in group}
        longest = max([len(p.split()) for p in phrases] or [1])
        tests: list[Callable[[int], bool]] = []
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + n])
                if phrase in phrases:
                    keys = [tuple(self.key(w) for w in p.split()) for p in phrases[phrase]]
                    tests.append(lambda page, keys=keys: self.has_phrase(page, keys))
                    i += n
                    break
            else:
                wanted = self.stems(words[i], i == len(words) - 1)
                tests.append(lambda page, wanted=wanted: bool({self.stem(w) for w in self.words[page]} & wanted))
                i += 1
        return tests

    def has_phrase(self, page: int, phrases: list[tuple[str, ...]]) -> bool:
        sequence = [self.key(w) for w in self.sequences[page]]
        return any(
            tuple(sequence[at : at + len(phrase)]) == phrase
            for phrase in phrases
            for at in range(len(sequence) - len(phrase) + 1)
        )

    def find(self, query: str) -> set[str]:
        tests = self.terms(query)
        return {page["url"] for n, page in enumerate(self.pages) if all(test(n) for test in tests)}

    def matching(self, query: str) -> list[int]:
        """How many of the query's terms each page holds, by page number."""
        tests = self.terms(query)
        return [sum(test(n) for test in tests) for n in range(len(self.pages))]

    def common_word(self) -> str:
        """A word on more pages than a shard keeps (format.TOP), but not on most of them."""
        counts = {w: sum(w in ws for ws in self.words) for w in self.vocabulary if len(w) > 3}
        fits = [w for w, n in counts.items() if index_format.TOP < n <= index_format.TOP + 15]
        assert fits, "the content has no word on 21 to 35 pages: the paging check needs one"
        return min(fits)


@pytest.fixture(scope="session")
def oracle(site_dir: Path) -> _Oracle:
    return _Oracle(site_dir)


def _queries(oracle: _Oracle) -> list[str]:
    common = oracle.common_word()
    other = min(w for w in oracle.vocabulary if len(w) > 4 and 1 < len(oracle.find(f"{common} {w}")) < 10)
    rare = min(w for w in oracle.vocabulary if len(w) > 7 and len(oracle.find(w)) <= 3)
    return [
        common,  # one word past the shard's best pages: "Show more" fetches the rest
        f"{common} {other}",  # two words: only pages with both
        rare[:5],  # an unfinished word: the words it starts
        common.upper() + "!",  # case and punctuation do not matter
    ]


@pytest.mark.parametrize("which", range(4))
@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_results_are_every_page_with_every_word_best_first(
    _: int,
    which: int,
    search_page: Any,
    site_url: str,
    oracle: _Oracle,
) -> None:
    query = _queries(oracle)[which]
    expected = oracle.find(query)
    assert expected, f"{query!r} should find something"
    page = search_page
    found = search(page, query)
    status = str(page.locator(STATUS).first.text_content())
    assert count_in(status) == len(expected), f"{query!r}: status {status!r}, expected {len(expected)}"
    assert len(found) == len(set(found)), f"{query!r}: a page is shown twice"
    assert {url.removeprefix(site_url) for url in found} == expected
    if which == 0:  # one word: best first, by the scores in its postings
        scores = dict(oracle.index.postings(query))
        by_url = {p["url"]: n for n, p in enumerate(oracle.pages)}
        shown = [scores[by_url[url.removeprefix(site_url)]] for url in found]
        assert shown == sorted(shown, reverse=True), f"{query!r}: not best first: {shown}"
        # An excerpt is a section's first words (or the summary): the word is marked where it is among them.
        shown_excerpts = page.locator(f"{RESULTS_SELECTOR} .ch-result__excerpt")
        excerpts = shown_excerpts.evaluate_all("els => els.map(e => e.innerHTML)")
        assert any("<mark>" in excerpt for excerpt in excerpts), f"{query!r}: no excerpt marks it: {excerpts}"


RESULTS_SELECTOR = "[data-ch-list] > li"


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_search_after_the_site_is_published_again_uses_the_new_index(
    _: int,
    site_dir: Path,
    tmp_path: Path,
    browser: Any,
    page_path: Callable[[PageType], str],
    search_word: tuple[str, Story],
    oracle: _Oracle,
) -> None:
    """A reader's page stays open while the site is republished: the old index's folder is gone by then."""
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    word, story = search_word
    with serve(copy) as url:
        context = browser.new_context(viewport={"width": PHONE, "height": 800})
        try:
            page = context.new_page()
            page.goto(url + page_path(BY_NAME["search"]))
            assert search(page, word) == [url + story.url]
            # Publishing again: a new build folder, the old one deleted, meta.json naming the new one.
            root = copy / index_format.OUTPUT_SUBDIR
            meta = json.loads((root / "meta.json").read_text("utf-8"))
            (root / meta["build"]).rename(root / "republished")
            (root / "meta.json").write_text(json.dumps({**meta, "build": "republished"}), "utf-8")
            # A word from another shard, so nothing this page fetched before can answer it.
            other = oracle.common_word()
            assert other[:2] != word[:2]
            found = search(page, other)
            assert {u.removeprefix(url) for u in found} == oracle.find(other), "searched the deleted index"
        finally:
            context.close()


# ---- Finding what a reader means (issue 21) ----

NOTE = "[data-ch-note]"
HARD_WORDS = (  # noqa: SIM905 - a list of words reads best as words
    "added adding agreed andes atlas bias canning caresses cosmos cried cry dying early evening evenings exceed "
    "generously gently happily herring howe idly inning innings international lying news only organization outing "
    "paste pasted proceed proceeding singly skies skis sky succeed tying ugly university yelling yoyo ties dies "
    "geologist biologically laterally communism arsenal emergency commissioning evaluates discharged"
).split()


def _note(page: Any) -> str:
    note = page.locator(NOTE).first
    return "" if note.evaluate("n => n.hidden") else " ".join(str(note.text_content()).split())


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_the_browser_stems_words_as_the_index_was_stemmed(_: int, search_page: Any, oracle: _Oracle) -> None:
    """stemmer.js gives Python's Snowball stem for every word of the site and for the algorithm's hard cases."""
    words = sorted(oracle.vocabulary | set(HARD_WORDS))
    # The module search.js itself imports (its name carries a hash of its bytes: publish/assetnames.py).
    script = search_page.evaluate(
        "() => [...document.scripts].map(s => s.src).find(src => /\\/search\\.[0-9a-f]{8}\\.js$/.test(src))"
    )
    assert script, "the search page loads no hashed search.js"
    stems: list[str] = search_page.evaluate(
        """async ([script, words]) => {
             const source = await (await fetch(script)).text();
             const name = source.match(/from\\s*"\\.\\/(stemmer\\.[0-9a-f]{8}\\.js)"/)[1];
             const { stem } = await import(new URL(name, script).href);
             return words.map(stem);
           }""",
        [script, words],
    )
    wrong = [(w, s, oracle.stem(w)) for w, s in zip(words, stems, strict=True) if s != oracle.stem(w)]
    assert not wrong, f"{len(wrong)} of {len(words)} words stemmed unlike Python, e.g. {wrong[:5]}"


def _unused_form(oracle: _Oracle) -> tuple[str, str]:
    """A word no page holds whose stem some page holds ("evaluates" for "evaluation"), and that stem."""
    for word in sorted(w for w in oracle.vocabulary if len(w) > 5 and w.isalpha()):
        for form in (word + "s", word + "ed", word + "ing"):
            stem = oracle.stem(form)
            if (
                form not in oracle.vocabulary
                and stem == oracle.stem(word)
                and not any(w.startswith(form) for w in oracle.vocabulary)
            ):
                return form, stem
    raise AssertionError("no word of the site has a form the site does not use")


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_word_form_no_page_uses_finds_the_pages_of_its_stem(
    _: int, search_page: Any, site_url: str, oracle: _Oracle
) -> None:
    form, stem = _unused_form(oracle)
    expected = {p["url"] for p, ws in zip(oracle.pages, oracle.words, strict=True) if stem in map(oracle.stem, ws)}
    found = {url.removeprefix(site_url) for url in search(search_page, form)}
    assert found == expected, f"{form!r} (stem {stem!r}) found {sorted(found)}, expected {sorted(expected)}"
    # Found as a form of the word, not as a misspelling of it (one edit away, typo tolerance would find it too).
    note = _note(search_page)
    assert "Showing results for" not in note, f"{form!r} was treated as a misspelling: {note!r}"


def _typo(oracle: _Oracle) -> tuple[str, str]:
    """A word of the site with two neighbouring letters swapped, which no page holds, and the word."""
    for word in sorted((w for w in oracle.vocabulary if len(w) >= 7 and w.isalpha()), key=lambda w: (-len(w), w)):
        typo = word[:3] + word[4] + word[3] + word[5:]
        near = [w for w in oracle.vocabulary if w[:2] == typo[:2] and abs(len(w) - len(typo)) <= 2 and w != word]
        if typo not in oracle.vocabulary and typo != word and not any(_close(typo, w) for w in near):
            return typo, word
    raise AssertionError("no word of seven letters or more to misspell")


def _close(a: str, b: str) -> bool:
    """Within two edits (Levenshtein, enough to rule a word out as a rival correction)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = row
    return previous[-1] <= 2


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_misspelt_word_finds_the_word_and_says_so(
    _: int, search_page: Any, site_url: str, oracle: _Oracle, axe_source: str
) -> None:
    typo, word = _typo(oracle)
    page = search_page
    found = {url.removeprefix(site_url) for url in search(page, typo)}
    assert found == oracle.find(word), f"{typo!r} should find what {word!r} finds"
    note = _note(page)
    assert f"Showing results for {word}" in note, f"searching {typo!r}: the note says {note!r}"
    # The note, section links and live counts stay accessible.
    settle("axe", describe(run_axe(page, axe_source)), f"axe-core on a corrected search at {PHONE}px")
    # The link searches the words as typed: nothing, said plainly.
    page.locator(f"{NOTE} a").first.click()
    status = wait_for_results(page)
    assert count_in(status) == 0, f"the exact words {typo!r}: {status!r}"
    assert "exact=1" in page.url


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_word_no_page_has_leaves_the_pages_with_the_others(
    _: int, search_page: Any, site_url: str, search_word: tuple[str, Story]
) -> None:
    word, story = search_word
    page = search_page
    found = search(page, f"{word} qqzzxvnonword")
    assert found and found[0] == site_url + story.url, f"{word!r} with a word no page has: {found[:3]}"
    assert "No page has the word “qqzzxvnonword”" in _note(page)


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_pages_with_most_of_the_words_come_first_when_none_has_all(
    _: int, search_page: Any, site_url: str, oracle: _Oracle
) -> None:
    rare = sorted(w for w in oracle.vocabulary if len(w) > 6 and w.isalpha() and len(oracle.find(w)) == 1)
    a, b = next((a, b) for a in rare for b in rare if a < b and not oracle.find(f"{a} {b}"))
    page = search_page
    found = {url.removeprefix(site_url) for url in search(page, f"{a} {b}")}
    assert found == oracle.find(a) | oracle.find(b), f"{a} {b}: {found}"
    assert "No page has all of these words" in _note(page)


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_phrase_finds_the_pages_of_its_synonyms(_: int, search_page: Any, site_url: str, oracle: _Oracle) -> None:
    """A phrase of a synonym group (the glossary's abbreviations, data/synonyms.yml) finds pages with the others."""
    chosen = None
    for group in oracle.groups:
        for phrase in group:
            mine = oracle.find(phrase)
            others = set().union(*(oracle.find(p) for p in group if p != phrase))
            if others - {p["url"] for n, p in enumerate(oracle.pages) if phrase.split()[0] in oracle.words[n]}:
                chosen = (phrase, mine, others)
                break
        if chosen:
            break
    assert chosen, "no synonym group has a phrase whose synonyms are on pages it is not on"
    phrase, mine, others = chosen
    found = {url.removeprefix(site_url) for url in search(search_page, phrase)}
    assert found == mine | others == oracle.find(phrase), f"{phrase!r} found {sorted(found)}"


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_filter_counts_follow_the_search(_: int, search_page: Any, oracle: _Oracle) -> None:
    """After a search, each value of an open filter group counts the results ticking it would leave.

    On /search/ the groups start closed, so that a search nobody filters fetches only its results.
    """
    word = oracle.common_word()
    page = search_page
    counts = f"{FILTER_FORM} details[open] .ch-checkbox__count"
    page.locator(f"{FILTER_FORM}").wait_for(state="attached")
    assert page.locator(f"{FILTER_FORM} details[open]").count() == 0, "a group is open before anyone opened it"
    page.locator(f"{FILTER_FORM} details summary").first.click()  # opened: its counts follow the search
    built = page.locator(counts).all_text_contents()
    search(page, word)
    numbers = {p["url"]: n for n, p in enumerate(oracle.pages)}
    matched = {numbers[url] for url in oracle.find(word)}
    group = page.locator(f"{FILTER_FORM} details[open]").first
    boxes = group.locator("input[type=checkbox]")
    facet = str(boxes.first.get_attribute("name"))
    expected = {}
    for n in range(boxes.count()):
        value = str(boxes.nth(n).get_attribute("value"))
        expected[value] = f"({len(matched & set(oracle.index.filter_ids(facet, value)))})"
    page.wait_for_function(
        """([group, want]) => [...document.querySelectorAll(group + ' input[type=checkbox]')].every(
            (box) => box.parentElement.querySelector('.ch-checkbox__count').textContent === want[box.value])""",
        arg=[f"{FILTER_FORM} details[open]", expected],
    )
    assert built != list(expected.values()), f"{word!r} is on every page: its counts are the counts as built"
    page.locator(SEARCH_BOX).fill("")
    page.locator(SEARCH_BOX).press("Enter")  # no search: the counts of every story again
    page.wait_for_function(
        "([sel, want]) => [...document.querySelectorAll(sel)].map((c) => c.textContent).join() === want.join()",
        arg=[counts, built],
    )


SEARCH_BOX = "#ch-search-input"


def _sectioned_word(oracle: _Oracle) -> tuple[str, dict[str, Any], list[Any]] | None:
    """A word on one page only, in one section of it (after its first h2 or h3): the page and the section."""
    for page in oracle.pages:
        sections = page.get("sections", [])
        if not sections:
            continue
        text = page["text"]
        intro = set(search_words.normalise(text[: sections[0][0]]))
        for i, section in enumerate(sections):
            end = sections[i + 1][0] if i + 1 < len(sections) else len(text)
            inside = set(search_words.normalise(text[section[0] : end]))
            rest = set(search_words.normalise(text[: section[0]] + " " + text[end:])) | intro
            for word in sorted(inside - rest):
                if len(word) > 6 and word.isalpha() and oracle.find(word) == {page["url"]}:
                    return word, page, section
    return None


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_result_links_to_the_section_with_the_words(_: int, search_page: Any, site_url: str, oracle: _Oracle) -> None:
    chosen = _sectioned_word(oracle)
    assert chosen, "no page has a word found only in one of its sections"
    word, page_file, (_, anchor, heading) = chosen
    page = search_page
    assert search(page, word) == [site_url + page_file["url"]]
    jump = page.locator("[data-ch-list] > li [data-ch-section]").first
    assert jump.count(), f"{word!r}: the card has no link to its section {heading!r}"
    assert str(jump.text_content()).strip() == heading
    assert jump.evaluate("a => a.href") == f"{site_url}{page_file['url']}#{anchor}"


def _two_sectioned_words(oracle: _Oracle) -> tuple[str, str, dict[str, Any], int] | None:
    """Two words found on one page only, held best by different sections with different scores.

    Returns the words, the page and the number of the section a two-word search should link to: the section
    of the word with the higher score (both words are on one page, so they weigh the same for rarity).
    """
    for n, page in enumerate(oracle.pages):
        if not page.get("sections"):
            continue
        best: dict[int, tuple[int, str]] = {}  # section -> (score, word): a word unique to the page, held there
        for word in sorted(oracle.words[n]):
            if len(word) > 6 and word.isalpha() and oracle.find(word) == {page["url"]}:
                held = [(score, section) for at, score, section in oracle.index.sections(word) if at == n]
                if len(held) == 1 and held[0][1] > 0 and held[0][1] not in best:
                    best[held[0][1]] = (held[0][0], word)
        for (section_a, (score_a, word_a)), (section_b, (score_b, word_b)) in itertools.pairwise(best.items()):
            if score_a != score_b:
                return word_a, word_b, page, section_a if score_a > score_b else section_b
    return None


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_result_for_two_words_links_to_the_section_of_the_word_that_scores_more(
    _: int, search_page: Any, site_url: str, oracle: _Oracle
) -> None:
    chosen = _two_sectioned_words(oracle)
    assert chosen, "no page has two words of its own held best by different sections"
    word_a, word_b, page_file, section = chosen
    anchor, heading = page_file["sections"][section - 1][1:]
    for query in (f"{word_a} {word_b}", f"{word_b} {word_a}"):  # the order of the words does not matter
        page = search_page
        assert search(page, query) == [site_url + page_file["url"]], query
        jump = page.locator("[data-ch-list] > li [data-ch-section]").first
        assert jump.count(), f"{query!r}: the card has no link to its section {heading!r}"
        assert str(jump.text_content()).strip() == heading, query
        assert jump.evaluate("a => a.href") == f"{site_url}{page_file['url']}#{anchor}", query


@pytest.mark.parametrize("_", [pytest.param(0, id="glossary", marks=not_built_yet("glossary"))])
def test_a_synonym_the_glossary_lists_finds_the_entrys_pages(
    _: int, search_page: Any, site_url: str, oracle: _Oracle
) -> None:
    """Each phrase the glossary page says search treats as an entry finds the pages that use the entry's words."""
    page = search_page
    search_url = page.url
    page.goto(site_url + "glossary/")
    entries: list[list[Any]] = page.locator(".ch-glossary__entry").evaluate_all(
        """els => els.map(e => [
            e.querySelector('dt').firstChild.textContent.trim(),
            (e.querySelector('.ch-glossary__abbr') || {textContent: ''}).textContent.trim().replace(/^\\(|\\)$/g, ''),
            (e.querySelector('.ch-glossary__same') || {textContent: ''}).textContent.trim()])"""
    )
    listed = [(term, abbr, same) for term, abbr, same in entries if same]
    assert listed, "the glossary page lists no synonyms for any entry"
    chosen = None
    for term, abbreviation, same in listed:
        phrases = same.removeprefix("Search treats as the same:").strip().removesuffix(".").split(", ")
        own = [" ".join(search_words.normalise(p)) for p in (term, abbreviation) if p]
        keys = [tuple(oracle.key(w) for w in p.split()) for p in own]
        entry_pages = {p["url"] for n, p in enumerate(oracle.pages) if oracle.has_phrase(n, keys)}
        for phrase in phrases:
            words = search_words.normalise(phrase)
            alone = {p["url"] for n, p in enumerate(oracle.pages) if set(words) <= oracle.words[n]}
            if entry_pages - alone:  # pages only the synonym can bring up
                chosen = (phrase, entry_pages)
                break
        if chosen:
            break
    assert chosen, "no listed synonym is missing from a page that uses its entry's words"
    phrase, entry_pages = chosen
    page.goto(search_url)
    found = {url.removeprefix(site_url) for url in search(page, phrase)}
    assert entry_pages <= found, f"{phrase!r} did not find {sorted(entry_pages - found)}"
    assert "glossary/" in found
