"""Extract: what the index keeps of a built page (a ``Record``), read from the page's HTML.

What is indexed is what the templates mark (so the choice stays in the
templates): ``data-search-body`` on the element of a page worth finding,
``data-search-ignore`` on parts of it that are not (facts panels, related
stories), ``data-search-meta="summary"`` on an element whose text a result
shows, ``data-search-meta="type:Case study"`` for a literal value,
``data-search-filter="facet:value facet:value"`` for the facet filters (a
space-separated list: values are slugs), and ``data-search-words`` for words a
page should be found by that are not in its indexed text: the attribute's
value, or the element's own text when it has none (the links of a story's
facts panel, which is ignored as a whole so that "Published" and "Type" are
not words of every story).  The marks sit on elements a reader sees already,
so a story carries no hidden copy of its facts.  The title is the first
``<h1>``.  Heading permalinks (``.headerlink``, "¶") are not words.

Must not split words, stem, number pages or write files: it only reads HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_CUT = ("data-search-ignore", "headerlink")
# A tag's attributes, quoted values read whole (a ">" inside one does not end the tag).
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_START_TAG = re.compile(rf"<[A-Za-z][A-Za-z0-9-]*({_ATTRIBUTES})>")
_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG = re.compile(rf"</?([A-Za-z][A-Za-z0-9-]*){_ATTRIBUTES}>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_TEXT = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.S | re.I)
_H1 = re.compile(rf"<h1\b{_ATTRIBUTES}>(.*?)</h1\s*>", re.S | re.I)
# A section heading with an id (Python-Markdown's toc gives every h2 and h3 one): where a result may link to.
_SECTION = re.compile(rf"<h([23])\b({_ATTRIBUTES})>(.*?)</h\1\s*>", re.S | re.I)
# What a part of a page is about, in a few words: its headings and a definition list's terms (the glossary's
# entries).  Their words count more (format.HEADING_WEIGHT).
_HEADING = re.compile(rf"<(h[2-4]|dt)\b{_ATTRIBUTES}>(.*?)</\1\s*>", re.S | re.I)
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)
# Elements whose edges separate words ("<li>a</li><li>b</li>" is "a b"); inline ones do not.
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)


@dataclass(frozen=True)
class Record:
    """What the index keeps of one page: how to show it, and its words."""

    url: str
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # data-search-meta: "summary", "type", "date"
    filters: tuple[tuple[str, str], ...] = ()
    text: str = ""
    keywords: tuple[str, ...] = ()  # found by, not shown: the labels in a facts panel
    # (where in ``text`` it begins, its id, its heading): the h2 and h3 sections a result may link to
    sections: tuple[tuple[int, str, str], ...] = ()
    headings: tuple[str, ...] = ()  # the text of each h2 to h4 and each <dt> (a glossary term), in page order


def text_of(fragment: str) -> str:
    """The words of an HTML fragment as a reader sees them: tags out, entities decoded, spaces collapsed.

    Block elements' edges separate words ("<li>a</li><li>b</li>" is "a b");
    inline ones do not ("<em>re</em>admission" is "readmission").  Why not
    html.parser: this runs on every page of the site, and the parser was as
    slow as rendering the page's Markdown; our pages are well-formed (our
    templates and nh3's output), and the tag pattern reads quoted attribute
    values whole, so a ">" in one does not end the tag.
    """
    fragment = _COMMENT.sub("", fragment)
    fragment = _RAW_TEXT.sub(" ", fragment)
    return " ".join(html.unescape(_TAG.sub(_tag_space, fragment)).split())


def _tag_space(match: re.Match[str]) -> str:
    return " " if match.group(1).lower() in _BLOCK else ""


def marked_element(page: str) -> str | None:
    """The element marked ``data-search-body`` in a built page, or None if there is none.

    Only this part is read: the header, navigation, footer and icons are
    most of a story page's bytes.
    """
    for start, _ in _tags_with(page, "data-search-body"):
        return page[start : _element_end(page, start)]
    return None


def _tags_with(text: str, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The start tags in ``text`` whose attributes mention ``name``: where each begins, and its attributes.

    Only real attributes count: a story that says "data-search-ignore" in
    its text, or in a link's title, is not marking anything (text cannot
    hold a "<", which would start a tag: it is escaped).
    """
    at = 0
    while (found := text.find(name, at)) >= 0:
        at = found + len(name)
        begin = text.rfind("<", 0, found)
        tag = _START_TAG.match(text, begin) if begin >= 0 else None
        if tag is None or tag.end() <= found:
            continue
        attributes = {
            match.group(1).lower(): html.unescape(match.group(2) or match.group(3) or match.group(4) or "")
            for match in _ATTRIBUTE.finditer(tag.group(1))
        }
        if name in attributes or name in attributes.get("class", "").split():
            yield begin, attributes


