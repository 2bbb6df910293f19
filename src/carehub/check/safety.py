"""Unsafe markup: found at check time in Markdown source, removed at build time from HTML.

Two walls, on purpose.  ``find_unsafe_markup`` rejects a story whose body would
execute in a reader's browser (script, event handlers, ``javascript:`` links,
iframes, forms …) so the contributor learns why, and warns of markup GitHub's
Markdown shows as text (attribute lists, ``!!!`` admonitions, unknown alerts:
CH403–CH405); docs pages, still Python-Markdown's, are screened for
``attr_list`` handlers instead.
``sanitise_html`` then cleans the *rendered* HTML with nh3 (Ammonia) whatever
the check said: cmark-gfm renders raw HTML and any link it is given (story
bodies are GitHub-flavoured Markdown, render/storybody.py).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nh3

# Raw HTML a story may use: harmless inline elements, with no attributes but title on abbr.
ALLOWED_RAW_TAGS = frozenset({"abbr", "br", "sub", "sup", "kbd", "mark", "small", "s", "del", "ins"})
ALLOWED_RAW_ATTRIBUTES = {"abbr": frozenset({"title"})}
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True, slots=True)
class RawHtml:
    """The raw HTML elements (and their attributes) one kind of file may use, and what messages call it."""

    tags: frozenset[str]
    attributes: Mapping[str, frozenset[str]]
    where: str  # "stories": "… is not allowed in stories", "Stories cannot contain scripts."
    # Rendered by cmark-gfm (stories, render/storybody.py) rather than Python-Markdown (docs/): attribute lists
    # and `!!!` admonitions are then text, not markup, and are reported as such (CH403, CH404).
    gfm: bool = False


STORIES = RawHtml(ALLOWED_RAW_TAGS, ALLOWED_RAW_ATTRIBUTES, "stories", gfm=True)

# The hand-written pages in docs/ (docpages.py): the only raw HTML they may hold beyond what a story may
# use.  docs/ is not sanitised by nh3 at build time (the share form and other generated parts are ours),
# so this list is the wall: keep it short, one entry per need, each saying which page needs it.
# Today it is empty: the pages' generated parts come from `<!-- carehub:... -->` markers that
# contribute.py and feeds.py expand in code (comments are not tags), and everything else is Markdown.
DOCS_EXTRA_TAGS: frozenset[str] = frozenset()
DOCS_EXTRA_ATTRIBUTES: dict[str, frozenset[str]] = {}
DOCS = RawHtml(
    ALLOWED_RAW_TAGS | DOCS_EXTRA_TAGS,
    {
        tag: ALLOWED_RAW_ATTRIBUTES.get(tag, frozenset()) | DOCS_EXTRA_ATTRIBUTES.get(tag, frozenset())
        for tag in sorted(ALLOWED_RAW_ATTRIBUTES.keys() | DOCS_EXTRA_ATTRIBUTES.keys())
    },
    "pages in docs/",
)

_FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^\1?\2[`~]*[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR_RE = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
_INLINE_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?([^\s>]+)", re.MULTILINE)
_AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_ATTR_LIST_RE = re.compile(r"\{:?([^{}\n]*)\}")
_HANDLER_RE = re.compile(r"(?:^|[\s\"'])(on[a-z]+)\s*=", re.IGNORECASE)
_URL_ATTR_RE = re.compile(r"(?:^|\s)([a-z:-]+)\s*=\s*[\"']?\s*([^\s\"'}]+)", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f]+")


# Python-Markdown's dialect that GitHub's shows as text: an attribute list `{: .class }`, `{ #id }`, and an
# admonition `!!! note "Title"`.  And an alert GitHub does not know (`> [!DANGER]`), which it shows as a quotation.
_GFM_ATTR_LIST_RE = re.compile(
    r"\{:?[ \t]*(?:[.#][\w-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s}]+))(?:[ \t]+[^{}\n]*)?\}"
)
_ADMONITION_RE = re.compile(r"^ {0,3}(?:!!!|\?\?\?\+?)[ \t]+(\w+)", re.MULTILINE)
_ALERT_RE = re.compile(r"^ {0,3}>[ \t]*\[!(\w+)\][ \t]*$", re.MULTILINE)
ALERT_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
_ADMONITION_ALERTS = {"note": "NOTE", "tip": "TIP", "hint": "TIP", "info": "IMPORTANT", "important": "IMPORTANT"}
_ADMONITION_ALERTS |= {"warning": "WARNING", "attention": "WARNING", "danger": "CAUTION", "caution": "CAUTION"}


@dataclass(frozen=True, slots=True)
class Unsafe:
    code: str  # CH400 tag, CH401 handler, CH402 address; CH403–CH405 markup GitHub shows as text (warnings)
    start: int
    message: str
    hint: str
    warning: bool = False  # shown wrongly, but nothing runs: a warning, not an error


def blank_code(markdown: str) -> str:
    """Replace fenced code blocks and code spans by spaces, keeping offsets and newlines.

    Code is shown as text, never run, so ``<script>`` inside backticks is fine.
    """

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    if "```" in markdown or "~~~" in markdown:
        markdown = _FENCE_RE.sub(blank, markdown)
    if "`" in markdown:
        markdown = _CODE_SPAN_RE.sub(blank, markdown)
    return markdown


def unsafe_address(address: str) -> str | None:
    """The scheme of ``address`` if a browser would treat it as something other than a web link."""
    plain = _INVISIBLE_RE.sub("", html.unescape(address)).lower()
    match = _SCHEME_RE.match(plain)
    if match and match.group(1) not in SAFE_SCHEMES:
        return match.group(1)
    return None


def find_unsafe_markup(markdown: str, allowed: RawHtml = STORIES) -> Iterator[Unsafe]:
    """Everything in a Markdown body that could run code or load something in a reader's browser.

    ``allowed``: the raw HTML the file may use (:data:`STORIES`, or :data:`DOCS` for docs/ pages).
    """
    scripts = f"{allowed.where.capitalize()} cannot contain scripts."
    if not any(c in markdown for c in "<{:!"):
        return
    text = blank_code(markdown)
    if allowed.gfm:
        yield from _not_github_markdown(text)
    if "<" in text:
        for m in _TAG_RE.finditer(text):
            closing, name, attributes = m.group(1), m.group(2).lower(), m.group(3)
            if name not in allowed.tags:
                if not closing:
                    yield Unsafe(
                        "CH400",
                        m.start(),
                        f"The HTML tag `<{name}>` is not allowed in {allowed.where}.",
                        'Use Markdown instead: **bold**, [a link](https://example.org), ![a picture](photo.png "alt").',
                    )
                continue
            for a in _ATTR_RE.finditer(attributes):
                attribute = a.group(1).lower()
                if attribute.startswith("on"):
                    yield Unsafe(
                        "CH401",
                        m.start() + len(name) + 1 + a.start(),
                        f"The event handler `{attribute}` would run code in readers' browsers.",
                        f"Remove it. {scripts}",
                    )
                elif attribute not in allowed.attributes.get(name, frozenset()):
                    yield Unsafe(
                        "CH400",
                        m.start() + len(name) + 1 + a.start(),
                        f"The attribute `{attribute}` is not allowed on `<{name}>`.",
                        "Remove the attribute.",
                    )
        yield from _unsafe_links(_AUTOLINK_RE, text)
    if "](" in text:
        yield from _unsafe_links(_INLINE_LINK_RE, text)
    if "]:" in text:
        yield from _unsafe_links(_REF_DEF_RE, text)
    if "{" in text and not allowed.gfm:  # in a story an attribute list is text (CH403), never an attribute
        for m in _ATTR_LIST_RE.finditer(text):
            inner = m.group(1)
            for h in _HANDLER_RE.finditer(inner):
                yield Unsafe(
                    "CH401",
                    m.start(1) + h.start(1),
                    f"The attribute list sets `{h.group(1)}`, which would run code in readers' browsers.",
                    f"Remove it. {scripts}",
                )
            for u in _URL_ATTR_RE.finditer(inner):
                scheme = unsafe_address(u.group(2))
                if scheme:
                    yield _unsafe_link(m.start(1) + u.start(2), scheme)


def _not_github_markdown(text: str) -> Iterator[Unsafe]:
    """Markup that Python-Markdown understood but GitHub's Markdown (cmark-gfm) publishes as plain text."""
    if "{" in text:
        for m in _GFM_ATTR_LIST_RE.finditer(text):
            yield Unsafe(
                "CH403",
                m.start(),
                f"`{m.group()}` is an attribute list, which GitHub's Markdown does not have: it would be "
                "published as text.",
                "Remove it; stories cannot set classes, ids or attributes.",
                warning=True,
            )
    if "!!!" in text or "???" in text:
        for m in _ADMONITION_RE.finditer(text):
            kind = _ADMONITION_ALERTS.get(m.group(1).lower(), "NOTE")
            yield Unsafe(
                "CH404",
                m.start(),
                f"`{m.group().strip()}` is a call-out in a syntax GitHub's Markdown does not have: it would be "
                "published as text.",
                f"Write it as GitHub's alert: a line `> [!{kind}]`, then each line of the call-out starting `> `.",
                warning=True,
            )
    if "[!" in text:
        for m in _ALERT_RE.finditer(text):
            if m.group(1) not in ALERT_KINDS:
                yield Unsafe(
                    "CH405",
                    m.start(),
                    f"`[!{m.group(1)}]` is not one of GitHub's alerts, so it would be published as a quotation.",
                    "Use one of " + ", ".join(f"`[!{k}]`" for k in ALERT_KINDS) + " (in capitals).",
                    warning=True,
                )


