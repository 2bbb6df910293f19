"""data/withdrawn.yml and `carehub withdraw`: the record's checks, the command's errors, and `check`'s notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from carehub.check import docpages, withdrawals
from carehub.check.checker import check_project
from carehub.cli import main

from .story_factory import story_text

TODAY = dt.date(2026, 11, 25)
RECORD = "data/withdrawn.yml"


def _record(root: Path, entries: str) -> None:
    (root / RECORD).write_text(f"# withdrawn stories\nwithdrawn:\n{entries}", encoding="utf-8")


def _problems(root: Path) -> list[tuple[int, str, str]]:
    _, problems = withdrawals.load(root, TODAY)
    return [(p.line, p.code, p.message) for p in problems]


def test_the_repository_record_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    withdrawn, problems = withdrawals.load(root, dt.date.today())
    assert problems == []
    assert all(isinstance(date, dt.date) for date in withdrawn.values())


def test_a_good_record_reads_slugs_and_dates(project: Callable[..., Path]) -> None:
    root = project()
    _record(root, "- slug: one-story\n  date: 2026-01-02\n- slug: two\n  date: 2026-11-25\n")
    assert withdrawals.load(root, TODAY) == ({"one-story": dt.date(2026, 1, 2), "two": TODAY}, [])


def test_a_missing_or_empty_record_withdraws_nothing(project: Callable[..., Path]) -> None:
    root = project()
    (root / RECORD).unlink(missing_ok=True)
    assert withdrawals.load(root, TODAY) == ({}, [])
    _record(root, "")
    assert withdrawals.load(root, TODAY) == ({}, [])


def test_each_problem_is_reported_at_its_line(project: Callable[..., Path]) -> None:
    root = project()
    _record(
        root,
        "- slug: Bad Slug\n  date: 2026-01-02\n"  # line 3
        "- slug: no-date\n"  # line 5
        "- slug: later\n  date: 2027-01-01\n"  # line 6
        "- slug: twice\n  date: 2026-01-02\n"  # line 8
        "- slug: twice\n  date: 2026-01-03\n"  # line 10
        '- slug: quoted\n  date: "2026-01-02"\n'  # line 12
        "- slug: told\n  date: 2026-01-02\n  title: Going home\n  reason: moved away\n",  # line 14
    )
    withdrawn, problems = withdrawals.load(root, TODAY)
    found = [(p.line, p.code, p.severity) for p in problems]
    assert found == [(line, "CH600", "error") for line in (3, 5, 6, 10, 12, 14)]
    messages = [p.message for p in problems]
    assert "`Bad Slug`" in messages[0] and "lowercase words joined by hyphens" in messages[0]
    assert "`bad-slug`" in problems[0].hint
    assert "the date is missing" in messages[1]
    assert "in the future" in messages[2]
    assert "listed twice" in messages[3]
    assert "not a date" in messages[4]
    assert "must not be recorded: reason, title" in messages[5]
    # A mistake in an entry never brings its story back: every readable slug is still withdrawn.
    assert set(withdrawn) == {"no-date", "later", "twice", "quoted", "told"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("withdrawn: some-story\n", "must be a list"),
        ("withdrawn:\n- just-a-slug\n", "must have a `slug` and a `date`"),
        ("withdrawn:\nwithdrawn:\n", "is given twice"),
        ("stories:\n- slug: x\n", "Unknown keys: stories"),
    ],
)
def test_a_record_of_the_wrong_shape_is_an_error(project: Callable[..., Path], text: str, message: str) -> None:
    root = project()
    (root / RECORD).write_text(text, encoding="utf-8")
    _, problems = withdrawals.load(root, TODAY)
    assert problems and all(p.is_error and p.file == RECORD for p in problems)
    assert any(message in p.message for p in problems), problems


def test_check_reports_the_record_s_problems_with_and_without_the_cache(project: Callable[..., Path]) -> None:
    root = project({"a.md": story_text("A story")})
    _record(root, "- slug: later\n  date: 2027-01-01\n")
    for cache in (False, True, True):
        report = check_project(root, cache=cache, today=TODAY)
        assert [(p.file, p.line, p.code) for p in report.problems] == [(RECORD, 3, "CH600")]
    # The same record on the day it names: the cached result of yesterday must not hold.
    assert check_project(root, cache=True, today=dt.date(2027, 1, 1)).problems == ()


def test_links_to_withdrawn_stories_are_warnings_and_to_missing_ones_errors(project: Callable[..., Path]) -> None:
    body = "See [one](/stories/gone-story/) and [two](../stories/never-was/)."
    root = project({"a.md": story_text("A story", body=body)})
    _record(root, "- slug: gone-story\n  date: 2026-01-02\n")
    for cache in (False, True):
        report = check_project(root, cache=cache, today=TODAY)
        assert [(p.code, p.severity) for p in report.problems] == [("CH510", "warning"), ("CH505", "error")]
        assert "withdrawn" in report.problems[0].message


def test_links_from_hand_written_pages_to_withdrawn_stories_are_warnings(project: Callable[..., Path]) -> None:
    root = project({"a.md": story_text("A story")})
    page = root / "docs" / "resources" / "withdrawn-links.md"
    page.write_text(
        "# Links\n\nRead [this](../../stories/gone-story/) or\n"
        "[that](/stories/gone-story/#start), [kept](/stories/a/).\n",
        encoding="utf-8",
    )
    _record(root, "- slug: gone-story\n  date: 2026-01-02\n")
    for cache in (False, True):
        report = check_project(root, cache=cache, today=TODAY)
        assert [(p.file, p.line, p.column, p.code, p.severity) for p in report.problems] == [
            ("docs/resources/withdrawn-links.md", 3, 13, "CH510", "warning"),
            ("docs/resources/withdrawn-links.md", 4, 8, "CH510", "warning"),
        ]


def test_a_withdrawn_story_added_back_is_set_aside(project: Callable[..., Path]) -> None:
    broken = story_text("Back again").replace('region: "london"', 'region: "nowhere"')
    root = project({"folder/back-again.md": broken, "other.md": story_text("Another")})
    _record(root, "- slug: back-again\n  date: 2026-03-04\n")
    for cache in (False, True):
        report = check_project(root, cache=cache, today=TODAY)
        assert [(p.file, p.code, p.severity) for p in report.problems] == [
            ("stories/folder/back-again.md", "CH511", "warning")
        ]
        assert "2026-03-04" in report.problems[0].message and "Delete the file" in report.problems[0].hint
        assert report.checked == 2 + len(docpages.page_files(root / "docs"))  # and the docs pages


# -- carehub withdraw --------------------------------------------------------------------------


def test_withdraw_deletes_the_file_and_records_only_slug_and_date(
    project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    story = story_text(
        "Going home", "patient-story", image={"src": "photo.png", "alt": "A front door"}, body="![Door](door.png)"
    )
    root = project({"patient-stories/going-home/index.md": story, "other.md": story_text("Another")})
    for name in ("photo.png", "door.png"):
        (root / "stories" / "patient-stories" / "going-home" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    before = (root / RECORD).read_text(encoding="utf-8")
    assert main(["--root", str(root), "withdraw", "going-home"]) == 0
    out = capsys.readouterr().out
    assert "Deleted stories/patient-stories/going-home/index.md." in out
    assert "stories/patient-stories/going-home/door.png" in out and "going-home/photo.png" in out
    assert not (root / "stories" / "patient-stories" / "going-home" / "index.md").exists()
    assert (root / "stories" / "patient-stories" / "going-home" / "photo.png").exists(), "only the story is deleted"
    after = (root / RECORD).read_text(encoding="utf-8")
    assert after == before + "- slug: going-home\n  date: 2026-11-25\n", "comments and entries are kept"
    assert "Going home" not in after

    assert main(["--root", str(root), "withdraw", "going-home"]) == 0, "withdrawing again is no error"
    assert "withdrawn already, on 2026-11-25" in capsys.readouterr().out
    assert (root / RECORD).read_text(encoding="utf-8") == after


def test_withdraw_starts_the_record_if_there_is_none(project: Callable[..., Path]) -> None:
    root = project({"a-story.md": story_text("A story")})
    (root / RECORD).unlink(missing_ok=True)
    assert main(["--root", str(root), "withdraw", "stories/a-story.md"]) == 0  # a path names its slug too
    assert withdrawals.load(root, TODAY) == ({"a-story": TODAY}, [])


def test_withdraw_an_indented_or_empty_list(project: Callable[..., Path]) -> None:
    root = project({"a.md": story_text("A"), "b.md": story_text("B")})
    (root / RECORD).write_text("withdrawn: []\n", encoding="utf-8")
    assert main(["--root", str(root), "withdraw", "a"]) == 0
    (root / RECORD).write_text("withdrawn:\n  - slug: old\n    date: 2020-01-01\n", encoding="utf-8")
    assert main(["--root", str(root), "withdraw", "b"]) == 0
    assert withdrawals.load(root, TODAY) == ({"old": dt.date(2020, 1, 1), "b": TODAY}, [])


def test_withdraw_errors_change_nothing(project: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a-story.md": story_text("A story")})
    before = (root / RECORD).read_text(encoding="utf-8")
    assert main(["--root", str(root), "withdraw", "no-such-story"]) == 1
    assert "No story has the slug `no-such-story`" in capsys.readouterr().err
    assert main(["--root", str(root), "withdraw", "Not A Slug"]) == 2
    assert "is not a story's slug" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["--root", str(root), "withdraw"])
    assert usage.value.code == 2
    assert (root / RECORD).read_text(encoding="utf-8") == before

    _record(root, "- slug: Bad\n")
    assert main(["--root", str(root), "withdraw", "a-story"]) == 1
    assert "data/withdrawn.yml has problems" in capsys.readouterr().err
    assert (root / "stories" / "a-story.md").exists(), "the story stays until the record can be written"
