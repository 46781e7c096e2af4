"""Hand-computed values for every shaping formula (REFERENCE.md section 7 and the cited sources)."""

from __future__ import annotations

import math

import pytest

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

approx = pytest.approx


# ----------------------------------------------------------------- length


@pytest.mark.parametrize(
    ("length", "factor", "expected"),
    [
        (0, 1.0, 0.0),
        (16384, 1.0, 0.0),  # L_max - B: the ramp starts here
        (18432, 1.0, -0.5),  # halfway through the 4096 buffer
        (20480, 1.0, -1.0),  # at L_max: -factor
        (22528, 1.0, -1.5),  # verl does not clamp past L_max
        (18432, 0.5, -0.25),
    ],
)
def test_dapo_overlong_penalty(length, factor, expected):
    assert dapo_overlong_penalty(length, 20480, 4096, factor) == approx(expected)


@pytest.mark.parametrize(
    ("length", "expected"),
    [(0, 0.0), (12288, 0.0), (14336, -0.5), (16384, -1.0), (16385, -1.0), (10**9, -1.0)],
)
def test_soft_overlong_penalty_open_r1_defaults(length, expected):
    assert soft_overlong_penalty(length) == approx(expected)


@pytest.mark.parametrize(
    ("length", "correct", "expected"),
    [
        (0, True, 1.0),
        (500, True, 0.75),  # 0.5 + 0.5 * 0.5 * (1 + cos(pi/2))
        (1000, True, 0.5),
        (0, False, -1.0),  # short wrong answers are penalized most
        (500, False, -0.75),
        (1000, False, -0.5),
    ],
)
def test_cosine_length_reward_open_r1_defaults(length, correct, expected):
    assert cosine_length_reward(length, correct) == approx(expected)


def test_cosine_clips_length_past_max_len():
    """Anchor defect (open-r1): without clipping, cos(2 pi) = 1 pays a 2x-overlong answer in full."""
    assert cosine_length_reward(2000, True, max_len=1000) == approx(0.5)
    assert cosine_length_reward(2000, False, max_len=1000) == approx(-0.5)
    assert cosine_length_reward(10**7, True, max_len=1000) == approx(0.5)


def test_kimi_length_rewards():
    # lambda = 0.5 - (L - 10) / 20 -> [0.5, 0.0, -0.5]
    assert kimi_length_rewards([10, 20, 30], [True, True, False]) == approx([0.5, 0.0, -0.5])
    # a short wrong answer gets min(0, 0.5) = 0, not a bonus
    assert kimi_length_rewards([10, 30], [False, True]) == approx([0.0, -0.5])


def test_kimi_degenerate_groups():
    assert kimi_length_rewards([7, 7, 7], [True, False, True]) == [0.0, 0.0, 0.0]
    assert kimi_length_rewards([5], [True]) == [0.0]
    assert kimi_length_rewards([], []) == []
    out = kimi_length_rewards([10, math.nan, 30], [True, True, True])
    assert out[0] == approx(0.5) and math.isnan(out[1]) and out[2] == approx(-0.5)


def test_l1_exact():
    assert l1_exact_reward(1200, 1000, True) == approx(1 - 0.0003 * 200)
    assert l1_exact_reward(800, 1000, True) == approx(0.94)
    assert l1_exact_reward(1200, 1000, False) == approx(-0.06)


def test_l1_max():
    assert l1_max_reward(1200, 1000, True) == approx(0.44)  # 0.0003 * -200 + 0.5
    assert l1_max_reward(0, 2000, True) == approx(1.0)  # 1.1 clipped
    assert l1_max_reward(10_000, 1000, True) == approx(0.0)  # -2.2 clipped
    assert l1_max_reward(10, 1000, False) == 0.0


def test_grpo_lambda_select():
    ratios = [0.25, 0.75, 1.0, 0.0]
    assert grpo_lambda_select(ratios, min_ratio=0.5) == [False, True, True, False]
    assert grpo_lambda_select(ratios, top_fraction=0.25) == [False, False, True, False]
    assert grpo_lambda_select(ratios, top_fraction=0.5) == [False, True, True, False]
    # a group without a correct answer never gets the length penalty, even when selected by rank
    assert grpo_lambda_select([0.0, 0.0], top_fraction=1.0) == [False, False]
    assert grpo_lambda_select([], top_fraction=0.5) == []


