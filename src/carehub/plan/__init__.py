"""Stage 3, plan: decide from a checked catalogue which pages exist and what each shows.

Holds listings, facets, related stories, the directory, story views, charts
and regions, as plain data. Must not read files, render HTML templates or
import MkDocs.
"""
