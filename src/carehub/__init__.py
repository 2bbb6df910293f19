"""carehub: the software behind an open hub of stories about the NHS new care models.

The pipeline (read -> parse -> validate -> screen -> catalogue -> render ->
publish) is split into small modules named for what they hold; see
CONTRIBUTING.md for the map.
"""

__version__ = "0.1.0"
