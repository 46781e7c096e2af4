"""TRL adapter, called exactly as ``GRPOTrainer`` calls a custom reward function.

Mirrored call site (huggingface/trl): ``trl/trainer/grpo_trainer.py``,
``GRPOTrainer._calculate_rewards``: every dataset column but ``prompt`` / ``completion`` /
``completion_ids`` becomes a list keyword (``reward_kwargs``), ``trainer_state`` is added, and
the function is called as ``reward_func(prompts=prompts, completions=completions,
completion_ids=completion_ids_list, **reward_kwargs)``; ``None`` results become NaN. The
function's ``__name__`` is its logging key (``reward_func_names``).
"""

import math

import faulty_verifiers  # noqa: F401  registers test.faulty
import pytest

import rewardkit as rk
from rewardkit.integrations import failure_counts
from rewardkit.integrations.trl import reward_function


class TrainerState:  # what TRL passes as trainer_state (transformers.TrainerState); never read
    global_step = 3


def calculate_rewards(reward_func, inputs, completions):
    """GRPOTrainer._calculate_rewards for one custom reward function, without torch."""
    prompts = [x["prompt"] for x in inputs]
    completion_ids_list = [[1, 2, 3] for _ in completions]
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = TrainerState()
    output_reward_func = reward_func(
        prompts=prompts, completions=completions, completion_ids=completion_ids_list, **reward_kwargs
    )
    assert len(output_reward_func) == len(prompts)
    return [reward if reward is not None else math.nan for reward in output_reward_func]


def same(a, b):
    if len(a) != len(b):
        return False
    return all((math.isnan(x) and math.isnan(y)) or x == pytest.approx(y) for x, y in zip(a, b, strict=True))


@pytest.fixture
def grpo_batch(math_rows):
    """Dataset rows as TRL repeats them (one per generation) with a ``solution`` column."""
    inputs = [{"prompt": r["prompt"], "solution": r["reference"], "level": "5"} for r in math_rows]
    inputs.append({"prompt": "1+3?", "solution": "\\frac{", "level": "1"})  # unreadable reference
    inputs.append({"prompt": "1+3?", "solution": "4", "level": "1"})  # malformed completion below
    completions = [r["response"] for r in math_rows] + ["\\boxed{4}", None]
    expected = [1.0, 1.0, 1.0, 1.0, 0.0, math.nan, math.nan]
    return inputs, completions, expected


def test_standard_completions(grpo_batch):
    inputs, completions, expected = grpo_batch
    rewards = calculate_rewards(reward_function("math", workers=0), inputs, completions)
    assert same(rewards, expected)
    assert failure_counts() == {"samples": 2, "invalid_input": 2}


def test_conversational_completions(grpo_batch):
    """Conversational data: each completion is ``[{"role": "assistant", "content": ...}]``."""
    inputs, completions, expected = grpo_batch
    chat = [
        [{"role": "assistant", "content": c}] if c is not None else [{"role": "user"}] for c in completions
    ]
    rewards = calculate_rewards(reward_function("math", workers=0), inputs, chat)
    assert same(rewards, expected)


def test_content_parts_and_tool_turns():
    """The last assistant message counts; list-of-parts content is joined."""
    inputs = [{"prompt": [{"role": "user", "content": "2+2?"}], "answer": "4"}] * 2
    completions = [
        [{"role": "assistant", "content": "\\boxed{5}"}, {"role": "tool", "content": "checked"},
         {"role": "assistant", "content": [{"type": "text", "text": "so \\boxed{4}"}]}],
        [{"role": "assistant", "content": "\\boxed{3}"}],
    ]
    assert calculate_rewards(reward_function("math", workers=0), inputs, completions) == [1.0, 0.0]


def test_order_is_kept(grpo_batch):
    inputs, completions, expected = grpo_batch
    rewards = calculate_rewards(reward_function("math", workers=0), inputs[::-1], completions[::-1])
    assert same(rewards, expected[::-1])


def test_name_for_trl_logging():
    assert reward_function("math", workers=0).__name__ == "rewardkit_math"
    assert reward_function("code", workers=0, name="exec").__name__ == "exec"


@pytest.mark.parametrize("column", ["solution", "answer", "ground_truth", "reference"])
def test_reference_columns(column):
    inputs = [{"prompt": "2+2?", column: "4"}]
    assert calculate_rewards(reward_function("math", workers=0), inputs, ["\\boxed{4}"]) == [1.0]


