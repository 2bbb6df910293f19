/*
 * carehub search and filters: a small progressive enhancement over the
 * site's own search index (written by src/carehub/publish/search/, whose
 * format.py docstring describes the files).
 *
 * Used on /search/ (full text + facet filters) and /stories/ (facet filters
 * over every story).  Without JavaScript those pages still work: /stories/
 * is a plain paginated listing with links to every facet listing, and
 * /search/ says search needs JavaScript and links to the browse pages.
 *
 * Nothing is fetched until a reader searches or ticks a filter.  A one-word
 * search then fetches the index's meta.json, one shard of words (with the
 * best pages for each) and the group files holding the ten pages it shows
 * (a few pages each): the same few kilobytes however many stories the hub
 * holds.  Full lists of pages are fetched only
 * for several words, filters, an unfinished word, synonyms or "Show more".
 *
 * Finding what a reader means: a word no page holds is stemmed here
 * (stemmer.js, the Snowball stemmer the index was built with), an unfinished
 * last word matches the words it starts, and failing both, a word of four
 * letters or more is corrected to the closest word of its shard (one edit,
 * two from eight letters), ranked below exact matches and said ("Showing
 * results for …", with a link to the words as typed).  A phrase of a synonym
 * group (the glossary's abbreviations and terms, data/synonyms.yml) is read
 * as the group.  Pages with every term come first; when none has them all,
 * the pages with most of them, saying which words no page has.  After a
 * search the open filter groups count the results each value would leave,
 * and a card links to the section of its page where the words are (the
 * index says which section holds each word best) and shows its first words.
 * From this site only; no libraries, no cookies, no storage.
 */

import { stem } from "./stemmer.js";

const PAGE_SIZE = 10; // each result shown is one small group file at most

/** The words of a text, exactly as search.py's `normalise` splits the pages it indexes. */
function words(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/['\u2019\u02bc]/g, "")
    .match(/[a-z0-9]+/g) || [];
}

/** The shard a word lives in: two letters, or three where meta.json says so (search.py: `shard_key`). */
function shardKey(word, split) {
  return split.has(word.slice(0, 2)) ? word.slice(0, 3) : word.slice(0, 2);
}

/**
 * The words file holding a shard key: the last of meta.json's `shards` (first keys, in order) at or before it,
 * or null before the first (search.py: `shard_file`).  Words are [a-z0-9]+, so both order keys alike.
 */
function shardFile(key, starts) {
  let lo = 0;
  let hi = starts.length; // the first start after key is at lo when lo === hi
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo ? starts[lo - 1] : null;
}

const SECTIONS = 32; // format.SECTIONS: a stored score is score * SECTIONS + section

/** A stored score: [score, section], the section of the page holding the stem best (0: before any heading). */
function unfold(n) {
  return [Math.floor(n / SECTIONS), n % SECTIONS];
}

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"; // format.DIGITS
const DIGIT = new Map([...DIGITS].map((c, i) => [c, i]));

/** A postings list's string as its numbers (format.numbers): base 32, a last digit from the alphabet's upper half. */
function numbers(text) {
  const out = [];
  let n = 0;
  for (const c of text) {
    const digit = DIGIT.get(c);
    if (digit < 32) n = n * 32 + digit;
    else {
      out.push(n * 32 + digit - 32);
      n = 0;
    }
  }
  return out;
}

/** [id, n, id, n, ...] -> [[id, score, section], ...] */
function pairs(flat) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], ...unfold(flat[i + 1])]);
  return out;
}

/** Gaps to ids: [3, 2, 5] -> [3, 5, 10]. */
function ids(gaps) {
  let id = 0;
  return gaps.map((gap) => (id += gap));
}

function bestFirst(a, b) {
  return (b.matched || 0) - (a.matched || 0) || b.score - a.score || a.id - b.id;
}

/**
 * Whether `a` and `b` are within `limit` edits of each other (insertion, deletion, substitution, or swapping two
 * neighbours: optimal string alignment), and how many: the number, or Infinity when more.
 */
