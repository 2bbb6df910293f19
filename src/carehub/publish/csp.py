"""The Content-Security-Policy of every page, as a ``<meta http-equiv>`` (GitHub Pages cannot send headers).

Built from the page's own HTML, after the template has rendered it: the
policy lets the page run exactly the inline scripts it contains (by their
sha256, the hash of each body byte for byte) and otherwise only files from
our own origin.  Engine-free (standard library only): plugin.py calls
:func:`add_policy` from on_post_page, in MkDocs' loop and in the page workers
(offload.py), and from on_post_template for 404.html; on_post_build then
checks every HTML file in the site has it (:func:`unprotected`), so a page
written some other way fails the build instead of going out unprotected.

Each directive, and why:

- ``default-src 'none'``: whatever is not named below is refused (frames,
  media, objects, manifests, workers: the site has none of them).
- ``script-src 'self' 'sha256-…'``: our files, and the inline scripts this
  page contains, each by its hash.  Every template is on the lean base
  (overrides/carehub/lean/base.html), which has none, so today the list is
  ``'self'`` alone on every page; a template that added one would get its
  hash here, page by page.  JSON data blocks (``type="application/json"``)
  are never run, so need no hash.
- ``style-src 'self'``: our stylesheets only, no inline ``<style>``.  Style
  attributes: a policy does not govern styles a script sets through the
  CSSOM (``element.style.…``), and the templates write none, so a page
  normally allows none.  The one source of them is
  content: Python-Markdown's table column alignment (``style="text-align: …"``,
  the only style nh3 keeps, on td and th).  A page holding a style attribute
  therefore gets ``style-src-attr 'unsafe-inline'`` (attributes only, never a
  ``<style>`` element); CSS in an attribute cannot run script.
- ``img-src 'self'``: our files only.  No ``data:`` images: Material's
  stylesheet drew its icons that way, but no page uses Material's now, our
  stylesheets draw none, and a story's images are files beside it (the
  sanitiser allows no ``data:`` address).
- ``font-src 'self'``: system fonts only (mkdocs.yml ``font: false``); a font
  file of our own would still load.
- ``connect-src 'self'``: search.js fetches the search index from our origin.
- ``form-action 'self'``: the search and filter forms submit to our own pages
  (they work without JavaScript).  The share form submits nowhere: share.js
  turns it into a link to GitHub's new-file page and a ``mailto:`` link, which
  are navigations, not form submissions.
- ``object-src 'none'`` and ``base-uri 'none'``: no plugins, and no ``<base>``
  that could turn our relative script addresses into someone else's.

A meta policy ignores ``frame-ancestors``, ``report-uri`` and ``sandbox``, so
they are left out.  The meta goes straight after ``<meta charset>``, before
any script, so it governs every one.

Must not know about MkDocs, or change a page beyond adding the policy to its head.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape as html_unescape
from pathlib import Path

META_NAME = "Content-Security-Policy"
# Types a browser runs; anything else in <script type=…> is a data block (HTML's "classic" and module scripts).
_SCRIPT_TYPES = frozenset(
    {
        "",
        "module",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
_FIXED = (
    ("default-src", "'none'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
)
_STYLE_ATTRIBUTE_RE = re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=", re.IGNORECASE)
# The same test a piece at a time (has_style_attribute): each " style=", then the tag it may be in.
_STYLE_RE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
_LETTER_RE = re.compile(r"[a-zA-Z]", re.IGNORECASE)
_HEAD_RE = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_CHARSET_RE = re.compile(r"<meta\s+charset=[\"']?[^\"'>\s]*[\"']?\s*/?>", re.IGNORECASE)
_META_RE = re.compile(r"<meta\s+http-equiv=[\"']?content-security-policy[\"']?", re.IGNORECASE)


# One token of HTML as the tokenizer sees it: a comment; doctype and other "<!" or "<?" markup; an end tag; a start
# tag with its attributes (a quoted value may hold ">"). An element whose content is raw text or RCDATA (script,
# style, textarea, title, ...) is one token up to its end tag, so nothing inside it is read as a tag. Text between
# tokens is skipped by the search. Only a match with the group ``raw`` is such an element.
_TOKEN_RE = re.compile(
    r"<!--.*?(?:-->|$)"
    r"|<[!?][^>]*>?"
    r"|</[a-zA-Z][^>]*>?"
    r"|<(?P<raw>script|style|textarea|title|xmp|iframe|noembed|noframes)(?=[\s/>])"
    r"(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*)>(?P<body>.*?)(?:</(?P=raw)(?=[\s/>])|$)"
    r"|<[a-zA-Z](?:\"[^\"]*\"|'[^']*'|[^'\">]+)*>?",  # runs at a time: the same token (it cannot fail to end)
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE_RE = re.compile(r"([^\s/>=][^\s/>=]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]*)))?")


def _attributes(text: str) -> dict[str, str]:
    """A start tag's attributes by lower-case name, values unescaped; the first of a repeated name wins, as in HTML."""
    values: dict[str, str] = {}
    for match in _ATTRIBUTE_RE.finditer(text):
        name = match.group(1).lower()
        if name not in values:
            value = next((v for v in match.groups()[1:] if v is not None), "")
            values[name] = html_unescape(value)
    return values


