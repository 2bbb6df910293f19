"""Gate: every page type has no WCAG 2.2 A/AA violation that axe-core can find, at 1280 and 375 px.

Also writes a full-page screenshot of each page type at each width to
artifacts/screenshots/ for reviewers (taken before the verdict, so a failing
page is pictured too).
"""

from __future__ import annotations

import pytest

from .axe import describe, run_axe
from .conftest import ARTIFACTS
from .known import settle
from .pagetypes import params_at_widths
from .site_ui import OpenedPage

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("page_type", "width"), params_at_widths())
def test_page_type_meets_wcag_22_aa(opened_page: OpenedPage, axe_source: str) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    name = f"{opened_page.page_type.name}-{opened_page.width}px.png"
    opened_page.page.screenshot(path=str(shots / name), full_page=True)
    settle("axe", describe(run_axe(opened_page.page, axe_source)), opened_page.where("axe-core"))
