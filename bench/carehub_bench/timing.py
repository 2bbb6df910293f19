"""Timing: one command run and measured as the benchmark measures it (wall, CPU, the process tree's memory).

Must not know what is run (carehub, MkDocs, a check) or write any figure: callers decide what a run means.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PY = sys.executable


@dataclass
class Timed:
    wall_s: float
    cpu_s: float
    max_rss_mb: float  # the largest single process (getrusage of the child)
    tree_rss_mb: float  # the whole process tree, sampled every 50 ms (shared pages counted in every process)
    tree_pss_mb: float  # the same, proportional set size: a page shared by n processes counts 1/n in each
    returncode: int
    output: str = field(repr=False, default="")


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of ``pid`` and all its descendants, in KB.

    RSS counts a page once in every process that maps it, so forked workers
    sharing the parent's memory copy-on-write look several times bigger than
    they are; PSS divides each shared page among its sharers and adds up to the
    memory the tree really holds.  Both are reported.
    """
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with Path(f"/proc/{current}/smaps_rollup").open() as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with Path(f"/proc/{current}/task/{current}/children").open() as children:
                stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timed:
    """Run ``command`` and measure it: wall, CPU (user + system, children included) and memory."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.wait(0.05):
            rss, pss = _tree_memory_kb(process.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Timed(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=max(peak, usage.ru_maxrss) / 1024,
        tree_pss_mb=peak_pss / 1024,
        returncode=process.returncode,
        output=output,
    )


def must(timed: Timed, what: str) -> Timed:
    if timed.returncode != 0:
        raise SystemExit(f"{what} failed (exit {timed.returncode}):\n{timed.output[-3000:]}")
    return timed


def median(values: list[float]) -> float:
    """The median, rounded to milliseconds as every figure is."""
    return round(statistics.median(values), 3)
