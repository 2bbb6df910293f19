"""Gate: no page type moves under the reader while it loads (cumulative layout shift 0), at 1280 and 375 px.

Scripts reveal parts of some pages after the first paint (the filters on
stories/, the search box and results on /search/, the share form's preview on
/contribute/share/); the room they take must be reserved from the first paint
(Lighthouse's cumulative-layout-shift audit; issue 19 measured 0.07 on /search/
and /contribute/share/).  Chromium reports every shift as a PerformanceObserver
'layout-shift' entry, recorded here from before the page's first byte until
the network is quiet.  A shift within half a second of the reader's own input
does not count (the Layout Instability API marks it `hadRecentInput`), as in
Lighthouse.  One test first shows that a real shift is seen, so a zero is
never a broken measurement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from carehub.check.catalogue import Story

from .known import settle
from .pagetypes import BY_NAME, PageType, params_at_widths

pytestmark = pytest.mark.browser

# Collects every layout shift from the document's start; read back by _shifts().
RECORD_SHIFTS = """
window.__carehubShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    const nodes = (entry.sources || []).map((s) => {
      const n = s.node;
      if (!n || n.nodeType !== 1) return n ? n.nodeName : "?";
      return n.tagName.toLowerCase() + (n.id ? "#" + n.id : "") +
        (n.className && typeof n.className === "string" ? "." + n.className.trim().split(/\\s+/).join(".") : "");
    });
    window.__carehubShifts.push({ value: entry.value, at: Math.round(entry.startTime), nodes });
  }
}).observe({ type: "layout-shift", buffered: true });
"""


def _shifts(page: Any) -> list[dict[str, Any]]:
    """The shifts recorded so far, after two animation frames (so a pending one is reported)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    shifts: list[dict[str, Any]] = page.evaluate("() => window.__carehubShifts")
    return shifts


def _load(new_context: Callable[..., Any], url: str, width: int) -> Any:
    context = new_context(width)
    context.add_init_script(RECORD_SHIFTS)
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page


def _findings(shifts: list[dict[str, Any]]) -> list[str]:
    return [
        f"shift {s['value']:.4f} at {s['at']} ms moving {', '.join(s['nodes']) or '(no node named)'}" for s in shifts
    ]


def test_a_real_shift_is_measured(new_context: Callable[..., Any], site_url: str) -> None:
    """The gate's own check: content pushed in above the text after load is reported as a shift."""
    page = _load(new_context, site_url, 1280)
    page.evaluate(
        """() => { const block = document.createElement('div'); block.style.height = '300px';
        document.querySelector('main').prepend(block); }"""
    )
    total = sum(s["value"] for s in _shifts(page))
    assert total > 0, "a 300 px block inserted above the main text was not reported as a layout shift"


@pytest.mark.parametrize(("page_type", "width"), params_at_widths())
def test_page_type_loads_without_layout_shift(
    page_type: PageType,
    width: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    new_context: Callable[..., Any],
) -> None:
    path = page_path(page_type)
    page = _load(new_context, site_url + path, width)
    settle("layout", _findings(_shifts(page)), f"layout shift on {page_type.name} (/{path}) at {width}px")


@pytest.mark.parametrize("width", [1280, 375], ids=["1280px", "375px"])
def test_search_results_from_the_address_load_without_layout_shift(
    width: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    search_word: tuple[str, Story],
    new_context: Callable[..., Any],
) -> None:
    """A link to /search/?q=… shows its results as the page loads: the results area must not push anything."""
    path = page_path(BY_NAME["search"]) + "?q=" + search_word[0]
    page = _load(new_context, site_url + path, width)
    page.wait_for_function("() => document.querySelectorAll('[data-ch-list] > li').length > 0")
    settle("layout", _findings(_shifts(page)), f"layout shift on /{path} at {width}px")
