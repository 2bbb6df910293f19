"""publish/whitespace.py: the templates' indentation goes; whitespace that is content stays."""

from __future__ import annotations

from carehub.publish import whitespace
from carehub.publish.search.extract import text_of

PAGE = (
    '<!doctype html>\n<html>\n<body>\n  <main>\n    <ul class="ch-inline-list">\n'
    '      <li><a href="../a/">Falls</a></li>\n\n\n      <li>Red\n        bag</li>\n    </ul>\n'
    "    <pre><code>def f():\n    return 1\n\n</code></pre>\n"
    "    <p>Use <code>adopted_from  </code> and\n       <em>say</em> so.</p>  \n"
    '    <textarea name="story">\n  Indented draft\n</textarea>\n'
    "    <script>\n  const a = 1;\n</script><style>\n  p { color: red }\n</style>\n  </main>\n</body>\n</html>\n"
)


def test_indentation_and_blank_lines_go_outside_elements_whose_whitespace_is_content() -> None:
    squeezed = whitespace.squeeze(PAGE)
    assert '\n<ul class="ch-inline-list">\n<li>' in squeezed and "Red\nbag" in squeezed
    assert "</li>\n<li>" in squeezed  # blank lines become one newline
    for kept in (
        "<pre><code>def f():\n    return 1\n\n</code></pre>",
        "<code>adopted_from  </code>",
        '<textarea name="story">\n  Indented draft\n</textarea>',
        "<script>\n  const a = 1;\n</script>",
        "<style>\n  p { color: red }\n</style>",
    ):
        assert kept in squeezed
    assert "so.</p>\n<textarea" in squeezed  # trailing blanks go too
    assert len(squeezed) < len(PAGE)
    # A reader sees the same words, and squeezing twice changes nothing more.
    assert text_of(squeezed) == text_of(PAGE)
    assert whitespace.squeeze(squeezed) == squeezed
