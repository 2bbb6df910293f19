"""The cache of `carehub check` (.cache/carehub/check/): the same answers as a cold check, and never a stale one.

Each test changes one input a story's results depend on (its bytes, the vocabularies, the sites, the
glossary, other stories, files it points at, today's date, the checker's own code) and checks that the
cached run reports exactly what a check without the cache reports, and rechecks what it must.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from carehub_bench.corpus import generate_corpus

from carehub.check import checkcache, checker, docpages
from carehub.check.checker import GLOSSARY_FILE, SITES_DIR, VOCABULARIES_FILE, Report, check_project
from carehub.check.glossary import GLOSSARY_FILE as GLOSSARY_READ
from carehub.cli import main
from carehub.problems import Problem

from . import sample_files
from .conftest import FIXTURES, TODAY, make_project

VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()
OTHER = (
    VALID.replace("red bag scheme", "blue bag scheme")
    .replace("site: sutton-homes-of-care\n", "")
    .replace("tags: [red-bag-scheme, hospital-discharge]", "tags: [hospital-discharge]")
)


def cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    """`carehub --root ROOT check ARGS` in this process: its exit code and what it printed."""
    code = main(["--root", str(root), "check", *args])
    return code, capsys.readouterr().out


def same_as_cold(root: Path, paths: list[Path] | None = None, jobs: int = 1, today: dt.date = TODAY) -> Report:
    """A cached check, after asserting that it reports exactly what a check without the cache reports."""
    cached = check_project(root, paths, jobs=jobs, today=today)
    cold = check_project(root, paths, jobs=jobs, cache=False, today=today)
    assert cached.problems == cold.problems
    assert cached.checked == cold.checked
    assert cached.sources == cold.sources
    return cached


def codes(report: Report) -> list[tuple[str, str]]:
    return [(p.file, p.code) for p in report.problems]


def fixture_project(tmp_path: Path) -> Path:
    """Every fixture story (valid and invalid, and the files beside them) in one project."""
    root = make_project(tmp_path)
    for kind in ("valid", "invalid"):
        shutil.copytree(
            FIXTURES / "stories" / kind, root / "stories" / kind, ignore=shutil.ignore_patterns("*.expected")
        )
    return root


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_cached_runs_print_what_a_cold_run_prints_for_every_fixture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    root = fixture_project(tmp_path)
    cold = cli(capsys, root, "--format", output, "--no-cache")
    assert not (root / ".cache").exists(), "--no-cache must write nothing"
    assert cold[0] == 1 and cold[1].count("CH") > 40  # the invalid fixtures fail, with their problems
    first = cli(capsys, root, "--format", output)  # fills the cache
    assert (root / checkcache.CACHE_DIR / checkcache.DATA_FILE).is_file()
    second = cli(capsys, root, "--format", output)  # from the cache
    assert first == cold
    assert second == cold
    assert check_project(root).rechecked == 0


def test_a_generated_corpus_with_problems_checks_the_same_in_parallel(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    paths = generate_corpus(root, 240, seed=5)
    paths[0].write_text(paths[0].read_text().replace("\n---\n", "\n---\n\nSee [gone](/stories/no-such-story/).\n", 1))
    paths[1].write_text(paths[1].read_text().replace("region: ", "region: x", 1))
    paths[2].write_text(paths[2].read_text().replace("\n---\n", "\n---\n\nCall 020 7946 0123.\n", 1))
    shutil.copy(paths[3], paths[3].with_name("copy-" + paths[3].name))  # a file with its own slug, same text
    shutil.copy(paths[4], paths[5].parent.parent / paths[4].name)  # another file with paths[4]'s slug
    first = same_as_cold(root, jobs=2)
    assert first.rechecked == 242  # the stories; docs pages (docpages.py) are checked on every run
    assert first.checked == 242 + len(docpages.page_files(root / "docs"))
    assert {code for _, code in codes(first)} >= {"CH505", "CH203", "CH302", "CH500"}
    second = same_as_cold(root, jobs=2)
    assert second.rechecked == 0
    assert second.problems == first.problems


def test_editing_a_story_rechecks_only_that_story(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER})
    assert same_as_cold(root).rechecked == 2
    assert same_as_cold(root).rechecked == 0
    (root / "stories" / "a.md").write_text(VALID.replace("region: london", "region: londn"))
    report = same_as_cold(root)
    assert report.rechecked == 1
    assert codes(report) == [("stories/a.md", "CH203")]
    assert "region: londn" in report.sources["stories/a.md"][8]


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID})
    story = root / "stories" / "a.md"
    time.sleep(1.1)  # settled: the cache keeps its size and times, and trusts them next time
    assert same_as_cold(root).problems == ()
    before = story.stat()
    story.write_text(VALID.replace("region: london", "region: lonXon"))  # the same number of bytes
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert story.stat().st_size == before.st_size and story.stat().st_mtime_ns == before.st_mtime_ns
    report = same_as_cold(root)  # the change time (ctime) still differs, and no one can set it back
    assert codes(report) == [("stories/a.md", "CH203")]
    story.write_text(VALID.replace("region: london", "region: lonYon"))  # at once: within the same second
    assert "lonYon" in same_as_cold(root).sources["stories/a.md"][8]


def test_files_untouched_since_the_cache_was_written_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER})
    same_as_cold(root)
    # Files changed within a second of the cache being written are read again (git's "racily clean" rule);
    # once they have settled, the next run writes the cache again and the one after reads nothing.
    time.sleep(1.1)
    same_as_cold(root)
    read: list[str] = []
    original = checker._Run._read

    def counting(self: checker._Run, name: str, rel: str) -> tuple[bytes | None, list[Problem]]:
        read.append(rel)
        return original(self, name, rel)

    monkeypatch.setattr(checker._Run, "_read", counting)
    assert check_project(root).problems == ()
    assert read == []
    os.utime(root / "stories" / "b.md")  # touched now: read and hashed, still from the cache
    report = check_project(root)
    assert read == ["stories/b.md"]
    assert report.rechecked == 0


def test_a_vocabulary_change_rechecks_every_story(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER})
    same_as_cold(root)
    vocab = root / VOCABULARIES_FILE
    vocab.write_text(vocab.read_text().replace("  - id: red-bag-scheme\n", "  - id: red-bag-schemes\n"))
    report = same_as_cold(root)
    assert report.rechecked == 2
    assert codes(report) == [("stories/a.md", "CH203")]


def test_sites_decide_which_site_ids_a_story_may_use(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER})
    same_as_cold(root)
    site = root / SITES_DIR / "sutton-homes-of-care.yml"
    text = site.read_text()
    # A new summary: the site's own problems are read again; the stories are not.
    site.write_text(text.replace("summary: ", "summary: Renamed. ", 1))
    assert same_as_cold(root).rechecked == 0
    # An invalid site is not a site stories may name.
    site.write_text(text.replace("region: ", "region: nowhere-", 1))
    report = same_as_cold(root)
    assert report.rechecked == 2
    assert codes(report) == [("data/sites/sutton-homes-of-care.yml", "CH600"), ("stories/a.md", "CH211")]
    site.unlink()
    assert codes(same_as_cold(root)) == [("stories/a.md", "CH211")]
    site.write_text(text)
    assert same_as_cold(root).problems == ()


def test_the_glossary_is_checked_again_when_it_changes(tmp_path: Path) -> None:
    assert GLOSSARY_FILE == GLOSSARY_READ
    root = make_project(tmp_path, {"a.md": VALID})
    same_as_cold(root)
    glossary = root / GLOSSARY_FILE
    glossary.write_text(glossary.read_text() + "- term: Orphan\n")
    report = same_as_cold(root)
    assert report.rechecked == 1  # a story's abbreviation warnings (CH225) depend on the glossary
    assert [code for file, code in codes(report) if file == GLOSSARY_FILE] != []


def test_deleting_or_renaming_a_story_breaks_links_to_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    linking = VALID + "\nSee [the other one](/stories/other/).\n"
    root = make_project(tmp_path, {"one.md": linking, "other.md": OTHER})
    assert same_as_cold(root).problems == ()
    (root / "stories" / "other.md").rename(root / "stories" / "renamed.md")
    report = same_as_cold(root)
    assert report.rechecked == 1  # the renamed file; one.md comes from the cache, its link looked up again
    assert codes(report) == [("stories/one.md", "CH505")]
    code, out = cli(capsys, root)
    assert code == 1 and "See [the other one](/stories/other/)." in out  # the line is quoted
    (root / "stories" / "renamed.md").unlink()
    assert codes(same_as_cold(root)) == [("stories/one.md", "CH505")]
    (root / "stories" / "other.md").write_text(OTHER)
    assert same_as_cold(root).problems == ()


def test_a_missing_image_is_noticed_without_the_story_changing(tmp_path: Path) -> None:
    story = VALID.replace("buddy_contact:", "image:\n  src: photo.png\n  alt: A red bag\nbuddy_contact:")
    root = make_project(tmp_path, {"a.md": story + "\n![Chart](chart.png)\n"})
    (root / "stories" / "photo.png").write_bytes(sample_files.png())
    (root / "stories" / "chart.png").write_bytes(sample_files.png())
    assert same_as_cold(root).problems == ()
    (root / "stories" / "photo.png").unlink()
    (root / "stories" / "chart.png").unlink()
    report = same_as_cold(root)
    assert report.rechecked == 0
    assert codes(report) == [("stories/a.md", "CH504"), ("stories/a.md", "CH504")]


def test_a_story_dated_in_the_future_is_checked_again_as_today_passes(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID.replace("date: 2025-02-16", "date: 2026-12-01"), "b.md": OTHER})
    assert codes(same_as_cold(root)) == [("stories/a.md", "CH206")]
    # still in the future: nothing to check again
    report = same_as_cold(root, today=dt.date(2026, 11, 30))
    assert report.rechecked == 0 and codes(report) == [("stories/a.md", "CH206")]
    report = same_as_cold(root, today=dt.date(2026, 12, 1))
    assert report.rechecked == 1 and report.problems == ()
    assert same_as_cold(root, today=dt.date(2026, 12, 31)).rechecked == 0  # no date has passed since
    # before b.md's date too
    assert codes(same_as_cold(root, today=dt.date(2025, 2, 15))) == [
        ("stories/a.md", "CH206"),
        ("stories/b.md", "CH206"),
    ]


def test_a_new_checker_version_rechecks_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER})
    same_as_cold(root)
    assert same_as_cold(root).rechecked == 0
    monkeypatch.setattr(checkcache, "checker_version", lambda: "another version")
    assert same_as_cold(root).rechecked == 2


def test_editing_the_checkers_source_changes_its_version(tmp_path: Path) -> None:
    """Any module of the package counts, in any stage's folder: the reader decides what a check sees."""
    package = tmp_path / "carehub"
    shutil.copytree(Path(checkcache.__file__).parent.parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = checkcache.checker_version(package)
    assert checkcache.checker_version(package) == before
    for edited in (package / "check" / "validate.py", package / "read" / "frontmatter.py"):
        edited.write_text(edited.read_text() + "\n# a change\n")
        after = checkcache.checker_version(package)
        assert after != before, edited
        before = after


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"",
        lambda raw: raw[: len(raw) // 2],
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),
        lambda raw: b"not a cache at all\n" * 10,
        lambda raw: checkcache.digest(b"\xff\x00").encode() + b"\xff\x00",
    ],
    ids=["empty", "truncated", "one-bit", "garbage", "checksummed-garbage"],
)
def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    root = make_project(tmp_path, {"a.md": VALID.replace("region: london", "region: londn"), "b.md": OTHER})
    expected = same_as_cold(root).problems
    folder = root / checkcache.CACHE_DIR
    written = sorted(folder.glob("*.marshal"))
    assert written[0].name == checkcache.DATA_FILE and len(written) >= 2
    for cache in written:
        cache.write_bytes(damage(cache.read_bytes()))
    report = same_as_cold(root)
    assert report.problems == expected
    assert report.rechecked == 2
    assert check_project(root).rechecked == 0  # rewritten
    assert sorted(folder.iterdir()) == sorted([folder / ".gitignore", folder / "CACHEDIR.TAG", *written])


