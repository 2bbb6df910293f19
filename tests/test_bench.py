"""scripts/bench runs end to end and writes sane figures (a smoke test, not a timed one).

The benchmark's numbers are only worth committing if the harness works on a
fresh clone; this runs it in --quick mode (30 generated stories, one build of
each kind) and checks the JSON it writes has every figure, each positive.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.build
def test_quick_bench_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [sys.executable, str(ROOT / "scripts" / "_bench.py"), "--quick", "--out", str(out)]
    completed = subprocess.run(
        [*command, "--work", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    results = json.loads(out.read_text())
    assert out.with_suffix(".md").read_text().startswith("# Benchmark results")
    assert results["machine"]["cores"] >= 1
    assert "mkdocs-material" in results["machine"]["versions"]
    [run] = results["runs"]
    assert run["n"] == 30
    assert run["corpus"]["stories"] == 30
    for jobs in ("jobs1", "jobs2"):
        assert run["check"][jobs]["files_per_s"] > 0
        assert run["check"][jobs]["in_process_files_per_s"] > 0
    assert run["check"]["one_file"]["wall_s_median"] > 0
    assert run["check"]["one_file_unchanged"]["wall_s_median"] > 0
    assert run["check"]["warm"]["files_per_s"] > 0
    for which in ("ours", "stock"):
        build = run["build"][which]
        assert build["wall_s_median"] > 0
        assert build["cpu_s_median"] > 0
        assert build["tree_rss_mb"] >= build["max_rss_mb"] > 10
        assert run["output"][which]["html_files"] >= 30
    assert run["build"]["ratio_wall"] > 0
    assert run["feeds"]["stock"]["feed_rss_created.xml"]["bytes"] > 0
    assert not (tmp_path / "w" / "30").exists(), "the scratch project is removed unless --keep"
    browser = run["browser"]
    if "skipped" in browser["ours"]:
        pytest.skip(f"LOUD: the browser figures were not measured: {browser['ours']['skipped']}")
    for which in ("ours", "stock"):
        assert browser[which]["home"]["bytes"] > 1000
        assert browser[which]["story"]["bytes"] > 1000
        assert browser[which]["query"]["results_shown"] > 0, "the first search query found nothing"
    assert browser["stock"]["home"]["search_index_bytes"] > 0, "stock Material fetches its index on page load"
