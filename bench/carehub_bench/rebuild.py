"""Rebuild: how long `carehub serve` takes from saving an edited story to serving its new text.

Must not edit anything but the one story, and must put it back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from carehub_bench.timing import PY


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_rebuild(project: Path, story: Path) -> dict[str, Any]:
    """Start `carehub serve`, edit one story, and time until the new text is served."""
    port = _free_port()
    slug = story.stem
    url = f"http://127.0.0.1:{port}/stories/{slug}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(
        [PY, "-m", "carehub", "--root", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    original = story.read_text(encoding="utf-8")
    try:
        start = time.perf_counter()
        first = _wait_for(url, None, limit_s=600)
        if first is None:
            return {"skipped": "carehub serve did not start"}
        startup = time.perf_counter() - start
        marker = f"Edited for the benchmark at {time.time_ns()}."
        story.write_text(original + f"\n{marker}\n", encoding="utf-8")
        edited = time.perf_counter()
        if _wait_for(url, marker, limit_s=600) is None:
            return {"skipped": "the edit never appeared"}
        return {"startup_s": round(startup, 2), "edit_to_served_s": round(time.perf_counter() - edited, 2)}
    finally:
        story.write_text(original, encoding="utf-8")
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(url: str, text: str | None, limit_s: float) -> str | None:
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = str(response.read().decode("utf-8", "replace"))
            if text is None or text in body:
                return body
        except OSError:
            pass
        time.sleep(0.1)
    return None
