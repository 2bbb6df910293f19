"""The carehub MkDocs plugin: publishes stories/ with the same checks as `carehub check`.

MkDocs and Material are the rendering engine, not the home of our logic: this
module adapts the catalogue (catalogue.py) and the generated-page plan
(listings.py, facets.py, related.py, sites.py, glossary.py) to MkDocs' plugin
events, so a move to another engine means rewriting this file, not the hub.

- on_config: load and check every story, the sites and the glossary; any
  error stops the build with the full list, before anything is rendered
  (MkDocs' own reader would publish broken front matter as text).  Then plan
  every generated page once: facet indexes, related stories, the sites
  directory — nothing later is proportional to the number of stories.
- on_files: add each story as a virtual page at /stories/<slug>/, kept out of
  the nav (a nav of thousands of stories makes every page quadratic), the
  images and downloads the catalogue accepted (Catalogue.assets: no other
  file under stories/ is ever published) at their own paths, and each
  generated page (listings, sites, regions, glossary, search).
- on_page_markdown / on_page_content: give story and generated pages their
  metadata and template; sanitise story HTML with nh3.
- on_page_context: hand the template its view (one page's worth of data).
- on_post_build: index the built pages for search (publish/search/) as the
  workers finish them, in the staging folder, before `carehub build` swaps
  it into place.
- Feeds and open data (feeds.py, opendata.py): on_env gives templates the feed
  list and ``carehub_feed_for(page.url)`` for autodiscovery links; the
  Subscribe page gets its generated list; on_post_build writes the files.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any, cast

import jinja2
from markupsafe import Markup
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_build_date, normalize_url
from mkdocs.utils.templates import TemplateContext

from carehub import __version__, jobs
from carehub.check import checkcache, docpages
from carehub.check.catalogue import STORIES_DIR, Catalogue, Story, load_catalogue, story_body
from carehub.check.glossary import Glossary
from carehub.check.safety import sanitise_html
from carehub.plan.directory import SiteEntry, build_directory
from carehub.plan.facets import FACETS, FacetIndex, build_facet_indexes, label_maps
from carehub.plan.listings import DEFAULT_PER_PAGE, GeneratedPage, Home, home_view, plan_pages
from carehub.plan.regions import region_map
from carehub.plan.related import RelatedIndex
from carehub.plan.story_view import build_story_view
from carehub.problems import Problem, format_text
from carehub.publish import csp, feeds, opendata
from carehub.publish.search.index import Index, PageReader, story_order
from carehub.publish.sitemap import split_sitemap
from carehub.render import docspages, offload, rendercache
from carehub.render.fragments import FragmentCache


class ContentError(PluginError):
    """Stories failed their checks; carries the catalogue so the CLI can print every problem."""

    def __init__(
        self, catalogue: Catalogue, extra: list[Problem] | None = None, sources: dict[str, list[str]] | None = None
    ) -> None:
        self.catalogue = catalogue
        problems = sorted([*catalogue.problems, *(extra or [])], key=lambda p: (p.file, p.line, p.column))
        errors = [p for p in problems if p.is_error]
        super().__init__(
            "carehub: the stories have problems, so nothing was built.\n\n"
            + format_text(problems, catalogue.checked, {**catalogue.sources, **(sources or {})})
            + f"\n\n{len(errors)} error(s) must be fixed."
        )


class _StoryFile(File):
    """A story's page source, read from its file when the page is read (in a worker): catalogue.story_body.

    Why not ``File.generated(content=...)``: that holds every story's body
    in the parent, shared with every worker (110 MB at 20,000 stories); the
    build loads the catalogue without bodies, and story_body checks that the
    file is still the bytes that were checked.  The newline keeps MkDocs from
    reading a first body line such as "Note: ..." as MultiMarkdown metadata.
    """

    story: Story
    root: Path

    @classmethod
    def of(cls, config: MkDocsConfig, root: Path, story: Story) -> _StoryFile:
        file = cast(_StoryFile, cls.generated(config, story.path, content="", inclusion=InclusionLevel.NOT_IN_NAV))
        file.story, file.root = story, root
        return file

    @property  # type: ignore[misc]  # read-only on purpose: a story's source is its catalogue entry
    def content_string(self) -> str:
        return "\n" + story_body(self.root, self.story)


class CarehubConfig(Config):  # type: ignore[no-untyped-call]
    # Processes for checking stories and rendering pages; 0 means one per core.
    jobs = config_options.Type(int, default=0)
    per_page = config_options.Type(int, default=DEFAULT_PER_PAGE)
    related = config_options.Type(int, default=5)
    search = config_options.Type(bool, default=True)
    # How many stories each RSS feed and feed.json holds (the newest); stories.json holds them all.
    feed_length = config_options.Type(int, default=feeds.DEFAULT_LENGTH)


class CarehubPlugin(BasePlugin[CarehubConfig]):  # type: ignore[no-untyped-call]
    """Registered as the `carehub` plugin by an entry point in pyproject.toml."""

    catalogue: Catalogue | None = None
    renderer: offload.Renderer | None = None
    indexer: Index | None = None  # in this process only: what every reader's pages are merged into
    reader: PageReader | None = None  # in every process that renders pages (the workers inherit it)
    _quiet: offload.QuietStubs | None = None
    root: Path
    feed_site: feeds.Site

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).resolve().parent
        preloaded = _PRELOADED.pop(str(self.root), None)
        self.jobs = jobs.resolve(self.config.jobs)
        catalogue = preloaded or load_catalogue(self.root, jobs=self.jobs)
        glossary = catalogue.glossary  # loaded and checked with the stories
        # The docs/ pages, as `carehub check` screens them (docpages.py): the build refuses what check rejects.
        pages = docpages.check_pages(self.root, folder=Path(config.docs_dir))
        if catalogue.errors or pages.problems:
            raise ContentError(catalogue, pages.problems, pages.sources)
        self.catalogue = catalogue
        # Checked first: it validates SOURCE_DATE_EPOCH and site_url with messages a person can act on.
        self.feed_site = _feed_site(config, catalogue, self.config.feed_length)
        self.glossary: Glossary = glossary
        self.content_date = _content_date(catalogue)
        _explain_abbreviations(config, glossary)
        # Everything below is computed once per build, so no page costs more as the hub grows.
        self.labels = label_maps(catalogue)
        self.indexes = build_facet_indexes(catalogue)
        self.directory: dict[str, SiteEntry] = build_directory(catalogue)
        self.related = RelatedIndex(catalogue.stories, self.config.related)  # scored per story page, in the workers
        self.generated: dict[str, GeneratedPage] = {
            page.src_uri: page
            for page in plan_pages(catalogue, self.indexes, self.directory, glossary, self.config.per_page)
        }
        self.home: Home = home_view(catalogue, self.indexes, self.directory)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.catalogue is not None
        self._by_src: dict[str, Story] = {}
        for story in self.catalogue.stories:
            file: File = _StoryFile.of(config, self.root, story)
            file.dest_uri = f"{STORIES_DIR}/{story.slug}/index.html"
            # edit_uri in mkdocs.yml points into docs/; stories live beside it.
            file.edit_uri = f"../{story.path}"
            files.append(file)
            self._by_src[file.src_uri] = story
            offload.make_stub(file, config)  # rendered by offload.Renderer, not in MkDocs' loop
        for rel in self.catalogue.assets:  # exactly the files the catalogue accepted: nothing else under stories/
            files.append(
                File(
                    rel,
                    str(self.root),
                    config.site_dir,
                    config.use_directory_urls,
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
        for src_uri, generated in self.generated.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:  # a hand-written page of the same name stops the build
                raise PluginError(f"carehub: docs/{src_uri} would hide the generated page /{generated.url}.")
            inclusion = InclusionLevel.INCLUDED if generated.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, src_uri, content="", inclusion=inclusion)
            file.edit_uri = f"../{generated.edit_path}" if generated.edit_path else None
            files.append(file)
            offload.make_stub(file, config)
        docspages.add_files(files, config, self.catalogue)  # schemas and the share form's assets
        return files

    def story_for(self, page: Page) -> Story | None:
        return self._by_src.get(page.file.src_uri)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        story = self.story_for(page)
        if offload.is_stub(page):
            # MkDocs' own loop: the real page is rendered by a worker (on_env); the stub needs only what
            # other pages and the sitemap read of it: its title (nav labels) and its date.
            generated = self.generated.get(page.file.src_uri)
            title = story.meta.title if story is not None else generated.title if generated is not None else None
            page.meta = {"title": title, "template": offload.STUB_TEMPLATE}
            if generated is not None and not generated.indexed:
                page.meta["carehub_noindex"] = True  # overrides/sitemap.xml leaves it out
            page.update_date = _page_date(story) if story is not None else self.content_date
            return ""
        if story is not None:
            meta: dict[str, Any] = story.meta.model_dump(mode="json", exclude_defaults=False)
            page.meta = {
                **meta,
                "title": story.meta.title,
                "description": story.meta.summary,
                "template": "carehub/story.html",
                "carehub_story": story,
                "carehub_searchable": True,
                "hide": ["toc"],
            }
            page.update_date = _page_date(story)
            return markdown
        page.update_date = self.content_date
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            page.meta = {
                "title": generated.title,
                "description": generated.description,
                "template": generated.template,
                "carehub_searchable": generated.searchable,
                "carehub_noindex": not generated.indexed,
                "hide": ["toc"],
            }
            return markdown
        if page.is_homepage:
            page.meta.setdefault("template", "carehub/home.html")
            page.meta.setdefault("hide", ["toc"])
        else:
            page.meta.setdefault("carehub_searchable", True)
        if page.file.src_uri == SUBSCRIBE_PAGE:
            listing = feeds.subscribe_markdown(self.feed_site, opendata.DOWNLOADS)
            markdown = feeds.subscribe_page(markdown, listing)
        if self.catalogue is not None:
            markdown = docspages.expand(markdown, page, config, self.catalogue)  # generated lists in docs pages
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.story_for(page) is not None and not offload.is_stub(page):
            return sanitise_html(html)
        return html

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.fragments = FragmentCache(nav.pages)
        self._nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        env.globals["ch_cached"] = self.fragments
        env.globals["ch_labels"] = self.labels
        env.globals["ch_facets"] = FACETS
        env.globals["ch_search"] = self.config.search
        env.globals["ch_sites"] = {site_id: entry.site.name for site_id, entry in self.directory.items()}
        env.globals["ch_region_map"] = self._region_map
        env.filters["ch_date"] = format_date
        # Feeds (issue 5): the site-wide feeds, and the facet feed of a listing page for autodiscovery.
        site = self.feed_site
        env.globals["carehub_feeds"] = feeds.main_feeds(site.name)
        env.globals["carehub_feed_for"] = lambda url: feeds.feed_for_page(url or "", site.vocabularies, site.name)
        # Everything the pages need now exists: start rendering the offloaded pages (stories first, the
        # heaviest) in worker processes while MkDocs goes on with the hand-written pages.
        stubs = [file.page for file in files.documentation_pages() if isinstance(file.page, offload.OffloadedPage)]
        stubs.sort(key=self._render_order)
        self._quiet = offload.QuietStubs({page.file.src_uri for page in stubs})
        logging.getLogger("mkdocs.commands.build").addFilter(self._quiet)
        offload.precompile(env, config.theme.get("language") or "en")
        cache = None
        if not checkcache.disabled_by_environment():
            cache = rendercache.RenderCache(self.root, _render_salt(config), (f.src_uri for f in files))
        # The search index reads each page as it is rendered (on_post_page), in the workers too: made before
        # they fork, with the stories numbered already so the workers can write their page files.
        collect = None
        if self.config.search:
            self.indexer = Index(Path(config.site_dir))
            problems = self.indexer.start()
            if problems:
                raise PluginError("carehub: the search index could not be built:\n" + "\n".join(problems))
            self.indexer.reserve(page.url for page in stubs if self.story_for(page) is not None)
            self.reader = self.indexer.reader()
            collect = self.reader.drain
        self.renderer = offload.Renderer(config, files, self._nav, env, cache, collect)
        self.renderer.start(stubs, self.jobs)
        return env

    def _render_order(self, page: Page) -> tuple[bool, tuple[int, tuple[str, ...]]]:
        """Stories first (the heaviest pages), in the order the search index numbers them
        (search.index.story_order); then every generated page in its own order (the sort is stable).
        """
        story = self.story_for(page)
        if story is None:
            return (True, (0, ()))
        return (False, story_order(story.meta.date, "/" + page.url))

    def _region_map(self, index: FacetIndex) -> Markup:
        """The regions map for the page being rendered (links are relative to it)."""
        page = self._current_page

        def href(region_id: str) -> str:
            return str(normalize_url(f"browse/region/{region_id}/", page))

        return region_map({t.id: t.count for t in index.terms}, self.labels["regions"], href)

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if offload.is_stub(page):
            return context
        self._current_page = page
        story = self.story_for(page)
        view: object = None
        if story is not None:
            view = build_story_view(story, self.labels, self.related.get(story.slug), self.directory)
        elif (generated := self.generated.get(page.file.src_uri)) is not None:
            view = generated.view
        elif page.is_homepage:
            view = self.home
        # Templates read their view as `ch`; MkDocs' TypedDict does not know our key.
        cast(dict[str, Any], context)["ch"] = view
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if offload.is_stub(page):
            return output
        if self.reader is not None:
            self.reader.take(page.url, output)  # in a page worker too: see on_env
        return csp.add_policy(output)  # every page, in the workers too (csp.py)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        # 404.html and any other static template page: the same policy as every page.
        return csp.add_policy(output_content) if template_name.endswith(".html") else output_content

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # Page weight (issue 9): keep /sitemap.xml constant-size; see sitemap.py.
        split_sitemap(Path(config.site_dir), config.site_url or "")
        self._write_feeds(Path(config.site_dir))  # while the workers finish the pages
        if self.renderer is not None:
            for collected in self.renderer.completed():
                if self.indexer is not None:
                    self.indexer.merge(collected)  # the words of the pages the workers rendered
        errors = self._finish_rendering()
        if errors:
            raise PluginError("carehub: these pages could not be rendered:\n" + "\n".join(errors))
        unprotected = csp.unprotected(Path(config.site_dir))
        if unprotected:
            raise PluginError("carehub: these pages have no Content-Security-Policy:\n" + "\n".join(unprotected))
        if self.indexer is not None and self.reader is not None:
            indexer, self.indexer = self.indexer, None
            indexer.merge(self.reader.drain())  # the pages this process rendered itself
            self.reader = None
            problems = indexer.finish()
            if problems:
                raise PluginError("carehub: the search index could not be built:\n" + "\n".join(problems))

    def on_build_error(self, *, error: Exception) -> None:
        self._finish_rendering(abandon=True)
        if self.indexer is not None:
            self.indexer.close()
            self.indexer = self.reader = None

    def _finish_rendering(self, abandon: bool = False) -> list[str]:
        renderer, self.renderer = self.renderer, None
        if self._quiet is not None:
            logging.getLogger("mkdocs.commands.build").removeFilter(self._quiet)
            self._quiet = None
        if renderer is None:
            return []
        if abandon:
            renderer.abandon()
            return []
        return renderer.finish()

    def _write_feeds(self, site_dir: Path) -> None:
        """Write every feed and open data file into the built site."""
        assert self.catalogue is not None
        stories = self.catalogue.stories
        try:
            outputs = {**feeds.render_all(stories, self.feed_site), **opendata.render_all(stories, self.feed_site)}
        except feeds.FeedError as error:
            raise PluginError(f"carehub: the feeds could not be written: {error}") from error
        for rel, data in sorted(outputs.items()):
            target = site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(value: dt.date) -> str:
    """GOV.UK style, whatever the build machine's locale: 16 February 2017."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _render_salt(config: MkDocsConfig) -> str:
    """Everything besides a page's own Markdown that changes its HTML: versions and Markdown settings."""
    import markdown
    from mkdocs import __version__ as mkdocs_version

    settings = {
        "versions": [__version__, mkdocs_version, markdown.__version__],
        "extensions": config.markdown_extensions,
        "settings": config.mdx_configs,
    }
    return json.dumps(settings, sort_keys=True, default=repr, ensure_ascii=False)


