"""The benchmark behind scripts/bench: carehub against stock Material on one generated corpus.

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
  being served.

Timings are not asserted anywhere: the figures go into a table, a JSON file
and a Markdown report with a description of the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import http.server
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))  # the tooling outside the wheel
from carehub_bench.chromium import ARGS as CHROMIUM_ARGS
from carehub_bench.chromium import EXECUTABLE as CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GZIP_LEVEL = 6
QUERY = "discharge"
SEARCH_INDEX_RE = re.compile(
    r"search_index\.json|/search-index/|/pagefind/|\.pf_(?:index|meta|fragment)|lunr|search.*\.json"
)
SIZES = (100, 1000, 5000)
HUGE = 20000

# -- processes ------------------------------------------------------------------------


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


# -- projects -------------------------------------------------------------------------


def make_projects(work: Path, n: int, seed: int) -> tuple[Path, Path, list[Path]]:
    """Our project (generated corpus) and a stock Material project with the same Markdown."""
    from carehub_bench.corpus import generate_corpus, scaffold_project

    if work.exists():
        shutil.rmtree(work)
    ours = scaffold_project(work / "ours", ROOT)
    stories = generate_corpus(ours, n, seed=seed)
    stock = work / "stock"
    docs = stock / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "stories").mkdir(exist_ok=True)
    for path in stories:
        # The same file, at the same URL (/stories/<slug>/); MkDocs reads our front matter as page meta.
        shutil.copy(path, docs / "stories" / path.name)
    (stock / "mkdocs.yml").write_text(STOCK_CONFIG, encoding="utf-8")
    return ours, stock, stories


STOCK_CONFIG = """\
# Stock MkDocs Material with search, tags and rss, for the paired benchmark.
# Stories are in docs/stories/ but not in the nav (a nav of thousands of
# stories makes every page quadratic); the extensions match carehub's.
site_name: New care models hub
site_url: https://carehub.example.org/
theme:
  name: material
  language: en
  font: false
  features:
    - navigation.sections
    - navigation.top
plugins:
  - search
  - tags
  - rss:
      match_path: "stories/.*"
      use_git: false
      date_from_meta:
        as_creation: date
        as_update: updated
      categories:
        - tags
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
nav:
  - Home: index.md
