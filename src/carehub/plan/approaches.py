"""Spread: each approach with every place that tried it, the barrier matrix, buddying and case study timelines.

From a checked catalogue this decides what the spread pages show, as plain frozen data:

- ``/approaches/`` lists every approach (data/approaches.yml) with its counts of places, case studies and
  failures and the strongest evidence level reached;
- ``/approaches/<id>/`` shows what it is, where it started and every place that tried it (vanguard or not,
  with region and date), an evidence table with one row per case study and like measures aligned in columns,
  its failures with their barriers, its patient stories, who can help and who wants to learn, and what the
  evidence does not show;
- ``/browse/barrier-matrix/`` counts failure write-ups and case studies for each barrier against each care
  model and each approach; a cell with stories links to a list of exactly those stories
  (``/browse/barrier-matrix/<barrier>/<care-model|approach>/<id>/``), an empty cell is shown as a gap;
- buddying: ``/sites/offers/<topic>/`` filters the directory by what sites offer (the matches themselves are
  directory.py's);
- a case study's ``updates`` as a timeline, latest first, and its "not reviewed since" notice.

Must not render HTML (the map is regions.py's inline SVG, drawn by the adapter), read files or know MkDocs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from carehub.check.catalogue import Catalogue, Story
from carehub.check.model import Approach, CaseStudy, Failure, Outcome, Update
from carehub.plan.charts import change_of, with_unit
from carehub.plan.directory import Helper, SiteEntry, offers_index
from carehub.plan.listings import GeneratedPage, listing_pages

APPROACHES_URL = "approaches/"
MATRIX_URL = "browse/barrier-matrix/"
OFFERS_URL = "sites/offers/"
EVALUATING_URL = "resources/evaluating/"
# The stories a barrier-matrix cell counts: the two types that report what happened when something was tried.
MATRIX_TYPES = ("failure", "case-study")

# What each evidence level does *not* show: the approach page says so of the strongest level reached.
EVIDENCE_LIMITS = {
    "anecdotal": "No case study has measured the results in a planned way yet: the accounts describe the change, "
    "not its effect.",
    "before-and-after": "No controlled comparison yet: the figures come from before and after the change, so other "
    "causes cannot be ruled out.",
    "controlled-comparison": "Not independently evaluated yet: the comparisons were made by the teams themselves.",
    "independent-evaluation": "",
}


def evidence_anchor(vocabulary: str, term_id: str) -> str:
    """The fragment on the evaluating page that explains one evidence level or status."""
    prefix = "evidence" if vocabulary == "evidence_levels" else "status"
    return f"{prefix}-{term_id}"


def explained_url(vocabulary: str, term_id: str) -> str:
    """Where an evidence level or status is explained: its row on the evaluating page."""
    return f"{EVALUATING_URL}#{evidence_anchor(vocabulary, term_id)}"


@dataclass(frozen=True, slots=True)
class Place:
    """A site or organisation that tried an approach (or where it started)."""

    name: str
    site_id: str | None  # None for a story that names no site: its organisation stands for the place
    region: str
    vanguard: bool | None  # None when the place is not in the sites directory
    since: dt.date | None  # its earliest story about the approach (or the approach's own start)
    origin: bool  # where the approach started
    stories: tuple[Story, ...]

    @property
    def url(self) -> str | None:
        return f"sites/{self.site_id}/" if self.site_id else None


@dataclass(frozen=True, slots=True)
class Measure:
    """A column of the evidence table: like measures (same words and unit, whatever the case) share one."""

    key: str
    measure: str
    unit: str
    higher_is_better: bool


@dataclass(frozen=True, slots=True)
class Figure:
    """One outcome in a cell of the evidence table (or a timeline entry): before → after, period and source."""

    outcome: Outcome
    before: str
    after: str
    change: str

    @property
    def text(self) -> str:
        return f"{self.before} → {self.after}"


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    story: Story
    place: str
    site_id: str | None
    evidence_level: str
    status: str
    cells: tuple[Figure | None, ...]  # one per column of the table, None where the study did not measure it
    other: tuple[Figure, ...]  # measures no other case study shares are columns too; kept for the feed order


@dataclass(frozen=True, slots=True)
class EvidenceTable:
    measures: tuple[Measure, ...]
    rows: tuple[EvidenceRow, ...]

    @property
    def compared(self) -> tuple[Measure, ...]:
        """The measures two or more case studies report: the ones readers can compare."""
        return tuple(m for i, m in enumerate(self.measures) if sum(1 for r in self.rows if r.cells[i]) > 1)


@dataclass(frozen=True, slots=True)
class ApproachEntry:
    approach: Approach
    stories: tuple[Story, ...]  # every story naming it, newest first
    case_studies: tuple[Story, ...]
    failures: tuple[Story, ...]
    patient_stories: tuple[Story, ...]
    resources: tuple[Story, ...]
    places: tuple[Place, ...]  # earliest first; the place where it started first of all
    evidence: EvidenceTable
    strongest: str | None  # the strongest evidence level of its case studies (the vocabulary's order)
    gaps: tuple[str, ...]  # what the evidence does not show
    offered_by: tuple[Helper, ...]
    wanted_by: tuple[Helper, ...]
    region_counts: dict[str, int]  # places per region, for the map

    @property
    def id(self) -> str:
        return self.approach.id

    @property
    def url(self) -> str:
        return f"{APPROACHES_URL}{self.approach.id}/"


@dataclass(frozen=True, slots=True)
class ApproachIndex:
    entries: tuple[ApproachEntry, ...]


@dataclass(frozen=True, slots=True)
class MatrixCell:
    barrier: str
    axis: str  # "care-model" or "approach"
    column: str  # the care model's or approach's id
    failures: int
    case_studies: int

    @property
    def total(self) -> int:
        return self.failures + self.case_studies

    @property
    def url(self) -> str | None:
        """The list of exactly these stories; None for a gap (nothing shared yet)."""
        return matrix_cell_url(self.barrier, self.axis, self.column) if self.total else None


@dataclass(frozen=True, slots=True)
class MatrixRow:
    id: str
    label: str
    url: str  # the barrier's listing, or the approach's page
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    """A table: barriers against care models (a row per barrier), or approaches against barriers."""

    id: str
    heading: str
    caption: str
    corner: str  # the heading of the row headers' column
    columns: tuple[tuple[str, str], ...]  # (id, label)
    rows: tuple[MatrixRow, ...]

    @property
    def cells(self) -> tuple[MatrixCell, ...]:
        return tuple(cell for row in self.rows for cell in row.cells)

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if not cell.total)


@dataclass(frozen=True, slots=True)
class MatrixView:
    matrices: tuple[Matrix, ...]


@dataclass(frozen=True, slots=True)
class OfferDirectory:
    """/sites/offers/<topic>/: the sites that offer one approach or topic."""

    topic: str
    label: str
    url: str | None  # the approach page, when the topic is an approach
    helpers: tuple[Helper, ...]
    topics: tuple[tuple[str, str, int], ...]  # every offered topic: (id, label, sites), for the filter links


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: dt.date
    status: str  # id
    status_label: str
    note: str
    figures: tuple[Figure, ...]
    anchor: str  # update-YYYY-MM-DD: the fragment each update's feed item links to
    latest: bool


@dataclass(frozen=True, slots=True)
class StorySpread:
    """What a story page shows of spread: its approach, the timeline and the review notice."""

    approach: tuple[str, str] | None  # (name, url)
    adopted_from_story: Story | None
    timeline: tuple[TimelineEntry, ...]  # latest first
    not_reviewed_since: dt.date | None  # set when no update or review for two years
    evidence_url: str | None
    status_url: str | None
    current_status: str | None  # the latest update's status label, when it differs from the front matter's


def figure(outcome: Outcome) -> Figure:
    """An outcome as the tables and timelines show it, with charts.py's formatters."""
    return Figure(
        outcome,
        with_unit(outcome.before, outcome.unit),
        with_unit(outcome.after, outcome.unit),
        change_of(outcome).words,
    )


