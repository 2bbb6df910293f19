"""Withdrawal always wins: a patient story withdrawn with `carehub withdraw` is gone from every output file.

One project, built for real three times: with the patient story (so the
search below is shown to find it where it was), after `carehub withdraw`
(two other stories still link to it), and after someone adds the file back.
Every file in site/ is searched, gzip files decompressed, for the story's
title, its summary and words found only in it.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import ROOT, make_project
from .html_tools import parse_file
from .story_factory import story_text

pytestmark = pytest.mark.build

SLUG = "going-home-after-a-fall"
TITLE = "Home from Zorbleton ward with the Larkspur team"
SUMMARY = "After a fall at home a Quenmoor resident went home from hospital two days sooner with help from the team."
BODY_WORD = "Thistlewick"
# Words of the withdrawn story alone, as the search index holds them too: lower case, and stems.
NEEDLES = (TITLE.lower(), SUMMARY.lower(), "zorbleton", "quenmoor", "larkspur", "thistlewick")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _site_id() -> str:
    """A site from the repository's own data, whichever it holds."""
    return sorted((ROOT / "data" / "sites").glob("*.yml"))[0].stem


def _stories() -> dict[str, str]:
    shared = {"care_models": ("enhanced-health-in-care-homes",), "settings": ("social-care",), "region": "london"}
    site = _site_id()
    return {
        f"patient-stories/{SLUG}.md": story_text(
            TITLE,
            "patient-story",
            "2017-03-01",
            summary=SUMMARY,
            site=site,
            tags=["hospital-discharge"],
            image={"src": "zorbleton-ward.png", "alt": "The ward corridor, empty, in the morning"},
            body=f"The nurses at {BODY_WORD} rang ahead, so the house was warm when I got there.",
            **shared,  # type: ignore[arg-type]
        ),
        "case-studies/discharge-to-assess.md": story_text(
            "Discharge to assess in south London",
            date="2025-02-01",
            site=site,
            tags=["hospital-discharge"],
            body="Patients go home first and are assessed there. [One patient's story](/stories/" + SLUG + "/).",
            **shared,  # type: ignore[arg-type]
        ),
        "case-studies/red-bags.md": story_text(
            "Red bags travel with care home residents",
            date="2025-01-10",
            tags=["hospital-discharge"],
            body="Read [how it felt to go home](/stories/" + SLUG + "/#the-first-night) from someone who did.",
            **shared,  # type: ignore[arg-type]
        ),
        "failures/shared-record.md": story_text(
            "We shared records before we agreed why",
            "failure",
            "2016-11-30",
            **shared,  # type: ignore[arg-type]
        ),
    }


def carehub(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(root), *args], capture_output=True, text=True, check=False
    )


