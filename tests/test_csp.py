"""The Content-Security-Policy meta (csp.py): on every built HTML page, before any script, hashes that match."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from carehub.publish import csp

from .conftest import FIXTURES, make_project

VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()
TABLE = "\n\n| Measure | Before | After |\n| :--- | ---: | ---: |\n| Admissions | 120 | 96 |\n"
_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
_INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.DOTALL)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = make_project(tmp_path_factory.mktemp("csp"), {"case-studies/aligned.md": VALID + TABLE})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREHUB_TODAY", "2026-11-25")
        for attempt in ("a", "b"):  # twice: the same input must give the same bytes
            target = str(root / f"site-{attempt}")
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "carehub",
                    "--root",
                    str(root),
                    "build",
                    "--quiet",
                    "--jobs",
                    "2",
                    "--site-dir",
                    target,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
    yield root


def pages(site_dir: Path) -> list[Path]:
    found = sorted(site_dir.rglob("*.html"))
    assert len(found) > 20 and site_dir / "404.html" in found
    return found


@pytest.mark.build
def test_every_page_has_one_policy_before_any_script_with_the_hashes_of_its_inline_scripts(site: Path) -> None:
    for path in pages(site / "site-a"):
        html = path.read_text(encoding="utf-8")
        metas = _META.findall(html)
        assert len(metas) == 1, path
        meta_at = html.index('<meta http-equiv="Content-Security-Policy"')
        assert "<script" not in html[:meta_at], f"{path}: a script before the policy"
        assert meta_at < html.index("</head>")
        directives = dict(d.strip().split(" ", 1) for d in metas[0].split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
        assert not {"frame-ancestors", "report-uri", "sandbox"} & directives.keys()
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
        # Every page, docs pages, the home page and 404.html too, is on the lean base (overrides/carehub/lean/
        # base.html), which has no inline script: the policy lists no hash. The hashes would be exactly the
        # page's inline scripts (parsed here with a pattern, not csp.py's parser).
        assert 'class="ch-header' in html, f"{path}: not on the lean base"
        bodies = _INLINE.findall(html)
        assert bodies == [] and directives["script-src"] == "'self'", path
        sources = directives["script-src"].split()
        assert sorted(sources[1:]) == sorted({csp.script_hash(body) for body in bodies}), path
        assert csp.missing_policy(html) is None


@pytest.mark.build
def test_style_attributes_are_allowed_only_on_pages_that_hold_them(site: Path) -> None:
    aligned = (site / "site-a" / "stories" / "aligned" / "index.html").read_text(encoding="utf-8")
    assert 'style="text-align:right"' in aligned
    assert "style-src-attr 'unsafe-inline'" in _META.findall(aligned)[0]
    home = (site / "site-a" / "index.html").read_text(encoding="utf-8")
    assert " style=" not in home and "style-src-attr" not in _META.findall(home)[0]


@pytest.mark.build
def test_the_same_input_gives_the_same_bytes(site: Path) -> None:
    a, b = site / "site-a", site / "site-b"
    names = [p.relative_to(a) for p in pages(a)]
    assert names == [p.relative_to(b) for p in pages(b)]
    assert [n for n in names if (a / n).read_bytes() != (b / n).read_bytes()] == []


def test_the_hash_is_of_the_exact_body() -> None:
    # echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
    assert csp.script_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    html = '<head><meta charset="utf-8"><script>a()</script><script type="application/json">{}</script></head>'
    assert csp.inline_scripts(html) == ["a()"]
    protected = csp.add_policy(html)
    assert protected.index("Content-Security-Policy") < protected.index("<script")
    assert csp.add_policy(protected) == protected
    assert csp.missing_policy(protected) is None
    assert csp.missing_policy(protected.replace("a()", "b()")) == "the policy does not match the page's inline scripts"
    assert csp.missing_policy(html) == "0 Content-Security-Policy meta elements, not 1"


class _ReferenceScripts(HTMLParser):
    """The standard library's tokenizer, which csp.inline_scripts replaced for speed: the oracle it must agree with."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.bodies: list[str] = []
        self._body: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            values = {name: value or "" for name, value in attrs}
            runs = "src" not in values and values.get("type", "").strip().lower() in csp._SCRIPT_TYPES
            self._body = [] if runs else None

    def handle_data(self, data: str) -> None:
        if self._body is not None:
            self._body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._body is not None:
            self.bodies.append("".join(self._body))
            self._body = None


