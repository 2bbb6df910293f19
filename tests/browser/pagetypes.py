"""The page types the public-site gates must cover, and where each lives in a built site.

The table is the contract between issue 4 (the site) and issue 8 (the gates):
every page type in the table must exist in every build, and a missing one fails the
gates with a message naming the page type and the path it was looked for at
(URLs are the shared decisions in HELPERS.md).  Page types whose URL depends on
content (a story of each type, a listing per facet, a site page) are found from
the catalogue, so the gates follow the repository's own stories.

PENDING lists page types main does not have yet (issue 4 is landing them):
their gates run as xfail(strict=True), so the day a page lands its gates
XPASS and fail the run until its name is removed from PENDING.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from carehub.check.catalogue import Catalogue, Story, story_body

# Facet in the URL -> story field it reads (see "Shared decisions" in HELPERS.md).
FACETS: dict[str, str] = {
    "type": "type",
    "care-model": "care_models",
    "setting": "settings",
    "region": "region",
    "barrier": "barriers",
    "tag": "tags",
}
STORY_TYPES = ("patient-story", "failure", "case-study", "resource")
# The widths every page type is judged at, in CSS pixels: a desktop window and a small phone.
WIDTHS = {"desktop": 1280, "mobile": 375}


class NotInContent(LookupError):
    """The repository's content has nothing to show on this page type (say, no story of a type)."""


def facet_values(story: Story, facet: str) -> list[str]:
    value = getattr(story.meta, FACETS[facet])
    return list(value) if isinstance(value, list | tuple) else [value]


def stories_with(catalogue: Catalogue, facet: str, value: str) -> list[Story]:
    """The stories a listing /browse/<facet>/<value>/ must show, newest first."""
    return [s for s in catalogue.stories if value in facet_values(s, facet)]


def _first_story(catalogue: Catalogue, story_type: str) -> str:
    for story in catalogue.stories:
        if story.meta.type == story_type:
            return f"stories/{story.slug}/"
    raise NotInContent(f"the repository has no story of type {story_type!r}")


def _first_value(catalogue: Catalogue, facet: str) -> str:
    for story in catalogue.stories:
        values = facet_values(story, facet)
        if values:
            return f"browse/{facet}/{values[0]}/"
    raise NotInContent(f"no story has a value for the facet {facet!r}")


def _first_site(catalogue: Catalogue) -> str:
    if not catalogue.sites:
        raise NotInContent("data/sites/ holds no site")
    return f"sites/{sorted(catalogue.sites)[0]}/"


def _first_approach(catalogue: Catalogue) -> str:
    """The approach with the most stories (its page has every section filled)."""
    named = [s.meta.approach for s in catalogue.stories if s.meta.approach in catalogue.approaches]
    if not named:
        raise NotInContent("no story names an approach in data/approaches.yml")
    return f"approaches/{max(dict.fromkeys(named), key=named.count)}/"


def _story_with_updates(catalogue: Catalogue) -> str:
    for story in catalogue.stories:
        if getattr(story.meta, "updates", None):
            return f"stories/{story.slug}/"
    raise NotInContent("no case study has updates (a timeline)")


def _first_matrix_cell(catalogue: Catalogue) -> str:
    from carehub.plan.approaches import build_matrices

    for matrix in build_matrices(catalogue):
        for cell in matrix.cells:
            if cell.url:
                return cell.url
    raise NotInContent("no failure write-up or case study names a barrier")


def _first_offer(catalogue: Catalogue) -> str:
    offers = sorted({topic for site in catalogue.sites.values() for topic in site.offers})
    if not offers:
        raise NotInContent("no site in data/sites/ lists `offers`")
    return f"sites/offers/{offers[0]}/"


def _fixed(path: str) -> Callable[[Catalogue], str]:
    return lambda _catalogue: path


@dataclass(frozen=True)
class PageType:
    name: str
    what: str
    locate: Callable[[Catalogue], str]  # site-relative path: "" for home, "stories/<slug>/", "404.html"
    searches: bool = False  # the page shows search results once a query has been run


