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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from carehub.check.catalogue import Story
from carehub.plan.related import WEIGHTS
from carehub.plan.site import SitePlan
from carehub.plan.story_view import StoryView


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


def _scored(story: Story) -> tuple[object, ...]:
    """What RelatedIndex scores and orders a story by: its shared-value fields and its date (ties)."""
    return (story.meta.date, *(tuple(getattr(story.meta, name)) for name, _ in WEIGHTS))


def views_to_remake(
    old: SitePlan, new: SitePlan, changed: Iterable[str], old_views: Mapping[str, StoryView]
) -> set[str]:
    """The story pages whose view may differ once the stories at ``changed`` (source paths) changed; every
    other story's view is value for value its old one, so it need not be made again (making every view costs
    a second at 1,000 stories, most of it scoring related stories).

    A story's view reads the story, its related stories, the story a case study was adopted from, and what
    every page reads (``_site_wide``, compared by ``compare``).  Related stories are scored on shared tags,
    barriers and care models, ties going to the newer story (related.py): so another story's related list
    can change only if it shares one of those values with a changed story, before or after, whose values or
    date changed; and its view shows a changed story's title only if that story was related to it.
    """
    changed = set(changed)
    slugs: set[str] = set()
    values: set[tuple[str, object]] = set()
    for path in changed:
        before, after = old.stories.get(path), new.stories.get(path)
        versions = [page.story for page in (before, after) if page is not None]
        slugs.update(story.slug for story in versions)
        if before is None or after is None or _scored(before.story) != _scored(after.story):
            for story in versions:
                values.update((name, value) for name, _ in WEIGHTS for value in getattr(story.meta, name))
    remake = {path for path in changed if path in new.stories}
    for path, page in new.stories.items():
        if path in remake:
            continue
        meta = page.story.meta
        if (
            getattr(meta, "adopted_from_story", None) in slugs
            or any(story.slug in slugs for story in old_views[path].related)
            or any((name, value) in values for name, _ in WEIGHTS for value in getattr(meta, name))
        ):
            remake.add(path)
    return remake


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
