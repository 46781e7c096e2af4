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
from functools import lru_cache

from rewardkit.verifiers._units import SCALE_WORDS, canonical_unit

#: longest answer that is cleaned and parsed; longer "answers" compare as text only
MAX_ANSWER_CHARS = 2_000

_UNICODE = {
    "\u200b": "",  # zero-width space, joiners and the byte-order mark carry nothing
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
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
    "\u00bd": r"\frac{1}{2}",
    "\u2153": r"\frac{1}{3}",
    "\u2154": r"\frac{2}{3}",
    "\u00bc": r"\frac{1}{4}",
    "\u00be": r"\frac{3}{4}",
    "\u2155": r"\frac{1}{5}",
    "\u215b": r"\frac{1}{8}",
    "\u2248": r"\approx ",
}
_SPACING = re.compile(r"(?<!\\)\\(?:[;:!> ]|quad|qquad|displaystyle|textstyle|limits|nolimits)(?![A-Za-z])|~")
_THIN_BETWEEN_DIGITS = re.compile(r"(?<=\d)\\,(?=\d{3})")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)[lr]?(?![A-Za-z])\s*")
_FRAC_VARIANTS = re.compile(r"\\(?:dfrac|tfrac|cfrac)(?![A-Za-z])")
#: a degree mark; a bare ``\\circ`` only right after a number (``f \\circ g`` is composition)
_DEGREE = re.compile(
    r"\s*(?:\^\s*\{?\s*\\circ\s*\}?|(?<=\d)\s*\\circ|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\})\s*"
)
_PERCENT_END = re.compile(r"\s*(?:\\%|%|\\text\{\s*\\?%\s*\}|\\percent)\s*$")
_STYLE_CMD = re.compile(
    r"\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mathsf|mbox|operatorname|emph)"
    r"\s*\{([^{}]*)\}"
)
#: a ``\text{...}`` unit after the value, with an optional power: ``10 \text{ cm}^2``
_TEXT_UNIT = re.compile(
    r"^(?P<value>.*?[\d}a-zA-Z)])\s*\\(?:text|mbox|mathrm|textrm)\s*\{\s*(?P<unit>[A-Za-z][A-Za-z .\-/]*)\}"
    r"(?P<power>\s*\^\s*\{?\d\}?)?\s*$"
)
#: plain words after a number: ``10 cm``, ``5 dollars``, ``3 square units``, ``8 apples``
_WORD_UNIT = re.compile(
    r"^(?P<value>[\d.,{}\s\\/+\-]*\d\}?)\s*(?P<unit>[A-Za-z][A-Za-z .\-/]*?)(?P<power>\^\{?\d\}?)?\s*\.?$"
)
_PREFIX = re.compile(
    r"^(?:the\s+(?:final\s+)?answer\s+is\s*:?|(?:final\s+)?answer\s*:|approximately|approx\.?|about|\\approx"
    r"|\\sim(?![A-Za-z]))\s*",
    re.IGNORECASE,
)
_TRIG = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)(?![A-Za-z])")
_DEGREE_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(?:\^\s*\{?\s*\\circ\s*\}?|\\degree)")


def _scaled(value: str, word: str) -> str | None:
    """``3 thousand`` -> ``3000``; ``None`` when ``word`` is not a scale word."""
    scale = SCALE_WORDS.get(word.lower().rstrip("s"))
    if scale is None:
        return None
    return f"{value} \\cdot {scale}"


#: ``2, 3, and 5``: the conjunction before a list's last item
_LIST_CONJUNCTION = re.compile(r",\s*(?:\\text\{\s*(?:and|or)\s*\}|and|or)\s+")
#: ``\phantom{5}`` renders as blank space: its content is not part of the answer
_PHANTOM = re.compile(r"\\[hv]?phantom\s*\{[^{}]*\}")
_CURRENCY = re.compile(r"^\s*(?:\\\$|\$|USD|€|£)\s*(?=[\d.\-])")
_SQRT_PARENS = re.compile(r"\\sqrt\s*\(([^()]*)\)")
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
_PMOD = re.compile(r"\s*(?:\\pmod\s*(?:\{[^{}]*\}|\S+)|\(\s*\\?(?:bmod|mod)\s*\d+\s*\))\s*$")
#: a rate or share after an amount of money: ``\\$18 \\text{ per hour}``, ``\\$5 \\text{ each}``
_EACH = re.compile(r"\s*(?:\\text\s*\{\s*)?\b(?:each|apiece)\s*\}?\s*$", re.IGNORECASE)
_RATE = re.compile(r"^(?:/|per\b|each\b|apiece\b|every\b)", re.IGNORECASE)
#: ``a.m.``/``p.m.`` after a time are part of the answer, not a unit
_CLOCK = re.compile(r"^\s*[ap]\.?\s*m\.?\s*$", re.IGNORECASE)


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


