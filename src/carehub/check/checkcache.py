"""The cache of `carehub check`: each story file's own results, kept between runs as ruff and mypy keep theirs.

What is kept, for each story file (by its path in the repository): a hash of its bytes and the results that
depend only on those bytes and on the project's data: its problems, the links and files it refers to, and the
range of today's dates over which "a date in the future" gives the same answer.  The data files' own problems
(vocabularies, sites, glossary) are kept under a hash of all of them.  Every story entry is tied to a key of
what a story's results depend on beyond its bytes: the vocabularies file and the ids of the valid sites.

What is never kept: anything that depends on other story files or on what else exists (two files with one
slug, links to stories and files that must exist).  Those are worked out again on every run, from the kept
references (checker.py).

All of it is tied to the checker's version: carehub's version, a hash of its own source files, Python's
version and the installed distributions, so changed code or a new pydantic never reads old results.

The files, in `.cache/carehub/check/` under the project root: `data.marshal` for the data files, and the story
entries spread over 16 `files-NN.marshal` by a hash of their path, so that checking one file (a pre-commit
hook) reads and writes a sixteenth of them.  Each is a checksum, then Python's marshal format (plain
lists, dicts, text and numbers: the fastest to read, and loading it runs no code), written to a temporary
file and renamed into place, so two runs at once cannot leave half a file.  Reading never fails a run: a
file that is missing, unreadable, corrupt (the checksum says so) or from another version is ignored and
rewritten.  Standard library only: a check whose files all come from the cache imports neither YAML,
pydantic nor the content model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from carehub import __version__
from carehub.problems import Problem

try:  # hashlib would load OpenSSL first (2 ms); blake2 is built into CPython
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b

CACHE_DIR = ".cache/carehub/check"
DATA_FILE = "data.marshal"
SHARDS = 16
FORMAT = 1  # the layout of the entries; bump when it changes
ENV_DISABLE = "CAREHUB_NO_CACHE"

_SEVERITIES = ("error", "warning")
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n# A cache directory made by carehub (https://bford.info/cachedir/).\n"
)


def disabled_by_environment() -> bool:
    """CAREHUB_NO_CACHE set to anything but empty or 0 turns the caches off, like --no-cache.

    One switch for both of carehub's caches: this one and the build's rendered pages (rendercache.py).
    """
    return os.environ.get(ENV_DISABLE, "") not in ("", "0")


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def checker_version(package: Path | None = None) -> str:
    """What a cached result was made by: a new carehub, an edit to its code or a new dependency changes it."""
    h = blake2b(digest_size=16)
    h.update(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    folder = package or Path(__file__).parent.parent
    for source in sorted(folder.rglob("*.py")):
        h.update(source.relative_to(folder).as_posix().encode() + b"\0" + source.read_bytes())
    # The distributions installed beside pydantic, PyYAML and nh3 (their names carry their versions).
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")) and Path(entry).is_dir():
            h.update(entry.encode() + b"\0")
            h.update("\0".join(sorted(p.name for p in Path(entry).glob("*.dist-info"))).encode())
    return h.hexdigest()


def shard_file(shard: int) -> str:
    return f"files-{shard:02d}.marshal"


def shard_of(rel: str) -> int:
    """Which of the SHARDS files holds a story's entry: the same for a path on every run and machine."""
    return blake2b(rel.encode(), digest_size=1).digest()[0] % SHARDS


def read(path: Path, checker: str) -> dict[str, Any]:
    """One cache file written for ``checker``, or an empty dict when there is none that can be trusted."""
    try:
        with open(path, "rb") as file:  # noqa: PTH123
            raw = file.read()
        if raw[:32] != digest(raw[32:]).encode():
            return {}
        content = marshal.loads(raw[32:])
    except (OSError, ValueError, EOFError, TypeError):  # missing, unreadable, not marshal data
        return {}
    if not isinstance(content, dict) or content.get("format") != FORMAT or content.get("checker") != checker:
        return {}
    return content


