"""The ``sql`` verifier: execution match of the predicted query against the gold query."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample
from rewardkit.verifiers.sql._compare import compare_results, normalize_rows
from rewardkit.verifiers.sql._engines import Database, database_schema, run_query
from rewardkit.verifiers.sql._extract import extract_sql
from rewardkit.verifiers.sql._partial import f1, schema_items
from rewardkit.verifiers.sql._safety import CheckedQuery, Refused, check_query
from rewardkit.verifiers.sql._source import resolve

#: Gold results kept per process (the same prompt is sampled many times in GRPO groups).
GOLD_CACHE_SIZE = 512
#: Gold results with more rows than this are not cached.
GOLD_CACHE_MAX_ROWS = 20_000
_SQL_IN_DETAILS = 2_000


@dataclass(frozen=True)
class SqlOptions:
    """Options of the ``sql`` verifier.

    Attributes:
        mode: ``"bird"`` (set equality, column order matters) or ``"spider"`` (multiset, order
            only under a gold ``ORDER BY``, column permutations allowed).
        engine: ``"auto"`` (by file suffix, SQLite otherwise), ``"sqlite"`` or ``"duckdb"``.
        db_path: database used when the sample names none.
        db_root: directory for relative paths and ``meta["db_id"]`` look-ups.
        float_tolerance: relative and absolute tolerance for numbers (0 = exact).
        timeout: per-query deadline in seconds (gold and predicted queries each get one).
        max_rows: most rows read from one result; a prediction over it scores 0.0.
        partial: opt in to partial rewards (syntax and schema-linking F1, gated on execution).
        syntax_weight: partial reward for a query that executes (when the gate passes).
        schema_weight: weight of the schema-linking F1 (when the gate passes).
    """

    mode: Literal["bird", "spider"] = "bird"
    engine: Literal["auto", "sqlite", "duckdb"] = "auto"
    db_path: str | None = None
    db_root: str | None = None
    float_tolerance: float = 0.0
    timeout: float = 5.0
    max_rows: int = 100_000
    partial: bool = False
    syntax_weight: float = 0.1
    schema_weight: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.timeout <= 3600:
            raise ValueError(f"option 'timeout' must be in (0, 3600] seconds, got {self.timeout}")
        if self.max_rows < 1:
            raise ValueError(f"option 'max_rows' must be at least 1, got {self.max_rows}")
        if not 0 <= self.float_tolerance < 1:
            raise ValueError(f"option 'float_tolerance' must be in [0, 1), got {self.float_tolerance}")
        for name in ("syntax_weight", "schema_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"option {name!r} must be >= 0, got {getattr(self, name)}")
        if self.syntax_weight + self.schema_weight >= 1:
            raise ValueError(
                "options 'syntax_weight' + 'schema_weight' must stay below 1 (a correct query "
                f"must outscore any partial credit), got {self.syntax_weight + self.schema_weight}"
            )


@dataclass
class _Gold:
    """A gold query's result, or why it has none (cached per process)."""

    checked: CheckedQuery | None
    columns: int = 0
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    failure: RewardResult | None = None
    items: frozenset[str] | None = None


class _GoldCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[Any, ...], _Gold] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> _Gold | None:
        with self.lock:
            gold = self.entries.get(key)
            if gold is not None:
                self.entries.move_to_end(key)
            return gold

    def put(self, key: tuple[Any, ...], gold: _Gold) -> None:
        with self.lock:
            self.entries[key] = gold
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_GOLD_CACHE = _GoldCache(GOLD_CACHE_SIZE)
# A forked child gets a fresh lock: another thread may have held the parent's at the fork.
os.register_at_fork(after_in_child=lambda: setattr(_GOLD_CACHE, "lock", threading.Lock()))


def _gold_result(db: Database, sql: str, opts: SqlOptions) -> _Gold:
    key = (db.cache_key(), sql, opts.max_rows)
    cached = _GOLD_CACHE.get(key)
    if cached is not None:
        return cached
    gold = _run_gold(db, sql, opts)
    if gold.failure is None or gold.failure.status == "invalid_input":
        if len(gold.rows) <= GOLD_CACHE_MAX_ROWS:
            _GOLD_CACHE.put(key, gold)
    return gold


