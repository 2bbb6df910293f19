"""The generated parts of the contribute pages, and the files the contribution tools publish.

Hand-written pages under docs/contribute/ hold the prose; wherever a list must
match the code, they hold a marker instead, which this module replaces at build
time:

- ``<!-- carehub:field-reference -->``: every field of every type, from the model
- ``<!-- carehub:vocabulary NAME -->``: the terms of one vocabulary (evidence levels …)
- ``<!-- carehub:error-codes -->``: every check code, from problems.CODES
- ``<!-- carehub:share-form -->``: the "share your story" form (shareform.py)

It also adds the JSON Schemas (/schema/*.schema.json) and the form's script and
styles to the site.  The plugin calls :func:`add_files` and :func:`expand`, one
line each; this module must not change how stories themselves are published.
"""

from __future__ import annotations

import re
from importlib import resources

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from carehub.check.catalogue import Catalogue
from carehub.check.model import STORY_TYPES, TYPE_LABELS
from carehub.check.vocabularies import Vocabularies
from carehub.contribute import schema, settings, shareform
from carehub.contribute.fieldspec import FieldSpec, type_fields
from carehub.problems import CODES

ASSETS = ("share.js", "share.css")
ASSET_DIR = "assets/carehub"
_MARKER_RE = re.compile(r"^<!-- carehub:([a-z-]+)(?: ([a-z_]+))? -->[ \t]*$", re.MULTILINE)

# What each hundred of check codes is about, for the error-code reference.
CODE_GROUPS = {
    "1": ("Reading the file", "The file could not be read as text with front matter in strict YAML."),
    "2": ("Fields and values", "A field is missing, unknown, or has a value the content model does not allow."),
    "3": (
        "Personal data",
        "Something looks like personal data. Remove it; if a reviewer agrees it is not personal data, record a "
        "`privacy_exceptions` entry. See [consent and personal data](consent.md).",
    ),
    "4": ("Unsafe markup", "HTML or a link that could run code in a reader's browser. Use plain Markdown instead."),
    "5": ("File names, links and files", "Something about the file itself, or a file or story it points to."),
    "6": ("Data files", "A problem in data/vocabularies.yml, data/sites/, data/glossary.yml or data/synonyms.yml."),
}


def add_files(files: Files, config: MkDocsConfig, catalogue: Catalogue) -> None:
    """Publish the JSON Schemas and the form's assets."""
    base_url = settings.from_config(dict(config)).site_url
    generated = {
        schema.STORY_SCHEMA_PATH: schema.render(schema.story_schema(catalogue.vocabularies, base_url)),
        schema.SITE_SCHEMA_PATH: schema.render(schema.site_schema(catalogue.vocabularies, base_url)),
    }
    package = resources.files("carehub.contribute") / "assets"
    for name in ASSETS:
        generated[f"{ASSET_DIR}/{name}"] = (package / name).read_text(encoding="utf-8")
    for path, content in generated.items():
        if files.get_file_from_path(path) is None:
            files.append(File.generated(config, path, content=content, inclusion=InclusionLevel.NOT_IN_NAV))


def expand(markdown: str, page: Page, config: MkDocsConfig, catalogue: Catalogue) -> str:
    """Replace the markers in a hand-written page with content generated from the code."""
    if "<!-- carehub:" not in markdown:
        return markdown

    def replace(match: re.Match[str]) -> str:
        kind, argument = match.group(1), match.group(2)
        if kind == "field-reference":
            return field_reference(catalogue.vocabularies)
        if kind == "vocabulary" and argument:
            return vocabulary_list(catalogue.vocabularies, argument)
        if kind == "error-codes":
            return error_codes()
        if kind == "share-form":
            return shareform.render(
                catalogue, settings.from_config(dict(config)), lambda path: get_relative_url(path, page.url)
            )
        return match.group(0)

    return _MARKER_RE.sub(replace, markdown)


# -- the field reference --------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _kind(spec: FieldSpec) -> str:
    limits = ""
    if spec.max_length:
        limits = f", {spec.min_length or 0}–{spec.max_length} characters" if spec.min_length else ""
        limits = limits or f", up to {spec.max_length} characters"
    words = {
        "text": "text" + limits,
        "long-text": "a paragraph" + limits,
        "date": "a date, YYYY-MM-DD",
        "boolean": "true or false",
        "number": "a number",
        "email": "a role or team mailbox",
        "url": "a web address starting https://",
        "site": "a site id from data/sites/",
        "choice": "one value from the list",
        "choices": "a list of values from the list" + (", at least one" if spec.min_items else ""),
        "texts": "a list of texts",
        "sites": "a list of site ids from data/sites/",
        "group": "a group of fields",
        "groups": "a list of groups of fields",
        "type": "the type's name",
    }
    return words[spec.kind]


