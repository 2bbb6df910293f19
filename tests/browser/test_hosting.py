"""Gate: the hub works from another host under a sub-path, served by a plain static server.

The repository's content is built with site_url https://cdn.example.net/hub/
(tests/subpath_site.py) and served by the standard library's server from a
folder holding it as hub/, so nothing outside /hub/ exists.  In Chromium, each
page type loads with every request answered, none outside /hub/, every
stylesheet applied and every script run; search finds a story and links to it
under /hub/.  tests/test_hosting.py checks the same build's files without a browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..subpath_site import build_under_subpath
from .server import serve
from .site_ui import search

pytestmark = pytest.mark.browser
PAGES = ("", "stories/", "browse/", "sites/", "search/", "contribute/share/", "about/", "glossary/")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The base address of the hub (ending in /hub/) and its folder."""
    www = build_under_subpath(tmp_path_factory.mktemp("hosting"))
    with serve(www) as url:
        yield url + "hub/", www / "hub"


def open_and_record(browser: Any, url: str) -> tuple[Any, Any, list[tuple[str, int]]]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="en-GB")
    context.set_default_timeout(10_000)
    answered: list[tuple[str, int]] = []
    context.on("response", lambda response: answered.append((response.url, response.status)))
    context.on("requestfailed", lambda request: answered.append((request.url, -1)))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    assert errors == [], f"{url}: script errors {errors}"
    return context, page, answered


def first_story(folder: Path) -> dict[str, Any]:
    stories: list[dict[str, Any]] = json.loads((folder / "stories.json").read_text(encoding="utf-8"))["stories"]
    return sorted(stories, key=lambda s: s["id"])[0]


@pytest.mark.parametrize("path", [*PAGES, "story"])
def test_each_page_type_loads_whole_from_the_sub_path(browser: Any, hub: tuple[str, Path], path: str) -> None:
    base, folder = hub
    if path == "story":
        path = f"stories/{first_story(folder)['id']}/"
    context, page, answered = open_and_record(browser, base + path)
    try:
        wrong = [(url, status) for url, status in answered if not url.startswith(base) or not 200 <= status < 400]
        assert wrong == [], f"/{path}: requests outside {base} or not answered: {wrong}"
        assert len(answered) > 3, answered
        sheets = page.evaluate("() => [...document.styleSheets].map(s => [s.href, s.cssRules.length])")
        assert sheets and all(rules > 0 for _, rules in sheets), sheets
        assert any("/hub/assets/carehub/" in (href or "") for href, _ in sheets), sheets
    finally:
        context.close()


def test_search_finds_a_story_and_links_under_the_sub_path(browser: Any, hub: tuple[str, Path]) -> None:
    base, folder = hub
    story = first_story(folder)
    context, page, answered = open_and_record(browser, base + "search/")
    try:
        links = search(page, story["title"])
        # Found near the top (which of the pages naming it comes first is search quality's business, judged by
        # bench/queries/), and every link under the sub-path.
        assert base + f"stories/{story['id']}/" in links[:3], links[:3]
        assert all(link.startswith(base) for link in links)
        wrong = [(url, status) for url, status in answered if not url.startswith(base) or not 200 <= status < 400]
        assert wrong == [], wrong
    finally:
        context.close()