def _run_gold(db: Database, sql: str, opts: SqlOptions) -> _Gold:
    where = {"db": db.label}
    try:
        checked = check_query(sql, db.engine)
    except Refused as exc:
        return _Gold(
            None,
            failure=RewardResult.fail(
                "invalid_input", f"reference query rejected ({exc.code}): {exc}", **where
            ),
        )
    run = run_query(db, checked.sql, timeout=opts.timeout, max_rows=opts.max_rows)
    if run.status == "timeout":
        return _Gold(
            checked,
            failure=RewardResult.fail("timeout", f"reference query timed out: {run.message}", **where),
        )
    if run.status != "ok":
        why = {"row_cap": "returned more than max_rows rows"}.get(run.status, run.status)
        return _Gold(
            checked,
            failure=RewardResult.fail(
                "invalid_input", f"reference query failed ({why}): {run.message}", **where
            ),
        )
    return _Gold(checked, len(run.columns), normalize_rows(run.rows))


def _zero(reason: str, details: dict[str, Any], partial: bool, **extra: Any) -> RewardResult:
    result = RewardResult.ok(0.0, **details, reason=reason, **extra)
    if partial:
        result.components = {"execution": 0.0, "syntax": 0.0, "schema_f1": 0.0}
    return result


def _score(sample: Sample, opts: SqlOptions) -> RewardResult:
    gold_sql, db = resolve(sample, db_path=opts.db_path, db_root=opts.db_root, engine=opts.engine)
    gold = _gold_result(db, gold_sql, opts)
    if gold.failure is not None:
        return gold.failure
    assert gold.checked is not None
    details: dict[str, Any] = {"mode": opts.mode, "engine": db.engine, "db": db.label}
    extraction = extract_sql(sample.response)
    if extraction.sql is None:
        return _zero(extraction.reason or "no_sql", details, opts.partial)
    details["sql"] = extraction.sql[:_SQL_IN_DETAILS]
    details["sql_source"] = extraction.source
    try:
        checked = check_query(extraction.sql, db.engine)
    except Refused as exc:
        return _zero(exc.code, details, opts.partial, message=str(exc))
    run = run_query(db, checked.sql, timeout=opts.timeout, max_rows=opts.max_rows)
    details["seconds"] = round(run.seconds, 6)
    if run.status == "timeout":
        # the model's query is too slow: a failed check, as in BIRD's evaluator and as a test
        # case that times out in ``code`` (a slow *reference* query is status timeout, above)
        return _zero("timeout", details, opts.partial, message=f"predicted query timed out: {run.message}")
    if run.status == "refused":
        return _zero("forbidden_statement", details, opts.partial, message=run.message)
    if run.status == "error":
        return _zero("execution_error", details, opts.partial, message=run.message)
    if run.status == "row_cap":
        return _zero("row_cap_exceeded", details, opts.partial, message=run.message)
    comparison = compare_results(
        len(run.columns),
        normalize_rows(run.rows),
        gold.columns,
        gold.rows,
        mode=opts.mode,
        ordered=gold.checked.ordered,
        tolerance=opts.float_tolerance,
    )
    details.update(pred_rows=len(run.rows), gold_rows=len(gold.rows))
    if opts.mode == "spider":
        details.update(order_matters=gold.checked.ordered, columns_permuted=comparison.permuted)
    if comparison.match and not gold.rows and not _shares_gold_column(db, gold, checked):
        # an empty gold result is matched by any empty query (``SELECT 1 LIMIT 0``): a policy
        # would learn to return nothing when unsure; the query must at least use a column of
        # the gold query's tables (red-team audit, 2026-12-02)
        return _zero("empty_result_unrelated", details, opts.partial)
    if comparison.match:
        result = RewardResult.ok(1.0, **details, match=True)
        if opts.partial:
            result.components = {"execution": 1.0, "syntax": 1.0, "schema_f1": 1.0}
        return result
    details.update(match=False, reason=comparison.reason)
    if not opts.partial:
        return RewardResult.ok(0.0, **details)
    return _partial_result(db, gold, checked, len(run.columns), len(run.rows), details, opts)


