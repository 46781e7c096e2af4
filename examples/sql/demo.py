"""Score the text-to-SQL sample set with the ``sql`` verifier in both comparison modes.

Usage (from the repository root):
    python examples/sql/demo.py [--mode bird|spider] [--timeout SECONDS]

Each row of ``samples.jsonl`` has ``prompt``, ``response``, ``reference`` (``{"sql", "db_path"}``,
the path relative to this folder) and the reward expected in each mode. The database
``world.sqlite`` is committed; ``build_world_db.py`` rebuilds it byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "src"))

from rewardkit.core.registry import get_verifier, run_scorer  # noqa: E402
from rewardkit.core.types import Sample  # noqa: E402


def load_rows(path: str) -> list[dict]:
    """Read the JSONL sample set."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run(mode: str, timeout: float) -> int:
    """Score every sample; return the number whose outcome differs from ``expected``."""
    if not os.path.exists(os.path.join(HERE, "world.sqlite")):
        from build_world_db import build_sqlite  # type: ignore[import-not-found]

        build_sqlite(os.path.join(HERE, "world.sqlite"))
    score = get_verifier("sql").build({"mode": mode, "db_root": HERE, "timeout": timeout})
    rows = load_rows(os.path.join(HERE, "samples.jsonl"))
    wrong = 0
    print(f"mode={mode}  timeout={timeout}s  samples={len(rows)}")
    for i, row in enumerate(rows, 1):
        sample = Sample(prompt=row["prompt"], response=row["response"], reference=row["reference"])
        result = run_scorer(score, sample)
        got = result.value if result.status == "ok" else result.status
        expected = row["expected"][mode]
        wrong += got != expected
        mark = "ok " if got == expected else "BAD"
        reason = result.details.get("reason") or ""
        print(f"{mark} {i:2d} {str(got):8s} {reason:28.28s} {row['note']}")
    print(f"{len(rows) - wrong}/{len(rows)} outcomes as expected")
    return wrong


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["bird", "spider"], default=None)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    modes = [args.mode] if args.mode else ["bird", "spider"]
    sys.exit(1 if sum(run(m, args.timeout) for m in modes) else 0)


if __name__ == "__main__":
    main()
