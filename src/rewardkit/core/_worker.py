"""The worker process of the engine's pool (started by :mod:`rewardkit.core.engine`).

Protocol over a ``multiprocessing.connection.Connection`` on an inherited file descriptor:

parent -> worker: ``("run", spec_key, spec_dict | None, modules, units)`` where ``units`` is a list
of ``(uid, term_index, sample_dict)``; ``("stop",)``.
worker -> parent: ``("ready", pid)`` once; ``("built", spec_key)`` after building a spec's scorers;
``("res", uid, result_dict)`` for each unit, as soon as it is done.

The worker caps its own address space (``RLIMIT_AS``) so a runaway allocation raises
``MemoryError`` in the scorer instead of exhausting the host, and dies with the process that
started it (``PR_SET_PDEATHSIG``, checked against ``REWARDKIT_PARENT_PID``): a parent killed with
SIGKILL while a worker is stuck in a sample leaves no orphan behind.

A worker never starts workers of its own: ``rk.score`` called inside one scores inline, and
``rk.score`` called while a worker re-runs a user's script (to find the verifiers it defines)
raises :class:`RuntimeError`, as ``multiprocessing`` does for a script without an
``if __name__ == "__main__":`` guard. Without that rule an unguarded script is a fork bomb.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import resource
import runpy
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

IN_WORKER_ENV = "REWARDKIT_IN_WORKER"
#: Environment variable holding the pid of the process that owns the worker's pool.
PARENT_PID_ENV = "REWARDKIT_PARENT_PID"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_MAIN_SCRIPTS: set[str] = set()
_rerunning: str | None = None


def rerunning_script() -> str | None:
    """The user script this worker is re-running to find its verifiers, if any (else ``None``)."""
    return _rerunning


def _import_modules(modules: list[tuple[str, str | None]]) -> None:
    """Import the modules that define the spec's verifiers (a script's ``__main__`` included)."""
    global _rerunning
    for name, path in modules:
        if name == "__main__":
            if path and path not in _MAIN_SCRIPTS:
                _MAIN_SCRIPTS.add(path)
                _rerunning = path
                try:
                    runpy.run_path(path, run_name="__mp_main__")
                finally:
                    _rerunning = None
        elif name not in sys.modules:
            importlib.import_module(name)


def _die_with_parent(parent_pid: int) -> None:
    """Exit when the owning process dies, even while a sample holds this process busy.

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (the pool starts workers from one long-lived
    thread, since the signal follows the thread that forked). Elsewhere: a thread polling
    ``getppid()``. Either way, a parent that died before this point is caught by the pid check.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)
    if not armed and parent_pid:

        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, name="rewardkit-parent-watch", daemon=True).start()


def main(fd: int, memory_mb: int | None) -> None:
    """Serve units until the parent says stop or closes the connection."""
    os.environ[IN_WORKER_ENV] = "1"
    _die_with_parent(int(os.environ.get(PARENT_PID_ENV) or 0))
    conn = Connection(fd)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborting sample leaves no core file

    from rewardkit.core.registry import get_verifier, load_plugins, run_scorer
    from rewardkit.core.spec import load_spec
    from rewardkit.core.types import RewardResult, Sample

    load_plugins()
    built: dict[str, list[Any]] = {}
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        _, spec_key, spec_dict, modules, units = msg
        if spec_key not in built:
            scorers: list[Any] = []
            try:
                _import_modules(modules)
                spec = load_spec(spec_dict)
            except Exception as exc:  # reported per unit, with the reason
                scorers.append(f"could not load the spec's verifiers: {exc!r}")
            else:
                for term in spec.terms:  # each term on its own, named as the inline path names it
                    try:
                        scorers.append(get_verifier(term.verifier).build(term.options, f"term {term.name!r}"))
                    except Exception as exc:
                        scorers.append(f"could not build verifier for term {term.name!r}: {exc!r}")
            built[spec_key] = scorers
            conn.send(("built", spec_key))
        scorers = built[spec_key]
        for uid, term_index, sample_dict in units:
            fn = scorers[term_index] if term_index < len(scorers) else scorers[-1]
            if isinstance(fn, str):
                result = RewardResult.fail("error", fn)
            else:
                try:
                    sample = Sample.from_dict(sample_dict)
                except (TypeError, ValueError) as exc:
                    result = RewardResult.fail("invalid_input", str(exc))
                else:
                    result = run_scorer(fn, sample)
            try:
                conn.send(("res", uid, result.to_dict()))
            except (pickle.PicklingError, TypeError, AttributeError, ValueError) as exc:
                fallback = RewardResult.fail("error", f"verifier returned unpicklable details: {exc!r}")
                conn.send(("res", uid, fallback.to_dict()))


if __name__ == "__main__":  # pragma: no cover - started by the engine
    main(int(sys.argv[1]), int(sys.argv[2]) or None)
