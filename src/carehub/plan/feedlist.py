"""Which feeds the site has: their paths, titles and the listing page each mirrors, and the channel they share.

One place for the facts the listing pages, the templates' autodiscovery
links, the Subscribe page and the feed writers (publish/feeds.py) all use:

- ``feed_rss_created.xml`` (:data:`MAIN_FEED`): every story, newest first
  (Material's own name); ``feed_rss_updated.xml`` (:data:`UPDATED_FEED`):
  every story, most recently changed first; ``feed.json``
  (:data:`JSON_FEED`): the main feed as JSON Feed 1.1.
- ``feeds/<facet>/<id>.xml`` for each facet in :data:`FEED_FACETS`, one per
  term of the vocabulary, even while a term has no stories, so a
  subscription made today keeps working.  Each mirrors the listing page
  ``browse/<facet>/<id>/``.

Must not write feeds or know about MkDocs: it is plain data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from carehub.check.vocabularies import Vocabularies, VocabularyTerm
from carehub.plan.facets import FACETS_BY_SLUG, Facet, term_url, vocabulary_labels, vocabulary_terms

MAIN_FEED = "feed_rss_created.xml"
UPDATED_FEED = "feed_rss_updated.xml"
JSON_FEED = "feed.json"
DEFAULT_LENGTH = 50

# Facets with a feed per term; the facet definitions themselves live in facets.py, shared with the listing pages.
FEED_FACETS: tuple[Facet, ...] = tuple(FACETS_BY_SLUG[slug] for slug in ("type", "care-model", "barrier", "region"))
_LISTING_RE = re.compile(r"^/?browse/([a-z0-9-]+)/([a-z0-9-]+)/(?:page/[0-9]+/)?(?:index\.html)?$")


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """One feed: where it lives, what it is called and which page it follows."""

    path: str  # site-relative, e.g. "feeds/barrier/information-governance-and-it.xml"
    title: str  # the channel title, starting with the site name
    name: str  # short, for a list under a heading: "Information governance and IT systems"
    description: str
    page: str  # site-relative URL of the page it mirrors ("" for the home page)
    facet: str | None = None
    term: str | None = None
    group: str = "All stories"  # heading on the Subscribe page


@dataclass(frozen=True, slots=True)
class FeedChannel:
    """What every feed and open data file needs to know about the site."""

    url: str  # absolute, ending "/"
    name: str
    vocabularies: Vocabularies
    length: int = DEFAULT_LENGTH
    build_date: dt.datetime | None = None  # from SOURCE_DATE_EPOCH; else each feed's newest story
    # Vocabulary name -> id -> label, made once with the channel rather than once per feed item.
    labels: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", vocabulary_labels(self.vocabularies))

    def absolute(self, path: str) -> str:
        return self.url + path.lstrip("/")


def feed_path(facet: str, term_id: str) -> str:
    """Site-relative path of the feed for a facet term: ``feeds/<facet>/<id>.xml``."""
    return f"feeds/{facet}/{term_id}.xml"


def has_feeds(facet: Facet) -> bool:
    """True if each term of ``facet`` has a feed (and its listing pages link to it)."""
    return facet in FEED_FACETS


def main_feeds(site_name: str) -> tuple[FeedInfo, FeedInfo]:
    """The two site-wide feeds, linked from the head of every page."""
    return (
        FeedInfo(MAIN_FEED, f"{site_name}: new stories", "New stories", "Every story on the hub, newest first.", ""),
        FeedInfo(
            UPDATED_FEED,
            f"{site_name}: new and updated stories",
            "New and updated stories",
            "Every story on the hub, the most recently published or updated first.",
            "",
        ),
    )


def facet_feed(facet: Facet, term: VocabularyTerm, site_name: str) -> FeedInfo:
    return FeedInfo(
        feed_path(facet.slug, term.id),
        f"{site_name}: {facet.singular} – {term.label}",
        term.label,
        f"Stories on the hub filed under {facet.singular} “{term.label}”. {term.description}",
        term_url(facet.slug, term.id),
        facet.slug,
        term.id,
        f"By {facet.singular}",
    )


def all_feeds(vocabularies: Vocabularies, site_name: str) -> tuple[FeedInfo, ...]:
    """Every RSS feed the build writes, in the order the Subscribe page lists them."""
    found = list(main_feeds(site_name))
    for facet in FEED_FACETS:
        found.extend(facet_feed(facet, term, site_name) for term in vocabulary_terms(facet, vocabularies))
    return tuple(found)


def feed_for_page(url: str, vocabularies: Vocabularies, site_name: str) -> FeedInfo | None:
    """The facet feed for a listing page URL (``browse/<facet>/<id>/``, any page number), or None.

    Templates call this to put ``<link rel="alternate">`` in a listing page's head.
    """
    match = _LISTING_RE.match(url)
    if not match:
        return None
    facet = FACETS_BY_SLUG.get(match.group(1))
    if facet is None or not has_feeds(facet):
        return None
    term = next((t for t in vocabulary_terms(facet, vocabularies) if t.id == match.group(2)), None)
    return facet_feed(facet, term, site_name) if term else None
