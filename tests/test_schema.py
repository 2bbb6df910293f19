"""The JSON Schema for editors: generated from the model, committed in sync, and agreeing with `carehub check`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from carehub.check import model, vocabularies
from carehub.cli import main
from carehub.contribute import schema
from carehub.read import frontmatter, sourcetext

from .conftest import FIXTURES, ROOT


def _vocab() -> vocabularies.Vocabularies:
    vocab, problems = vocabularies.load(ROOT / "data" / "vocabularies.yml", ROOT)
    assert problems == []
    return vocab


def _validator() -> jsonschema.Draft202012Validator:
    story = schema.story_schema(_vocab())
    jsonschema.Draft202012Validator.check_schema(story)
    return jsonschema.Draft202012Validator(story, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _as_json(value: Any) -> Any:
    """Front matter as an editor's YAML parser sees it: dates are text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def _front_matter(path: Path) -> dict[str, Any]:
    text, _ = sourcetext.decode(path.read_bytes(), path.name)
    assert text is not None
    document, _ = frontmatter.read(text, path.name)
    assert document.data is not None
    return dict(_as_json(document.data))


def test_committed_schemas_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    base = "https://carehub.example.org/"
    assert (ROOT / schema.STORY_SCHEMA_PATH).read_text() == schema.render(schema.story_schema(_vocab(), base)), (
        "schema/story.schema.json is out of date: run `.venv/bin/carehub schema --write` and commit it."
    )
    assert (ROOT / schema.SITE_SCHEMA_PATH).read_text() == schema.render(schema.site_schema(_vocab(), base))
    assert main(["--root", str(ROOT), "schema", "--check"]) == 0


def test_schema_check_fails_when_a_tag_is_added_without_refreshing(tmp_path: Path) -> None:
    for name in ("data", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    vocab_file = tmp_path / "data" / "vocabularies.yml"
    vocab_file.write_text(
        vocab_file.read_text()
        + "  - id: new-tag\n    label: New tag\n    description: A tag added in a pull request.\n"
    )
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 1
    assert main(["--root", str(tmp_path), "schema", "--write"]) == 0
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 0
    assert (
        "new-tag"
        in json.loads((tmp_path / schema.STORY_SCHEMA_PATH).read_text())["$defs"]["Failure"]["properties"]["tags"][
            "items"
        ]["enum"]
    )


def test_every_vocabulary_field_lists_exactly_its_terms() -> None:
    vocab = _vocab()
    defs = schema.story_schema(vocab)["$defs"]
    seen = set()
    for cls in [*model.MODELS.values(), model.Consent]:
        for name in cls.model_fields:
            vocabulary = model.vocab_of(cls, name)
            if vocabulary is None:
                continue
            prop = defs[cls.__name__]["properties"][name]
            node = prop["items"] if prop.get("type") == "array" else prop
            assert node["enum"] == list(vocab[vocabulary].ids), (cls.__name__, name)
            assert prop["x-vocabulary"] == vocabulary
            seen.add(vocabulary)
    assert seen == set(vocabularies.NAMES)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (ROOT / "stories").glob("*/*.md") if not p.parent.name.startswith("_"))
    + sorted((FIXTURES / "stories" / "valid").glob("*.md")),
    ids=lambda p: p.stem,
)
def test_stories_that_pass_check_pass_the_schema(path: Path) -> None:
    errors = [e.message for e in _validator().iter_errors(_front_matter(path))]
    assert errors == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(barriers=["IT"]), "a barrier that is not in the vocabulary"),
        (lambda d: d.update(colour="red"), "a field the hub does not know"),
        (lambda d: d.pop("what_we_learned"), "a required field of a failure"),
        (lambda d: d.update(barriers=[]), "a failure must name a barrier"),
        (lambda d: d.update(title="x" * 121), "a title over its limit"),
        (lambda d: d.update(site="Not An Id"), "a site id that is not a slug"),
        (lambda d: d.update(sources=[{"title": "A report", "url": "ftp://example.org"}]), "a web address"),
        (lambda d: d.update(type="blog"), "an unknown type"),
    ],
)
def test_the_schema_rejects_what_check_rejects(change: Any, why: str) -> None:
    data = _front_matter(ROOT / "stories" / "failures" / "shared-record-too-soon.md")
    change(data)
    assert list(_validator().iter_errors(data)), why


def test_the_schema_insists_on_reviewed_consent() -> None:
    data = _front_matter(ROOT / "stories" / "patient-stories" / "home-from-hospital-sooner.md")
    data["consent"]["reviewed_final_text"] = False
    assert list(_validator().iter_errors(data))
    data["consent"]["reviewed_final_text"] = True
    data["consent"]["reference"] = "Mrs Smith"
    assert list(_validator().iter_errors(data))


def test_schema_command_prints_the_story_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(ROOT), "schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$id"] == "https://carehub.example.org/schema/story.schema.json"
    assert set(printed["discriminator"]["mapping"]) == set(model.MODELS)


def test_the_site_schema_accepts_the_sites_directory() -> None:
    site = schema.site_schema(_vocab())
    validator = jsonschema.Draft202012Validator(site)
    for path in sorted((ROOT / "data" / "sites").glob("*.yml")):
        document, _ = frontmatter.read("---\n" + path.read_text() + "\n---\n", path.name)
        assert list(validator.iter_errors(_as_json(document.data))) == [], path.name
