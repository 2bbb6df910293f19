"""LiveSite: the site `carehub serve` shows, kept in memory between rebuilds so that an edit re-renders only
the pages it changed, with the same bytes a full `carehub build` of the edited tree writes.

What MkDocs allows: it has no partial build.  `mkdocs serve` runs a whole
`mkdocs build` on every change (its ``--dirty`` build still reads and renders
every page, and skips only pages whose Markdown file is older than their
output, which is wrong for pages generated from other files).  What it offers,
and this module uses: its own page steps (``_populate_page`` and
``_build_page``, through offload.WorkerContext, exactly as a full build renders
every story and generated page), ``_build_theme_template`` for the sitemap, and
``mkdocs.livereload.LiveReloadServer``, which serves a folder, watches paths,
calls a builder on a change and reloads the browser (cli.py; render/preview.py
serves its reload script as a file, which the pages' Content-Security-Policy allows).

What carehub owns:

- the state of the last build: the MkDocs config, files, nav and Jinja
  environment (the plugin's WorkerContext), the plan, each story page's view,
  and each searchable page's words (publish/search/);
- finding what changed: a snapshot of the source files (read/snapshot.py), a
  check of only the changed stories (load_catalogue with their paths; the
  data files are read again), and the plan compared with the last one
  (plan/changes.py);
- rendering just those pages in this process and moving them into place;
  ``rebuild`` returns then, so the server shows them at once, and a thread
  writes the search index from every page's words (the index format is made
  whole, about 1 to 2 s at 1,000 stories), the feeds and open data only when
  their inputs changed, and the sitemap only when a date in it did.  The next
  rebuild, and ``settle``, wait for that thread;
- writing each file only when its bytes changed, each atomically (a new file
  renamed over the old one): a reader never sees half a page.

What falls back to a full build (into a folder beside the served one, then
copied over file by file where the bytes differ): a change to docs/,
overrides/, mkdocs.yml or data/ (vocabularies, sites, glossary, withdrawals
and the rest), a file under stories/ that is not a story (images,
downloads), a story added, removed or withdrawn, and an edit that changes
anything every page shows (labels, the sites' names, the set of generated
pages, such as a barrier-by-care-model page that gains its first story).  A
rebuild whose stories have errors prints every problem with file and line
and leaves the served site as it was; the next rebuild compares with
the last good build, so no edit is lost.

Must not decide what a page contains (plan/), or keep state in module globals: a LiveSite holds it all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError
from mkdocs.structure.files import File

from carehub.check import docpages
from carehub.check.catalogue import load_catalogue
from carehub.plan.changes import PlanChanges, body_only, compare, views_to_remake
from carehub.plan.site import SitePlan, StoryPage, plan
from carehub.plan.story_view import StoryView
from carehub.problems import format_text, sort_problems
from carehub.publish.search.index import Index, PageReader, PageWords, synonym_groups
from carehub.publish.sitemap import PAGES as SITEMAP_PAGES
from carehub.publish.sitemap import split_sitemap
from carehub.read.snapshot import Snapshot, SourceChanges
from carehub.read.storyfiles import STORIES_DIR
from carehub.render import offload
from carehub.render.plugin import CarehubPlugin, ContentError, published_files

SEARCH_DIR = "search-index"  # publish/search/format.py's OUTPUT_SUBDIR, synced as one folder
SITEMAP_FILES = ("sitemap.xml", "sitemap.xml.gz", SITEMAP_PAGES, SITEMAP_PAGES + ".gz")


@dataclass
class Timing:
    """Seconds spent in each step of one rebuild."""

    check: float = 0.0
    plan: float = 0.0
    render: float = 0.0
    publish: float = 0.0  # search index, feeds, open data, sitemap and writing

    def line(self) -> str:
        total = self.check + self.plan + self.render + self.publish
        return (
            f"{total:.2f} s (check {self.check:.2f}, plan {self.plan:.2f}, "
            f"render {self.render:.2f}, publish {self.publish:.2f})"
        )


@dataclass
class Rebuilt:
    """What one call of ``LiveSite.rebuild`` did: for the log line, the tests and the benchmark."""

    kind: str  # "none", "pages", "full" or "failed"
    pages: tuple[str, ...] = ()  # source paths rendered again ("pages" only)
    written: list[str] = field(default_factory=list)  # site-relative files whose bytes changed (written or removed)
    reason: str = ""  # why the whole site was built, or why the rebuild failed
    timing: Timing = field(default_factory=Timing)


@dataclass
class _Build:
    """Everything one build left in memory that the next rebuild starts from (MkDocs' objects: not frozen)."""

    config: MkDocsConfig
    plugin: CarehubPlugin
    context: offload.WorkerContext
    snapshot: Snapshot
    views: dict[str, StoryView]  # story source path -> its page's view
    words: dict[str, PageWords]  # searchable page URL -> its words, each read on its own (a fresh PageReader)
    logo: bytes  # the feed logo, as the build made it (it depends on nothing)
    synonyms: list[list[str]]

    @property
    def site(self) -> SitePlan:
        assert self.plugin.site is not None, "a finished build has its plan"
        return self.plugin.site


class LiveSite:
    """The served copy of the site in ``site_dir``, and what rebuilding it needs; one per `carehub serve`."""

    def __init__(
        self,
        root: Path,
        site_dir: Path,
        *,
        today: dt.date,
        jobs: int,
        out: TextIO | None = None,
        background: bool = True,
    ) -> None:
        """``background``: return from ``rebuild`` once the changed pages are in place, and write the search index
        and the rest on a thread (``settle`` waits for it); False waits before returning."""
        self.root = root.resolve()
        self.site_dir = site_dir.resolve()
        self.today = today
        self.jobs = jobs
        self.out = out or sys.stdout
        self.last: Rebuilt | None = None
        self.background = background
        self._build: _Build | None = None
        self._finishing: threading.Thread | None = None

    # -- the first build, and every full one --------------------------------------------------------------

    def start(self) -> bool:
        """Build the whole site into ``site_dir``; False (with the problems printed) if it could not be built."""
        self.site_dir.mkdir(parents=True, exist_ok=True)
        build = self._full_build(self.site_dir)
        if build is None:
            return False
        self._build = build
        return True

    def watched(self) -> list[Path]:
        """What a change to should rebuild the site: mkdocs.yml, docs/, the theme overrides and `watch:` paths."""
        build = self._require()
        return self._sources(build.config)

    def _sources(self, config: MkDocsConfig) -> list[Path]:
        paths = [Path(config.config_file_path), Path(config.docs_dir)]
        custom_dir = config.theme.custom_dir
        if custom_dir:
            paths.append(Path(custom_dir))
        paths += [Path(path) for path in config.watch]
        return [path.resolve() for path in paths]

    def _require(self) -> _Build:
        assert self._build is not None, "LiveSite.start builds the site first"
        return self._build

    def _full_build(self, into: Path) -> _Build | None:
        """A whole `carehub build` into ``into`` (as cli.py's build does), and the state it leaves."""
        config = self._config(into)
        snapshot = Snapshot.take(self.root, self._sources(config))  # before reading: a later edit is a change
        catalogue = load_catalogue(self.root, today=self.today, jobs=self.jobs)
        pages = docpages.check_pages(self.root, folder=Path(config.docs_dir))
        if catalogue.errors or pages.problems:
            problems = sort_problems([*catalogue.problems, *pages.problems])
            sources = {**catalogue.sources, **pages.sources}
            self._say(format_text(problems, catalogue.checked + pages.checked, sources))
            return None
        plugin = config.plugins.get("carehub")
        if not isinstance(plugin, CarehubPlugin):
            raise ConfigurationError("carehub serve needs the carehub plugin in mkdocs.yml (plugins: [carehub]).")
        plugin.hand_over(catalogue)
        plugin.keep_search_words()
        try:
            mkdocs_build.build(config)
        except ContentError as error:
            self._say(str(error))
            return None
        except (Abort, ConfigurationError, PluginError) as error:
            self._say(f"carehub: the build failed: {error}")
            return None
        assert plugin.site is not None and plugin.context is not None
        site, context = plugin.site, plugin.context
        context.collect = None  # the build's search reader is finished: this process reads pages itself
        synonyms = synonym_groups(site.catalogue.glossary.search_groups())  # as Index.reader hands them on
        assert plugin.search_words is not None
        words = {taken.url: taken for taken in plugin.search_words}
        plugin.search_words = None
        views = {src_uri: site.story_view(story_page.story) for src_uri, story_page in site.stories.items()}
        logo = (into / _LOGO).read_bytes()
        return _Build(config, plugin, context, snapshot, views, words, logo, synonyms)

    def _config(self, site_dir: Path) -> MkDocsConfig:
        return load_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(site_dir))

    # -- rebuilding -----------------------------------------------------------------------------------------

    def rebuild(self) -> Rebuilt:
        """Bring the served site up to date with the files; what LiveReloadServer calls after a change."""
        self.settle()
        build = self._require()
        snapshot = Snapshot.take(self.root, self._sources(build.config))
        changes = snapshot.changes_since(build.snapshot)
        if not changes:
            result = Rebuilt("none")
        else:
            reason = _needs_whole_site(changes)
            result = self._rebuild_whole(reason) if reason else self._rebuild_pages(build, changes, snapshot)
        self.last = result
        if result.kind != "pages":
            self._report(result)  # a page rebuild reports once everything is written (_finish)
        return result

    def update(self) -> None:
        """``rebuild``, as LiveReloadServer's builder: an unexpected error is told in one line, never a traceback,
        and the next rebuild builds the whole site."""
        try:
            self.rebuild()
        except Exception as error:
            self.settle()
            if self._build is not None:
                self._build.snapshot = Snapshot({})
            self._say(
                f"carehub serve: internal error: {type(error).__name__}: {error}. The last good site is still "
                "served; the next change rebuilds the whole site. Please report this."
            )

    def _rebuild_whole(self, reason: str) -> Rebuilt:
        timing = Timing()
        started = time.perf_counter()
        staging = Path(tempfile.mkdtemp(prefix=".carehub-serve-", dir=self.site_dir.parent))
        try:
            build = self._full_build(staging)
            if build is None:
                return Rebuilt("failed", reason="the site has problems: the last good build is still served")
            timing.render = time.perf_counter() - started
            started = time.perf_counter()
            written = _sync(staging, self.site_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._build = build
        timing.publish = time.perf_counter() - started
        return Rebuilt("full", written=written, reason=reason, timing=timing)

    def _rebuild_pages(self, build: _Build, changes: SourceChanges, snapshot: Snapshot) -> Rebuilt:
        """Only modified stories: check them, plan again if more than a body changed, render what differs."""
        timing = Timing()
        started = time.perf_counter()
        paths = [self.root / rel for rel in changes.modified]
        checked = load_catalogue(self.root, paths, today=self.today, jobs=1)
        if checked.errors:
            self._say(format_text(list(checked.problems), checked.checked, checked.sources))
            return Rebuilt("failed", reason="the stories have problems: the last good build is still served")
        old = build.site
        fresh = {story.path: story for story in checked.stories}
        known = {rel for rel in changes.modified if rel in old.stories}
        if fresh.keys() != known:  # a story withdrawn, or a file that now reads as a story: its file list changes
            return self._rebuild_whole("a story was added or removed")
        stories = tuple(fresh.get(story.path, story) for story in old.catalogue.stories)
        stories = tuple(sorted(stories, key=lambda s: (-s.meta.date.toordinal(), s.slug)))
        catalogue = dataclasses.replace(old.catalogue, stories=stories)
        timing.check = time.perf_counter() - started

        started = time.perf_counter()
        if all(body_only(old.stories[path].story, story) for path, story in fresh.items()):
            # Nothing but the story pages read a body: keep the plan, with the stories as checked now.
            site = dataclasses.replace(
                old,
                catalogue=catalogue,
                stories={
                    src_uri: StoryPage(fresh[src_uri], page.dest_uri) if src_uri in fresh else page
                    for src_uri, page in old.stories.items()
                },
            )
            views = build.views
            changed = PlanChanges(render=tuple(path for path in old.stories if path in fresh))
        else:
            assert build.plugin.plan_options is not None
            site = plan(catalogue, build.plugin.plan_options)
            views = dict(build.views)
            for src_uri in views_to_remake(old, site, fresh, build.views):
                views[src_uri] = site.story_view(site.stories[src_uri].story)
            changed = compare(old, site, build.views, views)
            if changed.whole_site:
                return self._rebuild_whole(changed.whole_site)
        timing.plan = time.perf_counter() - started

        started = time.perf_counter()
        scratch = Path(tempfile.mkdtemp(prefix=".carehub-serve-", dir=self.site_dir.parent))
        build.plugin.adopt(site, build.context.files)
        rendered, errors = self._render(build, changed, scratch)
        if errors:
            build.plugin.adopt(old, build.context.files)
            shutil.rmtree(scratch, ignore_errors=True)
            self._say("carehub: these pages could not be rendered:\n" + "\n".join(errors))
            return Rebuilt("failed", reason="pages could not be rendered: the last good build is still served")
        result = Rebuilt("pages", pages=tuple(rendered), timing=timing)
        result.written = [
            file.dest_uri
            for file in rendered.values()
            if _put(self.site_dir / file.dest_uri, (scratch / file.dest_uri).read_bytes(), scratch / file.dest_uri)
        ]
        timing.render = time.perf_counter() - started
        build.snapshot, build.views = snapshot, views
        # The pages are in place: the server may show them while the rest is written (``settle`` waits for it).
        finish = threading.Thread(target=self._finish, args=(build, site, changed, rendered, scratch, result))
        self._finishing = finish
        finish.start()
        if not self.background:
            self.settle()
        return result

    def settle(self) -> None:
        """Wait until the last rebuild has written the search index, feeds, open data and sitemap."""
        finishing, self._finishing = self._finishing, None
        if finishing is not None:
            finishing.join()

    def _finish(
        self,
        build: _Build,
        site: SitePlan,
        changed: PlanChanges,
        rendered: dict[str, File],
        scratch: Path,
        result: Rebuilt,
    ) -> None:
        """After the pages: the search index, and the feeds, open data and sitemap when they changed."""
        started = time.perf_counter()
        try:
            result.written += self._publish(build, site, changed, rendered, scratch)
        except Exception as error:  # reported, never a traceback; the next rebuild tries again
            result.kind, result.reason = "failed", f"the search index, feeds or sitemap could not be written ({error})"
            build.snapshot = Snapshot({})  # so the next rebuild is a whole one
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            result.timing.publish = time.perf_counter() - started
        self._report(result)

    def _render(self, build: _Build, changed: PlanChanges, scratch: Path) -> tuple[dict[str, File], list[str]]:
        """Render the changed pages into ``scratch`` (under their site paths); returns them by source path."""
        config, context = build.config, build.context
        files, rendered, errors = context.files, {}, []
        wanted = list(changed.render)
        if changed.home:
            wanted += [f.src_uri for f in files.documentation_pages() if f.page is not None and f.page.is_homepage]
        for src_uri in wanted:
            file = files.get_file_from_path(src_uri)
            assert file is not None and file.page is not None, f"{src_uri} is a page of the last build"
            page, final = file.page, file.abs_dest_path
            file.abs_dest_path = str(scratch / file.dest_uri)
            try:
                if isinstance(page, offload.OffloadedPage):
                    errors += context.render_chunk([src_uri], in_worker=False).errors
                    # Back to the stub MkDocs' loop left: its title, date and sitemap entry, as the sitemap reads.
                    mkdocs_build._populate_page(page, config, files)
                else:
                    mkdocs_build._populate_page(page, config, files)
                    doc_files = files.documentation_pages()
                    mkdocs_build._build_page(page, config, doc_files, context.nav, context.env)
            except Exception as error:  # MkDocs has logged it with the page's name
                errors.append(f"{src_uri}: {type(error).__name__}: {error}")
            finally:
                file.abs_dest_path = final
            rendered[src_uri] = file
        return rendered, errors

    def _publish(
        self, build: _Build, site: SitePlan, changed: PlanChanges, rendered: dict[str, File], scratch: Path
    ) -> list[str]:
        """Move the rendered pages into place, then remake the search index, feeds, open data and sitemap."""
        written: list[str] = []
        for file in rendered.values():
            data = (self.site_dir / file.dest_uri).read_bytes()
            taken = _words_of(file.url, data.decode("utf-8"), build.synonyms, scratch)
            if taken is None:
                build.words.pop(file.url, None)
            else:
                build.words[file.url] = taken
        if rendered:
            written += self._write_search(build, scratch / "search")
        if changed.publish:
            for rel, data in sorted(published_files(site, build.logo).items()):
                if _put(self.site_dir / rel, data, scratch / "published.tmp"):
                    written.append(rel)
        if changed.sitemap:
            written += self._write_sitemap(build, scratch / "sitemap")
        return written

    def _write_search(self, build: _Build, staging: Path) -> list[str]:
        index = Index(staging, build.synonyms)
        problems = index.start()
        index.merge(build.words.values())
        problems += index.finish()
        if problems:
            raise PluginError("carehub: the search index could not be built:\n" + "\n".join(problems))
        return [f"{SEARCH_DIR}/{rel}" for rel in _sync(staging / SEARCH_DIR, self.site_dir / SEARCH_DIR)]

    def _write_sitemap(self, build: _Build, staging: Path) -> list[str]:
        """Every page's date as the plan says now, then the sitemap as a full build writes it (sitemap.py)."""
        config, context, plugin = build.config, build.context, build.plugin
        for file in context.files.documentation_pages():
            if file.page is not None:
                file.page.update_date = plugin.update_date(file.src_uri)
        staging.mkdir()
        site_dir, config.site_dir = config.site_dir, str(staging)
        try:
            mkdocs_build._build_theme_template("sitemap.xml", context.env, context.files, config, context.nav)
        finally:
            config.site_dir = site_dir
        split_sitemap(staging, config.site_url or "")
        written = []
        for name in SITEMAP_FILES:
            source = staging / name
            if source.exists() and _put(self.site_dir / name, source.read_bytes(), source):
                written.append(name)
        return written

    # -- output ---------------------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _report(self, result: Rebuilt) -> None:
        if result.kind == "none":
            return
        if result.kind == "failed":
            self._say(f"carehub serve: {result.reason}.")
            return
        what = "the whole site" if result.kind == "full" else _count(len(result.pages), "page")
        because = f" ({result.reason})" if result.reason else ""
        self._say(
            f"carehub serve: rebuilt {what}{because} in {result.timing.line()}; "
            f"{_count(len(result.written), 'file')} changed."
        )


_LOGO = "assets/images/feed-logo.png"  # publish/feedimage.py's PATH: made once, it depends on nothing


def _needs_whole_site(changes: SourceChanges) -> str:
    """Why these changes need a whole build, or "" when the changed stories can be rendered on their own."""
    if changes.added or changes.removed:
        return "a file was added or removed"
    for rel in changes.modified:
        if not (rel.startswith(f"{STORIES_DIR}/") and rel.endswith(".md")):
            return f"{rel} changed"
    return ""


def _words_of(url: str, html: str, synonyms: list[list[str]], staging: Path) -> PageWords | None:
    """A page's search words on their own (a fresh reader: its words are all new to it), or None if not searched."""
    reader = PageReader(staging, {}, synonyms, whole=True)
    reader.take(url, html)
    taken = reader.drain()
    return taken[0] if taken else None


def _put(target: Path, data: bytes, temporary: Path) -> bool:
    """Write ``data`` to ``target`` atomically, through ``temporary`` (renamed over it), unless it holds it already."""
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass
    if not temporary.exists() or temporary.read_bytes() != data:
        temporary.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary.replace(target)
    return True


def _sync(source: Path, target: Path) -> list[str]:
    """Make ``target`` hold exactly ``source``'s files, moving over only those whose bytes differ, and a folder
    ``target`` lacks in one rename (the search index's build folder); then remove what ``source`` lacks.
    Returns the relative paths written or removed; ``source`` is used up."""
    wanted = {path.relative_to(source).as_posix() for path in source.rglob("*")} if source.exists() else set()
    changed: list[str] = []
    if source.exists():
        _move_over(source, target, "", changed)
    if target.exists():
        _remove_extra(target, "", wanted, changed)
    return sorted(changed)


def _move_over(source: Path, target: Path, rel: str, changed: list[str]) -> None:
    for entry in sorted(source.iterdir()):
        name, dest = f"{rel}{entry.name}", target / entry.name
        if entry.is_dir():
            if dest.exists():
                _move_over(entry, dest, f"{name}/", changed)
                continue
            changed += [f"{name}/{path.relative_to(entry).as_posix()}" for path in entry.rglob("*") if path.is_file()]
            target.mkdir(parents=True, exist_ok=True)
            entry.replace(dest)
        elif _put(dest, entry.read_bytes(), entry):
            changed.append(name)


def _remove_extra(target: Path, rel: str, wanted: set[str], changed: list[str]) -> None:
    for entry in sorted(target.iterdir()):
        name = f"{rel}{entry.name}"
        if name in wanted:
            if entry.is_dir():
                _remove_extra(entry, f"{name}/", wanted, changed)
            continue
        if entry.is_dir():
            changed += [f"{name}/{path.relative_to(entry).as_posix()}" for path in entry.rglob("*") if path.is_file()]
            shutil.rmtree(entry)
        else:
            entry.unlink()
            changed.append(name)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
