"""Minify: our own scripts and stylesheets as they are published, without comments and spare whitespace.

Why: the sources under ``assets/carehub/`` (and the share form's) are
written to be read, with a comment on every step; readers' browsers need none
of it.  Minified, search.js is 19.7 KB instead of 33.2 and carehub.css 13.5
instead of 20.2, and Lighthouse's ``unminified-javascript`` and
``unminified-css`` audits pass.

How: rjsmin and rcssmin (one maintainer, a C speed-up each, in use for more
than a decade), which only take out comments and whitespace: names are not
shortened and nothing is rewritten, so what runs is the code that was
reviewed, and a stack trace still reads.  ``/*! … */`` comments (licences)
are kept.  Called before the assets are named (assetnames.py), so a file's
hash is the hash of the bytes published.

Must not change anything but ``.js`` and ``.css`` files, or read or write
files: it maps bytes to bytes.
"""

from __future__ import annotations

import rcssmin
import rjsmin


def minified(path: str, data: bytes) -> bytes:
    """``data`` minified when ``path`` is a script or stylesheet; anything else (images, fonts) as it is.

    Our sources are UTF-8 (tests/test_assets.py); a file that is not is published as it is.
    """
    if not path.endswith((".js", ".css")):
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    small: str
    if path.endswith(".js"):
        small = rjsmin.jsmin(text, keep_bang_comments=True)
    else:
        small = rcssmin.cssmin(text, keep_bang_comments=True)
    return small.encode("utf-8")