export function editDistance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return Infinity;
  let before = null;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
      smallest = Math.min(smallest, d);
    }
    if (smallest > limit) return Infinity;
    before = previous;
    previous = row;
  }
  return previous[b.length] <= limit ? previous[b.length] : Infinity;
}

const SYNONYM_PREFIX = "0syn"; // format.SYNONYM_PREFIX: the index's word for a synonym group
const TYPO_MIN = 4; // shorter words are not corrected: too many words are one edit from "care"
const TYPO_LONG = 8; // words this long may be two edits away
const TYPO_WEIGHT = 0.5; // a corrected word counts half: pages with the exact words rank first
const NO_WORDS = Object.freeze({ words: Object.freeze({}), stems: Object.freeze([]) }); // a key no file holds

class SearchIndex {
  constructor(metaUrl) {
    this.metaUrl = metaUrl;
    this.meta = null;
    this.files = new Map();
    this.stemsOf = new WeakMap(); // a shard -> Map(stem -> entry index)
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
    if (meta.version !== 3) throw new Error(`search index: format ${meta.version} is not known`);
    if (!this.meta || this.meta.build !== meta.build) this.files.clear();
    this.meta = meta;
    this.split = new Set(meta.split);
    // Synonyms: each phrase (words joined by spaces) -> the number of its group.
    this.synonyms = new Map();
    (meta.synonyms || []).forEach((group, number) => {
      for (const phrase of group) this.synonyms.set(phrase, number);
    });
    this.longestPhrase = Math.max(1, ...[...this.synonyms.keys()].map((p) => p.split(" ").length));
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

  shard(word) {
    const start = shardFile(shardKey(word, this.split), this.meta.shards);
    if (start === null) return Promise.resolve(NO_WORDS);
    return this.file(`words/w-${start}.json`, null).then((s) => s || NO_WORDS);
  }

  /** What a result shows of a page: its record, from the group file of `group` pages it shares. */
  async page(id) {
    const group = this.meta.group;
    return (await this.file(`pages/g-${Math.floor(id / group)}.json`))[id % group];
  }

  /** Every page of a stem, as [id, score, section]: the shard's top list if it is complete. */
  async postings(stem) {
    if (!stem.all) return pairs(stem.top);
    let id = 0; // gap, n, ...: each id is the previous one plus its gap
    // Several stems' lists in one file, {stem: "…"}: each a string of numbers.
    const shared = await this.file(`postings/p-${stem.all}.json`);
    return pairs(numbers(shared[stem.s])).map(([gap, score, section]) => [(id += gap), score, section]);
  }

  /** The pages with any of the chosen values of every facet chosen, or null when none is chosen. */
  async filtered(filters, except = null) {
    let allowed = null;
    for (const [facet, values] of Object.entries(filters)) {
      if (!values.length || facet === except) continue;
      const table = await this.file(`filters/f-${facet}.json`, {});
      const union = new Set();
      for (const value of values) for (const id of ids(table[value] || [])) union.add(id);
      allowed = allowed ? new Set([...allowed].filter((id) => union.has(id))) : union;
    }
    return allowed;
  }

  /**
   * The query's terms, left to right: a phrase of the synonym list (the glossary's abbreviations and their
   * expansions, and data/synonyms.yml) is one term, the group's word in the index, which pages hold where they
   * hold any phrase of the group; any other word is a term of its own.  Each term: { text, alternatives:
   * [[word, ...], ...], last, shows? }: `shows`, the words a phrase term highlights.
   */
  terms(query) {
    const terms = [];
    for (let i = 0; i < query.length; ) {
      let found = null;
      for (let n = Math.min(this.longestPhrase, query.length - i); n >= 1 && !found; n--) {
        const phrase = query.slice(i, i + n).join(" ");
        if (this.synonyms.has(phrase)) found = [phrase, n];
      }
      if (found) {
        // The group's word in the index (format.synonym_word): every page with any of its phrases, as phrases.
        const [phrase, n] = found;
        const number = this.synonyms.get(phrase);
        const shows = this.meta.synonyms[number].flatMap((p) => p.split(" ")).filter((w) => w.length > 1);
        terms.push({ text: phrase, alternatives: [[`${SYNONYM_PREFIX}${number}`]], last: false, shows });
        i += n;
      } else {
        terms.push({ text: query[i], alternatives: [[query[i]]], last: i === query.length - 1 });
        i += 1;
      }
    }
    return terms;
  }

  /**
   * What a word matches: { stems: [entry], how: "word" | "form" | "start" | "typo" | "none", as? }.  The word
   * itself if a page holds it; else the pages of its stem (the Snowball stemmer, as the index was built) and, for
   * the last word, the words it starts; else, for a word of four letters or more, the closest words of its shard
   * (one edit, two from eight letters), unless `exact`.
   */
  async resolve(word, last, exact) {
    const shard = await this.shard(word);
    if (word.startsWith(SYNONYM_PREFIX)) {
      const entry = Object.hasOwn(shard.words, word) ? [shard.stems[shard.words[word]]] : [];
      return { stems: entry, how: entry.length ? "word" : "none" };
    }
    const found = new Set();
    // The word, and its plural where the stemmer keeps them apart: "MCP" finds the pages that say "MCPs".
    for (const form of [word, `${word}s`, `${word}es`]) {
      if (Object.hasOwn(shard.words, form)) found.add(shard.stems[shard.words[form]]);
    }
    if (Object.hasOwn(shard.words, word)) return { stems: [...found], how: "word" };
    const reduced = stem(word);
    let byStem = false;
    for (const where of new Set([shard, await this.shard(reduced)])) {
      const index = this.stemIndex(where);
      if (index.has(reduced)) {
        found.add(where.stems[index.get(reduced)]);
        byStem = true;
      }
    }
    if (last && word.length >= 3) {
      for (const [w, i] of Object.entries(shard.words)) if (w.startsWith(word)) found.add(shard.stems[i]);
    }
    if (found.size) return { stems: [...found], how: byStem ? "form" : "start" };
    if (exact || word.length < TYPO_MIN) return { stems: [], how: "none" };
    const limit = word.length >= TYPO_LONG ? 2 : 1;
    let best = null;
    for (const [w, i] of Object.entries(shard.words)) {
      const d = editDistance(word, w, limit);
      if (d === Infinity) continue;
      const entry = shard.stems[i];
      if (!best || d < best.d || (d === best.d && (entry.df > best.entry.df || (entry.df === best.entry.df && w < best.w)))) {
        best = { d, w, entry };
      }
    }
    if (!best) return { stems: [], how: "none" };
    return { stems: [best.entry], how: "typo", as: best.w };
  }

  stemIndex(shard) {
    if (!this.stemsOf.has(shard)) this.stemsOf.set(shard, new Map(shard.stems.map((entry, i) => [entry.s, i])));
    return this.stemsOf.get(shard);
  }

  /** BM25's rarity of a stem (idf), from its number of pages. */
  rarity(entry) {
    return Math.log(1 + (this.meta.pages - entry.df + 0.5) / (entry.df + 0.5));
  }

  /**
   * Search.  Pages holding every term come first; when no page holds them all, the pages holding most of them,
   * and `missing` lists the terms no page holds.  Returns { hits: [{id, score, matched}] best first, total,
   * marks: words to highlight, corrected: [[typed, used]], missing, partial, expand?, all? }: `expand` is set when
   * `hits` holds only the best pages of `total`, and fetches the rest; `all(except)` gives every matching page
   * without the filters (or without one facet's), for the filters' counts.
   */
  async search(term, filters, exact = false) {
    await this.open();
    const query = [...new Set(words(term))];
    const allowed = await this.filtered(filters);
    if (!query.length) {
      const hits = [...(allowed || [])].sort((a, b) => a - b).map((id) => ({ id, score: 0 }));
      return { hits, total: hits.length, marks: new Set(), corrected: [], missing: [], partial: false };
    }
    const terms = this.terms(query);
    const distinct = [...new Set(terms.flatMap((t) => t.alternatives.flat()))];
    const lastWord = terms.at(-1).last ? terms.at(-1).text : null;
    const resolved = new Map(
      await Promise.all(distinct.map(async (w) => [w, await this.resolve(w, w === lastWord, exact)])),
    );
    const marks = new Set();
    const corrected = [];
    for (const [w, r] of resolved) {
      if (r.how === "typo") corrected.push([w, r.as]);
      if (!r.stems.length) continue;
      const wanted = new Set(r.stems.map((entry) => entry.s));
      const shards = new Set([await this.shard(w), ...(await Promise.all(r.stems.map((entry) => this.shard(entry.s))))]);
      for (const shard of shards) {
        for (const [surface, i] of Object.entries(shard.words)) if (wanted.has(shard.stems[i].s)) marks.add(surface);
      }
    }
    for (const t of terms) for (const w of t.shows || []) marks.add(w);
    // A term is found when one of its alternatives has every word found.
    const usable = terms.map((t) => t.alternatives.filter((words) => words.every((w) => resolved.get(w).stems.length)));
    const missing = terms.filter((_, i) => !usable[i].length).map((t) => t.text);
    const found = terms.filter((_, i) => usable[i].length);
    const total = { hits: [], total: 0, marks, corrected, missing, partial: false };
    if (!found.length) return total;
    const single = found.length === 1 && terms.length === 1 && usable[0].length === 1 && usable[0][0].length === 1;
    const only = single ? resolved.get(usable[0][0][0]) : null;
    if (only && only.stems.length === 1 && allowed === null) {
      const entry = only.stems[0];
      const weight = only.how === "typo" ? TYPO_WEIGHT : 1;
      const hit = ([id, score, section]) => ({ id, score: score * weight, section, matched: 1 });
      const hits = pairs(entry.top).map(hit);
      const everything = async () => (await this.postings(entry)).map(hit).sort(bestFirst);
      const expand = entry.all ? everything : null;
      return { ...total, hits, total: entry.df, expand, all: async () => (await everything()).map((h) => h.id) };
    }
    // Several terms, filters, a prefix or synonyms: exact, from every page of every stem.
    const lists = new Map();
    await Promise.all(
      [...resolved.values()].flatMap((r) => r.stems).map(async (entry) => lists.set(entry, await this.postings(entry))),
    );
    const wordScores = new Map(); // word -> Map(id -> score): its best stem's, weighted by rarity
    const sectionOf = new Map(); // word -> Map(id -> section): where that stem is best on the page
    for (const [w, r] of resolved) {
      const best = new Map();
      const where = new Map();
      const weight = r.how === "typo" ? TYPO_WEIGHT : 1;
      for (const entry of r.stems) {
        const rarity = this.rarity(entry) * weight;
        for (const [id, score, section] of lists.get(entry)) {
          if (!(best.get(id) >= score * rarity)) {
            best.set(id, score * rarity);
            where.set(id, section);
          }
        }
      }
      wordScores.set(w, best);
      sectionOf.set(w, where);
    }
    const pages = new Map(); // id -> { score, matched, section, top }: the section of its best-scoring word
    found.forEach((t) => {
      const best = new Map(); // a term's score on a page: its best alternative's, whose words must all be there
      const where = new Map(); // and the section of that alternative's best-scoring word
      for (const alternative of usable[terms.indexOf(t)]) {
        const [first, ...rest] = alternative.map((w) => wordScores.get(w));
        for (const [id, score] of first) {
          let sum = score;
          if (rest.every((m) => m.has(id) && (sum += m.get(id)) >= 0) && !(best.get(id) >= sum)) {
            best.set(id, sum);
            const top = alternative.reduce((a, w) => (wordScores.get(w).get(id) > wordScores.get(a).get(id) ? w : a));
            where.set(id, [wordScores.get(top).get(id), sectionOf.get(top).get(id)]);
          }
        }
      }
      for (const [id, score] of best) {
        const page = pages.get(id) || { score: 0, matched: 0, section: 0, top: -1 };
        page.score += score;
        page.matched += 1;
        const [topScore, section] = where.get(id);
        if (topScore > page.top) [page.top, page.section] = [topScore, section];
        pages.set(id, page);
      }
    });
    const ranked = [...pages].map(([id, p]) => ({ id, score: p.score, matched: p.matched, section: p.section }));
    const complete = ranked.some((hit) => hit.matched === terms.length);
    const kept = (hit) => !complete || hit.matched === terms.length;
    const hits = ranked.filter((hit) => kept(hit) && (!allowed || allowed.has(hit.id))).sort(bestFirst);
    const partial = !complete && terms.length > 1;
    return { ...total, hits, total: hits.length, partial, all: async () => ranked.filter(kept).map((h) => h.id) };
  }
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** A short text escaped, with the words of `marks` in <mark>. */
function marked(text, marks) {
  return text
    .split(/(\s+)/)
    .map((part) => (words(part).some((w) => marks.has(w)) ? `<mark>${escapeHtml(part)}</mark>` : escapeHtml(part)))
    .join("");
}

/** Whether a text holds one of the words of `marks`. */
function holds(text, marks) {
  return words(text).some((w) => marks.has(w));
}

/**
 * What a search result shows of its page: the section (an h2 or h3 with an id) the index says holds its words
 * best, as [id, heading, lead?], or null for the part before the first heading; and the excerpt: that
 * section's first words, or the page's summary (or, without one, its first words) when they hold the searched
 * words and the section's do not, or the section has none.
 */
function shownOf(item, hit, marks) {
  const section = (hit.section && (item.sections || [])[hit.section - 1]) || null;
  const page = item.summary || item.lead || "";
  const lead = section && section[2] ? section[2] : "";
  const text = lead && (holds(lead, marks) || !holds(page, marks)) ? lead : page;
  return { section, text };
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
    this.note = document.createElement("p"); // "Showing results for …", words not found
    this.note.className = "ch-search__note";
    this.note.dataset.chNote = "";
    this.note.setAttribute("aria-live", "polite");
    this.note.hidden = true;
    this.status.after(this.note);
    this.exact = false; // set by ?exact=1: the words as typed, not corrected
    this.everything = null; // every page the last search matched, for the filters' counts
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
    if (filters && this.mode === "search") {
      // Closed until a reader opens one: an open group's counts follow the query, which needs every page the
      // words match (a common word's full list), so a search no one filters fetches no more than its results.
      for (const group of filters.querySelectorAll("details")) group.open = false;
    }
    this.readLocation();
    if (this.form) {
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.exact = false;
        this.run();
      });
    }
    if (this.filterForm) {
      this.filterForm.addEventListener("change", () => this.run());
      for (const group of this.filterForm.querySelectorAll("details")) {
        group.addEventListener("toggle", () => group.open && this.updateCounts(this.generation));
      }
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
    this.exact = params.get("exact") === "1";
    if (!this.filterForm) return;
    for (const box of this.filterForm.querySelectorAll("input[type=checkbox]")) {
      box.checked = params.getAll(box.name).includes(box.value);
      if (box.checked) box.closest("details").open = true;
    }
  }

