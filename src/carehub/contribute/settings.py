"""The few settings the contribution tools read from mkdocs.yml, without loading MkDocs.

`carehub new` and `carehub schema` run in a fraction of a second because they
never import MkDocs; they still need the site's address, the repository on
GitHub and the mailbox for stories, which live in mkdocs.yml so that a fork
changes them in one place.  This module only reads; it must not validate the
MkDocs configuration (MkDocs does that when it builds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_MAILBOX = "stories@carehub.example.org"
_GITHUB_RE = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")
_BRANCH_RE = re.compile(r"^(?:edit|blob|tree)/([^/]+)/")


@dataclass(frozen=True, slots=True)
class SiteSettings:
    site_url: str  # with a trailing slash, or "" when not set
    repo: str | None  # "owner/name" when repo_url is a GitHub repository
    branch: str  # the branch stories are proposed against
    mailbox: str  # the role mailbox that receives stories by e-mail

    @property
    def new_file_url(self) -> str | None:
        """GitHub's "create a new file" page; the form appends the folder and the file."""
        return f"https://github.com/{self.repo}/new/{self.branch}/" if self.repo else None


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as !!python/name that only MkDocs understands."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return None


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown_tag)
_Loader.add_multi_constructor("!", _unknown_tag)


def from_config(config: dict[str, Any]) -> SiteSettings:
    """Settings from an already loaded MkDocs configuration (the plugin passes its config)."""
    site_url = str(config.get("site_url") or "")
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    match = _GITHUB_RE.match(str(config.get("repo_url") or ""))
    branch_match = _BRANCH_RE.match(str(config.get("edit_uri") or ""))
    extra = config.get("extra") or {}
    contribute = extra.get("contribute") if isinstance(extra, dict) else None
    mailbox = contribute.get("mailbox") if isinstance(contribute, dict) else None
    return SiteSettings(
        site_url=site_url,
        repo=match.group(1) if match else None,
        branch=branch_match.group(1) if branch_match else "main",
        mailbox=str(mailbox or DEFAULT_MAILBOX),
    )


def load(root: Path) -> SiteSettings:
    """Settings from ``root``/mkdocs.yml; defaults where the file or a key is missing."""
    try:
        data = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        data = None
    return from_config(data if isinstance(data, dict) else {})
