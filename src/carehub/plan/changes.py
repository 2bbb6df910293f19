"""PlanChanges: which pages and published files differ between two plans of one site, for incremental rebuilds.

`carehub serve` (render/incremental.py) keeps the plan of the site it last
built and each story page's view; after an edit it plans the site again and
asks :func:`compare` what to render again.  Plans and views are frozen
dataclasses, so "changed" is comparison by value: a page is rendered again
when anything its template reads differs (its view, its story, its title,
template and sitemap entry), and never otherwise.

What is read by every page (labels, the sites' names, the topics, the feeds,
the set of generated pages and the published files under stories/) is not
diffed page by page: when any of it changes, ``whole_site`` says why, and the
caller builds the whole site.  So does a story added or removed, for now: the
site's file list, and the order of the sitemap, change with it.

Must not know about MkDocs, read files or render anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from carehub.check.catalogue import Story
from carehub.plan.site import SitePlan


@dataclass(frozen=True)
class PlanChanges:
    render: tuple[str, ...] = ()  # source paths of the story and generated pages to render again, in plan order
    home: bool = False  # the home page's view (``SitePlan.home``) changed: render the home page again
    publish: bool = False  # the feeds and open data files must be made again
    sitemap: bool = False  # some page's date or sitemap entry changed
    whole_site: str | None = None  # why the whole site must be built again (None: the pages above suffice)


def body_only(old: Story, new: Story) -> bool:
    """The same story with only its body (or the layout of its front matter) changed: only its own page and
    its search entry can differ, since nothing but the story page reads a body."""
    return old.path == new.path and old.slug == new.slug and old.meta == new.meta


def publish_inputs(site: SitePlan) -> tuple[object, ...]:
    """Everything the feeds and open data are made from (publish/feeds.py, opendata.py): no story body."""
    stories = tuple((story.slug, story.path, story.meta) for story in site.catalogue.stories)
    return (stories, site.channel, site.feeds, tuple(site.approaches.items()))


def _site_wide(site: SitePlan) -> tuple[object, ...]:
    """What every page's template may read besides its own view (the plugin's template globals)."""
    names = tuple((site_id, entry.site.name) for site_id, entry in site.directory.items())
    return (
        site.labels,
        names,
        site.topics,
        site.offers,
        site.channel,
        site.feeds,
        site.today,
        tuple(site.pages),
        site.catalogue.assets,
        site.catalogue.glossary,
        site.catalogue.vocabularies,
    )


def compare(
    old: SitePlan, new: SitePlan, old_views: Mapping[str, object], new_views: Mapping[str, object]
) -> PlanChanges:
    """What differs between ``old`` and ``new``; ``*_views``: each story page's view (``SitePlan.story_view``)."""
    if old.stories.keys() != new.stories.keys():
        return PlanChanges(whole_site="a story was added or removed")
    if _site_wide(old) != _site_wide(new):
        return PlanChanges(whole_site="something every page shows changed")
    render: list[str] = []
    sitemap = old.content_date != new.content_date
    for src_uri, story_page in new.stories.items():
        before = old.stories[src_uri]
        if before != story_page or old_views.get(src_uri) != new_views.get(src_uri):
            render.append(src_uri)
            sitemap = sitemap or before.story.meta.last_changed != story_page.story.meta.last_changed
    for src_uri, page in new.pages.items():
        if old.pages[src_uri] != page:
            render.append(src_uri)
            sitemap = sitemap or old.pages[src_uri].indexed != page.indexed
    return PlanChanges(
        render=tuple(render),
        home=old.home != new.home,
        publish=publish_inputs(old) != publish_inputs(new),
        sitemap=sitemap,
    )
