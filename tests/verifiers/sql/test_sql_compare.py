"""BIRD (set) and Spider (multiset, ordered under ORDER BY, column permutations) comparison."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from rewardkit.verifiers.sql._compare import compare_results, normalize_rows


def cmp(pred, gold, mode, ordered=False, tol=0.0):
    pred, gold = normalize_rows(pred), normalize_rows(gold)
    width_p = len(pred[0]) if pred else 1
    width_g = len(gold[0]) if gold else 1
    return compare_results(width_p, pred, width_g, gold, mode=mode, ordered=ordered,
                           tolerance=tol)


GOLDEN = [
    # pred, gold, mode, ordered, tol, match, reason
    pytest.param([(1,), (2,)], [(2,), (1,)], "bird", False, 0, True, None, id="bird-order-ignored"),
    pytest.param([(1,), (1,), (2,)], [(1,), (2,)], "bird", False, 0, True, None,
                 id="bird-duplicates-ignored"),
    pytest.param([("a", 1)], [(1, "a")], "bird", False, 0, False, "rows_mismatch",
                 id="bird-column-order-matters"),
    pytest.param([(1.0000001,)], [(1.0,)], "bird", False, 0, False, "rows_mismatch",
                 id="bird-no-tolerance-by-default"),
    pytest.param([(1.0000001,)], [(1.0,)], "bird", False, 1e-6, True, None,
                 id="bird-tolerance-opt-in"),
    pytest.param([(1,)], [(1.0,)], "bird", False, 0, True, None, id="int-equals-float"),
    pytest.param([(1, 2)], [(1,)], "bird", False, 0, False, "column_count_mismatch",
                 id="column-count"),
    pytest.param([(1,), (1,), (2,)], [(1,), (2,)], "spider", False, 0, False,
                 "row_count_mismatch", id="spider-multiset-counts-duplicates"),
    pytest.param([(1,), (2,), (1,)], [(1,), (1,), (2,)], "spider", False, 0, True, None,
                 id="spider-unordered-without-order-by"),
    pytest.param([(2,), (1,)], [(1,), (2,)], "spider", True, 0, False, "order_mismatch",
                 id="spider-order-under-order-by"),
    pytest.param([("a", 1), ("b", 2)], [(1, "a"), (2, "b")], "spider", False, 0, True, None,
                 id="spider-column-permutation"),
    pytest.param([("a", 1), ("b", 2)], [(2, "a"), (1, "b")], "spider", False, 0, False,
                 "rows_mismatch", id="spider-permutation-keeps-rows-together"),
    pytest.param([(1, 1), (2, 2)], [(1, 2), (2, 1)], "spider", False, 0, False, "rows_mismatch",
                 id="spider-same-column-multisets-different-pairing"),
    pytest.param([(3.14159, "x"), (2.71828, "y")], [(2.7183, "y"), (3.1416, "x")], "spider",
                 False, 1e-4, True, None, id="spider-tolerance-unordered"),
    pytest.param([(3.14159, "x"), (2.71828, "y")], [(2.7183, "y"), (3.1416, "x")], "spider",
                 False, 0, False, "rows_mismatch", id="spider-no-tolerance"),
    pytest.param([], [], "spider", True, 0, True, None, id="both-empty"),
    pytest.param([(None,)], [(None,)], "bird", False, 0, True, None, id="null-equals-null"),
    pytest.param([(float("nan"),)], [(float("nan"),)], "bird", False, 0, True, None,
                 id="nan-equals-nan"),
    pytest.param([(True,)], [(1,)], "bird", False, 0, True, None, id="bool-as-int"),
    pytest.param([("1",)], [(1,)], "bird", False, 0, False, "rows_mismatch",
                 id="text-is-not-number"),
]


@pytest.mark.parametrize(("pred", "gold", "mode", "ordered", "tol", "match", "reason"), GOLDEN)
def test_golden(pred, gold, mode, ordered, tol, match, reason) -> None:
    got = cmp(pred, gold, mode, ordered, tol)
    assert (got.match, got.reason) == (match, reason)


def test_engine_types_normalised() -> None:
    # DuckDB returns Decimal, date and list values; SQLite returns int/float/str.
    rows = normalize_rows([(Decimal("2.50"), Decimal("3"), datetime.date(2024, 1, 2), [1, 2])])
    assert rows == [(2.5, 3, "2024-01-02", (1, 2))]


def test_permutation_search_is_bounded() -> None:
    # Ten identical columns: 10! permutations would be tried naively; the search stops.
    gold = [tuple([1] * 10), tuple([2] * 10)]
    pred = [tuple([1] * 9 + [2]), tuple([2] * 9 + [1])]
    assert not cmp(pred, gold, "spider").match
