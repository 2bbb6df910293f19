"""Serve a built site over http://127.0.0.1:<free port> from a background thread.

Why not file:// URLs: search indexes, fetches and storage behave differently
from a real web server, and directory URLs (/stories/<slug>/) need index.html
resolution.  The standard library's server is enough for one reader.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _QuietHandler(SimpleHTTPRequestHandler):
    # Some servers guess .mjs/.wasm wrongly; browsers refuse module scripts
    # served with a non-JavaScript type, so name the types search tools use.
    extensions_map = {  # noqa: RUF012 - class attribute of the stdlib handler
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closes a connection early (navigating away) is not an error worth printing."""


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Yield the base URL (ending in "/") of ``directory`` served until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
