"""A plain description of every field of every story type, read from the generated JSON Schema.

`carehub new`, the story templates, the docs' field reference and the "share
your story" form all need to know, for each type: which fields there are, in
what order, which are required, what kind of value each takes and its limits.
They read it from here, and this module reads it from schema.py, which reads
the content model — so none of them can drift from what `carehub check`
accepts.

This module must not render anything (YAML, HTML or Markdown); it only
describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from carehub.check import model

Kind = Literal[
    "text",  # one line of text
    "long-text",  # a paragraph
    "date",
    "boolean",
    "number",
    "email",
    "url",
    "site",  # a site id from data/sites/
    "choice",  # one value from a vocabulary or a fixed list
    "choices",  # a list of values from a vocabulary
    "texts",  # a list of free texts
    "sites",  # a list of site ids
    "group",  # a nested set of fields (consent, image)
    "groups",  # a list of nested sets (outcomes, sources)
    "type",  # the story type itself
]

LONG_TEXT_FROM = 201  # strings allowed more characters than this get a paragraph, not a line
# The order a person meets the fields in: these first, then the rest of the common
# fields, then the fields only this type has.
HEAD = ("title", "summary", "type", "date")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    title: str
    description: str
    required: bool
    vocabulary: str | None = None
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    pattern: str | None = None
    default: Any = None
    const: Any = None
    children: tuple[FieldSpec, ...] = ()

    def child(self, name: str) -> FieldSpec:
        return next(c for c in self.children if c.name == name)


def type_fields(schema: dict[str, Any], story_type: str) -> tuple[FieldSpec, ...]:
    """The fields of one story type, in reading order."""
    defs = schema["$defs"]
    specs = {spec.name: spec for spec in _fields(defs[model.MODELS[story_type].__name__], defs)}
    base = [name for name in model.StoryBase.model_fields if name not in HEAD]
    own = [name for name in specs if name not in HEAD and name not in base]
    return tuple(specs[name] for name in (*HEAD, *base, *own) if name in specs)


def own_fields(story_type: str) -> frozenset[str]:
    """Fields this type has that the common base does not, or that it makes required."""
    cls = model.MODELS[story_type]
    base = model.StoryBase.model_fields
    return frozenset(
        name
        for name, info in cls.model_fields.items()
        if name != "type" and (name not in base or (info.is_required() and not base[name].is_required()))
    )


def _fields(node: dict[str, Any], defs: dict[str, Any]) -> tuple[FieldSpec, ...]:
    """The fields of an object in the schema: a story type, a group (consent), or each item of a list of groups."""
    required = node.get("required", ())
    return tuple(_spec(name, prop, name in required, defs) for name, prop in node.get("properties", {}).items())


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(defs[ref.removeprefix("#/$defs/")])
    return node


def _spec(name: str, prop: dict[str, Any], required: bool, defs: dict[str, Any]) -> FieldSpec:
    node = _resolve(prop, defs)
    if "anyOf" in node:  # Optional[X]: the non-null branch carries the constraints
        node = _resolve(next(o for o in node["anyOf"] if o.get("type") != "null"), defs)
    common: dict[str, Any] = {
        "name": name,
        "title": prop.get("title", name),
        "description": prop.get("description", node.get("description", "")),
        "required": required,
        "default": prop.get("default"),
        "vocabulary": prop.get("x-vocabulary"),
    }
    kind: Kind
    if "const" in node and name == "type":
        return FieldSpec(kind="type", const=node["const"], **common)
    if node.get("type") == "object":
        return FieldSpec(kind="group", children=_fields(node, defs), **common)
    if node.get("type") == "array":
        items = _resolve(node.get("items", {}), defs)
        if items.get("type") == "object":
            return FieldSpec(kind="groups", children=_fields(items, defs), min_items=node.get("minItems"), **common)
        kind = "choices" if "enum" in items else ("sites" if items.get("x-sites") else "texts")
        return FieldSpec(kind=kind, min_items=node.get("minItems"), **_value_limits(items), **common)
    if node.get("type") == "boolean":
        return FieldSpec(kind="boolean", const=node.get("const", prop.get("const")), **common)
    if node.get("type") in ("number", "integer"):
        return FieldSpec(kind="number", **common)
    if "enum" in node:
        kind = "choice"
    elif node.get("format") == "date":
        kind = "date"
    elif node.get("format") == "email":
        kind = "email"
    elif node.get("format") == "uri":
        kind = "url"
    elif node.get("x-sites"):
        kind = "site"
    else:
        kind = "long-text" if (node.get("maxLength") or 0) >= LONG_TEXT_FROM else "text"
    return FieldSpec(kind=kind, **_value_limits(node), **common)


def _value_limits(node: dict[str, Any]) -> dict[str, Any]:
    """What one value may be: its options (with labels), length and pattern.

    For a list these are the limits of each item, so the same reading serves a
    single value and every value of a list.
    """
    return {
        "options": tuple(node.get("enum", ())),
        "option_labels": tuple(_labels(node)),
        "min_length": node.get("minLength"),
        "max_length": node.get("maxLength"),
        "pattern": node.get("pattern"),
    }


def _labels(node: dict[str, Any]) -> list[str]:
    """Readable labels for enum values (schema.py adds them for vocabularies)."""
    if "x-enumLabels" in node:
        return [str(text) for text in node["x-enumLabels"]]
    return [str(value) for value in node.get("enum", ())]
