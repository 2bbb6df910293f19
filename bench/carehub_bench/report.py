"""Report: the machine a run was on, and the figures as a table, targets, results.md and results.json.

Must not measure anything: it formats what runs.py gathered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import subprocess
from pathlib import Path
from typing import Any

from carehub_bench.projects import ROOT


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError, ValueError):
        memory = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0]) // 1024
    versions: dict[str, str] = {}
    from importlib.metadata import PackageNotFoundError, version

    for package in (
        "mkdocs",
        "mkdocs-material",
        "mkdocs-rss-plugin",
        "pydantic",
        "pyyaml",
        "markdown",
        "snowballstemmer",
    ):
        with contextlib.suppress(PackageNotFoundError):
            versions[package] = version(package)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "page_size_kb": resource.getpagesize() // 1024,
    }


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _kb(value: Any) -> str:
    return "–" if value is None else f"{value / 1024:,.0f} KB"


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, ...]] = []
    header = ("figure", *(f"{r['n']:,}" for r in results["runs"]))
    spec: list[tuple[str, tuple[str, ...], str]] = [
        ("check cold files/s, 1 process", ("check", "jobs1", "files_per_s"), "n"),
        ("check cold files/s, 2 processes", ("check", "jobs2", "files_per_s"), "n"),
        ("check cold files/s, 2 proc., in process", ("check", "jobs2", "in_process_files_per_s"), "n"),
        ("check cold files per CPU second (2 proc.)", ("check", "jobs2", "files_per_cpu_s"), "n"),
        ("check warm (cache) files/s, median", ("check", "warm", "files_per_s"), "n"),
        ("check warm (cache) files per CPU second", ("check", "warm", "files_per_cpu_s"), "n"),
        ("check one changed file, s (median)", ("check", "one_file", "wall_s_median"), "s"),
        ("check one unchanged file, s (median)", ("check", "one_file_unchanged", "wall_s_median"), "s"),
        ("build ours, s (median)", ("build", "ours", "wall_s_median"), "s"),
        ("build stock Material, s (median)", ("build", "stock", "wall_s_median"), "s"),
        ("ours / stock, wall (paired)", ("build", "ratio_wall"), "r"),
        ("ours / stock, CPU (paired)", ("build", "ratio_cpu"), "r"),
        ("build ours warm (render cache), s", ("build", "ours_warm", "wall_s"), "s"),
        ("ours warm / stock median, wall", ("build", "ours_warm", "ratio_wall"), "r"),
        ("ours warm / stock median, CPU", ("build", "ours_warm", "ratio_cpu"), "r"),
        ("build peak memory ours (RSS summed), MB", ("build", "ours", "tree_rss_mb"), "n"),
        ("build peak memory ours (PSS), MB", ("build", "ours", "tree_pss_mb"), "n"),
        ("build peak memory stock, MB", ("build", "stock", "tree_rss_mb"), "n"),
        ("output ours", ("output", "ours", "bytes"), "kb"),
        ("output stock", ("output", "stock", "bytes"), "kb"),
        ("output ours per story", ("output", "ours", "bytes"), "kb/story"),
        ("output stock per story", ("output", "stock", "bytes"), "kb/story"),
        ("files ours", ("output", "ours", "files"), "n"),
        ("files stock", ("output", "stock", "files"), "n"),
        ("files ours per story", ("output", "ours", "files"), "n/story"),
        ("files stock per story", ("output", "stock", "files"), "n/story"),
        ("home page load, ours (gzip)", ("browser", "ours", "home", "bytes"), "kb"),
        ("home page load, stock (gzip)", ("browser", "stock", "home", "bytes"), "kb"),
        ("  search index in it, ours", ("browser", "ours", "home", "search_index_bytes"), "kb"),
        ("  search index in it, stock", ("browser", "stock", "home", "search_index_bytes"), "kb"),
        ("first query, ours (after page)", ("browser", "ours", "query", "bytes"), "kb"),
        ("first query, stock (after page)", ("browser", "stock", "query", "bytes"), "kb"),
        ("page + first query, ours", ("browser", "ours", "query", "total_with_page_bytes"), "kb"),
        ("page + first query, stock", ("browser", "stock", "query", "total_with_page_bytes"), "kb"),
        ("story page first load, ours (gzip)", ("browser", "ours", "story", "bytes"), "kb"),
        ("story page first load, stock (gzip)", ("browser", "stock", "story", "bytes"), "kb"),
        ("feed_rss_created.xml, ours", ("feeds", "ours", "feed_rss_created.xml", "bytes"), "kb"),
        ("feed_rss_created.xml, stock", ("feeds", "stock", "feed_rss_created.xml", "bytes"), "kb"),
        ("facet feeds total, ours", ("feeds", "ours", "facet_feeds", "bytes_total"), "kb"),
    ]
    for label, keys, kind in spec:
        cells = []
        for run_ in results["runs"]:
            value = _get(run_, *keys)
            stories = _get(run_, "corpus", "stories")
            if value is None or (kind.endswith("/story") and not stories):
                cells.append("–")
            elif kind == "kb/story":
                cells.append(_kb(value / stories))
            elif kind == "n/story":
                cells.append(f"{value / stories:.2f}")
            elif kind == "kb":
                cells.append(_kb(value))
            elif kind in ("r", "s"):
                cells.append(f"{value:.2f}")
            else:
                cells.append(f"{value:,}")
        rows.append((label, *cells))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join(lines)


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "not met")


def _per_story(run_: dict[str, Any] | None, figure: str) -> float | None:
    """Our site's ``figure`` (``bytes`` or ``files`` on disk, sizes.py) divided by the corpus's stories."""
    total, stories = _get(run_ or {}, "output", "ours", figure), _get(run_ or {}, "corpus", "stories")
    return None if total is None or not stories else total / stories


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Issue 19's targets, each with the measured figure and whether it is met; "–" where not measured.

    Every row is there whatever sizes were run, so a short run shows what it did not measure.
    """
    by_n = {r["n"]: r for r in results["runs"]}
    rows: list[tuple[str, str, str]] = []
    for n in (1000, 5000):
        wall = _get(by_n.get(n, {}), "build", "ratio_wall")
        cpu = _get(by_n.get(n, {}), "build", "ratio_cpu")
        figure = "–" if wall is None or cpu is None else f"{wall:.2f} wall, {cpu:.2f} CPU"
        warm = _get(by_n.get(n, {}), "build", "ours_warm", "ratio_wall")
        if warm is not None:
            figure += f" (warm, not judged: {warm:.2f} wall)"
        # Judged on the cold build's wall time (stock Material keeps nothing between builds either): the time a
        # contributor waits, and what issue 19's "now" figures (0.90-0.97) are. CPU is shown, not judged: ours uses
        # both cores, stock one.
        met = None if wall is None else wall <= 0.5
        rows.append((f"cold build ≤ 0.5 × stock Material at {n:,} (paired, wall)", figure, _verdict(met)))
    for figure, label, limit, shown in (
        ("bytes", "site bytes per story on disk ≤ 25 KB", 25 * 1024, _kb),
        ("files", "files per story ≤ 2", 2, lambda files: f"{files:.2f}"),
    ):
        for n in (1000, 5000, 20000):
            per_story = _per_story(by_n.get(n), figure)
            rows.append(
                (
                    f"{label} at {n:,}",
                    "–" if per_story is None else shown(per_story),
                    _verdict(None if per_story is None else per_story <= limit),
                )
            )
    serve = _get(by_n.get(1000, {}), "serve", "edit_to_served_s")
    rows.append(
        (
            "one edited story shown by `carehub serve` ≤ 1 s at 1,000 (median of 5)",
            "–" if serve is None else f"{serve:.2f} s",
            _verdict(None if serve is None else serve <= 1),
        )
    )
    for label, keys, limit_kb in (
        ("story page first load ≤ 50 KB gzipped, every size", ("story", "bytes"), 50),
        ("first search query ≤ 24 KB gzipped (no worse than now), every size", ("query", "bytes"), 24),
    ):
        by_size = [(r["n"], _get(r, "browser", "ours", *keys)) for r in results["runs"]]
        measured = [b for _, b in by_size if b is not None]
        rows.append(
            (
                label,
                "; ".join(f"{n:,}: {_kb(b)}" for n, b in by_size) or "–",
                _verdict(None if not measured else max(measured) <= limit_kb * 1024),
            )
        )
    rows.append(lighthouse_target(results.get("lighthouse")))
    huge = _get(by_n.get(50000, {}), "build", "ours")
    rows.append(
        (
            "50,000-story build ≤ 10 min, ≤ 2 GB peak (PSS)",
            "– (run with --huge)" if not huge else f"{huge['wall_s_median']:,.0f} s, {huge['tree_pss_mb']:,} MB PSS",
            _verdict(None if not huge else huge["wall_s_median"] <= 600 and huge["tree_pss_mb"] <= 2048),
        )
    )
    return rows


