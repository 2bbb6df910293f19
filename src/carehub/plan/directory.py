"""The sites directory: each organisation or place with its stories and its buddying links.

"Adopted from" and "adopted by" are two views of one fact — a story from site
A says ``adopted_from: [B]`` — so both are derived here, in one pass, and can
never disagree: A's page says it adopted from B (through that story), B's page
says A adopted its work (through the same story), and the story links to both.

Buddying by offers and wants is one relation seen from both ends in the same way: site B can help site A with
a topic exactly when A ``wants`` it and B ``offers`` it, and then A is among those B's page says want to learn
it (:class:`Buddies`).  The contact is always the site's role mailbox.

Must not render anything or know about MkDocs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from carehub.check.catalogue import Catalogue, Story
from carehub.check.model import Site


@dataclass(frozen=True, slots=True)
class Adoption:
    """``story`` (told by ``adopter``, if it names its site) copied or adapted work from ``source``."""

    story: Story
    adopter: str | None  # site id of the story, if any
    source: str  # site id it adopted from


@dataclass(frozen=True, slots=True)
class Helper:
    """A site that offers (or wants) a topic, with its role mailbox (never a person's)."""

    site_id: str
    name: str
    region: str
    contact: str | None


@dataclass(frozen=True, slots=True)
class Buddies:
    """A site's matches: for each topic it wants, the sites offering it; for each it offers, those wanting it."""

    helpers: tuple[tuple[str, tuple[Helper, ...]], ...] = ()
    learners: tuple[tuple[str, tuple[Helper, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class SiteEntry:
    id: str
    site: Site
    stories: tuple[Story, ...]  # stories whose `site` is this one, newest first
    adopted_from: tuple[Adoption, ...]  # this site's stories that adopted others' work
    adopted_by: tuple[Adoption, ...]  # others' stories that adopted this site's work
    buddies: Buddies = Buddies()  # offers and wants matched with other sites'

    @property
    def url(self) -> str:
        return f"sites/{self.id}/"

    @property
    def edit_path(self) -> str:
        return f"data/sites/{self.id}.yml"


def build_directory(catalogue: Catalogue) -> dict[str, SiteEntry]:
    """Site id -> entry, sorted by site name (then id) for the directory page."""
    stories: dict[str, list[Story]] = {site_id: [] for site_id in catalogue.sites}
    adopted_from: dict[str, list[Adoption]] = {site_id: [] for site_id in catalogue.sites}
    adopted_by: dict[str, list[Adoption]] = {site_id: [] for site_id in catalogue.sites}
    for story in catalogue.stories:  # newest first, so every list below is too
        own = story.meta.site
        if own in stories:
            stories[own].append(story)
        for source in dict.fromkeys(story.meta.adopted_from):
            adoption = Adoption(story, own, source)
            if own in adopted_from:
                adopted_from[own].append(adoption)
            if source in adopted_by:
                adopted_by[source].append(adoption)
    order = sorted(catalogue.sites, key=lambda site_id: (catalogue.sites[site_id].name.casefold(), site_id))
    offered, wanted = offers_index({site_id: catalogue.sites[site_id] for site_id in order})
    return {
        site_id: SiteEntry(
            site_id,
            catalogue.sites[site_id],
            tuple(stories[site_id]),
            tuple(adopted_from[site_id]),
            tuple(adopted_by[site_id]),
            _buddies(site_id, catalogue.sites[site_id], offered, wanted),
        )
        for site_id in order
    }


def offers_index(sites: Mapping[str, Site]) -> tuple[dict[str, list[Helper]], dict[str, list[Helper]]]:
    """Topic -> the sites that offer it, and topic -> the sites that want it, in the order given."""
    offered: dict[str, list[Helper]] = {}
    wanted: dict[str, list[Helper]] = {}
    for site_id, site in sites.items():
        helper = Helper(site_id, site.name, site.region, site.contact)
        for topic in dict.fromkeys(site.offers):
            offered.setdefault(topic, []).append(helper)
        for topic in dict.fromkeys(site.wants):
            wanted.setdefault(topic, []).append(helper)
    return offered, wanted


def _buddies(
    site_id: str, site: Site, offered: Mapping[str, list[Helper]], wanted: Mapping[str, list[Helper]]
) -> Buddies:
    """A site never matches itself."""
    return Buddies(
        tuple(
            (topic, tuple(h for h in offered.get(topic, []) if h.site_id != site_id))
            for topic in dict.fromkeys(site.wants)
        ),
        tuple(
            (topic, tuple(h for h in wanted.get(topic, []) if h.site_id != site_id))
            for topic in dict.fromkeys(site.offers)
        ),
    )
