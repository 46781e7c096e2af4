"""Unit words after a number, shared by the ``math`` and ``numeric`` verifiers.

A word after a number is a unit when it is a known unit (one canonical spelling per unit:
``meters`` = ``m``) or a counting noun (``8 apples``, ``6 ordered pairs``), never when it changes
or judges the number (``5 squared``, ``5 million``, ``3 maybe``) or makes a sentence
(``4 is impossible``). Pure string work.
"""

from __future__ import annotations

import re

#: spellings of common units -> one canonical name (plurals are handled by dropping an ``s``)
_UNIT_NAMES = {
    "m": "m",
    "meter": "m",
    "metre": "m",
    "cm": "cm",
    "centimeter": "cm",
    "centimetre": "cm",
    "mm": "mm",
    "millimeter": "mm",
    "km": "km",
    "kilometer": "km",
    "kilometre": "km",
    "in": "in",
    "inch": "in",
    "inche": "in",
    "ft": "ft",
    "foot": "ft",
    "feet": "ft",
    "yd": "yd",
    "yard": "yd",
    "mi": "mi",
    "mile": "mi",
    "unit": "unit",
    "g": "g",
    "gram": "g",
    "kg": "kg",
    "kilogram": "kg",
    "mg": "mg",
    "milligram": "mg",
    "lb": "lb",
    "pound": "lb",
    "oz": "oz",
    "ounce": "oz",
    "ton": "ton",
    "s": "s",
    "sec": "s",
    "second": "s",
    "min": "min",
    "minute": "min",
    "h": "h",
    "hr": "h",
    "hour": "h",
    "day": "day",
    "week": "week",
    "month": "month",
    "year": "year",
    "yr": "year",
    "l": "l",
    "liter": "l",
    "litre": "l",
    "ml": "ml",
    "milliliter": "ml",
    "gallon": "gal",
    "gal": "gal",
    "cup": "cup",
    "quart": "quart",
    "pint": "pint",
    "dollar": "$",
    "usd": "$",
    "cent": "cent",
    "euro": "eur",
    "penny": "cent",
    "pennie": "cent",
    "mph": "mi/h",
    "kph": "km/h",
    "rad": "rad",
    "radian": "rad",
    "degree": "deg",
    "deg": "deg",
    "percent": "%",
    "square": "^2",
    "sq": "^2",
    "cubic": "^3",
    "per": "/",
}
#: words after a number that make it a different number, not a unit
SCALE_WORDS = {
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "dozen": 12,
}
#: words that make the tail a sentence, not a unit (``4 is impossible``, ``3 or more``)
_SENTENCE_WORDS = frozenset(
    "is are was were be or and not no more less than at least most about only each none if when "
    "impossible possible approximately exactly".split()
)
#: words that change, judge or hedge the number before them, never a unit (``5 \\text{ squared}``,
#: ``3 \\text{ maybe}``); counting nouns (``6 solutions``, ``4 positive integers``) are units
_NOT_UNIT_WORDS = frozenset(
    "wrong right correct incorrect true false factorial squared cubed doubled tripled halved twice "
    "minus plus over divided multiplied maybe perhaps possibly probably likely guess unsure ish "
    "roughly approx approximate estimated estimate below above left down up loss debt behind ahead "
    "ago".split()
)
#: fraction and ordinal words (``5 hundredths``, ``3 fifths``, ``2 halves``), never a counting unit
_FRACTION_WORD = re.compile(r"(?:ths|half|halves|third|thirds|quarter|quarters|first|second|seconds)$")


def _unit_word(word: str) -> str | None:
    word = word.lower().rstrip(".")
    if word in _UNIT_NAMES:
        return _UNIT_NAMES[word]
    if word.endswith("s") and word[:-1] in _UNIT_NAMES:
        return _UNIT_NAMES[word[:-1]]
    return None


def canonical_unit(phrase: str, power: str | None = None, *, explicit: bool = False) -> str | None:
    """A unit phrase in one spelling (``square meters`` -> ``m^2``, ``meters/second`` -> ``m/s``),
    or ``None`` when the words are not a unit.

    Outside ``\\text{}`` (``explicit`` false), single letters and two-letter words that are not
    known units are variables (``5 x``); sentence words make a sentence (``4 is impossible``).
    Other plain nouns count as a unit of counting (``8 apples``, ``6 ordered pairs``), in lower
    case, except words that change, judge or hedge the number (``5 squared``, ``10 factorial``,
    ``5 wrong``, ``3 maybe``) and fraction and ordinal words (``5 hundredths``).
    Inside ``\\text{}``/``\\mathrm{}`` short words are units too (``\\mathrm{K}``), except ``i``
    and ``e``.
    """
    words = [w for w in re.split(r"[\s\-]+|(?=/)|(?<=/)", phrase.strip()) if w]
    if not words or len(words) > 6:
        return None
    names: list[str] = []
    for word in words:
        known = "/" if word == "/" else _unit_word(word)
        if known is not None:
            names.append(known)
            continue
        lower = word.lower().rstrip(".")
        if lower in _SENTENCE_WORDS or lower in SCALE_WORDS or not lower.isalpha() or lower in ("i", "e"):
            return None
        if lower in _NOT_UNIT_WORDS or _FRACTION_WORD.search(lower):
            return None
        if len(lower) < 3 and not explicit:
            return None
        names.append(lower[:-1] if lower.endswith("s") and len(lower) > 3 else lower)
    unit = " ".join(names).replace(" / ", "/")
    if power:
        unit += "^" + re.sub(r"\D", "", power)
    return unit.replace("^2 ", "").replace("^3 ", "") + (
        "^2" if "^2 " in unit else "^3" if "^3 " in unit else ""
    )


__all__ = ["SCALE_WORDS", "canonical_unit"]
