"""Merging concurrent requests into one engine call, off the event loop.

Each request puts a job (its spec and samples) on a shared list and then, in a thread of a
dedicated pool, drains that list until its own job is done: the thread that holds the run lock
takes every waiting job with the same spec (up to ``max_batch`` samples) and scores them in one
:func:`rewardkit.score` call; threads whose job was scored by another just return. So requests
that arrive while a batch is being scored are scored together in the next one (one round trip to
the worker pool instead of one per request), and the engine, which runs one batch at a time on
its pool, is never asked to queue.

Jobs are not merged when the spec has ``[[shaping]]`` (group statistics must stay within one
request). A spec with ``on_error = "raise"`` is scored as ``"none"`` and the error is raised only
for the request whose sample failed, never for the others merged with it.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from rewardkit.core.errors import RewardError
from rewardkit.core.spec import Spec
from rewardkit.core.types import RewardResult, Sample

ScoreFn = Callable[[list[Sample], Spec, float], list[RewardResult]]


@dataclass
class _Job:
    spec: Spec
    timeout: float
    samples: list[Sample]
    future: concurrent.futures.Future[list[RewardResult]] = field(default_factory=concurrent.futures.Future)

    @property
    def key(self) -> tuple[str, float]:
        return (self.spec.fingerprint, self.timeout)


class Batcher:
    """Scores jobs, merging those that wait at the same time.

    Args:
        score: ``score(samples, spec, timeout) -> results`` (the engine call).
        max_batch: most samples in one merged call (a larger single job runs alone).
    """

    def __init__(self, score: ScoreFn, max_batch: int) -> None:
        self._score = score
        self._max_batch = max(1, max_batch)
        self._pending: list[_Job] = []
        self._lock = threading.Lock()  # guards _pending
        self._run_lock = threading.Lock()  # one engine call at a time
        self.batches = 0  # engine calls made (for tests and metrics)

    def submit(
        self, samples: list[Sample], spec: Spec, timeout: float
    ) -> concurrent.futures.Future[list[RewardResult]]:
        """Queue a job; call :meth:`drain` (in a worker thread) to make sure it runs."""
        job = _Job(spec=spec, timeout=timeout, samples=samples)
        with self._lock:
            self._pending.append(job)
        return job.future

    def drain(self, until: concurrent.futures.Future[list[RewardResult]]) -> None:
        """Score waiting jobs until ``until`` is done (blocking; run it in a thread)."""
        while not until.done():
            with self._run_lock:
                if until.done():
                    return
                batch = self._take()
                if batch:
                    self._run(batch)

    def _take(self) -> list[_Job]:
        with self._lock:
            if not self._pending:
                return []
            first = self._pending[0]
            batch = [first]
            if not first.spec.shaping:
                size = len(first.samples)
                for job in self._pending[1:]:
                    if job.key == first.key and size + len(job.samples) <= self._max_batch:
                        batch.append(job)
                        size += len(job.samples)
            taken = {id(j) for j in batch}
            self._pending = [j for j in self._pending if id(j) not in taken]
            return batch

    def _run(self, batch: list[_Job]) -> None:
        spec = batch[0].spec
        raise_errors = spec.on_error == "raise"
        if raise_errors:
            spec = dataclasses.replace(spec, on_error="none")
        merged = [s for job in batch for s in job.samples]
        self.batches += 1
        try:
            results = self._score(merged, spec, batch[0].timeout)
        except Exception as exc:  # handed to every waiting request, which answers 500
            for job in batch:
                job.future.set_exception(exc)
            return
        start = 0
        for job in batch:
            mine = results[start : start + len(job.samples)]
            start += len(job.samples)
            failed = next((i for i, r in enumerate(mine) if r.status != "ok"), None)
            if raise_errors and failed is not None:
                r = mine[failed]
                job.future.set_exception(RewardError(failed, r.status, r.reason or r.status))
            else:
                job.future.set_result(mine)
