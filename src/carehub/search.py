"""Full-text search with facet filters: an index of our own, written beside the site.

Why not Material's lunr search: it ships one index of the whole site that every
reader's browser downloads on its first page load, searching or not.  Why not
Pagefind any more (used until issue 9's second round; figures in bench/README.md):
it holds the whole index in one process (about 0.3 MB a page: 5.5 GB at 20,000
stories), indexes on one core, and every first query downloads its page table and
a common word's full postings, so a first query grows with the hub (223 KB at
5,000 stories, 452 KB at 20,000).  This index keeps a query's download the same
size at any number of stories, and the build's memory small.

What is indexed is what the templates mark (so the choice stays in the
templates): ``data-search-body`` on the element of a page worth finding,
``data-search-ignore`` on parts of it that are not (facts panels, related
stories), ``data-search-meta="summary"`` on an element whose text a result
shows, ``data-search-meta="type:Case study"`` for a literal value, and
``data-search-filter="facet:value"`` for the facet filters.  The title is the
first ``<h1>``.  Heading permalinks (``.headerlink``, "¶") are not words.

The format (version 1), under ``search-index/`` in the site; every file is JSON:

``meta.json``
    ``{"version": 1, "build": B, "pages": N, "top": K, "filters": [facet, ...]}``;
    the only file a reader's browser revalidates.  Everything else is under
    ``search-index/B/``, where B is a hash of the whole index, so a browser can
    never mix files from two builds.
``B/words/w-<key>.json``
    Words sharded by their first three characters (``key``; shorter words are
    their own key): ``{"words": {word: i}, "stems": [{"df": n, "top": [...],
    "all": 1?}]}``.  ``words`` maps every word seen on the site to its stem's
    entry, so the browser needs no stemmer ("caring" and "care" share an
    entry).  ``top`` holds the K best pages for the stem as ``[id, score, ...]``,
    best first (score descending, then id); it is complete when ``df <= K``.
    Otherwise ``all`` is set and ``B/postings/p-<stem>.json`` holds every page as
    ``[gap, score, ...]`` in id order (each id is the previous one plus its gap;
    the first gap is the id).  A one-word search reads one shard and shows the
    top pages; the full list is fetched only for "show more", several words,
    filters, or a prefix.
``B/filters/f-<facet>.json``
    ``{value: [gap, ...]}``: the ids of the pages with that filter value.
``B/pages/<id>.json``
    ``{"url", "title", "summary"?, "type"?, "date"?, "text"}`` for showing a
    result and its excerpt; ``url`` is relative to the site root.

Pages are numbered stories first, newest first then by URL (the order of the
all-stories listing, so a filter-only search needs no sort index), then every
other searchable page by URL.  A score is the term-frequency part of BM25
(k1 1.2, b 0.75; words of the title count five times) times 100, rounded:
1 to 220.  The browser weights it by the stem's rarity (BM25's idf, from
``df`` and the number of pages) when a query has several words, so one byte
a page is enough and a common word's pages are still ranked.

Words: text is NFKD-decomposed with its combining marks removed, lower-cased,
apostrophes dropped ("patient's" is "patients"), and split into runs of
``a-z0-9``; stems come from the Snowball English stemmer.  search.js normalises
a query the same way; ``tests/test_search_index.py`` holds both to it.

Must not change any page: it only adds /search-index/.  It runs on the staging
folder, before `carehub build` swaps it in, so a failure leaves the published
site untouched like any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import snowballstemmer

OUTPUT_SUBDIR = "search-index"
FORMAT_VERSION = 1
TOP = 20  # pages kept in a word's shard: two screens of ten results, the same bytes at any N
TITLE_WEIGHT = 5
_K1, _B = 1.2, 0.75
_SCALE = 100  # score = BM25's term-frequency part (0 to 2.2) x 100: one byte

_BODY_MARK = b"data-search-body"
_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")
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


def normalise(text: str) -> list[str]:
    """The words of ``text``, as search.js splits a query (see the module docstring)."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c)[0] != "M")
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def shard_key(word: str) -> str:
    """The shard a word lives in: its first three characters (search.js: ``shardKey``)."""
    return word[:3]


class _Stemmer:
    """Snowball's English stemmer, remembering each word: a site has far fewer words than it uses."""

    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._known: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._known.get(word)
        if stem is None:
            stem = self._known[word] = str(self._stemmer.stemWord(word))
        return stem


