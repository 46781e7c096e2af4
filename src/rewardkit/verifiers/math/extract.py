"""Find the final answer(s) in a math response.

Order of precedence, first hit wins: the last ``<answer>...</answer>`` block (a box inside it
wins over the rest of its text), every top-level ``\\boxed{}``/``\\fbox{}`` (all of them are kept
so the caller can refuse hedging across boxes), the last "final answer is X" / "Answer: X"
phrase, the last GSM8K ``#### X`` line, the whole response when it is only a short value
(``42``, or ``<b>42</b>`` once HTML tags are dropped), and, only when asked for, the last
number in the text.
The caller passes only the text after ``</think>`` (:func:`rewardkit.verifiers._extract.strip_think`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rewardkit.verifiers import _extract
from rewardkit.verifiers._extract import all_boxed, answer_line, cap, gsm8k_answer

_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
#: an inline-math span in an answer phrase: ``the answer is $\frac12$.``
_INLINE_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


#: a response that is only a short value (``42``, ``<b>42</b>``, ``$\frac12$``) is its own answer
MAX_BARE_CHARS = 40
_MARKUP = re.compile(r"<[^<>]{0,200}>")


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract` found.

    Attributes:
        answers: the candidate final answers, in order (several only for several boxes).
        source: where they came from: ``answer-tag``, ``boxed``, ``answer-line``, ``gsm8k``,
            ``whole``, ``last-number`` or ``none``.
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
    gsm = gsm8k_answer(text)
    if gsm is not None:
        return Extraction((gsm,), "gsm8k")
    bare = " ".join(_MARKUP.sub(" ", text).split()).strip(" *_`")
    if (
        bare
        and len(bare) <= MAX_BARE_CHARS
        and re.search(r"[\d\\]", bare)
        and not re.search(r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]+", "", bare))
    ):
        return Extraction((bare,), "whole")
    if last_number:
        number = _extract.last_number(text)
        if number is not None:
            return Extraction((number,), "last-number")
    return Extraction((), "none")


__all__ = ["Extraction", "extract"]
