"""Related stories: for each story, the few others that share the most with it.

Scoring, so a reader (and a reviewer) can predict it: a shared tag counts 3,
a shared barrier 2 and a shared care model 1 — tags are the most specific
signal, care models the broadest.  Ties go to the newer story, then to the
slug, so the result is the same on every build.  Stories that share nothing
are never "related".

Cost: built once per build from inverted lists (value -> story positions),
counting with ``collections.Counter`` (its counting loop is in C), so it grows
with the stories that actually share values, not with every pair.  Must not
render anything.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence

from .catalogue import Story

WEIGHTS = (("tags", 3), ("barriers", 2), ("care_models", 1))
DEFAULT_LIMIT = 5


def related_stories(stories: Sequence[Story], limit: int = DEFAULT_LIMIT) -> dict[str, tuple[Story, ...]]:
    """Slug -> up to ``limit`` related stories, best first. ``stories`` must be in catalogue order (newest first)."""
    postings: dict[tuple[str, str], list[int]] = {}
    for position, story in enumerate(stories):
        for field, _ in WEIGHTS:
            for value in dict.fromkeys(getattr(story.meta, field)):
                postings.setdefault((field, value), []).append(position)
    related: dict[str, tuple[Story, ...]] = {}
    for position, story in enumerate(stories):
        scores: Counter[int] = Counter()
        for field, weight in WEIGHTS:
            for value in dict.fromkeys(getattr(story.meta, field)):
                members = postings[(field, value)]
                for _ in range(weight):
                    scores.update(members)
        scores.pop(position, None)
        # Lower position = newer story (catalogue order), so it wins ties.
        best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
        related[story.slug] = tuple(stories[other] for other, _ in best)
    return related
