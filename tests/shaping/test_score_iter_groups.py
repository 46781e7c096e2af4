"""rk.score_iter keeps each shaping group in one batch, as `rewardkit score` does."""

from __future__ import annotations

import warnings

import pytest
import shaping_verifiers  # noqa: F401  (registers test.shape_* verifiers)

import rewardkit as rk

SPEC = {
    "name": "t",
    "terms": [{"verifier": "test.shape_match", "name": "acc"}],
    "shaping": [{"kind": "group.stats"}],
}


def rows(groups: int, size: int, by: str) -> list[rk.Sample]:
    out = []
    for g in range(groups):
        for k in range(size):
            meta = {"group_id": f"g{g}"} if by == "group_id" else {}
            prompt = "same prompt" if by == "group_id" else f"q{g}"
            out.append(rk.Sample(prompt=prompt, response="42" if k else "no", reference="42", meta=meta))
    return out


@pytest.mark.parametrize("by", ["group_id", "prompt"])
def test_score_iter_does_not_split_a_group_across_batches(by):
    """Regression: batch_size=4 with groups of 3 used to cut groups 2 and 3 (stats on 1-2 samples)."""
    samples = rows(3, 3, by)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = list(rk.score_iter(iter(samples), SPEC, batch_size=4, workers=0))
    want = rk.score(samples, SPEC, workers=0)
    assert [r.details["group"]["size"] for r in got] == [3] * 9
    assert [r.value for r in got] == [r.value for r in want]
    assert [r.details["group"] for r in got] == [r.details["group"] for r in want]  # n_correct, advantages...


def test_score_iter_without_shaping_keeps_fixed_batches():
    sizes = []
    got = list(
        rk.score_iter(
            rows(3, 3, "group_id"),
            {"name": "t", "terms": [{"verifier": "test.shape_match"}]},
            batch_size=4,
            workers=0,
            progress=lambda done, total: sizes.append((done, total)),
        )
    )
    assert [r.value for r in got] == [0.0, 1.0, 1.0] * 3
    assert {t for _, t in sizes} == {-1} and sizes[-1][0] == 9


def test_score_iter_warns_once_when_a_group_is_not_contiguous():
    a = rows(1, 2, "prompt")
    b = [rk.Sample(prompt="other", response="42", reference="42")] * 2
    with pytest.warns(RuntimeWarning, match="already scored in an earlier batch") as caught:
        got = list(rk.score_iter(a + b + a, SPEC, batch_size=2, workers=0))
    assert len(caught) == 1
    assert [r.details["group"]["size"] for r in got] == [2, 2, 2, 2, 2, 2]


def test_score_iter_reports_an_unreadable_sample_in_place():
    samples = [*rows(1, 2, "prompt"), {"response": 3}, *rows(1, 1, "prompt")]
    got = list(rk.score_iter(samples, SPEC, batch_size=1, workers=0))
    assert [r.status for r in got] == ["ok", "ok", "invalid_input", "ok"]
    assert [r.details["group"]["size"] for r in got if r.status == "ok"] == [3, 3, 3]
