"""Shared answer-extraction helpers for the text-like verifiers (exact, choice, math).

Everything here is pure string work on capped input: no ``eval``, no third-party imports, and
every scan is linear in the input length (brace pairs are matched in one pass, so a response
holding thousands of unbalanced ``\\boxed{`` cannot make extraction quadratic).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

from rewardkit.core.errors import InvalidInput
from rewardkit.core.types import MAX_RESPONSE_CHARS

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

_BOX_CMD = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
_BRACE_TOKENS = re.compile(r"\\.|[{}]", re.DOTALL)
#: the argument of ``\boxed 5`` (no braces): a run of non-space characters up to ``$``
_BARE_ARG = re.compile(r"\s+([^\s$]+)")
_MAX_UNWRAP = 8


#: longest reference string read; a reference is a short answer, not a document
MAX_REFERENCE_CHARS = 10_000
#: most acceptable answers in one reference list
MAX_REFERENCES = 1_000


def reference_strings(reference: Any) -> list[str]:
    """The acceptable answers of a text-like reference: a string, a number, or a list of those.

    Raises:
        InvalidInput: an empty or over-long list, an entry of another type, or an entry over
            :data:`MAX_REFERENCE_CHARS` characters.
    """
    items = list(reference) if isinstance(reference, (list, tuple)) else [reference]
    if not items:
        raise InvalidInput("reference list is empty")
    if len(items) > MAX_REFERENCES:
        raise InvalidInput(f"reference list has {len(items)} entries (limit {MAX_REFERENCES})")
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise InvalidInput(
                f"reference must be a string, a number or a list of those, got {type(item).__name__}"
            )
        text = str(item)
        if len(text) > MAX_REFERENCE_CHARS:
            raise InvalidInput(f"reference is {len(text)} characters (limit {MAX_REFERENCE_CHARS})")
        out.append(text)
    return out


def cap(text: str, limit: int = MAX_RESPONSE_CHARS) -> str:
    """Cut ``text`` to ``limit`` characters (DESIGN.md style rule 5: cap before parsing)."""
    return text if len(text) <= limit else text[:limit]


def strip_think(text: str) -> tuple[str, bool]:
    """Split off the reasoning block and return the part that may hold the answer.

    Only text after the last ``</think>`` counts. A ``<think>`` that is opened and never
    closed (a response cut off mid-thought, or one that re-opens thinking after answering)
    ends the answer part there, and ``think_closed`` is ``False``: a reward must not be given
    before thinking finished (verifiers PR #213). Responses whose template put ``<think>`` in
    the prompt carry only ``</think>``; that is a closed block.

    Args:
        text: the response.

    Returns:
        ``(answer_part, think_closed)``. With no think tags at all this is ``(text, True)``.
    """
    text = cap(text)
    close = text.rfind(THINK_CLOSE)
    after = text[close + len(THINK_CLOSE) :] if close >= 0 else text
    opened = after.find(THINK_OPEN)
    if opened >= 0:
        return after[:opened], False
    return after, True


def _brace_pairs(text: str) -> dict[int, int]:
    """Map the index of every balanced ``{`` to its ``}``, skipping escapes like ``\\{``."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE_TOKENS.finditer(text):
        tok = m.group()
        if tok == "{":
            stack.append(m.start())
        elif tok == "}" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


def _boxes(text: str) -> list[tuple[int, int, str]]:
    """Top-level boxes as ``(start, end, content)``; nested boxes stay inside their parent."""
    starts = [(m.start(), m.end()) for m in _BOX_CMD.finditer(text)]
    if not starts:
        return []
    pairs: dict[int, int] | None = None
    out: list[tuple[int, int, str]] = []
    limit = -1
    for cmd_start, arg_start in starts:
        if cmd_start < limit:
            continue  # inside the previous box
        i = arg_start
        while i < len(text) and text[i] in " \t\n\r":
            i += 1
        if i < len(text) and text[i] == "{":
            if pairs is None:
                pairs = _brace_pairs(text)
            close = pairs.get(i)
            if close is None:
                continue  # unbalanced: no answer from this box
            out.append((cmd_start, close + 1, text[i + 1 : close]))
            limit = close + 1
            continue
        m = _BARE_ARG.match(text, arg_start)
        if m is None:
            continue
        content = m.group(1).rstrip(".,;:")
        if content and not content.startswith("\\"):
            out.append((cmd_start, m.end(), content))
            limit = m.end()
    return out


def _unwrap(content: str) -> str:
    """``\\boxed{\\boxed{5}}`` -> ``5``: peel boxes that span the whole content."""
    for _ in range(_MAX_UNWRAP):
        stripped = content.strip()
        inner = _boxes(stripped)
        if len(inner) != 1 or inner[0][0] != 0 or inner[0][1] != len(stripped):
            return stripped
        content = inner[0][2]
    return content.strip()


def all_boxed(text: str) -> list[str]:
    """Contents of every top-level ``\\boxed{...}`` / ``\\fbox{...}`` in order of appearance.

    Braces nest (``\\boxed{\\frac{1}{2}}`` -> ``\\frac{1}{2}``), escaped braces do not count,
    the brace-less form ``\\boxed 5`` takes the following run of non-space characters (up to
    ``$``, without a trailing sentence mark), an unbalanced box yields nothing and a box that
    only wraps another box is unwrapped.

    Args:
        text: the response (capped at ``MAX_RESPONSE_CHARS``).

    Returns:
        The stripped contents, possibly empty strings for ``\\boxed{}``.
    """
    return [_unwrap(c) for _, _, c in _boxes(cap(text))]


def boxed_spans(text: str) -> list[tuple[int, int, str]]:
    """Every top-level box as ``(start, end, content)``: :func:`all_boxed` with positions."""
    return [(a, b, _unwrap(c)) for a, b, c in _boxes(cap(text))]


def last_boxed(text: str) -> str | None:
    """Content of the last top-level ``\\boxed{}`` / ``\\fbox{}``, or ``None`` when there is none.

    See :func:`all_boxed` for what counts as a box.
    """
    boxes = _boxes(cap(text))
    return _unwrap(boxes[-1][2]) if boxes else None


_ANSWER_LINE = re.compile(
    r"(?:\banswers?\b(?:\s+to\s+(?:this|the)\s+(?:problem|question))?[\s*_]*"
    r"(?:,\s*(?:therefore|thus|then|hence)\s*,\s*)?"
    r"(?:(?:is|are)\b[\s*_]*[:：]?|(?:should|would|might|could|must|may)\s+be\b[\s*_]*[:：]?|[:：=])"
    r"|\bcorrection\b[\s*_]*[:：])[ \t*_]*([^\n]*)",
    re.IGNORECASE,
)
#: ``5 is the answer``, ``$\frac12$ is the final answer``: the phrase after the value (the value
#: itself is read backwards from the phrase, so the scan is one pass for a literal)
_IS_THE_ANSWER = re.compile(
    r"(?<=\S)\s+is\s+(?:the|our|my)\s+(?:final\s+|correct\s+)?answer\b", re.IGNORECASE
)
_VALUE_BEFORE = re.compile(r"(\$[^$\n]{1,80}\$|\\\([^\n]{1,80}?\\\)|[^\s$]{1,40})$")
#: what a value before ``is the answer`` must hold to be one (not ``this``/``which``)
_VALUE_LIKE = re.compile(r"[\d$\\]|^\(?[A-Z]\)?$")
_SENTENCE_END = re.compile(r"[.!?;。](?=\s|$)")
#: a tail that denies rather than states: ``the answer is not 5``
_NEGATED = re.compile(
    r"^(?:definitely\s+|certainly\s+|clearly\s+|probably\s+)?(?:not|never)\b", re.IGNORECASE
)
#: a denial that goes on to state the answer: ``not 5, it is 6``, ``not 5 but 6``
_CORRECTED = re.compile(
    r"^(?:definitely\s+|certainly\s+|clearly\s+|probably\s+)?not\s+[^,;]{1,80}?"
    r"(?:[,;]\s*(?:but\s+)?(?:rather\s+)?(?:it(?:'s|\s+is)|the answer is)|\s+but(?:\s+rather)?)\s+(\S.*)$",
    re.IGNORECASE,
)
#: the value on the line after a phrase that ends its line: ``The answer is:\n\n42``
_NEXT_LINE = re.compile(r"[ \t]*\n\s*([^\n]{1,200})")


class Phrase(NamedTuple):
    """One answer phrase: where it starts and ends in the text, and the answer it states."""

    start: int
    end: int
    text: str


def answer_phrases(text: str) -> list[Phrase]:
    """Every answer phrase, in order: ``answer: X``, ``the (final) answer is X``, ``the answer
    should/might/could be X``, ``Correction: X`` and ``X is the (final) answer``.

    A tail ends at its line's end, at the first sentence end (``.``, ``!``, ``?`` or ``;``
    followed by a space, so ``3.14`` survives but ``Paris. Because ...`` becomes ``Paris``) and
    where the next phrase starts (``The answer is 5. The answer is 6.`` holds two phrases). A
    phrase that ends its line takes the next non-blank line (``The answer is:`` then ``42``).
    Negated phrases (``the answer is not 5``) and empty tails are left out; a denial that goes on
    to state the answer keeps the stated part (``the answer is not 5, it is 6`` -> ``6``). A
    value before ``is the answer`` counts when it holds a digit, ``$``, a command or is a letter.
    """
    text = cap(text)
    found: list[Phrase] = []
    pos = 0
    while True:  # not finditer: a phrase can start inside an earlier phrase's tail
        m = _ANSWER_LINE.search(text, pos)
        if m is None:
            break
        pos = m.start() + 1
        tail, tail_start = m.group(1), m.start(1)
        nxt = _ANSWER_LINE.search(tail)
        if nxt is not None:
            tail = tail[: nxt.start()]
        if not tail.strip() and m.end() < len(text):
            below = _NEXT_LINE.match(text, m.end())
            if below is not None:
                tail, tail_start = below.group(1), below.start(1)
        end = _SENTENCE_END.search(tail)
        if end is not None:
            tail = tail[: end.start()]
        tail_end = tail_start + len(tail)
        tail = tail.strip()
        if _NEGATED.match(tail):
            corrected = _CORRECTED.match(tail)
            tail = corrected.group(1).strip() if corrected else ""
        if tail:
            found.append(Phrase(m.start(), tail_end, tail))
    for m in _IS_THE_ANSWER.finditer(text):
        before = _VALUE_BEFORE.search(text, max(0, m.start() - 90), m.start())
        if before is None:
            continue
        value = before.group(1).strip(" *_,:")
        if _VALUE_LIKE.search(value):
            found.append(Phrase(before.start(), m.end(), value))
    found.sort(key=lambda p: p.start)
    return found


def answer_line(text: str) -> str | None:
    """The answer stated in the last ``answer: X`` / ``the (final) answer is X`` phrase.

    See :func:`answer_phrases` for how a phrase's tail is cut.

    Returns:
        The stripped tail of the last such phrase with a non-empty tail, else ``None``.
    """
    phrases = answer_phrases(text)
    return phrases[-1].text if phrases else None


_GSM8K = re.compile(r"^[ \t]*####[ \t]*(.+?)[ \t]*$", re.MULTILINE)
#: a written number: thousands separators, decimals, exponent, a ``/d`` fraction, percent
_NUMBER_TOKEN = re.compile(
    r"[+\-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+\-]?\d+)?(?:\s*/\s*\d+)?%?|[+\-]?\.\d+%?"
)


def gsm8k_answers(text: str) -> list[str]:
    """The values on every GSM8K-style ``#### X`` line, in order."""
    return [str(v) for v in _GSM8K.findall(cap(text))]


def last_number(text: str) -> str | None:
    """The last written number in ``text`` (``1,234.5``, ``3/4``, ``1e-3``, ``50%``), or ``None``."""
    found = _NUMBER_TOKEN.findall(cap(text))
    return found[-1] if found else None


def last_line(text: str) -> str | None:
    """The last non-blank line, stripped, or ``None`` for blank text."""
    for line in reversed(cap(text).splitlines()):
        if line.strip():
            return line.strip()
    return None


_TEXT_CMD = re.compile(
    r"\\(?:text|textbf|textit|textrm|texttt|textsf|mathrm|mathbf|mathit|mathsf|mathtt|"
    r"mbox|emph|operatorname)\s*\{([^{}]*)\}"
)
_LATEX_SPACES = re.compile(r"\\[,;:! ]|~|\\quad\b|\\qquad\b")
_LATEX_ESCAPES = {r"\%": "%", r"\$": "$", r"\&": "&", r"\#": "#", r"\_": "_"}
_WRAPPERS = (("$$", "$$"), ("$", "$"), (r"\(", r"\)"), (r"\[", r"\]"))
#: characters removed from both ends by ``punctuation="edges"``: sentence marks, quotes,
#: brackets and markdown emphasis, but not signs or operators (``-5``, ``C++``, ``5%``)
EDGE_PUNCT = ".,;:!?'\"`()[]{}*_“”‘’«»。，：；！？"


def strip_latex(text: str) -> str:
    """Remove LaTeX presentation wrappers that do not change a textual answer.

    ``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]`` around the whole string, a whole-string
    ``\\boxed{}``, ``\\text{X}`` (and ``\\textbf``, ``\\mathrm``, ``\\mbox``, ...) anywhere,
    spacing commands, and escapes like ``\\%``.
    """
    for _ in range(_MAX_UNWRAP):
        before = text
        text = text.strip()
        for left, right in _WRAPPERS:
            if len(text) >= len(left) + len(right) and text.startswith(left) and text.endswith(right):
                text = text[len(left) : len(text) - len(right)].strip()
                break
        text = _unwrap(text)
        text = _TEXT_CMD.sub(r"\1", text)
        if text == before:
            break
    text = _LATEX_SPACES.sub(" ", text)
    for esc, plain in _LATEX_ESCAPES.items():
        text = text.replace(esc, plain)
    return text


def normalize_text(
    text: str,
    *,
    case_sensitive: bool = False,
    collapse_whitespace: bool = True,
    punctuation: str = "edges",
    latex: bool = True,
    unicode: bool = True,
) -> str:
    """Normalise a short answer string for comparison.

    Steps, each optional: Unicode NFKC (full-width letters, ligatures), LaTeX wrappers
    (:func:`strip_latex`), case folding, whitespace collapsing, punctuation (``"edges"``
    strips :data:`EDGE_PUNCT` from both ends, ``"all"`` deletes every Unicode punctuation
    character as SQuAD's answer normaliser does, ``"keep"`` leaves it). Ends are always stripped
    of whitespace.
    """
    if unicode:
        text = unicodedata.normalize("NFKC", text)
    if latex:
        text = strip_latex(text)
        if punctuation != "keep":
            # "$x$." : the sentence mark hid the wrapper; peel it and look again
            text = strip_latex(text.strip().rstrip(".,;:!?。"))
    if not case_sensitive:
        text = text.casefold()
    if punctuation == "all":
        text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    elif punctuation == "edges":
        text = text.strip(EDGE_PUNCT + " \t\n\r\f\v")
    if collapse_whitespace:
        text = " ".join(text.split())
    return text.strip()


__all__ = [
    "EDGE_PUNCT",
    "Phrase",
    "THINK_CLOSE",
    "THINK_OPEN",
    "all_boxed",
    "answer_line",
    "answer_phrases",
    "boxed_spans",
    "cap",
    "gsm8k_answers",
    "last_boxed",
    "last_line",
    "last_number",
    "normalize_text",
    "reference_strings",
    "strip_latex",
    "strip_think",
]
