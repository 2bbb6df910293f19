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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from carehub.check import model, privacy, safety, vocabularies
from carehub.check.model import MODELS, TYPE_LABELS, Meta
from carehub.check.vocabularies import Vocabularies
from carehub.problems import Problem
from carehub.read.frontmatter import Document
from carehub.read.yamlreader import Path_, Position, Rejected

# A number written with thousands commas ("1,890", "12,400.5"): rejected with the exact fix (CH208).
_THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

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

    def __init__(
        self,
        vocabularies: Vocabularies,
        site_ids: frozenset[str] | None,
        today: dt.date,
        abbreviations: frozenset[str] | None = None,
        approach_ids: frozenset[str] | None = None,
        review: bool = True,
    ) -> None:
        self.review = review  # report case studies not reviewed for two years (CH231); `check --no-review` turns it off
        self.vocabularies = vocabularies
        self.site_ids = site_ids
        self.approach_ids = approach_ids
        self.today = today
        # The glossary's abbreviations; None skips the abbreviation warning (CH225).
        self.abbreviations = abbreviations
        self.context = {"vocabularies": vocabularies}
        self.field_names = sorted(model.all_field_names())

    # -- the whole story -------------------------------------------------------------

    def validate(self, document: Document, file: str) -> tuple[Meta | None, list[Problem]]:
        data = document.data or {}
        problems: list[Problem] = []
        meta: Meta | None = None
        story_type = data.get("type")
        if isinstance(story_type, Rejected) or not isinstance(story_type, str) or story_type not in MODELS:
            # Unreadable (a YAML error) or unknown: check what the fields every story has can be.  A field
            # that some type has is left alone: without the type it cannot be judged, only called unknown.
            if not isinstance(story_type, Rejected):
                problems.append(self._type_problem(document, file, story_type))
            target: type[BaseModel] = model.StoryBase
            payload = {k: v for k, v in data.items() if k != "type" and k not in _TYPE_FIELDS}
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
        if self.abbreviations is not None:
            problems.extend(self._unexplained_abbreviations(document, file))
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
        suggestion = did_you_mean(str(value), list(MODELS))
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
        """pydantic's errors as problems: each error type's words come from :data:`_SIMPLE` or :data:`_HANDLERS`."""
        for error in errors:
            value = error.get("input")
            if isinstance(value, Rejected):
                continue  # already reported by the reader, with the exact text
            path: Path_ = tuple(error["loc"])
            failure = _Failure(document, file, target, path, error["type"], value, error.get("ctx") or {}, error["msg"])
            simple = _SIMPLE.get(failure.kind)
            if simple is not None:
                code, message, hint, suffix = simple
                values = {"name": failure.name, "value": value}
                yield self._problem(document, file, (*path, *suffix), code, message.format(**values), hint)
                continue
            handler = _HANDLERS.get(failure.kind)
            if handler is None and failure.kind in _WRONG_TYPE:
                handler = StoryValidator._wrong_type
            if handler is None:
                purpose = _field_hint(target, path)
                yield self._problem(
                    document,
                    file,
                    path,
                    "CH217",
                    f"`{failure.name}` cannot be accepted: {failure.msg}.",
                    (f"`{failure.name}` is for: {purpose.rstrip('.')}. " if purpose else "")
                    + "Change the value to what the field asks for; the fields are listed at /contribute/fields/.",
                )
            else:
                yield handler(self, failure)

    def _at(self, failure: _Failure, code: str, message: str, hint: str = "", *, key: bool = False) -> Problem:
        return self._problem(failure.document, failure.file, failure.path, code, message, hint, key=key)

    def _missing(self, failure: _Failure) -> Problem:
        path, document = failure.path, failure.document
        if path[-2:-1] == ("image",) and path[-1] == "alt":
            return self._at(
                failure,
                "CH216",
                "The image has no `alt` text.",
                "Add `alt:` under `image:` saying what the picture shows, for people who cannot see it.",
            )
        label = TYPE_LABELS.get(str(document.data.get("type") if document.data else ""), "story")
        return self._at(
            failure,
            "CH200",
            f"`{failure.name}` is required for a {label.lower()}.",
            f"Add a line `{path[-1]}: ...` to the front matter"
            + (f" under `{dotted(path[:-1])}`" if len(path) > 1 else "")
            + f". It is for: {_field_hint(failure.target, path) or 'see /contribute/fields/'}",
            key=True,
        )

    def _extra(self, failure: _Failure) -> Problem:
        options = self._known_at(failure.target, failure.path[:-1])
        return self._at(
            failure,
            "CH201",
            f"`{failure.name}` is not a field the hub knows.",
            did_you_mean(str(failure.path[-1]), options) + "Check the spelling, or remove it. "
            "The fields are listed at /contribute/fields/.",
            key=True,
        )

    def _vocabulary(self, failure: _Failure) -> Problem:
        vocab = self.vocabularies[str(failure.context.get("vocabulary"))]
        shown = ", ".join(vocab.ids) if len(vocab.ids) <= 10 else f"see data/vocabularies.yml ({vocab.name})"
        suggestions = vocab.suggest(str(failure.value)) if isinstance(failure.value, str) else []
        if len(suggestions) == 1:
            term = vocab.get(suggestions[0])
            label = f" ({term.label})" if term and vocabularies.norm_id(term.label) != term.id else ""
            meant = f"Did you mean `{suggestions[0]}`{label}? "
        elif suggestions:
            meant = "Did you mean one of " + ", ".join(f"`{s}`" for s in suggestions) + "? "
        else:
            meant = ""
        return self._at(
            failure,
            "CH203",
            f"`{failure.name}` has a value that is not in the {vocab.name.replace('_', ' ')} list: `{failure.value}`.",
            meant + f"Allowed: {shown}.",
        )

    def _wrong_type(self, failure: _Failure) -> Problem:
        """A value of the wrong kind: YAML's reading of a plain word (CH111), no value, or the kind wanted."""
        name, value = failure.name, failure.value
        trap = failure.document.traps.get(failure.path)
        if trap is not None and trap.kind != "empty value":
            return self._at(
                failure,
                "CH111",
                f"`{trap.text}` in `{name}` was read as a {trap.kind}, not as text.",
                f'Put it in double quotes: "{trap.text}".',
            )
        if value is None:
            return self._at(
                failure,
                "CH205",
                f"`{name}` has no value.",
                "Write a value after the colon, or remove the line.",
                key=True,
            )
        if failure.kind in ("float_parsing", "float_type") and failure.path[-1] in ("before", "after"):
            hint = "Write the number only (for example 12.5) and put the unit, such as %, in `unit`."
            if isinstance(value, str) and _THOUSANDS_RE.match(value.strip()):  # 1,890: copied from a report
                hint = f"Drop the thousands comma: write `{value.strip().replace(',', '')}`."
            return self._at(
                failure,
                "CH208",
                f"`{name}` must be a number so before and after can be compared, not `{value}`.",
                hint,
            )
        wanted = _WRONG_TYPE[failure.kind]
        return self._at(failure, "CH202", f"`{name}` should be {wanted}.", _SHAPE_HINT.get(wanted, ""))

    def _too_long(self, failure: _Failure) -> Problem:
        unit = "characters" if failure.kind == "string_too_long" else "items"
        return self._at(
            failure,
            "CH204",
            f"`{failure.name}` is too long: {_length(failure.value)} {unit}, "
            f"at most {failure.context.get('max_length')}.",
            f"Shorten it by {_length(failure.value) - int(failure.context.get('max_length') or 0)} {unit} or more; "
            "the full detail belongs in the story text.",
        )

    def _too_short(self, failure: _Failure) -> Problem:
        limit = failure.context.get("min_length")
        unit = "characters" if failure.kind == "string_too_short" else ("item" if limit == 1 else "items")
        return self._at(
            failure,
            "CH205",
            f"`{failure.name}` needs at least {limit} {unit}.",
            _field_hint(failure.target, failure.path),
        )

    def _literal(self, failure: _Failure) -> Problem:
        return self._type_problem(failure.document, failure.file, failure.value)

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
                            f"Remove the second `{item}` from `{name}`.",
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
                        f"`{site}` in `{dotted(path)}` is not in the sites directory.",
                        _nearest_sites(site, self.site_ids)
                        + f"Use one of the ids listed at /sites/ (the file names in data/sites/), "
                        f"or add data/sites/{site}.yml for a new site.",
                    )

        yield from self._spread(data, document, file)

    def _unexplained_abbreviations(self, document: Document, file: str) -> Iterator[Problem]:
        """A warning (CH225), once per story, for each abbreviation the glossary does not explain.

        Only a warning: a reader can still follow the story, and a contributor's pull request never fails
        for it.  The hint gives the glossary entry to add.
        """
        known = self.abbreviations or frozenset()
        seen: set[str] = set()
        places: list[tuple[str, int, int]] = []
        for path, text in _strings(document.data or {}):
            if path[:1] == ("privacy_exceptions",) or path[-1] in _NOT_PROSE or path in model.CONTACT_FIELDS:
                continue
            position = document.positions.get(path)
            for start, word in abbreviations_in(text):
                line, column = (position.line, position.column + start) if position else (1, 1)
                places.append((word, line, column))
        index: privacy.LineIndex | None = None
        for start, word in abbreviations_in(document.body):
            index = index or privacy.LineIndex(document.body, document.body_line)
            line, column = index.position(start)
            places.append((word, line, column))
        for word, line, column in places:
            base = word[:-1] if word.endswith("s") and word[:-1] in known else word
            if base in known or base in seen:
                continue
            seen.add(base)
            yield Problem.warning(
                file,
                line,
                column,
                "CH225",
                f"`{base}` is an abbreviation the glossary does not explain.",
                f"Spell it out where it is first used, as in 'chronic obstructive pulmonary disease (COPD)'. "
                f"So that every page explains it, add it to data/glossary.yml in alphabetical order:\n"
                f"  - term: What {base} stands for\n    abbreviation: {base}\n"
                f"    definition: One or two plain sentences saying what it is.",
            )

    def _spread(self, data: dict[str, Any], document: Document, file: str) -> Iterator[Problem]:
        """The approach a story names (CH230), a case study's updates (CH232) and its review date (CH231)."""
        approach = data.get("approach")
        if self.approach_ids is not None and isinstance(approach, str) and approach not in self.approach_ids:
            yield self._problem(
                document,
                file,
                ("approach",),
                "CH230",
                f"`{approach}` is not an approach in data/approaches.yml.",
                did_you_mean(approach, sorted(self.approach_ids))
                + "Use an approach id from data/approaches.yml, or add the approach there.",
            )
        if data.get("type") != "case-study":
            return
        seen: set[dt.date] = set()
        for index, update in enumerate(_as_list(data.get("updates"))):
            when = update.get("date") if isinstance(update, dict) else None
            if not isinstance(when, dt.date):
                continue
            if when > self.today:
                yield self._problem(
                    document,
                    file,
                    ("updates", index, "date"),
                    "CH232",
                    f"`updates[{index + 1}].date` is in the future ({when}).",
                    "Give the date the update describes: today or earlier.",
                )
            if when in seen:
                yield self._problem(
                    document,
                    file,
                    ("updates", index, "date"),
                    "CH232",
                    f"Two updates have the date {when}.",
                    "Merge them into one update, or correct one date.",
                )
            seen.add(when)
        reviewed = last_reviewed(data) if self.review else None
        if reviewed is not None and (self.today - reviewed).days >= model.REVIEW_AFTER_DAYS:
            contact = data.get("buddy_contact")
            whom = f" Ask {contact} whether it is still running." if isinstance(contact, str) else ""
            yield self._problem(
                document,
                file,
                ("updated",) if "updated" in data else ("date",),
                "CH231",
                f"This case study has had no update or review since {reviewed}, more than two years ago.{whom}",
                "Add an entry to `updates` (status early, ongoing, final or stopped) or set `updated` once someone "
                'has checked it; the page says "not reviewed since" until then.',
                severity="warning",
            )

    def _screen(self, document: Document, file: str) -> Iterator[Problem]:
        data = document.data or {}
        allowed = [
            e["text"]
            for e in _as_list(data.get("privacy_exceptions"))
            if isinstance(e, dict) and isinstance(e.get("text"), str)
        ]
        used: set[str] = set()
        patient = data.get("type") == "patient-story"
        fields = [(path, text) for path, text in _strings(data) if path[:1] != ("privacy_exceptions",)]
        # One cheap pass over all the fields says which detectors could match any of them.
        detectors = privacy.possible_detectors("\x00".join(text for _, text in fields))
        for path, text in fields:
            if not detectors and "@" not in text:
                continue
            contact = path in model.CONTACT_FIELDS
            found = list(privacy.find_personal_data(text, contact=contact, detectors=detectors, patient=patient))
            if not found:
                continue
            findings, hit = privacy.apply_exceptions(found, allowed)
            used |= hit
            position: Position | None = document.positions.get(path)
            for finding in findings:
                line, column = (position.line, position.column + finding.start) if position else (1, 1)
                yield Problem.error(
                    file,
                    line,
                    column,
                    finding.code,
                    f"{finding.message} (in `{dotted(path)}`)",
                    finding.hint + _exception_hint(finding.text),
                )
        body = document.body
        index: privacy.LineIndex | None = None
        found = list(privacy.find_personal_data(body, patient=patient))
        findings, hit = privacy.apply_exceptions(found, allowed) if found else ([], set())
        used |= hit
        for finding in findings:
            index = index or privacy.LineIndex(body, document.body_line)
            line, column = index.position(finding.start)
            yield Problem.error(
                file, line, column, finding.code, finding.message, finding.hint + _exception_hint(finding.text)
            )
        for unsafe in safety.find_unsafe_markup(body):
            index = index or privacy.LineIndex(body, document.body_line)
            line, column = index.position(unsafe.start)
            report = Problem.warning if unsafe.warning else Problem.error
            yield report(file, line, column, unsafe.code, unsafe.message, unsafe.hint)
        for index_, text in enumerate(allowed):
            if text not in used:
                yield self._problem(
                    document,
                    file,
                    ("privacy_exceptions", index_, "text"),
                    "CH305",
                    f"The privacy exception for `{text}` matches nothing in this story.",
                    "Remove this exception (its `text` and `reason`), so reviewers only see exceptions still needed; "
                    "or, if the text changed, copy the flagged text into `text` exactly.",
                    severity="warning",
                )


