"""Registry-wide contract through the server (DESIGN.md style rule 8): every built-in
verifier's own example scores 1.0 when sent to ``POST /v1/score`` with a one-term spec, and its
garbage inputs come back as results (never a 5xx). Reuses tests/test_contract.py's helpers."""

from __future__ import annotations

import pytest
from serve_helpers import make_client

from test_contract import BUILTIN, GARBAGE, _example, _spec


@pytest.fixture(scope="module")
def pooled():
    """Through the worker pool, as the real server scores (one worker)."""
    return make_client(workers=1)


@pytest.mark.parametrize("name", BUILTIN)
def test_own_example_scores_one_through_the_server(pooled, name):
    r = pooled.post("/v1/score", json={"samples": [_example(name).to_dict()], "spec": _spec(name)})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "ok" and result["value"] == pytest.approx(1.0), result


@pytest.mark.parametrize("name", BUILTIN)
def test_garbage_through_the_server_is_a_result(name):
    c = make_client()
    base = _example(name).to_dict()
    samples = [{**base, "response": g} for g in GARBAGE]
    r = c.post("/v1/score", json={"samples": samples, "spec": _spec(name)})
    assert r.status_code == 200, r.text
    for g, res in zip(GARBAGE, r.json()["results"], strict=True):
        assert res["status"] in ("ok", "invalid_input"), (name, g[:40], res)