def test_grpo_lambda_rewards():
    assert grpo_lambda_rewards([10, 20, 30], [True, True, False], True) == approx([1.5, 1.0, -0.5])
    assert grpo_lambda_rewards([10, 20, 30], [True, True, False], False) == [1.0, 1.0, 0.0]


# ----------------------------------------------------------------- repetition and format


def test_ngram_repetition_penalty():
    # 3-grams of "a b c a b c": abc bca cab abc -> 3 unique of 4
    assert ngram_repetition_penalty("a b c a b c") == approx(-0.25)
    assert ngram_repetition_penalty("A b C a B c") == approx(-0.25)  # lower-cased words
    assert ngram_repetition_penalty("a b c d e") == 0.0
    assert ngram_repetition_penalty("a b") == 0.0
    assert ngram_repetition_penalty("") == 0.0
    assert ngram_repetition_penalty("x x x x x x", ngram_size=1, max_penalty=-0.5) == approx(-0.5 * 5 / 6)


def test_tag_count_credit():
    full = "<think>\nwork\n</think>\n<answer>\n42\n</answer>"
    assert tag_count_credit(full) == 1.0
    assert tag_count_credit("<think>\n" + full) == 0.75  # a repeated tag earns nothing
    assert tag_count_credit("<think>\nonly thinking") == 0.25
    assert tag_count_credit("plain") == 0.0


def test_tag_stuffing_does_not_pay():
    """Exploit: repeating every tag many times must not beat the well-formed response."""
    stuffed = "<think>\n\n</think>\n<answer>\n\n</answer>" * 10
    assert tag_count_credit(stuffed) == 0.0


# ----------------------------------------------------------------- robust


def test_par_reward():
    assert par_reward(1.0, [1.0]) == approx(0.5)
    assert par_reward(1.0, [0.0]) == approx(1 / (1 + math.exp(-1)))
    assert par_reward(1.0, [0.0, 2.0]) == approx(0.5)  # (sigmoid(1) + sigmoid(-1)) / 2
    assert par_reward(1e6, [0.0]) == approx(1.0)  # bounded: a hacked RM score saturates
    assert math.isnan(par_reward(1.0, []))


def test_ensemble_reward():
    assert ensemble_reward([1.0, 2.0, 3.0], "mean") == approx(2.0)
    assert ensemble_reward([1.0, 2.0, 3.0], "wco") == 1.0
    assert ensemble_reward([1.0, 2.0, 3.0], "uwo", lam=0.5) == approx(2.0 - 0.5 * 2 / 3)
    assert ensemble_reward([4.0], "uwo") == 4.0
    assert math.isnan(ensemble_reward([], "mean"))


def test_noisy_backward_correction():
    assert noisy_backward_correction(1.0, 0.1, 0.2) == approx(0.9 / 0.7)
    assert noisy_backward_correction(0.0, 0.1, 0.2) == approx(-0.1 / 0.7)
    assert noisy_backward_correction(1.0, 0.0, 0.0) == 1.0
    # unbiased: E[R_hat | right] = (1 - rho1) * R_hat(1) + rho1 * R_hat(0) = 1
    r1, r0 = noisy_backward_correction(1.0, 0.1, 0.2), noisy_backward_correction(0.0, 0.1, 0.2)
    assert 0.8 * r1 + 0.2 * r0 == approx(1.0)
    assert 0.1 * r1 + 0.9 * r0 == approx(0.0)
    with pytest.raises(ValueError, match="rho0 \\+ rho1"):
        noisy_backward_correction(1.0, 0.5, 0.5)


def test_noisy_forward_correction():
    # q = 1/4, rho1 = 0.2: posterior = 0.2 * 0.25 / (0.8 * 0.75) = 1/12
    out = noisy_forward_correction([True, False, False, False], 0.2)
    assert out == approx([1.0, 1 / 12, 1 / 12, 1 / 12])
    assert sum(out) / 4 == approx(0.25 / 0.8)  # the de-noised pass rate
    assert noisy_forward_correction([False, False], 0.3) == [0.0, 0.0]
    assert noisy_forward_correction([True, True], 0.3) == [1.0, 1.0]
    assert noisy_forward_correction([], 0.3) == []
    assert noisy_forward_correction([True, False], 0.0) == [1.0, 0.0]


