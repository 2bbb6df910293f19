"""The whole site as a plan: every page, view, index and feed a build produces, decided once from the catalogue.

``plan(catalogue, options)`` is the one entry point between the checked
content and the rendering engine.  It returns a :class:`SitePlan`: the story
pages and where they go, every generated page (listings, browse and facet
indexes, sites, regions, glossary, search, withdrawn addresses) with its view,
the home page's view, the facet indexes and labels the templates read, the
related-stories index, the sites directory, the feeds and their channel, and
what the sitemap says of each planned page.  render/plugin.py maps it onto
MkDocs' events and decides nothing of its own; tests read it without a build.

Must not know about MkDocs, read files or render HTML (the charts and the
regions map are inline SVG made by charts.py and regions.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from carehub.check.catalogue import STORIES_DIR, Catalogue, Story
from carehub.plan.approaches import (
    ApproachEntry,
    build_approaches,
    offer_topics,
    plan_spread_pages,
    story_spread,
    topic_labels,
)
from carehub.plan.directory import SiteEntry, build_directory
from carehub.plan.facets import FacetIndex, build_facet_indexes, label_maps
from carehub.plan.feedlist import DEFAULT_LENGTH, FeedChannel, FeedInfo, all_feeds
from carehub.plan.listings import DEFAULT_PER_PAGE, FULL_CARDS, GeneratedPage, Home, home_view, plan_pages
from carehub.plan.related import DEFAULT_LIMIT, RelatedIndex
from carehub.plan.story_view import StoryView, build_story_view


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What the site's configuration (mkdocs.yml) decides about the plan."""

    site_url: str  # absolute, ending "/"
    site_name: str
    per_page: int = DEFAULT_PER_PAGE  # stories on one listing page
    full_cards: int = FULL_CARDS  # of those, on a list's first page, how many are cards with summaries
    related: int = DEFAULT_LIMIT  # related stories on a story page
    feed_length: int = DEFAULT_LENGTH  # stories in each feed (the newest)
    build_date: dt.datetime | None = None  # SOURCE_DATE_EPOCH, when set: the date every undated page reports
    today: dt.date | None = None  # the day "not reviewed since" is judged on (None: the catalogue's day)


@dataclass(frozen=True, slots=True)
class StoryPage:
    """Where one story is published."""

    story: Story
    dest_uri: str  # stories/<slug>/index.html

    @property
    def src_uri(self) -> str:
        return self.story.path

    @property
    def edit_uri(self) -> str:
        """The story's file, relative to docs/, which the "suggest a change" link edits."""
        return f"../{self.story.path}"


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """What sitemap.xml says of a planned page."""

    lastmod: str  # ISO date: when its content last changed, never the day of the build
    indexed: bool  # False: `noindex` for search engines, and left out of the sitemap


@dataclass(frozen=True, slots=True)
class SitePlan:
    catalogue: Catalogue
    labels: dict[str, dict[str, str]]  # vocabulary name -> id -> label
    indexes: dict[str, FacetIndex]  # facet slug -> index
    directory: dict[str, SiteEntry]  # site id -> entry, in directory order
    related: RelatedIndex  # scored per story page, when its view is made (in the render workers)
    stories: dict[str, StoryPage]  # source path -> page, newest first
    pages: dict[str, GeneratedPage]  # source path -> page, in a fixed order
    home: Home
    content_date: str  # what a page without a date of its own reports as last changed
    channel: FeedChannel
    feeds: tuple[FeedInfo, ...]  # every RSS feed, in the order the Subscribe page lists them
    approaches: dict[str, ApproachEntry]  # approach id -> entry, in data/approaches.yml's order
    today: dt.date  # the day a case study's "not reviewed since" notice is judged on
    topics: dict[str, str]  # what a site may offer or want (approach or tag id) -> label
    offers: tuple[tuple[str, str, int], ...]  # (topic, label, sites) for every topic some site offers

    def story_view(self, story: Story) -> StoryView:
        view = build_story_view(story, self.labels, self.related.get(story.slug), self.directory)
        return dataclasses.replace(
            view, spread=story_spread(story, self.catalogue, self.approaches, self.labels, self.today)
        )

    def sitemap_entry(self, src_uri: str) -> SitemapEntry | None:
        """For a story or generated page; None for a hand-written page (it reports ``content_date``)."""
        story = self.stories.get(src_uri)
        if story is not None:
            return SitemapEntry(story.story.meta.last_changed.isoformat(), True)
        page = self.pages.get(src_uri)
        if page is not None:
            return SitemapEntry(self.content_date, page.indexed)
        return None


def plan(catalogue: Catalogue, options: PlanOptions) -> SitePlan:
    """Everything the site will contain; linear in the number of stories."""
    labels = label_maps(catalogue)
    indexes = build_facet_indexes(catalogue)
    directory = build_directory(catalogue)
    glossary = catalogue.glossary
    pages = plan_pages(catalogue, indexes, directory, glossary, options.per_page, options.full_cards)
    approaches = build_approaches(catalogue, directory)
    pages += plan_spread_pages(catalogue, approaches, directory, options.per_page)
    channel = FeedChannel(
        url=options.site_url,
        name=options.site_name,
        vocabularies=catalogue.vocabularies,
        length=options.feed_length,
        build_date=options.build_date,
    )
    return SitePlan(
        catalogue=catalogue,
        labels=labels,
        indexes=indexes,
        directory=directory,
        related=RelatedIndex(catalogue.stories, options.related),
        stories={story.path: StoryPage(story, f"{STORIES_DIR}/{story.slug}/index.html") for story in catalogue.stories},
        pages={page.src_uri: page for page in pages},
        home=home_view(catalogue, indexes, directory),
        content_date=content_date(catalogue, options.build_date),
        channel=channel,
        feeds=all_feeds(catalogue.vocabularies, options.site_name),
        approaches=approaches,
        topics=topic_labels(catalogue),
        offers=offer_topics(catalogue, directory),
        today=options.today or catalogue.today or dt.date.today(),
    )


def content_date(catalogue: Catalogue, build_date: dt.datetime | None = None) -> str:
    """The date a page without its own date reports as last changed: the newest story date.

    MkDocs stamps every page with the build date (sitemap.xml's <lastmod>, and
    the mtime inside sitemap.xml.gz) unless SOURCE_DATE_EPOCH is set; using the
    content's own newest date instead makes the same content give the same
    bytes on any day, on any machine.  SOURCE_DATE_EPOCH, when set, still wins.
    """
    if build_date is not None:
        return build_date.strftime("%Y-%m-%d")
    dates = [story.meta.last_changed for story in catalogue.stories]
    return max(dates).isoformat() if dates else "1970-01-01"
