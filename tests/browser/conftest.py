"""Session fixtures for the public-site gates: one build, one server, one Chromium.

The site is built once per session from the repository's own content (the
same command readers' site is built with), served over HTTP on a free local
port, and shared by every gate.  Each test gets a fresh browser context, so
cookies and storage never leak from one test to the next.  A gate that judges
every page type at every width asks for ``opened_page`` and is parametrised
with ``pagetypes.params_at_widths()``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from carehub_bench import chromium as chromium_flags

from carehub.check.catalogue import Catalogue, Story, load_catalogue

from . import known, tools
from .pagetypes import PageType, unique_word
from .server import serve
from .site_ui import OpenedPage, open_page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
FIXED_ENV = {"CAREHUB_TODAY": "2026-11-25", "SOURCE_DATE_EPOCH": "1795564800", "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="session")
def catalogue() -> Iterator[Catalogue]:
    """The repository's stories, as the build sees them: the gates' expectations come from here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREHUB_TODAY", FIXED_ENV["CAREHUB_TODAY"])
        catalogue = load_catalogue(ROOT)
    assert not catalogue.errors, f"the repository's stories have errors: {catalogue.errors}"
    yield catalogue


@pytest.fixture(scope="session")
def search_word(catalogue: Catalogue) -> tuple[str, Story]:
    """The word only one story uses, and that story: worked out once, not once per page and width."""
    return unique_word(catalogue, ROOT)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site, built once with `carehub build` into a temporary folder."""
    target = tmp_path_factory.mktemp("gates") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(ROOT), "build", "--quiet", "--site-dir", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, **FIXED_ENV},
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"carehub build failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return target


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def page_path(catalogue: Catalogue, site_dir: Path) -> Callable[[PageType], str]:
    """page type -> site-relative path; fails naming the page type when the build lacks it."""
    from .pagetypes import locate

    return lambda page_type: locate(page_type, catalogue, site_dir)


def _tool(getter: Callable[[], Any]) -> Any:
    try:
        return getter()
    except tools.ToolMissing as missing:
        pytest.skip(f"!!! {missing}")


@pytest.fixture(scope="session")
def axe_source() -> str:
    return str(_tool(tools.axe_source))


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    return list(_tool(tools.vnu_command))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _tool(tools.chromium)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=list(chromium_flags.ARGS))
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Any, site_url: str) -> Iterator[Callable[..., Any]]:
    """Make browser contexts (width in CSS pixels, JavaScript on or off); all closed after the test.

    Every request is recorded in ``context.carehub_requests``; any to a host
    other than the test server is recorded in ``context.carehub_offsite`` and
    aborted, so no gate ever reaches the internet (and none waits for it).
    """
    made: list[Any] = []

    def factory(width: int = 1280, *, javascript: bool = True, **options: Any) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 812},
            java_script_enabled=javascript,
            locale="en-GB",
            reduced_motion="reduce",
            **options,
        )
        context.set_default_timeout(10_000)
        context.carehub_requests = requests = []
        context.carehub_offsite = offsite = []
        context.on("request", lambda request: requests.append(request.url))

        def block(route: Any) -> None:
            offsite.append(route.request.url)
            route.abort("blockedbyclient")

        context.route(lambda url: not (url.startswith(site_url) or url.startswith(("data:", "blob:"))), block)
        made.append(context)
        return context

    yield factory
    for context in made:
        context.close()


@pytest.fixture
def opened_page(
    page_type: PageType,
    width: int,
    page_path: Callable[[PageType], str],
    site_url: str,
    search_word: tuple[str, Story],
    new_context: Callable[..., Any],
) -> OpenedPage:
    """The parametrised page type open at the parametrised width, in a fresh context, ready to judge.

    For gates parametrised with ``pagetypes.params_at_widths()``; the search
    page shows the results for the session's search word.
    """
    path = page_path(page_type)
    context = new_context(width)
    page = context.new_page()
    open_page(page, site_url + path, page_type, query=search_word[0])
    return OpenedPage(page_type, width, path, context, page)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Name known defects that no gate found this session, so known.py only ever shrinks."""
    stale = known.unused()
    if stale:
        print("\nKnown defects no gate found this session (delete them from tests/browser/known.py):")
        for entry in stale:
            print(f"  [{entry.gate}] {entry.pattern}")
