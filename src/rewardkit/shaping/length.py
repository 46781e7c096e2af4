"""Length shaping: overlong penalties, cosine-scaled, Kimi k1.5, L1 and GRPO-lambda rewards.

Every function is pure and typed. Lengths are whatever unit the caller measured (tokens when a
tokenizer is configured, else characters); the formulas do not care. A non-finite length
(``NaN``, ``inf``) gives ``NaN`` for that sample and is left out of group statistics, so one bad
input never raises and never changes the other samples' values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rewardkit.shaping._util import clip, is_finite


def dapo_overlong_penalty(
    length: float, max_len: float = 20480, buffer: float = 4096, factor: float = 1.0
) -> float:
    """DAPO overlong penalty in verl's form, added to the reward.

    ``r = min(-(L - (L_max - B)) / B * factor, 0)``: zero up to ``L_max - B``, then a linear
    ramp that reaches ``-factor`` at ``L_max`` and keeps falling beyond it (verl does not clamp).

    Source: Yu et al., "DAPO: An Open-Source LLM Reinforcement Learning System at Scale"
    (arXiv 2503.14476), overlong reward shaping; verl's DAPO reward manager
    (``overlong_buffer.len``, ``overlong_buffer.penalty_factor``). Defaults: the DAPO recipe
    (``L_max = 20480``, ``B = 4096``, factor 1.0).

    Args:
        length: response length.
        max_len: ``L_max``, the generation limit.
        buffer: ``B``, the soft buffer before ``L_max``.
        factor: penalty at ``L = L_max``.

    Returns:
        A value ``<= 0`` (``NaN`` for a non-finite length).
    """
    if not is_finite(length):
        return math.nan
    if buffer <= 0:
        raise ValueError("buffer must be positive")
    expected = max_len - buffer
    return min(-(length - expected) / buffer * factor, 0.0)


def soft_overlong_penalty(length: float, max_len: float = 16384, cache: float = 4096) -> float:
    """Soft overlong punishment (DAPO Eq. 13 as open-r1 implements it), in ``[-1, 0]``.

    ``0`` if ``L <= L_max - C``; ``(L_max - C - L) / C`` inside the cache; ``-1`` beyond ``L_max``.

    Source: DAPO (arXiv 2503.14476) Eq. 13; open-r1 ``get_soft_overlong_punishment`` (defaults
    ``max_completion_len = 16384``, ``soft_punish_cache = 4096``).

    Args:
        length: response length.
        max_len: ``L_max``.
        cache: ``C``, the width of the linear ramp.
    """
    if not is_finite(length):
        return math.nan
    if cache <= 0:
        raise ValueError("cache must be positive")
    start = max_len - cache
    if length <= start:
        return 0.0
    if length <= max_len:
        return (start - length) / cache
    return -1.0


def cosine_length_reward(
    length: float,
    correct: bool,
    max_len: float = 1000,
    min_value_wrong: float = -1.0,
    max_value_wrong: float = -0.5,
    min_value_correct: float = 0.5,
    max_value_correct: float = 1.0,
) -> float:
    """Cosine-scaled length reward: short correct answers earn most, short wrong ones lose most.

    ``r = lo + 0.5 (hi - lo) (1 + cos(pi L / L_max))`` with ``(lo, hi) = (min_correct,
    max_correct)`` for a correct answer and ``(max_wrong, min_wrong)`` (swapped) for a wrong one.
    ``L`` is clipped to ``[0, L_max]``: open-r1 does not clip, so past ``L_max`` its cosine turns
    back up and a very long answer is rewarded again (a defect guarded by the tests).

    Source: Yeo et al., "Demystifying Long Chain-of-Thought Reasoning in LLMs" (arXiv
    2502.03373), cosine reward; open-r1 ``get_cosine_scaled_reward`` (defaults used here).

    Returns:
        A value in ``[min_value_correct, max_value_correct]`` when correct, in
        ``[min_value_wrong, max_value_wrong]`` when wrong (``NaN`` for a non-finite length).
    """
    if not is_finite(length):
        return math.nan
    if max_len <= 0:
        raise ValueError("max_len must be positive")
    progress = clip(float(length), 0.0, float(max_len)) / max_len
    cosine = math.cos(progress * math.pi)
    if correct:
        lo, hi = min_value_correct, max_value_correct
    else:
        lo, hi = max_value_wrong, min_value_wrong
    value = lo + 0.5 * (hi - lo) * (1.0 + cosine)
    # cos(pi) is not exactly -1 in floating point; keep the promised bounds exact.
    return clip(value, min(lo, hi), max(lo, hi))


def kimi_length_rewards(lengths: Sequence[float], correct: Sequence[bool]) -> list[float]:
    """Kimi k1.5 length reward over one group of responses to the same prompt.

    ``lambda_i = 0.5 - (L_i - L_min) / (L_max - L_min)``; a correct response gets ``lambda_i``,
    a wrong one ``min(0, lambda_i)``. All lengths equal (including a group of one) gives 0 for
    everyone, as in the source. Non-finite lengths get ``NaN`` and do not set ``L_min``/``L_max``.

    Source: Kimi Team, "Kimi k1.5: Scaling Reinforcement Learning with LLMs" (arXiv
    2501.12599), length penalty; open-r1 ``len_reward``.

    Returns:
        One value per response, each in ``[-0.5, 0.5]``.
    """
    if len(lengths) != len(correct):
        raise ValueError("lengths and correct must have the same size")
    valid = [float(x) for x in lengths if is_finite(x)]
    if not valid:
        return [math.nan] * len(lengths)
    lo, hi = min(valid), max(valid)
    out: list[float] = []
    for length, ok in zip(lengths, correct, strict=True):
        if not is_finite(length):
            out.append(math.nan)
        elif hi == lo:
            out.append(0.0)
        else:
            lam = 0.5 - (float(length) - lo) / (hi - lo)
            out.append(lam if ok else min(0.0, lam))
    return out


def l1_exact_reward(length: float, target: float, correct: bool, alpha: float = 0.0003) -> float:
    """L1 LCPO-Exact: ``r = 1[correct] - alpha |n_target - n_y|``.

    Source: Aggarwal & Welleck, "L1: Controlling How Long A Reasoning Model Thinks With
    Reinforcement Learning" (arXiv 2503.04697), LCPO-Exact, ``alpha = 0.0003``.

    Args:
        length: ``n_y``, the response length.
        target: ``n_target``, the length the prompt asked for.
        correct: whether the answer is right.
        alpha: penalty per unit of length deviation.
    """
    if not (is_finite(length) and is_finite(target)):
        return math.nan
    return float(bool(correct)) - alpha * abs(float(target) - float(length))


def l1_max_reward(
    length: float, target: float, correct: bool, alpha: float = 0.0003, delta: float = 0.5
) -> float:
    """L1 LCPO-Max: ``r = 1[correct] * clip(alpha (n_target - n_y) + delta, 0, 1)``.

    A wrong answer always gets 0, so it can never outscore a right one; a right one within
    budget gets at least ``delta``.

    Source: Aggarwal & Welleck, L1 (arXiv 2503.04697), LCPO-Max, ``alpha = 0.0003``,
    ``delta = 0.5``.

    Returns:
        A value in ``[0, 1]`` (``NaN`` for non-finite inputs).
    """
    if not (is_finite(length) and is_finite(target)):
        return math.nan
    if not correct:
        return 0.0
    return clip(alpha * (float(target) - float(length)) + delta, 0.0, 1.0)


def grpo_lambda_select(
    ratios: Sequence[float], top_fraction: float | None = None, min_ratio: float = 0.5
) -> list[bool]:
    """Which groups get the length penalty under GRPO-lambda.

    GRPO-lambda monitors each group's correctness ratio; groups with a high ratio keep the
    length penalty, the others fall back to plain 0/1 rewards. The paper ranks the groups of a
    batch by ratio and penalizes the top ``lambda`` fraction (``top_fraction``); the simpler
    per-group rule penalizes groups whose ratio is at least ``min_ratio``. A group with ratio 0
    (no correct answer) is never penalized. Ties at the cut are all selected.

    Source: Dai, Liu & Si, "Stable Reinforcement Learning for Efficient Reasoning" (arXiv
    2505.18086), GRPO-lambda. ``min_ratio = 0.5`` is rewardkit's default, not the paper's.

    Args:
        ratios: correctness ratio of each group, in ``[0, 1]``.
        top_fraction: when set, select the top ``ceil(top_fraction * n_groups)`` groups by ratio.
        min_ratio: otherwise, select groups with ``ratio >= min_ratio``.
    """
    n = len(ratios)
    if top_fraction is None:
        return [is_finite(r) and r > 0 and r >= min_ratio for r in ratios]
    k = math.ceil(clip(top_fraction, 0.0, 1.0) * n)
    if k == 0:
        return [False] * n
    ranked = sorted((r for r in ratios if is_finite(r)), reverse=True)
    if not ranked:
        return [False] * n
    cut = ranked[min(k, len(ranked)) - 1]
    return [is_finite(r) and r > 0 and r >= cut for r in ratios]


def grpo_lambda_rewards(lengths: Sequence[float], correct: Sequence[bool], penalize: bool) -> list[float]:
    """GRPO-lambda reward of one group: 0/1, plus the Kimi length term when the group is selected.

    ``r_i = 1[correct_i] + kimi_i`` when ``penalize`` (see :func:`grpo_lambda_select`), else
    ``r_i = 1[correct_i]``. Because the Kimi term lies in ``[-0.5, 0.5]`` and is ``<= 0`` for a
    wrong answer, a right answer always scores at least 0.5 and a wrong one at most 0.

    Source: Dai, Liu & Si (arXiv 2505.18086) switch between the length-penalized reward and
    0/1; the length term is Kimi k1.5's (arXiv 2501.12599).
    """
    base = [float(bool(c)) for c in correct]
    if not penalize:
        return [b if is_finite(x) else math.nan for b, x in zip(base, lengths, strict=True)]
    extra = kimi_length_rewards(lengths, correct)
    return [b + e for b, e in zip(base, extra, strict=True)]


__all__ = [
    "cosine_length_reward",
    "dapo_overlong_penalty",
    "grpo_lambda_rewards",
    "grpo_lambda_select",
    "kimi_length_rewards",
    "l1_exact_reward",
    "l1_max_reward",
    "soft_overlong_penalty",
]
