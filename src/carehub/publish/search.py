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
``data-search-filter="facet:value"`` for the facet filters, and
``data-search-words="Hospital discharge"`` for words a page should be found by
that are not in its indexed text (the labels of a story's facts panel, which
is ignored as a whole so that "Published" and "Type" are not words of every
story).  The title is the first ``<h1>``.  Heading permalinks (``.headerlink``, "¶") are not words.

The format (version 1), under ``search-index/`` in the site; every file is JSON:

``meta.json``
    ``{"version": 1, "build": B, "pages": N, "top": K, "split": [prefix, ...],
    "filters": [facet, ...]}``;
    the only file a reader's browser revalidates.  Everything else is under
    ``search-index/B/``, where B is a hash of the whole index, so a browser can
    never mix files from two builds.
``B/words/w-<key>.json``
    Words sharded by their first two characters (``key``; one-letter words
    are their own key), or by three where a two-letter shard would be big
    (those prefixes are listed in meta.json's ``split``):
    ``{"words": {word: i}, "stems": [{"s": stem, "df": n, "top": [...],
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
import functools
import hashlib
import html
import json
import os
import re
import shutil
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import snowballstemmer

OUTPUT_SUBDIR = "search-index"
FORMAT_VERSION = 1
TOP = 20  # pages kept in a word's shard: two screens of ten results, the same bytes at any N
SHARD_BYTES = 24_000  # a two-letter shard bigger than this is split by three letters (about 8 KB gzipped)
TITLE_WEIGHT = 5
_K1, _B = 1.2, 0.75
_SCALE = 100  # score = BM25's term-frequency part (0 to 2.2) x 100: one byte

_BODY_MARK = b"data-search-body"
_WORD = re.compile(r"[a-z0-9]+")
_CUT = ("data-search-ignore", "headerlink")
# A tag's attributes, quoted values read whole (a ">" inside one does not end the tag).
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_START_TAG = re.compile(rf"<[A-Za-z][A-Za-z0-9-]*({_ATTRIBUTES})>")
_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG = re.compile(rf"</?([A-Za-z][A-Za-z0-9-]*){_ATTRIBUTES}>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_TEXT = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.S | re.I)
_H1 = re.compile(rf"<h1\b{_ATTRIBUTES}>(.*?)</h1\s*>", re.S | re.I)
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
    """The words of ``text``, as search.js splits a query (see the module docstring).

    NFKD without combining marks, one distinct character at a time: the same
    as decomposing the whole text (marks are dropped, so their order does not
    matter); a page's text has few distinct characters but thousands of them
    (0.22 to 0.18 ms a story page).
    """
    if not text.isascii():
        text = text.translate({ord(c): _fold(c) for c in set(text) if not c.isascii()})
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


@functools.cache
def _fold(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", char) if unicodedata.category(c)[0] != "M")


def shard_key(word: str, split: set[str] | frozenset[str] = frozenset()) -> str:
    """The shard a word lives in: its first two letters, or three where that shard is split.

    search.js: ``shardKey``; ``split`` is meta.json's list of split prefixes.
    """
    return word[:3] if word[:2] in split else word[:2]


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
    keywords: list[str] = field(default_factory=list)  # found by, not shown: the labels in a facts panel


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
    three quarters of a story page's bytes.
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
    record = Record(url=url)
    # Marks may sit inside ignored parts (a hidden element holds them): read them from the whole element.
    for _, attributes in _tags_with(element, "data-search-filter"):
        facet, colon, value = attributes["data-search-filter"].partition(":")
        if colon and value:
            record.filters.append((facet, value))
    for start, attributes in _tags_with(element, "data-search-meta"):
        name, colon, value = attributes["data-search-meta"].partition(":")
        if not colon:  # the element's text is the value
            value = text_of(element[start : _element_end(element, start)])
        if name and value:
            record.meta.setdefault(name, value)
    record.keywords = [attributes["data-search-words"] for _, attributes in _tags_with(element, "data-search-words")]
    kept = _without(element, _CUT)
    title = _H1.search(kept)
    record.title = text_of(title.group(1)) if title else ""
    record.text = text_of(kept)
    return record


def story_order(date: dt.date, url: str) -> tuple[int, tuple[str, ...]]:
    """Where a dated page (a story) goes in the index: newest first, then by URL.

    The plugin deals story pages out to its workers in this order too, and
    numbers them so before forking (Indexer.reserve), so each worker writes
    its stories' result files under their final numbers.
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


OrderKey = tuple[bool, tuple[int, tuple[str, ...]]]


def _order_key(record: Record) -> OrderKey:
    date = record.meta.get("date")
    if date:
        try:
            return (False, story_order(dt.date.fromisoformat(date), "/" + record.url))
        except ValueError:
            pass
    return (True, (0, _url_order("/" + record.url)))


def searchable_pages(site_dir: Path) -> list[Path]:
    """The built pages marked ``data-search-body``, by path."""
    bundle = site_dir / OUTPUT_SUBDIR
    found = []
    for path in site_dir.rglob("*.html"):
        if bundle in path.parents:
            continue
        if _BODY_MARK in path.read_bytes():
            found.append(path)
    return sorted(found)


def index_site(site_dir: Path) -> list[str]:
    """Index the searchable pages of ``site_dir`` into ``site_dir/search-index``; returns problems."""
    indexer = Indexer(site_dir)
    problems = indexer.start()
    return problems or indexer.finish()


@dataclass(frozen=True)
class PageWords:
    """One page's contribution to the index, small enough to send from a page worker to the parent."""

    url: str
    key: OrderKey  # where the page goes in the numbering (_order_key)
    number: int | None  # its reserved number, when its page file is written already
    shown: bytes  # its page file (empty when written already)
    digest: bytes  # the page file's SHA-256
    counts: dict[str, int]  # stem -> weighted frequency
    length: int  # weighted number of words
    filters: list[tuple[str, str]]
    new_words: dict[str, str]  # words the parent may not know yet -> their stems


class Indexer:
    """Builds the index while the site is still being rendered.

    The plugin calls ``take`` with each searchable page's HTML as MkDocs
    renders it (on_post_page), in the page workers as well as in the parent
    (offload.py).  Reading a page (about 1 ms) and its words happens where
    the page was rendered, on every core; a worker sends back only
    ``PageWords`` (``drain``, then ``merge`` in the parent), and writes the
    page's file itself when its number is known before rendering (stories,
    ``reserve``).  The parent keeps the postings in compact arrays, a few
    bytes a word a page.  ``finish`` numbers the pages (stories newest
    first, then the rest by URL) and writes the words, postings and filters.
    The result does not depend on where or in what order pages were taken:
    ``index_site`` over the finished site gives the same bytes
    (tests/test_offload.py, tests/test_search_index.py).
    """

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.out = site_dir / OUTPUT_SUBDIR
        self._staging = self.out / ".building"
        self._pid = os.getpid()
        self._stem = _Stemmer()
        self._sent: set[str] = set()  # words whose stems went to the parent (in a worker)
        self._outbox: list[PageWords] = []
        self._reserved: dict[str, int] = {}
        self._stems: dict[str, int] = {}  # stem -> its number
        self._surface: dict[str, int] = {}  # every word seen -> its stem's number
        self._docs: list[array[int]] = []  # per stem: page numbers
        self._tfs: list[array[int]] = []  # per stem: weighted term frequency in that page
        # Per page: order key, length, filter numbers, digest of its result file.  Filters are numbered once
        # (a page's list of (facet, value) pairs, unpickled from a worker, was 2 KB of a page's memory).
        self._pages: dict[int, tuple[OrderKey, int, array[int], bytes]] = {}
        self._filter_ids: dict[tuple[str, str], int] = {}
        self._taken: set[str] = set()

    def start(self) -> list[str]:
        """Make an empty staging folder; returns problems (empty when ready for pages)."""
        try:
            shutil.rmtree(self.out, ignore_errors=True)
            (self._staging / "pages").mkdir(parents=True)
        except OSError as error:
            return [f"{self.out}: could not make the search index folder ({error.strerror})."]
        return []

    def reserve(self, urls: Iterable[str]) -> None:
        """Number these pages now, in this order (stories, newest first: search.story_order), before forking.

        A worker then writes each one's page file as soon as it is rendered,
        instead of sending its text to the parent.
        """
        self._reserved = {url: number for number, url in enumerate(urls)}

    def take(self, url: str, page: str) -> None:
        """Index a rendered page (``url`` relative to the site root) if it is marked for search."""
        record = read_page(url, page)
        if record is None:
            return
        words = self.words_of(record)
        if os.getpid() == self._pid:
            self.merge([words])
        else:
            self._outbox.append(words)

    def drain(self) -> list[PageWords]:
        """What this worker has taken since the last call (offload sends it to the parent)."""
        taken, self._outbox = self._outbox, []
        return taken

    def words_of(self, record: Record) -> PageWords:
        """Count a page's stems and write its page file if its number is reserved (in whichever process)."""
        # Counted by word first (Counter runs in C), then each distinct word stemmed once.
        body, title = normalise(record.text), normalise(record.title)
        keywords = normalise(" ".join(record.keywords))
        by_word = Counter(body)
        by_word.update(keywords)
        for word in title:
            by_word[word] += TITLE_WEIGHT - 1
        counts: Counter[str] = Counter()
        new_words: dict[str, str] = {}
        for word, tf in by_word.items():
            stem = self._stem(word)
            counts[stem] += tf
            if word not in self._sent:
                self._sent.add(word)
                new_words[word] = stem
        shown: dict[str, str] = {"url": record.url, "title": record.title or record.url}
        for name in ("summary", "type", "date"):
            if record.meta.get(name):
                shown[name] = record.meta[name]
        shown["text"] = record.text
        data = _json(shown)
        number = self._reserved.get(record.url)
        if number is not None:
            (self._staging / "pages" / f"{number}.json").write_bytes(data)
        return PageWords(
            url=record.url,
            key=_order_key(record),
            number=number,
            shown=b"" if number is not None else data,
            digest=hashlib.sha256(data).digest(),
            counts=dict(counts),
            length=len(body) + len(keywords) + (TITLE_WEIGHT - 1) * len(title),
            filters=record.filters,
            new_words=new_words,
        )

    def merge(self, taken: Iterable[PageWords]) -> None:
        """Add pages read here or in a worker to the postings."""
        stems, surface = self._stems, self._surface
        for words in taken:
            if words.url in self._taken:
                continue  # MkDocs renders a page once; a second copy would count its words twice
            self._taken.add(words.url)
            number = words.number
            if number is None:
                number = len(self._reserved) + len(self._pages)
                while number in self._pages:
                    number += 1
                (self._staging / "pages" / f"{number}.json").write_bytes(words.shown)
            filter_ids = self._filter_ids
            numbered = array("I", (filter_ids.setdefault(pair, len(filter_ids)) for pair in words.filters))
            self._pages[number] = (words.key, words.length, numbered, words.digest)
            for word, stem in words.new_words.items():
                if word not in surface:
                    surface[word] = self._stem_number(stem)
            for stem, tf in words.counts.items():
                stem_id = stems.get(stem)
                if stem_id is None:
                    stem_id = self._stem_number(stem)
                self._docs[stem_id].append(number)
                self._tfs[stem_id].append(min(tf, 65535))

    def _stem_number(self, stem: str) -> int:
        stem_id = self._stems.get(stem)
        if stem_id is None:
            stem_id = self._stems[stem] = len(self._docs)
            self._docs.append(array("I"))
            self._tfs.append(array("H"))
        return stem_id

    def add(self, paths: Iterable[Path]) -> None:
        """Index these built pages, read from disk (those not marked for search are left out)."""
        for path in paths:
            self.take(page_url(self.site_dir, path), path.read_text("utf-8"))

    def finish(self, scan: bool = True) -> list[str]:
        """Write the index; returns problems (empty if none).

        With ``scan``, first read every built page not taken yet (``index_site``);
        the plugin takes every page as it is rendered, so it does not scan.
        """
        problems: list[str] = []
        try:
            if scan:
                self.add(p for p in searchable_pages(self.site_dir) if page_url(self.site_dir, p) not in self._taken)
            missing = sorted(url for url, number in self._reserved.items() if number not in self._pages)
            if missing:
                problems.append(f"{len(missing)} page(s) were not indexed, for example {missing[0]}.")
            elif not self._pages:
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
        numbers = sorted(self._pages)
        order = sorted(numbers, key=lambda n: (self._pages[n][0], n))
        count = len(order)
        final = [0] * (numbers[-1] + 1)  # a page's place in the index, by the number it was taken with
        for position, number in enumerate(order):
            final[number] = position
        digest = hashlib.sha256(b"carehub search %d\n" % FORMAT_VERSION)

        # Page files: renamed from the numbers they were taken with to their places (most are in place).
        pages = self._staging / "pages"
        moved = [number for number in numbers if final[number] != number]
        for number in moved:
            (pages / f"{number}.json").replace(pages / f"{number}.moving")
        for number in moved:
            (pages / f"{number}.moving").replace(pages / f"{final[number]}.json")
        for number in order:
            digest.update(self._pages[number][3])

        # Scores, postings and word shards.  Plain lists indexed by place, and each page's scores for a word it
        # holds up to 15 times made ahead (nearly every posting): this loop sees every word of every page.
        average = sum(self._pages[number][1] for number in order) / count or 1.0
        norm_at = [_K1 * (1 - _B + _B * self._pages[number][1] / average) for number in order]  # by place

        def score(tf: int, norm: float) -> int:
            return max(1, round(_SCALE * tf * (_K1 + 1) / (tf + norm)))

        ahead = [[score(tf, norm) for norm in norm_at] for tf in range(16)]
        stem_names = sorted(self._stems, key=self._stems.__getitem__)
        entries: list[dict[str, Any]] = []
        written: list[tuple[str, bytes]] = []  # (name, SHA-256): files go to disk as they are made

        def write(name: str, data: bytes) -> None:
            (self._staging / name).write_bytes(data)
            written.append((name, hashlib.sha256(data).digest()))

        for folder in ("words", "postings", "filters"):
            (self._staging / folder).mkdir(exist_ok=True)
        for stem_id, stem_name in enumerate(stem_names):
            docs, tfs = self._docs[stem_id], self._tfs[stem_id]
            self._docs[stem_id] = self._tfs[stem_id] = array("I")  # freed as they are written
            df = len(docs)
            scored = sorted(
                (at, ahead[tf][at] if tf < 16 else score(tf, norm_at[at]))
                for at, tf in zip(map(final.__getitem__, docs), tfs, strict=True)
            )
            # The TOP best, score descending then page: only pages scoring at least the TOP-th score can be.
            cut = sorted([score for _, score in scored], reverse=True)[TOP - 1] if df > TOP else 0
            best = sorted((-score, at) for at, score in scored if score >= cut)[:TOP]
            entry: dict[str, Any] = {"df": df, "top": [n for score, at in best for n in (at, -score)]}
            if df > TOP:
                entry["all"] = 1
                flat = [0] * (2 * df)
                flat[0::2] = _gaps([at for at, _ in scored])
                flat[1::2] = [score for _, score in scored]
                write(f"postings/p-{stem_name}.json", _json(flat))
            entries.append(entry)
        split = self._split_prefixes(stem_names, entries)
        shards: dict[str, dict[str, int]] = {}
        for word, stem_id in self._surface.items():
            shards.setdefault(shard_key(word, split), {})[word] = stem_id
        for key, words in shards.items():
            write(f"words/w-{key}.json", _shard(words, stem_names, entries))

        # Filters.
        facets: dict[str, dict[str, list[int]]] = {}
        filters = sorted(self._filter_ids, key=self._filter_ids.__getitem__)
        for number in numbers:
            for filter_id in self._pages[number][2]:
                facet, value = filters[filter_id]
                facets.setdefault(_safe(facet), {}).setdefault(value, []).append(final[number])
        for facet, values in facets.items():
            by_value = {value: _gaps(sorted(set(values[value]))) for value in sorted(values)}
            write(f"filters/f-{facet}.json", _json(by_value))

        for name, file_digest in sorted(written):
            digest.update(name.encode() + b"\0" + file_digest)
        build = digest.hexdigest()[:16]
        self._staging.rename(self.out / build)
        meta = {
            "version": FORMAT_VERSION,
            "build": build,
            "pages": count,
            "top": TOP,
            "split": sorted(split),
            "filters": sorted(facets),
        }
        (self.out / "meta.json").write_bytes(_json(meta))

    def _split_prefixes(self, stem_names: list[str], entries: list[dict[str, Any]]) -> set[str]:
        """Two-letter prefixes whose shard would be over SHARD_BYTES: their words go by three letters."""
        sizes: Counter[str] = Counter()
        for word, stem_id in self._surface.items():
            # About what the word and its stem's entry add to the shard (the entry once per stem, roughly).
            sizes[word[:2]] += len(word) + 4 + (len(entries[stem_id]["top"]) * 4 + 20) // 2
        return {prefix for prefix, size in sizes.items() if size > SHARD_BYTES}


def _shard(words: dict[str, int], stem_names: list[str], entries: list[dict[str, Any]]) -> bytes:
    local: dict[int, int] = {}
    mapped = {word: local.setdefault(words[word], len(local)) for word in sorted(words)}
    return _json({"words": mapped, "stems": [{"s": stem_names[stem_id], **entries[stem_id]} for stem_id in local]})


def _gaps(ids: list[int]) -> list[int]:
    """Ascending page numbers as gaps, as the index stores lists of pages: [3, 5, 10] -> [3, 2, 5]."""
    return [doc - previous for doc, previous in zip(ids, [0, *ids[:-1]], strict=True)]


def _safe(name: str) -> str:
    """A facet name as a file name (facets are slugs already; anything else is dropped)."""
    return re.sub(r"[^a-z0-9-]", "", name.lower()) or "facet"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")
