"""Lighthouse: the four category scores and the failing audits of one page of each type, as a phone sees them.

Lighthouse 12.8.2 from npm (pinned in bench/package.json, hash-locked in
bench/package-lock.json), installed with ``npm ci`` (npmlock.py) into ``.cache/bench-lighthouse/``
the first time it is needed, or whenever what is there no longer matches the
lock.  It runs on Node 20 with Debian's Chromium (``CHROME_PATH``, and the
flags in chromium.py): 12.2.3 crashes on Chromium 156, and 13.x needs Node 22.

Each sampled page (:func:`sample_pages`: the home page, a story of each type,
the "All stories" listing, a facet page, a site page, /search/,
/contribute/share/ and a hand-written docs page) is audited once with
Lighthouse's default mobile preset (a phone-sized screen, simulated slow 4G
and a slowed CPU) against server.py, which serves the site as GitHub Pages
does: gzip for text and ``Cache-Control: max-age=600``.  Per page: the
performance, accessibility, best-practices and SEO scores (0–100), and every
failing audit by id: a scored audit below 0.9, or a pass/fail audit that
failed (audits that are informative, manual or not applicable never count).

Measured, never asserted.  Must not build sites (the caller hands one over)
or format the report (report.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from carehub_bench.chromium import ARGS as CHROMIUM_ARGS
from carehub_bench.chromium import EXECUTABLE as CHROMIUM
from carehub_bench.npmlock import LOCK, matches_lock, npm_ci
from carehub_bench.server import serve_site

HERE = Path(__file__).resolve().parents[1]  # bench/: package.json and package-lock.json
VERSION = "12.8.2"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PASSING = 0.9  # a scored audit below this fails, as Lighthouse's own report marks it
_NOT_JUDGED = frozenset({"informative", "manual", "notApplicable", "error"})
STORY_TYPES = ("case-study", "failure", "patient-story", "resource")
TIMEOUT_S = 240  # one page; a busy machine may need a while, and a hung Chromium must not hang the run


class LighthouseMissing(Exception):
    """Node, npm or Chromium is not on this machine; the message says what to install."""


def ensure_lighthouse(cache: Path) -> Path:
    """Lighthouse's command-line script, installed into ``cache`` by ``npm ci`` from bench's lock if needed."""
    if not CHROMIUM.exists():
        raise LighthouseMissing(f"{CHROMIUM} is missing (apt-get install chromium)")
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise LighthouseMissing("Node.js 20 and npm are not installed (apt-get install nodejs npm)")
    script = cache / "node_modules" / "lighthouse" / "cli" / "index.js"
    if script.is_file() and matches_lock(cache, HERE / LOCK):
        return script
    why = npm_ci(npm, cache, source=HERE)
    if why or not script.is_file():
        raise LighthouseMissing(why or f"`npm ci` in {cache} installed no {script.relative_to(cache)}")
    return script


def sample_pages(site: Path) -> dict[str, str]:
    """One address (from the site root, with a leading slash) for each page type the site has.

    Stories, the facet page and the site page are found from the site's own open data (stories.json): the
    first story of each type by address, and that story's region and site.
    """
    pages = {"home": "/"}
    stories = sorted(json.loads((site / "stories.json").read_text(encoding="utf-8"))["stories"], key=lambda s: s["id"])
    for story_type in STORY_TYPES:
        story = next((s for s in stories if s["type"] == story_type), None)
        if story is not None:
            pages[f"story: {story_type}"] = f"/stories/{story['id']}/"
    pages["listing"] = "/stories/"
    if stories and stories[0].get("region"):
        pages["facet"] = f"/browse/region/{stories[0]['region']}/"
    site_id = next((s["site"] for s in stories if s.get("site")), None)
    if site_id:
        pages["site"] = f"/sites/{site_id}/"
    pages["search"] = "/search/"
    pages["share form"] = "/contribute/share/"
    pages["docs page"] = "/about/"
    return {kind: url for kind, url in pages.items() if (site / url.strip("/") / "index.html").is_file()}


def failing_audits(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The audits of a Lighthouse report that fail: below 0.9, or 0 for a pass/fail audit; by id.

    Only audits Lighthouse's own report shows: those of the four categories outside the "hidden" group
    (in 12.x that group holds the new "insight" audits, each a second copy of a diagnostic shown beside it).
    """
    shown = {
        ref["id"]
        for category in report["categories"].values()
        for ref in category.get("auditRefs", [])
        if ref.get("group") != "hidden"
    }
    failing = []
    for audit_id, audit in sorted(report["audits"].items()):
        score = audit.get("score")
        if audit_id not in shown or score is None or audit.get("scoreDisplayMode") in _NOT_JUDGED:
            continue
        if score < PASSING:
            failing.append({"id": audit_id, "score": score, "detail": audit.get("displayValue", ""), **_example(audit)})
    return failing


def _example(audit: dict[str, Any]) -> dict[str, str]:
    """The first thing an audit found (an element or an address), to say where to look."""
    items = (audit.get("details") or {}).get("items") or []
    first = items[0] if items and isinstance(items[0], dict) else {}
    node = first.get("node")
    node = node if isinstance(node, dict) else {}
    where = node.get("snippet") or first.get("url") or (first.get("sourceLocation") or {}).get("url") or ""
    return {"example": str(where)[:160]} if where else {}


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Scores (0–100) and failing audits from one report."""
    categories = report["categories"]
    scores = {
        name: None if categories.get(name, {}).get("score") is None else round(categories[name]["score"] * 100)
        for name in CATEGORIES
    }
    return {
        "scores": scores,
        "failing": failing_audits(report),
        "warnings": report.get("runWarnings", []),
        "lighthouse": report.get("lighthouseVersion"),
        "browser": report.get("environment", {}).get("hostUserAgent", ""),
    }


def audit(script: Path, url: str, report_path: Path) -> dict[str, Any]:
    """Run Lighthouse (mobile preset, the four categories) on ``url``; its summary, or the reason it failed."""
    node = shutil.which("node") or "node"
    command = [
        node,
        str(script),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report_path}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=" + " ".join(CHROMIUM_ARGS),
    ]
    try:
        result = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},  # how chrome-launcher is told which browser to start
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"Lighthouse did not finish within {TIMEOUT_S} s"}
    if result.returncode != 0 or not report_path.is_file():
        return {"error": f"Lighthouse failed (exit {result.returncode}): {result.stderr.strip()[-500:]}"}
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        return {"error": f"Lighthouse: {report['runtimeError'].get('message', report['runtimeError'])}"}
    return summary(report)


def lighthouse_figures(site: Path, cache: Path, work: Path) -> dict[str, Any]:
    """Lighthouse on one page of each type of the built ``site``, served as GitHub Pages would serve it."""
    try:
        script = ensure_lighthouse(cache)
    except LighthouseMissing as missing:
        return {"skipped": str(missing)}
    work.mkdir(parents=True, exist_ok=True)
    pages: dict[str, Any] = {}
    with serve_site(site) as (base, _):
        for number, (kind, url) in enumerate(sample_pages(site).items()):
            print(f"  Lighthouse {kind}: {url}", flush=True)
            pages[kind] = {"url": url, **audit(script, base + url, work / f"report-{number}.json")}
    return {"version": VERSION, "preset": "mobile", "pages": pages}
