"""benchmarks/math_speed.py runs end to end and reports what issue 3 point 7 asks for.

Checks the shape of ``--json`` output on 16 responses of the example set (shipped with the repo),
never the timings: throughput per core and latency for both sides, the ratio, agreement with the
anchor labels, and the list of disagreements with every field a reader needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "benchmarks" / "math_speed.py"
DATA = ROOT / "examples" / "math" / "samples.jsonl"
SIDE_KEYS = {
    "per_core_per_s",
    "seconds",
    "p50_ms",
    "p99_ms",
    "max_ms",
    "accuracy",
    "precision",
    "recall",
    "statuses",
}
DISAGREEMENT_KEYS = {
    "id",
    "reference",
    "rewardkit_answer",
    "math_verify_answer",
    "rewardkit",
    "rewardkit_status",
    "rewardkit_reason",
    "math_verify",
    "math_verify_status",
    "label",
}


@pytest.mark.timeout(300)
def test_json_report_shape() -> None:
    """Guards the benchmark script itself (issue 3 point 7): it runs, and its JSON has both sides,
    the ratio, label agreement and a well-formed disagreement list."""
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(DATA), "--limit", "16", "--json"],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    rep = json.loads(proc.stdout)
    assert rep["n"] == 16
    for side in ("rewardkit", "math_verify"):
        stats = rep[side]
        assert SIDE_KEYS <= set(stats), (side, stats)
        assert stats["per_core_per_s"] > 0
        assert 0 <= stats["p50_ms"] <= stats["p99_ms"] <= stats["max_ms"]
        for key in ("accuracy", "precision", "recall"):
            assert 0.0 <= stats[key] <= 1.0
        assert sum(stats["statuses"].values()) == 16
    assert rep["ratio"] > 0
    assert rep["target_ratio"] == 3.0
    assert 0 <= rep["rewardkit_wrong_where_math_verify_right"] <= 16
    assert [e["workers"] for e in rep["engine"]] == [0]
    assert sum(rep["engine"][0]["statuses"].values()) == 16
    assert len(rep["disagreements"]) <= 16
    for d in rep["disagreements"]:
        assert DISAGREEMENT_KEYS <= set(d), d
        assert isinstance(d["label"], bool)