  writeLocation() {
    const params = new URLSearchParams();
    if (this.term()) params.set("q", this.term());
    if (this.term() && this.exact) params.set("exact", "1");
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
      this.note.hidden = true;
      this.everything = null;
      this.resetCounts();
      this.list.replaceChildren();
      this.more.hidden = true;
      return;
    }
    this.status.textContent = "Searching…";
    let found;
    try {
      // Without words, pages come in index order, which search.py makes newest story first.
      found = await this.index.search(term, filters, this.exact);
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
    this.explain(found, term);
    this.everything = term && found.all ? found.all : null;
    await this.showMore(false);
    this.updateCounts(generation);
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

  /** Say what the search did to the words: corrected them, or found some of them on no page. */
  explain(found, term) {
    this.note.replaceChildren();
    const parts = [];
    if (found.corrected.length) {
      const used = words(term).map((w) => new Map(found.corrected).get(w) || w).join(" ");
      const link = document.createElement("a");
      const params = new URLSearchParams({ q: term, exact: "1" });
      link.href = `?${params}`;
      link.textContent = term;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        this.exact = true;
        this.run();
      });
      const strong = document.createElement("strong");
      strong.textContent = used;
      parts.push(["Showing results for ", strong, ". Search instead for the exact words ", link, "."]);
    }
    if (found.missing.length && found.total) {
      const quoted = found.missing.map((w) => `“${w}”`).join(", ");
      parts.push([`No page has ${found.missing.length === 1 ? "the word" : "the words"} ${quoted}: showing the pages with the other words.`]);
    } else if (found.partial && found.total) {
      parts.push(["No page has all of these words: showing the pages with most of them first."]);
    }
    parts.forEach((part, i) => this.note.append(...(i ? [" "] : []), ...part));
    this.note.hidden = parts.length === 0;
  }

  /** The filters' counts as they were built: every story. */
  resetCounts() {
    for (const count of this.root.querySelectorAll(".ch-checkbox__count")) {
      if (count.dataset.built) count.textContent = count.dataset.built;
    }
  }

  /**
   * After a search, each value of the open filter groups shows how many results ticking it would leave: the
   * pages the words match, with every other facet's ticked values (OR within a facet, AND across facets).
   * Counted for open groups only, when they are opened, so a search fetches no filter lists it does not show.
   */
  async updateCounts(generation) {
    if (!this.filterForm) return;
    if (!this.everything) {
      this.resetCounts();
      return;
    }
    // No group open, nothing to count: a common word's full list of pages (which grows with the hub) is not fetched.
    const open = [...this.filterForm.querySelectorAll("details[open]")];
    if (!open.length) return;
    try {
      const matched = await this.everything();
      if (generation !== this.generation) return;
      const filters = this.selectedFilters();
      for (const group of open) {
        const boxes = [...group.querySelectorAll("input[type=checkbox]")];
        if (!boxes.length) continue;
        const facet = boxes[0].name;
        const others = await this.index.filtered(filters, facet);
        const table = await this.index.file(`filters/f-${facet}.json`, {});
        if (generation !== this.generation) return;
        const pages = matched.filter((id) => !others || others.has(id));
        for (const box of boxes) {
          const values = new Set(ids(table[box.value] || []));
          const count = box.parentElement.querySelector(".ch-checkbox__count");
          count.dataset.built ||= count.textContent;
          count.textContent = `(${pages.filter((id) => values.has(id)).length})`;
        }
      }
    } catch (error) {
      this.resetCounts(); // the counts as built are still true of every story
    }
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
      data = await Promise.all(batch.map(async (hit) => [await this.index.page(hit.id), hit]));
    } catch (error) {
      if (generation === this.generation) this.unavailable();
      return;
    }
    if (generation !== this.generation) return;
    let first = null;
    for (const [item, hit] of data) {
      const card = this.card(item, hit);
      this.list.append(card);
      first ||= card.querySelector("a");
    }
    this.shown += data.length;
    this.more.hidden = this.shown >= this.total;
    if (moveFocus && first) first.focus();
  }

  card(item, hit) {
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
    const { section, text: shown } = this.mode === "search" ? shownOf(item, hit, this.marks) : { section: null, text: "" };
    if (shown) {
      text.innerHTML = marked(shown, this.marks); // the page's text escaped, with only <mark> added around matches
    } else {
      text.textContent = item.summary || "";
    }
    li.append(text);
    if (section) {
      // Like Pagefind's sub-results: straight to the part of the page where the words are.
      const where = document.createElement("p");
      where.className = "ch-result__section";
      const jump = document.createElement("a");
      jump.href = `${link.href}#${encodeURIComponent(section[0])}`;
      jump.textContent = section[1];
      jump.dataset.chSection = "";
      where.append("In the section ", jump);
      li.append(where);
    }
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
