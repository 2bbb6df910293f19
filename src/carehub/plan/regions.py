"""A schematic inline SVG map of NHS England's seven regions, each linking to its listing.

Schematic on purpose: recognisable shapes in roughly the right places, drawn
by hand in a 360 x 400 box, not a survey map — no map tiles, no geodata
download, no external request, a few kilobytes inline.  The map is a
convenience for pointer users; the list of regions printed beside it (with
the same links and counts) is the text alternative and the keyboard route,
so the map is hidden from assistive technology and its links are out of the
tab order rather than announced twice.

Must not read files or know about MkDocs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from markupsafe import Markup, escape

# Region id -> (outline points, label position, label lines).  Neighbouring
# regions share vertices so the shapes tile without gaps.
SHAPES: dict[str, tuple[str, tuple[int, int], tuple[str, ...]]] = {
    "north-east-and-yorkshire": (
        "203,12 221,52 232,82 258,112 272,150 252,166 205,170 194,140 188,100 183,60",
        (224, 120),
        ("North East", "and Yorkshire"),
    ),
    "north-west": (
        "160,50 183,60 188,100 194,140 205,170 188,196 166,190 160,176 152,142 138,92",
        (168, 132),
        ("North", "West"),
    ),
    "midlands": (
        "166,190 188,196 205,170 252,166 272,150 282,182 286,202 262,216 244,250 218,274 193,290 177,262 171,222",
        (224, 218),
        ("Midlands",),
    ),
    "east-of-england": (
        "286,202 332,214 340,250 318,280 302,288 277,284 258,270 244,250 262,216",
        (296, 246),
        ("East of", "England"),
    ),
    "london": (
        "277,284 302,288 306,300 292,310 272,306 266,294",
        (286, 298),
        ("London",),
    ),
    "south-east": (
        "218,274 244,250 258,270 277,284 266,294 272,306 292,310 306,300 302,288 318,280 314,296 "
        "340,310 338,328 282,342 242,342 232,302",
        (268, 326),
        ("South East",),
    ),
    "south-west": (
        "193,290 218,274 232,302 242,342 202,352 152,358 62,392 100,362 148,330 172,312",
        (178, 334),
        ("South West",),
    ),
}


def region_map(
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    href: Callable[[str], str],
    noun: tuple[str, str] = ("story", "stories"),
) -> Markup:
    """The map: each region a link to ``href(region_id)``, shaded when it has something; ``noun`` is what the
    counts count, singular and plural (stories on /regions/, places on an approach page)."""
    parts = []
    for region_id, (points, (x, y), lines) in SHAPES.items():
        count = counts.get(region_id, 0)
        shade = "ch-map__region--has-stories" if count else "ch-map__region--empty"
        label = "".join(
            f'<tspan x="{x}" dy="{0 if index == 0 else 11}">{escape(line)}</tspan>' for index, line in enumerate(lines)
        )
        first_line = y - 5 * (len(lines) - 1)
        parts.append(
            f'<a href="{escape(href(region_id))}" tabindex="-1" class="ch-map__link" '
            f'data-region="{escape(region_id)}"><title>{escape(labels.get(region_id, region_id))}: '
            f"{count} {noun[0] if count == 1 else noun[1]}</title>"
            f'<polygon class="ch-map__region {shade}" points="{points}"></polygon>'
            f'<text class="ch-map__label" x="{x}" y="{first_line}" text-anchor="middle">{label}</text>'
            f'<text class="ch-map__count" x="{x}" y="{first_line + 11 * len(lines)}" '
            f'text-anchor="middle">{count}</text></a>'
        )
    return Markup(
        '<svg class="ch-map" viewBox="40 0 320 400" width="320" height="400" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
