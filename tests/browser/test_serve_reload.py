"""Gate: `carehub serve` reloads an open page after an edit, within the page's Content-Security-Policy.

The real command is started on a free port over a small project; Chromium opens a story page, the story's
body is edited on disk, and the open page must reload by itself and show the new sentence, with no
Content-Security-Policy violation on the way (MkDocs' inline reload script would be one: render/preview.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..conftest import TODAY, make_project
from ..story_factory import story_text

SENTENCE = "The bag now carries a printed medicines list as well."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_served(url: str, limit_s: float = 300) -> None:
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"carehub serve did not serve {url} within {limit_s:.0f} s")


def test_an_open_page_reloads_with_the_edit(tmp_path: Path, browser: Any) -> None:
    story = "case-studies/red-bags.md"
    project = make_project(
        tmp_path,
        {
            story: story_text("Red bags travel with care home residents", body="A bag goes with each resident."),
            "case-studies/discharge-to-assess.md": story_text("Discharge to assess in south London"),
        },
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}/stories/red-bags/"
    env = {**os.environ, "CAREHUB_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "carehub", "--root", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    context = browser.new_context()
    try:
        _wait_until_served(url)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        with page.expect_response(lambda response: ".carehub-livereload.js" in response.url) as script:
            page.goto(url)
        assert script.value.status == 200
        page.wait_for_function("() => document.readyState === 'complete'")
        path = project / "stories" / story
        path.write_text(path.read_text(encoding="utf-8") + f"\n{SENTENCE}\n", encoding="utf-8")
        page.wait_for_function(f"() => document.body.innerText.includes({SENTENCE!r})", timeout=120_000)
        assert [p for p in problems if "Content Security Policy" in p] == []
    finally:
        context.close()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
