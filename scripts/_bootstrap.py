"""Create or refresh the project's virtualenv from a hash lock, then re-run inside it.

Why: the README promises that a fresh machine with only Python 3.11 needs two
commands.  Each command calls :func:`ensure` first; it builds ``.venv`` from
``requirements/<name>.lock`` with ``--require-hashes`` the first time, and on
later runs only compares a stamp (a hash of the lock and pyproject.toml), so
it costs milliseconds once the environment is current.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("CAREHUB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
SATISFIED_BY = {"runtime": ("runtime", "dev"), "dev": ("dev",)}


def _stamp(lock: Path) -> str:
    digest = hashlib.sha256()
    for path in (lock, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure(lock_name: str) -> Path:
    """Make sure .venv holds exactly ``requirements/<lock_name>.lock``; return its python."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before the venv exists
        sys.exit(f"carehub needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    lock = ROOT / "requirements" / f"{lock_name}.lock"
    stamp_file = VENV / f".carehub-{lock_name}.stamp"
    wanted = _stamp(lock)
    # The dev lock is a superset of the runtime lock, so a current dev
    # environment also serves the build command without reinstalling.
    for name in SATISFIED_BY[lock_name]:
        candidate = VENV / f".carehub-{name}.stamp"
        current = _stamp(ROOT / "requirements" / f"{name}.lock")
        if PYTHON.exists() and candidate.exists() and candidate.read_text() == current:
            return PYTHON
    if not PYTHON.exists():
        print(f"Creating {VENV.relative_to(ROOT) if VENV.is_relative_to(ROOT) else VENV} …", flush=True)
        venv.create(VENV, with_pip=True)
    print(f"Installing from requirements/{lock_name}.lock (first run only) …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--require-hashes", "--no-deps", "-r", str(lock)], check=True)
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(ROOT)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for other in VENV.glob(".carehub-*.stamp"):
        other.unlink()
    stamp_file.write_text(wanted)
    return PYTHON


def reexec(lock_name: str, argv: list[str]) -> None:
    """Replace this process with ``argv`` run by the virtualenv's python."""
    python = ensure(lock_name)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ["PYTHONPATH"] = ""
    if os.name == "nt":  # pragma: no cover - exec semantics differ on Windows
        sys.exit(subprocess.call([str(python), *argv]))
    os.execv(str(python), [str(python), *argv])
