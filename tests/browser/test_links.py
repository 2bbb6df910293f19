"""Gate: no broken internal link or missing asset anywhere in the built site.

Every HTML file is parsed (html.parser); every href, src, srcset, poster,
data and SVG <use> reference that stays on the site is resolved against the
page's URL and must name a file in the build, and a #fragment must name an
id on the target page.  Stylesheets' url(...) references and the sitemap's
<loc>s are checked the same way.  No browser: this reads files, so it is fast
and covers every page, not a sample.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from .known import settle

pytestmark = pytest.mark.build

SITE_ORIGIN = "https://carehub.example.org/"  # site_url in mkdocs.yml: absolute links to it are internal
BASE = "http://site.invalid/"
_URL_ATTRS = {"href", "src", "poster", "data", "action", "xlink:href"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


@dataclass
class _Page(HTMLParser):
    references: list[tuple[str, str, int]] = field(default_factory=list)  # (tag.attr, value, line)
    ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            if name in _URL_ATTRS:  # canonical links name the public address: _check maps it back
                self.references.append((f"{tag}.{name}", value, line))
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self.references.append((f"{tag}.{name}", candidate.split()[0], line))

    handle_startendtag = handle_starttag


@cache
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _url_of(site_dir: Path, path: Path) -> str:
    rel = path.relative_to(site_dir).as_posix()
    return BASE + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def _target(site_dir: Path, url: str) -> Path | None:
    """The file a site URL is served from, or None when it does not exist."""
    rel = unquote(urlsplit(url).path).lstrip("/")
    candidate = site_dir / rel
    if rel == "" or rel.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() and candidate.resolve().is_relative_to(site_dir.resolve()) else None


def _check(site_dir: Path, page_url: str, value: str) -> str | None:
    """None if the reference is fine or leaves the site; otherwise what is wrong with it."""
    value = value.strip()
    if value.lower().startswith("javascript:"):
        return "a javascript: URL"
    if value.startswith(SITE_ORIGIN):
        value = "/" + value[len(SITE_ORIGIN) :]
    absolute = urljoin(page_url, value)
    parts = urlsplit(absolute)
    if parts.scheme in ("data", "mailto", "tel") or f"{parts.scheme}://{parts.netloc}/" != BASE:
        return None
    target = _target(site_dir, absolute)
    if target is None:
        return "no such file in the site"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _parse(target).ids:
        return f"no element with id {parts.fragment!r} on {target.relative_to(site_dir).as_posix()}"
    return None


def test_every_internal_link_and_asset_exists(site_dir: Path) -> None:
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 1, "the build produced no pages"
    broken: list[str] = []
    checked = 0
    for path in pages:
        page_url = _url_of(site_dir, path)
        for where, value, line in _parse(path).references:
            checked += 1
            problem = _check(site_dir, page_url, value)
            if problem:
                broken.append(f"{path.relative_to(site_dir)}:{line} <{where}={value!r}>: {problem}")
    assert checked > len(pages), "no references were found: the parser is broken"
    settle("links", broken, f"internal links and assets in {len(pages)} pages")


def test_stylesheets_reference_only_existing_files(site_dir: Path) -> None:
    broken: list[str] = []
    for path in sorted(site_dir.rglob("*.css")):
        css_url = _url_of(site_dir, path)
        for match in _CSS_URL.finditer(path.read_text(encoding="utf-8")):
            value = match.group(2)
            if value.startswith("#"):  # an SVG filter or gradient reference, not a file
                continue
            problem = _check(site_dir, css_url, value)
            if problem:
                broken.append(f"{path.relative_to(site_dir)}: url({value}): {problem}")
    assert not broken, "\n".join(broken)


def _sitemap_locs(site_dir: Path, sitemap: Path) -> list[str]:
    """Page addresses in a sitemap, following a sitemap index into its sitemaps (which must exist too)."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(sitemap).getroot()
    if root.tag.endswith("sitemapindex"):
        locs: list[str] = []
        for loc in root.findall("s:sitemap/s:loc", ns):
            child = _target(site_dir, "/" + (loc.text or "").removeprefix(SITE_ORIGIN))
            assert child is not None, f"{sitemap.name} names a sitemap the site does not have: {loc.text}"
            locs += _sitemap_locs(site_dir, child)
        return locs
    return [loc.text or "" for loc in root.findall("s:url/s:loc", ns)]


