"""Regressions from the server audit (H1, H3, H4, M1, M3, M4, L3); each test names its defect."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from serve_helpers import ROOT, make_client

from rewardkit.core.errors import InvalidInput
from rewardkit.core.types import MAX_NESTING, Sample
from rewardkit.serve import ServeConfig, create_app
from rewardkit.verifiers.sql._source import resolve


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def _refused(r, field: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == field, body
    assert "file paths from clients are refused" in body["error"] and "--allow-client-paths" in body["error"]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "shop" / "shop.sqlite"
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.execute("INSERT INTO t VALUES (1), (2)")
    con.commit()
    con.close()
    return path


# ----------------------------------------------------------------------------- H1


@pytest.mark.parametrize("field", ["reference", "meta", "prompt"])
def test_h1_deeply_nested_field_is_422_naming_it(field):
    """H1: a reference/meta nested ~900 lists deep (valid JSON) broke pickling of the merged batch
    (RecursionError) and every request merged with it got 500; now it is a 422 naming the field."""
    sample: dict = {"response": "\\boxed{2}", "reference": "2"}
    sample[field] = {"k": _nested(900)} if field == "meta" else _nested(900)
    if field == "prompt":
        sample[field] = [{"role": "user", "content": _nested(900)}]
    r = make_client().post("/v1/score", json={"samples": [{"response": "1"}, sample]})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == f"samples[1].{field}"
    assert str(MAX_NESTING) in r.json()["error"]


def test_h1_deep_labels_and_spec_are_422():
    """H1: the limit holds for OpenRLHF labels and for spec objects too."""
    c = make_client()
    r = c.post("/get_reward", json={"query": ["a"], "labels": [_nested(80)]})
    assert r.status_code == 422 and r.json()["field"] == "labels[0]", r.text
    r = c.post("/v1/score", json={"samples": [{"response": "1"}], "spec": {"name": _nested(900)}})
    assert r.status_code == 422 and r.json()["field"] == "spec", r.text


def test_h1_nesting_within_the_limit_is_scored_with_workers():
    """H1: a merged batch with workers is scored; a sample at the limit is fine."""
    c = make_client(workers=1)
    ok = {"response": "\\boxed{2}", "reference": "2", "meta": {"k": _nested(MAX_NESTING - 1)}}
    r = c.post("/v1/score", json={"samples": [ok, {"response": "\\boxed{2}", "reference": "2"}]})
    assert r.status_code == 200, r.text
    assert [x["value"] for x in r.json()["results"]] == [1.0, 1.0]


# ----------------------------------------------------------------------------- H3


@pytest.mark.parametrize(
    ("sample", "field"),
    [
        ({"reference": {"sql": "SELECT 1", "db_path": "PATH"}}, "samples[0].reference.db_path"),
        ({"reference": {"sql": "SELECT 1", "db": "PATH"}}, "samples[0].reference.db"),
        ({"reference": json.dumps({"sql": "SELECT 1", "db_path": "PATH"})}, "samples[0].reference.db_path"),
        ({"reference": "SELECT 1", "meta": {"db_path": "PATH"}}, "samples[0].meta.db_path"),
        ({"reference": "SELECT 1", "meta": {"db": "PATH"}}, "samples[0].meta.db"),
    ],
)
def test_h3_client_file_paths_in_samples_are_refused(sample, field, sqlite_db, tmp_path):
    """H3: a sample naming a db file let a client probe any SQLite/DuckDB file on the server
    (yes/no oracle); now it is a 422 naming the field, the same for existing and missing files."""
    c = make_client(spec="sql")
    answers = []
    for path in (str(sqlite_db), str(tmp_path / "missing.sqlite")):
        body = json.loads(json.dumps(sample).replace("PATH", path))
        r = c.post("/v1/score", json={"samples": [{"response": "SELECT 1", **body}]})
        _refused(r, field)
        answers.append(r.json()["error"])
    assert answers[0] == answers[1]  # no existence oracle


def test_h3_openrlhf_label_with_path_is_refused(sqlite_db):
    """H3: /get_reward labels are references too."""
    label = {"sql": "SELECT 1", "db_path": str(sqlite_db)}
    r = make_client(spec="sql").post("/get_reward", json={"query": ["SELECT 1"], "labels": [label]})
    _refused(r, "labels[0].db_path")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (
            {"terms": [{"verifier": "math"}], "shaping": [{"kind": "length", "tokenizer": "/srv/tok"}]},
            "spec.shaping[0].tokenizer",
        ),
        (
            {"terms": [{"verifier": "length.cosine", "options": {"tokenizer": "/srv/tok"}}]},
            "spec.terms[0].options.tokenizer",
        ),
        ({"terms": [{"verifier": "sql", "options": {"db_root": "/"}}]}, "spec.terms[0].options.db_root"),
        ({"terms": [{"verifier": "sql", "options": {"db_path": "/x.db"}}]}, "spec.terms[0].options.db_path"),
        ({"terms": [{"verifier": "code", "options": {"python": "/bin/sh"}}]}, "spec.terms[0].options.python"),
    ],
)
def test_h3_spec_objects_with_server_paths_are_refused(spec, field):
    """H3: a spec object's tokenizer / db_root / db_path (or executable) options opened server paths."""
    r = make_client().post("/v1/score", json={"samples": [{"response": "1"}], "spec": spec})
    _refused(r, field)


