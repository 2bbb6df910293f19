"""Open data: stories.json, its JSON Schema, and stories.csv for spreadsheets; for analysts of spread,
outcomes.json and outcomes.csv (one row per outcome measure of every case study and update) and
approaches.json (each approach with its places), each JSON file with its schema beside it.

One record shape, :class:`OpenStory`, is defined here once: stories.json is
that model serialised, stories.schema.json is generated from it (with the
allowed values of every vocabulary filled in), and stories.csv is its flat
fields, so the three cannot drift apart.

What is published, and what is not (decided on purpose):
- every story that may be syndicated (feeds.syndicated: a patient story only
  with consent scope ``feeds``), its canonical URL and its front-matter
  metadata; never the body, which lives on the page and may be edited or
  withdrawn;
- no consent details at all: the consent reference is only meaningful to the
  organisation that holds the record, and the withdrawal mailbox is for the
  person in the story, not for data users;
- no contact mailboxes (buddy contacts): they are on the story page for
  people, and bulk files are where address harvesters look;
- no privacy exceptions (reviewers' notes);
- for patient stories, only the title, summary and classification (consent
  scope ``feeds`` covers "title and summary only"): no authors, outcomes or
  sources.

stories.csv is UTF-8 *with* a byte-order mark and CRLF line ends: without the
mark, Excel reads UTF-8 as Windows-1252 and mangles "é" and "–"; programs
should read stories.json (or open the CSV with encoding "utf-8-sig").  Lists
are joined with "; ".  Any cell that starts with = + - @, a tab or a carriage
return gets a leading apostrophe so that a spreadsheet shows it as text
instead of running it as a formula (CSV injection).

outcomes.csv and outcomes.json hold case studies only, so a patient story never appears there; like
stories.json they carry no contact mailbox.  Each row's ``date`` and ``status`` are those of the story (its
front-matter outcomes) or of the update that reported the figures, so a measure can be followed over time.

This module must not read or write files or know about MkDocs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from carehub.check import model
from carehub.check.catalogue import Story
from carehub.check.model import CaseStudy, PatientStory, Resource
from carehub.plan.approaches import ApproachEntry
from carehub.plan.feedlist import FeedChannel
from carehub.publish.feeds import build_date, syndicated

JSON_PATH = "stories.json"
SCHEMA_PATH = "stories.schema.json"
CSV_PATH = "stories.csv"
FORMAT_VERSION = 1
LIST_SEPARATOR = "; "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class OpenStory(BaseModel):
    """One published story: its address and metadata, without its text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="The story's permanent identifier: the last part of its address.")
    url: str = Field(description="The story's permanent web address.", json_schema_extra={"format": "uri"})
    type: Literal["patient-story", "failure", "case-study", "resource"] = Field(description="The kind of story.")
    title: str = Field(description="The story's title, as plain text.")
    summary: str = Field(description="One or two sentences, as plain text.")
    date: dt.date = Field(description="The date of publication.")
    updated: dt.date | None = Field(description="The date of the last significant change, or null.")
    organisation: str | None = Field(description="The organisation or partnership telling the story, or null.")
    authors: list[str] = Field(description="Teams or roles who wrote it (always empty for patient stories).")
    care_models: list[model.CareModel] = Field(description="The new care models it is about.")
    settings: list[model.Setting] = Field(description="Where care happens.")
    region: model.Region = Field(description="The NHS England region, or national.")
    barriers: list[model.Barrier] = Field(description="The barriers to spread it met.")
    tags: list[model.Tag] = Field(description="Topics.")
    site: str | None = Field(description="The id of the site in the hub's sites directory, or null.")
    adopted_from: list[str] = Field(description="Ids of sites whose work this change copied or adapted.")
    approach: str | None = Field(description="The id of the approach it is about (approaches.json), or null.")
    adopted_from_story: str | None = Field(
        description="Case studies: the id of the case study this one adopted from, or null."
    )
    licence: model.Licence = Field(description="The licence for reuse (an SPDX identifier).")
    illustrative: bool = Field(description="True for example content written to show the format.")
    evidence_level: model.EvidenceLevel | None = Field(description="Case studies: how strong the evidence is.")
    status: model.Status | None = Field(description="Case studies: early, ongoing, final or stopped.")
    resource_kind: model.ResourceKind | None = Field(description="Resources: what kind of resource it is.")
    outcomes: list[model.Outcome] = Field(description="Measures before and after the change (not in the CSV).")
    sources: list[model.Source] = Field(description="Published sources for the facts (not in the CSV).")


