"""Every row of examples/code/problems.jsonl scores its ``expected_reward`` (issue 4 point 8)."""

import json
from pathlib import Path

import pytest

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import Sample

ROWS = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[3] / "examples/code/problems.jsonl")
    .read_text()
    .splitlines()
    if line.strip()
]


def test_examples_have_correct_and_incorrect_solutions():
    labels = {row["label"] for row in ROWS}
    assert "correct" in labels and len(labels) > 3
    assert {"prompt", "response", "reference"} <= set(ROWS[0])


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}-{r['label']}" for i, r in enumerate(ROWS)])
def test_example_row(row):
    fn = get_verifier("code").build({"timeout_s": 2.0})
    result = run_scorer(
        fn, Sample(prompt=row["prompt"], response=row["response"], reference=row["reference"])
    )
    assert result.status == "ok", result
    assert result.value == pytest.approx(row["expected_reward"]), result.details