# Fields only some story types have: judged once the type is known.
_TYPE_FIELDS = frozenset(name for m in MODELS.values() for name in m.model_fields) - set(model.StoryBase.model_fields)


@dataclass(frozen=True, slots=True)
class _Failure:
    """One pydantic error about one story, with what its message needs."""

    document: Document
    file: str
    target: type[BaseModel]
    path: Path_
    kind: str  # pydantic's error type, or one of the model's own (model.py raises PydanticCustomError)
    value: Any
    context: dict[str, Any]
    msg: str

    @property
    def name(self) -> str:
        return dotted(self.path)


# Error types whose problem is fixed words: code, message ({name} the field, {value} what it holds), hint,
# and the field under the failing one to point at.
_SIMPLE: dict[str, tuple[str, str, str, Path_]] = {
    "email": (
        "CH213",
        "`{value}` in `{name}` is not an email address.",
        "Write the whole address: the mailbox, @, then the domain, as in newcaremodels-team@example.org. "
        "Use a team or service mailbox, not a person's.",
        (),
    ),
    "url": (
        "CH214",
        "`{value}` in `{name}` is not a web address.",
        "Write the full address, starting with https://, as in https://www.england.nhs.uk/.",
        (),
    ),
    "site_id": (
        "CH211",
        "`{value}` in `{name}` is not a site id.",
        "Site ids are lowercase words joined by hyphens, as in data/sites/.",
        (),
    ),
    "consent_not_reviewed": (
        "CH209",
        "The person has not reviewed the final text, so the story cannot be published.",
        "Share the final text with them. Once they agree, set `reviewed_final_text: true`.",
        ("reviewed_final_text",),
    ),
    "consent_reference": (
        "CH209",
        "`consent.reference` must be an opaque reference such as CN-2017-014.",
        "Use capital letters, digits, - and / only. Never a name or an NHS number.",
        ("reference",),
    ),
    "updated_before_date": (
        "CH207",
        "`updated` is earlier than `date`.",
        "`date` is when the story was first published; set `updated` to that day or a later one, or remove it.",
        ("updated",),
    ),
}
# Error types whose words depend on the field, the value or the model; every type in _WRONG_TYPE goes to
# StoryValidator._wrong_type, and any other to CH217 with pydantic's own message.
_HANDLERS: dict[str, Callable[[StoryValidator, _Failure], Problem]] = {
    "missing": StoryValidator._missing,
    "extra_forbidden": StoryValidator._extra,
    "vocabulary": StoryValidator._vocabulary,
    "string_too_long": StoryValidator._too_long,
    "too_long": StoryValidator._too_long,
    "string_too_short": StoryValidator._too_short,
    "too_short": StoryValidator._too_short,
    "literal_error": StoryValidator._literal,
}


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


