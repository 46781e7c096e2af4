"""Streaming readers and writers for the CLI: JSONL, JSON and Parquet (verl's layout).

Readers yield ``(line_number, row_or_error)``; a row that cannot be read is yielded as a
``ValueError`` in place, so the caller reports it and goes on. An input that cannot be read at
all raises :class:`InputFileError`.

Output files are written atomically: rows go to a temporary file in the output's directory,
which is renamed over the output only when the run ends (:meth:`RowWriter.close`), so a crash
never leaves a half-written file under the output's name.

Parquet schema policy (Parquet needs one schema for the whole file, while JSON rows may vary):

- ``reward`` is ``double``; ``status``, ``components`` and ``details`` are ``string``
  (``components`` and ``details`` hold JSON text), whatever the input had under those names.
- For Parquet input, every input column keeps the input file's type.
- Any other column gets the one Arrow type that all its non-null values share, across the
  whole file (integers mixed with floats become ``double``; a column with only nulls is
  ``null``). A column whose values have no such type (``5`` on one row and ``"x+1"`` on
  another, a chat list next to a string, structs with different fields, integers too large
  for int64, empty objects) is written as JSON text: every non-null cell is
  ``json.dumps(value)`` (so the string ``x+1`` is stored as ``"x+1"`` with its quotes) and
  null stays null.
- Columns may appear on any row: a column missing from a row is null there.

To apply it across batches without holding the file in memory, Parquet output rows are
spooled to an anonymous temporary file while types are collected, then written in one pass
when the run ends.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rewardkit._extras import require

Row = dict[str, Any]
RowOrError = tuple[int, "Row | ValueError"]
#: Output columns and their Parquet types (``components``/``details`` as JSON text).
RESULT_TYPES = {"reward": "float64", "status": "string", "components": "string", "details": "string"}


class InputFileError(ValueError):
    """The input file as a whole cannot be read (not one row of it: the file)."""


def input_format(path: str) -> str:
    """``jsonl``, ``json`` or ``parquet`` from the file name (``-`` is JSONL on stdin)."""
    if path == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ValueError(f"{path}: unknown input format {suffix!r} (use .jsonl, .json or .parquet)")


def count_rows(path: str) -> int | None:
    """Number of rows, when it can be known cheaply (for the progress bar's ETA)."""
    fmt = input_format(path)
    if path == "-":
        return None
    if fmt == "parquet":
        pq = require("pyarrow.parquet", "parquet")
        return int(pq.ParquetFile(path).metadata.num_rows)
    if fmt == "jsonl":
        with open(path, "rb") as fh:  # blank lines are skipped by the reader, so not counted
            return sum(1 for line in fh if line and not line.isspace())
    return None


def read_rows(path: str) -> Iterator[RowOrError]:
    """Yield ``(line_number, row)`` or ``(line_number, ValueError)`` for every input row."""
    fmt = input_format(path)
    if fmt == "jsonl":
        yield from _read_jsonl(path)
    elif fmt == "json":
        yield from _read_json(path)
    else:
        yield from _read_parquet(path)


def _read_jsonl(path: str) -> Iterator[RowOrError]:
    fh: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    try:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield n, ValueError(f"invalid JSON: {exc}")
                continue
            if not isinstance(row, dict):
                yield n, ValueError(f"row must be a JSON object, got {type(row).__name__}")
                continue
            yield n, row
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def _read_json(path: str) -> Iterator[RowOrError]:
    with open(path, "rb") as fh:
        try:
            data = json.load(fh)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{path}: invalid JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise InputFileError(f"{path}: a JSON input must be a list of rows (or {{'data': [...]}})")
    for n, row in enumerate(data, start=1):
        if isinstance(row, dict):
            yield n, row
        else:
            yield n, ValueError(f"row must be an object, got {type(row).__name__}")


def _read_parquet(path: str) -> Iterator[RowOrError]:
    pq = require("pyarrow.parquet", "parquet")
    n = 0
    batches = pq.ParquetFile(path).iter_batches(batch_size=1024)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise InputFileError(f"{path}: cannot read Parquet after row {n}: {exc}") from exc
        for row in batch.to_pylist():
            n += 1
            yield n, row


def input_schema(path: str) -> Any:
    """The Arrow schema of a Parquet input (``None`` for JSON and JSONL)."""
    if path == "-" or input_format(path) != "parquet":
        return None
    pq = require("pyarrow.parquet", "parquet")
    return pq.ParquetFile(path).schema_arrow


_JSON = "json"  # marker: the column is written as JSON text


class RowWriter:
    """Writes output rows as JSONL (``-`` is stdout) or Parquet, atomically.

    Args:
        path: output file (``.jsonl``/``.ndjson``/``.json`` for JSONL, ``.parquet``/``.pq``),
            ``None`` or ``-`` for stdout.
        schema: the input's Arrow schema (Parquet input), whose column types the output keeps.

    Raises:
        ValueError: unknown output format.
        OSError: the output's directory does not exist or is not writable (raised here, before
            anything is scored).
    """

    def __init__(self, path: str | None, schema: Any = None) -> None:
        self.path = path or "-"
        self.fmt = "jsonl"
        suffix = Path(self.path).suffix.lower()
        if self.path != "-" and suffix in (".parquet", ".pq"):
            self.fmt = "parquet"
            require("pyarrow", "parquet")
        elif self.path != "-" and suffix not in (".jsonl", ".ndjson", ".json"):
            raise ValueError(f"{self.path}: unknown output format (use .jsonl or .parquet)")
        self._hint: dict[str, Any] = {}
        if schema is not None:
            self._hint = {f.name: f.type for f in schema}
        self._columns: dict[str, None] = dict.fromkeys(self._hint)  # ordered set
        self._types: dict[str, Any] = {}  # column -> Arrow type, _JSON, or None (only nulls)
        self._rows = 0
        self._tmp: str | None = None
        self._fh: IO[str] | None = None
        self._spool: IO[bytes] | None = None
        if self.path == "-":
            self._fh = sys.stdout
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"{self.path}: output directory {directory} does not exist")
        fd, self._tmp = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(self.path)}.", suffix=".partial"
        )
        if self.fmt == "jsonl":
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
        else:
            os.close(fd)
            self._spool = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed in close()

    def write(self, rows: list[Row]) -> None:
        """Append rows."""
        if not rows:
            return
        self._rows += len(rows)
        if self._fh is not None:
            for row in rows:
                self._fh.write(json.dumps(row, ensure_ascii=False, default=repr) + "\n")
            self._fh.flush()
            return
        assert self._spool is not None
        flat = [
            {
                **row,
                "components": _json_or_none(row.get("components")),
                "details": _json_or_none(row.get("details")),
            }
            for row in rows
        ]
        for row in flat:
            for key in row:
                if key not in self._columns:
                    self._columns[key] = None
        for column in self._columns:
            if column in RESULT_TYPES or self._types.get(column) is _JSON:
                continue
            values = [row.get(column) for row in flat]
            self._types[column] = _merge(self._types.get(column), _infer(values, self._hint.get(column)))
        pickle.dump(flat, self._spool, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        """Finish the output and move it into place (an empty input gives an empty file)."""
        try:
            if self._fh is not None and self._fh is not sys.stdout:
                self._fh.close()
                self._fh = None
            elif self._fh is sys.stdout:
                self._fh.flush()
            if self._spool is not None:
                self._write_parquet()
            if self._tmp is not None:
                mask = os.umask(0)
                os.umask(mask)
                os.chmod(self._tmp, 0o666 & ~mask)
                os.replace(self._tmp, self.path)
                self._tmp = None
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop the output: nothing (more) is written under the output's name."""
        if self._fh is not None and self._fh is not sys.stdout:
            self._fh.close()
        self._fh = None
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None

    def schema(self) -> Any:
        """The Arrow schema of the Parquet output, by the policy in the module docstring."""
        pa = require("pyarrow", "parquet")
        fields = []
        columns = list(self._columns)
        columns += [c for c in RESULT_TYPES if c not in self._columns]
        for column in columns:
            if column in RESULT_TYPES:
                typ = getattr(pa, RESULT_TYPES[column])()
            else:
                found = self._types.get(column)
                typ = pa.string() if found is _JSON else (pa.null() if found is None else found)
            fields.append(pa.field(column, typ))
        return pa.schema(fields)

    def _write_parquet(self) -> None:
        pa = require("pyarrow", "parquet")
        pq = require("pyarrow.parquet", "parquet")
        assert self._spool is not None and self._tmp is not None
        for column, typ in list(self._types.items()):
            if typ is not None and typ is not _JSON and not _parquet_can_write(column, typ):
                self._types[column] = _JSON
        schema = self.schema()
        with pq.ParquetWriter(self._tmp, schema) as writer:
            if not self._rows:
                writer.write_table(schema.empty_table())
                return
            self._spool.seek(0)
            while True:
                try:
                    flat = pickle.load(self._spool)
                except EOFError:
                    break
                arrays = []
                for field in schema:
                    values = [row.get(field.name) for row in flat]
                    if self._types.get(field.name) is _JSON:
                        values = [_json_or_none(v) for v in values]
                    arrays.append(pa.array(values, type=field.type))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=repr)


def _infer(values: list[Any], hint: Any) -> Any:
    """The Arrow type of one batch's values (``hint`` when they fit it); ``_JSON`` when none fits."""
    pa = require("pyarrow", "parquet")
    try:
        if hint is not None:
            pa.array(values, type=hint)
            return hint
        return pa.array(values).type
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return _JSON


def _merge(seen: Any, new: Any) -> Any:
    """Combine a column's type so far with one batch's: equal types stay, int+float is float."""
    pa = require("pyarrow", "parquet")
    if new is _JSON or seen is _JSON:
        return _JSON
    if new is None or pa.types.is_null(new):
        return seen
    if seen is None or seen == new:
        return new
    if {str(seen), str(new)} == {"int64", "double"}:
        return pa.float64()
    return _JSON


def _parquet_can_write(column: str, typ: Any) -> bool:
    """Whether Parquet stores ``typ`` (it cannot store a struct without fields, e.g. ``{}``)."""
    pa = require("pyarrow", "parquet")
    pq = require("pyarrow.parquet", "parquet")
    try:
        pq.write_table(pa.table({column: pa.array([None], type=typ)}), io.BytesIO())
    except (pa.ArrowException, TypeError, ValueError):
        return False
    return True
