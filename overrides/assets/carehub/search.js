/*
 * carehub search and filters: a small progressive enhancement over Pagefind.
 *
 * Used on /search/ (full text + facet filters) and /stories/ (facet filters
 * over every story).  Without JavaScript those pages still work: /stories/
 * is a plain paginated listing with links to every facet listing, and
 * /search/ says search needs JavaScript and links to the browse pages.
 *
 * Nothing is fetched until a reader searches or ticks a filter: Pagefind's
 * script, WebAssembly and index chunks load on that first use, from this
 * site only.  No libraries, no cookies, no storage.
 */

const PAGE_SIZE = 10; // each result is one fragment request: keep the first query small

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
    this.bundle = new URL(root.dataset.chPagefind, document.baseURI).href;
    this.base = new URL(root.dataset.chBase + "/", document.baseURI).pathname;
    this.form = root.querySelector("[data-ch-search-form]");
    this.input = root.querySelector("#ch-search-input");
    this.filterForm = root.querySelector("[data-ch-filter-form]");
    this.results = root.querySelector("[data-ch-results]");
    this.status = root.querySelector("[data-ch-status]");
    this.list = root.querySelector("[data-ch-list]");
    this.more = root.querySelector("[data-ch-more]");
    this.listing = document.querySelector("[data-ch-listing]");
    this.pagefind = null;
    this.found = [];
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

  async load() {
    if (!this.pagefind) {
      this.pagefind = await import(this.bundle);
      await this.pagefind.options({ baseUrl: this.base, excerptLength: 24 });
    }
    return this.pagefind;
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
    let pagefind;
    try {
      pagefind = await this.load();
    } catch (error) {
      this.status.textContent = "Search is not available right now. Please browse instead.";
      return;
    }
    const anyOf = {};
    for (const [name, values] of Object.entries(filters)) anyOf[name] = { any: values };
    // Without words, Pagefind lists pages in index order, which search.py makes
    // newest story first: no sort index for every reader to download.
    const search = await pagefind.search(term || null, { filters: anyOf });
    if (generation !== this.generation || !search) return; // a newer query has started
    this.found = search.results;
    this.shown = 0;
    this.list.replaceChildren();
    this.showListing(false);
    this.status.textContent = this.describe(this.found.length, term, filters);
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

  async showMore(moveFocus) {
    const generation = this.generation;
    const batch = this.found.slice(this.shown, this.shown + PAGE_SIZE);
    const data = await Promise.all(batch.map((result) => result.data()));
    if (generation !== this.generation) return;
    let first = null;
    for (const item of data) {
      const card = this.card(item);
      this.list.append(card);
      first ||= card.querySelector("a");
    }
    this.shown += batch.length;
    this.more.hidden = this.shown >= this.found.length;
    if (moveFocus && first) first.focus();
  }

  card(item) {
    const li = document.createElement("li");
    li.className = "ch-card";
    li.dataset.searchResult = "";
    const heading = document.createElement("h2");
    heading.className = "ch-card__title";
    const link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.meta.title || item.url;
    heading.append(link);
    li.append(heading);
    const text = document.createElement("p");
    text.className = this.mode === "search" ? "ch-result__excerpt" : "ch-card__summary";
    if (this.mode === "search" && item.excerpt) {
      // Pagefind escapes the page text and adds only <mark> around matches.
      text.innerHTML = item.excerpt;
    } else {
      text.textContent = item.meta.summary || "";
    }
    li.append(text);
    if (item.meta.type || item.meta.date) {
      const meta = document.createElement("p");
      meta.className = "ch-card__meta";
      if (item.meta.type) {
        const type = document.createElement("span");
        type.className = "ch-tag";
        type.textContent = item.meta.type;
        meta.append(type);
      }
      if (item.meta.date) {
        const time = document.createElement("time");
        time.dateTime = item.meta.date;
        time.textContent = formatDate(item.meta.date);
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
