"""Where Chromium is and the flags it is launched with, for the browser gates and the benchmark.

Chromium is Debian's package (Playwright's own browser download is blocked on
the machines the hub is built and tested on), so every launch names the
executable.  The tests (tests/browser/) and scripts/bench both launch it, and
scripts cannot import tests, so the one copy lives here.

This module holds constants only: it must not import Playwright or start
anything (the site build never needs a browser).
"""

from __future__ import annotations

import os
from pathlib import Path

# CAREHUB_CHROMIUM names another binary (say, a newer Chromium on a developer's machine).
EXECUTABLE = Path(os.environ.get("CAREHUB_CHROMIUM", "/usr/bin/chromium"))

# The network here is closed except for package registries: a connection Chromium
# makes on its own is refused or hangs, which slows pages, adds requests that are
# not the site's (the privacy gate and the byte counts would see them) and makes
# runs differ.  Hence every flag that stops Chromium talking to anyone by itself.
ARGS: tuple[str, ...] = (
    "--headless",  # no display on CI or the build machines
    "--no-sandbox",  # the sandbox needs kernel features containers do not grant
    "--disable-gpu",  # no GPU: software rendering, without probing for one
    "--disable-quic",  # HTTP/3 probes (UDP) that the closed network drops
    "--no-first-run",  # no first-run dialogs, no default-browser check
    "--disable-background-networking",  # no variations, safe-browsing or suggestion fetches
    "--disable-component-update",  # no downloads of components (Widevine, CRLSets …)
    "--disable-sync",  # no connection to Google's sync service
)
