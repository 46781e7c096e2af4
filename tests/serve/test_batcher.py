"""Request merging: concurrent jobs of one spec share an engine call; errors stay per request."""

from __future__ import annotations

import threading

import pytest

import rewardkit as rk
from rewardkit.core.spec import load_spec
from rewardkit.serve._batcher import Batcher

SPEC = load_spec("test.faulty")


def fake_score(calls):
    def run(samples, spec, timeout):
        calls.append((len(samples), spec.on_error))
        return rk.score(samples, spec, workers=0)

    return run


def sample(response, reference=None):
    return rk.Sample(response=response, reference=reference)


def test_waiting_jobs_of_one_spec_are_merged_in_order():
    calls = []
    b = Batcher(fake_score(calls), max_batch=100)
    futures = [b.submit([sample(str(i), str(i)), sample("x", str(i))], SPEC, 5.0) for i in range(5)]
    b.drain(futures[0])
    assert calls == [(10, "none")]
    for f in futures:
        assert [r.value for r in f.result()] == [1.0, 0.0]


def test_max_batch_and_different_specs_split_calls():
    calls = []
    b = Batcher(fake_score(calls), max_batch=4)
    other = load_spec("test.len")
    f1 = b.submit([sample("a")] * 3, SPEC, 5.0)
    f2 = b.submit([sample("b")] * 3, SPEC, 5.0)  # would pass max_batch with f1
    f3 = b.submit([sample("c")], other, 5.0)
    f4 = b.submit([sample("d")], SPEC, 5.0)  # merged with f1
    b.drain(f3)
    assert [n for n, _ in calls] == [4, 3, 1]
    assert all(f.done() for f in (f1, f2, f3, f4))
    assert f3.result()[0].value == pytest.approx(0.1)


def test_shaping_specs_are_never_merged():
    spec = load_spec({"terms": [{"verifier": "test.faulty"}], "shaping": [{"kind": "group.stats"}]})
    calls = []
    b = Batcher(fake_score(calls), max_batch=100)
    f1 = b.submit([sample("a", "a")], spec, 5.0)
    f2 = b.submit([sample("a", "a")], spec, 5.0)
    b.drain(f2)
    assert [n for n, _ in calls] == [1, 1] and f1.done()


def test_on_error_raise_fails_only_the_request_with_the_failure():
    spec = load_spec({"on_error": "raise", "terms": [{"verifier": "test.faulty"}]})
    calls = []
    b = Batcher(fake_score(calls), max_batch=100)
    good = b.submit([sample("a", "a")], spec, 5.0)
    bad = b.submit([sample("a", "a"), sample("raise")], spec, 5.0)
    b.drain(bad)
    assert calls == [(3, "none")]  # scored once, as "none"
    assert good.result()[0].value == 1.0
    with pytest.raises(rk.RewardError) as info:
        bad.result()
    assert info.value.index == 1 and "boom" in info.value.reason


def test_engine_exception_reaches_every_merged_request():
    def broken(samples, spec, timeout):
        raise RuntimeError("pool down")

    b = Batcher(broken, max_batch=100)
    futures = [b.submit([sample("a")], SPEC, 5.0) for _ in range(3)]
    b.drain(futures[-1])
    for f in futures:
        with pytest.raises(RuntimeError, match="pool down"):
            f.result()


def test_many_threads_each_get_their_own_results():
    calls = []
    b = Batcher(fake_score(calls), max_batch=1000)
    out = {}

    def client(i):
        f = b.submit([sample(f"{i}-{k}", f"{i}-{k}") for k in range(3)] + [sample("no", "yes")], SPEC, 5.0)
        b.drain(f)
        out[i] = [r.value for r in f.result()]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert out == {i: [1.0, 1.0, 1.0, 0.0] for i in range(16)}
    assert len(calls) <= 16
