"""YAML text to plain values, strictly, with the line and column of every key and value.

Why not ``yaml.safe_load``: duplicate keys win silently, ``NO`` becomes False,
``12:30`` becomes 750, an impossible date raises ValueError, and aliases can
expand without bound.  We compose the YAML into nodes with libyaml (fast, and
never runs constructors), then convert nodes ourselves, recording where each
key and value stands so that later stages can point at line and column.

The one YAML reader of the project: story front matter (frontmatter.py) and
the data files (datafile.py) both read through :func:`read_yaml`.  Knows
nothing about stories: it returns plain values, positions and problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from carehub.problems import Problem
from carehub.read.characters import INVISIBLE_RE, describe_character

try:  # libyaml is in every PyYAML wheel we lock; the pure-Python one is a fallback.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_RESOLVED: dict[tuple[Any, Any, Any], str] = {}
_base_resolve: Callable[..., str] = _Loader.resolve


def _memo_resolve(self: Any, kind: Any, value: Any, implicit: Any) -> str:
    """SafeLoader's resolver, remembered: the same plain scalar always gets the same tag.

    libyaml composes in C but asks this Python method for the tag of every
    node; stories repeat their keys and vocabulary values, so a memo saves a
    fifth of the YAML time.  Bounded, so odd input cannot grow it without limit.
    """
    key = (kind, value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        tag = _base_resolve(self, kind, value, implicit)
        if len(_RESOLVED) < 20_000:
            _RESOLVED[key] = tag
    return tag


_ComposeLoader: Any = type("_ComposeLoader", (_Loader,), {"resolve": _memo_resolve})
_PLAIN_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")

MAX_DEPTH = 20

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# The escapes of YAML's double-quoted style (YAML 1.1, 5.7), and the digits each hexadecimal one takes.
_ESCAPES = {
    "0": "\x00",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column of a key and of its value."""

    line: int
    column: int
    key_line: int
    key_column: int


@dataclass(frozen=True, slots=True)
class Trap:
    """A plain scalar that YAML read as something other than text.

    Kept beside the value so that a schema expecting text can say what
    happened (``NO`` read as false) instead of "expected a string".
    """

    text: str
    kind: str  # "yes/no value", "number", "empty value", "date"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A value the reader has already reported (an impossible date, a forbidden tag).

    Kept in place of the value so the schema does not report the same mistake again.
    """

    text: str


def _escapes(raw: str) -> Iterator[tuple[int, str, str]]:
    """Each escape in the source of a double-quoted scalar: its offset, the text as written, what it decodes to.

    An escaped line break decodes to nothing; an escape YAML would refuse decodes to "".
    """
    start = raw.find("\\")
    while start != -1:
        letter = raw[start + 1 : start + 2]
        length = 2 + _HEX_DIGITS.get(letter, 0)
        written = raw[start : start + length]
        if letter in _HEX_DIGITS:
            try:
                character = chr(int(written[2:], 16))
            except ValueError:
                character = ""
        else:
            character = _ESCAPES.get(letter, "")
        yield start, written, character
        start = raw.find("\\", start + length)


def _field_name(path: Path_) -> str:
    """``outcomes[1].measure``: the path of a value as a contributor would name it (lists counted from 1)."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return INVISIBLE_RE.sub("\ufffd", out) or "the front matter"


