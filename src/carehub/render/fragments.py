"""Render the parts of a page that are the same on many pages once, not once per page.

Why: Material renders its navigation sidebar and footer for every page, a
large share of the build (bench/README.md), although a page
outside the nav gets exactly the same HTML as its siblings.  Story and
generated pages no longer use Material's base.html (their lean base,
overrides/carehub/lean/base.html, has a small header of its own and nothing
to cache), so this serves the hand-written pages outside the nav.  Templates wrap such a part in
``{% call ch_cached("nav", page) %}…{% endcall %}`` and this module keeps the
first rendering for every later page that would produce the same bytes.

When two pages produce the same bytes: MkDocs writes links relative to the
page, and a relative URL depends on the page's folder (``stories/``) and on
whether the target lies below the page itself.  So a page shares a fragment
with the other pages in the same folder when it is not in the nav (nothing in
the nav is marked active for it, and there are no previous/next links) and no
nav link points inside it.  Any other page renders its own, as before.

Must not know what the fragments contain: the templates decide what is cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup


class FragmentCache:
    """One per build: ``cache(name, page, caller)`` is called from templates by Jinja's ``{% call %}``."""

    def __init__(self, nav_pages: Iterable[object]) -> None:
        # The pages themselves are kept, so a key by id() can never be a later object's reused id.
        self._nav_pages = {id(page): page for page in nav_pages}
        self._nav_urls = tuple(
            url for page in self._nav_pages.values() if isinstance(url := getattr(page, "url", None), str)
        )
        self._kept: dict[tuple[str, str], Markup] = {}
        self.hits = 0

    def key(self, name: str, page: object) -> tuple[str, str] | None:
        """The key shared by pages that render ``name`` identically, or None for a page of its own."""
        url = getattr(page, "url", None)
        if not isinstance(url, str) or not url.endswith("/") or self._nav_pages.get(id(page)) is page:
            return None
        if getattr(page, "parent", None) is not None or getattr(page, "is_homepage", False):
            return None
        if any(target.startswith(url) for target in self._nav_urls):
            return None
        folder = url.rstrip("/").rpartition("/")[0]
        return (name, folder)

    def __call__(self, name: str, page: object, caller: Callable[[], str]) -> Markup:
        key = self.key(name, page)
        if key is None:
            return Markup(caller())
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = Markup(caller())
        else:
            self.hits += 1
        return kept
