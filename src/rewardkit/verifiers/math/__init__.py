"""``math``: the final answer of a math response checked for equivalence with a reference.

Pipeline: only text after ``</think>`` counts (an unclosed ``<think>`` earns nothing) ->
:mod:`.extract` finds the answer(s) -> :mod:`.normalize` and :mod:`.structure` read each into a
value -> :mod:`.compare` decides equivalence (exact rationals for numbers, numeric identity
testing through sympy for expressions, structure-aware for sets, tuples, intervals, matrices,
equations and inequalities).

Hedging earns nothing (REFERENCE.md section 2; verifiers PR #1028): several boxes that do not
all agree with the reference, or one answer listing alternatives (``3 or 4``, ``2, 3, 5``)
where the reference is one value, score 0 with reason ``multiple_answers``. A reference that
cannot be parsed is ``invalid_input``, never a reward (open-r1 #86, #215, #293). The argument
order is fixed by the sample (``reference`` is the gold), so the asymmetric ``verify(gold,
pred)`` confusion of open-r1 #557 cannot happen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from rewardkit.core.errors import InvalidInput
from rewardkit.core.registry import verifier
from rewardkit.core.types import MAX_RESPONSE_CHARS, RewardResult, Sample
from rewardkit.verifiers._extract import reference_strings, strip_think
from rewardkit.verifiers.math import symbolic
from rewardkit.verifiers.math.compare import BudgetExceeded, Context, is_multiple, values_equal
from rewardkit.verifiers.math.extract import AnswerMode, extract
from rewardkit.verifiers.math.normalize import clean
from rewardkit.verifiers.math.structure import (
    Equation,
    Interval,
    Matrix,
    Named,
    Scalar,
    Seq,
    Union_,
    Value,
    parse_value,
)

#: most boxes compared in one response; more distinct boxes than this is hedging by itself
MAX_BOXES = 16
_REF_CACHE_SIZE = 4096


@dataclass(frozen=True)
class MathOptions:
    """Options of the ``math`` verifier.

    Attributes:
        answer: where the answer is read from: ``auto`` (boxes, ``<answer>`` tags, answer
            phrases, ``####`` lines, a bare value; rival answers are a hedge), ``boxed`` (boxes
            only; disagreeing boxes are still a hedge) or ``boxed-last`` (the last box only).
        fallback_last_number: when no box, ``<answer>`` tag, answer phrase or ``####`` line is
            found, take the last number in the response (off by default).
        think: only text after ``</think>`` counts and an unclosed ``<think>`` scores 0
            (reason ``think_unclosed``).
        rel_tol: accept answers within this relative difference of the reference (off by
            default: numbers compare exactly).
        abs_tol: accept answers within this absolute difference of the reference.
        budget_s: work budget of one comparison in seconds of CPU time of the scoring thread
            (not wall time, so a loaded machine does not turn easy comparisons into timeouts);
            past it the sample is ``timeout``. The engine's per-sample deadline still bounds
            wall time.
    """

    answer: AnswerMode = "auto"
    fallback_last_number: bool = False
    think: bool = True
    rel_tol: float | None = None
    abs_tol: float | None = None
    budget_s: float = 5.0

    def __post_init__(self) -> None:
        if self.answer not in get_args(AnswerMode):
            raise ValueError(f"option 'answer' must be one of {get_args(AnswerMode)}, got {self.answer!r}")
        for name in ("rel_tol", "abs_tol"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"option {name!r} must be >= 0, got {value!r}")
        if not self.budget_s > 0:
            raise ValueError(f"option 'budget_s' must be > 0, got {self.budget_s!r}")


def _expressions(value: Value) -> list[str]:
    """Every expression inside a value, as text (to check that a reference's expressions parse)."""
    out: list[str] = []
    stack: list[Value] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Scalar):
            if v.number is None:
                out.append(v.text)
        elif isinstance(v, Equation):
            out.extend((v.lhs, v.rhs))
        elif isinstance(v, Seq):
            stack.extend(v.items)
        elif isinstance(v, Matrix):
            stack.extend(cell for row in v.rows for cell in row)
        elif isinstance(v, Union_):
            stack.extend(v.parts)
        elif isinstance(v, Interval):
            stack.extend((v.lo, v.hi))
        elif isinstance(v, Named):
            stack.append(v.value)
    return out


def parse_reference(text: str) -> Value:
    """Parse a reference answer; raise :class:`InvalidInput` when it cannot be read.

    A reference may carry its own ``\\boxed{}`` (MATH solutions do) or ``$`` wrappers; one
    with several different boxes (``\\boxed{2} and \\boxed{3}``) names all of those values. A
    worked GSM8K solution (``... #### 72``) or a sentence with an answer phrase (``The answer is
    72.``) gives its final value, so a dataset's raw solution column works as a reference.
    """
    found = extract(text)
    answers = list(dict.fromkeys(a.strip() for a in found.answers if a.strip()))
    value: Value | None
    if found.source in ("boxed", "answer-tag") and len(answers) > 1:
        parts = [parse_value(a) for a in answers]
        value = None if any(p is None for p in parts) else Seq("list", tuple(p for p in parts if p))
    elif found.source in ("boxed", "answer-tag", "gsm8k", "answer-line") and answers:
        value = parse_value(answers[-1])
    else:
        value = parse_value(text)
    if value is None:
        raise InvalidInput(f"reference could not be parsed: {text[:200]!r}")
    for expression in _expressions(value):
        if symbolic.parse_latex(expression) is None:
            raise InvalidInput(f"reference could not be parsed: {text[:200]!r}")
    return value


