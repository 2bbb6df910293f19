"""Gate: search and the all-stories filters work end to end, on a phone-sized screen (375 px).

- A word that occurs in exactly one story (chosen from the repository's
  content, see pagetypes.unique_word) brings that story up first.
- Filtering all stories by a barrier and a type shows exactly the stories
  the catalogue says match, with the right count, and stays accessible (axe).
- The same filters can be worked with the keyboard alone: Tab to the group,
  open it, Tab to the box, press Space.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from carehub.catalogue import Catalogue, Story

from .axe import describe, run_axe
from .known import settle
from .pagetypes import BY_NAME, STORY_TYPES, WIDTHS, PageType, not_built_yet, stories_with
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


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_a_word_in_one_story_finds_that_story_first(
    _: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    search_word: tuple[str, Story],
    new_context: Callable[..., Any],
) -> None:
    word, story = search_word
    page = new_context(PHONE).new_page()
    page.goto(site_url + page_path(BY_NAME["search"]))
    results = search(page, word)
    assert results, f"searching for {word!r} (only in /{story.url}) found nothing"
    assert results[0] == site_url + story.url, f"searching for {word!r}: first result {results[0]}, not /{story.url}"
    assert not hidden_but_shown(page), f"hidden by the script but still displayed: {hidden_but_shown(page)}"


@pytest.mark.parametrize("_", [pytest.param(0, id="search", marks=not_built_yet("search"))])
def test_searching_for_nonsense_says_nothing_was_found(
    _: int, page_path: Callable[[PageType], str], site_url: str, new_context: Callable[..., Any]
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(site_url + page_path(BY_NAME["search"]))
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
    """Filter-only results keep the index's page order (search.py numbers stories newest first)."""
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
