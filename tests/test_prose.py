"""Prose checks on the hub's own pages and stories: spelling and sentence length.

Spelling uses codespell (pinned in pyproject.toml): its built-in lists catch
common typos, and its en-GB to en-US word list, read in reverse, catches
American spellings ("organization", "color", "center", "program").  A few
words on that list are also correct British English ("practice" the noun,
"license" the verb, "story"), so they are left out, each with its reason.

Readability is measured as words per sentence, the measure behind the style
rule "short sentences".  No library is used for it: the readability packages
on PyPI either pull in NLTK and several other dependencies (textstat) or are
unmaintained, and syllable-based scores such as Flesch are unreliable on
short pages full of proper nouns.  Vale's PyPI package only downloads its
binary from GitHub at first run, so it would put the network in the tests.  The figures are printed (run pytest with
-s to see them) and asserted loosely, so a page of long sentences fails.

What is read: the docs pages, the data files and the illustrative (launch)
stories, as text files only (never a PDF or an image beside a story).  A real
contributor's story is held to `carehub check`, not to these style rules.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from carehub.check.catalogue import load_catalogue, story_body
from carehub.check.model import CaseStudy, Failure

from .conftest import ROOT

# The text files codespell reads: it would read a PDF's bytes too (every real PDF holds the word "Catalog").
TEXT_SUFFIXES = (".md", ".yml", ".yaml")


def _illustrative_story_paths() -> list[Path]:
    return [ROOT / story.path for story in load_catalogue(ROOT).stories if story.meta.illustrative]


def content_files() -> list[Path]:
    """The hub's own prose: docs pages, data files and the illustrative stories, text files only."""
    ours = [p for folder in ("docs", "data") for p in sorted((ROOT / folder).rglob("*")) if p.suffix in TEXT_SUFFIXES]
    return [*ours, *_illustrative_story_paths()]


# Words on codespell's British-to-American list whose "American" form is also
# correct in British English, so flagging them would be wrong.
BRITISH_TOO = {
    "practice": "the noun is spelt practice in British English (the verb is practise)",
    "practices": "plural of the noun practice, as in GP practices",
    "license": "the verb is spelt license in British English (the noun is licence)",
    "licensed": "past tense of the verb license",
    "licenses": "the verb license",
    "licensing": "the verb license",
    "story": "a story is a tale; storey is a floor of a building",
    "stories": "plural of story",
    "focused": "focused and focussed are both British; focused is the more common",
    "focuses": "as above",
    "focusing": "as above",
    "refocused": "as above",
    "refocuses": "as above",
    "refocusing": "as above",
    "judgment": "judgment is standard British in law and common elsewhere",
    "judgments": "as above",
    "meter": "a meter measures something (a metre is a length)",
    "meters": "as above",
    "specialty": "the NHS says specialty for a branch of medicine",
    "specialties": "as above",
    "biased": "biased is the usual British spelling",
    "routing": "routing is the usual British spelling",
}

MAX_MEAN_WORDS = 18  # words per sentence, averaged over a page
MIN_SENTENCES = 5  # pages shorter than this are judged only by their longest sentence
# GOV.UK advises 25 words at most.  This limit is deliberately loose: a sentence with a list of names in
# brackets can run longer and still read well.  It catches run-on paragraphs, not style.
MAX_SENTENCE_WORDS = 50


