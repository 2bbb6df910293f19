"""Problems found in contributors' files, and the three ways we print them.

Every stage of the pipeline returns a list of :class:`Problem` instead of
raising, so one run can report every mistake in every file.  This module must
not know how problems are found: it only names them (:data:`CODES`, which the
docs page of error codes is generated from) and formats them for people
(text), for tools (JSON) and for GitHub's pull request annotations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str  # relative to the project root, with forward slashes
    line: int  # 1-based; 0 when the whole file is at fault
    column: int  # 1-based; 0 when the whole line is at fault
    code: str
    severity: Severity
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @classmethod
    def error(cls, file: str, line: int, column: int, code: str, message: str, hint: str = "") -> Problem:
        """An error: the file cannot be published until it is fixed."""
        return cls(file, line, column, code, "error", message, hint)

    @classmethod
    def warning(cls, file: str, line: int, column: int, code: str, message: str, hint: str = "") -> Problem:
        """A warning: published, but worth a look (``carehub check --strict`` fails on it)."""
        return cls(file, line, column, code, "warning", message, hint)


# The hint for a file the operating system will not let us read (CH506, CH600): the same wherever it is found.
READ_HINT = (
    "Check that the file exists, that you may read it (its permissions) and that it is a file, not a folder, "
    "then run the check again."
)

# Code -> short title.  The docs' error-code page (render/docspages.py) and GitHub annotations read this,
# so a code that a contributor searches for is always explained somewhere.
CODES: dict[str, str] = {
    "CH100": "The file is not valid UTF-8 text",
    "CH101": "The file does not start with front matter",
    "CH102": "The front matter is not closed with ---",
    "CH103": "The front matter is not valid YAML",
    "CH104": "A key appears twice",
    "CH105": "The front matter is not a list of key: value pairs",
    "CH106": "A YAML tag (!!something) is not allowed",
    "CH107": "YAML anchors and aliases (& and *) are not allowed",
    "CH108": "The front matter is too large or too deeply nested",
    "CH109": "An invisible character (a control character, override or noncharacter)",
    "CH110": "A date that does not exist",
    "CH111": "YAML read a word as a yes/no value or a number",
    "CH112": "A YAML escape that puts an invisible character into a value",
    "CH200": "A required field is missing",
    "CH201": "A field the hub does not know",
    "CH202": "A value of the wrong kind",
    "CH203": "A value that is not in the list of allowed values",
    "CH204": "A value that is too long",
    "CH205": "A value that is empty or too short",
    "CH206": "A date in the future",
    "CH207": "An updated date before the story's date",
    "CH208": "An outcome whose before and after cannot be compared",
    "CH209": "Consent is not complete enough to publish",
    "CH210": "An unknown story type",
    "CH211": "A site that is not in the sites directory",
    "CH212": "The same value listed twice",
    "CH213": "An email address that is not valid",
    "CH214": "A web address that is not valid",
    "CH215": "A value close to its length limit",
    "CH216": "An image without alternative text",
    "CH217": "A value the hub cannot accept",
    "CH218": "A placeholder (FILL IN) still to be replaced",
    "CH225": "An abbreviation the glossary does not explain",
    "CH230": "An approach that is not in data/approaches.yml",
    "CH231": "A case study not reviewed for two years",
    "CH232": "An update that cannot be placed on the timeline",
    "CH300": "Looks like an NHS number",
    "CH301": "Looks like a full postcode",
    "CH302": "Looks like a phone number",
    "CH303": "Looks like a personal email address",
    "CH304": "Looks like a date of birth",
    "CH305": "A privacy exception that matches nothing",
    "CH400": "HTML that is not allowed",
    "CH401": "An event handler (onclick= and similar)",
    "CH402": "A link or image with an unsafe address",
    "CH403": "An attribute list, which GitHub's Markdown shows as text",
    "CH404": "A call-out written as !!!, which GitHub's Markdown shows as text",
    "CH405": "An alert GitHub does not know ([!NOTE], [!TIP], [!IMPORTANT], [!WARNING], [!CAUTION])",
    "CH500": "Two stories with the same web address (slug)",
    "CH501": "A file name that is not lowercase words joined by hyphens",
    "CH502": "A symbolic link that points outside the repository",
    "CH503": "A file that is too large",
    "CH504": "A file that is referenced but missing",
    "CH505": "A link to a story that does not exist",
    "CH506": "A file that cannot be read",
    "CH507": "A file type that may not be published",
    "CH508": "A file whose contents do not match its type",
    "CH509": "A file that will not be published (its name or folder starts with . or _)",
    "CH510": "A link to a withdrawn story",
    "CH511": "A story that has been withdrawn",
    "CH512": "A file beside the stories that no story links to (not published)",
    "CH513": "A file of a withdrawn story that another story links to (not published)",
    "CH516": "A case study that says it adopted from a story that does not exist",
    "CH517": "A case study that says it adopted from a story that is not a case study, or from itself",
    "CH600": "A problem in a data file (vocabularies, sites, glossary or withdrawals)",
    "CH601": "An approach in data/approaches.yml that is not complete or valid",
    "CH602": "An approach id given twice",
    "CH604": "A site offer or want that is neither an approach nor a tag",
    "CH606": "The synonym list (data/synonyms.yml) is not a list of groups of phrases",
    "CH607": "A synonym group with fewer than two different phrases",
    "CH608": "A synonym with no words to search for, or too many",
    "CH609": "A phrase in two synonym groups",
}


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file, then line and column, errors before warnings at one place."""
    return sorted(
        set(problems),
        key=lambda p: (p.file, p.line, p.column, p.severity != "error", p.code, p.message),
    )


