"""Whitespace: the indentation and blank lines that templates leave in a built page, taken out.

Our templates are indented so people can read them, and Jinja keeps that
indentation in every page: about half a kilobyte of each story page.  A run of
spaces, tabs and newlines between two characters of HTML renders as one
space (or none, between blocks), so a line's leading and trailing blanks,
and blank lines, can go wherever whitespace collapses.  What stays is one
newline, so that words either side of it stay apart.

Whitespace does not collapse inside ``<pre>``, ``<textarea>`` and ``<code>``
(lean.css sets ``pre-wrap`` on code), and it is content in ``<script>`` and
``<style>``, whose hashes the Content-Security-Policy may list (csp.py): those
elements are kept byte for byte.

Why hand-written: the HTML minifiers also drop quotes and end tags, which
the search extractor (search/extract.py), the build tests' parser and the
markup checker read; this is only the part that is safe for every page.

Must not change anything but whitespace outside those elements, and must not
parse the page (a page is a string here; nothing is rebuilt).
"""

from __future__ import annotations

import re

# Kept as they are: the whole element, from its start tag to its end tag.
_KEPT = re.compile(r"<(pre|textarea|code|script|style)\b.*?</\1\s*>", re.S | re.I)
# Blanks around a newline, and blank lines: one newline is enough.
_AROUND_NEWLINE = re.compile(r"[ \t\r\f]*\n\s*")


def squeeze(page: str) -> str:
    """The page with the blanks around each newline outside kept elements reduced to one newline."""
    pieces: list[str] = []
    at = 0
    for kept in _KEPT.finditer(page):
        pieces.append(_AROUND_NEWLINE.sub("\n", page[at : kept.start()]))
        pieces.append(kept.group(0))
        at = kept.end()
    pieces.append(_AROUND_NEWLINE.sub("\n", page[at:]))
    return "".join(pieces)
