"""Words: text split into the words search.js would split it into, and their Snowball stems.

Text is NFKD-decomposed with its combining marks removed, lower-cased,
apostrophes dropped ("patient's" is "patients"), and split into runs of
``a-z0-9``; stems come from the Snowball English stemmer.  search.js normalises
a query the same way; ``tests/test_search_index.py`` holds both to it.

Must not read HTML or files, or know the index format: it only turns text into words.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")


def normalise(text: str) -> list[str]:
    """The words of ``text``, as search.js splits a query (see the module docstring).

    NFKD without combining marks, one distinct character at a time: the same
    as decomposing the whole text (marks are dropped, so their order does not
    matter), and faster, since a page's text has few distinct characters but
    thousands of them.
    """
    if not text.isascii():
        text = text.translate({ord(c): _fold(c) for c in set(text) if not c.isascii()})
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


@functools.cache
def _fold(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", char) if unicodedata.category(c)[0] != "M")


class Stemmer:
    """Snowball's English stemmer, remembering each word: a site has far fewer words than it uses."""

    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._known: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._known.get(word)
        if stem is None:
            stem = self._known[word] = str(self._stemmer.stemWord(word))
        return stem

    def all(self, words: list[str]) -> list[str]:
        """The stem of each of ``words``, in order (looked up in C; only words not met before are stemmed)."""
        stems = list(map(self._known.get, words))
        if None in stems:
            return [self(word) for word in words]
        return stems  # type: ignore[return-value]  # no None: checked above