@verifier(
    "math",
    options=MathOptions,
    description="math answer equivalence: exact numbers, sympy expressions, sets, intervals, matrices",
    example={
        "response": "<think>The sum is 1/2 + 1/4.</think>So the answer is $\\boxed{\\dfrac{3}{4}}$.",
        "reference": "0.75",
        "options": {},
    },
)
def math_verifier(opts: MathOptions) -> Callable[[Sample], RewardResult]:
    """Build the ``math`` scorer (see the module docstring).

    Details: ``extracted`` (the last answer found), ``source`` (``boxed``, ``answer-tag``,
    ``answer-line``, ``gsm8k``, ``whole``, ``last-number``), ``answers`` (how many were found) and, on 0.0,
    ``reason``: ``think_unclosed``, ``no_answer``, ``empty_answer``, ``multiple_answers``,
    ``unparsed_answer`` or ``mismatch``.
    """
    ref_cache: dict[str, Value] = {}

    def reference_values(reference: Any) -> list[Value]:
        values = []
        for text in reference_strings(reference):
            value = ref_cache.get(text)
            if value is None:
                value = parse_reference(text)
                if len(ref_cache) >= _REF_CACHE_SIZE:
                    ref_cache.clear()
                ref_cache[text] = value
            values.append(value)
        return values

    def matches(refs: list[Value], answer: Value, ctx: Context) -> bool:
        return any(values_equal(ref, answer, ctx) for ref in refs)

    def score(sample: Sample) -> RewardResult:
        refs = reference_values(sample.reference)
        # the answer is at the end: an over-long response keeps its tail, not its head
        text = sample.response[-MAX_RESPONSE_CHARS:]
        if opts.think:
            text, closed = strip_think(text)
            if not closed:
                return RewardResult.ok(0.0, reason="think_unclosed")
        found = extract(text, last_number=opts.fallback_last_number, mode=opts.answer)
        if not found.answers:
            return RewardResult.ok(0.0, reason="no_answer", source=found.source)
        details: dict[str, Any] = {
            "extracted": found.answers[-1][:1000],
            "source": found.source,
            "answers": len(found.answers),
        }
        if not clean(found.answers[-1]).text:
            return RewardResult.ok(0.0, reason="empty_answer", **details)
        # boxes that render empty (``\boxed{}``, ``\boxed{\phantom{2}}`` for a blank in the
        # question) are not rival answers; the last box being empty is handled above
        distinct = list(dict.fromkeys(a.strip() for a in found.answers if clean(a).text))
        if not distinct:
            return RewardResult.ok(0.0, reason="empty_answer", **details)
        if len(distinct) > MAX_BOXES:
            return RewardResult.ok(0.0, reason="multiple_answers", **details)
        ctx = Context(opts.rel_tol, opts.abs_tol, time.thread_time() + opts.budget_s)
        try:
            return _judge(refs, distinct, details, ctx)
        except BudgetExceeded:
            return RewardResult.fail("timeout", f"math comparison exceeded its budget of {opts.budget_s} s")

    def _judge(refs: list[Value], answers: list[str], details: dict[str, Any], ctx: Context) -> RewardResult:
        values = [parse_value(a) for a in answers]
        multi_ref = any(is_multiple(r) for r in refs)
        if len(values) > 1 and multi_ref and all(v is not None for v in values):
            combined = Seq("list", tuple(v for v in values if v is not None))
            if matches(refs, combined, ctx):
                return RewardResult.ok(1.0, **details)
        verdicts = []
        for value in values:
            if value is None:
                verdicts.append(False)
                continue
            if isinstance(value, Seq) and value.kind in ("alternatives", "list") and not multi_ref:
                if any(matches(refs, item, ctx) for item in value.items):
                    if all(matches(refs, item, ctx) for item in value.items):
                        verdicts.append(True)
                        continue
                    return RewardResult.ok(0.0, reason="multiple_answers", **details)
                verdicts.append(False)
                continue
            verdicts.append(matches(refs, value, ctx))
        if all(verdicts):
            return RewardResult.ok(1.0, **details)
        if any(verdicts):
            return RewardResult.ok(0.0, reason="multiple_answers", **details)
        if values[-1] is None:
            return RewardResult.ok(0.0, reason="unparsed_answer", **details)
        return RewardResult.ok(0.0, reason="mismatch", **details)

    return score


__all__ = ["MathOptions", "math_verifier", "parse_reference"]
