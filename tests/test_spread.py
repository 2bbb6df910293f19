"""Spread (issue 20): approaches, the barrier matrix, buddying, case study updates and the outcomes open data.

Every test builds (or checks) a throwaway project with its own realistic stories, so none depends on which
stories the repository holds.  Build tests parse the real output.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from carehub import cli
from carehub.check.catalogue import Catalogue, load_catalogue
from carehub.check.checker import check_project
from carehub.plan.approaches import build_approaches, build_matrices, matrix_stories
from carehub.plan.directory import build_directory
from carehub.publish.search import extract

from .conftest import TODAY, make_project
from .html_tools import Element, parse_file
from .story_factory import story_text

APPROACHES = """approaches:
  - id: red-bag-scheme
    name: Red bag scheme
    summary: A bag that travels with a care home resident to hospital and back, with their papers and belongings.
    description: Care homes pack one bag with the resident's papers, medicines and belongings; it comes home too.
    care_models: [enhanced-health-in-care-homes]
    started_at: harbour-care-homes
    started: 2015-06-01
  - id: telemedicine-into-care-homes
    name: Telemedicine into care homes
    summary: Care home staff reach a nurse by video at any hour, so residents are often assessed without a trip.
    description: A video link from each care home to a clinical hub that can assess residents on screen.
    care_models: [enhanced-health-in-care-homes]