def test_checking_one_file_reads_and_writes_one_cache_file_of_entries(tmp_path: Path) -> None:
    stories = {f"s{i}.md": OTHER.replace("blue bag", f"bag {i}") for i in range(40)}
    root = make_project(tmp_path, stories)
    same_as_cold(root)
    folder = root / checkcache.CACHE_DIR
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("files-*.marshal")}
    assert len(before) > 8  # 40 stories spread over the files
    (root / "stories" / "s7.md").write_text(OTHER.replace("region: london", "region: londn"))
    assert codes(check_project(root, [root / "stories" / "s7.md"])) == [("stories/s7.md", "CH203")]
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("files-*.marshal")}
    assert [name for name in before if after[name] != before[name]] == [
        checkcache.shard_file(checkcache.shard_of("stories/s7.md"))
    ]
    assert same_as_cold(root).rechecked == 0


def test_a_cache_written_for_other_data_is_not_used(tmp_path: Path) -> None:
    """Entries are tied to the vocabularies and site ids they were made with, not only to the bytes."""
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    first = make_project(tmp_path / "1", {"a.md": VALID})
    second = make_project(tmp_path / "2", {"a.md": VALID})
    (second / SITES_DIR / "sutton-homes-of-care.yml").unlink()
    same_as_cold(first)
    shutil.copytree(first / ".cache", second / ".cache")
    assert codes(same_as_cold(second)) == [("stories/a.md", "CH211")]


