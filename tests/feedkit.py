"""Helpers for the feed and open data tests: write stories, build a real site, read RSS strictly.

The RSS rules here are the W3C Feed Validator's (https://validator.w3.org/feed/)
that our feeds could break, written as assertions because the validator itself
is not on PyPI.  The build is the real one: `carehub build` in-process, with
the environment a caller gives (CAREHUB_TODAY, SOURCE_DATE_EPOCH).
"""

from __future__ import annotations

import email.utils
import json
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from carehub import cli

SITE_URL = "https://carehub.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RFC822_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")

# Titles that have broken feeds elsewhere: XML specials, quotes, a CDATA end, emoji, right-to-left text.
HOSTILE_TITLES = {
    "hostile-ampersand": "Fish & chips, \"quoted\" and 'single' – less < more > done",
    "hostile-cdata": "Closing ]]> a CDATA section & opening <![CDATA[ one",
    "hostile-emoji": "Emoji 🏥🚑🧑‍⚕️ in a title, and a flag 🏴󠁧󠁢󠁥󠁮󠁧󠁿",
    "hostile-rtl": "Right to left: مرحبا بالعالم and שלום עולם, mixed",
}


@dataclass
class Spec:
    """One story for a test project, written as front matter the real checks accept."""

    slug: str
    type: str = "case-study"
    title: str = ""
    date: str = "2017-02-16"
    updated: str | None = None
    care_models: list[str] = field(default_factory=lambda: ["enhanced-health-in-care-homes"])
    settings: list[str] = field(default_factory=lambda: ["social-care"])
    region: str = "london"
    barriers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    organisation: str | None = "Example Community Partnership"
    scope: list[str] = field(default_factory=lambda: ["website", "feeds"])
    folder: str = "case-studies"
    summary: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # any other front matter, e.g. outcomes

    @property
    def url(self) -> str:
        return f"{SITE_URL}stories/{self.slug}/"

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.slug}.md"

    def text(self) -> str:
        meta: dict[str, Any] = {
            "title": self.title or f"The {self.slug.replace('-', ' ')} story",
            "summary": self.summary or f"What changed in the {self.slug} story, and the difference it made to care.",
            "type": self.type,
            "date": self.date,
            "care_models": self.care_models,
            "settings": self.settings,
            "region": self.region,
        }
        if self.updated:
            meta["updated"] = self.updated
        if self.organisation:
            meta["organisation"] = self.organisation
        if self.barriers or self.type == "failure":
            meta["barriers"] = self.barriers or ["time-and-resources"]
        if self.tags:
            meta["tags"] = self.tags
        if self.type == "case-study":
            meta |= {
                "context": "The place and its problem before the change.",
                "change": "What the team changed, in a sentence.",
                "evaluation_method": "A before and after audit of admissions.",
                "evidence_level": "anecdotal",
                "status": "ongoing",
                "buddy_contact": "newcaremodels-team@example.org",
            }
        elif self.type == "failure":
            meta |= {
                "what_we_tried": "To join up records across partners in six months.",
                "what_happened": "Each partner asked for its own agreement, and it stalled.",
                "what_we_learned": "Agree the purpose with clinicians first.",
                "what_we_would_do_differently": "Start with one patient group and one agreement.",
            }
        elif self.type == "resource":
            meta["resource_kind"] = "guide"
        elif self.type == "patient-story":
            meta["consent"] = {
                "reference": "CN-2017-014",
                "legal_basis": "explicit-consent",
                "obtained": "2017-01-20",
                "reviewed_final_text": True,
                "scope": self.scope,
                "withdrawal_contact": "stories-team@example.org",
            }
        meta |= self.extra
        # JSON is YAML: every string is quoted, so no title can be misread.
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
        body = f"The body of {self.slug}: BODY-MARKER-{self.slug}. Nothing here goes into feeds or open data.\n"
        return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def write_stories(project: Path, specs: list[Spec]) -> None:
    for spec in specs:
        path = project / "stories" / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec.text(), encoding="utf-8")


