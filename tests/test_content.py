"""The hub's own launch content: coverage, honesty and links.

These tests read the repository's real stories/, docs/ and data/ (not a
throwaway project), so they fail when a change to the content leaves a
listing or feed empty, publishes a fictional place without the illustrative
flag, links to a story or site that does not exist, or lets the glossary and
the resource pages drift from the vocabularies.

They impose no rule on a real story that `carehub check` does not: the rules
about honesty (marked, sourced, example.org contacts) are for the launch
content, so they apply to ``illustrative: true`` stories and fictional sites
only.  A real, non-illustrative story that passes `check` passes every test
here (tests/test_real_stories.py adds a folder of them and runs these files).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from carehub.check.catalogue import Catalogue, Story, load_catalogue, story_body
from carehub.check.model import STORY_TYPES, CaseStudy
from carehub.check.validate import abbreviations_in

from .conftest import ROOT

DOCS = ROOT / "docs"
GLOSSARY = ROOT / "data" / "glossary.yml"
FACETS = {
    "type": None,
    "care-model": "care_models",
    "setting": "settings",
    "region": "regions",
    "barrier": "barriers",
    "tag": "tags",
}
# Every story facet that gets a listing page and a feed, with the vocabulary behind it.
STORY_FACETS = {"care_models": "care_models", "settings": "settings", "barriers": "barriers", "tags": "tags"}
_MD_LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT, review=True)


def _values(story: Story, field: str) -> list[str]:
    value = getattr(story.meta, field)
    return list(value) if isinstance(value, list | tuple) else [value]


def _doc_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _links(text: str) -> Iterator[str]:
    for match in _MD_LINK_RE.finditer(text):
        yield match.group(1)


def _glossary() -> list[dict[str, Any]]:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("terms"), list), "data/glossary.yml needs a `terms:` list"
    return data["terms"]


# -- every story passes check ------------------------------------------------------------


def test_repository_content_passes_check(catalogue: Catalogue) -> None:
    errors = [f"{p.file}:{p.line}:{p.column} {p.code} {p.message}" for p in catalogue.problems if p.is_error]
    assert errors == []
    assert len(catalogue.stories) >= 12


def test_launch_content_has_no_warnings(catalogue: Catalogue) -> None:
    """The illustrative stories and the data files are ours: they are kept free of warnings too, but for CH231
    (the launch case studies date from 2017-19, and stale work is flagged, not hidden)."""
    ours = {s.path for s in catalogue.stories if s.meta.illustrative}
    warnings = [
        f"{p.file}:{p.line} {p.code} {p.message}"
        for p in catalogue.problems
        if not p.is_error and p.code != "CH231" and (p.file in ours or not p.file.startswith("stories/"))
    ]
    assert warnings == []
    stale = {p.file for p in catalogue.problems if p.code == "CH231"}
    assert stale == {
        s.path for s in catalogue.stories if isinstance(s.meta, CaseStudy) and dt.date.today() >= s.meta.review_due
    }


# -- coverage: every listing and feed has content --------------------------------------------


def test_every_story_type_has_stories(catalogue: Catalogue) -> None:
    used = {story.meta.type for story in catalogue.stories}
    assert sorted(set(STORY_TYPES) - used) == []


def test_every_region_including_national_has_stories(catalogue: Catalogue) -> None:
    used = {story.meta.region for story in catalogue.stories}
    missing = [term.id for term in catalogue.vocabularies["regions"] if term.id not in used]
    assert missing == []
    assert len(catalogue.vocabularies["regions"].ids) == 8  # seven NHS England regions and national


@pytest.mark.parametrize("field", sorted(STORY_FACETS))
def test_every_term_of_a_listed_facet_has_stories(catalogue: Catalogue, field: str) -> None:
    used = {value for story in catalogue.stories for value in _values(story, field)}
    vocabulary = catalogue.vocabularies[STORY_FACETS[field]]
    assert [term.id for term in vocabulary if term.id not in used] == []


def test_every_evidence_level_and_status_is_shown_by_a_case_study(catalogue: Catalogue) -> None:
    case_studies = [s.meta for s in catalogue.stories if isinstance(s.meta, CaseStudy)]
    for vocabulary, field in (("evidence_levels", "evidence_level"), ("statuses", "status")):
        used = {getattr(meta, field) for meta in case_studies}
        assert [t.id for t in catalogue.vocabularies[vocabulary] if t.id not in used] == [], vocabulary


def test_every_barrier_has_a_failure_write_up(catalogue: Catalogue) -> None:
    failures = [s for s in catalogue.stories if s.meta.type == "failure"]
    used = {barrier for story in failures for barrier in story.meta.barriers}
    assert [t.id for t in catalogue.vocabularies["barriers"] if t.id not in used] == []


# -- honesty: illustrative content is marked, real places are sourced -----------------------


def _is_fictional_site(catalogue: Catalogue, site_id: str | None) -> bool:
    return site_id is not None and site_id in catalogue.sites and "(illustrative)" in catalogue.sites[site_id].name


def test_fictional_sites_are_named_as_illustrative_and_never_vanguards(catalogue: Catalogue) -> None:
    for site_id, site in catalogue.sites.items():
        if site.name.startswith("Example"):
            assert site.name.endswith("(illustrative)"), site_id
            assert not site.vanguard and not site.sources, site_id
            assert "fictional" in site.summary, site_id


def _illustrative(catalogue: Catalogue) -> list[Story]:
    return [story for story in catalogue.stories if story.meta.illustrative]


def test_stories_about_fictional_places_are_marked_illustrative(catalogue: Catalogue) -> None:
    for story in catalogue.stories:
        fictional = _is_fictional_site(catalogue, story.meta.site) or (story.meta.organisation or "").startswith(
            "Example"
        )
        if fictional:
            assert story.meta.illustrative, f"{story.path} is about a fictional place but not `illustrative: true`"


def test_illustrative_stories_say_so_at_the_top_of_the_body(catalogue: Catalogue) -> None:
    for story in catalogue.stories:
        if story.meta.illustrative:
            first_paragraph = story_body(ROOT, story).strip().split("\n\n", 1)[0]
            assert "illustrative example" in first_paragraph.lower(), story.path


def test_illustrative_outcomes_say_they_are_illustrative(catalogue: Catalogue) -> None:
    """A real story's outcomes need only what `check` asks (a source and a period), never this word."""
    for story in _illustrative(catalogue):
        for outcome in story.meta.outcomes:
            assert "illustrative" in outcome.source.lower(), story.path
            assert "illustrative" in outcome.period.lower(), story.path