def inline_scripts(html: str) -> list[str]:
    """Every inline script body in ``html`` that would run, in page order.

    Hand-written with two regular expressions rather than :class:`html.parser.HTMLParser`, which reads the whole
    page tag by tag in Python and was a third of a build's time (1,000 stories: 25 s of 75 under a profiler).
    Only the tokenizer's boundaries matter here (where a comment, a tag or a raw-text element begins and ends);
    tests/test_csp.py checks it against HTMLParser on every page of a built site, and against the HTML standard on
    edge cases where HTMLParser is wrong (textarea and title are RCDATA; the first of a repeated attribute wins).
    """
    bodies = []
    for match in _TOKEN_RE.finditer(html):
        raw = match.group("raw")
        if raw is None or raw.lower() != "script":
            continue
        values = _attributes(match.group("attrs"))
        if "src" not in values and values.get("type", "").strip().lower() in _SCRIPT_TYPES:
            bodies.append(match.group("body"))
    return bodies


def has_style_attribute(html: str) -> bool:
    """Whether ``_STYLE_ATTRIBUTE_RE`` matches ``html``, found without trying it at every tag of the page.

    That pattern holds at a " style=" exactly when the last "<" or ">" before it is a "<" followed by a letter
    (the tag's name) before the space: any earlier "<" would have that "<" or ">" inside its ``[^<>]*``.
    """
    for match in _STYLE_RE.finditer(html):
        at = match.start()
        tag = html.rfind("<", 0, at)
        if tag >= 0 and tag + 1 < at and html.rfind(">", tag, at) < 0 and _LETTER_RE.match(html, tag + 1):
            return True
    return False


def script_hash(body: str) -> str:
    """The CSP source for one inline script: 'sha256-' and the base64 of its UTF-8 bytes' SHA-256."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(html: str) -> str:
    """The policy for a page: fixed directives, and script-src with the hashes of its inline scripts (sorted)."""
    hashes = sorted({script_hash(body) for body in inline_scripts(html)})
    directives = [_FIXED[0], ("script-src", " ".join(["'self'", *hashes])), *_FIXED[1:]]
    if has_style_attribute(html):
        directives.insert(3, ("style-src-attr", "'unsafe-inline'"))
    return "; ".join(f"{name} {value}" for name, value in directives)


def add_policy(html: str) -> str:
    """``html`` with its CSP meta after ``<meta charset>`` (or first in ``<head>``); unchanged if it has one.

    A page without ``<head>`` (a fragment, a redirect stub) gets the meta as its first element: the HTML
    parser puts it in the implied head, still before any script.
    """
    if _META_RE.search(html):
        return html
    meta = f'<meta http-equiv="{META_NAME}" content="{policy(html)}">'
    charset = _CHARSET_RE.search(html)
    head = _HEAD_RE.search(html)
    if charset and (head is None or charset.start() > head.start()):
        return html[: charset.end()] + meta + html[charset.end() :]
    if head:
        return html[: head.end()] + meta + html[head.end() :]
    doctype = re.match(r"\s*<!doctype[^>]*>", html, re.IGNORECASE)
    at = doctype.end() if doctype else 0
    return html[:at] + meta + html[at:]


def missing_policy(html: str) -> str | None:
    """Why ``html`` is not protected as add_policy would leave it, or None: a check for every built file."""
    metas = _META_RE.findall(html)
    if len(metas) != 1:
        return f"{len(metas)} Content-Security-Policy meta elements, not 1"
    first_script = re.search(r"<script\b", html, re.IGNORECASE)
    meta = _META_RE.search(html)
    assert meta is not None
    if first_script and first_script.start() < meta.start():
        return "a script comes before the Content-Security-Policy meta"
    expected = policy(html)
    if f'content="{expected}"' not in html[meta.start() : meta.start() + len(expected) + 200]:
        return "the policy does not match the page's inline scripts"
    return None


def unprotected(site_dir: Path) -> list[str]:
    """HTML files in the built site with no policy meta near their start (a cheap check of every file)."""
    found = []
    for path in sorted(site_dir.rglob("*.htm*")):
        if path.suffix.lower() in (".html", ".htm", ".xhtml") and path.is_file():
            with path.open("rb") as file:
                start = file.read(4096).decode("utf-8", "replace")
            if not _META_RE.search(start):
                found.append(path.relative_to(site_dir).as_posix())
    return found
