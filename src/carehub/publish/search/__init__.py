"""Full-text search with facet filters: an index of our own, written beside the site under ``search-index/``.

Why not Material's lunr search: it ships one index of the whole site that every
reader's browser downloads on its first page load, searching or not.  Why not
Pagefind (used before this index; figures in bench/README.md): it holds the
whole index in one process, indexes on one core, and its first query grows with
the hub.  This index keeps a query's download the same size at any number of
stories, and the build's memory small.

The pipeline, one module a step:

- ``extract``: a built page's HTML -> a ``Record`` (what the templates mark for search);
- ``words``: text -> words and stems, exactly as search.js splits a query;
- ``index``: records -> the index; ``PageReader`` reads pages where they are rendered
  (in the page workers too) and ``Index`` gathers what the readers hand it,
  numbers the pages and has the files written;
- ``format``: the files themselves (version 3), their names, scores and bytes.

Which process reads a page and which gathers is the caller's choice
(render/plugin.py): nothing here looks at processes.  Must not change any page:
it only adds /search-index/, on the staging folder before `carehub build` swaps
it in, so a failure leaves the published site untouched like any other.
"""