def _required_for(name: str, by_type: dict[str, dict[str, FieldSpec]]) -> str:
    having = [t for t in STORY_TYPES if name in by_type[t]]
    required = [t for t in having if by_type[t][name].required]
    if required and len(required) == len(STORY_TYPES):
        return "every story"
    if required:
        return ", ".join(TYPE_LABELS[t].lower() for t in required)
    return "optional"


def field_reference(vocabularies: Vocabularies) -> str:
    """Markdown: a summary table per type, then a section for each field with its allowed values."""
    story_schema = schema.story_schema(vocabularies)
    by_type = {t: {spec.name: spec for spec in type_fields(story_schema, t)} for t in STORY_TYPES}
    common = [name for name in by_type[STORY_TYPES[0]] if all(name in by_type[t] for t in STORY_TYPES)]
    out = ["## Fields every story can have", "", "| Field | Required for | Value |", "| --- | --- | --- |"]
    for name in common:
        spec = by_type[STORY_TYPES[0]][name]
        out.append(f"| [`{name}`](#{name}) | {_required_for(name, by_type)} | {_cell(_kind(spec))} |")
    for story_type in STORY_TYPES:
        own = [name for name in by_type[story_type] if name not in common]
        out += ["", f"## Fields for a {TYPE_LABELS[story_type].lower()}", ""]
        out += ["| Field | Required | Value |", "| --- | --- | --- |"]
        for name in own:
            spec = by_type[story_type][name]
            required = "yes" if spec.required else "no"
            out.append(f"| [`{name}`](#{name}) | {required} | {_cell(_kind(spec))} |")
    out += ["", "## Every field in detail", ""]
    documented: set[str] = set()
    for story_type in STORY_TYPES:
        for name, spec in by_type[story_type].items():
            if name in documented:
                continue
            documented.add(name)
            out += _field_section(spec, _required_for(name, by_type), vocabularies)
    return "\n".join(out) + "\n"


def _field_section(spec: FieldSpec, required_for: str, vocabularies: Vocabularies, parent: str = "") -> list[str]:
    shown = f"{parent}.{spec.name}" if parent else spec.name
    anchor = shown.replace(".", "-")  # a nested field's whole path, so updates.outcomes.unit is not outcomes.unit
    level = "####" if parent else "###"
    out = [f"{level} `{shown}` {{#{anchor}}}", "", spec.description, ""]
    out.append(f"- **Required for:** {required_for}")
    out.append(f"- **Value:** {_kind(spec)}")
    if spec.kind == "type":
        out.append("- **Allowed values:** " + ", ".join(f"`{t}`" for t in STORY_TYPES))
    if spec.pattern and spec.kind not in ("email", "url", "site", "sites"):
        out.append(f"- **Pattern:** `{spec.pattern}`")
    if spec.const is True:
        out.append("- **Must be:** `true`")
    out.append("")
    if spec.vocabulary:
        out.append(f"Allowed values (from `data/vocabularies.yml`, list `{spec.vocabulary}`):")
        out += ["", _vocabulary_table(vocabularies, spec.vocabulary), ""]
    for child in spec.children:
        out += _field_section(child, "yes" if child.required else "optional", vocabularies, parent=shown)
    return out


def _vocabulary_table(vocabularies: Vocabularies, name: str) -> str:
    rows = ["| Value | Meaning | Description |", "| --- | --- | --- |"]
    rows += [f"| `{t.id}` | {_cell(t.label)} | {_cell(t.description)} |" for t in vocabularies[name]]
    return "\n".join(rows)


def vocabulary_list(vocabularies: Vocabularies, name: str) -> str:
    """Markdown: each term of one vocabulary, as a definition list a reader can scan."""
    if name not in vocabularies.by_name:
        return f"<!-- carehub: no vocabulary called {name} -->"
    return "\n".join(f"- **{t.label}** (`{t.id}`): {t.description}" for t in vocabularies[name]) + "\n"


# -- the error-code reference -------------------------------------------------------------


def error_codes() -> str:
    """Markdown: every check code, grouped by hundred, each with an anchor (#ch203) to link to."""
    out: list[str] = []
    for prefix, (title, about) in CODE_GROUPS.items():
        codes = [code for code in CODES if code[2] == prefix]
        if not codes:
            continue
        out += [f"## {title}", "", about, "", "| Code | Meaning |", "| --- | --- |"]
        out += [f'| <span id="{code.lower()}">{code}</span> | {_cell(CODES[code])} |' for code in codes]
        out.append("")
    return "\n".join(out)