def _codespell(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codespell_lib", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def _american_to_british() -> dict[str, str]:
    data = resources.files("codespell_lib") / "data" / "dictionary_en-GB_to_en-US.txt"
    pairs: dict[str, str] = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        british, _, american = line.partition("->")
        if american and "," not in american:
            pairs[american.strip()] = british.strip()
    return pairs


@pytest.fixture(scope="module")
def us_to_gb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("codespell") / "en-US_to_en-GB.txt"
    pairs = {us: gb for us, gb in _american_to_british().items() if us not in BRITISH_TOO}
    path.write_text("".join(f"{us}->{gb}\n" for us, gb in sorted(pairs.items())), encoding="utf-8")
    return path


def test_content_has_no_common_typos() -> None:
    result = _codespell("--builtin", "clear,rare", *content_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_content_uses_british_spelling(us_to_gb: Path) -> None:
    result = _codespell("-D", us_to_gb, *content_files())
    assert result.returncode == 0, "American spellings:\n" + result.stdout + result.stderr


def test_the_british_spelling_check_catches_american_spellings(us_to_gb: Path, tmp_path: Path) -> None:
    sample = tmp_path / "sample.md"
    sample.write_text(
        "The organization ran a program to analyze the color of the center.\n"
        "Our GP practices licensed the stories, focusing on practice.\n",
        encoding="utf-8",
    )
    result = _codespell("-D", us_to_gb, sample)
    flagged = set(re.findall(r": (\w+) ==>", result.stdout))
    assert flagged == {"organization", "program", "analyze", "color", "center"}


def test_only_text_files_are_read() -> None:
    files = content_files()
    assert files and all(path.suffix in TEXT_SUFFIXES for path in files)
    assert not any(path.suffix == ".pdf" for path in files)


def test_every_british_exception_is_on_codespells_list() -> None:
    """If codespell drops a word, its exception here is dead and should go."""
    assert sorted(set(BRITISH_TOO) - set(_american_to_british())) == []


# -- sentence length -------------------------------------------------------------------------

_BLOCK_START_RE = re.compile(r"^\s*(?:#+\s|[-*+]\s|\d+\.\s|\|)")


def sentence_lengths(markdown: str) -> list[int]:
    """Words in each sentence of a Markdown text; headings, list items and table rows end a sentence."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.DOTALL)  # a page's own front matter
    text = re.sub(r"```.*?```|<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", "code", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip() or _BLOCK_START_RE.match(line) or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    lengths: list[int] = []
    for block in blocks:
        joined = " ".join(" ".join(block).split("|"))
        for sentence in re.split(r"(?<=[.!?])\s+", joined):
            words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'’&-]*", sentence)
            if words and not re.fullmatch(r"[-:| ]*", sentence):
                lengths.append(len(words))
    return lengths


def _pages() -> dict[str, str]:
    pages = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("docs/**/*.md"))}
    for story in load_catalogue(ROOT).stories:
        if not story.meta.illustrative:
            continue  # a contributor's own story is held to `check`, not to this style measure
        meta = story.meta
        fields = [meta.summary]
        if isinstance(meta, CaseStudy):
            fields += [meta.context, meta.change, meta.evaluation_method]
        if isinstance(meta, Failure):
            fields += [meta.what_we_tried, meta.what_happened, meta.what_we_learned, meta.what_we_would_do_differently]
        pages[story.path] = "\n\n".join([*fields, story_body(ROOT, story)])
    return pages


def test_sentence_length_measure_counts_sentences_and_blocks() -> None:
    text = "---\ntitle: Not counted\n---\n# A heading\n\nOne two three. Four five!\n\n- an item\n"
    text += "- [a link](x.md) here\n\n| a | b |\n<!-- not counted -->\n"
    assert sentence_lengths(text) == [2, 3, 2, 2, 3, 2]


def test_pages_use_short_sentences() -> None:
    report: list[str] = []
    too_long: list[str] = []
    for name, text in _pages().items():
        lengths = sentence_lengths(text)
        assert lengths, f"{name} has no sentences"
        mean = sum(lengths) / len(lengths)
        report.append(f"{mean:5.1f} {max(lengths):4d} {len(lengths):4d}  {name}")
        # An average over a handful of sentences says little, so short pages are judged by their longest.
        if (len(lengths) >= MIN_SENTENCES and mean > MAX_MEAN_WORDS) or max(lengths) > MAX_SENTENCE_WORDS:
            too_long.append(f"{name}: {mean:.1f} words a sentence on average, longest {max(lengths)}")
    print("\nwords/sentence  longest  sentences  page\n" + "\n".join(sorted(report, reverse=True)))
    assert too_long == []
