"""OpenRLHF adapter: rewardkit as the ``reward_func`` of a ``--remote_rm_url`` Python file.

When ``--remote_rm_url`` ends in ``.py``, OpenRLHF imports the file and calls its module-level
``reward_func`` positionally (``openrlhf/trainer/ppo_utils/experience_maker.py`` in older
releases; ``SingleTurnRewardedExecutor._fetch_rewards_via_func`` in ``openrlhf/utils/agent.py``
and ``RolloutAndRewardWorker._get_rewards_via_func`` in newer ones, through
``asyncio.to_thread``)::

    reward_func(queries, prompts, labels)

``queries`` are prompt + response, decoded with special tokens kept; ``prompts`` the prompts
(chat template applied); ``labels`` the dataset's ``--label_key`` column. It returns a dict
``{"rewards": tensor, "scores": tensor, "extra_logs": {name: tensor}}`` (``examples/python/
reward_func.py``): ``rewards`` feed the advantage, ``scores`` the dynamic filtering, ``extra_logs``
the logger; newer releases wrap each value with ``torch.tensor([value])``, older ones
``torch.cat`` them, so the values are torch tensors (torch is imported lazily, only here; without
torch the values are plain lists, for tests and tools).

Use a two-line file::

    # reward.py, passed as --remote_rm_url reward.py
    from rewardkit.integrations.openrlhf import reward_func  # noqa: F401

The spec is ``REWARDKIT_SPEC`` (default ``math``); ``make_reward_func`` fixes spec, workers and
timeout in code.

What a failed sample becomes: OpenRLHF needs a number for every sample, so a failed sample
(timeout, crashed verifier, unreadable input, a query that does not start with its prompt) gets
``0.0`` (``failed_reward``) in ``rewards`` and ``scores``, marked by ``rk_failed`` and
``rk_timeout`` / ``rk_error`` / ``rk_invalid_input`` (one 0/1 per sample) in ``extra_logs``; the
adapter also logs a warning with the counts (at most every 30 s). A spec with
``on_error = "zero"`` returns its own number, ``on_error = "raise"`` raises.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from rewardkit.core.rows import END_TOKENS, strip_prompt
from rewardkit.core.types import RewardResult
from rewardkit.integrations._common import (
    FAILURE_STATUSES,
    SpecLike,
    as_list,
    env_spec,
    failure_flags,
    get_spec,
    number_or,
    plain,
    report_failures,
    score_batch,
)

__all__ = ["END_TOKENS", "make_reward_func", "reward_func", "strip_prompt"]

def _sample(query: Any, prompt: Any, label: Any) -> dict[str, Any] | RewardResult:
    if not isinstance(query, str):
        return RewardResult.fail("invalid_input", f"query must be a string, got {type(query).__name__}")
    if prompt is None:
        prompt = ""
    if not isinstance(prompt, str):
        return RewardResult.fail("invalid_input", f"prompt must be a string, got {type(prompt).__name__}")
    response = strip_prompt(query, prompt)
    if response is None:
        return RewardResult.fail("invalid_input", "the query does not start with its prompt")
    return {"prompt": prompt, "response": response, "reference": plain(label), "task": None, "meta": {}}


def _torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def make_reward_func(
    spec: SpecLike | None = None,
    *,
    workers: int | None = None,
    timeout: float | None = None,
    failed_reward: float = 0.0,
    tensors: bool | None = None,
) -> Callable[..., dict[str, Any]]:
    """An OpenRLHF ``reward_func`` with fixed settings.

    Args:
        spec: the spec for every sample; ``None``: ``REWARDKIT_SPEC`` at call time, else ``math``.
        workers: worker processes for ``rk.score`` (``None``: one per core, at most 8).
        timeout: per-sample deadline in seconds (``None``: the spec's, else 30 s).
        failed_reward: the number a failed sample gets (OpenRLHF needs a number; default 0.0).
        tensors: return torch tensors (``True``), plain lists (``False``) or tensors when torch
            can be imported (``None``, default).

    Returns:
        ``reward_func(queries, prompts, labels, **kwargs) -> {"rewards", "scores", "extra_logs"}``.
    """

    def reward_func(
        queries: Sequence[Any], prompts: Sequence[Any] | None = None, labels: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        chosen = spec if spec is not None else (env_spec() or "math")
        spec_obj = get_spec(chosen)
        query_list = list(queries)
        n = len(query_list)
        prompt_list = as_list(prompts, n, "prompts")
        label_list = as_list(labels, n, "labels")
        samples = [_sample(q, p, lb) for q, p, lb in zip(query_list, prompt_list, label_list, strict=True)]
        results = score_batch(samples, spec_obj, workers, timeout)
        report_failures(results, "openrlhf", str(failed_reward))
        rewards = [number_or(r, failed_reward) for r in results]
        flags = [failure_flags(r) for r in results]
        logs: dict[str, list[float]] = {
            key: [f[key] for f in flags] for key in ("rk_failed", *(f"rk_{s}" for s in FAILURE_STATUSES))
        }
        torch = _torch() if tensors is not False else None
        if tensors and torch is None:
            raise ImportError("make_reward_func(tensors=True) needs torch (OpenRLHF installs it)")
        if torch is None:
            return {"rewards": rewards, "scores": list(rewards), "extra_logs": logs}
        return {
            "rewards": torch.tensor(rewards, dtype=torch.float),
            "scores": torch.tensor(rewards, dtype=torch.float),
            "extra_logs": {k: torch.tensor(v, dtype=torch.float) for k, v in logs.items()},
        }

    return reward_func


_default = make_reward_func()


def reward_func(
    queries: Sequence[Any], prompts: Sequence[Any] | None = None, labels: Sequence[Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """OpenRLHF custom reward function (``--remote_rm_url this_file.py``).

    Args:
        queries: prompt + response texts (special tokens kept); the prompt prefix and trailing
            end-of-turn tokens are stripped to get the response.
        prompts: the prompts, one per query.
        labels: the references (``--label_key`` column), one per query.
        **kwargs: ignored (newer OpenRLHF releases may pass more).

    Returns:
        ``{"rewards": tensor, "scores": tensor, "extra_logs": {"rk_failed": tensor, "rk_timeout":
        tensor, "rk_error": tensor, "rk_invalid_input": tensor}}``, one value per query in order;
        a failed sample gets 0.0 and ``rk_failed = 1`` (see the module docstring).
    """
    return _default(queries, prompts, labels, **kwargs)
