"""How the gates operate the site's interactive parts: search and the all-stories filters.

The only module that knows the site's selectors for them (overrides/carehub/
search.html, filters.html, listing.html and assets/carehub/search.js), so a
change of search engine or template is one edit here, not one in every gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .pagetypes import PageType

SEARCH_INPUT = "form[role='search'] input[type='search']"
FILTER_FORM = "[data-ch-filter-form]"
STATUS = "[data-ch-status]"
RESULTS = "[data-ch-list] > li"
MORE = "[data-ch-more]"


def open_page(page: Any, url: str, page_type: PageType, query: str | None = None) -> None:
    """Load a page type and bring it to the state the gates check (results shown for search)."""
    page.goto(url, wait_until="load")
    if page_type.searches and query:
        search(page, query)


@dataclass(frozen=True)
class OpenedPage:
    """One page type open at one width, in the state the gates check (the `opened_page` fixture makes it)."""

    page_type: PageType
    width: int
    path: str  # site-relative: "" for home, "stories/<slug>/", "404.html"
    context: Any  # the Playwright browser context, with the requests it made (see conftest.new_context)
    page: Any

    def where(self, gate: str) -> str:
        """How a gate's failure names what it judged, e.g. "keyboard on home (/) at 375px"."""
        return f"{gate} on {self.page_type.name} (/{self.path}) at {self.width}px"


def wait_for_results(page: Any) -> str:
    """Wait until the search script has finished and shown its status line; return that line."""
    status = page.locator(STATUS).first
    # The script writes the status line first and the result cards a moment later: wait for both.
    page.wait_for_function(
        """([status, results]) => {
            const t = document.querySelector(status).textContent.trim();
            if (!t || t.endsWith('…')) return false;
            const n = parseInt(t, 10);
            return Number.isNaN(n) || n === 0 || document.querySelectorAll(results).length > 0;
        }""",
        arg=[STATUS, RESULTS],
    )
    return " ".join(str(status.text_content()).split())


def result_links(page: Any) -> list[str]:
    """URLs of every result, in order (pressing "Show more" until all are shown)."""
    more = page.locator(MORE).first
    # The script hides the button with the `hidden` property; whether CSS honours it is checked by the gate.
    while more.count() and not more.evaluate("b => b.hidden"):
        count = page.locator(RESULTS).count()
        more.click()
        page.wait_for_function(f"n => document.querySelectorAll({RESULTS!r}).length > n", arg=count)
    hrefs: list[str] = page.locator(RESULTS).evaluate_all(
        "items => items.map(li => li.querySelector('a[href]')).filter(Boolean).map(a => a.href)"
    )
    return hrefs


def search(page: Any, query: str) -> list[str]:
    """Type ``query`` into the search page's box, submit it, and return the result URLs in order."""
    box = page.locator(SEARCH_INPUT).first
    box.fill(query)
    box.press("Enter")
    wait_for_results(page)
    return result_links(page)


def filter_box(facet: str, value: str) -> str:
    return f"{FILTER_FORM} input[type='checkbox'][name='{facet}'][value='{value}']"


def count_in(status: str) -> int:
    """The number a status line starts with ("3 stories matching …"; "No stories …" is 0)."""
    match = re.match(r"(\d+|no)\b", status.strip(), re.IGNORECASE)
    assert match, f"the status line does not start with a count: {status!r}"
    return 0 if match.group(1).lower() == "no" else int(match.group(1))


def hidden_but_shown(page: Any) -> list[str]:
    """Elements the script marked `hidden` that CSS still displays (a class with `display` overriding it)."""
    shown: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[data-ch-search] [hidden]')]
        .filter(e => getComputedStyle(e).display !== 'none').map(e => e.outerHTML.slice(0, 100))"""
    )
    return shown
