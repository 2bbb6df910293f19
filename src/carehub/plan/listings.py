"""Every page the hub generates rather than reads: listings, indexes, sites, regions, glossary, search,
and the page at each withdrawn story's address.

Planned once per build from the catalogue (``plan_pages``), as plain frozen
data: each :class:`GeneratedPage` has its source path, URL, title, template
and a view object the template reads.  The MkDocs glue (plugin.py) turns each
into a virtual file; nothing here knows about MkDocs, so tests can check the
plan without a build and another engine could render the same plan.

Listings are newest first (the catalogue's order) and paginated: page 1 at
``/browse/<facet>/<id>/``, page n at ``…/page/<n>/``.  Page 1 shows its newest
``FULL_CARDS`` stories as cards (with summaries) and the rest as rows (title,
type, date); later pages are rows only (``Listing.cards``, ``Listing.rows``).  Every vocabulary term
gets a listing even with no stories yet, so links and feeds never break and a
reader who lands there is told how to add the first story.

Cost: the whole plan is linear in the number of stories (each story lands in a
few listings); no page's view holds more than one page of stories.

Must not render HTML, read files or know about MkDocs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from carehub.check.catalogue import Catalogue, Story
from carehub.check.glossary import Glossary
from carehub.plan.directory import SiteEntry
from carehub.plan.facets import FACETS, FacetIndex, Term
from carehub.plan.feedlist import MAIN_FEED, feed_path, has_feeds

# 100 stories a page: each listing page costs a full page template and a search-indexer pass, so fewer, longer
# pages build faster.  Only the newest FULL_CARDS of a list, on its first page, are cards with their summary and
# labels; every other story is a row of its title, type and date (issue 19: every story is on a dozen listings,
# and a card is three times a row's bytes).  A reader who wants the summary is one link from it.
DEFAULT_PER_PAGE = 100
FULL_CARDS = 20
HOME_LATEST = 6


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int  # 1-based
    pages: int
    total: int  # stories in the whole listing
    first: int  # 1-based position of the first story on this page (0 when empty)
    last: int
    base_url: str  # URL of page 1

    def url_of(self, number: int) -> str:
        return self.base_url if number == 1 else f"{self.base_url}page/{number}/"

    @property
    def previous_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.pages else None

    @property
    def links(self) -> list[tuple[int | None, str | None]]:
        """(number, url) for a GOV.UK-style page list: first, last, and two either side; None marks a gap."""
        wanted = sorted({1, self.pages, *range(max(1, self.number - 2), min(self.pages, self.number + 2) + 1)})
        links: list[tuple[int | None, str | None]] = []
        for index, number in enumerate(wanted):
            if index and number - wanted[index - 1] > 1:
                links.append((None, None))
            links.append((number, self.url_of(number)))
        return links


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a list of stories."""

    heading: str
    intro: str
    stories: tuple[Story, ...]
    pagination: Pagination
    empty_message: str
    facet: str | None = None  # facet slug, for facet listings
    term: str | None = None  # term id
    feed_url: str | None = None  # the listing's RSS feed (feedlist.py)
    filters: tuple[FacetIndex, ...] = ()  # only on the all-stories page
    full_cards: int = 0  # how many of `stories`, from the first, are shown as cards (the rest as rows)

    @property
    def cards(self) -> tuple[Story, ...]:
        return self.stories[: self.full_cards]

    @property
    def rows(self) -> tuple[Story, ...]:
        return self.stories[self.full_cards :]

    @property
    def rows_start(self) -> int:
        """The 1-based position in the whole list of the first row on this page."""
        return self.pagination.first + len(self.cards)


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    src_uri: str  # the virtual source path MkDocs sees, e.g. browse/type/failure/index.md
    title: str
    template: str  # under overrides/
    view: object
    description: str = ""
    in_nav: bool = False
    edit_path: str | None = None  # repository path the "suggest a change" link edits
    searchable: bool = False  # indexed by the site search
    indexed: bool = True  # False: `noindex` for search engines, and left out of the sitemap

    @property
    def url(self) -> str:
        return self.src_uri.removesuffix("index.md")


@dataclass(frozen=True, slots=True)
class BrowseIndex:
    indexes: tuple[FacetIndex, ...]


@dataclass(frozen=True, slots=True)
class FacetIndexView:
    index: FacetIndex
    feed_facet: bool


@dataclass(frozen=True, slots=True)
class Home:
    latest: tuple[Story, ...]
    featured_failure: Story | None
    indexes: tuple[FacetIndex, ...]
    total: int
    sites: int


@dataclass(frozen=True, slots=True)
class Directory:
    entries: tuple[SiteEntry, ...]


@dataclass(frozen=True, slots=True)
class RegionsView:
    index: FacetIndex


