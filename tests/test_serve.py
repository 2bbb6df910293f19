"""`carehub serve` rebuilds only what an edit changed, and the site it serves is a full build's, byte for byte.

One project is built once per process by a LiveSite (render/incremental.py: what `carehub serve` runs under
MkDocs' live-reload server).  Each test starts from the project as it was made: the files an earlier test
edited, added or removed are put back and the site rebuilt (so the tests pass in any order, and when
pytest-xdist splits the file); after its own edit the served folder is compared, every file, with a fresh
`carehub build` of the same tree.  The edits: a story's body, its title and summary (listings,
related stories and feeds change), its care model (it moves between listing pages), a new story, a deleted
story, a story withdrawn in data/withdrawn.yml, a story with an error (the last good site stays, the problem is
printed with file and line), and edits to docs/ and overrides/ (a whole build).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from carehub.cli import main
from carehub.read.snapshot import Snapshot
from carehub.render.incremental import LiveSite

from .conftest import ROOT, TODAY, make_project
from .story_factory import story_text

pytestmark = pytest.mark.build

EDITED = "case-studies/red-bags.md"
EDITED_PAGE = f"stories/{EDITED}"
SOURCES = ("mkdocs.yml", "data", "docs", "overrides", "stories")  # what make_project writes


def _site_id() -> str:
    return sorted((ROOT / "data" / "sites").glob("*.yml"))[0].stem


def _stories() -> dict[str, str]:
    homes = {"care_models": ("enhanced-health-in-care-homes",), "settings": ("social-care",), "region": "london"}
    return {
        EDITED: story_text(
            "Red bags travel with care home residents",
            date="2025-01-10",
            tags=("hospital-discharge",),
            site=_site_id(),
            body="A bag with the resident's medicines and notes goes to hospital and comes back with them.",
            **homes,  # type: ignore[arg-type]
        ),
        "case-studies/discharge-to-assess.md": story_text(
            "Discharge to assess in south London",
            date="2025-02-01",
            tags=("hospital-discharge",),
            body="Patients go home first and are assessed there. [Red bags](red-bags.md) help too.",
            **homes,  # type: ignore[arg-type]
        ),
        "failures/shared-record.md": story_text(
            "We shared records before we agreed why",
            "failure",
            "2016-11-30",
            barriers=("information-governance-and-it",),
            **homes,  # type: ignore[arg-type]
        ),
        "resources/evaluation-guide.md": story_text(
            "A short guide to evaluating a care home scheme",
            "resource",
            "2024-06-05",
            care_models=("multispecialty-community-providers",),
            settings=("primary-care",),
            region="north-east-and-yorkshire",
        ),
        "patient-stories/home-sooner.md": story_text(
            "Home from hospital two days sooner",
            "patient-story",
            "2023-09-12",
            tags=("hospital-discharge",),
            body="The team rang ahead, so the house was warm when I got there.",
            **homes,  # type: ignore[arg-type]
        ),
    }


@dataclass
class Served:
    project: Path
    live: LiveSite
    out: io.StringIO
    tmp: Path
    original: dict[str, bytes]  # the project's sources as made
    first: dict[str, bytes]  # the served site after the first build

    def restore(self) -> None:
        """Put back the sources as they were made (what an earlier test edited, added or removed) and rebuild."""
        now = _sources(self.project)
        stale = set(now.keys() - self.original.keys())
        stale |= {rel for rel, data in self.original.items() if now.get(rel) != data}
        if not stale:
            return
        for rel in sorted(stale):
            path = self.project / rel
            if rel in self.original:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(self.original[rel])
            else:
                path.unlink()
        self.rebuild()
        assert self.live.last is not None and self.live.last.kind != "failed", self.out.getvalue()
        assert _tree(self.live.site_dir) == self.first, "restoring the sources brings back the first site"

    def rebuild(self) -> None:
        self.out.truncate(0)
        self.out.seek(0)
        self.live.rebuild()
        self.live.settle()

    def full_build(self) -> Path:
        site = self.tmp / f"full-{len(list(self.tmp.glob('full-*')))}"
        assert main(["--root", str(self.project), "build", "--site-dir", str(site), "--quiet"]) == 0
        return site

    def assert_same_as_full_build(self) -> None:
        served, full = _tree(self.live.site_dir), _tree(self.full_build())
        assert sorted(served.keys() - full.keys()) == [], "only in the served site"
        assert sorted(full.keys() - served.keys()) == [], "only in the full build"
        assert [rel for rel in sorted(full) if served[rel] != full[rel]] == [], "different bytes"

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.project / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _tree(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def _sources(project: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in SOURCES:
        top = project / name
        for path in [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]:
            files[path.relative_to(project).as_posix()] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def _live_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One served project per process (each pytest-xdist worker has its own)."""
    tmp = tmp_path_factory.mktemp("serve")
    project = make_project(tmp, _stories())
    out = io.StringIO()
    live = LiveSite(project, tmp / "served" / "site", today=TODAY, jobs=2, out=out)
    assert live.start(), out.getvalue()
    yield Served(project, live, out, tmp, _sources(project), _tree(live.site_dir))
    live.settle()


@pytest.fixture
def served(_live_project: Served) -> Served:
    """The served project, its sources as made and its site rebuilt from them."""
    _live_project.restore()
    return _live_project


def test_the_first_build_is_a_full_build(served: Served) -> None:
    full = _tree(served.full_build())
    assert sorted(full.keys() ^ served.first.keys()) == [], "in one site only"
    assert [rel for rel in sorted(full) if served.first[rel] != full[rel]] == [], "different bytes"


