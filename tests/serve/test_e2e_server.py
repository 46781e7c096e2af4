"""The real server: ``python -m rewardkit serve`` in a subprocess, hit over HTTP.

Each server is started by a fixture that always kills it (and its process group) at the end.
"""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
import time

import httpx
import pytest
from serve_helpers import ROOT

import rewardkit as rk
from test_contract import BUILTIN, _example, _spec

# (response, reference, expected value): a mix of right and wrong answers
CASES = [
    ("so the answer is \\boxed{4}", "4", 1.0),
    ("\\boxed{5}", "4", 0.0),
    ("\\boxed{\\frac{1}{2}}", "0.5", 1.0),
    ("I think \\boxed{x+1}", "1+x", 1.0),
    ("no answer here", "3", 0.0),
]


def _batch(i: int) -> tuple[list[dict], list[float]]:
    """Request i: 4 math samples whose answers differ per request (so order mistakes show)."""
    samples, expected = [], []
    for k in range(4):
        n = i * 10 + k
        right = (i + k) % 3 != 0
        samples.append(
            {"prompt": f"{n}?", "response": f"\\boxed{{{n if right else n + 1}}}", "reference": str(n)}
        )
        expected.append(1.0 if right else 0.0)
    return samples, expected


def test_concurrent_requests_are_right_and_in_order(math_server):
    def client(thread: int) -> int:
        checked = 0
        with httpx.Client(base_url=math_server.url, timeout=120) as c:
            for j in range(20):
                samples, expected = _batch(thread * 100 + j)
                r = c.post("/v1/score", json={"samples": samples})
                assert r.status_code == 200, r.text
                got = r.json()["results"]
                assert [x["value"] for x in got] == expected, (thread, j, got)
                assert all(x["status"] == "ok" for x in got)
                checked += len(got)
        return checked

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(client, range(8))) == 8 * 20 * 4
    metrics = httpx.get(math_server.url + "/metrics").text
    assert 'rewardkit_samples_total{endpoint="/v1/score",status="ok"}' in metrics


def test_mixed_answers_match_the_engine(math_server):
    samples = [{"response": r, "reference": ref} for r, ref, _ in CASES]
    r = httpx.post(math_server.url + "/v1/score", json={"samples": samples}, timeout=120)
    assert [x["value"] for x in r.json()["results"]] == [v for _, _, v in CASES]
    inproc = rk.score(samples, "math", workers=0)
    assert r.json()["results"] == [x.to_dict() for x in inproc]


def test_openrlhf_get_reward(math_server):
    prompts = [f"Question {i}: what is {i}+{i}? " for i in range(6)]
    queries = [p + f"... \\boxed{{{2 * i if i % 2 == 0 else 0}}}" for i, p in enumerate(prompts)]
    body = {"query": queries, "prompts": prompts, "labels": [str(2 * i) for i in range(6)]}
    r = httpx.post(math_server.url + "/get_reward", json=body, timeout=120)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["rewards"] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0] and out["scores"] == out["rewards"]
    assert sum(out["extra_logs"]["rewardkit/failed"]) == 0


def test_malformed_request_to_the_real_server(math_server):
    r = httpx.post(math_server.url + "/v1/score", json={"samples": [{"response": 1}]})
    assert r.status_code == 422 and r.json()["field"] == "samples[0].response"
    r = httpx.post(
        math_server.url + "/v1/score", content=b"{{{", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert httpx.get(math_server.url + "/health").json()["status"] == "ok"


def test_hanging_sample_does_not_hold_other_requests_beyond_its_deadline(faulty_server):
    """One request holds a sample that never returns (2 s deadline, 1 worker): /health answers
    at once, and requests sent meanwhile complete right after the deadline, all correct."""
    url = faulty_server.url
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        hung = pool.submit(
            httpx.post,
            url + "/v1/score",
            json={"samples": [{"response": "hang"}, {"response": "a", "reference": "a"}]},
            timeout=60,
        )
        time.sleep(0.5)
        start = time.monotonic()
        assert httpx.get(url + "/health", timeout=5).status_code == 200
        assert time.monotonic() - start < 1.5
        others = [
            pool.submit(
                httpx.post,
                url + "/v1/score",
                json={
                    "samples": [
                        {"response": f"r{i}", "reference": f"r{i}"},
                        {"response": "x", "reference": "y"},
                    ]
                },
                timeout=60,
            )
            for i in range(6)
        ]
        for f in others:
            r = f.result(timeout=60)
            assert [x["value"] for x in r.json()["results"]] == [1.0, 0.0]
        done = time.monotonic() - start
        results = hung.result(timeout=60).json()["results"]
    assert [x["status"] for x in results] == ["timeout", "ok"]
    assert done < 2.0 + 20.0  # the deadline plus a replacement worker's start, on a loaded machine
    after = httpx.post(url + "/v1/score", json={"samples": [{"response": "z", "reference": "z"}]}, timeout=60)
    assert after.json()["results"][0]["value"] == 1.0


def test_serve_help_and_bad_spec_exit_code():
    env = {"PYTHONPATH": str(ROOT / "src")}
    help_text = subprocess.run(
        [sys.executable, "-m", "rewardkit", "serve", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    ).stdout
    for flag in ("--spec", "--host", "--port", "--workers", "--timeout"):
        assert flag in help_text
    bad = subprocess.run(
        [sys.executable, "-m", "rewardkit", "serve", "--spec", "no-such-spec", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2 and "unknown spec 'no-such-spec'" in bad.stderr


@pytest.mark.parametrize("name", BUILTIN)
def test_verifier_example_through_real_server(math_server, name):
    """Registry-wide contract over real HTTP: each verifier's own example scores 1.0."""
    sample = _example(name).to_dict()
    r = httpx.post(
        math_server.url + "/v1/score", json={"samples": [sample], "spec": _spec(name)}, timeout=120
    )
    assert r.json()["results"][0]["value"] == pytest.approx(1.0)
