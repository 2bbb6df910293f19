"""The search-quality runner (bench/carehub_bench/quality.py) reads every query set and judges each target.

What the engines answer needs Chromium and a built site (``scripts/bench --quality``); here the sets are
read from tests/fixtures/queries/ and scored on answers given by hand, so the figures and verdicts can be
checked exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from carehub_bench import quality

SETS = Path(__file__).parent / "fixtures" / "queries"


def test_every_set_in_the_folder_is_read_in_name_order() -> None:
    sets = quality.load_sets(SETS)
    assert list(sets) == ["judged", "second"]
    assert [q.query for q in sets["second"]] == ["buurt", "buurtzog"]
    assert sets["judged"][2].relevant == ()


def test_the_repository_sets_are_all_read() -> None:
    sets = quality.load_sets()
    assert "judged" in sets
    assert all(len(queries) >= 1 for queries in sets.values())


def test_a_malformed_entry_names_the_file_and_the_query(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("queries:\n- {kind: exact, query: stroke rota}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad\.yml: query 1: .*missing: relevant"):
        quality.load_sets(tmp_path)


def test_scores_and_verdicts_per_set() -> None:
    queries = quality.load_sets(SETS)["judged"]
    ours = quality.score(queries, [["stories/red-bag-scheme-sutton/"], ["x/", "sites/buurtzorg/"], []])
    assert (ours["success_at_1"], ours["success_at_3"], ours["mrr"]) == (0.5, 1.0, 0.75)
    assert ours["zero_results_answerable"] == [] and ours["no_answer_with_results"] == []
    pagefind = quality.score(queries, [[], ["sites/buurtzorg/"], ["x/"]])
    assert pagefind["zero_results_answerable"] == ["red bag scheme"]
    assert pagefind["no_answer_with_results"] == ["dental implants"]
    verdicts = {v["target"]: v["met"] for v in quality.verdicts({"ours": ours, "pagefind": pagefind})}
    assert verdicts == {
        "MRR >= 0.92": False,
        "success@3 >= 0.95": True,
        "at most 1 answerable query with no results": True,
        "success@1 better than Pagefind": False,  # 0.5 against 0.5
        "success@3 better than Pagefind": True,  # both 1.0: nothing can be better
        "MRR better than Pagefind": True,
        "no-answer queries return nothing or say so": True,
        "fewer answerable queries with no results than Pagefind": True,
    }


def test_a_no_answer_query_with_results_counts_as_said_only_when_the_engine_says_so() -> None:
    queries = quality.load_sets(SETS)["judged"]
    silent = quality.score(queries, [["stories/red-bag-scheme-sutton/"], ["sites/buurtzorg/"], ["x/"]])
    assert silent["no_answer_unexplained"] == ["dental implants"]
    told = quality.score(
        queries, [["stories/red-bag-scheme-sutton/"], ["sites/buurtzorg/"], ["x/"]], [False, False, True]
    )
    assert told["no_answer_with_results"] == ["dental implants"] and told["no_answer_unexplained"] == []
    pagefind = quality.score(queries, [[], [], []])
    verdicts = {v["target"]: v["met"] for v in quality.verdicts({"ours": silent, "pagefind": pagefind})}
    assert verdicts["no-answer queries return nothing or say so"] is False
    verdicts = {v["target"]: v["met"] for v in quality.verdicts({"ours": told, "pagefind": pagefind})}
    assert verdicts["no-answer queries return nothing or say so"] is True


def test_the_table_shows_every_set_and_its_verdicts() -> None:
    sets = quality.load_sets(SETS)
    figures: dict[str, object] = {"sets": {}}
    for name, queries in sets.items():
        answers = [list(q.relevant[:1]) for q in queries]
        one = {"file": f"bench/queries/{name}.yml", "queries": len(queries), "answerable": len(queries)}
        one |= {engine: quality.score(queries, answers) for engine in quality.ENGINES}
        one["verdicts"] = quality.verdicts(one)
        figures["sets"][name] = one  # type: ignore[index]
    text = quality.table(figures)
    assert "**judged**" in text and "**second**" in text
    assert text.count("| ours | 1.00 | 1.00 | 1.00 | 0 |") == 2
    assert "NOT met" not in text
