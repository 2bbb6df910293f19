"""Our feeds: which stories each holds, and the RSS 2.0 and JSON Feed 1.1 writers.

Why our own writer: mkdocs-rss-plugin writes invalid XML when a category or
author holds "&", writes ``<image><url>None</url>``, renders Markdown twice and
stops at 20 items.  Here every value goes into the document through
xml.etree.ElementTree, which escapes text and attributes at the point they are
written, so no title can break a feed and nothing is patched afterwards.

Which feeds exist, their paths and the channel they share are planned in
plan/feedlist.py (the listing pages link to the same paths); this module
decides which stories each holds and writes them.

Reproducible: item guids are the canonical story URL (the slug, never the file
path or build time); dates come from front matter, and a channel's
lastBuildDate from SOURCE_DATE_EPOCH or else the newest story in it, never the
clock.  The same catalogue always gives the same bytes.  The updated feed
keeps the same guid for a story, so readers that track guids refresh the item
rather than show it twice.

Share early, share often: each of a case study's ``updates`` is an item of its own in the updated feed and
in every facet feed the story is in, dated on the update, linking to the update on the story page, with the
guid ``<story URL>#update-<date>`` (stable, and never the story's own guid).  The main feed holds new
stories only.

Text: titles, categories and dc:creator are plain text (escaped once, by
ElementTree); <description> is HTML by RSS convention, so the plain summary
is HTML-escaped first and "<b>" in a summary stays visible text.  RSS cannot
mark a title as plain text, so a title that reads like HTML ("</b>", "&amp;")
is guessed to be HTML by some readers (feedparser, and the W3C validator
warns); the XML is still valid and every other character round-trips.

Patient stories go into feeds only with consent scope ``feeds``; see
:func:`syndicated`.  No RSS <author>: it must be an email address, and we
publish none; dc:creator carries the organisation instead.

This module must not read or write files or know about MkDocs: it turns a
catalogue into bytes, and plugin.py decides where they go.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from carehub import __version__
from carehub.check.catalogue import Story
from carehub.check.model import CaseStudy, PatientStory, Update
from carehub.plan.facets import FACETS, FACETS_BY_SLUG, Facet, facet_url, values_of
from carehub.plan.feedlist import JSON_FEED, UPDATED_FEED, FeedChannel, FeedInfo, main_feeds
from carehub.publish import feedimage

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)

LANGUAGE = "en-GB"
RSS_SPEC = "https://www.rssboard.org/rss-specification"

# Characters XML 1.0 cannot carry at all, even escaped.  `carehub check` rejects
# control characters in stories (CH109); this catches any that reach us from
# elsewhere (mkdocs.yml, vocabularies) with a clear error instead of a broken feed.
_NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class FeedError(ValueError):
    """Text that cannot go into a feed; the message names where it came from."""


# Every facet becomes an RSS <category> on each item, in the order of facets.FACETS.
CATEGORY_FACETS: tuple[Facet, ...] = FACETS


def source_date_epoch(environ: dict[str, str] | None = None) -> dt.datetime | None:
    """SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/) as UTC, if set."""
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise FeedError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}.")
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


# -- which stories each feed holds -----------------------------------------------------------------


def syndicated(stories: Iterable[Story]) -> tuple[Story, ...]:
    """The stories that may go into feeds and open data, in catalogue order (newest first).

    A patient story appears only if its consent scope includes ``feeds`` (the
    vocabulary says: "RSS feeds and the open data files"); consent to the
    website alone does not cover copies we can never take back.
    """
    return tuple(s for s in stories if not isinstance(s.meta, PatientStory) or "feeds" in s.meta.consent.scope)


def stories_for(feed: FeedInfo, stories: Sequence[Story], length: int) -> tuple[Story, ...]:
    """The items of a feed: newest first (by last change for the updated feed), at most ``length``."""
    chosen: Iterable[Story] = syndicated(stories)
    if feed.path == UPDATED_FEED:
        chosen = sorted(chosen, key=lambda s: (-s.meta.last_changed.toordinal(), -s.meta.date.toordinal(), s.slug))
    elif feed.facet is not None:
        facet = FACETS_BY_SLUG[feed.facet]
        chosen = [s for s in chosen if feed.term in values_of(s, facet)]
    return tuple(chosen)[:length]


FeedItem = tuple[Story, Update | None]  # a story, or one update of a case study


def items_for(feed: FeedInfo, stories: Sequence[Story], length: int) -> tuple[FeedItem, ...]:
    """The items of a feed, at most ``length``: its stories, and in the updated and facet feeds each update
    of a case study as an item of its own, newest first by the item's date (the update's, for an update)."""
    if feed.facet is None and feed.path != UPDATED_FEED:
        return tuple((story, None) for story in stories_for(feed, stories, length))
    chosen = stories_for(feed, stories, len(stories))
    items: list[tuple[dt.date, int, FeedItem]] = []
    for order, story in enumerate(chosen):
        date = story.meta.last_changed if feed.path == UPDATED_FEED else story.meta.date
        items.append((date, order, (story, None)))
        if isinstance(story.meta, CaseStudy):
            items.extend((update.date, order, (story, update)) for update in story.meta.updates)
    items.sort(key=lambda item: (-item[0].toordinal(), item[1], item[2][1] is None))  # an update before its story
    return tuple(item for _, _, item in items[:length])


def update_anchor(update: Update) -> str:
    """The fragment of an update on its story page, and of its feed item's guid."""
    return f"update-{update.date.isoformat()}"