def measure_key(outcome: Outcome) -> str:
    """Like measures: the same words (ignoring case, spacing and punctuation) in the same unit."""
    words = re.sub(r"[^a-z0-9%]+", " ", outcome.measure.casefold()).strip()
    return f"{words}|{outcome.unit.strip().casefold()}"


def latest_outcomes(meta: CaseStudy) -> list[Outcome]:
    """The figures as they now stand: each measure as last reported, by the latest update that gives it or
    else by the front matter (an update that reports one measure leaves the others as they were)."""
    latest: dict[str, Outcome] = {measure_key(outcome): outcome for outcome in meta.outcomes}
    for update in sorted(meta.updates, key=lambda u: u.date):
        latest.update((measure_key(outcome), outcome) for outcome in update.outcomes)
    return list(latest.values())


def current_status(meta: CaseStudy) -> str:
    """The status of the latest update, else the front matter's."""
    return max(meta.updates, key=lambda u: u.date).status if meta.updates else meta.status


def _evidence_table(case_studies: Sequence[Story], catalogue: Catalogue) -> EvidenceTable:
    measures: dict[str, Measure] = {}
    per_story: list[tuple[Story, dict[str, Outcome]]] = []
    for story in case_studies:
        meta = story.meta
        assert isinstance(meta, CaseStudy)
        found: dict[str, Outcome] = {}
        for outcome in latest_outcomes(meta):
            key = measure_key(outcome)
            measures.setdefault(key, Measure(key, outcome.measure, outcome.unit, outcome.higher_is_better))
            found.setdefault(key, outcome)
        per_story.append((story, found))
    # The measures most studies share first, so the comparable columns sit beside the place names.
    shared = {key: sum(1 for _, found in per_story if key in found) for key in measures}
    order = sorted(measures.values(), key=lambda m: (-shared[m.key], m.measure.casefold()))
    rows = []
    for story, found in per_story:
        meta = story.meta
        assert isinstance(meta, CaseStudy)
        cells = tuple(figure(found[m.key]) if m.key in found else None for m in order)
        rows.append(
            EvidenceRow(
                story,
                _place_name(story, catalogue),
                meta.site if meta.site in catalogue.sites else None,
                meta.evidence_level,
                current_status(meta),
                cells,
                (),
            )
        )
    return EvidenceTable(tuple(order), tuple(rows))


