"""Compare a predicted result with the gold result, BIRD or Spider style.

* ``bird``: ``set(pred_rows) == set(gold_rows)``; order and duplicates are ignored, column
  order matters, no tolerance (BIRD's ``evaluation.py``; REFERENCE.md section 4).
* ``spider``: rows compared as multisets, in order only when the gold query's outermost query
  has ``ORDER BY``; any permutation of the predicted columns may match the gold columns
  (Spider test-suite evaluation, Zhong et al. 2020, ``result_eq``; REFERENCE.md section 4).
  Candidate permutations are pruned by requiring each predicted column to hold the same
  multiset of values as the gold column it is mapped to, as the test-suite does.

An optional float tolerance applies to both modes: two numbers match when
``math.isclose(a, b, rel_tol=tol, abs_tol=tol)``. With a tolerance, multisets are matched by
sorting both sides and pairing rows in order after grouping rows by their non-numeric cells.

Values are normalised first: ``bool`` to ``int``, ``Decimal`` to ``int``/``float``, NaN to a
marker, bytes-likes to ``bytes``, dates and times to ISO text and nested lists to tuples, so
results from SQLite and DuckDB compare the same way.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Mode = Literal["bird", "spider"]

#: Most column permutations tried in Spider mode before giving up on a match.
MAX_PERMUTATIONS = 5_000

_NAN = ("<NaN>",)


@dataclass(frozen=True)
class Comparison:
    """Result of comparing two results.

    Attributes:
        match: whether the prediction counts as correct.
        reason: ``None`` on a match, else ``column_count_mismatch``, ``row_count_mismatch``,
            ``rows_mismatch`` or ``order_mismatch``.
        permuted: Spider mode: the match needed a column permutation.
    """

    match: bool
    reason: str | None = None
    permuted: bool = False


def normalize_value(value: Any) -> Any:
    """Turn one cell into a hashable value that compares the same across engines."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _NAN if math.isnan(value) else value
    if isinstance(value, Decimal):
        if value.is_nan():
            return _NAN
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return tuple(normalize_value(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), normalize_value(v)) for k, v in value.items()))
    return str(value)