def _shares_gold_column(db: Database, gold: _Gold, checked: CheckedQuery) -> bool:
    """Whether the predicted query references a column the gold query uses."""
    schema = database_schema(db)
    if gold.items is None:
        assert gold.checked is not None
        gold.items = schema_items(gold.checked.tree, schema)
    gold_cols = {i for i in gold.items if i.startswith("column:")}
    return bool(gold_cols & schema_items(checked.tree, schema))


def _partial_result(
    db: Database,
    gold: _Gold,
    checked: CheckedQuery,
    pred_columns: int,
    pred_rows: int,
    details: dict[str, Any],
    opts: SqlOptions,
) -> RewardResult:
    """Partial credit for a query that executed but did not match.

    Gate (REFERENCE.md section 4, "gate partial rewards on execution and use F1"): the query
    executed, returns the gold's number of columns, returns at least one row when the gold does
    (else ``... WHERE 1=0`` over every gold table and column would collect the full schema
    term while computing nothing), and references at least one column the gold query uses.
    Then value = ``syntax_weight + schema_weight * F1(schema items)``
    (Reasoning-SQL's syntax and schema-linking terms, arXiv 2503.23157, with F1 for Jaccard).
    """
    schema = database_schema(db)
    if gold.items is None:
        assert gold.checked is not None
        gold.items = schema_items(gold.checked.tree, schema)
    pred_items = schema_items(checked.tree, schema)
    schema_f1 = f1(pred_items, gold.items)
    gold_cols = {i for i in gold.items if i.startswith("column:")}
    if pred_columns != gold.columns:
        gate = "column_count"
    elif pred_rows == 0 and gold.rows:
        gate = "no_rows"
    elif not gold_cols & pred_items:
        gate = "no_gold_column"
    else:
        gate = None
    value = 0.0 if gate else opts.syntax_weight + opts.schema_weight * schema_f1
    result = RewardResult.ok(
        value,
        **details,
        partial={"syntax": 1.0, "schema_f1": round(schema_f1, 6), "gated_out": gate},
    )
    # Components carry what counted: both terms are 0 when the gate is closed.
    result.components = {
        "execution": 0.0,
        "syntax": 0.0 if gate else 1.0,
        "schema_f1": 0.0 if gate else schema_f1,
    }
    return result


_EXAMPLE_SCHEMA = (
    "CREATE TABLE element (number INTEGER PRIMARY KEY, symbol TEXT, name TEXT, mass REAL);"
    "CREATE TABLE discovery (number INTEGER REFERENCES element(number), year INTEGER, "
    "discoverer TEXT)"
)
_EXAMPLE_ROWS = {
    "element": [
        [1, "H", "Hydrogen", 1.008],
        [2, "He", "Helium", 4.0026],
        [8, "O", "Oxygen", 15.999],
        [10, "Ne", "Neon", 20.180],
    ],
    "discovery": [
        [1, 1766, "Henry Cavendish"],
        [2, 1868, "Pierre Janssen"],
        [8, 1774, "Joseph Priestley"],
        [10, 1898, "William Ramsay"],
    ],
}


@verifier(
    "sql",
    options=SqlOptions,
    description="SQL execution match (BIRD set or Spider multiset) on SQLite or DuckDB",
    example={
        "response": "```sql\nSELECT e.name FROM element e JOIN discovery d "
        "ON d.number = e.number WHERE d.year > 1800 ORDER BY e.name\n```",
        "reference": {
            "sql": "SELECT name FROM element WHERE number IN "
            "(SELECT number FROM discovery WHERE year > 1800) ORDER BY name",
            "schema": _EXAMPLE_SCHEMA,
            "rows": _EXAMPLE_ROWS,
        },
        "options": {"mode": "spider"},
    },
)
def sql_verifier(opts: SqlOptions) -> Callable[[Sample], RewardResult]:
    """SQL execution match: run the predicted and gold queries and compare their results.

    The predicted query is extracted from the response (a fenced ``sql`` block, else the last
    statement), admitted only as a single read query, and run with a deadline and a row cap on
    the sample's database; see :mod:`rewardkit.verifiers.sql` for where the database comes from.
    """

    def score(sample: Sample) -> RewardResult:
        return _score(sample, opts)

    return score


__all__ = ["SqlOptions", "sql_verifier"]
