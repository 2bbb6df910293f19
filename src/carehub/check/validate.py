"""Check one story's front matter and body against the content model.

Turns pydantic's errors into problems a nurse or a programme manager can act
on: plain words, the line and column of the offending key or value, and a
"did you mean" where a key or a vocabulary value is misspelt.  Then screens
every text field and the body for personal data and unsafe markup.

Knows one file at a time; checks across files (slugs, links, sites) are in
catalogue.py.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from carehub.check import model, privacy, safety
from carehub.check.model import MODELS, TYPE_LABELS, Meta
from carehub.check.vocabularies import Vocabularies
from carehub.problems import Problem
from carehub.read.frontmatter import Document, Path_, Position, Rejected

_WRONG_TYPE = {
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "model_type": "a group of fields",
    "model_attributes_type": "a group of fields",
    "dict_type": "a group of fields",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "finite_number": "a number",
}
_SHAPE_HINT = {
    "a list": "Write a list as `[first, second]`, or one `- item` per line below the key.",
    "a group of fields": (
        "Indent the fields below the key, for example:\n  image:\n    src: photo.jpg\n    alt: What the photo shows"
    ),
    "true or false": "Write true or false.",
    "a date (YYYY-MM-DD)": "Write dates as YYYY-MM-DD, for example 2017-02-16.",
}


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class StoryValidator:
    """Validates stories for one project: its vocabularies, site ids and today's date."""

    def __init__(self, vocabularies: Vocabularies, site_ids: frozenset[str] | None, today: dt.date) -> None:
        self.vocabularies = vocabularies
        self.site_ids = site_ids
        self.today = today
        self.context = {"vocabularies": vocabularies}
        self.field_names = sorted(model.all_field_names())

    # -- the whole story -------------------------------------------------------------

    def validate(self, document: Document, file: str) -> tuple[Meta | None, list[Problem]]:
        data = document.data or {}
        problems: list[Problem] = []
        meta: Meta | None = None
        story_type = data.get("type")
        if not isinstance(story_type, str) or story_type not in MODELS:
            problems.append(self._type_problem(document, file, story_type))
            target: type[BaseModel] = model.StoryBase
            payload = {k: v for k, v in data.items() if k != "type"}
        else:
            target = MODELS[story_type]
            payload = data
        try:
            validated = target.model_validate(payload, context=self.context)
            if story_type in MODELS:
                meta = validated  # type: ignore[assignment]
        except ValidationError as error:
            problems.extend(self._translate(error.errors(include_url=False), document, file, target))
        problems.extend(self._semantic(data, document, file, target))
        problems.extend(self._screen(document, file))
        return (meta if not any(p.is_error for p in problems) else None), problems

    # -- helpers ---------------------------------------------------------------------

    def _where(self, document: Document, path: Path_, key: bool = False) -> tuple[int, int]:
        position = document.positions.get(path)
        if position is None:
            # A missing field: point at its parent's key, or at the opening `---`.
            for cut in range(len(path) - 1, 0, -1):
                parent = document.positions.get(path[:cut])
                if parent is not None:
                    return parent.key_line, parent.key_column
            return 1, 1
        return (position.key_line, position.key_column) if key else (position.line, position.column)

    def _problem(
        self,
        document: Document,
        file: str,
        path: Path_,
        code: str,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
        severity: str = "error",
    ) -> Problem:
        line, column = self._where(document, path, key)
        return Problem(file, line, column, code, "warning" if severity == "warning" else "error", message, hint)

    def _type_problem(self, document: Document, file: str, value: Any) -> Problem:
        kinds = ", ".join(f"`{t}`" for t in MODELS)
        if value is None:
            return self._problem(
                document,
                file,
                ("type",),
                "CH200",
                "`type` is required: the kind of story.",
                f"Add a line such as `type: case-study`. The kinds are {kinds}.",
            )
        suggestion = _did_you_mean(str(value), list(MODELS))
        return self._problem(
            document,
            file,
            ("type",),
            "CH210",
            f"`{value}` is not a kind of story the hub knows.",
            f"{suggestion}The kinds are {kinds}.",
        )

    def _translate(
        self, errors: list[ErrorDetails], document: Document, file: str, target: type[BaseModel]
    ) -> Iterator[Problem]:
        for error in errors:
            path: Path_ = tuple(error["loc"])
            kind = error["type"]
            name = dotted(path)
            value = error.get("input")
            if isinstance(value, Rejected):
                continue  # already reported by the reader, with the exact text
            context = error.get("ctx") or {}
            trap = document.traps.get(path)
            if kind == "missing":
                if path[-2:-1] == ("image",) and path[-1] == "alt":
                    yield self._problem(
                        document,
                        file,
                        path,
                        "CH216",
                        "The image has no `alt` text.",
                        "Add `alt:` under `image:` saying what the picture shows, for people who cannot see it.",
                    )
                    continue
                label = TYPE_LABELS.get(str(document.data.get("type") if document.data else ""), "story")
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH200",
                    f"`{name}` is required for a {label.lower()}.",
                    _field_hint(target, path),
                    key=True,
                )
            elif kind == "extra_forbidden":
                options = self._known_at(target, path[:-1])
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH201",
                    f"`{name}` is not a field the hub knows.",
                    _did_you_mean(str(path[-1]), options) + "Check the spelling, or remove it. "
                    "The fields are listed at /contribute/fields/.",
                    key=True,
                )
            elif kind == "vocabulary":
                vocab = self.vocabularies[str(context.get("vocabulary"))]
                shown = ", ".join(vocab.ids) if len(vocab.ids) <= 10 else f"see data/vocabularies.yml ({vocab.name})"
                hint = _did_you_mean(str(value), list(vocab.ids)) + f"Allowed: {shown}."
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH203",
                    f"`{name}` has a value that is not allowed: `{value}`.",
                    hint,
                )
            elif trap is not None and kind in _WRONG_TYPE and trap.kind != "empty value":
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH111",
                    f"`{trap.text}` in `{name}` was read as a {trap.kind}, not as text.",
                    f'Put it in double quotes: "{trap.text}".',
                )
            elif value is None and kind in _WRONG_TYPE:
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH205",
                    f"`{name}` has no value.",
                    "Write a value after the colon, or remove the line.",
                    key=True,
                )
            elif kind in ("float_parsing", "float_type") and path[-1] in ("before", "after"):
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH208",
                    f"`{name}` must be a number so before and after can be compared, not `{value}`.",
                    "Write the number only (for example 12.5) and put the unit, such as %, in `unit`.",
                )
            elif kind in _WRONG_TYPE:
                wanted = _WRONG_TYPE[kind]
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH202",
                    f"`{name}` should be {wanted}.",
                    _SHAPE_HINT.get(wanted, ""),
                )
            elif kind in ("string_too_long", "too_long"):
                limit = context.get("max_length")
                unit = "characters" if kind == "string_too_long" else "items"
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH204",
                    f"`{name}` is too long: at most {limit} {unit}.",
                    "Shorten it; the full detail belongs in the story text.",
                )
            elif kind in ("string_too_short", "too_short"):
                limit = context.get("min_length")
                unit = "characters" if kind == "string_too_short" else ("item" if limit == 1 else "items")
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH205",
                    f"`{name}` needs at least {limit} {unit}.",
                    _field_hint(target, path),
                )
            elif kind == "email":
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH213",
                    f"`{value}` in `{name}` is not an email address.",
                    "Give a role or team mailbox, such as newcaremodels@example.org.",
                )
            elif kind == "url":
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH214",
                    f"`{value}` in `{name}` is not a web address.",
                    "Web addresses start with https://.",
                )
            elif kind == "site_id":
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH211",
                    f"`{value}` in `{name}` is not a site id.",
                    "Site ids are lowercase words joined by hyphens, as in data/sites/.",
                )
            elif kind == "consent_not_reviewed":
                yield self._problem(
                    document,
                    file,
                    (*path, "reviewed_final_text"),
                    "CH209",
                    "The person has not reviewed the final text, so the story cannot be published.",
                    "Share the final text with them. Once they agree, set `reviewed_final_text: true`.",
                )
            elif kind == "consent_reference":
                yield self._problem(
                    document,
                    file,
                    (*path, "reference"),
                    "CH209",
                    "`consent.reference` must be an opaque reference such as CN-2017-014.",
                    "Use capital letters, digits, - and / only. Never a name or an NHS number.",
                )
            elif kind == "updated_before_date":
                yield self._problem(
                    document,
                    file,
                    (*path, "updated"),
                    "CH207",
                    "`updated` is earlier than `date`.",
                    "`date` is when the story was first published; `updated` must be the same or later.",
                )
            elif kind == "literal_error":
                yield self._type_problem(document, file, value)
            else:
                yield self._problem(document, file, path, "CH217", f"`{name}`: {error['msg']}.")

    def _known_at(self, target: type[BaseModel], path: Path_) -> list[str]:
        current: Any = target
        for part in path:
            if isinstance(part, int):
                continue
            field = (
                current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
            )
            if field is None:
                return self.field_names
            current = _model_in(field.annotation)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if current is model.StoryBase:
                return self.field_names
            return list(current.model_fields)
        return self.field_names

    def _semantic(
        self, data: dict[str, Any], document: Document, file: str, target: type[BaseModel]
    ) -> Iterator[Problem]:
        for path, date in _dates_against_today(data):
            if date > self.today:
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH206",
                    f"`{dotted(path)}` is in the future ({date}).",
                    "Use today's date or an earlier one.",
                )
        consent = data.get("consent")
        if (
            isinstance(consent, dict)
            and isinstance(consent.get("obtained"), dt.date)
            and isinstance(data.get("date"), dt.date)
            and consent["obtained"] > data["date"]
        ):
            yield self._problem(
                document,
                file,
                ("consent", "obtained"),
                "CH209",
                "Consent was obtained after the story's date.",
                "Consent must come before publication. Check both dates.",
            )
        for name, limit in (("title", model.TITLE_MAX), ("summary", model.SUMMARY_MAX)):
            value = data.get(name)
            if isinstance(value, str) and limit * model.NEAR_LIMIT < len(value.strip()) <= limit:
                yield self._problem(
                    document,
                    file,
                    (name,),
                    "CH215",
                    f"`{name}` is {len(value.strip())} characters, close to the limit of {limit}.",
                    "Shorter is easier to read in listings and feeds.",
                    severity="warning",
                )
        for name, value in data.items():
            if name in target.model_fields and isinstance(value, list) and all(isinstance(v, str) for v in value):
                seen: set[str] = set()
                for index, item in enumerate(value):
                    if item in seen:
                        yield self._problem(
                            document,
                            file,
                            (name, index),
                            "CH212",
                            f"`{item}` is listed twice in `{name}`.",
                            "Remove the second one.",
                            severity="warning",
                        )
                    seen.add(item)
        for index, outcome in enumerate(_as_list(data.get("outcomes"))):
            if not isinstance(outcome, dict):
                continue
            for key in ("before", "after"):
                number = outcome.get(key)
                if isinstance(number, float) and not math.isfinite(number):
                    yield self._problem(
                        document,
                        file,
                        ("outcomes", index, key),
                        "CH208",
                        f"`outcomes[{index + 1}].{key}` must be a real number.",
                        "Write the measured value, for example 12.5.",
                    )
        if self.site_ids is not None:
            for path, site in _site_refs(data):
                if isinstance(site, str) and model.SITE_ID_RE.match(site) and site not in self.site_ids:
                    yield self._problem(
                        document,
                        file,
                        path,
                        "CH211",
                        f"`{site}` is not in the sites directory.",
                        _did_you_mean(site, sorted(self.site_ids))
                        + f"Add data/sites/{site}.yml, or use an existing site id.",
                    )

    def _screen(self, document: Document, file: str) -> Iterator[Problem]:
        data = document.data or {}
        allowed = [
            e["text"]
            for e in _as_list(data.get("privacy_exceptions"))
            if isinstance(e, dict) and isinstance(e.get("text"), str)
        ]
        used: set[str] = set()
        fields = [(path, text) for path, text in _strings(data) if path[:1] != ("privacy_exceptions",)]
        # One cheap pass over all the fields says which detectors could match any of them.
        detectors = privacy.possible_detectors("\x00".join(text for _, text in fields))
        for path, text in fields:
            if not detectors and "@" not in text:
                continue
            contact = path in model.CONTACT_FIELDS
            found = list(privacy.find_personal_data(text, contact=contact, detectors=detectors))
            if not found:
                continue
            findings, hit = privacy.apply_exceptions(found, allowed)
            used |= hit
            position: Position | None = document.positions.get(path)
            for finding in findings:
                line, column = (position.line, position.column + finding.start) if position else (1, 1)
                yield Problem(
                    file,
                    line,
                    column,
                    finding.code,
                    "error",
                    f"{finding.message} (in `{dotted(path)}`)",
                    finding.hint + _exception_hint(finding.text),
                )
        body = document.body
        index: privacy.LineIndex | None = None
        found = list(privacy.find_personal_data(body))
        findings, hit = privacy.apply_exceptions(found, allowed) if found else ([], set())
        used |= hit
        for finding in findings:
            index = index or privacy.LineIndex(body, document.body_line)
            line, column = index.position(finding.start)
            yield Problem(
                file,
                line,
                column,
                finding.code,
                "error",
                finding.message,
                finding.hint + _exception_hint(finding.text),
            )
        for unsafe in safety.find_unsafe_markup(body):
            index = index or privacy.LineIndex(body, document.body_line)
            line, column = index.position(unsafe.start)
            yield Problem(file, line, column, unsafe.code, "error", unsafe.message, unsafe.hint)
        for index_, text in enumerate(allowed):
            if text not in used:
                yield self._problem(
                    document,
                    file,
                    ("privacy_exceptions", index_, "text"),
                    "CH305",
                    f"The privacy exception for `{text}` matches nothing in this story.",
                    "Remove it, so reviewers only see exceptions that are still needed.",
                    severity="warning",
                )