def _place_name(story: Story, catalogue: Catalogue) -> str:
    site = catalogue.sites.get(story.meta.site or "")
    return site.name if site else story.meta.organisation or "A place not named"


def _places(approach: Approach, stories: Sequence[Story], catalogue: Catalogue) -> tuple[Place, ...]:
    groups: dict[str, list[Story]] = {}
    for story in stories:
        if story.meta.site is None and (story.meta.type == "resource" or not story.meta.organisation):
            continue  # a national guide, or a story that names no place, says nothing of where it was tried
        key = story.meta.site or f"organisation:{story.meta.organisation or story.slug}"
        groups.setdefault(key, []).append(story)
    if approach.started_at in catalogue.sites:
        groups.setdefault(approach.started_at, [])
    places = []
    for key, group in groups.items():
        site_id = None if key.startswith("organisation:") else key
        site = catalogue.sites.get(site_id or "")
        dates = [s.meta.date for s in group]
        origin = site_id is not None and site_id == approach.started_at
        if origin and approach.started:
            dates.append(approach.started)
        region = site.region if site else (group[0].meta.region if group else "national")
        name = site.name if site else (group[0].meta.organisation or "A place not named") if group else key
        places.append(
            Place(
                name,
                site_id if site else None,
                region,
                site.vanguard if site else None,
                min(dates) if dates else None,
                origin,
                tuple(group),
            )
        )
    places.sort(key=lambda p: (not p.origin, p.since or dt.date.max, p.name.casefold()))
    return tuple(places)


def _gaps(approach: Approach, case_studies: Sequence[Story], strongest: str | None) -> tuple[str, ...]:
    gaps: list[str] = []
    if not case_studies:
        gaps.append("No case study yet: nobody has shared how it went, with or without figures.")
    elif strongest is not None and EVIDENCE_LIMITS.get(strongest):
        gaps.append(EVIDENCE_LIMITS[strongest])
    measured = [s for s in case_studies if s.meta.outcomes or _has_update_figures(s)]
    if measured and all(s.meta.illustrative for s in measured):
        gaps.append("Every figure shown comes from an illustrative example, not from a real place.")
    if case_studies and not any(
        current_status(s.meta) in ("final", "stopped") for s in case_studies if isinstance(s.meta, CaseStudy)
    ):
        gaps.append("No case study reports a final result yet, so whether it lasts is not known.")
    if approach.evidence_gaps:
        gaps.append(approach.evidence_gaps)
    return tuple(gaps)


def _has_update_figures(story: Story) -> bool:
    return isinstance(story.meta, CaseStudy) and any(update.outcomes for update in story.meta.updates)


