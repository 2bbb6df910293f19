"""A built site's story pages: GitHub-flavoured bodies, files beside a story, and honest outcome figures.

Builds a real project (tmp) with a resource that keeps its checklist PDF and a photo beside it, a case study
with percentage and money outcomes, a spare file no story links, and a withdrawn story's picture; then parses
the pages.  (The fixtures of tests/fixtures/gfm/ test the renderer alone: test_storybody.py.)
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from carehub.check.catalogue import load_catalogue
from carehub.check.model import Outcome
from carehub.plan.charts import change_of, with_unit

from . import sample_files
from .conftest import make_project
from .feedkit import build
from .html_tools import Element, parse_file
from .story_factory import story_text

TOOLKIT = "red-bag-scheme-toolkit"
AUDIT = "red-bag-audit-sutton"

BODY = """Sutton's care homes use the bag with every hospital transfer.
Work through this list before a transfer:
- Pack the [red bag checklist](red-bag-checklist.pdf) with the medicines chart
  - Put the chart in the front pocket
- Ring the ward

3. Third step: the ward rings the home before discharge

> [!TIP]
> Print the [checklist](red-bag-checklist.pdf#page=2) on red paper.

![A red bag packed with a medicines chart](red-bag.png)

- [x] Agree the bag's colour with the ambulance service
- [ ] ~~Laminate~~ the checklist

See the [audit](../case-studies/red-bag-audit-sutton.md) for figures.[^1] The [ward's leaflet][leaflet]
is for families.

[leaflet]: red-bag-leaflet.pdf "For families"

[^1]: Sutton Homes of Care vanguard, 2017.
"""


# A table kept as the audit printed it: its spaces are content, in the built page too.
AUDIT_BODY = """The audit counted every transfer from 26 homes.

```text
Home        Transfers
  Ashdown          41
  Beech Lodge      17
```
"""


def _project(tmp_path: Path) -> Path:
    stories = {
        f"resources/{TOOLKIT}.md": story_text(
            "The red bag scheme toolkit",
            "resource",
            body=BODY,
            image={"src": "red-bag.png", "alt": "A red bag on a care home's hall table"},
            downloads=[{"title": "Red bag checklist", "href": "red-bag-checklist.pdf", "format": "PDF"}],
        ),
        f"case-studies/{AUDIT}.md": story_text(
            "Red bag audit in Sutton",
            outcomes=[
                {
                    "measure": "Residents arriving with their medicines chart",
                    "before": 12,
                    "after": 81,
                    "unit": "%",
                    "period": "2015/16 against 2016/17",
                    "source": "Sutton transfer audit",
                    "higher_is_better": True,
                },
                {
                    "measure": "Cost of lost belongings",
                    "before": 4210,
                    "after": 1890,
                    "unit": "£ a year",
                    "period": "2015/16 against 2016/17",
                    "source": "Care home complaints log",
                },
                {
                    "measure": "Bed days saved",
                    "before": 1.2,
                    "after": 2.1,
                    "unit": "£ million a year",
                    "period": "2015/16 against 2016/17",
                    "source": "Sutton CCG finance report",
                    "higher_is_better": True,
                },
            ],
            body=AUDIT_BODY,
        ),
    }
    root = make_project(tmp_path, stories)
    (root / "stories" / "resources" / "red-bag-checklist.pdf").write_bytes(sample_files.pdf())
    (root / "stories" / "resources" / "red-bag.png").write_bytes(sample_files.png(4, 3))
    (root / "stories" / "resources" / "old-draft.pdf").write_bytes(sample_files.pdf("An old draft"))
    (root / "stories" / "resources" / "red-bag-leaflet.pdf").write_bytes(sample_files.pdf("A leaflet"))
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _project(tmp_path_factory.mktemp("beside"))
    return build(root)


def _page(site: Path, slug: str) -> Element:
    return parse_file(site / "stories" / slug / "index.html")


def _resolves(site: Path, page_dir: Path, href: str) -> bool:
    path = unquote(urlsplit(href).path)
    target = site / path.lstrip("/") if path.startswith("/") else page_dir / path
    target = Path(posixpath.normpath(str(target)))
    return target.is_file() or (target / "index.html").is_file()


def test_every_relative_link_and_image_on_the_story_page_resolves(site: Path) -> None:
    page = _page(site, TOOLKIT)
    page_dir = site / "stories" / TOOLKIT
    targets = [str(a.attrs.get("href")) for a in page.find_all("a") if a.attrs.get("href")]
    targets += [str(img.attrs.get("src")) for img in page.find_all("img")]
    relative = [t for t in targets if not urlsplit(t).scheme and not t.startswith("#")]
    beside = [t for t in relative if "red-bag" in t]
    assert len(beside) >= 5  # the body's PDF twice, the body's image, the front matter's image and download
    broken = [t for t in relative if not _resolves(site, page_dir, t)]
    assert broken == []
    assert any(t.endswith("red-bag-checklist.pdf#page=2") for t in beside)
    assert (site / "stories" / "resources" / "red-bag-checklist.pdf").read_bytes() == sample_files.pdf()
    # A file linked only through a reference definition ([the leaflet][leaflet] … [leaflet]: file.pdf) is published.
    assert any(t.endswith("red-bag-leaflet.pdf") for t in beside)
    assert (site / "stories" / "resources" / "red-bag-leaflet.pdf").read_bytes() == sample_files.pdf("A leaflet")


def test_the_body_is_github_flavoured(site: Path) -> None:
    page = _page(site, TOOLKIT)
    lists = page.find_all("ul")
    assert any("Pack the" in li.text for ul in lists for li in ul.find_all("li"))
    assert next(ol.attrs.get("start") for ol in page.find_all("ol") if not ol.attrs.get("class")) == "3"
    assert page.find("del") is not None and page.find("del").text == "Laminate"  # type: ignore[union-attr]
    tip = [d for d in page.find_all("div") if "admonition" in str(d.attrs.get("class", "")).split()]
    assert len(tip) == 1 and "tip" in str(tip[0].attrs["class"]) and "Print the" in tip[0].text
    assert "Done:" in page.text and "To do:" in page.text
    assert page.find("section", class_="footnotes") is not None
    audit = [a for a in page.find_all("a") if a.text == "audit"]
    assert audit and str(audit[0].attrs["href"]).rstrip("/").endswith(AUDIT)


def test_a_file_no_story_links_is_not_published_and_check_says_so(site: Path) -> None:
    assert not (site / "stories" / "resources" / "old-draft.pdf").exists()
    catalogue = load_catalogue(site.parent)
    assert "stories/resources/old-draft.pdf" not in catalogue.assets
    assert [(p.file, p.code, p.severity) for p in catalogue.problems] == [
        ("stories/resources/old-draft.pdf", "CH512", "warning")
    ]


def test_outcomes_read_as_readers_expect_in_table_chart_and_text(site: Path) -> None:
    page = _page(site, AUDIT)
    table = page.find("table", class_="ch-outcomes__table")
    assert table is not None
    rows = [[cell.text.strip() for cell in tr.find_all() if cell.tag in ("th", "td")] for tr in table.find_all("tr")]
    assert rows[1][:4] == [
        "Residents arriving with their medicines chart",
        "12%",
        "81%",
        "Up 69 percentage points (better)",
    ]
    assert rows[2][:4] == ["Cost of lost belongings", "£4,210 a year", "£1,890 a year", "Down 55.1% (better)"]
    assert rows[3][1:3] == ["£1.2 million a year", "£2.1 million a year"]
    numbers = [cell for cell in table.find_all("td") if "ch-num" in str(cell.attrs.get("class", ""))]
    assert len(numbers) == 6  # before and after, right-aligned
    # The table is the charts' text alternative: each chart (hidden from screen readers) draws its row's figures.
    charts = page.find_all("svg", class_="ch-chart")
    for row, chart in zip(rows[1:], charts, strict=True):
        assert row[1] in chart.text and row[2] in chart.text
    assert "575" not in page.text


@pytest.mark.parametrize(
    ("before", "after", "unit", "words"),
    [
        (12, 81, "%", "Up 69 percentage points (better)"),
        (58, 81, "%", "Up 23 percentage points (better)"),
        (40, 39, "percentage points", "Down 1 percentage point (worse)"),
        (40, 31, "admissions a month", "Down 22.5% (better)"),
        (0, 5, "falls a week", "Up (worse)"),
    ],
)
def test_change_words(before: float, after: float, unit: str, words: str) -> None:
    higher = unit in ("%", "percentage points")
    outcome = Outcome(
        measure="m", before=before, after=after, unit=unit, period="p", source="s", higher_is_better=higher
    )
    assert change_of(outcome).words == words


def test_money_units() -> None:
    assert with_unit(4210, "£ a year") == "£4,210 a year"
    assert with_unit(2.1, "£ million a year") == "£2.1 million a year"
    assert with_unit(350, "£") == "£350"
    assert with_unit(-1200.5, "£ a year") == "-£1,200.5 a year"
    assert with_unit(3.5, "days") == "3.5 days"


def test_a_withdrawn_storys_pictures_are_never_published(tmp_path: Path) -> None:
    """Consent outranks a link: the withdrawn story's own folder, and any file it names, stay off the site."""
    slug = "home-from-hospital-with-a-red-bag"
    stories = {
        f"patient-stories/{slug}/index.md": story_text(
            "Home from hospital with a red bag",
            "patient-story",
            body="![My room at the care home](my-room.png) and ![The bag](../shared-bag.png)",
        ),
        "case-studies/red-bag-photos.md": story_text(
            "Red bag photographs",
            body=f"![A room](../patient-stories/{slug}/my-room.png) ![Bag](../patient-stories/shared-bag.png)",
        ),
    }
    root = make_project(tmp_path, stories)
    folder = root / "stories" / "patient-stories"
    (folder / slug / "my-room.png").write_bytes(sample_files.png())
    (folder / "shared-bag.png").write_bytes(sample_files.png())
    assert sorted(load_catalogue(root).assets) == [
        f"stories/patient-stories/{slug}/my-room.png",
        "stories/patient-stories/shared-bag.png",
    ]
    (root / "data" / "withdrawn.yml").write_text(f"withdrawn:\n  - slug: {slug}\n    date: 2026-11-20\n", "utf-8")
    catalogue = load_catalogue(root)
    assert catalogue.assets == ()
    codes = sorted((p.file, p.code) for p in catalogue.problems if p.code in ("CH512", "CH513"))
    assert codes == [
        (f"stories/patient-stories/{slug}/my-room.png", "CH513"),
        ("stories/patient-stories/shared-bag.png", "CH513"),
    ]
    site = build(root)
    assert not list(site.rglob("my-room.png")) and not list(site.rglob("shared-bag.png"))


def test_the_templates_indentation_is_gone_but_not_the_spaces_that_are_content(site: Path) -> None:
    html = (site / "stories" / AUDIT / "index.html").read_text(encoding="utf-8")
    pre = re.search(r"<pre\b.*?</pre>", html, flags=re.S)
    assert pre is not None and "Home        Transfers\n  Ashdown          41\n  Beech Lodge      17" in pre.group(0)
    outside = re.sub(r"<(pre|code|script|style|textarea)\b.*?</\1>", "kept", html, flags=re.S)
    assert re.search(r"\n[ \t]|[ \t]\n|\n\n", outside) is None
    assert "<h1>Red bag audit in Sutton</h1>" in html
