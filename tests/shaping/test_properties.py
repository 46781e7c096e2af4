"""Property tests (hypothesis) for the shaping invariants.

- ordering: where a formula promises it, shaping never lifts a wrong answer's reward above a
  right one's in the same group;
- bounds: bounded formulas stay in their bounds for any input;
- degenerate groups (size 1, all equal, NaN input) give defined results, never exceptions.
"""

from __future__ import annotations

import math

import shaping_verifiers  # noqa: F401  (registers shape.match)
from hypothesis import given, settings
from hypothesis import strategies as st

import rewardkit as rk
from rewardkit.shaping.format import tag_count_credit
from rewardkit.shaping.groups import group_advantages, group_stats, pass_at_k
from rewardkit.shaping.length import (
    cosine_length_reward,
    grpo_lambda_rewards,
    grpo_lambda_select,
    kimi_length_rewards,
    l1_max_reward,
    soft_overlong_penalty,
)
from rewardkit.shaping.process import pure_min_form_credit, pure_min_form_reward
from rewardkit.shaping.repetition import ngram_repetition_penalty
from rewardkit.shaping.robust import (
    ensemble_reward,
    noisy_backward_correction,
    noisy_forward_correction,
    par_reward,
)

settings.register_profile("shaping", max_examples=150, deadline=None)
settings.load_profile("shaping")

lengths = st.integers(min_value=0, max_value=200_000)
reals = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
group = st.lists(st.tuples(lengths, st.booleans()), min_size=1, max_size=16)
maybe_nan = st.one_of(reals, st.just(math.nan))


def _ordered(values: list[float], correct: list[bool]) -> bool:
    right = [v for v, c in zip(values, correct, strict=True) if c and not math.isnan(v)]
    wrong = [v for v, c in zip(values, correct, strict=True) if not c and not math.isnan(v)]
    return not right or not wrong or min(right) >= max(wrong)


# ----------------------------------------------------------------- ordering within a group


@given(group, st.integers(min_value=1, max_value=100_000))
def test_cosine_never_ranks_wrong_above_right(members, max_len):
    values = [cosine_length_reward(n, ok, max_len) for n, ok in members]
    assert _ordered(values, [ok for _, ok in members])


@given(group)
def test_accuracy_plus_kimi_never_ranks_wrong_above_right(members):
    lens, ok = [n for n, _ in members], [c for _, c in members]
    values = [float(c) + k for c, k in zip(ok, kimi_length_rewards(lens, ok), strict=True)]
    assert _ordered(values, ok)


@given(group, st.booleans())
def test_grpo_lambda_never_ranks_wrong_above_right(members, penalize):
    lens, ok = [n for n, _ in members], [c for _, c in members]
    assert _ordered(grpo_lambda_rewards(lens, ok, penalize), ok)


@given(group, st.integers(min_value=0, max_value=100_000))
def test_l1_max_never_ranks_wrong_above_right(members, target):
    values = [l1_max_reward(n, target, ok) for n, ok in members]
    assert _ordered(values, [ok for _, ok in members])


@given(group, st.integers(min_value=1, max_value=50_000), st.integers(min_value=1, max_value=50_000))
def test_accuracy_plus_soft_overlong_never_ranks_wrong_above_right(members, max_len, cache):
    """Exploit guard: an overlong penalty must not make a short wrong answer beat a right one."""
    values = [float(ok) + soft_overlong_penalty(n, max_len + cache, cache) for n, ok in members]
    assert _ordered(values, [ok for _, ok in members])


@given(st.lists(st.booleans(), min_size=1, max_size=32), st.floats(min_value=0, max_value=0.49))
def test_noisy_corrections_keep_accepted_above_rejected(observed, rho):
    fwd = noisy_forward_correction(observed, rho)
    assert _ordered(fwd, observed)
    bwd = [noisy_backward_correction(float(o), rho / 2, rho) for o in observed]
    assert _ordered(bwd, observed)


@given(reals, reals, st.lists(reals, min_size=1, max_size=8))
def test_par_keeps_order_within_a_prompt(a, b, refs):
    if a <= b:
        assert par_reward(a, refs) <= par_reward(b, refs)


