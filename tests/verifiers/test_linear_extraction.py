"""Extraction stays linear on adversarial whitespace and repetition (audit of 2026-12-02).

Guards against: ``\\boxed{2}`` followed by 40 KB of newlines took 12.7 s in the math verifier
(80 KB: 51 s) because two patterns that scan the text after the final answer backtracked
quadratically over runs of blank lines; a policy model can emit such padding cheaply, and each
one held a worker for the whole deadline. Every text-like verifier is run on 200,000-character
inputs of that kind; pytest-timeout (not a speed assert) fails the test if one of them hangs.
"""

from __future__ import annotations

import pytest

import rewardkit as rk
from rewardkit.core.registry import get_verifier, run_scorer

N = 200_000
PATHOLOGICAL = {
    "newlines_after_box": "\\boxed{2}" + "\n" * N,
    "spaces_after_box": "\\boxed{2}" + " " * N,
    "hash_lines": "\\boxed{2}" + "#\n" * (N // 2),
    "answer_words": "the answer is " * (N // 14),
    "or_words": "\\boxed{2} " + "or " * (N // 3),
    "dollar_signs": "The answer is " + "$1 " * (N // 3),
    "is_the_answer": "5 is the answer " * (N // 16),
    "open_parens": "The answer is 5 " + "(" * N,
    "think_tags": "<think>" * (N // 7),
}
REFERENCES = {"math": "2", "exact": "2", "numeric": "2", "choice": "B", "format.think": None}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_pathological_inputs_finish(name):
    fn = get_verifier(name).build({}, name)
    for case, text in PATHOLOGICAL.items():
        result = run_scorer(fn, rk.Sample(response=text, reference=REFERENCES[name]))
        assert result.status in ("ok", "invalid_input"), (case, result)
