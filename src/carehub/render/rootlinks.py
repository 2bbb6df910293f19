"""Links written from the site's root (``/stories/a-story/``) made relative to the page that holds them.

Why: stories and hand-written pages link to generated pages MkDocs cannot
resolve (listings, sites, other stories) as ``/browse/type/failure/``, from the
site's root.  A browser reads that from the root of the *host*, so a hub
published under a sub-path (``https://cdn.example.net/hub/``) would send
readers to ``https://cdn.example.net/browse/…``.  The build therefore writes
each such link relative to its page (``../../browse/type/failure/``), as MkDocs
writes every link it resolves itself, and the site works at any address
(tests/test_hosting.py).

Only ``href`` and ``src`` inside real tags of a page's content are changed:
``//host/…`` (another host), and text such as ``&lt;a href="/x"&gt;`` in a
code example, are left as they are.  Called by plugin.on_page_content for
every page body, in the page workers too.

MkDocs' own get_relative_url does the arithmetic (render/ is the one place MkDocs may be used).
Must not decide whether a target exists (`carehub check` and the link gate do)
or change anything but those attribute values.
"""

from __future__ import annotations

import re

from mkdocs.utils import get_relative_url

# An href or src whose value starts with one "/", inside a start tag (no "<" or ">" between the tag's start and it).
_ROOT_LINK_RE = re.compile(r"""(<[a-zA-Z][^<>]*?\s(?:href|src)\s*=\s*)(["'])/(?!/)([^"'<>]*)\2""")


def relative(target: str, page_url: str) -> str:
    """``target`` (a site path without its leading "/": ``browse/``) as seen from the page at ``page_url``."""
    cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=len(target))
    return get_relative_url(target[:cut] or "./", page_url) + target[cut:]


def make_relative(html: str, page_url: str) -> str:
    """``html`` with every root-relative href and src in its tags rewritten relative to ``page_url``."""
    return _ROOT_LINK_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{relative(m.group(3), page_url)}{m.group(2)}", html)