@given(st.lists(reals, min_size=1, max_size=32))
def test_advantages_keep_order(rewards):
    for method in ("grpo", "dr_grpo", "rloo"):
        adv = group_advantages(rewards, method)
        for i in range(len(rewards)):
            for j in range(len(rewards)):
                if rewards[i] < rewards[j]:
                    assert adv[i] <= adv[j]


# ----------------------------------------------------------------- bounds


@given(lengths, st.booleans(), st.integers(min_value=1, max_value=100_000))
def test_cosine_bounds(n, ok, max_len):
    v = cosine_length_reward(n, ok, max_len)
    assert (0.5 <= v <= 1.0) if ok else (-1.0 <= v <= -0.5)


@given(lengths, st.integers(min_value=1, max_value=100_000), st.integers(min_value=1, max_value=100_000))
def test_soft_overlong_bounds(n, max_len, cache):
    assert -1.0 <= soft_overlong_penalty(n, max_len + cache, cache) <= 0.0


@given(group)
def test_kimi_bounds(members):
    vals = kimi_length_rewards([n for n, _ in members], [c for _, c in members])
    for v, (_, ok) in zip(vals, members, strict=True):
        assert -0.5 <= v <= 0.5
        if not ok:
            assert v <= 0.0


@given(lengths, lengths, st.booleans())
def test_l1_max_bounds(n, target, ok):
    assert 0.0 <= l1_max_reward(n, target, ok) <= 1.0


@given(st.text(max_size=400), st.integers(min_value=1, max_value=5), st.floats(min_value=-5, max_value=0))
def test_repetition_bounds(text, n, p_max):
    assert p_max <= ngram_repetition_penalty(text, n, p_max) <= 0.0


@given(st.lists(st.sampled_from(["<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>", "x"])))
def test_tag_count_bounds(parts):
    assert 0.0 <= tag_count_credit("".join(parts)) <= 1.0


@given(reals, st.lists(maybe_nan, min_size=1, max_size=8))
def test_par_bounds(r, refs):
    v = par_reward(r, refs)
    assert math.isnan(v) or 0.0 <= v <= 1.0
    assert math.isnan(v) == all(math.isnan(x) for x in refs)


@given(st.lists(maybe_nan, min_size=1, max_size=8), st.floats(min_value=0, max_value=10))
def test_ensemble_bounds(members, lam):
    finite = [m for m in members if not math.isnan(m)]
    for method in ("mean", "wco", "uwo"):
        v = ensemble_reward(members, method, lam)
        if not finite:
            assert math.isnan(v)
            continue
        assert v <= max(finite) + 1e-9 * max(1.0, abs(max(finite)))
        if method != "uwo":
            assert v >= min(finite) - 1e-9 * max(1.0, abs(min(finite)))
        else:
            assert v <= ensemble_reward(members, "mean") + 1e-9


@given(st.lists(st.booleans(), max_size=32), st.floats(min_value=0, max_value=0.99))
def test_forward_correction_bounds_and_mean(observed, rho1):
    out = noisy_forward_correction(observed, rho1)
    assert all(0.0 <= v <= 1.0 for v in out)
    if observed:
        q = sum(observed) / len(observed)
        assert sum(out) / len(out) >= q - 1e-12  # correcting false negatives never lowers the mean


@given(st.lists(st.floats(min_value=-1, max_value=1), min_size=1, max_size=30), st.floats(0.01, 2.0))
def test_pure_is_a_soft_minimum(steps, temperature):
    v = pure_min_form_reward(steps, temperature)
    assert min(steps) - 1e-9 <= v <= max(steps) + 1e-9
    assert v <= sum(steps) / len(steps) + 1e-9  # weights favour low steps
    assert len(pure_min_form_credit(steps, temperature)) == len(steps)