def _element_end(page: str, start: int) -> int:
    """Where the element whose start tag begins at ``start`` ends (after its end tag, or the page's end)."""
    end_of_name = start + 1
    while end_of_name < len(page) and page[end_of_name].isalnum():
        end_of_name += 1
    tag = page[start + 1 : end_of_name]
    if not tag:
        return start + 1
    if tag.lower() in _VOID:
        return page.find(">", start) + 1 or len(page)
    opening, close = "<" + tag, "</" + tag + ">"
    depth, at = 0, end_of_name
    while True:
        next_close = page.find(close, at)
        next_open = page.find(opening, at)
        if next_close < 0:
            return len(page)
        if 0 <= next_open < next_close and page[next_open + len(opening) : next_open + len(opening) + 1] in " >":
            depth += 1
            at = next_open + len(opening)
            continue
        if depth == 0:
            return next_close + len(close)
        depth -= 1
        at = next_close + len(close)


def _without(element: str, marks: tuple[str, ...]) -> str:
    """``element`` without the elements marked by one of ``marks`` (an attribute, or a class: headerlink).

    Cut before the text is read: they hold most of a story's markup (facts
    panel, charts, related stories).
    """
    starts = sorted({start for mark in marks for start, _ in _tags_with(element, mark)})
    kept, at = [], 0
    for start in starts:
        if start < at:
            continue  # inside a part already cut
        kept.append(element[at:start])
        at = _element_end(element, start)
    kept.append(element[at:])
    return "".join(kept)


def read_page(url: str, page: str) -> Record | None:
    """The Record of a built page (``url`` relative to the site root), or None if it is not marked."""
    element = marked_element(page)
    if element is None:
        return None
    # Marks may sit inside ignored parts (a hidden element holds them): read them from the whole element.
    filters = []
    for _, attributes in _tags_with(element, "data-search-filter"):
        for pair in attributes["data-search-filter"].split():
            facet, colon, value = pair.partition(":")
            if colon and value:
                filters.append((facet, value))
    meta: dict[str, str] = {}
    for start, attributes in _tags_with(element, "data-search-meta"):
        name, colon, value = attributes["data-search-meta"].partition(":")
        if not colon:  # the element's text is the value
            value = text_of(element[start : _element_end(element, start)])
        if name and value:
            meta.setdefault(name, value)
    keywords = tuple(
        attributes["data-search-words"] or text_of(element[start : _element_end(element, start)])
        for start, attributes in _tags_with(element, "data-search-words")
    )
    kept = _without(element, _CUT)
    title = _H1.search(kept)
    text, sections = _sections(kept)
    return Record(
        url=url,
        title=text_of(title.group(1)) if title else "",
        meta=meta,
        filters=tuple(filters),
        text=text,
        keywords=keywords,
        sections=sections,
        headings=tuple(heading for heading in (text_of(m.group(2)) for m in _HEADING.finditer(kept)) if heading),
    )


def _sections(kept: str) -> tuple[str, tuple[tuple[int, str, str], ...]]:
    """The element's text, and where in it each h2 or h3 with an id begins (its id and heading).

    The text is read a section at a time and joined with spaces: the same
    text as ``text_of(kept)``, since a heading is a block (its edges separate
    words).
    """
    pieces: list[str] = []
    sections: list[tuple[int, str, str]] = []
    at = length = 0
    for match in _SECTION.finditer(kept):
        attributes = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTRIBUTE.finditer(match.group(2))
        }
        anchor = html.unescape(attributes.get("id", ""))
        heading = text_of(match.group(3))
        if not anchor or not heading:
            continue
        before = text_of(kept[at : match.start()])
        if before:
            pieces.append(before)
            length += len(before) + 1
        sections.append((length, anchor, heading))
        at = match.start()
    rest = text_of(kept[at:])
    if rest:
        pieces.append(rest)
    return " ".join(pieces), tuple(sections)


def page_url(site_dir: Path, path: Path) -> str:
    """The address of a built file relative to the site root: directory URLs for ``index.html``."""
    relative = path.relative_to(site_dir)
    if relative.name == "index.html":
        folder = relative.parent.as_posix()
        return "" if folder == "." else f"{folder}/"
    return relative.as_posix()