class _Reader:
    def __init__(self, file: str, line_offset: int, source: str = "") -> None:
        self.file = file
        self.offset = line_offset  # file line of the YAML's first line, minus one
        self.source = source  # the YAML text the marks index (libyaml counts characters, as str does)
        self.problems: list[Problem] = []
        self.positions: dict[Path_, Position] = {}
        self.traps: dict[Path_, Trap] = {}
        self.seen: set[int] = set()
        self.reported_alias = False

    def where(self, mark: yaml.Mark) -> tuple[int, int]:
        return mark.line + 1 + self.offset, mark.column + 1

    def problem(self, mark: yaml.Mark, code: str, message: str, hint: str = "") -> None:
        line, column = self.where(mark)
        self.problems.append(Problem.error(self.file, line, column, code, message, hint))

    def at(self, index: int) -> tuple[int, int]:
        """The file line and column of a character of the YAML source, counting only newlines as YAML breaks.

        (libyaml also counts U+0085, U+2028 and U+2029 as line breaks; an editor does not.)
        """
        line = self.source.count("\n", 0, index) + 1 + self.offset
        return line, index - (self.source.rfind("\n", 0, index) + 1) + 1

    def invisible(self, node: yaml.ScalarNode, path: Path_, *, key: bool = False) -> None:
        """Report each invisible character in a decoded scalar where it was written: an escape (CH112) or typed."""
        start, end = node.start_mark.index, node.end_mark.index
        raw = self.source[start:end] if self.source else ""
        what = f"The key `{_field_name(path)}`" if key else f"`{_field_name(path)}`"
        found = 0
        if node.style == '"':
            for offset, written, character in _escapes(raw):
                if character and INVISIBLE_RE.match(character):
                    found += 1
                    line, column = self.at(start + offset)
                    self.problems.append(
                        Problem.error(
                            self.file,
                            line,
                            column,
                            "CH112",
                            f"{what}: the escape `{written}` puts {describe_character(character)} into the "
                            f"{'key' if key else 'value'}, an invisible character the hub cannot publish.",
                            f"Delete `{written}`. If you meant a backslash, write two (`\\{written}`), or use "
                            "single quotes, where a backslash is just a backslash.",
                        )
                    )
        for match in INVISIBLE_RE.finditer(raw):  # typed straight into the file: not already blanked
            found += 1
            line, column = self.at(start + match.start())
            self.problems.append(self._typed(line, column, what, match.group()))
        if not found:  # decoded from something we cannot point into: point at the value
            first = INVISIBLE_RE.search(str(node.value))
            line, column = self.where(node.start_mark)
            self.problems.append(self._typed(line, column, what, first.group() if first else "\ufffd"))

    def _typed(self, line: int, column: int, what: str, character: str) -> Problem:
        return Problem.error(
            self.file,
            line,
            column,
            "CH109",
            f"{what} holds {describe_character(character)}, an invisible character.",
            "Delete it: retype the text around this point, or paste it as plain text.",
        )

    def convert(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            self.problem(
                node.start_mark,
                "CH108",
                f"The front matter is nested more than {MAX_DEPTH} levels deep.",
                "Story front matter needs at most three levels. Check the indentation.",
            )
            return None
        if id(node) in self.seen:  # the composer shares one node between an anchor and its aliases
            if not self.reported_alias:
                self.reported_alias = True
                self.problem(
                    node.start_mark,
                    "CH107",
                    "YAML anchors and aliases (& and *) are not allowed in front matter.",
                    "Write the value out in full where it is needed.",
                )
            return Rejected("*alias")
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            if path and isinstance(path[-1], int):  # a list item has no key: record where the item starts
                line, column = self.where(node.start_mark)
                self.positions[path] = Position(line, column, line, column)
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.bad_tag(node)
                return Rejected(node.tag)
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node, path)

    def bad_tag(self, node: yaml.Node) -> None:
        self.problem(
            node.start_mark,
            "CH106",
            f"The YAML tag `{node.tag}` is not allowed.",
            "Remove the tag (the part starting with !) and write a plain value.",
        )

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any] | Rejected:
        if node.tag != _MAP:
            self.bad_tag(node)
            return Rejected(node.tag)
        result: dict[str, Any] = {}
        first_at: dict[str, yaml.Mark] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag.startswith("tag:yaml.org,2002:python"):
                self.bad_tag(key_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (
                _STR,
                _INT,
                _BOOL,
                _NULL,
                _FLOAT,
            ):
                self.problem(key_node.start_mark, "CH105", "A key must be a plain word, such as `title`.")
                continue
            key = str(key_node.value)
            if key_node.tag == _STR and INVISIBLE_RE.search(key):
                self.invisible(key_node, (*path, key), key=True)
                key = INVISIBLE_RE.sub("", key)  # reported; read on as the key it looks like, to report no more
            if key == "<<":
                self.problem(
                    key_node.start_mark,
                    "CH107",
                    "YAML merge keys (<<) are not allowed in front matter.",
                    "Write the fields out in full.",
                )
                continue
            if key in first_at:
                first_line, _ = self.where(first_at[key])
                self.problem(
                    key_node.start_mark,
                    "CH104",
                    f"`{key}` is given twice; the first is on line {first_line}.",
                    "Keep one of them. YAML would silently use only the last one.",
                )
                continue
            first_at[key] = key_node.start_mark
            line, column = self.where(value_node.start_mark)
            key_line, key_column = self.where(key_node.start_mark)
            self.positions[(*path, key)] = Position(line, column, key_line, key_column)
            result[key] = self.convert(value_node, (*path, key), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        text = node.value
        if path not in self.positions:  # list items have no key; record the value itself
            line, column = self.where(node.start_mark)
            self.positions[path] = Position(line, column, line, column)
        tag = node.tag
        if tag == _STR:
            if INVISIBLE_RE.search(text):
                self.invisible(node, path)
                return Rejected(text)
            return text
        if node.style not in (None, ""):  # quoted but tagged: an explicit !!tag
            self.bad_tag(node)
            return Rejected(text)
        if tag == _BOOL:
            self.traps[path] = Trap(text, "yes/no value")
            return text.lower() in ("yes", "true", "on", "y")
        if tag == _NULL:
            self.traps[path] = Trap(text, "empty value")
            return None
        if tag == _INT:
            self.traps[path] = Trap(text, "number")
            if _PLAIN_INT_RE.match(text):  # what YAML 1.1 reads as base 10 (not 012, 0x1, 1_000 or 1:30)
                return int(text)
            try:
                return yaml.load(text, Loader=_Loader)
            except (ValueError, yaml.YAMLError):  # pragma: no cover - resolver and constructor agree
                return text
        if tag == _FLOAT:
            self.traps[path] = Trap(text, "number")
            try:
                return float(text.replace("_", "")) if text[-1:].isdigit() else yaml.load(text, Loader=_Loader)
            except (ValueError, yaml.YAMLError):
                return text
        if tag == _TIMESTAMP:
            self.traps[path] = Trap(text, "date")
            match = _DATE_RE.match(text)
            if not match:
                self.problem(
                    node.start_mark,
                    "CH110",
                    f"`{text}` is a date and time; only a date is expected here.",
                    "Write dates as YYYY-MM-DD, for example 2017-02-16.",
                )
                return Rejected(text)
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                self.problem(
                    node.start_mark,
                    "CH110",
                    f"`{text}` is not a real date.",
                    "Write dates as YYYY-MM-DD and check the day exists in that month.",
                )
                return Rejected(text)
        self.bad_tag(node)
        return Rejected(text)


def visible(value: Any) -> Any:
    """``value`` with each value rejected for invisible characters (already reported) as the text it looks like.

    For the data files: a vocabulary term, site or glossary entry read on as it looks, so one escape is one
    problem, not also every story that uses the term.  Stories keep :class:`Rejected`, which the schema skips.
    """
    if isinstance(value, dict):
        return {key: visible(item) for key, item in value.items()}
    if isinstance(value, list):
        return [visible(item) for item in value]
    if isinstance(value, Rejected) and INVISIBLE_RE.search(value.text):
        return INVISIBLE_RE.sub("", value.text)
    return value


@dataclass(frozen=True, slots=True)
class Parsed:
    """A YAML mapping read strictly: its values, where each stands, and the plain words YAML read as non-text."""

    data: dict[str, Any] | None
    positions: dict[Path_, Position]
    traps: dict[Path_, Trap]


def read_yaml(
    yaml_text: str, file: str, first_line: int, max_bytes: int, *, recover: bool = False
) -> tuple[Parsed, list[Problem]]:
    """Read ``yaml_text``, a mapping whose first line is line ``first_line`` of ``file``.

    ``recover``: after a syntax error, report it, blank the top-level entry it is
    in and read the rest, so the other entries are still checked (story front
    matter).  The entries that could not be read hold :class:`Rejected`.

    A problem about the whole text points at ``first_line`` (at the line before it when the text is empty:
    the opening ``---`` of front matter).
    """
    nothing = Parsed(None, {}, {})
    if len(yaml_text.encode()) > max_bytes:
        return nothing, [
            Problem.error(
                file,
                first_line,
                1,
                "CH108",
                f"The front matter is larger than {max_bytes // 1024} KB.",
                "Put long text in the body, below the closing `---`.",
            )
        ]
    if not yaml_text.strip():  # nothing to compose
        return nothing, [_empty(file, first_line - 1)]
    reader = _Reader(file, line_offset=first_line - 1, source=yaml_text)
    text = yaml_text
    syntax: list[Problem] = []
    unreadable: list[str] = []
    while True:
        try:
            node = yaml.compose(text, Loader=_ComposeLoader)
            break
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = reader.where(mark) if mark else (first_line, 1)
            what = (error.problem or "invalid YAML").strip()
            if "nesting depth" in what:  # libyaml's own limit
                return nothing, [*syntax, _too_deep(file, line, column)]
            message = f"The front matter is not valid YAML: {what}"
            opened = error.context_mark
            if opened is not None and mark is not None and opened.line != mark.line:
                started, _ = reader.where(opened)
                message += (
                    f", in {_CONTEXTS.get((error.context or '').strip(), 'the value')} that starts on line {started}"
                )
            syntax.append(Problem.error(file, line, column, "CH103", message + ".", _yaml_hint(what, error.context)))
            start = error.context_mark or error.problem_mark
            blanked = _blank_entry(text, start.line) if recover and start and len(syntax) < _MAX_RECOVERIES else None
            if blanked is None:
                return nothing, syntax
            text, key = blanked
            unreadable.append(key)
        except yaml.YAMLError as error:
            return nothing, [
                *syntax,
                Problem.error(
                    file,
                    first_line,
                    1,
                    "CH103",
                    f"The front matter is not valid YAML: {error}.",
                    "Check the indentation and quotes.",
                ),
            ]
        except RecursionError:  # the pure-Python composer's limit
            return nothing, [*syntax, _too_deep(file, first_line, 1)]
    if node is None and syntax:  # every entry was unreadable: check what the rest of the file allows
        return Parsed(dict.fromkeys(unreadable, _UNREADABLE), {}, {}), syntax
    if node is None:  # only comments
        return nothing, [_empty(file, first_line - 1)]
    if not isinstance(node, yaml.MappingNode):
        line, column = reader.where(node.start_mark)
        return nothing, [
            *syntax,
            Problem.error(
                file,
                line,
                column,
                "CH105",
                "The front matter must be a list of `key: value` lines.",
                "Each line should look like `title: My story`.",
            ),
        ]
    data = reader.convert(node, ())
    if syntax and isinstance(data, dict):
        for key in unreadable:
            # In place of what could not be read, so the schema neither reports it missing nor judges it.
            data.setdefault(key, _UNREADABLE)
    return Parsed(data, reader.positions, reader.traps), syntax + reader.problems


_UNREADABLE = Rejected("(not readable: see the YAML error above)")
# A line that starts a top-level entry: `key:` at the left margin (the key may be quoted).
_TOP_KEY_RE = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"\-?:][^:#]*?))\s*:(?:\s|$)""")
# Each recovery step blanks one entry; a file cannot hold more broken entries than it has lines, but this
# bounds the work for a hostile one.
_MAX_RECOVERIES = 25


def _blank_entry(text: str, line: int) -> tuple[str, str] | None:
    """``text`` with the top-level entry holding 0-based ``line`` turned to spaces, and that entry's key.

    Spaces keep every other line and column where it was, so positions after the
    error stay true.  None when the line is not inside any entry.  Each call
    blanks a key line, so repeated calls always make progress.
    """
    lines = text.split("\n")
    line = min(line, len(lines) - 1)
    start = next((i for i in range(line, -1, -1) if _TOP_KEY_RE.match(lines[i])), None)
    if start is None:
        return None
    end = next((i for i in range(line + 1, len(lines)) if _TOP_KEY_RE.match(lines[i])), len(lines))
    match = _TOP_KEY_RE.match(lines[start])
    assert match is not None
    key = next(group for group in match.groups() if group is not None).strip()
    for i in range(start, end):
        lines[i] = " " * len(lines[i])
    return "\n".join(lines), key


def _empty(file: str, line: int) -> Problem:
    """Front matter with no fields: blank lines only, or only comments (YAML composes nothing from either)."""
    return Problem.error(
        file,
        max(line, 0),
        1,
        "CH105",
        "The front matter is empty.",
        "Add the required fields between the two `---` lines.",
    )


def _too_deep(file: str, line: int, column: int) -> Problem:
    """Nesting past what the YAML reader will follow: libyaml stops with an error, the Python composer recurses."""
    return Problem.error(
        file,
        line,
        column,
        "CH108",
        "The front matter is nested too deeply to read.",
        "Story front matter needs at most three levels. Check the brackets.",
    )


# PyYAML's words for what it was reading when it failed, in plain English.
_CONTEXTS = {
    "while scanning a quoted scalar": "the quoted text",
    "while parsing a flow sequence": "the list in [brackets]",
    "while parsing a flow mapping": "the {braces}",
    "while parsing a block mapping": "the group of fields",
    "while scanning a simple key": "the line",
}


def _yaml_hint(what: str, context: str | None = None) -> str:
    if context and "quoted scalar" in context:
        return "A quote that opens a value is never closed. Add the closing quote at the end of the value."
    if context and "flow sequence" in context:
        return "A list that starts with [ is never closed. Add ] after its last item, on the same line."
    if "invalid Unicode character escape code" in what:
        return (
            "A `\\u` escape in double quotes names half of a character (D800 to DFFF) or no character at all. "
            "Type the character itself, or write it with `\\U` and eight digits, such as `\\U0001F600`."
        )
    if "unknown escape character" in what:
        return "In double quotes a backslash starts an escape. Write two backslashes, or use single quotes."
    if "mapping values are not allowed" in what:
        return "A value contains `: `. Put the whole value in double quotes."
    if "found character '\\t'" in what or "tab" in what:
        return "Use spaces, not tabs, to indent."
    if "could not find expected ':'" in what:
        return "Each line needs `key: value`. A long value may have wrapped: put it in quotes."
    if "found undefined alias" in what or "alias" in what:
        return "Anchors and aliases (& and *) are not allowed. A value starting with * must be in quotes."
    return "Check the indentation, quotes and colons around this point."
