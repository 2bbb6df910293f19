"""The contribute pages: what is generated from the code is complete, and what is published matches the repo.

Builds the real site once and parses its HTML.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from carehub.check import model, vocabularies
from carehub.problems import CODES
from carehub.publish import minify
from carehub.publish.assetnames import hashed_name
from carehub.render import docspages

from .conftest import ROOT, make_project

pytestmark = pytest.mark.build


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "script" and found.get("src"):
            self.scripts.append(str(found["src"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("contribute"), with_repo_stories=True)
    out = project / "site"
    result = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(project), "build", "--quiet", "--site-dir", str(out)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CAREHUB_TODAY": "2026-11-25"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _page(site: Path, url: str) -> _Page:
    parser = _Page()
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return parser


def _joined(page: _Page) -> str:
    """The page's text as a reader sees it (the glossary wraps abbreviations in <abbr>, splitting text nodes)."""
    return " ".join("".join(page.text).split())


def test_every_contribute_page_is_built_and_no_marker_is_left(site: Path) -> None:
    pages = sorted(p.stem for p in (ROOT / "docs" / "contribute").glob("*.md"))
    assert {"index", "share", "writing", "consent", "review", "code-of-conduct", "fields", "errors"} <= set(pages)
    for name in pages:
        html = (site / "contribute" / ("" if name == "index" else name) / "index.html").read_text()
        assert "carehub:" not in html, f"an unexpanded marker on {name}"


def test_the_field_reference_covers_every_field_of_every_type(site: Path) -> None:
    page = _page(site, "contribute/fields")
    text = _joined(page)
    for cls in model.MODELS.values():
        for name in cls.model_fields:
            assert name in page.ids, name
    for name in model.Consent.model_fields:
        assert f"consent-{name}" in page.ids
    for name in model.Outcome.model_fields:
        assert f"outcomes-{name}" in page.ids
    vocab, _ = vocabularies.load(ROOT / "data" / "vocabularies.yml", ROOT)
    for term in vocab["barriers"]:
        assert term.id in text and term.description in text
    assert "failure, case study" not in text  # barriers: required for a failure only
    assert "every story" in text


def test_evidence_levels_are_explained_from_the_vocabulary(site: Path) -> None:
    text = _joined(_page(site, "contribute/writing"))
    vocab, _ = vocabularies.load(ROOT / "data" / "vocabularies.yml", ROOT)
    for name in ("evidence_levels", "statuses", "resource_kinds"):
        for term in vocab[name]:
            assert term.label in text and term.description in text


def test_every_check_code_is_explained(site: Path) -> None:
    page = _page(site, "contribute/errors")
    text = _joined(page)
    for code, title in CODES.items():
        assert code.lower() in page.ids
        assert title in text
        assert code[2] in docspages.CODE_GROUPS


def test_consent_page_lists_legal_bases_and_how_to_withdraw(site: Path) -> None:
    page = _page(site, "contribute/consent")
    text = _joined(page)
    assert "how-a-person-withdraws" in page.ids
    vocab, _ = vocabularies.load(ROOT / "data" / "vocabularies.yml", ROOT)
    for term in [*vocab["legal_bases"], *vocab["consent_scopes"]]:
        assert term.label in text


def test_schemas_are_published_as_committed(site: Path) -> None:
    for rel in ("schema/story.schema.json", "schema/site.schema.json"):
        published = (site / rel).read_text()
        assert published == (ROOT / rel).read_text()
        assert json.loads(published)["$id"] == f"https://carehub.example.org/{rel}"


def test_the_share_page_loads_only_its_own_script(site: Path) -> None:
    page = _page(site, "contribute/share")
    source = (ROOT / "src" / "carehub" / "contribute" / "assets" / "share.js").read_bytes()
    minified = minify.minified("assets/carehub/share.js", source)  # as published: publish/minify.py
    published = hashed_name("assets/carehub/share.js", minified)  # named by its bytes: publish/assetnames.py
    assert f"../../{published}" in page.scripts
    assert (site / published).read_bytes() == minified
    assert all(not src.startswith(("http:", "https:", "//")) for src in page.scripts)
    assert {"share-form", "share-errors", "share-result", "share-data"} <= page.ids


def test_the_reviewer_checklist_is_the_same_in_docs_and_pull_requests() -> None:
    def items(text: str) -> list[str]:
        return [line.split("**")[1] for line in text.splitlines() if line.strip().startswith("- [ ] **")]

    docs = items((ROOT / "docs" / "contribute" / "review.md").read_text())
    template = items((ROOT / ".github" / "pull_request_template.md").read_text())
    assert docs == template
    assert {"Consent verified", "No personal data", "Facts sourced"} <= set(docs)