def normalize_rows(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Normalise every cell of every row."""
    return [tuple(normalize_value(v) for v in row) for row in rows]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _cells_close(a: Any, b: Any, tol: float) -> bool:
    if _is_number(a) and _is_number(b):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    return bool(a == b)


def _rows_close(a: tuple[Any, ...], b: tuple[Any, ...], tol: float) -> bool:
    return len(a) == len(b) and all(_cells_close(x, y, tol) for x, y in zip(a, b, strict=True))


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # Numbers first (by value), then everything else by (type name, repr): a total order.
    return tuple((0, float(v), "") if _is_number(v) else (1, 0.0, f"{type(v).__name__}:{v!r}") for v in row)


def _grouped(rows: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[tuple[Any, ...]]]:
    """Rows grouped by their non-numeric cells (numbers masked), each group sorted."""
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        mask = tuple(None if _is_number(v) else ("v", v) for v in row)
        groups.setdefault(mask, []).append(row)
    for group in groups.values():
        group.sort(key=_sort_key)
    return groups


def _dedupe_close(rows: list[tuple[Any, ...]], tol: float) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for row in rows:
        if not out or not _rows_close(out[-1], row, tol):
            out.append(row)
    return out


def _multiset_equal(
    pred: Sequence[tuple[Any, ...]], gold: Sequence[tuple[Any, ...]], tol: float, distinct: bool
) -> bool:
    if tol <= 0:
        if distinct:
            return set(pred) == set(gold)
        return Counter(pred) == Counter(gold)
    gp, gg = _grouped(pred), _grouped(gold)
    if gp.keys() != gg.keys():
        return False
    for key, rows_p in gp.items():
        rows_g = gg[key]
        if distinct:
            rows_p, rows_g = _dedupe_close(rows_p, tol), _dedupe_close(rows_g, tol)
        if len(rows_p) != len(rows_g):
            return False
        if not all(_rows_close(a, b, tol) for a, b in zip(rows_p, rows_g, strict=True)):
            return False
    return True


def _list_equal(pred: Sequence[tuple[Any, ...]], gold: Sequence[tuple[Any, ...]], tol: float) -> bool:
    if len(pred) != len(gold):
        return False
    if tol <= 0:
        return list(pred) == list(gold)
    return all(_rows_close(a, b, tol) for a, b in zip(pred, gold, strict=True))


def _column_signature(rows: Sequence[tuple[Any, ...]], j: int, tol: float) -> Any:
    column = [row[j] for row in rows]
    if tol <= 0:
        return Counter(column)
    return sorted(column, key=lambda v: _sort_key((v,)))


def _signatures_match(a: Any, b: Any, tol: float) -> bool:
    if tol <= 0:
        return bool(a == b)
    return len(a) == len(b) and all(_cells_close(x, y, tol) for x, y in zip(a, b, strict=True))


def _permutations(
    pred: Sequence[tuple[Any, ...]], gold: Sequence[tuple[Any, ...]], tol: float
) -> list[tuple[int, ...]]:
    """Column maps ``perm`` (gold column j <- predicted column perm[j]) worth trying."""
    width = len(gold[0]) if gold else len(pred[0]) if pred else 0
    if not gold:
        return [tuple(range(width))]
    sig_p = [_column_signature(pred, i, tol) for i in range(width)]
    sig_g = [_column_signature(gold, j, tol) for j in range(width)]
    options = [[i for i in range(width) if _signatures_match(sig_p[i], sig_g[j], tol)] for j in range(width)]
    found: list[tuple[int, ...]] = []
    identity = tuple(range(width))

    def extend(prefix: list[int], used: set[int]) -> None:
        if len(found) >= MAX_PERMUTATIONS:
            return
        j = len(prefix)
        if j == width:
            found.append(tuple(prefix))
            return
        for i in options[j]:
            if i not in used:
                prefix.append(i)
                used.add(i)
                extend(prefix, used)
                used.discard(i)
                prefix.pop()

    extend([], set())
    found.sort(key=lambda p: p != identity)  # try the identity first
    return found


def compare_results(
    pred_columns: int,
    pred_rows: Sequence[tuple[Any, ...]],
    gold_columns: int,
    gold_rows: Sequence[tuple[Any, ...]],
    *,
    mode: Mode,
    ordered: bool = False,
    tolerance: float = 0.0,
) -> Comparison:
    """Compare normalised results.

    Args:
        pred_columns: number of predicted columns.
        pred_rows: predicted rows (normalised).
        gold_columns: number of gold columns.
        gold_rows: gold rows (normalised).
        mode: ``"bird"`` or ``"spider"`` (module docstring).
        ordered: Spider mode: the gold query has an outermost ``ORDER BY``.
        tolerance: float tolerance (0 = exact).
    """
    if pred_columns != gold_columns:
        return Comparison(False, "column_count_mismatch")
    if mode == "bird":
        if _multiset_equal(pred_rows, gold_rows, tolerance, distinct=True):
            return Comparison(True)
        return Comparison(False, "rows_mismatch")
    if len(pred_rows) != len(gold_rows):
        return Comparison(False, "row_count_mismatch")
    permutations = _permutations(pred_rows, gold_rows, tolerance)
    if not permutations:
        return Comparison(False, "rows_mismatch")
    same_multiset = False
    identity = tuple(range(gold_columns))
    for perm in itertools.islice(permutations, MAX_PERMUTATIONS):
        rows = pred_rows if perm == identity else [tuple(r[i] for i in perm) for r in pred_rows]
        if not _multiset_equal(rows, gold_rows, tolerance, distinct=False):
            continue
        same_multiset = True
        if not ordered or _list_equal(rows, gold_rows, tolerance):
            return Comparison(True, permuted=perm != identity)
    if same_multiset:
        return Comparison(False, "order_mismatch")
    return Comparison(False, "rows_mismatch")