def dates_against_today(data: dict[str, Any] | None, *, review: bool = True) -> list[dt.date]:
    """The dates in a story's front matter that are checked against today's date, with the updates' dates
    (CH232) and the day a case study falls due for review (CH231)."""
    data = data or {}
    dates = [value for _, value in _dates_against_today(data)]
    if data.get("type") == "case-study":
        for update in _as_list(data.get("updates")):
            if isinstance(update, dict) and isinstance(update.get("date"), dt.date):
                dates.append(update["date"])
        reviewed = last_reviewed(data) if review else None
        if reviewed is not None:
            # stale from this day on: exactly when this date stops being "in the future"
            dates.append(reviewed + dt.timedelta(days=model.REVIEW_AFTER_DAYS))
    return dates


def last_reviewed(data: dict[str, Any]) -> dt.date | None:
    """The latest of a case study's date, updated date and updates' dates, read from raw front matter."""
    dates = [data[key] for key in ("date", "updated") if isinstance(data.get(key), dt.date)]
    for update in _as_list(data.get("updates")):
        if isinstance(update, dict) and isinstance(update.get("date"), dt.date):
            dates.append(update["date"])
    return max(dates) if dates else None


def _as_list(value: Any) -> list[Any]:
    """A list field as a list; anything else (already reported by the schema) as empty."""
    return value if isinstance(value, list) else []


