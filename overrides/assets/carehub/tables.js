/*
 * carehub: make wide tables usable from the keyboard.
 *
 * Each Markdown table of an article is wrapped, as Material's script did, in a
 * .md-typeset__scrollwrap that scrolls sideways when the table is wider than
 * the screen (lean.css).  A region that scrolls must be reachable with the
 * keyboard (WCAG 2.1.1; axe: scrollable-region-focusable), so while a wrapper
 * actually scrolls it is given tabindex=0, and always the region role and a
 * name (the table's caption, or the heading above it) so a screen reader says
 * what has the focus.  When it fits again, it leaves the Tab order.  Every
 * page is on the lean base (no Material script).  No storage, no requests.
 */
(function () {
  "use strict";

  function nameOf(wrap) {
    const caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (let el = wrap.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return `Table: ${el.textContent.replace(/¶$/, "").trim()}`;
    }
    return "Table";
  }

  function update(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) wrap.setAttribute("tabindex", "0");
    else wrap.removeAttribute("tabindex");
  }

  const watcher = typeof ResizeObserver === "function"
    ? new ResizeObserver(entries => entries.forEach(entry => update(entry.target)))
    : null;

  function wrapTable(table) {
    const outer = document.createElement("div");
    outer.className = "md-typeset__scrollwrap";
    const inner = document.createElement("div");
    inner.className = "md-typeset__table";
    table.replaceWith(outer);
    outer.appendChild(inner);
    inner.appendChild(table);
  }

  function mark() {
    for (const table of document.querySelectorAll("article.md-typeset table:not([class])")) {
      if (!table.closest(".md-typeset__scrollwrap")) wrapTable(table);
    }
    for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap:not([data-ch-table])")) {
      wrap.dataset.chTable = "";
      if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
        wrap.setAttribute("aria-label", nameOf(wrap));
      }
      update(wrap);
      if (watcher) watcher.observe(wrap);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();
