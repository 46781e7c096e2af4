"""Schema linking for the opt-in partial rewards.

Reasoning-SQL (Pourreza et al. 2025, arXiv 2503.23157) adds partial rewards to execution
match: a syntax reward and a schema-linking overlap computed with sqlglot. REFERENCE.md
section 4 records how both are gamed (``SELECT 1`` earns the syntax reward; naming extra tables
raises recall) and the fix used here: the partial terms are gated on execution and the overlap
is an F1, so every extra table or column lowers precision.

Schema items are ``table:<name>`` for every base table a query reads and ``column:<t>.<c>`` for
every column it references, resolved against the database's schema (aliases and unqualified
names are resolved to the tables in the query that have them; ``*`` and ``t.*`` in a
projection stand for every column of the tables they cover). CTE names are not tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardkit._extras import require


def schema_items(tree: Any, schema: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """The tables and columns a parsed query uses, as ``table:t`` and ``column:t.c`` items.

    Args:
        tree: a sqlglot expression (not modified).
        schema: ``{table: columns}`` in lower case.
    """
    exp = require("sqlglot.expressions", "sql")
    ctes = {str(c.alias_or_name).lower() for c in tree.find_all(exp.CTE)}
    aliases: dict[str, str] = {}
    tables: set[str] = set()
    for table in tree.find_all(exp.Table):
        name = str(table.name).lower()
        if not name or name in ctes or name not in schema:
            continue
        tables.add(name)
        aliases[str(table.alias_or_name).lower()] = name
        aliases[name] = name
    items = {f"table:{t}" for t in tables}

    def add_columns(table: str, columns: tuple[str, ...]) -> None:
        items.update(f"column:{table}.{c}" for c in columns)

    for column in tree.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            owner = aliases.get(str(column.table).lower())
            if owner:
                add_columns(owner, schema[owner])
            continue
        name = str(column.name).lower()
        qualifier = str(column.table).lower()
        if qualifier:
            owner = aliases.get(qualifier)
            if owner and name in schema[owner]:
                items.add(f"column:{owner}.{name}")
            continue
        for table in tables:
            if name in schema[table]:
                items.add(f"column:{table}.{name}")
    for select in tree.find_all(exp.Select):
        if any(isinstance(e, exp.Star) for e in select.expressions):
            for table in select.find_all(exp.Table):
                owner = aliases.get(str(table.alias_or_name).lower())
                if owner:
                    add_columns(owner, schema[owner])
    return frozenset(items)


def f1(predicted: frozenset[str], gold: frozenset[str]) -> float:
    """F1 of two item sets: ``2 P R / (P + R)`` with P = |pred & gold| / |pred|, R over gold.

    The standard F-measure (van Rijsbergen 1979); REFERENCE.md section 4 asks for F1 rather
    than recall so that naming extra schema items cannot raise the score.
    """
    if not predicted or not gold:
        return 0.0
    common = len(predicted & gold)
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(gold)
    return 2 * precision * recall / (precision + recall)
