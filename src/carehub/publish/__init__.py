"""Stage 5, publish: write what the site carries besides its pages, and swap it in whole.

Holds feeds, open data, the sitemap, the search index, the Content-Security-
Policy and the atomic swap of the built folder. Must not import MkDocs or
decide which stories are published (the catalogue and plan do).
"""
