"""Sizes: what a built site weighs on disk, and its feeds raw and gzipped.

Must not build or serve a site: it reads a finished one.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from carehub_bench.server import GZIP_LEVEL


def dir_stats(path: Path) -> dict[str, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return {
        "bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "html_files": sum(1 for p in files if p.suffix == ".html"),
    }


def feed_stats(site: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("feed_rss_created.xml", "feed_rss_updated.xml", "feed.json", "stories.json", "stories.csv"):
        path = site / name
        if path.exists():
            data = path.read_bytes()
            out[name] = {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, GZIP_LEVEL))}
    facet = sorted((site / "feeds").rglob("*.xml")) if (site / "feeds").is_dir() else []
    if facet:
        sizes = [p.stat().st_size for p in facet]
        out["facet_feeds"] = {"count": len(facet), "bytes_total": sum(sizes), "bytes_max": max(sizes)}
    return out