"""


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


# -- serving and the browser ----------------------------------------------------------

_COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".csv", ".wasm", ".map", ".mjs"}


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, int, int]] = []  # path, status, body bytes sent

    def add(self, path: str, status: int, sent: int) -> None:
        with self.lock:
            self.log.append((path, status, sent))

    def take(self) -> list[tuple[str, int, int]]:
        with self.lock:
            taken, self.log = self.log, []
        return taken


@contextlib.contextmanager
def serve_site(site: Path) -> Iterator[tuple[str, _Counter]]:
    """Serve ``site`` on localhost with gzip for text, counting the body bytes of every response."""
    counter = _Counter()
    cache: dict[Path, bytes] = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                counter.add(self.path, 404, 0)
                return
            body = path.read_bytes()
            encoded = "gzip" in self.headers.get("Accept-Encoding", "") and path.suffix in _COMPRESSIBLE
            if encoded:
                if path not in cache:
                    cache[path] = gzip.compress(body, GZIP_LEVEL, mtime=0)
                body = cache[path]
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Length", str(len(body)))
            if encoded:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the page moved on (a cancelled fetch)
                counter.add(self.path, 499, 0)
                return
            counter.add(self.path, 200, len(body))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counter
    finally:
        server.shutdown()
        server.server_close()


def _quiet(counter: _Counter, seen: list[tuple[str, int, int]], quiet_s: float = 1.0, limit_s: float = 20) -> None:
    """Wait until the server has had no request for ``quiet_s`` (or ``limit_s`` passed)."""
    start = last_change = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        new = counter.take()
        if new:
            seen.extend(new)
            last_change = time.perf_counter()
        elif time.perf_counter() - last_change >= quiet_s:
            return
        time.sleep(0.05)


_SEARCH_INPUTS = (
    "input[type=search]",
    ".pagefind-ui__search-input",
    "input.md-search__input",
    "input[name=q]",
    "input[name=query]",
)
_RESULTS = (
    "[data-ch-list] > li, .pagefind-ui__result, .md-search-result__item, [data-search-result], .search-result, "
    ".search-results li"
)


def _summary(log: list[tuple[str, int, int]]) -> dict[str, Any]:
    index = [p for p, _, _ in log if SEARCH_INDEX_RE.search(p)]
    return {
        "bytes": sum(sent for _, _, sent in log),
        "requests": len(log),
        "search_index_requests": len(index),
        "search_index_bytes": sum(sent for p, _, sent in log if SEARCH_INDEX_RE.search(p)),
    }


def browser_figures(site: Path, story_url: str) -> dict[str, Any]:
    """First-visit bytes in Chromium: home page, a story page, and a first search query."""
    if not CHROMIUM.exists():
        return {"skipped": f"{CHROMIUM} is missing (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - dev lock has it
        return {"skipped": f"playwright is not installed: {error}"}
    out: dict[str, Any] = {}
    with serve_site(site) as (base, counter), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:

            def visit(url: str) -> tuple[Any, Any, list[tuple[str, int, int]]]:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                counter.take()
                page.goto(base + url, wait_until="load")
                seen: list[tuple[str, int, int]] = []
                _quiet(counter, seen)
                return context, page, seen

            context, _, seen = visit("/")
            out["home"] = _summary(seen)
            context.close()
            context, _, seen = visit("/" + story_url)
            out["story"] = _summary(seen)
            context.close()
            start = "/search/" if (site / "search" / "index.html").exists() else "/"
            context, page, seen = visit(start)
            out["search_page"] = {"url": start, **_summary(seen)}
            box, as_you_type = None, False
            for selector in _SEARCH_INPUTS:
                candidate = page.locator(selector).first
                if candidate.count() and candidate.is_visible():
                    box, as_you_type = candidate, selector == "input.md-search__input"
                    break
            if box is None and page.locator("label[for=__search]").count():
                page.locator("label[for=__search]").first.click()
                box, as_you_type = page.locator("input.md-search__input").first, True
            if box is None:
                out["query"] = {"skipped": "no search box found"}
            else:
                box.click()
                page.keyboard.type(QUERY, delay=30)
                if not as_you_type:  # Material searches as you type (and Enter opens a result); a form needs Enter
                    page.keyboard.press("Enter")
                seen = []
                with contextlib.suppress(Exception):  # a busy machine may need the time
                    page.wait_for_selector(_RESULTS, timeout=15000)
                _quiet(counter, seen)
                results = page.locator(_RESULTS).count()
                query = _summary(seen)
                out["query"] = {
                    "query": QUERY,
                    "results_shown": results,
                    **query,
                    "total_with_page_bytes": query["bytes"] + out["search_page"]["bytes"],
                }
            context.close()
        finally:
            browser.close()
    return out


# -- carehub serve --------------------------------------------------------------------


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


# -- one corpus size ------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def bench_size(n: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    print(f"\n== {n} stories ==", flush=True)
    result: dict[str, Any] = {"n": n, "load_before": os.getloadavg()}
    started = time.perf_counter()
    ours, stock, stories = make_projects(work / str(n), n, args.seed)
    words = [len(p.read_text(encoding="utf-8").split("\n---\n", 1)[1].split()) for p in stories[:500]]
    result["corpus"] = {
        "stories": len(stories),
        "bytes": sum(p.stat().st_size for p in stories),
        "body_words_mean": round(statistics.mean(words)),
        "generate_s": round(time.perf_counter() - started, 2),
    }

    carehub = [PY, "-m", "carehub", "--root", str(ours)]
    # Python's bytecode cache on, as by default: with PYTHONDONTWRITEBYTECODE set (some shells and CI set it)
    # every run would compile carehub's modules again, which no contributor's pre-commit hook does.
    python_env = {"PYTHONDONTWRITEBYTECODE": ""}
    check: dict[str, Any] = {}
    # Cold: every file read and validated (--no-cache), as a first check or CI without a cache does.
    for jobs in (1, 2):
        command = [*carehub, "check", "--no-cache", "--jobs", str(jobs)]
        timings = [must(run(command, ours, python_env), "carehub check") for _ in range(1 if args.quick else 2)]
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
        "cpu_s_median": _median([t.cpu_s for t in warm_checks]),
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
    one = stories[len(stories) // 2]
    original = one.read_bytes()
    singles = []
    try:
        for i in range(5):
            one.write_bytes(original + f"\nA sentence added for run {i + 1} of the benchmark.\n".encode())
            singles.append(must(run([*carehub, "check", str(one)], ours, python_env), "carehub check one file"))
    finally:
        one.write_bytes(original)
    check["one_file"] = {
        "wall_s_median": _median([t.wall_s for t in singles]),
        "wall_s_min": round(min(t.wall_s for t in singles), 3),
        "cpu_s_median": _median([t.cpu_s for t in singles]),
        "changed": True,
    }
    unchanged = [must(run([*carehub, "check", str(one)], ours, python_env), "carehub check one file") for _ in range(5)]
    check["one_file_unchanged"] = {
        "wall_s_median": _median([t.wall_s for t in unchanged]),
        "cpu_s_median": _median([t.cpu_s for t in unchanged]),
    }
    shutil.rmtree(cache_dir, ignore_errors=True)  # the builds below start as a fresh clone would
    result["check"] = check
    print(
        f"check: cold {check['jobs1']['files_per_s']} files/s (1 process), {check['jobs2']['files_per_s']} (2);"
        f" warm {check['warm']['files_per_s']} files/s; one changed file {check['one_file']['wall_s_median']} s",
        flush=True,
    )

    build: dict[str, Any] = {"ours": [], "stock": []}
    ours_site, stock_site = work / str(n) / "ours-site", work / str(n) / "stock-site"
    env = {"SOURCE_DATE_EPOCH": "1700000000", "CAREHUB_TODAY": "2026-11-25"}
    # The paired builds are cold: no render cache from an earlier build (stock Material has none either).
    cold_env = {**env, "CAREHUB_NO_CACHE": "1"}
    repeats = args.repeats if n <= 1000 else 1
    # Above 5,000 stories stock Material takes many minutes; the figures wanted there are ours
    # (memory, growth of page and search weight), so stock is built only when asked.
    with_stock = n <= 5000 or args.stock_huge
    kinds = ("ours", "stock") if with_stock else ("ours",)
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
    result["build"] = {
        which: {
            "wall_s": [round(t.wall_s, 3) for t in build[which]],
            "wall_s_median": _median([t.wall_s for t in build[which]]),
            "cpu_s_median": _median([t.cpu_s for t in build[which]]),
            "max_rss_mb": round(max(t.max_rss_mb for t in build[which])),
            "tree_rss_mb": round(max(t.tree_rss_mb for t in build[which])),
            "tree_pss_mb": round(max(t.tree_pss_mb for t in build[which])),
        }
        for which in kinds
    }
    if with_stock:
        result["build"]["ratio_wall"] = _median(ratios)
        result["build"]["ratio_cpu"] = _median(cpu_ratios)
        result["build"]["pair_ratios_wall"] = [round(r, 3) for r in ratios]
    # A warm build: what a second `carehub build` or a `carehub serve` rebuild costs once .cache/ holds every
    # page's rendered Markdown (the first build below fills it; the second is timed). Not above 5,000 stories,
    # where the figures wanted are memory and search weight.
    if n <= 5000:
        must(run([*carehub, "build", "--quiet", "--site-dir", str(ours_site)], ours, env), "build (filling the cache)")
        warm = must(run([*carehub, "build", "--quiet", "--site-dir", str(ours_site)], ours, env), "warm build")
        result["build"]["ours_warm"] = {"wall_s": round(warm.wall_s, 3), "cpu_s": round(warm.cpu_s, 3)}
        if with_stock:
            stock_wall = result["build"]["stock"]["wall_s_median"]
            stock_cpu = result["build"]["stock"]["cpu_s_median"]
            result["build"]["ours_warm"]["ratio_wall"] = round(warm.wall_s / stock_wall, 3)
            result["build"]["ours_warm"]["ratio_cpu"] = round(warm.cpu_s / stock_cpu, 3)
        print(f"  warm  build {warm.wall_s:7.2f} s", flush=True)
    result["output"] = {which: dir_stats(work / str(n) / f"{which}-site") for which in kinds}
    result["feeds"] = {which: feed_stats(work / str(n) / f"{which}-site") for which in kinds}
    story_url = f"stories/{one.stem}/"
    if args.no_browser:
        result["browser"] = {"skipped": "--no-browser"}
    else:
        result["browser"] = {which: browser_figures(work / str(n) / f"{which}-site", story_url) for which in kinds}
    if args.serve or (n == 1000 and not args.quick):
        result["serve"] = serve_rebuild(ours, one)
    result["load_after"] = os.getloadavg()
    if not args.keep:
        shutil.rmtree(work / str(n), ignore_errors=True)
    return result


# -- report ---------------------------------------------------------------------------


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
            if value is None:
                cells.append("–")
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


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Issue 9's targets, each with the measured figure and whether it is met (where it was measured)."""
    by_n = {r["n"]: r for r in results["runs"]}
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "–" if ok is None else ("met" if ok else "not met")

    for n in (1000, 5000):
        ratio = _get(by_n.get(n, {}), "build", "ratio_wall")
        cpu = _get(by_n.get(n, {}), "build", "ratio_cpu")
        figure = "–" if ratio is None else f"{ratio:.2f} wall, {cpu:.2f} CPU (cold, paired)"
        warm = _get(by_n.get(n, {}), "build", "ours_warm", "ratio_wall")
        if warm is not None:
            figure += f"; warm {warm:.2f} wall"
        # Judged on the cold build: stock Material keeps nothing between builds either.
        rows.append(
            (f"build ≤ 0.6 × stock Material at {n:,}", figure, verdict(None if ratio is None else ratio <= 0.6))
        )
    t1, t5 = _get(by_n.get(1000, {}), "build", "ours"), _get(by_n.get(5000, {}), "build", "ours")
    if t1 and t5:
        wall, cpu = t5["wall_s_median"] / t1["wall_s_median"], t5["cpu_s_median"] / t1["cpu_s_median"]
        rows.append(("time(5,000) / time(1,000) ≤ 5.5", f"{wall:.2f} wall, {cpu:.2f} CPU", verdict(wall <= 5.5)))
    # Judged on PSS (shared pages divided among the processes sharing them); RSS summed over the tree, which
    # counts the forked workers' copy-on-write pages once per process, is shown beside it.
    memory = _get(by_n.get(20000, {}), "build", "ours", "tree_pss_mb")
    summed = _get(by_n.get(20000, {}), "build", "ours", "tree_rss_mb")
    rows.append(
        (
            "peak memory ≤ 1 GB at 20,000",
            "–" if memory is None else f"{memory:,} MB PSS ({summed:,} MB RSS summed)",
            verdict(None if memory is None else memory <= 1024),
        )
    )
    largest = results["runs"][-1]
    for n in sorted({1000, 5000, largest["n"]}):
        run_ = by_n.get(n)
        if run_ is None:
            continue
        warm, cold = _get(run_, "check", "warm", "files_per_s"), _get(run_, "check", "jobs2", "files_per_s")
        rows.append(
            (
                f"check ≥ 10,000 files/s at {n:,}: warm (cache, nothing changed; median of 5)",
                "–" if warm is None else f"{warm:,} files/s (cold, --no-cache, 2 processes: {cold:,})",
                verdict(None if warm is None else warm >= 10000),
            )
        )
    one = _get(largest, "check", "one_file")
    rows.append(
        (
            f"one changed file < 0.3 s ({largest['n']:,} stories; edited before each run, median of 5)",
            f"{one['wall_s_median']:.2f} s wall (min {one['wall_s_min']:.2f}), {one.get('cpu_s_median', 0):.2f} s CPU",
            verdict(one["wall_s_median"] < 0.3),
        )
    )
    index = [_get(r, "browser", "ours", "home", "search_index_requests") for r in results["runs"]]
    known = [i for i in index if i is not None]
    rows.append(
        (
            "page load fetches no search index",
            f"index requests per N: {index}",
            verdict(None if not known else not any(known)),
        )
    )
    query = _get(by_n.get(5000, {}), "browser", "ours", "query", "bytes")
    rows.append(("first query at 5,000 ≤ 200 KB", _kb(query), verdict(None if query is None else query <= 200 * 1024)))
    q1, q20 = (_get(by_n.get(n, {}), "browser", "ours", "query", "bytes") for n in (1000, 20000))
    h1, h20 = (_get(by_n.get(n, {}), "browser", "ours", "home", "bytes") for n in (1000, 20000))
    if q1 and q20 and h1 and h20:
        rows.append(
            (
                "growth 1,000 → 20,000 ≤ 1.3×",
                f"query {q20 / q1:.2f}×, page load {h20 / h1:.2f}×",
                verdict(max(q20 / q1, h20 / h1) <= 1.3),
            )
        )
    else:
        rows.append(("growth 1,000 → 20,000 ≤ 1.3×", "– (run with --huge)", "–"))
    story = [_get(r, "browser", "ours", "story", "bytes") for r in results["runs"]]
    weights = [w for w in story if w is not None]
    rows.append(
        (
            "story page first load ≤ 80 KB gzipped",
            ", ".join(_kb(w) for w in weights) or "–",
            verdict(None if not weights else max(weights) <= 80 * 1024),
        )
    )
    return rows


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
        + "\n\n## Targets (issue 9)\n\n| target | measured | verdict |\n| --- | --- | --- |\n"
        + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in targets(results))
        + "\n\n"
        + ("`carehub serve` after editing one story: " + "; ".join(serve) + "\n\n" if serve else "")
        + "Bytes are response bodies as sent by a local server that gzips text at level 6, counted at the server "
        "while Chromium loads the page in a fresh profile, until the network has been quiet for a second.\n"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated corpus sizes (default 100,1000,5000)")
    parser.add_argument("--huge", action="store_true", help=f"also measure {HUGE:,} stories (slow)")
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
    args = parser.parse_args(argv)
    if args.quick:
        sizes = [30]
        args.repeats = 1
    elif args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = list(SIZES) + ([HUGE] if args.huge else [])
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    results: dict[str, Any] = {"argv": argv, "machine": machine(), "seed": args.seed, "gzip_level": GZIP_LEVEL}
    earlier_runs: list[dict[str, Any]] = []
    if args.merge and args.out.exists():
        earlier = json.loads(args.out.read_text(encoding="utf-8"))
        earlier_runs = [r for r in earlier.get("runs", []) if r["n"] not in sizes]
        results["argv"] = [*earlier.get("argv", []), "+", *argv]
    done: list[dict[str, Any]] = []
    for n in sizes:
        done.append(bench_size(n, args, args.work))
        # Written after every size: a long run that fails later (or is stopped) keeps what it measured.
        results["runs"] = sorted(earlier_runs + done, key=lambda r: r["n"])
        _write(results, args.out)
    print("\n" + table(results))
    print("\n" + "\n".join(f"{a}: {b} ({c})" for a, b, c in targets(results)))
    print(f"\nWrote {args.out} and {args.out.with_suffix('.md')}.")
    return 0


def _write(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown_report(results), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
