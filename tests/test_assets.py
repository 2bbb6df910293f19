"""Content-hashed asset names (publish/assetnames.py): every reference resolves to a file named by its bytes.

The unit tests feed name_assets and rewrite_html small inputs; the build tests
build a real site, parse every page, and follow every reference into
assets/carehub/ (in pages, and between stylesheets and scripts).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from carehub.cli import main
from carehub.publish import csp, minify
from carehub.publish.assetnames import AssetError, hashed_name, name_assets

from .conftest import FIXTURES, ROOT, make_project

SITE_URL = "https://carehub.example.org/"
VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()
HASHED_RE = re.compile(r"\.([0-9a-f]{8})\.[a-z0-9]+$")


def sources() -> dict[str, bytes]:
    return {
        "assets/carehub/search.js": b'import { stem } from "./stemmer.js";\nconst note = "from here";\n',
        "assets/carehub/stemmer.js": b"export function stem(word) { return word; }\n",
        "assets/carehub/hub.css": b'.a { background: url("icons.svg#pin") } .b { mask: url(#local) }',
        "assets/carehub/icons.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><symbol id="pin"/></svg>',
    }


def test_each_asset_is_named_by_the_hash_of_the_bytes_it_is_published_with() -> None:
    named = name_assets(sources(), SITE_URL)
    stemmer = named.names["assets/carehub/stemmer.js"]
    digest = hashlib.sha256(sources()["assets/carehub/stemmer.js"]).hexdigest()[:8]
    assert stemmer == f"assets/carehub/stemmer.{digest}.js"
    search = named.rewritten["assets/carehub/search.js"]
    assert f'from "./{posixpath.basename(stemmer)}"' in search.decode()
    assert named.names["assets/carehub/search.js"] == hashed_name("assets/carehub/search.js", search)
    icons = posixpath.basename(named.names["assets/carehub/icons.svg"])
    assert named.rewritten["assets/carehub/hub.css"].decode() == (
        f'.a {{ background: url("{icons}#pin") }} .b {{ mask: url(#local) }}'
    )
    assert "assets/carehub/stemmer.js" not in named.rewritten  # refers to nothing: published as it is


def test_a_change_to_a_module_renames_every_module_that_imports_it() -> None:
    before = name_assets(sources(), SITE_URL).names
    changed = {**sources(), "assets/carehub/stemmer.js": b"export function stem(word) { return word + 's'; }\n"}
    after = name_assets(changed, SITE_URL).names
    assert after["assets/carehub/stemmer.js"] != before["assets/carehub/stemmer.js"]
    assert after["assets/carehub/search.js"] != before["assets/carehub/search.js"]
    assert after["assets/carehub/icons.svg"] == before["assets/carehub/icons.svg"]


def test_pages_point_at_hashed_names_and_nothing_else_changes() -> None:
    named = name_assets(sources(), "https://cdn.example.net/hub/")
    css, search = (posixpath.basename(named.names[f"assets/carehub/{n}"]) for n in ("hub.css", "search.js"))
    page = (
        '<html><head><link rel="stylesheet" href="../../assets/carehub/hub.css">'
        "<script>const a = '../../assets/carehub/gone.js';</script>"
        '<script type="module" src="/hub/assets/carehub/search.js?v=2#x"></script></head><body>'
        '<pre><code>&lt;link href="assets/carehub/not-a-file.css"&gt;</code></pre>'
        '<a href="https://github.com/carehub/carehub/blob/main/overrides/assets/carehub/missing.js">source</a>'
        "<p>assets/carehub/hub.css</p></body></html>"
    )
    assert named.rewrite_html(page, "stories/a-story/") == (
        page.replace('carehub/hub.css"', f'carehub/{css}"').replace("carehub/search.js?", f"carehub/{search}?")
    )


@pytest.mark.parametrize(
    ("reference", "page_url"),
    [
        ("../assets/carehub/missing.png", "about/"),
        ("/assets/carehub/search.min.js", ""),
        (SITE_URL + "assets/carehub/x", ""),
    ],
)
def test_a_page_naming_an_asset_that_does_not_exist_is_an_error(reference: str, page_url: str) -> None:
    named = name_assets(sources(), SITE_URL)
    with pytest.raises(AssetError, match=re.escape(reference)):
        named.rewrite_html(f'<p><img alt="" src="{reference}"></p>', page_url)


def test_a_stylesheet_naming_an_asset_that_does_not_exist_is_an_error() -> None:
    broken = {**sources(), "assets/carehub/hub.css": b".a { background: url(icon.svg) }"}
    with pytest.raises(AssetError, match=r"/assets/carehub/hub\.css refers to 'icon\.svg'"):
        name_assets(broken, SITE_URL)


def test_assets_that_refer_to_one_another_in_a_circle_are_an_error() -> None:
    circle = {"assets/carehub/a.js": b'import "./b.js";', "assets/carehub/b.js": b'export * from "./a.js";'}
    with pytest.raises(AssetError, match="circle"):
        name_assets(circle, SITE_URL)


# Built sites ---------------------------------------------------------------------------------------------------


class _References(HTMLParser):
    """Every attribute value of every tag, with the tag and attribute names."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, name, value) for name, value in attrs if value]


