"""Group statistics: GRPO / Dr. GRPO / RLOO advantages, unbiased pass@k, all-equal groups.

A group is the set of responses sampled for one prompt. Trainers compute advantages
themselves; rewardkit computes them for analysis and for trainers that do not. Non-finite
rewards (``NaN`` meaning "not applicable", as in TRL) are left out of the statistics and get a
``NaN`` advantage; every other member still gets a finite one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from rewardkit.shaping._util import finite, is_finite, mean, variance

AdvantageMethod = Literal["grpo", "dr_grpo", "rloo"]


def grpo_advantages(
    rewards: Sequence[float], eps: float = 1e-6, std: Literal["sample", "population"] = "sample"
) -> list[float]:
    """GRPO advantages: ``A_i = (r_i - mean) / (std + eps)`` within the group.

    ``std="sample"`` uses Bessel's correction, as TRL and verl do (``torch.std``); a group of
    one then has no spread and every advantage is 0 (verl instead returns the raw score for a
    group of one). A group whose rewards are all equal gets all zeros.

    Source: Shao et al., "DeepSeekMath" (arXiv 2402.03300), outcome supervision GRPO.
    """
    vals = finite(rewards)
    if not vals:
        return [math.nan] * len(rewards)
    m = mean(vals)
    s = variance(vals, ddof=1 if std == "sample" else 0)
    s = 0.0 if math.isnan(s) else math.sqrt(s)
    return [(float(r) - m) / (s + eps) if is_finite(r) else math.nan for r in rewards]


def dr_grpo_advantages(rewards: Sequence[float]) -> list[float]:
    """Dr. GRPO advantages: ``A_i = r_i - mean`` (no division by the group's std).

    Source: Liu et al., "Understanding R1-Zero-Like Training: A Critical Perspective" (arXiv
    2503.20783), Dr. GRPO.
    """
    vals = finite(rewards)
    if not vals:
        return [math.nan] * len(rewards)
    m = mean(vals)
    return [float(r) - m if is_finite(r) else math.nan for r in rewards]


def rloo_advantages(rewards: Sequence[float]) -> list[float]:
    """RLOO advantages: ``A_i = r_i - mean of the other members`` (0 for a group of one).

    Source: Ahmadian et al., "Back to Basics: Revisiting REINFORCE Style Optimization for
    Learning from Human Feedback in LLMs" (arXiv 2402.14740); Kool et al. (2019).
    """
    vals = finite(rewards)
    n = len(vals)
    if n == 0:
        return [math.nan] * len(rewards)
    # r_i - (sum - r_i) / (n - 1) == n / (n - 1) * (r_i - mean): exact zeros for equal rewards
    m = mean(vals)
    out: list[float] = []
    for r in rewards:
        if not is_finite(r):
            out.append(math.nan)
        elif n == 1:
            out.append(0.0)
        else:
            out.append(n / (n - 1) * (float(r) - m))
    return out


def group_advantages(
    rewards: Sequence[float], method: AdvantageMethod = "grpo", eps: float = 1e-6
) -> list[float]:
    """Advantages by ``method``: ``"grpo"``, ``"dr_grpo"`` or ``"rloo"`` (see each function)."""
    if method == "grpo":
        return grpo_advantages(rewards, eps)
    if method == "dr_grpo":
        return dr_grpo_advantages(rewards)
    if method == "rloo":
        return rloo_advantages(rewards)
    raise ValueError(f"unknown advantage method {method!r}")


def pass_at_k(n: int, c: int, k: int) -> float | None:
    """Unbiased pass@k from ``n`` samples of which ``c`` are correct.

    ``pass@k = 1 - C(n - c, k) / C(n, k)``, computed as a stable product
    ``1 - prod_{i = n-c+1}^{n} (1 - k / i)``. Returns ``None`` when ``k > n`` (not estimable)
    and 1.0 when ``n - c < k``.

    Source: Chen et al., "Evaluating Large Language Models Trained on Code" (arXiv 2107.03374),
    Eq. 1 and its numerically stable form.
    """
    if n < 0 or c < 0 or c > n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if k > n:
        return None
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def all_equal(values: Sequence[float], tol: float = 0.0) -> bool:
    """True when every finite value is within ``tol`` of the others (groups of 0 or 1 included).

    DAPO's dynamic sampling drops such groups (accuracy 0 or 1): their GRPO advantages are all
    zero, so they carry no gradient.

    Source: Yu et al., "DAPO" (arXiv 2503.14476), dynamic sampling.
    """
    vals = finite(values)
    return not vals or max(vals) - min(vals) <= tol


def group_stats(
    rewards: Sequence[float],
    correct: Sequence[bool],
    ks: Sequence[int] = (1,),
) -> dict[str, object]:
    """Summary of one group: size, mean/std of the reward, correct count, pass@k, all-equal flags.

    Returns:
        ``{"size", "n_correct", "accuracy", "mean", "std", "pass@k"..., "all_equal",
        "all_correct_equal"}``; ``all_equal`` looks at the rewards, ``all_correct_equal`` at
        correctness (DAPO filters on accuracy 0 or 1). ``std`` is the sample std (``None`` for
        fewer than two finite rewards).
    """
    vals = finite(rewards)
    n = len(correct)
    c = sum(1 for x in correct if x)
    var = variance(vals, ddof=1)
    out: dict[str, object] = {
        "size": n,
        "n_correct": c,
        "accuracy": c / n if n else None,
        "mean": mean(vals) if vals else None,
        "std": None if math.isnan(var) else math.sqrt(var),
        "all_equal": all_equal(vals),
        "all_correct_equal": c in (0, n),
    }
    for k in ks:
        out[f"pass@{k}"] = pass_at_k(n, c, k)
    return out


__all__ = [
    "AdvantageMethod",
    "all_equal",
    "dr_grpo_advantages",
    "group_advantages",
    "group_stats",
    "grpo_advantages",
    "pass_at_k",
    "rloo_advantages",
]
