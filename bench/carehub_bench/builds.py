"""Builds: `carehub build` paired with stock Material's `mkdocs build` of the same Markdown, cold, then warm.

Must not read what was built (sizes.py, pages.py do) or change the projects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carehub_bench.timing import PY, Timed, median, must, run


def built_kinds(n: int, stock_huge: bool) -> tuple[str, ...]:
    """Which sites are built at ``n`` stories: above 5,000 stock Material takes many minutes and the figures
    wanted there are ours (memory, growth of page and search weight), so stock only when asked.
    """
    return ("ours", "stock") if n <= 5000 or stock_huge else ("ours",)


def build_figures(
    n: int, ours: Path, stock: Path, sites: dict[str, Path], repeats: int, stock_huge: bool
) -> dict[str, Any]:
    """Time the builds of the ``n``-story projects into ``sites`` (by kind), alternating ours and stock."""
    carehub = [PY, "-m", "carehub", "--root", str(ours)]
    build: dict[str, list[Timed]] = {"ours": [], "stock": []}
    ours_site, stock_site = sites["ours"], sites["stock"]
    env = {"SOURCE_DATE_EPOCH": "1700000000", "CAREHUB_TODAY": "2026-11-25"}
    # The paired builds are cold: no render cache from an earlier build (stock Material has none either).
    cold_env = {**env, "CAREHUB_NO_CACHE": "1"}
    repeats = repeats if n <= 1000 else 1
    kinds = built_kinds(n, stock_huge)
    with_stock = "stock" in kinds
    for round_ in range(repeats):
        # Alternate which goes first, so neither always meets a warm or a cold disk cache.
        order = kinds if round_ % 2 == 0 else kinds[::-1]
        for which in order:
            if which == "ours":
                timed = must(run([*carehub, "build", "--quiet", "--site-dir", str(ours_site)], ours, cold_env), "build")
            else:
                timed = must(
                    run(
                        [PY, "-m", "mkdocs", "build", "-q", "-f", str(stock / "mkdocs.yml"), "-d", str(stock_site)],
                        stock,
                        env,
                    ),
                    "stock build",
                )
            build[which].append(timed)
            print(f"  {which:5s} build {timed.wall_s:7.2f} s  peak {timed.tree_rss_mb:6.0f} MB", flush=True)
    # Above 5,000 stories (without --stock-huge) there is no stock build to pair with.
    pairs = list(zip(build["ours"], build.get("stock", []), strict=False)) if with_stock else []
    ratios = [o.wall_s / s.wall_s for o, s in pairs]
    cpu_ratios = [o.cpu_s / s.cpu_s for o, s in pairs]
    figures: dict[str, Any] = {
        which: {
            "wall_s": [round(t.wall_s, 3) for t in build[which]],
            "wall_s_median": median([t.wall_s for t in build[which]]),
            "cpu_s_median": median([t.cpu_s for t in build[which]]),
            "max_rss_mb": round(max(t.max_rss_mb for t in build[which])),
            "tree_rss_mb": round(max(t.tree_rss_mb for t in build[which])),
            "tree_pss_mb": round(max(t.tree_pss_mb for t in build[which])),
        }
        for which in kinds
    }
    if with_stock:
        figures["ratio_wall"] = median(ratios)
        figures["ratio_cpu"] = median(cpu_ratios)
        figures["pair_ratios_wall"] = [round(r, 3) for r in ratios]
    # A warm build: what a second `carehub build` or a `carehub serve` rebuild costs once .cache/ holds every
    # page's rendered Markdown (the first build below fills it; the second is timed). Not above 5,000 stories,
    # where the figures wanted are memory and search weight.
    if n <= 5000:
        must(run([*carehub, "build", "--quiet", "--site-dir", str(ours_site)], ours, env), "build (filling the cache)")
        warm = must(run([*carehub, "build", "--quiet", "--site-dir", str(ours_site)], ours, env), "warm build")
        figures["ours_warm"] = {"wall_s": round(warm.wall_s, 3), "cpu_s": round(warm.cpu_s, 3)}
        if with_stock:
            stock_wall = figures["stock"]["wall_s_median"]
            stock_cpu = figures["stock"]["cpu_s_median"]
            figures["ours_warm"]["ratio_wall"] = round(warm.wall_s / stock_wall, 3)
            figures["ours_warm"]["ratio_cpu"] = round(warm.cpu_s / stock_cpu, 3)
        print(f"  warm  build {warm.wall_s:7.2f} s", flush=True)
    return figures
