"""Regressions from the `rewardkit score` audit; each test names the defect it guards against."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rewardkit.cli._io import RowWriter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from test_cli_score import cli, read_jsonl  # noqa: E402


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# --- item 1: Parquet output aborted or dropped rows when column types varied ---------------


def test_parquet_output_mixed_reference_types_are_written_as_json(tmp_path):
    rows = [{"response": "5", "reference": 5}, {"response": "x", "reference": "x+1"}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 0, r.stderr
    table = pq.read_table(out)
    assert table.num_rows == 2
    assert table.schema.field("reference").type == pa.string()
    assert [json.loads(v) for v in table.column("reference").to_pylist()] == [5, "x+1"]
    assert table.column("reward").to_pylist() == [1.0, 0.0]


def test_parquet_output_malformed_row_next_to_chat_list_prompts(tmp_path):
    chat = [{"role": "user", "content": "say ok"}]
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [{"prompt": chat, "response": "ok", "reference": "ok"}, {"prompt": 5, "response": "ok"}],
    )
    out = tmp_path / "out.parquet"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 1, r.stderr  # one unreadable row, and still every row is written
    rows = pq.read_table(out).to_pylist()
    assert [row["status"] for row in rows] == ["ok", "invalid_input"]
    assert [json.loads(row["prompt"]) for row in rows] == [chat, 5]
    assert rows[1]["line"] == 2 and rows[0]["line"] is None


def test_parquet_output_new_column_after_first_batch_keeps_every_row(tmp_path):
    rows = [{"response": "ok", "reference": "ok", **({"extra": i} if i >= 1050 else {})} for i in range(1100)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0", "--no-progress")
    assert r.returncode == 0, r.stderr
    table = pq.read_table(out)
    assert table.num_rows == 1100
    assert table.schema.field("extra").type == pa.int64()
    extra = table.column("extra").to_pylist()
    assert extra[:1050] == [None] * 1050 and extra[1050:] == list(range(1050, 1100))


def test_parquet_in_and_out_optional_string_column_null_in_first_batch(tmp_path):
    schema = pa.schema([("response", pa.string()), ("reference", pa.string()), ("opt", pa.string())])
    rows = [{"response": "ok", "reference": "ok", "opt": None if i < 1050 else "s"} for i in range(1100)]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), src)
    out = tmp_path / "out.parquet"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0", "--no-progress")
    assert r.returncode == 0, r.stderr
    table = pq.read_table(out)
    assert table.num_rows == 1100
    assert table.schema.field("opt").type == pa.string()  # the input file's type is kept
    assert table.column("opt").to_pylist()[-1] == "s"


def test_parquet_output_keeps_input_schema_types(tmp_path):
    schema = pa.schema([("response", pa.string()), ("reference", pa.string()), ("n", pa.int32())])
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"response": "ok", "reference": "ok", "n": 1}], schema=schema), src)
    out = tmp_path / "out.parquet"
    assert cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0").returncode == 0
    assert pq.read_table(out).schema.field("n").type == pa.int32()


def test_parquet_schema_policy_int_float_promotes_and_type_drift_across_batches(tmp_path):
    """Writer-level: types that drift between batches never abort the file."""
    out = tmp_path / "o.parquet"
    w = RowWriter(str(out))
    result = {"reward": 1.0, "status": "ok", "components": {}, "details": {}}
    w.write([{"a": 1, "b": {"k": 1}, "c": {}, "d": 2**70, **result}])
    w.write([{"a": 2.5, "b": {"k": "x"}, "c": {}, "d": 1, **result}])
    w.write([{"a": None, "b": None, "c": None, "d": None, **result}])
    w.close()
    table = pq.read_table(out)
    assert table.num_rows == 3
    assert table.schema.field("a").type == pa.float64()
    assert table.column("a").to_pylist() == [1.0, 2.5, None]
    for col in "bcd":  # struct drift, empty struct (unwritable), int beyond int64: JSON text
        assert table.schema.field(col).type == pa.string(), col
    assert table.column("b").to_pylist() == ['{"k": 1}', '{"k": "x"}', None]
    assert json.loads(table.column("d").to_pylist()[0]) == 2**70


# --- item 2: `-o` naming the input file truncated and corrupted the input -----------------


def test_output_same_as_input_is_refused_and_input_untouched(tmp_path):
    src = write_jsonl(tmp_path / "same.jsonl", [{"response": "ok", "reference": "ok"}])
    before = src.read_bytes()
    r = cli("score", src, "-o", src, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 2 and "the output is the input file" in r.stderr
    assert src.read_bytes() == before
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    r = cli("score", src, "-o", link, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 2 and src.read_bytes() == before


def test_output_is_written_atomically_no_partial_file_on_crash(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text("old complete output\n")
    w = RowWriter(str(out))
    w.write([{"reward": 1.0}])
    assert out.read_text() == "old complete output\n"  # nothing replaces it before close
    w.abort()  # what a crash does
    assert out.read_text() == "old complete output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl"]  # temp file removed
    w = RowWriter(str(out))
    w.write([{"reward": 1.0}])
    w.close()
    assert read_jsonl(out) == [{"reward": 1.0}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl"]
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # normal permissions, not mkstemp's


def test_unreadable_input_file_leaves_no_output(tmp_path):
    src = tmp_path / "in.json"
    src.write_text("{not json")
    out = tmp_path / "o.jsonl"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 2 and "invalid JSON" in r.stderr
    assert list(tmp_path.iterdir()) == [src]


# --- item 3: a directory named like a built-in spec hid it (CLI view) ---------------------


def test_cli_directory_named_math_does_not_hide_builtin_spec(tmp_path):
    (tmp_path / "math").mkdir()
    write_jsonl(tmp_path / "x.jsonl", [{"response": "\\boxed{2}", "reference": "2"}])
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run(
        [sys.executable, "-m", "rewardkit", "score", "x.jsonl", "--spec", "math", "--workers", "0"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["reward"] == 1.0


# --- item 4: on_error = "raise" crashed with a traceback and wrote nothing -----------------


def test_on_error_raise_stops_with_line_number_and_keeps_earlier_rows(tmp_path):
    spec = tmp_path / "raise.toml"
    spec.write_text('on_error = "raise"\n[[terms]]\nverifier = "test.faulty"\n')
    rows = [{"response": "ok", "reference": "ok"}] * 1030
    rows = rows[:1027] + [{"response": "raise"}] + rows[1027:]
    src = write_jsonl(tmp_path / "in.jsonl", [{"response": "nope"}, *rows])  # line 1 is ok, value 0
    out = tmp_path / "out.jsonl"
    r = cli("score", src, "-o", out, "--spec", spec, "--workers", "0", "--no-progress")
    assert r.returncode == 3, r.stderr
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("rewardkit score: line 1029: error:") and "RuntimeError: boom" in last
    assert 'on_error = "raise"' in last
    assert len(read_jsonl(out)) == 1024  # the first batch, scored before the failing one


# --- item 5: -o in a missing directory crashed after scoring the first batch --------------


@pytest.mark.parametrize("name", ["o.jsonl", "o.parquet"])
def test_output_in_missing_directory_exits_2_before_scoring(tmp_path, name):
    calls = tmp_path / "calls.txt"
    src = write_jsonl(tmp_path / "in.jsonl", [{"response": "ok", "meta": {"calls_file": str(calls)}}])
    r = cli("score", src, "-o", tmp_path / "missing" / name, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 2
    assert "output directory" in r.stderr and "does not exist" in r.stderr and "Traceback" not in r.stderr
    assert not calls.exists()  # nothing was scored
    assert not (tmp_path / "missing").exists()


# --- item 6: empty input created no output file and printed a nan mean ---------------------


def test_empty_input_creates_empty_outputs_and_prints_no_nan(tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_text("")
    out = tmp_path / "o.jsonl"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 0 and out.exists() and out.read_text() == ""
    assert "nan" not in r.stderr
    outp = tmp_path / "o.parquet"
    r = cli("score", src, "-o", outp, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 0 and "nan" not in r.stderr
    table = pq.read_table(outp)
    assert table.num_rows == 0
    assert table.schema.names == ["reward", "status", "components", "details"]
    # an empty Parquet input keeps its columns too
    srcp = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"response": pa.array([], pa.string())}), srcp)
    r = cli("score", srcp, "-o", outp, "--spec", "test.faulty", "--workers", "0")
    assert r.returncode == 0
    assert pq.read_table(outp).schema.names == ["response", "reward", "status", "components", "details"]


# --- item 8 (CLI view): --timeout 0 is an argument error, not the default ------------------


@pytest.mark.parametrize("args", [["--timeout", "0"], ["--timeout", "-1"], ["--workers", "-1"]])
def test_bad_numeric_arguments_exit_2(tmp_path, args):
    src = write_jsonl(tmp_path / "in.jsonl", [{"response": "ok"}])
    out = tmp_path / "o.jsonl"
    r = cli("score", src, "-o", out, "--spec", "test.faulty", *args)
    assert r.returncode == 2 and args[0] in r.stderr and not out.exists()
