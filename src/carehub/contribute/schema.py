"""The JSON Schema of story front matter (and of site files), generated from the content model.

Why a generated schema: editors (yaml-language-server, VS Code), the "share
your story" form and the docs' field reference all need the same rules as
`carehub check`.  pydantic writes the structure from model.py; this module adds
what pydantic cannot see: the allowed values of each vocabulary (from
data/vocabularies.yml), the patterns behind our e-mail, web address and site id
checks, readable titles, and the few rules the model enforces in code (consent
must have been reviewed).  The result is published at
/schema/story.schema.json and committed at schema/story.schema.json.

This module must not read story files or decide whether a story is valid:
`carehub check` stays the authority; the schema is a helpful approximation of
it for tools that cannot run Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from carehub.check import model
from carehub.check.vocabularies import Vocabularies

DRAFT = "https://json-schema.org/draft/2020-12/schema"
STORY_SCHEMA_PATH = "schema/story.schema.json"  # on the site, and in the repository for editors
SITE_SCHEMA_PATH = "schema/site.schema.json"

# Rules the model enforces in validators rather than in types: (class name, field) -> extra keywords.
_CODE_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("Consent", "reviewed_final_text"): {"const": True},
}


def label(field_name: str) -> str:
    """`what_we_tried` -> `What we tried`: the words a person reads for a field name."""
    return field_name.replace("_", " ").capitalize()


def story_schema(vocabularies: Vocabularies, base_url: str = "") -> dict[str, Any]:
    """The schema of a story's front matter: one branch per story type, chosen by `type`."""
    schema = model.meta_adapter().json_schema(mode="validation")
    _complete(schema, list(model.MODELS.values()), vocabularies)
    return {
        "$schema": DRAFT,
        **({"$id": base_url.rstrip("/") + "/" + STORY_SCHEMA_PATH} if base_url else {}),
        "title": "Story front matter",
        "description": "The fields between the --- lines at the top of a story in stories/. "
        "Generated from carehub's content model; `carehub check` has the final word.",
        **schema,
    }


def site_schema(vocabularies: Vocabularies, base_url: str = "") -> dict[str, Any]:
    """The schema of one file in data/sites/."""
    schema = TypeAdapter(model.Site).json_schema(mode="validation")
    _complete(schema, [model.Site], vocabularies)
    return {
        "$schema": DRAFT,
        **({"$id": base_url.rstrip("/") + "/" + SITE_SCHEMA_PATH} if base_url else {}),
        **schema,
        "title": "Site",
    }


def render(schema: dict[str, Any]) -> str:
    """Stable text for a schema: the committed copy is compared with this byte for byte."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _models(roots: list[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    """Every model class reachable from ``roots`` through field annotations."""
    seen: set[type[BaseModel]] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for info in current.model_fields.values():
            stack.extend(_nested_models(info.annotation))


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            found.append(current)
        stack.extend(getattr(current, "__args__", ()))
    return found


def _string_schemas(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schema(s) that describe the string itself, through `anyOf: [..., null]` and array `items`."""
    if "anyOf" in node:
        for option in node["anyOf"]:
            yield from _string_schemas(option)
    elif node.get("type") == "array" and isinstance(node.get("items"), dict):
        yield from _string_schemas(node["items"])
    elif node.get("type") == "string":
        yield node


def _complete(schema: dict[str, Any], roots: list[type[BaseModel]], vocabularies: Vocabularies) -> None:
    defs: dict[str, Any] = schema.get("$defs", {})
    for cls in _models(roots):
        target = defs.get(cls.__name__, schema if cls in roots and "properties" in schema else None)
        if target is None:
            continue
        for name, prop in target.get("properties", {}).items():
            prop["title"] = label(name)
            vocabulary = model.vocab_of(cls, name)
            if vocabulary is not None:
                terms = vocabularies[vocabulary].terms
                for node in _string_schemas(prop):
                    node["enum"] = [term.id for term in terms]
                    # Shown by VS Code / yaml-language-server beside each completion.
                    node["enumDescriptions"] = [f"{term.label}: {term.description}" for term in terms]
                    node["x-enumLabels"] = [term.label for term in terms]
                prop["x-vocabulary"] = vocabulary
            prop.update(_CODE_RULES.get((cls.__name__, name), {}))
            for node in _string_schemas(prop):
                if node.get("format") == "email":
                    node["pattern"] = model.EMAIL_RE.pattern
                elif node.get("format") == "uri":
                    node["pattern"] = model.URL_RE.pattern
                elif node.get("x-sites"):
                    node["pattern"] = model.SITE_ID_RE.pattern


def write(path: Path, text: str) -> bool:
    """Write ``text`` if it differs; True if the file changed."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