def asset_references(site: Path, site_url: str = SITE_URL) -> dict[str, set[str]]:
    """Each page's references that resolve into assets/carehub/, as site paths, by page."""
    found: dict[str, set[str]] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        url = rel.removesuffix("index.html")
        parser = _References()
        parser.feed(path.read_text(encoding="utf-8"))
        for _, _, value in parser.found:
            target = urlsplit(urljoin(site_url + url, value))
            address = f"{target.scheme}://{target.netloc}{target.path}"
            if address.startswith(site_url + "assets/carehub/"):
                found.setdefault(rel, set()).add(address[len(site_url) :])
    return found


def assert_named_by_their_bytes(site: Path, references: dict[str, set[str]]) -> None:
    folder = site / "assets" / "carehub"
    for asset in folder.rglob("*"):
        if asset.is_file():
            match = HASHED_RE.search(asset.name)
            assert match, f"{asset.name} has no hash in its name"
            assert match.group(1) == hashlib.sha256(asset.read_bytes()).hexdigest()[:8], asset.name
    for page, paths in references.items():
        for path in paths:
            assert HASHED_RE.search(path), f"{page} refers to the unhashed /{path}"
            assert (site / path).is_file(), f"{page} refers to /{path}, which is not in the site"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("assets"), {"case-studies/valid-case-study.md": VALID})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        assert main(["--root", str(project), "build", "--quiet"]) == 0
    return project


@pytest.mark.build
def test_every_page_names_only_hashed_assets_that_exist(built: Path) -> None:
    site = built / "site"
    references = asset_references(site)
    assert_named_by_their_bytes(site, references)
    # Every page has the site's stylesheet; the search page, its module; the share page, the form's files.
    stems = {page: {HASHED_RE.sub("", posixpath.basename(p)) for p in paths} for page, paths in references.items()}
    assert all("carehub" in names for names in stems.values()), stems
    assert {"carehub", "search"} <= stems["search/index.html"]
    assert {"share"} <= stems["contribute/share/index.html"]
    assert "carehub" in stems["404.html"]
    published = {p.name for p in (site / "assets" / "carehub").iterdir()}
    folders = (ROOT / "overrides" / "assets" / "carehub", ROOT / "src" / "carehub" / "contribute" / "assets")
    plain = {p.name for folder in folders for p in folder.iterdir()}
    assert {HASHED_RE.sub(lambda m: m.group(0)[9:], name) for name in published} == plain


