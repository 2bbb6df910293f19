"""Feeds over time: guids that never change, byte-identical rebuilds, a bounded length.

A feed reader remembers each item's guid; if it changes, every subscriber sees
the story again as new.  So the guid must not depend on the build date, the
build machine's path, or which folder under stories/ holds the file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from carehub.plan import feedlist
from carehub.publish import feedimage, opendata

from .conftest import make_project
from .feedkit import SITE_URL, Spec, assert_valid_rss, build, feed_files, guids, items, set_plugin_option, write_stories

pytestmark = pytest.mark.build

SPECS = [
    Spec("red-bag", date="2017-02-16", barriers=["time-and-resources"]),
    Spec("shared-record", type="failure", date="2017-03-01", barriers=["information-governance-and-it"]),
    Spec("toolkit", type="resource", date="2016-11-01", updated="2017-06-01", folder="resources"),
    Spec("later", type="case-study", date="2017-05-20", region="midlands", folder="deep/er/folder"),
    Spec("earlier", type="case-study", date="2016-10-02", region="midlands"),
]


def _outputs(site: Path) -> dict[str, bytes]:
    """Every file the feeds and open data writers own, by site-relative path."""
    owned = [*feed_files(site), site / feedlist.JSON_FEED, site / feedimage.PATH]
    owned += [site / path for path, _ in opendata.DOWNLOADS]
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in owned}


def _items_by_guid(data: bytes) -> dict[str, bytes]:
    channel = ET.fromstring(data).find("channel")
    assert channel is not None
    return {guid: ET.tostring(item) for guid, item in zip(guids(channel), items(channel), strict=True)}


def test_guids_and_items_survive_a_later_build_and_a_moved_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write_stories(project, SPECS)
    first = build(project, today="2026-11-25")
    before = {rel: data for rel, data in _outputs(first).items() if rel.endswith(".xml")}
    shutil.copytree(first, tmp_path / "first-site")

    # Move a story to another folder, keeping its file name (its slug), and build years later.
    moved = project / "stories" / "archive" / "2017" / "red-bag.md"
    moved.parent.mkdir(parents=True)
    (project / "stories" / SPECS[0].path).rename(moved)
    epoch = 1_900_000_000  # 2030-03-17
    second = build(project, today="2031-01-01", epoch=str(epoch))
    after = {rel: data for rel, data in _outputs(second).items() if rel.endswith(".xml")}

    assert before.keys() == after.keys()
    checked = 0
    for rel, data in before.items():
        old, new = _items_by_guid(data), _items_by_guid(after[rel])
        assert list(old) == list(new), f"{rel}: guids or their order changed"
        assert old == new, f"{rel}: an item changed although its story did not"
        checked += len(old)
        channel = assert_valid_rss(after[rel], second, rel)
        assert channel.findtext("lastBuildDate") == "Sun, 17 Mar 2030 17:46:40 +0000"  # SOURCE_DATE_EPOCH
    assert checked >= 10
    assert f"{SITE_URL}stories/red-bag/" in _items_by_guid(after[feedlist.MAIN_FEED])


def test_without_source_date_epoch_last_build_date_is_the_newest_story_not_the_clock(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write_stories(project, SPECS)
    site = build(project)
    main = assert_valid_rss((site / feedlist.MAIN_FEED).read_bytes(), site, feedlist.MAIN_FEED)
    assert main.findtext("lastBuildDate") == "Thu, 01 Jun 2017 00:00:00 +0000"  # toolkit's update
    midlands = assert_valid_rss((site / "feeds/region/midlands.xml").read_bytes(), site, "feeds/region/midlands.xml")
    assert midlands.findtext("lastBuildDate") == "Sat, 20 May 2017 00:00:00 +0000"
    empty = assert_valid_rss((site / "feeds/region/south-west.xml").read_bytes(), site, "feeds/region/south-west.xml")
    assert not items(empty) and empty.find("lastBuildDate") is None  # nothing to date it by


@pytest.mark.parametrize("epoch", [None, "1700000000"])
def test_the_same_input_gives_byte_identical_feeds_and_data(tmp_path: Path, epoch: str | None) -> None:
    outputs = []
    for name in ("one", "two"):  # two projects at different paths, as on two machines
        (tmp_path / name).mkdir()
        project = make_project(tmp_path / name)
        write_stories(project, SPECS)
        outputs.append(_outputs(build(project, epoch=epoch)))
    assert len(outputs[0]) >= 30
    assert outputs[0] == outputs[1]
    assert not any(str(tmp_path).encode() in data for data in outputs[0].values()), "a build path leaked out"


def test_feed_length_bounds_every_feed_but_not_the_open_data(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    specs = [Spec(f"story-{n}", date=f"2017-0{n}-01", barriers=["time-and-resources"]) for n in range(1, 8)]
    write_stories(project, specs)
    set_plugin_option(project, "feed_length", 3)
    site = build(project)
    newest = [f"{SITE_URL}stories/story-{n}/" for n in (7, 6, 5)]
    for rel in (
        feedlist.MAIN_FEED,
        feedlist.UPDATED_FEED,
        "feeds/type/case-study.xml",
        "feeds/barrier/time-and-resources.xml",
    ):
        assert guids(assert_valid_rss((site / rel).read_bytes(), site, rel)) == newest, rel
    assert [item["id"] for item in json.loads((site / feedlist.JSON_FEED).read_text("utf-8"))["items"]] == newest
    assert len(json.loads((site / opendata.JSON_PATH).read_text("utf-8"))["stories"]) == 7
    assert "Each feed holds the newest 3 stories." in (site / "subscribe" / "index.html").read_text("utf-8")


def _failed_build(project: Path, **env: str) -> str:
    """Run `carehub build` as a user would; assert it failed cleanly and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(project), "build", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CAREHUB_TODAY": "2026-11-25", **env},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()
    return result.stdout + result.stderr


def test_a_feed_length_below_one_stops_the_build_with_a_clear_message(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write_stories(project, SPECS[:1])
    set_plugin_option(project, "feed_length", 0)
    assert "feed_length in mkdocs.yml must be 1 or more, not 0" in _failed_build(project)


def test_settings_the_feeds_cannot_use_stop_the_build_with_a_clear_message(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write_stories(project, SPECS[:1])
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in _failed_build(project, SOURCE_DATE_EPOCH="soon")
    config = project / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("site_name: ", 'site_name: "Hub\\x0b" # ', 1), encoding="utf-8")
    assert "site_name in mkdocs.yml contains the character U+000B" in _failed_build(project)
    config.write_text(original.replace("site_url: ", "# site_url: ", 1), encoding="utf-8")
    assert "site_url is not set in mkdocs.yml" in _failed_build(project)
