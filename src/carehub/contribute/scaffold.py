"""Scaffold a story: `carehub new`, and the templates in stories/_templates/.

Both come from one renderer fed by fieldspec.py (itself generated from the
content model), so a field added to model.py appears in `carehub new`, in the
templates and in the form at once.  Every field is written with a short comment
saying what it is for.  Values the contributor has not given yet are either a
sensible default or obvious placeholder text, marked FILL IN (see
placeholders.py), so every other check can run on the new file straight away,
and `carehub check` reports each placeholder as an error (CH218) until it is
replaced: a placeholder is never published.  Consent is the other thing left
to the contributor: a patient story is never scaffolded as consented; the check
fails until they record the reference and confirm the person reviewed the text.

This module never overwrites a file and never reads stories' contents; it only
needs their file names to choose a unique slug.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carehub.check import model
from carehub.check.placeholders import MARKER
from carehub.check.storytypes import TYPE_FOLDERS
from carehub.contribute.fieldspec import FieldSpec, type_fields
from carehub.errors import ScaffoldError
from carehub.read.storyfiles import STORIES_DIR, find_story_files, slug_for

TEMPLATES_DIR = "_templates"
SLUG_MAX = 60
WRAP = 100
# A date for the committed templates: they must not change every day.  The
# template marks it FILL IN; `carehub new` uses today's date instead.
TEMPLATE_DATE = dt.date(2017, 1, 1)

# Defaults for required choices when the contributor has not chosen yet.  Each is
# honest on its own (share early; the weakest evidence claim) and still marked.
DEFAULT_CHOICES: dict[str, list[str] | str] = {
    "care_models": ["other"],
    "region": "national",
    "evidence_level": "anecdotal",
    "status": "early",
    "legal_basis": "explicit-consent",
    "scope": ["website"],
    "resource_kind": "guide",
}
EXAMPLE_MAILBOX = "your-team@example.org"

# Optional fields shown as commented-out examples, so contributors see them without having to fill them in.
EXAMPLES: dict[str, list[str]] = {
    "organisation": ["organisation: Example Community Partnership"],
    "authors": ["authors: [Community nursing team]"],
    "barriers": ["barriers: [information-governance-and-it]"],
    "tags": ["tags: [patient-involvement, share-early]"],
    "site": ["site: example-community-partnership"],
    "adopted_from": ["adopted_from: [sutton-homes-of-care]"],
    "outcomes": [
        "outcomes:",
        "  - measure: Emergency admissions from care homes",
        "    before: 40",
        "    after: 31",
        "    unit: admissions a month",
        "    period: 2015/16 against 2016/17",
        "    source: Trust admissions dashboard",
    ],
    "image": ["image:", "  src: photo.jpg", "  alt: What the photo shows"],
    "sources": ["sources:", "  - title: The report the figures come from", "    url: https://www.example.org/report"],
    "downloads": ["downloads:", "  - title: The toolkit", "    href: toolkit.pdf", "    format: PDF"],
}
# Fields a new story never needs; the docs explain them for when they do.
OMIT = frozenset({"updated", "illustrative", "privacy_exceptions", "licence"})

# The body: headings that suit each type, and good practice drawn from the
# vanguards' advice, as comments that are never published.
BODY: dict[str, str] = {
    "patient-story": """\
<!-- {marker}: write the story below, then delete this comment.
Tell it in the person's own words where you can, and let them read the final text.
Show the difference the change made: what care was like before, and what it is like now.
Leave out anything that could identify them or anyone else: names, ages, addresses, dates of
birth, rare conditions, small places. "A man in his seventies" is enough.
Keep it short and simple: a few paragraphs are plenty. -->

## Before the change

## What changed

## What difference it made
""",
    "failure": """\
<!-- {marker}: write the story below, then delete this comment.
Thank you for sharing what did not work: it saves other places from the same mistakes.
The fields above are the short version; use this space for the detail and the timeline.
Be specific about what happened and why, without blaming anyone.
Finish with advice another team could act on tomorrow. -->

## Background

## How it unfolded

## Advice for others
""",
    "case-study": """\
<!-- {marker}: write the story below, then delete this comment.
Share early: a case study with early results, marked `status: early`, helps others now.
Measure before and after: give the same measures for both, with their source, under `outcomes`.
Keep it simple: small changes, such as a new form or a red bag, are worth sharing too.
Say how patients, carers and staff were involved, and what another place needs to copy it. -->

## How patients and staff were involved

## What it took

## What others need to copy it
""",
    "resource": """\
<!-- {marker}: describe the resource below, then delete this comment.
Say who it is for, what it helps them do, and how long it takes to use.
Put its files beside this story and list them under `downloads` (only linked files are published).
Keep it simple: a form or a checklist that works is worth sharing. -->