@pytest.mark.build
def test_no_page_uses_material_and_its_files_are_not_published(built: Path) -> None:
    """Every page is on the lean base (overrides/README.md): Material's bundle, search workers and stylesheets
    are left out of the site (plugin.py, _drop_material_assets); its favicon stays."""
    site = built / "site"
    assert not (site / "assets" / "javascripts").exists() and not (site / "assets" / "stylesheets").exists()
    assert (site / "assets" / "images" / "favicon.png").is_file()
    pages = sorted(site.rglob("*.html"))
    assert site / "index.html" in pages and site / "404.html" in pages and site / "about" / "index.html" in pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "assets/javascripts/" not in html and "assets/stylesheets/" not in html, page
        assert 'class="ch-header' in html and "md-sidebar" not in html and "data-md-" not in html, page
        body = html.partition("</head>")[2]
        assert '<link rel="stylesheet"' not in body, f"{page}: a stylesheet outside <head>"
        assert all(
            " defer" in tag or 'type="module"' in tag or "application/json" in tag
            for tag in re.findall(r"<script[^>]*>", html)
        ), f"{page}: a script that blocks rendering"
    share = (site / "contribute" / "share" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="stylesheet" href="[./]*assets/carehub/share\.[0-9a-f]{8}\.css">\n</head>', share)
    # A docs page's table of contents: its h2 headings, each leading to its anchor, under the title.
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    toc = about[about.index('<nav class="ch-toc"') : about.index("</nav>", about.index('<nav class="ch-toc"'))]
    anchors = re.findall(r'<a href="#([^"]+)">', toc)
    headings = re.findall(r'<h2 id="([^"]+)">', about)
    assert len(anchors) >= 2 and anchors == headings[: len(anchors)], (anchors, headings)
    assert about.index("</h1>") < about.index('<nav class="ch-toc"')


@pytest.mark.build
def test_modules_and_stylesheets_name_each_other_by_hash(built: Path) -> None:
    folder = built / "site" / "assets" / "carehub"
    (search,) = folder.glob("search.*.js")
    imported = re.findall(r'from\s*"\./([^"]+)"', search.read_text(encoding="utf-8"))
    assert imported and all(HASHED_RE.search(name) and (folder / name).is_file() for name in imported)
    for sheet in folder.glob("*.css"):
        for ref in re.findall(r"url\(\s*[\"']?([^\"')\s]+)", sheet.read_text(encoding="utf-8")):
            target = urlsplit(urljoin(SITE_URL + "assets/carehub/" + sheet.name, ref)).path
            if target.startswith("/assets/carehub/"):
                assert HASHED_RE.search(target) and (built / "site" / target.lstrip("/")).is_file(), (sheet, ref)


@pytest.mark.build
def test_scripts_and_stylesheets_are_published_minified(built: Path) -> None:
    """publish/minify.py: comments and spare whitespace out, the code itself as written (every browser test runs it)."""
    folders = (ROOT / "overrides" / "assets" / "carehub", ROOT / "src" / "carehub" / "contribute" / "assets")
    sources = {p.name: p for folder in folders for p in folder.iterdir()}
    published = [p for p in (built / "site" / "assets" / "carehub").iterdir() if p.suffix in {".js", ".css"}]
    assert {p.suffix for p in published} == {".js", ".css"}
    for path in published:
        source = sources[HASHED_RE.sub(lambda m: m.group(0)[9:], path.name)].read_text(encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        assert len(text) < 0.9 * len(source), path.name
        assert "/* " not in text and "\n  " not in text, path.name  # no comment, no indented line
        assert not re.search(r"^\s*//", text, re.MULTILINE), path.name
    assert minify.minified("notes.txt", b"/* kept */") == b"/* kept */"
    assert minify.minified("a.js", b"/*! licence */\n// note\nconst a = 1;\n") == b"/*! licence */const a=1;"
    assert minify.minified("a.css", b"/* note */\n.a {\n  color: red;\n}\n") == b".a{color:red}"


@pytest.mark.build
def test_pages_keep_a_policy_that_matches_them(built: Path) -> None:
    for path in sorted((built / "site").rglob("*.html")):
        assert csp.missing_policy(path.read_text(encoding="utf-8")) is None, path


@pytest.mark.build
def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["--root", str(built), "build", "--quiet", "--site-dir", str(again)]) == 0

    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first, second = digest(built / "site"), digest(again)
    assert first == second


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(root), "build", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.build
def test_a_page_naming_a_missing_asset_stops_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"case-studies/valid-case-study.md": VALID})
    about = project / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n![Map of the sites](../assets/carehub/sites-map.svg)\n")
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "/assets/carehub/sites-map.svg" in output and "about" in output, output[-2000:]
    assert "Traceback" not in output
    assert not (project / "site").exists()


@pytest.mark.build
def test_a_stylesheet_naming_a_missing_asset_stops_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"case-studies/valid-case-study.md": VALID})
    sheet = project / "overrides" / "assets" / "carehub" / "carehub.css"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n.pin { background: url(pin.svg); }\n")
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "/assets/carehub/carehub.css refers to 'pin.svg'" in output, output[-2000:]
    assert "Traceback" not in output
