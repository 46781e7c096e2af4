"""``exact``: normalised string match."""

from __future__ import annotations

from typing import Any

import pytest

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import RewardResult, Sample


def score(response: str, reference: Any, **options: Any) -> RewardResult:
    fn = get_verifier("exact").build(options)
    return run_scorer(fn, Sample(response=response, reference=reference))


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("Paris", "Paris", 1.0),
        ("paris", "Paris", 1.0),
        ("  PARIS. ", "paris", 1.0),
        ("The capital is \\boxed{Paris}.", "Paris", 1.0),
        ("\\boxed{\\text{Paris}}", "Paris", 1.0),
        ("$\\text{Paris}$", "Paris", 1.0),
        ("**Answer:** Paris", "Paris", 1.0),
        ("The answer is New   York.", "new york", 1.0),
        ("Let me think.\nParis", "Paris", 1.0),
        ("Ｐａｒｉｓ", "Paris", 1.0),
        # a list of acceptable answers
        ("NYC", ["New York", "NYC"], 1.0),
        ("42", 42, 1.0),
        # think stripping: only the text after </think> counts
        ("<think>Maybe Lyon? No.</think>Paris", "Paris", 1.0),
        ("<think>Paris</think>Lyon", "Paris", 0.0),
        ("London", "Paris", 0.0),
        ("Paris, France", "Paris", 0.0),
        # the last box wins over earlier ones and over answer lines
        ("\\boxed{Lyon} no wait \\boxed{Paris}", "Paris", 1.0),
        ("Answer: Paris\n\\boxed{Lyon}", "Paris", 0.0),
        # hedging by listing candidates (verifiers PR #1028) is not a string match
        ("Paris or Lyon or Nice", "Paris", 0.0),
        ("", "Paris", 0.0),
        ("\\boxed{}", "Paris", 0.0),
    ],
)
def test_exact_golden(response: str, reference: Any, expected: float) -> None:
    result = score(response, reference)
    assert result.status == "ok"
    assert result.value == expected, result.details


@pytest.mark.parametrize(
    ("response", "reference", "options", "expected"),
    [
        ("paris", "Paris", {"case_sensitive": True}, 0.0),
        ("Paris", "Paris", {"case_sensitive": True}, 1.0),
        ("New  York", "New York", {"collapse_whitespace": False}, 0.0),
        ("U.S.A.", "USA", {"punctuation": "all"}, 1.0),
        ("U.S.A.", "USA", {}, 0.0),
        ("Paris.", "Paris", {"punctuation": "keep"}, 0.0),
        ("$Paris$", "Paris", {"strip_latex": False}, 0.0),
        # answer modes
        ("The answer is Paris.\nThanks", "Paris", {"answer": "answer-line"}, 1.0),
        ("The answer is Paris.\nThanks", "Paris", {"answer": "last-line"}, 0.0),
        ("Paris\nok", "Paris", {"answer": "boxed"}, 0.0),
        ("Paris\nFrance", "Paris\nFrance", {"answer": "whole"}, 1.0),
        # strip_think off: the tags are part of the text
        ("<think>x</think>Paris", "Paris", {"strip_think": False, "answer": "whole"}, 0.0),
    ],
)
def test_exact_options(
    response: str, reference: Any, options: dict[str, Any], expected: float
) -> None:
    assert score(response, reference, **options).value == expected


def test_exact_details() -> None:
    ok = score("so \\boxed{\\text{Paris}}", ["Lyon", "paris"])
    assert ok.details["matched"] == "paris"
    assert ok.details["source"] == "boxed"
    assert ok.details["normalized"] == "paris"
    miss = score("Answer: Lyon", "Paris")
    assert miss.value == 0.0
    assert miss.reason == "mismatch"
    assert miss.details["extracted"] == "Lyon"
    assert score("", "Paris").reason == "no_answer"


def test_unclosed_think_earns_nothing() -> None:
    """Rewards given before thinking finished (verifiers PR #213)."""
    result = score("<think>The answer is Paris", "Paris")
    assert result.value == 0.0
    assert result.reason == "think_unclosed"


@pytest.mark.parametrize("reference", [None, "", "  ", [], {"a": 1}, True, ["x", None], [". "]])
def test_unreadable_reference_is_invalid_input(reference: Any) -> None:
    """An unreadable reference is an error, not a reward (open-r1 #86, #215, #293)."""
    result = score("Paris", reference)
    assert result.status == "invalid_input"
    assert result.value is None


def test_bad_options_name_the_field() -> None:
    with pytest.raises(ValueError, match="answer"):
        get_verifier("exact").build({"answer": "first-line"})
    with pytest.raises(ValueError, match="case_sensitive"):
        get_verifier("exact").build({"case_sensitive": "yes"})