def _page_date(story: Story) -> str:
    """The sitemap's <lastmod> for a story: when it last changed, not when the site was built."""
    return (story.meta.updated or story.meta.date).isoformat()


def _content_date(catalogue: Catalogue) -> str:
    """The date a page without its own date reports as last changed: the newest story date.

    MkDocs stamps every page with the build date (sitemap.xml's <lastmod>, and
    the mtime inside sitemap.xml.gz) unless SOURCE_DATE_EPOCH is set; using the
    content's own newest date instead makes the same content give the same
    bytes on any day, on any machine.  SOURCE_DATE_EPOCH, when set, still wins.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return get_build_date()
    dates = [story.meta.updated or story.meta.date for story in catalogue.stories]
    return max(dates).isoformat() if dates else "1970-01-01"


def _explain_abbreviations(config: MkDocsConfig, glossary: Glossary) -> None:
    """Give Python-Markdown's abbr extension the glossary, so PACS is explained wherever it appears.

    Done in the Markdown tree (not on HTML afterwards), so code, links and
    headings stay valid; plurals (STPs) are explained too.
    """
    abbreviations = glossary.abbreviations()
    if not abbreviations:
        return
    terms = dict(abbreviations)
    for abbreviation, term in abbreviations.items():
        terms.setdefault(f"{abbreviation}s", f"{term}s")
    if "abbr" not in config.markdown_extensions:
        config.markdown_extensions.append("abbr")
    existing = config.mdx_configs.get("abbr", {}).get("glossary", {})
    config.mdx_configs["abbr"] = {**config.mdx_configs.get("abbr", {}), "glossary": {**terms, **existing}}


SUBSCRIBE_PAGE = "subscribe.md"


def _feed_site(config: MkDocsConfig, catalogue: Catalogue, length: int) -> feeds.Site:
    """What the feed writers need from mkdocs.yml, checked so a mistake stops the build with a clear message."""
    if length < 1:
        raise PluginError(f"carehub: feed_length in mkdocs.yml must be 1 or more, not {length}.")
    if not config.site_url:
        raise PluginError(
            "carehub: site_url is not set in mkdocs.yml; feeds and open data need the site's full address, "
            "for example site_url: https://carehub.example.org/."
        )
    try:
        feeds.check_xml_text(config.site_name, "site_name in mkdocs.yml")
        build_date = feeds.source_date_epoch()
    except feeds.FeedError as error:
        raise PluginError(f"carehub: {error}") from error
    url = config.site_url if config.site_url.endswith("/") else config.site_url + "/"
    return feeds.Site(
        url=url,
        name=config.site_name,
        vocabularies=catalogue.vocabularies,
        length=length,
        build_date=build_date,
    )


# The CLI has already loaded and checked the catalogue before calling MkDocs; it
# leaves it here (keyed by project root) so the plugin does not read every story twice.
_PRELOADED: dict[str, Catalogue] = {}


def preload(catalogue: Catalogue) -> None:
    _PRELOADED[str(catalogue.root)] = catalogue
