"""Publishing: the new site replaces the old one whole, and the old one is removed without following links."""

from __future__ import annotations

from pathlib import Path

import pytest

from carehub import publish


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

    publish.remove_tree(old)

    assert not old.exists() and not old.is_symlink()
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == [
        "d0/feed.xml",
        "d0/inner/index.html",
        "d1/feed.xml",
        "d1/inner/index.html",
        "root.txt",
    ]


def test_removing_a_tree_that_is_not_there_does_not_raise(tmp_path: Path) -> None:
    publish.remove_tree(tmp_path / "missing")


def test_a_failure_part_way_is_finished_one_file_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "old"
    make_tree(old, 10)

    def fail(names: list[str]) -> None:
        raise FileNotFoundError(names[0])

    monkeypatch.setattr(publish, "_unlink_all", fail)
    publish.remove_tree(old)
    assert not old.exists()


def test_a_build_replaces_the_site_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_tree(site, 5)

    def build(staging: Path) -> None:
        (staging / "index.html").write_text("new")

    publish.publish_atomically(site, build)
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
