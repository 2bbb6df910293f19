"""Gate: search and the all-stories filters work end to end, on a phone-sized screen (375 px).

- A word that occurs in exactly one story (chosen from the repository's
  content, see pagetypes.unique_word) brings that story up first.
- A result's excerpt starts after the page's title (its card shows the title).
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
    these pages: every word must match, a word matches the pages holding any
    word of the same stem, and an unfinished last word (one no page holds)
    matches the words it starts.  Computed from the pages' text (and their
    facts panel's labels) with search/words.py's own word splitting and stemmer,
    not from the shards.
    """

    def __init__(self, site_dir: Path) -> None:
        self.index = Index(site_dir)
        self.pages = self.index.pages()
        self.stem = search_words.Stemmer()
        keywords = {}  # the facts panel's labels: words a page is found by but does not show
        for path in searchable_pages(site_dir):
            record = extract.read_page(extract.page_url(site_dir, path), path.read_text("utf-8"))
            assert record is not None
            keywords[record.url] = " ".join(record.keywords)
        self.words = [set(search_words.normalise(f"{p['text']} {p['title']} {keywords[p['url']]}")) for p in self.pages]
        self.vocabulary = set().union(*self.words)

    def stems(self, word: str, last: bool) -> set[str]:
        if word in self.vocabulary:
            return {self.stem(word)}
        if last and len(word) >= 3:
            return {self.stem(w) for w in self.vocabulary if w.startswith(word)}
        return set()

    def find(self, query: str) -> set[str]:
        words = list(dict.fromkeys(search_words.normalise(query)))
        wanted = [self.stems(word, i == len(words) - 1) for i, word in enumerate(words)]
        return {
            page["url"]
            for page, present in zip(self.pages, self.words, strict=True)
            if all({self.stem(w) for w in present} & stems for stems in wanted)
        }

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
        assert "<mark>" in page.locator(f"{RESULTS_SELECTOR} .ch-result__excerpt").first.inner_html()


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
