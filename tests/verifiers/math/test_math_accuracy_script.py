"""benchmarks/math_accuracy.py runs end to end on a small subset and prints the documented JSON
(issue 3 point 5). Both systems run once rewardkit registers "math"; Math-Verify's per-case deadline
kills and replaces a worker that runs over."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rewardkit as rk

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "benchmarks" / "math_accuracy.py"
DATA = Path(__file__).parent / "data" / "math_labelled.jsonl"
METRICS = {"n", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "accuracy", "statuses", "errors",
           "timeouts", "seconds", "per_category", "wrong"}

pytest.importorskip("math_verify")


def _subset(tmp_path, categories=6):
    """One true and one false case from each of the first ``categories`` categories."""
    picked, seen = [], set()
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        key = (row["category"], row["label"])
        if key not in seen and len(row["response"]) < 2000:
            seen.add(key)
            picked.append(line)
    path = tmp_path / "subset.jsonl"
    path.write_text("\n".join(picked[: 2 * categories]) + "\n", encoding="utf-8")
    return path, len(picked[: 2 * categories])


def _run(*args):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--json", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _check_system(out, n):
    assert set(out) >= METRICS
    assert out["n"] == n
    assert out["tp"] + out["fp"] + out["fn"] + out["tn"] == n
    assert sum(out["statuses"].values()) == n
    assert 0.0 <= out["precision"] <= 1.0 and 0.0 <= out["recall"] <= 1.0 and 0.0 <= out["f1"] <= 1.0
    assert sum(c["n"] for c in out["per_category"].values()) == n
    assert len(out["wrong"]) == out["fp"] + out["fn"]
    for wrong in out["wrong"]:
        assert set(wrong) >= {"id", "category", "label", "predicted", "status", "reference", "response_tail"}
        assert wrong["label"] != wrong["predicted"]


def test_json_output_shape(tmp_path):
    path, n = _subset(tmp_path)
    args = ["--data", str(path), "--workers", "2", "--timeout", "30"]
    both = "math" in rk.verifiers()
    if not both:
        args.append("--skip-rewardkit")
    out = _run(*args)
    assert out["n"] == n and out["positives"] == n // 2
    expected = {"math_verify", "rewardkit"} if both else {"math_verify"}
    assert set(out["systems"]) == expected
    for system in out["systems"].values():
        _check_system(system, n)
    # the first cases are plain boxed answers Math-Verify gets right
    assert out["systems"]["math_verify"]["timeouts"] == 0


def test_deadline_kills_math_verify_worker(tmp_path):
    path, _ = _subset(tmp_path)
    out = _run("--data", str(path), "--limit", "2", "--workers", "1", "--timeout", "0.001",
               "--skip-rewardkit")
    mv = out["systems"]["math_verify"]
    _check_system(mv, 2)
    assert mv["timeouts"] == 2 and mv["tp"] == 0 and mv["fp"] == 0
    assert {w["status"] for w in mv["wrong"]} == {"timeout"}
