"""Regressions from the CLI/core audit; each test names the defect it guards against."""

import asyncio
import math

import faulty_verifiers  # noqa: F401  registers test.faulty / test.len / test.build_fails
import pytest

import rewardkit as rk
from rewardkit.core.engine import DEFAULT_TIMEOUT

OK = [rk.Sample(response="ok", reference="ok")]


# --- item 3: a directory named like a built-in spec hid the built-in -------------------------


def test_directory_named_like_builtin_spec_does_not_hide_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "math").mkdir()
    spec = rk.load_spec("math")
    assert spec.source == "builtin:math"


def test_directory_named_like_verifier_does_not_hide_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "test.len").mkdir()
    assert rk.load_spec("test.len").source == "verifier:test.len"


def test_regular_file_without_suffix_is_still_a_spec_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "math").write_text('name = "mine"\n[[terms]]\nverifier = "test.len"\n')
    assert rk.load_spec("math").name == "mine"


def test_unknown_directory_spec_error_says_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs_dir").mkdir()
    with pytest.raises(rk.SpecError, match="'specs_dir': a directory, not a spec file"):
        rk.load_spec("specs_dir")
    (tmp_path / "d.toml").mkdir()
    with pytest.raises(rk.SpecError, match="d.toml: is a directory, not a spec file"):
        rk.load_spec("d.toml")
    with pytest.raises(rk.SpecError, match="missing.toml: spec file not found"):
        rk.load_spec("missing.toml")
    with pytest.raises(rk.SpecError, match="unknown spec 'nope': not a file"):
        rk.load_spec("nope")


# --- item 7: non-finite weights passed validation, then NaN rewards lost the batch ------------


@pytest.mark.parametrize("weight", [math.inf, -math.inf, math.nan])
def test_non_finite_weight_is_rejected_at_spec_load(weight):
    spec = {"terms": [{"verifier": "test.len", "name": "len", "weight": weight}]}
    with pytest.raises(rk.SpecError, match="term 'test.len'.*field 'weight' must be a finite number"):
        rk.load_spec(spec)


def test_non_finite_weight_in_toml_is_rejected(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('[[terms]]\nverifier = "test.len"\nweight = inf\n')
    with pytest.raises(rk.SpecError, match=r"s\.toml: term 'test.len': field 'weight' must be a finite"):
        rk.load_spec(p)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_reward_result_refuses_infinite_value_like_nan(value):
    with pytest.raises(ValueError, match="RewardResult.value is"):
        rk.RewardResult(value=value)


def test_verifier_returning_inf_is_an_error_not_a_lost_batch():
    out = rk.score([rk.Sample(response="x"), rk.Sample(response="y")], "test.inf", workers=0)
    assert [r.status for r in out] == ["error", "error"]
    assert "inf" in out[0].reason


def test_overflowing_weighted_sum_is_an_error_not_a_lost_batch():
    spec = {
        "terms": [
            {"verifier": "test.len", "name": "a", "weight": 1e308},
            {"verifier": "test.len", "name": "b", "weight": 1e308},
        ]
    }
    out = rk.score([rk.Sample(response="x" * 50), rk.Sample(response="")], spec, workers=0)
    assert out[0].status == "error" and "weighted sum of the terms is inf" in out[0].reason
    assert out[1].status == "ok" and out[1].value == 0.0


# --- item 8: a plain string was scored character by character; timeout=0 meant 30 s ----------


@pytest.mark.parametrize("bad", ["abc", b"abc", rk.Sample(response="x"), {"response": "x"}])
def test_score_refuses_a_string_or_single_sample_as_samples(bad):
    with pytest.raises(TypeError, match="samples must be an iterable"):
        rk.score(bad, "test.len", workers=0)
    with pytest.raises(TypeError, match="samples must be an iterable"):
        list(rk.score_iter(bad, "test.len", workers=0))
    with pytest.raises(TypeError, match="samples must be an iterable"):
        asyncio.run(rk.ascore(bad, "test.len", workers=0))


@pytest.mark.parametrize("timeout", [0, 0.0, -1, math.nan])
def test_zero_or_negative_timeout_is_a_value_error_not_the_default(timeout):
    with pytest.raises(ValueError, match="timeout must be None .* positive number of seconds"):
        rk.score(OK, "test.faulty", workers=0, timeout=timeout)
    with pytest.raises(ValueError, match="timeout"):
        list(rk.score_iter(OK, "test.faulty", workers=0, timeout=timeout))


def test_positive_timeout_still_works_and_default_is_unchanged():
    assert rk.score(OK, "test.faulty", workers=0, timeout=5)[0].value == 1.0
    assert DEFAULT_TIMEOUT == 30.0


# --- item 9: the worker pool named a failed term by index ("term 0") --------------------------


@pytest.mark.parametrize("workers", [0, 1])
def test_build_error_names_the_term_by_name_inline_and_in_pool(workers):
    spec = {
        "terms": [
            {"verifier": "test.len", "name": "fine"},
            {"verifier": "test.build_fails", "name": "t.crash"},
        ],
        "on_error": "none",
    }
    r = rk.score([rk.Sample(response="abc")], spec, workers=workers)[0]
    assert r.status == "error"
    assert "could not build verifier for term 't.crash'" in r.reason
    assert "factory exploded" in r.reason
    assert r.components == {"fine": pytest.approx(0.3)}  # the other term still built and scored
