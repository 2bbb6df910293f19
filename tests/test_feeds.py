"""RSS feeds on a real build: valid, complete per facet, newest first, hostile titles intact.

One project is built once for the module (about a dozen stories chosen to
cover every feed facet, ties on dates, an update, a patient story without
consent to feeds, and titles that have broken feeds elsewhere).  The
expected contents of each feed are worked out here from the stories
themselves, not by asking carehub.publish.feeds.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
import yaml

from carehub.check.vocabularies import load as load_vocabularies
from carehub.plan import feedlist

from .conftest import ROOT, make_project
from .feedkit import (
    DC,
    HOSTILE_TITLES,
    SITE_URL,
    Spec,
    assert_valid_rss,
    build,
    feed_files,
    guids,
    items,
    text_of,
    write_stories,
)

pytestmark = pytest.mark.build

HOSTILE_ORGANISATION = 'Smith & Jones <Partners> "LLP" ]]>'
HOSTILE_SUMMARY = 'A summary with <b>tags</b>, & ampersands, "quotes" and ]]> that must stay plain text 🏥.'

SPECS: list[Spec] = [
    Spec("red-bag", tags=["red-bag-scheme", "hospital-discharge"]),
    Spec(
        "shared-record",
        type="failure",
        date="2017-03-01",
        care_models=["multispecialty-community-providers"],
        settings=["primary-care", "community-services"],
        region="north-west",
        barriers=["information-governance-and-it", "time-and-resources"],
        tags=["data-sharing"],
        folder="failures",
    ),
    Spec(
        "home-sooner",
        type="patient-story",
        date="2017-04-10",
        care_models=["multispecialty-community-providers"],
        region="north-west",
        folder="patients",
    ),
    Spec("website-only", type="patient-story", date="2017-05-01", scope=["website"], folder="patients"),
    Spec(
        "coaching-toolkit",
        type="resource",
        date="2016-11-01",
        updated="2017-06-01",
        care_models=["other"],
        settings=["leadership-and-management"],
        region="national",
        organisation=None,
        folder="resources",
    ),
    Spec(
        "urgent-care-network",
        date="2016-12-05",
        care_models=["urgent-and-emergency-care"],
        region="midlands",
        barriers=["lack-of-commissioner-engagement"],
        updated="2017-01-02",
    ),
    Spec(
        "pacs-contract",
        type="failure",
        date="2016-12-05",
        care_models=["integrated-primary-and-acute-care"],
        region="south-west",
        barriers=["information-governance-and-it"],
        folder="failures",
    ),
    *[
        Spec(
            slug,
            type=("failure", "case-study", "resource", "patient-story")[index],
            title=title,
            date=f"2017-01-1{index}",
            care_models=["acute-care-collaboration", "enhanced-health-in-care-homes"],
            region="east-of-england",
            barriers=["organisational-self-interest", "information-governance-and-it"],
            organisation=HOSTILE_ORGANISATION,
            summary=HOSTILE_SUMMARY,
            folder="hostile",
        )
        for index, (slug, title) in enumerate(HOSTILE_TITLES.items())
    ],
]
BY_SLUG = {spec.slug: spec for spec in SPECS}
SYNDICATED = [s for s in SPECS if s.type != "patient-story" or "feeds" in s.scope]
NEWEST_FIRST = sorted(sorted(SYNDICATED, key=lambda s: s.slug), key=lambda s: s.date, reverse=True)
VOCABULARIES = yaml.safe_load((ROOT / "data" / "vocabularies.yml").read_text(encoding="utf-8"))
TYPE_LABELS = {"patient-story": "Patient story", "failure": "Failure write-up", "case-study": "Case study"}
TYPE_LABELS["resource"] = "Resource"
FACET_VALUES = {
    "type": lambda s: [s.type],
    "care-model": lambda s: s.care_models,
    "barrier": lambda s: s.barriers,
    "region": lambda s: [s.region],
}
FACET_TERMS = {
    "type": list(TYPE_LABELS),
    "care-model": [t["id"] for t in VOCABULARIES["care_models"]],
    "barrier": [t["id"] for t in VOCABULARIES["barriers"]],
    "region": [t["id"] for t in VOCABULARIES["regions"]],
}
# A page at a listing address (as the site's listing pages are), to check its head links its facet feed.
LISTING_PAGE = "browse/barrier/information-governance-and-it/page/9/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("feeds"))
    write_stories(project, SPECS)
    listing = project / "docs" / (LISTING_PAGE.rstrip("/") + ".md")
    listing.parent.mkdir(parents=True)
    listing.write_text("# Information governance and IT systems, page 9\n", encoding="utf-8")
    return build(project)


def channel(site: Path, rel: str) -> ET.Element:
    return assert_valid_rss((site / rel).read_bytes(), site, rel)


def test_every_term_of_every_feed_facet_has_a_feed_and_nothing_else_is_written(site: Path) -> None:
    expected = {feedlist.MAIN_FEED, feedlist.UPDATED_FEED}
    expected |= {f"feeds/{facet}/{term}.xml" for facet, terms in FACET_TERMS.items() for term in terms}
    assert {p.relative_to(site).as_posix() for p in feed_files(site)} == expected


def test_every_feed_is_valid_rss_and_feedparser_reads_it_cleanly(site: Path) -> None:
    for path in feed_files(site):
        rel = path.relative_to(site).as_posix()
        assert_valid_rss(path.read_bytes(), site, rel)
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, f"{rel}: {parsed.get('bozo_exception')}"
        assert parsed.version == "rss20", rel


def test_main_feed_holds_every_syndicated_story_newest_first(site: Path) -> None:
    assert guids(channel(site, feedlist.MAIN_FEED)) == [s.url for s in NEWEST_FIRST]


def test_updated_feed_puts_the_latest_change_first_and_dates_items_by_it(site: Path) -> None:
    by_change = sorted(NEWEST_FIRST, key=lambda s: s.updated or s.date, reverse=True)
    updated = channel(site, feedlist.UPDATED_FEED)
    assert guids(updated) == [s.url for s in by_change]
    first = items(updated)[0]
    assert text_of(first, "guid") == BY_SLUG["coaching-toolkit"].url
    assert text_of(first, "pubDate") == "Thu, 01 Jun 2017 00:00:00 +0000"


@pytest.mark.parametrize("facet", sorted(FACET_TERMS))
def test_each_facet_feed_holds_exactly_its_stories_newest_first(site: Path, facet: str) -> None:
    non_empty = 0
    for term in FACET_TERMS[facet]:
        expected = [s.url for s in NEWEST_FIRST if term in FACET_VALUES[facet](s)]
        found = channel(site, f"feeds/{facet}/{term}.xml")
        assert guids(found) == expected, f"feeds/{facet}/{term}.xml"
        assert text_of(found, "link") == f"{SITE_URL}browse/{facet}/{term}/"
        non_empty += bool(expected)
    assert non_empty >= 3, "the test stories should fill several feeds of each facet"


def test_a_patient_story_without_consent_to_feeds_is_in_no_feed(site: Path) -> None:
    assert (site / "stories" / "website-only" / "index.html").is_file()
    for path in [*feed_files(site), site / "feed.json"]:
        assert b"website-only" not in path.read_bytes(), path


def test_items_carry_summary_date_categories_and_organisation(site: Path) -> None:
    item = next(
        i for i in items(channel(site, feedlist.MAIN_FEED)) if text_of(i, "guid") == BY_SLUG["shared-record"].url
    )
    assert text_of(item, "title") == "The shared record story"
    assert text_of(item, "link") == f"{SITE_URL}stories/shared-record/"
    assert (
        text_of(item, "description") == "What changed in the shared-record story, and the difference it made to care."
    )
    assert text_of(item, "pubDate") == "Wed, 01 Mar 2017 00:00:00 +0000"
    assert text_of(item, f"{DC}creator") == "Example Community Partnership"
    labels = {
        vocabulary: {t["id"]: t["label"] for t in VOCABULARIES[vocabulary]}
        for vocabulary in ("care_models", "settings", "regions", "barriers", "tags")
    }
    assert [(c.get("domain"), c.text) for c in item.findall("category")] == [
        (f"{SITE_URL}browse/type/", "Failure write-up"),
        (f"{SITE_URL}browse/care-model/", labels["care_models"]["multispecialty-community-providers"]),
        (f"{SITE_URL}browse/setting/", labels["settings"]["primary-care"]),
        (f"{SITE_URL}browse/setting/", labels["settings"]["community-services"]),
        (f"{SITE_URL}browse/region/", labels["regions"]["north-west"]),
        (f"{SITE_URL}browse/barrier/", labels["barriers"]["information-governance-and-it"]),
        (f"{SITE_URL}browse/barrier/", labels["barriers"]["time-and-resources"]),
        (f"{SITE_URL}browse/tag/", labels["tags"]["data-sharing"]),
    ]
    toolkit = next(i for i in items(channel(site, feedlist.MAIN_FEED)) if "coaching-toolkit" in text_of(i, "guid"))
    assert toolkit.find(f"{DC}creator") is None  # no organisation, no authors: no creator rather than a made-up one


def test_hostile_titles_and_text_round_trip_exactly(site: Path) -> None:
    data = (site / feedlist.MAIN_FEED).read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    by_id = {entry.id: entry for entry in parsed.entries}
    tree_items = {text_of(i, "guid"): i for i in items(channel(site, feedlist.MAIN_FEED))}
    for slug, title in HOSTILE_TITLES.items():
        url = BY_SLUG[slug].url
        assert text_of(tree_items[url], "title") == title  # the XML parser's view
        entry = by_id[url]
        assert entry.title == title  # a feed reader's view
        assert entry.title_detail.type == "text/plain"
        assert entry.author == HOSTILE_ORGANISATION
        # <description> is HTML by RSS convention: the plain summary is escaped as HTML, so readers show it as text.
        assert html.unescape(entry.summary) == HOSTILE_SUMMARY
        assert "<b>" not in entry.summary
        assert html.unescape(text_of(tree_items[url], "description")) == HOSTILE_SUMMARY


def test_no_story_body_reaches_a_feed(site: Path) -> None:
    for path in [*feed_files(site), site / "feed.json"]:
        assert b"BODY-MARKER" not in path.read_bytes(), path


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[dict[str, str]] = []
        self.anchors: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head and values.get("rel") == "alternate":
            self.alternates.append(values)
        elif tag == "a" and "href" in values:
            self.anchors.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False


def _links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _alternate_feeds(site: Path, page_url: str) -> list[tuple[str, str, str]]:
    """(type, title, site-relative path) of each autodiscovery link in a page's head; each must exist."""
    found = []
    for link in _links(site / page_url / "index.html").alternates:
        absolute = urljoin(SITE_URL + page_url, link["href"])
        rel = absolute.removeprefix(SITE_URL)
        assert (site / rel).is_file(), f"{page_url} links {link['href']}, which is not on the site"
        found.append((link["type"], link["title"], rel))
    return found


