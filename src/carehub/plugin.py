"""The carehub MkDocs plugin: publishes stories/ with the same checks as `carehub check`.

MkDocs and Material are the rendering engine, not the home of our logic: this
module adapts the catalogue (catalogue.py) to MkDocs' plugin events, so a move
to another engine means rewriting this file, not the hub.

- on_config: load and check every story; any error stops the build with the
  full list, before anything is rendered (MkDocs' own reader would publish
  broken front matter as text).
- on_files: add each story as a virtual page at /stories/<slug>/, kept out of
  the nav (a nav of thousands of stories makes every page quadratic), and the
  other files under stories/ (images, downloads) at their own paths.
- on_page_markdown / on_page_content: give story pages their metadata and
  sanitise their rendered HTML with nh3.
- Feeds and open data (feeds.py, opendata.py): on_env gives templates the feed
  list and ``carehub_feed_for(page.url)`` for autodiscovery links; the
  Subscribe page gets its generated list; on_post_build writes the files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from . import feeds, opendata
from .catalogue import STORIES_DIR, Catalogue, Story, load_catalogue
from .problems import format_text
from .safety import sanitise_html


class ContentError(PluginError):
    """Stories failed their checks; carries the catalogue so the CLI can print every problem."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        errors = catalogue.errors
        super().__init__(
            "carehub: the stories have problems, so nothing was built.\n\n"
            + format_text(list(catalogue.problems), catalogue.checked, catalogue.sources)
            + f"\n\n{len(errors)} error(s) must be fixed."
        )


class CarehubConfig(Config):  # type: ignore[no-untyped-call]
    jobs = config_options.Type(int, default=1)
    # How many stories each RSS feed and feed.json holds (the newest); stories.json holds them all.
    feed_length = config_options.Type(int, default=feeds.DEFAULT_LENGTH)


class CarehubPlugin(BasePlugin[CarehubConfig]):  # type: ignore[no-untyped-call]
    """Registered as the `carehub` plugin by an entry point in pyproject.toml."""

    catalogue: Catalogue | None = None
    root: Path
    feed_site: feeds.Site

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).resolve().parent
        preloaded = _PRELOADED.pop(str(self.root), None)
        catalogue = preloaded or load_catalogue(self.root, jobs=self.config.jobs)
        if catalogue.errors:
            raise ContentError(catalogue)
        self.catalogue = catalogue
        self.feed_site = _feed_site(config, catalogue, self.config.feed_length)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.catalogue is not None
        self._by_src: dict[str, Story] = {}
        for story in self.catalogue.stories:
            file = File.generated(config, story.path, content="\n" + story.body, inclusion=InclusionLevel.NOT_IN_NAV)
            file.dest_uri = f"{STORIES_DIR}/{story.slug}/index.html"
            file.edit_uri = story.path
            files.append(file)
            self._by_src[story.path] = story
        for path in _assets(self.root / STORIES_DIR):
            rel = path.relative_to(self.root).as_posix()
            files.append(
                File(
                    rel,
                    str(self.root),
                    config.site_dir,
                    config.use_directory_urls,
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
        return files

    def story_for(self, page: Page) -> Story | None:
        return self._by_src.get(page.file.src_uri)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        story = self.story_for(page)
        if story is not None:
            meta: dict[str, Any] = story.meta.model_dump(mode="json", exclude_defaults=False)
            page.meta = {
                **meta,
                "title": story.meta.title,
                "description": story.meta.summary,
                "carehub_story": story,
            }
        if page.file.src_uri == SUBSCRIBE_PAGE:
            listing = feeds.subscribe_markdown(self.feed_site, opendata.DOWNLOADS)
            markdown = feeds.subscribe_page(markdown, listing)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.story_for(page) is not None:
            return sanitise_html(html)
        return html

    # -- feeds and open data (issue 5) -------------------------------------------------------------

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """Templates: ``carehub_feeds`` (the site-wide feeds) and ``carehub_feed_for(page.url)``."""
        site = self.feed_site
        env.globals["carehub_feeds"] = feeds.main_feeds(site.name)
        env.globals["carehub_feed_for"] = lambda url: feeds.feed_for_page(url or "", site.vocabularies, site.name)
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write every feed and open data file into the built site."""
        assert self.catalogue is not None
        stories = self.catalogue.stories
        try:
            outputs = {**feeds.render_all(stories, self.feed_site), **opendata.render_all(stories, self.feed_site)}
        except feeds.FeedError as error:
            raise PluginError(f"carehub: the feeds could not be written: {error}") from error
        site_dir = Path(config.site_dir)
        for rel, data in sorted(outputs.items()):
            target = site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


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


def _assets(directory: Path) -> list[Path]:
    """Non-Markdown files under stories/ (images, downloads), skipping _templates and hidden files."""
    found: list[Path] = []
    for current, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        found.extend(
            Path(current) / n for n in sorted(filenames) if not n.endswith(".md") and not n.startswith((".", "_"))
        )
    return found


# The CLI has already loaded and checked the catalogue before calling MkDocs; it
# leaves it here (keyed by project root) so the plugin does not read every story twice.
_PRELOADED: dict[str, Catalogue] = {}


def preload(catalogue: Catalogue) -> None:
    _PRELOADED[str(catalogue.root)] = catalogue
