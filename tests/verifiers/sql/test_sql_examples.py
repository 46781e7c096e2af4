"""The committed text-to-SQL sample set and its database (used by examples/sql/demo.py)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "sql")


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_world_db", os.path.join(EXAMPLES, "build_world_db.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sha(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_committed_database_is_small_and_rebuilds_identically(tmp_path) -> None:
    committed = os.path.join(EXAMPLES, "world.sqlite")
    assert os.path.getsize(committed) < 1_000_000
    fresh = _load_builder().build_sqlite(str(tmp_path / "world.sqlite"))
    assert _sha(fresh) == _sha(committed)


def _rows():
    with open(os.path.join(EXAMPLES, "samples.jsonl"), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["bird", "spider"])
def test_sample_set_scores_as_labelled(build_scorer, mode) -> None:
    score = build_scorer(mode=mode, db_root=EXAMPLES, timeout=0.5)
    rows = _rows()
    assert len(rows) >= 15
    for row in rows:
        assert {"prompt", "response", "reference"} <= set(row)
        result = score(row["response"], row["reference"], prompt=row["prompt"])
        got = result.value if result.status == "ok" else result.status
        assert got == row["expected"][mode], (row["note"], result)


def test_sample_set_on_duckdb(build_scorer, tmp_path) -> None:
    path = _load_builder().build_duckdb(str(tmp_path / "world.duckdb"))
    score = build_scorer(mode="spider", db_path=path, timeout=0.5)
    for row in _rows():
        if row["expected"]["spider"] != 1.0:
            continue
        result = score(row["response"], row["reference"]["sql"])
        assert result.value == 1.0, (row["note"], result)