def test_every_page_head_links_the_site_feeds(site: Path) -> None:
    main_title = text_of(channel(site, feedlist.MAIN_FEED), "title")
    updated_title = text_of(channel(site, feedlist.UPDATED_FEED), "title")
    for page_url in ("", "subscribe/", "browse/"):
        found = _alternate_feeds(site, page_url)
        assert ("application/rss+xml", main_title, feedlist.MAIN_FEED) in found, page_url
        assert ("application/rss+xml", updated_title, feedlist.UPDATED_FEED) in found, page_url
        assert ("application/feed+json", f"{main_title} (JSON Feed)", feedlist.JSON_FEED) in found, page_url
        assert not [f for f in found if f[2].startswith("feeds/")], f"{page_url} is not a listing page"


def test_a_story_page_head_links_the_main_feed_only(site: Path) -> None:
    # Issue 19: a thousand story pages each carrying three links cost 0.4 KB a story; the main feed is enough
    # for a reader's feed tool to find the hub's feeds, and every other page links them all.
    main_title = text_of(channel(site, feedlist.MAIN_FEED), "title")
    assert _alternate_feeds(site, "stories/red-bag/") == [("application/rss+xml", main_title, feedlist.MAIN_FEED)]


def test_a_listing_page_head_links_its_facet_feed_first(site: Path) -> None:
    found = _alternate_feeds(site, LISTING_PAGE)
    rel = "feeds/barrier/information-governance-and-it.xml"
    assert found[0] == ("application/rss+xml", text_of(channel(site, rel), "title"), rel)


