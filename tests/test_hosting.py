"""Nothing in the output assumes GitHub Pages: built for https://cdn.example.net/hub/, every address stays inside.

The repository's content is built with site_url on another host and a sub-path
(subpath_site.py).  Every internal link and asset of every page, every address
in the feeds, the sitemap, robots.txt and open data must resolve to a file in
the output under that base; no github.io address and no address on the usual
host may remain.  tests/browser/test_hosting.py serves the same build from a
plain static server at /hub/ and loads it in Chromium.
"""

from __future__ import annotations

import json
import re
import urllib.robotparser
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from .subpath_site import BASE, USUAL, build_under_subpath

pytestmark = pytest.mark.build
TEXT = {".html", ".xml", ".json", ".txt", ".csv", ".js", ".css", ".svg"}
# Attributes that hold an address a browser follows or fetches.
URL_ATTRIBUTES = {"href", "src", "action", "poster", "data", "xlink:href"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_under_subpath(tmp_path_factory.mktemp("hosting")) / "hub"


def local_file(site: Path, address: str) -> Path | None:
    """The file an absolute address under BASE is served from, or None when it is outside BASE."""
    parts = urlsplit(address)
    if not f"{parts.scheme}://{parts.netloc}{parts.path}".startswith(BASE):
        return None
    rel = unquote(parts.path[len(urlsplit(BASE).path) :])
    path = site / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in URL_ATTRIBUTES:
                self.found.append(value)
            elif value and name == "srcset":
                self.found += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def page_address(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    return BASE + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)


def test_every_link_and_asset_of_every_page_resolves_inside_the_base(site: Path) -> None:
    host = urlsplit(BASE).netloc
    broken: list[str] = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        parser = _Addresses()
        parser.feed(path.read_text(encoding="utf-8"))
        here = page_address(site, path)
        for value in parser.found:
            target = urljoin(here, value)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue  # mailto:, data:, another site (the repository on GitHub, sources)
            file = local_file(site, target)
            if file is None:
                broken.append(f"{path.relative_to(site)}: {value} leaves {BASE}")
            elif not file.is_file():
                broken.append(f"{path.relative_to(site)}: {value} is not in the output")
    assert broken == [], "\n".join(broken[:30])


def absolute_addresses(site: Path, rel: str) -> list[str]:
    text = (site / rel).read_text(encoding="utf-8")
    return sorted(set(re.findall(r"https?://[^\s\"'<>]+", text)))


def test_feeds_sitemap_robots_and_open_data_name_only_files_under_the_base(site: Path) -> None:
    files = ["feed_rss_created.xml", "feed_rss_updated.xml", "feed.json", "stories.json", "sitemap.xml"]
    files += [p.relative_to(site).as_posix() for p in sorted((site / "feeds").rglob("*.xml"))]
    files += ["sitemap-pages.xml", "robots.txt"]
    assert len(files) > 10
    checked = 0
    for rel in files:
        for address in absolute_addresses(site, rel):
            parts = urlsplit(address)
            if parts.netloc in ("www.sitemaps.org", "www.w3.org", "jsonfeed.org", "creativecommons.org"):
                continue  # XML namespaces, the JSON Feed version, licences
            if parts.netloc != urlsplit(BASE).netloc:
                continue  # a story's sources on other sites
            file = local_file(site, address.rstrip(".,;)"))
            assert file is not None, f"{rel}: {address} is outside {BASE}"
            assert file.is_file(), f"{rel}: {address} is not in the output"
            checked += 1
    assert checked > 100


def test_the_sitemap_lists_every_page_under_the_base(site: Path) -> None:
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.parse(site / "sitemap.xml").getroot()
    [pages_address] = [loc.text for loc in index.findall("sm:sitemap/sm:loc", namespace)]
    assert pages_address == BASE + "sitemap-pages.xml"
    locations = [
        loc.text or "" for loc in ET.parse(site / "sitemap-pages.xml").getroot().iterfind(".//sm:loc", namespace)
    ]
    assert len(locations) > 50
    missing = [a for a in locations if (file := local_file(site, a)) is None or not file.is_file()]
    assert missing == []
    robots = urllib.robotparser.RobotFileParser()
    robots.parse((site / "robots.txt").read_text(encoding="utf-8").splitlines())
    assert robots.site_maps() == [BASE + "sitemap.xml"]


def test_stories_json_addresses_are_pages_under_the_base(site: Path) -> None:
    stories = json.loads((site / "stories.json").read_text(encoding="utf-8"))["stories"]
    assert stories
    for story in stories:
        file = local_file(site, story["url"])
        assert file is not None and file.is_file(), story["url"]


def test_no_github_pages_or_usual_host_address_is_left(site: Path) -> None:
    usual_host = urlsplit(USUAL).netloc
    found = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "github.io" in text:
            found.append(f"{path.relative_to(site)}: github.io")
        # The contributions mailbox (stories@…) is an email address in mkdocs.yml, not the site's address.
        for match in re.finditer(re.escape(usual_host), text):
            if text[match.start() - 1 : match.start()] != "@":
                found.append(f"{path.relative_to(site)}: …{text[max(0, match.start() - 40) : match.end()]}")
    assert found == [], "\n".join(found[:20])