def form_rules(allowed: RawHtml = STORIES) -> dict[str, object]:
    """The unsafe-markup detector as data, for the share form's copy of it (contribute/assets/share.js).

    One source, as privacy.form_rules() is for the personal-data screen: the form
    runs these very patterns and lists, and tests/browser/test_share_form.py runs
    both copies over the unsafe-markup fixtures so they cannot drift.  Python's
    ``\\Z`` (end of text) is the one piece of syntax JavaScript spells differently.
    """

    def js(pattern: re.Pattern[str]) -> dict[str, str]:
        flags = "".join(
            f for flag, f in ((re.MULTILINE, "m"), (re.DOTALL, "s"), (re.IGNORECASE, "i")) if pattern.flags & flag
        )
        return {"source": pattern.pattern.replace(r"\Z", r"(?![\s\S])"), "flags": flags}

    patterns = {
        "fence": _FENCE_RE,
        "codeSpan": _CODE_SPAN_RE,
        "tag": _TAG_RE,
        "attribute": _ATTR_RE,
        "inlineLink": _INLINE_LINK_RE,
        "refDef": _REF_DEF_RE,
        "autolink": _AUTOLINK_RE,
        "attrList": _ATTR_LIST_RE,
        "handler": _HANDLER_RE,
        "urlAttribute": _URL_ATTR_RE,
        "scheme": _SCHEME_RE,
        "invisible": _INVISIBLE_RE,
        "gfmAttrList": _GFM_ATTR_LIST_RE,
        "admonition": _ADMONITION_RE,
        "alert": _ALERT_RE,
    }
    return {
        "patterns": {name: js(pattern) for name, pattern in patterns.items()},
        "gfm": allowed.gfm,
        "alertKinds": list(ALERT_KINDS),
        "admonitionAlerts": dict(sorted(_ADMONITION_ALERTS.items())),
        "tags": sorted(allowed.tags),
        "attributes": {tag: sorted(names) for tag, names in sorted(allowed.attributes.items())},
        "safeSchemes": sorted(SAFE_SCHEMES),
        "where": allowed.where,
    }