def test_the_environment_can_turn_the_cache_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path, {"a.md": VALID})
    monkeypatch.setenv(checkcache.ENV_DISABLE, "1")
    assert cli(capsys, root)[0] == 0
    assert not (root / ".cache").exists()
    monkeypatch.setenv(checkcache.ENV_DISABLE, "0")
    assert cli(capsys, root)[0] == 0
    assert (root / ".cache").exists()


def test_checking_one_file_keeps_the_others_in_the_cache(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER})
    same_as_cold(root)
    (root / "stories" / "a.md").write_text(VALID.replace("region: london", "region: londn"))
    report = same_as_cold(root, [root / "stories" / "a.md"])
    assert report.checked == 1 and report.rechecked == 1
    assert codes(report) == [("stories/a.md", "CH203")]
    assert same_as_cold(root).rechecked == 0


def test_a_cache_that_cannot_be_written_does_not_fail_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path, {"a.md": VALID})
    (root / ".cache").write_text("a file where the folder should be")
    pages = len(docpages.page_files(root / "docs"))
    assert cli(capsys, root) == (0, f"No problems found in {1 + pages} files checked.\n")


def test_a_check_from_the_cache_imports_no_yaml_or_pydantic(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.md": VALID, "b.md": OTHER + "\nSee [a](/stories/a/).\n"})
    program = (
        "import sys\nfrom carehub.cli import main\ncode = main(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'pydantic', 'pydantic_core', 'nh3')"
        " or m in ('carehub.check.model', 'carehub.check.catalogue', 'carehub.read.frontmatter')))"
    )
    command = [sys.executable, "-c", program, "--root", str(root), "check", "--format", "json"]
    env = {**os.environ, "CAREHUB_TODAY": "2026-11-25"}
    first = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    assert "pydantic" in first.stdout.splitlines()[-1]  # checked afresh: the model was needed
    second = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    *report, modules = second.stdout.splitlines()
    assert modules == "[]"
    assert json.loads("\n".join(report))["checked"] == 2 + len(docpages.page_files(root / "docs"))
