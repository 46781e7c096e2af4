"""verl adapter, called exactly as verl calls a ``custom_reward_function``.

Mirrored call sites (volcengine/verl):
- ``verl/workers/reward_manager/naive.py``, ``NaiveRewardManager.__call__``: one keyword call per
  sample, ``compute_score(data_source=, solution_str=, ground_truth=, extra_info=)``; a dict
  result gives ``reward = score["score"]`` and every key is appended to ``reward_extra_info``.
- ``verl/workers/reward_manager/batch.py``, ``BatchRewardManager.verify`` / ``__call__``: one call
  ``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=, **reward_kwargs)``
  returning one float or dict per sample, read the same way.
- ``verl/trainer/ppo/reward.py``, ``get_custom_reward_fn``: ``reward_kwargs`` from the config are
  added to every call; ``verl/trainer/ppo/ray_trainer.py`` ``_validate`` asserts each
  ``reward_extra_info`` list has one item per sample.
"""

from collections import defaultdict

import faulty_verifiers  # noqa: F401  registers test.faulty
import pytest
from adapter_helpers import FakeArray

import rewardkit as rk
from rewardkit.integrations import failure_counts
from rewardkit.integrations.verl import compute_score, compute_score_batch, make_compute_score, spec_for

FLAGS = {"rk_failed", "rk_timeout", "rk_error", "rk_invalid_input"}


def naive_manager(fn, items, **reward_kwargs):
    """NaiveRewardManager.__call__'s loop (plus get_custom_reward_fn's reward_kwargs), no tensors."""
    rewards, extra = [], defaultdict(list)
    for item in items:
        score = fn(
            data_source=item["data_source"],
            solution_str=item["solution_str"],
            ground_truth=item["reward_model"]["ground_truth"],
            extra_info=item.get("extra_info", None),
            **reward_kwargs,
        )
        if isinstance(score, dict):
            reward = score["score"]
            for key, value in score.items():
                extra[key].append(value)
        else:
            reward = score
        rewards.append(reward)
    for key, values in extra.items():  # ray_trainer._validate's check
        assert len(values) == len(rewards), key
    return rewards, extra


def batch_manager(fn, items, **reward_kwargs):
    """BatchRewardManager.verify + __call__: one batched call, then the same dict handling."""
    scores = fn(
        data_sources=FakeArray([it["data_source"] for it in items]),  # a numpy object array in verl
        solution_strs=[it["solution_str"] for it in items],
        ground_truths=[it["reward_model"].get("ground_truth", None) for it in items],
        extra_infos=FakeArray([it.get("extra_info") for it in items]),
        **reward_kwargs,
    )
    assert len(scores) == len(items)
    rewards, extra = [], defaultdict(list)
    for score in scores:
        if isinstance(score, dict):
            rewards.append(score["score"])
            for key, value in score.items():
                extra[key].append(value)
        else:
            rewards.append(score)
    for key, values in extra.items():
        assert len(values) == len(rewards), key
    return rewards, extra


def verl_row(data_source, response, ground_truth, index=0, **extra):
    return {
        "data_source": data_source,
        "solution_str": response,
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {"split": "train", "index": index, **extra},
    }


