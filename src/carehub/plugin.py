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
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

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


class CarehubPlugin(BasePlugin[CarehubConfig]):  # type: ignore[no-untyped-call]
    """Registered as the `carehub` plugin by an entry point in pyproject.toml."""

    catalogue: Catalogue | None = None
    root: Path

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).resolve().parent
        preloaded = _PRELOADED.pop(str(self.root), None)
        catalogue = preloaded or load_catalogue(self.root, jobs=self.config.jobs)
        if catalogue.errors:
            raise ContentError(catalogue)
        self.catalogue = catalogue
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
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.story_for(page) is not None:
            return sanitise_html(html)
        return html


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
