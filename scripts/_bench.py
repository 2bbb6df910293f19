"""The benchmark's entry point inside .venv (scripts/bench re-runs itself here): the code is bench/carehub_bench/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))  # the tooling outside the wheel
from carehub_bench.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