@pytest.fixture
def mixed_batch(math_rows, code_rows):
    """Math (credited and wrong), code (correct and wrong), a failing and a malformed sample."""
    items = [verl_row("lighteval/MATH", r["response"], r["reference"], i) for i, r in enumerate(math_rows)]
    items += [verl_row("codecontests", r["response"], r["reference"], 9 + i) for i, r in enumerate(code_rows)]
    items.append(verl_row("openai/gsm8k", "The answer is \\boxed{4}.", "\\frac{", 20))  # unreadable reference
    items.append(verl_row("openai/gsm8k", None, "4", 21))  # malformed: no response text
    expected = [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    failed = [0.0] * 7 + [1.0, 1.0]
    return items, expected, failed


@pytest.mark.parametrize("manager", [naive_manager, batch_manager], ids=["naive", "batch"])
def test_mixed_batch_values_order_and_flags(manager, mixed_batch):
    items, expected, failed = mixed_batch
    fn = compute_score if manager is naive_manager else compute_score_batch
    rewards, extra = manager(fn, items, workers=0)
    assert rewards == pytest.approx(expected)
    assert set(extra) == {"score"} | FLAGS
    assert extra["rk_failed"] == failed
    assert extra["rk_invalid_input"] == failed  # both bad samples are unreadable input, not wrong answers
    assert extra["rk_timeout"] == [0.0] * len(items)
    assert failure_counts() == {"samples": 2, "invalid_input": 2}


def test_batch_keywords_also_work_on_compute_score(mixed_batch):
    """One name serves both managers: compute_score called with the batched keywords returns a list."""
    items, expected, _ = mixed_batch
    rewards, _ = batch_manager(compute_score, items, workers=0)
    assert rewards == pytest.approx(expected)


def test_order_is_kept(mixed_batch):
    items, expected, _ = mixed_batch
    rewards, _ = batch_manager(compute_score_batch, items[::-1], workers=0)
    assert rewards == pytest.approx(expected[::-1])


def test_agrees_with_rk_score(math_rows):
    items = [verl_row("lighteval/MATH", r["response"], r["reference"]) for r in math_rows]
    rewards, _ = naive_manager(compute_score, items, workers=0)
    direct = rk.score(
        [rk.Sample(response=r["response"], reference=r["reference"]) for r in math_rows], "math", workers=0
    )
    assert rewards == [r.value for r in direct]


def test_numpy_like_ground_truth_becomes_a_list():
    """Parquet gives verl a list ground truth as an ndarray; math reads a list as alternatives."""
    item = verl_row("lighteval/MATH", "so \\boxed{6}", FakeArray(["5", "6"]))
    rewards, extra = naive_manager(compute_score, [item], workers=0)
    assert rewards == [1.0] and extra["rk_failed"] == [0.0]


def test_timeout_does_not_break_the_batch():
    """A hanging verifier times out in its worker; the rest of the batch keeps its rewards."""
    spec = {"name": "faulty", "terms": [{"verifier": "test.faulty"}]}
    items = [verl_row("x", r, ref) for r, ref in (("ok", "ok"), ("hang", "x"), ("raise", "x"), ("no", "x"))]
    rewards, extra = batch_manager(compute_score_batch, items, spec=spec, workers=1, timeout=1.5)
    assert rewards == [1.0, 0.0, 0.0, 0.0]
    assert extra["rk_failed"] == [0.0, 1.0, 1.0, 0.0]
    assert extra["rk_timeout"] == [0.0, 1.0, 0.0, 0.0]
    assert extra["rk_error"] == [0.0, 0.0, 1.0, 0.0]


def test_failure_is_logged(caplog):
    items = [verl_row("openai/gsm8k", "\\boxed{4}", "\\frac{")]
    with caplog.at_level("WARNING", logger="rewardkit.integrations"):
        rewards, _ = naive_manager(compute_score, items, workers=0)
    assert rewards == [0.0]
    messages = [rec.getMessage() for rec in caplog.records]
    assert any("invalid_input: 1" in m and "verl" in m for m in messages), messages


def test_on_error_zero_is_the_specs_number_not_a_failure():
    spec = {"name": "z", "on_error": "zero", "terms": [{"verifier": "test.faulty"}]}
    rewards, extra = naive_manager(compute_score, [verl_row("x", "raise", "x")], spec=spec, workers=0)
    assert rewards == [0.0] and extra["rk_failed"] == [0.0]


def test_on_error_raise_propagates():
    spec = {"name": "r", "on_error": "raise", "terms": [{"verifier": "test.faulty"}]}
    with pytest.raises(rk.RewardError):
        naive_manager(compute_score, [verl_row("x", "raise", "x")], spec=spec, workers=0)


def test_failed_score_and_bare_floats():
    fn = make_compute_score(workers=0, failed_score=-1.0, return_dict=False)
    items = [verl_row("openai/gsm8k", "\\boxed{4}", "4"), verl_row("openai/gsm8k", "\\boxed{4}", "\\frac{")]
    rewards, extra = naive_manager(fn, items)
    assert rewards == [1.0, -1.0] and not extra


@pytest.mark.parametrize(
    ("data_source", "spec"),
    [
        ("openai/gsm8k", "math"),
        ("lighteval/MATH", "math"),
        ("DigitalLearningGmbH/MATH-lighteval", "math"),
        ("math_dapo", "math"),
        ("aime_2024", "math"),
        ("numina_olympiads", "math"),
        ("codecontests", "code"),
        ("apps", "code"),
        ("likaixin/TACO-verified", "code"),
        ("livecodebench/code_generation_lite", "code"),
        ("openai_humaneval", "code"),
        ("xlangai/spider", "sql"),
        ("bird", "sql"),
        ("cais/mmlu", "mcq"),
        ("Idavidrein/gpqa", "mcq"),
        ("allenai/ai2_arc", "mcq"),
        ("my_private_set", None),
    ],
)
def test_routing(data_source, spec):
    assert spec_for(data_source) == spec


def test_routes_env_and_kwargs_precedence(monkeypatch):
    """Explicit spec (reward_kwargs / factory) > REWARDKIT_SPEC > routes= > built-in routes."""
    item = verl_row("my_private_set", "The answer is B. \\boxed{B}", "B")
    with pytest.raises(NotImplementedError, match="my_private_set"):
        naive_manager(compute_score, [item], workers=0)
    routed = make_compute_score(workers=0, routes={"my_private_set": "mcq"})
    assert naive_manager(routed, [item])[0] == [pytest.approx(1.0)]  # mcq: choice 1.0, no <think>
    monkeypatch.setenv("REWARDKIT_SPEC", "exact")
    assert naive_manager(compute_score, [item], workers=0)[0] == [1.0]
    # a reward_kwargs spec beats the environment: "numeric" cannot read "B" -> invalid_input
    rewards, extra = naive_manager(compute_score, [item], workers=0, spec="numeric")
    assert rewards == [0.0] and extra["rk_invalid_input"] == [1.0]


def test_sql_database_from_extra_info(tmp_path):
    """verl SQL sets keep the database in extra_info; the adapter lifts db_path into Sample.meta."""
    import sqlite3

    db = tmp_path / "t.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("create table t (x int)")
        con.executemany("insert into t values (?)", [(1,), (2,)])
    item = verl_row("spider", "```sql\nSELECT x FROM t ORDER BY x\n```", "SELECT x FROM t", db_path=str(db))
    rewards, extra = naive_manager(compute_score, [item], workers=0)
    assert rewards == [1.0] and extra["rk_failed"] == [0.0]