# -- writing -----------------------------------------------------------------------------------------


def check_xml_text(value: str, where: str) -> str:
    """``value`` unchanged if XML 1.0 can hold it; otherwise a FeedError naming ``where`` and the character."""
    bad = _NOT_XML_RE.search(value)
    if bad:
        raise FeedError(f"{where} contains the character U+{ord(bad.group()):04X}, which XML cannot hold. Remove it.")
    return value


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def rfc822(moment: dt.datetime) -> str:
    """RSS dates: "Thu, 16 Feb 2017 00:00:00 +0000" (English names whatever the locale)."""
    return email.utils.format_datetime(moment.astimezone(dt.UTC))


def build_date(site: FeedChannel, stories: Sequence[Story]) -> dt.datetime | None:
    """SOURCE_DATE_EPOCH if given, else the newest publication or update among ``stories``."""
    if site.build_date is not None:
        return site.build_date
    return _midnight(max(s.meta.last_changed for s in stories)) if stories else None


def categories(story: Story, site: FeedChannel) -> list[tuple[Facet, str]]:
    """(facet, label) for every facet value of a story, in CATEGORY_FACETS order."""
    found: list[tuple[Facet, str]] = []
    for facet in CATEGORY_FACETS:
        labels = site.labels[facet.vocabulary or "types"]
        found.extend((facet, labels.get(value, value)) for value in values_of(story, facet))
    return found


def creator(story: Story) -> str | None:
    """Who the item is from: the organisation, else the authoring teams (never for patient stories)."""
    if story.meta.organisation:
        return story.meta.organisation
    if story.meta.authors and not isinstance(story.meta, PatientStory):
        return ", ".join(story.meta.authors)
    return None


