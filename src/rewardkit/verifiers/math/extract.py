"""Find the final answer(s) in a math response.

Order of precedence, first hit wins: the last ``<answer>...</answer>`` block (a box inside it
wins over the rest of its text), every top-level ``\\boxed{}``/``\\fbox{}`` (all of them are kept
so the caller can refuse hedging across boxes), answer phrases (``The final answer is X``,
``Answer: X``, ``X is the answer``; see :func:`rewardkit.verifiers._extract.answer_phrases`) and
GSM8K ``#### X`` lines (the later of the two kinds wins), a ``Final Answer`` heading, the whole
response when it is only a short value (``42``, or ``<b>42</b>`` once HTML tags are dropped),
and, only when asked for, the last number in the text.

Besides the winner, rival answers are kept so the caller can refuse hedging (REFERENCE.md
section 2): earlier answer phrases that assert a value (not ``Suppose the answer is 4``), and
whatever is stated after the final answer: an answer phrase (``\\boxed{5} ... Final Answer: The
final answer is $7$``), a ``####`` line, a ``Final Answer`` heading, an offered alternative
(``Alternatively, it could be 6``, ``\\boxed{3} or $4$``), when they read as math rather than
prose. A denied answer (``the answer is not \\boxed{5}``) is not an answer, and a conditional
one (``6 if we exclude zero, otherwise 7``) is kept whole, so it does not read as one value.
The caller passes only the text after ``</think>`` (:func:`rewardkit.verifiers._extract.strip_think`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rewardkit.verifiers import _extract
from rewardkit.verifiers._extract import (
    Phrase,
    all_boxed,
    answer_line,
    answer_phrases,
    boxed_spans,
    cap,
    gsm8k_answers,
)

_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
#: an inline-math span in an answer phrase: ``the answer is $\frac12$.``
#: (an escaped ``\$`` is a dollar sign, not a delimiter: ``the answer is $\$18$``)
_INLINE_MATH = re.compile(
    r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL
)
#: the reason or aside after an answer phrase: ``12 because 3 * 4 = 12``, ``4, since ...``,
#: ``5 — since``, ``3/4 of the pie``, ``0.5, i.e. 50%`` (a restatement, not a rival)
_CLAUSE = re.compile(
    r"(?:,\s*|\s+)(?:because|since|as|which|where|given|so that|not|i\.e\b\.?|e\.g\b\.?|that is"
    r"|or equivalently)(?:\b|(?<=\.)).*$"
    r"|\s*(?:—|--)\s*\D.*$|\s+of\s+(?:the|a|an|his|her|their|its|our|each)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
#: a conditional answer: ``6 if we exclude zero, otherwise 7`` states no single value
_CONDITION = re.compile(r"\s(?:if|unless|when|otherwise|depending)\b", re.IGNORECASE)
#: ``option B``, ``choice (C)``: the letter is the answer
_OPTION_WORD = re.compile(r"^(?:option|choice)\s+(?=\(?[A-Ea-e]\)?\W*$)", re.IGNORECASE)
#: an aside in parentheses after the answer: ``5 (since 5 is prime)``, ``5 (five)``
_PAREN_ASIDE = re.compile(r"\s*\(([^()]*)\)\s*\.?$")
#: earlier answer phrases in a hypothesis are trials, not rivals: ``Suppose the answer is 4.``
#: words right before an answer phrase that make it a hypothesis, a report or a denial, not a
#: claim: ``Suppose the answer is 4``, ``If 5 is the answer``, ``whether 5 is the answer``,
#: ``The student's answer is 12``, ``Neither 4 nor 5 is the answer``, ``A common mistake is to
#: think the answer is 4`` (``If we add them, the answer is 5`` stays a claim)
_GOVERNED = re.compile(
    r"(?:\b(?:suppose|supposing|assume|assuming|if|whether|guess|nor|"
    r"(?:mistake|error) is to (?:think|say|assume))"
    r"\s+(?:that\s+)?(?:the\s+|our\s+|my\s+)?(?:final\s+|correct\s+)?"
    r"|\b(?:student|user|your|their|his|her)(?:'s|s')?\s+(?:final\s+)?"
    r"|\b(?:check|checking|verify|verifying)\s+(?:our|my|the)\s+"
    r"|\b(?:students|people|many|some|one|you)\s+(?:might\s+|may\s+|would\s+|could\s+)?"
    r"(?:think|believe|assume|guess|expect)\s+(?:that\s+)?(?:the\s+)?"
    r"|\b(?:might|may|would|could)\s+seem\s+(?:that\s+)?(?:the\s+)?)$",
    re.IGNORECASE,
)
#: a general remark, not this problem's answer: ``In general, the answer is \\binom{n}{2}``
_GENERAL = re.compile(
    r"\b(?:in general|generally|for example|for instance|in the general case)\b", re.IGNORECASE
)
#: a tail that only estimates: ``the answer should be around 50``
_ESTIMATE = re.compile(
    r"^(?:around|about|approximately|roughly|near|close to|~|\\approx|larger|smaller|greater|less|more|"
    r"bigger|at least|at most|half|twice|double|a multiple|divisible|positive|negative|odd|even)\b",
    re.IGNORECASE,
)
#: words that offer another value: inside an aside or clause they make the answer a hedge
_HEDGE = re.compile(
    r"\b(?:or|maybe|perhaps|possibly|could|might|otherwise|alternatively|also be)\b", re.IGNORECASE
)
#: after the final answer, a cue that offers or corrects to another value, then that value right
#: after it: ``, maybe $6$``, ``The correct value is 6.``, ``it should be $6$``, ``The result is 6``;
#: ``If not, then 6.`` (remarks with a number further on, ``But let me double-check: 16 - 3 = 13``,
#: ``A common wrong answer is 24``, are not rivals)
_VALUE = r"(\$[^$\n]{1,60}\$|\\\([^\n]{1,60}?\\\)|(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:/\d+)?(?=[.,;!?)]|\s*$))"
_HEDGE_AFTER = re.compile(
    r"\b(?:maybe|possibly|on reflection(?:,? it (?:is|should be))?|instead(?:,? it is)?|or rather|"
    r"should (?:actually )?be|(?:correct|actual|true) (?:value|answer|result) is|"
    r"the (?:result|value|total) is|if not,?(?: then)?(?: it is)?|otherwise,?(?: it is)?)"
    r"[:,]?[ \t]*" + _VALUE,
    re.IGNORECASE | re.MULTILINE,
)
#: a value offered as also possible: ``though 4 is also possible``, ``$6$ if we count zero``
_ALSO_AFTER = re.compile(
    r"(\$[^$\n]{1,60}\$|(?<![\w.])-?\d[\d,]*(?:\.\d+)?)\s+(?:is|are|would be)\s+also\s+"
    r"(?:possible|valid|correct|an answer)|\b(?:but|or)\s+(\$[^$\n]{1,60}\$)\s+(?:if|when)\b",
    re.IGNORECASE,
)
#: a rival offered right after the final answer: ``\\boxed{3} or $4$``, ``\\boxed{5} (or 6)``
#: (each step of the leading run is one character or one command, so a long run of blank lines
#: cannot make the match quadratic)
_OR_AFTER = re.compile(
    r"^(?:[\s.,;$]|\\\]|\\\)|\\q?quad|\\,)*(?:\(\s*)?(?:\\text\s*\{\s*)?or\s*\}?\s+"
    r"(?!equivalently|in other words|i\.e|that is|about|approximately|roughly|around|~|\\approx)"
    r"(?:maybe\s+|possibly\s+|perhaps\s+)?"
    r"([^\n;)]{1,60})",
    re.IGNORECASE,
)
#: a denial right before a box: ``the answer is not \boxed{5}``, ``x \neq \boxed{5}``
_DENIED = re.compile(
    r"(?:\bnot|\bnever|n't|\\neq?|≠)\s*(?:(?:equal|equals|be)\s+(?:to\s+)?)?(?:\$+|\\\(|\\\[)?\s*$",
    re.IGNORECASE,
)
#: another answer offered after the final one: ``Alternatively, it could be 6.``
_ALTERNATIVE = re.compile(
    r"\b(?:alternatively|or possibly|or perhaps|or maybe|"
    r"another (?:possible |valid )?(?:answer|value|solution) (?:is|would be)|"
    r"(?:it|the answer) (?:could|might|may) (?:also |instead )?be)\b"
    r"(?:[,:]?\s*(?:it|the answer|the value)\s+(?:could|might|may|would)\s+(?:also\s+|instead\s+)?be\b)?"
    r"[,:]?[ \t]*([^\n]*)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)")
_GSM8K_LINE = re.compile(r"^[ \t]*####", re.MULTILINE)
#: a ``Final Answer`` heading with the value on the next line
_HEADING = re.compile(r"(?:^|\n)[#* \t]*final\s+answer[*:# \t]*\n\s*(\S[^\n]*)", re.IGNORECASE)


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
    """The answer an answer phrase states: the phrase up to a trailing reason (``because ...``,
    ``, since ...``, an aside in parentheses), then the math inside ``$...$`` when that is all
    it holds. A conditional or hedged answer (``6 if ..., otherwise 7``, ``5 (or possibly 6)``,
    ``5, which could also be 6``) is returned whole, so it does not read as one value. Dollar
    signs that all precede digits are currency (``$18, since ... at $2 each``), not math."""
    tail = tail.strip()
    if "$" in tail and all(tail[i + 1 : i + 2].isdigit() for i, ch in enumerate(tail) if ch == "$"):
        tail = tail.replace("$", "")
    aside = _PAREN_ASIDE.search(tail)
    if aside is not None and re.search(r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]+", "", aside.group(1))):
        if _HEDGE.search(aside.group(1)):
            return tail
        tail = tail[: aside.start()]
    tail = _OPTION_WORD.sub("", tail)
    clause = _CLAUSE.search(tail)
    if clause is not None:
        if _HEDGE.search(clause.group()) and re.search(r"[\d$\\]", clause.group()):
            return tail
        tail = tail[: clause.start()].strip()
    if _CONDITION.search(tail):
        return tail
    spans = [next(g for g in m.groups() if g is not None) for m in _INLINE_MATH.finditer(tail)]
    if len(spans) == 1 and len(tail) - len(spans[0]) < 24:
        return spans[0].strip()
    return tail


def _looks_like_math(answer: str) -> bool:
    """A digit or a LaTeX command, and no word of three letters or more outside commands."""
    return bool(re.search(r"[\d\\]", answer)) and not re.search(
        r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]+", "", answer)
    )


def _rivals_after(text: str) -> list[str]:
    """Answers stated after the final one: ``or X``, an answer phrase, a ``####`` line, a
    ``Final Answer`` heading or an offered alternative; only those that read as math."""
    found: list[str] = []
    lead = _OR_AFTER.match(text)
    if lead is not None:
        tail = lead.group(1)
        end = _SENTENCE_END.search(tail)
        tail = tail[: end.start()] if end else tail
        if "%" not in tail:  # ``\\frac38, or $37.5\\%$``: the same value as a percent
            found.append(_phrase_answer(tail))
    found += [_phrase_answer(p.text) for p in answer_phrases(text) if _asserted(text, p)]
    found += gsm8k_answers(text)
    found += [_phrase_answer(h) for h in _HEADING.findall(text)]
    for m in _ALTERNATIVE.finditer(text):
        tail = m.group(1)
        end = _SENTENCE_END.search(tail)
        found.append(_phrase_answer(tail[: end.start()] if end else tail))
    found += [_phrase_answer(m.group(1)) for m in _HEDGE_AFTER.finditer(text)]
    found += [_phrase_answer(m.group(1) or m.group(2)) for m in _ALSO_AFTER.finditer(text)]
    return [a for a in found if _looks_like_math(a)]


def _asserted(text: str, phrase: Phrase) -> bool:
    """Whether a phrase claims its value: no hypothesis, report or denial right before it (see
    :data:`_GOVERNED`), not a question (``So the answer is 12?``), not disowned (``, which is
    incorrect``) and not only an estimate (``around 50``)."""
    before = text[max(0, phrase.start - 60) : phrase.start]
    after = text[phrase.end : phrase.end + 40]
    sentence = re.split(r"[.!?\n]", text[max(0, phrase.start - 200) : phrase.start])[-1]
    head = text[phrase.start : phrase.start + 40]
    counterfactual = re.match(r"answers?\s+would\s+(?:have\s+)?be", head, re.IGNORECASE)
    return (
        counterfactual is None
        and _GOVERNED.search(before) is None
        and _GENERAL.search(sentence) is None
        and not after.lstrip(" $").startswith("?")
        and not re.match(r"\s*,?\s*which is (?:incorrect|wrong|not)", after)
        and _ESTIMATE.search(phrase.text) is None
    )


def _denied(text: str, start: int) -> bool:
    return _DENIED.search(text[max(0, start - 60) : start]) is not None


def _tag_answers(inner: str) -> list[str]:
    boxes = [b for b in all_boxed(inner) if b.strip()]
    if boxes:
        return boxes
    line = answer_line(inner)
    return [_phrase_answer(line if line is not None else inner)]


#: where answers are read from: everything above (``auto``), boxes only (``boxed``: every box
#: counts, so disagreeing boxes are still a hedge), or the last box only (``boxed-last``)
AnswerMode = Literal["auto", "boxed", "boxed-last"]


def extract(text: str, *, last_number: bool = False, mode: AnswerMode = "auto") -> Extraction:
    """Extract the final answer(s) from the answer part of a response.

    Args:
        text: the response after ``</think>``.
        last_number: fall back to the last number in the text when nothing else is found
            (off by default: a stray number in reasoning is not an answer).
        mode: ``auto`` (the precedence in the module docstring), ``boxed`` or ``boxed-last``.

    Returns:
        The :class:`Extraction`; ``answers`` is empty when nothing was found.
    """
    text = cap(text)
    if mode != "auto":
        boxes = [c for start, _, c in boxed_spans(text) if c.strip() and not _denied(text, start)]
        return Extraction(tuple(boxes[-1:] if mode == "boxed-last" else boxes), "boxed" if boxes else "none")
    tags = list(_ANSWER_TAG.finditer(text))
    if tags:
        # every tag counts, and so does a box outside them: disagreeing answers are a hedge
        answers = [a for m in tags for a in _tag_answers(m.group(1))]
        answers += [b for b in all_boxed(_ANSWER_TAG.sub(" ", text)) if b.strip()]
        return Extraction(tuple(answers + _rivals_after(text[tags[-1].end() :])), "answer-tag")
    spans = [span for span in boxed_spans(text) if not _denied(text, span[0])]
    boxes = [content for _, _, content in spans]
    if any(b.strip() for b in boxes):
        return Extraction(tuple(boxes + _rivals_after(text[spans[-1][1] :])), "boxed")
    phrases = [p for p in answer_phrases(text) if _asserted(text, p)]
    if boxes and not phrases:
        return Extraction(tuple(boxes + _rivals_after(text[spans[-1][1] :])), "boxed")
    if phrases:
        answers = [_phrase_answer(p.text) for p in phrases]
        rivals = [a for a in answers[:-1] if _looks_like_math(a)]
        headings = map(_phrase_answer, _HEADING.findall(text[: phrases[-1].start]))
        rivals += [h for h in headings if _looks_like_math(h)]
        gsm_lines = list(_GSM8K_LINE.finditer(text))
        if gsm_lines and gsm_lines[-1].start() > phrases[-1].start:
            # ``Answer: <worked solution>`` then ``#### 72``: the later, more specific line wins
            last = [answers[-1]] if _looks_like_math(answers[-1]) else []
            return Extraction(tuple(rivals + last + gsm8k_answers(text)), "gsm8k")
        after = _rivals_after(text[phrases[-1].end :])
        return Extraction(tuple(rivals + answers[-1:] + after), "answer-line")
    heading = _HEADING.findall(text)
    if heading:
        return Extraction((_phrase_answer(heading[-1]),), "answer-line")
    gsm = gsm8k_answers(text)
    if gsm:
        return Extraction(tuple(gsm), "gsm8k")
    bare = " ".join(_MARKUP.sub(" ", text).split()).strip(" *_`")
    if bare and len(bare) <= MAX_BARE_CHARS and _looks_like_math(bare):
        return Extraction((bare,), "whole")
    if last_number:
        number = _extract.last_number(text)
        if number is not None:
            return Extraction((number,), "last-number")
    return Extraction((), "none")


__all__ = ["AnswerMode", "Extraction", "extract"]