@dataclass
class Record:
    """What the index keeps of one page: how to show it, and its words."""

    url: str
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    filters: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


class _Extractor(HTMLParser):
    """Reads the marked element of a built page into a Record (text, title, meta, filters)."""

    def __init__(self, record: Record) -> None:
        super().__init__(convert_charrefs=True)
        self.record = record
        self._stack: list[tuple[str, bool, str | None]] = []  # (tag, ignored, meta whose text it holds)
        self._text: list[str] = []
        self._title: list[str] | None = None
        self._collecting: dict[str, list[str]] = {}  # meta name -> text so far, while its element is open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        ignored = bool(self._stack) and self._stack[-1][1]
        ignored = ignored or "data-search-ignore" in values or "headerlink" in values.get("class", "").split()
        collecting = None
        if "data-search-meta" in values:
            name, colon, value = values["data-search-meta"].partition(":")
            if colon:
                self.record.meta.setdefault(name, value)
            elif name not in self._collecting and name not in self.record.meta:
                collecting = name
                self._collecting[name] = []
        if "data-search-filter" in values:
            facet, colon, value = values["data-search-filter"].partition(":")
            if colon and value:
                self.record.filters.append((facet, value))
        if tag in _BLOCK:
            self._text.append(" ")
        if tag == "h1" and self._title is None and not ignored:
            self._title = []
        if tag not in _VOID:
            self._stack.append((tag, ignored, collecting))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self._text.append(" ")
        # Close up to the matching element (tolerates an unclosed <p> or <li>).
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                for _, _, collecting in self._stack[depth:]:
                    if collecting is not None:
                        text = " ".join("".join(self._collecting.pop(collecting)).split())
                        if text:
                            self.record.meta[collecting] = text
                del self._stack[depth:]
                break
        if tag == "h1" and self._title is not None and not self.record.title:
            self.record.title = " ".join("".join(self._title).split())

    def handle_data(self, data: str) -> None:
        for parts in self._collecting.values():
            parts.append(data)
        if self._stack and self._stack[-1][1]:
            return
        self._text.append(data)
        if self._title is not None and not self.record.title:
            self._title.append(data)

    def finish(self) -> Record:
        self.close()
        self.record.text = " ".join("".join(self._text).split())
        return self.record


def marked_element(page: str) -> str | None:
    """The element marked ``data-search-body`` in a built page, or None if there is none.

    Only this part is parsed: the header, navigation, footer and icons are
    three quarters of a story page's bytes.
    """
    mark = page.find(_BODY_MARK.decode())
    if mark < 0:
        return None
    start = page.rfind("<", 0, mark)
    end_of_name = start + 1
    while end_of_name < len(page) and page[end_of_name].isalnum():
        end_of_name += 1
    tag = page[start + 1 : end_of_name]
    if start < 0 or not tag:
        return None
    opening, close = "<" + tag, "</" + tag + ">"
    depth, at = 0, end_of_name
    while True:
        next_close = page.find(close, at)
        next_open = page.find(opening, at)
        if next_close < 0:
            return page[start:]
        if 0 <= next_open < next_close and page[next_open + len(opening) : next_open + len(opening) + 1] in " >":
            depth += 1
            at = next_open + len(opening)
            continue
        if depth == 0:
            return page[start : next_close + len(close)]
        depth -= 1
        at = next_close + len(close)


def read_page(url: str, page: str) -> Record | None:
    """The Record of a built page (``url`` relative to the site root), or None if it is not marked."""
    element = marked_element(page)
    if element is None:
        return None
    extractor = _Extractor(Record(url=url))
    extractor.feed(element)
    return extractor.finish()


def story_order(date: dt.date, url: str) -> tuple[int, tuple[str, ...]]:
    """Where a dated page (a story) goes in the index: newest first, then by URL.

    The plugin deals story pages out to its workers in this order too, so
    each can be indexed as soon as it is written (Indexer.add).
    """
    return (-date.toordinal(), _url_order(url))


def _url_order(url: str) -> tuple[str, ...]:
    return tuple(url.split("/"))  # "a" before "a-b", as slugs sort


def page_url(site_dir: Path, path: Path) -> str:
    """The address of a built file relative to the site root: directory URLs for ``index.html``."""
    relative = path.relative_to(site_dir)
    if relative.name == "index.html":
        folder = relative.parent.as_posix()
        return "" if folder == "." else f"{folder}/"
    return relative.as_posix()


