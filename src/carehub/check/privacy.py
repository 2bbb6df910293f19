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
# A day and month without a year, as in "3 March", "12th of May" or "May 12".
_DAY_MONTH = (
    r"(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2}(?:st|nd|rd|th)?\b)"
)
_ORDINAL_BIRTHDAY = r"\d{1,3}(?:st|nd|rd|th)\s+birthday"
# An age or a birthday beside a day and month: with the story's other details (a ward, a month and year)
# the date of birth can be worked out.  Screened in patient stories only.
_AGE_DATE_RE = re.compile(
    rf"\b(?:turned|turning|turns|reached)\s+\d{{1,3}}\b(?:\s+years?(?:\s+old)?)?,?\s+(?:on|last|this)\s+{_DAY_MONTH}"
    rf"|\b{_ORDINAL_BIRTHDAY}\s+(?:\w+\s+){{0,2}}?(?:on|was|is|fell\s+on|falls\s+on)\s+{_DAY_MONTH}"
    rf"|\bbirthday\s+(?:is|was|falls|fell)\s+(?:on\s+)?{_DAY_MONTH}"
    rf"|\bon\s+{_DAY_MONTH},?\s+(?:\w+\s+){{0,2}}(?:turned\s+\d{{1,3}}\b|{_ORDINAL_BIRTHDAY})",
    re.IGNORECASE,
)
# Words that make a mailbox a role or team address rather than a person's.
_ROLE_WORDS = frozenset(
    [
        "admin",
        "admissions",
        "alliance",
        "board",
        "buddying",
        "care",
        "carers",
        "ccg",
        "centre",
        "clinic",
        "clinical",
        "comms",
        "communications",
        "community",
        "consent",
        "contact",
        "contacts",
        "council",
        "data",
        "desk",
        "digital",
        "discharge",
        "dpo",
        "engagement",
        "england",
        "enquiries",
        "enquiry",
        "evaluation",
        "experience",
        "extensivecare",
        "feedback",
        "forum",
        "frailty",
        "general",
        "generic",
        "governance",
        "group",
        "health",
        "help",
        "helpdesk",
        "hospital",
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
        "medicine",
        "network",
        "newcaremodels",
        "nhs",
        "noreply",
        "nursing",
        "office",
        "pals",
        "partnership",
        "patient",
        "patients",
        "pharmacy",
        "practice",
        "press",
        "primarycare",
        "privacy",
        "programme",
        "project",
        "quality",
        "reception",
        "referrals",
        "research",
        "safeguarding",
        "secretary",
        "service",
        "services",
        "social",
        "stories",
        "support",
        "surgery",
        "team",
        "teams",
        "telehealth",
        "telemedicine",
        "therapy",
        "together",
        "transformation",
        "trust",
        "unit",
        "vanguard",
        "vanguards",
        "vcs",
        "voluntary",
        "ward",
        "wards",
        "wellbeing",
        "withdraw",
        "withdrawal",
    ]
)

# Common given names in England and Wales, for the person-shaped mailbox rule (jane.bloggs@).  Names that
# are also everyday words (Hope, Grace, Will, May, Rose ...) are left out: they appear in team names.
_GIVEN_NAMES = frozenset(
    """
    aaron abdul abigail adam adrian ahmed aidan aisha alan albert alex alexander alexandra alfie alice alison
    amanda amelia amir amy andrea andrew angela anita ann anna anne annie anthony arthur ashley barbara barry
    ben bob benjamin beth bethany bev beverley brian bridget carl carol caroline catherine charles charlie charlotte
    chloe chris christine christopher claire clare colin craig daisy daniel danielle darren dave david debbie
    deborah denise dennis derek diane donna dorothy douglas duncan edward eileen elaine eleanor elizabeth ellie
    emily emma eric evie fatima fiona frances francis freddie gareth gary gemma geoffrey george georgina gillian
    graham hannah harry harvey hassan heather helen henry ian isabel isabella isla jack jackie jacob jake james
    jamie jane janet janice jasmine jason jean jennifer jenny jessica jill joan joanna joanne joe john jonathan
    joseph josephine joshua julia julie karen kate katherine kathleen kathryn katie kelly kenneth kevin kieran
    kim laura lauren leah lee leo lewis liam lily linda lindsey lisa lorraine louise lucy luke lynn malcolm
    margaret maria marie martin mary matthew maureen megan melanie michael michelle mohammed muhammad natalie
    nathan neil nicholas nicola nigel noah oliver olivia oscar owen pamela patricia paul paula pauline peter
    philip priya rachel raj rebecca richard rob robert robin roger ronald rosemary ryan sally samantha samuel
    sandra sarah scott sean sharon shaun sheila simon sophie stephen steven stuart susan suzanne teresa thomas
    tim timothy tina tom tony tracey tracy trevor valerie vanessa vicky wendy william yvonne zara zoe
    """.split()  # noqa: SIM905 -- a word list reads better as words
)
# Short forms people use in their own address (jo.bloggs@, sam.patel@), and common surnames in England and
# Wales (Office for National Statistics lists, with Bloggs, the placeholder name): either word of a two-word
# address being one of these makes it person-shaped.  Surnames that are everyday words (Ward, Hall, Green,
# King, Wood, Hill, Young ...) are left out: they appear in team names.
_SHORT_NAMES = frozenset(
    """
    abi al ali andy ash bex dan dani ed fran gill jen jess jo jon ken liz max meg mike mo nat nick pat pete phil
    sam steve sue tess
    """.split()  # noqa: SIM905 -- a word list reads better as words
)
_SURNAMES = frozenset(
    """
    ahmed akhtar anderson bailey begum bennett bloggs campbell chapman clarke collins cooper davies edwards evans
    harris hughes hussain jackson johnson jones kaur kelly khan lewis mitchell morgan morris murphy obrien parker
    patel phillips richardson roberts robinson shah singh smith stewart taylor thompson watson williams wilson
    wright
    """.split()  # noqa: SIM905 -- a word list reads better as words
)
# Titles that start a person's address (dr.bloggs@).
_TITLES = frozenset(["dr", "mr", "mrs", "miss", "ms", "mx", "prof", "sir"])


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


