"""Tiny verifiers for the shaping tests.

They live in an importable module so the engine's worker processes can import them.
"""

from __future__ import annotations

from dataclasses import dataclass

import rewardkit as rk


@rk.verifier(
    "test.shape_match", description="1.0 when the reference text occurs in the response (tests only)"
)
def match():
    def run(sample: rk.Sample) -> float:
        if sample.reference is None:
            raise rk.InvalidInput("no reference")
        return 1.0 if str(sample.reference) in sample.response else 0.0

    return run


@dataclass(frozen=True)
class RmOptions:
    member: int = 0


@rk.verifier("test.shape_rm", options=RmOptions, description="meta['rm'][member] (tests only)")
def rm(opts: RmOptions):
    def run(sample: rk.Sample) -> float:
        return float(sample.meta["rm"][opts.member])

    return run


@rk.verifier("test.shape_prm", description="min of meta['steps'], steps in details (tests only)")
def prm():
    def run(sample: rk.Sample) -> rk.RewardResult:
        steps = [float(x) for x in sample.meta.get("steps", [])]
        return rk.RewardResult.ok(min(steps) if steps else 0.0, step_scores=steps)

    return run
