"""Verifiers that misbehave on purpose, for the engine's fault tests.

They live in an importable module so the engine's worker processes can import them.
The response selects the behaviour: ``ok``, ``hang``, ``raise``, ``abort``, ``alloc``,
``exit``, ``invalid`` or ``slow:<seconds>``. ``meta["calls_file"]`` logs each call.
"""

from __future__ import annotations

import os
import time

import rewardkit as rk


@rk.verifier("test.faulty", description="misbehaves as the response asks (tests only)")
def faulty():
    def run(sample: rk.Sample) -> float:
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
        if r == "invalid":
            raise rk.InvalidInput("cannot read this")
        return 1.0 if r == str(sample.reference) else 0.0

    return run


@rk.verifier("test.len", description="response length / 10 (tests only)")
def length():
    return lambda s: len(s.response) / 10