def build(project: Path, *, today: str = "2026-11-25", epoch: str | None = None) -> Path:
    """`carehub build` on ``project``, in-process, with a pinned today and SOURCE_DATE_EPOCH (or none)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CAREHUB_TODAY", today)
        env.setenv("NO_MKDOCS_2_WARNING", "1")
        if epoch is None:
            env.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            env.setenv("SOURCE_DATE_EPOCH", epoch)
        code = cli.main(["--root", str(project), "build", "--quiet", "--jobs", "1"])
    assert code == 0, f"carehub build failed with exit code {code}"
    return project / "site"


def set_plugin_option(project: Path, option: str, value: object) -> None:
    """Give the carehub plugin an option in the project's mkdocs.yml."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - carehub\n" in text, "mkdocs.yml no longer lists the carehub plugin as `  - carehub`"
    config.write_text(text.replace("  - carehub\n", f"  - carehub:\n      {option}: {value}\n", 1), encoding="utf-8")


def feed_files(site: Path) -> list[Path]:
    """Every RSS file the build wrote (not the sitemap)."""
    return sorted(p for p in site.rglob("*.xml") if not p.name.startswith("sitemap"))


def text_of(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    assert child is not None, f"<{element.tag}> has no <{tag}>"
    return child.text or ""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_valid_rss(data: bytes, site: Path, rel: str) -> ET.Element:
    """Parse one feed and assert the W3C Feed Validator's RSS 2.0 rules that matter to us; return its channel."""
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), rel
    data.decode("utf-8")  # strict: must be UTF-8
    root = ET.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0", rel
    channels = root.findall("channel")
    assert len(channels) == 1, rel
    channel = channels[0]
    title, link = text_of(channel, "title"), text_of(channel, "link")
    assert title and text_of(channel, "description"), f"{rel}: a channel needs a title and a description"
    assert link.startswith(SITE_URL), rel
    assert text_of(channel, "language") == "en-GB", rel
    build_date = channel.find("lastBuildDate")
    if build_date is not None:
        assert RFC822_RE.match(build_date.text or ""), f"{rel}: lastBuildDate {build_date.text!r} is not RFC 822"
    image = channel.find("image")
    assert image is not None, f"{rel}: no channel image"
    assert text_of(image, "title") == title and text_of(image, "link") == link, f"{rel}: image must match channel"
    image_url = text_of(image, "url")
    assert image_url.startswith(SITE_URL) and image_url.endswith((".png", ".gif", ".jpg", ".jpeg")), image_url
    image_file = site / image_url.removeprefix(SITE_URL)
    assert image_file.is_file(), f"{rel}: the image {image_url} is not on the site"
    width, height = png_size(image_file.read_bytes())
    assert (int(text_of(image, "width")), int(text_of(image, "height"))) == (width, height)
    assert width <= 144 and height <= 400, "RSS images may be at most 144 × 400 pixels"
    selves = [a for a in channel.findall(f"{ATOM}link") if a.get("rel") == "self"]
    assert len(selves) == 1 and selves[0].get("href") == SITE_URL + rel, f"{rel}: atom:link rel=self"
    assert selves[0].get("type") == "application/rss+xml"
    assert channel.find("author") is None and not channel.findall("item/author"), "RSS author needs an email"
    guids = []
    for item in channel.findall("item"):
        item_link = text_of(item, "link")
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true", rel
        assert guid.text == item_link and item_link.startswith(SITE_URL + "stories/"), rel
        guids.append(guid.text)
        assert text_of(item, "title"), rel
        assert RFC822_RE.match(text_of(item, "pubDate")), rel
        email.utils.parsedate_to_datetime(text_of(item, "pubDate"))
        for category in item.findall("category"):
            assert category.text and (category.get("domain") or "").startswith(SITE_URL + "browse/"), rel
    assert len(guids) == len(set(guids)), f"{rel}: duplicate guids"
    return channel


def items(channel: ET.Element) -> list[ET.Element]:
    return channel.findall("item")


def guids(channel: ET.Element) -> list[str]:
    return [text_of(item, "guid") for item in items(channel)]
