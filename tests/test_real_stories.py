"""A folder of realistic, non-illustrative stories passes the pull-request path.

The stories in tests/fixtures/real-stories are written as NHS staff, vanguard
teams and patient groups write them: real-looking places, nhs.net team
mailboxes, measured outcomes with sources, a PDF download, abbreviations the
glossary lacks.  They are copied over a copy of the whole project, which then
goes through what a pull request goes through: `carehub check` with
annotations (as .github/workflows/check.yml runs it), the build, and the test
files that read the repository's own content.  A story that passes `check`
must pass all of it: no test may impose a content rule that `check` does not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT
from .html_tools import parse_file
from .sample_files import pdf

pytestmark = pytest.mark.build

REAL = FIXTURES / "real-stories"
# Everything of the project the pull-request path reads; the software itself is the installed package.
PROJECT_PARTS = ("mkdocs.yml", "pyproject.toml", "data", "docs", "overrides", "schema", "stories")
# The test files that read the repository's own stories (the rest use throwaway projects).
CONTENT_TESTS = [
    "tests/test_content.py",
    "tests/test_prose.py",
    "tests/test_schema.py",
    "tests/test_cli.py::test_repository_stories_pass_check",
    "tests/test_cli.py::test_repository_has_a_valid_story_of_each_type",
    "tests/test_story_files.py",
    "tests/test_build_basics.py::test_a_clean_build_of_the_repository_prints_only_its_summary",
]
UNEXPLAINED = {"COPD", "PRISM", "SUS", "CSU", "MDT", "DPIA", "EMIS"}  # in the extensive care story only


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False, env=env)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("real") / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy(source, root / part)
    shutil.copytree(ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    shutil.copytree(REAL / "stories", root / "stories", dirs_exist_ok=True)
    shutil.copytree(REAL / "data", root / "data", dirs_exist_ok=True)
    (root / "stories" / "resources" / "red-bag-evaluation-pack" / "evaluation-summary.pdf").write_bytes(pdf())
    return root


def _real_story_files() -> list[str]:
    return sorted(p.relative_to(REAL).as_posix() for p in (REAL / "stories").rglob("*.md"))


def test_the_folder_holds_every_kind_of_real_story() -> None:
    text = "\n".join((REAL / rel).read_text(encoding="utf-8") for rel in _real_story_files())
    for story_type in ("case-study", "patient-story", "failure", "resource"):
        assert f"type: {story_type}" in text
    assert "illustrative" not in text
    assert "@nhs.net" in text and "outcomes:" in text and ".pdf" in text


def test_check_with_annotations_passes_and_warns_only_of_abbreviations(copy: Path) -> None:
    result = _run("-m", "carehub", "check", "--format", "github", cwd=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    # What the added stories bring (the repository's own stories may carry warnings of their own, such as CH231).
    ours = tuple(f"file={rel}," for rel in _real_story_files())
    every = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert all(line.startswith("::warning ") for line in every)
    annotations = [line for line in every if any(f in line for f in ours)]
    # The Fylde Coast case study (2017, no update since) is flagged for review, naming whom to ask (CH231);
    # the Airedale one has a 2025 update, so it is not.
    stale = [line for line in annotations if "title=CH231" in line]
    assert len(stale) == 1 and "extensive-care-service-fylde-coast.md" in stale[0], stale
    assert stale[0].startswith("::warning ") and "fyldecoast.extensivecare@nhs.net" in stale[0]
    others = [line for line in annotations if line not in stale]
    assert all(line.startswith("::warning ") and "title=CH225" in line for line in others), others
    assert {re.search(r"`(\w+)`", line).group(1) for line in others} == UNEXPLAINED  # type: ignore[union-attr]


def test_every_other_real_story_passes_check_strict(copy: Path) -> None:
    others = [rel for rel in _real_story_files() if "extensive-care" not in rel]
    result = _run("-m", "carehub", "check", "--strict", *others, cwd=copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_build_publishes_every_real_story_and_the_pdf(copy: Path) -> None:
    result = _run("-m", "carehub", "build", "--quiet", cwd=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    site = copy / "site"
    for rel in _real_story_files():
        slug = Path(rel).parent.name if Path(rel).name == "index.md" else Path(rel).stem
        page = parse_file(site / "stories" / slug / "index.html")
        assert page.find("h1") is not None, slug
    page_dir = site / "stories" / "red-bag-evaluation-pack"
    hrefs = [a.attrs.get("href") or "" for a in parse_file(page_dir / "index.html").find_all("a")]
    downloads = [(page_dir / href).resolve() for href in hrefs if href.endswith("evaluation-summary.pdf")]
    assert any(path.is_file() and path.read_bytes() == pdf() for path in downloads), hrefs
    assert (site / "sites" / "airedale-wharfedale-craven" / "index.html").is_file()


def test_the_content_tests_pass_with_the_real_stories_added(copy: Path) -> None:
    result = _run("-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", *CONTENT_TESTS, cwd=copy)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _commit(repo: Path, rel: str, env: dict[str, str]) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(rel, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", rel], cwd=repo, check=True, env=env)


@pytest.mark.parametrize(
    ("changed", "event", "software"),
    [
        ("stories/case-studies/new.md", "pull_request", "false"),
        ("data/sites/new-site.yml", "pull_request", "false"),
        ("data/vocabularies.yml", "pull_request", "true"),
        ("src/carehub/cli.py", "pull_request", "true"),
        ("stories/case-studies/new.md", "push", "true"),
    ],
)
def test_the_test_suite_runs_when_a_pull_request_changes_the_software(
    tmp_path: Path, changed: str, event: str, software: str
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    _commit(repo, "README.md", env)
    _commit(repo, changed, env)
    output = tmp_path / "output"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "software-changed"), event],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**env, "GITHUB_OUTPUT": str(output)},
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == f"software={software}\n"
