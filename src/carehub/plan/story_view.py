"""What a story page shows besides its body, gathered into one view for the template.

Templates stay thin (layout and wording only); the decisions — which labels,
which links, which related stories, what the chart says — are made here in
typed Python where they can be tested.  A view is built per story page from
data computed once per build (facet labels, related stories, the sites
directory), so building it costs the same whatever the size of the hub.

Must not know about MkDocs.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from carehub.check.catalogue import Story
from carehub.check.model import TYPE_LABELS, Outcome
from carehub.plan.charts import change_of, outcome_chart, with_unit
from carehub.plan.directory import SiteEntry
from carehub.plan.facets import FACETS, term_url, values_of

if TYPE_CHECKING:
    from carehub.plan.approaches import StorySpread

LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str  # site-relative, or absolute for external links


@dataclass(frozen=True, slots=True)
class FacetValues:
    heading: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Download:
    title: str
    url: str  # site-relative (for the template's `url` filter), or absolute for a web address
    format: str | None


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def published_path(story_path: str, target: str) -> str:
    """Where a file a story names (image, download) is published, site-relative: the build publishes the files
    under stories/ at the same path (plugin.on_files), so ``red-bag-checklist.pdf`` beside
    ``stories/resources/red-bag.md`` is ``stories/resources/red-bag-checklist.pdf`` — not beside the page
    (``stories/red-bag/``), which is where the template's ``url`` filter alone would look.  A web address, or a
    path from the repository's root (``/stories/…``), is kept as written (without the leading /)."""
    if _SCHEME_RE.match(target) or target.startswith("//"):
        return target
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(story_path), target))


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    outcome: Outcome
    before: str
    after: str
    change: str
    chart: Markup


@dataclass(frozen=True, slots=True)
class StoryView:
    story: Story
    type_label: str
    type_url: str
    facets: tuple[FacetValues, ...]  # care models, settings, region, barriers, tags (type is shown apart)
    site: Link | None
    adopted_from: tuple[Link, ...]
    related: tuple[Story, ...]
    outcomes: tuple[OutcomeRow, ...]
    image_src: str | None  # the story's picture, site-relative (published_path)
    downloads: tuple[Download, ...]  # a resource's downloads, with published addresses
    licence: Link
    evidence_level: str | None
    status: str | None
    filter_values: tuple[tuple[str, str], ...]  # (facet slug, term id), for the search index's filters
    spread: StorySpread | None = None  # its approach, updates timeline and review notice (approaches.py)


def build_story_view(
    story: Story,
    labels: dict[str, dict[str, str]],
    related: tuple[Story, ...],
    directory: dict[str, SiteEntry],
) -> StoryView:
    meta = story.meta
    facets = []
    filters: list[tuple[str, str]] = []
    for facet in FACETS:
        values = values_of(story, facet)
        filters.extend((facet.slug, value) for value in values)
        if facet.slug == "type":
            continue
        vocabulary = labels[facet.vocabulary or "types"]
        heading = facet.singular.capitalize() if len(values) == 1 else facet.plural.capitalize()
        links = tuple(Link(vocabulary.get(v, v), term_url(facet.slug, v)) for v in values)
        if links:
            facets.append(FacetValues(heading, links))
    site = directory.get(meta.site) if meta.site else None
    adopted_from = tuple(
        Link(directory[s].site.name, directory[s].url) for s in dict.fromkeys(meta.adopted_from) if s in directory
    )
    rows = tuple(
        OutcomeRow(
            outcome,
            with_unit(outcome.before, outcome.unit),
            with_unit(outcome.after, outcome.unit),
            change_of(outcome).words,
            outcome_chart(outcome),
        )
        for outcome in meta.outcomes
    )
    licence_label = labels["licences"].get(meta.licence, meta.licence)
    return StoryView(
        story=story,
        type_label=TYPE_LABELS[meta.type],
        type_url=term_url("type", meta.type),
        facets=tuple(facets),
        site=Link(site.site.name, site.url) if site else None,
        adopted_from=adopted_from,
        related=related,
        outcomes=rows,
        image_src=published_path(story.path, meta.image.src) if meta.image else None,
        downloads=tuple(
            Download(d.title, published_path(story.path, d.href), d.format) for d in getattr(meta, "downloads", ())
        ),
        licence=Link(licence_label, LICENCE_URLS.get(meta.licence, "")),
        evidence_level=labels["evidence_levels"].get(getattr(meta, "evidence_level", "") or "") or None,
        status=labels["statuses"].get(getattr(meta, "status", "") or "") or None,
        filter_values=tuple(filters),
    )
