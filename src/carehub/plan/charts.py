"""Inline SVG before/after charts for a story's outcomes, made in Python at build time.

Why SVG from Python: no JavaScript chart library to download, nothing that
fails without JavaScript, and the figures are in the page's HTML where search
engines and printers can reach them.  The outcomes table just above the charts
is their text alternative: it holds every figure a chart shows (before, after,
the change and whether it is better, the period and the source), so story.html
hides the charts from screen readers (``aria-hidden``) rather than have them
read each figure twice, and the SVG carries no ``<title>`` or ``<desc>`` of its
own (issue 19: they repeated the table, 300 bytes a chart).  Colours come
from CSS custom properties, so light and dark themes both meet contrast, and
the words "Before" and "After" are printed on the chart so colour is never the
only cue.  What is the same on every chart (the
texts' fill, size and baseline) is in carehub.css, not on each element: a
story page may hold several charts, and the site a thousand story pages.  No
``xmlns``: the charts are only ever inline in HTML, whose parser puts them in
the SVG namespace.

Must not read files or know about MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from carehub.check.model import Outcome

WIDTH = 360
LABEL_WIDTH = 56
VALUE_ROOM = 88  # space right of the longest bar for its value
BAR_HEIGHT = 22
GAP = 10


def format_number(value: float) -> str:
    """12.0 -> '12', 1234.5 -> '1,234.5', 0.126 -> '0.13' (readers do not need more)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


PERCENT_UNITS = frozenset({"%", "percent", "per cent", "percentage points", "percentage point"})


def is_percentage(unit: str) -> bool:
    """A measure in per cent: its change is told in percentage points, not as a percentage of a percentage."""
    return unit.strip().lower() in PERCENT_UNITS


def with_unit(value: float, unit: str) -> str:
    """A value as readers expect it: '12%', '£4,210 a year', '£2.1 million a year', '3.5 days'.

    Money is written with the pound sign in `unit` ("£ a year", "£ million a year", "£"): the sign goes before
    the number and the rest after it, as GOV.UK's style guide writes money.
    """
    number = format_number(value)
    unit = unit.strip()
    if unit == "%":
        return f"{number}%"
    if unit.startswith("£"):
        rest = unit[1:].strip()
        sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
        return f"{sign}£{digits} {rest}" if rest else f"{sign}£{digits}"
    return f"{number} {unit}"


@dataclass(frozen=True, slots=True)
class Change:
    """What moved, in words: 'Down 25% (better)', or 'Up 69 percentage points (better)' for a percentage."""

    direction: str  # "up", "down" or "none"
    better: bool | None  # None when nothing changed
    percent: float | None  # the relative change; None when the before value is zero
    points: float | None = None  # the change in percentage points, for a measure in %; None otherwise

    @property
    def words(self) -> str:
        if self.direction == "none":
            return "No change"
        verdict = "better" if self.better else "worse"
        if self.points is not None:
            points = format_number(round(abs(self.points), 1))
            return f"{self.direction.capitalize()} {points} percentage point{'' if points == '1' else 's'} ({verdict})"
        amount = f" {format_number(round(abs(self.percent), 1))}%" if self.percent is not None else ""
        return f"{self.direction.capitalize()}{amount} ({verdict})"


def change_of(outcome: Outcome) -> Change:
    """The change from before to after.  A measure in per cent moves in percentage points: 12% to 81% is
    "up 69 percentage points", never "up 575%" (a percentage of a percentage, which readers of health data
    misread).  Other measures move by a percentage of the before value."""
    delta = outcome.after - outcome.before
    if delta == 0:
        return Change("none", None, 0.0)
    percent = delta / abs(outcome.before) * 100 if outcome.before else None
    points = delta if is_percentage(outcome.unit) else None
    return Change("up" if delta > 0 else "down", (delta > 0) == outcome.higher_is_better, percent, points)


def outcome_chart(outcome: Outcome) -> Markup:
    """One outcome as two labelled horizontal bars, before and after, on a shared scale from zero."""
    largest = max(abs(outcome.before), abs(outcome.after)) or 1.0
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    height = 2 * BAR_HEIGHT + 3 * GAP
    change = change_of(outcome)
    after_class = "ch-chart__bar--after"
    if change.better is not None:
        after_class += " ch-chart__bar--better" if change.better else " ch-chart__bar--worse"
    rows = []
    for index, (label, value, css) in enumerate(
        (("Before", outcome.before, "ch-chart__bar--before"), ("After", outcome.after, after_class))
    ):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(abs(value) / largest * room, 2.0)  # a zero still shows as a hairline
        middle = y + BAR_HEIGHT / 2
        rows.append(
            f'<text x="0" y="{middle:g}">{label}</text>'
            f'<rect class="{css}" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" rx="2"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{middle:g}">{escape(with_unit(value, outcome.unit))}</text>'
        )
    return Markup(
        f'<svg class="ch-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">{"".join(rows)}</svg>'
    )
