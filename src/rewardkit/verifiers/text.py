"""``exact``: normalised string match of the response's answer against a reference.

The answer is taken from the part of the response after ``</think>``; which part of that
counts (the last ``\\boxed{}``, an ``Answer: X`` line, the last line or everything) is an
option. Both sides go through the same normaliser (:func:`normalize_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rewardkit.core.errors import InvalidInput
from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample
from rewardkit.verifiers._extract import (
    answer_line,
    last_boxed,
    last_line,
    normalize_text,
    reference_strings,
    strip_think,
)

#: extracted answers longer than this are compared by their first characters only; two
#: strings that long are never a short answer, and normalising them would only cost time
MAX_ANSWER_CHARS = 100_000

AnswerMode = Literal["auto", "boxed", "answer-line", "last-line", "whole"]


@dataclass(frozen=True)
class ExactOptions:
    """Options of the ``exact`` verifier.

    Attributes:
        answer: which part of the response is the answer. ``"boxed"``: the last
            ``\\boxed{}``; ``"answer-line"``: the last ``Answer: X`` / ``the answer is X``;
            ``"last-line"``: the last non-blank line; ``"whole"``: all of it; ``"auto"``
            (default): boxed, else answer line, else last line.
        case_sensitive: compare case as written (default: case-folded).
        collapse_whitespace: turn every run of whitespace into one space.
        punctuation: ``"edges"`` strips sentence marks, quotes, brackets and markdown
            emphasis from both ends; ``"all"`` deletes all punctuation; ``"keep"`` leaves it.
        strip_latex: remove ``$...$``, ``\\(...\\)``, ``\\text{}``, ``\\mathrm{}`` and
            similar wrappers.
        strip_think: only text after ``</think>`` counts, and an unclosed ``<think>`` earns
            nothing (reason ``think_unclosed``).
    """

    answer: AnswerMode = "auto"
    case_sensitive: bool = False
    collapse_whitespace: bool = True
    punctuation: Literal["edges", "all", "keep"] = "edges"
    strip_latex: bool = True
    strip_think: bool = True


def extract_answer(text: str, mode: AnswerMode) -> tuple[str | None, str]:
    """Pick the answer out of ``text`` (already stripped of thinking).

    Returns:
        ``(answer or None, where)`` with ``where`` one of ``boxed``, ``answer-line``,
        ``last-line``, ``whole``.
    """
    if mode in ("auto", "boxed"):
        boxed = last_boxed(text)
        if boxed is not None or mode == "boxed":
            return boxed, "boxed"
    if mode in ("auto", "answer-line"):
        line = answer_line(text)
        if line is not None or mode == "answer-line":
            return line, "answer-line"
    if mode in ("auto", "last-line"):
        return last_line(text), "last-line"
    return (text if text.strip() else None), "whole"


@verifier(
    "exact",
    options=ExactOptions,
    description="normalised string match of the extracted answer against one or more references",
    example={
        "response": "<think>France's capital...</think>The capital is \\boxed{\\text{Paris}}.",
        "reference": ["paris", "Paris, France"],
        "options": {},
    },
)
def exact(opts: ExactOptions) -> Callable[[Sample], RewardResult]:
    """Build the ``exact`` scorer: 1.0 when the normalised answer equals a normalised reference.

    Details carry ``extracted`` (raw answer), ``normalized``, ``source`` (where the answer was
    found) and, on a match, ``matched`` (the reference that matched); a 0.0 carries a
    ``reason``: ``think_unclosed``, ``no_answer`` or ``mismatch``.
    """

    def norm(text: str) -> str:
        return normalize_text(
            text[:MAX_ANSWER_CHARS],
            case_sensitive=opts.case_sensitive,
            collapse_whitespace=opts.collapse_whitespace,
            punctuation=opts.punctuation,
            latex=opts.strip_latex,
        )

    def score(sample: Sample) -> RewardResult:
        refs = reference_strings(sample.reference)
        wanted: dict[str, str] = {}
        for ref in refs:
            key = norm(ref)
            if key:
                wanted.setdefault(key, ref)
        if not wanted:
            raise InvalidInput("reference is empty after normalisation")
        text = sample.response
        if opts.strip_think:
            text, closed = strip_think(text)
            if not closed:
                return RewardResult.ok(0.0, reason="think_unclosed")
        answer, source = extract_answer(text, opts.answer)
        if answer is None:
            return RewardResult.ok(0.0, reason="no_answer", source=source)
        got = norm(answer)
        details: dict[str, Any] = {
            "extracted": answer[:1000],
            "normalized": got[:1000],
            "source": source,
        }
        if not got:
            return RewardResult.ok(0.0, reason="no_answer", **details)
        if got in wanted:
            return RewardResult.ok(1.0, matched=wanted[got], **details)
        return RewardResult.ok(0.0, reason="mismatch", **details)

    return score


__all__ = ["ExactOptions", "exact", "extract_answer"]
