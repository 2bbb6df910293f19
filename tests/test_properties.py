"""Property-based tests: whatever a contributor's file holds, check reports problems, never a traceback.

Runs the real reader and validator in-process on arbitrary bytes and on
arbitrary YAML built from a grammar of the awkward parts (type traps, tags,
anchors, nesting, odd scalars), and asserts that every outcome is either a
Story or a list of well-formed problems.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.check.filecheck import CheckContext, check_file
from carehub.check.vocabularies import load
from carehub.problems import CODES

from .conftest import FIXTURES, ROOT

VOCAB, _ = load(ROOT / "data" / "vocabularies.yml", ROOT)
VALID = (FIXTURES / "stories" / "valid" / "case-study.md").read_text()
FIELDS = [
    "title",
    "summary",
    "type",
    "date",
    "region",
    "tags",
    "care_models",
    "settings",
    "consent",
    "outcomes",
    "image",
    "barriers",
    "site",
    "illustrative",
    "what_we_learned",
    "evidence_level",
    "status",
]


def _check(tmp_path: Path, data: bytes) -> None:
    stories = tmp_path / "stories"
    stories.mkdir(exist_ok=True)
    path = stories / "generated.md"
    path.write_bytes(data)
    ctx = CheckContext(
        tmp_path, VOCAB, frozenset({"sutton-homes-of-care"}), dt.date(2026, 11, 25), frozenset({"generated"})
    )
    result = check_file(path, ctx)
    story, problems = result.story, result.problems
    assert (story is None) == any(p.is_error for p in problems)
    for problem in problems:
        assert problem.code in CODES
        assert problem.file == "stories/generated.md"
        assert problem.line >= 0 and problem.column >= 0
        assert problem.message and "Traceback" not in problem.message


scalars = st.one_of(
    st.sampled_from(
        [
            "NO",
            "yes",
            "~",
            "null",
            "12:30",
            "0x1F",
            "1e3",
            ".nan",
            "2017-02-30",
            "2017-02-16",
            "2017-02-16T10:00:00",
            "!!python/object:os.system",
            "*alias",
            "&anchor x",
            "'",
            '"',
            "[",
            "{",
            "- item",
            ": colon",
            "london",
            "case-study",
            "patient-story",
            "CN-2017-014",
        ]
    ),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from([*FIELDS, "x", "reference", "before", "after", "alt"]), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes) -> None:
    _check(tmp_path, data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_after_a_fence_never_raise(tmp_path: Path, data: bytes) -> None:
    _check(tmp_path, b"---\n" + data + b"\n---\nBody\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=10))
def test_arbitrary_yaml_never_raises(tmp_path: Path, data: dict[str, object]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)
    _check(tmp_path, f"---\n{text}---\nBody text.\n".encode())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(VALID.splitlines()), scalars.map(str))
def test_one_field_replaced_by_raw_text_never_raises(tmp_path: Path, line: str, raw: str) -> None:
    if ":" not in line:
        return
    key = line.split(":", 1)[0]
    _check(tmp_path, VALID.replace(line, f"{key}: {raw}", 1).encode())


def test_cli_exit_code_is_never_2_for_content(tmp_path: Path) -> None:
    """Even the nastiest file is a content problem (1), not an internal error (2)."""
    import subprocess
    import sys

    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text())
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "vocabularies.yml").write_text((ROOT / "data" / "vocabularies.yml").read_text())
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "bomb.md").write_text(
        "---\na: &a [1,2]\nb: [*a, *a]\nc: " + "[" * 3000 + "]" * 3000 + "\n---\n"
    )
    (tmp_path / "stories" / "binary.md").write_bytes(bytes(range(256)))
    result = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(tmp_path), "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
