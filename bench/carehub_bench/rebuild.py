"""Rebuild: how long `carehub serve` takes from saving an edited story to serving its new text.

Five edits that append a sentence to the story's body (the figure is their median), then one that changes its
title (which changes listings, related stories, feeds and open data too).  Each rebuild's own breakdown (check,
plan, render, publish) is read from the line `carehub serve` prints after it (render/incremental.py).

Must not edit anything but the one story, and must put it back.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from carehub_bench.timing import PY

EDITS = 5
_REBUILT = re.compile(
    r"carehub serve: rebuilt (?P<what>.+?) in (?P<total>[\d.]+) s \(check (?P<check>[\d.]+), plan (?P<plan>[\d.]+), "
    r"render (?P<render>[\d.]+), publish (?P<publish>[\d.]+)\)"
)
_STEPS = ("total", "check", "plan", "render", "publish")
_TITLE = re.compile(r"^title: .*$", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Log:
    """The lines `carehub serve` prints, read on a thread so its pipe never fills."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def rebuilds(self) -> list[dict[str, Any]]:
        found = []
        for line in list(self.lines):
            match = _REBUILT.search(line)
            if match:
                found.append({"what": match["what"], **{step: float(match[step]) for step in _STEPS}})
        return found

    def wait_for_rebuilds(self, count: int, limit_s: float) -> list[dict[str, Any]]:
        start = time.perf_counter()
        while time.perf_counter() - start < limit_s:
            found = self.rebuilds()
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.rebuilds()


def serve_rebuild(project: Path, story: Path, edits: int = EDITS) -> dict[str, Any]:
    """Start `carehub serve`, edit one story ``edits`` times and then its title, timing each until served."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/stories/{story.stem}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(
        [PY, "-m", "carehub", "--root", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    log = _Log(process.stdout)
    original = story.read_text(encoding="utf-8")
    try:
        start = time.perf_counter()
        if _wait_for(url, None, limit_s=600) is None:
            return {"skipped": "carehub serve did not start", "log": log.lines[-20:]}
        startup = time.perf_counter() - start
        times: list[float] = []
        for number in range(edits):
            marker = f"Edited for the benchmark at {time.time_ns()}."
            story.write_text(original + f"\n{marker}\n", encoding="utf-8")
            edited = time.perf_counter()
            if _wait_for(url, marker, limit_s=600) is None:
                return {"skipped": "the edit never appeared", "log": log.lines[-20:]}
            times.append(round(time.perf_counter() - edited, 2))
            # The search index and the rest written too, before the next edit (an older carehub prints no such
            # line: after the first edit, nothing to wait for).
            if number == 0 or log.rebuilds():
                log.wait_for_rebuilds(number + 1, limit_s=60 if number == 0 else 120)
        body = log.rebuilds()[:edits]
        title = f"Retitled for the benchmark {time.time_ns()}"
        story.write_text(_TITLE.sub(f"title: {title}", original, count=1), encoding="utf-8")
        edited = time.perf_counter()
        retitled = _wait_for(url, title, limit_s=600)
        title_s = round(time.perf_counter() - edited, 2) if retitled is not None else None
        after = log.wait_for_rebuilds(edits + 1, limit_s=120) if body else []
        return {
            "startup_s": round(startup, 2),
            "edit_to_served_s": round(statistics.median(times), 2),
            "edit_to_served_each_s": times,
            "edit_breakdown_s": {step: round(statistics.median(r[step] for r in body), 3) for step in _STEPS}
            if body
            else None,
            "title_edit_to_served_s": title_s,
            "title_edit_breakdown_s": after[edits] if len(after) > edits else None,
        }
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
        time.sleep(0.02)
    return None
