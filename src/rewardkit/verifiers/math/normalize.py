"""String clean-up of one extracted math answer before it is parsed.

Removes presentation that does not change the value (``$`` wrappers, ``\\left``/``\\right``,
spacing, ``\\displaystyle``, ``\\dfrac``), writes Unicode math in LaTeX, drops unit words and
``\\text{}`` units after a number, and reports the percent and degree marks it removed so the
comparison can read them (``50\\%`` vs ``0.5``, ``45^\\circ`` vs ``\\frac{\\pi}{4}``).
Pure string work on capped input; no parsing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: longest answer that is cleaned and parsed; longer "answers" compare as text only
MAX_ANSWER_CHARS = 2_000

_UNICODE = {
    "\u2212": "-",
    "\u2013": "-",
    "\u00d7": r"\times ",
    "\u00f7": r"\div ",
    "\u00b7": r"\cdot ",
    "\u22c5": r"\cdot ",
    "\u03c0": r"\pi ",
    "\u221a": r"\sqrt",
    "\u221e": r"\infty ",
    "\u2264": r"\le ",
    "\u2265": r"\ge ",
    "\u2260": r"\ne ",
    "\u00b1": r"\pm ",
    "\u222a": r"\cup ",
    "\u2229": r"\cap ",
    "\u2205": r"\emptyset ",
    "\u00b0": r"^\circ ",
    "\u00b2": "^2",
    "\u00b3": "^3",
    "\uff0c": ",",
}
_SPACING = re.compile(r"(?<!\\)\\(?:[;:!> ]|quad|qquad|displaystyle|textstyle|limits|nolimits)(?![A-Za-z])|~")
_THIN_BETWEEN_DIGITS = re.compile(r"(?<=\d)\\,(?=\d{3})")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)[lr]?(?![A-Za-z])\s*")
_FRAC_VARIANTS = re.compile(r"\\(?:dfrac|tfrac|cfrac)(?![A-Za-z])")
_DEGREE = re.compile(r"\s*(?:\^\s*\{?\s*\\circ\s*\}?|\\circ|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\})\s*")
_PERCENT_END = re.compile(r"\s*(?:\\%|%|\\text\{\s*\\?%\s*\}|\\percent)\s*$")
_STYLE_CMD = re.compile(
    r"\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mathsf|mbox|operatorname|emph)"
    r"\s*\{([^{}]*)\}"
)
#: a ``\text{...}`` unit after the value, with an optional power: ``10 \text{ cm}^2``
_TEXT_UNIT = re.compile(
    r"^(?P<value>.*?[\d}a-zA-Z)])\s*\\(?:text|mbox|mathrm|textrm)\s*\{\s*(?P<unit>[A-Za-z][A-Za-z .\-/]*)\}"
    r"(?:\s*\^\s*\{?\d\}?)?\s*$"
)
#: plain unit words after a number: ``10 cm``, ``5 dollars``, ``3 square units``
_WORD_UNIT = re.compile(
    r"^(?P<value>[\d.,{}\s\\/+\-]*\d\}?)\s+(?P<unit>[A-Za-z][A-Za-z .\-/]*?)(?:\^\d)?\s*\.?$"
)
#: ``2, 3, and 5``: the conjunction before a list's last item
_LIST_CONJUNCTION = re.compile(r",\s*(?:\\text\{\s*(?:and|or)\s*\}|and|or)\s+")
#: ``\phantom{5}`` renders as blank space: its content is not part of the answer
_PHANTOM = re.compile(r"\\[hv]?phantom\s*\{[^{}]*\}")
_CURRENCY = re.compile(r"^\s*(?:\\\$|\$|USD|€|£)\s*(?=[\d.\-])")
_INLINE = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$")
_PLAIN_FUNCS = (
    (re.compile(r"(?<![\\A-Za-z])pi(?![A-Za-z])"), r"\\pi "),
    (re.compile(r"(?<![\\A-Za-z])sqrt\s*\(([^()]*)\)"), r"\\sqrt{\1}"),
    (re.compile(r"(?<![\\A-Za-z])(?:infinity|inf)(?![A-Za-z])"), r"\\infty "),
    (re.compile(r"\*\*"), "^"),
    (re.compile(r"<="), r"\\le "),
    (re.compile(r">="), r"\\ge "),
    (re.compile(r"!="), r"\\ne "),
)
#: ``a.m.``/``p.m.`` after a time are part of the answer, not a unit
_CLOCK = re.compile(r"^\s*[ap]\.?\s*m\.?\s*$", re.IGNORECASE)
#: words that are part of a math expression, not units
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc log ln exp arcsin arccos arctan sinh cosh tanh pi sqrt or and i e".split()
)


@dataclass(frozen=True)
class Cleaned:
    """A cleaned answer: the text plus the marks removed from it."""

    text: str
    percent: bool = False
    degree: bool = False
    unit: str | None = None


def _unwrap_style(text: str) -> str:
    for _ in range(8):
        new = _STYLE_CMD.sub(lambda m: m.group(1), text)
        if new == text:
            break
        text = new
    return text


def _strip_outer_braces(text: str) -> str:
    """``{{5}}`` -> ``5``: braces around the whole answer group nothing."""
    while len(text) >= 2 and text[0] == "{" and text[-1] == "}":
        depth = 0
        for i, ch in enumerate(text):
            depth += 1 if ch == "{" else -1 if ch == "}" else 0
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def clean(answer: str) -> Cleaned:
    """Clean one extracted answer (see the module docstring for what is removed)."""
    text = answer[:MAX_ANSWER_CHARS]
    for uni, latex in _UNICODE.items():
        if uni in text:
            text = text.replace(uni, latex)
    text = _PHANTOM.sub("", text)
    text = _CURRENCY.sub("", text)
    text = text.replace(r"\$", "")
    text = _INLINE.sub(" ", text)
    text = _THIN_BETWEEN_DIGITS.sub("", text)
    text = text.replace(r"\!", "")
    text = _LIST_CONJUNCTION.sub(", ", text)
    text = text.replace(r"\,", " ")
    text = _SPACING.sub(" ", text)
    text = _SIZING.sub("", text)
    text = _FRAC_VARIANTS.sub(r"\\frac", text)
    text = text.replace(r"\emptyset", r"\varnothing").replace(r"\lbrace", r"\{").replace(r"\rbrace", r"\}")
    text = re.sub(r"\\(?:ge|geq|geqslant)(?![A-Za-z])", r"\\ge ", text)
    text = re.sub(r"\\(?:le|leq|leqslant)(?![A-Za-z])", r"\\le ", text)
    text = re.sub(r"\\(?:neq|ne)(?![A-Za-z])", r"\\ne ", text)
    text = text.strip().strip("*").strip()
    text = text.rstrip(".,;:？。 ").strip()
    for pattern, repl in _PLAIN_FUNCS:
        text = pattern.sub(repl, text)
    unit: str | None = None
    m = _TEXT_UNIT.match(text)
    if m is not None and re.search(r"\d", m.group("value")) and not _CLOCK.match(m.group("unit")):
        text, unit = m.group("value"), m.group("unit")
    percent = False
    pm = _PERCENT_END.search(text)
    if pm is not None:
        percent = True
        text = text[: pm.start()]
    degree = False
    if _DEGREE.search(text):
        degree = True
        text = _DEGREE.sub(" ", text)
    text = _unwrap_style(text)
    m = _WORD_UNIT.match(text.strip())
    if (
        m is not None
        and not _CLOCK.match(m.group("unit"))
        and not any(w.lower() in _MATH_WORDS for w in re.findall(r"[A-Za-z]+", m.group("unit")))
    ):
        text, unit = m.group("value"), m.group("unit")
    if not percent:
        pm = _PERCENT_END.search(text)
        if pm is not None:
            percent = True
            text = text[: pm.start()]
    text = " ".join(text.split())
    text = text.rstrip(".,;: ").strip()
    text = _strip_outer_braces(text)
    return Cleaned(text, percent, degree, " ".join(unit.lower().split()) if unit else None)


__all__ = ["MAX_ANSWER_CHARS", "Cleaned", "clean"]
