"""The site's robots.txt: every crawler may read every page, and the sitemap is named by its full address.

Written into every build by plugin.on_post_build, beside the sitemap index
(sitemap.py).  Crawlers read robots.txt only at the root of a host, so a hub
published under a sub-path (``https://example.net/hub/``) carries the file at
``/hub/robots.txt`` for whoever runs the host to copy or merge; the
``Sitemap:`` line holds an absolute address, so it is right wherever the file
ends up.  A page that should not be listed (the withdrawn-story notice) says so
itself with ``<meta name="robots" content="noindex">``, and pages left out of
the sitemap are simply not named there, so nothing here disallows anything.

Must not decide which pages are indexed (plan/ does) or know about MkDocs.
"""

from __future__ import annotations

from carehub.publish.sitemap import INDEX

NAME = "robots.txt"


def robots_txt(site_url: str) -> bytes:
    """The file's bytes for a site at ``site_url``: allow everything, and name the sitemap index."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    return f"User-agent: *\nAllow: /\n\nSitemap: {base}{INDEX}\n".encode()