@dataclass(frozen=True, slots=True)
class SearchView:
    indexes: tuple[FacetIndex, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class WithdrawnView:
    """The page at a withdrawn story's address: deliberately nothing about the story (withdrawals.py)."""


WITHDRAWN_TITLE = "Story withdrawn"


def paginate(stories: Sequence[Story], base_url: str, per_page: int) -> list[tuple[tuple[Story, ...], Pagination]]:
    """Split a newest-first list into pages; an empty list still has one (empty) page."""
    total = len(stories)
    pages = max(1, math.ceil(total / per_page))
    result = []
    for number in range(1, pages + 1):
        chunk = tuple(stories[(number - 1) * per_page : number * per_page])
        first = (number - 1) * per_page + 1 if chunk else 0
        result.append(
            (chunk, Pagination(number, pages, total, first, first + len(chunk) - 1 if chunk else 0, base_url))
        )
    return result


def listing_pages(
    base_url: str,
    heading: str,
    intro: str,
    stories: Sequence[Story],
    per_page: int,
    empty_message: str,
    *,
    facet: str | None = None,
    term: str | None = None,
    feed_url: str | None = None,
    filters: tuple[FacetIndex, ...] = (),
    in_nav: bool = False,
    full_cards: int = FULL_CARDS,
) -> list[GeneratedPage]:
    """A list's pages: the first ``full_cards`` stories as cards on page 1, every other story as a row."""
    pages = []
    for chunk, pagination in paginate(stories, base_url, per_page):
        title = heading if pagination.number == 1 else f"{heading} (page {pagination.number} of {pagination.pages})"
        cards = full_cards if pagination.number == 1 else 0
        view = Listing(heading, intro, chunk, pagination, empty_message, facet, term, feed_url, filters, cards)
        src = f"{pagination.url_of(pagination.number)}index.md"
        pages.append(
            GeneratedPage(src, title, "carehub/listing.html", view, intro, in_nav=in_nav and pagination.number == 1)
        )
    return pages


def term_listing_pages(term: Term, per_page: int, full_cards: int = FULL_CARDS) -> list[GeneratedPage]:
    facet = term.facet
    heading = term.label if facet.slug == "type" else f"{facet.singular.capitalize()}: {term.label}"
    feed_url = feed_path(facet.slug, term.id) if has_feeds(facet) else None
    empty = (
        f"There are no stories about “{term.label}” yet. If your place has tried something here — "
        "whether it worked or not — please share it."
    )
    return listing_pages(
        term.url,
        heading,
        term.description,
        term.stories,
        per_page,
        empty,
        facet=facet.slug,
        term=term.id,
        feed_url=feed_url,
        full_cards=full_cards,
    )


def plan_pages(
    catalogue: Catalogue,
    indexes: dict[str, FacetIndex],
    directory: dict[str, SiteEntry],
    glossary: Glossary,
    per_page: int = DEFAULT_PER_PAGE,
    full_cards: int = FULL_CARDS,
) -> list[GeneratedPage]:
    """Every generated page, in a fixed order (so builds are reproducible)."""
    ordered = tuple(indexes[facet.slug] for facet in FACETS)
    pages: list[GeneratedPage] = []
    pages += listing_pages(
        "stories/",
        "All stories",
        "Every story on the hub, newest first: patient stories, failure write-ups, case studies and resources.",
        catalogue.stories,
        per_page,
        "There are no stories yet. Be the first to share one.",
        feed_url=MAIN_FEED,
        filters=ordered,
        in_nav=True,
        full_cards=full_cards,
    )
    pages.append(
        GeneratedPage(
            "browse/index.md",
            "Browse",
            "carehub/browse.html",
            BrowseIndex(ordered),
            "Browse stories by type, care model, setting, region, barrier to spread and topic.",
            in_nav=True,
        )
    )
    for index in ordered:
        facet = index.facet
        pages.append(
            GeneratedPage(
                f"{index.url}index.md",
                f"Browse by {facet.singular}",
                "carehub/facet.html",
                FacetIndexView(index, has_feeds(facet)),
                f"Stories by {facet.singular}, with the number of stories for each.",
                edit_path=None if facet.vocabulary is None else "data/vocabularies.yml",
            )
        )
        for term in index.terms:
            pages += term_listing_pages(term, per_page, full_cards)
    pages.append(
        GeneratedPage(
            "sites/index.md",
            "Sites",
            "carehub/sites.html",
            Directory(tuple(directory.values())),
            "Organisations and places that share their work here, vanguard or not, and who learned from whom.",
            in_nav=True,
            searchable=True,
        )
    )
    for entry in directory.values():
        pages.append(
            GeneratedPage(
                f"{entry.url}index.md",
                entry.site.name,
                "carehub/site.html",
                entry,
                entry.site.summary,
                edit_path=entry.edit_path,
                searchable=True,
            )
        )
    pages.append(
        GeneratedPage(
            "regions/index.md",
            "Regions",
            "carehub/regions.html",
            RegionsView(indexes["region"]),
            "Stories by NHS England region, on a map and as a list.",
            in_nav=True,
        )
    )
    pages.append(
        GeneratedPage(
            "glossary/index.md",
            "Glossary",
            "carehub/glossary.html",
            glossary,
            "What the terms and abbreviations used on this hub mean.",
            in_nav=True,
            edit_path="data/glossary.yml",
            searchable=True,
        )
    )
    pages.append(
        GeneratedPage(
            "search/index.md",
            "Search",
            "carehub/search.html",
            SearchView(ordered),
            "Search every story and page, and narrow the results by type, care model, region and more.",
            in_nav=True,
        )
    )
    # A withdrawn story's address says so, and only that: links to it from anywhere still land somewhere.
    for slug in sorted(catalogue.withdrawn):
        pages.append(
            GeneratedPage(
                f"stories/{slug}/index.md",
                WITHDRAWN_TITLE,
                "carehub/withdrawn.html",
                WithdrawnView(),
                "This story was withdrawn at the request of the person who told it.",
                indexed=False,
            )
        )
    return pages


def home_view(catalogue: Catalogue, indexes: dict[str, FacetIndex], directory: dict[str, SiteEntry]) -> Home:
    featured = next((s for s in catalogue.stories if s.meta.type == "failure"), None)
    return Home(
        catalogue.stories[:HOME_LATEST],
        featured,
        tuple(indexes[facet.slug] for facet in FACETS),
        len(catalogue.stories),
        len(directory),
    )