# ----------------------------------------------------------------- process


def test_gated_process_reward():
    assert gated_process_reward(0.7, True) == 0.7
    assert gated_process_reward(0.7, False) == 0.0
    assert gated_process_reward(0.7, False, otherwise=-0.1) == -0.1


def test_pure_min_form_credit():
    assert pure_min_form_credit([0.5, 0.5]) == approx([0.25, 0.25])
    e = math.exp(-20)
    credit = pure_min_form_credit([1.0, -1.0], temperature=0.1)
    assert credit == approx([e / (1 + e), -1 / (1 + e)])
    assert pure_min_form_reward([1.0, -1.0]) == approx((e - 1) / (1 + e))


def test_pure_resists_step_repetition():
    """Exploit (sum-form PRM credit): repeating an easy, high-scoring step raises the sum, not the min."""
    honest = [0.9, -0.8]
    padded = [0.9] * 20 + [-0.8]
    assert sum(padded) > sum(honest)
    assert pure_min_form_reward(padded) == approx(pure_min_form_reward(honest), abs=1e-3)
    assert pure_min_form_reward(padded) < 0


def test_pure_empty_steps():
    assert pure_min_form_reward([]) == -1.0
    assert pure_min_form_reward([], empty=0.0) == 0.0
    assert pure_min_form_reward([math.nan]) == -1.0


# ----------------------------------------------------------------- groups


def test_grpo_advantages():
    adv = grpo_advantages([1.0, 0.0, 0.0, 1.0])
    s = math.sqrt(1 / 3)  # sample std of [1, 0, 0, 1]
    a = 0.5 / (s + 1e-6)
    assert adv == approx([a, -a, -a, a])
    pop = grpo_advantages([1.0, 0.0], std="population")
    assert pop == approx([0.5 / (0.5 + 1e-6), -0.5 / (0.5 + 1e-6)])


def test_dr_grpo_and_rloo_advantages():
    assert dr_grpo_advantages([1.0, 0.0, 0.0, 1.0]) == approx([0.5, -0.5, -0.5, 0.5])
    assert rloo_advantages([1.0, 0.0, 0.0]) == approx([1.0, -0.5, -0.5])
    assert group_advantages([2.0, 4.0], "rloo") == approx([-2.0, 2.0])


def test_advantages_degenerate_groups():
    for method in ("grpo", "dr_grpo", "rloo"):
        assert group_advantages([0.7], method) == [0.0]
        assert group_advantages([1.0, 1.0, 1.0], method) == [0.0, 0.0, 0.0]
        assert group_advantages([], method) == []
        out = group_advantages([1.0, math.nan, 0.0], method)
        assert math.isnan(out[1]) and out[0] > 0 > out[2]


def test_pass_at_k():
    assert pass_at_k(4, 1, 2) == approx(0.5)  # 1 - C(3,2)/C(4,2)
    assert pass_at_k(5, 2, 2) == approx(0.7)  # 1 - C(3,2)/C(5,2)
    assert pass_at_k(10, 3, 1) == approx(0.3)
    assert pass_at_k(4, 0, 2) == 0.0
    assert pass_at_k(4, 3, 2) == 1.0  # n - c < k
    assert pass_at_k(2, 1, 4) is None  # k > n: not estimable


def test_all_equal_and_group_stats():
    assert all_equal([1.0, 1.0]) and all_equal([]) and all_equal([0.3])
    assert not all_equal([1.0, 0.0])
    stats = group_stats([1.0, 0.0, 0.0, 1.0], [True, False, False, True], ks=(1, 2, 8))
    assert stats["size"] == 4 and stats["n_correct"] == 2 and stats["accuracy"] == 0.5
    assert stats["mean"] == 0.5 and stats["std"] == approx(math.sqrt(1 / 3))
    assert stats["pass@1"] == approx(0.5) and stats["pass@2"] == approx(1 - 1 / 6)
    assert stats["pass@8"] is None
    assert stats["all_equal"] is False and stats["all_correct_equal"] is False
    solo = group_stats([1.0], [True])
    assert solo["std"] is None and solo["all_equal"] is True and solo["all_correct_equal"] is True