def test_h3_allow_client_paths_lets_trusted_clients_name_files(sqlite_db):
    """H3: --allow-client-paths (ServeConfig.allow_client_paths) restores client paths."""
    c = make_client(spec="sql", allow_client_paths=True)
    reference = {"sql": "SELECT x FROM t", "db_path": str(sqlite_db)}
    sample = {"response": "SELECT x FROM t", "reference": reference}
    r = c.post("/v1/score", json={"samples": [sample]})
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["value"] == 1.0


def test_h3_server_spec_db_root_with_client_db_id(sqlite_db, tmp_path):
    """H3: the server's own --spec may use its db_root; clients name databases by db_id only,
    and a db_id that walks out of db_root is refused by the sql verifier itself."""
    spec = tmp_path / "spec.toml"
    spec.write_text(
        f'name = "s"\n[[terms]]\nverifier = "sql"\n[terms.options]\ndb_root = "{sqlite_db.parent.parent}"\n'
    )
    c = make_client(spec=str(spec))
    good = {"response": "SELECT x FROM t", "reference": "SELECT x FROM t", "meta": {"db_id": "shop"}}
    bad = {"response": "SELECT 1", "reference": "SELECT 1", "meta": {"db_id": "../shop"}}
    r = c.post("/v1/score", json={"samples": [good, bad]})
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert res[0]["value"] == 1.0
    assert res[1]["status"] == "invalid_input" and "not a path" in res[1]["details"]["reason"]


@pytest.mark.parametrize("db_id", ["..", "../shop", "..\\shop", "/etc/passwd", "a\0b", "shop/../shop", ""])
def test_h3_sql_resolve_refuses_db_id_traversal(db_id, sqlite_db):
    """H3: resolve() must never look outside db_root for a db_id (``..``, absolute, separators)."""
    sample = Sample(response="SELECT 1", reference="SELECT 1", meta={"db_id": db_id})
    with pytest.raises(InvalidInput):
        resolve(sample, db_path=None, db_root=str(sqlite_db.parent.parent), engine="auto")


# ----------------------------------------------------------------------------- H4


