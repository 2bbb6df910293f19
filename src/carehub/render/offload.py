"""Render story and generated pages in worker processes, beside MkDocs' own one-page-at-a-time loop.

Why: MkDocs renders every page in one process, one after another; at 1,000
stories Markdown and templates were three quarters of the build
(bench/README.md), and each story page is independent of the others.  So the
plugin hands MkDocs *stub* pages for stories and generated pages — they keep
their place in ``files`` (links to them resolve, the sitemap lists them) but
read, render and write nothing in MkDocs' loop — and renders the real pages
here, in ``jobs`` processes forked once everything they need exists (config,
files, nav, the Jinja environment), each running MkDocs' own page steps
(``_populate_page`` and ``_build_page``, so every plugin event and template
runs exactly as before).  The output is byte-for-byte what a one-process build
writes; ``tests/test_offload.py`` builds both ways and compares every file.

Also: MkDocs makes a new ``markdown.Markdown`` for every page (about 0.6 ms
each, with our glossary of abbreviations); a worker keeps one and resets it.

Workers write their pages straight into the site folder and send back only
what the parent must know: errors, and MkDocs' warnings (re-logged in the
parent so ``strict`` mode still counts them).  Pages are dealt out in small
chunks, heaviest (stories) first, so both cores finish together.

Fork, not spawn: the workers need the whole in-memory build (config, nav,
files, the template environment), which cannot be pickled; ``fork`` shares it
copy-on-write.  Where ``fork`` is not available, or ``jobs`` is 1, the same
code renders the pages in this process.

One MkDocs check is lost: ``validation.anchors`` (off by default, "info")
runs in the parent after every page is built, and the parent never sees an
offloaded page's HTML, so links to or from a heading anchor in a story are
not checked there; links between stories are checked by `carehub check`.

Relies on MkDocs 1.6.1's private ``_populate_page``/``_build_page`` and
``Page.render`` internals: the pin in pyproject.toml is exact for this reason.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import jinja2
import markdown
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc

from carehub.render.rendercache import RenderCache, Rendered

# The stub's template: renders nothing, so MkDocs writes nothing over the worker's page.
STUB_TEMPLATE = "carehub/offloaded.html"
CHUNKS_PER_JOB = 8


class OffloadedPage(Page):
    """A page that carehub's workers render; in MkDocs' own loop it reads and renders nothing.

    ``live`` is False in the process running MkDocs' loop and True while
    ``_render_chunk`` runs (in a worker, or in this process when there is one job).
    """

    live: ClassVar[bool] = False

    def read_source(self, config: MkDocsConfig) -> None:
        if not OffloadedPage.live:
            self.markdown = ""
            return
        super().read_source(config)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if not OffloadedPage.live:
            self.content = ""
            self.toc = get_toc([])
            return
        _render_markdown(self, config, files)


def is_stub(page: Page) -> bool:
    """True for an offloaded page while MkDocs' own loop handles it (it should do nothing)."""
    return isinstance(page, OffloadedPage) and not OffloadedPage.live


_MARKDOWN: dict[int, markdown.Markdown] = {}


def _render_markdown(page: Page, config: MkDocsConfig, files: Files) -> None:
    """``Page.render`` of MkDocs 1.6.1, with one Markdown instance per process, through the render cache."""
    assert page.markdown is not None
    build = _ACTIVE.get("build")
    cache = build.cache if build is not None and page.markdown.strip() else None
    key = cache.key(page.file.src_uri, page.file.url, page.markdown) if cache is not None else ""
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        _apply(page, hit, files)
        return
    capture = _Collect(logging.INFO)
    logging.getLogger("mkdocs").addHandler(capture)
    try:
        toc_tokens = _convert(page, config, files)
    finally:
        logging.getLogger("mkdocs").removeHandler(capture)
    if cache is not None:
        links = page.links_to_anchors or {}
        cache.put(
            key,
            Rendered(
                html=page.content or "",
                toc_tokens=toc_tokens,
                title=page._title_from_render,
                anchors=sorted(page.present_anchor_ids or ()),
                anchor_links={target.src_uri: dict(anchors) for target, anchors in links.items()},
                warnings=capture.records,
            ),
        )


