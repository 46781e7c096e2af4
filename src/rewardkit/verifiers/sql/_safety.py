"""Admit only a single read query, checked with sqlglot before anything is executed.

This is the first of three independent layers (the engines add their own: SQLite's authorizer,
``mode=ro``, ``PRAGMA query_only`` and ``SQLITE_LIMIT_ATTACHED = 0``; DuckDB's ``read_only``,
disabled external access and its own statement-type check). A query is admitted when sqlglot
parses the text into exactly one statement whose root is a query (``SELECT``, a set operation
or a parenthesised query) and no node in its tree is a statement that writes, attaches,
changes settings or loads code, and no function in it reads files or loads extensions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from rewardkit._extras import require
from rewardkit.verifiers.sql._extract import MAX_SQL_CHARS

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: Functions refused anywhere in a query, lower case (SQLite and DuckDB).
FORBIDDEN_FUNCTIONS = frozenset(
    {
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
        "fsdir",
        "zipfile",
        "sqlar_compress",
        "sqlar_uncompress",
        "sniff_csv",
        "getenv",
        "query",
        "query_table",
        "delta_scan",
        "iceberg_scan",
        "install",
        "load",
    }
)
#: Function-name prefixes refused (DuckDB's file readers: read_csv, read_parquet, ...).
FORBIDDEN_PREFIXES = ("read_", "parquet_", "iceberg_", "sqlite_scan", "postgres_", "mysql_")

#: sqlglot expression class names that must not appear anywhere in an admitted query.
_FORBIDDEN_NODES = (
    "Insert",
    "Update",
    "Delete",
    "Create",
    "Drop",
    "Alter",
    "Merge",
    "Copy",
    "Attach",
    "Detach",
    "Pragma",
    "Command",
    "Set",
    "Use",
    "Transaction",
    "Commit",
    "Rollback",
    "LoadData",
    "Install",
    "Export",
    "Cache",
    "Uncache",
    "Refresh",
    "Kill",
    "Analyze",
    "Describe",
    "Summarize",
    "Show",
    "TruncateTable",
    "Into",
)


class Refused(Exception):
    """The query was not admitted; ``code`` is a short reason, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CheckedQuery:
    """A query admitted by :func:`check_query`.

    Attributes:
        sql: the text to execute (the input without trailing semicolons).
        tree: the sqlglot expression (read it, never mutate it: it is cached).
        ordered: whether the outermost query has an ``ORDER BY`` (Spider's order rule).
    """

    sql: str
    tree: Any
    ordered: bool


def strip_sql(sql: str) -> str:
    """Strip whitespace and trailing semicolons."""
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


def _function_name(node: Any, exp: Any) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return str(node.sql_name()).lower()
    return None


def check_query(sql: str, dialect: str) -> CheckedQuery:
    """Parse ``sql`` and admit it only when it is a single read query.

    Args:
        sql: query text (at most ``MAX_SQL_CHARS`` characters).
        dialect: sqlglot dialect name (``"sqlite"`` or ``"duckdb"``).

    Raises:
        Refused: with code ``sql_too_long``, ``empty_sql``, ``parse_error``,
            ``multiple_statements``, ``not_a_query``, ``forbidden_statement`` or
            ``forbidden_function``.
    """
    if len(sql) > MAX_SQL_CHARS:
        raise Refused("sql_too_long", f"SQL has {len(sql)} characters, limit {MAX_SQL_CHARS}")
    return _check_cached(strip_sql(sql), dialect)


@functools.lru_cache(maxsize=4096)
def _check_cached(text: str, dialect: str) -> CheckedQuery:
    sqlglot = require("sqlglot", "sql")
    exp = require("sqlglot.expressions", "sql")
    errors = require("sqlglot.errors", "sql")
    if not text:
        raise Refused("empty_sql", "the SQL text is empty")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except (errors.ParseError, errors.TokenError) as exc:
        message = _ANSI.sub("", str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
        raise Refused("parse_error", f"sqlglot could not parse the query: {message}") from None
    except RecursionError:
        raise Refused("parse_error", "query nested too deeply to parse") from None
    if len(statements) != 1:
        raise Refused("multiple_statements", f"expected one statement, found {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise Refused("not_a_query", f"only a read query is run, got {type(tree).__name__}")
    forbidden = tuple(getattr(exp, name) for name in _FORBIDDEN_NODES if hasattr(exp, name))
    for node in tree.walk():
        if isinstance(node, forbidden):
            raise Refused("forbidden_statement", f"{type(node).__name__} is not allowed")
        name = _function_name(node, exp)
        if name and (name in FORBIDDEN_FUNCTIONS or name.startswith(FORBIDDEN_PREFIXES)):
            raise Refused("forbidden_function", f"function {name}() is not allowed")
    root = tree
    while isinstance(root, exp.Subquery):
        root = root.this
    ordered = root.args.get("order") is not None
    return CheckedQuery(sql=text, tree=tree, ordered=ordered)
