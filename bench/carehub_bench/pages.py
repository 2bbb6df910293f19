"""Pages: what a first visit fetches in Chromium, for the home page, a story page and a first search query.

Must not build sites or start Chromium with flags of its own (chromium.py holds them).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from carehub_bench.chromium import ARGS as CHROMIUM_ARGS
from carehub_bench.chromium import EXECUTABLE as CHROMIUM
from carehub_bench.server import quiet, serve_site

QUERY = "discharge"
SEARCH_INDEX_RE = re.compile(
    r"search_index\.json|/search-index/|/pagefind/|\.pf_(?:index|meta|fragment)|lunr|search.*\.json"
)

_SEARCH_INPUTS = (
    "input[type=search]",
    ".pagefind-ui__search-input",
    "input.md-search__input",
    "input[name=q]",
    "input[name=query]",
)
_RESULTS = (
    "[data-ch-list] > li, .pagefind-ui__result, .md-search-result__item, [data-search-result], .search-result, "
    ".search-results li"
)


def _summary(log: list[tuple[str, int, int]]) -> dict[str, Any]:
    index = [p for p, _, _ in log if SEARCH_INDEX_RE.search(p)]
    return {
        "bytes": sum(sent for _, _, sent in log),
        "requests": len(log),
        "search_index_requests": len(index),
        "search_index_bytes": sum(sent for p, _, sent in log if SEARCH_INDEX_RE.search(p)),
    }


def browser_figures(site: Path, story_url: str) -> dict[str, Any]:
    """First-visit bytes in Chromium: home page, a story page, and a first search query."""
    if not CHROMIUM.exists():
        return {"skipped": f"{CHROMIUM} is missing (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - dev lock has it
        return {"skipped": f"playwright is not installed: {error}"}
    out: dict[str, Any] = {}
    with serve_site(site) as (base, counter), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:

            def visit(url: str) -> tuple[Any, Any, list[tuple[str, int, int]]]:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                counter.take()
                page.goto(base + url, wait_until="load")
                seen: list[tuple[str, int, int]] = []
                quiet(counter, seen)
                return context, page, seen

            context, _, seen = visit("/")
            out["home"] = _summary(seen)
            context.close()
            context, _, seen = visit("/" + story_url)
            out["story"] = _summary(seen)
            context.close()
            start = "/search/" if (site / "search" / "index.html").exists() else "/"
            context, page, seen = visit(start)
            out["search_page"] = {"url": start, **_summary(seen)}
            box, as_you_type = None, False
            for selector in _SEARCH_INPUTS:
                candidate = page.locator(selector).first
                if candidate.count() and candidate.is_visible():
                    box, as_you_type = candidate, selector == "input.md-search__input"
                    break
            if box is None and page.locator("label[for=__search]").count():
                page.locator("label[for=__search]").first.click()
                box, as_you_type = page.locator("input.md-search__input").first, True
            if box is None:
                out["query"] = {"skipped": "no search box found"}
            else:
                box.click()
                page.keyboard.type(QUERY, delay=30)
                if not as_you_type:  # Material searches as you type (and Enter opens a result); a form needs Enter
                    page.keyboard.press("Enter")
                seen = []
                with contextlib.suppress(Exception):  # a busy machine may need the time
                    page.wait_for_selector(_RESULTS, timeout=15000)
                quiet(counter, seen)
                results = page.locator(_RESULTS).count()
                query = _summary(seen)
                out["query"] = {
                    "query": QUERY,
                    "results_shown": results,
                    **query,
                    "total_with_page_bytes": query["bytes"] + out["search_page"]["bytes"],
                }
            context.close()
        finally:
            browser.close()
    return out
