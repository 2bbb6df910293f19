"""Gate: a link in a wrapped inline list (a story's tags, a site's care models) keeps one box, so no
neighbour's target overlaps it (WCAG 2.2 2.5.8, target size: 24 px of clear space).

Lighthouse's target-size audit (axe-core's rule, at a 412 px phone width) found a tag link that broke over
two lines: its box then spanned both lines and covered the next link.  Links in ``.ch-inline-list`` are
inline blocks, so a long one wraps inside its own box.  The test makes the first such link on a story page
too long for one line, whatever the story's labels are, and checks that it still has one box and that axe
finds no target-size violation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .axe import describe, run_axe
from .pagetypes import BY_NAME

pytestmark = pytest.mark.browser

LONG = "Integrated primary and acute care systems working with community pharmacy and social care"


@pytest.mark.parametrize("width", [412, 320], ids=["412px", "320px"])
def test_a_wrapped_link_in_an_inline_list_keeps_one_box(
    width: int,
    page_path: Callable[[Any], str],
    site_url: str,
    new_context: Callable[..., Any],
    axe_source: str,
) -> None:
    page = new_context(width).new_page()
    page.goto(site_url + page_path(BY_NAME["story-case-study"]))
    links = page.locator(".ch-inline-list a")
    assert links.count() >= 2, "a case study shows its facets as inline lists of links"
    boxes = page.evaluate(
        """long => {
          const link = document.querySelector('.ch-inline-list a');
          link.textContent = long;
          return link.getClientRects().length;
        }""",
        LONG,
    )
    assert page.evaluate("() => document.querySelector('.ch-inline-list a').offsetHeight") > 30, "it wraps"
    assert boxes == 1, "a link that wraps must keep one box, or its box covers its neighbours"
    assert describe(run_axe(page, axe_source, rules=["target-size"])) == []