def _apply(page: Page, hit: Rendered, files: Files) -> None:
    """Give ``page`` what rendering its Markdown gave last time, and log again what was logged then."""
    page.content = hit.html
    page.toc = get_toc(cast(Any, hit.toc_tokens))
    page._title_from_render = hit.title
    page.present_anchor_ids = set(hit.anchors)
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {
            target: dict(anchors)
            for src_uri, anchors in hit.anchor_links.items()
            if (target := files.get_file_from_path(src_uri)) is not None
        }
    for name, level, message in hit.warnings:
        logging.getLogger(name).log(level, message)


def _convert(page: Page, config: MkDocsConfig, files: Files) -> list[dict[str, Any]]:
    """Render; returns the table of contents tokens (plain data, for the cache)."""
    assert page.markdown is not None
    md = _MARKDOWN.get(id(config))
    if md is None:
        _MARKDOWN.clear()
        md = _MARKDOWN[id(config)] = markdown.Markdown(
            extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {}
        )
    md.reset()
    # MkDocs' per-page processors; registering under the same name replaces the previous page's.
    raw_html = _RawHTMLPreprocessor()
    raw_html._register(md)
    anchors = _ExtractAnchorsTreeprocessor(page.file, files, config)
    anchors._register(md)
    relative_paths = _RelativePathTreeprocessor(page.file, files, config)
    relative_paths._register(md)
    title = _ExtractTitleTreeprocessor()
    title._register(md)
    page.content = md.convert(page.markdown)
    toc_tokens: list[dict[str, Any]] = getattr(md, "toc_tokens", [])
    page.toc = get_toc(cast(Any, toc_tokens))
    page._title_from_render = title.title
    page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative_paths.links_to_anchors
    return toc_tokens


