"""Regressions: deeply nested sample fields and unpicklable units never fail a whole batch."""

from __future__ import annotations

import threading

import rewardkit as rk
from rewardkit.core.types import MAX_NESTING, nesting_depth


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_depth_is_iterative_and_capped() -> None:
    assert nesting_depth("a") == 0
    assert nesting_depth([]) == 1
    assert nesting_depth({"a": [1, {"b": 2}]}) == 3
    assert nesting_depth(_nested(5000)) == MAX_NESTING + 1  # no RecursionError


def test_deep_reference_or_meta_is_invalid_input_not_a_batch_failure() -> None:
    """H1: a reference/meta nested ~900 lists deep made pickling for the worker raise
    RecursionError, so every sample merged with it failed; now that sample alone is
    invalid_input with a reason naming the field, and the others are scored."""
    samples = [
        rk.Sample(response="\\boxed{2}", reference="2"),
        rk.Sample(response="\\boxed{2}", reference=_nested(900)),
        rk.Sample(response="\\boxed{2}", reference="2", meta={"k": _nested(700)}),
        rk.Sample(prompt=[{"role": "user", "content": _nested(200)}], response="\\boxed{2}", reference="2"),
        rk.Sample(response="\\boxed{3}", reference="2", meta={"k": _nested(MAX_NESTING - 1)}),
    ]
    results = rk.score(samples, "math", workers=1, timeout=20)
    assert results[0].status == "ok" and results[0].value == 1.0
    assert results[1].status == "invalid_input" and "reference" in (results[1].reason or "")
    assert results[2].status == "invalid_input" and "meta" in (results[2].reason or "")
    assert results[3].status == "invalid_input" and "prompt" in (results[3].reason or "")
    assert results[4].status == "ok" and results[4].value == 0.0


def test_deep_reference_inline_too() -> None:
    """H1: the limit holds for workers=0 as well (every caller goes through the engine)."""
    results = rk.score([rk.Sample(response="1", reference=_nested(900))], "math", workers=0)
    assert results[0].status == "invalid_input"


def test_unpicklable_unit_is_an_error_for_that_unit_only() -> None:
    """H1: the pool's send pickled a whole chunk at once, so one unit that does not pickle
    raised for the batch; now it becomes an `error` result for that unit alone."""
    samples = [rk.Sample(response=f"\\boxed{{{i}}}", reference=str(i)) for i in range(6)]
    samples.insert(3, rk.Sample(response="\\boxed{1}", reference="1", meta={"lock": threading.Lock()}))
    results = rk.score(samples, "math", workers=1, timeout=20)
    assert results[3].status == "error" and "worker" in (results[3].reason or "")
    assert [r.value for i, r in enumerate(results) if i != 3] == [1.0] * 6
