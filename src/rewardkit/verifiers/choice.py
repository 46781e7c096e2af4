"""``choice``: multiple-choice answers (``\\boxed{B}``, ``(B).``, ``Answer: b``, the option's text).

Where the answer is looked for, in order (the first place that names an option wins):

1. every ``\\boxed{}`` after the reasoning: two boxes naming different letters are a hedge;
2. the last answer phrase: ``answer: X``, ``the (final/correct) answer is X``,
   ``the correct option is X``, ``I choose X``, ``option X is correct``;
3. the last non-blank line when it is only an option (``B``, ``(B).``, ``**B**``, ``B. text``)
   or only an option's text.

Naming several different letters (``A or B``, ``A, B, C, D``, ``\\boxed{A}`` then
``\\boxed{C}``) scores 0.0 with reason ``multiple_answers``: when no box exists some wrappers
score the whole text, so a response listing every candidate earned credit (verifiers
PR #1028). Math-Verify 0.9.0 misses ``\\boxed{B}``, ``(B).`` and ``Answer: b`` (Math-Verify
#16); all three are matched here.

A lone ``a``/``A`` or ``I`` is read as an option letter only when nothing suggests the English
article or pronoun: ``(a)``, ``a.`` and ``A or B`` are letters, ``a cat`` and ``I think`` are
not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rewardkit.core.errors import InvalidInput
from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample
from rewardkit.verifiers._extract import boxed_spans, cap, last_line, normalize_text, strip_think

LETTERS = "ABCDEFGHIJ"
#: prompts longer than this are not searched for option lines
MAX_PROMPT_CHARS = 200_000
#: longest option text or textual reference read
MAX_OPTION_CHARS = 10_000
#: an answer phrase's tail is read up to this many characters
MAX_TAIL_CHARS = 300


@dataclass(frozen=True)
class ChoiceOptions:
    """Options of the ``choice`` verifier.

    Attributes:
        letters: how many options (``A`` .. ``A+letters-1``, 2 to 10, i.e. up to ``J``) when the
            reference and the prompt do not list them; the reference's own letter always
            counts. Default 4 (``A``-``D``).
        match_text: also accept the text of the correct option (needs the options, from the
            reference or the prompt).
        options_from_prompt: read ``(A) foo`` / ``A. foo`` / ``A) foo`` / ``A: foo`` lines from the
            prompt when the reference does not list the options.
        strip_think: only text after ``</think>`` counts; an unclosed ``<think>`` earns nothing.
    """

    letters: int = 4
    match_text: bool = True
    options_from_prompt: bool = True
    strip_think: bool = True

    def __post_init__(self) -> None:
        if not 2 <= self.letters <= len(LETTERS):
            raise ValueError(
                f"option 'letters' must be between 2 and {len(LETTERS)} (A-B .. A-J), got {self.letters}"
            )


# ---------------------------------------------------------------------------------------------
# Reading a letter list out of a short segment

_TOKEN = re.compile(r"[^\W\d_]+|\d+|\S")
_OPEN = {"(", "["}
_CLOSE = {")", "]"}
_MARKS_AFTER = {".", ",", ":", ")", "]", "-", "—", "–"}
_CONNECTIVES = {",", "/", "&", ";", "+", "or", "and", "nor", "vs"}
_HEDGES = {"maybe", "possibly", "perhaps", "probably", "also", "either", "both", "option", "choice"}
_LEADING = {
    "option", "options", "choice", "choices", "letter", "the", "is", "answer", "correct",
    "final", "either", "both", "answers",
}  # fmt: skip
#: words that may follow ``A`` / ``I`` used as an option letter (``A is correct``, ``A or B``);
#: any other word after them means the article or the pronoun (``A cat``, ``I think``)
_AFTER_LETTER_WORDS = {
    "or", "and", "nor", "is", "was", "are", "were", "would", "could", "should", "must",
    "seems", "appears", "only", "alone", "then", "both", "together", "vs",
}  # fmt: skip


def _clean_segment(text: str) -> str:
    """Drop presentation (NFKC, LaTeX wrappers, markdown emphasis, ``$``) from a segment."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\\(?:text\w*|math\w*|mbox|emph|operatorname)\s*\{([^{}]*)\}", r"\1", text)
    text = text.replace("\\(", " ").replace("\\)", " ").replace("\\[", " ").replace("\\]", " ")
    return re.sub(r"[*$`]|\\[,;:! ]|~", " ", text)


def _is_letter_token(tok: str, valid: str) -> bool:
    return len(tok) == 1 and tok.isalpha() and tok.upper() in valid