def _take_unit(text: str, pattern: re.Pattern[str], *, explicit: bool = False) -> tuple[str, str | None]:
    """Split a trailing unit off ``text`` when ``pattern`` finds one after a number."""
    m = pattern.match(text.strip())
    if m is None or not re.search(r"\d", m.group("value")) or _CLOCK.match(m.group("unit")):
        return text, None
    scaled = _scaled(m.group("value").strip(), m.group("unit").strip())
    if scaled is not None and not m.group("power"):
        return scaled, None
    unit = canonical_unit(m.group("unit"), m.group("power"), explicit=explicit)
    if unit is None:
        return text, None
    return m.group("value"), unit


@lru_cache(maxsize=4096)
def clean(answer: str) -> Cleaned:
    """Clean one extracted answer (see the module docstring for what is removed); cached, as
    the verifier cleans each answer more than once (emptiness, rivals, parsing)."""
    text = answer[:MAX_ANSWER_CHARS]
    for uni, latex in _UNICODE.items():
        if uni in text:
            text = text.replace(uni, latex)
    text = _PHANTOM.sub("", text)
    unit: str | None = "$" if _CURRENCY.match(text) else None
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
    text = _SQRT_PARENS.sub(r"\\sqrt{\1}", text)
    text = text.replace(r"\emptyset", r"\varnothing").replace(r"\lbrace", r"\{").replace(r"\rbrace", r"\}")
    text = re.sub(r"\\(?:ge|geq|geqslant)(?![A-Za-z])", r"\\ge ", text)
    text = re.sub(r"\\(?:le|leq|leqslant)(?![A-Za-z])", r"\\le ", text)
    text = _PMOD.sub("", text)  # ``5 \\pmod{7}``: the residue is the answer
    text = re.sub(r"\\equiv(?![A-Za-z])", "=", text)
    text = re.sub(r"\\not\s*=", r"\\ne ", text)
    text = re.sub(r"\\not\s*\\in(?![A-Za-z])", r"\\notin ", text)
    text = re.sub(r"\\(?:neq|ne)(?![A-Za-z])", r"\\ne ", text)
    text = text.strip().strip("*").strip()
    text = text.rstrip(".,;:？。 ").strip()
    for pattern, repl in _PLAIN_FUNCS:
        text = pattern.sub(repl, text)
    if _TRIG.search(text):
        # sin 30° is sin(pi/6): convert in place rather than marking the whole answer
        text = _DEGREE_NUMBER.sub(lambda m: f"(\\frac{{{m.group(1)}\\pi}}{{180}})", text)
    money = unit == "$"
    if money:
        text = _EACH.sub("", text)
    text, text_unit = _take_unit(text, _TEXT_UNIT, explicit=True)
    unit = text_unit or unit
    percent = False
    pm = _PERCENT_END.search(text)
    if pm is not None:
        percent = True
        text = text[: pm.start()]
    degree = False
    if _DEGREE.search(text):
        degree = True
        text = _DEGREE.sub(" ", text)
    text = _PREFIX.sub("", _unwrap_style(text).strip())
    text, word_unit = _take_unit(text, _WORD_UNIT)
    unit = word_unit or unit
    if money and unit != "$" and _RATE.match(unit or ""):
        unit = "$"  # ``\\$18 per hour`` is an amount of money
    if unit == "deg":  # ``60 degrees`` is ``60^\\circ``
        unit, degree = None, True
    elif unit == "%":  # ``50 percent`` is ``50\\%``
        unit, percent = None, True
    if not percent:
        pm = _PERCENT_END.search(text)
        if pm is not None:
            percent = True
            text = text[: pm.start()]
    text = " ".join(text.split())
    text = text.rstrip(".,;: ").strip()
    text = _strip_outer_braces(text)
    return Cleaned(text, percent, degree, unit)


__all__ = ["MAX_ANSWER_CHARS", "Cleaned", "clean"]
