"""The site's search index read back as search.js reads it, for the tests (format: publish/search/format.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carehub.publish.search import format as index_format


def ids(gaps: list[int]) -> list[int]:
    """Gaps to page numbers, as the index stores lists of pages: [3, 2, 5] -> [3, 5, 10]."""
    found, at = [], 0
    for gap in gaps:
        at += gap
        found.append(at)
    return found


class Index:
    """The index of a built site."""

    def __init__(self, site: Path) -> None:
        self.root = site / index_format.OUTPUT_SUBDIR
        self.meta: dict[str, Any] = self.load("meta.json")
        assert self.meta["version"] == index_format.FORMAT_VERSION

    def load(self, name: str) -> Any:
        return json.loads((self.root / name).read_text("utf-8"))

    def file(self, name: str) -> Any:
        return self.load(f"{self.meta['build']}/{name}")

    def pages(self) -> list[dict[str, Any]]:
        """Every page's record, by id, from the group files."""
        group, count = self.meta["group"], self.meta["pages"]
        found: list[dict[str, Any]] = []
        for number in range((count + group - 1) // group):
            records = self.file(f"pages/g-{number}.json")
            assert len(records) == min(group, count - number * group), f"group {number} holds {len(records)}"
            found.extend(records)
        return found

    def stem(self, word: str) -> dict[str, Any]:
        start = index_format.shard_file(index_format.shard_key(word, set(self.meta["split"])), self.meta["shards"])
        assert start is not None, f"{word!r} is before every words file"
        shard = self.file(f"words/w-{start}.json")
        entry: dict[str, Any] = shard["stems"][shard["words"][word]]
        return entry

    def words(self) -> set[str]:
        found: set[str] = set()
        for path in (self.root / self.meta["build"] / "words").glob("*.json"):
            found.update(json.loads(path.read_text("utf-8"))["words"])
        return found

    def postings(self, word: str) -> list[tuple[int, int]]:
        """Every page with the word, as (id, score), from the full list or the complete top list."""
        return [(page, score) for page, score, _ in self.sections(word)]

    def top(self, word: str) -> list[tuple[int, int, int]]:
        """The word's best pages as its shard keeps them, best first: (id, score, section holding it best)."""
        flat = self.stem(word)["top"]
        return [(page, *divmod(n, index_format.SECTIONS)) for page, n in zip(flat[::2], flat[1::2], strict=True)]

    def sections(self, word: str) -> list[tuple[int, int, int]]:
        """Every page with the word, as (id, score, section holding it best), by id."""
        entry = self.stem(word)
        if "all" not in entry:
            pairs = sorted(zip(entry["top"][::2], entry["top"][1::2], strict=True))
        else:
            flat = index_format.read_numbers(self.file(f"postings/p-{entry['all']}.json")[entry["s"]])
            pairs = list(zip(ids(flat[::2]), flat[1::2], strict=True))
        return [(page, *divmod(n, index_format.SECTIONS)) for page, n in pairs]

    def filter_ids(self, facet: str, value: str) -> list[int]:
        """The pages with this filter value (none when no page has the facet or the value)."""
        if facet not in self.meta["filters"]:
            return []
        return ids(self.file(f"filters/f-{facet}.json").get(value, []))
