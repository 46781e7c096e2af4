"""SQL verifier throughput against a naive open-execute-close loop, measured in one run.

The workload is the text-to-SQL sample set in ``examples/sql`` (the read-only rows: the
runaway join, the DROP and the ATTACH rows are left out, since the naive loop would run them),
each prompt repeated ``--group`` times as in a
GRPO group. Three loops score the same samples:

* naive: for every sample, ``sqlite3.connect`` the file, run the gold and predicted queries,
  ``fetchall`` both, compare as sets, close (what a hand-written reward function does; no
  safety checks, no deadline, the SQL already extracted for it);
* rewardkit: the registered ``sql`` verifier (extraction, sqlglot admission, read-only cached
  connection, deadline, row cap, comparison; gold results cached per process);
* rewardkit, cold gold: the same with the gold-result cache emptied before every sample.

Prints executions (scored samples) per second for each and the ratios to the naive loop.

Usage:
    python benchmarks/sql_speed.py [--repeat N] [--group G]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from typing import Any

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "src"))

from rewardkit.core.registry import get_verifier, run_scorer  # noqa: E402
from rewardkit.core.types import Sample  # noqa: E402
from rewardkit.verifiers.sql import _verifier  # noqa: E402
from rewardkit.verifiers.sql._extract import extract_sql  # noqa: E402

EXAMPLES = os.path.join(ROOT, "examples", "sql")


def load_samples(group: int) -> list[dict[str, Any]]:
    """Read-only rows that run to completion, each repeated ``group`` times."""
    rows = []
    with open(os.path.join(EXAMPLES, "samples.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sql = extract_sql(row["response"]).sql or ""
            if row["expected"]["bird"] == "timeout" or sql.upper().startswith(("DROP", "ATTACH")):
                continue  # the naive loop would run these: a runaway join, a write, an ATTACH
            rows.append(row)
    return [row for row in rows for _ in range(group)]


def naive(rows: list[dict[str, Any]], path: str) -> tuple[float, int]:
    """Open, execute both queries, compare, close -- per sample."""
    prepared = [(r["reference"]["sql"], extract_sql(r["response"]).sql) for r in rows]
    uri = f"file:{path}?mode=ro"  # even the naive loop must not let a response write the file
    correct = 0
    start = time.perf_counter()
    for gold, pred in prepared:
        conn = sqlite3.connect(uri, uri=True)
        try:
            gold_rows = conn.execute(gold).fetchall()
            try:
                pred_rows = conn.execute(pred).fetchall() if pred else None
            except (sqlite3.Error, sqlite3.Warning):
                pred_rows = None
            correct += pred_rows is not None and set(pred_rows) == set(gold_rows)
        finally:
            conn.close()
    return time.perf_counter() - start, correct


def rewardkit(rows: list[dict[str, Any]], cold: bool) -> tuple[float, int]:
    """The registered verifier, optionally with the gold cache emptied before each sample."""
    score = get_verifier("sql").build({"mode": "bird", "db_root": EXAMPLES})
    samples = [Sample(prompt=r["prompt"], response=r["response"], reference=r["reference"])
               for r in rows]
    correct = 0
    start = time.perf_counter()
    for sample in samples:
        if cold:
            _verifier._GOLD_CACHE.entries.clear()
        correct += run_scorer(score, sample).value == 1.0
    return time.perf_counter() - start, correct


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="SQL verifier throughput vs a naive loop")
    parser.add_argument("--repeat", type=int, default=40, help="passes over the sample set")
    parser.add_argument("--group", type=int, default=8, help="samples per prompt")
    args = parser.parse_args()
    rows = load_samples(args.group) * args.repeat
    path = os.path.join(EXAMPLES, "world.sqlite")
    rewardkit(rows[:50], cold=False)  # warm-up: imports, connection, sqlglot
    naive(rows[:50], path)
    t_naive, c_naive = naive(rows, path)
    t_rk, c_rk = rewardkit(rows, cold=False)
    t_cold, c_cold = rewardkit(rows, cold=True)
    n = len(rows)
    print(f"samples: {n} ({args.group} per prompt), database: examples/sql/world.sqlite")
    print(f"naive open-execute-close : {n / t_naive:9.0f} exec/s  (correct {c_naive})")
    print(f"rewardkit sql            : {n / t_rk:9.0f} exec/s  (correct {c_rk})")
    print(f"rewardkit sql, cold gold : {n / t_cold:9.0f} exec/s  (correct {c_cold})")
    print(f"ratio rewardkit / naive  : {t_naive / t_rk:.2f}x")
    print(f"ratio cold gold / naive  : {t_naive / t_cold:.2f}x")


if __name__ == "__main__":
    main()
