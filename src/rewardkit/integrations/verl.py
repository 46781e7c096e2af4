"""verl adapter: rewardkit as verl's ``custom_reward_function``.

verl loads a function from a file (``custom_reward_function.path`` / ``.name``,
``verl/trainer/ppo/reward.py::get_custom_reward_fn``) and calls it with keyword arguments, adding
``custom_reward_function.reward_kwargs`` to every call:

- ``NaiveRewardManager`` (``verl/workers/reward_manager/naive.py``), once per sample::

      compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)

  and reads ``score["score"]`` when the result is a dict, appending every key of the dict to
  ``reward_extra_info`` (so every sample must return the same keys);
- ``BatchRewardManager`` (``verl/workers/reward_manager/batch.py``), once per batch::

      compute_score(data_sources=..., solution_strs=..., ground_truths=..., extra_infos=..., **reward_kwargs)

  and expects a list with one float or dict per sample, in order.

Use it from a two-line file::

    # reward.py, passed as custom_reward_function.path=reward.py
    from rewardkit.integrations.verl import compute_score, compute_score_batch  # noqa: F401

with ``custom_reward_function.name=compute_score`` (naive manager) or ``compute_score_batch``
(``reward_model.reward_manager=batch``); ``compute_score`` also accepts the batched keywords.
Choose the spec with ``+custom_reward_function.reward_kwargs.spec=code`` (also ``workers``,
``timeout``), the ``REWARDKIT_SPEC`` environment variable, or let the data source pick one (see
:data:`ROUTES`). :func:`make_compute_score` builds a function with fixed settings.

What a failed sample becomes: verl needs a number for every sample, so a sample whose status is
not ``ok`` (timeout, crashed verifier, unreadable input; the spec's ``on_error`` is ``"none"``)
gets ``score = 0.0`` (``failed_score``), marked in the dict by ``rk_failed = 1.0`` and
``rk_timeout`` / ``rk_error`` / ``rk_invalid_input``, which verl logs with the other extra
reward info; the adapter also logs a warning with the counts (at most every 30 s) and keeps
:func:`rewardkit.integrations.failure_counts`. A spec with ``on_error = "zero"`` returns its own
number (``rk_failed = 0``, the failure in ``details``), ``on_error = "raise"`` raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from rewardkit.core.types import RewardResult
from rewardkit.integrations._common import (
    META_KEYS,
    SPEC_ENV,
    SpecLike,
    env_spec,
    failure_flags,
    get_spec,
    number_or,
    plain,
    report_failures,
    score_batch,
)

__all__ = ["ROUTES", "compute_score", "compute_score_batch", "make_compute_score", "spec_for"]

#: Exact data-source names (lower case) and the built-in spec each one uses. These are the names
#: verl's ``default_compute_score`` (``verl/utils/reward_score/__init__.py``) dispatches on, plus
#: common sets of the same families.
ROUTES: dict[str, str] = {
    "openai/gsm8k": "math",
    "gsm8k": "math",
    "lighteval/math": "math",
    "digitallearninggmbh/math-lighteval": "math",
    "math_dapo": "math",
    "hiyouga/geometry3k": "math",
    "codecontests": "code",
    "apps": "code",
    "codeforces": "code",
    "taco": "code",
    "spider": "sql",
    "bird": "sql",
}

#: Word rules for the names :data:`ROUTES` does not list: the data source is split into lower-case
#: words at every character that is not a letter or digit (``"likaixin/TACO-verified"`` ->
#: ``likaixin``, ``taco``, ``verified``) and the first family with a matching word wins (code,
#: then sql, then mcq, then math); ``*`` marks a prefix (``aime*`` matches ``aime2024``), or a
#: substring when on both sides (``*math*`` matches ``openmathreasoning``).
WORD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "code",
        (
            "code*", "apps", "taco", "livecodebench*", "lcb", "humaneval*", "mbpp*", "leetcode*",
            "kodcode", "primeintellect",
        ),
    ),
    ("sql", ("spider*", "bird", "*sql*")),
    (
        "mcq",
        (
            "mmlu*", "gpqa*", "supergpqa", "arc", "commonsenseqa", "commonsense", "openbookqa",
            "hellaswag", "medmcqa", "mcq*", "choice", "multichoice",
        ),
    ),
    (
        "math",
        (
            "*math*", "gsm8k", "aime*", "amc*", "numina", "olympiad*", "deepscaler*", "dapo*",
            "minerva*", "geometry3k",
        ),
    ),
)

_WORD_SPLIT = re.compile(r"[^0-9a-z]+")


def _matches(word: str, pattern: str) -> bool:
    if pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in word
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


def spec_for(data_source: str | None, routes: Mapping[str, SpecLike] | None = None) -> SpecLike | None:
    """The spec routed to ``data_source``: ``routes`` (exact, case-insensitive), then :data:`ROUTES`,
    then :data:`WORD_RULES`; ``None`` when nothing matches.

    Examples: ``openai/gsm8k``, ``lighteval/MATH``, ``math_dapo``, ``aime_2024`` -> ``math``;
    ``codecontests``, ``likaixin/TACO-verified``, ``livecodebench/code_generation_lite`` -> ``code``;
    ``xlangai/spider``, ``bird`` -> ``sql``; ``cais/mmlu``, ``Idavidrein/gpqa`` -> ``mcq``.
    """
    if not data_source:
        return None
    key = str(data_source).strip().lower()
    if routes:
        lowered = {str(k).lower(): v for k, v in routes.items()}
        if key in lowered:
            return lowered[key]
    if key in ROUTES:
        return ROUTES[key]
    words = [w for w in _WORD_SPLIT.split(key) if w]
    for spec, patterns in WORD_RULES:
        if any(_matches(w, p) for w in words for p in patterns):
            return spec
    return None


def _sample(
    data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any
) -> dict[str, Any] | RewardResult:
    """One verl sample as a ``Sample`` dict; unreadable input becomes an ``invalid_input`` result."""
    if not isinstance(solution_str, str):
        return RewardResult.fail(
            "invalid_input", f"solution_str must be a string, got {type(solution_str).__name__}"
        )
    extra = plain(extra_info)
    meta: dict[str, Any] = {}
    prompt: Any = ""
    if isinstance(extra, dict):
        meta["extra_info"] = extra
        for key in META_KEYS:
            if extra.get(key) is not None:
                meta[key] = extra[key]
        for key in ("question", "prompt", "problem"):
            if isinstance(extra.get(key), (str, list)):
                prompt = extra[key]
                break
    return {
        "prompt": prompt,
        "response": str(solution_str),
        "reference": plain(ground_truth),
        "task": None if data_source is None else str(data_source),
        "meta": meta,
    }


def make_compute_score(
    spec: SpecLike | None = None,
    *,
    workers: int | None = None,
    timeout: float | None = None,
    routes: Mapping[str, SpecLike] | None = None,
    failed_score: float = 0.0,
    return_dict: bool = True,
) -> Callable[..., Any]:
    """A verl ``compute_score`` with fixed settings (single and batched keywords both work).

    Args:
        spec: the spec for every sample (a built-in name, a file, a dict or a ``Spec``); ``None``:
            ``REWARDKIT_SPEC``, else the data source's route.
        workers: worker processes for ``rk.score`` (``None``: one per core, at most 8).
        timeout: per-sample deadline in seconds (``None``: the spec's, else 30 s).
        routes: extra ``{data_source: spec}`` routes, checked before the built-in ones.
        failed_score: the number a failed sample gets (verl needs a number; default 0.0).
        return_dict: return ``{"score": ..., "rk_failed": ..., ...}`` (default) or a bare float.

    Returns:
        ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)``,
        which, called with ``data_sources=`` / ``solution_strs=`` / ``ground_truths=`` /
        ``extra_infos=``, scores the whole batch at once and returns a list. Keyword arguments
        ``spec``, ``workers``, ``timeout`` (verl's ``reward_kwargs``) override the fixed ones for
        that call; other keyword arguments verl may add are ignored.
    """
    fixed = {"spec": spec, "workers": workers, "timeout": timeout}

    def compute_score(
        data_source: Any = None,
        solution_str: Any = None,
        ground_truth: Any = None,
        extra_info: Any = None,
        **kwargs: Any,
    ) -> Any:
        settings = {k: kwargs.pop(k, v) for k, v in fixed.items()}
        if "solution_strs" in kwargs:
            return _score(
                kwargs.get("data_sources"),
                kwargs["solution_strs"],
                kwargs.get("ground_truths"),
                kwargs.get("extra_infos"),
                settings,
            )
        return _score([data_source], [solution_str], [ground_truth], [extra_info], settings)[0]

    def _score(
        data_sources: Any, solution_strs: Any, ground_truths: Any, extra_infos: Any, settings: dict[str, Any]
    ) -> list[Any]:
        solutions = list(solution_strs)
        n = len(solutions)
        sources = [None] * n if data_sources is None else list(data_sources)
        truths = [None] * n if ground_truths is None else list(ground_truths)
        extras = [None] * n if extra_infos is None else list(extra_infos)
        for name, col in (("data_sources", sources), ("ground_truths", truths), ("extra_infos", extras)):
            if len(col) != n:
                raise ValueError(f"{name} has {len(col)} items but solution_strs has {n}")
        chosen = settings["spec"] if settings["spec"] is not None else env_spec()
        # Group the batch by spec, score each group in one call, and put results back in order.
        groups: dict[str, tuple[Any, list[int]]] = {}
        for i, source in enumerate(sources):
            target = chosen if chosen is not None else spec_for(plain(source), routes)
            if target is None:
                raise NotImplementedError(
                    f"rewardkit has no spec for data_source={plain(source)!r}: pass "
                    "custom_reward_function.reward_kwargs.spec=NAME, set "
                    f"{SPEC_ENV}, or add it to make_compute_score(routes=...)"
                )
            key = target if isinstance(target, str) else repr(target)
            groups.setdefault(key, (target, []))[1].append(i)
        results: list[RewardResult | None] = [None] * n
        for target, idx in groups.values():
            spec_obj = get_spec(target)
            samples = [_sample(sources[i], solutions[i], truths[i], extras[i]) for i in idx]
            scored = score_batch(samples, spec_obj, settings["workers"], settings["timeout"])
            for i, r in zip(idx, scored, strict=True):
                results[i] = r
        done = [r if r is not None else RewardResult.fail("error", "no result") for r in results]
        report_failures(done, "verl", f"score={failed_score}")
        return [_verl_value(r, failed_score, return_dict) for r in done]

    compute_score.__name__ = "compute_score"
    compute_score.__qualname__ = "compute_score"
    return compute_score


def _verl_value(result: RewardResult, failed_score: float, return_dict: bool) -> Any:
    value = number_or(result, failed_score)
    if not return_dict:
        return value
    return {"score": value, **failure_flags(result)}


_default = make_compute_score()


def compute_score(
    data_source: Any = None,
    solution_str: Any = None,
    ground_truth: Any = None,
    extra_info: Any = None,
    **kwargs: Any,
) -> Any:
    """verl reward function for ``NaiveRewardManager`` (batched keywords: ``BatchRewardManager``).

    Args:
        data_source: the row's ``data_source`` (selects the spec unless one is given).
        solution_str: the decoded response.
        ground_truth: ``reward_model.ground_truth`` of the row (numpy arrays are made lists).
        extra_info: the row's ``extra_info``; kept in ``Sample.meta["extra_info"]``, and its
            ``group_id``, ``uid``, ``index``, ``id``, ``db_path``, ``db``, ``db_id`` keys are also
            copied to ``meta`` (the sql verifier reads the database from there).
        **kwargs: ``spec``, ``workers``, ``timeout`` (from verl's ``reward_kwargs``); with
            ``data_sources``, ``solution_strs``, ``ground_truths``, ``extra_infos`` the call is
            batched, as in :func:`compute_score_batch`.

    Returns:
        ``{"score": float, "rk_failed": 0/1, "rk_timeout": 0/1, "rk_error": 0/1,
        "rk_invalid_input": 0/1}``. A failed sample gets ``score = 0.0`` with ``rk_failed = 1``
        (verl needs a number; see the module docstring), never silently.

    Raises:
        NotImplementedError: no spec was given and the data source has no route (as verl's
            ``default_compute_score`` does for an unknown data source).
        rewardkit.SpecError: the spec is invalid.
        rewardkit.RewardError: a sample failed and the spec says ``on_error = "raise"``.
    """
    return _default(data_source, solution_str, ground_truth, extra_info, **kwargs)


def compute_score_batch(
    data_sources: Any = None,
    solution_strs: Any = None,
    ground_truths: Any = None,
    extra_infos: Any = None,
    **kwargs: Any,
) -> list[Any]:
    """verl reward function for ``BatchRewardManager``: one call per batch, results in order.

    Arguments and results are those of :func:`compute_score`, one per sample; the batch is scored
    in one ``rk.score`` call per spec (worker processes in parallel, identical answers once). A
    bad sample gets its own failure flags and never breaks the others.
    """
    if solution_strs is None:
        raise ValueError("compute_score_batch needs solution_strs")
    out = _default(
        data_sources=data_sources,
        solution_strs=solution_strs,
        ground_truths=ground_truths,
        extra_infos=extra_infos,
        **kwargs,
    )
    return list(out)
