"""Stage 1, read: turn files on disk into text and YAML values with positions.

Holds the story files as files (storyfiles), bytes to text (sourcetext), invisible characters (characters),
the one strict YAML reader (yamlreader) under front matter (frontmatter) and data files (datafile), and the
allow-list of file types (filetypes). Must not judge content (that is ``check``) or know about pages,
MkDocs or the site.
"""