def build_approaches(catalogue: Catalogue, directory: Mapping[str, SiteEntry]) -> dict[str, ApproachEntry]:
    """Approach id -> entry, in the file's order; linear in the number of stories."""
    by_approach: dict[str, list[Story]] = {approach_id: [] for approach_id in catalogue.approaches}
    for story in catalogue.stories:  # newest first
        if story.meta.approach in by_approach:
            by_approach[story.meta.approach].append(story)
    levels = catalogue.vocabularies["evidence_levels"].ids
    offered, wanted = offers_index({site_id: entry.site for site_id, entry in directory.items()})
    entries = {}
    for approach_id, approach in catalogue.approaches.items():
        stories = by_approach[approach_id]
        case_studies = [s for s in stories if s.meta.type == "case-study"]
        reached = [levels.index(s.meta.evidence_level) for s in case_studies if isinstance(s.meta, CaseStudy)]
        strongest = levels[max(reached)] if reached else None
        places = _places(approach, stories, catalogue)
        counts: dict[str, int] = {}
        for place in places:
            counts[place.region] = counts.get(place.region, 0) + 1
        entries[approach_id] = ApproachEntry(
            approach=approach,
            stories=tuple(stories),
            case_studies=tuple(case_studies),
            failures=tuple(s for s in stories if s.meta.type == "failure"),
            patient_stories=tuple(s for s in stories if s.meta.type == "patient-story"),
            resources=tuple(s for s in stories if s.meta.type == "resource"),
            places=places,
            evidence=_evidence_table(case_studies, catalogue),
            strongest=strongest,
            gaps=_gaps(approach, case_studies, strongest),
            offered_by=tuple(offered.get(approach_id, ())),
            wanted_by=tuple(wanted.get(approach_id, ())),
            region_counts=counts,
        )
    return entries


def matrix_cell_url(barrier: str, axis: str, column: str) -> str:
    return f"{MATRIX_URL}{barrier}/{axis}/{column}/"


def matrix_stories(catalogue: Catalogue, barrier: str, axis: str, column: str) -> list[Story]:
    """The failure write-ups and case studies a cell counts, newest first."""
    return [
        story
        for story in catalogue.stories
        if story.meta.type in MATRIX_TYPES
        and barrier in story.meta.barriers
        and (column in story.meta.care_models if axis == "care-model" else story.meta.approach == column)
    ]


def _cell(catalogue: Catalogue, barrier: str, axis: str, column: str) -> MatrixCell:
    found = matrix_stories(catalogue, barrier, axis, column)
    failures = sum(1 for s in found if isinstance(s.meta, Failure))
    return MatrixCell(barrier, axis, column, failures, len(found) - failures)


def build_matrices(catalogue: Catalogue) -> tuple[Matrix, ...]:
    """Barriers against care models (a row per barrier), and approaches against barriers (a row per approach,
    so the table stays eight columns wide however many approaches there are)."""
    vocab = catalogue.vocabularies
    barriers = tuple((t.id, t.label) for t in vocab["barriers"])
    by_model = Matrix(
        "care-models",
        "Barriers by care model",
        "Failure write-ups and case studies that met each barrier to spread, by care model",
        "Barrier to spread",
        tuple((t.id, t.label) for t in vocab["care_models"]),
        tuple(
            MatrixRow(
                barrier,
                label,
                f"browse/barrier/{barrier}/",
                tuple(_cell(catalogue, barrier, "care-model", t.id) for t in vocab["care_models"]),
            )
            for barrier, label in barriers
        ),
    )
    by_approach = Matrix(
        "approaches",
        "Barriers by approach",
        "Failure write-ups and case studies of each approach, by the barrier to spread they met",
        "Approach",
        barriers,
        tuple(
            MatrixRow(
                approach.id,
                approach.name,
                f"{APPROACHES_URL}{approach.id}/",
                tuple(_cell(catalogue, barrier, "approach", approach.id) for barrier, _ in barriers),
            )
            for approach in catalogue.approaches.values()
        ),
    )
    return (by_model, by_approach)


def timeline(meta: CaseStudy, labels: Mapping[str, Mapping[str, str]]) -> tuple[TimelineEntry, ...]:
    """A case study's updates, latest first, with their figures."""
    updates: list[Update] = sorted(meta.updates, key=lambda u: u.date, reverse=True)
    statuses = labels["statuses"]
    return tuple(
        TimelineEntry(
            update.date,
            update.status,
            statuses.get(update.status, update.status),
            update.note,
            tuple(figure(outcome) for outcome in update.outcomes),
            update_anchor(update.date),
            index == 0,
        )
        for index, update in enumerate(updates)
    )


def update_anchor(date: dt.date) -> str:
    return f"update-{date.isoformat()}"


