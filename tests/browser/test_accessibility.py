"""Gate: every page type has no WCAG 2.2 A/AA violation that axe-core can find, at 1280 and 375 px.

Also writes a full-page screenshot of each page type at each width to
artifacts/screenshots/ for reviewers (taken before the verdict, so a failing
page is pictured too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from carehub.catalogue import Story

from .axe import describe, run_axe
from .conftest import ARTIFACTS, WIDTHS
from .known import settle
from .pagetypes import PageType, params
from .site_ui import open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS.values(), ids=[f"{w}px" for w in WIDTHS.values()])
@pytest.mark.parametrize("page_type", params())
def test_page_type_meets_wcag_22_aa(
    page_type: PageType,
    width: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    search_word: tuple[str, Story],
    new_context: Callable[..., Any],
    axe_source: str,
) -> None:
    path = page_path(page_type)
    page = new_context(width).new_page()
    open_page(page, site_url + path, page_type, query=search_word[0])
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{page_type.name}-{width}px.png"), full_page=True)
    settle("axe", describe(run_axe(page, axe_source)), f"axe-core on {page_type.name} (/{path}) at {width}px")
