"""Keep /sitemap.xml the same small size however many stories there are.

Why: Material's JavaScript reads every ``<link rel="alternate">`` in a page's
head as another language version of the site and fetches ``sitemap.xml``
beside it, once per link (the ``ui`` function in its bundle).  Feed
autodiscovery links are alternates too, so every first page load fetched the
whole sitemap three times, and it grows with every story (bench/README.md).
A sitemap index at the
same address is a form every search engine reads; it points at the full list,
moved to /sitemap-pages.xml, and Material finds no pages in it and stops.

Runs after MkDocs has written the sitemap; must not change any page.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape

INDEX = "sitemap.xml"  # the address search engines are given (robots.py names it)
PAGES = "sitemap-pages.xml"


def split_sitemap(site_dir: Path, site_url: str) -> None:
    """Move MkDocs' sitemap to /sitemap-pages.xml and leave an index pointing at it."""
    full = site_dir / INDEX
    if not full.exists():
        return
    pages = site_dir / PAGES
    full.replace(pages)
    packed = site_dir / "sitemap.xml.gz"
    if packed.exists():
        packed.replace(pages.with_name(pages.name + ".gz"))
    base = site_url if site_url.endswith("/") else site_url + "/"
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <sitemap>\n    <loc>{escape(base + PAGES)}</loc>\n  </sitemap>\n"
        "</sitemapindex>\n"
    ).encode()
    full.write_bytes(index)
    packed.write_bytes(gzip.compress(index, mtime=0))  # mtime 0: the same bytes on every build
