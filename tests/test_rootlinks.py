"""Root-relative links in page bodies are written relative to their page (render/rootlinks.py)."""

from __future__ import annotations

import pytest

from carehub.render.rootlinks import make_relative


@pytest.mark.parametrize(
    ("html", "page_url", "expected"),
    [
        ('<a href="/browse/type/failure/">x</a>', "stories/red-bags/", '<a href="../../browse/type/failure/">x</a>'),
        ('<a href="/stories/a/#outcomes">x</a>', "stories/b/", '<a href="../a/#outcomes">x</a>'),
        ("<a href='/search/?q=mcp'>x</a>", "", "<a href='search/?q=mcp'>x</a>"),
        ('<img alt="" src="/stories/a/chart.png">', "about/", '<img alt="" src="../stories/a/chart.png">'),
        ('<a class="x" href="/">home</a>', "browse/", '<a class="x" href="../">home</a>'),
    ],
)
def test_a_root_link_is_rewritten_relative_to_its_page(html: str, page_url: str, expected: str) -> None:
    assert make_relative(html, page_url) == expected


@pytest.mark.parametrize(
    "html",
    [
        '<a href="//cdn.example.net/x">other host</a>',
        '<a href="https://www.england.nhs.uk/">site</a>',
        '<a href="../a/">already relative</a>',
        '<code>&lt;a href="/browse/"&gt;</code>',
        "<p>Write /browse/ in the text.</p>",
        '<a title="/not/a/link" href="#top">x</a>',
    ],
)
def test_anything_else_is_left_as_it_is(html: str) -> None:
    assert make_relative(html, "stories/a/") == html
