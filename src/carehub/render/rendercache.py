"""Markdown already turned into HTML by an earlier build, kept in ``.cache/carehub/pages/``.

Why: rendering Markdown was the largest single cost of a build, and between
two builds on one machine — every rebuild of `carehub serve`, a second
`carehub build` — almost every story is unchanged.
So the HTML of each page's Markdown is kept under a key made of everything
that can change it, and the next build reuses it.  A cold build (a fresh
clone, CI without a restored cache, ``CAREHUB_NO_CACHE=1``) renders
everything and is byte-for-byte the same (tests/test_rendercache.py).

The key: this file's format, the versions of carehub, MkDocs,
Python-Markdown and cmark-gfm (story bodies, storybody.py), the Markdown
extensions and their settings (the glossary's abbreviations among them, which
story bodies use too), the page's source path and URL (MkDocs rewrites
relative links from them), the Markdown text itself, and — only for pages
with relative links, whose rewriting depends on which files exist — the list
of every file in the site.  The value: the HTML, the table of contents, the
title, the anchors, the anchor links to check, and the warnings MkDocs logged
while rendering (replayed on a hit, so `strict` sees the same warnings).

What is cached is the Markdown's HTML *before* the plugin's sanitiser runs:
nh3 still cleans every story on every build.  Entries are JSON files written
atomically; an unreadable entry is a miss.  Old entries are pruned when the
cache holds more than twice the pages of the build.

Must not know about stories or templates.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "1"
SUBDIR = Path(".cache") / "carehub" / "pages"

# A Markdown link or image whose target is relative (not /…, not scheme:, not #…): MkDocs resolves it
# against the site's files, so the page's HTML also depends on which files exist.
_NOT_RELATIVE = r"(?![\s<]|[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)"  # whitespace and < excluded, so no backtracking around
_RELATIVE_LINK = re.compile(rf"\]\(\s*<?{_NOT_RELATIVE}|^\s*\[[^\]]+\]:\s*<?{_NOT_RELATIVE}", re.MULTILINE)


@dataclass(frozen=True)
class Rendered:
    """What ``Page.render`` leaves on a page, in plain data."""

    html: str
    toc_tokens: list[dict[str, Any]]
    title: str | None
    anchors: list[str]
    anchor_links: dict[str, dict[str, str]]  # target src_uri -> {anchor: original link}
    warnings: list[tuple[str, int, str]]  # (logger, level, message) logged while rendering


class RenderCache:
    """One per build; shared by the worker processes (each reads and writes its own entries)."""

    def __init__(self, root: Path, salt: str, all_files: Iterable[str]) -> None:
        self.directory = root / SUBDIR
        self._salt = salt
        self._files_digest = hashlib.sha256("\n".join(sorted(all_files)).encode()).hexdigest()
        self.started = time.time()

    def key(self, src_uri: str, url: str, markdown: str) -> str:
        digest = hashlib.sha256()
        for part in (FORMAT, self._salt, src_uri, url):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        if _RELATIVE_LINK.search(markdown):
            digest.update(self._files_digest.encode() + b"\0")
        digest.update(markdown.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Rendered | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_bytes())
            rendered = Rendered(
                html=data["html"],
                toc_tokens=data["toc_tokens"],
                title=data["title"],
                anchors=data["anchors"],
                anchor_links=data["anchor_links"],
                warnings=[(str(n), int(lv), str(m)) for n, lv, m in data["warnings"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # still in use: kept by prune()
        return rendered

    def put(self, key: str, rendered: Rendered) -> None:
        path = self._path(key)
        data = json.dumps(
            {
                "html": rendered.html,
                "toc_tokens": rendered.toc_tokens,
                "title": rendered.title,
                "anchors": rendered.anchors,
                "anchor_links": rendered.anchor_links,
                "warnings": rendered.warnings,
            },
            ensure_ascii=False,
        ).encode("utf-8", "surrogatepass")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(path)
        except OSError:  # a read-only or full disk: the build goes on without caching
            return

    def prune(self, pages: int) -> int:
        """Delete entries this build did not use, once there are more than twice ``pages``; returns how many."""
        entries = list(self.directory.glob("*/*.json"))
        if len(entries) <= 2 * pages:
            return 0
        removed = 0
        for entry in entries:
            try:
                if entry.stat().st_mtime < self.started - 1:
                    entry.unlink()
                    removed += 1
            except OSError:
                continue
        return removed