def test_illustrative_contacts_are_role_mailboxes_on_example_org(catalogue: Catalogue) -> None:
    """Fictional places have fictional mailboxes; real ones use their own (nhs.net, say), as `check` allows."""
    addresses: list[tuple[str, str]] = []
    for story in _illustrative(catalogue):
        meta = story.meta
        if isinstance(meta, CaseStudy):
            addresses.append((story.path, meta.buddy_contact))
        consent = getattr(meta, "consent", None)
        if consent is not None:
            addresses.append((story.path, consent.withdrawal_contact))
    addresses += [
        (site_id, site.contact)
        for site_id, site in catalogue.sites.items()
        if site.contact and _is_fictional_site(catalogue, site_id)
    ]
    assert addresses
    assert [(where, address) for where, address in addresses if not address.endswith("@example.org")] == []


# -- the buddying network: every site referenced exists, and some stories use it -----------


def test_every_site_referenced_by_a_story_exists(catalogue: Catalogue) -> None:
    for story in catalogue.stories:
        for site_id in [story.meta.site, *story.meta.adopted_from]:
            if site_id is not None:
                assert site_id in catalogue.sites, f"{story.path} refers to missing site {site_id}"


def test_adopted_from_links_connect_places_to_real_vanguards(catalogue: Catalogue) -> None:
    pairs = [(s.meta.site, source) for s in _illustrative(catalogue) for source in s.meta.adopted_from]
    assert len(pairs) >= 2
    for site_id, source in pairs:
        assert site_id != source
        # A real place is credited only with a real vanguard's work; illustrative places show spread between
        # non-vanguards (both ends marked illustrative).
        adopter = catalogue.sites.get(site_id or "")
        assert catalogue.sites[source].vanguard or (
            "(illustrative)" in catalogue.sites[source].name
            and adopter is not None
            and "(illustrative)" in adopter.name
        ), f"{source} is adopted from, so it should be a vanguard with a source"


def test_every_fictional_site_has_a_story(catalogue: Catalogue) -> None:
    """The launch's fictional sites exist to hold its stories.  A real site may be listed before its story."""
    used = {s.meta.site for s in catalogue.stories}
    assert sorted(site for site in set(catalogue.sites) - used if _is_fictional_site(catalogue, site)) == []


# -- links from docs pages and stories -------------------------------------------------------


