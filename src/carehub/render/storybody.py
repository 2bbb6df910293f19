"""Story bodies in GitHub-flavoured Markdown, rendered by cmark-gfm (GitHub's own renderer, ``cmarkgfm``).

Why cmark-gfm: contributors write and preview their stories on GitHub, so
what GitHub's preview shows is what the hub publishes (lists straight after a
paragraph, 2-space nesting, numbered lists that start at 3, tasks,
strikethrough, footnotes, bare links, tables).  It is also about thirty times
faster than Python-Markdown (bench/README.md).  Docs pages stay on MkDocs'
Python-Markdown.

cmark's HTML is then given what the site needs, as GitHub does after cmark:

- heading ids as GitHub makes them (lowercase, punctuation dropped, spaces to
  hyphens, ``-1``, ``-2`` for repeats), a permalink on each heading, and the
  table of contents as MkDocs' tokens;
- GitHub's alerts (``> [!NOTE]``, ``[!TIP]``, ``[!IMPORTANT]``, ``[!WARNING]``,
  ``[!CAUTION]``) as the site's admonitions;
- the glossary's abbreviations explained in place (``<abbr title=…>``), never
  inside code or links;
- links and images to files beside the story, and links to other stories'
  ``.md`` files, rewritten to where the build publishes them (``resolve``);
- task-list checkboxes as text a screen reader reads ("Done:"), not form
  controls; a hidden "Footnotes" heading over the footnotes, as GitHub has.

Raw HTML passes cmark (``UNSAFE``) because the few inline tags a story may use
(``<abbr>``, ``<br>``, ``<sub>``…, safety.ALLOWED_RAW_TAGS) render on GitHub
too; `carehub check` rejects every other tag first and nh3 (safety.sanitise_html)
is still the last wall on every build.

Engine-free (no MkDocs import): it lives in render/ because it makes page HTML,
but plan/ or check/ could call it.  Must not read files or keep module state:
a :class:`StoryBodyRenderer` is made once per build with the glossary.
"""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import cmarkgfm
from cmarkgfm.cmark import Options

VERSION = f"cmarkgfm {metadata.version('cmarkgfm')}"  # in the render cache's key
OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES

# GitHub's alert kinds -> (the site's admonition class, its title).
ALERTS = {
    "NOTE": ("note", "Note"),
    "TIP": ("tip", "Tip"),
    "IMPORTANT": ("info", "Important"),
    "WARNING": ("warning", "Warning"),
    "CAUTION": ("danger", "Caution"),
}
_ALERT_RE = re.compile(
    r"<blockquote>\n<p>\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|</p>\n)(.*?)</blockquote>", re.S
)
_HEADING_RE = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_SPLIT_RE = re.compile(r"(<[^>]*>)")
_LINK_RE = re.compile(r'(<(?:a|img)\b[^>]*?\s(?:href|src)=")([^"]*)(")')
_TASK_RE = re.compile(r'<li><input type="checkbox" (checked="" )?disabled="" /> ?')
_FOOTNOTES = '<section class="footnotes" data-footnotes>\n'
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_WORD_RE = re.compile(r"[^\w\- ]", re.UNICODE)
# Text inside these is never given an <abbr>: code is shown as written, and a link's text is already a link.
_SKIP_INSIDE = ("code", "pre", "a", "abbr")


def github_slug(text: str) -> str:
    """A heading's id as GitHub makes it: lowercase, anything but letters, digits, ``_``, ``-`` and spaces
    dropped, each space a hyphen ("Step 2: what's next?" -> "step-2-whats-next")."""
    return _NOT_WORD_RE.sub("", unicodedata.normalize("NFC", text).lower()).replace(" ", "-")


@dataclass(frozen=True)
class StoryBody:
    """A rendered story body: its HTML (before nh3), the table of contents as MkDocs' tokens, its ids."""

    html: str
    toc_tokens: list[dict[str, Any]]
    anchors: list[str]
    links: list[str] = field(default_factory=list)  # relative targets that named no published file


# How a relative link is published: (the story's source path, the target as written) -> the new href, or None
# when no published file has that name (the link is then left as written; `carehub check` reported it).
Resolve = Callable[[str, str], "str | None"]


