"""The server's endpoints in process (FastAPI TestClient): results, every error case, metrics."""

from __future__ import annotations

import json
import sys
import threading
import time

import pytest
from serve_helpers import make_client

import rewardkit as rk
from rewardkit._extras import MissingExtraError
from rewardkit.core.rows import strip_prompt
from rewardkit.serve import ServeConfig, create_app
from rewardkit.serve._app import dumps

MATH = [
    {"prompt": "1+1?", "response": "so \\boxed{2}", "reference": "2"},
    {"prompt": "2+2?", "response": "\\boxed{5}", "reference": "4"},
    {
        "prompt": [{"role": "user", "content": "half?"}],
        "response": "\\boxed{\\frac{1}{2}}",
        "reference": "0.5",
    },
]


# ----------------------------------------------------------------------------- /health, /v1/score


def test_health_names_version_and_spec(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": rk.__version__, "spec": "math", "workers": 0}


def test_score_keeps_order_and_matches_the_engine(client):
    r = client.post("/v1/score", json={"samples": MATH})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["value"] for x in results] == [1.0, 0.0, 1.0]
    expected = rk.score(MATH, "math", workers=0)
    assert results == [e.to_dict() for e in expected]


def test_spec_per_request_by_name_and_by_dict(client):
    sample = {"response": "Total: #### 12,000", "reference": "12000"}
    by_name = client.post("/v1/score", json={"samples": [sample], "spec": "numeric"}).json()["results"]
    assert by_name[0]["value"] == 1.0 and by_name[0]["components"] == {"numeric": 1.0}
    spec = {"name": "two", "terms": [{"verifier": "numeric", "weight": 2.0}, {"verifier": "format.think"}]}
    by_dict = client.post("/v1/score", json={"samples": [sample], "spec": spec}).json()["results"]
    assert by_dict[0]["value"] == 2.0 and set(by_dict[0]["components"]) == {"numeric", "format.think"}


def test_one_unreadable_sample_is_invalid_input_and_the_others_are_scored(client):
    samples = [
        {"response": "7", "reference": "7"},
        {"response": "invalid"},
        {"response": "8", "reference": "7"},
    ]
    results = client.post("/v1/score", json={"samples": samples, "spec": "test.faulty"}).json()["results"]
    assert [x["status"] for x in results] == ["ok", "invalid_input", "ok"]
    assert [x["value"] for x in results] == [1.0, None, 0.0]
    assert results[1]["details"]["reason"] == "cannot read this"


def test_on_error_raise_spec_is_a_422_naming_the_sample(client):
    spec = {"on_error": "raise", "terms": [{"verifier": "test.faulty"}]}
    r = client.post("/v1/score", json={"samples": [{"response": "ok"}, {"response": "raise"}], "spec": spec})
    assert r.status_code == 422
    assert r.json()["field"] == "samples[1]" and "boom" in r.json()["error"]


# ----------------------------------------------------------------------------- malformed requests

BAD_SCORE_BODIES = [
    # (body, status, field, words in the message)
    ({}, 422, "samples", "samples is required"),
    ({"samples": []}, 422, "samples", "must not be empty"),
    ({"samples": {"response": "x"}}, 422, "samples", "must be a list, got dict"),
    ({"samples": "x"}, 422, "samples", "must be a list, got str"),
    ([MATH[0]], 422, None, "must be a JSON object, got list"),
    ("samples", 422, None, "must be a JSON object, got str"),
    ({"samples": MATH, "extra": 1}, 422, "extra", "unknown field 'extra'"),
    ({"samples": [MATH[0], MATH[1], MATH[2], 7]}, 422, "samples[3]", "samples[3] must be an object, got int"),
    (
        {"samples": [MATH[0], MATH[1], MATH[2], {"response": 5}]},
        422,
        "samples[3].response",
        "samples[3].response must be a string, got int",
    ),
    (
        {"samples": [{"prompt": "p"}]},
        422,
        "samples[0].response",
        "samples[0].response must be a string, got null",
    ),
    ({"samples": [{"response": "x", "prompt": 3}]}, 422, "samples[0].prompt", "string or a chat list"),
    ({"samples": [{"response": "x", "prompt": ["hi"]}]}, 422, "samples[0].prompt[0]", "chat message object"),
    ({"samples": [{"response": "x", "task": 1}]}, 422, "samples[0].task", "must be a string"),
    ({"samples": [{"response": "x", "meta": []}]}, 422, "samples[0].meta", "must be an object"),
    ({"samples": [{"response": "x", "answer": "y"}]}, 422, "samples[0].answer", "not a sample field"),
    ({"samples": MATH, "spec": "no-such-spec"}, 422, "spec", "unknown spec 'no-such-spec'"),
    ({"samples": MATH, "spec": 3}, 422, "spec", "must be a string or an object"),
    ({"samples": MATH, "spec": "/etc/passwd"}, 422, "spec", "read only from the server's own --spec"),
    ({"samples": MATH, "spec": "evil.toml"}, 422, "spec", "read only from the server's own --spec"),
    ({"samples": MATH, "spec": "Makefile"}, 422, "spec", "unknown spec 'Makefile'"),
    ({"samples": MATH, "spec": {"terms": []}}, 422, "spec", "'terms' must be a non-empty list"),
    (
        {"samples": MATH, "spec": {"terms": [{"verifier": "math", "options": {"bogus": 1}}]}},
        422,
        "spec",
        "bogus",
    ),
    ({"samples": MATH, "spec": {"terms": [{"verifier": "nope"}]}}, 422, "spec", "no verifier named 'nope'"),
    (
        {"samples": MATH, "spec": {"on_error": "maybe", "terms": [{"verifier": "math"}]}},
        422,
        "spec",
        "on_error",
    ),
]


