"""The `carehub` command: exit codes, output formats and the repository's own stories."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from carehub.check import docpages
from carehub.cli import main

from .conftest import FIXTURES, ROOT

VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carehub", *args], cwd=cwd or ROOT, capture_output=True, text=True, check=False
    )


def test_repository_stories_pass_check() -> None:
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout or " 0 errors" in result.stdout  # warnings never fail it


def test_repository_has_a_valid_story_of_each_type(tmp_path: Path) -> None:
    result = run("check", "--format", "json")
    assert [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"] == []
    text = "\n".join(p.read_text() for p in (ROOT / "stories").rglob("*.md") if not p.name.startswith("_"))
    for story_type in ("patient-story", "failure", "case-study", "resource"):
        assert f"type: {story_type}" in text


def test_json_output_lists_every_problem_with_relative_paths(project: Callable[..., Path]) -> None:
    root = project(
        {
            "a/broken.md": VALID.replace("region: london", "region: Londn"),
            "b/also-broken.md": VALID.replace("date: 2025-02-16", "date: 2017-02-30"),
            "fine.md": VALID,
        }
    )
    result = run("--root", str(root), "check", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["checked"] == 3 + len(docpages.page_files(root / "docs"))  # the stories and the docs pages
    assert [(p["file"], p["line"], p["code"]) for p in report["problems"]] == [
        ("stories/a/broken.md", 9, "CH203"),
        ("stories/b/also-broken.md", 5, "CH110"),
    ]
    for problem in report["problems"]:
        assert set(problem) == {"file", "line", "column", "code", "severity", "message", "hint"}
        assert problem["hint"]


def test_github_format_prints_annotations(project: Callable[..., Path]) -> None:
    root = project({"broken.md": VALID.replace("region: london", "region: Londn")})
    result = run("--root", str(root), "check", "--format", "github")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=stories/broken.md,line=9,col=9,title=CH203")
    assert "Did you mean `london`?" in first


def test_warnings_do_not_fail_unless_strict(project: Callable[..., Path]) -> None:
    root = project(
        {"dup.md": VALID.replace("tags: [red-bag-scheme, hospital-discharge]", "tags: [buddying, buddying]")}
    )
    assert run("--root", str(root), "check").returncode == 0
    assert run("--root", str(root), "check", "--strict").returncode == 1


def test_check_a_single_path_still_knows_other_slugs(project: Callable[..., Path]) -> None:
    linking = VALID + "\nSee [the other one](/stories/other/).\n"
    root = project({"one.md": linking, "other.md": VALID.replace("red bag scheme", "blue bag scheme")})
    result = run("--root", str(root), "check", str(root / "stories" / "one.md"), "--format", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["checked"] == 1


def test_slug_collisions_are_reported_on_both_files(project: Callable[..., Path]) -> None:
    root = project({"a.md": VALID, "a/index.md": VALID, "x/b.md": VALID, "y/b.md": VALID})
    result = run("--root", str(root), "check", "--format", "json")
    collisions = sorted(p["file"] for p in json.loads(result.stdout)["problems"] if p["code"] == "CH500")
    assert collisions == ["stories/a.md", "stories/a/index.md", "stories/x/b.md", "stories/y/b.md"]


def test_a_one_file_check_reports_its_collision_with_a_file_not_asked_about(project: Callable[..., Path]) -> None:
    root = project({"x/b.md": VALID, "y/b.md": VALID, "c.md": VALID, "z/c.md": VALID})
    result = run("--root", str(root), "check", str(root / "stories" / "x" / "b.md"), "--format", "json")
    problems = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "CH500"]
    assert [p["file"] for p in problems] == ["stories/x/b.md"]
    assert "stories/y/b.md" in problems[0]["message"]


def test_symlink_leaving_the_repository_is_rejected(project: Callable[..., Path], tmp_path: Path) -> None:
    root = project({"fine.md": VALID})
    outside = tmp_path / "outside.md"
    outside.write_text(VALID)
    (root / "stories" / "sneaky.md").symlink_to(outside)
    result = run("--root", str(root), "check", "--format", "json")
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["CH502"]


def test_oversized_file_is_rejected(project: Callable[..., Path]) -> None:
    root = project({"huge.md": VALID + ("Words and more words. " * 20000)})
    result = run("--root", str(root), "check", "--format", "json")
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["CH503"]


@pytest.mark.parametrize("argv", [["check", "--format", "xml"], ["frobnicate"], []])
def test_usage_errors_exit_2_without_traceback(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_missing_path_is_a_usage_error() -> None:
    result = run("check", "stories/no-such-file.md")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "mkdocs.yml" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_glossary_problems(project: Callable[..., Path]) -> None:
    root = project({"fine.md": VALID})
    glossary = root / "data" / "glossary.yml"
    glossary.write_text(
        "terms:\n"
        "  - term: Vanguard\n"
        "    definition: One of the fifty sites chosen in 2015 to lead the new care models.\n"
        "  - term: Lonely term without a definition\n"
    )
    result = run("--root", str(root), "check", "--format", "json")
    assert result.returncode == 1
    problems = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert [(p["file"], p["line"], p["code"]) for p in problems] == [("data/glossary.yml", 4, "CH600")]
