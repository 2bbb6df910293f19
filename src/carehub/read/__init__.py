"""Stage 1, read: turn files on disk into text and front matter with positions.

Holds the readers of story files, front matter and source text, and the
allow-list of file types. Must not judge content (that is ``check``) or know
about pages, MkDocs or the site.
"""
