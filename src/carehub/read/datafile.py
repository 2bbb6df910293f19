"""The YAML data files under data/ (vocabularies, sites, glossary, withdrawals), read strictly with positions.

One reader for all of them: the bytes decoded as every contributor's file is (sourcetext.py), then the
whole file read as one YAML mapping by the strict reader of front matter (yamlreader.py), so a data file
gets the same checks and the same codes as a story (CH100 to CH112), at the file's own line numbers.
What the values must be is each data file's own module's work (check/); this one must not judge them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carehub.problems import READ_HINT, Problem
from carehub.read.sourcetext import decode
from carehub.read.yamlreader import Path_, Position, read_yaml, visible

# As for front matter: a data file is read whole into memory and into YAML nodes.
MAX_DATA_FILE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class DataFile:
    """A data file's values and where each stands (1-based lines of the file itself)."""

    data: dict[str, Any]
    positions: dict[Path_, Position]

    def line(self, path: Path_, *, key: bool = False) -> int:
        """The line of the value at ``path`` (of its key, with ``key``), or 0 when it has none."""
        position = self.positions.get(path)
        if position is None:
            return 0
        return position.key_line if key else position.line


def read_data_file(data: bytes, file: str, *, keep_rejected: bool = False) -> tuple[DataFile | None, list[Problem]]:
    """``data`` (the bytes of ``file``) as a mapping, or None with the problems that stopped it being read.

    A value the reader rejected for an invisible character (already reported) comes back as the text it
    looks like, so one escape is one problem and not also one in every story that uses the term; with
    ``keep_rejected`` it stays a :class:`~carehub.read.yamlreader.Rejected`, as in a story.
    """
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    parsed, read_problems = read_yaml(text + "\n", file, first_line=1, max_bytes=MAX_DATA_FILE_BYTES)
    problems.extend(read_problems)
    if parsed.data is None:
        return None, problems
    values = parsed.data if keep_rejected else visible(parsed.data)
    return DataFile(values, parsed.positions), problems


def read_data_path(path: Path, file: str, *, keep_rejected: bool = False) -> tuple[DataFile | None, list[Problem]]:
    """:func:`read_data_file` of the file at ``path``; one that cannot be read is CH600 on the whole file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [Problem.error(file, 0, 0, "CH600", f"The file cannot be read: {error.strerror}.", READ_HINT)]
    return read_data_file(data, file, keep_rejected=keep_rejected)
