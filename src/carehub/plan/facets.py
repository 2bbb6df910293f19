"""The six facets readers browse by, and which stories carry each value.

Holds the facet definitions (type, care model, setting, region, barrier, tag),
the mapping from a story to its values, and the index of stories per value,
computed once per build.  Listings, filters, feeds and tests all read the
index from here so that "which stories are about X" has one answer.

Must not render anything or know about MkDocs: it is plain data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from carehub.check.catalogue import Catalogue, Story
from carehub.check.model import STORY_TYPES, TYPE_DESCRIPTIONS, TYPE_LABELS
from carehub.check.vocabularies import Vocabularies, VocabularyTerm


@dataclass(frozen=True, slots=True)
class Facet:
    """One way of browsing: its URL segment, the story field it reads and its vocabulary."""

    slug: str  # URL segment: /browse/<slug>/<id>/
    field: str  # story meta field
    vocabulary: str | None  # data/vocabularies.yml list, None for the story type
    singular: str  # "care model"
    plural: str  # "care models"


FACETS: tuple[Facet, ...] = (
    Facet("type", "type", None, "type", "types"),
    Facet("care-model", "care_models", "care_models", "care model", "care models"),
    Facet("setting", "settings", "settings", "setting", "settings"),
    Facet("region", "region", "regions", "region", "regions"),
    Facet("barrier", "barriers", "barriers", "barrier to spread", "barriers to spread"),
    Facet("tag", "tags", "tags", "topic", "topics"),
)
FACETS_BY_SLUG = {facet.slug: facet for facet in FACETS}


def facet_url(facet_slug: str) -> str:
    """Site-relative URL of a facet's index page: ``browse/<facet>/``."""
    return f"browse/{facet_slug}/"


def term_url(facet_slug: str, term_id: str) -> str:
    """Site-relative URL of a term's listing (its first page): ``browse/<facet>/<id>/``."""
    return f"browse/{facet_slug}/{term_id}/"


def values_of(story: Story, facet: Facet) -> tuple[str, ...]:
    """The facet's values on one story, in the order the contributor wrote them, without repeats."""
    value = getattr(story.meta, facet.field)
    values: Iterable[str] = (value,) if isinstance(value, str) else value
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a facet, with the stories that carry it (newest first)."""

    facet: Facet
    id: str
    label: str
    description: str
    stories: tuple[Story, ...]

    @property
    def url(self) -> str:
        return term_url(self.facet.slug, self.id)

    @property
    def count(self) -> int:
        return len(self.stories)


@dataclass(frozen=True, slots=True)
class FacetIndex:
    facet: Facet
    terms: tuple[Term, ...]  # vocabulary order: the order editors chose, stable between builds

    @property
    def url(self) -> str:
        return facet_url(self.facet.slug)

    def term(self, term_id: str) -> Term | None:
        return next((t for t in self.terms if t.id == term_id), None)


def build_facet_indexes(catalogue: Catalogue) -> dict[str, FacetIndex]:
    """Every facet's terms with their stories; one pass over the catalogue (newest-first order kept)."""
    indexes: dict[str, FacetIndex] = {}
    for facet in FACETS:
        values = vocabulary_terms(facet, catalogue.vocabularies)
        buckets: dict[str, list[Story]] = {value.id: [] for value in values}
        for story in catalogue.stories:
            for value_id in values_of(story, facet):
                buckets.setdefault(value_id, []).append(story)
        terms = tuple(
            Term(facet, value.id, value.label, value.description, tuple(buckets[value.id])) for value in values
        )
        indexes[facet.slug] = FacetIndex(facet, terms)
    return indexes


def vocabulary_terms(facet: Facet, vocabularies: Vocabularies) -> tuple[VocabularyTerm, ...]:
    """Every value the facet can take, in vocabulary order (for `type`, the story types in the model's order).

    The listing pages and the feeds both list a facet's values from here, so a
    facet's pages and its feeds always offer the same values.
    """
    if facet.vocabulary is None:
        return tuple(VocabularyTerm(t, TYPE_LABELS[t], TYPE_DESCRIPTIONS[t]) for t in STORY_TYPES)
    return tuple(vocabularies[facet.vocabulary])


def label_maps(catalogue: Catalogue) -> dict[str, dict[str, str]]:
    """Vocabulary name -> id -> label, for templates (a dict lookup, not a scan, per value shown)."""
    return vocabulary_labels(catalogue.vocabularies)


def vocabulary_labels(vocabularies: Vocabularies) -> dict[str, dict[str, str]]:
    """Vocabulary name -> id -> label, with the story types under "types" (``facet.vocabulary or "types"``)."""
    maps = {name: {t.id: t.label for t in vocab} for name, vocab in vocabularies.by_name.items()}
    maps["types"] = dict(TYPE_LABELS)
    return maps