def test_the_subscribe_page_lists_every_feed_and_says_what_rss_is(site: Path) -> None:
    page = site / "subscribe" / "index.html"
    anchors = set(_links(page).anchors)
    for path in feed_files(site):
        assert SITE_URL + path.relative_to(site).as_posix() in anchors, path
    for data in ("feed.json", "stories.json", "stories.schema.json", "stories.csv"):
        assert SITE_URL + data in anchors, data
    text = page.read_text(encoding="utf-8")
    # Abbreviations are explained in place (<abbr>), so compare the words, not the markup.
    assert "RSS is a simple way" in re.sub(r"<[^>]+>", "", text)
    assert "Each feed holds the newest 50 stories." in text
    assert "<table" not in text, "lists, not tables: long addresses in a table scroll sideways on phones"


def test_feed_for_page_maps_listing_addresses_to_their_feed() -> None:
    vocabularies, problems = load_vocabularies(ROOT / "data" / "vocabularies.yml", ROOT)
    assert not problems
    feed = feedlist.feed_for_page("browse/care-model/other/", vocabularies, "Hub")
    assert feed is not None and feed.path == "feeds/care-model/other.xml" == feedlist.feed_path("care-model", "other")
    paged = feedlist.feed_for_page("browse/type/failure/page/3/", vocabularies, "Hub")
    assert paged is not None and paged.path == "feeds/type/failure.xml"
    assert feedlist.feed_for_page("browse/setting/acute/", vocabularies, "Hub") is None  # settings have no feeds
    assert feedlist.feed_for_page("browse/tag/buddying/", vocabularies, "Hub") is None
    assert feedlist.feed_for_page("browse/region/atlantis/", vocabularies, "Hub") is None
    assert feedlist.feed_for_page("stories/red-bag/", vocabularies, "Hub") is None
    assert feedlist.feed_for_page("browse/region/", vocabularies, "Hub") is None
