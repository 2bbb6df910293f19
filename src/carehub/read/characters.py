"""Invisible characters: which no text may hold, how to name one in a message, and where a file has them.

Controls, bidirectional overrides and noncharacters can hide text from a reviewer or break a feed, so the
readers report each one where it stands (CH109).  Standard library only; knows nothing about YAML or stories.
"""

from __future__ import annotations

import re
import unicodedata

from carehub.problems import Problem

# Invisible characters no text may hold: C0 controls but tab and newline (a carriage return never survives
# sourcetext.decode), DEL, C1, bidirectional overrides and isolates, the Unicode line and paragraph
# separators, and the noncharacters (U+FDD0-U+FDEF, and the last two code points of every plane).  Every
# character XML 1.0 forbids is here or a surrogate, so text without them can go into HTML, a feed and JSON.
_INVISIBLE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
# As typed in a file (find_control_characters), and as YAML has decoded a value: a double-quoted escape
# ("\v", "\r", "\uFFFE") reaches us only there, and the pure-Python reader lets "\ud800" through.
CONTROL_RE = re.compile(f"[{_INVISIBLE}]")
INVISIBLE_RE = re.compile(f"[{_INVISIBLE}\r\ud800-\udfff]")
_CHARACTER_NAMES = {
    0x00: "null",
    0x07: "bell",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x0D: "carriage return",
    0x1B: "escape",
    0x7F: "delete",
    0x85: "next line",
}
# Printable ASCII, tab, newline and carriage return: deleting these bytes leaves only
# the characters CONTROL_RE could match (and other non-ASCII text), so the regex
# scans a few characters instead of the whole file.
_PLAIN_BYTES = bytes([9, 10, 13, *range(32, 127)])


def describe_character(character: str) -> str:
    """``U+000B (vertical tab)``: a character's code point and what it is, for a message."""
    code = ord(character)
    if code in _CHARACTER_NAMES:
        what = _CHARACTER_NAMES[code]
    elif 0xD800 <= code <= 0xDFFF:
        what = "half of a surrogate pair, not a character"
    elif 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        what = "a Unicode noncharacter"
    else:
        what = unicodedata.name(character, "").lower() or "a control character"
    return f"U+{code:04X} ({what})"


def blank_control_characters(text: str) -> str:
    """Replace control characters (already reported) so YAML does not report them again."""
    return CONTROL_RE.sub("\ufffd", text)


def find_control_characters(text: str, file: str, first_line: int = 1) -> list[Problem]:
    """Invisible controls, overrides and noncharacters, which can hide text from reviewers or break feeds."""
    problems: list[Problem] = []
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
    if not rest or not CONTROL_RE.search(rest.decode("utf-8", "surrogatepass")):
        return problems
    for number, line in enumerate(text.split("\n"), start=first_line):
        for match in CONTROL_RE.finditer(line):
            problems.append(
                Problem.error(
                    file,
                    number,
                    match.start() + 1,
                    "CH109",
                    f"An invisible character, {describe_character(match.group())}, is in the text.",
                    "Delete it: retype the text around this point, or paste it as plain text.",
                )
            )
    return problems
