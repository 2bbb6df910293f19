"""Run inside .venv by scripts/test: linters first, then pytest.

Why one script: contributors and CI must run the same gates in the same order,
and a lint failure should not hide test results, so every stage runs and the
exit code is the worst of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    stages: list[tuple[str, list[str]]] = [
        ("ruff check", [PY, "-m", "ruff", "check", "."]),
        ("ruff format", [PY, "-m", "ruff", "format", "--check", "."]),
        ("mypy", [PY, "-m", "mypy", "src", "scripts", "bench"]),
        ("pytest", [PY, "-m", "pytest", *argv]),
    ]
    worst = 0
    for name, command in stages:
        print(f"\n=== {name} ===", flush=True)
        code = subprocess.call(command)
        if code == 5 and name == "pytest":
            print("pytest collected no tests: that is a failure here.", flush=True)
            code = 1
        if code:
            print(f"=== {name} failed (exit {code}) ===", flush=True)
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
