"""Story bodies in GitHub-flavoured Markdown (render/storybody.py): the GFM habits fixtures, and what we add.

tests/fixtures/gfm/NAME.md is what a contributor writes; NAME.html beside it is what the hub publishes (the
story body after nh3).  For most fixtures that is exactly GitHub's rendering of the file (cmark-gfm with
GitHub's options, as its preview shows it): ``test_renders_as_github_does`` says so for each.  The others
differ from GitHub's on purpose, and ``DIFFERENT_FROM_GITHUB`` says why.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import markdown
import pytest
from cmarkgfm.cmark import Options

from carehub.check.safety import sanitise_html
from carehub.render.storybody import StoryBodyRenderer, github_slug

FIXTURES = Path(__file__).parent / "fixtures" / "gfm"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.md"))

# Fixtures whose published HTML is not GitHub's, and why.
DIFFERENT_FROM_GITHUB = {
    # GitHub shows alerts as its own coloured boxes; the hub shows them as its admonitions (same wording).
    "alerts": "alerts become the site's admonitions",
    # GitHub adds ids (prefixed user-content-) and link icons in JavaScript-free post-processing; we add the
    # same ids without the prefix, and MkDocs' permalink (¶) so the heading style matches the docs pages.
    "headings": "heading ids and permalinks",
    "bom": "heading ids and permalinks",
    # GitHub shows disabled checkboxes; a form control that does nothing is noise to a screen reader, so the
    # hub shows the box as text with its state in words ("Done:", "To do:").
    "tasks": "tasks as text, not form controls",
    # nh3 keeps only style="text-align:…" on cells; GitHub's cmark writes align="…" (the same alignment).
    "tables": "cell alignment as a style",
    # GitHub hides a "Footnotes" heading for screen readers over the footnotes; so do we (GitHub's own
    # post-processing adds it, cmark does not). nh3 drops the data-footnote-* attributes.
    "footnotes": "a hidden Footnotes heading, no data- attributes",
}


def ours(text: str, abbreviations: dict[str, str] | None = None) -> str:
    return sanitise_html(StoryBodyRenderer(abbreviations or {}).render(text).html)


def github(text: str) -> str:
    """GitHub's rendering: cmark-gfm with its extensions and footnotes; sanitised as ours is."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(
        text, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
    )
    return sanitise_html(rendered)


def source(name: str) -> str:
    return (FIXTURES / f"{name}.md").read_bytes().decode("utf-8")


def test_every_fixture_has_its_expected_html() -> None:
    assert len(NAMES) >= 15
    for name in NAMES:
        assert (FIXTURES / f"{name}.html").is_file(), name


@pytest.mark.parametrize("name", NAMES)
def test_fixture_renders_as_expected(name: str) -> None:
    assert ours(source(name)) == (FIXTURES / f"{name}.html").read_text("utf-8")


@pytest.mark.parametrize("name", [n for n in NAMES if n not in DIFFERENT_FROM_GITHUB])
def test_renders_as_github_does(name: str) -> None:
    assert ours(source(name)) == github(source(name))


@pytest.mark.parametrize("name", sorted(DIFFERENT_FROM_GITHUB))
def test_where_we_differ_from_github_the_text_is_the_same(name: str) -> None:
    """The words a reader sees are GitHub's, less the markers we replace ([!NOTE], ¶, ☑)."""

    def words(fragment: str) -> str:
        text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
        for marker in ("¶", "☑", "☐", "Done:", "To do:", "Footnotes", *(f"[!{k}]" for k in _ALERT_WORDS)):
            text = text.replace(marker, " ")
        for title in _ALERT_WORDS.values():
            text = re.sub(rf"(^|\s){title}(\s|$)", " ", text)
        return " ".join(text.split())

    assert words(ours(source(name))) == words(github(source(name)))


_ALERT_WORDS = {"NOTE": "Note", "TIP": "Tip", "IMPORTANT": "Important", "WARNING": "Warning", "CAUTION": "Caution"}


