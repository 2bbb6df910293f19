"""Bytes to text for every file contributors edit: UTF-8 only, a byte order mark and CRLF accepted.

Kept apart from frontmatter.py (which needs YAML) so that `carehub check` can
quote the lines of a file whose results come from its cache without importing
a YAML reader.  Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from carehub.problems import Problem


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text: UTF-8 only, a byte order mark and CRLF line endings accepted."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        before = data[:start]
        line = before.count(b"\n") + 1
        column = start - (before.rfind(b"\n") + 1) + 1
        return None, [
            Problem.error(
                file,
                line,
                column,
                "CH100",
                f"The file is not UTF-8 text: byte 0x{data[start]:02X} cannot be read.",
                "Save the file as UTF-8 (in most editors: File, Save as, Encoding: UTF-8).",
            )
        ]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def source_lines(data: bytes) -> list[str]:
    """The lines a problem report quotes from: the decoded text split at newlines; none if it is not UTF-8."""
    text, _ = decode(data, "")
    return [] if text is None else text.split("\n")


@dataclass(frozen=True, eq=False)  # equal to any mapping of the same lines (Mapping.__eq__)
class SourceLines(Mapping[str, list[str]]):
    """The lines to quote under the problems of ``files`` (paths relative to ``root``), read again from each
    file when asked for, never held: a build keeps its catalogue, and so these, while every page renders.

    The lines are those :func:`source_lines` gives for the file's bytes now, which are the bytes checked
    unless the file was edited since; a file that cannot be read has none.
    """

    root: Path
    files: frozenset[str]

    def __getitem__(self, rel: str) -> list[str]:
        if rel not in self.files:
            raise KeyError(rel)
        try:
            return source_lines((self.root / rel).read_bytes())
        except OSError:
            return []

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.files))

    def __len__(self) -> int:
        return len(self.files)
