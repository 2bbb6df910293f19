"""Full-text search with facet filters: Pagefind, run over the built site.

Why Pagefind and not Material's lunr search (figures in CHANGELOG.md and the
issue note): lunr ships one index of the whole site that every reader's
browser downloads on its first page load, searching or not — it grows with
every story.  Pagefind splits its index into small compressed chunks and the
browser fetches only the chunks a query needs, and only when someone searches.

Pagefind indexes what the templates mark: ``data-pagefind-body`` on pages
worth finding (stories, sites, glossary, hand-written pages),
``data-pagefind-filter`` for the facets and ``data-pagefind-meta`` for what a
result shows.  It runs on the staging folder, before `carehub build` swaps it
in, so a failure here leaves the published site untouched like any other.

Only the marked pages are sent to Pagefind (through ``pagefind --service``,
one page at a time; ``--site`` reads every built file at once), stories
newest first: Pagefind numbers pages in the order it gets them, and a search
without words lists them in that order, so no sort index is needed.  Every
first query downloads the page table in ``pf_meta``; its fragment names are
shortened to keep it small (figures in bench/README.md).

Reproducibility: Pagefind 1.5 writes its filter index and metadata in hash
map order, which changes from run to run (Pagefind issue #638: fragments are
stable since 1.3, "other files will still change").  ``canonicalise`` rewrites
those two files with their entries sorted — same data, same format (gzipped
CBOR) — and renames them by content hash, so the same site gives the same
bytes.  Pagefind's own files come back in memory from the service and are
written here, so nothing is left half-written when it exits.  The CBOR codec
below covers exactly the types Pagefind writes.

Must not change any page: it only adds /pagefind/.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OUTPUT_SUBDIR = "pagefind"

# What Pagefind must not index inside a page's data-pagefind-body: the "¶"
# permalink Material adds to every heading (it would glue "¶" to the heading's
# last word: "did¶" on every story).
EXCLUDE_SELECTORS = (".headerlink",)

_BODY_MARK = b"data-pagefind-body"
_DATE_META = re.compile(rb'data-pagefind-meta="date:(\d{4}-\d{2}-\d{2})"')
_WINDOW = 16  # requests in flight to the Pagefind service: enough to keep it busy, little memory


def pagefind_executable() -> Path:
    """The Pagefind binary from the locked ``pagefind[bin]`` wheel (no download at build time)."""
    import pagefind_bin

    return Path(pagefind_bin.get_executable())


def searchable_pages(site_dir: Path, skip: frozenset[Path] | set[Path] = frozenset()) -> list[Path]:
    """The built pages marked ``data-pagefind-body``, in the order Pagefind should number them.

    Only these are indexed: listing pages (a third of the site) have no
    body mark, and Pagefind would otherwise read and parse every one of them
    again.  Stories come first, newest first and then by URL (the order of
    the all-stories listing), so a filter-only search lists them in that order
    without a sort index, which every reader's first query would download (two
    bytes a story).  Pages without a date follow, by URL.  Pages in ``skip``
    (already sent to Pagefind) are left out without being read again.
    """
    dated: list[tuple[tuple[int, tuple[str, ...]], Path]] = []
    undated: list[tuple[tuple[str, ...], Path]] = []
    bundle = site_dir / OUTPUT_SUBDIR
    for path in site_dir.rglob("*.html"):
        if path in skip or bundle in path.parents:
            continue
        data = path.read_bytes()
        if _BODY_MARK not in data:
            continue
        url = page_url(site_dir, path)
        found = _DATE_META.search(data)
        if found:
            dated.append((story_order(dt.date.fromisoformat(found.group(1).decode()), url), path))
        else:
            undated.append((_url_order(url), path))
    return [path for _, path in sorted(dated)] + [path for _, path in sorted(undated)]


def story_order(date: dt.date, url: str) -> tuple[int, tuple[str, ...]]:
    """Where a dated page (a story) goes in the index: newest first, then by URL.

    The plugin deals story pages out to its workers in this order too, so
    each can be sent to Pagefind as soon as it is written (Indexer.add).
    """
    return (-date.toordinal(), _url_order(url))


def _url_order(url: str) -> tuple[str, ...]:
    return tuple(url.split("/"))  # "a" before "a-b", as slugs sort


_HTML_TAG = re.compile(rb"<html\b[^>]*>")


def searchable_part(page: bytes) -> bytes:
    """The part of a built page Pagefind reads: its ``<html>`` tag (the language) and the marked element.

    Pagefind indexes only the element marked ``data-pagefind-body`` (and the
    filters, meta and sort marks inside it), so the header, navigation, footer
    and icons — three quarters of a story page's bytes — are cut here instead
    of being encoded, piped and parsed for nothing (about a third of the
    indexing step).  A page whose mark is not on a whole element is sent as it
    is.  ``tests/test_search_index.py`` checks that the bundle is the same
    bytes as indexing whole pages.
    """
    mark = page.find(_BODY_MARK)
    start = page.rfind(b"<", 0, mark)
    tag = page[start + 1 : page.find(b" ", start)] if start >= 0 else b""
    html = _HTML_TAG.search(page)
    if mark < 0 or start < 0 or not tag.isalpha() or html is None:
        return page
    close = b"</" + tag + b">"
    # The marked element's end: the first closing tag of its name after it that is not closing a nested one.
    depth, at = 0, start + 1
    opening = b"<" + tag
    while True:
        next_close = page.find(close, at)
        next_open = page.find(opening, at)
        if next_close < 0:
            return page
        if 0 <= next_open < next_close and page[next_open + len(opening) : next_open + len(opening) + 1] in b" >":
            depth += 1
            at = next_open + len(opening)
            continue
        if depth == 0:
            end = next_close + len(close)
            break
        depth -= 1
        at = next_close + len(close)
    return html.group(0) + b"<body>" + page[start:end] + b"</body></html>"


def page_url(site_dir: Path, path: Path) -> str:
    """The URL Pagefind gives a built file: directory URLs for ``index.html``, as with ``--site``."""
    relative = path.relative_to(site_dir)
    if relative.name == "index.html":
        folder = relative.parent.as_posix()
        return "/" if folder == "." else f"/{folder}/"
    return f"/{relative.as_posix()}"


def index_site(site_dir: Path) -> list[str]:
    """Index the searchable pages of ``site_dir`` into ``site_dir/pagefind``; returns problems (empty if none)."""
    indexer = Indexer(site_dir)
    problems = indexer.start()
    if problems:
        return problems
    return indexer.finish()


class Indexer:
    """Pagefind's service, fed pages while the rest of the site is still being rendered.

    Why: Pagefind reads and indexes each page on one core (about 2.4 ms a
    page); fed as the page workers finish (plugin.py, offload.py), that work
    overlaps theirs and only Pagefind's final index-building step is left
    after the last page.  ``add`` takes stories in the order ``searchable_pages``
    would give them (newest first, then by URL); ``finish`` adds every other
    searchable page, by URL, so the bundle is byte-for-byte what
    ``index_site`` makes of the finished site (tests/test_search_index.py).
    """

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._service: _Service | None = None
        self._index_id: object = None
        self._added: set[Path] = set()
        self._in_flight: list[Path] = []
        self.problems: list[str] = []

    def start(self) -> list[str]:
        """Start Pagefind; returns problems (empty when it is ready for pages)."""
        try:
            executable = pagefind_executable()
        except (ImportError, FileNotFoundError) as error:
            return [f"Pagefind is not installed ({error}); run scripts/build to refresh .venv."]
        try:
            self._service = _Service(executable)
            config = {"exclude_selectors": list(EXCLUDE_SELECTORS)}
            self._index_id = self._service.call({"type": "NewIndex", "config": config})["index_id"]
        except PagefindError as error:
            self.close()
            return [str(error)]
        return []

    def add(self, paths: Iterable[Path]) -> None:
        """Send these built pages (those marked for search) to Pagefind, keeping a few requests in flight."""
        service = self._service
        if service is None or self.problems:
            return
        try:
            for path in paths:
                try:
                    data = path.read_bytes()
                except FileNotFoundError:  # a page that failed to render: the build reports it and stops
                    continue
                if _BODY_MARK not in data:
                    continue
                self._added.add(path)
                service.send(
                    {
                        "type": "AddFile",
                        "index_id": self._index_id,
                        "url": page_url(self.site_dir, path),
                        "file_contents": searchable_part(data).decode("utf-8"),
                    }
                )
                self._in_flight.append(path)
                if len(self._in_flight) >= _WINDOW:
                    self._answer()
        except PagefindError as error:
            self.problems.append(str(error))

    def _answer(self) -> None:
        assert self._service is not None
        answer = self._service.receive()
        path = self._in_flight.pop(0)
        if answer["type"] == "Error":
            rel = path.relative_to(self.site_dir).as_posix()
            self.problems.append(f"{rel}: Pagefind could not index it: {answer['message']}")

    def finish(self) -> list[str]:
        """Add the searchable pages not added yet, write the bundle; returns problems (empty if none)."""
        try:
            if self._service is None:
                return self.problems or ["Pagefind was not started."]
            remaining = searchable_pages(self.site_dir, skip=self._added)
            if not remaining and not self._added:
                return ["No page is marked data-pagefind-body, so there is nothing to search."]
            self.add(remaining)
            try:
                while self._in_flight and not self.problems:
                    self._answer()
                if self.problems:
                    return self.problems
                # GetFiles, not WriteFiles: Pagefind answers WriteFiles before its
                # writes reach the disk, and exits mid-write when its input closes.
                files = self._service.call({"type": "GetFiles", "index_id": self._index_id})["files"]
            except PagefindError as error:
                return [*self.problems, str(error)]
        finally:
            self.close()
        return _write_bundle(self.site_dir, files)

    def close(self) -> None:
        """Stop Pagefind (also after a failed build); safe to call twice."""
        service, self._service = self._service, None
        if service is not None:
            service.close()


def _write_bundle(site_dir: Path, files: list[dict[str, Any]]) -> list[str]:
    bundle = site_dir / OUTPUT_SUBDIR
    shutil.rmtree(bundle, ignore_errors=True)  # no stale chunks from an earlier run
    contents = canonicalise({file["path"]: base64.b64decode(file["content"]) for file in files})
    folders: set[Path] = set()
    for name, data in sorted(contents.items()):
        target = bundle / name
        if bundle.resolve() not in target.resolve().parents:
            return [f"Pagefind returned a file outside its folder: {name!r}"]
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(data)
    return []


class PagefindError(Exception):
    """Pagefind's service answered with an error, or stopped."""


