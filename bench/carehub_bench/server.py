"""Server: a built site served on localhost as GitHub Pages serves it, counting every byte sent.

As GitHub Pages does: text gzipped (level 6), ``Cache-Control: max-age=600``
on every file, and a 404 for a missing one (Lighthouse reads the headers).

Must not drive a browser or judge what was fetched: pages.py does.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

GZIP_LEVEL = 6
CACHE_CONTROL = "max-age=600"  # GitHub Pages' header for every file, hashed names or not
_COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".csv", ".wasm", ".map", ".mjs"}


class Counter:
    """The responses the server has sent since the last ``take``: path, status and body bytes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, int, int]] = []  # path, status, body bytes sent

    def add(self, path: str, status: int, sent: int) -> None:
        with self.lock:
            self.log.append((path, status, sent))

    def take(self) -> list[tuple[str, int, int]]:
        with self.lock:
            taken, self.log = self.log, []
        return taken


@contextlib.contextmanager
def serve_site(site: Path) -> Iterator[tuple[str, Counter]]:
    """Serve ``site`` on localhost with gzip for text, counting the body bytes of every response."""
    counter = Counter()
    cache: dict[Path, bytes] = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                counter.add(self.path, 404, 0)
                return
            body = path.read_bytes()
            encoded = "gzip" in self.headers.get("Accept-Encoding", "") and path.suffix in _COMPRESSIBLE
            if encoded:
                if path not in cache:
                    cache[path] = gzip.compress(body, GZIP_LEVEL, mtime=0)
                body = cache[path]
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", CACHE_CONTROL)
            if encoded:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the page moved on (a cancelled fetch)
                counter.add(self.path, 499, 0)
                return
            counter.add(self.path, 200, len(body))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counter
    finally:
        server.shutdown()
        server.server_close()


def quiet(counter: Counter, seen: list[tuple[str, int, int]], quiet_s: float = 1.0, limit_s: float = 20) -> None:
    """Wait until the server has had no request for ``quiet_s`` (or ``limit_s`` passed)."""
    start = last_change = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        new = counter.take()
        if new:
            seen.extend(new)
            last_change = time.perf_counter()
        elif time.perf_counter() - last_change >= quiet_s:
            return
        time.sleep(0.05)
