"""`rewardkit score` / `rewardkit verifiers` end to end on real files, in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = """
import rewardkit as rk
import faulty_verifiers  # noqa: F401
from rewardkit.cli import main
raise SystemExit(main())
"""


def cli(*args, stdin=None):
    """Run the CLI with the test verifiers registered (through a tiny launcher script)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "core")])
    return subprocess.run(
        [sys.executable, "-c", PLUGIN, *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=300,
    )


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_jsonl_with_malformed_rows(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"response": "ok", "reference": "ok", "id": 1}\n'
        "{not json\n"
        "\n"
        '{"prompt": "no response here"}\n'
        '["not", "an", "object"]\n'
        '{"solution_str": "no", "reward_model": {"ground_truth": "ok"}}\n'
    )
    out = tmp_path / "out.jsonl"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "2")
    assert r.returncode == 1, r.stderr
    rows = read_jsonl(out)
    assert [row["status"] for row in rows] == ["ok", "invalid_input", "invalid_input", "invalid_input", "ok"]
    assert rows[0]["reward"] == 1.0 and rows[0]["id"] == 1 and rows[0]["components"] == {"test.faulty": 1.0}
    assert rows[4]["reward"] == 0.0  # verl aliases: solution_str + reward_model.ground_truth
    assert "line 2: invalid JSON" in r.stderr and "line 4: row has no response" in r.stderr
    assert "line 5:" in r.stderr
    assert rows[1]["line"] == 2 and "invalid JSON" in rows[1]["details"]["reason"]
    # summary table: rows by status and mean reward per term
    assert "invalid_input" in r.stderr and "test.faulty" in r.stderr and "unreadable: 3" in r.stderr


def test_clean_file_exits_zero_and_stdout_output(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"completion": "x" * i, "answer": ""}) + "\n" for i in range(5)))
    r = cli("score", src, "--spec", "test.len", "--no-progress")
    assert r.returncode == 0, r.stderr
    rewards = [json.loads(line)["reward"] for line in r.stdout.splitlines()]
    assert rewards == [0.0, 0.1, 0.2, 0.3, 0.4]


def test_failures_keep_status_in_output(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"response": "raise"}\n{"response": "ok", "reference": "ok"}\n')
    out = tmp_path / "out.jsonl"
    r = cli("score", src, "-o", out, "--spec", "test.faulty")
    assert r.returncode == 0  # rows were readable; the verifier failure is in the row
    rows = read_jsonl(out)
    assert rows[0]["status"] == "error" and rows[0]["reward"] is None
    assert "RuntimeError" in rows[0]["details"]["reason"]


def test_parquet_verl_layout_in_and_out(tmp_path):
    table = pa.Table.from_pylist(
        [
            {
                "data_source": "demo",
                "prompt": [{"role": "user", "content": "say ok"}],
                "responses": None,
                "response": r,
                "reward_model": {"style": "rule", "ground_truth": "ok"},
                "extra_info": {"index": i},
            }
            for i, r in enumerate(["ok", "no", "ok"])
        ]
    )
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    out = tmp_path / "out.parquet"
    r = cli("score", src, "-o", out, "--spec", "test.faulty")
    assert r.returncode == 0, r.stderr
    got = pq.read_table(out).to_pylist()
    assert [g["reward"] for g in got] == [1.0, 0.0, 1.0]
    assert json.loads(got[0]["components"]) == {"test.faulty": 1.0}
    assert got[0]["data_source"] == "demo"


def test_json_array_input(tmp_path):
    src = tmp_path / "in.json"
    src.write_text(json.dumps([{"response": "ok", "reference": "ok"}, 5]))
    out = tmp_path / "o.jsonl"
    r = cli("score", src, "-o", out, "--spec", "test.faulty")
    assert r.returncode == 1
    assert [row["status"] for row in read_jsonl(out)] == ["ok", "invalid_input"]


def test_spec_file_and_bad_spec(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[[terms]]\nverifier = "test.len"\nweight = 2\n')
    src = tmp_path / "in.jsonl"
    src.write_text('{"response": "abcde"}\n')
    r = cli("score", src, "--spec", spec)
    assert r.returncode == 0 and json.loads(r.stdout)["reward"] == 1.0
    bad = tmp_path / "bad.toml"
    bad.write_text('[[terms]]\nverifier = "test.len"\nweight = "x"\n')
    r = cli("score", src, "--spec", bad)
    assert r.returncode == 2 and "bad.toml" in r.stderr and "weight" in r.stderr


def test_unknown_input_format(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a,b\n")
    r = cli("score", src, "--spec", "test.len")
    assert r.returncode == 2 and "unknown input format" in r.stderr


def test_verifiers_lists_descriptions():
    r = cli("verifiers")
    assert r.returncode == 0
    line = next(line for line in r.stdout.splitlines() if line.startswith("test.faulty"))
    assert "misbehaves" in line


@pytest.mark.parametrize("rows", [100_000])
def test_streaming_memory_is_flat(tmp_path, rows):
    """Scoring streams: a 10x larger file must not need 10x the memory."""

    def peak_kb(n):
        src = tmp_path / f"in{n}.jsonl"
        with open(src, "w") as fh:
            for i in range(n):
                fh.write(json.dumps({"response": "x" * (i % 50), "reference": str(i)}) + "\n")
        code = (
            "import resource, sys\n"
            "from rewardkit.cli import main\n"
            f"rc = main(['score', '{src}', '-o', '{tmp_path}/o{n}.jsonl', '--spec', 'test.len', "
            "'--workers', '1', '--no-progress'])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "core")])
        out = subprocess.run(
            [sys.executable, "-c", "import faulty_verifiers\n" + code],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert out.returncode == 0, out.stderr
        return int(out.stdout.split()[-1])

    small, large = peak_kb(rows // 10), peak_kb(rows)
    assert large < small * 1.5 + 20_000, (small, large)
