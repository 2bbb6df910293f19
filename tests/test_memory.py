"""What a build holds while its pages render: quoted lines read again, shared field sets, workers that retire."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from carehub.check.catalogue import load_catalogue
from carehub.problems import format_text
from carehub.read.sourcetext import SourceLines, source_lines
from carehub.render.offload import Outcome, Renderer, WorkerContext
from tests.story_factory import story_text


def test_quoted_lines_are_read_again_from_the_file_not_held(project: Callable[..., Path]) -> None:
    old = story_text("A bag that travels with each resident", date="2015-01-05")  # CH231: not reviewed since
    root = project({"case-studies/red-bag.md": old, "case-studies/fine.md": story_text("A clean story here")})
    catalogue = load_catalogue(root)
    warned = {p.file for p in catalogue.problems}
    assert warned and not catalogue.errors
    assert isinstance(catalogue.sources, SourceLines)
    assert set(catalogue.sources) == warned  # a clean file has nothing to quote
    held = {rel: source_lines((root / rel).read_bytes()) for rel in warned}
    assert {rel: catalogue.sources[rel] for rel in warned} == held
    report = format_text(list(catalogue.problems), catalogue.checked, catalogue.sources)
    assert report == format_text(list(catalogue.problems), catalogue.checked, held)
    problem = catalogue.problems[0]
    assert f"    {held[problem.file][problem.line - 1]}\n" in report  # the line is quoted under its problem


def test_stories_share_their_sets_of_given_fields(project: Callable[..., Path]) -> None:
    root = project(
        {
            "case-studies/one.md": story_text("The first of two stories"),
            "case-studies/two.md": story_text("The second of two stories"),
            "failures/three.md": story_text(
                "A failure with its own fields", "failure", barriers=("time-and-resources",)
            ),
        }
    )
    catalogue = load_catalogue(root)
    assert not catalogue.errors
    by_slug = {story.slug: story.meta for story in catalogue.stories}
    one, two, three = by_slug["one"], by_slug["two"], by_slug["three"]
    assert one.__pydantic_fields_set__ is two.__pydantic_fields_set__
    assert one.model_fields_set == two.model_fields_set != three.model_fields_set
    assert {"title", "summary", "type", "date", "context"} <= one.model_fields_set
    assert "what_we_tried" in three.model_fields_set and "context" not in three.model_fields_set
    assert one.model_dump(exclude_unset=True)["title"] == "The first of two stories"


class _PidContext(WorkerContext):
    """Renders nothing: each chunk sends back the process that took it."""

    def render_chunk(self, src_uris: Sequence[str], in_worker: bool) -> Outcome:
        return Outcome(collected=[(os.getpid(), list(src_uris))])


def test_page_workers_retire_and_every_chunk_arrives_once_in_order() -> None:
    nothing: Any = None
    context = _PidContext(nothing, nothing, nothing, nothing)
    pages: Any = [SimpleNamespace(file=SimpleNamespace(src_uri=f"stories/{n}.md")) for n in range(40)]
    renderer = Renderer(context, lifetime=2)
    renderer.start(pages, jobs=2)
    arrived = [item for collected in renderer.completed() for item in collected]
    assert renderer.finish() == []
    assert [uri for _, chunk in arrived for uri in chunk] == [f"stories/{n}.md" for n in range(40)]
    per_worker: dict[int, int] = {}
    for pid, _ in arrived:
        per_worker[pid] = per_worker.get(pid, 0) + 1
    assert max(per_worker.values()) <= 2  # no worker rendered more than its lifetime
    assert len(per_worker) >= len(arrived) // 2 > 2  # fresh workers took the retired ones' places
    assert os.getpid() not in per_worker