def _exception_hint(text: str) -> str:
    return (
        "\nIf a reviewer agrees it is not personal data, add to the front matter:\n"
        f'  privacy_exceptions:\n    - text: "{text}"\n      reason: why this is not personal data'
    )


# Fields that hold codes, addresses or units, not prose a reader needs abbreviations explained in.
_NOT_PROSE = frozenset({"url", "href", "format", "reference", "unit", "licence", "site", "src"})
# Capitals that are not abbreviations a reader needs explained: the pronoun, the country, a file type
# everyone knows, date formats, and the placeholder FILL IN (CH218 reports that).
_NOT_ABBREVIATIONS = frozenset({"I", "UK", "OK", "PDF", "YYYY", "MM", "DD", "FILL", "IN", "A"})
# A run of capitals standing alone: not inside a word, a path or a file name (README.md), though it may end
# a sentence ("checked by the CSU.").
_ABBREVIATION_RE = re.compile(r"(?<![\w/.&-])([A-Z][A-Z&]{1,5}s?)(?![\w/-]|\.\w)")
# Code, link targets (inline and reference definitions), web addresses, HTML comments and GitHub's alert
# markers (`> [!NOTE]`) are not read as prose; nor is "CC BY", which the glossary explains as the term
# "Creative Commons Attribution (CC BY)".
_NOT_READ_RE = re.compile(
    r"```.*?```|`[^`\n]*`|\]\([^)]*\)|^ {0,3}\[[^\]\n]+\]:[^\n]*|\[![A-Za-z]+\]|https?://\S+|<!--.*?-->|CC BY",
    re.DOTALL | re.MULTILINE,
)


