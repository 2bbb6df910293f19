"""The public site, built for real from a small project and read back as parsed HTML.

One project is built once for the module (building is the slow part); each
test reads the output.  Expected values come from the story specifications
below, not from the code under test, so a wrong listing, count, link or
search entry fails here.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from carehub.cli import main
from carehub.publish.search import words as search_words

from .conftest import make_project
from .html_tools import Element, parse_file
from .search_reader import Index
from .story_factory import story_text

pytestmark = pytest.mark.build

PER_PAGE = 3
OUTCOME = {
    "measure": "Hospital admissions from care homes",
    "before": 120,
    "after": 90,
    "unit": "admissions a month",
    "period": "2015/16 against 2016/17",
    "source": "Vanguard dashboard",
}

# slug -> (file, front matter).  Dates chosen so that order, ties and pagination are all exercised.
SPECS: dict[str, tuple[str, dict[str, object]]] = {
    "red-bag": (
        "case-studies/red-bag.md",
        {
            "title": "The red bag scheme",
            "type_": "case-study",
            "date": "2017-02-16",
            "region": "london",
            "tags": ("red-bag-scheme", "hospital-discharge"),
            "site": "sutton-homes-of-care",
            "outcomes": [OUTCOME],
        },
    ),
    "red-bag-copy": (
        "case-studies/red-bag-copy.md",
        {
            "title": "We copied the red bag",
            "type_": "case-study",
            "date": "2017-05-01",
            "region": "north-west",
            "tags": ("red-bag-scheme",),
            "site": "example-community-partnership",
            "adopted_from": ["sutton-homes-of-care"],
        },
    ),
    "records": (
        "failures/records.md",
        {
            "title": "Shared records too soon",
            "type_": "failure",
            "date": "2017-03-01",
            "region": "north-west",
            "care_models": ("multispecialty-community-providers",),
            "settings": ("primary-care", "community-services"),
            "barriers": ("information-governance-and-it", "time-and-resources"),
            "tags": ("data-sharing",),
            "site": "example-community-partnership",
            "illustrative": True,
            "body": "## Why PACS mattered\n\nThe PACS and two STPs were involved. "
            "See [the PACS page](#why-pacs-mattered).",
        },
    ),
    "commissioners": (
        "failures/commissioners.md",
        {
            "title": "Commissioners were not in the room",
            "type_": "failure",
            "date": "2016-11-01",
            "region": "midlands",
            "care_models": ("integrated-primary-and-acute-care",),
            "barriers": ("lack-of-commissioner-engagement",),
            "tags": ("contracting",),
        },
    ),
    "home-sooner": (
        "patient-stories/home-sooner.md",
        {
            "title": "Home from hospital sooner",
            "type_": "patient-story",
            "date": "2017-04-10",
            "region": "north-west",
            "care_models": ("multispecialty-community-providers",),
            "tags": ("hospital-discharge",),
            "site": "example-community-partnership",
        },
    ),
    "tips": (
        "resources/tips.md",
        {
            # Markup characters in front matter must reach readers as text, never as markup.
            "title": 'Top tips: "share early" & <b>often</b>',
            "type_": "resource",
            "date": "2017-02-16",
            "region": "national",
            "care_models": ("other",),
            "settings": ("leadership-and-management",),
            "tags": ("share-early",),
        },
    ),
    "lonely": (
        "case-studies/lonely.md",
        {
            "title": "A network with nothing in common",
            "type_": "case-study",
            "date": "2016-06-01",
            "region": "south-west",
            "care_models": ("urgent-and-emergency-care",),
            "settings": ("acute",),
        },
    ),
    "second-person": (
        "patient-stories/second-person.md",
        {
            "title": "A second patient story",
            "type_": "patient-story",
            "date": "2015-10-01",
            "region": "north-west",
            "care_models": ("multispecialty-community-providers",),
        },
    ),
}

DEFAULTS = {"care_models": ("enhanced-health-in-care-homes",), "settings": ("social-care",), "barriers": ()}
FACET_FIELDS = {
    "type": "type_",
    "care-model": "care_models",
    "setting": "settings",
    "region": "region",
    "barrier": "barriers",
    "tag": "tags",
}


def facet_values(spec: dict[str, object], facet: str) -> list[str]:
    value = spec.get(FACET_FIELDS[facet], DEFAULTS.get(FACET_FIELDS[facet], ()))
    if facet == "barrier" and spec["type_"] == "failure" and not value:
        value = ("time-and-resources",)
    return [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]


def newest_first(slugs: list[str]) -> list[str]:
    return sorted(slugs, key=lambda s: (-int(str(SPECS[s][1]["date"]).replace("-", "")), s))


def expected_listings() -> dict[tuple[str, str], list[str]]:
    listings: dict[tuple[str, str], list[str]] = {}
    for slug, (_, spec) in SPECS.items():
        for facet in FACET_FIELDS:
            for value in facet_values(spec, facet):
                listings.setdefault((facet, value), []).append(slug)
    return {key: newest_first(slugs) for key, slugs in listings.items()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREHUB_TODAY", "2026-11-25")
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        stories = {path: story_text(**spec) for path, spec in SPECS.values()}  # type: ignore[arg-type]
        project = make_project(tmp_path_factory.mktemp("site"), stories)
        config = project / "mkdocs.yml"
        config.write_text(
            config.read_text().replace("  - carehub\n", f"  - carehub:\n      per_page: {PER_PAGE}\n"), "utf-8"
        )
        assert main(["--root", str(project), "build", "--quiet"]) == 0
        yield project


def page(project: Path, url: str) -> Element:
    return parse_file(project / "site" / url / "index.html")


def listing_slugs(project: Path, url: str) -> tuple[list[str], list[str]]:
    """Story slugs across every page of a listing (following rel=next), and each page's count line."""
    slugs: list[str] = []
    counts: list[str] = []
    current: str | None = url
    while current is not None:
        here = current
        tree = page(project, here)
        listing = tree.find("div", data_ch_listing=True)
        assert listing is not None, here
        cards = listing.find("ol", class_="ch-cards")
        if cards is not None:
            for link in cards.find_all("a"):
                if link.parent is not None and link.parent.tag in ("h2", "h3"):
                    slugs.append(str(link.attrs["href"]).rstrip("/").rsplit("/", 1)[-1])
        rows = listing.find("ol", class_="ch-rows")
        if rows is not None:
            for row in rows.find_all("li"):
                slugs.append(str(row.find("a").attrs["href"]).rstrip("/").rsplit("/", 1)[-1])  # type: ignore[union-attr]
        count = listing.find("p", class_="ch-count")
        counts.append(count.text if count else "")
        following = tree.find("a", rel="next")
        current = None
        if following is not None:
            current = str((Path("/" + here) / str(following.attrs["href"])).resolve()).strip("/")
    return slugs, counts