def parse_letters(segment: str, valid: str, *, strict: bool) -> list[str]:
    """Option letters named at the start of ``segment``, in order.

    Args:
        segment: a box's content, an answer phrase's tail or a line.
        valid: the letters that are options.
        strict: the segment must be nothing but the letters (joined by ``,``, ``or``, ``and``,
            ``/`` ...), punctuation, or one marked letter followed by text (``B. Paris``,
            ``(B) Paris``); otherwise no letter is returned. Non-strict reads letters from the
            start and ignores what follows (``B because ...``).

    Returns:
        Upper-case letters, possibly with repeats; empty when the segment names none.
    """
    toks = _TOKEN.findall(_clean_segment(segment[:MAX_TAIL_CHARS]))
    n = len(toks)
    i = 0
    while i < n and (toks[i] in _OPEN or toks[i] in ":-—–" or toks[i].lower() in _LEADING):
        if toks[i] in _OPEN and i + 1 < n and _is_letter_token(toks[i + 1], valid):
            break
        i += 1
    letters: list[str] = []
    marked = False
    rest = i
    while i < n:
        j = i
        opened = toks[j] in _OPEN
        if opened:
            j += 1
        if j >= n or not _is_letter_token(toks[j], valid):
            break
        tok = toks[j]
        closed = j + 1 < n and toks[j + 1] in _CLOSE
        k = j + 2 if closed else j + 1
        if opened and not closed:
            break
        if tok in "aAiI" and not (opened and closed):
            nxt = toks[k] if k < n else None
            if nxt is not None and nxt.isalpha() and len(nxt) > 1 and nxt.lower() not in _AFTER_LETTER_WORDS:
                break  # the article "a cat" / the pronoun "I think"
        letters.append(tok.upper())
        marked = closed or (k < n and toks[k] in _MARKS_AFTER)
        rest = k
        # look for a connective and another letter
        m = k
        while m < n and toks[m] in {".", ")", "]", ":"}:
            m += 1
        joined = False
        while m < n and (toks[m].lower() in _CONNECTIVES or toks[m].lower() in _HEDGES):
            m += 1
            joined = True
        if not joined and strict and m < n and toks[m].isupper():
            joined = _is_letter_token(toks[m], valid)  # "A B C" listed with spaces only
        if not joined:
            break
        if m < n and (
            _is_letter_token(toks[m], valid)
            or (toks[m] in _OPEN and m + 1 < n and _is_letter_token(toks[m + 1], valid))
        ):
            i = m
            continue
        break
    if not letters or not strict:
        return letters
    tail = toks[rest:]
    if all(not t.isalnum() for t in tail):
        return letters
    if len(letters) == 1 and marked:
        return letters  # "B. Paris", "(B) Paris"
    return []


# ---------------------------------------------------------------------------------------------
# Options and reference


def _options_from_mapping(raw: Any, where: str) -> dict[str, str]:
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, (list, tuple)):
        if len(raw) > len(LETTERS):
            raise InvalidInput(f"{where}: {len(raw)} options, at most {len(LETTERS)} (A-J)")
        items = list(zip(LETTERS, raw, strict=False))
    else:
        kind = type(raw).__name__
        raise InvalidInput(f"{where}: options must be a mapping or a list, got {kind}")
    out: dict[str, str] = {}
    for key, text in items:
        letter = str(key).strip().strip("().").upper()
        if len(letter) != 1 or letter not in LETTERS:
            raise InvalidInput(f"{where}: option key {key!r} is not a letter A-J")
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise InvalidInput(f"{where}: option {letter} must be text, got {type(text).__name__}")
        out[letter] = str(text)[:MAX_OPTION_CHARS]
    if len(out) < 2:
        raise InvalidInput(f"{where}: needs at least two options")
    return out


_OPTION_LINE = re.compile(r"^[ \t>*-]*(?:\(([A-J])\)|([A-J])[.):])[ \t]+(\S[^\n]*)$", re.MULTILINE)
_INLINE_OPTION = re.compile(r"\(([A-J])\)\s*")


def options_from_prompt(prompt: str) -> dict[str, str] | None:
    """The last run of option lines ``A..`` in the prompt (``(A) foo``, ``A. foo``, ``A) foo``).

    A run starts at ``A`` and continues with consecutive letters; the last run of two or more
    is taken (few-shot prompts list earlier questions first). When there are no option lines,
    one line holding ``(A) foo (B) bar ...`` is split instead.
    """
    prompt = cap(prompt, MAX_PROMPT_CHARS)
    best: dict[str, str] | None = None
    run: dict[str, str] | None = None
    for m in _OPTION_LINE.finditer(prompt):
        letter = m.group(1) or m.group(2)
        text = m.group(3).strip()
        if letter == "A":
            run = {"A": text}
        elif run is not None and letter == LETTERS[len(run)]:
            run[letter] = text
        else:
            run = None
        if run is not None and len(run) >= 2:
            best = run
    if best is not None:
        return {k: v[:MAX_OPTION_CHARS] for k, v in best.items()}
    for line in reversed(prompt.splitlines()):
        if "(A)" not in line or "(B)" not in line:
            continue
        parts = _INLINE_OPTION.split(line)
        # parts: [before, "A", text, "B", text, ...]
        found: dict[str, str] = {}
        for letter, text in zip(parts[1::2], parts[2::2], strict=True):
            if letter != LETTERS[len(found)]:
                break
            found[letter] = text.strip()
        if len(found) >= 2:
            return {k: v[:MAX_OPTION_CHARS] for k, v in found.items()}
    return None