class StoryBodyRenderer:
    """Renders story bodies; made once per build (the glossary's pattern is compiled once)."""

    def __init__(self, abbreviations: Mapping[str, str]) -> None:
        self.abbreviations = dict(abbreviations)
        names = sorted(self.abbreviations, key=len, reverse=True)
        self._abbr_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b") if names else None

    def render(self, markdown: str, src_uri: str = "", resolve: Resolve | None = None) -> StoryBody:
        out = cmarkgfm.github_flavored_markdown_to_html(markdown.lstrip("\ufeff"), options=OPTIONS)
        if "[!" in out:
            out = _ALERT_RE.sub(_alert, out)
        if "<input" in out:
            out = _TASK_RE.sub(_task, out)
        if _FOOTNOTES in out:
            out = out.replace(
                _FOOTNOTES,
                '<section class="footnotes">\n<h2 class="ch-visually-hidden" id="footnote-label">Footnotes</h2>\n',
            )
        unresolved: list[str] = []
        if resolve is not None and ('href="' in out or 'src="' in out):
            out = _rewrite_links(out, src_uri, resolve, unresolved)
        if self._abbr_re is not None:
            out = self._explain(out)
        out, tokens, anchors = _headings(out)
        if "fn-" in out:
            anchors += re.findall(r'id="(fn(?:ref)?-[^"]+)"', out)
        return StoryBody(out, tokens, anchors, unresolved)

    def _explain(self, out: str) -> str:
        assert self._abbr_re is not None
        pattern, terms = self._abbr_re, self.abbreviations
        parts = _SPLIT_RE.split(out)
        depth = 0  # how many code, pre, a or abbr elements the text is inside
        for i, part in enumerate(parts):
            if i % 2:  # a tag
                name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">/").lower() if len(part) > 2 else ""
                if name in _SKIP_INSIDE:
                    depth += -1 if part.startswith("</") else 1
                continue
            if depth == 0 and part and pattern.search(part):
                parts[i] = pattern.sub(
                    lambda m: f'<abbr title="{html.escape(terms[m.group(1)])}">{m.group(1)}</abbr>', part
                )
        return "".join(parts)


def _alert(m: re.Match[str]) -> str:
    kind, title = ALERTS[m.group(1)]
    body = m.group(2)
    if body and not body.startswith("<"):
        body = "<p>" + body  # the paragraph that held [!NOTE] goes on after it
    return f'<div class="admonition {kind}">\n<p class="admonition-title">{title}</p>\n{body}</div>'


def _task(m: re.Match[str]) -> str:
    box, state = ("☑", "Done:") if m.group(1) else ("☐", "To do:")
    return (
        f'<li class="task-list-item"><span class="ch-task" aria-hidden="true">{box}</span> '
        f'<span class="ch-visually-hidden">{state}</span> '
    )


def _rewrite_links(out: str, src_uri: str, resolve: Resolve, unresolved: list[str]) -> str:
    def one(m: re.Match[str]) -> str:
        target = html.unescape(m.group(2))
        if not target or target.startswith(("#", "/")) or _SCHEME_RE.match(target):
            return m.group()
        new = resolve(src_uri, target)
        if new is None:
            unresolved.append(target)
            return m.group()
        return m.group(1) + html.escape(new, quote=True) + m.group(3)

    return _LINK_RE.sub(one, out)


def _headings(out: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    seen: dict[str, int] = {}
    anchors: list[str] = []
    tokens: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []

    def heading(m: re.Match[str]) -> str:
        level, inner = int(m.group(1)), m.group(2)
        name = html.unescape(_TAG_RE.sub("", inner)).strip()
        base = github_slug(name) or "section"
        count = seen.get(base, 0)
        ident = base if count == 0 else f"{base}-{count}"
        seen[base] = count + 1
        anchors.append(ident)
        token = {"level": level, "id": ident, "name": html.escape(name, quote=False), "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(token)
        stack.append(token)
        return (
            f'<h{level} id="{ident}">{inner}<a class="headerlink" href="#{ident}" '
            f'title="Permanent link">&para;</a></h{level}>'
        )

    if "<h" in out:
        out = _HEADING_RE.sub(heading, out)
    return out, tokens, anchors


def relative_url(from_dir: str, to_path: str) -> str:
    """``to_path`` (site-relative, "/"-separated) as a link from a page whose address is the folder ``from_dir``."""
    rel = posixpath.relpath(to_path, from_dir or ".")
    return rel + "/" if to_path.endswith("/") and not rel.endswith("/") else rel
