"""Built-in specs shipped in rewardkit/specs: each loads by name; ``sql`` scores the example set."""

import json
from pathlib import Path

import pytest

import rewardkit as rk
from rewardkit.core.spec import builtin_specs

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["code", "mcq", "sql"])
def test_builtin_spec_is_listed_and_loads(name):
    assert name in builtin_specs()
    spec = rk.load_spec(name)
    assert spec.source == f"builtin:{name}" and spec.name == name and spec.terms


def test_sql_spec_layout():
    """The built-in spec does not tie relative paths to this repository's example folder."""
    spec = rk.load_spec("sql")
    (term,) = spec.terms
    assert term.verifier == "sql" and term.weight == 1.0
    assert term.options == {"mode": "spider"}


def test_builtin_sql_spec_scores_inline_databases_from_anywhere(tmp_path, monkeypatch):
    pytest.importorskip("sqlglot")
    monkeypatch.chdir(tmp_path)
    db = {"schema": "CREATE TABLE t (x INTEGER);", "rows": {"t": [[1], [2], [3]]}}
    sample = rk.Sample(prompt="", response="```sql\nSELECT x FROM t WHERE x > 1\n```",
                       reference={"sql": "SELECT x FROM t WHERE x >= 2", **db})
    (result,) = rk.score([sample], spec="sql", workers=0)
    assert result.status == "ok" and result.value == 1.0, result


def test_example_spec_scores_the_example_set_from_the_repo_root(monkeypatch):
    """`rewardkit score examples/sql/samples.jsonl --spec examples/sql/spec.toml` (make demo)."""
    pytest.importorskip("sqlglot")
    monkeypatch.chdir(ROOT)
    rows = [json.loads(line) for line in Path("examples/sql/samples.jsonl").read_text().splitlines() if line]
    rows = [r for r in rows if r["expected"]["spider"] != "timeout"]  # keep the test fast
    samples = [rk.Sample(prompt=r["prompt"], response=r["response"], reference=r["reference"]) for r in rows]
    results = rk.score(samples, spec="examples/sql/spec.toml", workers=0)
    assert [r.status for r in results] == ["ok"] * len(rows)
    assert [r.value for r in results] == [r["expected"]["spider"] for r in rows]
