"""The math verifier never hangs and never raises (issue 3 point 6).

Every input below has hung, crashed or blown up a math grader somewhere: Math-Verify 0.9.0 hangs
forever on #65 (its own timeout does not fire: sympy evaluates the power tower while printing or
comparing it), power towers and factorials that sympy expands into gigantic integers, deeply
nested braces (recursive parsers), a 1 MB response and 10,000 ``\\boxed{}``. Each must come back
with a result (any status) from every place a trainer calls us: the main thread (the verifier's
callable and ``rk.score(..., workers=0)``), a worker thread, a running asyncio event loop
(``rk.ascore`` and ``rk.score`` inside a coroutine) and the engine's worker pool (status ``ok``,
``timeout`` or ``invalid_input`` within the deadline plus slack).

Bounds are generous wall-clock limits (pytest-timeout, ``join(timeout)``), never speed asserts.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from typing import Any

import pytest

import rewardkit as rk
from rewardkit.core.errors import InvalidInput
from rewardkit.core.registry import coerce_result, get_verifier

#: The math verifier alone, default options.
SPEC: dict[str, Any] = {"terms": [{"verifier": "math", "options": {}}]}
#: Generous bound for one inline call: only a hang comes near it.
INLINE_BOUND_S = 60
#: Hard per-sample deadline for the pool test, and slack for worker start-up and replacement.
POOL_DEADLINE_S = 5.0
POOL_SLACK_S = 90.0

_MV65 = r"\boxed{\dfrac{5^{\left(5^{\left(5^{\left(5^5\right)}\right)} - 4\right)} - 5}{16}}"
_MV65_GARBAGE = (
    "{@Neillier 1276915 4951077 ник增高人权 국 {1,1-3-10鼓励不停);5个_GENERAL2全校。 _HEADERS1 Orchestra}"
)
_DEPTH = 10_000

#: name -> (response, reference, value required if the status is ok, or None: any value;
#: what the case guards)
CASES: dict[str, tuple[str, str, float | None, str]] = {
    "mv65_tower_response": (_MV65, "1", 0.0, "Math-Verify #65 hang (power tower in a fraction)"),
    "mv65_tower_both": (_MV65, _MV65[len("\\boxed{") : -1], None, "Math-Verify #65 hang, as gold too"),
    "mv65_garbage": (_MV65_GARBAGE, "92.5857658508735", 0.0, "Math-Verify #65 second report"),
    "tower10_response": (r"\boxed{10^{10^{10}}}", "1", 0.0, "10^{10^{10}} expanded to an integer"),
    "tower10_both": (r"\boxed{10^{10^{10}}}", "10^{10^{10}} + 1", 0.0, "10^{10^{10}} vs +1"),
    "factorial_both": (r"\boxed{1000!}", "999!", 0.0, "1000! vs 999! (Math-Verify #14 tolerance)"),
    "factorial_boxed_reference": (r"\boxed{1000!}", r"\boxed{999!}", 0.0, "1000! vs boxed 999!"),
    "factorial_reference": (r"\boxed{2}", "1000!", 0.0, "1000! as the reference"),
    "tower2_reference": (r"\boxed{2}", "2^{2^{2^{100}}}", 0.0, "2^{2^{2^{100}}} as the reference"),
    "tower2_both": (r"\boxed{2^{2^{2^{100}}}}", "2^{2^{2^{100}}} + 1", 0.0, "2^{2^{2^{100}}} vs +1"),
    "tower2_vs_factorial": (r"\boxed{2^{2^{2^{100}}}}", "1000!", 0.0, "tower vs factorial"),
    "huge_variable_power": (r"\boxed{x^{99999999}}", "x", 0.0, "x^{99999999} at a test point (audit)"),
    "infinite_sum": (
        r"\boxed{\sum_{n=1}^{\infty} 1/n^2}",
        r"\pi^2/6",
        None,
        "evalf of an infinite sum ran past 100 s (audit)",
    ),
    "nested_braces": (
        "\\boxed{" + "{" * _DEPTH + "1" + "}" * _DEPTH + "}",
        "1",
        None,
        "10,000 nested braces (recursive descent parsers)",
    ),
    "nested_parens": (
        "\\boxed{" + "\\left(" * _DEPTH + "1" + "\\right)" * _DEPTH + "}",
        "1",
        None,
        "10,000 nested \\left( \\right)",
    ),
    "nested_fracs": (
        "\\boxed{" + "\\frac{1}{" * 2_000 + "2" + "}" * 2_000 + "}",
        "1",
        None,
        "2,000 nested \\frac",
    ),
    "one_mb_text": (
        "Let us think step by step. " * 40_000 + r"\boxed{42}",
        "42",
        None,
        "1 MB response (input size cap)",
    ),
    "one_mb_expression": ("\\boxed{" + "1+" * 500_000 + "1}", "2", 0.0, "1 MB expression in one box"),
    "ten_thousand_boxes_same": (r"\boxed{1} " * 10_000, "1", None, "10,000 \\boxed{} (same answer)"),
    "ten_thousand_boxes_distinct": (
        " ".join(f"\\boxed{{{i}}}" for i in range(10_000)),
        "5000",
        None,
        "10,000 \\boxed{} (hedging over every candidate)",
    ),
}
NAMES = list(CASES)


def _sample(name: str) -> rk.Sample:
    response, reference, _, _ = CASES[name]
    return rk.Sample(prompt="", response=response, reference=reference)


def _check(name: str, result: rk.RewardResult) -> None:
    """A well-formed result: ok with a value in [0, 1] (the required one if any), else a reason."""
    assert isinstance(result, rk.RewardResult), (name, type(result))
    required = CASES[name][2]
    if result.status == "ok":
        assert result.value is not None and 0.0 <= result.value <= 1.0, (name, result)
        if required is not None:
            assert result.value == required, (name, CASES[name][3], result)
    else:
        assert result.status in ("timeout", "error", "invalid_input"), (name, result)
        assert result.value is None and result.reason, (name, result)


def _call_verifier(name: str) -> rk.RewardResult:
    """The verifier's own callable; ``InvalidInput`` is its documented way to refuse an input."""
    fn = get_verifier("math").build({})
    try:
        out = fn(_sample(name))
    except InvalidInput as exc:
        return rk.RewardResult.fail("invalid_input", str(exc) or "invalid input")
    return coerce_result(out)