@given(st.integers(min_value=0, max_value=60), st.data())
def test_pass_at_k_bounds_and_monotone(n, data):
    c = data.draw(st.integers(min_value=0, max_value=n))
    k = data.draw(st.integers(min_value=1, max_value=64))
    v = pass_at_k(n, c, k)
    if k > n:
        assert v is None
        return
    assert v is not None and 0.0 <= v <= 1.0
    if c < n:
        w = pass_at_k(n, c + 1, k)
        assert w is not None and w >= v - 1e-12


# ----------------------------------------------------------------- degenerate groups


@given(st.lists(maybe_nan, max_size=12))
def test_advantages_defined_for_any_group(rewards):
    for method in ("grpo", "dr_grpo", "rloo"):
        adv = group_advantages(rewards, method)
        assert len(adv) == len(rewards)
        for r, a in zip(rewards, adv, strict=True):
            assert math.isnan(a) == math.isnan(r)
        finite = [a for a in adv if not math.isnan(a)]
        if len(finite) == 1:
            assert finite == [0.0]
        if finite and len({r for r in rewards if not math.isnan(r)}) == 1:
            assert all(a == 0.0 for a in finite)


@given(st.lists(st.tuples(maybe_nan, st.booleans()), max_size=12))
def test_group_stats_defined_for_any_group(members):
    stats = group_stats([r for r, _ in members], [c for _, c in members], ks=(1, 4))
    assert stats["size"] == len(members)
    assert isinstance(stats["all_equal"], bool)


@given(st.lists(st.one_of(lengths, st.just(math.nan)), max_size=12), st.data())
def test_length_group_formulas_defined_for_any_group(lens, data):
    ok = data.draw(st.lists(st.booleans(), min_size=len(lens), max_size=len(lens)))
    assert len(kimi_length_rewards(lens, ok)) == len(lens)
    assert len(grpo_lambda_rewards(lens, ok, True)) == len(lens)
    ratios = data.draw(st.lists(st.one_of(st.floats(0, 1), st.just(math.nan)), max_size=8))
    assert len(grpo_lambda_select(ratios, top_fraction=0.3)) == len(ratios)


def test_nan_scalar_inputs_give_nan_not_exceptions():
    assert math.isnan(cosine_length_reward(math.nan, True))
    assert math.isnan(soft_overlong_penalty(math.nan))
    assert math.isnan(l1_max_reward(math.nan, 10, True))
    assert math.isnan(noisy_backward_correction(math.nan, 0.1, 0.1))
    assert math.isnan(par_reward(math.nan, [0.0]))


# ----------------------------------------------------------------- the same invariants through rk.score

ORDERED_SPECS = [
    [{"kind": "length.cosine", "max_len": 64}],
    [{"kind": "length.kimi"}],
    [{"kind": "length.soft_overlong", "max_len": 64, "cache": 16}],
    [{"kind": "length.l1_max", "target": 32, "alpha": 0.01}],
    [{"kind": "length.grpo_lambda", "min_ratio": 0.0}],
    [{"kind": "robust.noisy", "method": "forward", "rho1": 0.3}],
    [
        {"kind": "length.cosine", "max_len": 64},
        {"kind": "group.advantage", "mode": "replace", "of": "reward"},
    ],
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 120), st.booleans(), st.integers(0, 2)), min_size=1, max_size=12),
    st.sampled_from(range(len(ORDERED_SPECS))),
)
def test_stage_never_ranks_wrong_above_right_in_a_group(members, which):
    samples = [
        rk.Sample(prompt=f"q{g}", response=("42" if ok else "no") + "x" * n, reference="42")
        for n, ok, g in members
    ]
    spec = {"terms": [{"verifier": "test.shape_match", "name": "acc"}], "shaping": ORDERED_SPECS[which]}
    results = rk.score(samples, spec, workers=0)
    assert all(r.status == "ok" and math.isfinite(r.value) for r in results)
    for g in {g for _, _, g in members}:
        idx = [i for i, (_, _, gg) in enumerate(members) if gg == g]
        values = [results[i].value for i in idx]
        assert _ordered(values, [members[i][1] for i in idx])
        sizes = {results[i].details["group"]["size"] for i in idx}
        assert sizes == {len(idx)}
