"""Content-hashed names for our own assets: ``assets/carehub/search.js`` is published as ``search.3f9a1c2b.js``.

Why: a file whose name changes whenever its bytes change can be cached by
browsers and CDNs for a year (``Cache-Control: immutable``), and a reader
never gets a new page with an old script.  Material names its own bundle this
way; this module does the same for the files under ``assets/carehub/``
(overrides/assets/carehub/, and the share form's files that docspages.py adds).

How, in one pass a build, with the standard library only:

- :func:`name_assets` takes every asset's bytes (plugin.on_files hands them
  over) and gives each the first :data:`DIGITS` hex digits of the SHA-256 of
  the bytes it is published with.  A stylesheet or script that refers to
  another asset (CSS ``url(…)`` and ``@import``; a JavaScript module's
  ``import … from "…"``, ``import("…")`` and ``new URL("…", import.meta.url)``)
  has those references rewritten to the hashed names first, so its own hash
  covers them: the files are named leaves first, and a cycle is an error.
- :meth:`AssetNames.rewrite_html` rewrites the references in a built page's
  tags (any attribute whose value resolves into ``assets/carehub/``: ``href``,
  ``src``, ``content`` …), from plugin.on_post_page (in the page workers too)
  and on_post_template (404.html).  Templates keep plain names.

A reference that resolves into ``assets/carehub/`` but names no asset is an
:class:`AssetError` naming the page or file and the reference: the build stops
instead of publishing a broken link.  References are found with small
patterns rather than a CSS or JavaScript parser: the files are ours, and the
forms above are the only ones they use (a reference written another way is
left as it is, and tests/test_assets.py finds any plain name left in a page).
Text inside inline scripts and ``&lt;…&gt;`` in code examples is not a tag, so
it is never changed.

Must not know about MkDocs, read or write files, or touch any file outside
``assets/carehub/``.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

FOLDER = "assets/carehub/"
DIGITS = 8  # 32 bits: a clash among a few dozen files of one site is out of reach

_CSS_REFERENCES = (
    re.compile(r"""url\(\s*(["']?)(?P<ref>[^"')\s]+)\1\s*\)"""),
    re.compile(r"""@import\s+(["'])(?P<ref>[^"']+)\1"""),
)
# A module specifier is a relative or absolute path (a bare name such as "lit" is a package, never ours).
_SPECIFIER = r"""(["'])(?P<ref>(?:\.{1,2}/|/)[^"'\s]+)\1"""
_JS_REFERENCES = (
    re.compile(r"\b(?:from|import)\s*" + _SPECIFIER),
    re.compile(r"\bimport\(\s*" + _SPECIFIER + r"\s*\)"),
    re.compile(r"\bnew\s+URL\(\s*" + _SPECIFIER + r"\s*,\s*import\.meta\.url\s*\)"),
)
# An attribute whose value mentions the folder; whether it is inside a tag is checked where it is found.
# The attribute name and "=" straight before a value's opening quote (searched up to the quote).
_NAME_BEFORE_RE = re.compile(r"\s[\w:.-]+\s*=\s*$")
_LONGEST_NAME = 80


class AssetError(Exception):
    """A reference into assets/carehub/ that names no asset, or assets that refer to one another in a circle."""


def hashed_name(path: str, data: bytes) -> str:
    """``path`` with the hash of ``data`` before its extension: ``a/search.js`` → ``a/search.3f9a1c2b.js``."""
    folder, name = posixpath.split(path)
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:DIGITS]
    hashed = f"{stem}.{digest}.{extension}" if dot and stem else f"{name}.{digest}"
    return posixpath.join(folder, hashed)


@dataclass(frozen=True)
class AssetNames:
    """Every asset's published name, and the bytes of those whose references were rewritten.

    ``names`` maps a plain site path (``assets/carehub/search.js``) to its hashed one; ``rewritten`` holds
    the bytes to publish for the CSS and JavaScript files that refer to other assets (the rest are
    published as they are); ``site_url`` ends with a slash.  Made by :func:`name_assets`.
    """

    site_url: str
    names: Mapping[str, str]
    rewritten: Mapping[str, bytes]
    published: frozenset[str]  # the hashed paths: a page that already names one is left as it is

    def resolve(self, reference: str, base: str) -> str | None:
        """The site path of the asset ``reference`` names from the page or file at site path ``base``.

        None when it points anywhere but assets/carehub/ (another folder, another host, a fragment, data:).
        Raises AssetError when it points into assets/carehub/ at a file that is not there.
        """
        target = urljoin(self.site_url + base, reference.strip())
        parts = urlsplit(target)
        address = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if not address.startswith(self.site_url + FOLDER):
            return None
        path = address[len(self.site_url) :]
        if path in self.names or path in self.published:
            return path
        raise AssetError(f"/{base} refers to {reference!r}, but the site has no file /{path}")

    def rename(self, reference: str, base: str) -> str:
        """``reference`` with its file name replaced by the hashed one (query and fragment kept)."""
        path = self.resolve(reference, base)
        if path is None or path not in self.names:
            return reference
        plain, hashed = posixpath.basename(path), posixpath.basename(self.names[path])
        end = min((i for i in (reference.find("?"), reference.find("#")) if i >= 0), default=len(reference))
        if not reference[:end].endswith(plain):  # a spelling such as "search%2Ejs" that still resolves here
            raise AssetError(f"/{base} refers to {reference!r}: write the asset's name as it is, /{path}")
        return reference[: end - len(plain)] + hashed + reference[end:]

    def rewrite_html(self, html: str, page_url: str) -> str:
        """A built page with every tag attribute that names an asset pointing at its hashed name.

        ``page_url`` is the page's address within the site (``stories/a-story/``, ``404.html``, ``""``).
        """
        if FOLDER not in html:
            return html
        out: list[str] = []
        last = 0
        for start, end in _attribute_values(html):
            value = html[start:end]
            renamed = self.rename(value, page_url)
            if renamed != value:
                out += [html[last:start], renamed]
                last = end
        out.append(html[last:])
        return "".join(out)


def _attribute_values(html: str) -> Iterator[tuple[int, int]]:
    """Where each quoted tag attribute value holding ``assets/carehub/`` starts and ends, in page order.

    Each occurrence of the folder is found with str.find, and the value around it is accepted when a quote
    opens it straight after ``name=`` within a start tag: the same values as matching _ATTRIBUTE_RE over the
    whole page, which read every attribute of every tag (a twentieth of a build's time).
    """
    at = html.find(FOLDER)
    while at >= 0:
        resume = at + len(FOLDER)
        for quote in "\"'":
            opened = html.rfind(quote, 0, at)
            closed = html.find(quote, at)
            if opened < 0 or closed < 0:
                continue
            name = _NAME_BEFORE_RE.search(html, max(0, opened - _LONGEST_NAME), opened)
            if name is not None and _inside_tag(html, name.start()):
                yield opened + 1, closed
                resume = closed + 1
                break
        at = html.find(FOLDER, resume)


def _inside_tag(html: str, at: int) -> bool:
    """True when position ``at`` is within a start tag (after ``<name`` and before its ``>``)."""
    opened = html.rfind("<", 0, at)
    return opened >= 0 and html.rfind(">", opened, at) < 0 and html[opened + 1 : opened + 2].isalpha()


def name_assets(sources: Mapping[str, bytes], site_url: str) -> AssetNames:
    """Hashed names for every asset in ``sources`` (site path → bytes, all under assets/carehub/).

    Raises AssetError for a reference to a missing asset or a circle of references, naming every file.
    """
    base = site_url if site_url.endswith("/") else site_url + "/"
    outside = sorted(path for path in sources if not path.startswith(FOLDER))
    if outside:
        raise AssetError(f"not under /{FOLDER}: {', '.join(outside)}")
    names: dict[str, str] = {}
    rewritten: dict[str, bytes] = {}
    placeholder = AssetNames(base, {}, {}, frozenset(sources))  # resolves references, renames nothing
    problems: list[str] = []
    references: dict[str, list[str]] = {}
    for path, data in sources.items():
        try:
            references[path] = sorted({p for p in _references(path, data, placeholder) if p != path})
        except AssetError as error:
            problems.append(str(error))
    if problems:
        raise AssetError("; ".join(sorted(problems)))

    def name(path: str, chain: tuple[str, ...]) -> None:
        if path in names:
            return
        if path in chain:
            circle = " → ".join(f"/{p}" for p in (*chain[chain.index(path) :], path))
            raise AssetError(
                f"these assets refer to one another in a circle, so none can be named by its hash: {circle}"
            )
        for other in references[path]:
            name(other, (*chain, path))
        data = sources[path]
        if references[path]:
            data = _rewrite_references(path, data, AssetNames(base, names, {}, frozenset({path})))  # self: as is
            rewritten[path] = data
        names[path] = hashed_name(path, data)

    for path in sorted(sources):
        name(path, ())
    return AssetNames(base, dict(sorted(names.items())), rewritten, frozenset(names.values()))


def _patterns(path: str) -> tuple[re.Pattern[str], ...]:
    if path.endswith(".css"):
        return _CSS_REFERENCES
    if path.endswith((".js", ".mjs")):
        return _JS_REFERENCES
    return ()


def _references(path: str, data: bytes, names: AssetNames) -> list[str]:
    """The assets a CSS or JavaScript file refers to (site paths); AssetError for one that is missing."""
    patterns = _patterns(path)
    if not patterns:
        return []
    text = data.decode("utf-8")
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            target = names.resolve(match.group("ref"), path)
            if target is not None:
                found.append(target)
    return found


def _rewrite_references(path: str, data: bytes, names: AssetNames) -> bytes:
    text = data.decode("utf-8")
    for pattern in _patterns(path):

        def rename(match: re.Match[str]) -> str:
            start, end = match.span("ref")
            whole = match.group(0)
            offset = match.start()
            return whole[: start - offset] + names.rename(match.group("ref"), path) + whole[end - offset :]

        text = pattern.sub(rename, text)
    return text.encode("utf-8")
