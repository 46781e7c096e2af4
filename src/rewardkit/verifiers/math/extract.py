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
from rewardkit.verifiers._extract import all_boxed, answer_line, cap, gsm8k_answers

_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
#: an inline-math span in an answer phrase: ``the answer is $\frac12$.``
#: (an escaped ``\$`` is a dollar sign, not a delimiter: ``the answer is $\$18$``)
_INLINE_MATH = re.compile(
    r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL
)
#: the reason or aside after an answer phrase: ``12 because 3 * 4 = 12``, ``4, since ...``
_CLAUSE = re.compile(
    r"(?:,\s*|\s+)(?:because|since|as|which|where|given|so that|not|unless|if|when)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
#: a ``Final Answer`` heading with the value on the next line
_HEADING = re.compile(r"(?:^|\n)[#*\s]*final\s+answer[*:#\s]*\n+[ \t]*(\S[^\n]*)", re.IGNORECASE)


#: a response that is only a short value (``42``, ``<b>42</b>``, ``$\frac12$``) is its own answer
MAX_BARE_CHARS = 40
_MARKUP = re.compile(r"<[^<>]{0,200}>")


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract` found.

    Attributes:
        answers: the candidate final answers, in order (several for several boxes, answer tags
            or ``####`` lines).
        source: where they came from: ``answer-tag``, ``boxed``, ``answer-line``, ``gsm8k``,
            ``whole``, ``last-number`` or ``none``.
    """

    answers: tuple[str, ...]
    source: str


def _phrase_answer(tail: str) -> str:
    """The math inside an answer phrase when it is written in ``$...$``, else the phrase up to
    a trailing reason (``because ...``, ``, since ...``)."""
    spans = [next(g for g in m.groups() if g is not None) for m in _INLINE_MATH.finditer(tail)]
    if len(spans) == 1 and len(tail) - len(spans[0]) < 24:
        return spans[0].strip()
    return _CLAUSE.sub("", tail).strip()


def _tag_answers(inner: str) -> list[str]:
    boxes = [b for b in all_boxed(inner) if b.strip()]
    if boxes:
        return boxes
    line = answer_line(inner)
    return [_phrase_answer(line if line is not None else inner)]


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
        # every tag counts, and so does a box outside them: disagreeing answers are a hedge
        answers = [a for inner in tags for a in _tag_answers(inner)]
        answers += [b for b in all_boxed(_ANSWER_TAG.sub(" ", text)) if b.strip()]
        return Extraction(tuple(answers), "answer-tag")
    boxes = all_boxed(text)
    if any(b.strip() for b in boxes) or (boxes and not answer_line(text)):
        return Extraction(tuple(boxes), "boxed")
    line = answer_line(text)
    if line is not None:
        return Extraction((_phrase_answer(line),), "answer-line")
    heading = _HEADING.findall(text)
    if heading:
        return Extraction((_phrase_answer(heading[-1]),), "answer-line")
    gsm = gsm8k_answers(text)
    if gsm:
        return Extraction(tuple(gsm), "gsm8k")
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
