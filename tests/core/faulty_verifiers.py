"""Verifiers that misbehave on purpose, for the engine's fault tests.

They live in an importable module so the engine's worker processes can import them.
The response selects the behaviour: ``ok``, ``hang``, ``raise``, ``abort``, ``alloc``,
``exit``, ``invalid``, ``slow:<seconds>`` or ``nested`` (scores another sample with
``rk.score(workers=4)`` from inside the verifier and reports which pool did it).
``meta["calls_file"]`` logs each call.
"""

from __future__ import annotations

import os
import time

import rewardkit as rk


@rk.verifier("test.faulty", description="misbehaves as the response asks (tests only)")
def faulty():
    def run(sample: rk.Sample) -> float | rk.RewardResult:
        calls = sample.meta.get("calls_file")
        if calls:
            with open(calls, "a") as fh:
                fh.write(sample.response + "\n")
        r = sample.response
        if r == "hang":
            while True:
                time.sleep(0.05)
        if r == "spin":
            while True:
                pass
        if r == "raise":
            raise RuntimeError("boom")
        if r == "abort":
            os.abort()
        if r == "exit":
            os._exit(3)
        if r == "alloc":
            block = bytearray(10 * 1024**3)  # 10 GB
            return float(len(block) > 0)
        if r.startswith("slow:"):
            time.sleep(float(r.split(":", 1)[1]))
        if r == "nested":
            spec = {"terms": [{"verifier": "test.len"}]}
            inner = rk.score([rk.Sample(response="ab", reference="")], spec, workers=4)
            children = [p for p in os.listdir("/proc") if p.isdigit() and _is_child(int(p))]
            return rk.RewardResult.ok(1.0, nested_status=inner[0].status, nested_workers=children)
        if r == "invalid":
            raise rk.InvalidInput("cannot read this")
        return 1.0 if r == str(sample.reference) else 0.0

    return run


def _is_child(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1]) == os.getpid()
    except (OSError, ValueError, IndexError):
        return False


@rk.verifier("test.len", description="response length / 10 (tests only)")
def length():
    return lambda s: len(s.response) / 10


@rk.verifier("test.build_fails", description="its factory raises (tests only)")
def build_fails():
    raise RuntimeError("factory exploded")


@rk.verifier("test.inf", description="returns +inf (tests only)")
def returns_inf():
    return lambda s: float("inf")
