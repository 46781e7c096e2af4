"""Find the final answer(s) in a math response.

Order of precedence, first hit wins: the last ``<answer>...</answer>`` block (a box inside it
wins over the rest of its text), every top-level ``\\boxed{}``/``\\fbox{}`` (all of them are kept
so the caller can refuse hedging across boxes), the last "final answer is X" / "Answer: X"
phrase, the last GSM8K ``#### X`` line, and, only when asked for, the last number in the text.
The caller passes only the text after ``</think>`` (:func:`rewardkit.verifiers._extract.strip_think`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rewardkit.verifiers._extract import all_boxed, answer_line, cap

_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_GSM8K = re.compile(r"^[ \t]*####[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_LAST_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?|-?\.\d+")
#: an inline-math span in an answer phrase: ``the answer is $\frac12$.``
_INLINE_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract` found.

    Attributes:
        answers: the candidate final answers, in order (several only for several boxes).
        source: where they came from: ``answer-tag``, ``boxed``, ``answer-line``, ``gsm8k``,
            ``last-number`` or ``none``.
    """

    answers: tuple[str, ...]
    source: str


def _phrase_answer(tail: str) -> str:
    """The math inside an answer phrase when it is written in ``$...$``, else the phrase."""
    spans = [next(g for g in m.groups() if g is not None) for m in _INLINE_MATH.finditer(tail)]
    if len(spans) == 1 and len(tail) - len(spans[0]) < 24:
        return spans[0].strip()
    return tail.strip()


def extract(text: str, *, last_number: bool = False) -> Extraction:
    """Extract the final answer(s) from the answer part of a response.

    Args:
        text: the response after ``</think>``.
        last_number: fall back to the last number in the text when nothing else is found
            (off by default: a stray number in reasoning is not an answer).

    Returns:
        The :class:`Extraction`; ``answers`` is empty when nothing was found.
    """
    text = cap(text)
    tags = _ANSWER_TAG.findall(text)
    if tags:
        inner = tags[-1]
        boxes = all_boxed(inner)
        if boxes:
            return Extraction(tuple(boxes), "answer-tag")
        return Extraction((_phrase_answer(inner),), "answer-tag")
    boxes = all_boxed(text)
    if boxes:
        return Extraction(tuple(boxes), "boxed")
    line = answer_line(text)
    if line is not None:
        return Extraction((_phrase_answer(line),), "answer-line")
    gsm = _GSM8K.findall(text)
    if gsm:
        return Extraction((gsm[-1],), "gsm8k")
    if last_number:
        found = _LAST_NUMBER.findall(text)
        if found:
            return Extraction((found[-1],), "last-number")
    return Extraction((), "none")


__all__ = ["Extraction", "extract"]
