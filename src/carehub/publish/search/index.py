"""Index: built pages turned into the search index, wherever they are rendered.

Two objects, so that the caller says which process does what (render/plugin.py
makes one ``Index`` in the parent and hands its ``reader()`` to every process
that renders pages; nothing here looks at processes):

- ``PageReader`` reads a rendered page (``take``, about a millisecond) into a
  small ``PageWords`` and keeps it until ``drain``; it writes the page's file
  itself when its number was reserved before rendering (stories).
- ``Index`` is handed the ``PageWords`` (``merge``), keeps the postings in
  compact arrays (a few bytes a word a page), and ``finish`` numbers the pages
  and has format.py write the words, postings and filters.

Pages are numbered stories first, newest first then by URL (the order of the
all-stories listing, so a filter-only search needs no sort index), then every
other searchable page by URL.  The result does not depend on where or in what
order pages were read: ``index_site`` over the finished site gives the same
bytes (tests/test_offload.py, tests/test_search_index.py).

Must not parse HTML (extract.py), split words (words.py) or lay out files (format.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import shutil
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from carehub.publish.search import format
from carehub.publish.search.extract import Record, page_url, read_page
from carehub.publish.search.words import Stemmer, normalise

OrderKey = tuple[bool, tuple[int, tuple[str, ...]]]

_BODY_MARK = b"data-search-body"


def story_order(date: dt.date, url: str) -> tuple[int, tuple[str, ...]]:
    """Where a dated page (a story) goes in the index: newest first, then by URL.

    The plugin deals story pages out to its workers in this order too, and
    numbers them so before forking (Index.reserve), so each worker writes
    its stories' page records under their final numbers.
    """
    return (-date.toordinal(), _url_order(url))


def _url_order(url: str) -> tuple[str, ...]:
    return tuple(url.split("/"))  # "a" before "a-b", as slugs sort


def _order_key(record: Record) -> OrderKey:
    date = record.meta.get("date")
    if date:
        try:
            return (False, story_order(dt.date.fromisoformat(date), "/" + record.url))
        except ValueError:
            pass
    return (True, (0, _url_order("/" + record.url)))


@dataclass(frozen=True)
class PageWords:
    """One page's contribution to the index, small enough to send from a page worker to the parent."""

    url: str
    key: OrderKey  # where the page goes in the numbering (_order_key)
    number: int | None  # its reserved number, when its page record is written already
    shown: bytes  # its page record (empty when written already)
    digest: bytes  # the page record's SHA-256
    counts: dict[str, int]  # stem -> weighted frequency
    sections: dict[str, int]  # stem -> the section holding it best (format.section_spans), when not 0
    length: int  # weighted number of words
    filters: tuple[tuple[str, str], ...]
    new_words: dict[str, str]  # words the Index may not know yet -> their stems


def _occurrences(text: str, needle: str) -> int:
    """How often ``needle`` occurs in ``text``, overlaps included ("a a" is twice in "a a a")."""
    found, at = 0, text.find(needle)
    while at >= 0:
        found += 1
        at = text.find(needle, at + 1)
    return found


