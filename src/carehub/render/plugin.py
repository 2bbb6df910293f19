"""The carehub MkDocs plugin: maps the site plan (plan/site.py) onto MkDocs' events.

MkDocs and Material are the rendering engine, not the home of our logic:
what the site contains is decided by ``plan.site.plan`` from the checked
catalogue; this module only hands that plan to MkDocs, so a move to another
engine means rewriting this file (and the rest of render/), not the hub.

- on_config: take the catalogue the CLI handed over (``hand_over``), or load
  and check it; any error stops the build with the full list, before
  anything is rendered.  Then plan the site once.
- on_files: add each planned story as a virtual page (kept out of the nav:
  a nav of thousands of stories makes every page quadratic), the images and
  downloads the catalogue accepted (no other file under stories/ is ever
  published), and each generated page.
- on_page_markdown / on_page_content: give story and generated pages their
  metadata, template and sitemap date; sanitise story HTML with nh3; write
  links from the site's root relative to the page (rootlinks.py).
- on_env / on_page_context: give templates the plan's labels, facets, feeds
  and each page's view; start the render workers (offload.py).
- on_files also gives our own assets (assets/carehub/) content-hashed names,
  and on_post_page / on_post_template point each page at them
  (publish/assetnames.py).
- on_post_page / on_post_build: the templates' indentation out of every page
  (publish/whitespace.py), the Content-Security-Policy on every page,
  the search index (publish/search/) as the workers finish, the sitemap index,
  robots.txt, feeds and open data, in the staging folder before `carehub build` swaps it
  into place.

Must not decide what the site contains (that is plan/), or take data from
module globals or environment variables: the CLI hands over its catalogue
with ``hand_over`` and its options through the plugin's config.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
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
from mkdocs.utils import normalize_url
from mkdocs.utils.templates import TemplateContext

from carehub import __version__, jobs
from carehub.check import checkcache, docpages
from carehub.check.catalogue import Catalogue, Story, load_catalogue, story_body
from carehub.check.glossary import Glossary
from carehub.check.safety import sanitise_html
from carehub.plan.facets import FACETS, FacetIndex, term_url
from carehub.plan.feedlist import DEFAULT_LENGTH, feed_for_page, main_feeds
from carehub.plan.listings import DEFAULT_PER_PAGE
from carehub.plan.regions import region_map
from carehub.plan.related import DEFAULT_LIMIT
from carehub.plan.site import PlanOptions, SitePlan, plan
from carehub.problems import Problem, format_text
from carehub.publish import assetnames, csp, feeds, minify, opendata, robots, whitespace
from carehub.publish.search.index import Index, PageReader, PageWords, story_order
from carehub.publish.sitemap import split_sitemap
from carehub.render import docspages, offload, rendercache, rootlinks, storybody


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
    in the parent, shared with every worker, growing with the hub; the
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
    related = config_options.Type(int, default=DEFAULT_LIMIT)
    search = config_options.Type(bool, default=True)
    # How many stories each RSS feed and feed.json holds (the newest); stories.json holds them all.
    feed_length = config_options.Type(int, default=DEFAULT_LENGTH)
    # Reuse the HTML of unchanged pages from .cache/carehub/pages/ (rendercache.py); `carehub build --no-cache`
    # sets it to false, and so does CAREHUB_NO_CACHE=1 for any build (read in on_config).
    cache = config_options.Type(bool, default=True)


class CarehubPlugin(BasePlugin[CarehubConfig]):  # type: ignore[no-untyped-call]
    """Registered as the `carehub` plugin by an entry point in pyproject.toml."""

    site: SitePlan | None = None
    renderer: offload.Renderer | None = None
    indexer: Index | None = None  # in this process only: what every reader's pages are merged into
    _synonyms: list[list[str]] = []  # noqa: RUF012 - set in on_config: the glossary's and data/synonyms.yml's groups
    reader: PageReader | None = None  # in every process that renders pages (the workers inherit it)
    _quiet: offload.QuietStubs | None = None
    _given: Catalogue | None = None
    root: Path
    # Kept after the build for `carehub serve`'s incremental rebuilds (incremental.py): what the site was planned
    # with, and what its pages were rendered with.
    plan_options: PlanOptions | None = None
    context: offload.WorkerContext | None = None
    search_words: list[PageWords] | None = None  # every page's search words, each whole (keep_search_words)
    assets: assetnames.AssetNames  # set in on_files: every asset's content-hashed name

    def hand_over(self, catalogue: Catalogue) -> None:
        """Build from this catalogue, already loaded and checked by the CLI, instead of reading every story again.

        Used by the next build only (on_config takes it), so a later rebuild of `carehub serve` reads afresh.
        """
        self._given = catalogue

    def keep_search_words(self) -> None:
        """Keep every page's search words in ``search_words``, each whole, for `carehub serve` (incremental.py).

        The next build then numbers no page ahead (Index.reserve), so each page's file comes back with its words.
        """
        self.search_words = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).resolve().parent
        self.jobs = jobs.resolve(self.config.jobs)
        self.cache = self.config.cache and not checkcache.disabled_by_environment()
        given, self._given = self._given, None
        catalogue = given or load_catalogue(self.root, jobs=self.jobs)
        # The docs/ pages, as `carehub check` screens them (docpages.py): the build refuses what check rejects.
        pages = docpages.check_pages(self.root, folder=Path(config.docs_dir))
        if catalogue.errors or pages.problems:
            raise ContentError(catalogue, pages.problems, pages.sources)
        self.plan_options = _plan_options(config, self.config)
        self.site = plan(catalogue, self.plan_options)
        _explain_abbreviations(config, catalogue.glossary)
        self._synonyms = catalogue.glossary.search_groups()  # for the search index (on_env)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        site = self._plan()
        for story_page in site.stories.values():
            file: File = _StoryFile.of(config, self.root, story_page.story)
            file.dest_uri = story_page.dest_uri
            file.edit_uri = story_page.edit_uri  # edit_uri in mkdocs.yml points into docs/; stories live beside it
            files.append(file)
            offload.make_stub(file, config)  # rendered by offload.Renderer, not in MkDocs' loop
        for rel in site.catalogue.assets:  # exactly the files the catalogue accepted: nothing else under stories/
            files.append(
                File(
                    rel,
                    str(self.root),
                    config.site_dir,
                    config.use_directory_urls,
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
        for src_uri, generated in site.pages.items():
            if files.get_file_from_path(src_uri) is not None:  # a hand-written page of the same name stops the build
                raise PluginError(f"carehub: docs/{src_uri} would hide the generated page /{generated.url}.")
            inclusion = InclusionLevel.INCLUDED if generated.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, src_uri, content="", inclusion=inclusion)
            file.edit_uri = f"../{generated.edit_path}" if generated.edit_path else None
            files.append(file)
            offload.make_stub(file, config)
        docspages.add_files(files, config, site.catalogue)  # schemas and the share form's assets
        _drop_material_assets(files, config)  # no page links them: every template is on the lean base
        self.assets = _hash_asset_names(files, config)  # last: every asset is in `files` now
        return files

    def _plan(self) -> SitePlan:
        assert self.site is not None, "on_config plans the site first"
        return self.site

    def story_for(self, page: Page) -> Story | None:
        story_page = self._plan().stories.get(page.file.src_uri)
        return story_page.story if story_page is not None else None

    def adopt(self, site: SitePlan, files: Files) -> None:
        """Render every later page from ``site``, replanned after an edit (`carehub serve`, incremental.py); each
        story page's source is then read as its story was checked this time (``_StoryFile``)."""
        self.site = site
        for story_page in site.stories.values():
            file = files.get_file_from_path(story_page.src_uri)
            if isinstance(file, _StoryFile):
                file.story = story_page.story

    def update_date(self, src_uri: str) -> str:
        """What the sitemap says a page last changed on: a planned page's own date, or the content's."""
        site = self._plan()
        entry = site.sitemap_entry(src_uri)
        return entry.lastmod if entry is not None else site.content_date

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        site = self._plan()
        src_uri = page.file.src_uri
        story = self.story_for(page)
        generated = site.pages.get(src_uri)
        entry = site.sitemap_entry(src_uri)
        page.update_date = self.update_date(src_uri)
        if offload.is_stub(page):
            # MkDocs' own loop: the real page is rendered by a worker (on_env); the stub needs only what
            # other pages and the sitemap read of it: its title (nav labels), its date and whether it is listed.
            title = story.meta.title if story is not None else generated.title if generated is not None else None
            page.meta = {"title": title, "template": offload.STUB_TEMPLATE}
            if entry is not None and not entry.indexed:
                page.meta["carehub_noindex"] = True  # overrides/sitemap.xml leaves it out
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
            return markdown
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
        if src_uri == SUBSCRIBE_PAGE:
            listing = feeds.subscribe_markdown(site.channel, site.feeds, opendata.DOWNLOADS)
            markdown = feeds.subscribe_page(markdown, listing)
        return docspages.expand(markdown, page, config, site.catalogue)  # generated lists in docs pages

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if offload.is_stub(page):
            return html
        if self.story_for(page) is not None:
            html = sanitise_html(html)
        return rootlinks.make_relative(html, page.url)  # "/browse/…" works under any sub-path (rootlinks.py)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        site = self._plan()
        env.globals["ch_labels"] = site.labels
        env.globals["ch_facets"] = FACETS
        env.globals["ch_search"] = self.config.search
        env.globals["ch_sites"] = {site_id: entry.site.name for site_id, entry in site.directory.items()}
        env.globals["ch_region_map"] = self._region_map
        env.globals["ch_places_map"] = self._places_map
        env.globals["ch_topics"] = site.topics
        env.globals["ch_offers"] = site.offers
        env.filters["ch_date"] = format_date
        # The site-wide feeds, and the facet feed of a listing page, for autodiscovery links.
        channel = site.channel
        env.globals["carehub_feeds"] = main_feeds(channel.name)
        env.globals["carehub_feed_for"] = lambda url: feed_for_page(url or "", channel.vocabularies, channel.name)
        # Everything the pages need now exists: start rendering the offloaded pages (stories first, the
        # heaviest) in worker processes while MkDocs goes on with the hand-written pages.
        stubs = [file.page for file in files.documentation_pages() if isinstance(file.page, offload.OffloadedPage)]
        stubs.sort(key=self._render_order)
        self._quiet = offload.QuietStubs()
        logging.getLogger(offload.BUILD_LOGGER).addFilter(self._quiet)
        offload.precompile(env, config.theme.get("language") or "en", config.theme.custom_dir)
        cache = None
        if self.cache:
            cache = rendercache.RenderCache(self.root, _render_salt(config), (f.src_uri for f in files))
        # The search index reads each page as it is rendered (on_post_page), in the workers too: made before
        # they fork, with the stories numbered already so the workers can write their page files.
        collect = None
        if self.config.search:
            self.indexer = Index(Path(config.site_dir), self._synonyms)
            problems = self.indexer.start()
            if problems:
                raise PluginError("carehub: the search index could not be built:\n" + "\n".join(problems))
            if self.search_words is None:
                self.indexer.reserve(page.url for page in stubs if self.story_for(page) is not None)
            self.reader = self.indexer.reader(whole=self.search_words is not None)
            collect = self.reader.drain
        context = offload.WorkerContext(
            config,
            files,
            self._nav,
            env,
            cache=cache,
            collect=collect,
            stories=frozenset(site.stories),
            story_bodies=storybody.StoryBodyRenderer(config.mdx_configs.get("abbr", {}).get("glossary", {})),
        )
        self.context = context
        self.renderer = offload.Renderer(context)
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
            return str(normalize_url(term_url("region", region_id), page))

        return region_map({t.id: t.count for t in index.terms}, self._plan().labels["regions"], href)

    def _places_map(self, counts: dict[str, int]) -> Markup:
        """An approach's places by region (approaches.ApproachEntry.region_counts), links relative to the page."""
        page = self._current_page

        def href(region_id: str) -> str:
            return str(normalize_url(term_url("region", region_id), page))

        return region_map(counts, self._plan().labels["regions"], href, ("place", "places"))

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if offload.is_stub(page):
            return context
        site = self._plan()
        self._current_page = page
        story = self.story_for(page)
        view: object = None
        if story is not None:
            view = site.story_view(story)
        elif (generated := site.pages.get(page.file.src_uri)) is not None:
            view = generated.view
        elif page.is_homepage:
            view = site.home
        # Templates read their view as `ch`; MkDocs' TypedDict does not know our key.
        cast(dict[str, Any], context)["ch"] = view
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        stub = offload.is_stub(page)
        if self._quiet is not None:
            self._quiet.expect(stub)  # MkDocs says it skipped the stub's empty page: a worker writes it
        if stub:
            if self.renderer is not None:
                self.renderer.poll()  # replaces the workers that retired (offload.Renderer)
            return output
        output = whitespace.squeeze(output)  # before search reads it: the index reads the page as written
        if self.reader is not None:
            self.reader.take(page.url, output)  # in a page worker too: see on_env
        return csp.add_policy(self._hashed_assets(output, page.url))  # every page, in the workers too (csp.py)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        # 404.html and any other static template page: the same asset names and policy as every page.
        if not template_name.endswith(".html"):
            return output_content
        return csp.add_policy(self._hashed_assets(whitespace.squeeze(output_content), template_name))

    def _hashed_assets(self, html: str, page_url: str) -> str:
        """The page with its references to assets/carehub/ renamed to the hashed files (publish/assetnames.py)."""
        try:
            return self.assets.rewrite_html(html, page_url)
        except assetnames.AssetError as error:
            raise PluginError(f"carehub: a page refers to an asset that does not exist: {error}") from error

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        split_sitemap(Path(config.site_dir), config.site_url or "")  # a constant-size /sitemap.xml: sitemap.py
        (Path(config.site_dir) / robots.NAME).write_bytes(robots.robots_txt(config.site_url or ""))
        self._write_feeds(Path(config.site_dir))  # while the workers finish the pages
        if self.renderer is not None:
            for collected in self.renderer.completed():
                if self.indexer is not None:
                    self.indexer.merge(collected)  # the words of the pages the workers rendered
                if self.search_words is not None:
                    self.search_words += collected
        errors = self._finish_rendering()
        if errors:
            raise PluginError("carehub: these pages could not be rendered:\n" + "\n".join(errors))
        unprotected = csp.unprotected(Path(config.site_dir))
        if unprotected:
            raise PluginError("carehub: these pages have no Content-Security-Policy:\n" + "\n".join(unprotected))
        if self.indexer is not None and self.reader is not None:
            indexer, self.indexer = self.indexer, None
            taken = self.reader.drain()  # the pages this process rendered itself
            indexer.merge(taken)
            if self.search_words is not None:
                self.search_words += taken
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
            logging.getLogger(offload.BUILD_LOGGER).removeFilter(self._quiet)
            self._quiet = None
        if renderer is None:
            return []
        if abandon:
            renderer.abandon()
            return []
        return renderer.finish()

    def _write_feeds(self, site_dir: Path) -> None:
        """Write every feed and open data file into the built site."""
        for rel, data in sorted(published_files(self._plan()).items()):
            target = site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def published_files(site: SitePlan, logo: bytes | None = None) -> dict[str, bytes]:
    """Every feed and open data file of ``site``, by site-relative path (``logo``: the feed image made already)."""
    stories = site.catalogue.stories
    try:
        return {
            **feeds.render_all(stories, site.channel, site.feeds, logo),
            **opendata.render_all(stories, site.channel),
            **opendata.render_spread(stories, tuple(site.approaches.values()), site.channel),
        }
    except feeds.FeedError as error:
        raise PluginError(f"carehub: the feeds could not be written: {error}") from error


