"""How many processes to use: the number asked for, else one per core this process may run on.

`carehub check`, `carehub build` (cli.py) and the plugin when MkDocs runs it
directly all count cores here, the same way: by CPU affinity, so a container
or CI runner limited to fewer cores than the machine has gets that many.

Must stay light: `carehub check` imports it on its fast path.
"""

from __future__ import annotations

import os


def resolve(requested: int) -> int:
    """``requested`` when it is 1 or more; 0 (or less) means one process per available core."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
