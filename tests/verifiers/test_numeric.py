"""``numeric`` verifier and the exact number parser it shares with ``math``."""

from __future__ import annotations

from fractions import Fraction

import pytest

import rewardkit as rk
from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.verifiers._numbers import MAX_DIGITS, parse_number, round_half_away


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", Fraction(42)),
        ("-7", Fraction(-7)),
        ("\u22127", Fraction(-7)),
        ("10,000", Fraction(10000)),
        ("10{,}000", Fraction(10000)),
        ("10\\,000", Fraction(10000)),
        ("1,234,567.5", Fraction(2469135, 2)),
        (".5", Fraction(1, 2)),
        ("3.", Fraction(3)),
        ("1.2e3", Fraction(1200)),
        ("1.2E-3", Fraction(3, 2500)),
        ("1.2\\times 10^{3}", Fraction(1200)),
        ("2.5 \\cdot 10^-2", Fraction(1, 40)),
        ("3/4", Fraction(3, 4)),
        ("\\frac{3}{4}", Fraction(3, 4)),
        ("\\dfrac34", Fraction(3, 4)),
        ("-\\frac{1}{2}", Fraction(-1, 2)),
        ("\\frac{-1}{2}", Fraction(-1, 2)),
        ("2\\frac{1}{2}", Fraction(5, 2)),
        ("-2 \\frac12", Fraction(-5, 2)),
    ],
)
def test_parse_number_exact(text, value):
    number = parse_number(text)
    assert number is not None and number.value == value


def test_percent_and_decimals_are_reported():
    number = parse_number("12.50\\%")
    assert number is not None and number.percent and number.value == Fraction(25, 2) and number.decimals == 2
    assert parse_number("3").decimals is None


@pytest.mark.parametrize(
    "text", ["", "x", "1/0", "2+3", "1e99999", "9" * (MAX_DIGITS + 1), "\\frac{1}{x}", "1,2"]
)
def test_not_a_number(text):
    """Huge exponents and digit counts are refused before any big-integer work."""
    assert parse_number(text) is None


def test_round_half_away():
    assert round_half_away(Fraction(314159, 100000), 2) == Fraction(314, 100)
    assert round_half_away(Fraction(-25, 1000), 2) == Fraction(-3, 100)


def judge(response, reference, **options):
    spec = {"terms": [{"verifier": "numeric", "options": options}]}
    return rk.score([rk.Sample(prompt="", response=response, reference=reference)], spec=spec, workers=0)[0]


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("#### 1,234", "1234", 1.0),
        ("The answer is 50%.", "0.5", 0.0),
        ("The answer is 50%.", "50", 1.0),
        ("\\boxed{\\frac{1}{3}}", "0.3333", 0.0),
        ("so we get 12 apples", "12", 1.0),
        ("Answer: 12 dollars", "12", 1.0),
        ("\\boxed{1.2e3}", "1200", 1.0),
        ("<think>\\boxed{3}", "3", 0.0),
        ("\\boxed{seven}", "7", 0.0),
        ("no digits", "7", 0.0),
    ],
)
def test_numeric_verifier(response, reference, expected):
    result = judge(response, reference)
    assert result.status == "ok" and result.value == expected, result


def test_exact_by_default_tolerance_as_option():
    """Math-Verify #14: float tolerance merges distinct values; numeric is exact unless asked."""
    assert judge("\\boxed{0.3333}", "1/3").value == 0.0
    assert judge("\\boxed{0.3333}", "1/3", rel_tol=1e-3).value == 1.0
    assert judge("\\boxed{101}", "100", abs_tol=1).value == 1.0


def test_reasons_and_bad_reference():
    assert judge("\\boxed{seven}", "7").details["reason"] == "not_a_number"
    assert judge("\\boxed{8}", "7").details["reason"] == "mismatch"
    bad = judge("\\boxed{8}", "seven")
    assert bad.status == "invalid_input" and "reference" in bad.details["reason"]
    with pytest.raises(ValueError, match="rel_tol"):
        judge("1", "1", rel_tol=-1.0)


# Red-team audit (2026-12-02): the unit-tail stripper dropped any trailing words, so words that
# change the number were read as units, and a denied answer was taken by the last-number fallback.
@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("The answer is 5 million.", "5", 0.0),
        ("The answer is 5 million.", "5000000", 1.0),
        ("Answer: 5 hundred", "500", 1.0),
        ("The answer is 10 pi.", "10", 0.0),
        ("The answer is 5 squared.", "5", 0.0),
        ("The answer is 5 x.", "5", 0.0),
        ("The answer is 3 i", "3", 0.0),
        ("The answer is 5 or more.", "5", 0.0),
        (r"\boxed{5 \text{ or more}}", "5", 0.0),
        ("The answer is not 5.", "5", 0.0),
        ("The answer is 5 cm.", "5", 1.0),
        ("The answer is 8 apples.", "8", 1.0),
    ],
)
def test_words_that_change_the_number_are_not_units(response, reference, expected):
    fn = get_verifier("numeric").build({}, "t")
    assert run_scorer(fn, rk.Sample(response=response, reference=reference)).value == expected
