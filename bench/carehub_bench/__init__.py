"""Benchmark and test tooling that is not part of the carehub package: the synthetic corpus and Chromium's flags.

Outside the wheel on purpose: readers of the hub never need it.  Tests reach it through pytest's
``pythonpath`` setting (pyproject.toml), scripts/bench and scripts/corpus through ``sys.path``.
"""
