"""Related-story ranking (related.py): highest score first, the newest story first among equals."""

from __future__ import annotations

import heapq
import random
from collections import Counter

from carehub.plan.related import _best


def _reference(scores: Counter[int], limit: int) -> list[int]:
    """The obvious way: sort every candidate by (score descending, position ascending)."""
    return [p for p, _ in heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))]


def test_ties_go_to_the_lowest_position_and_higher_scores_come_first() -> None:
    scores = Counter({9: 3, 4: 3, 7: 5, 2: 1, 5: 3, 1: 3})
    assert _best(scores, 3) == [7, 1, 4]
    assert _best(scores, 10) == [7, 1, 4, 5, 9, 2]
    assert _best(Counter(), 5) == []
    assert _best(scores, 0) == []


def test_the_fast_ranking_agrees_with_sorting_everything() -> None:
    generator = random.Random(2017)
    for _ in range(500):
        size = generator.randrange(1, 60)
        scores = Counter({generator.randrange(300): generator.randrange(1, 8) for _ in range(size)})
        limit = generator.randrange(1, 8)
        assert _best(scores, limit) == _reference(scores, limit)