def mailbox_kind(address: str) -> tuple[bool, str]:
    """Whether an address is a person's own, and why: the one mailbox rule (docs/contribute/privacy.md).

    In order: a team, service or programme word anywhere makes a role mailbox
    (``patient.experience@``, ``vanguard-team@``); an initial beside a name
    (``j.bloggs@``, ``jane.b@``), a title (``dr.bloggs@``) or a common given
    name first or last (``jane.bloggs2@``, ``bloggs.jane@``) is personal; a
    single word that is none of these (``jbloggs@``) is treated as personal,
    since the screen leans towards flagging; two or more other words
    (``better.together@``, ``fyldecoast.extensivecare@``) name a team or a
    programme, so they are a role.
    """
    local = address.split("@", 1)[0].lower()
    parts = [p for p in re.split(r"[._+-]+", re.sub(r"\d+$", "", local)) if p]
    if not parts:
        return True, "it has no words"
    for part in parts:
        if part in _ROLE_WORDS or any(w in part for w in _ROLE_WORDS if len(w) >= 5):
            return False, f"`{part}` names a team, service or programme"
    letters = [re.sub(r"\d+", "", p) for p in parts]
    if len(letters) >= 2 and any(len(p) == 1 for p in letters):
        return True, "it is an initial and a name"
    if letters[0] in _TITLES:
        return True, "it starts with a title"
    names = _GIVEN_NAMES | _SHORT_NAMES | _SURNAMES
    if letters[0] in names or letters[-1] in names:
        return True, "it is shaped like firstname.lastname"
    if len(letters) == 1:
        return True, "it is one word that names no team or service"
    return False, "its words name a team or programme, not a person"


def looks_personal_email(address: str) -> bool:
    """True when the local part is person-shaped (see :func:`mailbox_kind`)."""
    return mailbox_kind(address)[0]


def form_rules() -> dict[str, object]:
    """The detectors as data, for the share form's copy of them (contribute/assets/share.js).

    One source: the form runs these very patterns and word lists, and
    tests/browser/test_share_form.py runs both copies over the same corpora
    (tests/fixtures/privacy) so they cannot drift.  Each pattern is written so
    that JavaScript reads it as Python does (look-behinds, ``\\b``, ``(?:``).
    """
    return {
        "patterns": {
            "CH300": {"source": _NHS_RE.pattern, "flags": ""},
            "CH301": {"source": _POSTCODE_RE.pattern, "flags": ""},
            "CH302": {"source": _PHONE_RE.pattern, "flags": ""},
            "CH303": {"source": _EMAIL_RE.pattern, "flags": ""},
            "CH304": {"source": _DOB_RE.pattern, "flags": "i"},
            "CH304-age": {"source": _AGE_DATE_RE.pattern, "flags": "i"},
        },
        "roleWords": sorted(_ROLE_WORDS),
        "givenNames": sorted(_GIVEN_NAMES | _SHORT_NAMES | _SURNAMES),  # with short forms and surnames
        "titles": sorted(_TITLES),
    }


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
_DOB_WORDS = (b"birth", b"born", b"dob", b"d.o", b"do.b", b"turn", b"reached")


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
    text: str, *, contact: bool = False, detectors: frozenset[str] | None = None, patient: bool = False
) -> Iterator[Finding]:
    """Every likely piece of personal data in ``text``.

    ``contact`` marks a field whose schema says it holds a contact address:
    there a role mailbox is expected and allowed.  ``detectors`` may pass
    :func:`possible_detectors` of a longer text that contains ``text`` (a
    story's fields joined), so short fields skip the byte checks too.
    ``patient`` screens for an age or birthday beside a day and month too
    (a patient story's date of birth can be worked out from them).
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
    if patient and DOB in run:
        for m in _AGE_DATE_RE.finditer(text):
            yield Finding(
                "CH304",
                m.start(),
                m.group(),
                f"`{m.group()}` gives an age or birthday with a day and month, so a date of birth can be worked out.",
                "Drop the day and month, or the age: 'in the spring, in his eighties' tells the story without it.",
            )
    if "@" in text:
        for m in _EMAIL_RE.finditer(text):
            address = m.group()
            personal, why = mailbox_kind(address)
            if personal:
                yield Finding(
                    "CH303",
                    m.start(),
                    address,
                    f"`{address}` looks like a personal email address: {why}.",
                    "Use a mailbox named after the team, service or programme, such as "
                    "patient.experience@nhs.net or vanguard-team@example.org, not a person's own.",
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