def write(folder: Path, name: str, content: dict[str, Any]) -> None:
    """Write one cache file atomically; one that cannot be written is left alone (the run does not fail)."""
    temporary = folder / f"{name}.{os.getpid()}.tmp"
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            # Never committed, even in a copy of the project without our .gitignore; skipped by backup tools.
            (folder / ".gitignore").write_text("*\n", encoding="utf-8")
            (folder / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
        payload = marshal.dumps(content)
        temporary.write_bytes(digest(payload).encode() + payload)
        temporary.replace(folder / name)
    except (OSError, ValueError):  # ValueError: something marshal cannot write (a bug, never the user's)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


class Store:
    """The cache files of one project for one checker version: each read when first needed, and written
    back only if something in it changed."""

    def __init__(self, root: Path, checker: str) -> None:
        self.folder = root / CACHE_DIR
        self.checker = checker
        self.context = ""  # what story entries were made with beyond their bytes; set before entries are read
        self.data = read(self.folder / DATA_FILE, checker)
        self.data_changed = False
        self._files: dict[int, dict[str, Any]] = {}
        self._changed: set[int] = set()

    def entry(self, rel: str) -> dict[str, Any]:
        """A story's entry, or {} if there is none."""
        shard = shard_of(rel)
        files = self._files.get(shard)
        if files is None:
            content = read(self.folder / shard_file(shard), self.checker)
            files = content.get("files") if content.get("context") == self.context else None
            self._files[shard] = files = files if isinstance(files, dict) else {}
        entry = files.get(rel)
        return entry if isinstance(entry, dict) else {}

    def put(self, rel: str, entry: dict[str, Any]) -> None:
        self.entry(rel)  # read its file first, so that the other entries in it are kept
        shard = shard_of(rel)
        self._files[shard][rel] = entry
        self._changed.add(shard)

    def keep_only(self, existing: set[str]) -> None:
        """Forget the entries (in the files read so far) of story files that no longer exist."""
        for shard, files in self._files.items():
            gone = [rel for rel in files if rel not in existing]
            for rel in gone:
                del files[rel]
            if gone:
                self._changed.add(shard)

    def save(self) -> None:
        if self.data_changed:
            write(self.folder, DATA_FILE, {**self.data, "format": FORMAT, "checker": self.checker})
        for shard in sorted(self._changed):
            content = {"format": FORMAT, "checker": self.checker, "context": self.context, "files": self._files[shard]}
            write(self.folder, shard_file(shard), content)


# -- plain data in and out ----------------------------------------------------------------


def problems_to_data(problems: Iterable[Problem]) -> list[list[Any]]:
    return [[p.file, p.line, p.column, p.code, p.severity, p.message, p.hint] for p in problems]


def problems_from_data(items: Any) -> list[Problem] | None:
    """Problems read back from the cache, or None if anything about them is not as written."""
    if not isinstance(items, list):
        return None
    problems = []
    for item in items:
        if not (
            isinstance(item, list)
            and len(item) == 7
            and isinstance(item[0], str)
            and type(item[1]) is int
            and type(item[2]) is int
            and item[4] in _SEVERITIES
            and all(isinstance(text, str) for text in (item[3], item[5], item[6]))
        ):
            return None
        problems.append(Problem(*item))
    return problems


def date_window(dates: Iterable[dt.date], today: dt.date) -> list[str | None]:
    """The dates ``today`` may move between without changing which of ``dates`` are in the future:
    from the latest that is not (inclusive) to the earliest that is (exclusive), as ISO text."""
    past = [d for d in dates if d <= today]
    future = [d for d in dates if d > today]
    return [max(past).isoformat() if past else None, min(future).isoformat() if future else None]


def in_window(window: Any, today: str) -> bool:
    """Whether ``today`` (ISO text, which sorts as dates do) is inside a window from :func:`date_window`."""
    if not (isinstance(window, list) and len(window) == 2):
        return False
    start, end = window
    return (start is None or (isinstance(start, str) and today >= start)) and (
        end is None or (isinstance(end, str) and today < end)
    )
