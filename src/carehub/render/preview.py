"""PreviewServer: MkDocs' live-reload server, with its reload script served as a file the pages' policy allows.

MkDocs' ``LiveReloadServer`` serves a folder, watches paths, calls a builder
after a change and makes open pages reload.  It does the last by adding an
inline ``<script>`` to every HTML page it serves; every carehub page carries a
Content-Security-Policy that allows only the site's own script files and
hashed inline scripts (publish/csp.py), so the browser refuses it and never
reloads.  Here the page gets ``<script src="/.carehub-livereload.js?…">``
instead, and the server answers that address with MkDocs' own script:
scripts from the site itself are allowed, and so is the script's request to
``/livereload/…`` (``connect-src 'self'``).  The files on disk are unchanged.

Relies on MkDocs 1.6.1's private ``_inject_js_into_html``, ``_serve_request``
and ``_SCRIPT_TEMPLATE``: the pin in pyproject.toml is exact.

Must not build or change the site (render/incremental.py does), or weaken any page's policy.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from mkdocs import livereload

SCRIPT = ".carehub-livereload.js"


class PreviewServer(livereload.LiveReloadServer):
    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        query = urllib.parse.urlencode({"epoch": epoch, "request": time.monotonic_ns()})
        tag = f'<script src="{self.mount_path}{SCRIPT}?{query}"></script>'.encode()
        end = content.rfind(b"</body>")
        end = len(content) if end < 0 else end
        return content[:end] + tag + content[end:]

    def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        if environ.get("PATH_INFO") == f"{self.mount_path}{SCRIPT}":
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            try:
                epoch, request = int(query["epoch"][0]), int(query["request"][0])
            except (KeyError, ValueError):
                return None  # not found
            body = livereload._SCRIPT_TEMPLATE.substitute(epoch=epoch, request_id=request).encode()
            headers = [("Content-Type", "text/javascript"), ("Content-Length", str(len(body)))]
            start_response("200 OK", headers)
            return [body]
        served: Iterable[bytes] | None = super()._serve_request(environ, start_response)
        return served
