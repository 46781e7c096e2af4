"""OpenRLHF adapter, called exactly as OpenRLHF calls a ``--remote_rm_url`` Python file.

Mirrored call sites (OpenRLHF/OpenRLHF):
- ``openrlhf/utils/agent.py``, ``SingleTurnRewardedExecutor.__init__`` loads the file with
  ``importlib.util.spec_from_file_location("reward_func", path)`` and takes
  ``reward_module.reward_func``; ``execute`` decodes ``query`` with special tokens kept and
  ``_fetch_rewards_via_func`` calls ``asyncio.to_thread(reward_func, queries[i:j], prompts[i:j],
  labels[i:j])`` per chunk (positional); the result's ``rewards`` / ``scores`` / ``extra_logs``
  are read with ``.get`` (``rollout.py``'s ``RolloutAndRewardWorker._get_rewards_via_func`` is
  the same with a configurable chunk size).
- ``examples/python/reward_func.py`` / ``math_reward_func.py``: the return dict layout.
"""

import asyncio
import importlib.util
import textwrap

import faulty_verifiers  # noqa: F401  registers test.faulty
import pytest

from rewardkit.integrations import failure_counts
from rewardkit.integrations.openrlhf import make_reward_func, strip_prompt

HAS_TORCH = importlib.util.find_spec("torch") is not None
TEMPLATE = "<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n"


def load_reward_func(path):
    """SingleTurnRewardedExecutor.__init__: import the user's file and take its reward_func."""
    spec = importlib.util.spec_from_file_location("reward_func", str(path))
    reward_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reward_module)
    return reward_module.reward_func


def fetch_rewards_via_func(reward_func, queries, prompts, labels, batch_size=1):
    """_fetch_rewards_via_func / _get_rewards_via_func: chunks through asyncio.to_thread, gathered."""

    async def run():
        tasks = []
        for start in range(0, len(queries), batch_size):
            end = min(start + batch_size, len(queries))
            chunk = (queries[start:end], prompts[start:end], labels[start:end])
            tasks.append(asyncio.to_thread(reward_func, *chunk))
        return await asyncio.gather(*tasks)

    infos = asyncio.run(run())
    rewards, scores, logs = [], [], {}
    for info in infos:
        rewards += _floats(info.get("rewards"))
        scores += _floats(info.get("scores"))
        for key, value in (info.get("extra_logs") or {}).items():
            logs.setdefault(key, []).extend(_floats(value))
    return rewards, scores, logs


def _floats(value):
    return [float(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]


@pytest.fixture
def reward_file(tmp_path, monkeypatch):
    """The two-line user file the README shows, with the spec chosen by REWARDKIT_SPEC."""
    path = tmp_path / "reward.py"
    path.write_text(textwrap.dedent("""\
        from rewardkit.integrations.openrlhf import reward_func  # noqa: F401
    """))
    monkeypatch.setenv("REWARDKIT_SPEC", "math")
    return path


@pytest.fixture
def batch(math_rows):
    """Templated prompts, queries = prompt + response + end token; a failing and a malformed sample."""
    prompts = [TEMPLATE.format(q=r["prompt"][0]["content"]) for r in math_rows]
    queries = [p + r["response"] + "<|im_end|>" for p, r in zip(prompts, math_rows, strict=True)]
    labels = [r["reference"] for r in math_rows]
    prompts.append(TEMPLATE.format(q="1+3?"))
    queries.append(prompts[-1] + "\\boxed{4}<|im_end|>")
    labels.append("\\frac{")  # unreadable reference -> invalid_input
    prompts.append(TEMPLATE.format(q="2+2?"))
    queries.append("something else entirely \\boxed{4}")  # malformed: the query lost its prompt
    labels.append("4")
    expected = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    failed = [0.0] * 5 + [1.0, 1.0]
    return queries, prompts, labels, expected, failed


@pytest.mark.parametrize("batch_size", [1, 4])
def test_reward_file_as_openrlhf_loads_and_calls_it(reward_file, batch, batch_size):
    queries, prompts, labels, expected, failed = batch
    fn = load_reward_func(reward_file)
    rewards, scores, logs = fetch_rewards_via_func(fn, queries, prompts, labels, batch_size)
    assert rewards == expected and scores == expected
    assert logs["rk_failed"] == failed
    assert logs["rk_invalid_input"] == failed
    assert set(logs) == {"rk_failed", "rk_timeout", "rk_error", "rk_invalid_input"}
    assert failure_counts() == {"samples": 2, "invalid_input": 2}


def test_order_is_kept(batch):
    queries, prompts, labels, expected, _ = batch
    fn = make_reward_func("math", workers=0)
    rewards, _, _ = fetch_rewards_via_func(fn, queries[::-1], prompts[::-1], labels[::-1], batch_size=7)
    assert rewards == expected[::-1]


def test_values_are_tensors_with_torch_and_lists_without(batch):
    """OpenRLHF (the only caller) always has torch: tensors there; plain lists elsewhere."""
    queries, prompts, labels, expected, _ = batch
    out = make_reward_func("math", workers=0)(queries, prompts, labels)
    if HAS_TORCH:  # pragma: no cover - where torch is installed
        import torch

        assert isinstance(out["rewards"], torch.Tensor) and out["rewards"].tolist() == expected
        return
    assert out["rewards"] == expected and isinstance(out["extra_logs"]["rk_failed"], list)
    with pytest.raises(ImportError, match="torch"):
        make_reward_func("math", workers=0, tensors=True)(queries, prompts, labels)


def test_code_labels(code_rows):
    prompts = [TEMPLATE.format(q=r["prompt"]) for r in code_rows]
    queries = [p + r["response"] + "<|endoftext|>" for p, r in zip(prompts, code_rows, strict=True)]
    labels = [r["reference"]["input_output"] for r in code_rows]  # a JSON string, as --label_key gives
    fn = make_reward_func("code", workers=0, tensors=False)
    rewards, _, logs = fetch_rewards_via_func(fn, queries, prompts, labels, batch_size=2)
    assert rewards == [1.0, 0.0] and logs["rk_failed"] == [0.0, 0.0]


def test_timeout_and_failed_reward():
    spec = {"name": "faulty", "terms": [{"verifier": "test.faulty"}]}
    fn = make_reward_func(spec, workers=1, timeout=1.5, failed_reward=-0.5, tensors=False)
    out = fn(["P:ok", "P:hang", "P:raise", "P:no"], ["P:"] * 4, ["ok"] * 4)
    assert out["rewards"] == [1.0, -0.5, -0.5, 0.0]
    assert out["extra_logs"]["rk_timeout"] == [0.0, 1.0, 0.0, 0.0]
    assert out["extra_logs"]["rk_error"] == [0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("query", "prompt", "response"),
    [
        ("Q: 1+1?\nA: \\boxed{2}<|im_end|>", "Q: 1+1?\n", "A: \\boxed{2}"),
        ("<s>Q: 1+1? \\boxed{2}</s>", "Q: 1+1?", " \\boxed{2}"),  # prompt after a BOS token
        ("Q:  1+1?\\boxed{2}<|eot_id|>\n", "Q: 1+1? ", "\\boxed{2}"),  # round trip changed spaces
        ("Q: 1+1?\\boxed{2}<|im_end|><|endoftext|>", "Q: 1+1?", "\\boxed{2}"),
        ("\\boxed{2}", "", "\\boxed{2}"),
        ("Q: 2+2? \\boxed{2}", "Q: 1+1?", None),
    ],
)
def test_strip_prompt(query, prompt, response):
    assert strip_prompt(query, prompt) == response