def test_sitemap_lists_only_existing_pages(site_dir: Path) -> None:
    sitemap = site_dir / "sitemap.xml"
    assert sitemap.is_file(), "the build wrote no sitemap.xml"
    locs = _sitemap_locs(site_dir, sitemap)
    assert len(locs) > 1, "the sitemap lists no pages"
    missing = [loc for loc in locs if _check(site_dir, BASE, loc) is not None or not loc.startswith(SITE_ORIGIN)]
    assert not missing, "the sitemap lists pages the site does not have:\n" + "\n".join(missing)


def _public_pages(site_dir: Path) -> set[str]:
    """The public address of every page in the build (404.html is the error page, not one to index)."""
    pages = set()
    for path in site_dir.rglob("*.html"):
        rel = path.relative_to(site_dir).as_posix()
        if rel != "404.html":
            pages.add(SITE_ORIGIN + rel.removesuffix("index.html"))
    return pages


def test_sitemap_lists_every_page(site_dir: Path) -> None:
    """Search engines find stories and listings through the sitemap: none may be left out (nor listed twice)."""
    locs = _sitemap_locs(site_dir, site_dir / "sitemap.xml")
    unlisted = sorted(_public_pages(site_dir) - set(locs))
    assert not unlisted, f"{len(unlisted)} page(s) missing from the sitemap:\n" + "\n".join(unlisted)
    twice = sorted({loc for loc in locs if locs.count(loc) > 1})
    assert not twice, "the sitemap lists pages more than once:\n" + "\n".join(twice)


def test_the_sitemap_reader_follows_an_index(tmp_path: Path) -> None:
    """The gate itself: an index is followed into its sitemaps, a missing one fails, and pages are compared."""
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'
    index = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</sitemapindex>'
    (tmp_path / "a").mkdir()
    for page in ("index.html", "a/index.html", "404.html", "b.html"):
        (tmp_path / page).write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "pages.xml").write_text(
        urlset.format(f"<url><loc>{SITE_ORIGIN}</loc></url><url><loc>{SITE_ORIGIN}a/</loc></url>"), encoding="utf-8"
    )
    (tmp_path / "sitemap.xml").write_text(
        index.format(f"<sitemap><loc>{SITE_ORIGIN}pages.xml</loc></sitemap>"), encoding="utf-8"
    )
    locs = _sitemap_locs(tmp_path, tmp_path / "sitemap.xml")
    assert locs == [SITE_ORIGIN, SITE_ORIGIN + "a/"]
    assert _public_pages(tmp_path) - set(locs) == {SITE_ORIGIN + "b.html"}
    (tmp_path / "sitemap.xml").write_text(
        index.format(f"<sitemap><loc>{SITE_ORIGIN}gone.xml</loc></sitemap>"), encoding="utf-8"
    )
    with pytest.raises(AssertionError, match="names a sitemap the site does not have"):
        _sitemap_locs(tmp_path, tmp_path / "sitemap.xml")


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    """The gate itself: a page with a broken link, a missing image and a bad fragment must be caught."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="here">x</p>', encoding="utf-8")
    (tmp_path / "index.html").write_text("", encoding="utf-8")
    url = BASE
    assert _check(tmp_path, url, "a/") is None
    assert _check(tmp_path, url, "a/#here") is None
    assert _check(tmp_path, url, "https://elsewhere.example/") is None
    assert _check(tmp_path, url, SITE_ORIGIN + "a/") is None
    assert _check(tmp_path, url, "b/") == "no such file in the site"
    assert _check(tmp_path, url, "a/#gone") == "no element with id 'gone' on a/index.html"
    assert _check(tmp_path, url, "img/missing.png") == "no such file in the site"
    assert _check(tmp_path, url + "a/", "../../../etc/passwd") == "no such file in the site"
    assert _check(tmp_path, url, "javascript:alert(1)") == "a javascript: URL"
