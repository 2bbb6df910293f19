"""The "FILL IN" marker that `carehub new` and the templates put on every value still to be written.

Why a marker: a scaffolded story has every required field with a sensible or
obviously temporary value, so every other check can run on it straight away.
The marker keeps that from becoming a published placeholder: each line that
still holds one is an error (CH218) in `carehub check`, in pull request
annotations and in the build, so a placeholder is never published.

This module only finds the marker; scaffold.py writes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from carehub.problems import Problem

MARKER = "FILL IN"


def find_placeholders(lines: Sequence[str], file: str) -> list[Problem]:
    """An error for each line of a story that still contains the marker."""
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        column = line.find(MARKER)
        if column >= 0:
            problems.append(
                Problem.error(
                    file,
                    number,
                    column + 1,
                    "CH218",
                    "This line still has a placeholder from the template or `carehub new`.",
                    f"Write your own words, then delete {MARKER} (and, on a field, the comment after #).",
                )
            )
    return problems
