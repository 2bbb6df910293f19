"""Projects: the pair of projects a corpus size is measured on, ours (generated) and stock Material's copy.

Must not build or measure anything: it only writes the two projects.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from carehub_bench.corpus import generate_corpus, scaffold_project

ROOT = Path(__file__).resolve().parents[2]  # the repository: its docs/ and data/ seed both projects


def make_projects(work: Path, n: int, seed: int) -> tuple[Path, Path, list[Path]]:
    """Our project (generated corpus) and a stock Material project with the same Markdown."""
    if work.exists():
        shutil.rmtree(work)
    ours = scaffold_project(work / "ours", ROOT)
    stories = generate_corpus(ours, n, seed=seed)
    stock = work / "stock"
    docs = stock / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "stories").mkdir(exist_ok=True)
    for path in stories:
        # The same file, at the same URL (/stories/<slug>/); MkDocs reads our front matter as page meta.
        shutil.copy(path, docs / "stories" / path.name)
    (stock / "mkdocs.yml").write_text(STOCK_CONFIG, encoding="utf-8")
    return ours, stock, stories


STOCK_CONFIG = """\
# Stock MkDocs Material with search, tags and rss, for the paired benchmark.
# Stories are in docs/stories/ but not in the nav (a nav of thousands of
# stories makes every page quadratic); the extensions match carehub's.
site_name: New care models hub
site_url: https://carehub.example.org/
theme:
  name: material
  language: en
  font: false
  features:
    - navigation.sections
    - navigation.top
plugins:
  - search
  - tags
  - rss:
      match_path: "stories/.*"
      use_git: false
      date_from_meta:
        as_creation: date
        as_update: updated
      categories:
        - tags
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
nav:
  - Home: index.md
"""
