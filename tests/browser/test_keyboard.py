"""Gate: every page type can be used with the keyboard alone, at 1280 and 375 px.

On each page type: no positive tabindex (it breaks the reading order); the
first Tab stop is a skip link to the content; Tab reaches every visible
control; each stop shows a visible focus indicator (an outline or box-shadow
that differs from the unfocused look) and is not hidden behind anything; and
within the content, focus moves in reading order (down the page, left to
right along a line; checked at 375 px, where the content is one column).
Operating the filters with the keyboard alone is in test_search.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .keyboard import out_of_reading_order, tab_through
from .known import settle
from .pagetypes import WIDTHS, params_at_widths
from .site_ui import OpenedPage

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("page_type", "width"), params_at_widths())
def test_page_type_works_with_the_keyboard(opened_page: OpenedPage) -> None:
    page = opened_page.page
    walk = tab_through(page)
    assert walk.stops, "Tab never focused anything"
    findings = [f"positive tabindex: {html}" for html in walk.positive_tabindex]
    first = walk.stops[0]
    if not (first.tag == "a" and 'href="#' in first.html and "skip" in first.name.lower()):
        findings.append(f"the first Tab stop is {first.label()}, not a skip link to the content")
    findings += [f"Tab never reaches {html}" for html in walk.unreached(page)]
    findings += [f"focus lands on {s.label()}, which cannot be seen" for s in walk.stops if not s.shown]
    findings += [f"no visible focus indicator on {s.label()}" for s in walk.stops if s.shown and not s.visible_focus]
    findings += [f"focused {s.label()} is covered by {s.covered}" for s in walk.stops if s.covered]
    # At 375px there is one column, so down the page is the reading order (wider, columns are read in turn).
    if opened_page.width == WIDTHS["mobile"]:
        findings += [f"reading order: {p}" for p in out_of_reading_order([s for s in walk.stops if s.in_content])]
    settle("keyboard", findings, opened_page.where("keyboard"))


def test_the_keyboard_walk_finds_problems(new_context: Callable[..., Any], site_url: str) -> None:
    """The gate itself, on a page made to fail: no focus style, out of order, unreachable, covered.

    The made-up page has an inline style, which the site's Content-Security-Policy
    (still in force after ``set_content``) would block, so this context bypasses it.
    """
    page = new_context(1280, bypass_csp=True).new_page()
    page.goto(site_url)
    page.set_content(
        """<style>*:focus { outline: none } .ok:focus-visible { outline: 3px solid black }
        .cover { position: fixed; bottom: 0; left: 0; width: 100%; height: 60px; background: white; z-index: 1 }</style>
        <main><div class="md-content">
          <a class="ok" href="#a">First</a>
          <a href="#b" style="position: absolute; top: 400px">Plain, lower</a>
          <a class="ok" href="#c" style="position: absolute; top: 200px">Higher, later</a>
          <span class="cover"></span>
          <a class="ok" href="#d" style="position: fixed; bottom: 10px; left: 5px">Covered</a>
          <button class="ok" style="position: absolute; top: 500px; opacity: 0">Invisible</button>
          <button class="ok" style="position: absolute; top: 600px" tabindex="-1">Not a stop</button>
        </div></main>"""
    )
    walk = tab_through(page)
    names = [s.name for s in walk.stops]
    assert names[:3] == ["First", "Plain, lower", "Higher, later"], names
    assert [s.name for s in walk.stops if s.shown and not s.visible_focus] == ["Plain, lower"]
    assert [s.name for s in walk.stops if not s.shown] == ["Invisible"]
    assert any("Higher, later" in p for p in out_of_reading_order(walk.stops))
    assert [s.name for s in walk.stops if s.covered] == ["Covered"]
