"""Where a sample's gold query and database come from.

The gold SQL is ``sample.reference`` when it is a string, or ``reference["sql"]`` when it is
a mapping (a string holding a JSON object is read as that mapping, for verl's
``ground_truth`` column). The database is the first of:

1. in the reference mapping: ``"db_path"``; or ``"schema"`` (``CREATE`` statements, text or
   list) with ``"rows"`` (``{table: [[...], ...]}`` or ``{table: [{column: value}]}``); or
   ``"db"`` holding a path or such a ``{"schema", "rows"}`` mapping;
2. in ``sample.meta``: ``"db_path"``; ``"db"`` (path or inline mapping); ``"db_id"``, looked
   up under the ``db_root`` option as ``<root>/<id>/<id>.sqlite`` (the Spider/BIRD layout),
   ``<root>/<id>.sqlite``, ``.db``, ``.duckdb`` in that order;
3. the ``db_path`` option.

Relative paths are taken from the ``db_root`` option when set, else from the working
directory. The engine is the ``engine`` option unless it is ``"auto"``; then a reference's or
meta's ``"engine"`` key; then ``duckdb`` for files ending ``.duckdb``/``.ddb`` and ``sqlite``
for everything else (inline databases included).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from rewardkit.core.errors import InvalidInput
from rewardkit.core.types import Sample
from rewardkit.verifiers.sql._engines import Database, Engine, inline_database

_DUCKDB_SUFFIXES = (".duckdb", ".ddb")
_ID_PATTERNS = ("{id}/{id}.sqlite", "{id}.sqlite", "{id}/{id}.db", "{id}.db", "{id}.duckdb")
_MAX_REFERENCE_JSON = 50_000_000


def _reference_mapping(reference: Any) -> tuple[str, Mapping[str, Any]]:
    if isinstance(reference, str):
        text = reference.strip()
        if text.startswith("{") and len(text) < _MAX_REFERENCE_JSON:
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                reference = loaded
            else:
                return reference, {}
        else:
            return reference, {}
    if isinstance(reference, Mapping):
        sql = reference.get("sql", reference.get("query"))
        if not isinstance(sql, str):
            raise InvalidInput("reference mapping has no 'sql' string")
        return sql, reference
    raise InvalidInput(f"reference must be SQL text or a mapping with 'sql', got {type(reference).__name__}")


def _resolve_path(path: str, db_root: str | None) -> str:
    expanded = os.path.expanduser(path)
    if not os.path.isabs(expanded) and db_root:
        expanded = os.path.join(os.path.expanduser(db_root), expanded)
    return os.path.realpath(expanded)


def _pick_engine(path: str | None, hint: Any, option: str) -> Engine:
    if option in ("sqlite", "duckdb"):
        return option  # type: ignore[return-value]
    if hint is not None:
        if hint not in ("sqlite", "duckdb"):
            raise InvalidInput(f"unknown engine {hint!r}; expected 'sqlite' or 'duckdb'")
        return hint  # type: ignore[no-any-return]
    if path is not None and path.lower().endswith(_DUCKDB_SUFFIXES):
        return "duckdb"
    return "sqlite"


def _from_mapping(where: Mapping[str, Any], db_root: str | None) -> tuple[str | None, Any]:
    """``(path, inline_mapping)`` found in ``where`` (either may be ``None``)."""
    path = where.get("db_path")
    if isinstance(path, str) and path:
        return _resolve_path(path, db_root), None
    if "schema" in where:
        return None, where
    db = where.get("db")
    if isinstance(db, str) and db:
        return _resolve_path(db, db_root), None
    if isinstance(db, Mapping):
        if "schema" not in db:
            raise InvalidInput("inline database mapping needs 'schema' (and 'rows')")
        return None, db
    return None, None


def _from_db_id(db_id: Any, db_root: str | None) -> str:
    if not db_root:
        raise InvalidInput(f"sample names db_id={db_id!r} but the 'db_root' option is not set")
    safe = str(db_id)
    # a db_id is a name under db_root, never a path: no separators, no "..", no drive or NUL
    if (
        not safe
        or "/" in safe
        or "\\" in safe
        or "\0" in safe
        or ".." in safe
        or safe == "."
        or os.path.isabs(safe)
        or os.path.splitdrive(safe)[0]
    ):
        raise InvalidInput(f"bad db_id {db_id!r}: a database name under db_root, not a path")
    root = os.path.normpath(os.path.abspath(os.path.expanduser(db_root)))
    for pattern in _ID_PATTERNS:
        candidate = os.path.normpath(os.path.join(root, pattern.format(id=safe)))
        if os.path.commonpath([root, candidate]) != root:  # belt and braces: stays under db_root
            raise InvalidInput(f"bad db_id {db_id!r}: a database name under db_root, not a path")
        if os.path.isfile(candidate):
            return os.path.realpath(candidate)
    raise InvalidInput(f"no database for db_id {safe!r} under the db_root option")


def resolve(sample: Sample, *, db_path: str | None, db_root: str | None, engine: str) -> tuple[str, Database]:
    """Return ``(gold_sql, database)`` for a sample (rules in the module docstring).

    Raises:
        InvalidInput: no gold SQL, no database, or a malformed inline database.
    """
    gold, ref = _reference_mapping(sample.reference)
    if not gold.strip():
        raise InvalidInput("reference SQL is empty")
    meta = sample.meta
    hint = ref.get("engine", meta.get("engine"))
    path, inline = _from_mapping(ref, db_root)
    if path is None and inline is None:
        path, inline = _from_mapping(meta, db_root)
    if path is None and inline is None and meta.get("db_id") is not None:
        path = _from_db_id(meta["db_id"], db_root)
    if path is None and inline is None and db_path:
        path = _resolve_path(db_path, db_root)
    if inline is not None:
        chosen = _pick_engine(None, hint, engine)
        return gold, inline_database(chosen, inline.get("schema"), inline.get("rows"))
    if path is None:
        raise InvalidInput(
            "no database: give reference {'sql', 'db_path'} or {'sql', 'schema', 'rows'}, "
            "meta 'db_path'/'db'/'db_id', or the 'db_path' option"
        )
    if not os.path.isfile(path):
        raise InvalidInput(f"database file not found: {path}")
    return gold, Database(engine=_pick_engine(path, hint, engine), path=path)
