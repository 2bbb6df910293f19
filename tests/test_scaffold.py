"""`carehub new` and the templates: what a contributor gets fails `carehub check` only on its FILL IN
placeholders (and a patient story on consent), passes once they are replaced, and nothing is overwritten."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from carehub.check.catalogue import load_catalogue
from carehub.check.model import MODELS, STORY_TYPES
from carehub.check.placeholders import MARKER
from carehub.check.storytypes import TYPE_FOLDERS
from carehub.cli import main
from carehub.contribute import scaffold
from carehub.read import frontmatter

from .conftest import ROOT

CONSENT = ["--consent-reference", "CN-2026-001", "--consent-reviewed"]


def _new(project: Path, *args: str) -> int:
    return main(["--root", str(project), "new", "--no-input", *args])


def _only(project: Path) -> Path:
    files = [p for p in (project / "stories").rglob("*.md") if "_templates" not in p.parts]
    assert len(files) == 1, files
    return files[0]


@pytest.mark.parametrize("story_type", STORY_TYPES)
def test_new_story_fails_check_only_on_its_placeholders_for_every_type(
    story_type: str, project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = project()
    extra = CONSENT if story_type == "patient-story" else []
    assert _new(root, "--type", story_type, "--title", "Our new way of working", *extra) == 0
    out = capsys.readouterr().out
    assert "an error (CH218)" in out and "cannot be published" in out  # it says so when it writes the file
    path = _only(root)
    assert path.parent.name == TYPE_FOLDERS[story_type]
    assert path.name == "our-new-way-of-working.md"
    catalogue = load_catalogue(root)
    # Every value still to be written is an error, and nothing else is: a placeholder is never published.
    assert {p.code for p in catalogue.problems} == {"CH218"}
    assert all(p.is_error for p in catalogue.problems)
    assert catalogue.stories == ()
    text = path.read_text()
    assert len(catalogue.problems) == text.count(MARKER)
    # Replace every placeholder with words of one's own: the story passes and is published.
    filled = re.sub(r"  # FILL IN[^\n]*", "", text).replace(f"{MARKER}: ", "").replace(MARKER, "Our own words")
    path.write_text(filled)
    catalogue = load_catalogue(root)
    assert catalogue.problems == ()
    assert [s.slug for s in catalogue.stories] == ["our-new-way-of-working"]
    # Every required field is there, each with a comment line above it.
    document, _ = frontmatter.read(text, "x")
    assert document.data is not None
    required = {name for name, info in MODELS[story_type].model_fields.items() if info.is_required()}
    assert required <= set(document.data)
    lines = text.splitlines()
    for name in required:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
        assert lines[index - 1].startswith("# "), name
    assert f"/stories/{path.stem}/" in out


def test_a_fully_answered_story_has_no_placeholders_in_its_front_matter(project: Callable[..., Path]) -> None:
    root = project()
    args = [
        "--type=case-study",
        "--title=Red bags in Sutton",
        "--summary=A red bag keeps a resident's papers, medicines and belongings together in hospital.",
        "--care-model=enhanced-health-in-care-homes",
        "--setting=social-care",
        "--setting=acute",
        "--region=london",
        "--set=context=Residents arrived at hospital without their notes.",
        "--set=change=A red bag travels with each resident.",
        "--set=evaluation_method=Staff feedback.",
        "--set=evidence_level=anecdotal",
        "--set=status=ongoing",
        "--set=buddy_contact=newcaremodels-team@example.org",
    ]
    assert _new(root, *args) == 0
    text = _only(root).read_text()
    front = text.split("\n---\n", 1)[0]
    assert MARKER not in front
    assert "settings: [social-care, acute]" in front
    catalogue = load_catalogue(root)
    assert [(p.line, p.code) for p in catalogue.errors] == [(front.count("\n") + 4, "CH218")]  # the body's prompt


def test_a_patient_story_is_never_scaffolded_as_consented(project: Callable[..., Path]) -> None:
    root = project()
    assert _new(root, "--type", "patient-story", "--title", "Home from hospital sooner") == 0
    errors = [p for p in load_catalogue(root).errors if p.code != "CH218"]
    assert [p.code for p in errors] == ["CH209"]
    assert "reference" in errors[0].message
    # Once the reference is there, the review is the next thing the check insists on.
    path = _only(root)
    path.write_text(path.read_text().replace('reference: ""', "reference: CN-2026-002"))
    errors = [p for p in load_catalogue(root).errors if p.code != "CH218"]
    assert [p.code for p in errors] == ["CH209"]
    assert "reviewed" in errors[0].message


def test_slugs_are_unique_across_every_folder(project: Callable[..., Path]) -> None:
    existing = (ROOT / "stories" / "failures" / "shared-record-too-soon.md").read_text()
    root = project({"failures/home-sooner.md": existing})
    assert _new(root, "--type", "case-study", "--title", "Home sooner!") == 0
    assert _new(root, "--type", "resource", "--title", "Home: sooner") == 0
    names = sorted(p.relative_to(root / "stories").as_posix() for p in (root / "stories").rglob("*.md"))
    assert names == ["case-studies/home-sooner-2.md", "failures/home-sooner.md", "resources/home-sooner-3.md"]
    catalogue = load_catalogue(root)
    assert not [p for p in catalogue.problems if p.code == "CH500"]


def test_new_refuses_to_overwrite(project: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    existing = (ROOT / "stories" / "failures" / "shared-record-too-soon.md").read_text()
    root = project({"failures/taken.md": existing})
    assert _new(root, "--type", "failure", "--title", "Anything", "--slug", "taken") == 2
    assert "already uses the web address" in capsys.readouterr().err
    assert (root / "stories" / "failures" / "taken.md").read_text() == existing
    # A file that appears between planning and writing is not replaced either.
    import datetime as dt

    from carehub.check import vocabularies
    from carehub.contribute import schema

    vocab, _ = vocabularies.load(root / "data" / "vocabularies.yml", root)
    plan = scaffold.plan(root, "failure", {"title": "Late arrival"}, schema.story_schema(vocab), dt.date(2026, 1, 1))
    plan.path.write_text("someone else's work")
    with pytest.raises(FileExistsError):
        scaffold.write_new(plan)
    assert plan.path.read_text() == "someone else's work"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "failure"], "needs a title"),
        (["--title", "No type"], "--type"),
        (["--type", "resource", "--title", "T" * 6, "--set", "licence=MIT"], "`MIT` is not in the list"),
        (["--type", "resource", "--title", "T" * 6, "--set", "nonsense=1"], "FIELD=VALUE"),
        (["--type", "case-study", "--title", "T" * 6, "--set", "buddy_contact=nobody"], "does not look right"),
        (["--type", "failure", "--title", "T" * 6, "--folder", "../elsewhere"], "inside stories/"),
        (["--type", "failure", "--title", "T" * 6, "--folder", "_templates"], "does not start with _"),
        (["--type", "failure", "--title", "T" * 6, "--region", "mars"], "region"),
    ],
)
def test_new_explains_what_it_cannot_do(
    args: list[str], message: str, project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = project()
    assert _new(root, *args) == 2
    assert message in capsys.readouterr().err
    assert _count_stories(root) == 0


def _count_stories(root: Path) -> int:
    return sum(1 for _ in (root / "stories").rglob("*.md"))


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("The red bag scheme in Sutton care homes", "the-red-bag-scheme-in-sutton-care-homes"),
        ("  Café: what’s changed?! ", "cafe-whats-changed"),
        ("It's the A&E team's idea", "its-the-a-e-teams-idea"),
        ("!!!", "story"),
        ("word " * 30, "-".join(["word"] * 12)),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert scaffold.slugify(title) == slug
    assert len(scaffold.slugify(title)) <= scaffold.SLUG_MAX


@pytest.mark.parametrize("value", ["yes", "No", "null", "12:30", "a: b", "#hash", "3.5", "- x", '"quoted"', "x, y"])
def test_scalars_that_yaml_would_misread_are_quoted(value: str) -> None:
    document, problems = frontmatter.read(
        f"---\nkey: {scaffold.scalar(value)}\nlist: [{scaffold.scalar(value, in_flow=True)}]\n---\n", "x"
    )
    assert problems == []
    assert document.data == {"key": value, "list": [value]}


@pytest.mark.parametrize("story_type", STORY_TYPES)
def test_committed_templates_are_generated_from_the_model(story_type: str) -> None:
    from carehub.check import vocabularies
    from carehub.contribute import schema

    vocab, _ = vocabularies.load(ROOT / "data" / "vocabularies.yml", ROOT)
    committed = ROOT / "stories" / "_templates" / f"{story_type}.md"
    assert committed.read_text() == scaffold.render_template(story_type, schema.story_schema(vocab)), (
        "stories/_templates/ is out of date: run `.venv/bin/carehub new --templates` and commit the result."
    )


@pytest.mark.parametrize("story_type", STORY_TYPES)
def test_a_copied_template_fails_only_on_placeholders_and_consent(
    story_type: str, project: Callable[..., Path]
) -> None:
    text = (ROOT / "stories" / "_templates" / f"{story_type}.md").read_text()
    root = project({f"{TYPE_FOLDERS[story_type]}/copied-template.md": text})
    catalogue = load_catalogue(root)
    assert {p.code for p in catalogue.errors} == ({"CH209", "CH218"} if story_type == "patient-story" else {"CH218"})
    assert catalogue.stories == ()


def test_templates_are_never_published_or_checked(project: Callable[..., Path]) -> None:
    root = project(with_repo_stories=True)
    catalogue = load_catalogue(root)
    assert not [s for s in catalogue.stories if "_templates" in s.path]
    assert not [p for p in catalogue.problems if "_templates" in p.file]


def test_new_asks_questions_in_a_terminal(project: Callable[..., Path]) -> None:
    root = project()
    answers = [
        "2",  # failure
        "We shared records too soon",
        "",  # summary: left to fill in later
        "Example Community Partnership",
        "9",  # care models: out of range, asked again
        "2, 6",
        "2",
        "north-west",
        "5",
        "Gave community nurses access to GP records.",
        "The project stalled for a year.",
        "Agree the purpose first.",
        "Start with one patient group.",
    ]
    env = {**os.environ, "CAREHUB_TODAY": "2026-11-25", "NO_MKDOCS_2_WARNING": "1"}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "carehub", "--root", str(root), "new"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    os.write(leader, ("\n".join(answers) + "\n").encode())
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    transcript = output.decode(errors="replace")
    assert process.returncode == 0, transcript
    assert "is not in the list" in transcript
    path = root / "stories" / "failures" / "we-shared-records-too-soon.md"
    text = path.read_text()
    assert "care_models: [multispecialty-community-providers, other]" in text
    assert "settings: [primary-care]\n" in text
    assert "barriers: [information-governance-and-it]\n" in text
    assert "what_we_learned: Agree the purpose first.\n" in text
    catalogue = load_catalogue(root)
    assert {p.code for p in catalogue.problems} == {"CH218"} and all(p.is_error for p in catalogue.problems)
    flagged = [text.splitlines()[p.line - 1] for p in catalogue.problems]
    assert len(flagged) == 2  # the summary left to fill in, and the body's writing prompt
    assert flagged[0].strip().startswith("FILL IN: One or two sentences")
