"""Open data on a real build: stories.json against its own schema, stories.csv against stories.json, feed.json.

Also what must never be published: story bodies, consent details, contact
mailboxes, and patient stories whose consent does not cover feeds and open data.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from carehub.plan import feedlist
from carehub.publish import opendata

from .conftest import make_project
from .feedkit import HOSTILE_TITLES, SITE_URL, Spec, build, guids, write_stories

pytestmark = pytest.mark.build

OUTCOME = {
    "measure": "Emergency admissions from care homes",
    "before": 120,
    "after": 96.5,
    "unit": "admissions a month",
    "period": "2015/16 against 2016/17",
    "source": "Vanguard dashboard",
    "higher_is_better": False,
}
SOURCE = {"title": "Top tips for spreading new care models", "url": "https://www.nhsconfed.org/"}
FORMULA_TITLES = {
    "formula-equals": '=HYPERLINK("https://example.org","click me")',
    "formula-plus": "+30% more people seen at home",
    "formula-minus": "-5% admissions after the first year",
    "formula-at": "@home: care closer to where people live",
}
SPECS = [
    Spec(
        "red-bag",
        tags=["red-bag-scheme"],
        updated="2017-03-03",
        extra={
            "outcomes": [OUTCOME],
            "sources": [SOURCE],
            "authors": ["Care home team"],
            "site": "sutton-homes-of-care",
        },
    ),
    Spec(
        "home-sooner",
        type="patient-story",
        date="2017-04-10",
        extra={"authors": ["The storyteller's care team"], "sources": [SOURCE]},
    ),
    Spec("website-only", type="patient-story", date="2017-05-01", scope=["website"]),
    Spec("toolkit", type="resource", date="2016-11-01", region="national"),
    Spec("stalled", type="failure", date="2017-01-05", barriers=["information-governance-and-it"]),
    *[Spec(slug, title=title, date=f"2016-06-0{n + 1}") for n, (slug, title) in enumerate(HOSTILE_TITLES.items())],
    *[Spec(slug, title=title, date=f"2016-05-0{n + 1}") for n, (slug, title) in enumerate(FORMULA_TITLES.items())],
]
BY_SLUG = {s.slug: s for s in SPECS}
PUBLISHED = sorted(
    sorted((s for s in SPECS if s.slug != "website-only"), key=lambda s: s.slug), key=lambda s: s.date, reverse=True
)
CSV_HEADER = [
    *("id", "url", "type", "title", "summary", "date", "updated", "organisation", "authors", "care_models"),
    *(
        "settings",
        "region",
        "barriers",
        "tags",
        "site",
        "adopted_from",
        "approach",
        "adopted_from_story",
        "licence",
        "illustrative",
    ),
    *("evidence_level", "status", "resource_kind"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("opendata"))
    write_stories(project, SPECS)
    return build(project)


def _json(site: Path, rel: str) -> Any:
    return json.loads((site / rel).read_text(encoding="utf-8"))


def _records(site: Path) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in _json(site, opendata.JSON_PATH)["stories"]}


def test_stories_json_validates_against_the_schema_published_beside_it(site: Path) -> None:
    data, schema = _json(site, opendata.JSON_PATH), _json(site, opendata.SCHEMA_PATH)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["$schema"] == schema["$id"] == SITE_URL + "stories.schema.json"


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(region="atlantis"),
        lambda r: r.update(care_models=["not-a-care-model"]),
        lambda r: r.update(consent={"reference": "CN-1"}),
        lambda r: r.pop("url"),
        lambda r: r.update(date="16/02/2017"),
        lambda r: r.update(type="blog-post"),
    ],
    ids=["unknown-region", "unknown-care-model", "extra-field", "missing-url", "bad-date", "unknown-type"],
)
def test_the_schema_rejects_records_that_break_the_format(site: Path, change: Any) -> None:
    data, schema = _json(site, opendata.JSON_PATH), _json(site, opendata.SCHEMA_PATH)
    broken = copy.deepcopy(data)
    change(broken["stories"][0])
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert not validator.is_valid(broken)


def test_stories_json_holds_every_published_story_newest_first_with_its_metadata(site: Path) -> None:
    data = _json(site, opendata.JSON_PATH)
    assert [r["id"] for r in data["stories"]] == [s.slug for s in PUBLISHED]
    assert data["updated"] == "2017-04-10T00:00:00Z"  # the newest date, not the clock
    record = _records(site)["red-bag"]
    assert record == {
        "id": "red-bag",
        "url": f"{SITE_URL}stories/red-bag/",
        "type": "case-study",
        "title": "The red bag story",
        "summary": "What changed in the red-bag story, and the difference it made to care.",
        "date": "2017-02-16",
        "updated": "2017-03-03",
        "organisation": "Example Community Partnership",
        "authors": ["Care home team"],
        "care_models": ["enhanced-health-in-care-homes"],
        "settings": ["social-care"],
        "region": "london",
        "barriers": [],
        "tags": ["red-bag-scheme"],
        "site": "sutton-homes-of-care",
        "adopted_from": [],
        "approach": None,
        "adopted_from_story": None,
        "licence": "CC-BY-4.0",
        "illustrative": False,
        "evidence_level": "anecdotal",
        "status": "ongoing",
        "resource_kind": None,
        "outcomes": [{**OUTCOME, "before": 120.0}],
        "sources": [SOURCE],
    }
    assert _records(site)["toolkit"]["resource_kind"] == "guide"


def test_patient_stories_publish_title_summary_and_classification_only(site: Path) -> None:
    record = _records(site)["home-sooner"]
    assert record["title"] == "The home sooner story"
    assert record["authors"] == [] and record["sources"] == [] and record["outcomes"] == []
    assert "website-only" not in _records(site)


def test_no_body_consent_contact_or_unpublished_story_reaches_open_data(site: Path) -> None:
    for rel in (opendata.JSON_PATH, opendata.CSV_PATH, feedlist.JSON_FEED):
        text = (site / rel).read_bytes().decode("utf-8-sig")
        assert "BODY-MARKER" not in text, rel
        assert "website-only" not in text, rel
        assert "CN-2017-014" not in text and "consent" not in text.lower(), rel
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), f"{rel} contains an email address"
        assert "privacy" not in text, rel


def _csv_rows(site: Path) -> tuple[bytes, list[dict[str, str]], list[str]]:
    raw = (site / opendata.CSV_PATH).read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return raw, rows, list(reader.fieldnames or [])


def _as_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def _undo_neutralise(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def test_stories_csv_is_spreadsheet_friendly_and_matches_the_json(site: Path) -> None:
    raw, rows, header = _csv_rows(site)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, so Excel reads the file as UTF-8"
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    assert header == CSV_HEADER
    records = _json(site, opendata.JSON_PATH)["stories"]
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        for column in CSV_HEADER:
            assert _undo_neutralise(row[column]) == _as_cell(record[column]), (record["id"], column)


def test_cells_that_would_run_as_formulas_are_neutralised(site: Path) -> None:
    _, rows, _ = _csv_rows(site)
    by_id = {row["id"]: row for row in rows}
    for slug, title in FORMULA_TITLES.items():
        assert by_id[slug]["title"] == "'" + title
        assert _records(site)[slug]["title"] == title  # the JSON keeps the real title
    for slug, title in HOSTILE_TITLES.items():
        assert by_id[slug]["title"] == title


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_neutralise_prefixes_formula_starts(cell: str) -> None:
    assert opendata.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "A & B", "1-2", "'quoted", "Right to left: مرحبا"])
def test_neutralise_leaves_ordinary_text_alone(cell: str) -> None:
    assert opendata.neutralise(cell) == cell


def test_hostile_titles_round_trip_through_json_and_json_feed(site: Path) -> None:
    records = _records(site)
    feed_titles = {item["id"]: item["title"] for item in _json(site, feedlist.JSON_FEED)["items"]}
    for slug, title in HOSTILE_TITLES.items():
        assert records[slug]["title"] == title
        assert feed_titles[f"{SITE_URL}stories/{slug}/"] == title


def test_json_feed_follows_version_1_1_and_matches_the_rss(site: Path) -> None:
    import xml.etree.ElementTree as ET

    feed = _json(site, feedlist.JSON_FEED)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == SITE_URL + "feed.json" and feed["home_page_url"] == SITE_URL
    assert feed["title"] and feed["language"] == "en-GB"
    channel = ET.fromstring((site / feedlist.MAIN_FEED).read_bytes()).find("channel")
    assert channel is not None
    assert [item["id"] for item in feed["items"]] == guids(channel)
    for item in feed["items"]:
        assert item["url"] == item["id"]
        assert item["content_text"] == item["summary"]  # 1.1 requires content_html or content_text
        published = dt.datetime.fromisoformat(item["date_published"])
        assert published.utcoffset() == dt.timedelta(0)
        assert item["tags"] and all(isinstance(tag, str) for tag in item["tags"])
    red_bag = next(i for i in feed["items"] if i["id"].endswith("/red-bag/"))
    assert red_bag["date_modified"] == "2017-03-03T00:00:00+00:00"
    assert red_bag["authors"] == [{"name": "Example Community Partnership"}]