def held_targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Issue 9's targets that issue 19 did not replace, still held: growth, memory, check, search on page load.

    Its build (≤ 0.6 ×), first query (≤ 200 KB) and story page (≤ 80 KB) targets are issue 19's, tighter.
    """
    by_n = {r["n"]: r for r in results["runs"]}
    rows: list[tuple[str, str, str]] = []
    t1, t5 = _get(by_n.get(1000, {}), "build", "ours"), _get(by_n.get(5000, {}), "build", "ours")
    if t1 and t5:
        wall, cpu = t5["wall_s_median"] / t1["wall_s_median"], t5["cpu_s_median"] / t1["cpu_s_median"]
        rows.append(("time(5,000) / time(1,000) ≤ 5.5", f"{wall:.2f} wall, {cpu:.2f} CPU", _verdict(wall <= 5.5)))
    else:
        rows.append(("time(5,000) / time(1,000) ≤ 5.5", "–", "–"))
    # Judged on PSS (shared pages divided among the processes sharing them); RSS summed over the tree, which
    # counts the forked workers' copy-on-write pages once per process, is shown beside it.
    memory = _get(by_n.get(20000, {}), "build", "ours", "tree_pss_mb")
    summed = _get(by_n.get(20000, {}), "build", "ours", "tree_rss_mb")
    rows.append(
        (
            "peak memory ≤ 1 GB at 20,000",
            "–" if memory is None else f"{memory:,} MB PSS ({summed:,} MB RSS summed)",
            _verdict(None if memory is None else memory <= 1024),
        )
    )
    largest = results["runs"][-1] if results["runs"] else {"n": 0}
    for n in sorted({1000, 5000, largest["n"]} - {0}):
        run_ = by_n.get(n, {})
        warm, cold = _get(run_, "check", "warm", "files_per_s"), _get(run_, "check", "jobs2", "files_per_s")
        rows.append(
            (
                f"check ≥ 10,000 files/s at {n:,}: warm (cache, nothing changed; median of 5)",
                "–" if warm is None else f"{warm:,} files/s (cold, --no-cache, 2 processes: {cold:,})",
                _verdict(None if warm is None else warm >= 10000),
            )
        )
    one = _get(largest, "check", "one_file")
    size = f"{largest['n']:,}" if largest["n"] else "the largest size's"
    rows.append(
        (
            f"one changed file < 0.3 s ({size} stories; edited before each run, median of 5)",
            "–"
            if one is None
            else f"{one['wall_s_median']:.2f} s wall (min {one['wall_s_min']:.2f}), "
            f"{one.get('cpu_s_median', 0):.2f} s CPU",
            _verdict(None if one is None else one["wall_s_median"] < 0.3),
        )
    )
    index = [_get(r, "browser", "ours", "home", "search_index_requests") for r in results["runs"]]
    known = [i for i in index if i is not None]
    rows.append(
        (
            "page load fetches no search index",
            f"index requests per N: {index}" if known else "–",
            _verdict(None if not known else not any(known)),
        )
    )
    q1, q20 = (_get(by_n.get(n, {}), "browser", "ours", "query", "bytes") for n in (1000, 20000))
    h1, h20 = (_get(by_n.get(n, {}), "browser", "ours", "home", "bytes") for n in (1000, 20000))
    if q1 and q20 and h1 and h20:
        rows.append(
            (
                "growth 1,000 → 20,000 ≤ 1.3×",
                f"query {q20 / q1:.2f}×, page load {h20 / h1:.2f}×",
                _verdict(max(q20 / q1, h20 / h1) <= 1.3),
            )
        )
    else:
        rows.append(("growth 1,000 → 20,000 ≤ 1.3×", "– (run with --huge)", "–"))
    return rows


def lighthouse_table(figures: dict[str, Any]) -> str:
    """Lighthouse per page type: the four scores and the ids of the failing audits (lighthouse.py)."""
    if "skipped" in figures:
        return f"Lighthouse: not run ({figures['skipped']})."
    lines = [
        "| page | address | performance | accessibility | best practices | SEO | failing audits |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind, page in figures.get("pages", {}).items():
        if "error" in page:
            lines.append(f"| {kind} | {page['url']} | – | – | – | – | {page['error']} |")
            continue
        scores = [("–" if v is None else str(v)) for v in page["scores"].values()]
        failing = ", ".join(f"`{a['id']}`" for a in page["failing"]) or "none"
        lines.append(f"| {kind} | {page['url']} | {' | '.join(scores)} | {failing} |")
    return "\n".join(lines)


def lighthouse_target(figures: dict[str, Any] | None) -> tuple[str, str, str]:
    """Issue 19's Lighthouse target: 100 in every category and no failing audit, on every sampled page type."""
    label = "Lighthouse 100/100/100/100 and no failing audit, every sampled page type"
    pages = (figures or {}).get("pages")
    if not pages:
        return (label, "– (run with --lighthouse)", "–")
    judged = [p for p in pages.values() if "scores" in p]
    lowest = {c: min((p["scores"][c] or 0) for p in judged) for c in judged[0]["scores"]} if judged else {}
    failing = sorted({a["id"] for p in judged for a in p["failing"]})
    figure = "lowest " + "/".join(str(v) for v in lowest.values()) + f"; failing: {', '.join(failing) or 'none'}"
    met = len(judged) == len(pages) and all(v == 100 for v in lowest.values()) and not failing
    return (label, figure, "met" if met else "not met")


