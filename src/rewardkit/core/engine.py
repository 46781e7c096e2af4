"""The engine: ``score`` / ``ascore`` / ``score_iter`` over a spec, with de-duplication.

Data flow: samples -> units ``(term, sample)`` -> identical units merged -> worker pool (hard
per-unit deadlines) -> per-term results -> :func:`rewardkit.core.compose.compose` -> results in
input order. The engine knows nothing of any verifier family.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from rewardkit.core._worker import IN_WORKER_ENV, rerunning_script
from rewardkit.core.batching import group_batches
from rewardkit.core.compose import compose
from rewardkit.core.pool import Progress, Unit, get_pool
from rewardkit.core.registry import VerifierInfo, get_verifier, run_scorer
from rewardkit.core.spec import Spec, load_spec
from rewardkit.core.types import MAX_NESTING, RewardResult, Sample, too_deep

#: Per-sample deadline in seconds when neither the call nor the spec sets one.
DEFAULT_TIMEOUT = 30.0
#: Address-space cap of each worker process, in MiB.
DEFAULT_MEMORY_MB = 4096
#: Meta keys that identify a row rather than change its score (ignored by de-duplication).
_IDENTITY_META = frozenset({"id", "uid", "index", "group_id", "row", "line"})

SampleLike = Sample | dict[str, Any]


def default_workers() -> int:
    """Worker processes used when ``workers=None``: one per core, at most 8; 0 inside a worker."""
    if os.environ.get(IN_WORKER_ENV):
        return 0
    return max(1, min(8, os.cpu_count() or 1))


def _workers_here(workers: int | None) -> int:
    """The worker count a call gets: ``workers``, except inside a worker process (always 0).

    Raises:
        RuntimeError: called while a worker re-runs the user's script to find its verifiers
            (the script scores at top level without an ``if __name__ == "__main__":`` guard).
    """
    n = default_workers() if workers is None else int(workers)
    if n < 0:
        raise ValueError(f"workers must be >= 0, got {workers}")
    if not os.environ.get(IN_WORKER_ENV):
        return n
    script = rerunning_script()
    if script is not None:
        raise RuntimeError(
            f"rewardkit.score was called at the top level of {script}, which each worker process "
            "re-runs to find the verifiers it defines; put the scoring code under "
            '`if __name__ == "__main__":` (as with multiprocessing), or score with workers=0'
        )
    return 0  # a verifier that scores other samples does so in its own worker, never in a new pool


def _check_samples(samples: Any) -> None:
    """Refuse a ``samples`` argument that is iterable but is not a collection of samples.

    Raises:
        TypeError: ``samples`` is a string or bytes (each character would be scored as an
            invalid sample), a single :class:`Sample` or a single dict (its keys would be).
    """
    if isinstance(samples, (str, bytes, bytearray, memoryview)):
        raise TypeError(
            f"samples must be an iterable of Sample objects or dicts, got {type(samples).__name__} "
            "(each character would be scored as a sample); wrap one sample in a list"
        )
    if isinstance(samples, (Sample, dict)):
        raise TypeError(
            f"samples must be an iterable of Sample objects or dicts, got a single "
            f"{type(samples).__name__}; wrap it in a list"
        )


def _check_timeout(timeout: Any) -> None:
    """``timeout`` must be ``None`` or a positive number of seconds (0 is not "the default").

    Raises:
        ValueError: ``timeout`` is zero, negative, NaN or not a number.
    """
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(
            f"timeout must be None (the spec's, else {DEFAULT_TIMEOUT:g} s) or a positive number "
            f"of seconds, got {timeout!r}"
        )


def _as_sample(obj: SampleLike) -> Sample:
    if isinstance(obj, Sample):
        return obj
    if isinstance(obj, dict):
        return Sample.from_dict(obj)
    raise TypeError(f"expected a Sample or a dict, got {type(obj).__name__}")


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)


def _unit_key(term_index: int, info: VerifierInfo, s: Sample) -> tuple[Any, ...]:
    meta = {k: v for k, v in s.meta.items() if k not in _IDENTITY_META}
    prompt = _canon(s.prompt) if info.uses_prompt else None
    return (term_index, s.response, _canon(s.reference), s.task, _canon(meta), prompt)


def _module_of(info: VerifierInfo) -> tuple[str, str | None]:
    """Module a worker must import to find ``info`` (a script's path for ``__main__``)."""
    module = info.module
    if "<locals>" in info.factory.__qualname__:
        raise ValueError(
            f"verifier {info.name!r} is defined inside a function, so worker processes cannot "
            "import it: define it at module level, or score with workers=0"
        )
    path = None
    if module in ("__main__", "__mp_main__"):
        main_file = getattr(sys.modules.get(module), "__file__", None)
        if not main_file:
            raise ValueError(
                f"verifier {info.name!r} is defined in an interactive session; define it in an "
                "importable module, or score with workers=0"
            )
        path = str(Path(main_file).resolve())
        module = "__main__"
    return module, path


def score(
    samples: Iterable[SampleLike],
    spec: str | Path | dict[str, Any] | Spec = "math",
    *,
    workers: int | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> list[RewardResult]:
    """Score samples against a spec; results come back in input order.

    Args:
        samples: :class:`Sample` objects or dicts with its field names.
        spec: a built-in spec name, a spec file path, a dict or a :class:`Spec`.
        workers: worker processes (``None``: one per core, at most 8). ``0`` scores in the calling
            thread with no hard deadline (for debugging and for verifiers defined in a function).
            Inside a worker process every call scores inline: workers never start workers.
        timeout: hard deadline per (sample, term) in seconds; default: the spec's, else 30 s.
        progress: called as ``progress(done, total)`` while scoring.
        memory_mb: address-space cap per worker process (``None``: no cap).

    Returns:
        One :class:`RewardResult` per sample. A sample that hangs, crashes its worker or cannot
        be read gets ``timeout`` / ``error`` / ``invalid_input`` with a reason; the others are
        unaffected.

    Raises:
        SpecError: the spec is invalid.
        RewardError: a sample failed and the spec says ``on_error = "raise"``.
        TypeError: ``samples`` is a string, bytes, or a single sample instead of an iterable.
        ValueError: ``timeout`` is zero or negative, or ``workers`` is negative.
    """
    _check_samples(samples)
    _check_timeout(timeout)
    spec_obj = load_spec(spec)
    deadline = float(timeout if timeout is not None else spec_obj.timeout or DEFAULT_TIMEOUT)
    n_workers = _workers_here(workers)
    infos = [get_verifier(t.verifier) for t in spec_obj.terms]

    parsed: list[Sample | RewardResult] = []
    for obj in samples:
        try:
            sample = _as_sample(obj)
        except (TypeError, ValueError) as exc:
            parsed.append(RewardResult.fail("invalid_input", f"not a valid sample: {exc}"))
            continue
        deep = too_deep(sample)
        if deep is not None:  # would break pickling (RecursionError) for the whole batch
            parsed.append(
                RewardResult.fail(
                    "invalid_input",
                    f"{deep} is nested more than {MAX_NESTING} levels deep (the limit of rewardkit)",
                    field=deep,
                )
            )
            continue
        parsed.append(sample)

    units: list[Unit] = []
    unit_of: dict[tuple[Any, ...], int] = {}
    plan: list[list[int] | None] = []
    for s in parsed:
        if isinstance(s, RewardResult):
            plan.append(None)
            continue
        uids: list[int] = []
        for k, info in enumerate(infos):
            key = _unit_key(k, info, s)
            uid = unit_of.get(key)
            if uid is None:
                uid = len(units)
                unit_of[key] = uid
                units.append((uid, k, s.to_dict()))
            uids.append(uid)
        plan.append(uids)

    if n_workers == 0 or not units:
        done = _run_inline(spec_obj, infos, units, progress)
    else:
        modules = list(dict.fromkeys(_module_of(info) for info in infos))
        pool = get_pool(n_workers, memory_mb)
        done = pool.run(spec_obj.fingerprint, spec_obj.to_dict(), modules, units, deadline, progress)

    results: list[RewardResult] = []
    for i, (s, planned) in enumerate(zip(parsed, plan, strict=True)):
        if isinstance(s, RewardResult) or planned is None:
            assert isinstance(s, RewardResult)
            results.append(s)
        else:
            results.append(compose(spec_obj, [_copy(done[u]) for u in planned], i))
    if spec_obj.shaping:
        from rewardkit.shaping.stage import apply_shaping

        results = apply_shaping(spec_obj, parsed, results)
    return results


def _copy(result: RewardResult) -> RewardResult:
    """A shallow copy, so de-duplicated samples do not share mutable dicts."""
    return RewardResult(
        value=result.value,
        status=result.status,
        components=dict(result.components),
        details=dict(result.details),
    )


def _run_inline(
    spec: Spec, infos: list[VerifierInfo], units: list[Unit], progress: Progress | None
) -> dict[int, RewardResult]:
    scorers: dict[int, Any] = {}
    done: dict[int, RewardResult] = {}
    for uid, k, sample_dict in units:
        if k not in scorers:
            term = spec.terms[k]
            try:
                scorers[k] = infos[k].build(term.options, f"term {term.name!r}")
            except Exception as exc:
                scorers[k] = f"could not build verifier for term {term.name!r}: {exc!r}"
        fn = scorers[k]
        if isinstance(fn, str):
            done[uid] = RewardResult.fail("error", fn)
        else:
            done[uid] = run_scorer(fn, Sample.from_dict(sample_dict))
        if progress is not None:
            progress(len(done), len(units))
    return done


async def ascore(
    samples: Iterable[SampleLike],
    spec: str | Path | dict[str, Any] | Spec = "math",
    *,
    workers: int | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> list[RewardResult]:
    """Async :func:`score`: runs in the default executor, so the event loop keeps running."""
    _check_samples(samples)
    _check_timeout(timeout)
    loop = asyncio.get_running_loop()
    call = functools.partial(
        score,
        list(samples),
        spec,
        workers=workers,
        timeout=timeout,
        progress=progress,
        memory_mb=memory_mb,
    )
    return await loop.run_in_executor(None, call)


def score_iter(
    samples: Iterable[SampleLike],
    spec: str | Path | dict[str, Any] | Spec = "math",
    *,
    batch_size: int = 2048,
    workers: int | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> Iterator[RewardResult]:
    """Stream results for an iterable of samples, ``batch_size`` at a time (memory stays flat).

    When the spec has ``[[shaping]]``, a batch is never cut inside a group (samples sharing
    ``meta["group_id"]``, or else the same prompt): it grows past ``batch_size`` until the group
    ends, up to 64 times ``batch_size`` (:mod:`rewardkit.core.batching`, the same cut as
    ``rewardkit score``). Keep each group's samples consecutive; a sample whose group was
    already scored in an earlier batch raises one ``RuntimeWarning`` (its group is shaped in
    pieces).

    Progress is reported as ``progress(done_so_far, -1)`` when the total is unknown.
    """
    _check_samples(samples)
    _check_timeout(timeout)
    spec_obj = load_spec(spec)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    done = 0

    def run(chunk: list[SampleLike]) -> list[RewardResult]:
        nonlocal done
        base = done

        def report(n: int, _total: int) -> None:
            if progress is not None:
                progress(base + n * len(chunk) // max(_total, 1), -1)

        out = score(chunk, spec_obj, workers=workers, timeout=timeout, progress=report, memory_mb=memory_mb)
        done += len(chunk)
        return out

    items: Iterable[SampleLike] = samples
    key: Callable[[SampleLike], str | None] | None = None
    if spec_obj.shaping:
        items = (_parsed_or_raw(obj) for obj in samples)  # parse once: for the key and for score
        key = _group_of

    warned = False

    def on_split(obj: SampleLike) -> None:
        nonlocal warned
        if not warned:
            warned = True
            warnings.warn(
                "score_iter: a sample's group was already scored in an earlier batch, so that group "
                "is shaped in pieces; keep the samples of a group consecutive (or raise batch_size)",
                RuntimeWarning,
                stacklevel=3,
            )

    for chunk in group_batches(items, batch_size, key, on_split=on_split):
        yield from run(chunk)


def _group_of(obj: SampleLike) -> str | None:
    """The shaping group of a parsed sample; ``None`` (the previous sample's group) otherwise."""
    from rewardkit.shaping.stage import group_key  # lazy: the engine imports shaping only when used

    return group_key(obj) if isinstance(obj, Sample) else None


def _parsed_or_raw(obj: SampleLike) -> SampleLike:
    """``obj`` as a :class:`Sample`, or unchanged when it is not one (``score`` reports it)."""
    try:
        return _as_sample(obj)
    except (TypeError, ValueError):
        return obj
