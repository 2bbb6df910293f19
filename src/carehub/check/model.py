"""The content model: every field a story may have, defined once.

Validation (validate.py), the field table in the docs, the JSON Schema for
editors and the "share your story" form are all generated from these classes,
so they cannot drift apart.  Field names `title`, `summary`, `type`, `date`,
`tags` and `consent` are fixed: other tools rely on them.

Vocabulary fields are plain strings here, marked with :class:`Vocab`; the
allowed values come from data/vocabularies.yml at validation time (passed in
pydantic's validation context) and are written into the JSON Schema by
:func:`json_schema`.  Keeping the lists out of the Python types lets
contributors add a tag without touching code.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from carehub.check import storytypes
from carehub.check.vocabularies import Vocabularies

TITLE_MAX = 120
SUMMARY_MAX = 300
SUMMARY_MIN = 20
SHORT_TEXT_MAX = 800  # structured prose fields such as what_we_learned
NEAR_LIMIT = 0.9  # warn when a value uses more than this share of its limit

# The kinds of story are plain data in storytypes.py, so the command line can offer them without pydantic.
STORY_TYPES = storytypes.STORY_TYPES
TYPE_LABELS = storytypes.TYPE_LABELS
TYPE_DESCRIPTIONS = storytypes.TYPE_DESCRIPTIONS

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
SITE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONSENT_REF_RE = re.compile(r"^[A-Z0-9][A-Z0-9/-]{2,39}$")
APPROACH_ID_RE = SITE_ID_RE  # approach ids, like site ids and slugs, are lowercase words joined by hyphens
REVIEW_AFTER_DAYS = 730  # a case study with no update or review for two years is flagged as not reviewed since


@dataclass(frozen=True, slots=True)
class Vocab:
    """Marks a string field whose values come from a named vocabulary."""

    name: str


def _check_vocab(name: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        vocabularies: Vocabularies | None = (info.context or {}).get("vocabularies")
        if vocabularies is not None and value not in vocabularies[name]:
            raise PydanticCustomError(
                "vocabulary", "{value} is not in {vocabulary}", {"value": value, "vocabulary": name}
            )
        return value

    return AfterValidator(check)


LegalBasis = Annotated[str, Vocab("legal_bases"), _check_vocab("legal_bases")]
ConsentScope = Annotated[str, Vocab("consent_scopes"), _check_vocab("consent_scopes")]
CareModel = Annotated[str, Vocab("care_models"), _check_vocab("care_models")]
Setting = Annotated[str, Vocab("settings"), _check_vocab("settings")]
Region = Annotated[str, Vocab("regions"), _check_vocab("regions")]
Barrier = Annotated[str, Vocab("barriers"), _check_vocab("barriers")]
Tag = Annotated[str, Vocab("tags"), _check_vocab("tags")]
Licence = Annotated[str, Vocab("licences"), _check_vocab("licences")]
EvidenceLevel = Annotated[str, Vocab("evidence_levels"), _check_vocab("evidence_levels")]
Status = Annotated[str, Vocab("statuses"), _check_vocab("statuses")]
ResourceKind = Annotated[str, Vocab("resource_kinds"), _check_vocab("resource_kinds")]


def _check_email(value: str) -> str:
    # Whether it is a *role* mailbox is a privacy question, screened in privacy.py
    # where a reviewed exception can apply; here we only check the form.
    if not EMAIL_RE.match(value):
        raise PydanticCustomError("email", "{value} is not an email address", {"value": value})
    return value


def _check_url(value: str) -> str:
    if not URL_RE.match(value):
        raise PydanticCustomError("url", "{value} is not a web address", {"value": value})
    return value


def _check_site_id(value: str) -> str:
    if not SITE_ID_RE.match(value):
        raise PydanticCustomError("site_id", "{value} is not a site id", {"value": value})
    return value


RoleMailbox = Annotated[
    str,
    AfterValidator(_check_email),
    Field(
        description="A role or team mailbox (not a person's own address), for example newcaremodels@example.org.",
        json_schema_extra={"format": "email", "x-contact": True},
    ),
]
ApproachId = Annotated[
    str,
    AfterValidator(_check_site_id),
    Field(json_schema_extra={"x-approaches": True, "pattern": SITE_ID_RE.pattern}),
]
StorySlug = Annotated[str, AfterValidator(_check_site_id), Field(json_schema_extra={"pattern": SITE_ID_RE.pattern})]
WebAddress = Annotated[str, AfterValidator(_check_url), Field(json_schema_extra={"format": "uri"})]
SiteId = Annotated[str, AfterValidator(_check_site_id), Field(json_schema_extra={"x-sites": True})]
Text = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT_MAX)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    # defer_build: a model's validator is built when it first validates, not at import, so a pre-commit hook
    # checking one story builds only that story type's.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Outcome(_Strict):
    """One measure with a value before and after the change."""

    measure: ShortText = Field(description="What was measured, for example 'Average length of hospital stay'.")
    before: float = Field(description="The value before the change, as a number only (1890, not 1,890).")
    after: float = Field(description="The value after the change, as a number only (1890, not 1,890).")
    unit: ShortText = Field(
        description="The unit of both values, for example 'days', '%', 'admissions a month' or '£ a year'."
    )
    period: ShortText = Field(description="When each value was measured, for example '2015/16 against 2016/17'.")
    source: ShortText = Field(description="Where the figures come from: a report, audit or dashboard.")
    higher_is_better: bool = Field(False, description="True if a higher value is an improvement.")


class Update(_Strict):
    """A dated report on a case study: share early, share often, and say when work stopped."""

    date: dt.date = Field(description="The date of the update, as YYYY-MM-DD.")
    status: Status = Field(description="Where the work stood on that date: early, ongoing, final or stopped.")
    note: Annotated[str, Field(min_length=1, max_length=400)] = Field(
        description="What changed since the last update, in a sentence or two."
    )
    outcomes: list[Outcome] = Field(default_factory=list, description="The measures as they stood on that date.")


class Image(_Strict):
    """A picture for the story, with text for people who cannot see it."""

    src: ShortText = Field(
        description="Path of the image file, relative to the story (or starting / from the repository root)."
    )
    alt: Annotated[str, Field(min_length=1, max_length=250)] = Field(
        description="What the image shows, for people who cannot see it."
    )


class Source(_Strict):
    """A published source for the facts in a story."""

    title: ShortText = Field(description="The title of the source.")
    url: WebAddress = Field(description="Its web address, starting https://.")


class Download(_Strict):
    """A file or page that a resource offers."""

    title: ShortText = Field(description="What the download is.")
    href: ShortText = Field(description="A path in this repository, or a web address starting https://.")
    format: ShortText | None = Field(None, description="File format, for example PDF or Word.")


class PrivacyException(_Strict):
    """A reviewed false positive: text that looks like personal data but is not."""

    text: ShortText = Field(description="The exact text the privacy check flagged.")
    reason: Annotated[str, Field(min_length=10, max_length=300)] = Field(
        description="Why this is not personal data, for reviewers to confirm."
    )


class Consent(_Strict):
    """The record of consent for a patient story. Keep forms and names out of the repository."""

    reference: str = Field(
        description="An opaque reference to the consent record your organisation holds, such as CN-2017-014. "
        "Never a name, NHS number or file.",
        json_schema_extra={"pattern": CONSENT_REF_RE.pattern},
    )
    legal_basis: LegalBasis = Field(description="The legal basis for publishing.")
    obtained: dt.date = Field(description="The date consent was obtained, as YYYY-MM-DD.")
    reviewed_final_text: bool = Field(
        description="True once the person has read and agreed the final text. Must be true to publish."
    )
    scope: list[ConsentScope] = Field(min_length=1, description="Where the story may appear.")
    withdrawal_contact: RoleMailbox = Field(description="A role mailbox the person can write to, to withdraw.")

    @model_validator(mode="after")
    def _publishable(self) -> Consent:
        if not CONSENT_REF_RE.match(self.reference):
            raise PydanticCustomError("consent_reference", "bad reference", {"field": "reference"})
        if not self.reviewed_final_text:
            raise PydanticCustomError("consent_not_reviewed", "not reviewed", {"field": "reviewed_final_text"})
        return self


class StoryBase(_Strict):
    """Fields every story has."""

    title: Annotated[str, Field(min_length=5, max_length=TITLE_MAX)] = Field(
        description="A short, plain title that says what happened."
    )
    summary: Annotated[str, Field(min_length=SUMMARY_MIN, max_length=SUMMARY_MAX)] = Field(
        description="One or two sentences: what changed and what difference it made. Shown in listings and feeds."
    )
    date: dt.date = Field(description="The date of publication, as YYYY-MM-DD.")
    updated: dt.date | None = Field(None, description="The date of the last significant change, if any.")
    organisation: ShortText | None = Field(None, description="The organisation or partnership telling the story.")
    authors: list[ShortText] = Field(
        default_factory=list,
        description="Teams or roles who wrote it (people named only with their agreement).",
    )
    care_models: list[CareModel] = Field(min_length=1, description="Which new care models it is about.")
    settings: list[Setting] = Field(min_length=1, description="Where care happens.")
    region: Region = Field(description="The NHS England region, or national.")
    barriers: list[Barrier] = Field(default_factory=list, description="Which of the eight barriers to spread it met.")
    tags: list[Tag] = Field(default_factory=list, description="Topics from the tag list.")
    site: SiteId | None = Field(None, description="The id of the site (organisation or place) in the sites directory.")
    adopted_from: list[SiteId] = Field(
        default_factory=list, description="Sites whose work this change copied or adapted."
    )
    approach: ApproachId | None = Field(
        None, description="The id of the approach it is about, from data/approaches.yml (for example red-bag-scheme)."
    )
    outcomes: list[Outcome] = Field(default_factory=list, description="Measures before and after the change.")
    image: Image | None = Field(None, description="An optional picture, with alternative text.")
    licence: Licence = Field("CC-BY-4.0", description="The licence for reuse.")
    illustrative: bool = Field(False, description="True for example content written to show the format.")
    sources: list[Source] = Field(default_factory=list, description="Published sources for the facts.")
    privacy_exceptions: list[PrivacyException] = Field(
        default_factory=list,
        description="Text that the privacy check flags but a reviewer has confirmed is not personal data.",
    )

    @property
    def last_changed(self) -> dt.date:
        """When the story last changed: ``updated`` if given, else ``date`` (feeds, the sitemap, open data)."""
        return self.updated or self.date

    @model_validator(mode="after")
    def _dates(self) -> StoryBase:
        if self.updated is not None and self.updated < self.date:
            raise PydanticCustomError("updated_before_date", "updated before date", {"field": "updated"})
        return self


class PatientStory(StoryBase):
    """A person's experience of care before and after a change, told with consent."""

    type: Literal["patient-story"] = Field(description="The kind of story.")
    consent: Consent = Field(description="The consent record. Required for every patient story.")