@dataclass
class _Build:
    """What a worker needs, inherited through fork (never pickled)."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    pages: dict[str, OffloadedPage]
    cache: RenderCache | None = None
    collect: Callable[[], list[Any]] | None = None  # what a chunk hands back besides errors (PageReader.drain)


@dataclass
class Outcome:
    """What a chunk of pages sends back: errors, warnings and what ``_Build.collect`` gathered, never pages."""

    errors: list[str] = field(default_factory=list)
    records: list[tuple[str, int, str]] = field(default_factory=list)  # (logger, level, message)
    collected: list[Any] = field(default_factory=list)


# The build being rendered, for the workers (set before forking; a dict so no `global` is needed).
_ACTIVE: dict[str, _Build] = {}


class _Collect(logging.Handler):
    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _render_chunk(src_uris: Sequence[str]) -> Outcome:
    """Render and write these pages (in a worker, or in-process); report, never raise."""
    build = _ACTIVE["build"]
    outcome = Outcome()
    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    saved = logger.propagate, logger.handlers[:]
    # In a worker, MkDocs' warnings are collected and sent back for the parent to log (and count, in strict
    # mode); in this process (one job) they are logged as they happen, as MkDocs would.
    in_worker = multiprocessing.parent_process() is not None
    if in_worker:
        logger.handlers = [collector]
        logger.propagate = False
    OffloadedPage.live = True
    doc_files = build.files.documentation_pages()
    try:
        for src_uri in src_uris:
            page = build.pages[src_uri]
            try:
                mkdocs_build._populate_page(page, build.config, build.files)
                mkdocs_build._build_page(page, build.config, doc_files, build.nav, build.env)
            except Exception as error:  # reported with the page's name; the build then fails
                outcome.errors.append(f"{src_uri}: {type(error).__name__}: {error}")
                # MkDocs has logged "Error building page …" too; the error list says it once.
                collector.records = [r for r in collector.records if f"page '{src_uri}'" not in r[2]]
            finally:
                # The page is written; keep nothing of it (memory stays flat as the hub grows) but its title,
                # which other pages' nav reads: at 20,000 stories its meta, table of contents and anchors
                # added about 15 KB a page to each worker.
                page.markdown = page.content = ""
                title = page.meta.get("title")
                page.meta = {} if title is None else {"title": title}
                page.toc = get_toc([])
                page.present_anchor_ids = page.links_to_anchors = None
    finally:
        OffloadedPage.live = False
        logger.propagate, logger.handlers = saved
    outcome.records = collector.records
    if build.collect is not None:
        outcome.collected = build.collect()
    return outcome


def _chunks(src_uris: Sequence[str], jobs: int) -> list[list[str]]:
    size = max(1, min(50, len(src_uris) // max(1, jobs * CHUNKS_PER_JOB)))
    return [list(src_uris[i : i + size]) for i in range(0, len(src_uris), size)]


class Renderer:
    """Started when the template environment is ready (on_env); finished before the site is indexed."""

    def __init__(
        self,
        config: MkDocsConfig,
        files: Files,
        nav: Navigation,
        env: jinja2.Environment,
        cache: RenderCache | None = None,
        collect: Callable[[], list[Any]] | None = None,
    ) -> None:
        self._build = _Build(config, files, nav, env, {}, cache, collect)
        self._results: Iterator[Outcome] | None = None
        self._pool: Any = None
        self._chunks: list[list[str]] = []
        self._outcomes: list[Outcome] = []

    def start(self, pages: Iterable[OffloadedPage], jobs: int) -> None:
        """Begin rendering ``pages`` (heaviest first) with ``jobs`` processes; returns at once when forking."""
        ordered = list(pages)
        self._build.pages = {page.file.src_uri: page for page in ordered}
        _ACTIVE["build"] = self._build
        src_uris = [page.file.src_uri for page in ordered]
        self._chunks = _chunks(src_uris, jobs)
        if jobs <= 1 or len(src_uris) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return  # rendered in this process, chunk by chunk, as completed() is read
        context = multiprocessing.get_context("fork")
        # Keep the garbage collector of the workers off the parent's objects, so the pages holding them stay
        # shared copy-on-write instead of being copied into every worker (Python's gc.freeze documentation).
        gc.freeze()
        try:
            self._pool = context.Pool(processes=jobs)
        finally:
            gc.unfreeze()
        # imap: results come back in chunk order, each as soon as it (and those before it) are done.
        self._results = self._pool.imap(_render_chunk, self._chunks, chunksize=1)

    def completed(self) -> Iterator[list[Any]]:
        """For each chunk, in order, once its pages are written: what ``collect`` gathered for them."""
        while len(self._outcomes) < len(self._chunks):
            chunk = self._chunks[len(self._outcomes)]
            outcome = next(self._results) if self._results is not None else _render_chunk(chunk)
            self._outcomes.append(outcome)
            collected, outcome.collected = outcome.collected, []
            yield collected

    def finish(self) -> list[str]:
        """Wait for every page; re-log the workers' warnings here; return the errors."""
        try:
            for _ in self.completed():
                pass
            if self._pool is not None:
                self._pool.close()
                self._pool.join()
        finally:
            self.abandon()
            _ACTIVE.clear()
        outcomes = self._outcomes
        if self._build.cache is not None:
            self._build.cache.prune(len(self._build.pages))
        errors: list[str] = []
        for outcome in outcomes:
            for name, level, message in outcome.records:
                logging.getLogger(name).log(level, message)
            errors.extend(outcome.errors)
        return errors

    def abandon(self) -> None:
        """Stop the workers (a failed build); safe to call twice."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def precompile(env: jinja2.Environment, language: str = "en") -> int:
    """Compile the page templates once, here, before forking, instead of once in every worker.

    Jinja compiles a template the first time it is used, and forked workers
    each start with the parent's cache; compiling Material's partials costs
    about as much as rendering thirty pages.  Blog templates and other
    languages' strings are never used here and are skipped.
    """
    compiled = 0
    for name in env.list_templates(extensions=["html"]):
        if name.startswith((".icons/", "blog", "partials/post", "partials/integrations/")):
            continue
        if name.startswith("partials/languages/") and name.rsplit("/", 1)[1] not in (f"{language}.html", "custom.html"):
            continue
        env.get_template(name)
        compiled += 1
    return compiled


class QuietStubs(logging.Filter):
    """Drops MkDocs' "Page skipped … empty output" notice for stub pages: their real page comes from a worker."""

    def __init__(self, offloaded: Collection[str]) -> None:
        super().__init__()
        self._offloaded = offloaded  # their src_uris

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno == logging.INFO and message.startswith("Page skipped: '"):
            return message.split("'", 2)[1] not in self._offloaded
        return True


def make_stub(file: File, config: MkDocsConfig) -> OffloadedPage:
    """Give ``file`` an OffloadedPage, so MkDocs' loop uses it instead of making a Page of its own."""
    return OffloadedPage(None, file, config)
