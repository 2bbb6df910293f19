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
from itertools import compress

from carehub.check.catalogue import Story

WEIGHTS = (("tags", 3), ("barriers", 2), ("care_models", 1))
DEFAULT_LIMIT = 5


class RelatedIndex:
    """The inverted lists, built once; each story's related stories computed when its page is rendered.

    Why lazily: scoring one story looks at every story that shares a value
    with it, so all of them together grow with the square of the hub
    (bench/README.md).  Computed per page, that work runs in the page workers
    (offload.py), on every core, instead of before rendering starts.
    """

    def __init__(self, stories: Sequence[Story], limit: int = DEFAULT_LIMIT) -> None:
        self._stories = stories
        self._limit = limit
        self._positions = {story.slug: position for position, story in enumerate(stories)}
        self._postings: dict[tuple[str, str], list[int]] = {}
        for position, story in enumerate(stories):
            for field, _ in WEIGHTS:
                for value in dict.fromkeys(getattr(story.meta, field)):
                    self._postings.setdefault((field, value), []).append(position)

    def get(self, slug: str) -> tuple[Story, ...]:
        """Up to ``limit`` related stories, best first (none for an unknown slug)."""
        position = self._positions.get(slug)
        if position is None:
            return ()
        story = self._stories[position]
        scores: Counter[int] = Counter()
        for field, weight in WEIGHTS:
            for value in dict.fromkeys(getattr(story.meta, field)):
                members = self._postings[(field, value)]
                for _ in range(weight):
                    scores.update(members)
        scores.pop(position, None)
        return tuple(self._stories[other] for other in _best(scores, self._limit))


def _best(scores: Counter[int], limit: int) -> list[int]:
    """The ``limit`` highest-scoring positions; among equal scores the lowest position (the newest story).

    Every candidate is looked at once, but only by loops that run in C
    (``heapq.nlargest`` over the scores, ``map`` and ``compress``); only the
    few above the cut are sorted with a Python key; most of the cost is the
    counting in ``RelatedIndex.get``.
    """
    if not scores or limit <= 0:
        return []
    top = heapq.nlargest(limit, scores.values())
    cut = top[-1]  # the lowest score that still makes the list
    above = sorted(compress(scores.keys(), map(cut.__lt__, scores.values())), key=lambda p: (-scores[p], p))
    tied = heapq.nsmallest(limit - len(above), compress(scores.keys(), map(cut.__eq__, scores.values())))
    return above + tied
