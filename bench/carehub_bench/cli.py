"""Cli: the benchmark's command line (scripts/bench): carehub against stock Material on generated corpora.

Run inside .venv by scripts/bench.  For each corpus size it generates a
synthetic project (carehub_bench.corpus), then measures, as a reader or contributor
would meet them:

- ``carehub check``: whole-corpus throughput cold (``--no-cache``, every file
  read and validated) on one process and on every core (wall time of the
  command, and of the check alone without interpreter start), and warm (again,
  with its cache and nothing changed); one changed file as a pre-commit hook
  runs it, and one unchanged file;
- ``carehub build`` against ``mkdocs build`` of the same Markdown with stock
  Material, search, tags and rss (no nav of stories), alternating ours and
  stock so that both see the same machine load; wall time, CPU time, peak
  memory (the largest process, and the whole process tree sampled);
- output size and feed sizes;
- in Chromium (Playwright, Debian's /usr/bin/chromium): the bytes a first
  visit fetches for the home page, for a story page, and for a first search
  query.  Sites are served by a local HTTP server that gzips text (level 6,
  as common static hosts do) and counts the body bytes it sends, so the
  figures are bytes on the wire, including requests made by web workers;
- optionally ``carehub serve``: time from editing one story to the new text
  being served;
- optionally (``--quality``) search quality: every query set in
  bench/queries/ over the repository's own content, ours against Pagefind
  and stock lunr in the same run (quality.py), also written to quality.json;
- Lighthouse 12.8.2 (``--lighthouse``, and in every full run): the four
  category scores and the failing audits of one page of each type of the
  repository's own site, mobile preset, served as GitHub Pages serves it
  (lighthouse.py).

Timings are not asserted anywhere: the figures go into a table, a JSON file
and a Markdown report with a description of the machine (report.py).

Must not measure anything itself: it parses the options and hands each size to runs.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

from carehub_bench.projects import ROOT
from carehub_bench.report import held_targets, lighthouse_table, machine, table, targets, write
from carehub_bench.runs import Options, bench_size, lighthouse_run, repository_site
from carehub_bench.server import GZIP_LEVEL

SIZES = (100, 1000, 5000)
HUGE = (20000, 50000)  # GitHub Pages refuses a site over 1 GB: 50,000 is the size of a hub that needs another host


def _quality(work: Path, out: Path) -> dict[str, Any]:
    """Every query set over the repository's own site, built for the purpose into ``work/quality``.

    The figures are also written to ``out`` (bench/quality.json beside the results).
    """
    from carehub_bench.quality import quality_figures
    from carehub_bench.quality import table as quality_table

    site, why = repository_site(work, "quality")
    if site is None:
        return {"skipped": why}
    figures = quality_figures(site)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print("\n" + quality_table(figures), flush=True)
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated corpus sizes (default 100,1000,5000)")
    parser.add_argument(
        "--huge", action="store_true", help=f"also measure {' and '.join(f'{n:,}' for n in HUGE)} stories (slow)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 30 stories, one build each")
    parser.add_argument("--repeats", type=int, default=2, help="paired builds per size (default 2)")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json", help="where to write JSON")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out", help="scratch folder (deleted per size)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and sites")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    parser.add_argument("--serve", action="store_true", help="also time a `carehub serve` rebuild at every size")
    parser.add_argument("--merge", action="store_true", help="keep other sizes already in --out, replace these")
    parser.add_argument("--stock-huge", action="store_true", help="also build stock Material above 5,000 stories")
    parser.add_argument(
        "--quality",
        action="store_true",
        help="also judge search quality: ours, Pagefind and stock lunr on the repository's content (quality.py)",
    )
    parser.add_argument(
        "--lighthouse",
        action="store_true",
        help="run Lighthouse on each page type of the repository's site (on in a full run; lighthouse.py)",
    )
    parser.add_argument(
        "--lighthouse-site",
        type=Path,
        help="run Lighthouse on this site, already built, instead of building the repository's (implies --lighthouse)",
    )
    parser.add_argument(
        "--lighthouse-only",
        action="store_true",
        help="run Lighthouse and nothing else, keeping the sizes already in --out (implies --merge)",
    )
    args = parser.parse_args(argv)
    if args.lighthouse_only:
        sizes, args.merge = [], True
    elif args.quick:
        sizes = [30]
    elif args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = list(SIZES) + (list(HUGE) if args.huge else [])
    if importlib.util.find_spec("mkdocs_rss_plugin") is None:
        raise SystemExit(
            "The benchmark builds stock Material with mkdocs-rss-plugin, which is in carehub's `bench` extra: "
            "run it through python3 scripts/bench (its .venv comes from requirements/dev.lock, which has the "
            "extra), or pip install -e '.[bench]'."
        )
    options = Options(
        seed=args.seed,
        quick=args.quick,
        repeats=1 if args.quick else args.repeats,
        stock_huge=args.stock_huge,
        browser=not args.no_browser,
        serve=args.serve,
        keep=args.keep,
    )
    results: dict[str, Any] = {"argv": argv, "machine": machine(), "seed": args.seed, "gzip_level": GZIP_LEVEL}
    earlier_runs: list[dict[str, Any]] = []
    if args.merge and args.out.exists():
        earlier = json.loads(args.out.read_text(encoding="utf-8"))
        earlier_runs = [r for r in earlier.get("runs", []) if r["n"] not in sizes]
        results["argv"] = [*earlier.get("argv", []), "+", *argv]
    if args.quality:
        results["quality"] = _quality(args.work, args.out.parent / "quality.json")
    elif args.merge and args.out.exists() and "quality" in earlier:
        results["quality"] = earlier["quality"]
    full = not args.quick and not args.sizes
    results["runs"] = earlier_runs
    if args.lighthouse or args.lighthouse_site or args.lighthouse_only or full:
        results["lighthouse"] = lighthouse_run(args.work, args.lighthouse_site)
        print("\n" + lighthouse_table(results["lighthouse"]), flush=True)
    elif args.merge and args.out.exists() and "lighthouse" in earlier:
        results["lighthouse"] = earlier["lighthouse"]
    if not sizes:
        write(results, args.out)
        print(f"\nWrote {args.out} and {args.out.with_suffix('.md')}.")
        return 0
    done: list[dict[str, Any]] = []
    for n in sizes:
        done.append(bench_size(n, options, args.work))
        # Written after every size: a long run that fails later (or is stopped) keeps what it measured.
        results["runs"] = sorted(earlier_runs + done, key=lambda r: r["n"])
        write(results, args.out)
    print("\n" + table(results))
    for heading, rows in (
        ("Targets (issue 19)", targets(results)),
        ("Issue 9's targets, still held", held_targets(results)),
    ):
        print(f"\n{heading}:\n" + "\n".join(f"{a}: {b} ({c})" for a, b, c in rows))
    print(f"\nWrote {args.out} and {args.out.with_suffix('.md')}.")
    return 0
