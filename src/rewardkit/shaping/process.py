"""Process (step) rewards: gating on the outcome, PURE min-form credit assignment."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rewardkit.shaping._util import finite, is_finite


def gated_process_reward(process: float, outcome_passed: bool, otherwise: float = 0.0) -> float:
    """A process reward that counts only when the outcome passes.

    ``r = process`` if the outcome reward passed its threshold, else ``otherwise`` (0): step
    rewards cannot pay a policy whose final answer is wrong, which removes the incentive to
    farm easy, well-scored steps without solving the problem.

    Source: gated process rewards as surveyed in REFERENCE.md section 7; Posterior-GRPO
    rewards the reasoning process only for correct outcomes.
    """
    if not is_finite(process):
        return math.nan
    return float(process) if outcome_passed else float(otherwise)


def pure_min_form_credit(step_scores: Sequence[float], temperature: float = 0.1) -> list[float]:
    """PURE min-form credit for step rewards: ``r_k = w_k p_k`` with ``w = softmax(-p / T)``.

    ``p_k`` is the step score (e.g. ``P(+) - P(-)`` of a PRM). Low-scoring steps get almost all
    the weight, so ``sum_k r_k`` approximates ``min_k p_k`` and tends to it as ``T -> 0``.
    Sum-form credit invites hacking (repeat easy, well-scored steps); min-form does not.

    Source: Cheng et al., "Stop Summation: Min-Form Credit Assignment Is All Process Reward
    Model Needs for Reasoning" (arXiv 2504.15275), ``T = 0.1``.

    Returns:
        Per-step credits (``NaN`` for non-finite scores, which get no weight); their sum is a
        weighted mean of the finite scores, so it lies in ``[min p, max p]``.
    """
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    vals = finite(step_scores)
    if not vals:
        return [math.nan] * len(step_scores)
    z = [-p / temperature for p in vals]
    top = max(z)
    exps = [math.exp(v - top) for v in z]
    total = math.fsum(exps)
    weights = iter(e / total for e in exps)
    return [float(p) * next(weights) if is_finite(p) else math.nan for p in step_scores]


def pure_min_form_reward(
    step_scores: Sequence[float], temperature: float = 0.1, empty: float = -1.0
) -> float:
    """Sum of :func:`pure_min_form_credit`: the soft minimum of the step scores.

    An empty (or all non-finite) step list scores ``empty``, -1 by default, as OpenR's step
    aggregation does.

    Source: PURE (arXiv 2504.15275); empty-list convention from OpenR.
    """
    credits = finite(pure_min_form_credit(step_scores, temperature)) if step_scores else []
    if not credits:
        return float(empty)
    vals = finite(step_scores)
    return min(max(math.fsum(credits), min(vals)), max(vals))


__all__ = ["gated_process_reward", "pure_min_form_credit", "pure_min_form_reward"]
