"""Format: the files of the search index (version 3), their names, scores and bytes.

Under ``search-index/`` in the site; every file is JSON:

``meta.json``
    ``{"version": 3, "build": B, "pages": N, "top": K, "group": G, "split": [prefix, ...],
    "shards": [key, ...], "filters": [facet, ...], "synonyms"?: [[phrase, ...], ...]}``;
    the only file a reader's browser revalidates.  ``synonyms`` holds the
    groups of phrases a search treats as each other (the glossary's
    abbreviations and terms, data/synonyms.yml), each phrase as its words
    joined by spaces ("a e" for "A&E"); group N is indexed as the word
    ``synonym_word(N)`` ("0syn3").  Everything else is under
    ``search-index/B/``, where B is a hash of the whole index, so a browser can
    never mix files from two builds.
``B/words/w-<first>.json``
    Words grouped by their key: their first two characters (one-letter words
    are their own key), or three where a two-letter group would be big (those
    prefixes are listed in meta.json's ``split``).  Neighbouring keys share a
    file up to about SHARD_BYTES (fewer files: most keys hold a few words);
    ``shards`` lists each file's first key in order, so a word's file is the
    one with the last first key at or before the word's key (words are
    ``[a-z0-9]+``, so Python and JavaScript order keys alike):
    ``{"words": {word: i}, "stems": [{"s": stem, "df": n, "top": [...],
    "all": P?}]}``.  ``words`` maps every word seen on the site to its stem's
    entry ("caring" and "care" share an entry); a word no page holds is
    stemmed in the browser (stemmer.js, the same Snowball stemmer) and found
    by its stem's ``s``.  ``top`` holds the K best pages for the stem as ``[id, n, ...]``,
    best first (score descending, then id), where n = score x SECTIONS + section
    (``fold``), the section of the page holding the stem best (see ``pages``); it
    is complete when ``df <= K``.
    Otherwise ``all`` is set and ``B/postings/p-<P>.json`` holds, under the
    stem, every page as gap, n, gap, n, ... in id order (each id is the
    previous one plus its gap; the first gap is the id), written as one
    string (``numbers``: each number in base 32, its last digit from
    ``DIGITS[32:]``, any before it from ``DIGITS[:32]``; "B1x" is 5, 33),
    two to five characters a page instead of about eight: stems in name order
    share a postings file up to about POSTINGS_BYTES, and a bigger one has a
    file of its own.  A one-word search reads one shard and shows the top
    pages; the full list is fetched only for "show more", several words,
    filters (open filter groups' counts), or a prefix.
``B/filters/f-<facet>.json``
    ``{value: [gap, ...]}``: the ids of the pages with that filter value.
``B/pages/g-<g>.json``
    The records of pages g x G to g x G + G - 1 (G is meta.json's ``group``), a
    JSON list in id order: page i is entry ``i % G`` of file ``i // G``
    (``group_of``).  A record is ``{"url", "title", "summary"?, "type"?, "date"?,
    "lead"?, "sections"?}``, what a result shows; ``url`` is relative to the site
    root.  ``sections`` lists the page's h2 and h3 headings with an id, in page
    order, as ``[id, heading, lead?]``: section k of a score is entry k - 1
    (section 0 is the part before the first of them, and the card links to the
    page itself); only the first SECTIONS - 1 are kept.  A lead is the first
    LEAD_WORDS words of the section after its heading, with " …" when it goes on
    (none when the section has no words before the next heading).  ``lead`` is
    section 0's, kept only when the page has no summary.  The section holding a
    stem best is the one where its words occur most (a heading's words counting
    HEADING_WEIGHT times, the first section on a tie); for a synonym group, where
    its phrases occur most.  A result shows that section's heading (linked to it)
    and its lead, or the summary when the lead holds none of the searched words
    and the summary does: not the words around the match, as version 2 did from
    each page's whole text.  Why: that text was 5 to 7 KB a page in a file of its
    own (1,129 of the index's 1,306 files at 1,000 stories); a group of G records
    gzips to about the bytes of one old page file, so a first query's ten results
    still fetch about 20 KB.

A page's id is its place in the index (index.py numbers them).  A score is the
term-frequency part of BM25 (k1 1.2, b 0.75; words of the title count five
times, of a heading or a glossary term three) times 100, rounded: 1 to 220, stored folded with a section number
(``fold``, above).  The browser weights it by the stem's
rarity (BM25's idf, from ``df`` and the number of pages) when a query has
several words, so one byte a page is enough and a common word's pages are
still ranked.

Must not read HTML, split words or decide the pages' order: it writes what
index.py hands it, and search.js (and tests/search_reader.py) read it back.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import operator
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from carehub.publish.search.extract import Record

OUTPUT_SUBDIR = "search-index"
FORMAT_VERSION = 3
TOP = 20  # pages kept in a word's shard: two screens of ten results, the same bytes at any N
SHARD_BYTES = 24_000  # a two-letter shard bigger than this is split by three letters (about 8 KB gzipped)
WORDS_FILE_BYTES = 4_000  # neighbouring small shards share a file up to this (about 1.5 KB gzipped); bigger alone
POSTINGS_BYTES = 16_000  # stems' full lists share a file up to about this (about 5 KB gzipped)
TITLE_WEIGHT = 5
HEADING_WEIGHT = 3  # words of a heading or a glossary term (extract.Record.headings) count three times
_K1, _B = 1.2, 0.75
_SCALE = 100  # score = BM25's term-frequency part (0 to 2.2) x 100: one byte
_STAGING = ".building"
SYNONYM_PREFIX = "0syn"
GROUP = 6  # page records a group file holds: a first query's ten results fetch ten of them (see the docstring)
LEAD_WORDS = 10  # words of a section's beginning kept for its excerpt
SECTIONS = 32  # a score's section number is 0 to SECTIONS - 1 (0: before the first heading)
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"  # a postings list's digits (numbers)


def shard_key(word: str, split: set[str] | frozenset[str] = frozenset()) -> str:
    """The shard a word lives in: its first two letters, or three where that shard is split.

    search.js: ``shardKey``; ``split`` is meta.json's list of split prefixes.
    """
    return word[:3] if word[:2] in split else word[:2]


def synonym_word(number: int) -> str:
    """The word standing in the index for synonym group ``number`` (meta.json's ``synonyms``, in order).

    A page holds it as often as it holds any phrase of the group (words next
    to each other, as stems), so a search for one phrase finds the others and
    "care home" does not match a page that says "care" here and "home" there.
    Words begin with a letter or digit: no page's word starts "0syn".
    """
    return f"{SYNONYM_PREFIX}{number}"


def staging(out: Path) -> Path:
    """Where an index is made before it is renamed into ``out`` (``out`` is the site's search-index/)."""
    return out / _STAGING


def page_path(staging_dir: Path, number: int) -> Path:
    """A page's record in the staging folder, under the number it was taken with (gathered into its group file
    at the end)."""
    return staging_dir / "pages" / f"{number}.json"


def page_file(record: Record) -> bytes:
    """The bytes of a page's record (one entry of its group file): what a result shows."""
    shown: dict[str, Any] = {"url": record.url, "title": record.title or record.url}
    for name in ("summary", "type", "date"):
        if record.meta.get(name):
            shown[name] = record.meta[name]
    spans = section_spans(record)
    if not shown.get("summary"):
        lead = _lead(record.text[spans[0][0] : spans[0][1]])
        if lead:
            shown["lead"] = lead
    listed: list[list[str]] = []
    for (start, end), (_, anchor, heading) in zip(spans[1:], record.sections[: SECTIONS - 1], strict=False):
        lead = _lead(record.text[start:end].removeprefix(heading))
        listed.append([anchor, heading, lead] if lead else [anchor, heading])
    if listed:
        shown["sections"] = listed
    return _json(shown)


def section_spans(record: Record) -> list[tuple[int, int]]:
    """Where each section of a page's text begins and ends: section 0 (after the title, up to the first h2 or h3
    with an id), then each of ``record.sections`` in order (its heading included)."""
    text = record.text
    first = len(record.title) if record.title and text.startswith(record.title) else 0
    starts = [first, *(max(at, first) for at, _, _ in record.sections)]
    return [(start, end) for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


def _lead(text: str) -> str:
    """The first LEAD_WORDS words of a section's text, with "…" when there are more."""
    parts = text.split()
    return " ".join(parts[:LEAD_WORDS]) + (" …" if len(parts) > LEAD_WORDS else "")


def fold(score: int, section: int) -> int:
    """A page's score for a stem and the section holding the stem best, as one number (search.js: ``unfold``)."""
    return score * SECTIONS + section


def group_of(page_id: int) -> int:
    """The group file holding a page's record (``pages/g-<group>.json``, entry ``page_id % GROUP``)."""
    return page_id // GROUP


@dataclass(frozen=True)
class Postings:
    """Everything the files are made of, as index.py gathered it.

    Pages are known by the number they were taken with; ``place`` maps each to
    its id in the index (``order`` lists the numbers by id).  ``docs``,
    ``tfs`` and ``sections`` hold, per stem, the numbers of its pages, the
    weighted term frequency in each and the section of the page holding it
    best; ``write`` empties them as it goes, so the memory is freed.
    """

    order: list[int]  # page numbers, by id
    place: list[int]  # page number -> id
    lengths: list[int]  # by id: weighted number of words
    digests: list[bytes]  # by id: SHA-256 of the page file
    stems: list[str]  # by stem number
    docs: list[array[int]]
    tfs: list[array[int]]
    sections: list[array[int]]  # per stem, parallel to docs: the section of the page holding it best
    surface: dict[str, int]  # every word seen -> its stem's number
    filters: dict[tuple[str, str], list[int]]  # (facet, value) -> ids
    synonyms: list[list[str]] = field(default_factory=list)  # groups of phrases, words joined by spaces


def write(out: Path, postings: Postings) -> None:
    """Write the index from the staging folder's page files and ``postings``, then move it into place."""
    staging_dir = staging(out)
    count = len(postings.order)
    place = postings.place
    digest = hashlib.sha256(b"carehub search %d\n" % FORMAT_VERSION)

    # Page records: read from the numbers they were taken with, in id order, GROUP to a file.
    for page_digest in postings.digests:
        digest.update(page_digest)
    written: list[tuple[str, bytes]] = []  # (name, SHA-256): files go to disk as they are made

    def put(name: str, data: bytes) -> None:
        (staging_dir / name).write_bytes(data)
        written.append((name, hashlib.sha256(data).digest()))

    for first in range(0, count, GROUP):
        members = postings.order[first : first + GROUP]
        records = [page_path(staging_dir, number).read_bytes() for number in members]
        put(f"pages/g-{group_of(first)}.json", b"[" + b",".join(records) + b"]")
        for number in members:
            page_path(staging_dir, number).unlink()

    # Scores, postings and word shards.  Plain lists indexed by place, and each page's scores for a word it
    # holds up to 15 times made ahead (nearly every posting): this loop sees every word of every page.
    average = sum(postings.lengths) / count or 1.0
    norm_at = [_K1 * (1 - _B + _B * length / average) for length in postings.lengths]  # by place

    def score(tf: int, norm: float) -> int:
        return max(1, round(_SCALE * tf * (_K1 + 1) / (tf + norm)))

    ahead = [[score(tf, norm) for norm in norm_at] for tf in range(16)]
    flat_ahead = [n for scores in ahead for n in scores]  # ahead[tf][at] is flat_ahead[tf * count + at]

    for folder in ("words", "postings", "filters"):
        (staging_dir / folder).mkdir(exist_ok=True)
    entries: list[dict[str, Any]] = [{} for _ in postings.stems]
    pack: dict[str, str] = {}
    pack_bytes = 0
    packs = 0

    def put_pack() -> None:
        nonlocal pack, pack_bytes
        if pack:
            put(f"postings/p-{packs}.json", _json(pack))
        pack, pack_bytes = {}, 0

    # In stem order, so a prefix's stems (evalu, evaluat...) tend to share a postings file.
    for stem_id in sorted(range(len(postings.stems)), key=postings.stems.__getitem__):
        stem_name = postings.stems[stem_id]
        docs, tfs, sections = postings.docs[stem_id], postings.tfs[stem_id], postings.sections[stem_id]
        postings.docs[stem_id] = postings.tfs[stem_id] = postings.sections[stem_id] = array("I")  # freed as written
        df = len(docs)
        # Columns rather than a tuple a posting, each made by map in C: this loop sees every posting of the site.
        ats = list(map(place.__getitem__, docs))
        if df and max(tfs) < 16:
            scores = list(map(flat_ahead.__getitem__, map(operator.add, map(operator.mul, tfs, repeat(count)), ats)))
        else:
            scores = [ahead[tf][at] if tf < 16 else score(tf, norm_at[at]) for at, tf in zip(ats, tfs, strict=True)]
        # By page (each page holds a stem once, so no two postings tie).
        scored = sorted(zip(ats, scores, sections, strict=True))
        # The TOP best, score descending then page: only pages scoring at least the TOP-th score can be.
        cut = sorted(scores, reverse=True)[TOP - 1] if df > TOP else 0
        best = sorted((-score, at, section) for at, score, section in scored if score >= cut)[:TOP]
        entry: dict[str, Any] = {
            "df": df,
            "top": [n for score, at, section in best for n in (at, fold(-score, section))],
        }
        if df > TOP:
            by_page, page_scores, page_sections = zip(*scored, strict=True)
            flat = [0] * (2 * df)
            flat[0::2] = _gaps(list(by_page))
            flat[1::2] = map(operator.add, map(operator.mul, page_scores, repeat(SECTIONS)), page_sections)
            encoded = numbers(flat)
            size = len(stem_name) + len(encoded)
            if pack and pack_bytes + size > POSTINGS_BYTES:
                put_pack()
            if not pack:
                packs += 1
            pack[stem_name] = encoded
            pack_bytes += size
            entry["all"] = packs
        entries[stem_id] = entry
    put_pack()
    split = _split_prefixes(postings.surface, entries)
    by_key: dict[str, dict[str, int]] = {}
    for word, stem_id in postings.surface.items():
        by_key.setdefault(shard_key(word, split), {})[word] = stem_id
    starts: list[str] = []
    group: dict[str, int] = {}
    group_bytes = 0
    for key in sorted(by_key):
        size = len(_shard(by_key[key], postings.stems, entries))  # about what it adds to a shared file
        if group and group_bytes + size > WORDS_FILE_BYTES:
            put(f"words/w-{starts[-1]}.json", _shard(group, postings.stems, entries))
            group, group_bytes = {}, 0
        if not group:
            starts.append(key)
        group.update(by_key[key])
        group_bytes += size
    if group:
        put(f"words/w-{starts[-1]}.json", _shard(group, postings.stems, entries))

    facets: dict[str, dict[str, list[int]]] = {}
    for (facet, value), ids in postings.filters.items():
        facets.setdefault(_safe(facet), {}).setdefault(value, []).extend(ids)
    for facet, values in facets.items():
        by_value = {value: _gaps(sorted(set(values[value]))) for value in sorted(values)}
        put(f"filters/f-{facet}.json", _json(by_value))

    for name, file_digest in sorted(written):
        digest.update(name.encode() + b"\0" + file_digest)
    build = digest.hexdigest()[:16]
    staging_dir.rename(out / build)
    meta = {
        "version": FORMAT_VERSION,
        "build": build,
        "pages": count,
        "top": TOP,
        "group": GROUP,
        "split": sorted(split),
        "shards": starts,
        "filters": sorted(facets),
    }
    if postings.synonyms:
        meta["synonyms"] = postings.synonyms
    (out / "meta.json").write_bytes(_json(meta))


def _split_prefixes(surface: dict[str, int], entries: list[dict[str, Any]]) -> set[str]:
    """Two-letter prefixes whose shard would be over SHARD_BYTES: their words go by three letters."""
    sizes: Counter[str] = Counter()
    for word, stem_id in surface.items():
        # About what the word and its stem's entry add to the shard (the entry once per stem, roughly).
        sizes[word[:2]] += len(word) + 4 + (len(entries[stem_id]["top"]) * 4 + 20) // 2
    return {prefix for prefix, size in sizes.items() if size > SHARD_BYTES}


def _shard(words: dict[str, int], stem_names: list[str], entries: list[dict[str, Any]]) -> bytes:
    local: dict[int, int] = {}
    mapped = {word: local.setdefault(words[word], len(local)) for word in sorted(words)}
    return _json({"words": mapped, "stems": [{"s": stem_names[stem_id], **entries[stem_id]} for stem_id in local]})


def shard_file(key: str, starts: list[str]) -> str | None:
    """The words file holding ``key``'s words: the last of meta.json's ``shards`` at or before it (None: before all).

    search.js: ``shardFile``.
    """
    at = bisect.bisect_right(starts, key)
    return starts[at - 1] if at else None


def numbers(values: list[int]) -> str:
    """Numbers of 0 or more as a postings list stores them: each in base 32, most significant digit first, its
    last digit from DIGITS[32:] and any before it from DIGITS[:32] ([5, 33] -> "B1x"; search.js: ``numbers``)."""
    table = _NUMBERS
    if not values or max(values) < len(table):
        return "".join(map(table.__getitem__, values))
    return "".join([table[n] if n < len(table) else _number(n) for n in values])


def read_numbers(text: str) -> list[int]:
    """The numbers of a postings list (``numbers`` backwards)."""
    found, n = [], 0
    for char in text:
        digit = DIGITS.index(char)
        if digit < 32:
            n = n * 32 + digit
        else:
            found.append(n * 32 + digit - 32)
            n = 0
    return found


def _number(n: int) -> str:
    digits = [DIGITS[32 + n % 32]]
    n //= 32
    while n:
        digits.append(DIGITS[n % 32])
        n //= 32
    return "".join(reversed(digits))


_NUMBERS = [_number(n) for n in range(32 * 32 * 32)]  # every folded score and most gaps: three digits or fewer


def _gaps(ids: list[int]) -> list[int]:
    """Ascending page numbers as gaps, as the index stores lists of pages: [3, 5, 10] -> [3, 2, 5]."""
    return list(map(operator.sub, ids, [0, *ids[:-1]]))


def _safe(name: str) -> str:
    """A facet name as a file name (facets are slugs already; anything else is dropped)."""
    return re.sub(r"[^a-z0-9-]", "", name.lower()) or "facet"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")