def test_reference_key_and_precedence():
    inputs = [{"prompt": "2+2?", "solution": "5", "answer": "4", "final": "\\frac{"}]
    # "answer" comes before "solution" by default (a worked solution in OpenR1-Math / NuminaMath)
    assert calculate_rewards(reward_function("math", workers=0), inputs, ["\\boxed{4}"]) == [1.0]
    assert calculate_rewards(reward_function("math", "solution", workers=0), inputs, ["\\boxed{4}"]) == [0.0]
    unreadable = calculate_rewards(reward_function("math", "final", workers=0), inputs, ["\\boxed{4}"])
    assert same(unreadable, [math.nan])
    with pytest.raises(KeyError, match="missing"):
        calculate_rewards(reward_function("math", "missing", workers=0), inputs, ["\\boxed{4}"])


def test_verl_layout_reward_model_column():
    inputs = [{"prompt": "2+2?", "reward_model": {"ground_truth": "4", "style": "rule"}}]
    assert calculate_rewards(reward_function("math", workers=0), inputs, ["\\boxed{4}"]) == [1.0]


def test_reference_free_spec():
    inputs = [{"prompt": "hi"}, {"prompt": "hi"}]
    completions = ["<think>a</think>answer", "no thinking"]
    assert calculate_rewards(reward_function("format.think", workers=0), inputs, completions) == [1.0, 0.0]


def test_code_spec(code_rows):
    inputs = [{"prompt": r["prompt"], "tests": r["reference"]} for r in code_rows]
    fn = reward_function("code", "tests", workers=0)
    assert calculate_rewards(fn, inputs, [r["response"] for r in code_rows]) == [1.0, 0.0]


def test_failed_reward_and_timeout():
    spec = {"name": "faulty", "terms": [{"verifier": "test.faulty"}]}
    inputs = [{"prompt": "p", "answer": "ok"}] * 3
    fn = reward_function(spec, workers=1, timeout=1.5, failed_reward=-1.0)
    assert calculate_rewards(fn, inputs, ["ok", "hang", "nope"]) == [1.0, -1.0, 0.0]
    assert failure_counts() == {"samples": 1, "timeout": 1}


def test_spec_errors_are_raised_at_construction(monkeypatch):
    with pytest.raises(rk.SpecError):
        reward_function("no-such-spec")
    monkeypatch.delenv("REWARDKIT_SPEC", raising=False)
    with pytest.raises(ValueError, match="REWARDKIT_SPEC"):
        reward_function(None)
    monkeypatch.setenv("REWARDKIT_SPEC", "numeric")
    assert reward_function(None, workers=0).__name__ == "rewardkit_numeric"


# ----------------------------------------------------------------------------- audit (M2, L2)


class FakeScalar:
    """Duck-typed numpy scalar or array (``tolist``/``item``); conftest's FakeArray is not
    importable by name when the whole suite runs (several tests/**/conftest.py modules)."""

    def __init__(self, value):
        self._value = value

    def item(self):
        return self._value

    def tolist(self):
        return self._value


def test_m2_answer_column_beats_worked_solution():
    """M2: with both `solution` (a worked solution, OpenR1-Math-220k / NuminaMath) and `answer`,
    the adapter read `solution` as the reference; `answer`, `ground_truth`, `reference` come first."""
    worked = "We add: 2 + 2 = 4, and then double it to get \\boxed{8}. Checking... the answer is 8"
    for column in ("answer", "ground_truth", "reference"):
        inputs = [{"prompt": "2+2?", "solution": worked, column: "4"}]
        assert calculate_rewards(reward_function("math", workers=0), inputs, ["\\boxed{4}"]) == [1.0], column


def test_m2_numpy_like_values_become_plain_python():
    """M2: numpy arrays / scalars in TRL columns (a list answer read from Parquet) reached the
    verifier as-is; they are made plain Python (tolist/item), like the verl adapter does."""
    inputs = [{"prompt": "2+2?", "answer": FakeScalar(["4"])}, {"prompt": "3+3?", "answer": FakeScalar(6)}]
    fn = reward_function("math", workers=0)
    assert calculate_rewards(fn, inputs, ["\\boxed{4}", "\\boxed{6}"]) == [1.0, 1.0]


def test_l2_tool_call_last_turn_is_an_empty_response():
    """L2: a conversational completion whose last assistant turn is a tool call (no text) was
    scored on an earlier assistant message; it is now an empty response."""
    completion = [
        {"role": "assistant", "content": "The answer is \\boxed{4}"},
        {"role": "tool", "content": "42"},
        {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "calc"}}]},
    ]
    inputs = [{"prompt": "2+2?", "answer": "4"}]
    assert calculate_rewards(reward_function("math", workers=0), inputs, [completion]) == [0.0]
    from rewardkit.integrations._common import text_of

    assert text_of(completion) == ""
    assert text_of([{"role": "assistant", "content": "x"}, {"role": "tool", "content": "y"}]) == "x"
