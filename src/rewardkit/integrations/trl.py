"""TRL adapter: rewardkit as a ``GRPOTrainer`` reward function.

``GRPOTrainer._calculate_rewards`` (``trl/trainer/grpo_trainer.py``) calls every custom reward
function once per generation batch with keyword arguments::

    reward_func(prompts=prompts, completions=completions, completion_ids=completion_ids_list,
                **reward_kwargs)

where ``reward_kwargs`` holds every other dataset column as a list (one item per completion, the
prompt's columns repeated for each of its generations) plus ``trainer_state``. Completions are
strings, or chat lists (``[{"role": "assistant", "content": ...}]``) for conversational data. The
function returns one float or ``None`` per completion; TRL turns ``None`` into NaN, leaves it out
of its reward statistics, sums the reward functions with ``nansum`` and warns when every function
returned ``None`` for a row. It logs each function under ``reward_func.__name__``.

Use::

    from rewardkit.integrations.trl import reward_function
    trainer = GRPOTrainer(model=..., reward_funcs=[reward_function("math")], train_dataset=ds)

What a failed sample becomes: ``None`` (a timeout, a crashed verifier or unreadable input is not
a wrong answer); the adapter logs a warning with the counts (at most every 30 s). With a single
reward function, TRL's ``nansum`` then gives that completion 0 in the advantage (and TRL warns);
pass ``failed_reward=`` to choose a number instead. A spec with ``on_error = "zero"`` returns its
own number, ``on_error = "raise"`` raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from rewardkit.core.types import RewardResult
from rewardkit.integrations._common import (
    SpecLike,
    as_list,
    env_spec,
    get_spec,
    plain,
    report_failures,
    score_batch,
    text_of,
)

__all__ = ["REFERENCE_COLUMNS", "reward_function"]

#: Dataset columns read as the reference, in this order, when ``reference_key`` is not given.
#: ``solution`` comes last: in OpenR1-Math-220k and NuminaMath it is a worked solution, while
#: ``answer`` holds the final answer.
REFERENCE_COLUMNS = ("answer", "ground_truth", "reference", "solution")
#: Keyword arguments TRL adds that are not dataset columns.
_TRL_KEYS = frozenset({"completion_ids", "trainer_state", "step", "run_name"})

logger = logging.getLogger("rewardkit.integrations")


def _find_reference(kwargs: dict[str, Any], reference_key: str | None, n: int) -> list[Any]:
    if reference_key is not None:
        if reference_key not in kwargs:
            columns = sorted(k for k in kwargs if k not in _TRL_KEYS)
            raise KeyError(
                f"reference column {reference_key!r} is not in the dataset columns TRL passed "
                f"({', '.join(columns) or 'none'})"
            )
        return as_list(kwargs[reference_key], n, reference_key)
    for key in REFERENCE_COLUMNS:
        if key in kwargs:
            return as_list(kwargs[key], n, key)
    if "reward_model" in kwargs:  # a verl-layout dataset: {"ground_truth": ...} per row
        rows = as_list(kwargs["reward_model"], n, "reward_model")
        return [r.get("ground_truth") if isinstance(r, dict) else None for r in rows]
    return [None] * n


def _sample(prompt: Any, completion: Any, reference: Any, task: Any) -> dict[str, Any] | RewardResult:
    # TRL hands dataset columns as numpy values (arrays, numpy strings): made plain Python, as in verl
    prompt, completion, reference, task = plain(prompt), plain(completion), plain(reference), plain(task)
    try:
        response = text_of(completion)
    except ValueError as exc:
        return RewardResult.fail("invalid_input", str(exc))
    return {
        "prompt": prompt if isinstance(prompt, (str, list)) else "",
        "response": response,
        "reference": reference,
        "task": task if isinstance(task, str) else None,
        "meta": {},
    }


def reward_function(
    spec: SpecLike | None = "math",
    reference_key: str | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    *,
    failed_reward: float | None = None,
    name: str | None = None,
) -> Callable[..., list[float | None]]:
    """A reward function for TRL's ``GRPOTrainer`` (``reward_funcs=[...]``).

    Args:
        spec: the spec (a built-in name, a file, a dict or a ``Spec``); ``None``: the
            ``REWARDKIT_SPEC`` environment variable.
        reference_key: the dataset column holding the reference; default: the first of
            ``answer``, ``ground_truth``, ``reference``, ``solution`` present (or a verl-layout
            ``reward_model`` column's ``ground_truth``). With none of them, references are
            ``None`` and only reference-free terms can score.
        workers: worker processes for ``rk.score`` (``None``: one per core, at most 8).
        timeout: per-sample deadline in seconds (``None``: the spec's, else 30 s).
        failed_reward: what a failed sample gets; ``None`` (default) lets TRL treat it as
            not applicable.
        name: the function's ``__name__`` (TRL's log key); default ``rewardkit_<spec name>``.

    Returns:
        ``reward_func(prompts, completions, **kwargs) -> list[float | None]``, one value per
        completion in order. A malformed completion gets ``failed_reward`` and never breaks the
        batch. A ``data_source`` or ``task`` column is passed on as ``Sample.task``.

    Raises:
        rewardkit.SpecError: the spec is invalid (raised here, before training starts).
        ValueError: ``spec`` is ``None`` and ``REWARDKIT_SPEC`` is not set.
    """
    chosen = spec if spec is not None else env_spec()
    if chosen is None:
        raise ValueError("reward_function: pass spec=... or set REWARDKIT_SPEC")
    spec_obj = get_spec(chosen)
    became = "None" if failed_reward is None else str(failed_reward)

    def reward_func(
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        if completions is None:
            raise ValueError("reward function needs completions")
        completions = list(completions)
        n = len(completions)
        prompt_list = as_list(prompts, n, "prompts")
        references = _find_reference(kwargs, reference_key, n)
        task_col = kwargs.get("data_source", kwargs.get("task"))
        tasks = as_list(task_col, n, "data_source") if task_col is not None else [None] * n
        rows = zip(prompt_list, completions, references, tasks, strict=True)
        samples = [_sample(p, c, r, t) for p, c, r, t in rows]
        results = score_batch(samples, spec_obj, workers, timeout)
        report_failures(results, "trl", became)
        return [
            r.value if r.status == "ok" and r.value is not None else failed_reward for r in results
        ]

    label = name or f"rewardkit_{spec_obj.name}".replace("-", "_").replace(".", "_")
    reward_func.__name__ = label
    reward_func.__qualname__ = label
    return reward_func
