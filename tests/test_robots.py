"""robots.txt: in every build, allowing every crawler everything, naming the sitemap index by its full address."""

from __future__ import annotations

import urllib.robotparser
from pathlib import Path

import pytest

from carehub.cli import main
from carehub.publish.robots import robots_txt

from .conftest import FIXTURES, make_project

VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()


def parse(text: str) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    return parser


@pytest.mark.parametrize(
    ("site_url", "sitemap"),
    [
        ("https://carehub.example.org/", "https://carehub.example.org/sitemap.xml"),
        ("https://cdn.example.net/hub", "https://cdn.example.net/hub/sitemap.xml"),
    ],
)
def test_robots_names_the_sitemap_by_its_full_address(site_url: str, sitemap: str) -> None:
    parser = parse(robots_txt(site_url).decode("utf-8"))
    assert parser.site_maps() == [sitemap]
    for path in ("/", "/stories/a-story/", "/search/", "/feed.json"):
        assert parser.can_fetch("AnyBot", site_url.rstrip("/") + path)


@pytest.mark.build
def test_every_build_writes_robots_txt_naming_the_sitemap_it_wrote(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"case-studies/valid-case-study.md": VALID})
    assert main(["--root", str(project), "build", "--quiet"]) == 0
    site = project / "site"
    parser = parse((site / "robots.txt").read_text(encoding="utf-8"))
    assert parser.site_maps() == ["https://carehub.example.org/sitemap.xml"]
    assert parser.can_fetch("Googlebot", "https://carehub.example.org/stories/")
    assert "<sitemapindex" in (site / "sitemap.xml").read_text(encoding="utf-8")