def count(problems: Sequence[Problem]) -> tuple[int, int]:
    errors = sum(1 for p in problems if p.is_error)
    return errors, len(problems) - errors


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_text(
    problems: Sequence[Problem],
    checked: int,
    source: Mapping[str, list[str]] | None = None,
    colour: bool = False,
) -> str:
    """Human-readable report; ``source`` maps file -> lines, for the excerpt under each problem (looked up
    once for each run of problems in one file: sourcetext.SourceLines reads the file each time)."""
    out: list[str] = []
    looked_up: str | None = None
    lines: list[str] | None = None
    red, yellow, dim, reset = ("\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m") if colour else ("",) * 4
    for p in problems:
        where = f"{p.file}:{p.line}:{p.column}" if p.line else p.file
        tint = red if p.is_error else yellow
        out.append(f"{where}  {tint}{p.severity}{reset}  {p.code}  {p.message}")
        if p.file != looked_up:
            looked_up, lines = p.file, (source or {}).get(p.file)
        if lines and 0 < p.line <= len(lines):
            text = lines[p.line - 1].rstrip("\r\n").expandtabs(1)
            out.append(f"    {dim}{text}{reset}")
            if p.column:
                out.append("    " + " " * (p.column - 1) + "^")
        if p.hint:
            out.extend(f"    {h}" for h in p.hint.splitlines())
    errors, warnings = count(problems)
    if problems:
        out.append("")
    verdict = (
        "No problems found"
        if not problems
        else "Found " + ", ".join([_plural(errors, "error"), _plural(warnings, "warning")])
    )
    out.append(f"{verdict} in {_plural(checked, 'file')} checked.")
    return "\n".join(out)


def format_json(problems: Sequence[Problem], checked: int) -> str:
    import json  # here, not above: a text check from the cache need not import it

    return json.dumps(
        {"checked": checked, "problems": [asdict(p) for p in problems]},
        indent=2,
        ensure_ascii=False,
    )


def _escape_github(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(problems: Sequence[Problem], checked: int) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on its line."""
    out = []
    for p in problems:
        level = "error" if p.is_error else "warning"
        props = [f"file={_escape_github(p.file, property_value=True)}"]
        if p.line:
            props.append(f"line={p.line}")
        if p.column:
            props.append(f"col={p.column}")
        props.append(f"title={_escape_github(p.code + ' ' + CODES.get(p.code, ''), property_value=True)}")
        body = p.message + (f"\n{p.hint}" if p.hint else "")
        out.append(f"::{level} {','.join(props)}::{_escape_github(body)}")
    errors, warnings = count(problems)
    out.append(f"carehub check: {errors} errors, {warnings} warnings in {checked} files.")
    return "\n".join(out)