def markdown_report(results: dict[str, Any]) -> str:
    m = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    loads = ", ".join(f"{r['n']:,}: {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f}" for r in results["runs"])
    serve = [f"{r['n']:,} stories: {r['serve']}" for r in results["runs"] if "serve" in r]
    return (
        "# Benchmark results\n\n"
        f"Generated by `python3 scripts/bench {' '.join(results['argv'])}` on {m['date']} at commit {m['commit']}.\n\n"
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']:,} MB; {m['os']}; Python {m['python']}.\n"
        f"Versions: {versions}.\n\n"
        f"Load average (1 min) before → after each size: {loads}. Other work was running on the machine, so "
        "compare ours with stock through the paired ratios (alternating builds in the same run).\n\n"
        + table(results)
        + "\n\n## Targets (issue 19)\n\n"
        + _targets_table(targets(results))
        + "\n\n## Issue 9's targets, still held\n\n"
        + _targets_table(held_targets(results))
        + "\n\n"
        + _lighthouse_section(results)
        + ("`carehub serve` after editing one story: " + "; ".join(serve) + "\n\n" if serve else "")
        + _quality_section(results)
        + "Bytes are response bodies as sent by a local server that gzips text at level 6, counted at the server "
        "while Chromium loads the page in a fresh profile, until the network has been quiet for a second.\n"
    )


