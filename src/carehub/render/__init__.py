"""Stage 4, render: the adapter to the site engine (MkDocs and Material).

The only package that imports MkDocs. Holds the plugin, the page workers and
cache, and the generated parts of docs pages. Must not
hold content rules (``check``) or page decisions (``plan``).
"""
