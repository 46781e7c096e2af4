"""What the three trainer adapters share: spec choice, plain-Python inputs, scoring, failure counts.

Nothing here imports a trainer (or torch, or numpy): trainers hand us numpy arrays and numpy
strings, which are turned into plain Python by duck typing (``tolist``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rewardkit.core.engine import score
from rewardkit.core.spec import Spec, load_spec
from rewardkit.core.types import RewardResult

#: Environment variable that names the spec every adapter uses (overridden by explicit arguments).
SPEC_ENV = "REWARDKIT_SPEC"
#: The failure statuses, each reported as its own 0/1 number where a trainer takes numbers.
FAILURE_STATUSES = ("timeout", "error", "invalid_input")
#: Keys of ``extra_info`` (verl) lifted into ``Sample.meta`` so verifiers find them there.
META_KEYS = ("group_id", "uid", "index", "id", "db_path", "db", "db_id")

logger = logging.getLogger("rewardkit.integrations")

SpecLike = str | Path | dict[str, Any] | Spec

_spec_cache: dict[str, Spec] = {}
_spec_lock = threading.Lock()
_failures: Counter[str] = Counter()
_failures_lock = threading.Lock()


def get_spec(spec: SpecLike) -> Spec:
    """Load ``spec``, caching specs named by a string or path (trainers score many small batches)."""
    if isinstance(spec, (str, Path)):
        key = str(spec)
        with _spec_lock:
            cached = _spec_cache.get(key)
        if cached is None:
            cached = load_spec(spec)
            with _spec_lock:
                _spec_cache[key] = cached
        return cached
    return load_spec(spec)


def env_spec() -> str | None:
    """The spec named by ``REWARDKIT_SPEC``, read at call time (Ray workers set it late)."""
    value = os.environ.get(SPEC_ENV, "").strip()
    return value or None


def plain(obj: Any) -> Any:
    """``obj`` with numpy arrays and scalars (anything with ``tolist``) made plain Python, recursively.

    verl's ``non_tensor_batch`` holds numpy object arrays; a list ground truth read from Parquet
    comes back as an ``ndarray``, which no verifier reads.
    """
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if isinstance(obj, str):
        return str(obj)  # numpy.str_ -> str
    if isinstance(obj, dict):
        return {str(k) if not isinstance(k, str) else k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        try:
            return plain(tolist())
        except Exception:  # noqa: BLE001 - an odd object stays as it is; the verifier reports it
            return obj
    return obj


def as_list(values: Any, n: int, name: str) -> list[Any]:
    """A trainer column as a list of ``n`` items (``None``: ``n`` Nones).

    Raises:
        ValueError: the column has another length than the batch; the message names it.
    """
    if values is None:
        return [None] * n
    if isinstance(values, (str, bytes, dict)):
        raise ValueError(f"{name} must be a sequence with one item per sample, got {type(values).__name__}")
    items = list(values)
    if len(items) != n:
        raise ValueError(f"{name} has {len(items)} items but the batch has {n} samples")
    return items


def text_of(value: Any) -> str:
    """A completion as text: a string, or the last assistant message of a chat list.

    A message's ``content`` may be a string or a list of parts (``{"type": "text", "text": ...}``).
    Only the *last* assistant message counts: when it has no text (a tool call, ``content:
    None``), the response is empty, never an earlier assistant message's text.

    Raises:
        ValueError: ``value`` is neither, or the chat list has no assistant message.
    """
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        for message in reversed(value):
            if not isinstance(message, dict) or message.get("role", "assistant") != "assistant":
                continue
            content = message.get("content")
            if isinstance(content, str):
                return str(content)
            if isinstance(content, list):
                parts = [
                    str(p.get("text", "")) if isinstance(p, dict) else str(p)
                    for p in content
                    if isinstance(p, (dict, str))
                ]
                return "".join(parts)
            return ""  # the last assistant turn has no text (a tool call): an empty response
        raise ValueError("completion is a chat list without an assistant message")
    raise ValueError(f"completion must be a string or a chat list, got {type(value).__name__}")


def score_batch(
    samples: Sequence[dict[str, Any] | RewardResult],
    spec: Spec,
    workers: int | None,
    timeout: float | None,
) -> list[RewardResult]:
    """Score sample dicts; entries that are already a :class:`RewardResult` (unreadable input) pass through.

    Per-sample failures come back as results with their status; a spec error or the spec's
    ``on_error = "raise"`` propagates (both are the user's explicit configuration).
    """
    todo = [(i, s) for i, s in enumerate(samples) if not isinstance(s, RewardResult)]
    out: list[RewardResult | None] = [s if isinstance(s, RewardResult) else None for s in samples]
    if todo:
        results = score([s for _, s in todo], spec, workers=workers, timeout=timeout)
        for (i, _), r in zip(todo, results, strict=True):
            out[i] = r
    return [r if r is not None else RewardResult.fail("error", "no result") for r in out]


def failure_flags(result: RewardResult) -> dict[str, float]:
    """``rk_failed`` and one ``rk_<status>`` per failure status, each 1.0 or 0.0 (always the same keys)."""
    flags = {"rk_failed": 0.0 if result.status == "ok" else 1.0}
    for status in FAILURE_STATUSES:
        flags[f"rk_{status}"] = 1.0 if result.status == status else 0.0
    return flags


#: Seconds between two failure warnings of one adapter (per-sample trainers call once per sample).
LOG_INTERVAL_S = 30.0
_pending: dict[str, Counter[str]] = {}
_last_log: dict[str, float] = {}


def report_failures(results: Iterable[RewardResult], adapter: str, became: str) -> int:
    """Count failed results, add them to :func:`failure_counts` and log a warning.

    The warning names the counts per status since the adapter's previous warning and the first
    reason; it is written at most once every :data:`LOG_INTERVAL_S` seconds per adapter (verl's
    naive reward manager calls once per sample), so no failure goes unreported and no log floods.

    Args:
        results: the batch's results.
        adapter: ``verl``, ``trl`` or ``openrlhf`` (for the message).
        became: what the trainer got for them (``0.0``, ``None``), for the message.

    Returns:
        The number of failed results in the batch.
    """
    results = list(results)
    failed = [r for r in results if r.status != "ok"]
    if not failed:
        return 0
    by_status = Counter(r.status for r in failed)
    now = time.monotonic()
    with _failures_lock:
        _failures.update(by_status)
        _failures["samples"] += len(failed)
        pending = _pending.setdefault(adapter, Counter())
        pending.update(by_status)
        last = _last_log.get(adapter)
        if last is not None and now - last < LOG_INTERVAL_S:
            return len(failed)
        _last_log[adapter] = now
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(pending.items()))
        total = sum(pending.values())
        pending.clear()
    logger.warning(
        "rewardkit (%s): %d failed sample(s) since the last report (%s) were given %s; "
        "latest reason: %s",
        adapter,
        total,
        counts,
        became,
        failed[0].reason or failed[0].status,
    )
    return len(failed)


def failure_counts() -> dict[str, int]:
    """Failed samples seen by the adapters in this process: ``samples`` and one count per status."""
    with _failures_lock:
        return dict(_failures)


def reset_failure_counts() -> None:
    """Forget the counts of :func:`failure_counts` (tests, or per-epoch monitoring)."""
    with _failures_lock:
        _failures.clear()
        _pending.clear()
        _last_log.clear()


def number_or(result: RewardResult, failed_value: float) -> float:
    """The result's value, or ``failed_value`` when it failed (the adapter's documented choice)."""
    return float(result.value) if result.status == "ok" and result.value is not None else float(failed_value)
