"""A pool of worker processes with hard per-unit deadlines.

Each worker is a fresh ``python`` subprocess (no fork of the caller, so it is safe from any
thread and from a running event loop; no signals are used for timeouts). The parent sends
chunks of units and receives each result as soon as it is done, so the deadline of the unit in
progress is "time since the previous event + timeout". A worker that passes its deadline, dies
(``os.abort()``, a segfault, the OOM killer) or closes its pipe is killed with its whole process
group and replaced; the unit it was on gets ``timeout`` or ``error`` with the reason, and the
rest of its chunk goes back to the queue.

Workers are started from one long-lived daemon thread (:class:`_Spawner`): a worker arms
``PR_SET_PDEATHSIG``, which fires when the *thread* that forked it ends, so forking from a
short-lived caller thread (``asyncio.to_thread``, a server's request thread) would kill the
pool when that thread finished.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import json
import math
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

from rewardkit.core._worker import PARENT_PID_ENV
from rewardkit.core.types import RewardResult

Unit = tuple[int, int, dict[str, Any]]  # (uid, term index, sample dict)
Progress = Callable[[int, int], None]

#: Workers that die before saying "ready" this many times in one run abort the run.
MAX_START_FAILURES = 3
#: Seconds a worker may take to start, or to import and build a spec's verifiers.
STARTUP_TIMEOUT = 120.0

_BOOT = (
    "import json, os, sys\n"
    "sys.path[:0] = [p for p in json.loads(os.environ['REWARDKIT_SYS_PATH']) if p not in sys.path]\n"
    "from rewardkit.core._worker import main\n"
    "main(int(sys.argv[1]), int(sys.argv[2]) or None)\n"
)


class _Spawner:
    """Runs ``subprocess.Popen`` on one daemon thread that lives as long as the process."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], list[str], dict[str, Any]]]
        self._jobs = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():  # first use, or after fork()
                self._thread = threading.Thread(target=self._serve, name="rewardkit-spawner", daemon=True)
                self._thread.start()
        future: concurrent.futures.Future[subprocess.Popen[bytes]] = concurrent.futures.Future()
        self._jobs.put((future, args, kwargs))
        return future.result()

    def _serve(self) -> None:
        while True:
            future, args, kwargs = self._jobs.get()
            try:
                future.set_result(subprocess.Popen(args, **kwargs))
            except BaseException as exc:  # handed to the caller, who raises it
                future.set_exception(exc)


_SPAWNER = _Spawner()


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    conn: Connection
    state: str = "starting"  # starting | idle | building | running
    since: float = field(default_factory=time.monotonic)
    inflight: deque[Unit] = field(default_factory=deque)
    specs: set[str] = field(default_factory=set)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
            pass

    def exit_reason(self) -> str:
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            return "worker stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = " (likely out of memory)" if name == "SIGKILL" else ""
            return f"worker process died with {name}{hint}"
        return f"worker process exited with code {code}"


