"""Which pages may share a rendered fragment (fragments.py): only pages whose links come out the same."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from carehub.render.fragments import FragmentCache


@dataclass(eq=False)
class FakePage:
    url: str
    parent: object = None
    is_homepage: bool = False


def test_pages_outside_the_nav_in_one_folder_share_a_fragment() -> None:
    in_nav = FakePage("about/")
    cache = FragmentCache([FakePage(""), in_nav, FakePage("stories/"), FakePage("browse/")])
    a, b, listing = FakePage("stories/a/"), FakePage("stories/b/"), FakePage("browse/type/failure/")
    assert cache.key("nav", a) == cache.key("nav", b) == ("nav", "stories")
    assert cache.key("nav", listing) == ("nav", "browse/type")
    assert cache.key("footer", a) != cache.key("nav", a)
    rendered: list[str] = []

    def caller(text: str):  # type: ignore[no-untyped-def]
        def render() -> str:
            rendered.append(text)
            return text

        return render

    assert cache("nav", a, caller("<nav>a</nav>")) == Markup("<nav>a</nav>")
    assert cache("nav", b, caller("<nav>b</nav>")) == Markup("<nav>a</nav>")  # the first rendering, kept
    assert cache("nav", listing, caller("<nav>listing</nav>")) == Markup("<nav>listing</nav>")
    assert rendered == ["<nav>a</nav>", "<nav>listing</nav>"]
    assert cache.hits == 1


def test_pages_in_the_nav_the_home_page_and_pages_with_nav_links_below_them_render_their_own() -> None:
    in_nav = FakePage("stories/")
    cache = FragmentCache([FakePage(""), in_nav, FakePage("browse/type/case-study/")])
    assert cache.key("nav", in_nav) is None  # its own item is marked active
    assert cache.key("nav", FakePage("", is_homepage=True)) is None
    assert cache.key("nav", FakePage("resources/x/", parent=object())) is None  # in a nav section
    # A nav link points inside this page: its relative URL differs from the one its siblings get.
    assert cache.key("nav", FakePage("browse/type/")) is None
    assert cache.key("nav", FakePage("browse/type/case-study/")) is None
    assert cache.key("nav", FakePage("browse/type/failure/")) == ("nav", "browse/type")
    assert cache.key("nav", FakePage("404.html")) is None  # not a folder URL


def test_every_page_renders_its_own_fragment_when_none_can_be_shared() -> None:
    cache = FragmentCache([])
    calls: list[int] = []
    page = FakePage("", is_homepage=True)

    def caller(n: int):  # type: ignore[no-untyped-def]
        def render() -> str:
            calls.append(n)
            return f"<p>{n}</p>"

        return render

    for n in range(3):
        assert cache("nav", page, caller(n)) == Markup(f"<p>{n}</p>")
    assert calls == [0, 1, 2]
