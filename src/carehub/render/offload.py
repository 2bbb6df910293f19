"""Render story and generated pages in worker processes, beside MkDocs' own one-page-at-a-time loop.

Why: MkDocs renders every page in one process, one after another; Markdown
and templates are most of a build's time (bench/README.md), and each story
page is independent of the others.  So the
plugin hands MkDocs *stub* pages for stories and generated pages — they keep
their place in ``files`` (links to them resolve, the sitemap lists them) but
read, render and write nothing in MkDocs' loop — and renders the real pages
here, in ``jobs`` processes forked once everything they need exists (config,
files, nav, the Jinja environment), each running MkDocs' own page steps
(``_populate_page`` and ``_build_page``, so every plugin event and template
runs exactly as before).  The output is byte-for-byte what a one-process build
writes; ``tests/test_offload.py`` builds both ways and compares every file.

Each worker is handed a :class:`WorkerContext` (inherited through fork)
holding everything it renders with; a page knows it is being rendered for
real because the context is set on it (``OffloadedPage.worker``), never from
a class-wide flag.

A story page's body is GitHub-flavoured Markdown, rendered by cmark-gfm
(storybody.py) instead of MkDocs' Python-Markdown; links to files beside the
story and to other stories' files are resolved here against ``files``, as
MkDocs resolves them for every other page.

Workers write their pages straight into the site folder and send back only
what the parent must know: errors, and MkDocs' warnings (re-logged in the
parent so ``strict`` mode still counts them).  Pages are dealt out in small
chunks, heaviest (stories) first, so both cores finish together.

A worker retires after ``CHUNKS_PER_WORKER`` chunks and a fresh one is forked in its place (while
MkDocs' loop runs, the plugin calls :meth:`Renderer.poll` so the parent notices): reference counting
copies into a worker every page of the parent's memory it touches, and what it allocates stays, so a
worker that rendered thousands of pages held most of the parent twice over.

Fork, not spawn: the workers need the whole in-memory build (config, nav,
files, the template environment), which cannot be pickled; ``fork`` shares it
copy-on-write.  Where ``fork`` is not available, or ``jobs`` is 1, the same
code renders the pages in this process.

One MkDocs check is lost: ``validation.anchors`` (off by default, "info")
runs in the parent after every page is built, and the parent never sees an
offloaded page's HTML, so links to or from a heading anchor in a story are
not checked there; links between stories are checked by `carehub check`.

Relies on MkDocs 1.6.1's private ``_populate_page`` and ``_build_page``: the
pin in pyproject.toml is exact for this reason.

Must not decide what a page contains (plan/ does) or keep state in module or
class globals: everything a worker needs is on its WorkerContext.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import posixpath
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import jinja2
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, get_toc

from carehub.render.rendercache import RenderCache, Rendered
from carehub.render.storybody import StoryBodyRenderer

# The stub's template: renders nothing, so MkDocs writes nothing over the worker's page.
STUB_TEMPLATE = "carehub/offloaded.html"
CHUNKS_PER_JOB = 8
CHUNKS_PER_WORKER = 3  # a worker's lifetime: it retires after this many chunks and a fresh one is forked
RETIRED = -1  # the index a worker sends instead of a chunk's when it retires
BUILD_LOGGER = "mkdocs.commands.build"  # where MkDocs reports a page it skipped or could not build
WAIT_SECONDS = 5.0  # how often the parent checks that its workers are still alive while it waits


class OffloadedPage(Page):
    """A page that carehub's workers render; in MkDocs' own loop it reads and renders nothing.

    ``worker`` is the context rendering it, set only while a worker (or this
    process, with one job) renders it for real; None makes it a stub.
    """

    worker: WorkerContext | None = None

    def read_source(self, config: MkDocsConfig) -> None:
        if self.worker is None:
            self.markdown = ""
            return
        super().read_source(config)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.worker is None:
            self.content = ""
            self.toc = get_toc([])
            return
        self.worker.render_markdown(self, config, files)


def is_stub(page: Page) -> bool:
    """True for an offloaded page while MkDocs' own loop handles it (it should do nothing)."""
    return isinstance(page, OffloadedPage) and page.worker is None


def make_stub(file: File, config: MkDocsConfig) -> OffloadedPage:
    """Give ``file`` an OffloadedPage, so MkDocs' loop uses it instead of making a Page of its own."""
    return OffloadedPage(None, file, config)