def story_spread(
    story: Story,
    catalogue: Catalogue,
    approaches: Mapping[str, ApproachEntry],
    labels: Mapping[str, Mapping[str, str]],
    today: dt.date,
) -> StorySpread:
    meta = story.meta
    entry = approaches.get(meta.approach or "")
    approach = (entry.approach.name, entry.url) if entry else None
    if not isinstance(meta, CaseStudy):
        return StorySpread(approach, None, (), None, None, None, None)
    source = None
    if meta.adopted_from_story:
        source = next(
            (s for s in catalogue.stories if s.slug == meta.adopted_from_story and s.meta.type == "case-study"), None
        )
    stale = meta.last_reviewed if today >= meta.review_due else None
    now = current_status(meta)
    return StorySpread(
        approach,
        source,
        timeline(meta, labels),
        stale,
        explained_url("evidence_levels", meta.evidence_level),
        explained_url("statuses", meta.status),
        labels["statuses"].get(now, now) if now != meta.status else None,
    )


def topic_labels(catalogue: Catalogue) -> dict[str, str]:
    """What a site may offer or want (an approach or a tag) -> its label; approaches win a shared id."""
    labels = {term.id: term.label for term in catalogue.vocabularies["tags"]}
    labels.update({approach.id: approach.name for approach in catalogue.approaches.values()})
    return labels


def offer_topics(catalogue: Catalogue, directory: Mapping[str, SiteEntry]) -> tuple[tuple[str, str, int], ...]:
    """Every topic some site offers: (id, label, how many sites), by label: the directory's filter links."""
    offered, _ = offers_index({site_id: entry.site for site_id, entry in directory.items()})
    labels = topic_labels(catalogue)
    return tuple(
        sorted(
            ((topic, labels.get(topic, topic), len(sites)) for topic, sites in offered.items()),
            key=lambda t: t[1].casefold(),
        )
    )


def plan_spread_pages(
    catalogue: Catalogue, approaches: Mapping[str, ApproachEntry], directory: Mapping[str, SiteEntry], per_page: int
) -> list[GeneratedPage]:
    """The approach pages, the barrier matrix and its cells' lists, and the directory filtered by offers."""
    pages = [
        GeneratedPage(
            f"{APPROACHES_URL}index.md",
            "Approaches",
            "carehub/approaches.html",
            ApproachIndex(tuple(approaches.values())),
            "What works and where it has spread: every approach with the places that tried it, their figures side "
            "by side, and the failures.",
            in_nav=True,
            edit_path="data/approaches.yml",
            searchable=True,
        )
    ]
    for entry in approaches.values():
        pages.append(
            GeneratedPage(
                f"{entry.url}index.md",
                entry.approach.name,
                "carehub/approach.html",
                entry,
                entry.approach.summary,
                edit_path="data/approaches.yml",
                searchable=True,
            )
        )
    matrices = build_matrices(catalogue)
    pages.append(
        GeneratedPage(
            f"{MATRIX_URL}index.md",
            "Where spread gets stuck",
            "carehub/barrier-matrix.html",
            MatrixView(matrices),
            "The eight barriers to spread against the care models and approaches: how many failure write-ups and "
            "case studies met each, and where nothing has been shared yet.",
        )
    )
    barrier_labels = {t.id: t.label for t in catalogue.vocabularies["barriers"]}
    column_labels = {
        "care-model": {t.id: t.label for t in catalogue.vocabularies["care_models"]},
        "approach": {a.id: a.name for a in catalogue.approaches.values()},
    }
    for matrix in matrices:
        for cell in matrix.cells:
            if cell.url is None:
                continue
            heading = f"{barrier_labels[cell.barrier]}: {column_labels[cell.axis][cell.column]}"
            pages += listing_pages(
                cell.url,
                heading,
                "Failure write-ups and case studies that met this barrier to spread. "
                "Back to the barrier matrix to compare.",
                matrix_stories(catalogue, cell.barrier, cell.axis, cell.column),
                per_page,
                "Nothing has been shared here yet.",
                full_cards=0,  # a cell's list is for scanning: each story is on its barrier's listing as a card
            )
    offered, _ = offers_index({site_id: entry.site for site_id, entry in directory.items()})
    topics = offer_topics(catalogue, directory)
    for topic, label, _count in topics:
        approach_url = f"{APPROACHES_URL}{topic}/" if topic in catalogue.approaches else None
        pages.append(
            GeneratedPage(
                f"{OFFERS_URL}{topic}/index.md",
                f"Sites that can help with {label}",
                "carehub/sites-offering.html",
                OfferDirectory(topic, label, approach_url, tuple(offered[topic]), topics),
                f"Organisations and places that offer to help others with {label}.",
            )
        )
    return pages
