"""Tools for contributors, beside the pipeline: the schema, field table, share form and ``carehub new``.

Everything here derives from the model's field specification, the one source
of truth for the schema. Must not import MkDocs or write into the site.
"""