@dataclass
class Outcome:
    """What a chunk of pages sends back: errors, warnings and what the context's ``collect`` gathered."""

    errors: list[str] = field(default_factory=list)
    records: list[tuple[str, int, str]] = field(default_factory=list)  # (logger, level, message)
    collected: list[Any] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _toc_tokens(links: Iterable[AnchorLink]) -> list[dict[str, Any]]:
    """A table of contents as the plain tokens ``get_toc`` reads (for the render cache)."""
    return [
        {"level": link.level, "id": link.id, "name": link.title, "children": _toc_tokens(link.children)}
        for link in links
    ]


@dataclass
class WorkerContext:
    """Everything a worker renders pages with; made before forking and inherited by every worker, never pickled."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    pages: dict[str, OffloadedPage] = field(default_factory=dict)
    cache: RenderCache | None = None
    collect: Callable[[], list[Any]] | None = None  # what a chunk hands back besides errors (PageReader.drain)
    # Story pages (by src_uri) and their renderer: GitHub-flavoured Markdown through cmark-gfm (storybody.py),
    # not MkDocs' Python-Markdown, which renders every other page.
    stories: frozenset[str] = frozenset()
    story_bodies: StoryBodyRenderer | None = None

    def render_markdown(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """MkDocs' own ``Page.render``, through the render cache."""
        assert page.markdown is not None
        cache = self.cache if page.markdown.strip() else None
        key = cache.key(page.file.src_uri, page.file.url, page.markdown) if cache is not None else ""
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            _apply(page, hit, files)
            return
        capture = _Collect(logging.INFO)
        logging.getLogger("mkdocs").addHandler(capture)
        try:
            if self.story_bodies is not None and page.file.src_uri in self.stories:
                self._render_story(page, files)
            else:
                Page.render(page, config, files)
        finally:
            logging.getLogger("mkdocs").removeHandler(capture)
        if cache is not None:
            links = page.links_to_anchors or {}
            cache.put(
                key,
                Rendered(
                    html=page.content or "",
                    toc_tokens=_toc_tokens(page.toc),
                    title=page._title_from_render,
                    anchors=sorted(page.present_anchor_ids or ()),
                    anchor_links={target.src_uri: dict(anchors) for target, anchors in links.items()},
                    warnings=capture.records,
                ),
            )

    def _render_story(self, page: Page, files: Files) -> None:
        """A story body through cmark-gfm; links to files beside it and to other stories point where they are
        published (a target that names no published file stays as written: `carehub check` reported it)."""
        assert page.markdown is not None and self.story_bodies is not None

        def resolve(src_uri: str, target: str) -> str | None:
            path, mark, fragment = target.partition("#")
            path = path.split("?", 1)[0]
            if not path:
                return None
            full = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))
            found = files.get_file_from_path(full)
            if found is None:
                return None
            return found.url_relative_to(page.file) + mark + fragment

        body = self.story_bodies.render(page.markdown, page.file.src_uri, resolve)
        for target in body.links:
            logging.getLogger("mkdocs.structure.pages").warning(
                "Doc file '%s' contains a link '%s', but the target is not found among documentation files.",
                page.file.src_uri,
                target,
            )
        page.content = body.html
        page.toc = get_toc(cast(Any, body.toc_tokens))
        page._title_from_render = None
        page.present_anchor_ids = set(body.anchors)
        page.links_to_anchors = {}

    def render_chunk(self, src_uris: Sequence[str], in_worker: bool) -> Outcome:
        """Render and write these pages; report, never raise.

        In a worker, MkDocs' warnings are collected and sent back for the
        parent to log (and count, in strict mode); in this process (one job)
        they are logged as they happen, as MkDocs would.
        """
        outcome = Outcome()
        collector = _Collect()
        logger = logging.getLogger("mkdocs")
        saved = logger.propagate, logger.handlers[:]
        if in_worker:
            logger.handlers = [collector]
            logger.propagate = False
        doc_files = self.files.documentation_pages()
        try:
            for src_uri in src_uris:
                self._render_page(self.pages[src_uri], doc_files, outcome, collector)
            if self.collect is not None:
                outcome.collected = self.collect()
        except Exception as error:  # outside any one page: the build fails with it, the workers go on
            outcome.errors.append(f"{type(error).__name__}: {error}")
        finally:
            logger.propagate, logger.handlers = saved
        outcome.records = collector.records
        return outcome

    def _render_page(
        self, page: OffloadedPage, doc_files: Sequence[File], outcome: Outcome, collector: _Collect
    ) -> None:
        src_uri = page.file.src_uri
        logged = len(collector.records)
        page.worker = self
        try:
            mkdocs_build._populate_page(page, self.config, self.files)
            mkdocs_build._build_page(page, self.config, doc_files, self.nav, self.env)
        except Exception as error:  # reported with the page's name; the build then fails
            outcome.errors.append(f"{src_uri}: {type(error).__name__}: {error}")
            # MkDocs has logged the error too ("Error building page …"): the error list says it once.
            collector.records[logged:] = [
                r for r in collector.records[logged:] if not (r[0] == BUILD_LOGGER and r[1] >= logging.ERROR)
            ]
        finally:
            page.worker = None
            # The page is written; keep nothing of it (memory stays flat as the hub grows) but its title,
            # which other pages' nav reads.
            page.markdown = page.content = ""
            title = page.meta.get("title")
            page.meta = {} if title is None else {"title": title}
            page.toc = get_toc([])
            page.present_anchor_ids = page.links_to_anchors = None

    def serve(self, chunks: Sequence[Sequence[str]], tasks: Any, results: Any, lifetime: int) -> None:
        """A worker's loop: render the chunk of each index taken from ``tasks`` until None comes, or retire
        (saying so on ``results``) after ``lifetime`` chunks."""
        for _ in range(lifetime):
            if (index := tasks.get()) is None:
                return
            results.put((index, self.render_chunk(chunks[index], in_worker=True)))
        results.put((RETIRED, None))


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


