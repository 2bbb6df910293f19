"""Load everything a build or a check needs: vocabularies, sites and stories.

Walks ``stories/``, checks each story file (filecheck.py), and then checks what only the whole collection can show: two
files with the same slug, links to stories that do not exist, images that are
missing, symbolic links that leave the repository.  Every other file there is
checked against the allow-list of file types (storyfiles.other_file_problems),
and the catalogue lists those the build may publish (``Catalogue.assets``).  Returns frozen
:class:`Story` objects and every problem; it never raises for bad content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from carehub.check import approaches as approach_file
from carehub.check import storyassets, vocabularies, withdrawals
from carehub.check.filecheck import CheckContext, Keep, Story, check_files, story_body
from carehub.check.glossary import Glossary, load_glossary
from carehub.check.model import Approach, Site
from carehub.problems import Problem, sort_problems
from carehub.read.datafile import read_data_path
from carehub.read.sourcetext import SourceLines
from carehub.read.storyfiles import (
    DATA_DIR,
    SLUG_RE,
    STORIES_DIR,
    collisions,
    other_file_problems,
    select,
    select_others,
    slug_of,
    suggest_slug,
    walk,
)
from carehub.read.yamlreader import Rejected

__all__ = ["STORIES_DIR", "Catalogue", "Story", "load_catalogue", "load_sites", "story_body"]


@dataclass(frozen=True)
class Catalogue:
    root: Path
    vocabularies: vocabularies.Vocabularies
    sites: dict[str, Site]
    stories: tuple[Story, ...]  # newest first, then by slug: the order of every listing
    problems: tuple[Problem, ...] = ()
    checked: int = 0
    # The lines to quote under each file's problems, read again from the file when asked (sourcetext.SourceLines).
    sources: Mapping[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    glossary: Glossary = field(default_factory=lambda: Glossary(()))
    # Slugs withdrawn at their tellers' request (data/withdrawn.yml) and the dates: no story file with one is in
    # ``stories``, and each address serves a page saying the story was withdrawn.
    withdrawn: dict[str, dt.date] = field(default_factory=dict)
    # The files under stories/ besides stories that may be published (images, downloads), relative to the root
    # with forward slashes: the build publishes exactly these (storyfiles.other_file_problems checked them).
    assets: tuple[str, ...] = ()
    # data/approaches.yml, in the file's order: what stories name in `approach` (check/approaches.py).
    approaches: dict[str, Approach] = field(default_factory=dict)
    # The day the stories were checked on: what dates were compared with (the "not reviewed since" notice too).
    today: dt.date | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


# Site pages are /sites/<id>/; these addresses are the directory's own pages (plan/directory.py).
RESERVED_SITE_IDS = frozenset({"offers"})


def load_sites(root: Path, vocab: vocabularies.Vocabularies) -> tuple[dict[str, Site], list[Problem]]:
    """The sites in data/sites/ (one file each, named by its id) and their problems (CH600 at the line)."""
    sites: dict[str, Site] = {}
    problems: list[Problem] = []
    directory = root / DATA_DIR / "sites"
    if not directory.is_dir():
        return sites, problems
    for path in sorted(directory.glob("*.yml")):
        rel = path.relative_to(root).as_posix()
        site_id = path.stem
        if not SLUG_RE.match(site_id):
            problems.append(
                Problem.error(
                    rel,
                    0,
                    0,
                    "CH501",
                    f"`{site_id}` is not a valid site id.",
                    f"Rename the file to `{suggest_slug(site_id)}.yml`.",
                )
            )
            continue
        if site_id in RESERVED_SITE_IDS:  # its page would be the address of a list of sites
            problems.append(
                Problem.error(
                    rel,
                    0,
                    0,
                    "CH501",
                    f"`{site_id}` cannot be a site id: /sites/{site_id}/ is the hub's list of what sites offer.",
                    f"Rename the file to the site's own name, such as `{site_id}-partnership.yml`.",
                )
            )
            continue
        document, read_problems = read_data_path(path, rel)
        problems.extend(read_problems)
        if document is None:
            continue
        try:
            sites[site_id] = Site.model_validate(document.data, context={"vocabularies": vocab})
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                if isinstance(detail.get("input"), Rejected):
                    continue  # the reader has reported it, at its line
                loc = tuple(detail["loc"])
                position = document.positions.get(loc)
                problems.append(
                    Problem.error(
                        rel,
                        position.line if position else 0,
                        position.column if position else 0,
                        "CH600",
                        f"`{'.'.join(str(p) for p in loc)}`: {detail['msg']}.",
                        "Fix the value in this site's file. schema/site.schema.json says what each field may hold, "
                        "and an editor set up as /contribute/editors/ describes shows it as you type.",
                    )
                )
    return sites, problems


def load_catalogue(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    today: dt.date | None = None,
    jobs: int = 1,
    keep_stories: bool = True,
    review: bool = True,
) -> Catalogue:
    """Load and check the project at ``root`` (only ``paths``, if given) as on ``today`` (the real date if None).

    ``keep_stories=False`` is for `carehub check`, which needs only the problems:
    ``stories`` is then empty, and parallel workers do not send every story back.  ``review``: also warn of
    case studies not reviewed for two years (CH231; `carehub check --no-review` turns it off), as their pages say.
    """
    root = root.resolve()
    today = today or dt.date.today()
    vocab, problems = vocabularies.load(root / DATA_DIR / "vocabularies.yml", root)
    sites, site_problems = load_sites(root, vocab)
    problems.extend(site_problems)
    approaches, approach_problems = approach_file.load_approaches(root, vocab)
    problems.extend(approach_problems)
    problems.extend(approach_file.offer_problems(approaches, sites, vocab, root))
    # The glossary is a data file like the others: `check` reports its problems too, not only `build`.
    glossary, glossary_problems = load_glossary(root)
    problems.extend(glossary_problems)
    withdrawn, withdrawn_problems = withdrawals.load(root, today)
    problems.extend(withdrawn_problems)
    problems.extend(withdrawals.page_links(root, withdrawn))
    all_names, all_others = walk(root)
    if paths is None:
        asked, others = [Path(name) for name in all_names], all_others
    else:
        asked, others = select(paths, root, all_names, all_others), select_others(paths, all_others)
    # Withdrawal wins: a file whose slug is withdrawn is not read, so nothing in it can fail the build (CH511).
    kept, set_aside = withdrawals.set_aside([str(path) for path in asked], withdrawn, root)
    problems.extend(set_aside)
    files = [Path(name) for name in kept]
    slugs = [slug_of(name) for name in all_names]
    abbreviations = frozenset(glossary.abbreviations())
    ctx = CheckContext(
        root,
        vocab,
        frozenset(sites),
        today,
        frozenset(slugs),
        frozenset(withdrawn),
        abbreviations,
        frozenset(approaches),
        review,
    )
    results = check_files([(path, None) for path in files], ctx, jobs, Keep(stories=keep_stories))
    stories: list[Story] = []
    quoted: set[str] = set()  # files with problems and lines to quote (not those unread or not UTF-8)
    for result in results:
        problems.extend(result.problems)
        if result.problems and result.lines:
            quoted.add(result.problems[0].file)
        if result.story is not None:
            stories.append(result.story)
    problems.extend(collisions(files, all_names, slugs, root))
    assets, file_problems, files_checked = other_file_problems(others, root)
    problems.extend(file_problems)
    # Only the files a published story names are published (CH512); never a withdrawn story's (CH513).
    kept_set = set(kept)
    assets, asset_problems = storyassets.select_assets(
        assets,
        {result.rel: result.references for result in results},
        root,
        [Path(name).relative_to(root).as_posix() for name in map(str, asked) if name not in kept_set],
        whole_tree=paths is None,
    )
    problems.extend(asset_problems)
    stories.sort(key=lambda s: (-s.meta.date.toordinal(), s.slug))
    problems.extend(approach_file.adoption_problems(stories, root))
    return Catalogue(
        root,
        vocab,
        sites,
        tuple(stories),
        tuple(sort_problems(problems)),
        len(asked) + files_checked,
        SourceLines(root, frozenset(quoted)),  # read again only to print them: not held while a site builds
        glossary,
        withdrawn,
        tuple(assets),
        approaches,
        today,
    )
