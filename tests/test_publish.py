"""Publishing: the new site replaces the old one whole, and the old one is removed without following links."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from carehub.publish import swap


def make_tree(top: Path, width: int) -> None:
    for i in range(width):
        folder = top / f"d{i}" / "inner"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(str(i))
        (top / f"d{i}" / "feed.xml").write_text(str(i))
    (top / "root.txt").write_text("root")


def test_the_old_site_is_removed_and_links_in_it_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, 2)
    old = tmp_path / "old"
    make_tree(old, 40)
    (old / "link-to-folder").symlink_to(outside, target_is_directory=True)
    (old / "d0" / "link-to-file").symlink_to(outside / "root.txt")
    (old / "broken").symlink_to(tmp_path / "missing")

    swap.remove_tree(old)

    assert not old.exists() and not old.is_symlink()
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == [
        "d0/feed.xml",
        "d0/inner/index.html",
        "d1/feed.xml",
        "d1/inner/index.html",
        "root.txt",
    ]


def test_removing_a_tree_that_is_not_there_does_not_raise(tmp_path: Path) -> None:
    swap.remove_tree(tmp_path / "missing")


def test_a_failure_part_way_is_finished_one_file_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "old"
    make_tree(old, 10)

    def fail(names: list[str]) -> None:
        raise FileNotFoundError(names[0])

    monkeypatch.setattr(swap, "_unlink_all", fail)
    swap.remove_tree(old)
    assert not old.exists()


def test_a_build_replaces_the_site_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_tree(site, 5)

    def build(staging: Path) -> None:
        (staging / "index.html").write_text("new")

    swap.publish_atomically(site, build)
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# A build in another process: its build step writes a page, says so, then waits for `go` (or kills itself).
_OTHER_BUILD = """
import os, signal, sys, time
from pathlib import Path
from carehub.publish import swap

site, mode = Path(sys.argv[1]), sys.argv[2]

def build(staging):
    (staging / "index.html").write_text("other")
    (site.parent / "ready").write_text(staging.name)
    if mode == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    while not (site.parent / "go").exists():
        time.sleep(0.02)

swap.publish_atomically(site, build)
"""


def _start_other_build(site: Path, mode: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", _OTHER_BUILD, str(site), mode])
    deadline = time.monotonic() + 60
    while not (site.parent / "ready").exists():
        assert process.poll() is None or mode == "die", "the other build stopped before it began"
        assert time.monotonic() < deadline, "the other build never started"
        time.sleep(0.02)
    return process


def _build(staging: Path) -> None:
    (staging / "index.html").write_text("new")


def test_a_build_removes_what_a_killed_build_left(tmp_path: Path) -> None:
    site = tmp_path / "site"
    process = _start_other_build(site, "die")
    assert process.wait(timeout=60) == -signal.SIGKILL
    left = (tmp_path / "ready").read_text()
    (tmp_path / "ready").unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [left, f"{left}.lock"]
    assert (tmp_path / left / "index.html").read_text() == "other"

    swap.publish_atomically(site, _build)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (site / "index.html").read_text() == "new"


def test_a_build_keeps_the_folder_of_a_build_still_running(tmp_path: Path) -> None:
    site = tmp_path / "site"
    process = _start_other_build(site, "wait")
    try:
        running = (tmp_path / "ready").read_text()
        swap.publish_atomically(site, _build)
        assert (site / "index.html").read_text() == "new"
        assert (tmp_path / running / "index.html").read_text() == "other"  # untouched while it runs
        assert (tmp_path / f"{running}.lock").is_file()
    finally:
        (tmp_path / "go").write_text("")
        assert process.wait(timeout=60) == 0
    assert (site / "index.html").read_text() == "other"  # it finished and published in turn
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go", "ready", "site"]


def test_a_build_removes_folders_left_by_builds_from_before_locks(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name in (".site-building-k2x9_q1a", ".site-old-4242"):
        make_tree(tmp_path / name, 2)
    (tmp_path / ".site-building-k2x9_q1a" / "escape").symlink_to(tmp_path / "outside", target_is_directory=True)
    make_tree(tmp_path / "outside", 1)

    swap.publish_atomically(site, _build)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "site"]
    assert (tmp_path / "outside" / "root.txt").is_file()
