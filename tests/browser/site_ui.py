"""How the gates operate the site's interactive parts: search and the all-stories filters.

The only module that knows the site's selectors for them, so a change of
search engine or template is one edit here, not one in every gate.
"""

from __future__ import annotations

from typing import Any

from .pagetypes import PageType

# Material's own search (lunr): an overlay opened from the header on any page.
_MATERIAL_INPUT = "input.md-search__input"
_MATERIAL_RESULT_LINKS = ".md-search-result__item > .md-search-result__link"


def open_page(page: Any, url: str, page_type: PageType, query: str | None = None) -> None:
    """Load a page type and bring it to the state the gates check (results shown for search)."""
    page.goto(url, wait_until="load")
    if page_type.searches and query:
        search(page, query)


def search(page: Any, query: str) -> list[str]:
    """Type ``query`` into the site's search, wait for results, and return the result links' URLs in order."""
    search_input = page.locator(_MATERIAL_INPUT)
    if not search_input.is_visible():
        page.locator("label[for='__search']").first.click()
    search_input.fill(query)
    results = page.locator(_MATERIAL_RESULT_LINKS)
    results.first.wait_for(state="visible")
    return [str(href) for href in results.evaluate_all("links => links.map(a => a.href)")]
