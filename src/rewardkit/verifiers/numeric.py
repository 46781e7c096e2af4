"""``numeric``: the response's final number compared exactly with a numeric reference.

The answer is the last ``\\boxed{}``, else the last ``Answer: X`` / ``the answer is X`` phrase,
else the last ``#### X`` line, else the last number in the text (only text after ``</think>``
counts). Both sides are read by :func:`rewardkit.verifiers._numbers.parse_number`: thousands
separators, percent, scientific notation, fractions and mixed numbers, as exact rationals.
Equality is exact by default; ``rel_tol``/``abs_tol`` are explicit options. Percent is a unit
label, as in ``math``: ``50%`` equals ``50``, not ``0.5``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rewardkit.core.errors import InvalidInput
from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample
from rewardkit.verifiers._extract import (
    answer_line,
    gsm8k_answers,
    last_boxed,
    last_number,
    strip_latex,
    strip_think,
)
from rewardkit.verifiers._numbers import Number, parse_number
from rewardkit.verifiers._units import SCALE_WORDS, canonical_unit

_DENIED = re.compile(r"\banswer\b[\s*_]*is\s+(?:definitely\s+|certainly\s+)?not\b", re.IGNORECASE)
_UNIT_TAIL = re.compile(r"\s*(?:\\text\{[^{}]*\}|[A-Za-z][A-Za-z .]*)\s*$")


@dataclass(frozen=True)
class NumericOptions:
    """Options of the ``numeric`` verifier.

    Attributes:
        rel_tol: accept a relative difference up to this (default: exact).
        abs_tol: accept an absolute difference up to this (default: exact).
        strip_think: only text after ``</think>`` counts; an unclosed ``<think>`` scores 0.
    """

    rel_tol: float | None = None
    abs_tol: float | None = None
    strip_think: bool = True

    def __post_init__(self) -> None:
        for name in ("rel_tol", "abs_tol"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"option {name!r} must be >= 0, got {value!r}")


def _read(text: str) -> Number | None:
    """The number in an answer, after a trailing unit (``5 cm``, ``8 apples``).

    The tail is dropped only when it is a unit or a counting noun (the ``math`` verifier's
    vocabulary); words that change the number are not units (audit: ``5 million``, ``10 pi``,
    ``5 squared``, ``5 x``, ``5 or more`` all scored 1 against 5). A scale word multiplies
    (``5 million`` is 5,000,000).
    """
    text = strip_latex(text).strip().rstrip(".").strip()
    number = parse_number(text)
    if number is not None:
        return number
    m = _UNIT_TAIL.search(text)
    if m is None:
        return None
    head, tail = text[: m.start()], re.sub(r"\\text\{([^{}]*)\}", r"\1", m.group()).strip()
    scale = SCALE_WORDS.get(tail.lower().rstrip("s"))
    number = parse_number(head)
    if number is not None and scale is not None:
        return Number(number.value * scale, None, number.percent)
    if number is None or canonical_unit(tail) is None:
        return None
    return number


def _answer(text: str) -> tuple[str | None, str]:
    boxed = last_boxed(text)
    if boxed is not None:
        return boxed, "boxed"
    line = answer_line(text)
    if line is not None:
        return line, "answer-line"
    gsm = gsm8k_answers(text)
    if gsm:
        return gsm[-1], "gsm8k"
    if _DENIED.search(text):  # ``The answer is not 5.``: the denied number is not an answer
        return None, "none"
    number = last_number(text)
    return (number, "last-number") if number is not None else (None, "none")


@verifier(
    "numeric",
    options=NumericOptions,
    description="final number equals the reference exactly (separators, percent, scientific, fractions)",
    example={"response": "Total: 12 * 1,000 = 12,000. #### 12,000", "reference": "12000", "options": {}},
)
def numeric(opts: NumericOptions) -> Callable[[Sample], RewardResult]:
    """Build the ``numeric`` scorer.

    Details: ``extracted``, ``source`` and ``parsed`` (the answer as an exact fraction string);
    a 0.0 carries ``reason``: ``think_unclosed``, ``no_answer``, ``not_a_number`` or ``mismatch``.
    """

    def equal(ref: Fraction, got: Fraction) -> bool:
        if ref == got:
            return True
        diff = abs(ref - got)
        if opts.abs_tol is not None and diff <= Fraction(opts.abs_tol):
            return True
        return opts.rel_tol is not None and diff <= Fraction(opts.rel_tol) * max(abs(ref), abs(got))

    def score(sample: Sample) -> RewardResult:
        reference: Any = sample.reference
        if isinstance(reference, bool) or not isinstance(reference, (str, int, float)):
            raise InvalidInput(
                f"reference must be a number or a numeric string, got {type(reference).__name__}"
            )
        ref = _read(str(reference))
        if ref is None:
            raise InvalidInput(f"reference is not a number: {str(reference)[:200]!r}")
        text = sample.response
        if opts.strip_think:
            text, closed = strip_think(text)
            if not closed:
                return RewardResult.ok(0.0, reason="think_unclosed")
        answer, source = _answer(text)
        if answer is None:
            return RewardResult.ok(0.0, reason="no_answer", source=source)
        details: dict[str, Any] = {"extracted": answer[:1000], "source": source}
        got = _read(answer)
        if got is None:
            return RewardResult.ok(0.0, reason="not_a_number", **details)
        details["parsed"] = str(got.value)[:1000]
        if equal(ref.value, got.value):
            return RewardResult.ok(1.0, **details)
        return RewardResult.ok(0.0, reason="mismatch", **details)

    return score


__all__ = ["NumericOptions", "numeric"]