def build(root: Path) -> None:
    result = carehub(root, "build", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr


def where_found(site: Path) -> dict[str, list[str]]:
    """For each needle, the files of ``site`` that hold it (case-insensitive; .gz files decompressed)."""
    found: dict[str, list[str]] = {needle: [] for needle in NEEDLES}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace").lower()
        for needle in NEEDLES:
            if needle in text:
                found[needle].append(path.relative_to(site).as_posix())
    return found


def sitemap_locs(site: Path) -> list[str]:
    locs = []
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    for name in ("sitemap.xml", "sitemap-pages.xml"):
        for data in ((site / name).read_bytes(), gzip.decompress((site / f"{name}.gz").read_bytes())):
            locs += [str(loc.text) for loc in ET.fromstring(data).iter(f"{namespace}loc")]
    return locs


def related_slugs(site: Path, slug: str) -> list[str]:
    tree = parse_file(site / "stories" / slug / "index.html")
    section = tree.find("section", class_="ch-related")
    links = section.find_all("a") if section is not None else []
    return [str(a.attrs["href"]).strip("/").rsplit("/", 1)[-1] for a in links]


def test_a_withdrawn_story_is_gone_from_every_output_file(tmp_path: Path) -> None:
    root = make_project(tmp_path, _stories())
    (root / "stories" / "patient-stories" / "zorbleton-ward.png").write_bytes(PNG)
    site = root / "site"
    story_url = f"https://carehub.example.org/stories/{SLUG}/"

    build(root)
    before = where_found(site)
    assert all(before.values()), f"the search must first find the story where it is published: {before}"
    for kind in ("stories.json", "stories.csv", "feed.json", "feed_rss_created.xml", "search-index/"):
        assert any(kind in file for file in before["larkspur"]), kind
    assert story_url in sitemap_locs(site)
    assert SLUG in related_slugs(site, "discharge-to-assess")

    result = carehub(root, "withdraw", SLUG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Deleted stories/patient-stories/{SLUG}.md." in result.stdout
    assert "stories/patient-stories/zorbleton-ward.png" in result.stdout, "the image it used is named for editors"
    assert not (root / "stories" / "patient-stories" / f"{SLUG}.md").exists()
    record = (root / "data" / "withdrawn.yml").read_text(encoding="utf-8")
    assert f"- slug: {SLUG}\n  date: 2026-11-25\n" in record
    assert "larkspur" not in record.lower() and "title" not in record.split("withdrawn:", 1)[1]

    check = carehub(root, "check", "--format", "json")
    assert check.returncode == 0, check.stdout
    problems = json.loads(check.stdout)["problems"]
    assert sorted((p["file"], p["code"], p["severity"]) for p in problems) == [
        ("stories/case-studies/discharge-to-assess.md", "CH510", "warning"),
        ("stories/case-studies/red-bags.md", "CH510", "warning"),
        # Its picture is left behind: no published story shows it, so it is not published, and editors are told.
        ("stories/patient-stories/zorbleton-ward.png", "CH512", "warning"),
    ]

    build(root)
    after = where_found(site)
    assert after == {needle: [] for needle in NEEDLES}
    assert story_url not in sitemap_locs(site)
    page = parse_file(site / "stories" / SLUG / "index.html")
    robots = [m for m in page.find_all("meta") if m.attrs.get("name") == "robots"]
    assert [m.attrs.get("content") for m in robots] == ["noindex"]
    h1 = page.find("h1")
    assert h1 is not None and h1.text == "Story withdrawn"
    assert "withdrawn at the request of the person who told it" in page.text
    assert page.find("article", data_search_body=True) is None, "the page is not in the search"
    # The address is named only by the page itself and the two stories that link to it: no listing, feed,
    # search file, sitemap or open data file.
    naming = sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file() and path.suffix != ".gz" and f"{SLUG}/".encode() in path.read_bytes()
    )
    assert naming == [
        "stories/discharge-to-assess/index.html",
        f"stories/{SLUG}/index.html",
        "stories/red-bags/index.html",
    ]
    for linking in ("discharge-to-assess", "red-bags"):
        hrefs = [str(a.attrs.get("href")) for a in parse_file(site / "stories" / linking / "index.html").find_all("a")]
        # Written /stories/<slug>/ in the story, published relative to the page (render/rootlinks.py).
        assert any(href.startswith(f"../{SLUG}/") for href in hrefs), linking
        assert SLUG not in related_slugs(site, linking)
    listing = json.loads((site / "stories.json").read_text(encoding="utf-8"))
    assert len(listing["stories"]) == 3
    counts = [p.text for p in parse_file(site / "stories" / "index.html").find_all("p", class_="ch-count")]
    assert "3 stories, newest first" in counts

    # Someone adds the file back (with a mistake in it, too): it is still not published, and nothing fails.
    original = _stories()[f"patient-stories/{SLUG}.md"].replace('region: "london"', 'region: "Londn"')
    (root / "stories" / "patient-stories" / f"{SLUG}.md").write_text(original, encoding="utf-8")
    check = carehub(root, "check")
    assert check.returncode == 0, check.stdout
    assert f"stories/patient-stories/{SLUG}.md  warning  CH511" in check.stdout
    assert "withdrawn on 2026-11-25" in check.stdout and "Delete the file" in check.stdout
    assert "CH203" not in check.stdout, "a withdrawn file is not checked: nothing in it can fail the build"
    build(root)
    assert where_found(site) == {needle: [] for needle in NEEDLES}
    assert parse_file(site / "stories" / SLUG / "index.html").find("h1").text == "Story withdrawn"  # type: ignore[union-attr]


def test_the_manual_path_works_the_same(tmp_path: Path) -> None:
    """Delete the file, add the entry by hand: the documented way without the command."""
    root = make_project(tmp_path, _stories())
    (root / "stories" / "patient-stories" / f"{SLUG}.md").unlink()
    with (root / "data" / "withdrawn.yml").open("a", encoding="utf-8") as record:
        record.write(f"- slug: {SLUG}\n  date: 2026-10-01\n")
    build(root)
    assert where_found(root / "site") == {needle: [] for needle in NEEDLES}
    page = parse_file(root / "site" / "stories" / SLUG / "index.html")
    assert page.find("h1").text == "Story withdrawn"  # type: ignore[union-attr]
