"""The privacy screen's shortcut (possible_detectors) never changes what it finds.

`find_personal_data` skips a detector when a cheap byte test shows it cannot
match.  These properties compare it with running every detector on every
text, over generated text dense in the things the detectors look for and in
the characters that defeat byte tests (non-ASCII digits and spaces, and the
letters that match ASCII ones when case is ignored).
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from carehub.check.privacy import ALL_DETECTORS, Finding, find_personal_data, possible_detectors

PIECES = [
    *"0123456789",
    *" -()+./,:\n\t",
    "0",
    "00",
    "999",
    "+44",
    "(0)",
    "01632 960",
    "07700 900",
    "020 7946 0",
    "999 000 0018",
    "9990000026",
    "ZZ99 3VZ",
    "GIR 0AA",
    "LA1",
    "M62",
    "SW1A 1AA",
    "born on ",
    "Born ",
    "DOB: ",
    "d.o.b. ",
    "do.b",
    "date of birth ",
    "birthday is ",
    "turned 80 on ",
    "90th birthday on ",
    "reached ",
    "3 March",
    "12th March ",
    "March 12, ",
    "2017",
    "12/03/1950",
    "1950-03-12",
    "NHS 111",
    "call 999",
    "45%",
    "jane.doe@example.org",
    "team@example.org",
    "@",
    *"abcABCxyzXYZ",
    "İ",
    "ı",
    "ſ",
    "\u212a",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: \d matches it
    "\uff11",  # FULLWIDTH DIGIT ONE
    "\xa0",
    "\u2003",
    "\x1c",
    "é",
    "’",
    "–",
    "\x00",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _all(text: str, contact: bool = False, patient: bool = False) -> list[Finding]:
    return list(find_personal_data(text, contact=contact, detectors=ALL_DETECTORS, patient=patient))


@settings(max_examples=1500, deadline=None)
@given(texts, st.booleans(), st.booleans())
@example(
    "Born on 12th March 1950, NHS number 999 000 0018, call 01632 960123 or write to jane@example.org", False, False
)
@example("b\u0131rthday is 12/03/1950", False, False)  # dotless i: matches "birth" when case is ignored
@example("DOB \u0661\u0662/03/1950", False, False)
@example("postcode ZZ99 3VZ", False, False)
@example("+44 (0) 20 7946 0123", False, False)
@example("He TURNED 80 on 3 March", False, True)
@example("my 90th b\u0131rthday on 12 May", False, True)
def test_shortcut_finds_exactly_what_every_detector_finds(text: str, contact: bool, patient: bool) -> None:
    assert list(find_personal_data(text, contact=contact, patient=patient)) == _all(text, contact, patient)


@settings(max_examples=500, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6))
def test_detectors_of_joined_fields_cover_each_field(fields: list[str]) -> None:
    detectors = possible_detectors("\x00".join(fields))
    for text in fields:
        assert list(find_personal_data(text, detectors=detectors)) == _all(text)


def test_plain_prose_needs_no_detector() -> None:
    prose = "In 2017, 45% of residents went home sooner; people could still call NHS 111 or 999. " * 50
    assert possible_detectors(prose) == frozenset()
    assert possible_detectors("Née in Zürich – 2017 ’quoted’") == frozenset()
    assert possible_detectors("ward \u0663") == ALL_DETECTORS
