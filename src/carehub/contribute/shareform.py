"""The "share your story" form: HTML generated from the content model, driven by share.js.

Why generated: the questions, their hints, the allowed values and the rules the
browser checks must be the ones `carehub check` applies.  This module writes
one field for each question from fieldspec.py (itself from the JSON Schema),
marks which story types ask it and which require it, and embeds the schema so
share.js checks answers against the same rules.  No answer ever leaves the
reader's browser except through a link they choose to follow (GitHub or their
e-mail program); the page makes no requests of its own.

This module must not decide rules: it only presents the schema.  It writes no
blank lines, so Markdown passes the whole form through as one block of HTML.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from carehub.check import privacy, safety
from carehub.check.catalogue import Catalogue
from carehub.check.model import CONTACT_FIELDS, STORY_TYPES, TYPE_DESCRIPTIONS, TYPE_LABELS
from carehub.check.storytypes import TYPE_FOLDERS
from carehub.contribute import schema
from carehub.contribute.fieldspec import FieldSpec, own_fields, type_fields
from carehub.contribute.settings import SiteSettings

ASSET_DIR = "assets/carehub"
# Optional fields worth asking about in a short form; the rest can be added in review.
ASK_OPTIONAL = frozenset({"organisation", "barriers", "tags", "site", "sources", "illustrative", "privacy_exceptions"})
ASK_OPTIONAL_FOR = {"case-study": frozenset({"outcomes"}), "resource": frozenset({"downloads"})}
NOT_ASKED = frozenset({"type"})  # the first question
# Questions read better than field names in a few places; everything else uses the schema's title.
LABELS = {
    "title": "Title",
    "summary": "Summary",
    "date": "Date of the story",
    "illustrative": "This is an illustrative example: a made-up story that shows the format",
    "privacy_exceptions.text": "The exact text the check flagged",
    "privacy_exceptions.reason": "Why it is not personal data",
    "consent.reference": "Consent reference",
    "consent.legal_basis": "Legal basis for publishing",
    "consent.obtained": "Date consent was obtained",
    "consent.reviewed_final_text": "The person has read and agreed the final text of their story",
    "consent.scope": "Where the story may appear",
    "consent.withdrawal_contact": "Mailbox for withdrawing consent",
    "buddy_contact": "Mailbox for places that want to learn from you",
    "site": "Your organisation or place in the sites directory",
    "sources.url": "Web address",
    "downloads.href": "Web address",
    "outcomes.higher_is_better": "A higher value is better",
}
RADIOS_UP_TO = 5  # more options than this make a drop-down list
DESCRIBE_UP_TO = 8  # each option's description is shown under it for lists this short (evidence levels, barriers)
BODY_HINT = (
    "Tell the story in plain words. You can use Markdown: a blank line between paragraphs, "
    "## for a heading, - for a list."
)


def _asked(spec: FieldSpec, story_type: str) -> bool:
    if spec.name in NOT_ASKED:
        return False
    return spec.required or spec.name in ASK_OPTIONAL or spec.name in ASK_OPTIONAL_FOR.get(story_type, ())


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _id(path: str) -> str:
    return "f-" + path.replace(".", "-").replace("_", "-")


def render(catalogue: Catalogue, site: SiteSettings, asset_href: Callable[[str], str]) -> str:
    """The form, its result panel and the data share.js needs, as one HTML block.

    ``asset_href`` turns a site path such as ``ASSET_DIR + "/share.js"`` into a
    link from the form's page: the engine knows where pages live, this module does not.
    """
    story_schema = schema.story_schema(catalogue.vocabularies)
    by_type = {t: {s.name: s for s in type_fields(story_schema, t)} for t in STORY_TYPES}
    order: list[str] = []
    for story_type in STORY_TYPES:
        order += [name for name in by_type[story_type] if name not in order]
    out = ['<div class="carehub-share" id="share">']
    out.append(
        '<p class="carehub-share-nojs" data-share-nojs>This form needs JavaScript, which is turned off or has '
        "not loaded. You can still share your story in any of the ways described below the form.</p>"
    )
    # Shown from the start, and the note above hidden, by share.css's `scripting` media queries (linked in the
    # page's <head>): nothing moves when share.js starts.
    out.append('<form id="share-form" class="carehub-share-form" novalidate>')
    out.append(
        # As in the GOV.UK design system: the summary takes focus, and an alert inside announces it.
        '<div class="carehub-error-summary" id="share-errors" tabindex="-1" hidden><div role="alert">'
        '<h2 id="share-errors-title">There is a problem</h2><ul></ul></div></div>'
    )
    out.append(_type_question())
    out.append("<div data-share-questions hidden>")
    for name in order:
        types = [t for t in STORY_TYPES if name in by_type[t] and _asked(by_type[t][name], t)]
        if not types:
            continue
        spec = next(by_type[t][name] for t in types)
        required = [t for t in types if by_type[t][name].required]
        out.append(_field(spec, name, types, required, catalogue))
    out.append(
        '<div class="carehub-field" data-field="body" data-types="{}" data-required="{}">'
        '<label for="f-body">Your story</label><p class="carehub-hint" id="f-body-hint">{}</p>'
        '<textarea id="f-body" name="body" rows="12" aria-describedby="f-body-hint"></textarea></div>'.format(
            " ".join(STORY_TYPES), " ".join(STORY_TYPES), _e(BODY_HINT)
        )
    )
    out.append('<button type="submit" class="md-button md-button--primary">Check and preview</button>')
    out.append("</div></form>")
    out.append(_result_panel(site))
    data = {
        "schema": story_schema,
        "types": {
            t: {
                "folder": TYPE_FOLDERS[t],
                "label": TYPE_LABELS[t],
                "order": list(by_type[t]),
                "own": sorted(own_fields(t)),
            }
            for t in STORY_TYPES
        },
        "taken": sorted(story.slug for story in catalogue.stories),
        "newFileUrl": site.new_file_url,
        "mailbox": site.mailbox,
        # The personal-data screen, as `carehub check` runs it: the same patterns and word lists.
        "privacy": {
            **privacy.form_rules(),
            "contactFields": sorted(".".join(path) for path in CONTACT_FIELDS),
            "patientTypes": ["patient-story"],
        },
        # The unsafe-markup screen of a story's body, as `carehub check` runs it.
        "safety": safety.form_rules(),
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    out.append(f'<script type="application/json" id="share-data">{payload}</script>')
    out.append(f'<script src="{_e(asset_href(ASSET_DIR + "/share.js"))}" defer></script>')
    out.append("</div>")
    return "\n".join(out) + "\n"


def _type_question() -> str:
    items = []
    for story_type in STORY_TYPES:
        fid = _id(f"type.{story_type}")
        items.append(
            f'<div class="carehub-choice"><input type="radio" id="{fid}" name="type" value="{story_type}" '
            f'aria-describedby="{fid}-hint"><label for="{fid}">{_e(TYPE_LABELS[story_type])}</label>'
            f'<p class="carehub-hint" id="{fid}-hint">{_e(TYPE_DESCRIPTIONS[story_type])}</p></div>'
        )
    return (
        '<fieldset class="carehub-field" data-field="type" id="f-type"><legend>What kind of story is it?</legend>'
        + "".join(items)
        + "</fieldset>"
    )


def _optional_marker() -> str:
    return '<span class="carehub-optional" data-optional> (optional)</span>'


def _field(spec: FieldSpec, path: str, types: list[str], required: list[str], catalogue: Catalogue) -> str:
    attrs = (
        f'class="carehub-field" data-field="{_e(path)}" data-types="{" ".join(types)}" '
        f'data-required="{" ".join(required)}"'
    )
    return _control(spec, path, attrs, catalogue)


def _control(spec: FieldSpec, path: str, attrs: str, catalogue: Catalogue) -> str:
    fid = _id(path)
    hint = f'<p class="carehub-hint" id="{fid}-hint">{_e(spec.description)}</p>'
    label_text = _e(LABELS.get(path.replace(".ITEMN", ""), spec.title)) + _optional_marker()
    if spec.kind in ("group", "groups"):
        return _group(spec, path, attrs, catalogue)
    if spec.kind == "choices" or (spec.kind == "choice" and len(spec.options) <= RADIOS_UP_TO):
        kind = "checkbox" if spec.kind == "choices" else "radio"
        choices = []
        vocabulary = catalogue.vocabularies.by_name.get(spec.vocabulary or "")
        explain = vocabulary is not None and len(spec.options) <= DESCRIBE_UP_TO
        for index, (value, text) in enumerate(zip(spec.options, spec.option_labels, strict=True)):
            cid = f"{fid}-{index + 1}"
            term = vocabulary.get(value) if explain and vocabulary is not None else None
            described = f' aria-describedby="{cid}-hint"' if term else ""
            choices.append(
                f'<div class="carehub-choice"><input type="{kind}" id="{cid}" name="{_e(path)}" value="{_e(value)}"'
                f'{described}><label for="{cid}">{_e(text)}</label>'
                + (f'<p class="carehub-hint" id="{cid}-hint">{_e(term.description)}</p>' if term else "")
                + "</div>"
            )
        return (
            f'<fieldset {attrs} id="{fid}" aria-describedby="{fid}-hint"><legend>{label_text}</legend>{hint}'
            f'<div class="carehub-choices">{"".join(choices)}</div></fieldset>'
        )
    if spec.kind == "boolean":
        return (
            f'<div {attrs}><div class="carehub-choice"><input type="checkbox" id="{fid}" name="{_e(path)}" '
            f'value="true" aria-describedby="{fid}-hint"><label for="{fid}">{label_text}</label></div>{hint}</div>'
        )
    described = f'id="{fid}" name="{_e(path)}" aria-describedby="{fid}-hint"'
    if spec.kind in ("choice", "site"):
        if spec.kind == "site":
            options = [(site_id, site.name) for site_id, site in sorted(catalogue.sites.items())]
        else:
            options = list(zip(spec.options, spec.option_labels, strict=True))
        rendered = "".join(f'<option value="{_e(v)}">{_e(t)}</option>' for v, t in options)
        empty = "Not listed, or none" if spec.kind == "site" else "Choose one"
        control = f'<select {described}><option value="">{empty}</option>{rendered}</select>'
    elif spec.kind == "long-text":
        control = f'<textarea {described} rows="4"></textarea>'
    else:
        input_type = {"date": "date", "email": "email", "url": "url"}.get(spec.kind, "text")
        extra = ' inputmode="decimal"' if spec.kind == "number" else ""
        extra += ' spellcheck="false" autocomplete="off"' if spec.kind in ("email", "url") else ""
        control = f'<input type="{input_type}" {described}{extra}>'
    return f'<div {attrs}><label for="{fid}">{label_text}</label>{hint}{control}</div>'


def _group(spec: FieldSpec, path: str, attrs: str, catalogue: Catalogue) -> str:
    fid = _id(path)
    legend = f"<legend>{_e(spec.title)}{_optional_marker()}</legend>"
    hint = f'<p class="carehub-hint" id="{fid}-hint">{_e(spec.description)}</p>'
    if spec.kind == "group":
        inner = "".join(
            _control(
                child, f"{path}.{child.name}", f'class="carehub-field" data-field="{_e(path)}.{child.name}"', catalogue
            )
            for child in spec.children
        )
        return f'<fieldset {attrs} id="{fid}" aria-describedby="{fid}-hint">{legend}{hint}{inner}</fieldset>'
    item_path = f"{path}.ITEMN"  # share.js numbers each copy of the template
    children = "".join(
        _control(
            child,
            f"{item_path}.{child.name}",
            f'class="carehub-field" data-field="{_e(item_path)}.{child.name}" data-item-field="{child.name}"',
            catalogue,
        )
        for child in spec.children
    )
    noun = _e(spec.title.lower().rstrip("s"))
    template = (
        f'<template data-item-template><fieldset class="carehub-item" data-item><legend>{_e(spec.title)} '
        f'<span data-item-number></span></legend>{children}<button type="button" class="md-button" data-remove-item>'
        f"Remove this {noun}</button></fieldset></template>"
    )
    return (
        f'<fieldset {attrs} id="{fid}" data-group="{_e(path)}" aria-describedby="{fid}-hint">{legend}{hint}'
        f'<div data-items></div>{template}<button type="button" class="md-button" data-add-item>'
        f"Add {'an' if noun[:1] in 'aeiou' else 'a'} {noun}</button></fieldset>"
    )


def _result_panel(site: SiteSettings) -> str:
    github = (
        '<li><a id="share-github" class="md-button md-button--primary" href="#" rel="noopener">'
        "Propose it on GitHub</a> (opens GitHub with the file filled in; you need a free GitHub account)</li>"
        if site.new_file_url
        else ""
    )
    return (
        '<section id="share-result" class="carehub-share-result" hidden aria-labelledby="share-result-title">'
        '<h2 id="share-result-title" tabindex="-1">Your story is ready to send</h2>'
        '<p>It will be saved as <code id="share-filename"></code>. Read it through, then choose how to send it.</p>'
        '<label for="share-markdown">Your story as a Markdown file</label>'
        '<textarea id="share-markdown" readonly rows="16" spellcheck="false"></textarea>'
        f'<ul class="carehub-share-actions">{github}'
        '<li><button type="button" class="md-button" id="share-copy">Copy the text</button></li>'
        '<li><button type="button" class="md-button" id="share-download">Download the file</button></li>'
        f'<li><a class="md-button" id="share-email" href="mailto:{_e(site.mailbox)}">Email it to us</a> '
        f"(to {_e(site.mailbox)}; no GitHub account needed)</li></ul>"
        '<p id="share-status" role="status" aria-live="polite"></p>'
        '<p><button type="button" class="md-button" id="share-edit">Change your answers</button></p>'
        "</section>"
    )
