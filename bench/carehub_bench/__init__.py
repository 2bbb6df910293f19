"""Benchmark and test tooling that is not part of the carehub package.

The corpus generator and Chromium's flags (used by the tests too), and the benchmark behind scripts/bench:
cli (options) -> runs (one size) -> projects, checks, builds, sizes, pages (with server), rebuild -> report;
timing measures every command.  Outside the wheel on purpose: readers of the hub never need it.  Tests reach
it through pytest's ``pythonpath`` setting (pyproject.toml), scripts/bench and scripts/corpus through
``sys.path``.
"""
