"""Split a story file into front matter and body, and read the front matter's YAML strictly.

Why not MkDocs' reader: it swallows invalid YAML and publishes it as body text.
The front matter is the text between a first line ``---`` and the next line
``---`` (or ``...``); yamlreader.py reads it.  This module knows nothing about
stories: it returns plain values, positions and problems.  Callers decide what
the values mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carehub.problems import Problem
from carehub.read.yamlreader import Path_, Position, Trap, read_yaml

MAX_FRONT_MATTER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Document:
    """The result of reading one file's front matter."""

    data: dict[str, Any] | None
    positions: dict[Path_, Position] = field(default_factory=dict)
    traps: dict[Path_, Trap] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # the file line on which the body starts


_NO_START, _NOT_CLOSED = -2, -1


def _closing(text: str) -> int:
    """Where the line closing the front matter begins, or _NO_START / _NOT_CLOSED."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return _NO_START
    position = 4
    while True:
        newline = text.find("\n", position)
        current = text[position:] if newline == -1 else text[position:newline]
        if current.rstrip() in ("---", "..."):
            return position
        if newline == -1:
            return _NOT_CLOSED
        position = newline + 1


def body_of(text: str) -> str | None:
    """The body of ``text`` as ``read`` splits it (everything after the closing line), without reading the YAML."""
    end = _closing(text)
    return None if end < 0 else _body_after(text, end)


def _body_after(text: str, end: int) -> str:
    """Everything after the closing line that begins at ``end``."""
    after = text.find("\n", end)
    return "" if after == -1 else text[after + 1 :]


def read(text: str, file: str) -> tuple[Document, list[Problem]]:
    """Split ``text`` (already decoded) into front matter and body and read the YAML strictly."""
    end = _closing(text)
    if end == _NO_START:
        return Document(None), [
            Problem.error(
                file,
                1,
                1,
                "CH101",
                "The file must start with front matter: a line `---`, the fields, then `---`.",
                "Start from a template in stories/_templates/, or run `carehub new`.",
            )
        ]
    if end == _NOT_CLOSED:
        return Document(None), [
            Problem.error(
                file,
                1,
                1,
                "CH102",
                "The front matter starts with `---` on line 1 but is never closed.",
                "Add a line with just `---` after the last field, before the story text.",
            )
        ]
    yaml_text = text[4:end]
    body = _body_after(text, end)
    parsed, problems = read_yaml(yaml_text, file, first_line=2, max_bytes=MAX_FRONT_MATTER_BYTES, recover=True)
    document = Document(parsed.data, parsed.positions, parsed.traps, body, yaml_text.count("\n") + 3)
    return document, problems