def _unsafe_links(pattern: re.Pattern[str], text: str) -> Iterator[Unsafe]:
    """Every address the pattern finds (its group 1) whose scheme could run code."""
    for m in pattern.finditer(text):
        scheme = unsafe_address(m.group(1))
        if scheme:
            yield _unsafe_link(m.start(1), scheme)


def _unsafe_link(start: int, scheme: str) -> Unsafe:
    return Unsafe(
        "CH402",
        start,
        f"A `{scheme}:` address is not allowed; it could run code or hide content.",
        "Links must start with https://, http://, mailto: or be a path on this site.",
    )


# What rendered story HTML may contain after sanitising: what cmark-gfm and render/storybody.py produce for
# GitHub-flavoured Markdown (footnotes in a <section>, tasks as text), and nothing that can run.
_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "aria-label"},  # aria-label: a footnote's back link ("Back to reference 1")
    "span": {"aria-hidden"},  # a task's ☑ or ☐, with its state in words beside it
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "details": {"open"},
}


def sanitise_html(fragment: str) -> str:
    """Clean rendered story HTML: the second wall after :func:`find_unsafe_markup`."""
    return str(_cleaner().clean(fragment))


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """Built once: nh3.clean() builds a new Ammonia sanitiser on every call, which is a third of its cost.

    nh3 is imported only here: `carehub check` uses this module's detectors, never the sanitiser.
    """
    import nh3

    return nh3.Cleaner(
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=set(SAFE_SCHEMES),
        # No rel on links: nh3 adds "noopener noreferrer" by default, which only matters for a link that opens a
        # new window, and `target` is not allowed; 15 bytes a link, eleven links a story.
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