def _order_key(record: Record) -> tuple[bool, tuple[int, tuple[str, ...]]]:
    date = record.meta.get("date")
    if date:
        try:
            return (False, story_order(dt.date.fromisoformat(date), "/" + record.url))
        except ValueError:
            pass
    return (True, (0, _url_order("/" + record.url)))


def searchable_pages(site_dir: Path, skip: frozenset[Path] | set[Path] = frozenset()) -> list[Path]:
    """The built pages marked ``data-search-body`` that are not in ``skip``, by path."""
    bundle = site_dir / OUTPUT_SUBDIR
    found = []
    for path in site_dir.rglob("*.html"):
        if path in skip or bundle in path.parents:
            continue
        if _BODY_MARK in path.read_bytes():
            found.append(path)
    return sorted(found)


def index_site(site_dir: Path) -> list[str]:
    """Index the searchable pages of ``site_dir`` into ``site_dir/search-index``; returns problems."""
    indexer = Indexer(site_dir)
    problems = indexer.start()
    return problems or indexer.finish()


class Indexer:
    """Builds the index while the site is still being rendered.

    ``add`` takes built pages as the page workers finish them (plugin.py,
    offload.py): each is read, its page file written, and its words counted
    into compact arrays, so the index's memory is a few bytes a word a page.
    ``finish`` adds every other searchable page, numbers the pages (stories
    newest first, then the rest by URL) and writes the words, postings and
    filters.  The result does not depend on the order pages were added in:
    ``index_site`` over the finished site gives the same bytes
    (tests/test_offload.py).
    """

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.out = site_dir / OUTPUT_SUBDIR
        self._staging = self.out / ".building"
        self._stem = _Stemmer()
        self._stems: dict[str, int] = {}  # stem -> number
        self._surface: dict[str, int] = {}  # every word seen -> its stem's number
        self._docs: list[array[int]] = []  # per stem: page numbers (in the order added)
        self._tfs: list[array[int]] = []  # per stem: weighted term frequency in that page
        self._lengths = array("I")
        self._keys: list[tuple[bool, tuple[int, tuple[str, ...]]]] = []
        self._filters: list[list[tuple[str, str]]] = []
        self._digests: list[bytes] = []
        self._added: set[Path] = set()
        self.problems: list[str] = []

    def start(self) -> list[str]:
        """Make an empty staging folder; returns problems (empty when ready for pages)."""
        try:
            shutil.rmtree(self.out, ignore_errors=True)
            (self._staging / "pages").mkdir(parents=True)
        except OSError as error:
            return [f"{self.out}: could not make the search index folder ({error.strerror})."]
        return []

    def add(self, paths: Iterable[Path]) -> None:
        """Index these built pages (those marked for search); pages that do not exist are skipped."""
        for path in paths:
            try:
                data = path.read_text("utf-8")
            except FileNotFoundError:  # a page that failed to render: the build reports it and stops
                continue
            record = read_page(page_url(self.site_dir, path), data)
            self._added.add(path)
            if record is not None:
                self.add_record(record)

    def add_record(self, record: Record) -> None:
        """Index one page."""
        number = len(self._keys)
        self._keys.append(_order_key(record))
        self._filters.append(record.filters)
        counts: Counter[int] = Counter()
        stem, stems, surface = self._stem, self._stems, self._surface
        body = normalise(record.text)
        title = normalise(record.title)
        for weight, words in ((1, body), (TITLE_WEIGHT - 1, title)):
            for word in words:
                stem_id = surface.get(word)
                if stem_id is None:
                    root = stem(word)
                    stem_id = stems.get(root)
                    if stem_id is None:
                        stem_id = stems[root] = len(self._docs)
                        self._docs.append(array("I"))
                        self._tfs.append(array("H"))
                    surface[word] = stem_id
                counts[stem_id] += weight
        for stem_id, tf in counts.items():
            self._docs[stem_id].append(number)
            self._tfs[stem_id].append(min(tf, 65535))
        self._lengths.append(len(body) + (TITLE_WEIGHT - 1) * len(title))
        shown: dict[str, str] = {"url": record.url, "title": record.title or record.url}
        for name in ("summary", "type", "date"):
            if record.meta.get(name):
                shown[name] = record.meta[name]
        shown["text"] = record.text
        data = _json(shown)
        self._digests.append(hashlib.sha256(data).digest())
        (self._staging / "pages" / f"{number}.json").write_bytes(data)

    def finish(self) -> list[str]:
        """Add the searchable pages not added yet and write the index; returns problems (empty if none)."""
        problems: list[str] = []
        try:
            self.add(searchable_pages(self.site_dir, skip=self._added))
            if not self._keys:
                problems.append("No page is marked data-search-body, so there is nothing to search.")
            else:
                self._write()
        except OSError as error:
            problems.append(f"{self.out}: could not write the search index ({error.strerror or error}).")
        if problems:
            self.close()
        return problems

    def close(self) -> None:
        """Drop a half-made index (after a failed build); safe to call twice."""
        shutil.rmtree(self.out, ignore_errors=True)

    def _write(self) -> None:
        count = len(self._keys)
        order = sorted(range(count), key=lambda n: (self._keys[n], n))
        new_id = array("I", bytes(4 * count))
        for position, number in enumerate(order):
            new_id[number] = position
        digest = hashlib.sha256(b"carehub search %d\n" % FORMAT_VERSION)
        files: dict[str, bytes] = {}

        # Pages: renamed from the order they were added in to their numbers.
        pages = self._staging / "pages"
        renamed = pages.with_name("pages-numbered")
        renamed.mkdir()
        for number in order:
            (pages / f"{number}.json").replace(renamed / f"{new_id[number]}.json")
            digest.update(self._digests[number])
        pages.rmdir()
        renamed.rename(pages)

        # Scores, postings and word shards.
        average = sum(self._lengths) / count or 1.0
        norms = [_K1 * (1 - _B + _B * length / average) for length in self._lengths]
        stem_names = sorted(self._stems, key=self._stems.__getitem__)
        entries: list[dict[str, Any]] = []
        for stem_id, stem_name in enumerate(stem_names):
            docs, tfs = self._docs[stem_id], self._tfs[stem_id]
            df = len(docs)
            scored = sorted(
                (new_id[doc], max(1, round(_SCALE * tf * (_K1 + 1) / (tf + norms[doc]))))
                for doc, tf in zip(docs, tfs, strict=True)
            )
            best = sorted(scored, key=lambda pair: (-pair[1], pair[0]))[:TOP]
            entry: dict[str, Any] = {"df": df, "top": [n for pair in best for n in pair]}
            if df > TOP:
                entry["all"] = 1
                flat: list[int] = []
                previous = 0
                for doc, score in scored:
                    flat += (doc - previous, score)
                    previous = doc
                files[f"postings/p-{stem_name}.json"] = _json(flat)
            entries.append(entry)
        shards: dict[str, dict[str, int]] = {}
        for word, stem_id in self._surface.items():
            shards.setdefault(shard_key(word), {})[word] = stem_id
        for key, words in shards.items():
            local: dict[int, int] = {}
            mapped = {}
            for word in sorted(words):
                mapped[word] = local.setdefault(words[word], len(local))
            shard_entries = [{"s": stem_names[stem_id], **entries[stem_id]} for stem_id in local]
            files[f"words/w-{key}.json"] = _json({"words": mapped, "stems": shard_entries})

        # Filters.
        facets: dict[str, dict[str, list[int]]] = {}
        for number, filters in enumerate(self._filters):
            for facet, value in filters:
                facets.setdefault(_safe(facet), {}).setdefault(value, []).append(new_id[number])
        for facet, values in facets.items():
            gaps: dict[str, list[int]] = {}
            for value in sorted(values):
                ids, previous = sorted(set(values[value])), 0
                gaps[value] = [doc - previous for doc, previous in zip(ids, [0, *ids[:-1]], strict=True)]
            files[f"filters/f-{facet}.json"] = _json(gaps)

        for name in sorted(files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
        build = digest.hexdigest()[:16]
        for name, data in files.items():
            target = self._staging / name
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)
        self._staging.rename(self.out / build)
        meta = {"version": FORMAT_VERSION, "build": build, "pages": count, "top": TOP, "filters": sorted(facets)}
        (self.out / "meta.json").write_bytes(_json(meta))


def _safe(name: str) -> str:
    """A facet name as a file name (facets are slugs already; anything else is dropped)."""
    return re.sub(r"[^a-z0-9-]", "", name.lower()) or "facet"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")