class OpenData(BaseModel):
    """The whole of stories.json."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(alias="$schema", description="The address of this file's JSON Schema.")
    version: Literal[1] = Field(description="The format version; it changes only if a field changes meaning.")
    title: str = Field(description="The name of the hub.")
    home_page_url: str = Field(description="The hub's address.", json_schema_extra={"format": "uri"})
    updated: dt.datetime | None = Field(
        description="When the newest story was published or updated (or the build's SOURCE_DATE_EPOCH)."
    )
    licence: str = Field(description="The licence of this file; each story also carries its own.")
    stories: list[OpenStory] = Field(description="Every published story, newest first.")


def open_story(story: Story, site: FeedChannel) -> OpenStory:
    """The open record of one story, leaving out what the module docstring says is never published."""
    meta = story.meta
    patient = isinstance(meta, PatientStory)
    return OpenStory(
        id=story.slug,
        url=site.absolute(story.url),
        type=meta.type,
        title=meta.title,
        summary=meta.summary,
        date=meta.date,
        updated=meta.updated,
        organisation=meta.organisation,
        authors=[] if patient else list(meta.authors),
        care_models=list(meta.care_models),
        settings=list(meta.settings),
        region=meta.region,
        barriers=list(meta.barriers),
        tags=list(meta.tags),
        site=meta.site,
        adopted_from=list(meta.adopted_from),
        approach=meta.approach,
        adopted_from_story=meta.adopted_from_story if isinstance(meta, CaseStudy) else None,
        licence=meta.licence,
        illustrative=meta.illustrative,
        evidence_level=meta.evidence_level if isinstance(meta, CaseStudy) else None,
        status=meta.status if isinstance(meta, CaseStudy) else None,
        resource_kind=meta.resource_kind if isinstance(meta, Resource) else None,
        outcomes=[] if patient else list(meta.outcomes),
        sources=[] if patient else list(meta.sources),
    )


def open_data(stories: Sequence[Story], site: FeedChannel) -> OpenData:
    published = syndicated(stories)
    return OpenData(
        schema_=site.absolute(SCHEMA_PATH),
        version=FORMAT_VERSION,
        title=site.name,
        home_page_url=site.url,
        updated=build_date(site, published),
        licence="CC-BY-4.0",
        stories=[open_story(story, site) for story in published],
    )


def _schema_bytes(value: Any) -> bytes:
    """A JSON Schema, indented: a few kilobytes that people read."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_bytes(value: Any) -> bytes:
    """A document as JSON with one record a line: each top-level field on its own line, and each item of a list of
    records (stories, outcomes, approaches) on one line of its own, without spaces.

    Readable in a text editor and a line-by-line diff, at about two thirds of the bytes of ``indent=2`` (every
    field of every story on a line of its own was most of the file).
    """

    def compact(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))

    if not isinstance(value, dict):
        return (compact(value) + "\n").encode("utf-8")
    fields = []
    for key, item in value.items():
        name = compact(key)
        if isinstance(item, list) and item and all(isinstance(record, dict) for record in item):
            records = ",\n".join("    " + compact(record) for record in item)
            fields.append(f"  {name}: [\n{records}\n  ]")
        else:
            fields.append(f"  {name}: {compact(item)}")
    return ("{\n" + ",\n".join(fields) + "\n}\n").encode("utf-8")