_ALL: tuple[PageType, ...] = (
    PageType("home", "the home page", _fixed("")),
    *(
        PageType(f"story-{t}", f"a {t.replace('-', ' ')} page", lambda c, t=t: _first_story(c, t))  # type: ignore[misc]
        for t in STORY_TYPES
    ),
    *(
        PageType(f"listing-{f}", f"a listing of stories by {f.replace('-', ' ')}", lambda c, f=f: _first_value(c, f))  # type: ignore[misc]
        for f in FACETS
    ),
    PageType("facet-index", "the index of one facet's values", _fixed("browse/care-model/")),
    PageType("all-stories", "all stories, with filters", _fixed("stories/")),
    PageType("sites", "the sites directory", _fixed("sites/")),
    PageType("site", "a site's page", _first_site),
    PageType("regions", "the region map", _fixed("regions/")),
    PageType("approaches", "the list of approaches", _fixed("approaches/")),
    PageType("approach", "an approach's page", _first_approach),
    PageType("story-timeline", "a case study with updates (a timeline)", _story_with_updates),
    PageType("barrier-matrix", "the barrier matrix", _fixed("browse/barrier-matrix/")),
    PageType("barrier-matrix-cell", "the stories of one barrier-matrix cell", _first_matrix_cell),
    PageType("sites-offering", "the sites that offer one approach or topic", _first_offer),
    PageType("glossary", "the glossary", _fixed("glossary/")),
    PageType("search", "search results", _fixed("search/"), searches=True),
    PageType("share", "the share-your-story form", _fixed("contribute/share/")),
    PageType("subscribe", "the subscribe page", _fixed("subscribe/")),
    PageType("not-found", "the page-not-found page", _fixed("404.html")),
)

# Not built yet on main; their gates run as xfail(strict=True) until they land.  Every page type is on
# main now: add a name here only while its page is being built, and take it out when it lands.
PENDING: frozenset[str] = frozenset()
BY_NAME: dict[str, PageType] = {p.name: p for p in _ALL}
ALL: tuple[PageType, ...] = _ALL


def not_built_yet(*names: str) -> list[pytest.MarkDecorator]:
    """xfail(strict) while any of these page types is PENDING: the gate passing means the page has landed,
    and the strict XPASS says so, so the name must then leave PENDING (and the gate holds from then on)."""
    missing = sorted(n for n in names if n in PENDING)
    if not missing:
        return []
    return [pytest.mark.xfail(strict=True, reason=f"page type not built yet on main (issue 4): {', '.join(missing)}")]


def params_at_widths(page_types: Iterable[PageType] = _ALL) -> list[Any]:
    """pytest parameters for ("page_type", "width"): every page type at every width, named "<page type>-<width>px"
    (say "home-375px"), the PENDING ones marked xfail(strict)."""
    return [
        pytest.param(p, width, id=f"{p.name}-{width}px", marks=not_built_yet(p.name))
        for p in page_types
        for width in WIDTHS.values()
    ]


def file_for(site_dir: Path, path: str) -> Path:
    """The file a directory URL is served from."""
    return site_dir / path / "index.html" if path == "" or path.endswith("/") else site_dir / path


def locate(page_type: PageType, catalogue: Catalogue, site_dir: Path) -> str:
    """The page type's site-relative path, or an AssertionError saying exactly what is missing."""
    try:
        path = page_type.locate(catalogue)
    except NotInContent as error:
        raise AssertionError(f"page type {page_type.name!r} ({page_type.what}) cannot be found: {error}") from None
    if not file_for(site_dir, path).is_file():
        raise AssertionError(
            f"page type {page_type.name!r} ({page_type.what}) is missing from the built site: "
            f"expected /{path} (file {file_for(site_dir, path).relative_to(site_dir)})"
        )
    return path


_WORD = re.compile(r"[A-Za-z]{8,}")


def _words(texts: Iterable[str]) -> set[str]:
    return {w.lower() for text in texts for w in _WORD.findall(text)}


def unique_word(catalogue: Catalogue, root: Path) -> tuple[str, Story]:
    """A word in exactly one story's body, and that story: the search gate looks for it.

    To survive stemming, no other story, hand-written page or data file may
    contain any word sharing its first letters.  Chosen deterministically.
    """
    others_text = [
        p.read_text(encoding="utf-8") for pattern in ("docs/**/*.md", "data/**/*.yml") for p in root.glob(pattern)
    ]
    for story in catalogue.stories:
        other_stories = [s for s in catalogue.stories if s is not story]
        elsewhere = _words(others_text) | _words(
            [story_body(root, s) + " " + s.meta.model_dump_json() for s in other_stories]
            + [story.meta.title, story.meta.summary]  # listings show these: the story page must be the one match
        )
        prefixes = {w[:6] for w in elsewhere}
        candidates = sorted(w for w in _words([story_body(root, story)]) if w[:6] not in prefixes)
        if candidates:
            return candidates[0], story
    raise NotInContent("no story has a word of eight letters or more that no other page uses")
