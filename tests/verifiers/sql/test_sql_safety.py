"""Only a single read query runs; each safety layer holds on its own."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from rewardkit.verifiers.sql._engines import Database, handle_for, run_query
from rewardkit.verifiers.sql._extract import MAX_SQL_CHARS
from rewardkit.verifiers.sql._safety import Refused, check_query

REFUSED = [
    ("ATTACH DATABASE '/tmp/x.db' AS x", "not_a_query"),
    ("DETACH DATABASE x", "not_a_query"),
    ("PRAGMA query_only = 0", "not_a_query"),
    ("PRAGMA journal_mode = WAL", "not_a_query"),
    ("SELECT load_extension('/tmp/evil.so')", "forbidden_function"),
    ("SELECT readfile('/etc/passwd')", "forbidden_function"),
    ("SELECT * FROM read_csv('/etc/passwd')", "forbidden_function"),
    ("DELETE FROM element", "not_a_query"),
    ("DROP TABLE element", "not_a_query"),
    ("INSERT INTO element VALUES (99, 'X', 'X', 1, 1, 1, 'x')", "not_a_query"),
    ("UPDATE element SET name = 'x'", "not_a_query"),
    ("CREATE TABLE t (a)", "not_a_query"),
    ("VACUUM INTO '/tmp/copy.db'", "not_a_query"),
    ("SELECT 1; DROP TABLE element", "multiple_statements"),
    ("SELECT 1; SELECT 2", "multiple_statements"),
    ("WITH x AS (DELETE FROM element RETURNING *) SELECT * FROM x", "forbidden_statement"),
    ("SELECT * INTO copy FROM element", "forbidden_statement"),
    ("SELEC name FROM element", "parse_error"),
    ("", "empty_sql"),
    (";;", "empty_sql"),
]


@pytest.mark.parametrize("dialect", ["sqlite", "duckdb"])
@pytest.mark.parametrize(("sql", "code"), REFUSED)
def test_sqlglot_refuses(sql: str, code: str, dialect: str) -> None:
    with pytest.raises(Refused) as info:
        check_query(sql, dialect)
    assert info.value.code == code


def test_sql_length_capped_before_parsing() -> None:
    # Guards "cap input sizes before parsing": sqlglot never sees a huge query.
    with pytest.raises(Refused) as info:
        check_query("SELECT " + "1 + " * MAX_SQL_CHARS + "1", "sqlite")
    assert info.value.code == "sql_too_long"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name FROM element WHERE name GLOB 'H*'",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) "
        "SELECT x FROM c",
        "SELECT 1 UNION SELECT 2 ORDER BY 1",
        "(SELECT name FROM element)",
        "SELECT upper(name), count(*) FROM element GROUP BY 1;",
    ],
)
def test_read_queries_admitted(sql: str) -> None:
    assert check_query(sql, "sqlite").sql


def _sha(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM element",
        "ATTACH DATABASE ':memory:' AS other",
        "PRAGMA query_only = 0",
        "CREATE TEMP TABLE t (a)",
        "SELECT load_extension('x')",
        "SELECT 1; DELETE FROM element",
    ],
)
def test_sqlite_engine_layer_refuses_without_sqlglot(elements_sqlite: str, sql: str) -> None:
    # The authorizer, query_only, ATTACH limit and one-statement rule hold even if the
    # sqlglot check were bypassed (defence in depth).
    before = _sha(elements_sqlite)
    run = run_query(Database("sqlite", path=elements_sqlite), sql, timeout=2, max_rows=10)
    assert run.status == "refused", run
    assert _sha(elements_sqlite) == before


def test_sqlite_file_opened_read_only(elements_sqlite: str) -> None:
    handle = handle_for(Database("sqlite", path=elements_sqlite))
    handle.conn.set_authorizer(None)  # remove one layer: mode=ro and query_only still hold
    try:
        with pytest.raises(sqlite3.OperationalError):
            handle.conn.execute("DELETE FROM element")
        handle.conn.execute("PRAGMA query_only = 0")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            handle.conn.execute("DELETE FROM element")
    finally:
        handle.conn.execute("PRAGMA query_only = 1")
        from rewardkit.verifiers.sql._engines import _sqlite_authorizer

        handle.conn.set_authorizer(_sqlite_authorizer)


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM element",
        "SELECT 1; DELETE FROM element",
        "ATTACH ':memory:' AS other",
        "INSTALL httpfs",
        "SELECT * FROM read_csv('/etc/passwd')",
    ],
)
def test_duckdb_engine_layer_refuses_without_sqlglot(elements_duckdb: str, sql: str) -> None:
    before = os.stat(elements_duckdb).st_mtime_ns
    run = run_query(Database("duckdb", path=elements_duckdb), sql, timeout=2, max_rows=10)
    assert run.status in ("refused", "error"), run
    assert run.status != "ok"
    assert os.stat(elements_duckdb).st_mtime_ns == before


def test_inline_schema_cannot_attach(build_scorer) -> None:
    # A reference's inline schema is trusted, but still cannot ATTACH a file on the host.
    score = build_scorer()
    result = score(
        "SELECT 1",
        {"sql": "SELECT 1", "schema": "ATTACH DATABASE '/tmp/rk_evil.db' AS e; CREATE TABLE t (a)"},
    )
    assert result.status == "invalid_input"
    assert not os.path.exists("/tmp/rk_evil.db")