def render_json(stories: Sequence[Story], site: FeedChannel) -> bytes:
    return _json_bytes(open_data(stories, site).model_dump(mode="json", by_alias=True))


def json_schema(site: FeedChannel) -> dict[str, Any]:
    """The JSON Schema of stories.json, generated from :class:`OpenData` with each vocabulary's ids as an enum."""
    schema = OpenData.model_json_schema(by_alias=True, mode="serialization")
    _vocabulary_enums(schema["$defs"]["OpenStory"], OpenStory, site)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site.absolute(SCHEMA_PATH),
        **schema,
    }


def render_schema(site: FeedChannel) -> bytes:
    return _schema_bytes(json_schema(site))


# The CSV holds the flat fields; outcomes and sources are structured, so only stories.json has them.
CSV_COLUMNS: tuple[str, ...] = tuple(name for name in OpenStory.model_fields if name not in {"outcomes", "sources"})


def neutralise(cell: str) -> str:
    """Stop a spreadsheet running a cell as a formula: prefix an apostrophe when it starts like one."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def render_csv(stories: Sequence[Story], site: FeedChannel) -> bytes:
    """stories.csv: a header row, then one row per story in the order of stories.json."""
    return _csv_bytes(CSV_COLUMNS, open_data(stories, site).stories)


def _csv_bytes(columns: Sequence[str], records: Iterable[BaseModel]) -> bytes:
    """A spreadsheet-safe CSV: a header row, then one row per record, each cell neutralised, UTF-8 with a BOM."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for record in records:
        data = record.model_dump(mode="json")
        writer.writerow([neutralise(_cell(data[column])) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


DOWNLOADS: tuple[tuple[str, str], ...] = (
    (JSON_PATH, "every published story's metadata and address, as JSON (no story text)."),
    (SCHEMA_PATH, "the JSON Schema that stories.json follows."),
    (CSV_PATH, "the same as a spreadsheet (CSV, UTF-8; lists separated by semicolons)."),
    ("outcomes.json", "one row per outcome measure of every case study and update, for comparing places."),
    ("outcomes.schema.json", "the JSON Schema that outcomes.json follows."),
    ("outcomes.csv", "the same outcomes as a spreadsheet (CSV, UTF-8)."),
    ("approaches.json", "every approach with the places that have tried it."),
    ("approaches.schema.json", "the JSON Schema that approaches.json follows."),
)


# -- outcomes and approaches -------------------------------------------------------------------

OUTCOMES_JSON = "outcomes.json"
OUTCOMES_SCHEMA = "outcomes.schema.json"
OUTCOMES_CSV = "outcomes.csv"
APPROACHES_JSON = "approaches.json"
APPROACHES_SCHEMA = "approaches.schema.json"


class OpenOutcome(BaseModel):
    """One outcome measure of one case study, as published or as of one of its updates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    story: str = Field(description="The case study's permanent web address.", json_schema_extra={"format": "uri"})
    approach: str | None = Field(description="The id of the approach it is about (approaches.json), or null.")
    site: str | None = Field(description="The id of the site in the hub's sites directory, or null.")
    region: model.Region = Field(description="The NHS England region, or national.")
    measure: str = Field(description="What was measured.")
    before: float = Field(description="The value before the change.")
    after: float = Field(description="The value after the change (as of this row's date).")
    unit: str = Field(description="The unit of both values.")
    higher_is_better: bool = Field(description="True if a higher value is an improvement.")
    period: str = Field(description="When each value was measured.")
    source: str = Field(description="Where the figures come from.")
    evidence_level: model.EvidenceLevel = Field(description="How strong the case study's evidence is.")
    status: model.Status = Field(description="The status on this row's date: early, ongoing, final or stopped.")
    date: dt.date = Field(description="The story's date, or the date of the update that reported these figures.")
    update: bool = Field(description="True if the figures come from an update rather than the story itself.")
    illustrative: bool = Field(description="True for example content written to show the format: not evidence.")


class OpenOutcomes(BaseModel):
    """The whole of outcomes.json."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(alias="$schema", description="The address of this file's JSON Schema.")
    version: Literal[1] = Field(description="The format version; it changes only if a field changes meaning.")
    title: str = Field(description="The name of the hub.")
    licence: str = Field(description="The licence of this file; each story also carries its own.")
    outcomes: list[OpenOutcome] = Field(
        description="One row per outcome measure of every case study and update, newest story first."
    )


class OpenPlace(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The place's name.")
    site: str | None = Field(description="Its id in the sites directory, or null.")
    region: model.Region = Field(description="The NHS England region, or national.")
    vanguard: bool | None = Field(description="True if a national vanguard; null if not in the sites directory.")
    since: dt.date | None = Field(description="Its earliest story about the approach, or null.")
    origin: bool = Field(description="True where the approach started.")
    stories: list[str] = Field(description="Web addresses of its stories about the approach.")


class OpenApproach(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="The approach's id, as stories name it in `approach`.")
    url: str = Field(description="Its page on the hub.", json_schema_extra={"format": "uri"})
    name: str = Field(description="Its name.")
    summary: str = Field(description="One or two sentences about it.")
    care_models: list[model.CareModel] = Field(description="The new care models it belongs to.")
    started_at: str | None = Field(description="The id of the site where it started, or null.")
    places: list[OpenPlace] = Field(description="Every place that has tried it, where it started first.")
    case_studies: int = Field(description="How many case studies there are of it.")
    failures: int = Field(description="How many failure write-ups there are about it.")
    strongest_evidence_level: model.EvidenceLevel | None = Field(
        description="The strongest evidence level of its case studies, or null if there are none."
    )


class OpenApproaches(BaseModel):
    """The whole of approaches.json."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(alias="$schema", description="The address of this file's JSON Schema.")
    version: Literal[1] = Field(description="The format version; it changes only if a field changes meaning.")
    title: str = Field(description="The name of the hub.")
    licence: str = Field(description="The licence of this file.")
    approaches: list[OpenApproach] = Field(description="Every approach, in the hub's order.")


def open_outcomes(stories: Sequence[Story], site: FeedChannel) -> OpenOutcomes:
    rows: list[OpenOutcome] = []
    for story in syndicated(stories):
        meta = story.meta
        if not isinstance(meta, CaseStudy):
            continue  # patient stories (and failures, resources) never appear here
        reports = [(meta.date, meta.status, meta.outcomes, False)]
        reports += [(u.date, u.status, u.outcomes, True) for u in sorted(meta.updates, key=lambda u: u.date)]
        for date, status, outcomes, is_update in reports:
            rows += [
                OpenOutcome(
                    story=site.absolute(story.url),
                    approach=meta.approach,
                    site=meta.site,
                    region=meta.region,
                    measure=outcome.measure,
                    before=outcome.before,
                    after=outcome.after,
                    unit=outcome.unit,
                    higher_is_better=outcome.higher_is_better,
                    period=outcome.period,
                    source=outcome.source,
                    evidence_level=meta.evidence_level,
                    status=status,
                    date=date,
                    update=is_update,
                    illustrative=meta.illustrative,
                )
                for outcome in outcomes
            ]
    return OpenOutcomes(
        schema_=site.absolute(OUTCOMES_SCHEMA),
        version=FORMAT_VERSION,
        title=site.name,
        licence="CC-BY-4.0",
        outcomes=rows,
    )


def open_approaches(approaches: Sequence[ApproachEntry], site: FeedChannel) -> OpenApproaches:
    published = {story.slug for story in syndicated([s for entry in approaches for s in entry.stories])}
    return OpenApproaches(
        schema_=site.absolute(APPROACHES_SCHEMA),
        version=FORMAT_VERSION,
        title=site.name,
        licence="CC-BY-4.0",
        approaches=[
            OpenApproach(
                id=entry.id,
                url=site.absolute(entry.url),
                name=entry.approach.name,
                summary=entry.approach.summary,
                care_models=list(entry.approach.care_models),
                started_at=entry.approach.started_at,
                places=[
                    OpenPlace(
                        name=place.name,
                        site=place.site_id,
                        region=place.region,
                        vanguard=place.vanguard,
                        since=place.since,
                        origin=place.origin,
                        stories=[site.absolute(s.url) for s in place.stories if s.slug in published],
                    )
                    for place in entry.places
                ],
                case_studies=len(entry.case_studies),
                failures=len(entry.failures),
                strongest_evidence_level=entry.strongest,
            )
            for entry in approaches
        ],
    )


def _schema_of(root: type[BaseModel], path: str, site: FeedChannel) -> dict[str, Any]:
    """A file's JSON Schema from its model, with each vocabulary field's allowed ids as an enum."""
    schema = root.model_json_schema(by_alias=True, mode="serialization")
    for name, definition in schema.get("$defs", {}).items():
        records: dict[str, type[BaseModel]] = {
            "OpenOutcome": OpenOutcome,
            "OpenApproach": OpenApproach,
            "OpenPlace": OpenPlace,
        }
        record = records.get(name)
        if record is None:
            continue
        _vocabulary_enums(definition, record, site)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": site.absolute(path), **schema}


def _vocabulary_enums(definition: dict[str, Any], record: type[BaseModel], site: FeedChannel) -> None:
    """Give each field of ``record`` that takes a vocabulary's ids those ids as an enum, in its schema definition."""
    for name in record.model_fields:
        vocabulary = model.vocab_of(record, name)
        if vocabulary is None:
            continue
        allowed = list(site.vocabularies[vocabulary].ids)
        prop = definition["properties"][name]
        if prop.get("type") == "array":
            prop["items"]["enum"] = allowed
        elif "anyOf" in prop:
            next(option for option in prop["anyOf"] if option.get("type") == "string")["enum"] = allowed
        else:
            prop["enum"] = allowed


OUTCOME_COLUMNS: tuple[str, ...] = tuple(OpenOutcome.model_fields)


def render_outcomes_csv(stories: Sequence[Story], site: FeedChannel) -> bytes:
    """outcomes.csv: a header row, then the rows of outcomes.json in the same order (as stories.csv is made)."""
    return _csv_bytes(OUTCOME_COLUMNS, open_outcomes(stories, site).outcomes)


def render_spread(stories: Sequence[Story], approaches: Sequence[ApproachEntry], site: FeedChannel) -> dict[str, bytes]:
    """outcomes.json, outcomes.csv, approaches.json and their schemas, keyed by site-relative path."""
    return {
        OUTCOMES_JSON: _json_bytes(open_outcomes(stories, site).model_dump(mode="json", by_alias=True)),
        OUTCOMES_SCHEMA: _schema_bytes(_schema_of(OpenOutcomes, OUTCOMES_SCHEMA, site)),
        OUTCOMES_CSV: render_outcomes_csv(stories, site),
        APPROACHES_JSON: _json_bytes(open_approaches(approaches, site).model_dump(mode="json", by_alias=True)),
        APPROACHES_SCHEMA: _schema_bytes(_schema_of(OpenApproaches, APPROACHES_SCHEMA, site)),
    }


def render_all(stories: Sequence[Story], site: FeedChannel) -> dict[str, bytes]:
    """Every story open data file, keyed by site-relative path (the spread files: :func:`render_spread`)."""
    return {
        JSON_PATH: render_json(stories, site),
        SCHEMA_PATH: render_schema(site),
        CSV_PATH: render_csv(stories, site),
    }
