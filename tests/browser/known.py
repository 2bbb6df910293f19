"""Defects the gates have found that are not yet fixed, each with who owns the fix.

A gate turns what it finds into one line per finding, then calls settle():
- a finding no entry here explains fails the test, listing every finding;
- if every finding is explained here, the test is marked xfail (shown in the
  summary with the reason) rather than passing, so it stays visible;
- no finding at all passes.

An entry that matched nothing in a whole session is reported at the end so it
can be deleted: this list must only shrink.  Nothing here may be an accepted
exception: those belong in the gate itself with a written reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Known:
    gate: str  # "axe", "html", "privacy", "keyboard", "nojs", "links", "layout"
    pattern: str  # a regular expression searched for in the finding's line
    why: str  # what is wrong, and who fixes it where

    def matches(self, gate: str, finding: str) -> bool:
        return gate == self.gate and re.search(self.pattern, finding) is not None


KNOWN: tuple[Known, ...] = ()

_USED: set[Known] = set()
_GATES_RUN: set[str] = set()


def settle(gate: str, findings: list[str], what: str) -> None:
    """Fail on any unexplained finding; xfail if all are known defects; pass if there are none."""
    unexplained = [f for f in findings if not any(k.matches(gate, f) for k in KNOWN)]
    explained = {k for f in findings for k in KNOWN if k.matches(gate, f)}
    _USED.update(explained)
    _GATES_RUN.add(gate)
    if unexplained:
        pytest.fail(
            f"{what}: {len(unexplained)} finding(s):\n  "
            + "\n  ".join(unexplained)
            + (f"\n(and {len(findings) - len(unexplained)} known, see known.py)" if explained else ""),
            pytrace=False,
        )
    if explained:
        pytest.xfail(f"{what}: only known defects: " + "; ".join(sorted(k.why for k in explained)))


def unused() -> list[Known]:
    """Entries for gates that ran this session but matched nothing: they can be deleted."""
    return [k for k in KNOWN if k.gate in _GATES_RUN and k not in _USED]
