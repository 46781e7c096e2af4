"""Sample and RewardResult contracts (DESIGN.md "Public contracts")."""

import pytest

import rewardkit as rk


def test_value_is_none_unless_ok():
    with pytest.raises(ValueError, match="must be None"):
        rk.RewardResult(value=0.0, status="error")
    with pytest.raises(ValueError, match="must be a number"):
        rk.RewardResult(value=None, status="ok")


def test_unknown_status_rejected():
    with pytest.raises(ValueError, match="status"):
        rk.RewardResult(value=None, status="crashed")  # type: ignore[arg-type]


def test_nan_value_rejected():
    with pytest.raises(ValueError, match="NaN"):
        rk.RewardResult(value=float("nan"))


def test_fail_carries_reason_and_round_trips():
    r = rk.RewardResult.fail("timeout", "took too long", extra=1)
    assert r.value is None and r.reason == "took too long" and r.details["extra"] == 1
    assert rk.RewardResult.from_dict(r.to_dict()) == r


def test_sample_types_checked():
    with pytest.raises(TypeError, match="response"):
        rk.Sample(response=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown Sample field"):
        rk.Sample.from_dict({"response": "x", "bogus": 1})


def test_prompt_text_flattens_chat():
    s = rk.Sample(prompt=[{"role": "system", "content": "a"}, {"role": "user", "content": "b"}])
    assert s.prompt_text == "a\nb"
