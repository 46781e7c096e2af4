"""Streaming readers and writers for the CLI: JSONL, JSON and Parquet (verl's layout).

Readers yield ``(line_number, row_or_error)``; a row that cannot be read is yielded as a
``ValueError`` in place, so the caller reports it and goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rewardkit._extras import require

Row = dict[str, Any]
RowOrError = tuple[int, "Row | ValueError"]


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
            raise ValueError(f"{path}: invalid JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise ValueError(f"{path}: a JSON input must be a list of rows (or {{'data': [...]}})")
    for n, row in enumerate(data, start=1):
        if isinstance(row, dict):
            yield n, row
        else:
            yield n, ValueError(f"row must be an object, got {type(row).__name__}")


def _read_parquet(path: str) -> Iterator[RowOrError]:
    pq = require("pyarrow.parquet", "parquet")
    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            n += 1
            yield n, row


class RowWriter:
    """Writes output rows as JSONL (``-`` is stdout) or Parquet, in batches."""

    def __init__(self, path: str | None) -> None:
        self.path = path or "-"
        self.fmt = "jsonl"
        if self.path != "-" and Path(self.path).suffix.lower() in (".parquet", ".pq"):
            self.fmt = "parquet"
        elif self.path != "-" and Path(self.path).suffix.lower() not in (".jsonl", ".ndjson", ".json"):
            raise ValueError(f"{self.path}: unknown output format (use .jsonl or .parquet)")
        self._fh: IO[str] | None = None
        self._pq_writer: Any = None

    def write(self, rows: list[Row]) -> None:
        """Append rows."""
        if self.fmt == "jsonl":
            if self._fh is None:
                self._fh = sys.stdout if self.path == "-" else open(self.path, "w")  # noqa: SIM115
            for row in rows:
                self._fh.write(json.dumps(row, ensure_ascii=False, default=repr) + "\n")
            self._fh.flush()
            return
        pa = require("pyarrow", "parquet")
        pq = require("pyarrow.parquet", "parquet")
        flat = [
            {
                **{k: v for k, v in row.items() if k not in ("components", "details")},
                "components": json.dumps(row.get("components"), default=repr),
                "details": json.dumps(row.get("details"), default=repr),
            }
            for row in rows
        ]
        columns = list(dict.fromkeys(k for row in flat for k in row))
        table = pa.Table.from_pylist([{k: row.get(k) for k in columns} for row in flat])
        typed = {
            "reward": pa.float64(),
            "status": pa.string(),
            "components": pa.string(),
            "details": pa.string(),
        }
        for name, typ in typed.items():
            idx = table.schema.get_field_index(name)
            table = table.set_column(idx, name, table.column(name).cast(typ))
        if self._pq_writer is None:
            self._pq_writer = pq.ParquetWriter(self.path, table.schema)
        elif table.schema != self._pq_writer.schema:
            try:
                table = table.cast(self._pq_writer.schema)
            except (pa.ArrowInvalid, ValueError) as exc:
                raise ValueError(f"{self.path}: input rows change their column types: {exc}") from exc
        self._pq_writer.write_table(table)

    def close(self) -> None:
        """Flush and close the output."""
        if self._fh is not None and self._fh is not sys.stdout:
            self._fh.close()
        if self._pq_writer is not None:
            self._pq_writer.close()
