"""Checks: `carehub check` on one corpus, cold, warm, and on one file as a pre-commit hook runs it.

Must not build sites; it leaves the corpus as it found it (the edited story is put back, the cache removed).
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from carehub_bench.timing import PY, median, must, run


def check_figures(n: int, ours: Path, one: Path, quick: bool) -> dict[str, Any]:
    """The check figures of the ``n``-story project ``ours``; ``one`` is the story checked on its own."""
    carehub = [PY, "-m", "carehub", "--root", str(ours)]
    # Python's bytecode cache on, as by default: with PYTHONDONTWRITEBYTECODE set (some shells and CI set it)
    # every run would compile carehub's modules again, which no contributor's pre-commit hook does.
    python_env = {"PYTHONDONTWRITEBYTECODE": ""}
    check: dict[str, Any] = {}
    # Cold: every file read and validated (--no-cache), as a first check or CI without a cache does.
    for jobs in (1, 2):
        command = [*carehub, "check", "--no-cache", "--jobs", str(jobs)]
        timings = [must(run(command, ours, python_env), "carehub check") for _ in range(1 if quick else 2)]
        best = min(timings, key=lambda t: t.wall_s)
        check[f"jobs{jobs}"] = {
            "wall_s": round(best.wall_s, 3),
            "cpu_s": round(best.cpu_s, 3),
            "files_per_s": round(n / best.wall_s),
            # On a busy machine wall time includes waiting for a core; files per CPU second does not.
            "files_per_cpu_s": round(n / best.cpu_s),
        }
    # Warm: the same check again with its cache (.cache/carehub/check/), nothing changed: what a contributor
    # meets on every check after the first.  The first run fills the cache (timed: cold with the cache's
    # own cost); a second records the files' sizes and times once they have settled; then five timed runs.
    cache_dir = ours / ".cache" / "carehub" / "check"
    shutil.rmtree(cache_dir, ignore_errors=True)
    filling = must(run([*carehub, "check"], ours, python_env), "carehub check (filling the cache)")
    time.sleep(1.1)
    must(run([*carehub, "check"], ours, python_env), "carehub check (settling the cache)")
    warm_checks = [must(run([*carehub, "check"], ours, python_env), "carehub check (warm)") for _ in range(5)]
    wall = statistics.median(t.wall_s for t in warm_checks)
    check["warm"] = {
        "wall_s_median": round(wall, 3),
        "wall_s_min": round(min(t.wall_s for t in warm_checks), 3),
        "cpu_s_median": median([t.cpu_s for t in warm_checks]),
        "files_per_s": round(n / wall),
        "files_per_cpu_s": round(n / statistics.median(t.cpu_s for t in warm_checks)),
        "filling_wall_s": round(filling.wall_s, 3),
    }
    # The check alone, without starting Python and importing (what the throughput is once running), cold.
    steady = must(
        run(
            [
                PY,
                "-c",
                "import sys, time; from pathlib import Path; from carehub.check.catalogue import load_catalogue\n"
                "for jobs in (1, 2):\n"
                "    t = time.perf_counter(); c = load_catalogue(Path(sys.argv[1]), jobs=jobs)\n"
                "    print(jobs, time.perf_counter() - t, len(c.stories))",
                str(ours),
            ],
            ours,
        ),
        "in-process check",
    )
    for line in steady.output.split("\n"):
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("1", "2"):
            check[f"jobs{parts[0]}"]["in_process_s"] = round(float(parts[1]), 3)
            check[f"jobs{parts[0]}"]["in_process_files_per_s"] = round(n / float(parts[1]))
    # One file as a pre-commit hook checks it: changed before each run (a sentence added), so its own
    # results cannot come from the cache; the other stories' names and the data files' results can.
    original = one.read_bytes()
    singles = []
    try:
        for i in range(5):
            one.write_bytes(original + f"\nA sentence added for run {i + 1} of the benchmark.\n".encode())
            singles.append(must(run([*carehub, "check", str(one)], ours, python_env), "carehub check one file"))
    finally:
        one.write_bytes(original)
    check["one_file"] = {
        "wall_s_median": median([t.wall_s for t in singles]),
        "wall_s_min": round(min(t.wall_s for t in singles), 3),
        "cpu_s_median": median([t.cpu_s for t in singles]),
        "changed": True,
    }
    unchanged = [must(run([*carehub, "check", str(one)], ours, python_env), "carehub check one file") for _ in range(5)]
    check["one_file_unchanged"] = {
        "wall_s_median": median([t.wall_s for t in unchanged]),
        "cpu_s_median": median([t.cpu_s for t in unchanged]),
    }
    shutil.rmtree(cache_dir, ignore_errors=True)  # the builds below start as a fresh clone would
    print(
        f"check: cold {check['jobs1']['files_per_s']} files/s (1 process), {check['jobs2']['files_per_s']} (2);"
        f" warm {check['warm']['files_per_s']} files/s; one changed file {check['one_file']['wall_s_median']} s",
        flush=True,
    )
    return check