# The dates compared with today (CH206, a date in the future): the only way today's date
# changes a story's problems, so `carehub check` keeps a cached result while today stays on
# the same side of each of them.
_TODAY_DATE_PATHS: tuple[Path_, ...] = (("date",), ("updated",), ("consent", "obtained"))


def _dates_against_today(data: dict[str, Any]) -> Iterator[tuple[Path_, dt.date]]:
    for path in _TODAY_DATE_PATHS:
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, dt.date):
            yield path, value


def dates_against_today(data: dict[str, Any] | None) -> list[dt.date]:
    """The dates in a story's front matter that are checked against today's date."""
    return [value for _, value in _dates_against_today(data or {})]


def _as_list(value: Any) -> list[Any]:
    """A list field as a list; anything else (already reported by the schema) as empty."""
    return value if isinstance(value, list) else []


def _exception_hint(text: str) -> str:
    return (
        "\nIf a reviewer agrees it is not personal data, add to the front matter:\n"
        f'  privacy_exceptions:\n    - text: "{text}"\n      reason: why this is not personal data'
    )


def _strings(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _site_refs(data: dict[str, Any]) -> Iterator[tuple[Path_, Any]]:
    if "site" in data:
        yield ("site",), data["site"]
    for index, site in enumerate(_as_list(data.get("adopted_from"))):
        yield ("adopted_from", index), site


def _model_in(annotation: Any) -> Any:
    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current
        stack.extend(getattr(current, "__args__", ()))
    return None


def _did_you_mean(value: str, options: list[str]) -> str:
    lowered = {o.lower(): o for o in options}
    candidate = value.strip().lower().replace(" ", "-").replace("_", "-")
    exact = lowered.get(candidate) or lowered.get(candidate.replace("-", "_"))
    matches = [exact] if exact else difflib.get_close_matches(candidate, list(lowered), n=1, cutoff=0.6)
    if not matches:
        matches = [o for o in lowered if candidate and (o.startswith(candidate) or candidate in o)][:1]
    if matches:
        return f"Did you mean `{lowered.get(matches[0], matches[0])}`? "
    return ""


def _field_hint(target: type[BaseModel], path: Path_) -> str:
    current: Any = target
    info = None
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return ""
        info = current.model_fields.get(str(part))
        if info is None:
            return ""
        current = _model_in(info.annotation)
    return info.description or "" if info else ""