def test_every_story_has_its_page_with_title_summary_and_facts(built: Path) -> None:
    for slug, (_, spec) in SPECS.items():
        tree = page(built, f"stories/{slug}")
        assert tree.find("h1") is not None and tree.find("h1").text == spec["title"]  # type: ignore[union-attr]
        facts = tree.find("section", class_="ch-facts")
        assert facts is not None, slug
        fact_text = facts.text
        for facet in ("care-model", "setting", "region", "barrier", "tag"):
            for value in facet_values(spec, facet):
                assert tree.find("a", href=f"../../browse/{facet}/{value}/") is not None, (slug, facet, value)
        assert "Published" in fact_text


def test_each_listing_holds_exactly_its_stories_newest_first_with_counts(built: Path) -> None:
    for (facet, value), slugs in expected_listings().items():
        found, counts = listing_slugs(built, f"browse/{facet}/{value}")
        assert found == slugs, (facet, value)
        total = len(slugs)
        noun = "story" if total == 1 else "stories"
        assert all(f"{total} {noun}" in line for line in counts), (facet, value, counts)
        assert len(counts) == -(-total // PER_PAGE)


def test_all_stories_page_is_paginated_newest_first(built: Path) -> None:
    found, counts = listing_slugs(built, "stories")
    assert found == newest_first(list(SPECS))
    assert counts[0] == f"Showing 1 to {PER_PAGE} of {len(SPECS)} stories, newest first"
    assert (built / "site/stories/page/3/index.html").is_file()
    assert not (built / "site/stories/page/4").exists()


def test_later_pages_of_a_listing_show_each_story_as_a_row_of_title_type_and_date(built: Path) -> None:
    # Issue 19: only the newest stories of a list's first page are cards; every later story is a row.
    order = newest_first(list(SPECS))
    first = page(built, "stories").find("div", data_ch_listing=True)
    assert first is not None and len(first.find("ol", class_="ch-cards").find_all("li")) == PER_PAGE  # type: ignore[union-attr]
    assert first.find("ol", class_="ch-rows") is None, "a first page shorter than the cards is all cards"
    later = page(built, "stories/page/2").find("div", data_ch_listing=True)
    assert later is not None and later.find("ol", class_="ch-cards") is None
    rows = later.find("ol", class_="ch-rows")
    assert rows is not None and rows.attrs["start"] == str(PER_PAGE + 1)
    labels = {
        "case-study": "Case study",
        "failure": "Failure write-up",
        "patient-story": "Patient story",
        "resource": "Resource",
    }
    found = rows.find_all("li")
    assert len(found) == min(PER_PAGE, len(order) - PER_PAGE)
    for row, slug in zip(found, order[PER_PAGE:], strict=False):
        spec = SPECS[slug][1]
        link = row.find("a")
        assert link is not None and link.text == spec["title"] and str(link.attrs["href"]).endswith(f"/{slug}/")
        assert row.find(["h2", "h3", "p"]) is None, "a row is one line: no heading, no summary"
        day = dt.date.fromisoformat(str(spec["date"]))
        assert f"{labels[str(spec['type_'])]}, {day.day} {day:%B %Y}" in row.text, row.text


def test_facet_index_pages_show_each_term_with_its_count(built: Path) -> None:
    expected = expected_listings()
    tree = page(built, "browse/region")
    cards = {
        card.find("a").text: card.find("p", class_="ch-term-card__count").text
        for card in tree.find_all("li", class_="ch-term-card")
    }  # type: ignore[union-attr]
    assert cards["London"] == f"{len(expected[('region', 'london')])} story"
    assert cards["North West"] == f"{len(expected[('region', 'north-west')])} stories"
    assert cards["East of England"] == "0 stories"


def test_an_empty_listing_explains_itself(built: Path) -> None:
    tree = page(built, "browse/region/east-of-england")
    empty = tree.find("div", class_="ch-empty")
    assert empty is not None and "no stories" in empty.text.lower()
    assert empty.find("a", href="../../../contribute/share/") is not None


def test_related_stories_share_something_and_are_listed_both_ways(built: Path) -> None:
    def related(slug: str) -> list[str]:
        section = page(built, f"stories/{slug}").find("section", class_="ch-related")
        if section is None:
            return []
        return [str(a.attrs["href"]).rstrip("/").rsplit("/", 1)[-1] for a in section.find_all("a")]

    # Sharing a tag (3) beats sharing only a care model (1): red-bag-copy is red-bag's best match.
    assert related("red-bag")[0] == "red-bag-copy"
    assert "red-bag" in related("red-bag-copy")
    # records shares a care model with home-sooner and second-person; newest wins the tie.
    assert related("records")[:2] == ["home-sooner", "second-person"]
    # A story that shares nothing has no related section at all.
    assert related("lonely") == []


def test_site_page_lists_exactly_its_stories_and_adoption_both_ways(built: Path) -> None:
    partnership = page(built, "sites/example-community-partnership")
    own = [
        str(a.attrs["href"]).rstrip("/").rsplit("/", 1)[-1]
        for a in partnership.find("ol", class_="ch-cards").find_all("a")  # type: ignore[union-attr]
    ]
    expected = newest_first(
        [s for s, (_, spec) in SPECS.items() if spec.get("site") == "example-community-partnership"]
    )
    assert own == expected
    learned = partnership.find("h2", id="ch-adopted-from")
    assert learned is not None
    sutton = page(built, "sites/sutton-homes-of-care")
    adopted_by = sutton.find_all("ul", class_="ch-adoptions")
    assert len(adopted_by) == 1
    links = [a.attrs["href"] for a in adopted_by[0].find_all("a")]
    assert links == ["../example-community-partnership/", "../../stories/red-bag-copy/"]
    story = page(built, "stories/red-bag-copy")
    assert story.find("a", href="../../sites/sutton-homes-of-care/") is not None


def test_search_index_holds_every_story_with_its_facet_filters(built: Path) -> None:
    index = Index(built / "site")
    pages = index.pages()
    by_url = {page["url"]: n for n, page in enumerate(pages)}
    filters = {facet: index.file(f"filters/f-{facet}.json") for facet in index.meta["filters"]}
    for slug, (_, spec) in SPECS.items():
        number = by_url[f"stories/{slug}/"]
        assert pages[number]["title"] == spec["title"]
        assert "Summary of" in pages[number]["summary"]
        for facet in FACET_FIELDS:
            values = sorted(v for v in filters.get(facet, {}) if number in index.filter_ids(facet, v))
            assert values == sorted(facet_values(spec, facet)), (slug, facet)
    # Listings are not search results (they would crowd out the stories they list).
    assert not any(url.startswith("browse/") for url in by_url)
    assert "glossary/" in by_url
    # The facts panel is not indexed, but its labels are words its story is found by (data-search-words).
    labels = {t["id"]: t["label"] for t in yaml.safe_load((built / "data/vocabularies.yml").read_text())["tags"]}
    for slug, (_, spec) in SPECS.items():
        for tag in facet_values(spec, "tag"):
            for word in search_words.normalise(labels[tag]):
                pages_with_word = {n for n, _ in index.postings(word)}
                assert by_url[f"stories/{slug}/"] in pages_with_word, (slug, tag, word)


def test_outcomes_have_a_table_and_a_chart_the_table_describes(built: Path) -> None:
    tree = page(built, "stories/red-bag")
    table = tree.find("table", class_="ch-outcomes__table")
    assert table is not None
    assert "120 admissions a month" in table.text and "90 admissions a month" in table.text
    assert "Down 25% (better)" in table.text
    # The table is the charts' text alternative: the charts beside it are hidden from screen readers.
    charts = tree.find("div", class_="ch-charts")
    assert charts is not None and charts.attrs["aria-hidden"] == "true"
    chart = charts.find("svg", class_="ch-chart")
    assert chart is not None and "120 admissions a month" in chart.text and "90 admissions a month" in chart.text
    assert OUTCOME["measure"] in charts.text  # the caption names it for sighted readers


def test_failure_has_what_we_learned_and_illustrative_banner(built: Path) -> None:
    tree = page(built, "stories/records")
    callout = tree.find("aside", class_="ch-callout--learned")
    assert callout is not None and "Agree the purpose" in callout.text
    assert tree.find("div", class_="ch-banner--illustrative") is not None
    assert page(built, "stories/commissioners").find("div", class_="ch-banner--illustrative") is None


def test_case_study_has_buddy_contact_licence_and_edit_link(built: Path) -> None:
    tree = page(built, "stories/red-bag")
    buddy = tree.find("aside", class_="ch-callout--buddy")
    assert buddy is not None and buddy.find("a", href="mailto:newcaremodels-team@example.org") is not None
    assert tree.find("a", rel="license", href="https://creativecommons.org/licenses/by/4.0/") is not None
    edit = tree.find("a", rel="edit")
    assert edit is not None
    assert edit.attrs["href"] == "https://github.com/carehub/carehub/edit/main/stories/case-studies/red-bag.md"


def test_abbreviations_are_explained_without_breaking_headings_or_links(built: Path) -> None:
    tree = page(built, "stories/records")
    body = tree.find("div", class_="ch-body")
    assert body is not None
    abbrs = body.find_all("abbr")
    assert {a.text for a in abbrs} >= {"PACS", "STPs"}
    assert all(a.attrs.get("title") for a in abbrs)
    heading = body.find("h2", id="why-pacs-mattered")
    assert heading is not None and heading.find("abbr") is not None
    assert body.find("a", href="#why-pacs-mattered") is not None


def test_glossary_lists_terms_with_working_see_also_links(built: Path) -> None:
    tree = page(built, "glossary")
    entries = tree.find_all("div", class_="ch-glossary__entry")
    assert len(entries) >= 5
    ids = {str(e.attrs["id"]) for e in entries}
    assert "pacs" in ids
    for link in tree.find("dl", class_="ch-glossary").find_all("a"):  # type: ignore[union-attr]
        assert str(link.attrs["href"]).removeprefix("#") in ids


def test_regions_map_links_each_region_and_has_a_text_list(built: Path) -> None:
    tree = page(built, "regions")
    svg = tree.find("svg", class_="ch-map")
    assert svg is not None and svg.attrs["aria-hidden"] == "true"
    map_links = {str(a.attrs["href"]) for a in svg.find_all("a")}
    listed = {str(a.attrs["href"]) for a in tree.find("ul", class_="ch-terms").find_all("a")}  # type: ignore[union-attr]
    assert len(map_links) == 7
    assert map_links <= listed and "../browse/region/national/" in listed
    for href in listed:
        assert (built / "site/regions" / href / "index.html").resolve().is_file()


def test_home_page_has_latest_featured_failure_and_browse(built: Path) -> None:
    tree = page(built, "")
    latest = tree.find("section", **{"aria-labelledby": "ch-latest"})
    assert latest is not None
    first = latest.find("a")
    assert first is not None and first.attrs["href"] == "stories/red-bag-copy/"
    featured = tree.find("section", class_="ch-featured")
    assert featured is not None and featured.find("a", href="stories/records/") is not None


def test_pages_make_no_third_party_requests_and_fix_stock_material_markup(built: Path) -> None:
    site = built / "site"
    for path in site.rglob("*.html"):
        tree = parse_file(path)
        for element in tree.iter():
            for attribute in ("src",) if element.tag != "link" else ("href",):
                value = element.attrs.get(attribute)
                if value and element.tag in ("script", "img", "link", "iframe"):
                    if element.tag == "link" and element.attrs.get("rel") not in ("stylesheet", "icon", "preload"):
                        continue
                    assert "//" not in str(value), (path, element.tag, value)
        for checkbox in tree.find_all("input", type="checkbox"):
            assert "autocomplete" not in checkbox.attrs, path
    # The search index is fetched by the search page's script only, never referenced by other pages.
    home = (site / "index.html").read_text("utf-8")
    assert "search-index" not in home and "search_index.json" not in home
    assert not (site / "search/search_index.json").exists()


def test_sitemap_dates_come_from_the_content(built: Path) -> None:
    sitemap = (built / "site/sitemap-pages.xml").read_text("utf-8")
    assert "<loc>https://carehub.example.org/stories/red-bag/</loc>\n         <lastmod>2017-02-16</lastmod>" in sitemap
    assert gzip.decompress((built / "site/sitemap-pages.xml.gz").read_bytes()).decode("utf-8") == sitemap


def test_sitemap_xml_is_a_small_index(built: Path) -> None:
    """Material fetches /sitemap.xml on every page load (once per feed link): it must not grow with the hub."""
    index = ET.fromstring((built / "site/sitemap.xml").read_bytes())
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert index.tag == f"{namespace}sitemapindex"
    assert [loc.text for loc in index.iter(f"{namespace}loc")] == ["https://carehub.example.org/sitemap-pages.xml"]
    assert (built / "site/sitemap.xml").stat().st_size < 400
    assert gzip.decompress((built / "site/sitemap.xml.gz").read_bytes()) == (built / "site/sitemap.xml").read_bytes()


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_front_matter_text_is_escaped_everywhere_it_appears(built: Path) -> None:
    title = str(SPECS["tips"][1]["title"])
    for url in ("stories/tips", "browse/type/resource", "browse/region/national"):
        html = (built / "site" / url / "index.html").read_text("utf-8")
        assert "<b>often</b>" not in html, url
        assert "&lt;b&gt;often&lt;/b&gt;" in html, url
    story = page(built, "stories/tips")
    assert story.find("h1").text == title  # type: ignore[union-attr]
    assert story.find("meta", name="description") is not None
    assert story.find("title").text.startswith(title)  # type: ignore[union-attr]


def test_two_builds_give_the_same_bytes(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("CAREHUB_TODAY", "2026-12-31")  # a different day must not matter
    again = tmp_path / "again"
    assert main(["--root", str(built), "build", "--quiet", "--site-dir", str(again)]) == 0
    first, second = tree_digest(built / "site"), tree_digest(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_failed_build_leaves_the_site_byte_for_byte_untouched(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(built / "site")
    broken = built / "stories/failures/broken.md"
    other = built / "stories/failures/broken-too.md"
    broken.write_text(story_text("Broken story", "failure", region="atlantis"), "utf-8")
    other.write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    try:
        assert main(["--root", str(built), "build", "--quiet"]) == 1
    finally:
        broken.unlink()
        other.unlink()
    output = capsys.readouterr()
    printed = output.out + output.err
    assert "stories/failures/broken.md" in printed and "stories/failures/broken-too.md" in printed
    assert tree_digest(built / "site") == before
    assert not any(p.name.startswith(".site-") for p in built.iterdir())


def test_a_hand_written_page_cannot_hide_a_generated_one(tmp_path: Path) -> None:
    project = make_project(tmp_path, {})
    (project / "docs/glossary").mkdir()
    (project / "docs/glossary/index.md").write_text("# Mine\n", "utf-8")
    (project / "site").mkdir()
    (project / "site/keep.txt").write_text("previous site", "utf-8")
    assert main(["--root", str(project), "build", "--quiet"]) == 1
    assert (project / "site/keep.txt").read_text("utf-8") == "previous site"
    shutil.rmtree(project / "site")