def test_h4_get_reward_strips_openrlhf_padding_and_end_tokens():
    """H4: /get_reward scored correct answers 0.0 with OpenRLHF's real queries (left padding,
    `<|im_end|><|endoftext|>` after); it now uses the adapter's strip_prompt, and a query that
    does not contain its prompt is invalid_input, flagged failed in extra_logs."""
    prompt = "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n"
    queries = [
        "<|endoftext|><|endoftext|>" + prompt + "so \\boxed{2}<|im_end|><|endoftext|><|endoftext|>",
        prompt + "\\boxed{2}<|im_end|>",
        "something else \\boxed{2}",
    ]
    body = {"query": queries, "prompts": [prompt] * 3, "labels": ["2"] * 3}
    r = make_client().post("/get_reward", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["rewards"] == [1.0, 1.0, 0.0]
    assert out["extra_logs"]["rewardkit/failed"] == [0.0, 0.0, 1.0]
    assert out["extra_logs"]["rewardkit/invalid_input"] == [0.0, 0.0, 1.0]


def test_h4_one_shared_strip_function():
    """H4: the adapter and the server use the same function (no second copy to drift)."""
    from rewardkit.core import rows
    from rewardkit.integrations import openrlhf
    from rewardkit.serve import _requests

    assert openrlhf.strip_prompt is rows.strip_prompt
    assert _requests.strip_prompt is rows.strip_prompt
    assert not hasattr(_requests, "response_of")


# ----------------------------------------------------------------------------- M1


def test_m1_lone_surrogates_answer_json_not_500():
    """M1: a lone surrogate in a response or as a JSON key gave 500 / plain-text Internal Server
    Error; responses are now escaped and errors stay JSON."""
    c = make_client()
    raw = b'{"samples": [{"response": "\\ud800 \\\\boxed{2}", "reference": "2"}]}'
    r = c.post("/v1/score", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "ok"
    raw = b'{"samples": [{"\\ud800": 1, "response": "x"}]}'
    r = c.post("/v1/score", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "samples[0].\ud800"
    raw = b'{"\\udfff": 1}'
    r = c.post("/get_reward", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")


# ----------------------------------------------------------------------------- M3


@pytest.mark.parametrize(
    "args",
    [["--timeout", "inf"], ["--timeout", "nan"], ["--timeout", "0"], ["--port", "99999"], ["--port", "-1"],
     ["--log-level", "bogus"], ["--workers", "-2"], ["--max-body-mb", "inf"]],
)
def test_m3_bad_serve_flags_exit_2(args):
    """M3: `rewardkit serve --timeout inf`, `--port 99999`, `--log-level bogus` started (or
    crashed later); they must exit 2 with a message from argparse, before any server starts."""
    proc = subprocess.run(
        [sys.executable, "-m", "rewardkit", "serve", *args],
        capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert args[0] in proc.stderr


def test_m3_request_spec_timeout_is_capped_by_the_servers_deadline():
    """M3: a spec sent with a request could ask for 300 s per sample; now its deadline is capped
    by the server's own (30 s by default, or --timeout / max_request_timeout)."""
    server = create_app(ServeConfig(workers=0)).state.rewardkit
    _, timeout = server.resolve({"terms": [{"verifier": "math"}], "timeout": 300})
    assert timeout == 30.0
    _, timeout = server.resolve({"terms": [{"verifier": "math"}], "timeout": 5})
    assert timeout == 5.0
    server = create_app(ServeConfig(workers=0, max_request_timeout=60)).state.rewardkit
    assert server.resolve({"terms": [{"verifier": "math"}], "timeout": 300})[1] == 60.0
    server = create_app(ServeConfig(workers=0, timeout=10)).state.rewardkit
    assert server.resolve({"terms": [{"verifier": "math"}], "timeout": 300})[1] == 10.0


# ----------------------------------------------------------------------------- M4


def test_m4_uvicorn_limits_come_from_serve_config():
    """M4: slow clients could hold connections without bounds: ServeConfig now carries uvicorn's
    limit_concurrency, timeout_keep_alive and h11_max_incomplete_event_size."""
    import inspect

    import uvicorn

    options = ServeConfig().uvicorn_options()
    assert options["limit_concurrency"] and options["timeout_keep_alive"] > 0
    assert set(options) <= set(inspect.signature(uvicorn.Config).parameters)
    with pytest.raises(ValueError, match="limit_concurrency"):
        ServeConfig(limit_concurrency=0)


def test_m4_client_disconnect_is_499_not_500():
    """M4: a client that disconnects mid-body was counted as a 500 in /metrics; now code="499"."""
    app = create_app(ServeConfig(workers=0))
    sent: list[dict] = []
    messages = [
        {"type": "http.request", "body": b'{"samples": [', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/score", "raw_path": b"/v1/score", "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    from fastapi.testclient import TestClient

    text = TestClient(app).get("/metrics").text
    assert 'endpoint="/v1/score",code="499"' in text, text
    assert 'code="500"' not in text


# ----------------------------------------------------------------------------- L3


def test_l3_404_405_are_json_errors_and_docs_are_off():
    """L3: 404/405 had FastAPI's {"detail"} bodies and /docs, /redoc, /openapi.json were public."""
    c = make_client()
    for path in ("/nope", "/docs", "/redoc", "/openapi.json"):
        r = c.get(path)
        assert r.status_code == 404, path
        assert set(r.json()) == {"error", "field"}
    r = c.get("/v1/score")
    assert r.status_code == 405 and set(r.json()) == {"error", "field"}
    assert make_client(docs=True).get("/openapi.json").status_code == 200
