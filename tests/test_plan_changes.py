"""plan/changes.py: after one story's front matter changes, every story view it does not remake is unchanged.

A hub of stories that share tags, barriers and care models in overlapping ways; each edit below changes one
story in memory (title, tags, care models, date) and the whole site is planned again.  Every view that
``views_to_remake`` leaves out must equal, value for value, the view made afresh from the new plan, and
``compare`` must name every page whose view differs (or say the whole site changes, when it does).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from carehub.check.catalogue import load_catalogue
from carehub.plan.changes import body_only, compare, views_to_remake
from carehub.plan.site import PlanOptions, SitePlan, plan

from .conftest import TODAY, make_project
from .story_factory import story_text

OPTIONS = PlanOptions(site_url="https://carehub.example.org/", site_name="Care Hub", related=3)
TAGS = ("red-bag-scheme", "workforce", "data-sharing")
BARRIERS = ("time-and-resources", "information-governance-and-it")
MODELS = ("enhanced-health-in-care-homes", "multispecialty-community-providers", "urgent-and-emergency-care")


def _stories() -> dict[str, str]:
    stories = {}
    for n in range(14):
        stories[f"case-studies/story-{n:02d}.md"] = story_text(
            f"Story number {n} about care closer to home",
            date=f"2024-{1 + n % 12:02d}-{1 + n:02d}",
            tags=tuple(TAGS[i] for i in range(3) if (n >> i) & 1),
            barriers=tuple(BARRIERS[i] for i in range(2) if (n >> (i + 1)) & 1),
            care_models=(MODELS[n % 3],),
        )
    return stories


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SitePlan:
    project = make_project(tmp_path_factory.mktemp("changes"), _stories())
    catalogue = load_catalogue(project, today=TODAY, jobs=1)
    assert not catalogue.errors, catalogue.errors
    return plan(catalogue, OPTIONS)


EDITS: list[dict[str, Any]] = [
    {"title": "A new title for the story"},
    {"tags": ["workforce"]},
    {"tags": list(TAGS)},
    {"care_models": ["urgent-and-emergency-care", "enhanced-health-in-care-homes"]},
    {"barriers": ["time-and-resources", "regulation-supports-old-models"]},
    {"date": dt.date(2019, 5, 5)},
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: next(iter(edit)))
@pytest.mark.parametrize("which", [0, 5, 11])
def test_views_left_out_are_the_views_of_the_new_plan(site: SitePlan, edit: dict[str, Any], which: int) -> None:
    path = f"stories/case-studies/story-{which:02d}.md"
    old_story = site.stories[path].story
    new_story = dataclasses.replace(old_story, meta=old_story.meta.model_copy(update=edit))
    assert new_story.meta != old_story.meta, "each edit changes each story it is tried on"
    stories = sorted(
        (new_story if story.path == path else story for story in site.catalogue.stories),
        key=lambda s: (-s.meta.date.toordinal(), s.slug),
    )
    new = plan(dataclasses.replace(site.catalogue, stories=tuple(stories)), OPTIONS)
    old_views = {src: site.story_view(page.story) for src, page in site.stories.items()}
    new_views = {src: new.story_view(page.story) for src, page in new.stories.items()}
    remake = views_to_remake(site, new, [path], old_views)
    assert path in remake
    kept = {src: view for src, view in old_views.items() if src not in remake}
    assert kept == {src: new_views[src] for src in kept}
    changed = compare(site, new, old_views, new_views)
    if changed.whole_site is not None:  # a barrier-by-care-model page appeared: every page's file list changes
        assert tuple(new.pages) != tuple(site.pages), changed.whole_site
        return
    differing = {src for src in new_views if new_views[src] != old_views[src]}
    assert differing <= set(changed.render)
    assert changed.publish
    assert not body_only(old_story, new_story)


def test_the_same_story_read_again_is_body_only(site: SitePlan) -> None:
    story = site.catalogue.stories[0]
    assert body_only(story, dataclasses.replace(story, digest="0" * 64, body_line=story.body_line + 2))
