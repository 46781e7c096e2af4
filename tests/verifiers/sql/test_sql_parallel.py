"""Connections are cached per (process, thread, database) and safe under the engine's parallelism:
several worker processes each calling the scorer sequentially, plus threads."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rewardkit.verifiers.sql._engines import Database, handle_for

QUERIES = [
    "SELECT name FROM element WHERE period = 2",
    "SELECT e.name FROM element e JOIN discovery d ON d.number = e.number WHERE d.year < 1800",
    "SELECT category, count(*) FROM element GROUP BY category",
    "SELECT symbol FROM element WHERE mass > 20",
]


def _workload(db_path: str) -> list[tuple[str, float | None]]:
    from rewardkit.core.registry import get_verifier, run_scorer
    from rewardkit.core.types import Sample

    score = get_verifier("sql").build({"mode": "spider"})
    out = []
    for gold in QUERIES:
        for pred in QUERIES:
            r = run_scorer(score, Sample(response=f"```sql\n{pred}\n```",
                                         reference={"sql": gold, "db_path": db_path}))
            out.append((r.status, r.value))
    return out


def _expected() -> list[tuple[str, float | None]]:
    return [("ok", 1.0 if g == p else 0.0) for g in QUERIES for p in QUERIES]


def test_connection_cached_per_thread(elements_sqlite) -> None:
    db = Database("sqlite", path=elements_sqlite)
    assert handle_for(db) is handle_for(db)
    other: list[object] = []
    t = threading.Thread(target=lambda: other.append(handle_for(db)))
    t.start()
    t.join()
    assert other[0] is not handle_for(db)


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_threads(engine, elements_sqlite, elements_duckdb) -> None:
    path = elements_sqlite if engine == "sqlite" else elements_duckdb
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(_workload, [path] * 12))
    assert all(r == _expected() for r in results)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_worker_processes(engine, elements_sqlite, elements_duckdb) -> None:
    # The engine's model: fresh worker processes, each calling the scorer sequentially.
    path = elements_sqlite if engine == "sqlite" else elements_duckdb
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.map(_workload, [path] * 4)
    assert all(r == _expected() for r in results)


@pytest.mark.timeout(120)
def test_forked_sqlite_workers_reopen_connections(elements_sqlite) -> None:
    # A parent that warmed its SQLite cache then forks: children must not reuse the parent's
    # connections (SQLite forbids carrying a connection across fork); the cache is keyed by pid.
    # (DuckDB is not fork-safe once used; the engine starts fresh processes, never forks.)
    assert _workload(elements_sqlite) == _expected()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map(_workload, [elements_sqlite] * 4)
    assert all(r == _expected() for r in results)


def test_watchdog_fires_only_while_armed() -> None:
    import time

    from rewardkit.verifiers.sql._engines import _WATCHDOG

    hits: list[str] = []
    late = _WATCHDOG.arm(time.monotonic() + 0.05, lambda: hits.append("late"))
    early = _WATCHDOG.arm(time.monotonic() + 0.05, lambda: hits.append("disarmed"))
    _WATCHDOG.disarm(early)
    deadline = time.monotonic() + 30
    while not late.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hits == ["late"] and late.fired and not early.fired


@pytest.mark.timeout(60)
def test_sqlite_watchdog_backstop(elements_sqlite) -> None:
    # With the progress handler removed, the watchdog's interrupt() still stops a runaway query.
    from rewardkit.verifiers.sql._engines import run_query

    db = Database("sqlite", path=elements_sqlite)
    handle = handle_for(db)
    handle.conn.set_progress_handler(None, 0)
    try:
        run = run_query(db, "SELECT count(*) FROM reading a, reading b, reading c",
                        timeout=0.2, max_rows=10)
    finally:
        handle.conn.set_progress_handler(handle._progress, 2_000)
    assert run.status == "timeout"
    assert run_query(db, "SELECT count(*) FROM element", timeout=2, max_rows=10).rows == [(20,)]
