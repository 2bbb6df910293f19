"""Stage 2, check: the content contract, every rule a story or data file must meet.

Holds the model, the vocabularies and directory, the privacy, safety and
placeholder screens, and the catalogue that the later stages trust. Every
finding is a ``Problem`` with a code, a message and a hint. Must not render
pages, write into the site or import MkDocs.
"""
