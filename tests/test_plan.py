"""The site plan (plan/site.py and the modules it draws on), read without building anything.

Each test writes a small project (the real vocabularies and glossary, sites
and stories of its own), loads and checks it as a build does, and asserts on
the plan: which pages exist and in what order, what each listing holds, the
facet counts, related stories, the sites directory, the story view, the
charts, the regions map, the feeds and what the sitemap lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carehub.check.catalogue import Catalogue, load_catalogue
from carehub.check.model import Outcome
from carehub.plan import feedlist
from carehub.plan.charts import change_of, format_number, outcome_chart
from carehub.plan.facets import FACETS
from carehub.plan.listings import WITHDRAWN_TITLE, GeneratedPage, Listing
from carehub.plan.regions import SHAPES, region_map
from carehub.plan.site import PlanOptions, SitePlan, plan

from .conftest import make_project
from .story_factory import story_text

SITE_URL = "https://hub.example.org/"


def _site(name: str, kind: str, care_model: str, region: str, summary: str, contact: str) -> str:
    return (
        f"name: {name}\nkind: {kind}\ncare_models: [{care_model}]\nregion: {region}\nvanguard: false\n"
        f"summary: {summary}\ncontact: {contact}\n"
    )


SITES = {
    "wyre-valley": _site(
        "Wyre Valley Care Partnership",
        "partnership",
        "multispecialty-community-providers",
        "north-west",
        "Community services, GPs and the council working as one team.",
        "wyrevalley.partnership@nhs.net",
    ),
    "ashby-care-homes": _site(
        "ashby care homes network",
        "organisation",
        "enhanced-health-in-care-homes",
        "midlands",
        "Twelve care homes sharing a GP-led ward round and a red bag scheme.",
        "ashby.carehomes@nhs.net",
    ),
    "marsh-end": _site(
        "Marsh End Health Partnership",
        "partnership",
        "urgent-and-emergency-care",
        "east-of-england",
        "Practices and the ambulance service trying new routes to urgent care.",
        "marshend.urgentcare@nhs.net",
    ),
}


def _project(tmp_path: Path, stories: dict[str, str], withdrawn: dict[str, str] | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    project = make_project(tmp_path, stories)
    for old in (project / "data" / "sites").glob("*.yml"):
        old.unlink()
    for site_id, text in SITES.items():
        (project / "data" / "sites" / f"{site_id}.yml").write_text(text, encoding="utf-8")
    entries = "".join(f"- slug: {slug}\n  date: {when}\n" for slug, when in (withdrawn or {}).items())
    (project / "data" / "withdrawn.yml").write_text(f"withdrawn:\n{entries}", encoding="utf-8")
    return project


def _catalogue(project: Path) -> Catalogue:
    catalogue = load_catalogue(project, jobs=1)
    assert not catalogue.errors, [f"{p.file}:{p.line} {p.code} {p.message}" for p in catalogue.errors]
    return catalogue


def _plan(tmp_path: Path, stories: dict[str, str], **options: object) -> SitePlan:
    withdrawn = options.pop("withdrawn", None)
    catalogue = _catalogue(_project(tmp_path, stories, withdrawn))  # type: ignore[arg-type]
    return plan(catalogue, PlanOptions(site_url=SITE_URL, site_name="Care Hub", **options))  # type: ignore[arg-type]


def _day(n: int) -> str:
    return (dt.date(2017, 1, 1) + dt.timedelta(days=n)).isoformat()


def _listing(site: SitePlan, src_uri: str) -> Listing:
    view = site.pages[src_uri].view
    assert isinstance(view, Listing)
    return view


def test_all_stories_is_paginated_newest_first_and_only_page_one_is_in_the_nav(tmp_path: Path) -> None:
    stories = {f"case-studies/story-{n}.md": story_text(f"Story number {n}", date=_day(n)) for n in range(7)}
    site = _plan(tmp_path, stories, per_page=3)
    all_pages = [uri for uri in site.pages if uri == "stories/index.md" or uri.startswith("stories/page/")]
    assert all_pages == ["stories/index.md", "stories/page/2/index.md", "stories/page/3/index.md"]
    slugs = [[s.slug for s in _listing(site, uri).stories] for uri in all_pages]
    assert slugs == [["story-6", "story-5", "story-4"], ["story-3", "story-2", "story-1"], ["story-0"]]
    second = _listing(site, "stories/page/2/index.md").pagination
    assert (second.number, second.pages, second.total, second.first, second.last) == (2, 3, 7, 4, 6)
    assert (second.previous_url, second.next_url) == ("stories/", "stories/page/3/")
    assert site.pages["stories/page/2/index.md"].title == "All stories (page 2 of 3)"
    assert [site.pages[uri].in_nav for uri in all_pages] == [True, False, False]
    assert _listing(site, "stories/index.md").feed_url == feedlist.MAIN_FEED
    # The filters on the all-stories page are every facet, in the facets' order.
    assert [index.facet for index in _listing(site, "stories/index.md").filters] == list(FACETS)


def test_only_the_newest_stories_of_a_list_s_first_page_are_cards_and_the_rest_are_rows(tmp_path: Path) -> None:
    stories = {
        f"case-studies/story-{n}.md": story_text(f"Story number {n}", date=_day(n), region="london") for n in range(7)
    }
    site = _plan(tmp_path, stories, per_page=3, full_cards=2)
    first, second = _listing(site, "stories/index.md"), _listing(site, "stories/page/2/index.md")
    assert [s.slug for s in first.cards] == ["story-6", "story-5"] and [s.slug for s in first.rows] == ["story-4"]
    assert first.rows_start == 3
    assert second.cards == () and [s.slug for s in second.rows] == ["story-3", "story-2", "story-1"]
    assert second.rows_start == 4
    # A term's listing does the same; a list shorter than the cards is all cards.
    london = _listing(site, "browse/region/london/index.md")
    assert len(london.cards) == 2 and len(london.rows) == 1
    few = _plan(tmp_path / "few", dict(list(stories.items())[:1]), per_page=3, full_cards=2)
    assert len(_listing(few, "stories/index.md").cards) == 1 and _listing(few, "stories/index.md").rows == ()


def test_the_page_list_marks_gaps_between_first_last_and_neighbours(tmp_path: Path) -> None:
    stories = {f"case-studies/story-{n}.md": story_text(f"Story number {n}", date=_day(n)) for n in range(10)}
    site = _plan(tmp_path, stories, per_page=1)
    links = _listing(site, "stories/page/5/index.md").pagination.links
    assert [number for number, _ in links] == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert dict(links)[1] == "stories/" and dict(links)[10] == "stories/page/10/"


def test_every_term_has_a_listing_and_the_feed_facets_link_their_feed(tmp_path: Path) -> None:
    site = _plan(tmp_path, {"failures/stalled.md": story_text("A record that stalled", "failure", region="london")})
    for index in site.indexes.values():
        for term in index.terms:
            listing = _listing(site, f"{term.url}index.md")
            assert listing.term == term.id and listing.facet == index.facet.slug
            if index.facet in feedlist.FEED_FACETS:
                assert listing.feed_url == feedlist.feed_path(index.facet.slug, term.id)
            else:
                assert listing.feed_url is None
    empty = _listing(site, "browse/region/south-west/index.md")
    assert empty.stories == () and empty.pagination.pages == 1 and "no stories" in empty.empty_message
    assert [s.slug for s in _listing(site, "browse/region/london/index.md").stories] == ["stalled"]


def test_facet_counts_follow_the_vocabulary_order_and_count_each_story_once(tmp_path: Path) -> None:
    stories = {
        "failures/one.md": story_text("First failure story", "failure", region="london", tags=("buddying",)),
        "failures/two.md": story_text("Second failure story", "failure", date=_day(40), region="midlands"),
        "case-studies/three.md": story_text(
            "A case study in two care models",
            region="london",
            care_models=("enhanced-health-in-care-homes", "urgent-and-emergency-care"),
        ),
    }
    site = _plan(tmp_path, stories)
    regions = site.indexes["region"]
    assert [t.id for t in regions.terms] == [t.id for t in site.catalogue.vocabularies["regions"]]
    counts = {t.id: t.count for t in regions.terms}
    assert counts["london"] == 2 and counts["midlands"] == 1 and counts["north-west"] == 0
    types = {t.id: t.count for t in site.indexes["type"].terms}
    assert types == {"patient-story": 0, "failure": 2, "case-study": 1, "resource": 0}
    models = {t.id: t.count for t in site.indexes["care-model"].terms}
    assert models["enhanced-health-in-care-homes"] == 3 and models["urgent-and-emergency-care"] == 1
    assert [s.slug for s in site.indexes["region"].term("london").stories] == ["one", "three"]  # type: ignore[union-attr]
    assert site.labels["regions"]["london"] == "London" and site.labels["types"]["failure"]


def test_related_stories_rank_tags_over_barriers_over_care_models_and_need_something_shared(tmp_path: Path) -> None:
    model = ("urgent-and-emergency-care",)
    stories = {
        "case-studies/subject.md": story_text(
            "The subject story", date=_day(1), tags=("buddying",), barriers=("time-and-resources",), care_models=model
        ),
        "case-studies/same-tag.md": story_text("Shares the tag", date=_day(2), tags=("buddying",)),
        "case-studies/same-barrier.md": story_text(
            "Shares the barrier", date=_day(3), barriers=("time-and-resources",)
        ),
        "case-studies/same-model-old.md": story_text("Shares the care model, older", date=_day(4), care_models=model),
        "case-studies/same-model-new.md": story_text("Shares the care model, newer", date=_day(5), care_models=model),
        "case-studies/nothing.md": story_text(
            "Shares nothing", date=_day(6), care_models=("acute-care-collaboration",), settings=("mental-health",)
        ),
    }
    site = _plan(tmp_path, stories)
    subject = site.stories["stories/case-studies/subject.md"].story
    related = [s.slug for s in site.story_view(subject).related]
    assert related == ["same-tag", "same-barrier", "same-model-new", "same-model-old"]
    limited = _plan(tmp_path / "limited", stories, related=2)
    assert [s.slug for s in limited.related.get("subject")] == ["same-tag", "same-barrier"]
    assert site.related.get("nothing") == () and site.related.get("no-such-story") == ()


def test_the_directory_is_sorted_by_name_and_adoption_shows_on_both_sites(tmp_path: Path) -> None:
    stories = {
        "case-studies/red-bag.md": story_text("Red bag in Wyre Valley", date=_day(9), site="wyre-valley",
                                               adopted_from=["ashby-care-homes"]),
        "case-studies/ward-round.md": story_text("Ashby ward round", date=_day(3), site="ashby-care-homes"),
        "case-studies/elsewhere.md": story_text("Copied with no site of its own", date=_day(5),
                                                adopted_from=["ashby-care-homes"]),
    }  # fmt: skip
    site = _plan(tmp_path, stories)
    assert list(site.directory) == ["ashby-care-homes", "marsh-end", "wyre-valley"]  # case ignored
    ashby, wyre = site.directory["ashby-care-homes"], site.directory["wyre-valley"]
    assert [s.slug for s in ashby.stories] == ["ward-round"]
    assert [(a.story.slug, a.adopter) for a in ashby.adopted_by] == [("red-bag", "wyre-valley"), ("elsewhere", None)]
    assert [(a.story.slug, a.source) for a in wyre.adopted_from] == [("red-bag", "ashby-care-homes")]
    assert site.directory["marsh-end"].stories == ()
    page = site.pages["sites/ashby-care-homes/index.md"]
    assert (page.view, page.edit_path, page.searchable) == (ashby, "data/sites/ashby-care-homes.yml", True)
    view = site.story_view(site.stories["stories/case-studies/red-bag.md"].story)
    assert view.site is not None and (view.site.label, view.site.url) == ("Wyre Valley Care Partnership", wyre.url)
    assert [(link.label, link.url) for link in view.adopted_from] == [("ashby care homes network", ashby.url)]


def test_the_story_view_links_each_facet_value_and_describes_its_outcomes(tmp_path: Path) -> None:
    outcome = {
        "measure": "Emergency admissions from care homes",
        "before": 40,
        "after": 30,
        "unit": "admissions a month",
        "period": "2015/16 against 2016/17",
        "source": "Illustrative audit",
    }
    text = story_text(
        "Fewer admissions from care homes",
        settings=("social-care", "primary-care"),
        tags=("buddying",),
        outcomes=[outcome],
        illustrative=True,
    )
    site = _plan(tmp_path, {"case-studies/fewer.md": text})
    story = site.stories["stories/case-studies/fewer.md"].story
    view = site.story_view(story)
    assert (view.type_label, view.type_url) == ("Case study", "browse/type/case-study/")
    headings = {group.heading: [link.url for link in group.links] for group in view.facets}
    assert headings["Settings"] == ["browse/setting/social-care/", "browse/setting/primary-care/"]
    assert headings["Region"] == ["browse/region/london/"] and headings["Topic"] == ["browse/tag/buddying/"]
    assert ("type", "case-study") in view.filter_values and ("setting", "primary-care") in view.filter_values
    (row,) = view.outcomes
    assert (row.before, row.after, row.change) == (
        "40 admissions a month",
        "30 admissions a month",
        "Down 25% (better)",
    )
    assert "40 admissions a month" in row.chart and "30 admissions a month" in row.chart
    assert view.licence.url.startswith("https://creativecommons.org/licenses/by/4.0")
    assert view.evidence_level and view.status


def test_charts_show_the_change_and_leave_the_words_to_the_table() -> None:
    worse = Outcome(
        measure="Waiting time", before=0, after=12.5, unit="days", period="2016 against 2017", source="Audit"
    )
    assert format_number(1234.5) == "1,234.5" and format_number(12.0) == "12" and format_number(0.126) == "0.13"
    change = change_of(worse)
    assert (change.direction, change.better, change.percent, change.words) == ("up", False, None, "Up (worse)")
    svg = outcome_chart(worse)
    assert "ch-chart__bar--worse" in svg and ">Before<" in svg and ">12.5 days<" in svg
    # The outcomes table is the text alternative (story.html hides the charts from screen readers): no role,
    # title or description on the SVG to repeat it.
    assert "role=" not in svg and "<title" not in svg and "<desc" not in svg
    better = Outcome(measure="Discharges", before=10, after=10, unit="%", period="p", source="s", higher_is_better=True)
    assert change_of(better).words == "No change" and "ch-chart__bar--better" not in outcome_chart(better)


def test_the_regions_map_links_and_shades_each_region_and_stays_out_of_the_tab_order(tmp_path: Path) -> None:
    site = _plan(
        tmp_path, {"failures/north.md": story_text("A failure in the north west", "failure", region="north-west")}
    )
    index = site.pages["regions/index.md"].view.index  # type: ignore[attr-defined]
    counts = {t.id: t.count for t in index.terms}
    svg = region_map(counts, site.labels["regions"], lambda region: f"../browse/region/{region}/")
    assert svg.count("<a ") == len(SHAPES) and svg.count('tabindex="-1"') == len(SHAPES)
    assert 'aria-hidden="true"' in svg
    assert '<title>North West: 1 story</title><polygon class="ch-map__region ch-map__region--has-stories"' in svg
    assert '<title>London: 0 stories</title><polygon class="ch-map__region ch-map__region--empty"' in svg
    assert 'href="../browse/region/midlands/"' in svg


def test_home_shows_the_latest_and_the_newest_failure(tmp_path: Path) -> None:
    stories = {f"case-studies/case-{n}.md": story_text(f"Case study {n}", date=_day(10 + n)) for n in range(7)}
    stories["failures/old.md"] = story_text("An older failure", "failure", date=_day(1))
    stories["failures/new.md"] = story_text("A newer failure", "failure", date=_day(2))
    site = _plan(tmp_path, stories)
    assert [s.slug for s in site.home.latest] == [f"case-{n}" for n in range(6, 0, -1)]
    assert site.home.featured_failure is not None and site.home.featured_failure.slug == "new"
    assert (site.home.total, site.home.sites) == (9, len(SITES))


def test_the_sitemap_lists_stories_by_last_change_and_leaves_out_withdrawn_addresses(tmp_path: Path) -> None:
    stories = {
        "case-studies/edited.md": story_text("Edited after publication", date=_day(1), updated=_day(300)),
        "case-studies/plain.md": story_text("Never edited", date=_day(20)),
    }
    site = _plan(tmp_path, stories, withdrawn={"told-by-someone": "2026-11-01"})
    edited = site.sitemap_entry("stories/case-studies/edited.md")
    assert edited is not None and (edited.lastmod, edited.indexed) == (_day(300), True)
    plain = site.sitemap_entry("stories/case-studies/plain.md")
    assert plain is not None and plain.lastmod == _day(20)
    assert site.content_date == _day(300)  # the newest change, not the day of the build
    withdrawn: GeneratedPage = site.pages["stories/told-by-someone/index.md"]
    assert withdrawn.title == WITHDRAWN_TITLE and not withdrawn.indexed
    entry = site.sitemap_entry(withdrawn.src_uri)
    assert entry is not None and not entry.indexed
    listing = site.sitemap_entry("browse/type/case-study/index.md")
    assert listing is not None and (listing.lastmod, listing.indexed) == (_day(300), True)
    assert site.sitemap_entry("about.md") is None  # hand-written pages are MkDocs' own
    assert "told-by-someone" not in {s.story.slug for s in site.stories.values()}
    pinned = _plan(tmp_path / "pinned", stories, build_date=dt.datetime(2020, 5, 17, 12, tzinfo=dt.UTC))
    assert pinned.content_date == "2020-05-17"


def test_story_pages_are_published_at_their_slug_and_edit_their_file(tmp_path: Path) -> None:
    site = _plan(tmp_path, {"case-studies/red-bag.md": story_text("The red bag scheme")})
    (page,) = site.stories.values()
    assert (page.src_uri, page.dest_uri, page.edit_uri) == (
        "stories/case-studies/red-bag.md",
        "stories/red-bag/index.html",
        "../stories/case-studies/red-bag.md",
    )


def test_the_feeds_are_the_main_two_then_one_per_term_of_each_feed_facet(tmp_path: Path) -> None:
    site = _plan(tmp_path, {"case-studies/red-bag.md": story_text("The red bag scheme")}, feed_length=7)
    assert [f.path for f in site.feeds[:2]] == [feedlist.MAIN_FEED, feedlist.UPDATED_FEED]
    vocabularies = site.catalogue.vocabularies
    expected = sum(len(index.terms) for index in site.indexes.values() if index.facet in feedlist.FEED_FACETS)
    assert len(site.feeds) == 2 + expected
    barrier = next(f for f in site.feeds if f.facet == "barrier")
    assert barrier.page == f"browse/barrier/{barrier.term}/" and barrier.title.startswith("Care Hub: ")
    assert feedlist.feed_for_page(f"{barrier.page}page/2/", vocabularies, "Care Hub") == barrier
    assert (site.channel.url, site.channel.length, site.channel.absolute("/feed.json")) == (
        SITE_URL,
        7,
        SITE_URL + "feed.json",
    )


@pytest.mark.parametrize("per_page", [1, 50])
def test_every_story_appears_in_exactly_one_all_stories_page(tmp_path: Path, per_page: int) -> None:
    stories = {f"resources/guide-{n}.md": story_text(f"Guide number {n}", "resource", date=_day(n)) for n in range(5)}
    site = _plan(tmp_path, stories, per_page=per_page)
    listed = [
        s.slug
        for uri, page in site.pages.items()
        if uri == "stories/index.md" or uri.startswith("stories/page/")
        for s in page.view.stories  # type: ignore[attr-defined]
    ]
    assert listed == [s.slug for s in site.catalogue.stories] and len(set(listed)) == 5