def _targets_table(rows: list[tuple[str, str, str]]) -> str:
    return "| target | measured | verdict |\n| --- | --- | --- |\n" + "\n".join(
        f"| {a} | {b} | {c} |" for a, b, c in rows
    )


def _lighthouse_section(results: dict[str, Any]) -> str:
    figures = results.get("lighthouse")
    if not figures:
        return ""
    label, figure, verdict = lighthouse_target(figures)
    return (
        f"## Lighthouse {figures.get('version', '')} (mobile preset, the repository's own site)\n\n"
        + lighthouse_table(figures)
        + f"\n\n{label}: {figure} ({verdict}).\n\n"
    )


def _quality_section(results: dict[str, Any]) -> str:
    """Search quality on every query set (quality.py), beside the first query's bytes at each size."""
    quality = results.get("quality")
    if not quality:
        return ""
    from carehub_bench.quality import table as quality_table

    first = [
        f"{r['n']:,}: {_kb(_get(r, 'browser', 'ours', 'query', 'bytes'))}"
        for r in results["runs"]
        if _get(r, "browser", "ours", "query", "bytes") is not None
    ]
    sets = ", ".join(f"{name} ({one['queries']} queries)" for name, one in quality.get("sets", {}).items())
    return (
        f"## Search quality (bench/queries/*.yml: {sets or 'none'}; ours, Pagefind and lunr in one run)\n\n"
        + quality_table(quality)
        + "\n\n"
        + (f"Our first query, gzipped, by number of stories: {'; '.join(first)}.\n\n" if first else "")
    )


def write(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown_report(results), encoding="utf-8")
