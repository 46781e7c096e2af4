"""Exact parsing of written numbers into :class:`fractions.Fraction` (no floats anywhere).

Shared by ``numeric`` and the ``math`` fast path. Accepted forms: signs (``-``, ``+``, the
Unicode minus), integers with thousands separators (``10,000``, ``10{,}000``, ``10\\,000``,
``10 000``), decimals (``.5``, ``3.``), scientific notation (``1.2e3``, ``1.2\\times 10^{3}``,
``1.2 \\cdot 10^3``), percent (``50%``, ``50\\%``), fractions (``3/4``, ``\\frac{3}{4}``,
``\\dfrac34``, ``-\\frac{1}{2}``, ``\\frac{-1}{2}``) and mixed numbers (``2\\frac{1}{2}``,
``2 \\frac12``, ``2 1/2``) and repeating decimals (``0.\\overline{3}``).

Comparisons on the result are exact, so ``1/2004!``-style near-equal values never collide
(Math-Verify #14 compares with a float tolerance). Inputs are capped before any big-integer
work (DESIGN.md style rule 5): at most :data:`MAX_DIGITS` digits and a decimal exponent of at
most :data:`MAX_EXPONENT`, so ``1e999999999`` is refused instead of allocating gigabytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

#: most digits in one written number
MAX_DIGITS = 4000
#: largest absolute decimal exponent (``1e1000``)
MAX_EXPONENT = 1000

_SIGN = r"[+\-\u2212]?"
_THOUSANDS_SEP = r"(?:,|\{,\}|\\,|\\ |\s|')"
_INT = rf"(?:\d{{1,3}}(?:{_THOUSANDS_SEP}\d{{3}})+|\d+)"
_UNSIGNED = rf"(?:{_INT}(?:\.\d*)?|\.\d+)"
_EXP = (
    r"(?:[eE](?P<e1>[+\-]?\d+)"
    r"|\s*(?:\\times|\\cdot|\*|×|·)\s*10\s*\^\s*(?:\{\s*(?P<e2>[+\-\u2212]?\d+)\s*\}|(?P<e3>[+\-]?\d+)))"
)
_DECIMAL = re.compile(rf"(?P<sign>{_SIGN})\s*(?P<num>{_UNSIGNED})(?:{_EXP})?")
_PERCENT = re.compile(r"\s*(?:\\%|%|\\text\{\s*\\?%\s*\}|\\percent)\s*$")
#: ``\frac{a}{b}``, ``\frac ab`` (one-character arguments), with dfrac/tfrac
_FRAC = re.compile(
    rf"(?P<sign>{_SIGN})\s*\\[dt]?frac\s*(?:\{{\s*(?P<a>[^{{}}]*)\}}|(?P<a1>\d))\s*"
    rf"(?:\{{\s*(?P<b>[^{{}}]*)\}}|(?P<b1>\d))"
)
_MIXED = re.compile(rf"(?P<sign>{_SIGN})\s*(?P<whole>\d+)\s*(?P<frac>\\[dt]?frac.*)$")
#: ``2 1/2`` in plain text: a whole number, a space, a proper fraction
_MIXED_PLAIN = re.compile(rf"(?P<sign>{_SIGN})\s*(?P<whole>\d+)\s+(?P<frac>\d+\s*/\s*\d+)")
#: ``0.\overline{3}``, ``1.2\overline{45}``: a repeating decimal, exactly
_REPEATING = re.compile(rf"(?P<sign>{_SIGN})\s*(?P<whole>\d*)\.(?P<fixed>\d*)\\overline\s*\{{(?P<rep>\d+)\}}")
_SLASH = re.compile(r"(?P<a>[^/]+)/(?P<b>[^/]+)")


@dataclass(frozen=True)
class Number:
    """A parsed number.

    Attributes:
        value: the exact value (a percent already divided by 100 is *not* applied here:
            ``50%`` has ``value == 50`` and ``percent`` set, so callers choose the reading).
        decimals: digits after the decimal point when written as a plain decimal (``3.14``
            -> 2), else ``None``; a reference with decimals may be a rounded value.
        percent: written with a percent sign.
    """

    value: Fraction
    decimals: int | None = None
    percent: bool = False


def _digits_ok(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) <= MAX_DIGITS


def _decimal(text: str) -> tuple[Fraction, int | None] | None:
    """A signed decimal in full (optionally with exponent), or ``None``."""
    m = _DECIMAL.fullmatch(text)
    if m is None:
        return None
    num = re.sub(r"[^\d.]", "", m.group("num"))
    if not _digits_ok(num):
        return None
    exp_text = m.group("e1") or m.group("e2") or m.group("e3")
    exp = int(exp_text.replace("\u2212", "-")) if exp_text else 0
    if abs(exp) > MAX_EXPONENT:
        return None
    whole, _, frac = num.partition(".")
    value = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    value *= Fraction(10) ** exp
    if m.group("sign") in ("-", "\u2212"):
        value = -value
    decimals = len(frac) if "." in num and exp_text is None else None
    return value, decimals


def _simple(text: str) -> Fraction | None:
    """A signed integer or decimal without exponent, for fraction parts."""
    text = text.strip()
    parsed = _decimal(text) if text else None
    return parsed[0] if parsed else None


def _fraction(text: str) -> Fraction | None:
    m = _FRAC.fullmatch(text)
    if m is not None:
        a = _simple(m.group("a") if m.group("a") is not None else m.group("a1"))
        b = _simple(m.group("b") if m.group("b") is not None else m.group("b1"))
        if a is None or b is None or b == 0:
            return None
        value = a / b
        return -value if m.group("sign") in ("-", "\u2212") else value
    m = _SLASH.fullmatch(text)
    if m is not None:
        a, b = _simple(m.group("a")), _simple(m.group("b"))
        if a is None or b is None or b == 0:
            return None
        return a / b
    return None


def parse_number(text: str) -> Number | None:
    """Parse ``text`` (already stripped of ``$`` wrappers) as one number, or return ``None``.

    ``None`` means "not a plain number" (an expression, a word, a list), never an error.

    Examples:
        >>> parse_number("10{,}000").value
        Fraction(10000, 1)
        >>> parse_number("2\\\\frac{1}{2}").value
        Fraction(5, 2)
    """
    text = text.strip()
    if not text or len(text) > MAX_DIGITS + 64 or not _digits_ok(text):
        return None
    percent = False
    m = _PERCENT.search(text)
    if m is not None:
        percent = True
        text = text[: m.start()].strip()
    dec = _decimal(text)
    if dec is not None:
        return Number(dec[0], dec[1], percent)
    frac = _fraction(text)
    if frac is not None:
        return Number(frac, None, percent)
    m = _REPEATING.fullmatch(text)
    if m is not None and len(m.group("fixed")) + len(m.group("rep")) <= 64:
        fixed, rep = m.group("fixed"), m.group("rep")
        value = Fraction(int(m.group("whole") or "0")) + Fraction(int(fixed or "0"), 10 ** len(fixed))
        value += Fraction(int(rep), (10 ** len(rep) - 1) * 10 ** len(fixed))
        return Number(-value if m.group("sign") in ("-", "\u2212") else value, None, percent)
    m = _MIXED.fullmatch(text) or _MIXED_PLAIN.fullmatch(text)
    if m is not None:
        part = _fraction(m.group("frac"))
        if part is not None and 0 <= part < 1:
            value = int(m.group("whole")) + part
            return Number(-value if m.group("sign") in ("-", "\u2212") else value, None, percent)
    return None


def round_half_away(value: Fraction, decimals: int) -> Fraction:
    """``value`` rounded to ``decimals`` places, halves away from zero (how people round)."""
    scale = 10**decimals
    scaled = abs(value) * scale
    rounded = Fraction(int(scaled + Fraction(1, 2)), scale)
    return rounded if value >= 0 else -rounded


__all__ = ["MAX_DIGITS", "MAX_EXPONENT", "Number", "parse_number", "round_half_away"]
