"""Reward shaping: length, repetition, format, group statistics, robust aggregation, corrections.

The formulas are pure, typed functions (each docstring cites its source). Specs use them through
``[[shaping]]`` tables, run by :mod:`rewardkit.shaping.stage` after composition; see
docs/shaping.md.
"""

from rewardkit.shaping.format import tag_count_credit
from rewardkit.shaping.groups import (
    all_equal,
    dr_grpo_advantages,
    group_advantages,
    group_stats,
    grpo_advantages,
    pass_at_k,
    rloo_advantages,
)
from rewardkit.shaping.length import (
    cosine_length_reward,
    dapo_overlong_penalty,
    grpo_lambda_rewards,
    grpo_lambda_select,
    kimi_length_rewards,
    l1_exact_reward,
    l1_max_reward,
    soft_overlong_penalty,
)
from rewardkit.shaping.process import gated_process_reward, pure_min_form_credit, pure_min_form_reward
from rewardkit.shaping.repetition import ngram_repetition_penalty
from rewardkit.shaping.robust import (
    ensemble_reward,
    noisy_backward_correction,
    noisy_forward_correction,
    par_reward,
)
from rewardkit.shaping.tokens import measure_length

__all__ = [
    "all_equal",
    "cosine_length_reward",
    "dapo_overlong_penalty",
    "dr_grpo_advantages",
    "ensemble_reward",
    "gated_process_reward",
    "group_advantages",
    "group_stats",
    "grpo_advantages",
    "grpo_lambda_rewards",
    "grpo_lambda_select",
    "kimi_length_rewards",
    "l1_exact_reward",
    "l1_max_reward",
    "measure_length",
    "ngram_repetition_penalty",
    "noisy_backward_correction",
    "noisy_forward_correction",
    "par_reward",
    "pass_at_k",
    "pure_min_form_credit",
    "pure_min_form_reward",
    "rloo_advantages",
    "soft_overlong_penalty",
    "tag_count_credit",
]
