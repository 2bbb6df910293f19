"""The approaches in data/approaches.yml, and the rules that tie sites and approaches together.

An approach (the red bag scheme, health coaching, ...) is what places copy and adapt; a story names its own
in ``approach`` and the hub gathers every place that tried it on /approaches/<id>/.  This module reads the
file through the one data-file reader (read/datafile.py), validates each entry against
:class:`~carehub.check.model.Approach`, and checks what only the file as a whole or the sites directory can
show: an id given twice (CH602), and a site's
``offers`` or ``wants`` that name neither an approach nor a tag (CH604).  A missing file means no
approaches, not an error.  The file format::

    approaches:
      - id: red-bag-scheme
        name: Red bag scheme
        summary: One or two sentences.
        description: What it is and how it works.
        care_models: [enhanced-health-in-care-homes]
        started_at: sutton-homes-of-care      # optional, a site id
        started: 2015-01-01                   # optional
        evidence_gaps: What the evidence does not yet show.   # optional

Must not know about stories' pages, MkDocs or how anything is shown; never raises for bad content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import ValidationError

from carehub.check.filecheck import Story
from carehub.check.model import Approach, CaseStudy, Site
from carehub.check.validate import did_you_mean
from carehub.check.vocabularies import Vocabularies
from carehub.problems import Problem
from carehub.read import frontmatter
from carehub.read.datafile import DataFile, read_data_path
from carehub.read.yamlreader import Rejected

APPROACHES_FILE = "data/approaches.yml"


def load_approaches(root: Path, vocab: Vocabularies) -> tuple[dict[str, Approach], list[Problem]]:
    """Approach id -> approach, in the file's order, and the file's problems (each at its line)."""
    path = root / APPROACHES_FILE
    if not path.is_file():
        return {}, []
    document, problems = read_data_path(path, APPROACHES_FILE)
    if document is None:
        return {}, problems
    entries = document.data.get("approaches")
    if not isinstance(entries, list):
        problems.append(
            Problem.error(
                APPROACHES_FILE,
                document.line(("approaches",)) or 1,
                0,
                "CH601",
                "`approaches` must be a list of approaches.",
                "Start the file with `approaches:` and give each approach as `- id: ...` under it.",
            )
        )
        return {}, problems
    approaches: dict[str, Approach] = {}
    for index, entry in enumerate(entries):
        where = ("approaches", index)
        try:
            approach = Approach.model_validate(entry, context={"vocabularies": vocab})
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                if isinstance(detail.get("input"), Rejected):
                    continue  # the reader has reported it, at its line
                loc = (*where, *detail["loc"])
                line = document.line(loc) or document.line(where)
                field = ".".join(str(part) for part in detail["loc"]) or "the entry"
                problems.append(
                    Problem.error(
                        APPROACHES_FILE,
                        line,
                        0,
                        "CH601",
                        f"Approach {index + 1}, `{field}`: {detail['msg']}.",
                        "Each approach needs id, name, summary, description and care_models; "
                        "see the format at the top of data/approaches.yml.",
                    )
                )
            continue
        if approach.id in approaches:
            problems.append(
                Problem.error(
                    APPROACHES_FILE,
                    document.line((*where, "id")),
                    0,
                    "CH602",
                    f"The approach id `{approach.id}` is given twice.",
                    "Keep one entry and merge the two, or give the second its own id.",
                )
            )
            continue
        approaches[approach.id] = approach
    return approaches, problems


def offer_problems(
    approaches: Mapping[str, Approach], sites: Mapping[str, Site], vocab: Vocabularies, root: Path
) -> list[Problem]:
    """Sites whose offers or wants name neither an approach nor a tag (CH604), each at its line.

    Needs the whole directory and file, so it runs once per check, like the other data-file rules.  A site
    with such a value is read again for the line (the directory keeps values, not positions).
    """
    problems: list[Problem] = []
    # A `started_at` site missing from the directory is not reported: the approach page then leaves out where
    # it started (a project may keep approaches from elsewhere without their sites).
    tags = vocab["tags"]
    known = sorted(approaches)
    for site_id, site in sites.items():
        rel = f"data/sites/{site_id}.yml"
        document: DataFile | None = None
        for field in ("offers", "wants"):
            for index, value in enumerate(getattr(site, field)):
                if value in approaches or value in tags:
                    continue
                if document is None:
                    document, _ = read_data_path(root / rel, rel)
                line = document.line((field, index)) if document is not None else 0
                listed = ", ".join(known) or "none yet"
                problems.append(
                    Problem.error(
                        rel,
                        line,
                        0,
                        "CH604",
                        f"`{field}` lists `{value}`, which is neither an approach nor a tag.",
                        did_you_mean(value, [*known, *tags.ids])
                        + f"Use an approach id from {APPROACHES_FILE} ({listed}) or a tag from data/vocabularies.yml.",
                    )
                )
    return problems


def adoption_problems(stories: Iterable[Story], root: Path) -> list[Problem]:
    """Case studies whose ``adopted_from_story`` is not another case study (CH517, a warning, at its line).

    A name that is no story at all is CH516 (a reference, looked up on every check); whether the story it
    names is a case study needs every story, so this runs when the whole catalogue is loaded (the build),
    and the approach pages then leave the link out.  A story with the problem is read again for the line.
    """
    stories = list(stories)
    types = {story.slug: story.meta.type for story in stories}
    problems: list[Problem] = []
    for story in stories:
        meta = story.meta
        if not isinstance(meta, CaseStudy) or meta.adopted_from_story is None:
            continue
        target = meta.adopted_from_story
        if target == story.slug or types.get(target, "case-study") != "case-study":
            what = "itself" if target == story.slug else f"a {types[target].replace('-', ' ')}"
            problems.append(
                Problem.warning(
                    story.path,
                    *_field_position(root, story.path, "adopted_from_story"),
                    "CH517",
                    f"`adopted_from_story` names `{target}`, which is {what}, not another case study.",
                    "Name the case study whose work you adopted; to credit a site, use `adopted_from`.",
                )
            )
    return problems


def _field_position(root: Path, rel: str, field: str) -> tuple[int, int]:
    """Line and column of a front matter field's value in a story already checked ((0, 0) if unreadable)."""
    try:
        text = (root / rel).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0, 0
    document, _ = frontmatter.read(text, rel)
    position = document.positions.get((field,))
    return (position.line, position.column) if position is not None else (0, 0)
