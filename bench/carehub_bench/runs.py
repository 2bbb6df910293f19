"""Runs: one corpus size measured end to end (corpus, checks, builds, sizes, page loads, serve), its options,
and the runs over the repository's own site (search quality, Lighthouse).

Must not format or write the report (report.py) or parse the command line (cli.py).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carehub_bench.builds import build_figures, built_kinds
from carehub_bench.checks import check_figures
from carehub_bench.lighthouse import lighthouse_figures
from carehub_bench.pages import browser_figures
from carehub_bench.projects import ROOT, make_projects
from carehub_bench.rebuild import serve_rebuild
from carehub_bench.sizes import dir_stats, feed_stats


@dataclass(frozen=True)
class Options:
    """What the command line chose for every size."""

    seed: int = 2017
    quick: bool = False  # a smoke run: one cold check and one build of each kind
    repeats: int = 2  # paired builds at up to 1,000 stories
    stock_huge: bool = False  # build stock Material above 5,000 stories too
    browser: bool = True  # measure page loads in Chromium
    serve: bool = False  # time a `carehub serve` rebuild (always at 1,000 stories unless quick)
    keep: bool = False  # keep the generated projects and sites


LIGHTHOUSE_CACHE = ROOT / ".cache" / "bench-lighthouse"  # where `npm ci` installs Lighthouse (lighthouse.py)


def bench_size(n: int, options: Options, work: Path) -> dict[str, Any]:
    """Every figure for ``n`` stories, measured in ``work/<n>`` (removed afterwards unless ``keep``)."""
    print(f"\n== {n} stories ==", flush=True)
    result: dict[str, Any] = {"n": n, "load_before": os.getloadavg()}
    started = time.perf_counter()
    folder = work / str(n)
    ours, stock, stories = make_projects(folder, n, options.seed)
    words = [len(p.read_text(encoding="utf-8").split("\n---\n", 1)[1].split()) for p in stories[:500]]
    result["corpus"] = {
        "stories": len(stories),
        "bytes": sum(p.stat().st_size for p in stories),
        "body_words_mean": round(statistics.mean(words)),
        "generate_s": round(time.perf_counter() - started, 2),
    }
    one = stories[len(stories) // 2]
    result["check"] = check_figures(n, ours, one, options.quick)
    kinds = built_kinds(n, options.stock_huge)
    sites = {which: folder / f"{which}-site" for which in ("ours", "stock")}
    result["build"] = build_figures(n, ours, stock, sites, options.repeats, options.stock_huge)
    result["output"] = {which: dir_stats(sites[which]) for which in kinds}
    result["feeds"] = {which: feed_stats(sites[which]) for which in kinds}
    story_url = f"stories/{one.stem}/"
    if not options.browser:
        result["browser"] = {"skipped": "--no-browser"}
    else:
        result["browser"] = {which: browser_figures(sites[which], story_url) for which in kinds}
    if options.serve or (n == 1000 and not options.quick):
        result["serve"] = serve_rebuild(ours, one)
    result["load_after"] = os.getloadavg()
    if not options.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def repository_site(work: Path, name: str) -> tuple[Path | None, str]:
    """The repository's own site, built into ``work/name/site``; or None and why it did not build."""
    site = work / name / "site"
    built = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(ROOT), "build", "--quiet", "--site-dir", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        return None, f"the repository's site did not build: {built.stdout[-300:]}"
    return site, ""


def lighthouse_run(work: Path, site: Path | None = None) -> dict[str, Any]:
    """Lighthouse on each page type of the repository's own site (or of ``site``, a site already built)."""
    print("\n== Lighthouse ==", flush=True)
    why = ""
    if site is None:
        site, why = repository_site(work, "lighthouse")
    if site is None:
        return {"skipped": why}
    return {"site": str(site), **lighthouse_figures(site, LIGHTHOUSE_CACHE, work / "lighthouse" / "reports")}
