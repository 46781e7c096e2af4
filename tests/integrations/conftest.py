"""Shared data for the trainer-adapter tests: real samples from ``examples/`` plus bad ones."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "core"))  # faulty_verifiers: test.faulty (hang, raise, ...)


from rewardkit.integrations import reset_failure_counts  # noqa: E402


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


MATH = _jsonl(ROOT / "examples/math/samples.jsonl")
CODE = _jsonl(ROOT / "examples/code/problems.jsonl")


@pytest.fixture(autouse=True)
def _fresh_counts():
    reset_failure_counts()
    yield
    reset_failure_counts()


@pytest.fixture
def math_rows() -> list[dict]:
    """Four real MATH responses (two problems) that the math spec credits, plus one made wrong."""
    rows = [dict(MATH[i]) for i in (0, 1, 4, 5)]
    wrong = dict(MATH[0], reference="421")  # a real response against another answer: a failed check
    return [*rows, wrong]


@pytest.fixture
def code_rows() -> list[dict]:
    """A correct and a wrong Python solution of the bundled a+b problem."""
    correct = next(r for r in CODE if r["label"] == "correct" and "```python" in r["response"])
    wrong = next(r for r in CODE if r["label"] == "wrong" and "```python" in r["response"])
    return [correct, wrong]


