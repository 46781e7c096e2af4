"""End-to-end behaviour of the ``sql`` verifier on real multi-table databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import Sample

DAVY = (
    "SELECT e.name FROM element e JOIN discovery d ON d.number = e.number "
    "WHERE d.discoverer = 'Humphry Davy'"
)
RAMSAY_ORDERED = (
    "SELECT e.symbol, d.year FROM element e JOIN discovery d ON d.number = e.number "
    "WHERE d.discoverer = 'William Ramsay' ORDER BY d.year"
)
RUNAWAY = "SELECT count(*) FROM reading a, reading b, reading c"


def fenced(sql: str) -> str:
    return f"<think>join the tables</think>\n```sql\n{sql}\n```"


# ---------------------------------------------------------------- correctness, both engines


@pytest.mark.parametrize(
    ("response", "mode", "value", "reason"),
    [
        (fenced(DAVY), "bird", 1.0, None),
        (fenced("SELECT name FROM element WHERE number IN (11, 19, 20)"), "bird", 1.0, None),
        (fenced("SELECT name FROM element WHERE number IN (11, 19)"), "bird", 0.0,
         "rows_mismatch"),
        (fenced("SELECT name, symbol FROM element WHERE number IN (11, 19, 20)"), "bird", 0.0,
         "column_count_mismatch"),
        (fenced("SELECT e.name FROM element e, discovery d WHERE d.discoverer = 'Humphry Davy' "
                "AND d.number = e.number ORDER BY e.name DESC"), "spider", 1.0, None),
        (fenced("SELECT name FROM element WHERE nmae = 1"), "bird", 0.0, "execution_error"),
        ("no query here", "bird", 0.0, "no_sql"),
    ],
)
def test_execution_match(build_scorer, engine_db, response, mode, value, reason) -> None:
    score = build_scorer(mode=mode)
    result = score(response, {"sql": DAVY, "db_path": engine_db})
    assert result.status == "ok", result
    assert result.value == value
    assert result.details.get("reason") == reason
    assert result.details["mode"] == mode


def test_spider_order_and_permutation(build_scorer, engine_db) -> None:
    score = build_scorer(mode="spider")
    ref = {"sql": RAMSAY_ORDERED, "db_path": engine_db}
    swapped = fenced(
        "SELECT d.year, e.symbol FROM discovery d JOIN element e USING (number) "
        "WHERE d.discoverer = 'William Ramsay' ORDER BY d.year"
    )
    result = score(swapped, ref)
    assert result.value == 1.0 and result.details["columns_permuted"] is True
    reversed_order = swapped.replace("ORDER BY d.year", "ORDER BY d.year DESC")
    result = score(reversed_order, ref)
    assert result.value == 0.0 and result.details["reason"] == "order_mismatch"
    assert result.details["order_matters"] is True
    # BIRD keeps column order but ignores row order.
    assert build_scorer(mode="bird")(swapped, ref).details["reason"] == "rows_mismatch"


def test_float_tolerance(build_scorer, elements_sqlite) -> None:
    ref = {"sql": "SELECT avg(mass) FROM element WHERE grp = 18", "db_path": elements_sqlite}
    approx = fenced("SELECT 21.3775 FROM element LIMIT 1")  # true mean 21.37753...
    assert build_scorer()(approx, ref).value == 0.0
    assert build_scorer(float_tolerance=1e-4)(approx, ref).value == 1.0


def test_sqlite_and_duckdb_agree(build_scorer, elements_sqlite, elements_duckdb) -> None:
    queries = [
        DAVY,
        "SELECT category, count(*) FROM element GROUP BY category",
        "SELECT period, round(avg(mass), 3) FROM element GROUP BY period",
        "SELECT name FROM element WHERE number NOT IN "
        "(SELECT number FROM discovery WHERE year IS NOT NULL)",
    ]
    for mode in ("bird", "spider"):
        score = build_scorer(mode=mode)
        for gold in queries:
            for pred in queries:
                a = score(fenced(pred), {"sql": gold, "db_path": elements_sqlite})
                b = score(fenced(pred), {"sql": gold, "db_path": elements_duckdb})
                assert (a.status, a.value) == (b.status, b.value), (mode, gold, pred)
                assert a.value == (1.0 if gold == pred else 0.0)


# ---------------------------------------------------------------- where the database comes from


def test_database_sources(build_scorer, elements_sqlite, inline_elements, tmp_path) -> None:
    root, name = os.path.split(elements_sqlite)
    os.makedirs(tmp_path / "elements", exist_ok=True)
    os.symlink(elements_sqlite, tmp_path / "elements" / "elements.sqlite")
    response = fenced(DAVY)
    cases = [
        (build_scorer(), {"reference": DAVY, "meta": {"db_path": elements_sqlite}}),
        (build_scorer(), {"reference": DAVY, "meta": {"db": elements_sqlite}}),
        (build_scorer(), {"reference": DAVY, "meta": {"db": inline_elements}}),
        (build_scorer(), {"reference": {"sql": DAVY, "db_path": elements_sqlite}}),
        (build_scorer(), {"reference": {"sql": DAVY, **inline_elements}}),
        (build_scorer(), {"reference": json.dumps({"sql": DAVY, "db_path": elements_sqlite})}),
        (build_scorer(db_path=elements_sqlite), {"reference": DAVY}),
        (build_scorer(db_root=root), {"reference": DAVY, "meta": {"db_path": name}}),
        (build_scorer(db_root=str(tmp_path)), {"reference": DAVY, "meta": {"db_id": "elements"}}),
        (build_scorer(engine="duckdb"), {"reference": {"sql": DAVY, **inline_elements}}),
    ]
    for score, fields in cases:
        result = score(response, **fields)
        assert (result.status, result.value) == ("ok", 1.0), (fields, result)


@pytest.mark.parametrize(
    ("reference", "meta", "fragment"),
    [
        ("SELECT 1", {}, "no database"),
        ("SELECT 1", {"db_path": "/nonexistent/x.sqlite"}, "not found"),
        ("SELECT 1", {"db_id": "x"}, "db_root"),
        (42, {}, "reference must be"),
        ({"db_path": "x"}, {}, "no 'sql'"),
        ({"sql": "SELECT 1", "schema": "CREATE TABLE t (a)", "rows": {"t": "nope"}}, {}, "list"),
        ({"sql": "SELECT 1", "schema": "CREATE TABLE t (a)", "rows": {"t": [[1, 2]]}}, {},
         "could not be built"),
        ({"sql": "SELECT 1", "schema": ""}, {}, "schema"),
    ],
)
def test_unreadable_reference_is_invalid_input(build_scorer, reference, meta, fragment) -> None:
    result = build_scorer()("SELECT 1", reference, meta=meta)
    assert result.status == "invalid_input"
    assert fragment in result.reason


@pytest.mark.parametrize(
    "gold",
    [
        "SELECT nope FROM element",  # fails to execute
        "SELEC name FROM element",  # does not parse
        "DELETE FROM element",  # not a read query
        "SELECT * FROM reading",  # over max_rows
    ],
)
def test_failing_reference_is_never_rewarded(build_scorer, engine_db, gold) -> None:
    # Anchor defect (open-r1 #86/#215/#293, REFERENCE.md section 2): an unusable gold must not
    # score 1.0 -- not even for a response that repeats it verbatim.
    result = build_scorer(max_rows=1000)(fenced(gold), {"sql": gold, "db_path": engine_db})
    assert result.status == "invalid_input"
    assert result.value is None
    assert result.reason.startswith("reference query")


# ---------------------------------------------------------------- deadlines and caps


@pytest.mark.timeout(60)
def test_runaway_query_times_out(build_scorer, engine_db) -> None:
    # A 2.7e10-row cartesian join would run for minutes: the deadline interrupts it (no signals);
    # pytest-timeout guards that the interruption happens.
    score = build_scorer(timeout=0.3)
    result = score(fenced(RUNAWAY), {"sql": "SELECT count(*) FROM reading", "db_path": engine_db})
    # a slow predicted query is the model's failure: ok 0.0 (audit: it was status timeout, so
    # the trainer got None and dropped the sample instead of penalising it)
    assert (result.status, result.value, result.reason) == ("ok", 0.0, "timeout")
    assert "timed out" in result.details["message"]
    # The cached connection is healthy afterwards.
    again = score(fenced("SELECT count(*) FROM reading"),
                  {"sql": "SELECT count(*) FROM reading", "db_path": engine_db})
    assert again.value == 1.0


@pytest.mark.timeout(60)
def test_runaway_recursive_cte_times_out(build_scorer, elements_sqlite) -> None:
    score = build_scorer(timeout=0.3)
    result = score(
        fenced("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT count(*) FROM c"),
        {"sql": "SELECT 1", "db_path": elements_sqlite},
    )
    assert (result.status, result.value, result.reason) == ("ok", 0.0, "timeout")


def test_row_cap(build_scorer, engine_db) -> None:
    score = build_scorer(max_rows=500)
    result = score(fenced("SELECT a.id FROM reading a"), {"sql": DAVY, "db_path": engine_db})
    assert (result.value, result.details["reason"]) == (0.0, "row_cap_exceeded")


def test_huge_blob_refused(build_scorer, elements_sqlite) -> None:
    # SQLITE_LIMIT_LENGTH: a query cannot build a gigabyte string in the worker.
    result = build_scorer()(fenced("SELECT zeroblob(1000000000)"),
                            {"sql": "SELECT 1", "db_path": elements_sqlite})
    assert (result.value, result.details["reason"]) == (0.0, "execution_error")


# ---------------------------------------------------------------- refusals through the scorer


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("ATTACH DATABASE '/tmp/x.db' AS x", "not_a_query"),
        ("PRAGMA query_only = 0", "not_a_query"),
        ("SELECT load_extension('/tmp/x.so')", "forbidden_function"),
        ("SELECT name FROM element; DROP TABLE element", "multiple_statements"),
        ("DROP TABLE element", "not_a_query"),
    ],
)
def test_refused_queries_score_zero(build_scorer, engine_db, sql, reason) -> None:
    result = build_scorer()(fenced(sql), {"sql": DAVY, "db_path": engine_db})
    assert (result.status, result.value, result.details["reason"]) == ("ok", 0.0, reason)
    assert build_scorer()(fenced(DAVY), {"sql": DAVY, "db_path": engine_db}).value == 1.0


# ---------------------------------------------------------------- partial rewards


def partial(build_scorer, db, sql):
    return build_scorer(partial=True)(fenced(sql), {"sql": DAVY, "db_path": db})


def test_partial_rewards_are_opt_in(build_scorer, elements_sqlite) -> None:
    near = (
        "SELECT e.name FROM element e JOIN discovery d ON d.number = e.number WHERE d.year = 1807"
    )
    plain = build_scorer()(fenced(near), {"sql": DAVY, "db_path": elements_sqlite})
    assert plain.value == 0.0 and not plain.components
    result = partial(build_scorer, elements_sqlite, near)
    assert 0.0 < result.value < 0.3
    assert result.components["syntax"] == 1.0
    assert result.components["schema_f1"] == pytest.approx(5 / 6)  # 5 of 6 items shared
    assert partial(build_scorer, elements_sqlite, DAVY).value == 1.0


@pytest.mark.parametrize(
    "exploit",
    [
        "SELECT 1",  # Reasoning-SQL syntax reward exploit (REFERENCE.md section 4)
        "SELECT 'Sodium'",
        "SELECT 1 FROM element, discovery, reading LIMIT 1",  # table stuffing, no columns
        "SELECT count(*) FROM element, discovery",  # table stuffing through an aggregate
        "SELECT * FROM element, discovery",  # table stuffing with a star
        "SELECT * FROM element, discovery, reading",  # stuffing a large table: row cap
        "SELECT year FROM discovery WHERE 0",  # executes, but uses none of the gold's columns
        # schema stuffing with an empty result: every gold item named, nothing computed
        "SELECT e.name FROM element e JOIN discovery d ON d.number = e.number WHERE 1 = 0",
        "SELECT e.name FROM element e, discovery d, element e2 WHERE 1 = 0",
    ],
)
def test_select_1_and_table_stuffing_earn_nothing(build_scorer, engine_db, exploit) -> None:
    result = partial(build_scorer, engine_db, exploit)
    assert (result.status, result.value) == ("ok", 0.0), result
    assert result.components.get("syntax", 0.0) == 0.0


@pytest.mark.parametrize(
    ("honest", "stuffed"),
    [
        ("SELECT e.name FROM element e WHERE e.number > 10",
         "SELECT e.name FROM element e, reading r WHERE e.number > 10 AND r.id = 1"),
        ("SELECT e.name FROM element e WHERE e.number > 10",
         "SELECT e.name FROM element e, reading r WHERE e.number > 10 AND r.sensor = 's1' "
         "AND r.value = 3.7"),
        ("SELECT e.name FROM element e JOIN discovery d ON d.number = e.number "
         "WHERE d.year = 1807",
         "SELECT e.name FROM element e JOIN discovery d ON d.number = e.number "
         "CROSS JOIN reading r WHERE d.year = 1807 AND r.id = 2"),
    ],
)
def test_stuffing_extra_tables_never_raises_the_reward(
    build_scorer, engine_db, honest, stuffed
) -> None:
    # Recall-based schema linking rewards naming extra tables; F1 must not (REFERENCE.md s.4).
    base = partial(build_scorer, engine_db, honest)
    more = partial(build_scorer, engine_db, stuffed)
    assert base.value > 0.0
    assert more.value < base.value
    assert more.components["schema_f1"] < base.components["schema_f1"]


# ---------------------------------------------------------------- options, registry, extras


def test_example_scores_one() -> None:
    info = get_verifier("sql")
    example = info.example
    assert example is not None and "schema" in example["reference"]  # inline database
    fn = info.build(example.get("options"))
    sample = Sample(response=example["response"], reference=example["reference"])
    assert run_scorer(fn, sample).value == 1.0


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"mode": "exact"}, "mode"),
        ({"engine": "postgres"}, "engine"),
        ({"timeout": 0}, "timeout"),
        ({"max_rows": 0}, "max_rows"),
        ({"float_tolerance": -1.0}, "float_tolerance"),
        ({"syntax_weight": 0.6, "schema_weight": 0.5}, "syntax_weight"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_options_name_the_field(options, field) -> None:
    with pytest.raises(ValueError, match=field):
        get_verifier("sql").build(options)


def test_import_is_lazy_and_missing_extra_names_install_line() -> None:
    code = (
        "import sys\n"
        "from rewardkit.core.registry import get_verifier, run_scorer\n"
        "from rewardkit.core.types import Sample\n"
        "info = get_verifier('sql')\n"
        "fn = info.build({})\n"
        "assert 'sqlglot' not in sys.modules and 'duckdb' not in sys.modules\n"
        "sys.modules['sqlglot'] = None\n"  # simulate the extra not being installed
        "r = run_scorer(fn, Sample(response='SELECT 1', reference=info.example['reference']))\n"
        "print(r.status, r.reason)\n"
    )
    src = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": os.path.abspath(src)}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("error ")
    assert "pip install 'rewardkit[sql]'" in out.stdout


@pytest.mark.parametrize("query", ["SELECT NULL WHERE 0", "SELECT 1 LIMIT 0"])
def test_empty_gold_result_needs_a_related_query(build_scorer, elements_sqlite, query) -> None:
    """Red-team audit (2026-12-02): when the gold result is empty, any empty query with the same
    column count matched, so "return nothing when unsure" earned full reward."""
    gold = {"sql": "SELECT name FROM element WHERE mass > 100000", "db_path": elements_sqlite}
    cheat = build_scorer()(fenced(query), gold)
    assert (cheat.status, cheat.value, cheat.reason) == ("ok", 0.0, "empty_result_unrelated")
    honest = build_scorer()(fenced("SELECT name FROM element WHERE mass > 99999"), gold)
    assert honest.value == 1.0
