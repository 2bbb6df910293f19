/*
 * carehub search and filters: a small progressive enhancement over the
 * site's own search index (written by src/carehub/search.py, whose docstring
 * describes the format).
 *
 * Used on /search/ (full text + facet filters) and /stories/ (facet filters
 * over every story).  Without JavaScript those pages still work: /stories/
 * is a plain paginated listing with links to every facet listing, and
 * /search/ says search needs JavaScript and links to the browse pages.
 *
 * Nothing is fetched until a reader searches or ticks a filter.  A one-word
 * search then fetches the index's meta.json, one shard of words (with the
 * best pages for each) and the ten pages it shows: the same few kilobytes
 * however many stories the hub holds.  Full lists of pages are fetched only
 * for several words, filters, an unfinished word or "Show more".  From this
 * site only; no libraries, no cookies, no storage.
 */

const PAGE_SIZE = 10; // each result shown is one small page request

/** The words of a text, exactly as search.py's `normalise` splits the pages it indexes. */
function words(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/['\u2019\u02bc]/g, "")
    .match(/[a-z0-9]+/g) || [];
}

/** The shard a word lives in: two letters, or three where meta.json says so (search.py: `shard_key`). */
function shardKey(word, split) {
  return split.has(word.slice(0, 2)) ? word.slice(0, 3) : word.slice(0, 2);
}

/** [a, b, c, d] -> [[a, b], [c, d]] */
function pairs(flat) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** Gaps to ids: [3, 2, 5] -> [3, 5, 10]. */
function ids(gaps) {
  let id = 0;
  return gaps.map((gap) => (id += gap));
}

function bestFirst(a, b) {
  return b.score - a.score || a.id - b.id;
}

class SearchIndex {
  constructor(metaUrl) {
    this.metaUrl = metaUrl;
    this.meta = null;
    this.files = new Map();
  }

  /**
   * Read meta.json, the one file revalidated (a small "not modified" answer when nothing changed), at every
   * search: it names the build, and every other file is under that name, so after the site is published
   * again the next search uses the new index instead of finding nothing in the old one's deleted folder.
   */
  async open() {
    const response = await fetch(this.metaUrl, { cache: "no-cache" });
    if (!response.ok) throw new Error(`search index: HTTP ${response.status}`);
    const meta = await response.json();
    if (meta.version !== 1) throw new Error(`search index: format ${meta.version} is not known`);
    if (!this.meta || this.meta.build !== meta.build) this.files.clear();
    this.meta = meta;
    this.split = new Set(meta.split);
    return meta;
  }

  /** A file of this build's index; `missing` is returned for a 404 (a shard no word falls in). */
  file(path, missing) {
    if (!this.files.has(path)) {
      const url = new URL(`${this.meta.build}/${path}`, new URL(this.metaUrl, document.baseURI));
      const request = fetch(url).then((response) => {
        if (response.status === 404 && missing !== undefined) return missing;
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return response.json();
      });
      request.catch(() => this.files.delete(path)); // a failed fetch may be tried again
      this.files.set(path, request);
    }
    return this.files.get(path);
  }

  page(id) {
    return this.file(`pages/${id}.json`);
  }

  /** Every page of a stem, as [id, score] pairs: the shard's top list if it is complete. */
  async postings(stem) {
    if (!stem.all) return pairs(stem.top);
    let id = 0; // [gap, score, ...]: each id is the previous one plus its gap
    return pairs(await this.file(`postings/p-${stem.s}.json`)).map(([gap, score]) => [(id += gap), score]);
  }

  /** The pages with any of the chosen values of every facet chosen, or null when none is chosen. */
  async filtered(filters) {
    let allowed = null;
    for (const [facet, values] of Object.entries(filters)) {
      if (!values.length) continue;
      const table = await this.file(`filters/f-${facet}.json`, {});
      const union = new Set();
      for (const value of values) for (const id of ids(table[value] || [])) union.add(id);
      allowed = allowed ? new Set([...allowed].filter((id) => union.has(id))) : union;
    }
    return allowed;
  }

  /**
   * Search: every word must match (an unfinished last word matches the words it starts).
   * Returns { hits: [{id, score}] best first, total, marks: words to highlight, expand? }:
   * `expand` is set when `hits` holds only the best pages of `total`, and fetches the rest.
   */
  async search(term, filters) {
    await this.open();
    const query = [...new Set(words(term))];
    const allowed = await this.filtered(filters);
    if (!query.length) {
      const hits = [...(allowed || [])].sort((a, b) => a - b).map((id) => ({ id, score: 0 }));
      return { hits, total: hits.length, marks: new Set() };
    }
    const shards = await Promise.all(query.map((word) => this.file(`words/w-${shardKey(word, this.split)}.json`, null)));
    const marks = new Set();
    const matches = query.map((word, i) => {
      const shard = shards[i] || { words: {}, stems: [] };
      let found = [];
      if (Object.hasOwn(shard.words, word)) {
        found = [shard.words[word]];
      } else if (i === query.length - 1 && word.length >= 3) {
        found = [...new Set(Object.keys(shard.words).filter((w) => w.startsWith(word)).map((w) => shard.words[w]))];
      }
      for (const [w, stem] of Object.entries(shard.words)) if (found.includes(stem)) marks.add(w);
      return found.map((stem) => shard.stems[stem]);
    });
    if (matches.some((stems) => stems.length === 0)) return { hits: [], total: 0, marks };
    if (matches.length === 1 && matches[0].length === 1 && allowed === null) {
      const stem = matches[0][0];
      const hits = pairs(stem.top).map(([id, score]) => ({ id, score }));
      const expand = stem.all ? async () => (await this.postings(stem)).map(([id, score]) => ({ id, score })).sort(bestFirst) : null;
      return { hits, total: stem.df, marks, expand };
    }
    // Several words, filters or a prefix: exact, from every page of every stem.
    const postings = await Promise.all(matches.map((stems) => Promise.all(stems.map((stem) => this.postings(stem)))));
    let scores = null;
    matches.forEach((stems, word) => {
      const best = new Map(); // a word's score on a page: its best-matching stem's
      const lists = postings[word];
      stems.forEach((stem, i) => {
        // BM25: a page's score for a stem (its term-frequency part, search.py) times the stem's rarity.
        const rarity = Math.log(1 + (this.meta.pages - stem.df + 0.5) / (stem.df + 0.5));
        for (const [id, score] of lists[i]) {
          if (allowed && !allowed.has(id)) continue;
          const weighted = score * rarity;
          if (!(best.get(id) >= weighted)) best.set(id, weighted);
        }
      });
      if (scores === null) {
        scores = best;
      } else {
        const both = new Map();
        for (const [id, score] of best) if (scores.has(id)) both.set(id, scores.get(id) + score);
        scores = both;
      }
    });
    const hits = [...scores].map(([id, score]) => ({ id, score })).sort(bestFirst);
    return { hits, total: hits.length, marks };
  }
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** About 24 words of a page's text around the first searched word, escaped, with the matches in <mark>. */
function excerpt(text, marks, length = 24) {
  const parts = text.split(/\s+/);
  const hit = (part) => words(part).some((w) => marks.has(w));
  const first = parts.findIndex(hit);
  if (first < 0) return "";
  const start = Math.max(0, first - 6);
  const shown = parts.slice(start, start + length).map((part) => (hit(part) ? `<mark>${escapeHtml(part)}</mark>` : escapeHtml(part)));
  return (start > 0 ? "… " : "") + shown.join(" ") + (start + length < parts.length ? " …" : "");
}

function formatDate(iso) {
  const months = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const [year, month, day] = iso.split("-").map(Number);
  return `${day} ${months[month - 1]} ${year}`;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

class HubSearch {
  constructor(root) {
    this.root = root;
    this.mode = root.dataset.chMode; // "search" or "filter"
    this.index = new SearchIndex(new URL(root.dataset.chIndex, document.baseURI).href);
    this.siteRoot = new URL(root.dataset.chBase + "/", document.baseURI);
    this.form = root.querySelector("[data-ch-search-form]");
    this.input = root.querySelector("#ch-search-input");
    this.filterForm = root.querySelector("[data-ch-filter-form]");
    this.results = root.querySelector("[data-ch-results]");
    this.status = root.querySelector("[data-ch-status]");
    this.list = root.querySelector("[data-ch-list]");
    this.more = root.querySelector("[data-ch-more]");
    this.listing = document.querySelector("[data-ch-listing]");
    this.found = [];
    this.total = 0;
    this.expand = null; // fetches the rest of a one-word search's pages, best first
    this.marks = new Set();
    this.shown = 0;
    this.generation = 0;
  }

  start() {
    const filters = this.root.querySelector("[data-ch-filters]");
    if (filters) filters.hidden = false;
    this.readLocation();
    if (this.form) {
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.run();
      });
    }
    if (this.filterForm) {
      this.filterForm.addEventListener("change", () => this.run());
      const clear = this.filterForm.querySelector("[data-ch-clear]");
      clear.addEventListener("click", () => {
        for (const box of this.filterForm.querySelectorAll("input[type=checkbox]")) box.checked = false;
        this.run();
      });
    }
    this.more.addEventListener("click", () => this.showMore(true));
    if (this.hasQuery()) this.run();
  }

  selectedFilters() {
    const selected = {};
    if (!this.filterForm) return selected;
    for (const box of this.filterForm.querySelectorAll("input[type=checkbox]:checked")) {
      (selected[box.name] ||= []).push(box.value);
    }
    return selected;
  }

  term() {
    return this.input ? this.input.value.trim() : "";
  }

  hasQuery() {
    return this.term() !== "" || Object.keys(this.selectedFilters()).length > 0;
  }

  readLocation() {
    const params = new URLSearchParams(window.location.search);
    if (this.input && params.has("q")) this.input.value = params.get("q");
    if (!this.filterForm) return;
    for (const box of this.filterForm.querySelectorAll("input[type=checkbox]")) {
      box.checked = params.getAll(box.name).includes(box.value);
      if (box.checked) box.closest("details").open = true;
    }
  }

  writeLocation() {
    const params = new URLSearchParams();
    if (this.term()) params.set("q", this.term());
    for (const [name, values] of Object.entries(this.selectedFilters())) {
      for (const value of values) params.append(name, value);
    }
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  }

  async run() {
    const generation = ++this.generation;
    this.writeLocation();
    const filters = this.selectedFilters();
    const term = this.term();
    if (!term && Object.keys(filters).length === 0) {
      this.showListing(true);
      this.status.textContent = "";
      this.list.replaceChildren();
      this.more.hidden = true;
      return;
    }
    this.status.textContent = "Searching…";
    let found;
    try {
      // Without words, pages come in index order, which search.py makes newest story first.
      found = await this.index.search(term, filters);
    } catch (error) {
      if (generation === this.generation) this.unavailable();
      return;
    }
    if (generation !== this.generation) return; // a newer query has started
    this.found = found.hits;
    this.total = found.total;
    this.expand = found.expand || null;
    this.marks = found.marks;
    this.shown = 0;
    this.list.replaceChildren();
    this.showListing(false);
    this.status.textContent = this.describe(this.total, term, filters);
    await this.showMore(false);
  }

  describe(count, term, filters) {
    const noun = this.mode === "search" ? plural(count, "result", "results") : plural(count, "story", "stories");
    const parts = [];
    if (term) parts.push(`for “${term}”`);
    const chosen = [];
    for (const box of this.filterForm ? this.filterForm.querySelectorAll("input:checked") : []) {
      chosen.push(box.dataset.label);
    }
    if (chosen.length) parts.push(`matching ${chosen.join(", ")}`);
    return `${noun} ${parts.join(" ")}`.trim() + (count === 0 ? ". Try fewer filters or other words." : "");
  }

  showListing(visible) {
    if (this.listing && this.mode === "filter") this.listing.hidden = !visible;
    this.results.hidden = visible && this.mode === "filter";
  }

  unavailable() {
    this.status.textContent = "Search is not available right now. Please browse instead.";
    this.list.replaceChildren();
    this.more.hidden = true;
  }

  async showMore(moveFocus) {
    const generation = this.generation;
    let data;
    try {
      if (this.expand && this.shown + PAGE_SIZE > this.found.length) {
        this.found = await this.expand();
        this.expand = null;
      }
      const batch = this.found.slice(this.shown, this.shown + PAGE_SIZE);
      data = await Promise.all(batch.map((hit) => this.index.page(hit.id)));
    } catch (error) {
      if (generation === this.generation) this.unavailable();
      return;
    }
    if (generation !== this.generation) return;
    let first = null;
    for (const item of data) {
      const card = this.card(item);
      this.list.append(card);
      first ||= card.querySelector("a");
    }
    this.shown += data.length;
    this.more.hidden = this.shown >= this.total;
    if (moveFocus && first) first.focus();
  }

  card(item) {
    const li = document.createElement("li");
    li.className = "ch-card";
    li.dataset.searchResult = "";
    const heading = document.createElement("h2");
    heading.className = "ch-card__title";
    const link = document.createElement("a");
    link.href = new URL(item.url, this.siteRoot).href;
    link.textContent = item.title;
    heading.append(link);
    li.append(heading);
    const text = document.createElement("p");
    text.className = this.mode === "search" ? "ch-result__excerpt" : "ch-card__summary";
    // The indexed text begins with the page's <h1>, which the card shows already: excerpts start after it.
    const body = item.text.startsWith(item.title) ? item.text.slice(item.title.length) : item.text;
    const shown = this.mode === "search" ? excerpt(body.trim(), this.marks) : "";
    if (shown) {
      text.innerHTML = shown; // the page text escaped, with only <mark> added around matches
    } else {
      text.textContent = item.summary || "";
    }
    li.append(text);
    if (item.type || item.date) {
      const meta = document.createElement("p");
      meta.className = "ch-card__meta";
      if (item.type) {
        const type = document.createElement("span");
        type.className = "ch-tag";
        type.textContent = item.type;
        meta.append(type);
      }
      if (item.date) {
        const time = document.createElement("time");
        time.dateTime = item.date;
        time.textContent = formatDate(item.date);
        meta.append(time);
      }
      li.append(meta);
    }
    return li;
  }
}

for (const root of document.querySelectorAll("[data-ch-search]")) {
  new HubSearch(root).start();
}