## Who it is for

## How to use it
""",
}
# Every body's comment ends by pointing to the Markdown the hub reads: GitHub's, as the pull request preview shows.
MARKDOWN_NOTE = (
    "Write in GitHub Markdown: the preview on GitHub is what readers see. Call-outs, pictures and files\n"
    "beside the story: https://carehub.example.org/contribute/writing/#markdown"
)
BODY = {kind: text.replace(" -->\n", "\n" + MARKDOWN_NOTE + " -->\n", 1) for kind, text in BODY.items()}


@dataclass(frozen=True, slots=True)
class Scaffold:
    path: Path  # where the story goes
    slug: str
    text: str
    placeholders: tuple[str, ...]  # dotted names of fields still to fill in


# -- slugs ------------------------------------------------------------------------


def slugify(title: str) -> str:
    """Lowercase words joined by hyphens, accents dropped, at most SLUG_MAX characters.

    share.js has the same rules, so the form suggests the name `carehub new` would choose.
    """
    without_apostrophes = re.sub(r"['’]", "", title)  # "what's" -> "whats", not "what-s"
    ascii_title = unicodedata.normalize("NFKD", without_apostrophes).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX] else slug[:SLUG_MAX]
    return slug or "story"


def unique_slug(title: str, taken: Iterable[str]) -> str:
    """The slug of ``title``, with -2, -3 … added if another story already has it."""
    base = slugify(title)
    used = set(taken)
    slug, n = base, 2
    while slug in used:
        slug = f"{base}-{n}"
        n += 1
    return slug


def taken_slugs(root: Path) -> set[str]:
    """Slugs of every story under stories/ (every folder: web addresses are shared)."""
    return {slug_for(path) for path in find_story_files(root)}


# -- YAML values ------------------------------------------------------------------

_PLAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 .,'’()/&+@–-]*$")
_YAML_WORDS = frozenset(
    [
        "y",
        "n",
        "yes",
        "no",
        "on",
        "off",
        "true",
        "false",
        "null",
        "none",
        "~",
    ]  # words YAML 1.1 reads as booleans or null
)


def scalar(value: Any, *, in_flow: bool = False) -> str:
    """One YAML scalar: plain where that is unambiguous, otherwise double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = (
        _PLAIN_RE.match(text)
        and text == text.strip()
        and text.lower() not in _YAML_WORDS
        and not (in_flow and "," in text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _value_lines(key: str, value: Any, indent: str, spec: FieldSpec) -> list[str]:
    if isinstance(value, list):
        return [f"{indent}{key}: [{', '.join(scalar(v, in_flow=True) for v in value)}]"]
    if spec.kind == "long-text" and isinstance(value, str) and len(value) + len(indent) + len(key) > WRAP - 2:
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]
        out = [f"{indent}{key}: >-"]
        for number, paragraph in enumerate(paragraphs):
            if number:
                out.append("")
            out.extend(
                textwrap.wrap(
                    paragraph,
                    WRAP,
                    initial_indent=indent + "  ",
                    subsequent_indent=indent + "  ",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
        return out
    return [f"{indent}{key}: {scalar(value)}"]


# -- comments ---------------------------------------------------------------------


def _comment(spec: FieldSpec, indent: str) -> list[str]:
    words = [spec.description.rstrip(".") + "."]
    if spec.required:
        words.append("Required.")
    else:
        words.append("Optional.")
    if spec.max_length and spec.kind in ("text", "long-text"):
        words.append(f"At most {spec.max_length} characters.")
    if spec.min_items and spec.kind == "choices":
        words.append("At least one." if spec.min_items == 1 else f"At least {spec.min_items}.")
    if spec.options and spec.vocabulary:
        if len(spec.options) <= 10:
            words.append("One of:" if spec.kind == "choice" else "Any of:")
            words.append(", ".join(spec.options) + ".")
        else:
            words.append(f"Values: data/vocabularies.yml ({spec.vocabulary}) or /contribute/fields/#{spec.name}.")
    return textwrap.wrap(
        " ".join(words),
        WRAP,
        initial_indent=f"{indent}# ",
        subsequent_indent=f"{indent}# ",
        break_on_hyphens=False,
        break_long_words=False,
    )


# -- rendering --------------------------------------------------------------------


def _placeholder(spec: FieldSpec, today: dt.date) -> tuple[Any, str | None, bool]:
    """(value, trailing comment, marked) for a field nobody has answered yet."""
    if spec.kind in ("text", "long-text"):
        text = f"{MARKER}: {spec.description}"
        if spec.name == "reference":  # a consent reference is never invented: leave it empty, so check fails
            return "", f"{MARKER}: the reference your organisation gave the consent record", True
        return text[: spec.max_length or None], None, True
    if spec.kind == "date":
        return today, (f"{MARKER}: the real date" if spec.name != "date" or today == TEMPLATE_DATE else None), True
    if spec.kind == "boolean" and spec.const is True:
        return False, f"{MARKER}: true only once the person has read and agreed the final text", True
    if spec.kind == "boolean":
        return bool(spec.default), None, False
    if spec.kind == "email":
        return EXAMPLE_MAILBOX, f"{MARKER}: a team or role mailbox, never a person's own", True
    if spec.kind in ("choice", "choices"):
        default = DEFAULT_CHOICES.get(spec.name)
        if default is None:
            default = spec.options[0] if spec.kind == "choice" else list(spec.options[:1])
        return default, f"{MARKER}: choose from the list above", True
    raise ScaffoldError(f"no placeholder for the {spec.kind} field `{spec.name}`")  # pragma: no cover


def _field_lines(
    spec: FieldSpec, answers: Mapping[str, Any], today: dt.date, indent: str, prefix: str, todo: list[str]
) -> list[str]:
    out = _comment(spec, indent)
    if spec.kind == "type":
        return [*out, f"{indent}type: {spec.const}"]
    if spec.kind == "group" and spec.required:
        out.append(f"{indent}{spec.name}:")
        for child in spec.children:
            out.extend(_field_lines(child, answers, today, indent + "  ", f"{prefix}{spec.name}.", todo))
        return out
    dotted = prefix + spec.name
    if dotted in answers and answers[dotted] not in (None, "", []):
        return [*out, *_value_lines(spec.name, answers[dotted], indent, spec)]
    if not spec.required:
        example = EXAMPLES.get(spec.name)
        return [*out, *(f"{indent}# {line}" for line in example)] if example else []
    if spec.name == "date" and not prefix and today != TEMPLATE_DATE:
        return [*out, f"{indent}date: {today.isoformat()}"]
    value, trailing, marked = _placeholder(spec, today)
    if marked:
        todo.append(dotted)
    lines = _value_lines(spec.name, value, indent, spec)
    if trailing:
        lines[-1] += f"  # {trailing}"
    return out + lines


def render(
    story_type: str, answers: Mapping[str, Any], schema: dict[str, Any], today: dt.date
) -> tuple[str, list[str]]:
    """The text of a new story, and the dotted names of the fields still marked FILL IN."""
    todo: list[str] = []
    lines = ["---"]
    for spec in type_fields(schema, story_type):
        if spec.name in OMIT and spec.name not in answers:
            continue
        field_lines = _field_lines(spec, answers, today, "", "", todo)
        if field_lines:
            lines.extend(field_lines)
    lines.append("---")
    body = answers.get("body")
    text = "\n".join(lines) + "\n\n"
    text += body.strip() + "\n" if isinstance(body, str) and body.strip() else BODY[story_type].format(marker=MARKER)
    return text, todo


def render_template(story_type: str, schema: dict[str, Any]) -> str:
    """A template for stories/_templates/: every placeholder shown, dated so it never changes by itself."""
    text, _ = render(story_type, {}, schema, TEMPLATE_DATE)
    label = model.TYPE_LABELS[story_type].lower()
    header = (
        f"<!-- Template for a {label}. The easiest way to start is `carehub new --type {story_type}`,\n"
        "which fills in the date and a unique file name for you. To use this file instead, copy it to\n"
        f"stories/{TYPE_FOLDERS[story_type]}/ with a file name made of lowercase words joined by hyphens,\n"
        "and replace every FILL IN.\n"
        "This file is generated from the content model: run `carehub new --templates` to refresh it. -->\n"
    )
    # The front matter must be first in a story; the note goes after it.
    front, rest = text.split("\n---\n", 1)
    return f"{front}\n---\n{header}{rest}"


def plan(
    root: Path,
    story_type: str,
    answers: Mapping[str, Any],
    schema: dict[str, Any],
    today: dt.date,
    *,
    folder: str | None = None,
    slug: str | None = None,
) -> Scaffold:
    """Choose where the story goes and render it; raises ScaffoldError if it cannot be written."""
    if story_type not in TYPE_FOLDERS:
        raise ScaffoldError(f"`{story_type}` is not a story type; choose one of {', '.join(TYPE_FOLDERS)}.")
    title = str(answers.get("title") or "").strip()
    if not title:
        raise ScaffoldError("a story needs a title: give --title, or run `carehub new` in a terminal to be asked.")
    stories = (root / STORIES_DIR).resolve()
    target_dir = (stories / (folder if folder is not None else TYPE_FOLDERS[story_type])).resolve()
    if not target_dir.is_relative_to(stories) or any(part.startswith(("_", ".")) for part in target_dir.parts):
        raise ScaffoldError(f"--folder must be a folder inside {STORIES_DIR}/ whose name does not start with _ or .")
    taken = taken_slugs(root)
    if slug is not None:
        if slug != slugify(slug):
            raise ScaffoldError(f"`{slug}` is not lowercase words joined by hyphens; try `{slugify(slug)}`.")
        if slug in taken:
            raise ScaffoldError(f"another story already uses the web address /stories/{slug}/; choose another --slug.")
    chosen = slug or unique_slug(title, taken)
    path = target_dir / f"{chosen}.md"
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"{path.relative_to(root.resolve())} already exists; carehub new never overwrites a file.")
    text, todo = render(story_type, {**answers, "title": title}, schema, today)
    return Scaffold(path, chosen, text, tuple(todo))


def write_new(scaffold: Scaffold) -> None:
    """Create the file, failing rather than replacing one that appeared meanwhile."""
    scaffold.path.parent.mkdir(parents=True, exist_ok=True)
    with scaffold.path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(scaffold.text)


def refresh_templates(root: Path, schema: dict[str, Any]) -> list[Path]:
    """Rewrite stories/_templates/<type>.md from the model; returns the files that changed."""
    changed = []
    for story_type in TYPE_FOLDERS:
        path = root / STORIES_DIR / TEMPLATES_DIR / f"{story_type}.md"
        text = render_template(story_type, schema)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(path)
    return changed


# -- asking in a terminal -----------------------------------------------------------

Ask = Callable[[str], str]
Say = Callable[[str], None]


def ask_answers(
    story_type: str, schema: dict[str, Any], given: Mapping[str, Any], ask: Ask, say: Say
) -> dict[str, Any]:
    """Ask for each required field not already given, checking each answer against the field's rules."""
    answers = dict(given)
    say(f"A new {model.TYPE_LABELS[story_type].lower()}. Press Enter to skip a question and fill it in later.")
    for spec in type_fields(schema, story_type):
        if spec.kind == "group" and spec.required:
            say(f"\n{spec.title}: {spec.description}")
            for child in spec.children:
                _ask_one(child, f"{spec.name}.", answers, ask, say)
        elif (spec.required and spec.kind not in ("type", "date")) or spec.name == "organisation":
            _ask_one(spec, "", answers, ask, say)
    return answers


def _ask_one(spec: FieldSpec, prefix: str, answers: dict[str, Any], ask: Ask, say: Say) -> None:
    dotted = prefix + spec.name
    if dotted in answers or spec.kind in ("groups", "group"):
        return
    say(f"\n{spec.title}: {spec.description}")
    if spec.options:
        for number, (option, option_label) in enumerate(zip(spec.options, spec.option_labels, strict=False), 1):
            say(f"  {number:>2}. {option_label} ({option})")
    many = spec.kind == "choices"
    while True:
        reply = ask("  Numbers, separated by commas: " if many else ("  Number: " if spec.options else "  > ")).strip()
        if not reply:
            return
        value, problem = parse_answer(spec, reply)
        if problem is None:
            answers[dotted] = value
            return
        say(f"  {problem}")


def parse_answer(spec: FieldSpec, reply: str) -> tuple[Any, str | None]:
    """Turn what a person typed into a value, or say what is wrong with it."""
    if spec.kind in ("choice", "choices"):
        chosen = []
        for part in [p.strip() for p in reply.split(",") if p.strip()]:
            if part.isdigit() and 1 <= int(part) <= len(spec.options):
                chosen.append(spec.options[int(part) - 1])
            elif part in spec.options:
                chosen.append(part)
            else:
                return None, f"`{part}` is not in the list: type its number, or one of {', '.join(spec.options)}."
        if spec.kind == "choice":
            if len(chosen) != 1:
                return None, "Choose one."
            return chosen[0], None
        return list(dict.fromkeys(chosen)), None
    if spec.kind == "boolean":
        if reply.lower() in ("y", "yes", "true"):
            return True, None
        if reply.lower() in ("n", "no", "false"):
            return None if spec.const is True else False, None
        return None, "Answer yes or no."
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(reply), None
        except ValueError:
            return None, "Write the date as YYYY-MM-DD, for example 2017-02-16."
    if spec.min_length is not None and len(reply) < spec.min_length:
        return None, f"Write at least {spec.min_length} characters."
    if spec.max_length is not None and len(reply) > spec.max_length:
        return None, f"That is {len(reply)} characters; the limit is {spec.max_length}. Shorten it."
    if spec.pattern and not re.match(spec.pattern, reply):
        examples = {"email": "a mailbox such as newcaremodels@example.org", "url": "an address starting https://"}
        return None, f"That does not look right: expected {examples.get(spec.kind, 'a value such as CN-2017-014')}."
    return reply, None