class Failure(StoryBase):
    """What was tried, what happened, what was learned."""

    type: Literal["failure"] = Field(description="The kind of story.")
    barriers: list[Barrier] = Field(min_length=1, description="Which of the eight barriers to spread it met.")
    what_we_tried: Text = Field(description="What the team set out to do.")
    what_happened: Text = Field(description="What actually happened.")
    what_we_learned: Text = Field(description="The lessons, in a few sentences. Shown as a call-out.")
    what_we_would_do_differently: Text = Field(description="What the team would do differently next time.")


class CaseStudy(StoryBase):
    """A change in care, its outcomes and how it was evaluated."""

    type: Literal["case-study"] = Field(description="The kind of story.")
    context: Text = Field(description="The place and the problem before the change.")
    change: Text = Field(description="What changed.")
    evaluation_method: Text = Field(description="How the outcomes were measured or evaluated.")
    evidence_level: EvidenceLevel = Field(description="How strong the evidence is.")
    status: Status = Field(description="Early, ongoing, final or stopped. Sharing early is encouraged.")
    buddy_contact: RoleMailbox = Field(description="A role mailbox for places that want to learn from you.")
    adopted_from_story: StorySlug | None = Field(
        None, description="The address name (slug) of the case study this one adopted from, if any."
    )
    updates: list[Update] = Field(
        default_factory=list,
        description="Dated updates, oldest or newest first: each with a status, a short note and, if you have "
        "them, the outcomes as of that date.",
    )

    @property
    def last_changed(self) -> dt.date:
        """The latest of the story's date, its ``updated`` date and its updates' dates (an update changes the
        page, so feeds, the sitemap and open data date it so)."""
        return max([self.updated or self.date, *(update.date for update in self.updates)])

    @property
    def last_reviewed(self) -> dt.date:
        """When someone last reported on it: :attr:`last_changed`."""
        return self.last_changed

    @property
    def review_due(self) -> dt.date:
        """The day from which the case study counts as not reviewed (two years after ``last_reviewed``)."""
        return self.last_reviewed + dt.timedelta(days=REVIEW_AFTER_DAYS)