def _phrase(keys: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """A synonym phrase's keys, and the text that finds it in a page's keys joined by spaces: padded with
    spaces, so it matches whole keys only (" mcp " is not in " mcps ")."""
    return keys, f" {' '.join(keys)} "


def _parts(record: Record) -> tuple[list[str], list[list[str]], list[int] | None]:
    """The words of a page's text, of each of its first format.SECTIONS sections (format.section_spans), and
    where each section's words begin among the text's (None when the text had to be split on its own).

    The text's words are the sections' words run together when every boundary is next to a space (no word can
    cross it), as extract.py makes them: each text is split once.
    """
    text = record.text
    spans = format.section_spans(record)
    cuts = [spans[0][0], *(start for start, _ in spans[1:])]
    parts = [normalise(text[start:end]) for start, end in spans[: format.SECTIONS]]
    if not all(at in (0, len(text)) or text[at - 1].isspace() or text[at].isspace() for at in cuts):
        return normalise(text), parts, None
    body = normalise(text[: spans[0][0]])
    starts = []
    for part in parts:
        starts.append(len(body))
        body += part
    if len(spans) > format.SECTIONS:
        body += normalise(text[spans[format.SECTIONS][0] :])
    return body, parts, starts


class _Windows:
    """Where each section's keys are in a page's body keys joined by spaces (PageReader._synonym_counts).

    A section's own joined keys, padded with a space each side, are exactly the body's text from the space
    before its first key to the space after its last, so a phrase found in the body's text at ``at`` is found
    in a section's text once for each time it lies wholly inside that section's stretch.
    """

    def __init__(self, body_keys: list[str], parts: list[list[str]], starts: list[int]) -> None:
        """``body_keys``: the key of each of the body's words, in order; ``starts``: the first word of each part."""
        self.begins: list[int] = []  # the padded stretch of each section with words, in order
        self.ends: list[int] = []
        self.numbers: list[int] = []
        # The body's text begins with a space, and each key is followed by one: word i's key is at 1 + before[i] + i.
        before = [0, *accumulate(map(len, body_keys))]
        for number, (start, part) in enumerate(zip(starts, parts, strict=True)):
            if not part:
                continue
            end = start + len(part)
            at = 1 + before[start] + start
            self.begins.append(at - 1)
            self.ends.append(at + before[end] - before[start] + len(part))
            self.numbers.append(number)

    def holding(self, at: int, length: int) -> int | None:
        """The section whose stretch holds the text found at ``at``, ``length`` long, if one does."""
        place = bisect.bisect_right(self.begins, at) - 1
        if place >= 0 and at + length <= self.ends[place]:
            return self.numbers[place]
        return None


class PageReader:
    """Reads rendered pages into ``PageWords`` in the process that rendered them, and keeps them until drained."""

    def __init__(
        self,
        staging_dir: Path,
        reserved: dict[str, int],
        synonyms: Sequence[Sequence[str]] = (),
        whole: bool = False,
    ) -> None:
        """``whole``: every page's words are sent whole (each ``PageWords`` can be merged without the others),
        for `carehub serve`, which indexes the site again with one page replaced (render/incremental.py)."""
        self._staging = staging_dir
        self._whole = whole
        self._reserved = reserved
        self._stem = Stemmer()
        # Each synonym group's phrases as sequences of stems, each with the text a page's joined keys are searched
        # for (" a e " for "A&E"), and the word standing for the group in the index.
        self._groups = [
            (format.synonym_word(number), [_phrase(tuple(self._phrase_key(w) for w in p.split())) for p in group])
            for number, group in enumerate(synonyms)
        ]
        # Each group's phrases' keys as sets: a phrase can occur on a page only if the page holds all its keys.
        self._group_keys = [[(frozenset(keys), needle) for keys, needle in phrases] for _, phrases in self._groups]
        self._phrase_keys: dict[str, str] = {}  # word -> _phrase_key(word), for every page this reader takes
        # Every phrase key is a word (no empty key): a phrase found in the body is then inside one section or
        # across a boundary, never in two (_Windows).
        self._placeable = all(all(keys) for _, phrases in self._groups for keys, _ in phrases)
        self._sent: set[str] = set()  # words whose stems went out already
        self._outbox: list[PageWords] = []

    def take(self, url: str, page: str) -> None:
        """Read a rendered page (``url`` relative to the site root) if it is marked for search."""
        record = read_page(url, page)
        if record is not None:
            self._outbox.append(self.words_of(record))

    def drain(self) -> list[PageWords]:
        """What this reader has taken since the last call, for ``Index.merge``."""
        taken, self._outbox = self._outbox, []
        return taken

    def _phrase_key(self, word: str) -> str:
        """A word as a synonym phrase is matched: its stem, and "mcps" as "mcp" (the stemmer keeps
        abbreviations' plurals apart, having no vowel to go by)."""
        stem = self._stem(word)
        if stem == word and word.endswith("s") and len(word) > 2:
            return self._stem(word[:-1])
        return stem

    def _synonym_counts(
        self,
        body: list[str],
        title: list[str],
        keywords: list[str],
        by_word: Counter[str],
        headings: list[str],
        parts: list[list[str]],
        starts: list[int] | None,
        sections: dict[str, int],
    ) -> Counter[str]:
        """How often each synonym group's phrases occur on the page (words next to each other, as stems; the
        title's count five times, the headings' three, as their words do), under the group's word: a search for
        any phrase of the group reads it.  The section where they occur most goes in ``sections``.

        ``starts``: where each of ``parts`` begins in ``body`` (from _parts), so a phrase found in the body is
        placed in its section by where it was found, instead of each section being searched again."""
        keys = self._phrase_keys
        for word in by_word.keys() - keys.keys():  # every word of the page but its own "0syn" ones (words_of)
            keys[word] = self._phrase_key(word)
        present = set(map(keys.__getitem__, by_word))
        counts: Counter[str] = Counter()
        texts: list[tuple[str, int]] | None = None
        windows: _Windows | None = None
        part_texts: list[str] | None = None  # without ``starts``: each section's keys joined the same way
        for (word, _), phrases in zip(self._groups, self._group_keys, strict=True):
            wanted = [needle for keys_of, needle in phrases if keys_of <= present]  # a subset, checked in C
            if not wanted:
                continue  # most pages: no phrase of the group can occur, so the text is not scanned
            if texts is None:  # the page's keys joined by spaces: a phrase is found by str.find, in C
                body_keys = list(map(keys.__getitem__, body))
                texts = [
                    (f" {' '.join(body_keys + list(map(keys.__getitem__, keywords)))} ", 1),
                    (f" {' '.join(map(keys.__getitem__, title))} ", format.TITLE_WEIGHT),
                    (f" {' '.join(map(keys.__getitem__, headings))} ", format.HEADING_WEIGHT - 1),  # in the body too
                ]
            if starts is not None and self._placeable:
                if windows is None:
                    windows = _Windows(body_keys, parts, starts)
                body_text = texts[0][0]
                in_part: Counter[int] = Counter()
                for needle in wanted:
                    at = body_text.find(needle)
                    while at >= 0:
                        counts[word] += 1
                        number = windows.holding(at, len(needle))
                        if number is not None:
                            in_part[number] += 1
                        at = body_text.find(needle, at + 1)
                for text, weight in texts[1:]:
                    for needle in wanted:
                        found = _occurrences(text, needle)
                        if found:
                            counts[word] += found * weight
                most, where = 0, 0
                for number in sorted(in_part):
                    if in_part[number] > most:
                        most, where = in_part[number], number
                if where:
                    sections[word] = where
                continue
            for text, weight in texts:
                for needle in wanted:
                    found = _occurrences(text, needle)
                    if found:
                        counts[word] += found * weight
            if part_texts is None:
                part_texts = [f" {' '.join(keys.get(w) or self._phrase_key(w) for w in part)} " for part in parts]
            most, where = 0, 0
            for number, joined in enumerate(part_texts):
                found = sum(_occurrences(joined, needle) for needle in wanted)
                if found > most:
                    most, where = found, number
            if where:
                sections[word] = where
        return counts

    def _best_sections(self, record: Record, parts: list[list[str]], stem_of: dict[str, str]) -> dict[str, int]:
        """For each stem, the section (``parts``: the words of each, from _parts) where it occurs most (a heading's
        words count HEADING_WEIGHT times; the first on a tie), when that is not section 0.  ``stem_of``: every
        word of the page's text -> its stem."""
        most: dict[str, int] = {}
        where: dict[str, int] = {}
        extra = format.HEADING_WEIGHT - 1
        for number, part in enumerate(parts):
            in_part = Counter(map(stem_of.__getitem__, part))  # counted in C: this sees every word of the page
            if not number:
                most = dict(in_part)  # section 0 holds each of its stems best so far, and is left out below
                continue
            for word in normalise(record.sections[number - 1][2]):
                in_part[stem_of.get(word) or self._stem(word)] += extra
            get = most.get
            for stem in [stem for stem, tf in in_part.items() if tf > get(stem, 0)]:
                most[stem] = in_part[stem]
                where[stem] = number
        return where

    def words_of(self, record: Record) -> PageWords:
        """Count a page's stems, and write its page record if its number is reserved."""
        # Counted by word first (Counter runs in C), then each distinct word stemmed once.
        body, parts, starts = _parts(record)
        title = normalise(record.title)
        keywords = normalise(" ".join(record.keywords))
        by_word = Counter(body)
        by_word.update(keywords)
        for word in title:
            by_word[word] += format.TITLE_WEIGHT - 1
        headings = normalise(" ".join(record.headings))
        for word in headings:
            by_word[word] += format.HEADING_WEIGHT - 1  # a heading is in the text already: the extra times
        stem_of: dict[str, str] = {}
        if f" {format.SYNONYM_PREFIX}" in " " + " ".join(by_word):  # words are [a-z0-9]+: found in C
            for word in [word for word in by_word if word.startswith(format.SYNONYM_PREFIX)]:
                del by_word[word]  # a page's own "0syn3" is not the synonym group's word
                stem_of[word] = ""  # nor a stem of it
                if word not in self._phrase_keys:  # though its words are still next to each other in the text
                    self._phrase_keys[word] = self._phrase_key(word)
        words, tfs = list(by_word), list(by_word.values())
        stems = self._stem.all(words)
        stem_of.update(zip(words, stems, strict=True))
        counts = dict(zip(stems, tfs, strict=True))  # in the order each stem is first met, as a Counter would hold them
        if len(counts) < len(words):  # words sharing a stem: their frequencies are added up
            counts = dict.fromkeys(counts, 0)
            for stem, tf in zip(stems, tfs, strict=True):
                counts[stem] += tf
        if self._whole:
            new_words = dict(zip(words, stems, strict=True))
        else:
            sent = self._sent
            new_words = {word: stem for word, stem in zip(words, stems, strict=True) if word not in sent}
            sent.update(new_words)
        sections = self._best_sections(record, parts, stem_of)
        if self._groups:
            synonyms = self._synonym_counts(body, title, keywords, by_word, headings, parts, starts, sections)
            for word, tf in synonyms.items():
                counts[word] = counts.get(word, 0) + tf
                if self._whole or word not in self._sent:
                    self._sent.add(word)
                    new_words[word] = word
        data = format.page_file(record)
        number = self._reserved.get(record.url)
        if number is not None:
            format.page_path(self._staging, number).write_bytes(data)
        return PageWords(
            url=record.url,
            key=_order_key(record),
            number=number,
            shown=b"" if number is not None else data,
            digest=hashlib.sha256(data).digest(),
            counts=dict(counts),
            sections={stem: number for stem, number in sections.items() if stem in counts},
            length=len(body)
            + len(keywords)
            + (format.TITLE_WEIGHT - 1) * len(title)
            + (format.HEADING_WEIGHT - 1) * len(headings),
            filters=record.filters,
            new_words=new_words,
        )


class Index:
    """The index of one site being built: handed every page's words, then written in one go."""

    def __init__(self, site_dir: Path, synonyms: Iterable[Iterable[str]] = ()) -> None:
        """``synonyms``: groups of phrases a search treats as each other (check/synonyms.py: search_groups)."""
        self.site_dir = site_dir
        self._synonyms = synonym_groups(synonyms)
        self.out = site_dir / format.OUTPUT_SUBDIR
        self._staging = format.staging(self.out)
        self._reserved: dict[str, int] = {}
        self._stems: dict[str, int] = {}  # stem -> its number
        self._surface: dict[str, int] = {}  # every word seen -> its stem's number
        self._docs: list[array[int]] = []  # per stem: page numbers
        self._tfs: list[array[int]] = []  # per stem: weighted term frequency in that page
        self._sections: list[array[int]] = []  # per stem: the section of that page holding it best
        # Per page: order key, length, filter numbers, digest of its page record.  Filters are numbered once, so
        # a page holds a few integers for them rather than its own (facet, value) pairs.
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
        """Number these pages now, in this order (stories, newest first: story_order), before any reader starts.

        A reader then writes each one's page record as soon as it is rendered,
        instead of sending its text on.
        """
        self._reserved = {url: number for number, url in enumerate(urls)}

    def reader(self, whole: bool = False) -> PageReader:
        """A reader for this index's pages (after ``start`` and ``reserve``): one for each process that renders."""
        return PageReader(self._staging, self._reserved, self._synonyms, whole)

    def merge(self, taken: Iterable[PageWords]) -> None:
        """Add pages read by a reader, in this process or another, to the postings."""
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
                format.page_path(self._staging, number).write_bytes(words.shown)
            filter_ids = self._filter_ids
            numbered = array("I", (filter_ids.setdefault(pair, len(filter_ids)) for pair in words.filters))
            self._pages[number] = (words.key, words.length, numbered, words.digest)
            for word, stem in words.new_words.items():
                if word not in surface:
                    surface[word] = self._stem_number(stem)
            sections = words.sections
            for stem, tf in words.counts.items():
                stem_id = stems.get(stem)
                if stem_id is None:
                    stem_id = self._stem_number(stem)
                self._docs[stem_id].append(number)
                self._tfs[stem_id].append(min(tf, 65535))
                self._sections[stem_id].append(sections.get(stem, 0))

    def _stem_number(self, stem: str) -> int:
        stem_id = self._stems.get(stem)
        if stem_id is None:
            stem_id = self._stems[stem] = len(self._docs)
            self._docs.append(array("I"))
            self._tfs.append(array("H"))
            self._sections.append(array("B"))
        return stem_id

    def add(self, paths: Iterable[Path]) -> None:
        """Index these built pages, read from disk (those not marked for search are left out)."""
        reader = self.reader()
        for path in paths:
            reader.take(page_url(self.site_dir, path), path.read_text("utf-8"))
            self.merge(reader.drain())

    def finish(self) -> list[str]:
        """Write the index of the pages merged so far; returns problems (empty if none)."""
        problems: list[str] = []
        try:
            missing = sorted(url for url, number in self._reserved.items() if number not in self._pages)
            if missing:
                problems.append(f"{len(missing)} page(s) were not indexed, for example {missing[0]}.")
            elif not self._pages:
                problems.append("No page is marked data-search-body, so there is nothing to search.")
            else:
                format.write(self.out, self._postings())
        except OSError as error:
            problems.append(f"{self.out}: could not write the search index ({error.strerror or error}).")
        if problems:
            self.close()
        return problems

    def close(self) -> None:
        """Drop a half-made index (after a failed build); safe to call twice."""
        shutil.rmtree(self.out, ignore_errors=True)

    def _postings(self) -> format.Postings:
        """The pages in their final order (``story_order``, then the rest by URL), for format.write."""
        pages = self._pages
        numbers = sorted(pages)
        order = sorted(numbers, key=lambda n: (pages[n][0], n))
        place = [0] * (numbers[-1] + 1)  # a page's place in the index, by the number it was taken with
        for position, number in enumerate(order):
            place[number] = position
        pairs = sorted(self._filter_ids, key=self._filter_ids.__getitem__)
        filters: dict[tuple[str, str], list[int]] = {}
        for number in numbers:
            for filter_id in pages[number][2]:
                filters.setdefault(pairs[filter_id], []).append(place[number])
        return format.Postings(
            order=order,
            place=place,
            lengths=[pages[number][1] for number in order],
            digests=[pages[number][3] for number in order],
            stems=sorted(self._stems, key=self._stems.__getitem__),
            docs=self._docs,
            tfs=self._tfs,
            sections=self._sections,
            surface=self._surface,
            filters=filters,
            synonyms=self._synonyms,
        )


def synonym_groups(groups: Iterable[Iterable[str]]) -> list[list[str]]:
    """Groups of phrases as the index keeps them: each phrase as its words joined by spaces, as search.js splits
    a query ("A&E" is "a e"); a phrase once, groups of one dropped."""
    kept: list[list[str]] = []
    for group in groups:
        phrases = list(dict.fromkeys(" ".join(normalise(phrase)) for phrase in group))
        phrases = [phrase for phrase in phrases if phrase]
        if len(phrases) > 1:
            kept.append(phrases)
    return kept


def searchable_pages(site_dir: Path) -> list[Path]:
    """The built pages marked ``data-search-body``, by path."""
    bundle = site_dir / format.OUTPUT_SUBDIR
    found = []
    for path in site_dir.rglob("*.html"):
        if bundle in path.parents:
            continue
        if _BODY_MARK in path.read_bytes():
            found.append(path)
    return sorted(found)


def index_site(site_dir: Path, synonyms: Iterable[Iterable[str]] = ()) -> list[str]:
    """Index the searchable pages of ``site_dir`` into ``site_dir/search-index``; returns problems."""
    index = Index(site_dir, synonyms)
    problems = index.start()
    if problems:
        return problems
    try:
        index.add(searchable_pages(site_dir))
    except OSError as error:
        index.close()
        return [f"{index.out}: could not read the built pages ({error.strerror or error})."]
    return index.finish()
