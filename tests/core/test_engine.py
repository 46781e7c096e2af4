"""Engine fault tests (issue 2 point 4): every failure gets its own status, nothing else is lost.

Guards against: one degenerate sample hanging a whole run (verl PR #6673), crashes turning into
reward 0.0 (verifiers' Rubric), SIGALRM timeouts failing outside the main thread (Math-Verify #50).
"""

import asyncio
import os
import threading
import time

import faulty_verifiers  # noqa: F401  registers test.faulty / test.len
import pytest

import rewardkit as rk
from rewardkit.core.engine import DEFAULT_TIMEOUT

BAD = ["hang", "spin", "raise", "abort", "alloc", "exit", "invalid"]
EXPECTED = {
    "hang": ("timeout", "deadline"),
    "spin": ("timeout", "deadline"),
    "raise": ("error", "RuntimeError: boom"),
    "abort": ("error", "SIGABRT"),
    "alloc": ("error", "MemoryError"),
    "exit": ("error", "exited with code 3"),
    "invalid": ("invalid_input", "cannot read this"),
}


def _mixed():
    responses = []
    for bad in BAD:
        responses += ["ok", bad, "no"]
    return [rk.Sample(response=r, reference="ok") for r in responses]


def _check(samples, results):
    assert len(results) == len(samples)
    for s, r in zip(samples, results, strict=True):
        if s.response == "ok":
            assert (r.status, r.value) == ("ok", 1.0)
        elif s.response == "no":
            assert (r.status, r.value) == ("ok", 0.0)
        else:
            status, reason = EXPECTED[s.response]
            assert r.status == status and r.value is None, (s.response, r)
            assert reason in r.reason


def test_every_fault_gets_its_status_and_others_are_scored():
    samples = _mixed()
    start = time.monotonic()
    results = rk.score(samples, spec="test.faulty", workers=2, timeout=1.5)
    elapsed = time.monotonic() - start
    _check(samples, results)
    # two hanging samples on two workers: bounded by the deadline, not by the bad samples
    assert elapsed < 1.5 * 2 + 30


def test_pool_recovers_after_faults():
    results = rk.score([rk.Sample(response="ok", reference="ok")] * 10, spec="test.faulty", workers=2)
    assert [r.value for r in results] == [1.0] * 10


def test_from_worker_thread():
    samples = _mixed()
    out = {}
    t = threading.Thread(
        target=lambda: out.setdefault("r", rk.score(samples, spec="test.faulty", workers=2, timeout=1.5))
    )
    t.start()
    t.join(120)
    _check(samples, out["r"])


def test_from_running_event_loop():
    samples = _mixed()

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        results = await rk.ascore(samples, spec="test.faulty", workers=2, timeout=1.5)
        # sync score from inside a coroutine works too
        sync_results = rk.score(samples[:3], spec="test.faulty", workers=2, timeout=1.5)
        task.cancel()
        return results, sync_results, ticks

    results, sync_results, ticks = asyncio.run(main())
    _check(samples, results)
    assert [r.value for r in sync_results] == [1.0, None, 0.0]
    assert ticks > 5  # the loop kept running while scoring


def test_no_sigalrm_handler_installed():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    rk.score([rk.Sample(response="hang", reference="ok")], spec="test.faulty", workers=1, timeout=0.5)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_identical_work_done_once(tmp_path):
    calls = tmp_path / "calls.txt"
    meta = {"calls_file": str(calls)}
    samples = [rk.Sample(response="ok", reference="ok", meta={**meta, "group_id": i}) for i in range(20)]
    samples += [rk.Sample(response="no", reference="ok", meta=meta)] * 5
    results = rk.score(samples, spec="test.faulty", workers=2)
    assert [r.value for r in results] == [1.0] * 20 + [0.0] * 5
    assert sorted(calls.read_text().split()) == ["no", "ok"]
    results[0].details["x"] = 1  # de-duplicated results do not share dicts
    assert "x" not in results[1].details


def test_order_kept_under_parallelism():
    samples = [rk.Sample(response="x" * i, reference="") for i in range(200)]
    results = rk.score(samples, spec="test.len", workers=2)
    assert [r.value for r in results] == [i / 10 for i in range(200)]


def test_inline_mode_and_bad_samples():
    results = rk.score(
        [{"response": "ok", "reference": "ok"}, {"response": 5}, {"nope": 1}], spec="test.faulty", workers=0
    )
    assert results[0].value == 1.0
    assert results[1].status == "invalid_input" and "response" in results[1].reason
    assert results[2].status == "invalid_input" and "unknown Sample field" in results[2].reason


def test_on_error_policies():
    samples = [rk.Sample(response="raise", reference="ok"), rk.Sample(response="ok", reference="ok")]
    spec = {"terms": [{"verifier": "test.faulty"}, {"verifier": "test.len", "weight": 0.5}]}
    none = rk.score(samples, spec={**spec, "on_error": "none"}, workers=1)
    assert (
        none[0].status == "error"
        and none[0].value is None
        and none[0].details["failed_term"] == "test.faulty"
    )
    assert none[0].components == {"test.len": 0.5}
    zero = rk.score(samples, spec={**spec, "on_error": "zero"}, workers=1)
    assert zero[0].status == "ok" and zero[0].value == pytest.approx(0.25)
    assert zero[0].details["errors"]["test.faulty"]["status"] == "error"
    with pytest.raises(rk.RewardError, match="sample 0: error"):
        rk.score(samples, spec={**spec, "on_error": "raise"}, workers=1)


def test_gate_counts_terms_only_when_condition_holds():
    spec = {
        "terms": [{"verifier": "test.faulty"}, {"verifier": "test.len", "weight": 1.0}],
        "gate": {"when": "test.faulty >= 1", "terms": ["test.len"]},
    }
    right, wrong = rk.score(
        [rk.Sample(response="ok", reference="ok"), rk.Sample(response="no", reference="ok")],
        spec=spec,
        workers=1,
    )
    assert right.value == pytest.approx(1.2) and wrong.value == 0.0
    assert wrong.details["gated_off"] == ["test.len"] and wrong.components["test.len"] == pytest.approx(0.2)


def test_verifier_defined_in_function_needs_inline_mode():
    @rk.verifier("test.local")
    def local():
        return lambda s: 1.0

    with pytest.raises(ValueError, match="defined inside a function"):
        rk.score([rk.Sample(response="a")], spec="test.local", workers=1)
    assert rk.score([rk.Sample(response="a")], spec="test.local", workers=0)[0].value == 1.0


def test_score_iter_streams_in_order():
    gen = rk.score_iter(
        ({"response": "x" * (i % 7)} for i in range(50)), spec="test.len", batch_size=8, workers=2
    )
    assert [r.value for r in gen] == [(i % 7) / 10 for i in range(50)]


def test_default_timeout_documented():
    assert DEFAULT_TIMEOUT == 30.0
    assert os.cpu_count()
