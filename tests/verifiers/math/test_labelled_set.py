"""The labelled math accuracy set is well formed and covers issue 3 points 1-3 (issue 3 point 5)."""

import json
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "math_labelled.jsonl"

# Every category the set must cover, each with at least one true and one false case.
REQUIRED_CATEGORIES = {
    "extraction",  # last \boxed / \fbox, nested braces, <answer> tags, "final answer is", GSM8K ####
    "think",  # only text after </think> counts; an unclosed <think> earns nothing
    "hedging",  # "3 or 4", two different boxes, candidate lists vs set/list references
    "master_key",  # ":", "Thought process:", "Solution", empty \boxed{}, lone "{" (+ controls)
    "exact_number",  # integers, decimals, fractions exactly (1/2004! vs 1/2006!, 1/2^99 vs 1/2^98)
    "approx_decimal",  # tolerance when the reference is itself a rounded decimal
    "symbolic",  # pi/2 vs \dfrac{\pi}{2}, e^{16}-1 variants, 4 vs 4\sqrt{2}, roots
    "complex",
    "set",
    "tuple",
    "interval",
    "matrix",
    "vector",
    "equation",  # x=3 vs 3, y=2x+1 vs 2x-y+1=0
    "inequality",  # x>2 vs (2,\infty)
    "plus_minus",
    "degree",  # 45^\circ vs 45, 45^\circ vs \frac{\pi}{4}
    "percent",
    "unit_text",  # 10 \text{ cm} vs 10
    "thousands",  # 10{,}000, 10,000 vs 10000
    "mixed_number",  # 2\frac{1}{2} vs 5/2
    "scientific",  # 1.2\times10^{3}, 1.2e3
    "choice_letter",
    "adversarial",  # prompt injection, HTML/markdown wrappers, gibberish, negations
    "real_response",  # re-labelled real model outputs from shared/data/math_responses.jsonl
}
FIELDS = {"id", "category", "response", "reference", "label", "note"}


def _rows():
    with DATA.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


ROWS = _rows()


def test_schema():
    for row in ROWS:
        assert set(row) == FIELDS, row.get("id")
        assert isinstance(row["id"], str) and row["id"]
        assert isinstance(row["category"], str) and row["category"]
        assert isinstance(row["response"], str)
        assert isinstance(row["reference"], str) and row["reference"].strip(), row["id"]
        assert isinstance(row["label"], bool), row["id"]
        assert isinstance(row["note"], str)


def test_size_and_unique_ids():
    assert len(ROWS) >= 400
    dupes = [k for k, v in Counter(r["id"] for r in ROWS).items() if v > 1]
    assert not dupes


def test_label_balance():
    share = sum(r["label"] for r in ROWS) / len(ROWS)
    assert 0.5 <= share <= 0.65


def test_no_duplicate_cases():
    keys = Counter((r["response"], r["reference"]) for r in ROWS)
    assert not [k for k, v in keys.items() if v > 1]


@pytest.mark.parametrize("category", sorted(REQUIRED_CATEGORIES))
def test_category_has_true_and_false_cases(category):
    labels = {r["label"] for r in ROWS if r["category"] == category}
    assert labels == {True, False}, f"{category}: {labels or 'missing'}"


def test_no_unknown_categories():
    assert {r["category"] for r in ROWS} <= REQUIRED_CATEGORIES


def test_real_responses_cover_anchor_mislabels():
    real = [r for r in ROWS if r["category"] == "real_response"]
    assert len(real) >= 35
    refs = {r["reference"]: r["label"] for r in real if r["label"]}
    # the anchor's labels for these two problems are wrong (issue 3 point 5)
    assert "10{,}000" in refs and "4:30p.." in refs


def test_named_regressions_present():
    pairs = {(r["reference"], r["label"]) for r in ROWS}
    for needed in [(r"\frac{1}{2006!}", False), (r"\frac{1}{2^{98}}", False), ("3.14", True),
                   (r"e^{16}-1", True), ("pi/2", True), (r"(2, \infty)", True), ("10000", True)]:
        assert needed in pairs, needed