def _link_problems(catalogue: Catalogue, source: Path, text: str) -> Iterator[str]:
    slugs = {s.slug for s in catalogue.stories} | set(catalogue.withdrawn)  # a withdrawn story's page says so
    for target in _links(text):
        path = target.split("#", 1)[0]
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        if path.endswith(".md"):
            if not (source.parent / path).resolve().exists():
                yield f"{source.name}: {target} does not exist"
            continue
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["stories"] and len(parts) == 2 and parts[1] not in slugs:
            yield f"{source.name}: no story {parts[1]}"
        elif parts[:1] == ["sites"] and len(parts) == 2 and parts[1] not in catalogue.sites:
            yield f"{source.name}: no site {parts[1]}"
        elif parts[:1] == ["browse"] and len(parts) >= 2:
            facet = parts[1]
            if facet not in FACETS:
                yield f"{source.name}: {target} is not a browse facet"
            elif len(parts) >= 3:
                vocabulary = FACETS[facet]
                ids = STORY_TYPES if vocabulary is None else catalogue.vocabularies[vocabulary].ids
                if parts[2] not in ids:
                    yield f"{source.name}: {target} names no {facet}"


def test_links_in_docs_pages_point_to_things_that_exist(catalogue: Catalogue) -> None:
    problems = [p for page in _doc_pages() for p in _link_problems(catalogue, page, page.read_text(encoding="utf-8"))]
    assert problems == []


def test_links_in_illustrative_stories_point_to_things_that_exist(catalogue: Catalogue) -> None:
    """A real story's links to stories are `check`'s (CH505); these pages and facets are the launch's own."""
    stories = _illustrative(catalogue)
    problems = [p for s in stories for p in _link_problems(catalogue, ROOT / s.path, story_body(ROOT, s))]
    assert problems == []


def test_the_link_checker_catches_a_bad_link(catalogue: Catalogue) -> None:
    text = "[a](/stories/no-such-story/) [b](/browse/barrier/not-a-barrier/) [c](/sites/nowhere/) [d](gone.md)"
    assert len(list(_link_problems(catalogue, DOCS / "index.md", text))) == 4


# -- resource pages match the vocabularies ---------------------------------------------------


def test_barriers_page_links_every_barrier_listing(catalogue: Catalogue) -> None:
    text = (DOCS / "resources" / "barriers-to-spread.md").read_text(encoding="utf-8")
    for term in catalogue.vocabularies["barriers"]:
        assert f"](/browse/barrier/{term.id}/)" in text, term.id
    assert text.count("\n## ") - 1 == len(catalogue.vocabularies["barriers"].ids)  # one section each, plus Source


def test_encourage_page_has_the_ten_messages() -> None:
    text = (DOCS / "resources" / "encourage-spread.md").read_text(encoding="utf-8")
    numbers = [int(m) for m in re.findall(r"^## (\d+)\. ", text, flags=re.MULTILINE)]
    assert numbers == list(range(1, 11))


def test_evaluating_page_explains_every_evidence_level_and_status(catalogue: Catalogue) -> None:
    text = (DOCS / "resources" / "evaluating.md").read_text(encoding="utf-8")
    for vocabulary in ("evidence_levels", "statuses"):
        for term in catalogue.vocabularies[vocabulary]:
            assert f"| **{term.label}** |" in text, f"{vocabulary}: {term.label}"


def test_resource_and_about_pages_are_in_the_nav() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in ("about.md", *(f"resources/{p.name}" for p in sorted((DOCS / "resources").glob("*.md")))):
        assert page in text, page


# -- glossary ---------------------------------------------------------------------------------

# Terms and abbreviations the brief, the seeds and the site rely on.
REQUIRED_TERMS = [
    "New care models",
    "Vanguard",
    "Five Year Forward View",
    "Enhanced health in care homes",
    "Urgent and emergency care network",
    "Acute care collaboration",
    "Arm's-length bodies",
    "Information governance",
    "Commissioning",
    "Place-based",
    "Learning network",
    "Buddying",
    "Community of interest",
    "Red bag scheme",
    "Health coach",
    "Buurtzorg",
    "Logic model",
    "Evaluation",
    "Evidence level",
]
REQUIRED_ABBREVIATIONS = ["PACS", "MCP", "ACS", "ACO", "STP", "CCG", "RSS", "NHS", "GP"]