def reference_scripts(html: str) -> list[str]:
    parser = _ReferenceScripts()
    parser.feed(html)
    parser.close()
    return parser.bodies


# What a browser runs, by the HTML standard's tokenizer: hand-judged, since html.parser differs on some (it does not
# treat textarea and title as RCDATA, and its last repeated attribute wins where a browser keeps the first).
TRICKY = [
    ('<p title="<script>no()</script>">x</p><script>yes()</script>', ["yes()"]),
    ("<p title='a > <script>no()</script>'>x</p>", []),
    ("<!-- <script>no()</script> --><script>one()</script>", ["one()"]),
    ("<textarea><script>no()</script></textarea><script>two()</script>", ["two()"]),
    ("<title>a <script>no()</script></title>", []),
    ("<style>p::after{content:'<script>no()</script>'}</style>", []),
    ('<SCRIPT TYPE="text/JavaScript">upper()</SCRIPT>', ["upper()"]),
    ('<script type="application/json">{"a": "<b>"}</script><script type="module">m()</script>', ["m()"]),
    ('<script src="a.js"></script><script data-x=">">after()</script>', ["after()"]),
    ('<script type="text/javascript" type="application/json">first_wins()</script>', ["first_wins()"]),
    ("<scripts>no</scripts><script\n>newline()</script >", ["newline()"]),
    ('<script>if (a < b && "</p>") {}</script>', ['if (a < b && "</p>") {}']),
    ('<script type="text&#47;javascript">escaped()</script>', ["escaped()"]),
    ("<!doctype html><?xml x?><script>after_doctype()</script>", ["after_doctype()"]),
]


@pytest.mark.parametrize(("html", "runs"), TRICKY)
def test_the_fast_scanner_finds_the_scripts_a_browser_runs(html: str, runs: list[str]) -> None:
    assert csp.inline_scripts(html) == runs


@pytest.mark.build
def test_the_fast_scanner_agrees_with_the_standard_tokenizer_on_every_built_page(site: Path) -> None:
    found = 0
    built = pages(site / "site-a")
    for path in built:
        html = path.read_text(encoding="utf-8")
        assert csp.inline_scripts(html) == reference_scripts(html) == [], path  # the lean base has none
        # No built page has an inline script, so the comparison is made on each page's real markup with two put
        # in: one in <head>, one at the end of the body (after the page's data blocks and deferred scripts).
        injected = html.replace("</head>", "<script>head()</script></head>", 1)
        injected = injected.replace("</body>", '<script>if (a < b && "</p>") {}</script></body>', 1)
        assert csp.inline_scripts(injected) == reference_scripts(injected), path
        found += len(reference_scripts(injected))
    assert found == 2 * len(built), "an injected script was not found: the comparison would prove nothing"


@pytest.mark.parametrize(
    "html",
    [
        '<p style="color:red">',
        '<p\nSTYLE = "x">',
        "<p>a style=b</p>",
        '<p title="a > b" style="x">',
        "</p style=x>",
        "<!-- <p style=x> -->",
        "<1p style=x>",
        "<p><b style=x>",
        "<p style=x",
        "<a>style=</a>",
        "",
    ],
)
def test_a_style_attribute_is_found_as_the_tag_pattern_finds_it(html: str) -> None:
    assert csp.has_style_attribute(html) == bool(csp._STYLE_ATTRIBUTE_RE.search(html))