def _chunks(src_uris: Sequence[str], jobs: int) -> list[list[str]]:
    size = max(1, min(50, len(src_uris) // max(1, jobs * CHUNKS_PER_JOB)))
    return [list(src_uris[i : i + size]) for i in range(0, len(src_uris), size)]


class Renderer:
    """Started when the template environment is ready (on_env); finished before the site is indexed.

    Each worker renders ``lifetime`` chunks and then retires, and a fresh one is forked in its place: a
    forked worker's memory grows with every page it renders (reference counting copies each shared page of
    the parent it touches, and what it allocates stays), so a bounded life keeps the build's peak memory
    from growing with the number of pages each worker renders.
    """

    def __init__(self, context: WorkerContext, lifetime: int = CHUNKS_PER_WORKER) -> None:
        self._context = context
        self._lifetime = lifetime
        self._chunks: list[list[str]] = []
        self._outcomes: list[Outcome] = []
        self._arrived: dict[int, Outcome] = {}
        self._workers: list[Any] = []
        self._tasks: Any = None
        self._results: Any = None

    def start(self, pages: Iterable[OffloadedPage], jobs: int) -> None:
        """Begin rendering ``pages`` (heaviest first) with ``jobs`` processes; returns at once when forking."""
        ordered = list(pages)
        self._context.pages = {page.file.src_uri: page for page in ordered}
        src_uris = [page.file.src_uri for page in ordered]
        self._chunks = _chunks(src_uris, jobs)
        if jobs <= 1 or len(src_uris) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return  # rendered in this process, chunk by chunk, as completed() is read
        processes = multiprocessing.get_context("fork")
        self._tasks = processes.SimpleQueue()
        for index in range(len(self._chunks)):
            self._tasks.put(index)
        for _ in range(jobs):  # one for each worker that finds the queue empty; a retiring worker takes none
            self._tasks.put(None)
        self._results = processes.Queue()
        for _ in range(jobs):
            self._fork()

    def _fork(self) -> None:
        """Start one worker."""
        # Keep the garbage collector of the workers off the parent's objects, so the pages holding them stay
        # shared copy-on-write instead of being copied into every worker (Python's gc.freeze documentation).
        gc.freeze()
        try:
            worker = multiprocessing.get_context("fork").Process(
                target=self._context.serve, args=(self._chunks, self._tasks, self._results, self._lifetime), daemon=True
            )
            worker.start()
        finally:
            gc.unfreeze()
        self._workers = [w for w in self._workers if w.is_alive()]
        self._workers.append(worker)

    def poll(self) -> None:
        """Take what the workers have sent so far, without waiting, and fork a fresh worker for each that
        retired; the plugin calls it from MkDocs' own loop, so workers are replaced while the parent is busy."""
        while self._results is not None and self._take(0.0):
            pass

    def _take(self, timeout: float) -> bool:
        """One message from the workers, waiting up to ``timeout`` seconds; False if none came."""
        try:
            arrived, outcome = self._results.get(timeout=timeout) if timeout else self._results.get_nowait()
        except queue.Empty:
            return False
        if arrived == RETIRED:
            self._fork()  # in place of the worker that retired
        else:
            self._arrived[arrived] = outcome
        return True

    def _wait_for(self, index: int) -> Outcome:
        """The outcome of chunk ``index``, from whichever worker rendered it."""
        while index not in self._arrived:
            if self._take(WAIT_SECONDS) or any(worker.is_alive() for worker in self._workers):
                continue
            if not self._take(WAIT_SECONDS):
                raise RuntimeError("the page workers stopped before rendering every page")
        return self._arrived.pop(index)

    def completed(self) -> Iterator[list[Any]]:
        """For each chunk, in order, once its pages are written: what ``collect`` gathered for them."""
        while len(self._outcomes) < len(self._chunks):
            index = len(self._outcomes)
            if self._workers:
                outcome = self._wait_for(index)
            else:
                outcome = self._context.render_chunk(self._chunks[index], in_worker=False)
            self._outcomes.append(outcome)
            collected, outcome.collected = outcome.collected, []
            yield collected

    def finish(self) -> list[str]:
        """Wait for every page; re-log the workers' warnings here; return the errors."""
        try:
            for _ in self.completed():
                pass
            for worker in self._workers:
                worker.join()
            self._workers = []
        finally:
            self.abandon()
        if self._context.cache is not None:
            self._context.cache.prune(len(self._context.pages))
        errors: list[str] = []
        for outcome in self._outcomes:
            for name, level, message in outcome.records:
                logging.getLogger(name).log(level, message)
            errors.extend(outcome.errors)
        return errors

    def abandon(self) -> None:
        """Stop the workers (a failed build); safe to call twice."""
        for worker in self._workers:
            worker.terminate()
        for worker in self._workers:
            worker.join()
        self._workers = []
        if self._results is not None:
            self._results.close()
            self._results = None


def precompile(env: jinja2.Environment, language: str = "en", folder: str | None = None) -> int:
    """Compile the page templates once, here, before forking, instead of once in every worker.

    Jinja compiles a template the first time it is used, and forked workers
    each start with the parent's cache; compiling a page's templates costs
    about as much as rendering thirty pages.  With ``folder`` (the theme's
    custom_dir), only the templates found there: every page extends our
    lean base there, and Material's own templates, two thirds of the theme's,
    are never rendered (a page that used one would compile it as it was
    rendered, the same bytes either way).  Blog templates and other
    languages' strings are never used here and are skipped.
    """
    names = env.list_templates(extensions=["html"])
    if folder is not None:
        names = jinja2.FileSystemLoader(folder).list_templates()
    compiled = 0
    for name in names:
        if not name.endswith(".html") or name.startswith(
            (".icons/", "blog", "partials/post", "partials/integrations/")
        ):
            continue
        if name.startswith("partials/languages/") and name.rsplit("/", 1)[1] not in (f"{language}.html", "custom.html"):
            continue
        env.get_template(name)
        compiled += 1
    return compiled


class QuietStubs(logging.Filter):
    """Drops the notice MkDocs logs after a stub page gave empty output ("Page skipped …"): a worker writes it.

    Told by the plugin whether the page being built is a stub (``expect``,
    from ``on_post_page``, which MkDocs calls just before it writes or skips
    the page), it drops the next INFO record of MkDocs' page builder after a
    stub, and nothing else.
    """

    def __init__(self) -> None:
        super().__init__()
        self.expecting = False

    def expect(self, stub: bool) -> None:
        self.expecting = stub

    def filter(self, record: logging.LogRecord) -> bool:
        if self.expecting and record.levelno == logging.INFO and record.funcName == "_build_page":
            self.expecting = False
            return False
        return True
