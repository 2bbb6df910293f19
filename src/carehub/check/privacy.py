"""Screening for personal data: NHS numbers, postcodes, phone numbers,
personal email addresses and dates of birth.

Why here and not in review alone: a patient's details published on a public
site and syndicated by RSS cannot be taken back.  The detectors lean towards
flagging; a false positive is fixed by a *reviewed* entry in the story's own
``privacy_exceptions`` (visible in the pull request), never by a global
switch.  They must still let common health text through: "NHS 111", "call
999", years, percentages and 10-digit numbers that fail the NHS number
checksum.

This module only finds things; it does not read files or know the schema.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_NHS_RE = re.compile(r"(?<![\w/.,-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w/-]|[.,]\d)")
_POSTCODE_RE = re.compile(r"\b(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b")
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d[\d\s()-]{7,15}\d(?![\w])")
_EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})[a-z]*,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})[a-z]*\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})"
)
_DOB_RE = re.compile(
    rf"\b(?:date\s+of\s+birth|d\.?o\.?b\.?|born(?:\s+on)?|birthday(?:\s+is)?)\b[\s:,-]*(?:was\s+|is\s+|on\s+)?{_DATE}",
    re.IGNORECASE,
)
# Words that make a mailbox a role or team address rather than a person's.
_ROLE_WORDS = frozenset(
    [
        "admin",
        "alliance",
        "buddying",
        "care",
        "ccg",
        "comms",
        "communications",
        "community",
        "consent",
        "contact",
        "contacts",
        "data",
        "digital",
        "dpo",
        "england",
        "enquiries",
        "enquiry",
        "evaluation",
        "feedback",
        "general",
        "generic",
        "governance",
        "health",
        "help",
        "helpdesk",
        "hub",
        "ig",
        "improvement",
        "info",
        "information",
        "innovation",
        "integrated",
        "learning",
        "mailbox",
        "media",
        "network",
        "newcaremodels",
        "nhs",
        "office",
        "pals",
        "partnership",
        "practice",
        "press",
        "privacy",
        "programme",
        "project",
        "quality",
        "reception",
        "referrals",
        "secretary",
        "service",
        "services",
        "social",
        "stories",
        "support",
        "surgery",
        "team",
        "teams",
        "transformation",
        "trust",
        "vanguard",
        "vanguards",
        "withdraw",
        "withdrawal",
    ]
)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # CH300..CH304
    start: int  # offset in the screened text
    text: str
    message: str
    hint: str


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number modulus 11 check (digits 1-9 weighted 10..2)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def looks_personal_email(address: str) -> bool:
    """True unless the local part contains a role word (team, enquiries, vanguard …)."""
    local = address.split("@", 1)[0].lower()
    parts = [p for p in re.split(r"[._+-]", local) if p]
    return not any(p in _ROLE_WORDS or any(w in p for w in _ROLE_WORDS if len(w) >= 5) for p in parts)


def _uk_phone_digits(candidate: str) -> str | None:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    if len(digits) in (10, 11) and digits.startswith("0") and digits[1] != "0":
        return digits
    return None


# -- cheap necessary conditions ------------------------------------------------------
#
# Python's re engine tries a pattern that starts with a look-behind or ``\b`` at
# every position of the text: about 110 µs per detector on an 860-word story,
# most of the cost of `carehub check`.  Before running a detector we test a
# condition that every one of its matches implies, with byte operations that
# run at memory speed (``in`` and ``translate``).  The conditions only skip
# work: whenever one holds, the original pattern runs unchanged, so findings
# are exactly those of the patterns above (tests/test_privacy_fast.py compares
# both on generated text).
#
# The byte conditions read ASCII digits and spaces only, so text holding any
# other character that ``\d`` or ``\s`` matches, or one of the four non-ASCII
# letters that IGNORECASE matches to an ASCII letter (İ ı ſ K), skips the
# shortcut and runs every detector.
NHS, POSTCODE, PHONE, DOB = "nhs", "postcode", "phone", "dob"
ALL_DETECTORS = frozenset({NHS, POSTCODE, PHONE, DOB})
_ASCII = bytes(range(128))
_UNSURE_RE = re.compile(r"[\d\s\u0130\u0131\u017f\u212a]")
# ASCII digits -> "0"; spaces and the other characters the phone pattern allows
# between digits -> " "; capital letters -> "A"; every other byte unchanged.
_SHAPES = bytes(
    b
    if b >= 128
    else ord("0")
    if chr(b).isdigit()
    else ord(" ")
    if chr(b).isspace() or chr(b) in "()-"
    else ord("A")
    if chr(b).isupper()
    else b
    for b in range(256)
)
_PHONE_SHAPE_RE = re.compile(rb"00[0 ]{7,15}0")
_DOB_WORDS = (b"birth", b"born", b"dob", b"d.o", b"do.b")


def possible_detectors(text: str) -> frozenset[str]:
    """The detectors that could match somewhere in ``text`` (a cheap superset)."""
    data = text.encode("utf-8", "surrogatepass")
    if not text.isascii():
        others = data.translate(None, _ASCII).decode("utf-8", "surrogatepass")
        if _UNSURE_RE.search(others):
            return ALL_DETECTORS
    shape = data.translate(_SHAPES)
    if b"0" not in shape:  # every detector needs a digit
        return frozenset()
    found: set[str] = set()
    if b"000000" in shape or b"000 000" in shape:
        found.add(NHS)
    if b"A0" in shape or b"GIR" in data:
        found.add(POSTCODE)
    if b"+44" in data or _PHONE_SHAPE_RE.search(shape):
        found.add(PHONE)
    lowered = data.lower()
    if any(word in lowered for word in _DOB_WORDS):
        found.add(DOB)
    return frozenset(found)


def find_personal_data(
    text: str, *, contact: bool = False, detectors: frozenset[str] | None = None
) -> Iterator[Finding]:
    """Every likely piece of personal data in ``text``.

    ``contact`` marks a field whose schema says it holds a contact address:
    there a role mailbox is expected and allowed.  ``detectors`` may pass
    :func:`possible_detectors` of a longer text that contains ``text`` (a
    story's fields joined), so short fields skip the byte checks too.
    """
    run = possible_detectors(text) if detectors is None else detectors
    if NHS in run:
        for m in _NHS_RE.finditer(text):
            if nhs_number_is_valid(m.group(1) + m.group(3) + m.group(4)):
                yield Finding(
                    "CH300",
                    m.start(),
                    m.group(),
                    f"`{m.group()}` looks like an NHS number.",
                    "Remove it. NHS numbers identify a patient and must never be published.",
                )
    if POSTCODE in run:
        for m in _POSTCODE_RE.finditer(text):
            yield Finding(
                "CH301",
                m.start(),
                m.group(),
                f"`{m.group()}` looks like a full postcode.",
                "Give the town or area instead (a postcode district such as LA1 is fine).",
            )
    if PHONE in run:
        for m in _PHONE_RE.finditer(text):
            if _uk_phone_digits(m.group()):
                yield Finding(
                    "CH302",
                    m.start(),
                    m.group(),
                    f"`{m.group().strip()}` looks like a phone number.",
                    "Remove it. Point readers to a role mailbox in the contact field instead.",
                )
    if DOB in run:
        for m in _DOB_RE.finditer(text):
            yield Finding(
                "CH304",
                m.start(),
                m.group(),
                f"`{m.group()}` looks like a date of birth.",
                "Remove it. An age range (for example 'in her eighties') tells the story without identifying anyone.",
            )
    if "@" in text:
        for m in _EMAIL_RE.finditer(text):
            address = m.group()
            if looks_personal_email(address):
                yield Finding(
                    "CH303",
                    m.start(),
                    address,
                    f"`{address}` looks like a personal email address.",
                    "Use a role or team mailbox (such as newcaremodels@example.org), not a person's own.",
                )
            elif not contact:
                yield Finding(
                    "CH303",
                    m.start(),
                    address,
                    f"`{address}` is an email address outside a contact field.",
                    "Put role mailboxes in the contact field (buddy_contact or consent.withdrawal_contact).",
                )


def apply_exceptions(findings: Iterable[Finding], allowed: Iterable[str]) -> tuple[list[Finding], set[str]]:
    """Drop findings a reviewed exception covers; return the rest and the exceptions used."""
    allowed_norm = {_norm(a): a for a in allowed}
    kept: list[Finding] = []
    used: set[str] = set()
    for finding in findings:
        key = _norm(finding.text)
        match = next((orig for norm, orig in allowed_norm.items() if key == norm or key in norm), None)
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
    return kept, used


def _norm(value: str) -> str:
    return " ".join(value.split()).lower()


class LineIndex:
    """Offset -> (line, column) for a block of text, 1-based, by binary search."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            self.starts.append(at + 1)
            at = find("\n", at + 1)
        self.first_line = first_line

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.first_line + index, offset - self.starts[index] + 1
