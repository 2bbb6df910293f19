"""Gate: the Content-Security-Policy (src/carehub/csp.py) holds in Chromium.

Every page type loads at both widths with no violation reported (listened for
with a `securitypolicyviolation` handler installed before any page script,
and in the console); search and the share form still work under the policy, and
the colour scheme follows the reader's system with no script; and a script
injected into a built page, with the page's own policy kept, is blocked and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from carehub.check.catalogue import Story

from .pagetypes import BY_NAME, PageType, params_at_widths
from .site_ui import open_page, search

LISTEN = """(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const where = `${e.sourceFile}:${e.lineNumber}`;
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
  }, true);
})();"""


def open_listening(new_context: Callable[..., Any], url: str, page_type: PageType, width: int = 1280, **kw: Any) -> Any:
    context = new_context(width)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.carehub_console = console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    open_page(page, url, page_type, **kw)
    return page


def violations(page: Any) -> list[str]:
    page.wait_for_load_state("networkidle")
    found: list[str] = page.evaluate("window.__cspViolations")
    return found + [f"console: {text}" for text in page.carehub_console]


@pytest.mark.browser
@pytest.mark.parametrize(("page_type", "width"), params_at_widths())
def test_page_type_loads_with_no_policy_violation(
    page_type: PageType,
    width: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    search_word: tuple[str, Story],
    new_context: Callable[..., Any],
) -> None:
    page = open_listening(new_context, site_url + page_path(page_type), page_type, width, query=search_word[0])
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]')
    assert policy.count() == 1
    assert violations(page) == []


@pytest.mark.browser
def test_search_works_under_the_policy(
    site_url: str, search_word: tuple[str, Story], new_context: Callable[..., Any]
) -> None:
    page = open_listening(new_context, site_url + "search/", BY_NAME["search"])
    word, story = search_word
    links = search(page, word)
    assert any(link.endswith(f"/stories/{story.slug}/") for link in links), links
    assert violations(page) == []


@pytest.mark.browser
def test_the_share_form_works_under_the_policy(site_url: str, new_context: Callable[..., Any]) -> None:
    page = open_listening(new_context, site_url + "contribute/share/", BY_NAME["share"])
    form = page.locator("#share-form")
    assert form.is_visible(), "share.js did not run: the form is still hidden"
    page.locator("#f-type-case-study").check()
    page.get_by_role("button", name="Check and preview").click()  # nothing filled in: share.js lists it all
    page.locator("#share-errors").wait_for(state="visible")
    assert "Title" in page.locator("#share-errors").inner_text()
    assert violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("name", ["home", "subscribe", "share", "story-case-study"])
def test_the_colour_scheme_follows_the_system_under_the_policy(
    name: str, page_path: Callable[[PageType], str], site_url: str, new_context: Callable[..., Any]
) -> None:
    """Every page is on the lean base: no toggle and no script in <head>; the stylesheet's light-dark()
    follows the reader's system setting (lean.css), on the docs pages as on the rest."""
    colours = {}
    for scheme in ("light", "dark"):
        page = open_listening(new_context, site_url + page_path(BY_NAME[name]), BY_NAME[name])
        page.emulate_media(color_scheme=scheme)
        assert page.locator("head script").count() == 0, "a script in <head>"
        assert page.locator("[data-md-component='palette'], [data-md-color-scheme]").count() == 0
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert violations(page) == []
    assert colours["light"] == "rgb(255, 255, 255)" and colours["dark"] != colours["light"], colours


@pytest.mark.browser
def test_an_injected_inline_script_is_blocked_and_reported(site_url: str, new_context: Callable[..., Any]) -> None:
    """A script smuggled into a built page (the page's own policy kept) must not run."""
    context = new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    original = context.request.get(site_url).text()
    assert 'http-equiv="Content-Security-Policy"' in original
    hostile = original.replace("<body", "<script>window.__injected = 1</script><body", 1)
    assert hostile != original
    page.route(site_url, lambda route: route.fulfill(body=hostile, content_type="text/html; charset=utf-8"))
    page.goto(site_url, wait_until="load")
    assert page.evaluate("window.__injected") is None
    found = page.evaluate("window.__cspViolations")
    assert any(v.startswith("script-src") and "inline" in v for v in found), found
    # The page's own script (tables.js, deferred, from our origin) still loaded, and was not refused.
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any(re.search(r"/assets/carehub/tables\.[0-9a-f]{8}\.js$", name) for name in loaded), loaded
    assert not any("tables." in v for v in found), found
