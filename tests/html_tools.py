"""A small parsed-HTML tree for build tests, on the standard library's html.parser.

Why not regular expressions on the output: they pass on markup a browser
would read differently.  Why not lxml: one less dependency, and html.parser is
what the project standard names.  The tree is just enough to select elements
by tag, attribute and class, and read their text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str | bool) -> list[Element]:
        """Elements by tag and attributes; `class_` matches one class; True matches presence."""
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if all(element._matches(name, wanted) for name, wanted in attrs.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **attrs: str | bool) -> Element | None:
        matches = self.find_all(tag, **attrs)
        return matches[0] if matches else None

    def _matches(self, name: str, wanted: str | bool) -> bool:
        if name == "class_":
            return isinstance(wanted, str) and wanted in (self.attrs.get("class") or "").split()
        name = name.replace("_", "-")
        if wanted is True:
            return name in self.attrs
        return self.attrs.get(name) == wanted

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join("".join(parts).split())

    def where(self, test: Callable[[Element], bool]) -> list[Element]:
        return [element for element in self.iter() if test(element)]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def parse_file(path: Path) -> Element:
    return parse(path.read_text(encoding="utf-8"))
