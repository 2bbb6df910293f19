"""Running axe-core in a page: the WCAG 2.2 AA rule set and how violations are reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Every WCAG 2.0, 2.1 and 2.2 A and AA rule axe-core has.  (wcag22a does not
# exist as a tag in axe-core 4.x: its one 2.2 A rule is tagged wcag2a.)
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Rules switched off, each with the reason.  Keep this empty if you can.
DISABLED_RULES: dict[str, str] = {}


def run_axe(page: Any, axe_source: str, rules: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The page's violations (axe's own result objects): of the WCAG 2.2 AA rule set, or only of ``rules``.

    axe-core is injected here and nowhere else, once per page.
    """
    if switched_off := sorted(set(rules) & set(DISABLED_RULES)):
        raise ValueError(f"axe rules {switched_off} are switched off in DISABLED_RULES: {DISABLED_RULES}")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern
        # (an inline <script> from add_script_tag would be blocked by it, as any injected script should be).
        page.evaluate(f"{axe_source}\n;undefined")
    options = {
        "runOnly": {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": list(WCAG_TAGS)},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in DISABLED_RULES},
    }
    result: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """One line per failing element: rule id first, then selector and axe's explanation."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"{violation['id']} {target} ({violation['impact']}): {summary[:300]}")
    return lines