def render_rss(feed: FeedInfo, stories: Sequence[Story], site: FeedChannel) -> bytes:
    """One RSS 2.0 document, UTF-8, with atom:link rel=self and Dublin Core creators."""
    updated = feed.path == UPDATED_FEED
    link = site.absolute(feed.page)

    def sub(parent: ET.Element, tag: str, text: str, where: str, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
        element.text = check_xml_text(text, where)
        return element

    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    sub(channel, "title", feed.title, f"The title of {feed.path}")
    sub(channel, "link", link, "site_url in mkdocs.yml")
    sub(channel, "description", feed.description, f"The description of {feed.path}")
    sub(channel, "language", LANGUAGE, "language")
    when = build_date(site, stories_for(feed, stories, site.length))
    if when is not None:
        sub(channel, "lastBuildDate", rfc822(when), "lastBuildDate")
    sub(channel, "generator", f"carehub {__version__}", "generator")
    sub(channel, "docs", RSS_SPEC, "docs")
    image = ET.SubElement(channel, "image")
    sub(image, "url", site.absolute(feedimage.PATH), "site_url in mkdocs.yml")
    sub(image, "title", feed.title, f"The title of {feed.path}")  # must match the channel's, say the RSS rules
    sub(image, "link", link, "site_url in mkdocs.yml")
    sub(image, "width", str(feedimage.SIZE), "image width")
    sub(image, "height", str(feedimage.SIZE), "image height")
    ET.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"href": site.absolute(feed.path), "rel": "self", "type": "application/rss+xml"},
    )
    for story, update in items_for(feed, stories, site.length):
        where = f"{story.path}:"
        url = site.absolute(story.url)
        item = ET.SubElement(channel, "item")
        if update is None:
            sub(item, "title", story.meta.title, f"{where} title")
            sub(item, "link", url, f"{where} address")
            # RSS readers treat <description> as HTML; the summary is plain text, so it is
            # HTML-escaped first (then XML-escaped by ElementTree) and "<b>" stays visible text.
            sub(item, "description", html.escape(story.meta.summary, quote=False), f"{where} summary")
        else:
            status = site.labels["statuses"].get(update.status, update.status)
            url = f"{url}#{update_anchor(update)}"
            sub(item, "title", f"Update ({status}): {story.meta.title}", f"{where} title")
            sub(item, "link", url, f"{where} address")
            sub(item, "description", html.escape(update.note, quote=False), f"{where} updates")
        author = creator(story)
        if author:
            sub(item, f"{{{DC_NS}}}creator", author, f"{where} organisation")
        for facet, label in categories(story, site):
            sub(item, "category", label, f"{where} {facet.field}", domain=site.absolute(facet_url(facet.slug)))
        sub(item, "guid", url, f"{where} address", isPermaLink="true")
        day = update.date if update is not None else story.meta.last_changed if updated else story.meta.date
        sub(item, "pubDate", rfc822(_midnight(day)), "pubDate")
    ET.indent(rss, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode").encode("utf-8") + b"\n"


def render_json_feed(stories: Sequence[Story], site: FeedChannel) -> bytes:
    """The main feed as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): plain text throughout."""
    feed = main_feeds(site.name)[0]
    items = stories_for(feed, stories, site.length)
    document: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": site.url,
        "feed_url": site.absolute(JSON_FEED),
        "description": feed.description,
        "language": LANGUAGE,
        "authors": [{"name": site.name, "url": site.url}],
        "items": [],
    }
    entries: list[dict[str, object]] = []
    for story in items:
        url = site.absolute(story.url)
        entry: dict[str, object] = {
            "id": url,
            "url": url,
            "title": story.meta.title,
            "summary": story.meta.summary,
            "content_text": story.meta.summary,
            "date_published": _midnight(story.meta.date).isoformat(),
        }
        if story.meta.updated:
            entry["date_modified"] = _midnight(story.meta.updated).isoformat()
        author = creator(story)
        if author:
            entry["authors"] = [{"name": author}]
        entry["tags"] = [label for _, label in categories(story, site)]
        entry["language"] = LANGUAGE
        entries.append(entry)
    document["items"] = entries
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_all(
    stories: Sequence[Story], site: FeedChannel, feeds: Sequence[FeedInfo], logo: bytes | None = None
) -> dict[str, bytes]:
    """Every feed in ``feeds`` (plan/feedlist.all_feeds), the JSON Feed and the logo, keyed by site-relative path.

    ``logo``: feedimage.png() made already (it depends on nothing; `carehub serve` makes it once).
    """
    out = {feed.path: render_rss(feed, stories, site) for feed in feeds}
    out[JSON_FEED] = render_json_feed(stories, site)
    out[feedimage.PATH] = logo if logo is not None else feedimage.png()
    return out


# -- the Subscribe page ----------------------------------------------------------------------------

SUBSCRIBE_MARKER = "<!-- carehub:feeds -->"


def _md_text(text: str) -> str:
    """Text safe inside a Markdown table cell or link text."""
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)


def subscribe_markdown(site: FeedChannel, feeds: Sequence[FeedInfo], downloads: Sequence[tuple[str, str]] = ()) -> str:
    """The list of every feed for the Subscribe page: one list per group, each feed's name and full address.

    Lists, not tables: a table of long addresses scrolls sideways on a phone,
    in a region keyboard users cannot reach; list items wrap.  One link per
    item (the address, absolute because people copy it), so focus follows
    the reading order; listing pages link their own feed anyway.
    ``downloads`` adds (path, what it is) items for the open data files.
    """
    lines: list[str] = [f"Each feed holds the newest {site.length} stories."]
    group = None
    for feed in feeds:
        if feed.group != group:
            group = feed.group
            lines += ["", f"## {group}", ""]
        address = site.absolute(feed.path)
        lines.append(f"- {_md_text(feed.name)}: [{address}]({address})")
    lines += ["", "## Open data, for developers", ""]
    files = [(JSON_FEED, "the newest stories as JSON Feed 1.1."), *downloads]
    lines += [f"- [{site.absolute(path)}]({site.absolute(path)}): {_md_text(what)}" for path, what in files]
    return "\n".join(lines).strip() + "\n"


def subscribe_page(markdown: str, listing: str) -> str:
    """Put the generated list where the page has the marker (or at the end)."""
    if SUBSCRIBE_MARKER in markdown:
        return markdown.replace(SUBSCRIBE_MARKER, listing, 1)
    return markdown.rstrip("\n") + "\n\n" + listing
