"""Files under stories/ besides stories: an allow-list of types, checked by their bytes, and no silent skips.

Every case is checked twice, with and without the check's cache, and the two must agree (as `check` and the
build must): CH507 for a type that may not be published, CH508 for bytes that are not the type the name says,
CH509 for a file that its name or folder keeps off the site.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from carehub.check import docpages
from carehub.check.catalogue import load_catalogue
from carehub.check.checker import Report, check_project
from carehub.read import filetypes

from . import sample_files
from .conftest import FIXTURES, ROOT

VALID = (FIXTURES / "stories" / "valid" / "resource.md").read_text()

# Headers of real files: enough for the sniff, which reads only the first bytes.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\0" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00;"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x000\x01\x00\x9d\x01\x2a\x01\x00\x01\x00" + b"\0" * 16
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\0" * 32
CSV = b"site,admissions before,admissions after\nSutton care homes,412,336\n"


def docs_pages(root: Path) -> int:
    """The pages in docs/, which a check of the whole project counts too."""
    return len(docpages.page_files(root / "docs"))


def check_both(root: Path, paths: list[Path] | None = None) -> Report:
    cached = check_project(root, paths)
    cold = check_project(root, paths, cache=False)
    assert cached.problems == cold.problems
    assert cached.checked == cold.checked
    assert check_project(root, paths).problems == cold.problems  # and again, from the cache
    return cold


def found(report: Report) -> list[tuple[str, str, str]]:
    return [(p.file, p.code, p.severity) for p in report.problems]


def with_files(project: Callable[..., Path], files: dict[str, bytes]) -> Path:
    root = project({"case-studies/red-bag-scheme-sutton.md": VALID})
    for rel, data in files.items():
        path = root / "stories" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


REFUSED = {
    "evil.html": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "story"),
    "evil.htm": (b"<html><body onload=alert(1)>", "story"),
    "evil.xhtml": (b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', "story"),
    "evil.js": (b"document.location='https://example.net/'", "maintainers"),
    "evil.mjs": (b"export default 1", "maintainers"),
    "theme.css": (b"body { background: url(https://example.net/track) }", "maintainers"),
    "chart.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "PNG"),
    "data.xml": (b"<?xml version='1.0'?><x/>", "CSV"),
    "module.wasm": (b"\0asm\x01\0\0\0", "maintainers"),
    "setup.exe": (b"MZ\x90\x00", "publisher"),
    "reports.zip": (sample_files.plain_zip(), "one by one"),
    "README": (b"notes", "extension"),
    "minutes.doc": (b"\xd0\xcf\x11\xe0", "PDF"),
    "notes.MD": (VALID.encode(), ".md"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_type_that_may_not_be_published_is_an_error(project: Callable[..., Path], name: str) -> None:
    data, advice = REFUSED[name]
    root = with_files(project, {f"case-studies/{name}": data})
    report = check_both(root)
    assert found(report) == [(f"stories/case-studies/{name}", "CH507", "error")]
    problem = report.problems[0]
    assert f"stories/case-studies/{name}" in problem.message and ".pdf" in problem.message  # the file, the list
    assert advice in problem.hint
    assert report.checked == 2 + docs_pages(root)
    assert load_catalogue(root).assets == ()


MISMATCHED = {
    "chart.png": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "photo.jpg": b"\x89PNG\r\n\x1a\n",
    "photo.jpeg": b"  <svg onload=alert(1)>",
    "animation.gif": b"GIF90a",
    "photo.webp": b"RIFF\x00\x00\x00\x00WAVE",
    "photo.avif": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
    "report.pdf": b"Evaluation report: a text file with the wrong name.\n",
    "html.pdf": b"\n<html><body>%PDF-1.4</body></html>",
    "plain-zip.docx": sample_files.plain_zip(),
    "word.xlsx": sample_files.docx(),
    "not-a-zip.pptx": b"PK\x03\x04 but not really",
    "spreadsheet.odt": sample_files.odf("application/vnd.oasis.opendocument.spreadsheet"),
    "no-mimetype.ods": sample_files.plain_zip(),
    "word.odp": sample_files.docx(),
    "page.csv": b"<html><script>alert(1)</script></html>",
    "binary.csv": b"a,b\n\0\0\0",
    "latin1.csv": "caf\xe9,1\n".encode("latin-1"),
    "script.csv": b"#!/bin/sh\nrm -rf /\n",
}


@pytest.mark.parametrize("name", sorted(MISMATCHED))
def test_a_file_whose_bytes_are_not_its_type_is_an_error(project: Callable[..., Path], name: str) -> None:
    root = with_files(project, {f"case-studies/{name}": MISMATCHED[name]})
    report = check_both(root)
    assert found(report) == [(f"stories/case-studies/{name}", "CH508", "error")]
    label = filetypes.ALLOWED[filetypes.extension(name)].label
    assert label in report.problems[0].message
    assert load_catalogue(root).assets == ()


def test_real_files_of_every_allowed_type_are_accepted_and_published(project: Callable[..., Path]) -> None:
    files = {
        "case-studies/chart.png": sample_files.png(4, 3),
        "case-studies/photo.jpg": JPEG,
        "case-studies/photo.JPEG": JPEG,  # a camera's capitals
        "case-studies/animation.gif": GIF,
        "case-studies/photo.webp": WEBP,
        "case-studies/photo.avif": AVIF,
        "case-studies/report.pdf": sample_files.pdf(),
        "case-studies/lessons.docx": sample_files.docx(),
        "case-studies/lessons.odt": sample_files.odf(),
        "case-studies/figures.ods": sample_files.odf("application/vnd.oasis.opendocument.spreadsheet"),
        "case-studies/slides.odp": sample_files.odf("application/vnd.oasis.opendocument.presentation"),
        "case-studies/admissions.csv": CSV,
        "case-studies/with-bom.csv": b"\xef\xbb\xbf" + CSV,
    }
    root = with_files(project, files)
    story = root / "stories" / "case-studies" / "red-bag-scheme-sutton.md"
    links = "\n".join(f"- [{rel.rsplit('/', 1)[1]}]({rel.rsplit('/', 1)[1]})" for rel in files)  # published: linked
    story.write_text(story.read_text("utf-8") + "\nThe files:\n" + links + "\n", "utf-8")
    report = check_both(root)
    assert report.problems == ()
    assert report.checked == len(files) + 1 + docs_pages(root)
    assert sorted(load_catalogue(root).assets) == sorted(f"stories/{rel}" for rel in files)


@pytest.mark.parametrize(
    ("rel", "why", "suggestion"),
    [
        (".draft.md", "hidden", "stories/draft.md"),
        ("...md", "hidden", "stories/story.md"),
        ("..md", "hidden", "stories/story.md"),
        ("case-studies/_notes.md", "`_`", "stories/case-studies/notes.md"),
        ("_old/red-bag.md", "stories/_old/", "stories/case-studies/"),
        ("case-studies/.drafts/red-bag.md", "stories/case-studies/.drafts/", "stories/case-studies/"),
        ("_old/chart.png", "stories/_old/", "stories/case-studies/"),
    ],
)
def test_a_file_that_will_not_be_published_is_warned_about(
    project: Callable[..., Path], rel: str, why: str, suggestion: str
) -> None:
    data = sample_files.png() if rel.endswith(".png") else VALID.encode()
    root = with_files(project, {rel: data})
    report = check_both(root)
    assert found(report) == [(f"stories/{rel}", "CH509", "warning")]
    problem = report.problems[0]
    assert "will not be published" in problem.message and why in problem.message
    assert suggestion in problem.hint
    assert report.checked == 2 + docs_pages(root)  # the story, the file and the pages: nothing present is left out
    catalogue = load_catalogue(root)
    assert [s.path for s in catalogue.stories] == ["stories/case-studies/red-bag-scheme-sutton.md"]
    assert catalogue.assets == ()


def test_the_count_of_files_checked_is_every_file_but_the_templates(project: Callable[..., Path]) -> None:
    root = project(with_repo_stories=True)
    extra = {".draft.md": VALID.encode(), "...md": b"", "resources/chart.png": sample_files.png()}
    for rel, data in extra.items():
        (root / "stories" / rel).write_bytes(data)
    present = [p for p in (root / "stories").rglob("*") if p.is_file() and "_templates" not in p.parts]
    report = check_both(root)
    assert report.checked == len(present) + docs_pages(root)
    assert [(file, code) for file, code, _ in found(report) if code.startswith("CH5")] == [
        ("stories/...md", "CH509"),
        ("stories/.draft.md", "CH509"),
        ("stories/resources/chart.png", "CH512"),  # no story shows it: not published
    ]


def test_the_launch_content_has_no_file_problems() -> None:
    report = check_project(ROOT, cache=False)
    assert not [p for p in report.problems if p.code in ("CH507", "CH508", "CH509")]


def test_only_templates_belong_in_the_templates_folder(project: Callable[..., Path]) -> None:
    root = project(with_repo_stories=True)
    (root / "stories" / "_templates" / "logo.png").write_bytes(sample_files.png())
    report = check_both(root)
    assert [f for f in found(report) if f[2] == "error"] == [("stories/_templates/logo.png", "CH507", "error")]
    assert "only story templates (.md)" in next(p for p in report.problems if p.code == "CH507").message


def test_checking_one_file_or_folder_checks_the_files_in_it(project: Callable[..., Path]) -> None:
    root = with_files(
        project,
        {"case-studies/evil.html": b"<html>", "resources/fake.pdf": b"text", "resources/good.pdf": sample_files.pdf()},
    )
    one = check_both(root, [root / "stories" / "case-studies" / "evil.html"])
    assert found(one) == [("stories/case-studies/evil.html", "CH507", "error")] and one.checked == 1
    folder = check_both(root, [root / "stories" / "resources"])
    assert found(folder) == [("stories/resources/fake.pdf", "CH508", "error")] and folder.checked == 2
    story = check_both(root, [root / "stories" / "case-studies" / "red-bag-scheme-sutton.md"])
    assert story.problems == () and story.checked == 1


def test_links_keep_their_rules(project: Callable[..., Path], tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(sample_files.png())
    page = tmp_path / "project" / "docs" / "page.png"
    root = with_files(project, {})
    page.write_bytes(b"<html><script>alert(1)</script></html>")
    stories = root / "stories"
    (stories / "case-studies" / "leaves.png").symlink_to(outside)
    (stories / "_old").mkdir()
    (stories / "_old" / "leaves.png").symlink_to(outside)
    (stories / "case-studies" / "inside.png").symlink_to(page)
    report = check_both(root)
    assert found(report) == [
        ("stories/_old/leaves.png", "CH502", "error"),
        ("stories/case-studies/inside.png", "CH508", "error"),  # the file it points at is a web page
        ("stories/case-studies/leaves.png", "CH502", "error"),
    ]
    os.remove(stories / "case-studies" / "inside.png")  # noqa: PTH107
    (stories / "case-studies" / "inside.png").symlink_to(outside)
    assert [code for _, code, _ in found(check_both(root))] == ["CH502", "CH502", "CH502"]