def _in_thread(target: Any, bound: float) -> Any:
    """Run ``target()`` in a worker thread; fail with the thread's stack if it is not back in time."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = target()
        except BaseException as exc:  # reported below, with its traceback
            out["error"] = "".join(traceback.format_exception(exc))

    t = threading.Thread(target=run, daemon=True, name="never-stuck")
    t.start()
    t.join(bound)
    if t.is_alive():
        frame = sys._current_frames().get(t.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(no frame)"
        pytest.fail(f"still running after {bound} s in a worker thread; its stack:\n{stack}")
    assert "error" not in out, out.get("error")
    return out["value"]


@pytest.mark.timeout(INLINE_BOUND_S)
@pytest.mark.parametrize("name", NAMES)
def test_verifier_callable_main_thread(name: str) -> None:
    """The verifier's callable in the main thread returns on each pathological input (no SIGALRM
    tricks needed by the caller; guards Math-Verify #65 and its relatives, see CASES)."""
    _check(name, _call_verifier(name))


@pytest.mark.timeout(INLINE_BOUND_S)
@pytest.mark.parametrize("name", NAMES)
def test_score_inline_main_thread(name: str) -> None:
    """``rk.score(workers=0)`` in the main thread returns a result for each pathological input."""
    results = rk.score([_sample(name)], spec=SPEC, workers=0)
    assert len(results) == 1
    _check(name, results[0])


@pytest.mark.timeout(2 * INLINE_BOUND_S + 30)
@pytest.mark.parametrize("name", NAMES)
def test_worker_thread(name: str) -> None:
    """From a worker thread (where signal-based timeouts fail, Math-Verify #50): the callable and
    ``rk.score(workers=0)`` both return."""
    _check(name, _in_thread(lambda: _call_verifier(name), INLINE_BOUND_S))
    results = _in_thread(lambda: rk.score([_sample(name)], spec=SPEC, workers=0), INLINE_BOUND_S)
    _check(name, results[0])


@pytest.mark.timeout(2 * INLINE_BOUND_S + 30)
@pytest.mark.parametrize("name", NAMES)
def test_running_event_loop(name: str) -> None:
    """Inside a running asyncio loop in the main thread (async trainers, the reward server):
    ``await rk.ascore`` and a plain ``rk.score`` in a coroutine both return, and the loop keeps
    running during ``ascore``."""

    async def main() -> tuple[list[rk.RewardResult], list[rk.RewardResult], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0.02)
        async_results = await asyncio.wait_for(
            rk.ascore([_sample(name)], spec=SPEC, workers=0), INLINE_BOUND_S
        )
        seen = ticks
        sync_results = rk.score([_sample(name)], spec=SPEC, workers=0)
        task.cancel()
        return async_results, sync_results, seen

    async_results, sync_results, ticks = asyncio.run(main())
    _check(name, async_results[0])
    _check(name, sync_results[0])
    assert ticks >= 1


@pytest.mark.timeout(len(CASES) * POOL_DEADLINE_S + 2 * POOL_SLACK_S)
def test_worker_pool_deadline() -> None:
    """Through the engine's pool with a hard deadline: every pathological input gets ``ok``,
    ``timeout`` or ``invalid_input`` (never a dead worker or a crash), within the deadline per
    sample plus slack, and the pool still scores a plain sample afterwards."""
    samples = [_sample(n) for n in NAMES]
    start = time.monotonic()
    results = rk.score(samples, spec=SPEC, workers=2, timeout=POOL_DEADLINE_S)
    elapsed = time.monotonic() - start
    assert len(results) == len(samples)
    for name, result in zip(NAMES, results, strict=True):
        _check(name, result)
        assert result.status in ("ok", "timeout", "invalid_input"), (name, result)
    # two workers: at worst every sample runs to its deadline, half of them on each worker
    assert elapsed < len(samples) * POOL_DEADLINE_S / 2 + POOL_SLACK_S
    after = rk.score([rk.Sample(response=r"\boxed{4}", reference="4")], spec=SPEC, workers=2)
    assert (after[0].status, after[0].value) == ("ok", 1.0)
