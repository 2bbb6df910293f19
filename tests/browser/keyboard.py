"""Walking a page with the Tab key, and judging what a keyboard user sees at each stop.

`tab_through` marks every element a keyboard user should be able to reach
(visible, enabled, not tabindex=-1, one per radio group), records how each
looks unfocused, then presses Tab until focus comes round again, recording
for each stop: which element, where it is on the page, whether its focus
indicator differs visibly from its unfocused look (outline or box-shadow on
the element, its ::before/::after, its label or its parent), and whether
anything covers it (WCAG 2.2 "focus not obscured").
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

_MARK = r"""() => {
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], '
    + '[contenteditable=""], [contenteditable="true"]';
  // What a reader sees for a control: its labels, and a label right after it (Material's palette
  // switch shows the *next* option's label beside the focused radio button).
  const companions = el => [...(el.labels ? el.labels : []),
    ...(el.nextElementSibling && el.nextElementSibling.tagName === 'LABEL' ? [el.nextElementSibling] : [])];
  const seen = e => { const b = e.getBoundingClientRect();
    return e.checkVisibility({visibilityProperty: true, opacityProperty: true}) && b.width * b.height > 1
      && b.bottom > 0 && b.right > 0 && b.top < innerHeight && b.left < innerWidth; };
  const look = el => {
    const parts = [el, el.parentElement, ...companions(el)].filter(Boolean);
    const styles = [];
    for (const part of parts) for (const pseudo of [null, '::before', '::after']) {
      const s = getComputedStyle(part, pseudo);
      styles.push([s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join('|'));
    }
    return styles;
  };
  const radios = new Set();
  let n = 0;
  const marked = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.tabIndex < 0 || el.disabled || el.closest('[inert]')) continue;
    el.dataset.gateLook = JSON.stringify(look(el));  // every focusable element: how it looks unfocused
    if (!seen(el)) el.dataset.gateUnseen = '';
    // Expected stops: opacity counts, since a control faded out is not one a reader can aim for (skip
    // links, which appear only when focused, are checked separately as the first stop).
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0 && !(el.labels && el.labels.length)) continue;
    if (el.type === 'radio') { if (radios.has(el.name)) continue; radios.add(el.name); }
    el.dataset.gateStop = String(n++);
    marked.push(el.dataset.gateStop);
  }
  window.__gateLook = look;
  window.__gateSeen = seen;
  window.__gateCompanions = companions;
  const positive = [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0);
  return {count: n, positiveTabindex: positive.map(e => e.outerHTML.slice(0, 120))};
}"""

_STOP = r"""async () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // Let focus transitions finish (a skip link fading in), so the look judged is the one a reader sees.
  const moving = [el, ...window.__gateCompanions(el)].flatMap(e => e.getAnimations());
  await Promise.race([Promise.allSettled(moving.map(a => a.finished)), new Promise(r => setTimeout(r, 1000))]);
  const seen = window.__gateSeen;
  const r = el.getBoundingClientRect();
  const focused = window.__gateLook(el);
  const before = el.dataset.gateLook ? JSON.parse(el.dataset.gateLook) : null;
  // Something that appears only when focused (a skip link) shows its focus by appearing.
  const appears = 'gateUnseen' in el.dataset && seen(el);
  const visible = appears || before !== null && focused.some((s, i) => {
    if (s === before[i]) return false;
    const [style, width, , shadow] = s.split('|');
    return (style !== 'none' && parseFloat(width) > 0) || shadow !== 'none';
  });
  // A visually hidden input (custom checkbox, palette switch) is seen through its label.
  const shown = seen(el) || window.__gateCompanions(el).some(seen);
  let covered = null;
  const face = seen(el) ? el : (window.__gateCompanions(el).find(seen) || el);  // what the reader looks at
  const fr = face.getBoundingClientRect();
  const x = Math.min(Math.max(fr.left + fr.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(fr.top + fr.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const related = hit && (hit === el || el.contains(hit) || hit.contains(el) || face.contains(hit)
    || (el.labels && [...el.labels].some(l => l.contains(hit))));
  if (shown && !related) covered = hit ? hit.outerHTML.slice(0, 100) : 'outside the viewport';
  const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || label || el.title || '')
    .trim().replace(/\s+/g, ' ').slice(0, 60);
  return {
    stop: el.dataset.gateStop ?? null,
    tag: el.tagName.toLowerCase(),
    name,
    html: el.outerHTML.slice(0, 140),
    x: r.left + scrollX, y: r.top + scrollY, right: r.right + scrollX,
    inContent: !!el.closest('.md-content, main article, [role=main] article'),
    visibleFocus: visible,
    shown,
    covered,
  };
}"""


@dataclass(frozen=True)
class Stop:
    stop: str | None
    tag: str
    name: str
    html: str
    x: float
    y: float
    right: float
    in_content: bool
    visible_focus: bool
    shown: bool
    covered: str | None

    def label(self) -> str:
        return f"<{self.tag}> {self.name!r}" if self.name else self.html


@dataclass(frozen=True)
class Walk:
    stops: list[Stop]
    expected: int
    positive_tabindex: list[str]

    def unreached(self, page: Any) -> list[str]:
        reached = {s.stop for s in self.stops}
        snippets: list[str] = page.evaluate(
            "reached => [...document.querySelectorAll('[data-gate-stop]')]"
            ".filter(e => !reached.includes(e.dataset.gateStop)).map(e => e.outerHTML.slice(0, 140))",
            [s for s in reached if s is not None],
        )
        return snippets


def tab_through(page: Any, *, limit: int = 400) -> Walk:
    """Press Tab from the top of the page until focus comes round again (or leaves the page)."""
    # Start from the top: focusing (then removing) a throwaway element at the start of <body> moves
    # Chromium's sequential-focus starting point there, which blur() alone does not.
    page.evaluate(
        """() => { const start = document.createElement('span'); start.tabIndex = -1;
        document.body.prepend(start); start.focus(); start.blur(); start.remove(); window.scrollTo(0, 0); }"""
    )
    marked = page.evaluate(_MARK)
    stops: list[Stop] = []
    seen: set[str] = set()
    for _ in range(min(limit, marked["count"] + 30)):
        page.keyboard.press("Tab")
        raw = page.evaluate(_STOP)
        if raw is None:
            if stops:
                break
            continue
        stop = Stop(
            raw["stop"], raw["tag"], raw["name"], raw["html"], raw["x"], raw["y"], raw["right"],
            raw["inContent"], raw["visibleFocus"], raw["shown"], raw["covered"],
        )  # fmt: skip
        key = stop.stop if stop.stop is not None else stop.html
        if key in seen:
            break
        seen.add(key)
        stops.append(stop)
    return Walk(stops, marked["count"], marked["positiveTabindex"])


def out_of_reading_order(stops: list[Stop], tolerance: float = 8.0) -> list[str]:
    """Consecutive stops where the second starts higher up the page than the first.

    Only up and down: side by side is allowed either way, because an action
    floated to the right of a heading (such as "Edit this page") is read first.
    """
    return [
        f"{after.label()} comes after {before.label()} but is higher up the page"
        for before, after in itertools.pairwise(stops)
        if after.y < before.y - tolerance
    ]