def _letter_of(value: Any, options: dict[str, str] | None, where: str) -> str:
    """The gold letter from a letter (``"B"``, ``"(b)"``), an option's text or a 0-based index."""
    if isinstance(value, bool):
        raise InvalidInput(f"{where}: answer must be a letter, got a boolean")
    if isinstance(value, int):
        if options is None or not 0 <= value < len(options):
            raise InvalidInput(f"{where}: answer index {value} does not name an option")
        return sorted(options)[value]
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: answer must be a letter, got {type(value).__name__}")
    raw = value[:MAX_OPTION_CHARS]
    letter = raw.strip().strip("().:[] ").upper()
    if len(letter) == 1 and letter in LETTERS:
        return letter
    if options:
        key = normalize_text(raw)
        hits = [k for k, text in options.items() if normalize_text(text) == key]
        if len(hits) == 1:
            return hits[0]
    raise InvalidInput(f"{where}: {raw[:80]!r} is not an option letter A-J or an option's text")


def read_reference(
    reference: Any, prompt: str, opts: ChoiceOptions
) -> tuple[str, dict[str, str] | None, str]:
    """``(gold letter, options or None, where the options came from)``."""
    options: dict[str, str] | None = None
    source = "none"
    answer: Any = reference
    if isinstance(reference, dict):
        if "answer" not in reference:
            raise InvalidInput("reference: a mapping needs an 'answer' key")
        answer = reference["answer"]
        if reference.get("options") is not None:
            options = _options_from_mapping(reference["options"], "reference")
            source = "reference"
    elif reference is None:
        raise InvalidInput("reference is missing")
    if options is None and opts.options_from_prompt and prompt:
        options = options_from_prompt(prompt)
        if options is not None:
            source = "prompt"
    letter = _letter_of(answer, options, "reference")
    return letter, options, source


# ---------------------------------------------------------------------------------------------
# Finding the answer in the response

_TAIL = r"[ \t*_]*([^\n]{0," + str(MAX_TAIL_CHARS) + "})"
_PHRASE = re.compile(
    r"(?:\b(?:final\s+|correct\s+|right\s+|best\s+)?answer\b|"
    r"\b(?:correct|right|best)\s+(?:option|choice)\b|"
    r"\bmy\s+(?:final\s+)?(?:choice|pick|selection)\b)"
    r"[\s*_]*(?:(?:is|(?:would|should|must|will|could|might|may)\s+be)\b[\s*_]*[:：]?|[:：=])" + _TAIL,
    re.IGNORECASE,
)
_CHOOSE = re.compile(
    r"\bI\s+(?:would\s+|will\s+|'ll\s+)?(?:choose|pick|select|go\s+with)\b" + _TAIL,
    re.IGNORECASE,
)
#: ``option B is correct``, ``(B) is the answer``, ``So C is correct``: a bare letter only at
#: the start of a line or clause, so ``Vitamin C is the best source`` names no option
_LETTER_FIRST = re.compile(
    r"(?:(?i:\b(?:option|choice))\s+\(?([A-Ja-j])\)?|"
    r"(?:^|[.!?:;,]|\b(?i:so|thus|therefore|hence))[ \t]*\(?([A-J])\)?)"
    r"\s+(?i:is|would\s+be|must\s+be)\s+(?i:the\s+)?(?i:correct|right|best|answer)\b",
    re.MULTILINE,
)
_SENTENCE_END = re.compile(r"[.!?;。](?=\s|$)")
#: another letter offered after the answer: ``or possibly C``, ``although C is also defensible``
_OFFERED = re.compile(
    r"\b(?i:or|possibly|maybe|perhaps|although|though|alternatively|could\s+be|might\s+be)\b"
    r"[^\n.]{0,30}?(?<![A-Za-z])\(?([A-J])\)?(?![A-Za-z])",
)


def _offered(text: str, start: int, valid: str) -> list[str]:
    """Letters offered as alternatives in the 120 characters from ``start`` (``or maybe C``)."""
    window = text[start : start + 120].split("\n", 1)[0]
    return [m.group(1) for m in _OFFERED.finditer(window) if m.group(1) in valid]