def test_a_body_edit_renders_that_story_page_alone(served: Served) -> None:
    served.edit(f"stories/{EDITED}", "comes back with them.", "comes back with them, every time.")
    served.rebuild()
    assert served.live.last is not None
    assert (served.live.last.kind, served.live.last.pages) == ("pages", (EDITED_PAGE,))
    assert "stories/red-bags/index.html" in served.live.last.written
    assert "every time" in (served.live.site_dir / "stories/red-bags/index.html").read_text(encoding="utf-8")
    assert "rebuilt 1 page in" in served.out.getvalue()
    served.assert_same_as_full_build()


def test_a_title_and_summary_edit_renders_the_listings_related_pages_and_feeds(served: Served) -> None:
    served.edit(f"stories/{EDITED}", '"Red bags travel with care home residents"', '"Red bags go everywhere with them"')
    served.edit(f"stories/{EDITED}", '"Summary of Red bags', '"Summary, rewritten, of Red bags')
    served.rebuild()
    last = served.live.last
    assert last is not None and last.kind == "pages"
    assert EDITED_PAGE in last.pages
    assert "stories/case-studies/discharge-to-assess.md" in last.pages  # shows it as related
    assert "stories/index.md" in last.pages  # the all-stories listing
    assert "stories/resources/evaluation-guide.md" not in last.pages  # shares nothing with it
    assert {"feed_rss_created.xml", "stories.json"} <= set(last.written)
    served.assert_same_as_full_build()


def test_a_care_model_change_moves_the_story_between_facet_pages(served: Served) -> None:
    served.edit(f"stories/{EDITED}", '"enhanced-health-in-care-homes"', '"multispecialty-community-providers"')
    served.rebuild()
    last = served.live.last
    assert last is not None and last.kind == "pages"
    assert {
        "browse/care-model/enhanced-health-in-care-homes/index.md",
        "browse/care-model/multispecialty-community-providers/index.md",
    } <= set(last.pages)
    served.assert_same_as_full_build()


def test_a_new_story_is_published(served: Served) -> None:
    (served.project / "stories/case-studies/falls-response.md").write_text(
        story_text("A falls response team that stays until help arrives", date="2025-03-03"), encoding="utf-8"
    )
    served.rebuild()
    assert served.live.last is not None and served.live.last.kind == "full"
    assert (served.live.site_dir / "stories/falls-response/index.html").is_file()
    served.assert_same_as_full_build()


def test_a_deleted_story_is_gone(served: Served) -> None:
    (served.project / "stories/resources/evaluation-guide.md").unlink()
    served.rebuild()
    assert not (served.live.site_dir / "stories/evaluation-guide/index.html").exists()
    served.assert_same_as_full_build()


def test_a_story_withdrawn_in_the_data_file_is_gone_from_every_page(served: Served) -> None:
    with (served.project / "data/withdrawn.yml").open("a", encoding="utf-8") as withdrawn:
        withdrawn.write(f"  - slug: home-sooner\n    date: {TODAY.isoformat()}\n")
    served.rebuild()
    assert served.live.last is not None and served.live.last.kind == "full"
    for path in served.live.site_dir.rglob("*.html"):
        assert "two days sooner" not in path.read_text(encoding="utf-8"), path
    served.assert_same_as_full_build()


def test_a_story_with_an_error_keeps_the_last_good_site_and_names_the_file_and_line(served: Served) -> None:
    before = _tree(served.live.site_dir)
    served.edit(f"stories/{EDITED}", 'region: "london"', 'region: "atlantis"')
    served.edit(f"stories/{EDITED}", "comes back with them.", "comes back with them, every single time.")
    served.rebuild()
    assert served.live.last is not None and served.live.last.kind == "failed"
    assert re.search(r"stories/case-studies/red-bags\.md:\d+:\d+ +error +CH2\d\d", served.out.getvalue())
    assert _tree(served.live.site_dir) == before
    # Fixed: both edits since the last good build are published, the one with the error and the other.
    served.edit(f"stories/{EDITED}", 'region: "atlantis"', 'region: "london"')
    served.rebuild()
    assert served.live.last is not None and served.live.last.kind == "pages"
    assert "every single time" in (served.live.site_dir / "stories/red-bags/index.html").read_text(encoding="utf-8")
    served.assert_same_as_full_build()


@pytest.mark.parametrize("rel", ["docs/about.md", "overrides/main.html"])
def test_an_edit_to_docs_or_overrides_builds_the_whole_site(served: Served, rel: str) -> None:
    path = served.project / rel
    path.write_text(path.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
    served.rebuild()
    last = served.live.last
    assert last is not None and last.kind == "full" and rel in last.reason
    served.assert_same_as_full_build()


def test_a_snapshot_names_the_files_added_removed_and_modified(tmp_path: Path) -> None:
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "stories" / "b.md").write_text("b", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    paths = [tmp_path / "stories", tmp_path / "mkdocs.yml", tmp_path / "missing"]
    before = Snapshot.take(tmp_path, paths)
    (tmp_path / "stories" / "a.md").write_text("a, longer", encoding="utf-8")
    (tmp_path / "stories" / "b.md").unlink()
    (tmp_path / "stories" / "c.md").write_text("c", encoding="utf-8")
    changes = Snapshot.take(tmp_path, paths).changes_since(before)
    assert changes.added == ("stories/c.md",)
    assert changes.removed == ("stories/b.md",)
    assert changes.modified == ("stories/a.md",)
    assert not Snapshot.take(tmp_path, paths).changes_since(Snapshot.take(tmp_path, paths))