class _Service:
    """``pagefind --service``: Pagefind's own indexing API, spoken over a pipe.

    Pagefind answers requests one at a time in the order they arrive (base64
    JSON, each followed by a comma), so pages get numbers in the order we send
    them.  Why not the ``pagefind`` package's Python client: it waits 0.1 s
    before reading each answer, which is 8 minutes for 5,000 pages.
    """

    def __init__(self, executable: Path) -> None:
        # Pagefind's stderr goes to a file, not a pipe: nobody reads it until something went wrong.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self.process = subprocess.Popen(
                [str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors
            )
        except OSError as error:
            self.errors.close()
            raise PagefindError(f"Pagefind could not start ({executable}: {error.strerror}).") from error
        self.next_id = 0
        self.buffer = bytearray()

    def close(self) -> None:
        """Close Pagefind's input (it exits at the end of it) and wait for it; kill it after 30 s."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it may have stopped already
            self.process.stdin.close()  # Pagefind exits at the end of its input
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors.close()

    def send(self, payload: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        message = {"message_id": self.next_id, "payload": payload}
        self.next_id += 1
        try:
            self.process.stdin.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
        except BrokenPipeError:
            raise self.stopped() from None

    def receive(self) -> dict[str, Any]:
        """The next answer's payload (Pagefind's ``Error`` answers included)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self.stopped() from None
        scanned = 0  # the bundle's files come in one answer of tens of megabytes: look at new bytes only
        while (end := self.buffer.find(b",", scanned)) < 0:
            scanned = len(self.buffer)
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise self.stopped()
            self.buffer += chunk
        message = json.loads(base64.b64decode(bytes(self.buffer[:end])))
        del self.buffer[: end + 1]
        payload: dict[str, Any] = message["payload"]
        return payload

    def stopped(self) -> PagefindError:
        """Pagefind has gone: say how, with the end of what it wrote to stderr."""
        status = self.process.wait()
        self.errors.seek(0)
        said = self.errors.read().decode("utf-8", "replace").strip()[-2000:]
        return PagefindError(f"Pagefind stopped unexpectedly (exit status {status}). {said}".strip())

    def call(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return its answer; an error answer raises ``PagefindError``."""
        self.send(payload)
        answer = self.receive()
        if answer["type"] == "Error":
            raise PagefindError(f"Pagefind: {answer['message']}")
        return answer


_MAGIC = b"pagefind_dcd"


def canonicalise(files: dict[str, bytes]) -> dict[str, bytes]:
    """Pagefind's bundle (path in the bundle -> bytes) made reproducible and smaller; returns the new bundle.

    Sorts the filter and metadata files, names them by content hash, and
    gives fragments shorter names (see ``_fragment_names``).  Does not touch
    the disk: ``index_site`` writes the result once.
    """
    files = dict(files)
    entry = json.loads(files["pagefind-entry.json"])
    for language, info in sorted(entry["languages"].items()):
        meta = _decode_file(files.pop(f"pagefind.{info['hash']}.pf_meta"), "pf_meta")
        # [version, pages [[fragment name, word count]], index chunks, filters [[name, file hash]], sorts, meta fields]
        renamed = []
        for name, file_hash in meta[3]:
            content = _decode_file(files.pop(f"filter/{file_hash}.pf_filter"), "pf_filter")
            # [name, [[value, [page numbers]], ...]] with the values in hash-map order.
            content = [content[0], sorted(content[1], key=lambda pair: pair[0])]
            new_hash = f"{language}_{_digest(content)[:7]}"
            files[f"filter/{new_hash}.pf_filter"] = _encode_file(content)
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed, key=lambda pair: pair[0])
        meta[1] = _fragment_names(files, language, meta[1])
        new_meta_hash = f"{language}_{_digest(meta)[:10]}"
        files[f"pagefind.{new_meta_hash}.pf_meta"] = _encode_file(meta)
        info["hash"] = new_meta_hash
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return files


_FRAGMENT_NAME_DIGITS = 5


def _fragment_names(files: dict[str, bytes], language: str, pages: list[list[Any]]) -> list[list[Any]]:
    """Rename each page's fragment in ``files`` to a shorter hash of its content; returns the new page list.

    The page list is in pf_meta, which every first query downloads:
    Pagefind's names (``en_`` and 7 hex digits) are most of its 7 bytes a
    page gzipped.  Five hex digits (one in a million that a changed page
    keeps its old name, and so a stale cached copy) take a fifth off; a clash
    within the site takes one more digit, in page order, so the same site
    gets the same names.  Identical pages share one file, as in Pagefind.
    """
    prefix = f"fragment/{language}_"
    fragments = {name: files.pop(name) for name in [n for n in files if n.startswith(prefix)]}
    by_old_name: dict[str, str] = {}
    by_digest: dict[str, str] = {}
    renamed: list[list[Any]] = []
    for old_name, word_count in pages:
        if old_name not in by_old_name:
            data = fragments[f"fragment/{old_name}.pf_fragment"]
            digest = hashlib.sha256(data).hexdigest()
            if digest not in by_digest:
                size = _FRAGMENT_NAME_DIGITS
                while f"{prefix}{digest[:size]}.pf_fragment" in files:
                    size += 1
                by_digest[digest] = f"{language}_{digest[:size]}"
                files[f"fragment/{by_digest[digest]}.pf_fragment"] = data
            by_old_name[old_name] = by_digest[digest]
        renamed.append([by_old_name[old_name], word_count])
    return renamed


def _digest(value: Any) -> str:
    return hashlib.sha256(_encode(value)).hexdigest()


def _read(path: Path) -> Any:
    """A Pagefind data file (gzipped CBOR after a magic prefix) from disk."""
    return _decode_file(path.read_bytes(), path.name)


def _decode_file(compressed: bytes, what: str) -> Any:
    data = gzip.decompress(compressed)
    if not data.startswith(_MAGIC):
        raise ValueError(f"{what} is not a Pagefind data file")
    value, end = _decode(data, len(_MAGIC))
    if end != len(data):
        raise ValueError(f"{what} has trailing bytes")
    return value


def _encode_file(value: Any) -> bytes:
    return gzip.compress(_MAGIC + _encode(value), compresslevel=9, mtime=0)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR item (RFC 8949) from ``data`` at ``at``: ints, strings, bytes, arrays, maps, simple values."""
    initial = data[at]
    major, info = initial >> 5, initial & 0x1F
    at += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], at
        if info == 27:
            return struct.unpack(">d", data[at : at + 8])[0], at + 8
        raise ValueError(f"unsupported CBOR simple value {info}")
    if info < 24:
        argument = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite-length CBOR is not used by Pagefind")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 2:
        return bytes(data[at : at + argument]), at + argument
    if major == 3:
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(argument):
            key, at = _decode(data, at)
            mapping[key], at = _decode(data, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _encode(value: Any) -> bytes:
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")