def test_glossary_entries_have_the_agreed_form() -> None:
    terms = _glossary()
    for entry in terms:
        assert set(entry) <= {"term", "abbreviation", "definition", "see_also"}, entry
        assert isinstance(entry.get("term"), str) and entry["term"].strip(), entry
        definition = entry.get("definition")
        assert isinstance(definition, str) and 20 <= len(definition) <= 400, entry["term"]
        assert definition.rstrip().endswith("."), entry["term"]
        # One word, as the site's abbreviation markup needs (carehub.check.glossary on the site branch).
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9&]{1,11}", entry.get("abbreviation", "OK")), entry["term"]
        assert isinstance(entry.get("see_also", []), list)
    names = [entry["term"] for entry in terms]
    assert names == sorted(names, key=str.lower), "keep data/glossary.yml in alphabetical order"
    assert len(set(map(str.lower, names))) == len(names), "a term is listed twice"
    abbreviations = [entry["abbreviation"] for entry in terms if "abbreviation" in entry]
    assert len(set(abbreviations)) == len(abbreviations), "an abbreviation is listed twice"


def test_glossary_see_also_points_to_other_terms() -> None:
    terms = _glossary()
    names = {entry["term"] for entry in terms}
    for entry in terms:
        for other in entry.get("see_also", []):
            assert other in names, f"{entry['term']}: see also {other!r} is not a term"
            assert other != entry["term"]


def test_glossary_covers_the_required_terms() -> None:
    terms = _glossary()
    names = {entry["term"] for entry in terms}
    abbreviations = {entry.get("abbreviation") for entry in terms}
    assert [t for t in REQUIRED_TERMS if t not in names] == []
    assert [a for a in REQUIRED_ABBREVIATIONS if a not in abbreviations] == []


def test_glossary_covers_every_evidence_level(catalogue: Catalogue) -> None:
    text = GLOSSARY.read_text(encoding="utf-8").lower()
    for term in catalogue.vocabularies["evidence_levels"]:
        assert term.label.lower() in text, term.label


def test_every_abbreviation_the_launch_content_uses_is_in_the_glossary(catalogue: Catalogue) -> None:
    """The docs pages and data files are checked here; stories by `check`, whose warning (CH225) this is."""
    known = {entry["abbreviation"] for entry in _glossary() if "abbreviation" in entry}
    unexplained: set[str] = set()
    for path in [*_doc_pages(), *sorted((ROOT / "data").rglob("*.yml"))]:
        for word in unexplained_abbreviations(path.read_text(encoding="utf-8"), known):
            unexplained.add(f"{path.relative_to(ROOT)}: {word}")
    ours = {s.path for s in catalogue.stories if s.meta.illustrative}
    unexplained |= {f"{p.file}: {p.message}" for p in catalogue.problems if p.code == "CH225" and p.file in ours}
    assert not unexplained, "add these to data/glossary.yml: " + ", ".join(sorted(unexplained))


# Upper-case words in docs pages that are not abbreviations a reader needs explained: as check's list
# (carehub.check.validate), and the product name "VS Code".
_DOCS_NOT_ABBREVIATIONS = {"VS"}


def unexplained_abbreviations(text: str, known: set[str]) -> list[str]:
    found = []
    for _, word in abbreviations_in(text):
        base = word[:-1] if word.endswith("s") and word[:-1] in known else word
        if base not in known and base not in _DOCS_NOT_ABBREVIATIONS:
            found.append(word)
    return found


# -- spread: approaches --------------------------------------------------------------------


def test_every_launch_story_names_an_approach(catalogue: Catalogue) -> None:
    """The launch content shows the field in use; `approach` stays optional for contributors."""
    assert [s.path for s in catalogue.stories if s.meta.illustrative and s.meta.approach is None] == []


def test_three_approaches_have_two_places_with_comparable_outcomes_and_a_failure(catalogue: Catalogue) -> None:
    from carehub.plan.approaches import build_approaches
    from carehub.plan.directory import build_directory

    entries = build_approaches(catalogue, build_directory(catalogue))
    rich = [
        e.id
        for e in entries.values()
        if e.failures and len({r.place for r in e.evidence.rows if any(r.cells)}) >= 2 and e.evidence.compared
    ]
    assert len(rich) >= 3, rich


def test_a_case_study_has_two_updates_that_change_its_status(catalogue: Catalogue) -> None:
    assert any(
        isinstance(s.meta, CaseStudy)
        and len(s.meta.updates) >= 2
        and len({s.meta.status, *(u.status for u in s.meta.updates)}) >= 2
        for s in catalogue.stories
    )
