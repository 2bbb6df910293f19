"""Gate: reading the hub tells nobody else, and leaves nothing behind but reader preferences.

In Chromium, on every page type at both widths, with every request
intercepted: no request to any host but the site's own, no cookies, and
nothing in storage at all.  (Every page is on the lean base, which has no
script that stores anything; the colour scheme follows the reader's system.
Material's bundle, which kept the reader's palette, tabs and dismissed
announcement in localStorage and GitHub's repository stars in
sessionStorage, is no longer published.)  No localStorage, no
sessionStorage, no IndexedDB, no Cache Storage, no service worker.

A static pass over every HTML file also checks that no element loads a
resource (script, stylesheet, image, frame, media, font preload) from another host.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from .known import settle
from .pagetypes import params_at_widths
from .site_ui import OpenedPage

_STORAGE = """async () => ({
  cookie: document.cookie,
  local: Object.keys(localStorage),
  session: Object.keys(sessionStorage),
  indexedDB: (await indexedDB.databases()).map(d => d.name),
  caches: await caches.keys(),
  serviceWorkers: (await navigator.serviceWorker.getRegistrations()).map(r => r.scope),
})"""


def privacy_findings(context: Any, page: Any) -> list[str]:
    findings = [f"request to another host: {url}" for url in context.carehub_offsite]
    findings += [f"cookie set: {c['name']} for {c['domain']}" for c in context.cookies()]
    state = page.evaluate(_STORAGE)
    if state["cookie"]:
        findings.append(f"document.cookie is {state['cookie']!r}")
    findings += [f"localStorage key {k!r}" for k in state["local"]]
    findings += [f"sessionStorage key {k!r}" for k in state["session"]]
    findings += [f"IndexedDB database {n!r}" for n in state["indexedDB"]]
    findings += [f"Cache Storage cache {n!r}" for n in state["caches"]]
    findings += [f"service worker registered for {s}" for s in state["serviceWorkers"]]
    return findings


@pytest.mark.browser
@pytest.mark.parametrize(("page_type", "width"), params_at_widths())
def test_page_type_keeps_readers_private(opened_page: OpenedPage, site_url: str) -> None:
    context, page = opened_page.context, opened_page.page
    page.wait_for_load_state("networkidle")
    own = [u for u in context.carehub_requests if u.startswith(site_url)]
    assert own, "no request reached the test server: the interception is broken"
    settle("privacy", privacy_findings(context, page), opened_page.where("privacy"))


@pytest.mark.browser
def test_the_privacy_gate_catches_leaks(site_url: str, new_context: Callable[..., Any]) -> None:
    """The gate itself: an offsite image, a cookie and a stray storage key must all be reported.

    With the site's Content-Security-Policy bypassed: it would block the offsite image before any request
    (tests/browser/test_csp.py holds it), and this test is of the gate, which must catch the request anyway.
    """
    context = new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(site_url)
    page.evaluate(
        """() => {
        document.cookie = 'tracker=1; path=/';
        localStorage.setItem('/.__palette', '{}');
        localStorage.setItem('visitor', 'x');
        const img = document.createElement('img');
        img.src = 'https://tracker.example/pixel.gif';
        document.body.append(img);
    }"""
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    findings = privacy_findings(context, page)
    assert any("tracker.example" in f for f in findings), findings
    assert any("cookie set: tracker" in f for f in findings), findings
    assert any("'visitor'" in f for f in findings), findings
    assert any("'/.__palette'" in f for f in findings), findings  # Material's old key is no exception now


_LOADING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_LOADING_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}
_CSS_URL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]+)")


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[int, str, str]] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        names = _LOADING.get(tag, ())
        if tag == "link" and _LOADING_LINK_RELS & set(values.get("rel", "").lower().split()):
            names = ("href", "imagesrcset")
        for name in names:
            for candidate in values.get(name, "").split(","):
                if candidate.strip():
                    self.urls.append((self.getpos()[0], tag, candidate.split()[0]))
        for match in _CSS_URL.finditer(values.get("style", "")):
            self.urls.append((self.getpos()[0], f"{tag} style", match.group(1)))
        self._style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._style:
            self.urls.extend((self.getpos()[0], "style", m.group(1)) for m in _CSS_URL.finditer(data))

    def handle_endtag(self, tag: str) -> None:
        self._style = False


def _offsite(base: str, value: str) -> bool:
    parts = urlsplit(urljoin(base, value.strip()))
    return parts.scheme not in ("data", "blob") and parts.netloc != urlsplit(base).netloc


@pytest.mark.build
def test_no_page_or_stylesheet_loads_from_another_host(site_dir: Path) -> None:
    base = "http://site.invalid/"
    offsite = []
    for path in sorted(site_dir.rglob("*.html")):
        parser = _Loads()
        parser.feed(path.read_text(encoding="utf-8"))
        offsite += [
            f"{path.relative_to(site_dir)}:{line} <{tag}> {url}"
            for line, tag, url in parser.urls
            if _offsite(base, url)
        ]
    for path in sorted(site_dir.rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        offsite += [
            f"{path.relative_to(site_dir)}: {m.group(1)}" for m in _CSS_URL.finditer(text) if _offsite(base, m.group(1))
        ]
    assert not offsite, "resources loaded from another host:\n" + "\n".join(offsite)
