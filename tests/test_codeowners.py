"""`.github/CODEOWNERS`: a pull request that touches the software asks a maintainer, a story asks content reviewers.

GitHub reads CODEOWNERS with gitignore's pattern rules, the last matching line winning; pathspec (MkDocs'
own dependency) implements those rules, so the test asks it, line by line, the way GitHub does.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest
from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.basic import GitIgnoreBasicPattern

ROOT = Path(__file__).resolve().parents[1]
CODEOWNERS = ROOT / ".github" / "CODEOWNERS"
MAINTAINERS = "@carehub/maintainers"
CONTENT = "@carehub/content-reviewers"
_TEAM = re.compile(r"^@[A-Za-z0-9-]+/[A-Za-z0-9_-]+$")


@functools.cache
def _rules() -> list[tuple[str, GitIgnoreBasicPattern, tuple[str, ...]]]:
    rules = []
    for line in CODEOWNERS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, *owners = line.split()
        rules.append((pattern, GitIgnoreBasicPattern(pattern), tuple(owners)))
    return rules


def owners_of(path: str) -> tuple[str, ...]:
    """The owners GitHub requests for ``path`` (relative, forward slashes): the last matching rule's."""
    found: tuple[str, ...] = ()
    for _, pattern, owners in _rules():
        if pattern.match_file(path):
            found = owners
    return found


def expected_owner(path: str) -> str:
    if path.startswith("stories/_templates/"):
        return MAINTAINERS  # generated from the content model
    if path.startswith(("stories/", "data/sites/")):
        return CONTENT
    return MAINTAINERS


def repository_files() -> list[str]:
    """Every file in the working tree that git would track (.gitignore applied), without asking git."""
    ignored = GitIgnoreSpec.from_lines((ROOT / ".gitignore").read_text(encoding="utf-8").splitlines())
    found = []
    for current, folders, files in os.walk(ROOT):
        rel_dir = Path(current).relative_to(ROOT).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        folders[:] = [f for f in folders if f != ".git" and not ignored.match_file(prefix + f + "/")]
        found.extend(prefix + f for f in files if not ignored.match_file(prefix + f))
    return sorted(found)


def test_the_catch_all_comes_first_so_every_other_rule_can_override_it() -> None:
    rules = _rules()
    assert rules[0][0] == "*" and rules[0][2] == (MAINTAINERS,)
    assert all(pattern != "*" for pattern, _, _ in rules[1:])


def test_every_rule_is_syntax_github_understands() -> None:
    for pattern, _, owners in _rules():
        assert owners, f"{pattern}: no owner (GitHub would then require no review for it)"
        assert all(_TEAM.match(owner) for owner in owners), f"{pattern}: {owners} are not @org/team names"
        # CODEOWNERS has no negation and no character ranges, unlike .gitignore.
        assert not pattern.startswith("!") and "[" not in pattern, pattern


def test_every_file_in_the_repository_has_the_right_owner() -> None:
    files = repository_files()
    assert ".github/CODEOWNERS" in files and "mkdocs.yml" in files, "the walk missed the repository"
    wrong = [
        f"{path}: {owners_of(path)}, expected {expected_owner(path)}"
        for path in files
        if owners_of(path) != (expected_owner(path),)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("stories/case-studies/red-bag-scheme-sutton.md", CONTENT),
        ("stories/case-studies/red-bag-scheme-sutton/discharge-pathway.pdf", CONTENT),
        ("stories/patient-stories/new-folder/photo.png", CONTENT),
        ("data/sites/sutton-homes-of-care.yml", CONTENT),
        ("data/vocabularies.yml", MAINTAINERS),
        ("data/glossary.yml", MAINTAINERS),
        ("data/withdrawn.yml", MAINTAINERS),
        ("stories/_templates/case-study.md", MAINTAINERS),
        ("src/carehub/plugin.py", MAINTAINERS),
        ("src/carehub/assets/share.js", MAINTAINERS),
        (".github/workflows/check.yml", MAINTAINERS),
        (".github/CODEOWNERS", MAINTAINERS),
        (".ci/run", MAINTAINERS),
        ("overrides/base.html", MAINTAINERS),
        ("docs/contribute/share.md", MAINTAINERS),
        ("mkdocs.yml", MAINTAINERS),
        ("pyproject.toml", MAINTAINERS),
        ("requirements/runtime.lock", MAINTAINERS),
        ("scripts/build", MAINTAINERS),
        ("tests/test_cli.py", MAINTAINERS),
        ("a-new-top-level-file.txt", MAINTAINERS),
        ("new-folder/stories/evil.html", MAINTAINERS),  # only the top-level stories/ is content
        ("docs/stories/evil.md", MAINTAINERS),
    ],
)
def test_paths_a_pull_request_may_touch(path: str, owner: str) -> None:
    assert owners_of(path) == (owner,)