@pytest.mark.parametrize(("body", "status", "field", "words"), BAD_SCORE_BODIES)
def test_malformed_score_request_names_the_field(client, body, status, field, words):
    r = client.post("/v1/score", json=body)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field
    assert words in r.json()["error"], r.json()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "body is empty"),
        (b"{", "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"samples": [NaN', "not valid JSON"),
    ],
)
def test_unreadable_body_is_a_400(client, raw, words):
    r = client.post("/v1/score", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert words in r.json()["error"]


def test_too_many_samples_is_a_413():
    c = make_client(max_samples=2)
    r = c.post("/v1/score", json={"samples": MATH})
    assert r.status_code == 413 and r.json()["field"] == "samples"
    assert "limit of 2" in r.json()["error"]
    r = c.post("/get_reward", json={"query": ["a", "b", "c"]})
    assert r.status_code == 413 and r.json()["field"] == "query"


def test_body_too_large_is_a_413_declared_or_streamed():
    c = make_client(max_body_bytes=1000)
    big = {"samples": [{"response": "x" * 2000}]}
    r = c.post("/v1/score", json=big)
    assert r.status_code == 413 and "exceeds the limit of 1000" in r.json()["error"]

    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b'{"samples": [{"response": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}]}'

    r = c.post("/v1/score", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "exceeds the limit of 1000" in r.json()["error"]


def test_unknown_path_and_wrong_method_are_4xx(client):
    assert client.get("/v1/score").status_code == 405
    assert client.get("/nope").status_code == 404


def test_garbage_in_every_field_never_gives_a_5xx(client):
    values = [None, 0, -1, 1e308, True, "", "x" * 10_000, [], {}, [[[]]], {"a": {"b": None}}, "\x00\ud7ff"]
    for v in values:
        for key in ("prompt", "response", "reference", "task", "meta"):
            r = client.post("/v1/score", json={"samples": [{"response": "r", key: v}]})
            assert r.status_code in (200, 422), (key, v, r.text)
        r = client.post("/get_reward", json={"query": [v], "prompts": [v], "labels": [v]})
        assert r.status_code in (200, 422), (v, r.text)
        r = client.post("/v1/score", json={"samples": v})
        assert r.status_code == 422, (v, r.text)


# ----------------------------------------------------------------------------- /get_reward (OpenRLHF)


def test_get_reward_strips_the_prompt_prefix_and_returns_floats(client):
    body = {
        "query": ["Q: 1+1? A: \\boxed{2}", "Q: 2+2? A: \\boxed{5}", "other text \\boxed{3}"],
        "prompts": ["Q: 1+1? ", "Q: 2+2? ", "not a prefix"],
        "labels": ["2", "4", "3"],
    }
    r = client.post("/get_reward", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    # a query that does not contain its prompt is invalid_input (as in the OpenRLHF adapter)
    assert out["rewards"] == [1.0, 0.0, 0.0] and out["scores"] == out["rewards"]
    assert all(isinstance(x, float) for x in out["rewards"])
    assert out["extra_logs"]["rewardkit/math"] == [1.0, 0.0, 0.0]
    assert out["extra_logs"]["rewardkit/failed"] == [0.0, 0.0, 1.0]
    assert out["extra_logs"]["rewardkit/invalid_input"] == [0.0, 0.0, 1.0]


def test_get_reward_failure_is_zero_and_counted():
    c = make_client(spec="test.faulty")
    r = c.post(
        "/get_reward",
        json={"query": ["p:ok", "p:raise", "p:invalid"], "prompts": ["p:"] * 3, "labels": ["ok", "ok", "ok"]},
    )
    out = r.json()
    assert out["rewards"] == [1.0, 0.0, 0.0]
    logs = out["extra_logs"]
    assert logs["rewardkit/failed"] == [0.0, 1.0, 1.0]
    assert logs["rewardkit/error"] == [0.0, 1.0, 0.0] and logs["rewardkit/invalid_input"] == [0.0, 0.0, 1.0]
    assert all(len(v) == 3 for v in logs.values())


def test_get_reward_query_alone_is_accepted(client):
    r = client.post("/get_reward", json={"query": ["\\boxed{2}"]})
    assert r.status_code == 200 and r.json()["rewards"] == [0.0]  # no label: nothing to match


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "query", "query is required"),
        ({"query": []}, "query", "must not be empty"),
        ({"query": "abc"}, "query", "must be a list"),
        ({"query": ["a", 3]}, "query[1]", "query[1] must be a string, got int"),
        ({"query": ["a", "b"], "prompts": ["a"]}, "prompts", "prompts has 1 items but query has 2"),
        ({"query": ["a"], "labels": ["x", "y"]}, "labels", "labels has 2 items"),
        ({"query": ["a"], "prompts": [{"x": 1}]}, "prompts[0]", "prompts[0] must be a string"),
        ({"query": ["a"], "prompts": "a"}, "prompts", "must be a list"),
    ],
)
def test_malformed_get_reward_names_the_field(client, body, field, words):
    r = client.post("/get_reward", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and words in r.json()["error"]


def test_strip_prompt_openrlhf_query():
    assert strip_prompt("PROMPT answer", "PROMPT ") == "answer"
    assert strip_prompt("answer only", "PROMPT ") is None  # the server marks it invalid_input
    assert strip_prompt("anything", "") == "anything"


# ----------------------------------------------------------------------------- metrics


def test_metrics_count_requests_samples_and_latency(client):
    client.post("/v1/score", json={"samples": MATH})
    client.post("/v1/score", json={"samples": []})
    client.post("/get_reward", json={"query": ["\\boxed{2}"], "labels": ["2"]})
    text = client.get("/metrics").text
    assert 'rewardkit_requests_total{endpoint="/v1/score",code="200"} 1' in text
    assert 'rewardkit_requests_total{endpoint="/v1/score",code="422"} 1' in text
    assert 'rewardkit_requests_total{endpoint="/get_reward",code="200"} 1' in text
    assert 'rewardkit_samples_total{endpoint="/v1/score",status="ok"} 3' in text
    assert 'rewardkit_samples_total{endpoint="/get_reward",status="ok"} 1' in text
    assert 'rewardkit_request_duration_seconds_bucket{endpoint="/v1/score",le="+Inf"} 2' in text
    assert 'rewardkit_request_duration_seconds_count{endpoint="/v1/score"} 2' in text
    assert "# TYPE rewardkit_request_duration_seconds histogram" in text
    client.get("/nope")
    assert 'rewardkit_requests_total{endpoint="other",code="404"} 1' in client.get("/metrics").text


def test_metrics_text_is_well_formed(client):
    client.post("/v1/score", json={"samples": MATH})
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("#"):
            assert line.startswith(("# HELP ", "# TYPE ")), line
            continue
        name, value = line.rsplit(" ", 1)
        float(value.replace("+Inf", "inf"))
        assert name.startswith("rewardkit_"), line


# ----------------------------------------------------------------------------- deadlines, threads


def test_hanging_sample_times_out_and_health_stays_responsive():
    c = make_client(spec="test.faulty", workers=1, timeout=2.0)
    out = {}

    def slow():
        out["r"] = c.post(
            "/v1/score", json={"samples": [{"response": "hang"}, {"response": "a", "reference": "a"}]}
        )

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)
    start = time.monotonic()
    assert c.get("/health").status_code == 200
    assert time.monotonic() - start < 1.5  # the event loop is free while the batch is scored
    t.join(60)
    results = out["r"].json()["results"]
    assert [x["status"] for x in results] == ["timeout", "ok"]
    assert "deadline" in results[0]["details"]["reason"]


def test_internal_engine_failure_is_a_500_json():
    c = make_client(spec="test.faulty")
    server = c.app.state.rewardkit

    def broken(samples, spec, timeout):
        raise RuntimeError("workers fail to start")

    server.batcher._score = broken
    r = c.post("/v1/score", json={"samples": [{"response": "x"}]})
    assert r.status_code == 500 and "workers fail to start" in r.json()["error"]
    assert c.get("/health").status_code == 200


def test_non_finite_numbers_are_valid_json():
    text = dumps({"a": float("nan"), "b": [float("inf")], "c": {1, 2}}).decode()
    data = json.loads(text)
    assert data["a"] == "nan" and data["b"] == ["inf"]


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="max_samples"):
        ServeConfig(max_samples=0)
    with pytest.raises(ValueError, match="timeout"):
        ServeConfig(timeout=-1)
    with pytest.raises(rk.SpecError):
        create_app(ServeConfig(spec="no-such-spec"))


def test_missing_fastapi_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'rewardkit\[server\]'"):
        create_app(ServeConfig(workers=0))