def test_the_gfm_habits_python_markdown_got_wrong() -> None:
    """The habits the old renderer published wrongly (issue 16), each as GitHub shows it."""
    page = ours(source("list-after-paragraph"))
    assert page.count("<li>") == 3 and "- Pack" not in page
    assert '<ol start="3">' in ours(source("ordered-start"))
    assert ours(source("nested-two-spaces")).count("<ul>") == 3
    assert "<del>for six months</del>" in ours(source("strikethrough"))
    assert 'href="https://www.england.nhs.uk/new-care-models/"' in ours(source("bare-links"))
    assert 'href="#fn-audit"' in ours(source("footnotes")) and 'id="fn-audit"' in ours(source("footnotes"))
    # Python-Markdown, as the hub used it, flattened all of these:
    old = markdown.markdown(source("list-after-paragraph"), extensions=["abbr", "admonition", "attr_list", "tables"])
    assert "<li>" not in old


def test_heading_ids_are_githubs() -> None:
    assert github_slug("Step 2: what's next?") == "step-2-whats-next"
    assert github_slug("Résumé & costs (2016/17)") == "résumé--costs-201617"
    assert github_slug("A_b - c") == "a_b---c"
    body = StoryBodyRenderer({}).render("## Results\n\n### Results\n\n## Results\n")
    assert body.anchors == ["results", "results-1", "results-2"]
    top = body.toc_tokens
    assert [t["id"] for t in top] == ["results", "results-2"] and top[0]["children"][0]["id"] == "results-1"


def test_glossary_abbreviations_are_explained_but_not_in_code_or_links() -> None:
    terms = {"PACS": "Primary and acute care systems", "MCP": "Multispecialty community provider"}
    page = ours("## The PACS model\n\nA PACS and an MCP. `PACS` in code. [PACS page](https://example.org/)\n", terms)
    assert page.count('<abbr title="Primary and acute care systems">PACS</abbr>') == 2  # heading and text
    assert '<abbr title="Multispecialty community provider">MCP</abbr>' in page
    assert "<code>PACS</code>" in page and ">PACS page</a>" in page
    assert 'id="the-pacs-model"' in page  # the id is made from the heading's words, not its markup


def test_an_alert_marker_must_open_the_quotation() -> None:
    page = ours("> A carer said [!NOTE] in passing.\n")
    assert "admonition" not in page and "[!NOTE]" in page


def test_links_beside_a_story_are_rewritten_and_addresses_kept() -> None:
    seen: list[tuple[str, str]] = []

    def resolve(src: str, target: str) -> str | None:
        seen.append((src, target))
        return None if target.startswith("missing") else "../resources/" + target

    text = (
        "[Checklist](red-bag-checklist.pdf) ![A red bag](bag.jpg) [site](https://example.org/a.pdf) "
        "[part](#results) [home](/stories/) [gone](missing.pdf)\n"
    )
    body = StoryBodyRenderer({}).render(text, "stories/resources/red-bag.md", resolve)
    assert 'href="../resources/red-bag-checklist.pdf"' in body.html and 'src="../resources/bag.jpg"' in body.html
    assert 'href="https://example.org/a.pdf"' in body.html and 'href="#results"' in body.html
    assert [t for _, t in seen] == ["red-bag-checklist.pdf", "bag.jpg", "missing.pdf"]
    assert body.links == ["missing.pdf"]


class _Shape(HTMLParser):
    """The tags and the words of a fragment, with ids, permalinks and whitespace left out."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.words.extend(data.replace("¶", " ").split())


def _shape(fragment: str) -> tuple[list[str], list[str]]:
    fragment = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", fragment)
    parser = _Shape()
    parser.feed(fragment)
    return parser.tags, parser.words


def test_realistic_stories_render_as_python_markdown_did(tmp_path: Path) -> None:
    """The equivalence test: generated stories (the benchmark's realistic corpus) have the same structure and
    text under cmark-gfm as under Python-Markdown with the old extensions, where the old output was right."""
    from carehub_bench.corpus import generate_corpus

    from carehub.read import frontmatter
    from tests.conftest import make_project

    paths = generate_corpus(make_project(tmp_path), 40, seed=16)
    old = markdown.Markdown(extensions=["abbr", "admonition", "attr_list", "tables", "toc"])
    compared = 0
    for path in paths:
        body = frontmatter.body_of(path.read_text("utf-8")) or ""
        old.reset()
        # The old dialect's call-out was `!!! note`; the same call-out is now GitHub's alert.
        before = sanitise_html(old.convert(re.sub(r"^> \[!NOTE\]\n> ", "!!! note\n    ", body, flags=re.M)))
        after = ours(body)
        assert _shape(after) == _shape(before), path.name
        compared += 1
    assert compared == 40