class Resource(StoryBase):
    """A guide, toolkit or download."""

    type: Literal["resource"] = Field(description="The kind of story.")
    resource_kind: ResourceKind = Field(description="What kind of resource it is.")
    downloads: list[Download] = Field(default_factory=list, description="Files or pages it offers.")


MODELS: dict[str, type[StoryBase]] = {
    "patient-story": PatientStory,
    "failure": Failure,
    "case-study": CaseStudy,
    "resource": Resource,
}
Meta = PatientStory | Failure | CaseStudy | Resource


def share_fields_sets(models: Iterable[BaseModel]) -> None:
    """Give every model among ``models`` (and the models inside them) that was given the same fields one
    shared ``__pydantic_fields_set__``, instead of a set of its own.

    Why: pydantic keeps, in each instance, the set of field names it was given; at about 3.5 KB a story
    that was half of what a story's model holds, and a build keeps every story while the site renders.
    The models are frozen, so nothing changes the shared sets; what each model says was set is unchanged.
    """
    shared: dict[frozenset[str], set[str]] = {}
    stack: list[Any] = list(models)
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            given = item.__pydantic_fields_set__
            object.__setattr__(item, "__pydantic_fields_set__", shared.setdefault(frozenset(given), given))
            stack.extend(item.__dict__.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


@functools.cache
def meta_adapter() -> TypeAdapter[Meta]:
    """Every story type as one schema (for the JSON Schema); made when asked, as building it builds every type."""
    return TypeAdapter(Annotated[Meta, Field(discriminator="type")])


# Fields whose text a contact may legitimately contain (role mailboxes).
CONTACT_FIELDS = frozenset({("consent", "withdrawal_contact"), ("buddy_contact",)})


def all_field_names() -> set[str]:
    """Every top-level field of any type (for "did you mean" on unknown keys)."""
    return {name for model in MODELS.values() for name in model.model_fields} | {"type"}


def vocab_of(model: type[BaseModel], field_name: str) -> str | None:
    """The vocabulary a field draws from, looking inside list[...] types."""
    info = model.model_fields[field_name]
    for meta in _iter_metadata(info.annotation, info.metadata):
        if isinstance(meta, Vocab):
            return meta.name
    return None


def _iter_metadata(annotation: Any, metadata: list[Any]) -> list[Any]:
    found = list(metadata)
    stack = [annotation]
    while stack:
        current = stack.pop()
        found.extend(getattr(current, "__metadata__", ()))
        stack.extend(getattr(current, "__args__", ()))
        origin = getattr(current, "__origin__", None)
        if origin is not None and origin is not current:
            stack.append(origin)
    return found


ApproachOrTag = Annotated[str, AfterValidator(_check_site_id), Field(json_schema_extra={"pattern": SITE_ID_RE.pattern})]


class Site(_Strict):
    """An organisation or place in the sites directory (data/sites/<id>.yml). Vanguard or not."""

    name: ShortText = Field(description="The site's name, as people know it.")
    kind: Literal["organisation", "place", "partnership"] = Field(
        description="An organisation, a place (a local health and care system) or a partnership."
    )
    care_models: list[CareModel] = Field(min_length=1, description="The new care models it works on.")
    region: Region = Field(description="The NHS England region.")
    vanguard: bool = Field(description="True if it was one of the national vanguards.")
    summary: Annotated[str, Field(min_length=SUMMARY_MIN, max_length=SUMMARY_MAX)] = Field(
        description="One or two sentences about the site and its work."
    )
    contact: RoleMailbox | None = Field(None, description="A role mailbox for buddying (never a person's own).")
    website: WebAddress | None = Field(None, description="Its website.")
    sources: list[Source] = Field(default_factory=list, description="Published sources for the facts.")
    offers: list[ApproachOrTag] = Field(
        default_factory=list,
        description="Approaches (from data/approaches.yml) or topics (tags) the site can help others with.",
    )
    wants: list[ApproachOrTag] = Field(
        default_factory=list, description="Approaches or topics the site wants to learn about from others."
    )


class Approach(_Strict):
    """One approach to care that places copy and adapt (an entry of data/approaches.yml), with its own page."""

    id: Annotated[str, AfterValidator(_check_site_id)] = Field(
        description="The approach's id, lowercase words joined by hyphens: its page is /approaches/<id>/."
    )
    name: ShortText = Field(description="Its name, as people know it, for example 'Red bag scheme'.")
    summary: Annotated[str, Field(min_length=SUMMARY_MIN, max_length=SUMMARY_MAX)] = Field(
        description="One or two sentences: what it is, shown in the list of approaches."
    )
    description: Text = Field(description="What it is and how it works, in plain English.")
    care_models: list[CareModel] = Field(min_length=1, description="The new care models it belongs to.")
    started_at: SiteId | None = Field(None, description="The id of the site where it started, if known.")
    started: dt.date | None = Field(None, description="When it started there, as YYYY-MM-DD, if known.")
    evidence_gaps: Text | None = Field(
        None, description="What the evidence so far does not show, in a sentence (added to what the hub works out)."
    )
    sources: list[Source] = Field(default_factory=list, description="Published sources for the facts.")