"""

PAPERS = "Residents whose papers arrived on the ward with them"
LOST = "Personal items lost during a hospital stay"


def _site(name: str, region: str, vanguard: bool, contact: str, offers: str = "[]", wants: str = "[]") -> str:
    return (
        f"name: {name}\nkind: partnership\ncare_models: [enhanced-health-in-care-homes]\nregion: {region}\n"
        f"vanguard: {'true' if vanguard else 'false'}\n"
        f"summary: {name} joins up health and care for people living in its care homes.\n"
        f"contact: {contact}\noffers: {offers}\nwants: {wants}\n"
    )


def _outcome(measure: str, before: float, after: float, unit: str, higher: bool = False) -> dict[str, Any]:
    return {
        "measure": measure,
        "before": before,
        "after": after,
        "unit": unit,
        "period": "Three months before against three months after",
        "source": "Care home audit, 2017",
        "higher_is_better": higher,
    }


def _stories() -> dict[str, str]:
    return {
        "case-studies/red-bag-harbour.md": story_text(
            "Red bags in Harbour care homes",
            date="2017-02-16",
            site="harbour-care-homes",
            approach="red-bag-scheme",
            evidence_level="before-and-after",
            status="early",
            buddy_contact="harbour.care.homes@nhs.net",
            barriers=("time-and-resources",),
            outcomes=[_outcome(PAPERS, 41, 86, "%", True), _outcome(LOST, 9, 2, "items a month")],
            updates=[
                {
                    "date": "2017-08-14",
                    "status": "ongoing",
                    "note": "All twelve homes now use the bags.",
                    "outcomes": [_outcome(PAPERS, 41, 88, "%", True)],
                },
                {
                    "date": "2018-03-01",
                    "status": "final",
                    "note": "The bag check is part of every discharge.",
                    "outcomes": [_outcome(PAPERS, 41, 91, "%", True)],
                },
            ],
        ),
        "case-studies/red-bag-moorside.md": story_text(
            "Red bags in Moorside, copied from Harbour",
            date="2017-06-05",
            region="north-west",
            site="moorside-partnership",
            approach="red-bag-scheme",
            adopted_from=["harbour-care-homes"],
            adopted_from_story="red-bag-harbour",
            evidence_level="controlled-comparison",
            status="ongoing",
            buddy_contact="moorside.buddying@nhs.net",
            barriers=("not-part-of-vanguard-club",),
            # The same measure in other words and case: it must share the column.
            outcomes=[_outcome("Residents whose papers arrived on the ward with them.", 38, 79, "%", True)],
        ),
        "failures/red-bags-went-missing.md": story_text(
            "Our red bags went missing on the wards",
            "failure",
            date="2017-09-11",
            region="north-west",
            site="moorside-partnership",
            approach="red-bag-scheme",
            barriers=("time-and-resources", "information-governance-and-it"),
        ),
        "patient-stories/my-bag-came-home.md": story_text(
            "My bag came home with me",
            "patient-story",
            date="2017-10-02",
            approach="red-bag-scheme",
            outcomes=[_outcome("A figure that must never reach the open data", 1, 2, "times")],
        ),
        "case-studies/video-calls-to-the-care-home.md": story_text(
            "Video calls to the care home at night",
            date="2018-01-08",
            organisation="Midshire Telehealth Hub",
            region="midlands",
            approach="telemedicine-into-care-homes",
            evidence_level="anecdotal",
            status="early",
            buddy_contact="telehealth.team@nhs.net",
            barriers=("information-governance-and-it",),
        ),
    }


def _project(tmp_path: Path) -> Path:
    root = make_project(tmp_path, _stories())
    (root / "data" / "approaches.yml").write_text(APPROACHES, encoding="utf-8")
    sites = root / "data" / "sites"
    for copied in sites.glob("*.yml"):  # the repository's sites offer its own approaches: not these
        lines = copied.read_text(encoding="utf-8").splitlines(keepends=True)
        copied.write_text("".join(x for x in lines if not x.startswith(("offers:", "wants:"))), encoding="utf-8")
    (sites / "harbour-care-homes.yml").write_text(
        _site("Harbour Care Homes vanguard", "london", True, "harbour.care.homes@nhs.net", offers="[red-bag-scheme]"),
        encoding="utf-8",
    )
    (sites / "moorside-partnership.yml").write_text(
        _site(
            "Moorside Partnership",
            "north-west",
            False,
            "moorside.buddying@nhs.net",
            offers="[telemedicine-into-care-homes]",
            wants="[red-bag-scheme, data-sharing]",
        ),
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Catalogue]]:
    root = _project(tmp_path_factory.mktemp("spread"))
    _build(root)
    yield root / "site", load_catalogue(root, today=TODAY, review=True)


def _page(site: Path, url: str) -> Element:
    return parse_file(site / url / "index.html")


def _by_id(node: Element, element_id: str) -> Element:
    found = node.find(id=element_id)
    assert found is not None, element_id
    return found


def _section(node: Element, heading_id: str) -> Element:
    element: Element | None = _by_id(node, heading_id)
    while element is not None and element.tag != "section":
        element = element.parent
    assert element is not None, heading_id
    return element


def _rows(table: Element) -> list[Element]:
    body = table.find("tbody")
    assert body is not None
    return body.find_all("tr")


def _links(node: Element) -> list[str]:
    return [str(a.attrs["href"]) for a in node.find_all("a", href=True)]


def _story_links(node: Element) -> set[str]:
    return {href.rstrip("/").split("/")[-1] for href in _links(node) if "stories/" in href}


def _cells(row: Element) -> list[str]:
    return [td.text for td in row.find_all("td")]


def _row_header(row: Element) -> str:
    th = row.find("th")
    assert th is not None
    return th.text


# -- approach pages ------------------------------------------------------------------------------


def test_an_approach_page_lists_exactly_its_stories(built: tuple[Path, Catalogue]) -> None:
    site, catalogue = built
    page = _page(site, "approaches/red-bag-scheme")
    places = _section(page, "ch-places")
    mine = {s.slug for s in catalogue.stories if s.meta.approach == "red-bag-scheme" and s.meta.type != "patient-story"}
    assert _story_links(places) == mine
    assert "video-calls-to-the-care-home" not in " ".join(_links(page))
    table = places.find("table")
    assert table is not None
    rows = _rows(table)
    assert _row_header(rows[0]) == "Harbour Care Homes vanguard (where it started)"
    assert _row_header(rows[1]) == "Moorside Partnership"
    assert _cells(rows[0])[:3] == ["London", "Yes", "1 June 2015"]  # the approach's own start date
    assert _cells(rows[1])[:3] == ["North West", "No", "5 June 2017"]
    assert _story_links(_section(page, "ch-patient-stories")) == {"my-bag-came-home"}
    svg = places.find("svg", class_="ch-map")
    assert svg is not None
    titles = {t.text for t in svg.find_all("title")}
    assert "London: 1 place" in titles and "North West: 1 place" in titles  # places counted, not stories


def _evidence(site: Path) -> tuple[list[str], dict[str, list[str]]]:
    table = _section(_page(site, "approaches/red-bag-scheme"), "ch-evidence").find("table")
    assert table is not None
    head = table.find("thead")
    assert head is not None
    headers = [th.text for th in head.find_all("th")]
    return headers, {_row_header(row): _cells(row) for row in _rows(table)}


def test_search_indexes_what_an_approach_page_says_not_what_every_one_says(built: tuple[Path, Catalogue]) -> None:
    """Counts, the map, "No ... yet", the share prompt, the edit link and a story card's labels are on every
    approach page alike (or describe another page): left out of its words, while its own text and the titles of
    the stories it lists stay in."""
    site, _ = built
    pages = sorted((site / "approaches").glob("*/index.html"))
    assert len(pages) >= 2
    empty_parts = cards = 0
    for path in pages:
        html = path.read_text("utf-8")
        record = extract.read_page(extract.page_url(site, path), html)
        assert record is not None, path
        page = parse_file(path)
        lead = page.find(class_="ch-lead")
        assert lead is not None and lead.text.strip() in record.text
        shared = ("Share your story", "you need a free account", "Schematic map", "case studies,", "Strongest evidence")
        for fixed in shared:
            assert fixed not in record.text, (path, fixed)
        empty_parts += html.count(" yet.</p>")
        assert " yet." not in record.text.replace("No case study yet: nobody", ""), path  # the gaps list stays
        lists = page.find_all(class_="ch-cards")
        for card in [li for ol in lists for li in ol.find_all("li")]:  # story cards carry no class (macros.html)
            cards += 1
            title, labels = card.find("h3") or card.find("h2"), card.find(class_="ch-card__meta")
            assert title is not None and labels is not None
            assert title.text.strip() in record.text
            assert " ".join(labels.text.split()) not in record.text, (path, labels.text)
    assert empty_parts and cards  # the fixture has approach pages with empty parts and with story cards


def test_an_approach_page_aligns_like_measures_in_one_column(built: tuple[Path, Catalogue]) -> None:
    site, _ = built
    headers, body = _evidence(site)
    assert headers[:3] == ["Case study", "Evidence", "Status"]
    assert headers[3].startswith(PAPERS) and headers[4].startswith(LOST)
    assert len(headers) == 5  # Moorside's wording of the same measure shares Harbour's column
    harbour, moorside = body["Harbour Care Homes vanguard"], body["Moorside Partnership"]
    assert harbour[:2] == ["Before-and-after measures", "Final"]  # the status of its latest update
    assert harbour[2].startswith("41% → 91%")  # the figures of its latest update
    assert harbour[3].startswith("9 items a month → 2 items a month")
    assert moorside[:2] == ["Controlled comparison", "Ongoing"]
    assert moorside[2].startswith("38% → 79%")
    assert moorside[3] == "Not measured"


def test_an_approach_page_shows_its_failures_with_their_barriers(built: tuple[Path, Catalogue]) -> None:
    site, _ = built
    page = _page(site, "approaches/red-bag-scheme")
    failures = _section(page, "ch-failures")
    assert _story_links(failures) == {"red-bags-went-missing"}
    assert "Insufficient time and resources to transform" in failures.text
    assert "Information governance and IT systems" in failures.text
    assert "Not independently evaluated yet" in _section(page, "ch-evidence-gaps").text
    other = _section(_page(site, "approaches/telemedicine-into-care-homes"), "ch-evidence-gaps")
    assert "measured the results in a planned way" in other.text


def test_the_approaches_index_counts_places_case_studies_and_failures(built: tuple[Path, Catalogue]) -> None:
    site, _ = built
    table = _page(site, "approaches").find("table")
    assert table is not None
    rows = {_row_header(row).split(" ", 3)[:3][0]: _cells(row) for row in _rows(table)}
    assert rows["Red"] == ["2", "2", "1", "Controlled comparison"]
    assert rows["Telemedicine"] == ["1", "1", "0", "Anecdotal"]


# -- updates -----------------------------------------------------------------------------------------


def test_updates_render_as_a_timeline_latest_first(built: tuple[Path, Catalogue]) -> None:
    site, _ = built
    page = _page(site, "stories/red-bag-harbour")
    timeline = page.find("ol", class_="ch-timeline__list")
    assert timeline is not None
    items = [child for child in timeline.children if isinstance(child, Element) and child.tag == "li"]
    assert [li.attrs["id"] for li in items] == ["update-2018-03-01", "update-2017-08-14"]
    assert items[0].text.startswith("1 March 2018: Final (latest)")
    assert items[1].text.startswith("14 August 2017: Ongoing")
    assert "41% → 91%" in items[0].text and "41% → 88%" in items[1].text
    explained = {a.text.split(":")[0]: str(a.attrs["href"]) for a in page.find_all("a", class_="ch-explained")}
    assert explained["Before-and-after measures"].endswith("resources/evaluating/#evidence-before-and-after")
    assert explained["Early"].endswith("resources/evaluating/#status-early")
    evaluating = _page(site, "resources/evaluating")
    assert evaluating.find(id="evidence-before-and-after") is not None
    assert evaluating.find(id="status-stopped") is not None


def _items(feed: Path) -> list[dict[str, str]]:
    channel = ET.parse(feed).getroot().find("channel")
    assert channel is not None
    return [{child.tag: child.text or "" for child in item} for item in channel.findall("item")]


def _build(root: Path) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CAREHUB_TODAY", TODAY.isoformat())
        env.setenv("NO_MKDOCS_2_WARNING", "1")
        env.delenv("SOURCE_DATE_EPOCH", raising=False)
        assert cli.main(["--root", str(root), "build", "--quiet", "--jobs", "1"]) == 0


def test_each_update_is_a_feed_item_of_its_own_with_a_stable_guid(
    built: tuple[Path, Catalogue], tmp_path: Path
) -> None:
    site, _ = built
    story = "https://carehub.example.org/stories/red-bag-harbour/"
    for feed in ("feed_rss_updated.xml", "feeds/type/case-study.xml", "feeds/region/london.xml"):
        guids = [item["guid"] for item in _items(site / feed)]
        assert f"{story}#update-2018-03-01" in guids and f"{story}#update-2017-08-14" in guids, feed
        assert guids.count(story) == 1 and len(guids) == len(set(guids)), feed
    assert all("#update-" not in item["guid"] for item in _items(site / "feed_rss_created.xml"))  # new stories only
    updated = _items(site / "feed_rss_updated.xml")
    first = updated[0]
    assert first["guid"] == f"{story}#update-2018-03-01" and first["link"] == first["guid"]
    assert first["title"] == "Update (Final): Red bags in Harbour care homes"
    assert first["description"] == "The bag check is part of every discharge."
    # Stable: another build of the same content gives the same guids in the same order.
    again = _project(tmp_path)
    _build(again)
    assert [i["guid"] for i in _items(again / "site" / "feed_rss_updated.xml")] == [i["guid"] for i in updated]


def test_a_case_study_not_reviewed_for_two_years_says_so_and_check_warns(built: tuple[Path, Catalogue]) -> None:
    site, catalogue = built
    page = _page(site, "stories/video-calls-to-the-care-home")
    notice = page.find("div", class_="ch-banner--stale")
    assert notice is not None and "Not reviewed since 8 January 2018" in notice.text
    assert "telehealth.team@nhs.net" in notice.text
    warnings = {p.file: p for p in catalogue.problems if p.code == "CH231"}
    assert "telehealth.team@nhs.net" in warnings["stories/case-studies/video-calls-to-the-care-home.md"].message
    assert {p.severity for p in warnings.values()} == {"warning"}
    assert _page(site, "stories/red-bag-harbour").find("div", class_="ch-banner--stale") is not None
    root = site.parent
    stale = load_catalogue(root, today=dt.date(2020, 1, 8), review=True)
    assert "stories/case-studies/video-calls-to-the-care-home.md" in {
        p.file for p in stale.problems if p.code == "CH231"
    }
    fresh = load_catalogue(root, today=dt.date(2020, 1, 7), review=True)  # one day short of two years
    assert "stories/case-studies/video-calls-to-the-care-home.md" not in {
        p.file for p in fresh.problems if p.code == "CH231"
    }
    # `carehub check` agrees by default (and its cache notices the day the answer changes); --no-review is quiet.
    assert "CH231" not in {p.code for p in check_project(root, today=dt.date(2019, 1, 7)).problems}
    later = check_project(root, today=dt.date(2020, 1, 8)).problems
    assert "stories/case-studies/video-calls-to-the-care-home.md" in {p.file for p in later if p.code == "CH231"}
    assert "CH231" not in {p.code for p in check_project(root, today=dt.date(2020, 1, 8), review=False).problems}
    env = {**os.environ, "CAREHUB_TODAY": "2020-01-08"}
    command = [sys.executable, "-m", "carehub", "--root", str(root), "check"]
    warned = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert warned.returncode == 0, warned.stdout + warned.stderr  # a warning, not an error
    assert "CH231" in warned.stdout and "Ask telehealth.team@nhs.net whether it is still running." in warned.stdout
    quiet = subprocess.run([*command, "--no-review"], capture_output=True, text=True, env=env, check=False)
    assert quiet.returncode == 0 and "CH231" not in quiet.stdout, quiet.stdout


# -- barrier matrix ------------------------------------------------------------------------------


def test_the_barrier_matrix_counts_match_the_catalogue(built: tuple[Path, Catalogue]) -> None:
    site, catalogue = built
    page = _page(site, "browse/barrier-matrix")
    tables = page.find_all("table", class_="ch-matrix")
    assert len(tables) == 2
    for matrix, table in zip(build_matrices(catalogue), tables, strict=True):
        head = table.find("thead")
        assert head is not None and table.find("caption") is not None
        assert [th.text for th in head.find_all("th")][1:] == [label for _, label in matrix.columns]
        for row, tr in zip(matrix.rows, _rows(table), strict=True):
            header = tr.find("th")
            assert header is not None and header.attrs["scope"] == "row" and header.text == row.label
            for cell, td in zip(row.cells, tr.find_all("td"), strict=True):
                found = matrix_stories(catalogue, cell.barrier, cell.axis, cell.column)
                failures = sum(1 for s in found if s.meta.type == "failure")
                if not found:
                    assert td.text == "Gap: none yet" and td.find("a") is None
                    continue
                assert td.text.startswith(f"{failures} failure")
                assert f", {len(found) - failures} case stud" in td.text
                href = _links(td)[0]
                listing = parse_file(site / "browse" / "barrier-matrix" / href / "index.html")
                # A cell's list is rows (title, type, date), for scanning: no cards.
                assert listing.find("ol", class_="ch-cards") is None
                rows = [li for ol in listing.find_all("ol", class_="ch-rows") for li in ol.find_all("li")]
                assert {_links(row)[0].rstrip("/").split("/")[-1] for row in rows} == {s.slug for s in found}
                labels = {"failure": "Failure write-up", "case-study": "Case study"}
                assert sorted(row.find("span").text.split(",")[0] for row in rows) == sorted(  # type: ignore[union-attr]
                    labels[s.meta.type] for s in found
                )
    by_model = build_matrices(catalogue)[0]
    time_row = next(r for r in by_model.rows if r.id == "time-and-resources")
    homes = next(c for c in time_row.cells if c.column == "enhanced-health-in-care-homes")
    assert (homes.failures, homes.case_studies) == (1, 1)


# -- buddying ----------------------------------------------------------------------------------------


def test_offers_and_wants_match_symmetrically(built: tuple[Path, Catalogue]) -> None:
    _, catalogue = built
    directory = build_directory(catalogue)
    helps: set[tuple[str, str, str]] = set()  # (helper, learner, topic)
    learns: set[tuple[str, str, str]] = set()
    for site_id, entry in directory.items():
        for topic, helpers in entry.buddies.helpers:
            helps |= {(h.site_id, site_id, topic) for h in helpers}
        for topic, learners in entry.buddies.learners:
            learns |= {(site_id, h.site_id, topic) for h in learners}
    assert helps == learns == {("harbour-care-homes", "moorside-partnership", "red-bag-scheme")}
    entry = build_approaches(catalogue, directory)["red-bag-scheme"]
    assert [h.site_id for h in entry.offered_by] == ["harbour-care-homes"]
    assert [h.site_id for h in entry.wanted_by] == ["moorside-partnership"]


def test_pages_show_who_can_help_with_role_mailboxes(built: tuple[Path, Catalogue]) -> None:
    site, _ = built
    approach = _section(_page(site, "approaches/red-bag-scheme"), "ch-can-help")
    assert "mailto:harbour.care.homes@nhs.net" in _links(approach)
    assert "Moorside Partnership" in approach.text
    moorside = _page(site, "sites/moorside-partnership").text
    assert "Harbour Care Homes vanguard" in moorside.split("Places that can help")[1]
    offering = _page(site, "sites/offers/red-bag-scheme").find("ul", class_="ch-helpers")
    assert offering is not None and "Harbour Care Homes vanguard" in offering.text
    assert "Moorside" not in offering.text
    nav = _by_id(_page(site, "sites"), "ch-filter-offers").parent
    assert nav is not None
    assert {a.text for a in nav.find_all("a")} == {"Red bag scheme", "Telemedicine into care homes"}


# -- open data -------------------------------------------------------------------------------------


def _typed(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("before", "after"):
            out[key] = float(value)
        elif key in ("higher_is_better", "update", "illustrative"):
            out[key] = value == "true"
        else:
            out[key] = value or None
    return out


def test_outcomes_csv_round_trips_and_matches_its_schema(built: tuple[Path, Catalogue]) -> None:
    site, _ = built
    document = json.loads((site / "outcomes.json").read_text(encoding="utf-8"))
    schema = json.loads((site / "outcomes.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    text = (site / "outcomes.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(document["outcomes"]) == 5  # Harbour: 2 + 1 + 1 (two updates), Moorside: 1
    for row, record in zip(rows, document["outcomes"], strict=True):
        typed = _typed(row)
        assert typed == record
        jsonschema.validate({**document, "outcomes": [typed]}, schema)
    assert {r["story"].rstrip("/").split("/")[-1] for r in rows} == {"red-bag-harbour", "red-bag-moorside"}
    assert not any("never reach" in r["measure"] for r in rows)  # patient stories never appear
    harbour = [r for r in rows if "harbour" in r["story"] and r["measure"] == PAPERS]
    assert sorted((r["date"], r["status"], r["after"], r["update"]) for r in harbour) == [
        ("2017-02-16", "early", "86.0", "false"),
        ("2017-08-14", "ongoing", "88.0", "true"),
        ("2018-03-01", "final", "91.0", "true"),
    ]
    assert {r["approach"] for r in rows} == {"red-bag-scheme"}
    approaches_text = (site / "approaches.json").read_text(encoding="utf-8")
    approaches = json.loads(approaches_text)
    jsonschema.validate(approaches, json.loads((site / "approaches.schema.json").read_text(encoding="utf-8")))
    red = next(a for a in approaches["approaches"] if a["id"] == "red-bag-scheme")
    assert [p["site"] for p in red["places"]] == ["harbour-care-homes", "moorside-partnership"]
    assert red["strongest_evidence_level"] == "controlled-comparison"
    assert "nhs.net" not in approaches_text + (site / "outcomes.json").read_text(encoding="utf-8")
    stories = json.loads((site / "stories.json").read_text(encoding="utf-8"))
    moorside = next(s for s in stories["stories"] if s["id"] == "red-bag-moorside")
    assert moorside["approach"] == "red-bag-scheme" and moorside["adopted_from_story"] == "red-bag-harbour"


# -- checks ------------------------------------------------------------------------------------------


def test_check_reports_unknown_approaches_adoptions_and_offers(tmp_path: Path) -> None:
    root = _project(tmp_path)
    stories = root / "stories" / "case-studies"
    (stories / "bad.md").write_text(
        story_text(
            "A case study naming things that do not exist",
            approach="red-bags-scheme",
            adopted_from_story="no-such-story",
            buddy_contact="team.mailbox@nhs.net",
            updates=[
                {"date": "2030-01-01", "status": "early", "note": "From the future."},
                {"date": "2030-01-01", "status": "early", "note": "Twice."},
            ],
        ),
        encoding="utf-8",
    )
    (root / "data" / "sites" / "moorside-partnership.yml").write_text(
        _site("Moorside Partnership", "north-west", False, "moorside.buddying@nhs.net", wants="[red-bag-shceme]"),
        encoding="utf-8",
    )
    report = check_project(root, cache=False, today=TODAY)
    codes = {(p.file, p.code) for p in report.problems}
    assert ("stories/case-studies/bad.md", "CH230") in codes
    assert ("stories/case-studies/bad.md", "CH516") in codes
    assert ("stories/case-studies/bad.md", "CH232") in codes
    assert ("data/sites/moorside-partnership.yml", "CH604") in codes
    offer = next(p for p in report.problems if p.code == "CH604")
    site_lines = (root / "data" / "sites" / "moorside-partnership.yml").read_text(encoding="utf-8").splitlines()
    assert "red-bag-shceme" in site_lines[offer.line - 1]  # at the line of the value, with a suggestion
    assert "Did you mean `red-bag-scheme`?" in offer.hint
    hint = next(p for p in report.problems if p.code == "CH230").hint
    assert "red-bag-scheme" in hint  # did you mean
    (root / "data" / "approaches.yml").write_text(APPROACHES + APPROACHES.split("\n", 1)[1], encoding="utf-8")
    assert "CH602" in {p.code for p in check_project(root, cache=False, today=TODAY).problems}


def test_a_site_cannot_take_the_address_of_the_offers_list(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "data" / "sites" / "offers.yml").write_text(
        _site("Offers Community Partnership", "london", False, "offers.partnership@nhs.net"), encoding="utf-8"
    )
    for problems in (load_catalogue(root, today=TODAY).problems, check_project(root, today=TODAY).problems):
        found = [p for p in problems if p.file == "data/sites/offers.yml"]
        assert [(p.code, p.severity) for p in found] == [("CH501", "error")]
        assert "/sites/offers/" in found[0].message and "offers-partnership.yml" in found[0].hint