class WorkerPool:
    """``size`` worker processes, each with an address-space cap of ``memory_mb`` MiB."""

    def __init__(self, size: int, memory_mb: int | None = 4096) -> None:
        if size < 1:
            raise ValueError(f"workers must be >= 1, got {size}")
        self.size = size
        self.memory_mb = memory_mb
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self._start_failures = 0

    def _spawn(self) -> _Worker:
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        env["REWARDKIT_SYS_PATH"] = json.dumps([p for p in sys.path if p])
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        env[PARENT_PID_ENV] = str(os.getpid())
        fd = child_sock.fileno()
        proc = _SPAWNER.popen(
            [sys.executable, "-c", _BOOT, str(fd), str(self.memory_mb or 0)],
            pass_fds=[fd],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=2,
            start_new_session=True,
        )
        child_sock.close()
        conn = Connection(parent_sock.detach())
        return _Worker(proc=proc, conn=conn)

    def close(self) -> None:
        """Stop every worker (their process groups included)."""
        with self._lock:
            self._closed = True
            for w in self._workers:
                try:
                    w.conn.send(("stop",))
                except OSError:
                    pass
            for w in self._workers:
                try:
                    w.proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
                w.kill()
            self._workers.clear()

    def run(
        self,
        spec_key: str,
        spec_dict: dict[str, Any],
        modules: list[tuple[str, str | None]],
        units: list[Unit],
        timeout: float,
        progress: Progress | None = None,
    ) -> dict[int, RewardResult]:
        """Score ``units`` and return ``{uid: result}``; every unit gets a result."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            return self._run(spec_key, spec_dict, modules, units, timeout, progress)

    def _run(
        self,
        spec_key: str,
        spec_dict: dict[str, Any],
        modules: list[tuple[str, str | None]],
        units: list[Unit],
        timeout: float,
        progress: Progress | None,
    ) -> dict[int, RewardResult]:
        total = len(units)
        self._start_failures = 0
        results: dict[int, RewardResult] = {}
        if not units:
            return results
        chunk = max(1, min(64, math.ceil(total / (self.size * 4))))
        queue: deque[list[Unit]] = deque(units[i : i + chunk] for i in range(0, total, chunk))
        while len(self._workers) < min(self.size, len(queue)):
            self._workers.append(self._spawn())

        def finish(uid: int, result: RewardResult) -> None:
            results[uid] = result
            if progress is not None:
                progress(len(results), total)

        def dispatch(w: _Worker) -> None:
            if not queue:
                w.state = "idle"
                return
            batch = queue.popleft()
            first_time = spec_key not in w.specs
            message = ("run", spec_key, spec_dict if first_time else None, modules, batch)
            try:
                data = ForkingPickler.dumps(message)
            except Exception:  # noqa: BLE001 - a unit that cannot be pickled fails alone
                batch = _picklable(batch, finish)
                if not batch:
                    dispatch(w)
                    return
                message = ("run", spec_key, spec_dict if first_time else None, modules, batch)
                data = ForkingPickler.dumps(message)
            try:
                w.conn.send_bytes(data)
            except OSError:
                queue.appendleft(batch)
                replace(w, None)
                return
            w.specs.add(spec_key)
            w.inflight.extend(batch)
            w.state = "building" if first_time else "running"
            w.since = time.monotonic()

        def replace(w: _Worker, failure: RewardResult | None) -> None:
            w.kill()
            if w.inflight:
                if failure is not None:
                    uid = w.inflight.popleft()[0]
                    finish(uid, failure)
                if w.inflight:
                    queue.appendleft(list(w.inflight))
            self._workers[self._workers.index(w)] = self._spawn()

        for w in self._workers:
            if w.state == "idle":
                dispatch(w)

        while len(results) < total:
            now = time.monotonic()
            for w in list(self._workers):
                if w.state in ("starting", "building"):
                    limit = STARTUP_TIMEOUT
                elif w.state == "running":
                    limit = timeout
                else:
                    continue
                if now - w.since > limit and w.conn.poll():
                    self._drain(w, finish, dispatch, replace)  # a result came in just in time
                elif now - w.since > limit:
                    if w.state == "running":
                        failure = RewardResult.fail(
                            "timeout", f"no result within the {timeout:g} s deadline; worker killed"
                        )
                    else:
                        failure = RewardResult.fail(
                            "error", f"worker did not start or build verifiers in {limit:g} s"
                        )
                    replace(w, failure)
            busy = {w.conn: w for w in self._workers if w.state != "idle"}
            if not busy:  # every worker idle but results missing: requeue defensively
                for w in self._workers:
                    dispatch(w)
                if not any(w.state != "idle" for w in self._workers):
                    raise RuntimeError("worker pool lost track of units")  # pragma: no cover
                continue
            deadlines = []
            for w in busy.values():
                limit = timeout if w.state == "running" else STARTUP_TIMEOUT
                deadlines.append(w.since + limit)
            wait_for = max(0.0, min(deadlines) - time.monotonic()) + 0.005
            for conn in wait(list(busy), timeout=wait_for):
                w = busy[conn]  # type: ignore[index]
                self._drain(w, finish, dispatch, replace)
        return results

    def _drain(
        self,
        w: _Worker,
        finish: Callable[[int, RewardResult], None],
        dispatch: Callable[[_Worker], None],
        replace: Callable[[_Worker, RewardResult | None], None],
    ) -> None:
        try:
            while True:
                msg = w.conn.recv()
                kind = msg[0]
                w.since = time.monotonic()
                if kind == "ready" and w.state == "starting":
                    w.state = "idle"
                    dispatch(w)
                elif kind == "built":
                    w.state = "running"
                elif kind == "res":
                    _, uid, data = msg
                    if w.inflight and w.inflight[0][0] == uid:
                        w.inflight.popleft()
                    finish(uid, RewardResult.from_dict(data))
                    if not w.inflight:
                        dispatch(w)
                if not w.conn.poll():
                    return
        except (EOFError, OSError):
            reason = w.exit_reason()
            if w.state == "starting":
                self._start_failures += 1
                if self._start_failures > MAX_START_FAILURES:
                    raise RuntimeError(
                        f"rewardkit workers fail to start ({reason}); see their stderr above"
                    ) from None
            replace(w, RewardResult.fail("error", f"{reason} on this sample"))


def _picklable(batch: list[Unit], finish: Callable[[int, RewardResult], None]) -> list[Unit]:
    """The units of ``batch`` that pickle; each other one gets an ``error`` result of its own.

    A unit that cannot be sent to a worker (nested too deeply for ``pickle``, or holding an object
    that does not pickle) must fail alone, never raise for the whole batch.
    """
    kept: list[Unit] = []
    for unit in batch:
        try:
            ForkingPickler.dumps(unit)
        except Exception as exc:  # noqa: BLE001 - RecursionError, PicklingError, TypeError...
            finish(unit[0], RewardResult.fail("error", f"sample cannot be sent to a worker process: {exc!r}"))
        else:
            kept.append(unit)
    return kept


_POOLS: dict[tuple[int, int | None], WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def get_pool(size: int, memory_mb: int | None) -> WorkerPool:
    """The shared pool for ``(size, memory_mb)``, started on first use and reused after."""
    with _POOLS_LOCK:
        pool = _POOLS.get((size, memory_mb))
        if pool is None or pool._closed:
            pool = WorkerPool(size, memory_mb)
            _POOLS[(size, memory_mb)] = pool
        return pool


def shutdown_pools() -> None:
    """Stop every shared pool (registered at exit)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


def _forget_pools_after_fork() -> None:
    """A forked child does not own its parent's workers: it starts its own when it needs them."""
    global _POOLS_LOCK, _SPAWNER
    _POOLS.clear()
    _POOLS_LOCK = threading.Lock()  # another thread may have held it at fork time
    _SPAWNER = _Spawner()


atexit.register(shutdown_pools)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_after_fork)
