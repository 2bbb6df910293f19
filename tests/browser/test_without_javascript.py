"""Gate: with JavaScript switched off, stories, listings, the sites directory and the glossary are whole.

Content is judged against the catalogue (the source of truth), in the text a
reader can actually see (innerText skips what CSS hides), so a listing that
only fills itself in with JavaScript, or content hidden until a script runs,
fails.  Navigable means: following a link from each page lands on the page it
names; at 375 px every section's link is in view in the page's header (every
page is on the lean base: there is no menu to open), and a docs page's table of
contents and section links are shown and lead where they say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from carehub.check.catalogue import Catalogue, Story

from .conftest import ROOT
from .known import settle
from .pagetypes import ALL, BY_NAME, FACETS, WIDTHS, PageType, params_at_widths, stories_with

pytestmark = pytest.mark.browser

NO_JS_TYPES = ("story-", "listing-", "all-stories", "sites", "site", "glossary", "approach", "barrier-matrix")
PAGES = [p for p in ALL if p.name.startswith(NO_JS_TYPES)]


def _visible_text(page: Any) -> str:
    return " ".join(str(page.locator("main").first.inner_text()).split())


def _links(page: Any) -> set[str]:
    # An SVG link's href is an SVGAnimatedString (the maps): resolve its text as the browser would.
    hrefs: list[str] = page.locator("main a[href]").evaluate_all(
        "links => links.map(a => typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href)"
    )
    return {urlsplit(h)._replace(fragment="", query="").geturl() for h in hrefs}


def _all_pages_of(page: Any, url: str) -> tuple[str, set[str]]:
    """Visible text and link targets of a listing and every later page of it (rel=next, no script needed)."""
    text, links, seen = "", set(), set()
    while url and url not in seen:
        seen.add(url)
        page.goto(url)
        text += " " + _visible_text(page)
        links |= _links(page)
        following = page.locator("a[rel~='next']")
        url = urljoin(url, following.first.get_attribute("href")) if following.count() else ""
    return text, links


def _expected(page_type: PageType, path: str, catalogue: Catalogue) -> tuple[list[str], list[Story]]:
    """(texts that must be visible, stories that must be linked) for this page type."""
    if page_type.name.startswith("story-"):
        story = next(s for s in catalogue.stories if path == f"stories/{s.slug}/")
        return [story.meta.title, story.meta.summary], []
    if page_type.name.startswith("listing-"):
        _, facet, value = path.strip("/").split("/")
        assert facet in FACETS
        return [], stories_with(catalogue, facet, value)
    if page_type.name == "all-stories":
        return [], list(catalogue.stories)
    if page_type.name == "sites":
        return [site.name for site in catalogue.sites.values()], []
    if page_type.name == "site":
        site_id = path.strip("/").split("/")[1]
        linked = [s for s in catalogue.stories if s.meta.site == site_id or site_id in s.meta.adopted_from]
        return [catalogue.sites[site_id].name], linked
    if page_type.name == "glossary":
        terms = yaml.safe_load((ROOT / "data" / "glossary.yml").read_text(encoding="utf-8"))["terms"]
        return [t["term"] for t in terms], []
    if page_type.name == "sites-offering":
        topic = path.strip("/").split("/")[2]
        return [site.name for site in catalogue.sites.values() if topic in site.offers], []
    if page_type.name == "approaches":
        return [approach.name for approach in catalogue.approaches.values()], []
    if page_type.name == "approach":
        approach_id = path.strip("/").split("/")[1]
        mine = [s for s in catalogue.stories if s.meta.approach == approach_id]
        return [catalogue.approaches[approach_id].name], mine
    if page_type.name == "barrier-matrix":
        return [t.label for t in catalogue.vocabularies["barriers"]], []
    if page_type.name == "barrier-matrix-cell":
        from carehub.plan.approaches import matrix_stories

        _, _, barrier, axis, column = path.strip("/").split("/")
        return [], matrix_stories(catalogue, barrier, axis, column)
    raise AssertionError(f"no expectation written for {page_type.name}")


@pytest.mark.parametrize(("page_type", "width"), params_at_widths(PAGES))
def test_page_type_is_complete_without_javascript(
    page_type: PageType,
    width: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    catalogue: Catalogue,
    new_context: Callable[..., Any],
) -> None:
    path = page_path(page_type)
    page = new_context(width, javascript=False).new_page()
    texts, stories = _expected(page_type, path, catalogue)
    visible, links = _all_pages_of(page, site_url + path)
    missing = [f"text not shown: {t}" for t in texts if " ".join(t.split()) not in visible]
    missing += [f"no link to {s.meta.title!r} (/{s.url})" for s in stories if site_url + s.url not in links]

    # Navigable: every link in the content leads somewhere real, and following one works.
    own = sorted(link for link in links if link.startswith(site_url))
    missing += [f"link does not load: {link}" for link in own if context_status(page, link) != 200]
    if stories:
        page.goto(site_url + path)
        first = stories[0]
        page.locator(f"main a[href$='{first.slug}/']").first.click()
        page.wait_for_url(site_url + first.url)
        if first.meta.title not in _visible_text(page):
            missing.append(f"following the link to {first.meta.title!r} did not show that story")
    settle("nojs", missing, f"/{path} without JavaScript at {width}px")


def _on_screen(locator: Any) -> bool:
    on: bool = locator.evaluate(
        """e => { const r = e.getBoundingClientRect();
        return e.checkVisibility({visibilityProperty: true}) && r.right > 0 && r.left < innerWidth && r.width > 0; }"""
    )
    return on


def context_status(page: Any, url: str) -> int:
    status: int = page.context.request.get(url).status
    return status


@pytest.mark.parametrize("page_type", [BY_NAME["subscribe"], BY_NAME["share"]], ids=lambda p: p.name)
def test_a_docs_page_is_navigable_without_javascript_on_a_phone(
    page_type: PageType,
    page_path: Callable[[PageType], str],
    site_url: str,
    new_context: Callable[..., Any],
) -> None:
    """A hand-written page (overrides/main.html, on the lean base) has no drawer to open: its "On this page"
    list (when it has one) and the other pages of its section are plain links, shown without a script."""
    page = new_context(WIDTHS["mobile"], javascript=False).new_page()
    url = site_url + page_path(page_type)
    page.goto(url)
    assert page.locator("#__drawer, label[for='__drawer'], .md-nav").count() == 0, "Material's drawer is back"
    for item in page.locator(".ch-toc a[href^='#']").all():  # each entry leads to a heading on the page
        target = (item.get_attribute("href") or "#")[1:]
        assert page.locator(f"[id='{target}']").count() == 1, f"the contents entry {target!r} leads nowhere"
    section = page.locator(".ch-section-nav a[href]")
    if page_type.name == "share":
        assert section.count() >= 3, "the share form's page lists the other Contribute pages"
        assert page.locator(".ch-section-nav a[aria-current='page']").count() == 1
    else:
        assert page.locator(".ch-toc a").count() >= 2, "the subscribe page lists its sections"
    for link in page.locator(".ch-toc a, .ch-section-nav a").all():
        assert _on_screen(link), f"{link.inner_text()!r} is hidden or off screen"
    if section.count():
        other = section.nth(section.count() - 1)
        target = urljoin(page.url, other.get_attribute("href") or "")
        other.click()
        page.wait_for_url(re.compile(re.escape(target.rstrip("/")) + "/?$"))
        assert context_status(page, page.url) == 200


@pytest.mark.parametrize(
    "page_type",
    [*[p for p in PAGES if p.name.startswith("story-")][:1], BY_NAME["subscribe"], BY_NAME["home"]],
    ids=lambda p: p.name,
)
def test_every_section_is_in_view_without_javascript_on_a_phone(
    page_type: PageType,
    page_path: Callable[[PageType], str],
    site_url: str,
    new_context: Callable[..., Any],
) -> None:
    """Every page (overrides/carehub/lean/base.html; docs pages and the home page through main.html) has no
    menu to open: every section's link is in the header, whole and on screen at the top of the page, and
    following each lands on that section."""
    page = new_context(WIDTHS["mobile"], javascript=False).new_page()
    url = site_url + page_path(page_type)
    page.goto(url)
    links = page.locator("header nav a[href]")
    labels = [" ".join(str(t).split()) for t in links.all_inner_texts()]
    assert {"Home", "All stories", "Browse", "Sites", "Contribute", "About"} <= set(labels), labels
    for index in range(links.count()):
        link = links.nth(index)
        box = link.bounding_box()
        assert _on_screen(link) and box is not None, f"{labels[index]!r} is not on screen at 375px"
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS["mobile"], f"{labels[index]!r} is cut off"
        assert box["y"] + box["height"] <= 812 / 2, f"{labels[index]!r} is not near the top of the page"
    for index, label in enumerate(labels):
        page.goto(url)
        target = urljoin(page.url, links.nth(index).get_attribute("href") or "")
        links.nth(index).click()
        page.wait_for_url(re.compile(re.escape(target.rstrip("/")) + "/?$"))
        assert context_status(page, page.url) == 200, f"following {label!r} did not load {target}"