def _text_letter(segment: str, options: dict[str, str] | None) -> str | None:
    """The option whose text the segment (cut at its first sentence end) is."""
    if not options:
        return None
    end = _SENTENCE_END.search(segment)
    if end is not None:
        segment = segment[: end.start()]
    key = normalize_text(segment[:MAX_OPTION_CHARS])
    if not key:
        return None
    hits = [k for k, text in options.items() if normalize_text(text) == key]
    return hits[0] if len(hits) == 1 else None


def find_answer(
    text: str, valid: str, options: dict[str, str] | None, match_text: bool
) -> tuple[list[str], str]:
    """The letters the response names and where (``boxed``, ``phrase``, ``line`` or ``none``)."""
    text_options = options if match_text else None
    boxed: list[str] = []
    spans = boxed_spans(text)
    for _, _, content in spans:
        letters = parse_letters(content, valid, strict=True)
        if not letters:
            hit = _text_letter(content, text_options)
            letters = [hit] if hit else []
        boxed.extend(letters)
    if boxed:
        return boxed + _offered(text, spans[-1][1], valid), "boxed"

    # Every answer phrase is found, a later one on the same line included (not finditer: a
    # phrase can start inside an earlier phrase's tail; red-team audit: ``The answer is A.
    # Wait, no, the answer is C.`` was read as A). A letter offered beside the answer
    # (``The answer is A (or possibly C)``) makes several letters, which scores 0.
    found: list[tuple[int, int, list[str]]] = []
    for rx in (_PHRASE, _CHOOSE):
        pos = 0
        while (m := rx.search(text, pos)) is not None:
            pos = m.start() + 1
            tail = m.group(1)
            nxt = rx.search(tail, 1)
            if nxt is not None:
                tail = tail[: nxt.start()]
            letters = parse_letters(tail, valid, strict=False)
            if not letters:
                hit = _text_letter(tail, text_options)
                letters = [hit] if hit else []
            if letters:
                found.append((m.start(), m.start(1) + len(tail), letters))
    for m in _LETTER_FIRST.finditer(text):
        letter = (m.group(1) or m.group(2)).upper()
        if letter in valid:
            found.append((m.start(), m.end(), [letter]))
    if found:
        # the last phrase wins (a correction on a later line or later on the same line is the
        # answer), plus any letter offered beside it
        start, _, letters = max(found, key=lambda f: f[0])
        return letters + _offered(text, start, valid), "phrase"

    line = last_line(text)
    if line is not None:
        letters = parse_letters(line, valid, strict=True)
        if not letters:
            hit = _text_letter(line, text_options)
            letters = [hit] if hit else []
        if letters:
            return letters, "line"
    return [], "none"


@verifier(
    "choice",
    options=ChoiceOptions,
    uses_prompt=True,
    description="multiple-choice letter or option text; naming several letters scores 0",
    example={
        "response": "<think>Paris is the capital.</think>The answer is (B).",
        "reference": {"answer": "B", "options": {"A": "Lyon", "B": "Paris", "C": "Nice"}},
        "options": {},
    },
)
def choice(opts: ChoiceOptions) -> Callable[[Sample], RewardResult]:
    """Build the ``choice`` scorer: 1.0 when the response names exactly the gold option.

    Details carry ``extracted`` (the letter named), ``source`` (``boxed``, ``phrase`` or
    ``line``), ``gold`` and ``options_from`` (``reference``, ``prompt`` or ``none``); a 0.0
    carries a ``reason``: ``wrong_answer``, ``multiple_answers`` (with ``candidates``),
    ``no_answer`` or ``think_unclosed``.
    """

    def score(sample: Sample) -> RewardResult:
        gold, options, options_from = read_reference(sample.reference, sample.prompt_text, opts)
        if options is not None:
            valid = "".join(sorted(set(options) | {gold}))
        else:
            valid = "".join(sorted(set(LETTERS[: opts.letters]) | {gold}))
        base: dict[str, Any] = {"gold": gold, "options_from": options_from}
        text = cap(sample.response)
        if opts.strip_think:
            text, closed = strip_think(text)
            if not closed:
                return RewardResult.ok(0.0, reason="think_unclosed", **base)
        letters, source = find_answer(text, valid, options, opts.match_text)
        distinct = sorted(set(letters))
        if not distinct:
            return RewardResult.ok(0.0, reason="no_answer", **base)
        if len(distinct) > 1:
            return RewardResult.ok(0.0, reason="multiple_answers", candidates=distinct, source=source, **base)
        got = distinct[0]
        if got == gold:
            return RewardResult.ok(1.0, extracted=got, source=source, **base)
        return RewardResult.ok(0.0, reason="wrong_answer", extracted=got, source=source, **base)

    return score


__all__ = [
    "ChoiceOptions",
    "choice",
    "find_answer",
    "options_from_prompt",
    "parse_letters",
    "read_reference",
]