def format_date(value: dt.date) -> str:
    """GOV.UK style, whatever the build machine's locale: 16 February 2017."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


# Material's bundle (and its search workers) and stylesheets, which the theme copies into every site.
MATERIAL_ASSETS = ("assets/javascripts/", "assets/stylesheets/")


def _drop_material_assets(files: Files, config: MkDocsConfig) -> None:
    """Leave Material's scripts and stylesheets out of the site: every page extends carehub/lean/base.html,
    which links only our own assets. Its favicon (assets/images/) stays, and so does any file of docs/."""
    docs = Path(config.docs_dir).resolve()
    for file in [f for f in files if f.src_uri.startswith(MATERIAL_ASSETS)]:
        if file.src_dir is None or Path(file.src_dir).resolve() != docs:
            files.remove(file)


def _hash_asset_names(files: Files, config: MkDocsConfig) -> assetnames.AssetNames:
    """Publish every file under assets/carehub/ under its content-hashed name (publish/assetnames.py).

    Each is replaced by a file holding the bytes it is published with (a few dozen KB in all): minified
    (publish/minify.py), and a script or stylesheet that refers to another asset names it by its hash.
    """
    ours = [f for f in files if f.dest_uri.startswith(assetnames.FOLDER) and not f.is_documentation_page()]
    published = {f.dest_uri: minify.minified(f.dest_uri, f.content_bytes) for f in ours}
    try:
        named = assetnames.name_assets(published, config.site_url or "")
    except assetnames.AssetError as error:
        raise PluginError(f"carehub: the site's assets could not be given hashed names: {error}") from error
    for old in ours:
        new = File(
            old.src_uri,
            None,
            config.site_dir,
            config.use_directory_urls,
            dest_uri=named.names[old.dest_uri],
            inclusion=InclusionLevel.NOT_IN_NAV,
        )
        new.content_bytes = named.rewritten.get(old.dest_uri, published[old.dest_uri])
        files.remove(old)
        files.append(new)
    return named


def _render_salt(config: MkDocsConfig) -> str:
    """Everything besides a page's own Markdown that changes its HTML: versions and Markdown settings."""
    import markdown
    from mkdocs import __version__ as mkdocs_version

    settings = {
        "versions": [__version__, mkdocs_version, markdown.__version__, storybody.VERSION],
        "extensions": config.markdown_extensions,
        "settings": config.mdx_configs,
    }
    return json.dumps(settings, sort_keys=True, default=repr, ensure_ascii=False)


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


def _plan_options(config: MkDocsConfig, options: CarehubConfig) -> PlanOptions:
    """What the plan needs from mkdocs.yml, checked so a mistake stops the build with a clear message."""
    if options.feed_length < 1:
        raise PluginError(f"carehub: feed_length in mkdocs.yml must be 1 or more, not {options.feed_length}.")
    if not config.site_url:
        raise PluginError(
            "carehub: site_url is not set in mkdocs.yml; feeds and open data need the site's full address, "
            "for example site_url: https://carehub.example.org/."
        )
    try:
        feeds.check_xml_text(config.site_name, "site_name in mkdocs.yml")
        build_date = feeds.source_date_epoch()  # also the date of every page without its own
    except feeds.FeedError as error:
        raise PluginError(f"carehub: {error}") from error
    return PlanOptions(
        site_url=config.site_url if config.site_url.endswith("/") else config.site_url + "/",
        site_name=config.site_name,
        per_page=options.per_page,
        related=options.related,
        feed_length=options.feed_length,
        build_date=build_date,
    )