def abbreviations_in(text: str) -> Iterator[tuple[int, str]]:
    """(offset, word) for each run of capitals in ``text`` that reads as an abbreviation."""
    if not any(c.isupper() for c in text):
        return
    blanked = _NOT_READ_RE.sub(lambda m: " " * len(m.group()), text)
    for match in _ABBREVIATION_RE.finditer(blanked):
        if match.group(1) not in _NOT_ABBREVIATIONS:
            yield match.start(1), match.group(1)


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


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _nearest_sites(site: str, site_ids: frozenset[str]) -> str:
    """The existing site ids closest to ``site``: by spelling, then by words shared."""
    ids = sorted(site_ids)
    nearest = difflib.get_close_matches(site, ids, n=3, cutoff=0.5)
    words = set(site.split("-"))
    shared = sorted(
        (i for i in ids if words & set(i.split("-")) and i not in nearest),
        key=lambda i: -len(words & set(i.split("-"))),
    )
    nearest = (nearest + shared)[:3]
    if not nearest:
        return ""
    return "The nearest existing ids are " + ", ".join(f"`{i}`" for i in nearest) + ". "


def did_you_mean(value: str, options: list[str]) -> str:
    """ "Did you mean `x`? " for the closest option to a mistyped id, or "" when none is close."""
    lowered = {o.lower(): o for o in options}
    candidate = value.strip().lower().replace(" ", "-").replace("_", "-")
    exact = lowered.get(candidate) or lowered.get(candidate.replace("-", "_"))
    matches = [exact] if exact else difflib.get_close_matches(candidate, list(lowered), n=1, cutoff=0.6)
    if not matches and len(candidate) >= 3:
        matches = [o for o in lowered if o.startswith(candidate) or candidate in o][:1]
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
